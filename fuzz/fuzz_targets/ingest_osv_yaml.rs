//! Any text as an OSV YAML record (PyPA): a record or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = harrier_vulndb::ingest::osv::parse_yaml(text);
});
