//! The documents the tests write: three images (Debian, RHEL, Alpine) with packages of every
//! kind, licenses of every shape, source packages, metadata, and layer history.

use harrier_image::resolve::ResolvedPackage;
use harrier_image::sbom::{DocumentId, SbomDocument, SbomSubject};
use harrier_image::source::LayerInfo;
use harrier_image::{Distro, Package, PackageKind, SourcePackage};

pub struct Fixture {
    pub subject: SbomSubject,
    pub packages: Vec<ResolvedPackage>,
    pub distro: Option<Distro>,
}

impl Fixture {
    pub fn document(&self) -> SbomDocument<'_> {
        SbomDocument {
            subject: &self.subject,
            packages: &self.packages,
            distro: self.distro.as_ref(),
            created: "2024-05-01T12:34:56Z".parse().unwrap(),
            id: DocumentId::from_bytes(*b"harrier-sbom-tst"),
        }
    }
}

fn digest(seed: char) -> String {
    format!("sha256:{}", seed.to_string().repeat(64))
}

fn layer(index: usize, seed: char, created_by: &str) -> LayerInfo {
    LayerInfo {
        index,
        digest: Some(digest(seed)),
        diff_id: Some(digest(char::from_digit(index as u32, 10).unwrap())),
        media_type: Some("application/vnd.oci.image.layer.v1.tar+gzip".into()),
        size: Some(1000 * (index as u64 + 1)),
        created_by: Some(created_by.into()),
    }
}

pub struct P {
    kind: PackageKind,
    name: &'static str,
    version: &'static str,
    path: &'static str,
    arch: Option<&'static str>,
    source: Option<(&'static str, Option<&'static str>)>,
    licenses: &'static [&'static str],
    metadata: &'static [(&'static str, &'static str)],
    introduced: Option<usize>,
    location_layer: Option<usize>,
    removed: Option<usize>,
}

const fn p(kind: PackageKind, name: &'static str, version: &'static str, path: &'static str) -> P {
    P {
        kind,
        name,
        version,
        path,
        arch: None,
        source: None,
        licenses: &[],
        metadata: &[],
        introduced: None,
        location_layer: None,
        removed: None,
    }
}

impl P {
    const fn arch(mut self, arch: &'static str) -> P {
        self.arch = Some(arch);
        self
    }
    const fn source(mut self, name: &'static str, version: Option<&'static str>) -> P {
        self.source = Some((name, version));
        self
    }
    const fn licenses(mut self, licenses: &'static [&'static str]) -> P {
        self.licenses = licenses;
        self
    }
    const fn metadata(mut self, metadata: &'static [(&'static str, &'static str)]) -> P {
        self.metadata = metadata;
        self
    }
    /// Introduced by `layer`, read from the file's version in `location`.
    const fn layers(mut self, introduced: usize, location: usize) -> P {
        self.introduced = Some(introduced);
        self.location_layer = Some(location);
        self
    }
    const fn removed(mut self, layer: usize) -> P {
        self.removed = Some(layer);
        self
    }

    fn build(&self) -> ResolvedPackage {
        let mut package = Package::new(self.kind, self.name, self.version, self.path);
        package.arch = self.arch.map(str::to_owned);
        package.source = self.source.map(|(name, version)| SourcePackage {
            name: name.into(),
            version: version.map(str::to_owned),
        });
        package.licenses = self.licenses.iter().map(|l| (*l).to_owned()).collect();
        package.metadata = self
            .metadata
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        package.location.layer = self.location_layer;
        ResolvedPackage {
            package,
            introduced: self.introduced,
            removed: self.removed,
        }
    }
}

use PackageKind::*;

