//! Debian and Ubuntu version ordering, exactly as dpkg orders versions.
//!
//! A version is `[epoch:]upstream[-revision]` (deb-version(7)). The epoch is the text before
//! the *first* `:`, the revision the text after the *last* `-`. Two versions compare by epoch
//! (numerically), then upstream version, then revision, the last two with dpkg's `verrevcmp`:
//! alternate runs of non-digits and digits; non-digits compare character by character with `~`
//! before everything (the end of the string included), letters before every other character,
//! and digit runs compare as numbers of any length. A missing revision equals `0`, so `1.0`,
//! `1.0-0` and `0:1.00-0` are the same version.
//!
//! # What counts as a version
//!
//! dpkg's `parseversion` either *rejects* a version (an error) or *warns* about it and goes on
//! comparing it. We reject what dpkg rejects and accept what it only warns about, because dpkg
//! itself accepts those when it reads its database and in `dpkg --compare-versions`, and
//! installed packages are where our versions come from:
//!
//! - rejected: an empty version; blanks inside it (leading and trailing blanks are trimmed,
//!   as dpkg does); an empty, non-numeric, negative or too big (> 2³¹−1) epoch, read the way
//!   dpkg reads it with `strtol` (so `+1:` and `-0:` are accepted); nothing after the epoch's
//!   colon; an empty revision (`1.0-`); an empty upstream version (`-1`, `1:-1`);
//! - accepted, as dpkg accepts them with a warning: an upstream version that does not start
//!   with a digit, and characters outside `[A-Za-z0-9.+~-:]` (upstream) or `[A-Za-z0-9.+~]`
//!   (revision);
//! - also rejected, where dpkg only warns: control characters and non-ASCII characters. dpkg
//!   orders a non-ASCII byte by the C `char` of the platform (signed on x86, unsigned on ARM),
//!   so it has no single order, and no Debian version contains one.
//!
//! [`Version`] parses once and compares without allocating, so matching can parse a queried
//! version once and compare it with many range bounds.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::Invalid;

/// The largest epoch dpkg accepts (`INT_MAX`).
const MAX_EPOCH: u32 = i32::MAX.unsigned_abs();

/// A parsed dpkg version.
///
/// Equality is dpkg's (`1.0 == 1.00-0`), so `Version` is deliberately not `Hash`: two equal
/// versions can have different text.
#[derive(Debug, Clone)]
pub struct Version {
    /// The version as given, less leading and trailing blanks.
    text: Box<str>,
    epoch: u32,
    /// Byte range of the upstream version in `text`.
    upstream: (usize, usize),
    /// Byte offset in `text` where the revision starts, if there is one.
    revision_start: Option<usize>,
}

impl Version {
    /// Parses a version, rejecting what dpkg rejects (see the module docs).
    pub fn parse(version: &str) -> Result<Version, Invalid> {
        parse(version)
    }

    /// The epoch (0 when absent).
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// The upstream version.
    pub fn upstream(&self) -> &str {
        self.text
            .get(self.upstream.0..self.upstream.1)
            .unwrap_or("")
    }

    /// The Debian revision, if the version has one.
    pub fn revision(&self) -> Option<&str> {
        self.revision_start.and_then(|start| self.text.get(start..))
    }

