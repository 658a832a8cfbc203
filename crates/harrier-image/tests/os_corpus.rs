//! OS catalogers against the shared corpus: syft's dpkg, apk and copyright fixtures and
//! osv-scanner's dpkg `status` and apk `installed` fixtures.
//!
//! Expected packages come from the upstream Go tests that own the fixtures, encoded here:
//! anchore/syft `syft/pkg/cataloger/debian/{cataloger,parse_dpkg_db,parse_copyright}_test.go`
//! and `syft/pkg/cataloger/alpine/{cataloger,parse_apk_db}_test.go`; google/osv-scanner
//! `pkg/lockfile/{dpkg-status,apk-installed}_test.go`. Each row renders a package as
//! `name@version [arch] src=source[@version] lic=a|b` (parts omitted when absent or when the
//! source is the package itself), in file order, with the number of soft errors.
//!
//! Where Harrier deliberately differs from the upstream expectation, see `DIFFERENCES`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use harrier_core::testing::corpus_path;
use harrier_image::Cataloger;
use harrier_image::catalog::os::{self, apk::APK, deb_copyright, dpkg::DPKG};
use harrier_image::catalog::{FileMeta, Found, Want};

/// Where Harrier differs from syft and osv-scanner on these fixtures, on purpose.
///
/// - osv-scanner names a dpkg package by its source package (and then uses the source version):
///   `libc6` is `glibc`. Harrier reports the binary package with its source beside it; the
///   osv rows check that the source name and version are osv-scanner's.
/// - osv-scanner reports a stanza without `Package` under its `Source` (`util-linux` in
///   `malformed_status`); Harrier reports it as an error, since a binary package without a
///   name cannot be looked up or listed.
/// - Malformed lines and stanzas (`not_status`, `not_installed`, syft's `corrupt`) are errors
///   here where osv-scanner silently skips them.
/// - Debian licenses: from machine-readable copyright files, the `License` synopses of the
///   header and `Files` paragraphs only. syft also takes every `/usr/share/common-licenses/…`
///   path mentioned anywhere, including inside standalone license texts ("version 1 can be
///   found in …"), which adds `GPL-1` to libpam-runtime and `GPL-2` to libsqlite3-0; Harrier
///   uses those paths only for files that are not machine-readable. syft's `trilicense` is a
///   fragment without the `Format` header, so Harrier reads it as free text (no licenses).
#[allow(dead_code)]
const DIFFERENCES: () = ();

fn render(found: &Found) -> Vec<String> {
    found
        .packages
        .iter()
        .map(|p| {
            let mut row = format!("{}@{}", p.name, p.version);
            if let Some(arch) = &p.arch {
                row.push_str(&format!(" [{arch}]"));
            }
            if let Some(source) = &p.source {
                if source.name != p.name || source.version.is_some() {
                    row.push_str(&format!(" src={}", source.name));
                    if let Some(version) = &source.version {
                        row.push_str(&format!("@{version}"));
                    }
                }
            }
            if !p.licenses.is_empty() {
                row.push_str(&format!(" lic={}", p.licenses.join("|")));
            }
            row
        })
        .collect()
}

/// Catalogs a corpus file as if it were at `path` in an image, through `wants` and `catalog`.
fn catalog(cataloger: &dyn Cataloger, file: &std::path::Path, path: &str) -> Found {
    let content = std::fs::read(file).expect("read fixture");
    let meta = FileMeta {
        path,
        size: content.len() as u64,
        mode: 0o644,
    };
    assert!(
        matches!(cataloger.wants(&meta), Want::Content { max_bytes } if max_bytes >= meta.size),
        "{} does not want {path}",
        cataloger.name()
    );
    let found = cataloger.catalog(&meta, &content).expect("catalog");
    for package in &found.packages {
        assert_eq!(package.location.path, path);
    }
    for error in &found.errors {
        assert_eq!(error.path, path);
    }
    found
}

type Row = (&'static str, &'static str, &'static [&'static str], usize);

