//! Any text as a package URL: a purl or an error, never a panic. A purl that parses writes a
//! canonical form that parses back to the same purl and writes the same text; what it says
//! about a package names that package again without a panic.
#![no_main]

use harrier_image::sbom::purl::Purl;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(purl) = text.parse::<Purl>() else {
        return;
    };
    let canonical = purl.to_string();
    let again: Purl = match canonical.parse() {
        Ok(p) => p,
        Err(e) => panic!("`{text}` wrote `{canonical}`, which does not parse: {e}"),
    };
    assert_eq!(again, purl, "`{text}` → `{canonical}`");
    assert_eq!(again.to_string(), canonical);
    if let Ok(found) = purl.to_package() {
        let distro = found.distro.clone();
        let package = found.into_package("");
        let _ = Purl::for_package(&package, distro.as_ref());
    }
});
