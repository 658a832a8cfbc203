//! PEP 440 versions, parsed and ordered exactly as Python's `packaging.version.Version`.
//!
//! The parser follows packaging's `VERSION_PATTERN` (26.x, whose quantifiers are possessive, so
//! a left-to-right scan with no backtracking accepts exactly what the regex accepts): optional
//! `v`, epoch `N!`, a release of any length, a pre-release (`a`, `b`, `rc` and the spellings
//! `alpha`, `beta`, `c`, `pre`, `preview`), a post-release (`.postN`, `rev`, `r`, or the
//! implicit `-N`), a dev-release and a `+local` label, each letter case-insensitive, each
//! separator `.`, `_` or `-` optional, each missing number 0. Surrounding whitespace is what
//! Python's `str.isspace` calls whitespace. Strings that are not PEP 440 are errors: there is
//! no `LegacyVersion` fallback, as packaging has none since 22.0.
//!
//! Ordering is packaging's `_cmpkey`: epoch, release with trailing zeros ignored, then a
//! dev-only release before any pre-release, a release without pre-release after them, the
//! post-release, the dev-release (a dev-release sorts before the same version without one),
//! and the local label (none sorts first; segments compare as numbers when all digits and as
//! lowercase text otherwise, text before numbers, a shorter label first).
//!
//! Python refuses to convert integers longer than 4300 digits (`sys.int_info.
//! default_max_str_digits`), so packaging raises on them; such numbers are errors here too.

use std::cmp::Ordering;
use std::fmt;

use super::Invalid;
use super::num::Number;

/// Python's default limit on the digits `int()` converts.
const PYTHON_MAX_INT_DIGITS: usize = 4300;

/// A PEP 440 version.
#[derive(Debug, Clone)]
pub struct Version {
    epoch: Number,
    release: Vec<Number>,
    /// `release.len()` without trailing zeros: `1.0.0` compares as `1`.
    significant_release: usize,
    pre: Option<(PreKind, Number)>,
    post: Option<Number>,
    dev: Option<Number>,
    local: Option<Vec<LocalSegment>>,
}

/// Pre-release kinds, in precedence order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PreKind {
    Alpha,
    Beta,
    ReleaseCandidate,
}

/// A local version segment. Variant order is precedence: text before numbers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum LocalSegment {
    Text(Box<str>),
    Number(Number),
}

impl Version {
    /// Parses a version as `packaging.version.Version(text)` does.
    pub fn parse(text: &str) -> Result<Version, Invalid> {
        Parser::new(text)
            .version()
            .map_err(|reason| Invalid::new(text, reason))
    }

    /// Whether this is a pre- or dev-release (packaging's `is_prerelease`).
    pub fn is_prerelease(&self) -> bool {
        self.pre.is_some() || self.dev.is_some()
    }

    /// The release numbers that matter for ordering.
    fn significant_release(&self) -> &[Number] {
        self.release
            .get(..self.significant_release)
            .unwrap_or(&self.release)
    }

    /// packaging's pre-release rank: a dev-only release first, then a < b < rc, then none.
    fn pre_key(&self) -> (u8, Option<&Number>) {
        match &self.pre {
            Some((kind, number)) => (1 + *kind as u8, Some(number)),
            None if self.post.is_none() && self.dev.is_some() => (0, None),
            None => (4, None),
        }
    }
}

/// Orders two versions.
pub fn compare(a: &str, b: &str) -> Result<Ordering, Invalid> {
    Ok(Version::parse(a)?.cmp(&Version::parse(b)?))
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| self.significant_release().cmp(other.significant_release()))
            .then_with(|| self.pre_key().cmp(&other.pre_key()))
            // None (no post-release) sorts before any post-release.
            .then_with(|| self.post.cmp(&other.post))
            .then_with(|| match (&self.dev, &other.dev) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => a.cmp(b),
            })
            // None sorts first; Vec's order puts a shorter label that is a prefix first.
            .then_with(|| self.local.cmp(&other.local))
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

/// The normalised form, as `str(packaging.version.Version(...))` writes it.
impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.epoch.is_zero() {
            write!(f, "{}!", self.epoch)?;
        }
        for (i, number) in self.release.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{number}")?;
        }
        if let Some((kind, number)) = &self.pre {
            let letter = match kind {
                PreKind::Alpha => "a",
                PreKind::Beta => "b",
                PreKind::ReleaseCandidate => "rc",
            };
            write!(f, "{letter}{number}")?;
        }
        if let Some(post) = &self.post {
            write!(f, ".post{post}")?;
        }
        if let Some(dev) = &self.dev {
            write!(f, ".dev{dev}")?;
        }
        if let Some(local) = &self.local {
            for (i, segment) in local.iter().enumerate() {
                f.write_str(if i == 0 { "+" } else { "." })?;
                match segment {
                    LocalSegment::Text(text) => f.write_str(text)?,
                    LocalSegment::Number(number) => write!(f, "{number}")?,
                }
            }
        }
        Ok(())
    }
}