/// syft's dpkg fixtures: (fixture under `sbom/syft-cataloger-fixtures/debian/testdata`, path in
/// the image, packages, errors).
const SYFT_DPKG: &[Row] = &[
    // cataloger_test.go TestDpkgCataloger "image-dpkg" (the leading empty `Package:` stanza is
    // an error here; syft skips it).
    (
        "image-dpkg/var/lib/dpkg/status",
        "var/lib/dpkg/status",
        &["libpam-runtime@1.1.8-3.6 [all] src=pam"],
        1,
    ),
    // "image-distroless-deb": no Status field, as distroless writes it.
    (
        "image-distroless-deb/var/lib/dpkg/status.d/libsqlite3-0",
        "var/lib/dpkg/status.d/libsqlite3-0",
        &["libsqlite3-0@3.34.1-3 [arm64] src=sqlite3"],
        0,
    ),
    // parse_dpkg_db_test.go Test_parseDpkgStatus.
    (
        "var/lib/dpkg/status.d/single",
        "var/lib/dpkg/status.d/single",
        &["apt@1.8.2 [amd64] src=apt-dev"],
        0,
    ),
    (
        "var/lib/dpkg/status.d/installed-size-4KB",
        "var/lib/dpkg/status.d/installed-size-4KB",
        &["apt@1.8.2 [amd64] src=apt-dev"],
        0,
    ),
    // "multiple entries": `no-version` has no Version (an error, reported with an empty
    // version), the leading `Package:` is empty (an error).
    (
        "var/lib/dpkg/status.d/multiple",
        "var/lib/dpkg/status.d/multiple",
        &[
            "no-version@",
            "tzdata@2020a-0+deb10u1 [all] src=tzdata-dev",
            "util-linux@2.33.1-0.1 [amd64]",
        ],
        2,
    ),
    // Test_corruptEntry: syft fails; here the line that is not a field and the stanza without
    // `Package` are errors, and nothing is a package.
    (
        "var/lib/dpkg/status.d/corrupt",
        "var/lib/dpkg/status.d/corrupt",
        &[],
        2,
    ),
    (
        "var/lib/dpkg/status.d/empty",
        "var/lib/dpkg/status.d/empty",
        &[],
        1,
    ),
    // A removed kernel whose config files remain (`deinstall ok config-files`) is not installed.
    (
        "var/lib/dpkg/status.d/deinstall",
        "var/lib/dpkg/status.d/deinstall",
        &["linux-image-6.14.0-1012-aws@6.14.0-1012.12~24.04.1 [amd64] src=linux-signed-aws-6.14"],
        0,
    ),
    // Test_CatalogerRelationships: the packages of the relationship fixtures (every name the
    // expected relationships mention; the stanzas without Version are errors).
    (
        "var/lib/dpkg/status.d/coreutils-relationships",
        "var/lib/dpkg/status.d/coreutils-relationships",
        &[
            "coreutils@9.1-1 [arm64]",
            "libacl1@2.3.1-3 [arm64] src=acl",
            "libc6@2.36-9+deb12u1 [arm64] src=glibc",
            "libgcc-s1@12.2.0-14 [arm64] src=gcc-12",
            "gcc-12-base@12.2.0-14 [arm64] src=gcc-12",
            "libattr1@1:2.5.1-4 [arm64] src=attr",
            "libgmp10@2:6.2.1+dfsg1-1.1 [arm64] src=gmp",
            "libselinux1@3.4-1+b6 [arm64] src=libselinux@3.4-1",
            "libpcre2-8-0@10.42-1 [arm64] src=pcre2",
        ],
        0,
    ),
    (
        "var/lib/dpkg/status.d/doc-examples",
        "var/lib/dpkg/status.d/doc-examples",
        &[
            "mutt@1.3.17-1",
            "made-up-package-1@1.0.0 src=glibc",
            "made-up-package-2@2.0.0",
            "made-up-package-3@3.0.0",
            "made-up-package-4@3.0.0",
            "made-up-package-5@",
            "foo@",
            "bar@",
            "kernel-headers-2.2.10@",
            "hurd-dev@",
            "gnumach-dev@",
            "default-mta@",
            "mail-transport-agent@",
            "libc6@",
            "libluajit5.1-dev@",
            "liblua5.1-dev@",
        ],
        11,
    ),
    (
        "var/lib/dpkg/status.d/libpam-runtime",
        "var/lib/dpkg/status.d/libpam-runtime",
        &[
            "libpam-runtime@1.5.2-6+deb12u1 [all] src=pam",
            "debconf1@",
            "debconf2@",
            "debconf-2.0@",
            "cdebconf@",
            "libpam-modules@",
        ],
        5,
    ),
];

