//! SemVer 2.0 precedence, with the four ways the ecosystems read version strings.
//!
//! Precedence is the same for every [`Flavor`]: major, minor and patch numerically; a
//! prerelease sorts before its release; prerelease identifiers compare numeric < alphanumeric,
//! numbers by value, text in ASCII order, and a shorter list first; build metadata is ignored.
//! What differs is which strings are versions, so the flavor is applied once, by
//! [`Version::parse`], and the parsed [`Version`]s compare without it:
//!
//! - [`Flavor::Strict`]: the SemVer 2.0 grammar, nothing around it, numbers of any size.
//! - [`Flavor::Npm`]: node-semver's `new SemVer(v)` (not loose mode): at most 256 UTF-16 code
//!   units, surrounding ECMAScript whitespace trimmed, one optional leading `v`, components at
//!   most 2^53 − 1. node-semver compares numeric prerelease identifiers as JavaScript numbers,
//!   so identifiers beyond 2^53 are rounded to the nearest double exactly as it does. One
//!   difference remains: when two such identifiers differ as text but round to the same
//!   double, node-semver stops and calls the versions equal whatever follows, a relation that
//!   is not transitive; this order compares the following identifiers instead. It does not
//!   accept a leading `=` (only node-semver's loose mode and `clean()` do).
//! - [`Flavor::Cargo`]: the `semver` crate's `Version::parse`: strict grammar, components fit
//!   in a `u64`.
//! - [`Flavor::Go`]: `golang.org/x/mod/semver` with the `v` optional (OSV's Go records omit it,
//!   `go.mod` writes it): `v1` and `v1.2` are shorthands for `v1.0.0` and `v1.2.0` (without
//!   prerelease or build), numbers of any size. `+incompatible` is build metadata and so
//!   ignored, as Go ignores it; pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`,
//!   `v1.2.4-pre.0.20191109021931-daa7c04131f5`) are ordinary prereleases, which is how Go
//!   orders them relative to releases.

use std::cmp::Ordering;
use std::fmt;

use super::Invalid;
use super::num::Number;

/// Which reading of SemVer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// SemVer 2.0 as specified.
    Strict,
    /// node-semver.
    Npm,
    /// The `semver` crate.
    Cargo,
    /// Go modules.
    Go,
}

/// node-semver's `MAX_LENGTH`, in UTF-16 code units of the untrimmed string.
const NPM_MAX_LENGTH: usize = 256;
/// JavaScript's `Number.MAX_SAFE_INTEGER`, node-semver's limit for major, minor and patch.
const JS_MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A parsed SemVer version. Ordering is SemVer precedence; equal versions may differ in build
/// metadata (and, for Go, in short forms: `v1` equals `v1.0.0`).
#[derive(Debug, Clone)]
pub struct Version {
    major: Number,
    minor: Number,
    patch: Number,
    pre: Vec<Identifier>,
}

/// One prerelease identifier. Variant order is precedence: numeric before alphanumeric.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Identifier {
    Numeric(Number),
    Alphanumeric(Box<str>),
}

impl Version {
    /// Parses `text` as `flavor` reads versions.
    pub fn parse(flavor: Flavor, text: &str) -> Result<Version, Invalid> {
        let result = match flavor {
            Flavor::Strict => Grammar::STRICT.parse(text),
            Flavor::Cargo => Grammar::CARGO.parse(text),
            Flavor::Npm => parse_npm(text),
            Flavor::Go => Grammar::GO.parse(text.strip_prefix('v').unwrap_or(text)),
        };
        result.map_err(|reason| Invalid::new(text, reason))
    }

    /// Whether this is a prerelease.
    pub fn is_prerelease(&self) -> bool {
        !self.pre.is_empty()
    }
}

/// Orders two versions.
pub fn compare(flavor: Flavor, a: &str, b: &str) -> Result<Ordering, Invalid> {
    Ok(Version::parse(flavor, a)?.cmp(&Version::parse(flavor, b)?))
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        self.major
            .cmp(&other.major)
            .then_with(|| self.minor.cmp(&other.minor))
            .then_with(|| self.patch.cmp(&other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                // Vec's lexicographic order: a shorter list that is a prefix sorts first.
                (false, false) => self.pre.cmp(&other.pre),
            })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Version) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

/// The canonical form without build metadata (`1.2.3-rc.1`), which is what precedence sees.
impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        for (i, identifier) in self.pre.iter().enumerate() {
            f.write_str(if i == 0 { "-" } else { "." })?;
            match identifier {
                Identifier::Numeric(number) => write!(f, "{number}")?,
                Identifier::Alphanumeric(text) => f.write_str(text)?,
            }
        }
        Ok(())
    }
}

