//! Any input as a CISA KEV catalog, JSON and CSV: a catalog or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = harrier_vulndb::ingest::kev::parse_json(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = harrier_vulndb::ingest::kev::parse_csv(text);
});
