//! Any input as an Alpine secdb file, YAML and JSON: advisories or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = harrier_vulndb::ingest::alpine::parse_json(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = harrier_vulndb::ingest::alpine::parse_yaml(text);
    let _ = harrier_vulndb::ingest::alpine::entry_ids(text);
});
