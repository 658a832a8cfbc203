//! Any text as a response policy: an error with a position or a policy, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = harrier_response::Policy::parse("fuzz.yaml", text);
});
