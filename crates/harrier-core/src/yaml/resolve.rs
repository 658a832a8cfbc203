//! Resolution of untagged plain scalars to null, booleans, numbers or strings.

use super::Value;

/// Which rules turn plain scalars into typed values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// YAML 1.1 as go-yaml v2 (and so `kubectl` and the API server) resolves it: `yes`, `on`,
    /// `y` are true; `0644` is octal; `1_000` is an integer.
    Kubernetes,
    /// The YAML 1.2 core schema (yaml-cpp, saphyr, most other readers): only `true`/`false`
    /// are booleans, `0o644` is octal.
    Core,
}

/// Resolves an untagged plain scalar.
pub fn plain(text: &str, schema: Schema) -> Value {
    match schema {
        Schema::Kubernetes => plain_go_yaml_v2(text),
        Schema::Core => plain_core(text),
    }
}

fn plain_go_yaml_v2(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Value::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false);
        }
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        _ => {}
    }
    let Some(first) = text.chars().next() else {
        return Value::Null;
    };
    match first {
        '0'..='9' | '+' | '-' => {
            let plain: String = text.chars().filter(|&c| c != '_').collect();
            if let Some(i) = go_parse_int(&plain) {
                return Value::Int(i);
            }
            if is_yaml_style_float(&plain) {
                if let Ok(f) = plain.parse::<f64>() {
                    return Value::Float(f);
                }
            }
            Value::String(text.to_owned())
        }
        // go-yaml v2 hands these to `strconv.ParseFloat` as they are (`.5`, `.5e3`).
        '.' => text
            .parse::<f64>()
            .map_or_else(|_| Value::String(text.to_owned()), Value::Float),
        _ => Value::String(text.to_owned()),
    }
}

/// `strconv.ParseInt(s, 0, 64)`: optional sign, then `0x`/`0o`/`0b` prefixes or a leading `0`
/// for octal, else decimal.
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let lower = digits.to_ascii_lowercase();
    let (radix, body) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(body, radix).ok()?;
    let value = if neg { -magnitude } else { magnitude };
    i64::try_from(value).ok()
}

/// go-yaml v2's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit()),
        Some((int, frac)) => {
            !int.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

fn plain_core(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        _ => {}
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(i) = text.parse::<i64>() {
            return Value::Int(i);
        }
    }
    if let Some(hex) = text.strip_prefix("0x") {
        if let Ok(i) = i64::from_str_radix(hex, 16) {
            return Value::Int(i);
        }
    }
    if let Some(oct) = text.strip_prefix("0o") {
        if let Ok(i) = i64::from_str_radix(oct, 8) {
            return Value::Int(i);
        }
    }
    if is_yaml_style_float(text) {
        if let Ok(f) = text.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::String(text.to_owned())
}

/// Resolves a scalar with an explicit core tag (`!!str`, `!!int`…).
pub fn tagged(suffix: &str, text: &str, schema: Schema) -> Result<Value, String> {
    let resolved = plain(text, schema);
    match (suffix, resolved) {
        ("str" | "binary" | "timestamp", _) => Ok(Value::String(text.to_owned())),
        ("int", v @ Value::Int(_)) | ("bool", v @ Value::Bool(_)) | ("null", v @ Value::Null) => {
            Ok(v)
        }
        ("float", Value::Int(i)) => Ok(Value::Float(i as f64)),
        ("float", v @ Value::Float(_)) => Ok(v),
        ("int" | "float" | "bool" | "null", _) => Err(format!(
            "`{text}` is not a valid value for tag `!!{suffix}`"
        )),
        // Other core tags (`!!map`, `!!seq` on a scalar, `!!set`…) are unusual; keep the text.
        (_, _) => Ok(Value::String(text.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_booleans_follow_yaml_1_1() {
        for t in ["yes", "Yes", "on", "ON", "y", "true"] {
            assert_eq!(plain(t, Schema::Kubernetes), Value::Bool(true), "{t}");
        }
        for t in ["no", "off", "N", "False"] {
            assert_eq!(plain(t, Schema::Kubernetes), Value::Bool(false), "{t}");
        }
        assert_eq!(plain("yes", Schema::Core), Value::String("yes".into()));
    }

    #[test]
    fn kubernetes_numbers_follow_go_yaml_v2() {
        assert_eq!(plain("0644", Schema::Kubernetes), Value::Int(0o644));
        assert_eq!(plain("0o755", Schema::Kubernetes), Value::Int(0o755));
        assert_eq!(plain("0x1F", Schema::Kubernetes), Value::Int(31));
        assert_eq!(plain("1_000", Schema::Kubernetes), Value::Int(1000));
        assert_eq!(plain("-12", Schema::Kubernetes), Value::Int(-12));
        assert_eq!(plain("08", Schema::Kubernetes), Value::Float(8.0));
        assert_eq!(plain("1.5", Schema::Kubernetes), Value::Float(1.5));
        assert_eq!(plain("1e3", Schema::Kubernetes), Value::Float(1000.0));
        assert_eq!(plain(".5", Schema::Kubernetes), Value::Float(0.5));
        assert_eq!(
            plain("100m", Schema::Kubernetes),
            Value::String("100m".into())
        );
        assert_eq!(
            plain("1.2.3", Schema::Kubernetes),
            Value::String("1.2.3".into())
        );
        assert_eq!(
            plain("2024-01-01", Schema::Kubernetes),
            Value::String("2024-01-01".into())
        );
        assert_eq!(plain("-", Schema::Kubernetes), Value::String("-".into()));
        assert_eq!(
            plain("99999999999999999999", Schema::Kubernetes),
            Value::Float(1e20)
        );
    }

    #[test]
    fn core_schema_is_stricter() {
        assert_eq!(plain("0644", Schema::Core), Value::Int(644));
        assert_eq!(plain("0o644", Schema::Core), Value::Int(0o644));
        assert_eq!(plain("on", Schema::Core), Value::String("on".into()));
    }

    #[test]
    fn explicit_tags() {
        assert_eq!(
            tagged("str", "123", Schema::Kubernetes),
            Ok(Value::String("123".into()))
        );
        assert_eq!(
            tagged("int", "0x10", Schema::Kubernetes),
            Ok(Value::Int(16))
        );
        assert!(tagged("int", "abc", Schema::Kubernetes).is_err());
    }
}
