//! Any bytes as an OSV JSON record: a record or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = harrier_vulndb::ingest::osv::parse_json(data);
});