#[test]
fn syft_dpkg_fixtures() {
    let Some(root) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "sbom/syft-cataloger-fixtures/debian/testdata",
    ) else {
        return;
    };
    for (fixture, path, expected, errors) in SYFT_DPKG {
        let found = catalog(&DPKG, &root.join(fixture), path);
        assert_eq!(render(&found), *expected, "{fixture}");
        assert_eq!(
            found.errors.len(),
            *errors,
            "{fixture}: {:#?}",
            found.errors
        );
    }
    // The distroless md5sums file beside a package record is not asked for.
    let md5sums = FileMeta {
        path: "var/lib/dpkg/status.d/libsqlite3-0.md5sums",
        size: 459,
        mode: 0o644,
    };
    assert_eq!(DPKG.wants(&md5sums), Want::No);
}

/// osv-scanner's dpkg fixtures: (fixture under `sbom/osv-scanner-lockfile-fixtures/dpkg`,
/// `source@version` as osv-scanner names each package, errors).
const OSV_DPKG: &[(&str, &[&str], usize)] = &[
    ("empty_status", &[], 0),
    ("not_status", &[], 12),
    // osv expects `bash@` and `util-linux@2.36.1-8+deb11u1`, the latter from a stanza without
    // `Package` (an error here, as are the bad `Status` and the junk lines).
    ("malformed_status", &["bash@"], 8),
    ("single_status", &["sudo@1.8.27-1+deb10u1"], 0),
    ("shuffled_status", &["glibc@2.31-13+deb11u5"], 0),
    (
        "multiple_status",
        &[
            "bash@5.1-2+deb11u1",
            "util-linux@2.36.1-8+deb11u1",
            "glibc@2.31-13+deb11u5",
            "base-files@12.4+deb12u5",
        ],
        0,
    ),
    (
        "source_ver_override_status",
        &["lvm2@2.02.176-4.1ubuntu3"],
        0,
    ),
];

#[test]
fn osv_dpkg_fixtures() {
    let Some(root) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "sbom/osv-scanner-lockfile-fixtures/dpkg",
    ) else {
        return;
    };
    for (fixture, expected, errors) in OSV_DPKG {
        let found = catalog(&DPKG, &root.join(fixture), "var/lib/dpkg/status");
        let as_osv: Vec<String> = found
            .packages
            .iter()
            .map(|p| {
                let source = p.source.as_ref().expect("every deb package has a source");
                let version = source.version.as_deref().unwrap_or(&p.version);
                format!("{}@{version}", source.name)
            })
            .collect();
        assert_eq!(as_osv, *expected, "{fixture}");
        assert_eq!(
            found.errors.len(),
            *errors,
            "{fixture}: {:#?}",
            found.errors
        );
    }
}

