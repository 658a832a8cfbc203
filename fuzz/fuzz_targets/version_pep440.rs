//! Any bytes as up to three PEP 440 strings: errors or versions, never a panic; the order is
//! total; the normalised form reads back as the same version and normalises to itself.
#![no_main]

#[path = "shared/version_order.rs"]
mod version_order;

use harrier_vulndb::version::pep440::Version;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let versions: Vec<Version> = version_order::texts(data)
        .iter()
        .filter_map(|t| Version::parse(t).ok())
        .collect();
    version_order::check_total_order(&versions);
    for version in &versions {
        let normal = version.to_string();
        let again = Version::parse(&normal)
            .unwrap_or_else(|e| panic!("{normal:?} does not read back: {e:?}"));
        assert_eq!(&again, version, "{normal:?}");
        assert_eq!(again.to_string(), normal);
    }
});
