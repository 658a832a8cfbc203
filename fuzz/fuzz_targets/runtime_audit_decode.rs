//! Any bytes as a Kubernetes audit log (JSON lines, EventList, EKS/GKE/AKS envelopes).
//! Nothing may panic, whatever the input; every error has a line.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (events, errors) = harrier_runtime::event::audit::decode(text);
    for e in &events {
        let _ = e.time_ns();
    }
    for e in &errors {
        assert!(e.line >= 1);
    }
});
