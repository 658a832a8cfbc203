//! RubyGems versions, parsed and ordered exactly as `Gem::Version`.
//!
//! A version is digits, then `.`-separated runs of ASCII letters and digits, then optionally
//! `-` and more (`Gem::Version::VERSION_PATTERN`), with ASCII whitespace around it; an empty or
//! blank string is version `0`. Each `-` reads as `.pre.`. The version splits into segments,
//! runs of digits (integers of any size) or of letters (case kept); any letter makes it a
//! prerelease. `<=>` compares the canonical segments: trailing zeros dropped from the numeric
//! part before the first letter segment and from the rest, missing segments read as 0, a
//! letter segment before a number, letters in byte order.

use std::cmp::Ordering;

use super::Invalid;
use super::num::Number;

/// A parsed RubyGems version.
#[derive(Debug, Clone)]
pub struct Version {
    /// `canonical_segments`.
    canonical: Vec<Segment>,
    prerelease: bool,
}

/// A segment. Variant order is precedence: a letter segment sorts before any number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Segment {
    Letters(Box<str>),
    Number(Number),
}

impl Version {
    /// Parses `text` as `Gem::Version.new(text)` does.
    pub fn parse(text: &str) -> Result<Version, Invalid> {
        let trimmed = text.trim_matches(is_ruby_space);
        check_pattern(trimmed).map_err(|reason| Invalid::new(text, reason))?;
        let segments = segments(trimmed);
        let prerelease = segments.iter().any(|s| matches!(s, Segment::Letters(_)));
        Ok(Version {
            canonical: canonical_segments(segments),
            prerelease,
        })
    }

    /// `Gem::Version#prerelease?`: whether any letter appears.
    pub fn is_prerelease(&self) -> bool {
        self.prerelease
    }
}

/// Orders two versions.
pub fn compare(a: &str, b: &str) -> Result<Ordering, Invalid> {
    Ok(Version::parse(a)?.cmp(&Version::parse(b)?))
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        let zero = Segment::Number(Number::ZERO);
        let len = self.canonical.len().max(other.canonical.len());
        (0..len)
            .map(|i| {
                let a = self.canonical.get(i).unwrap_or(&zero);
                let b = other.canonical.get(i).unwrap_or(&zero);
                a.cmp(b)
            })
            .find(|result| *result != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
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

/// Ruby's `\s`: ASCII space, tab, newline, vertical tab, form feed, carriage return.
fn is_ruby_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r')
}

/// `[0-9]+(?>\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?` over all of `text`, or
/// nothing at all.
fn check_pattern(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Ok(());
    }
    let (release, pre) = match text.split_once('-') {
        Some((release, pre)) => (release, Some(pre)),
        None => (text, None),
    };
    let mut parts = release.split('.');
    let first = parts.next().unwrap_or("");
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
        return Err("a version starts with a number".to_owned());
    }
    check_parts(parts, |b| b.is_ascii_alphanumeric())?;
    match pre {
        None => Ok(()),
        Some(pre) => check_parts(pre.split('.'), |b| b.is_ascii_alphanumeric() || b == b'-'),
    }
}

fn check_parts<'t>(
    parts: impl Iterator<Item = &'t str>,
    allowed: impl Fn(u8) -> bool,
) -> Result<(), String> {
    for part in parts {
        if part.is_empty() {
            return Err("empty segment".to_owned());
        }
        if let Some(c) = part.chars().find(|c| !u8::try_from(*c).is_ok_and(&allowed)) {
            return Err(format!("unexpected `{c}`"));
        }
    }
    Ok(())
}

/// `@version.scan(/[0-9]+|[a-z]+/i)` after `gsub("-", ".pre.")`; an empty version is `0`.
fn segments(text: &str) -> Vec<Segment> {
    if text.is_empty() {
        return vec![Segment::Number(Number::ZERO)];
    }
    let mut segments = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let run = |keep: fn(&u8) -> bool| {
            bytes
                .get(i..)
                .map_or(0, |rest| rest.iter().take_while(|c| keep(c)).count())
        };
        if b == b'-' {
            segments.push(Segment::Letters("pre".into()));
            i += 1;
        } else if b.is_ascii_digit() {
            let len = run(u8::is_ascii_digit);
            segments.push(Segment::Number(Number::from_digits(
                text.get(i..i + len).unwrap_or(""),
            )));
            i += len;
        } else if b.is_ascii_alphabetic() {
            let len = run(u8::is_ascii_alphabetic);
            segments.push(Segment::Letters(text.get(i..i + len).unwrap_or("").into()));
            i += len;
        } else {
            i += 1;
        }
    }
    segments
}

