//! Foreign SBOMs from the shared corpus: the CycloneDX 1.6 document GraalVM `native-image`
//! embeds in a native executable, as syft's GraalVM cataloger fixture keeps it
//! (`syft-cataloger-fixtures/java/testdata/graalvm-sbom/micronaut.json`).

use harrier_core::testing::corpus_path;
use harrier_image::PackageKind;
use harrier_image::sbom::{self, SbomFormat, Skipped};

#[test]
fn reads_graalvm_native_image_sbom() {
    let Some(path) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "sbom/syft-cataloger-fixtures/java/testdata/graalvm-sbom/micronaut.json",
    ) else {
        return;
    };
    let read = sbom::read(&std::fs::read(path).unwrap()).unwrap();
    assert_eq!(read.format, SbomFormat::CycloneDx);
    // The described component is the application, not a package of it.
    assert_eq!(read.subject.reference, "main-test-app");
    assert_eq!(read.distro, None);
    let got: Vec<(PackageKind, &str, &str)> = read
        .packages
        .iter()
        .map(|r| {
            (
                r.package.kind,
                r.package.name.as_str(),
                r.package.version.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            // This document's `version` (4.1.73.Final) and purl (4.1.104.Final) disagree; the
            // purl is what vulnerability databases are keyed by, and what the reader follows.
            (
                PackageKind::Java,
                "io.netty:netty-codec-http2",
                "4.1.104.Final"
            ),
            (PackageKind::Java, "io.micronaut:core", "4.2.3"),
        ]
    );
    assert_eq!(
        read.skipped,
        [Skipped {
            name: "basic-lib@1.0".into(),
            reason: "no purl".into()
        }]
    );
}