/// Pre-release spellings in the regex's alternation order (`alpha|a|beta|b|preview|pre|c|rc`):
/// the first that matches wins.
const PRE_SPELLINGS: [(&str, PreKind); 8] = [
    ("alpha", PreKind::Alpha),
    ("a", PreKind::Alpha),
    ("beta", PreKind::Beta),
    ("b", PreKind::Beta),
    ("preview", PreKind::ReleaseCandidate),
    ("pre", PreKind::ReleaseCandidate),
    ("c", PreKind::ReleaseCandidate),
    ("rc", PreKind::ReleaseCandidate),
];

/// Post-release spellings in alternation order (`post|rev|r`).
const POST_SPELLINGS: [&str; 3] = ["post", "rev", "r"];

/// A cursor over the ASCII bytes of the trimmed version.
struct Parser<'t> {
    text: &'t str,
    pos: usize,
}

impl<'t> Parser<'t> {
    fn new(text: &'t str) -> Parser<'t> {
        Parser {
            text: text.trim_matches(is_python_space),
            pos: 0,
        }
    }

    fn version(mut self) -> Result<Version, String> {
        self.eat_ci("v");
        let epoch = self.epoch()?;
        let release = self.release()?;
        let pre = self.pre_release()?;
        let post = self.post_release()?;
        let dev = self.dev_release()?;
        let local = self.local()?;
        if let Some(c) = self.rest().chars().next() {
            return Err(format!("unexpected `{c}` at byte {}", self.pos));
        }
        let significant_release = release
            .iter()
            .rposition(|n| !n.is_zero())
            .map_or(0, |i| i + 1);
        Ok(Version {
            epoch: epoch.unwrap_or(Number::ZERO),
            release,
            significant_release,
            pre,
            post,
            dev,
            local,
        })
    }

    fn rest(&self) -> &'t str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<u8> {
        self.rest().bytes().next()
    }

    /// Consumes `word` (lowercase ASCII) if the text continues with it in any case.
    fn eat_ci(&mut self, word: &str) -> bool {
        let matches = self
            .rest()
            .as_bytes()
            .get(..word.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(word.as_bytes()));
        if matches {
            self.pos += word.len();
        }
        matches
    }

    fn eat_separator(&mut self) -> bool {
        let is_separator = matches!(self.peek(), Some(b'.' | b'_' | b'-'));
        if is_separator {
            self.pos += 1;
        }
        is_separator
    }

    /// One or more ASCII digits, if the text continues with a digit.
    fn digits(&mut self) -> Result<Option<Number>, String> {
        let rest = self.rest();
        let len = rest.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 {
            return Ok(None);
        }
        if len > PYTHON_MAX_INT_DIGITS {
            return Err(format!(
                "a number longer than {PYTHON_MAX_INT_DIGITS} digits"
            ));
        }
        self.pos += len;
        Ok(Some(Number::from_digits(rest.get(..len).unwrap_or(""))))
    }

    /// `N!`, or nothing (and no input consumed).
    fn epoch(&mut self) -> Result<Option<Number>, String> {
        let start = self.pos;
        match self.digits()? {
            Some(epoch) if self.peek() == Some(b'!') => {
                self.pos += 1;
                Ok(Some(epoch))
            }
            _ => {
                self.pos = start;
                Ok(None)
            }
        }
    }

    fn release(&mut self) -> Result<Vec<Number>, String> {
        let first = self.digits()?.ok_or("expected a release number")?;
        let mut release = vec![first];
        loop {
            let start = self.pos;
            if self.peek() != Some(b'.') {
                break;
            }
            self.pos += 1;
            match self.digits()? {
                Some(number) => release.push(number),
                None => {
                    self.pos = start;
                    break;
                }
            }
        }
        Ok(release)
    }

    /// `[sep] letter [sep] [N]`, each part after the letter optional and, once there, kept.
    fn pre_release(&mut self) -> Result<Option<(PreKind, Number)>, String> {
        let start = self.pos;
        self.eat_separator();
        let Some(kind) = PRE_SPELLINGS
            .iter()
            .find_map(|(word, kind)| self.eat_ci(word).then_some(*kind))
        else {
            self.pos = start;
            return Ok(None);
        };
        self.eat_separator();
        Ok(Some((kind, self.digits()?.unwrap_or(Number::ZERO))))
    }