const DEBIAN_PACKAGES: &[P] = &[
    p(Deb, "openssl", "3.0.11-1~deb12u2", "var/lib/dpkg/status")
        .arch("amd64")
        .source("openssl", None)
        .licenses(&["Apache-2.0"])
        .layers(1, 1),
    p(Deb, "libc6", "2.36-9+deb12u4", "var/lib/dpkg/status")
        .arch("amd64")
        .source("glibc", Some("2.36-9+deb12u3"))
        .licenses(&["GPL-2+", "LGPL-2.1-or-later"])
        .layers(0, 1),
    p(Deb, "bash", "5.2.15-2+b2", "var/lib/dpkg/status")
        .arch("amd64")
        .licenses(&[
            "GPL-3.0-or-later",
            "BSD-4-Clause-UC OR MIT",
            "public domain",
        ])
        .layers(0, 1),
    p(Deb, "tzdata", "2024a-0+deb12u1", "var/lib/dpkg/status")
        .arch("all")
        .layers(0, 1),
    p(Deb, "curl", "7.88.1-10+deb12u5", "var/lib/dpkg/status")
        .arch("amd64")
        .layers(1, 1)
        .removed(3),
    p(
        Python,
        "Django",
        "4.2.0",
        "usr/local/lib/python3.11/site-packages/Django-4.2.0.dist-info/METADATA",
    )
    .licenses(&["BSD-3-Clause"])
    .layers(2, 2),
    p(
        Python,
        "requests",
        "2.31.0",
        "usr/local/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA",
    )
    .licenses(&["Apache 2.0"])
    .layers(2, 2),
    p(
        Python,
        "typing_extensions",
        "4.8.0",
        "usr/local/lib/python3.11/site-packages/typing_extensions-4.8.0.dist-info/METADATA",
    )
    .licenses(&["PSF-2.0"])
    .layers(2, 2),
    p(
        Npm,
        "@babel/core",
        "7.24.0",
        "app/node_modules/@babel/core/package.json",
    )
    .licenses(&["MIT"])
    .layers(3, 3),
    p(Npm, "tslib", "2.6.2", "app/node_modules/tslib/package.json")
        .licenses(&["0BSD"])
        .layers(3, 3),
    p(
        Java,
        "org.apache.commons:commons-lang3",
        "3.14.0",
        "app/lib/app.jar!/BOOT-INF/lib/commons-lang3-3.14.0.jar",
    )
    .licenses(&["Apache-2.0"])
    .metadata(&[
        ("java.manifest-version", "1.0"),
        ("java.main-class", "org.example.Main"),
    ])
    .layers(3, 3),
    p(
        GoModule,
        "github.com/BurntSushi/toml",
        "v1.3.2",
        "usr/local/bin/app",
    )
    .layers(3, 3),
    p(GoStdlib, "stdlib", "1.22.1", "usr/local/bin/app")
        .licenses(&["BSD-3-Clause"])
        .metadata(&[("go.main", "example.com/app")])
        .layers(3, 3),
    p(Rust, "serde", "1.0.197", "app/Cargo.lock")
        .licenses(&["MIT OR Apache-2.0"])
        .layers(3, 3),
    p(
        Gem,
        "rails",
        "7.1.3",
        "usr/local/bundle/specifications/rails-7.1.3.gemspec",
    )
    .licenses(&["MIT"])
    .layers(3, 3),
    p(
        Composer,
        "laravel/framework",
        "v11.0.0",
        "app/vendor/composer/installed.json",
    )
    .licenses(&["MIT"])
    .layers(3, 3),
    p(NuGet, "Newtonsoft.Json", "13.0.3", "app/App.deps.json")
        .licenses(&["MIT"])
        .layers(3, 3),
    // The same package found twice: two entries, two ids.
    p(
        Npm,
        "tslib",
        "2.6.2",
        "app/other/node_modules/tslib/package.json",
    )
    .licenses(&["0BSD"])
    .layers(3, 3),
];

