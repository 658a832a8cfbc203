//! Natural numbers written in decimal, of any size.
//!
//! Most schemes compare numeric components as unbounded integers (Go's `semver` compares digit
//! strings, Python and Ruby integers are unbounded, Maven falls back to `BigInteger`), so a
//! component is never rejected or wrapped for being large. Nearly every real component fits in
//! a `u64`, which keeps comparison a single integer compare; only longer ones keep their digits.

use std::cmp::Ordering;
use std::fmt;

/// A natural number. The representation is canonical (`Small` exactly when the value fits in
/// a `u64`, `Big` without leading zeros), so derived equality is value equality.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Number {
    /// A value that fits in a `u64`.
    Small(u64),
    /// A larger value: its decimal digits, without leading zeros.
    Big(Box<str>),
}

impl Number {
    /// Zero.
    pub const ZERO: Number = Number::Small(0);

    /// The number written by `digits`, leading zeros allowed. Callers validate that `digits`
    /// is ASCII digits; other text gives a meaningless (but harmless) value.
    pub fn from_digits(digits: &str) -> Number {
        let significant = digits.trim_start_matches('0');
        if significant.len() <= 20 {
            if let Ok(value) = significant.parse::<u64>() {
                return Number::Small(value);
            }
            if significant.is_empty() {
                return Number::ZERO;
            }
        }
        Number::Big(significant.into())
    }

    /// Whether the number is zero.
    pub fn is_zero(&self) -> bool {
        matches!(self, Number::Small(0))
    }

    /// The value if it fits in a `u64`.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Number::Small(value) => Some(*value),
            Number::Big(_) => None,
        }
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Number) -> Ordering {
        match (self, other) {
            (Number::Small(a), Number::Small(b)) => a.cmp(b),
            (Number::Small(_), Number::Big(_)) => Ordering::Less,
            (Number::Big(_), Number::Small(_)) => Ordering::Greater,
            // Same length without leading zeros: digit strings order like the numbers.
            (Number::Big(a), Number::Big(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Small(value) => write!(f, "{value}"),
            Number::Big(digits) => f.write_str(digits),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_and_big_values_order_by_value() {
        let values = [
            "0",
            "000",
            "7",
            "18446744073709551615",
            "18446744073709551616",
            "000018446744073709551617",
            "99999999999999999999999",
            "100000000000000000000000",
        ];
        let numbers: Vec<Number> = values.iter().map(|v| Number::from_digits(v)).collect();
        assert_eq!(numbers[0], numbers[1]);
        assert_eq!(numbers[3], Number::Small(u64::MAX));
        assert!(matches!(numbers[4], Number::Big(_)));
        for pair in numbers[1..].windows(2) {
            assert!(pair[0] < pair[1], "{:?} < {:?}", pair[0], pair[1]);
        }
        assert_eq!(numbers[5].to_string(), "18446744073709551617");
    }
}