/// syft's apk fixtures: (fixture under `sbom/syft-cataloger-fixtures/alpine/testdata`,
/// packages, errors).
const SYFT_APK: &[(&str, &[&str], usize)] = &[
    // parse_apk_db_test.go TestSinglePackageDetails.
    (
        "single",
        &["musl-utils@1.1.24-r2 [x86_64] src=musl lic=MIT|BSD|GPL2+"],
        0,
    ),
    (
        "empty-deps-and-provides",
        &["alpine-baselayout-data@3.4.0-r0 [x86_64] src=alpine-baselayout lic=GPL-2.0-only"],
        0,
    ),
    (
        "base",
        &["alpine-baselayout@3.2.0-r6 [x86_64] lic=GPL-2.0-only"],
        0,
    ),
    // TestExtraFileAttributes.
    (
        "extra-file-attributes",
        &["openjdk8-jre@8.212.04-r0 [x86_64] src=openjdk8 lic=custom"],
        0,
    ),
    // cataloger_test.go TestApkDBCataloger.
    (
        "multiple-1/lib/apk/db/installed",
        &[
            "bash@5.2.21-r0 [x86_64] lic=GPL-3.0-or-later",
            "busybox-binsh@1.36.1-r15 [x86_64] src=busybox lic=GPL-2.0-only",
            "musl@1.2.4_git20230717-r4 [x86_64] lic=MIT",
            "readline@8.2.1-r2 [x86_64] lic=GPL-2.0-or-later",
        ],
        0,
    ),
    // Test_corruptDb: syft fails; here the junk first line is an error and the record after it
    // is read.
    (
        "corrupt/lib/apk/db/installed",
        &["alpine-baselayout-data@3.2.0-r22 [x86_64] src=alpine-baselayout"],
        1,
    ),
];

#[test]
fn syft_apk_fixtures() {
    let Some(root) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "sbom/syft-cataloger-fixtures/alpine/testdata",
    ) else {
        return;
    };
    for (fixture, expected, errors) in SYFT_APK {
        let found = catalog(&APK, &root.join(fixture), "lib/apk/db/installed");
        assert_eq!(render(&found), *expected, "{fixture}");
        assert_eq!(
            found.errors.len(),
            *errors,
            "{fixture}: {:#?}",
            found.errors
        );
    }
    // TestCatalogerDependencyTree: every package its expected relationships name is there, and
    // alpine-keys, which no relationship names, makes 14.
    let found = catalog(
        &APK,
        &root.join("multiple-2/lib/apk/db/installed"),
        "lib/apk/db/installed",
    );
    let names: Vec<&str> = found.packages.iter().map(|p| p.name.as_str()).collect();
    for name in [
        "alpine-baselayout",
        "busybox",
        "alpine-baselayout-data",
        "musl",
        "apk-tools",
        "ca-certificates-bundle",
        "libcrypto1.1",
        "libssl1.1",
        "zlib",
        "libc-utils",
        "musl-utils",
        "scanelf",
        "ssl_client",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    assert_eq!(names.len(), 14);
    assert!(found.errors.is_empty());
}

/// osv-scanner's apk fixtures: (fixture under `sbom/osv-scanner-lockfile-fixtures/apk`,
/// `name@version` and `apk.commit` prefix, errors).
const OSV_APK: &[(&str, &[&str], usize)] = &[
    ("empty_installed", &[], 0),
    ("not_installed", &[], 11),
    // The records without `P:` and the junk lines are errors; busybox has no `V:`.
    ("malformed_installed", &["busybox@ #1dbf7a79"], 7),
    ("single_installed", &["apk-tools@2.12.10-r1 #0188f510"], 0),
    ("shuffled_installed", &["apk-tools@2.12.10-r1 #0188f510"], 0),
    (
        "multiple_installed",
        &[
            "alpine-baselayout-data@3.4.0-r0 #bd965a7e",
            "musl@1.2.3-r4 #f93af038",
            "busybox@1.35.0-r29 #1dbf7a79",
        ],
        0,
    ),
];

#[test]
fn osv_apk_fixtures() {
    let Some(root) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "sbom/osv-scanner-lockfile-fixtures/apk",
    ) else {
        return;
    };
    for (fixture, expected, errors) in OSV_APK {
        let found = catalog(&APK, &root.join(fixture), "lib/apk/db/installed");
        let rows: Vec<String> = found
            .packages
            .iter()
            .map(|p| {
                let commit = p.metadata.get("apk.commit").map_or("", String::as_str);
                format!(
                    "{}@{} #{}",
                    p.name,
                    p.version,
                    commit.get(..8).unwrap_or(commit)
                )
            })
            .collect();
        assert_eq!(rows, *expected, "{fixture}");
        assert_eq!(
            found.errors.len(),
            *errors,
            "{fixture}: {:#?}",
            found.errors
        );
    }
}

