//! Any input as an SBOM (CycloneDX or SPDX JSON, through the sniffing reader and each format's
//! own): packages or an error, never a panic. What is read must write out again in both
//! formats and read back with the same packages.
#![no_main]

use harrier_image::sbom::{self, DocumentId, SbomDocument, cyclonedx, spdx};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cyclonedx::read(data);
    let _ = spdx::read(data);
    let Ok(read) = sbom::read(data) else {
        return;
    };
    let doc = SbomDocument {
        subject: &read.subject,
        packages: &read.packages,
        distro: read.distro.as_ref(),
        created: Default::default(),
        id: DocumentId::from_bytes([7; 16]),
    };
    for format in [sbom::SbomFormat::CycloneDx, sbom::SbomFormat::Spdx] {
        let mut out = Vec::new();
        let written = match format {
            sbom::SbomFormat::CycloneDx => cyclonedx::write(&doc, &mut out),
            sbom::SbomFormat::Spdx => spdx::write(&doc, &mut out),
        };
        assert!(written.is_ok(), "writing {format:?} failed");
        let again = sbom::read(&out);
        assert!(again.is_ok(), "our own {format:?} does not read back: {again:?}");
    }
});
