//! SBOMs other tools write, in the shapes syft and Trivy give them (hand-written fixtures
//! modelled on syft's encoder snapshots and Trivy's CycloneDX output).

use std::path::Path;

use harrier_image::sbom::{self, ReadSbom, SbomFormat, Skipped};
use harrier_image::{Distro, PackageKind, SourcePackage};

fn read(name: &str) -> ReadSbom {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sbom")
        .join(name);
    sbom::read(&std::fs::read(path).unwrap()).unwrap()
}

/// (kind, name, version, path, source, licenses)
type Expected<'a> = (
    PackageKind,
    &'a str,
    &'a str,
    &'a str,
    Option<(&'a str, Option<&'a str>)>,
    &'a [&'a str],
);

fn check(read: &ReadSbom, expected: &[Expected<'_>]) {
    let got: Vec<_> = read
        .packages
        .iter()
        .map(|r| {
            let p = &r.package;
            (
                p.kind,
                p.name.as_str(),
                p.version.as_str(),
                p.location.path.as_str(),
                p.source
                    .as_ref()
                    .map(|s| (s.name.as_str(), s.version.as_deref())),
                p.licenses.iter().map(String::as_str).collect::<Vec<_>>(),
            )
        })
        .collect();
    let want: Vec<_> = expected
        .iter()
        .map(|(k, n, v, path, s, l)| (*k, *n, *v, *path, *s, l.to_vec()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn reads_syft_cyclonedx() {
    let read = read("syft-debian.cdx.json");
    assert_eq!(read.format, SbomFormat::CycloneDx);
    assert_eq!(read.subject.reference, "debian");
    assert_eq!(
        read.subject.manifest_digest.as_deref(),
        Some("sha256:e97ee92bf1e11a2de654e9f3da827d8dce32b54e0490ac83bfc65c8706568116")
    );
    assert_eq!(
        read.distro,
        Some(Distro {
            id: "debian".into(),
            version_id: Some("12".into()),
            codename: Some("bookworm".into()),
            pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
            id_like: Vec::new(),
        })
    );
    check(
        &read,
        &[
            (
                PackageKind::Deb,
                "libssl3",
                "3.0.11-1~deb12u2",
                "var/lib/dpkg/status",
                Some(("openssl", None)),
                &["Apache-2.0", "Artistic"],
            ),
            (
                PackageKind::Deb,
                "libc6",
                "2.36-9+deb12u4",
                "var/lib/dpkg/status",
                Some(("glibc", None)),
                &["GPL-2.0-only", "LGPL-2.1-only"],
            ),
            (
                PackageKind::GoModule,
                "github.com/BurntSushi/toml",
                "v1.3.2",
                "usr/local/bin/app",
                None,
                &[],
            ),
            // The purl's version (`1.22.1`), not syft's `go1.22.1`.
            (
                PackageKind::GoStdlib,
                "stdlib",
                "1.22.1",
                "usr/local/bin/app",
                None,
                &["BSD-3-Clause"],
            ),
            (
                PackageKind::Python,
                "Django",
                "4.2.0",
                "usr/local/lib/python3.11/site-packages/Django-4.2.0.dist-info/METADATA",
                None,
                &["BSD-3-Clause"],
            ),
        ],
    );
    assert_eq!(read.packages[0].package.arch.as_deref(), Some("amd64"));
    assert_eq!(
        read.skipped,
        [Skipped {
            name: "app-binary-without-purl@1.0".into(),
            reason: "no purl".into()
        }]
    );
}

#[test]
fn reads_syft_spdx() {
    let read = read("syft-debian.spdx.json");
    assert_eq!(read.format, SbomFormat::Spdx);
    assert_eq!(read.subject.reference, "debian");
    assert_eq!(
        read.subject.manifest_digest.as_deref(),
        Some("sha256:e97ee92bf1e11a2de654e9f3da827d8dce32b54e0490ac83bfc65c8706568116")
    );
    // No operating-system package: the distro comes from the purls.
    let distro = read.distro.as_ref().unwrap();
    assert_eq!(
        (distro.id.as_str(), distro.version_id.as_deref()),
        ("debian", Some("12"))
    );
    check(
        &read,
        &[
            (
                PackageKind::Deb,
                "libssl3",
                "3.0.11-1~deb12u2",
                "",
                Some(("openssl", None)),
                &["Apache-2.0", "Artistic"],
            ),
            (
                PackageKind::Deb,
                "libc6",
                "2.36-9+deb12u4",
                "",
                Some(("glibc", None)),
                &["GPL-2.0-only", "LGPL-2.1-only"],
            ),
            (
                PackageKind::Python,
                "Django",
                "4.2.0",
                "",
                None,
                &["BSD-3-Clause"],
            ),
        ],
    );
    assert_eq!(read.skipped, []);
}

#[test]
fn reads_trivy_cyclonedx() {
    let read = read("trivy-alpine.cdx.json");
    assert_eq!(read.subject.reference, "alpine:3.19");
    // The image's digests, tags and layers from Trivy's own properties.
    assert_eq!(
        read.subject.manifest_digest.as_deref(),
        Some("sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b")
    );
    assert_eq!(
        read.subject.config_digest.as_deref(),
        Some("sha256:05455a08881ea9cf0e752bc48e61bbd71a34c029bb13df01e40e3e70e0d007bd")
    );
    assert_eq!(read.subject.tags, ["alpine:3.19"]);
    let diff_id = "sha256:d4fc045c9e3a848011de66f34b81f052d4f2c15a17bb196d637e526349601820";
    assert_eq!(read.subject.layers.len(), 1);
    assert_eq!(
        (
            read.subject.layers[0].index,
            read.subject.layers[0].diff_id.as_deref()
        ),
        (0, Some(diff_id))
    );
    // busybox names its layer by diff id; the others name none.
    let introduced: Vec<Option<usize>> = read.packages.iter().map(|p| p.introduced).collect();
    assert_eq!(introduced, [Some(0), None, None, None]);
    assert_eq!(
        read.distro,
        Some(Distro {
            id: "alpine".into(),
            version_id: Some("3.19.1".into()),
            ..Distro::default()
        })
    );
    check(
        &read,
        &[
            (
                PackageKind::Apk,
                "busybox",
                "1.36.1-r15",
                "",
                Some(("busybox", Some("1.36.1-r15"))),
                &["GPL-2.0-only"],
            ),
            (
                PackageKind::Apk,
                "libcrypto3",
                "3.1.4-r5",
                "",
                Some(("openssl", Some("3.1.4-r5"))),
                &["Apache-2.0"],
            ),
            (
                PackageKind::Npm,
                "@babel/core",
                "7.24.0",
                "app/node_modules/@babel/core/package.json",
                None,
                &["MIT"],
            ),
            (
                PackageKind::Java,
                "org.apache.commons:commons-lang3",
                "3.14.0",
                "app/lib/commons-lang3-3.14.0.jar",
                None,
                &[],
            ),
        ],
    );
    assert_eq!(
        read.skipped,
        [Skipped {
            name: "zlib@1.3".into(),
            reason:
                "purl `pkg:conan/zlib@1.3`: package URL type `conan` is not one Harrier catalogs"
                    .into()
        }]
    );
    let _ = SourcePackage {
        name: String::new(),
        version: None,
    };
}
