//! RPM version ordering, exactly as rpm (4.16 and later) orders versions.
//!
//! Two layers, as in rpm itself:
//!
//! - [`vercmp`] is `rpmvercmp`, which orders one version or release string. It skips
//!   separators (anything but ASCII letters, digits, `~` and `^`) and compares what is left
//!   segment by segment: a digit run against a digit run numerically (any length), a letter run
//!   against a letter run bytewise, and a digit run above a letter run. `~` sorts before
//!   everything, the end of the string included (`1.0~rc1 < 1.0`); `^` sorts after the end of
//!   the string but before anything else (`1.0 < 1.0^git1 < 1.0.1`). Separators only separate:
//!   `1.0`, `1_0` and `1..0` are equal.
//! - [`Version`] and [`compare`] are `epoch:version-release` (EVR) strings split the way
//!   rpm's `rpmverParse` splits them (the epoch is a run of leading digits ended by `:`, the
//!   release the text after the last `-`) and compared as `rpm.labelCompare` and Lua's
//!   `rpm.vercmp` compare them: epoch (missing = 0) numerically, then version, then release.
//!
//! A missing release sorts below any release (`1.0 < 1.0-1`), as `labelCompare` and
//! `rpm.vercmp` have it. rpm's dependency-range matching instead lets a missing release match
//! every release, which is not an order (`1.0-1 = 1.0 = 1.0-2` but `1.0-1 < 1.0-2`); a caller
//! that wants that reading compares [`Version::version`]s itself.
//!
//! # What counts as a version
//!
//! rpm orders any string, so little is rejected, and only what cannot be an EVR at all: an
//! empty string, whitespace or control characters (an EVR is one token in every rpm format),
//! an empty version (`1:`, `-1`) and an empty release (`1.0-`, which no rpm build produces).
//! Non-ASCII characters are accepted and, as in rpm, only separate.
//!
//! [`Version`] parses once and compares without allocating.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::Invalid;

/// A parsed `epoch:version-release`.
///
/// Equality is rpm's (`1.0 == 1_0`, `0:1 == 1`), so `Version` is deliberately not `Hash`.
#[derive(Debug, Clone)]
pub struct Version {
    /// The EVR as given.
    text: Box<str>,
    /// Byte range of the epoch digits in `text`, when there is an epoch.
    epoch: Option<(usize, usize)>,
    /// Byte range of the version in `text`.
    version: (usize, usize),
    /// Byte offset in `text` where the release starts, when there is one.
    release_start: Option<usize>,
}

impl Version {
    /// Parses an EVR (see the module docs for what is rejected).
    pub fn parse(evr: &str) -> Result<Version, Invalid> {
        parse(evr)
    }

    /// The epoch's digits as written (possibly empty, as in `:1.0`), if the EVR has an epoch.
    pub fn epoch(&self) -> Option<&str> {
        self.epoch
            .and_then(|(start, end)| self.text.get(start..end))
    }

    /// The version.
    pub fn version(&self) -> &str {
        self.text.get(self.version.0..self.version.1).unwrap_or("")
    }

    /// The release, if the EVR has one.
    pub fn release(&self) -> Option<&str> {
        self.release_start.and_then(|start| self.text.get(start..))
    }

