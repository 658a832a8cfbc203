//! Any text as a RustSec advisory, and its lines as Cargo requirements: a result or an error,
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = harrier_vulndb::ingest::rustsec::parse(text);
    // Lines before a blank line are `patched`, after it `unaffected`.
    let (patched, unaffected) = text.split_once("\n\n").unwrap_or((text, ""));
    let lines = |s: &str| s.lines().map(str::to_owned).collect::<Vec<_>>();
    let _ =
        harrier_vulndb::ingest::rustsec::requirement_events(&lines(patched), &lines(unaffected));
});
