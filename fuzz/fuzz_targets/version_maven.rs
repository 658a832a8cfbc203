//! Any bytes as up to three Maven strings: errors (non-ASCII) or versions, never a panic, and
//! Maven's pairwise order is reflexive and antisymmetric (it is not transitive in Maven).
#![no_main]

#[path = "shared/version_order.rs"]
mod version_order;

use harrier_vulndb::version::maven::Version;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let versions: Vec<Version> = version_order::texts(data)
        .iter()
        .filter_map(|t| Version::parse(t).ok())
        .collect();
    version_order::check_order(&versions, Version::compare);
    for version in &versions {
        let _ = version.to_string();
    }
});
