//! The Prometheus exposition writer with label values and help text from outside (rule names
//! come from rule files): whatever the strings, each sample stays on one line and each family
//! writes exactly its HELP, TYPE and sample lines, so no input can inject a series.
#![no_main]

use harrier_serve::{Kind, Writer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (help, value) = text.split_at(
        text.char_indices()
            .nth(text.chars().count() / 2)
            .map_or(0, |(i, _)| i),
    );
    let mut out = String::new();
    {
        let mut w = Writer::new(&mut out);
        w.family("fuzz_total", help, Kind::Counter)
            .sample(&[("rule", value), ("priority", help)], 1u64)
            .sample(&[("rule", help)], 2u64);
    }
    assert_eq!(out.lines().count(), 4, "{out:?}");
    for line in out.lines().skip(2) {
        assert!(line.starts_with("fuzz_total{rule=\""), "{line:?}");
        assert!(
            line.ends_with("\"} 1") || line.ends_with("\"} 2"),
            "{line:?}"
        );
    }
});
