//! Any bytes as a recorded event stream for `harrier replay`: Harrier JSON lines, Falco JSON
//! output, Tetragon JSON export, audit logs, recognised line by line.
//! Nothing may panic, whatever the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (events, _) = harrier_runtime::decode::decode(text);
    for e in &events {
        let _ = serde_json::to_string(e);
    }
    let _ = harrier_runtime::decode::harrier_lines(text);
});