/// syft's copyright fixtures: (fixture under `…/debian/testdata`, licenses in order).
const SYFT_COPYRIGHT: &[(&str, &[&str])] = &[
    // Machine-readable: the Files paragraphs' synopses.
    (
        "image-dpkg/usr/share/doc/libpam-runtime/copyright",
        &["GPL-2", "LGPL-2.1"],
    ),
    (
        "image-distroless-deb/usr/share/doc/libsqlite3-0/copyright",
        &["public-domain", "GPL-2+"],
    ),
    ("copyright/libaudit-common", &["GPL-2", "LGPL-2.1"]),
    (
        "copyright/liblzma5",
        &[
            "PD",
            "probably-PD",
            "GPL-2+",
            "LGPL-2.1+",
            "permissive-fsf",
            "Autoconf",
            "GPL-2",
            "permissive-nowarranty",
            "config-h",
            "noderivs",
            "PD-debian",
        ],
    ),
    // Free text: the common-licenses references (syft: GPL-2, LGPL-2.1).
    ("copyright/libc6", &["LGPL-2.1", "GPL-2"]),
    ("copyright/python", &["GPL-2", "Apache-2.0"]),
    // A fragment without `Format` and without common-licenses references.
    ("copyright/trilicense", &[]),
    // End-user license agreements name no license Harrier can identify.
    ("copyright/microsoft", &[]),
    ("copyright/dev-kit", &[]),
    ("copyright/cuda", &[]),
];

#[test]
fn syft_copyright_fixtures() {
    let Some(root) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "sbom/syft-cataloger-fixtures/debian/testdata",
    ) else {
        return;
    };
    for (fixture, expected) in SYFT_COPYRIGHT {
        let content = std::fs::read(root.join(fixture)).expect("read fixture");
        assert_eq!(deb_copyright::licenses(&content), *expected, "{fixture}");
    }
    // The image fixtures end to end: the package gets the licenses of its own copyright file.
    for (status, path, copyright, licenses) in [
        (
            "image-dpkg/var/lib/dpkg/status",
            "var/lib/dpkg/status",
            "image-dpkg/usr/share/doc/libpam-runtime/copyright",
            ["GPL-2", "LGPL-2.1"],
        ),
        (
            "image-distroless-deb/var/lib/dpkg/status.d/libsqlite3-0",
            "var/lib/dpkg/status.d/libsqlite3-0",
            "image-distroless-deb/usr/share/doc/libsqlite3-0/copyright",
            ["public-domain", "GPL-2+"],
        ),
    ] {
        let mut found = catalog(&DPKG, &root.join(status), path);
        let content = std::fs::read(root.join(copyright)).expect("read fixture");
        let in_image = copyright.split_once('/').map_or(copyright, |(_, p)| p);
        assert!(deb_copyright::package_of(in_image).is_some());
        deb_copyright::apply(&mut found.packages, &[(in_image, &content)]);
        assert_eq!(found.packages[0].licenses, licenses, "{status}");
    }
}

#[test]
fn syft_os_release_fixture() {
    let Some(file) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "sbom/syft-cataloger-fixtures/debian/testdata/image-dpkg/etc/os-release",
    ) else {
        return;
    };
    let content = std::fs::read(file).expect("read fixture");
    assert!(os::is_os_release_file("etc/os-release"));
    let distro = os::detect(&[("etc/os-release", &content)]).expect("detected");
    assert_eq!(distro.id, "debian");
    assert_eq!(distro.version_id.as_deref(), Some("12"));
    assert_eq!(distro.codename.as_deref(), Some("bookworm"));
    assert_eq!(
        distro.pretty_name.as_deref(),
        Some("Debian GNU/Linux 12 (bookworm)")
    );
    assert_eq!(
        os::vuln_ecosystem(&distro),
        Some(("Debian".to_owned(), "12".to_owned()))
    );
}
