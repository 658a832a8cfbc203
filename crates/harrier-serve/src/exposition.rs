//! The Prometheus text exposition format, version 0.0.4: a writer, and the [`Collect`] trait
//! that anything served at `/metrics` implements.
//!
//! Written by hand rather than with `prometheus-client`: that crate encodes OpenMetrics 1.0
//! (`# EOF`, `_total` handling of its own, another content type), and its labelled families
//! take a lock per lookup, while our collectors keep plain atomics and only need a writer at
//! scrape time. The format is small: `# HELP` and `# TYPE` once per family, then one line per
//! series, `name{label="value",...} value`, with `\`, `"` and newlines escaped in label values
//! and `\` and newlines in help text
//! (<https://prometheus.io/docs/instrumenting/exposition_formats/>).

use std::fmt::Write as _;

/// The content type of this format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Something whose metrics are rendered at scrape time.
pub trait Collect: Send + Sync {
    /// Writes every family.
    fn collect(&self, w: &mut Writer<'_>);
}

/// A metric family's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Only goes up (resets on restart).
    Counter,
    /// Goes up and down.
    Gauge,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
        }
    }
}

/// A sample value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// An integer (counters, sizes).
    Int(u64),
    /// A float (seconds, ratios).
    Float(f64),
}

impl From<u64> for Value {
    fn from(v: u64) -> Self {
        Value::Int(v)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}

/// Writes families into a string.
#[derive(Debug)]
pub struct Writer<'a> {
    out: &'a mut String,
}

impl<'a> Writer<'a> {
    /// Appends to `out`.
    pub fn new(out: &'a mut String) -> Self {
        Writer { out }
    }

    /// Starts a family: writes its `# HELP` and `# TYPE` lines. `name` must be a valid metric
    /// name ([`is_metric_name`]); it is a constant of the caller's, so an invalid one is a bug,
    /// caught by the callers' tests (the family is still written, and `promtool` rejects it).
    pub fn family(&mut self, name: &'static str, help: &str, kind: Kind) -> Family<'_, 'a> {
        debug_assert!(is_metric_name(name), "invalid metric name `{name}`");
        self.out.push_str("# HELP ");
        self.out.push_str(name);
        self.out.push(' ');
        for c in help.chars() {
            match c {
                '\\' => self.out.push_str("\\\\"),
                '\n' => self.out.push_str("\\n"),
                c => self.out.push(c),
            }
        }
        self.out.push_str("\n# TYPE ");
        self.out.push_str(name);
        self.out.push(' ');
        self.out.push_str(kind.as_str());
        self.out.push('\n');
        Family { w: self, name }
    }
}

/// The samples of one family.
#[derive(Debug)]
pub struct Family<'w, 'a> {
    w: &'w mut Writer<'a>,
    name: &'static str,
}