/// node-semver: length limit on the raw string, ECMAScript `trim()`, one optional `v`.
fn parse_npm(text: &str) -> Result<Version, String> {
    if text.encode_utf16().count() > NPM_MAX_LENGTH {
        return Err(format!("longer than {NPM_MAX_LENGTH} characters"));
    }
    let trimmed = text.trim_matches(is_ecmascript_whitespace);
    Grammar::NPM.parse(trimmed.strip_prefix('v').unwrap_or(trimmed))
}

/// What `String.prototype.trim` removes: ECMAScript WhiteSpace and LineTerminator. Unlike
/// Rust's `char::is_whitespace` it includes U+FEFF and excludes U+0085.
fn is_ecmascript_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

/// The largest value a major, minor or patch number may have.
#[derive(Clone, Copy)]
enum Limit {
    Unbounded,
    U64,
    JsSafeInteger,
}

/// The SemVer grammar with the knobs the flavors turn.
#[derive(Clone, Copy)]
struct Grammar {
    limit: Limit,
    /// Go: `1` and `1.2` (with nothing after) stand for `1.0.0` and `1.2.0`.
    short_forms: bool,
    /// node-semver compares numeric prerelease identifiers as JavaScript numbers.
    round_like_javascript: bool,
}

impl Grammar {
    const STRICT: Grammar = Grammar {
        limit: Limit::Unbounded,
        short_forms: false,
        round_like_javascript: false,
    };
    const CARGO: Grammar = Grammar {
        limit: Limit::U64,
        ..Grammar::STRICT
    };
    const NPM: Grammar = Grammar {
        limit: Limit::JsSafeInteger,
        short_forms: false,
        round_like_javascript: true,
    };
    const GO: Grammar = Grammar {
        short_forms: true,
        ..Grammar::STRICT
    };

    /// Parses `MAJOR.MINOR.PATCH[-PRE][+BUILD]` (or a Go short form) filling all of `text`.
    fn parse(self, text: &str) -> Result<Version, String> {
        let (major, rest) = self.component(text, "major")?;
        if self.short_forms && rest.is_empty() {
            return Ok(release(major, Number::ZERO, Number::ZERO));
        }
        let rest = rest
            .strip_prefix('.')
            .ok_or("expected `.` after the major version")?;
        let (minor, rest) = self.component(rest, "minor")?;
        if self.short_forms && rest.is_empty() {
            return Ok(release(major, minor, Number::ZERO));
        }
        let rest = rest
            .strip_prefix('.')
            .ok_or("expected `.` after the minor version")?;
        let (patch, rest) = self.component(rest, "patch")?;
        let (pre, build) = match rest.split_once('+') {
            Some((pre, build)) => (pre, Some(build)),
            None => (rest, None),
        };
        let pre = match pre {
            "" => Vec::new(),
            _ => {
                let pre = pre.strip_prefix('-').ok_or_else(|| {
                    format!("unexpected `{}` after the patch version", first_char(pre))
                })?;
                self.prerelease(pre)?
            }
        };
        if let Some(build) = build {
            check_build(build)?;
        }
        Ok(Version {
            major,
            minor,
            patch,
            pre,
        })
    }

    /// A major, minor or patch number at the start of `text`, and what follows it.
    fn component<'t>(self, text: &'t str, name: &str) -> Result<(Number, &'t str), String> {
        let end = text
            .bytes()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(text.len());
        let (digits, rest) = (text.get(..end).unwrap_or(""), text.get(end..).unwrap_or(""));
        if digits.is_empty() {
            return Err(format!("expected a {name} version number"));
        }
        if digits.len() > 1 && digits.starts_with('0') {
            return Err(format!("leading zero in the {name} version"));
        }
        let number = Number::from_digits(digits);
        let too_big = match (self.limit, number.as_u64()) {
            (Limit::Unbounded, _) => false,
            (Limit::U64, value) => value.is_none(),
            (Limit::JsSafeInteger, value) => value.is_none_or(|v| v > JS_MAX_SAFE_INTEGER),
        };
        if too_big {
            return Err(format!("the {name} version is too large"));
        }
        Ok((number, rest))
    }

    fn prerelease(self, text: &str) -> Result<Vec<Identifier>, String> {
        text.split('.').map(|part| self.identifier(part)).collect()
    }

    fn identifier(self, part: &str) -> Result<Identifier, String> {
        check_identifier_chars(part, "prerelease")?;
        if !part.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Identifier::Alphanumeric(part.into()));
        }
        if part.len() > 1 && part.starts_with('0') {
            return Err(format!(
                "leading zero in numeric prerelease identifier `{part}`"
            ));
        }
        let number = if self.round_like_javascript {
            javascript_number(part)
        } else {
            Number::from_digits(part)
        };
        Ok(Identifier::Numeric(number))
    }
}

