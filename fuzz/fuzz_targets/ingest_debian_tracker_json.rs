//! Any bytes as the Debian tracker's JSON export: advisories or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = harrier_vulndb::ingest::debian::parse_tracker_json(data);
});
