//! Any bytes as up to three RubyGems strings: errors or versions, never a panic, and the order
//! is total.
#![no_main]

#[path = "shared/version_order.rs"]
mod version_order;

use harrier_vulndb::version::rubygems::Version;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let versions: Vec<Version> = version_order::texts(data)
        .iter()
        .filter_map(|t| Version::parse(t).ok())
        .collect();
    version_order::check_total_order(&versions);
});
