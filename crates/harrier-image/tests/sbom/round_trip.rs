//! Written, then read back: the same packages, image and distro.

use harrier_image::sbom::{self, SbomFormat, cyclonedx, spdx};

use crate::support;

fn check(format: SbomFormat) {
    for (name, fixture) in support::all() {
        let doc = fixture.document();
        let mut bytes = Vec::new();
        doc.write(format, &mut bytes).unwrap();
        let read = sbom::read(&bytes).unwrap();
        let direct = match format {
            SbomFormat::CycloneDx => cyclonedx::read(&bytes).unwrap(),
            SbomFormat::Spdx => spdx::read(&bytes).unwrap(),
        };
        assert_eq!(read, direct, "{name}");
        assert_eq!(read.format, format, "{name}");
        assert_eq!(read.skipped, [], "{name}");
        assert_eq!(read.distro, fixture.distro, "{name}");
        assert_eq!(read.subject, fixture.subject, "{name}");
        assert_eq!(read.packages.len(), fixture.packages.len(), "{name}");
        for (got, want) in read.packages.iter().zip(&fixture.packages) {
            assert_eq!(got, want, "{name}");
        }
    }
}

#[test]
fn cyclonedx_reads_back_what_it_wrote() {
    check(SbomFormat::CycloneDx);
}

#[test]
fn spdx_reads_back_what_it_wrote() {
    check(SbomFormat::Spdx);
}

/// Each document made now has an id of its own.
#[test]
fn documents_made_now_differ() {
    let fixture = support::debian();
    let a = sbom::SbomDocument::now(&fixture.subject, &fixture.packages, None).unwrap();
    let b = sbom::SbomDocument::now(&fixture.subject, &fixture.packages, None).unwrap();
    assert_ne!(a.id, b.id);
    let value = cyclonedx::to_value(&a);
    let serial = value["serialNumber"].as_str().unwrap();
    assert_eq!(serial, format!("urn:uuid:{}", a.id));
}

#[test]
fn readers_refuse_what_is_not_an_sbom() {
    use harrier_image::sbom::SbomError;
    assert!(matches!(
        sbom::read(b"{"),
        Err(SbomError::Json { line: 1, .. })
    ));
    assert!(matches!(sbom::read(b"[]"), Err(SbomError::UnknownFormat)));
    assert!(matches!(
        sbom::read(br#"{"a":1}"#),
        Err(SbomError::UnknownFormat)
    ));
    assert!(matches!(
        sbom::read(br#"{"bomFormat":"CycloneDX","specVersion":"2.0"}"#),
        Err(SbomError::UnsupportedVersion { .. })
    ));
    assert!(matches!(
        sbom::read(br#"{"spdxVersion":"SPDX-3.0"}"#),
        Err(SbomError::UnsupportedVersion { .. })
    ));
    assert!(matches!(
        sbom::read(br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":{}}"#),
        Err(SbomError::Invalid { .. })
    ));
    // Wrong types inside entries are skipped, never a panic.
    let odd = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":7},
        "components":[1,"x",{"type":"library","name":5,"purl":["pkg:npm/a@1"]},
        {"type":"library","purl":"pkg:npm/a@1","licenses":[{"license":{}},{"expression":7}],
         "properties":[{"name":"harrier:layer:index","value":"99999999999999999999"},{"name":1}]}]}"#;
    let read = sbom::read(odd).unwrap();
    assert_eq!(read.packages.len(), 1);
    assert_eq!(read.packages[0].introduced, None);
    assert_eq!(read.packages[0].package.licenses, Vec::<String>::new());
    let too_big = vec![b' '; sbom::MAX_SBOM_BYTES + 1];
    assert!(matches!(
        sbom::read(&too_big),
        Err(SbomError::TooLarge { .. })
    ));
}