pub fn debian() -> Fixture {
    Fixture {
        subject: SbomSubject {
            reference: "registry.example.com/team/app:1.0".into(),
            manifest_digest: Some(digest('e')),
            config_digest: Some(digest('c')),
            tags: vec!["registry.example.com/team/app:1.0".into()],
            layers: vec![
                layer(
                    0,
                    'a',
                    "/bin/sh -c #(nop) ADD file:7ab0a2b53c1b4d9d1b6d in / ",
                ),
                layer(
                    1,
                    'b',
                    "RUN /bin/sh -c apt-get update && apt-get install -y openssl curl # buildkit",
                ),
                layer(
                    2,
                    'f',
                    "RUN /bin/sh -c pip install django==4.2.0 requests==2.31.0 # buildkit",
                ),
                layer(
                    3,
                    'd',
                    "RUN /bin/sh -c <<EOF\nset -e\nnpm ci\napt-get purge -y curl\nEOF # buildkit",
                ),
            ],
        },
        packages: DEBIAN_PACKAGES.iter().map(P::build).collect(),
        distro: Some(Distro {
            id: "debian".into(),
            version_id: Some("12".into()),
            codename: Some("bookworm".into()),
            pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
            id_like: Vec::new(),
        }),
    }
}

const RHEL_PACKAGES: &[P] = &[
    p(
        Rpm,
        "openssl-libs",
        "1:3.0.7-27.el9",
        "var/lib/rpm/rpmdb.sqlite",
    )
    .arch("x86_64")
    .source("openssl", Some("3.0.7-27.el9"))
    .licenses(&["Apache-2.0"])
    .metadata(&[("rpm.epoch", "1")])
    .layers(0, 0),
    p(Rpm, "bash", "5.1.8-9.el9", "var/lib/rpm/rpmdb.sqlite")
        .arch("x86_64")
        .source("bash", Some("5.1.8-9.el9"))
        .licenses(&["GPLv3+"])
        .layers(0, 0),
    p(
        Rpm,
        "gpg-pubkey",
        "0:fd431d51-4ae0493b",
        "var/lib/rpm/rpmdb.sqlite",
    )
    .layers(0, 0),
];

pub fn rhel() -> Fixture {
    Fixture {
        subject: SbomSubject {
            reference: "oci:/images/ubi9:9.4".into(),
            manifest_digest: None,
            config_digest: Some(digest('9')),
            tags: Vec::new(),
            layers: vec![LayerInfo {
                index: 0,
                digest: Some(digest('7')),
                diff_id: None,
                media_type: None,
                size: None,
                created_by: None,
            }],
        },
        packages: RHEL_PACKAGES.iter().map(P::build).collect(),
        distro: Some(Distro {
            id: "rhel".into(),
            version_id: Some("9.4".into()),
            codename: None,
            pretty_name: Some("Red Hat Enterprise Linux 9.4 (Plow)".into()),
            id_like: vec!["fedora".into()],
        }),
    }
}

const ALPINE_PACKAGES: &[P] = &[
    p(Apk, "musl", "1.2.4_git20230717-r4", "lib/apk/db/installed")
        .arch("x86_64")
        .source("musl", None)
        .licenses(&["MIT"])
        .layers(0, 0),
    p(Apk, "libcrypto3", "3.1.4-r5", "lib/apk/db/installed")
        .arch("x86_64")
        .source("openssl", None)
        .licenses(&["Apache-2.0"])
        .layers(0, 0),
];

/// A root filesystem directory: no digests, no layers, no distro.
pub fn alpine_dir() -> Fixture {
    Fixture {
        subject: SbomSubject {
            reference: "dir:/srv/rootfs".into(),
            ..SbomSubject::default()
        },
        packages: ALPINE_PACKAGES.iter().map(P::build).collect(),
        distro: None,
    }
}

pub fn all() -> Vec<(&'static str, Fixture)> {
    vec![
        ("debian", debian()),
        ("rhel", rhel()),
        ("alpine-dir", alpine_dir()),
    ]
}