impl Family<'_, '_> {
    /// One series. Label names are the caller's constants (valid names, [`is_label_name`]);
    /// label values may come from outside (rule names, event types) and are escaped.
    pub fn sample(
        &mut self,
        labels: &[(&'static str, &str)],
        value: impl Into<Value>,
    ) -> &mut Self {
        let out = &mut *self.w.out;
        out.push_str(self.name);
        if !labels.is_empty() {
            out.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                debug_assert!(is_label_name(k), "invalid label name `{k}`");
                if i > 0 {
                    out.push(',');
                }
                out.push_str(k);
                out.push_str("=\"");
                escape_label_value(out, v);
                out.push('"');
            }
            out.push('}');
        }
        out.push(' ');
        match value.into() {
            // Writing into a String cannot fail.
            Value::Int(v) => {
                let _ = write!(out, "{v}");
            }
            Value::Float(v) if v.is_nan() => out.push_str("NaN"),
            Value::Float(v) if v == f64::INFINITY => out.push_str("+Inf"),
            Value::Float(v) if v == f64::NEG_INFINITY => out.push_str("-Inf"),
            Value::Float(v) => {
                let _ = write!(out, "{v}");
            }
        }
        out.push('\n');
        self
    }
}

fn escape_label_value(out: &mut String, v: &str) {
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// `[a-zA-Z_:][a-zA-Z0-9_:]*`.
pub fn is_metric_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__` (reserved).
pub fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    !s.starts_with("__")
        && matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Renders a collector into a new string.
pub fn render(c: &dyn Collect) -> String {
    let mut s = String::with_capacity(8 * 1024);
    c.collect(&mut Writer::new(&mut s));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_samples_and_escapes() {
        let mut s = String::new();
        let mut w = Writer::new(&mut s);
        w.family("a_total", "Things \\ counted\nover lines.", Kind::Counter)
            .sample(&[], 3u64);
        w.family("b", "A gauge.", Kind::Gauge)
            .sample(
                &[("rule", "say \"hi\"\n\\o/"), ("priority", "Warning")],
                1.5,
            )
            .sample(&[("rule", "x")], f64::NAN)
            .sample(&[("rule", "y")], f64::INFINITY)
            .sample(&[("rule", "z")], f64::NEG_INFINITY);
        assert_eq!(
            s,
            "# HELP a_total Things \\\\ counted\\nover lines.\n# TYPE a_total counter\na_total 3\n\
             # HELP b A gauge.\n# TYPE b gauge\n\
             b{rule=\"say \\\"hi\\\"\\n\\\\o/\",priority=\"Warning\"} 1.5\n\
             b{rule=\"x\"} NaN\nb{rule=\"y\"} +Inf\nb{rule=\"z\"} -Inf\n"
        );
    }

    #[test]
    fn names() {
        for ok in ["a", "harrier_sensor_events_total", "_x", "a:b", "A9"] {
            assert!(is_metric_name(ok), "{ok}");
        }
        for bad in ["", "9a", "a-b", "a b", "é"] {
            assert!(!is_metric_name(bad), "{bad}");
        }
        for ok in ["rule", "_x", "type2"] {
            assert!(is_label_name(ok), "{ok}");
        }
        for bad in ["", "__name", "a:b", "9", "a-b"] {
            assert!(!is_label_name(bad), "{bad}");
        }
    }

    /// Label values from rule files cannot inject series (the property `fuzz/serve_exposition`
    /// checks on random input).
    #[test]
    fn hostile_label_values_stay_on_their_line() {
        for hostile in [
            "x\"} 1\nfake_total 99\n",
            "\\\"\n\\n",
            "\r\n# TYPE injected counter",
            "é ✓ \u{0} \u{7f}",
            "",
        ] {
            let mut s = String::new();
            Writer::new(&mut s)
                .family("h_total", hostile, Kind::Counter)
                .sample(&[("rule", hostile)], 1u64);
            assert_eq!(s.lines().count(), 3, "{s:?}");
            let sample = s.lines().nth(2).unwrap_or_default();
            assert!(
                sample.starts_with("h_total{rule=\"") && sample.ends_with("\"} 1"),
                "{s:?}"
            );
            // Unescaping gives the value back.
            let inner = &sample["h_total{rule=\"".len()..sample.len() - "\"} 1".len()];
            let mut back = String::new();
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                match (c, c == '\\') {
                    (_, true) => match chars.next() {
                        Some('n') => back.push('\n'),
                        Some(o) => back.push(o),
                        None => panic!("dangling escape in {inner:?}"),
                    },
                    (c, false) => {
                        assert!(c != '"' && c != '\n', "unescaped {c:?} in {inner:?}");
                        back.push(c);
                    }
                }
            }
            assert_eq!(back, hostile);
        }
    }

    #[test]
    fn large_floats_have_no_exponent_go_cannot_parse() {
        let mut s = String::new();
        Writer::new(&mut s)
            .family("f", "F.", Kind::Gauge)
            .sample(&[], 1e21)
            .sample(&[], 0.000_001);
        assert!(s.contains("f 1000000000000000000000\n"), "{s}");
        assert!(s.contains("f 0.000001\n"), "{s}");
    }
}