    /// The EVR as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The epoch without leading zeros: empty for 0.
    fn epoch_digits(&self) -> &[u8] {
        let digits = self.epoch().unwrap_or("").as_bytes();
        let zeros = digits.iter().take_while(|d| **d == b'0').count();
        digits.get(zeros..).unwrap_or_default()
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        let (a, b) = (self.epoch_digits(), other.epoch_digits());
        a.len()
            .cmp(&b.len())
            .then_with(|| a.cmp(b))
            .then_with(|| vercmp(self.version(), other.version()))
            .then_with(|| match (self.release(), other.release()) {
                (Some(a), Some(b)) => vercmp(a, b),
                (a, b) => a.is_some().cmp(&b.is_some()),
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

/// Parses an EVR (see the module docs for what is rejected).
pub fn parse(evr: &str) -> Result<Version, Invalid> {
    let invalid = |reason: &str| Invalid::new(evr, reason);
    if evr.is_empty() {
        return Err(invalid("version is empty"));
    }
    if let Some(c) = evr.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(&format!(
            "character {c:?} is not allowed in an rpm version"
        )));
    }
    let leading_digits = evr.bytes().take_while(u8::is_ascii_digit).count();
    let (epoch, version_start) = match evr.as_bytes().get(leading_digits) {
        Some(b':') => (Some((0, leading_digits)), leading_digits + 1),
        _ => (None, 0),
    };
    // The epoch is digits only, so the last `-` is never inside it.
    let (version_end, release_start) = match evr.rfind('-') {
        Some(hyphen) if hyphen >= version_start => (hyphen, Some(hyphen + 1)),
        _ => (evr.len(), None),
    };
    if version_end == version_start {
        return Err(invalid("version is empty"));
    }
    if release_start == Some(evr.len()) {
        return Err(invalid("release is empty"));
    }
    Ok(Version {
        text: evr.into(),
        epoch,
        version: (version_start, version_end),
        release_start,
    })
}

/// Orders two `epoch:version-release` strings. Either failing to parse is an error.
pub fn compare(a: &str, b: &str) -> Result<Ordering, Invalid> {
    Ok(parse(a)?.cmp(&parse(b)?))
}

/// rpm's `rpmvercmp`: orders two version (or two release) strings. Total: every string is
/// ordered, none is an error.
pub fn vercmp(a: &str, b: &str) -> Ordering {
    rpmvercmp(a.as_bytes(), b.as_bytes())
}

/// What `rpmvercmp` skips between segments.
fn is_separator(c: u8) -> bool {
    !(c.is_ascii_alphanumeric() || c == b'~' || c == b'^')
}

/// The length of the run at the start of `s` of characters of `class`.
fn run_length(s: &[u8], class: fn(&u8) -> bool) -> usize {
    s.iter().take_while(|c| class(c)).count()
}

fn rpmvercmp(a: &[u8], b: &[u8]) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (mut one, mut two) = (a, b);
    loop {
        one = one
            .get(run_length(one, |c| is_separator(*c))..)
            .unwrap_or_default();
        two = two
            .get(run_length(two, |c| is_separator(*c))..)
            .unwrap_or_default();
        let (x, y) = (one.first().copied(), two.first().copied());
        if x.is_none() && y.is_none() {
            return Ordering::Equal;
        }
        // `~` sorts before everything, the end of the string included.
        if x == Some(b'~') || y == Some(b'~') {
            if x != Some(b'~') {
                return Ordering::Greater;
            }
            if y != Some(b'~') {
                return Ordering::Less;
            }
            (one, two) = (
                one.get(1..).unwrap_or_default(),
                two.get(1..).unwrap_or_default(),
            );
            continue;
        }
        // `^` is like `~`, except that it sorts after the end of the string.
        if x == Some(b'^') || y == Some(b'^') {
            if x.is_none() {
                return Ordering::Less;
            }
            if y.is_none() {
                return Ordering::Greater;
            }
            if x != Some(b'^') {
                return Ordering::Greater;
            }
            if y != Some(b'^') {
                return Ordering::Less;
            }
            (one, two) = (
                one.get(1..).unwrap_or_default(),
                two.get(1..).unwrap_or_default(),
            );
            continue;
        }
        let Some(x) = x else { break };
        if y.is_none() {
            break;
        }
        let is_number = x.is_ascii_digit();
        let class: fn(&u8) -> bool = if is_number {
            u8::is_ascii_digit
        } else {
            u8::is_ascii_alphabetic
        };
        let (len_one, len_two) = (run_length(one, class), run_length(two, class));
        let (mut segment_one, rest_one) = one.split_at(len_one);
        let (mut segment_two, rest_two) = two.split_at(len_two);
        // A digit run against a letter run: the digits are newer.
        if segment_two.is_empty() {
            return if is_number {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        if is_number {
            segment_one = segment_one
                .get(run_length(segment_one, |c| *c == b'0')..)
                .unwrap_or_default();
            segment_two = segment_two
                .get(run_length(segment_two, |c| *c == b'0')..)
                .unwrap_or_default();
            match segment_one.len().cmp(&segment_two.len()) {
                Ordering::Equal => {}
                longer_wins => return longer_wins,
            }
        }
        match segment_one.cmp(segment_two) {
            Ordering::Equal => {}
            different => return different,
        }
        (one, two) = (rest_one, rest_two);
    }
    // Every segment compared equal: whichever has characters left is newer.
    match (one.is_empty(), two.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, _) => Ordering::Greater,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    /// rpm's own vectors (tests/rpmvercmp.at in the rpm source), including the ones it
    /// documents as "arguably buggy" and non-ASCII characters, which it only keeps as
    /// comments: they are what rpm does.
    const RPM_SUITE: &[(&str, &str, Ordering)] = &[
        ("1.0", "1.0", Equal),
        ("1.0", "2.0", Less),
        ("2.0", "1.0", Greater),
        ("2.0.1", "2.0.1", Equal),
        ("2.0", "2.0.1", Less),
        ("2.0.1", "2.0", Greater),
        ("2.0.1a", "2.0.1a", Equal),
        ("2.0.1a", "2.0.1", Greater),
        ("2.0.1", "2.0.1a", Less),
        ("5.5p1", "5.5p1", Equal),
        ("5.5p1", "5.5p2", Less),
        ("5.5p2", "5.5p1", Greater),
        ("5.5p10", "5.5p10", Equal),
        ("5.5p1", "5.5p10", Less),
        ("5.5p10", "5.5p1", Greater),
        ("10xyz", "10.1xyz", Less),
        ("10.1xyz", "10xyz", Greater),
        ("xyz10", "xyz10", Equal),
        ("xyz10", "xyz10.1", Less),
        ("xyz10.1", "xyz10", Greater),
        ("xyz.4", "xyz.4", Equal),
        ("xyz.4", "8", Less),
        ("8", "xyz.4", Greater),
        ("xyz.4", "2", Less),
        ("2", "xyz.4", Greater),
        ("5.5p2", "5.6p1", Less),
        ("5.6p1", "5.5p2", Greater),
        ("5.6p1", "6.5p1", Less),
        ("6.5p1", "5.6p1", Greater),
        ("6.0.rc1", "6.0", Greater),
        ("6.0", "6.0.rc1", Less),
        ("10b2", "10a1", Greater),
        ("10a2", "10b2", Less),
        ("1.0aa", "1.0aa", Equal),
        ("1.0a", "1.0aa", Less),
        ("1.0aa", "1.0a", Greater),
        ("10.0001", "10.0001", Equal),
        ("10.0001", "10.1", Equal),
        ("10.1", "10.0001", Equal),
        ("10.0001", "10.0039", Less),
        ("10.0039", "10.0001", Greater),
        ("4.999.9", "5.0", Less),
        ("5.0", "4.999.9", Greater),
        ("20101121", "20101121", Equal),
        ("20101121", "20101122", Less),
        ("20101122", "20101121", Greater),
        ("2_0", "2_0", Equal),
        ("2.0", "2_0", Equal),
        ("2_0", "2.0", Equal),
        ("a", "a", Equal),
        ("a+", "a+", Equal),
        ("a+", "a_", Equal),
        ("a_", "a+", Equal),
        ("+a", "+a", Equal),
        ("+a", "_a", Equal),
        ("_a", "+a", Equal),
        ("+_", "+_", Equal),
        ("_+", "+_", Equal),
        ("_+", "_+", Equal),
        ("+", "_", Equal),
        ("_", "+", Equal),
        ("1.0~rc1", "1.0~rc1", Equal),
        ("1.0~rc1", "1.0", Less),
        ("1.0", "1.0~rc1", Greater),
        ("1.0~rc1", "1.0~rc2", Less),
        ("1.0~rc2", "1.0~rc1", Greater),
        ("1.0~rc1~git123", "1.0~rc1~git123", Equal),
        ("1.0~rc1~git123", "1.0~rc1", Less),
        ("1.0~rc1", "1.0~rc1~git123", Greater),
        ("1.0^", "1.0^", Equal),
        ("1.0^", "1.0", Greater),
        ("1.0", "1.0^", Less),
        ("1.0^git1", "1.0^git1", Equal),
        ("1.0^git1", "1.0", Greater),
        ("1.0", "1.0^git1", Less),
        ("1.0^git1", "1.0^git2", Less),
        ("1.0^git2", "1.0^git1", Greater),
        ("1.0^git1", "1.01", Less),
        ("1.01", "1.0^git1", Greater),
        ("1.0^20160101", "1.0^20160101", Equal),
        ("1.0^20160101", "1.0.1", Less),
        ("1.0.1", "1.0^20160101", Greater),
        ("1.0^20160101^git1", "1.0^20160101^git1", Equal),
        ("1.0^20160102", "1.0^20160101^git1", Greater),
        ("1.0^20160101^git1", "1.0^20160102", Less),
        ("1.0~rc1^git1", "1.0~rc1^git1", Equal),
        ("1.0~rc1^git1", "1.0~rc1", Greater),
        ("1.0~rc1", "1.0~rc1^git1", Less),
        ("1.0^git1~pre", "1.0^git1~pre", Equal),
        ("1.0^git1", "1.0^git1~pre", Greater),
        ("1.0^git1~pre", "1.0^git1", Less),
        // RhBug:811992.
        ("1b.fc17", "1b.fc17", Equal),
        ("1b.fc17", "1.fc17", Less),
        ("1.fc17", "1b.fc17", Greater),
        ("1g.fc17", "1g.fc17", Equal),
        ("1g.fc17", "1.fc17", Greater),
        ("1.fc17", "1g.fc17", Less),
        // Non-ASCII characters only separate.
        ("1.1.α", "1.1.α", Equal),
        ("1.1.α", "1.1.β", Equal),
        ("1.1.β", "1.1.α", Equal),
        ("1.1.αα", "1.1.α", Equal),
        ("1.1.α", "1.1.ββ", Equal),
        ("1.1.ββ", "1.1.αα", Equal),
    ];

    #[test]
    fn rpm_suite_vectors() {
        for &(a, b, expected) in RPM_SUITE {
            assert_eq!(vercmp(a, b), expected, "vercmp({a}, {b})");
            // rpm's suite runs them through `rpm.vercmp`, which parses EVRs.
            assert_eq!(compare(a, b), Ok(expected), "compare({a}, {b})");
        }
    }

    #[test]
    fn splits_evr_as_rpm_does() {
        let parts = |evr: &str| {
            let v = parse(evr).unwrap();
            (
                v.epoch().map(str::to_owned),
                v.version().to_owned(),
                v.release().map(str::to_owned),
            )
        };
        let owned = |e: Option<&str>, v: &str, r: Option<&str>| {
            (e.map(str::to_owned), v.to_owned(), r.map(str::to_owned))
        };
        assert_eq!(parts("1:2.3-4.el9"), owned(Some("1"), "2.3", Some("4.el9")));
        assert_eq!(parts("2.3"), owned(None, "2.3", None));
        assert_eq!(parts("1:2-3-4"), owned(Some("1"), "2-3", Some("4")));
        assert_eq!(parts(":1.0"), owned(Some(""), "1.0", None));
        // Only a run of digits ended by `:` is an epoch.
        assert_eq!(parts("a:1.0"), owned(None, "a:1.0", None));
        assert_eq!(parts("1.0:2"), owned(None, "1.0:2", None));
        assert_eq!(parts("1:2:3"), owned(Some("1"), "2:3", None));
    }

    #[test]
    fn compares_epoch_then_version_then_release() {
        for (a, b, expected) in [
            ("1:1.0-1", "2.0-1", Greater),
            ("0:1.0-1", "1.0-1", Equal),
            (":1.0", "0:1.0", Equal),
            ("007:1.0", "7:1.0", Equal),
            ("10:1", "9:2", Greater),
            ("1.0-1", "1.0-2", Less),
            ("1.0-1.el9", "1.0-1.el9_2", Less),
            (
                "2.4.37-43.module+el8.5.0+13806+b30d9eec.1",
                "2.4.37-43.module+el8.5.0+13806+b30d9eec",
                Greater,
            ),
            // A missing release sorts first, as in `labelCompare` and `rpm.vercmp`.
            ("1.0", "1.0-0", Less),
            ("1.0-1", "1.0", Greater),
        ] {
            assert_eq!(compare(a, b), Ok(expected), "{a} vs {b}");
            assert_eq!(compare(b, a), Ok(expected.reverse()), "{b} vs {a}");
        }
    }

    #[test]
    fn rejects_what_cannot_be_an_evr() {
        for (evr, reason) in [
            ("", "version is empty"),
            ("1:", "version is empty"),
            ("-1", "version is empty"),
            ("1:-1", "version is empty"),
            ("1.0-", "release is empty"),
        ] {
            assert_eq!(parse(evr).unwrap_err().reason, reason, "{evr:?}");
        }
        for evr in ["1.0 1", " 1.0", "1.0\t", "1.0\u{7}"] {
            assert!(parse(evr).is_err(), "{evr:?}");
        }
    }

    #[test]
    fn compares_long_digit_runs_without_overflow() {
        assert_eq!(
            vercmp(
                "1.123456789012345678901234567890",
                "1.123456789012345678901234567891"
            ),
            Less
        );
        assert_eq!(vercmp("1.00000000000000000000000000001", "1.1"), Equal);
        assert_eq!(
            compare("99999999999999999999999:1", "99999999999999999999998:2"),
            Ok(Greater)
        );
    }
}