    /// `-N` (implicit post-release) or `[sep] post|rev|r [sep] [N]`.
    fn post_release(&mut self) -> Result<Option<Number>, String> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
            if let Some(number) = self.digits()? {
                return Ok(Some(number));
            }
            self.pos = start;
        }
        self.eat_separator();
        if !POST_SPELLINGS.iter().any(|word| self.eat_ci(word)) {
            self.pos = start;
            return Ok(None);
        }
        self.eat_separator();
        Ok(Some(self.digits()?.unwrap_or(Number::ZERO)))
    }

    fn dev_release(&mut self) -> Result<Option<Number>, String> {
        let start = self.pos;
        self.eat_separator();
        if !self.eat_ci("dev") {
            self.pos = start;
            return Ok(None);
        }
        self.eat_separator();
        Ok(Some(self.digits()?.unwrap_or(Number::ZERO)))
    }

    /// `+` then alphanumeric runs joined by single separators.
    fn local(&mut self) -> Result<Option<Vec<LocalSegment>>, String> {
        if self.peek() != Some(b'+') {
            return Ok(None);
        }
        self.pos += 1;
        let mut segments = vec![
            self.local_segment()?
                .ok_or("expected a local version label after `+`")?,
        ];
        loop {
            let start = self.pos;
            if !self.eat_separator() {
                break;
            }
            match self.local_segment()? {
                Some(segment) => segments.push(segment),
                None => {
                    self.pos = start;
                    break;
                }
            }
        }
        Ok(Some(segments))
    }

    fn local_segment(&mut self) -> Result<Option<LocalSegment>, String> {
        let rest = self.rest();
        let len = rest.bytes().take_while(u8::is_ascii_alphanumeric).count();
        let Some(segment) = rest.get(..len).filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        self.pos += len;
        if segment.bytes().all(|b| b.is_ascii_digit()) {
            if len > PYTHON_MAX_INT_DIGITS {
                return Err(format!(
                    "a number longer than {PYTHON_MAX_INT_DIGITS} digits"
                ));
            }
            Ok(Some(LocalSegment::Number(Number::from_digits(segment))))
        } else {
            Ok(Some(LocalSegment::Text(
                segment.to_ascii_lowercase().into(),
            )))
        }
    }
}

