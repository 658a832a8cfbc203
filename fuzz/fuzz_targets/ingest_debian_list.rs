//! Any text as a Debian DSA/DLA list: advisories and problems, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = harrier_vulndb::ingest::debian::parse_list(text);
});