fn release(major: Number, minor: Number, patch: Number) -> Version {
    Version {
        major,
        minor,
        patch,
        pre: Vec::new(),
    }
}

fn first_char(text: &str) -> char {
    text.chars().next().unwrap_or(' ')
}

fn check_build(build: &str) -> Result<(), String> {
    build
        .split('.')
        .try_for_each(|part| check_identifier_chars(part, "build"))
}

fn check_identifier_chars(part: &str, what: &str) -> Result<(), String> {
    if part.is_empty() {
        return Err(format!("empty {what} identifier"));
    }
    match part
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        Some(c) => Err(format!("`{c}` in {what} identifier `{part}`")),
        None => Ok(()),
    }
}

/// The value JavaScript's `+digits` gives: exact below 2^53, the nearest double above (both
/// JavaScript and Rust's float parsing round correctly, ties to even).
fn javascript_number(digits: &str) -> Number {
    let exact = Number::from_digits(digits);
    if exact.as_u64().is_some_and(|v| v <= 1 << 53) {
        return exact;
    }
    match digits.parse::<f64>() {
        // An integral double below 2^64 converts to u64 exactly.
        Ok(value) if value < 18_446_744_073_709_551_616.0 => Number::Small(value as u64),
        // The exact decimal expansion of an integral double.
        Ok(value) if value.is_finite() => Number::from_digits(&format!("{value:.0}")),
        // Unreachable within node-semver's 256-character limit; every infinity is equal.
        _ => Number::from_digits(&format!("1{}", "0".repeat(309))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(flavor: Flavor, text: &str) -> Version {
        match Version::parse(flavor, text) {
            Ok(version) => version,
            Err(invalid) => panic!("{text:?} should parse as {flavor:?}: {}", invalid.reason),
        }
    }

    fn assert_order(flavor: Flavor, ordered: &[&str]) {
        let versions: Vec<Version> = ordered.iter().map(|v| parse(flavor, v)).collect();
        for (i, a) in versions.iter().enumerate() {
            for (j, b) in versions.iter().enumerate() {
                assert_eq!(
                    a.cmp(b),
                    i.cmp(&j),
                    "{} vs {} ({flavor:?})",
                    ordered[i],
                    ordered[j]
                );
            }
        }
    }

    /// The SemVer 2.0 specification's precedence example (item 11).
    #[test]
    fn spec_precedence_example() {
        let ordered = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ];
        for flavor in [Flavor::Strict, Flavor::Npm, Flavor::Cargo, Flavor::Go] {
            assert_order(flavor, &ordered);
        }
    }

    #[test]
    fn build_metadata_is_ignored() {
        for flavor in [Flavor::Strict, Flavor::Npm, Flavor::Cargo, Flavor::Go] {
            assert_eq!(compare(flavor, "1.0.0+a", "1.0.0+b"), Ok(Ordering::Equal));
            assert_eq!(
                compare(flavor, "1.0.0-rc.1+x", "1.0.0-rc.1"),
                Ok(Ordering::Equal)
            );
        }
    }

    /// node-semver's test fixtures (`test/fixtures/comparisons.js`, `valid-versions.js`,
    /// `equality.js` without loose mode, `invalid-versions.js`): the first of each pair is
    /// greater.
    #[test]
    fn node_semver_fixtures() {
        let greater = [
            ("0.0.0", "0.0.0-foo"),
            ("0.0.1", "0.0.0"),
            ("1.0.0", "0.9.9"),
            ("0.10.0", "0.9.0"),
            ("0.99.0", "0.10.0"),
            ("2.0.0", "1.2.3"),
            ("v0.0.0", "0.0.0-foo"),
            ("v1.0.0", "0.9.9"),
            ("0.0.1", "v0.0.0"),
            ("1.2.3", "1.2.3-asdf"),
            ("1.2.3", "1.2.3-4"),
            ("1.2.3", "1.2.3-4-foo"),
            ("1.2.3-5-foo", "1.2.3-5"),
            ("1.2.3-5", "1.2.3-4"),
            ("1.2.3-5-foo", "1.2.3-5-Foo"),
            ("3.0.0", "2.7.2+asdf"),
            ("1.2.3-a.10", "1.2.3-a.5"),
            ("1.2.3-a.b", "1.2.3-a.5"),
            ("1.2.3-a.b", "1.2.3-a"),
            ("1.2.3-a.b.c.10.d.5", "1.2.3-a.b.c.5.d.100"),
            ("1.2.3-r2", "1.2.3-r100"),
            ("1.2.3-r100", "1.2.3-R2"),
        ];
        for (a, b) in greater {
            assert_eq!(
                compare(Flavor::Npm, a, b),
                Ok(Ordering::Greater),
                "{a} > {b}"
            );
        }
        let equal = [
            ("1.2.3-beta+build", "1.2.3-beta+otherbuild"),
            ("1.2.3+build", "1.2.3+otherbuild"),
            ("  v1.2.3+build", "1.2.3+otherbuild"),
            ("1.2.3-alpha-.-beta", "1.2.3-alpha-.-beta"),
        ];
        for (a, b) in equal {
            assert_eq!(
                compare(Flavor::Npm, a, b),
                Ok(Ordering::Equal),
                "{a} == {b}"
            );
        }
        let too_long = format!("{}.0.0", "1".repeat(255));
        let invalid = [
            too_long.as_str(),
            "90071992547409910.0.0",
            "0.90071992547409910.0",
            "0.0.90071992547409910",
            "hello, world",
            "xyz",
            // Loose mode only.
            "=1.2.3",
            "v 1.2.3",
            "1.2.3beta",
        ];
        for text in invalid {
            assert!(
                Version::parse(Flavor::Npm, text).is_err(),
                "{text:?} is not an npm version"
            );
        }
        assert_eq!(
            parse(Flavor::Npm, "1.2.3-alpha-.-beta").to_string(),
            "1.2.3-alpha-.-beta"
        );
        assert!(Version::parse(Flavor::Npm, "9007199254740991.0.0").is_ok());
    }

    #[test]
    fn npm_rounds_large_numeric_identifiers_like_javascript() {
        // 2^53 + 1 rounds to 2^53 (ties to even), so node-semver sees these as equal.
        assert_eq!(
            compare(
                Flavor::Npm,
                "1.0.0-9007199254740993",
                "1.0.0-9007199254740992"
            ),
            Ok(Ordering::Equal)
        );
        assert_eq!(
            compare(
                Flavor::Strict,
                "1.0.0-9007199254740993",
                "1.0.0-9007199254740992"
            ),
            Ok(Ordering::Greater)
        );
        assert_eq!(
            compare(
                Flavor::Npm,
                "1.0.0-9007199254740995",
                "1.0.0-9007199254740994"
            ),
            Ok(Ordering::Greater)
        );
    }

    #[test]
    fn npm_trims_ecmascript_whitespace_only() {
        assert!(Version::parse(Flavor::Npm, "\u{FEFF}1.2.3\u{3000}").is_ok());
        assert!(Version::parse(Flavor::Npm, "\u{85}1.2.3").is_err());
        assert!(Version::parse(Flavor::Strict, " 1.2.3").is_err());
    }

    /// golang.org/x/mod/semver's `semver_test.go` table, in its order (equal outputs are equal
    /// versions), with the `v` also dropped since OSV writes Go versions without it.
    #[test]
    fn go_semver_table() {
        let table = [
            ("bad", ""),
            ("v1-alpha.beta.gamma", ""),
            ("v1-pre", ""),
            ("v1+meta", ""),
            ("v1-pre+meta", ""),
            ("v1.2-pre", ""),
            ("v1.2+meta", ""),
            ("v1.2-pre+meta", ""),
            ("v1.0.0-alpha", "v1.0.0-alpha"),
            ("v1.0.0-alpha.1", "v1.0.0-alpha.1"),
            ("v1.0.0-alpha.beta", "v1.0.0-alpha.beta"),
            ("v1.0.0-beta", "v1.0.0-beta"),
            ("v1.0.0-beta.2", "v1.0.0-beta.2"),
            ("v1.0.0-beta.11", "v1.0.0-beta.11"),
            ("v1.0.0-rc.1", "v1.0.0-rc.1"),
            ("v1", "v1.0.0"),
            ("v1.0", "v1.0.0"),
            ("v1.0.0", "v1.0.0"),
            ("v1.2", "v1.2.0"),
            ("v1.2.0", "v1.2.0"),
            ("v1.2.3-456", "v1.2.3-456"),
            ("v1.2.3-456.789", "v1.2.3-456.789"),
            ("v1.2.3-456-789", "v1.2.3-456-789"),
            ("v1.2.3-456a", "v1.2.3-456a"),
            ("v1.2.3-pre", "v1.2.3-pre"),
            ("v1.2.3-pre+meta", "v1.2.3-pre"),
            ("v1.2.3-pre.1", "v1.2.3-pre.1"),
            ("v1.2.3-zzz", "v1.2.3-zzz"),
            ("v1.2.3", "v1.2.3"),
            ("v1.2.3+meta", "v1.2.3"),
            ("v1.2.3+meta-pre", "v1.2.3"),
            ("v1.2.3+meta-pre.sha.256a", "v1.2.3"),
        ];
        let valid: Vec<(usize, &str, &str)> = table
            .iter()
            .enumerate()
            .filter(|(_, (_, out))| !out.is_empty())
            .map(|(i, (input, out))| (i, *input, *out))
            .collect();
        for (input, out) in table {
            assert_eq!(
                Version::parse(Flavor::Go, input).is_ok(),
                !out.is_empty(),
                "{input}"
            );
            if let Some(bare) = input.strip_prefix('v') {
                assert_eq!(
                    Version::parse(Flavor::Go, bare).is_ok(),
                    !out.is_empty(),
                    "{bare}"
                );
            }
            if !out.is_empty() {
                assert_eq!(format!("v{}", parse(Flavor::Go, input)), out);
            }
        }
        for (i, a, out_a) in &valid {
            for (j, b, out_b) in &valid {
                let want = if out_a == out_b {
                    Ordering::Equal
                } else {
                    i.cmp(j)
                };
                assert_eq!(compare(Flavor::Go, a, b), Ok(want), "{a} vs {b}");
            }
        }
        // Go compares numbers by value (its compareInt orders by length, then digits).
        assert_eq!(compare(Flavor::Go, "v1.19", "v1.2"), Ok(Ordering::Greater));
        assert_eq!(compare(Flavor::Go, "v2", "v1"), Ok(Ordering::Greater));
    }

    #[test]
    fn go_pseudo_versions_order_around_releases() {
        let ordered = [
            "0.0.0-20191109021931-daa7c04131f5",
            "0.0.0-20200101000000-aaaaaaaaaaaa",
            "0.0.1",
            "1.2.3",
            "1.2.4-0.20191109021931-daa7c04131f5",
            "1.2.4-pre",
            "1.2.4-pre.0.20191109021931-daa7c04131f5",
            "1.2.4-pre.1",
            "1.2.4",
            "2.0.0+incompatible",
            "2.0.1-0.20200101000000-abcdefabcdef+incompatible",
            "2.0.1",
        ];
        assert_order(Flavor::Go, &ordered);
        assert_eq!(
            compare(Flavor::Go, "v2.0.0+incompatible", "2.0.0"),
            Ok(Ordering::Equal)
        );
        assert!(Version::parse(Flavor::Go, "vv1.0.0").is_err());
        assert!(Version::parse(Flavor::Go, "V1.0.0").is_err());
        assert!(Version::parse(Flavor::Go, "1.0.0-01").is_err());
        assert!(Version::parse(Flavor::Go, "01.0.0").is_err());
        assert!(Version::parse(Flavor::Go, "123456789012345678901234567890.0.0").is_ok());
    }

    #[test]
    fn cargo_limits_components_to_u64() {
        assert!(Version::parse(Flavor::Cargo, "18446744073709551615.0.0").is_ok());
        assert!(Version::parse(Flavor::Cargo, "18446744073709551616.0.0").is_err());
        assert!(Version::parse(Flavor::Strict, "18446744073709551616.0.0").is_ok());
        assert!(Version::parse(Flavor::Cargo, "v1.0.0").is_err());
        assert!(Version::parse(Flavor::Cargo, "1.0").is_err());
        assert!(Version::parse(Flavor::Cargo, "1.0.0-alpha.01").is_err());
        assert!(Version::parse(Flavor::Cargo, "1.0.0+001").is_ok());
    }

    #[test]
    fn malformed_versions_are_errors() {
        let invalid = [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "1.2.3-",
            "1.2.3+",
            "1.2.3-a..b",
            "1.2.3+a..b",
            "1.2.3-a+b+c",
            "1.2.3-ä",
            "1.2.3 ",
            "a.b.c",
            "1.02.3",
            "-1.2.3",
            "1.2.3-+x",
        ];
        for flavor in [Flavor::Strict, Flavor::Cargo] {
            for text in invalid {
                assert!(
                    Version::parse(flavor, text).is_err(),
                    "{text:?} ({flavor:?})"
                );
            }
        }
    }
}
