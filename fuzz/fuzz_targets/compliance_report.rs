//! Any bytes as a Harrier report for `harrier report compliance`, and as a framework file:
//! observations, evaluation and every output format, or an error, never a panic.
#![no_main]

use harrier_compliance::framework::Framework;
use harrier_compliance::{Observations, evaluate, framework};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Framework::parse("fuzz.yaml", text);
    let mut obs = Observations::default();
    if obs.read("fuzz.json", text).is_ok() {
        if let Ok(fw) = framework::get("cis") {
            let _ = evaluate(fw, &obs);
        }
    }
});
