//! Any bytes as up to three SemVer strings in every flavor (strict, npm, Cargo, Go): errors or
//! versions, never a panic; the order is total; a version's canonical form reads back equal.
#![no_main]

#[path = "shared/version_order.rs"]
mod version_order;

use harrier_vulndb::version::semver::{Flavor, Version};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let texts = version_order::texts(data);
    for flavor in [Flavor::Strict, Flavor::Npm, Flavor::Cargo, Flavor::Go] {
        let versions: Vec<Version> = texts
            .iter()
            .filter_map(|t| Version::parse(flavor, t).ok())
            .collect();
        version_order::check_total_order(&versions);
        // npm's canonical form shows rounded identifiers, which may not fit its length limit.
        if flavor != Flavor::Npm {
            for version in &versions {
                let again = Version::parse(flavor, &version.to_string());
                assert_eq!(again.as_ref().ok(), Some(version), "{version} ({flavor:?})");
            }
        }
    }
});