/// `canonical_segments`: trailing zeros dropped from the numbers before the first letter
/// segment, and from everything after.
fn canonical_segments(mut segments: Vec<Segment>) -> Vec<Segment> {
    let letters_start = segments
        .iter()
        .position(|s| matches!(s, Segment::Letters(_)))
        .unwrap_or(segments.len());
    let mut rest = segments.split_off(letters_start);
    drop_trailing_zeros(&mut segments);
    drop_trailing_zeros(&mut rest);
    segments.append(&mut rest);
    segments
}

fn drop_trailing_zeros(segments: &mut Vec<Segment>) {
    while matches!(segments.last(), Some(Segment::Number(n)) if n.is_zero()) {
        segments.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RubyGems' `test/rubygems/test_gem_version.rb` (`test_spaceship`, `test_equals2`,
    /// `test_initialize`, `test_initialize_bad`, `test_prerelease`, `test_semver`).
    #[test]
    fn rubygems_test_gem_version() {
        let cases = [
            ("1.0", "1.0.0", Ordering::Equal),
            ("1.0", "1.0.a", Ordering::Greater),
            ("1.8.2", "0.0.0", Ordering::Greater),
            ("1.8.2", "1.8.2.a", Ordering::Greater),
            ("1.8.2.b", "1.8.2.a", Ordering::Greater),
            ("1.8.2.a", "1.8.2", Ordering::Less),
            ("1.8.2.a10", "1.8.2.a9", Ordering::Greater),
            ("", "0", Ordering::Equal),
            ("1.2", "1.3", Ordering::Less),
            ("1.2.b1", "1.2.b.1", Ordering::Equal),
            ("1.0", "1.0 ", Ordering::Equal),
            ("1.0", " 1.0 ", Ordering::Equal),
            ("1.0", "1.0\n", Ordering::Equal),
            ("1.0", "\n1.0\n", Ordering::Equal),
            ("1.0.0-alpha", "1.0.0-alpha.1", Ordering::Less),
            ("1.0.0-alpha.1", "1.0.0-beta.2", Ordering::Less),
            ("1.0.0-beta.2", "1.0.0-beta.11", Ordering::Less),
            ("1.0.0-beta.11", "1.0.0-rc.1", Ordering::Less),
            ("1.0.0-rc.1", "1.0.0", Ordering::Less),
        ];
        for (a, b, expected) in cases {
            assert_eq!(compare(a, b), Ok(expected), "{a:?} vs {b:?}");
        }
        for bad in [
            "junk",
            "1.0\n2.0",
            "1a",
            "1.",
            "1-",
            "1.0+build",
            ".1",
            "1..0",
            "1.0-ä",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?}");
        }
        let prerelease = ["1.2.0.a", "2.9.b", "22.1.50.0.d", "1.2.d.42", "1.A", "1-1"];
        for version in prerelease {
            assert!(
                Version::parse(version).is_ok_and(|v| v.is_prerelease()),
                "{version}"
            );
        }
        for version in ["1.2.0", "2.9", "22.1.50.0"] {
            assert!(
                Version::parse(version).is_ok_and(|v| !v.is_prerelease()),
                "{version}"
            );
        }
    }

    #[test]
    fn canonical_segments_drop_zeros_on_both_sides_of_the_letters() {
        assert_eq!(compare("1.0.a.0", "1.a"), Ok(Ordering::Equal));
        assert_eq!(compare("1.a.0.b", "1.a.b"), Ok(Ordering::Greater));
        assert_eq!(compare("1.0.A", "1.0.a"), Ok(Ordering::Less));
        assert_eq!(compare("1--", "1.pre.pre"), Ok(Ordering::Equal));
        assert_eq!(
            compare("99999999999999999999999.1", "99999999999999999999999"),
            Ok(Ordering::Greater)
        );
    }
}