/// Python's `str.isspace()`, which the `\s` of a `str` regex matches.
fn is_python_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\u{1C}'..='\u{20}'
            | '\u{85}'
            | '\u{A0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(text: &str) -> String {
        match Version::parse(text) {
            Ok(version) => version.to_string(),
            Err(invalid) => panic!("{text:?} should parse: {}", invalid.reason),
        }
    }

    /// packaging's `tests/test_version.py` `VERSIONS` list, which is in sorting order.
    const VERSIONS: [&str; 46] = [
        "1.0.dev0",
        "1.0.dev456",
        "1.0.dev456+local",
        "1.0a0",
        "1.0a0.post0.dev0",
        "1.0a0.post0",
        "1.0a1.dev1",
        "1.0a1.dev1+local",
        "1.0a1",
        "1.0a1+local",
        "1.0b0",
        "1.0b1.dev456",
        "1.0b2",
        "1.0b2.post345.dev456",
        "1.0b2.post345",
        "1.0b2-346",
        "1.0rc0",
        "1.0rc1.dev1",
        "1.0c1",
        "1.0rc2",
        "1.0",
        "1.0.post0.dev0",
        "1.0.post0",
        "1.0.post456.dev34",
        "1.0.post456",
        "1.0.post456+local",
        "1.0.1.dev1",
        "1.0.1a1",
        "1.0.1",
        "1.0.1+local",
        "1.0.1.post1",
        "1.1.dev1",
        "1.2+a",
        "1.2+abc",
        "1.2+abcdef",
        "1.2+def",
        "1.2+0",
        "1.2+1",
        "1.2+1.abc",
        "1.2+1.1",
        "1.2+1.1.0",
        "1.2+2",
        "1.2+123",
        "1.2+123456",
        "1.2.r32+123456",
        "1.2.rev33+123456",
    ];

    #[test]
    fn packaging_versions_list_is_in_order() {
        let mut all: Vec<String> = VERSIONS.iter().map(|v| v.to_string()).collect();
        all.extend(VERSIONS.iter().map(|v| format!("1!{v}")));
        let parsed: Vec<Version> = all.iter().filter_map(|v| Version::parse(v).ok()).collect();
        assert_eq!(parsed.len(), all.len());
        for (i, a) in parsed.iter().enumerate() {
            for (j, b) in parsed.iter().enumerate() {
                assert_eq!(a.cmp(b), i.cmp(&j), "{} vs {}", all[i], all[j]);
            }
        }
    }

    /// packaging's `test_normalized_versions` table.
    #[test]
    fn packaging_normalization_table() {
        let table = [
            ("1.0dev", "1.0.dev0"),
            ("1.0.dev", "1.0.dev0"),
            ("1.0dev1", "1.0.dev1"),
            ("1.0-dev", "1.0.dev0"),
            ("1.0-DEV1", "1.0.dev1"),
            ("1.0a", "1.0a0"),
            ("1.0.a1", "1.0a1"),
            ("1.0-alpha1", "1.0a1"),
            ("1.0.ALPHA", "1.0a0"),
            ("1.0-B1", "1.0b1"),
            ("1.0.beta", "1.0b0"),
            ("1.0c", "1.0rc0"),
            ("1.0.C1", "1.0rc1"),
            ("1.0-RC", "1.0rc0"),
            ("1.0post", "1.0.post0"),
            ("1.0-POST1", "1.0.post1"),
            ("1.0r", "1.0.post0"),
            ("1.0rev", "1.0.post0"),
            ("1.0.r1", "1.0.post1"),
            ("1.0-5", "1.0.post5"),
            ("1.0-r5", "1.0.post5"),
            ("1.0-rev5", "1.0.post5"),
            ("1.0+AbC", "1.0+abc"),
            ("1.01", "1.1"),
            ("1.0a05", "1.0a5"),
            ("1.0c056", "1.0rc56"),
            ("1.0.post000", "1.0.post0"),
            ("1.1.dev09000", "1.1.dev9000"),
            ("00!1.2", "1.2"),
            ("0100!0.0", "100!0.0"),
            ("v1.0", "1.0"),
            ("   v1.0\t\n", "1.0"),
            ("\u{202F}1.0\t\u{2029}\n ", "1.0"),
            ("1.0.4+8.0", "1.0.4+8.0"),
            ("7!1.0b2.post345.dev456", "7!1.0b2.post345.dev456"),
            ("1.2+123abc456", "1.2+123abc456"),
        ];
        for (input, expected) in table {
            assert_eq!(normalized(input), expected, "{input:?}");
        }
    }

    /// packaging's `test_invalid_versions` table.
    #[test]
    fn packaging_invalid_table() {
        let invalid = [
            "french toast",
            "1.0+a+",
            "1.0++",
            "1.0+_foobar",
            "1.0+foo&asd",
            "1.0+1+1",
            "1. 0",
            "1 .0",
            "1. 0a1",
            "1 .0a1",
            "1.0 a1",
            "1.0a 1",
            "\u{660}\u{661}\u{662}.\u{663}\u{664}\u{665}.\u{666}\u{667}\u{668}\u{669}",
            ".",
            "..",
            "1..0",
            "1.0.",
            ".1.0",
            "1..2.3",
            "1.0+\u{130}",
            "",
        ];
        for text in invalid {
            assert!(Version::parse(text).is_err(), "{text:?} is not PEP 440");
        }
    }

    #[test]
    fn separators_and_spellings_follow_the_regex() {
        // A separator after a letter is kept even with no number (`1.0a-` is `1.0a0`), and
        // two separators may meet between segments.
        assert_eq!(normalized("1.0a-"), "1.0a0");
        assert_eq!(normalized("1.0a..post"), "1.0a0.post0");
        assert_eq!(normalized("1.0a-1"), "1.0a1");
        assert_eq!(normalized("1.0prerev"), "1.0rc0.post0");
        assert_eq!(normalized("1.0preview_2"), "1.0rc2");
        assert!(Version::parse("1.0-1-1").is_err());
        assert!(Version::parse("1.0arc").is_err());
        assert!(Version::parse("1.0-").is_err());
        assert!(Version::parse("v").is_err());
        assert_eq!(compare("1.0.0", "1"), Ok(Ordering::Equal));
        assert_eq!(compare("1.0+01", "1.0+1"), Ok(Ordering::Equal));
        assert_eq!(compare("1.0rc1", "1.0c1"), Ok(Ordering::Equal));
        assert!(Version::parse(&"1".repeat(4301)).is_err());
        assert!(Version::parse(&"1".repeat(4300)).is_ok());
    }
}