    /// The version as given, less leading and trailing blanks.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(self.upstream().as_bytes(), other.upstream().as_bytes()))
            .then_with(|| {
                verrevcmp(
                    self.revision().unwrap_or("").as_bytes(),
                    other.revision().unwrap_or("").as_bytes(),
                )
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

impl FromStr for Version {
    type Err = Invalid;

    fn from_str(s: &str) -> Result<Version, Invalid> {
        parse(s)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Parses a version, rejecting what dpkg rejects (see the module docs).
pub fn parse(version: &str) -> Result<Version, Invalid> {
    let invalid = |reason: &str| Invalid::new(version, reason);
    let text = version.trim_matches(is_blank);
    if text.is_empty() {
        return Err(invalid("version string is empty"));
    }
    if text.contains(is_blank) {
        return Err(invalid("version string has embedded spaces"));
    }
    if let Some(c) = text.chars().find(|c| !c.is_ascii() || c.is_ascii_control()) {
        return Err(invalid(&format!(
            "character {c:?} is not allowed: dpkg versions are printable ASCII"
        )));
    }
    let (epoch, rest_start) = match text.find(':') {
        Some(colon) => (parse_epoch(text, colon).map_err(invalid)?, colon + 1),
        None => (0, 0),
    };
    let rest = text.get(rest_start..).unwrap_or("");
    if rest.is_empty() {
        return Err(invalid("nothing after colon in version number"));
    }
    let (upstream_end, revision_start) = match rest.rfind('-') {
        Some(hyphen) if hyphen + 1 == rest.len() => {
            return Err(invalid("revision number is empty"));
        }
        Some(hyphen) => (rest_start + hyphen, Some(rest_start + hyphen + 1)),
        None => (text.len(), None),
    };
    if upstream_end == rest_start {
        return Err(invalid("version number is empty"));
    }
    Ok(Version {
        text: text.into(),
        epoch,
        upstream: (rest_start, upstream_end),
        revision_start,
    })
}

/// Orders two dpkg versions. Either failing to parse is an error.
pub fn compare(a: &str, b: &str) -> Result<Ordering, Invalid> {
    Ok(parse(a)?.cmp(&parse(b)?))
}

/// dpkg's blanks: space and tab (`c_isblank`).
fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Reads the epoch before the colon at `colon` as dpkg does with `strtol`: an optional sign,
/// then digits up to the colon.
fn parse_epoch(text: &str, colon: usize) -> Result<u32, &'static str> {
    let field = text.get(..colon).unwrap_or("");
    let (negative, digits) = match field.as_bytes().first() {
        Some(b'-') => (true, field.get(1..).unwrap_or("")),
        Some(b'+') => (false, field.get(1..).unwrap_or("")),
        _ => (false, field),
    };
    let digit_count = digits.bytes().take_while(u8::is_ascii_digit).count();
    if digit_count == 0 {
        // strtol consumed nothing, whatever follows.
        return Err("epoch in version is empty");
    }
    if digit_count != digits.len() {
        return Err("epoch in version is not number");
    }
    // Saturating keeps "too big" too big however many digits follow.
    let value = digits.bytes().fold(0u64, |acc, d| {
        acc.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    });
    if negative && value != 0 {
        return Err("epoch in version is negative");
    }
    u32::try_from(value)
        .ok()
        .filter(|epoch| *epoch <= MAX_EPOCH)
        .ok_or("epoch in version is too big")
}

/// dpkg's `order`: the weight of a non-digit character, `None` standing for the end of the
/// string. `~` sorts before the end, letters before every other character.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp`, on one upstream version or revision.
fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    let is_digit = |c: Option<&u8>| c.is_some_and(u8::is_ascii_digit);
    let is_non_digit = |c: Option<&u8>| c.is_some_and(|c| !c.is_ascii_digit());
    while i < a.len() || j < b.len() {
        while is_non_digit(a.get(i)) || is_non_digit(b.get(j)) {
            let (ac, bc) = (order(a.get(i).copied()), order(b.get(j).copied()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            // Equal weights are never the end of the string (it weighs 0, as only digits
            // do), so both sides step over a real character.
            i += 1;
            j += 1;
        }
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
            if !x.is_ascii_digit() || !y.is_ascii_digit() {
                break;
            }
            first_diff = first_diff.then(x.cmp(y));
            i += 1;
            j += 1;
        }
        if is_digit(a.get(i)) {
            return Ordering::Greater;
        }
        if is_digit(b.get(j)) {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    /// dpkg's own comparison vectors (scripts/t/Dpkg_Version.t in the dpkg source), as dpkg
    /// 1.21 and later still accept them.
    const DPKG_SUITE: &[(&str, &str, Ordering)] = &[
        ("1.0-1", "2.0-2", Less),
        ("2.2~rc-4", "2.2-1", Less),
        ("2.2-1", "2.2~rc-4", Greater),
        ("1.0000-1", "1.0-1", Equal),
        ("1", "0:1", Equal),
        ("0", "0:0-0", Equal),
        ("2:2.5", "1:7.5", Greater),
        ("1:0foo", "0foo", Greater),
        ("0:0foo", "0foo", Equal),
        ("0foo", "0foo", Equal),
        ("0foo", "0fo", Greater),
        ("0foo~1", "0foo", Less),
        ("0foo~foo+Bar", "0foo~foo+bar", Less),
        ("0foo~~", "0foo~", Less),
        ("1~", "1", Less),
        (
            "12345+that-really-is-some-ver-0",
            "12345+that-really-is-some-ver-10",
            Less,
        ),
        ("0foo-0", "0foo-01", Less),
        ("0foo.bar", "0foobar", Greater),
        ("0foo.bar", "0foo1bar", Greater),
        ("0foo.bar", "0foo0bar", Greater),
        ("0foo1bar-1", "0foobar-1", Less),
        ("0foo2.0", "0foo2", Greater),
        ("0foo2.0.0", "0foo2.10.0", Less),
        ("0foo2.0", "0foo2.0.0", Less),
        ("0foo2.0", "0foo2.10", Less),
        ("0foo2.1", "0foo2.10", Less),
        ("1.09", "1.9", Equal),
        ("1.0.8+nmu1", "1.0.8", Greater),
        ("3.11", "3.10+nmu1", Greater),
        ("0.9j-20080306-4", "0.9i-20070324-2", Greater),
        ("1.2.0~b7-1", "1.2.0~b6-1", Greater),
        ("1.011-1", "1.06-2", Greater),
        ("0.0.9+dfsg1-1", "0.0.8+dfsg1-3", Greater),
        ("4.6.99+svn6582-1", "4.6.99+svn6496-1", Greater),
        ("53", "52", Greater),
        ("0.9.9~pre122-1", "0.9.9~pre111-1", Greater),
        ("2:2.3.2-2+lenny2", "2:2.3.2-2", Greater),
        ("1:3.8.1-1", "3.8.GA-1", Greater),
        ("1.0.1+gpl-1", "1.0.1-2", Greater),
        ("1a", "1000a", Less),
        // libdpkg's t-version.c.
        ("0:0-0", "0:00-0", Equal),
        ("0:0-00", "0:00-0", Equal),
        ("1:2-3", "1:2-3", Equal),
        ("0:0-0", "1:0-0", Less),
        ("0:a-0", "0:b-0", Less),
        ("0:0-a", "0:0-b", Less),
        ("0:0-0-0", "0:0-0-0", Equal),
        ("0:0:0-0", "0:0:0-0", Equal),
        ("0:09azAZ.-+~:-0", "0:9azAZ.-+~:-00", Equal),
        ("0:0-azAZ09.+~", "0-azAZ09.+~", Equal),
        ("  \t0:0-1", "0:0-1\t  ", Equal),
    ];

    #[test]
    fn dpkg_suite_vectors() {
        for &(a, b, expected) in DPKG_SUITE {
            assert_eq!(compare(a, b), Ok(expected), "{a} vs {b}");
            assert_eq!(compare(b, a), Ok(expected.reverse()), "{b} vs {a}");
        }
    }

    #[test]
    fn splits_epoch_at_the_first_colon_and_revision_at_the_last_hyphen() {
        let v = parse("0:0:0-0-0").unwrap();
        assert_eq!(
            (v.epoch(), v.upstream(), v.revision()),
            (0, "0:0-0", Some("0"))
        );
        let v = parse("1.2").unwrap();
        assert_eq!((v.epoch(), v.upstream(), v.revision()), (0, "1.2", None));
        let v = parse(" 7:1.2-3ubuntu1 ").unwrap();
        assert_eq!(v.as_str(), "7:1.2-3ubuntu1");
        assert_eq!(v.to_string(), "7:1.2-3ubuntu1");
    }

    /// What dpkg 1.21's `parseversion` reports as an error (t-version.c, and checked against
    /// `dpkg --compare-versions` in the reference tests).
    #[test]
    fn rejects_what_dpkg_rejects() {
        for (version, reason) in [
            ("", "version string is empty"),
            ("  ", "version string is empty"),
            ("0:", "nothing after colon in version number"),
            ("0:0 0-1", "version string has embedded spaces"),
            ("-1:0-1", "epoch in version is negative"),
            (
                "999999999999999999999999:0-1",
                "epoch in version is too big",
            ),
            ("2147483648:1", "epoch in version is too big"),
            ("a:0-0", "epoch in version is empty"),
            ("A:0-0", "epoch in version is empty"),
            (":1.0", "epoch in version is empty"),
            ("10a:5.2", "epoch in version is not number"),
            ("-0", "version number is empty"),
            ("0:-0", "version number is empty"),
            ("1.0-", "revision number is empty"),
            ("0foo-", "revision number is empty"),
        ] {
            assert_eq!(parse(version).unwrap_err().reason, reason, "{version:?}");
        }
    }

    #[test]
    fn accepts_what_dpkg_only_warns_about() {
        for version in [
            "0:abc3-0", "foo5.2", "5.2@3-2", "0:0-0:0", "1.0_1", "+1:1", "-0:1",
        ] {
            assert!(parse(version).is_ok(), "{version:?}");
        }
        assert_eq!(compare("+1:1", "1:1"), Ok(Equal));
        assert_eq!(compare("-0:1", "1"), Ok(Equal));
        assert_eq!(parse("2147483647:1").unwrap().epoch(), 2_147_483_647);
    }

    #[test]
    fn rejects_control_and_non_ascii_characters() {
        for version in ["1.0\u{1}", "1.0é", "1\n0", "1\x000"] {
            assert!(parse(version).is_err(), "{version:?}");
        }
    }

    #[test]
    fn orders_characters_as_dpkg_does() {
        // `~` before the end, the end before letters, letters before other characters.
        let mut sorted = [
            "1.0+", "1.0a", "1.0", "1.0~", "1.0~~", "1.0.", "1.0A", "1.0~a",
        ]
        .map(|v| parse(v).unwrap());
        sorted.sort();
        let texts: Vec<_> = sorted.iter().map(Version::as_str).collect();
        assert_eq!(
            texts,
            [
                "1.0~~", "1.0~", "1.0~a", "1.0", "1.0A", "1.0a", "1.0+", "1.0."
            ]
        );
    }

    #[test]
    fn compares_long_digit_runs_without_overflow() {
        let huge = "1.123456789012345678901234567890";
        let bigger = "1.123456789012345678901234567891";
        assert_eq!(compare(huge, bigger), Ok(Less));
        assert_eq!(compare("1.00000000000000000000000000001", "1.1"), Ok(Equal));
    }
}
