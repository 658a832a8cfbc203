//! Alpine version ordering, exactly as apk-tools orders versions.
//!
//! An Alpine version is `number{.number}[letter]{_suffix[number]}[~hash][-rN]`: dot-separated
//! numbers, at most one lowercase letter, any number of suffixes (`_alpha`, `_beta`, `_pre`,
//! `_rc` sort before the plain version, `_cvs`, `_svn`, `_git`, `_hg`, `_p` after it), each
//! with an optional number, a commit hash of lowercase hex digits after `~`, and the package
//! revision `-rN`.
//!
//! This is apk-tools' current `src/version.c` (apk-tools 3, the `token_state` rewrite), token
//! for token. Two versions are read token by token while both have a token of the same kind;
//! the first difference decides:
//!
//! - the first number compares numerically, as do suffix numbers and revisions;
//! - a later number compares numerically, unless either side starts with `0`: then both
//!   compare as text, so `1.0 < 1.00 < 1.001 < 1.01 < 1.1` and `8.2.0015 < 8.2.002`;
//! - letters, suffixes (in the order above) and commit hashes (as text) compare in kind;
//! - where one version has a token the other has not, the one with a pre-release suffix there
//!   is older, and otherwise the one whose token comes *later* in the grammar is older: the
//!   end of the string is older than a revision (`1.0 < 1.0-r0`), which is older than a
//!   commit hash, a suffix number, a post-release suffix, a letter, a further number.
//!
//! Numbers are read as apk-tools reads them, into 64 bits that wrap past 2⁶⁴−1.
//!
//! The apk-tools 2.x series read versions with an older tokenizer. Its shared test vectors
//! pass unchanged here, but the two differ where a later number starts with `0` (2.x counts
//! the zeros, then reads the rest as a further number: `1.0015 > 1.002` and `1.0 > 1.00`
//! there), on a number right after the letter (`1.0a1`, which 2.x accepts and apk-tools 3
//! rejects) and on `~hash`, which 2.x does not know. Alpine's secdb has a handful of versions
//! with such numbers (vim's `8.0.0056-r0`).
//!
//! # What counts as a version
//!
//! Exactly what apk-tools' `apk_version_validate` accepts. apk-tools' compare goes on with an
//! invalid version until it reaches the invalid part (its own tests say `23_foo > 4_beta`); we
//! report an invalid version instead, as the rest of this crate does.
//!
//! [`Version`] parses once into tokens and compares them without allocating.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::Invalid;

/// Token kinds, in apk-tools' order: where two versions first differ in kind, the later kind
/// is the older version (unless a pre-release suffix decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNumber,
    CommitHash,
    Revision,
    End,
}

/// Suffixes in apk-tools' order; [`Suffix::None`] is where the plain version sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Suffix {
    Alpha,
    Beta,
    Pre,
    Rc,
    None,
    Cvs,
    Svn,
    Git,
    Hg,
    P,
}

impl Suffix {
    fn from_name(name: &str) -> Option<Suffix> {
        Some(match name {
            "alpha" => Suffix::Alpha,
            "beta" => Suffix::Beta,
            "pre" => Suffix::Pre,
            "rc" => Suffix::Rc,
            "cvs" => Suffix::Cvs,
            "svn" => Suffix::Svn,
            "git" => Suffix::Git,
            "hg" => Suffix::Hg,
            "p" => Suffix::P,
            _ => return None,
        })
    }
}

/// One token: its kind, its number (numbers) or suffix (suffixes), and where its text is.
#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    number: u64,
    suffix: Suffix,
    start: usize,
    end: usize,
}

/// A parsed Alpine version.
///
/// Equality is apk's (`01 == 1` as a first number, `_rc01 == _rc1`), so `Version` is
/// deliberately not `Hash`.
#[derive(Debug, Clone)]
pub struct Version {
    text: Box<str>,
    tokens: Box<[Token]>,
}

impl Version {
    /// Parses a version, accepting exactly what `apk_version_validate` accepts.
    pub fn parse(version: &str) -> Result<Version, Invalid> {
        parse(version)
    }

    /// The package revision (`N` of `-rN`), if the version has one.
    pub fn revision(&self) -> Option<u64> {
        self.tokens
            .iter()
            .find(|t| t.kind == Kind::Revision)
            .map(|t| t.number)
    }

    /// The version as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn value(&self, token: &Token) -> &[u8] {
        self.text
            .as_bytes()
            .get(token.start..token.end)
            .unwrap_or_default()
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        let mut theirs = other.tokens.iter();
        for mine in self.tokens.iter() {
            let Some(their) = theirs.next() else {
                return tail(Some(mine), None);
            };
            if mine.kind != their.kind {
                return tail(Some(mine), Some(their));
            }
            match token_cmp(self, mine, other, their) {
                Ordering::Equal => {}
                decided => return decided,
            }
        }
        tail(None, theirs.next())
    }
}

/// apk-tools' `token_cmp`, for two tokens of the same kind.
fn token_cmp(a: &Version, ta: &Token, b: &Version, tb: &Token) -> Ordering {
    let (va, vb) = (a.value(ta), b.value(tb));
    match ta.kind {
        // "if either of the digits have a leading zero, use raw string comparison similar
        // to Gentoo spec" (apk-tools).
        Kind::Digit if va.first() == Some(&b'0') || vb.first() == Some(&b'0') => va.cmp(vb),
        Kind::Digit | Kind::InitialDigit | Kind::SuffixNumber | Kind::Revision => {
            ta.number.cmp(&tb.number)
        }
        Kind::Suffix => ta.suffix.cmp(&tb.suffix),
        Kind::Letter | Kind::CommitHash | Kind::End => va.cmp(vb),
    }
}

/// apk-tools' end of the comparison: the tokens at the first position where the kinds differ
/// (`None` is the end of the version).
fn tail(a: Option<&Token>, b: Option<&Token>) -> Ordering {
    let kind = |t: Option<&Token>| t.map_or(Kind::End, |t| t.kind);
    let is_pre_release =
        |t: Option<&Token>| t.is_some_and(|t| t.kind == Kind::Suffix && t.suffix < Suffix::None);
    if kind(a) == kind(b) {
        return Ordering::Equal;
    }
    if is_pre_release(a) {
        return Ordering::Less;
    }
    if is_pre_release(b) {
        return Ordering::Greater;
    }
    // The later kind in the grammar is the older version.
    kind(b).cmp(&kind(a))
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

/// Parses a version, accepting exactly what `apk_version_validate` accepts.
pub fn parse(version: &str) -> Result<Version, Invalid> {
    let tokens = Tokenizer::new(version)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|reason| Invalid::new(version, reason))?;
    Ok(Version {
        text: version.into(),
        tokens: tokens.into_boxed_slice(),
    })
}

/// Orders two Alpine versions. Either failing to parse is an error.
pub fn compare(a: &str, b: &str) -> Result<Ordering, Invalid> {
    Ok(parse(a)?.cmp(&parse(b)?))
}

/// apk-tools' `token_first`/`token_next`: yields the tokens of a version, or why it is not
/// one.
struct Tokenizer<'a> {
    text: &'a [u8],
    position: usize,
    /// The kind of the previous token; `None` before the first.
    previous: Option<Kind>,
    failed: bool,
}

impl<'a> Tokenizer<'a> {
    fn new(text: &'a str) -> Tokenizer<'a> {
        Tokenizer {
            text: text.as_bytes(),
            position: 0,
            previous: None,
            failed: false,
        }
    }

    fn peek(&self, offset: usize) -> Option<u8> {
        self.text.get(self.position + offset).copied()
    }

    /// The run from the current position of bytes of `class`, consumed.
    fn take_run(&mut self, class: fn(&u8) -> bool) -> (usize, usize) {
        let start = self.position;
        let rest = self.text.get(start..).unwrap_or_default();
        self.position += rest.iter().take_while(|c| class(c)).count();
        (start, self.position)
    }

    /// A number token of `kind`; apk-tools' `apk_blob_pull_uint` wraps at 2⁶⁴.
    fn number(&mut self, kind: Kind, missing: &'static str) -> Result<Token, &'static str> {
        let (start, end) = self.take_run(u8::is_ascii_digit);
        let digits = self.text.get(start..end).unwrap_or_default();
        if digits.is_empty() {
            return Err(missing);
        }
        let number = digits.iter().fold(0u64, |n, d| {
            n.wrapping_mul(10).wrapping_add(u64::from(d - b'0'))
        });
        Ok(Token {
            kind,
            number,
            suffix: Suffix::None,
            start,
            end,
        })
    }

    fn next_token(&mut self, previous: Kind) -> Result<Option<Token>, &'static str> {
        let Some(c) = self.peek(0) else {
            return Ok(None);
        };
        let token = match c {
            b'a'..=b'z' => {
                if previous > Kind::Digit {
                    return Err("a letter may only follow a number, and only one letter");
                }
                self.position += 1;
                Token {
                    kind: Kind::Letter,
                    number: 0,
                    suffix: Suffix::None,
                    start: self.position - 1,
                    end: self.position,
                }
            }
            b'.' | b'0'..=b'9' => {
                if c == b'.' {
                    if previous > Kind::Digit {
                        return Err("`.` may only follow a number");
                    }
                    self.position += 1;
                }
                let kind = match previous {
                    Kind::InitialDigit | Kind::Digit => Kind::Digit,
                    Kind::Suffix => Kind::SuffixNumber,
                    _ => return Err("a number may not follow a letter, suffix number or revision"),
                };
                self.number(kind, "`.` must be followed by a number")?
            }
            b'_' => {
                if previous > Kind::SuffixNumber {
                    return Err("a suffix may not follow a commit hash or revision");
                }
                self.position += 1;
                let (start, end) = self.take_run(u8::is_ascii_lowercase);
                let name = self.text.get(start..end).unwrap_or_default();
                let suffix = std::str::from_utf8(name)
                    .ok()
                    .and_then(Suffix::from_name)
                    .ok_or(
                        "unknown suffix: one of alpha, beta, pre, rc, cvs, svn, git, hg, p \
                         must follow `_`",
                    )?;
                Token {
                    kind: Kind::Suffix,
                    number: 0,
                    suffix,
                    start,
                    end,
                }
            }
            b'~' => {
                if previous >= Kind::CommitHash {
                    return Err("a commit hash may not follow another or a revision");
                }
                self.position += 1;
                let (start, end) = self.take_run(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'));
                if start == end {
                    return Err("`~` must be followed by a lowercase hex commit hash");
                }
                Token {
                    kind: Kind::CommitHash,
                    number: 0,
                    suffix: Suffix::None,
                    start,
                    end,
                }
            }
            b'-' => {
                if previous >= Kind::Revision {
                    return Err("only one `-rN` revision is allowed");
                }
                if self.peek(1) != Some(b'r') {
                    return Err("`-` may only start a `-rN` revision");
                }
                self.position += 2;
                self.number(Kind::Revision, "`-r` must be followed by a number")?
            }
            _ => return Err("unexpected character"),
        };
        Ok(Some(token))
    }
}

impl Iterator for Tokenizer<'_> {
    type Item = Result<Token, &'static str>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let result = match self.previous {
            None => self
                .number(Kind::InitialDigit, "a version must start with a number")
                .map(Some),
            Some(previous) => self.next_token(previous),
        };
        match result {
            Ok(Some(token)) => {
                self.previous = Some(token.kind);
                Some(Ok(token))
            }
            Ok(None) => None,
            Err(reason) => {
                self.failed = true;
                Some(Err(reason))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    /// apk-tools' own vectors (test/unit/version.data in the apk-tools source), one
    /// `a OP b` per line; duplicates and the fuzzy-match (`~`, `<~`, `>~`, `!~`) rows, which
    /// are about dependency matching, not order, are left out.
    const APK_SUITE: &str = include_str!("apk_vectors.txt");

    fn suite() -> impl Iterator<Item = (usize, &'static str, Ordering, &'static str)> {
        APK_SUITE.lines().enumerate().filter_map(|(n, line)| {
            let line = line.split('#').next().unwrap_or("").trim();
            let mut fields = line.split_whitespace();
            let (a, op, b) = (fields.next()?, fields.next()?, fields.next()?);
            let expected = match op {
                "<" => Less,
                "=" => Equal,
                ">" => Greater,
                _ => panic!("line {}: unknown operator {op:?}", n + 1),
            };
            Some((n + 1, a, expected, b))
        })
    }

    /// Rows of apk-tools' table that compare an invalid version: apk-tools compares up to
    /// the invalid part; we reject it.
    const INVALID_IN_SUITE: &[&str] = &["23_foo", "1.0bc"];

    #[test]
    fn apk_suite_vectors() {
        let mut checked = 0;
        for (line, a, expected, b) in suite() {
            if INVALID_IN_SUITE.contains(&a) || INVALID_IN_SUITE.contains(&b) {
                assert!(compare(a, b).is_err(), "line {line}: {a} vs {b}");
                continue;
            }
            assert_eq!(compare(a, b), Ok(expected), "line {line}: {a} vs {b}");
            assert_eq!(
                compare(b, a),
                Ok(expected.reverse()),
                "line {line}: {b} vs {a}"
            );
            checked += 1;
        }
        assert!(checked > 600, "only {checked} vectors read");
    }

    /// apk-tools' validity vectors (the same file; `!` marks an invalid version).
    #[test]
    fn validates_as_apk_does() {
        for version in [
            "1.2",
            "0.1_pre2",
            "0.1_pre2~1234abcd",
            "0.1_p1_pre2",
            "0.1_alpha1_pre2",
            "0.1_git20240101_pre1",
        ] {
            assert!(parse(version).is_ok(), "{version:?} is valid");
        }
        for version in [
            "",
            "0.1bc",
            "0.1bc1",
            "0.1a1",
            "0.1a.1",
            "0.1_pre2~",
            "0.1_pre2~1234xbcd",
            "0.1_pre2~1234abcd_pre1",
            "0.1_pre2-r1~1234xbcd",
            "0.1_foobar",
            "0.1_foobar1",
            "0.1-pre1.1",
            "0.1-r",
            "0.1-r2_pre1",
            "0.1-r2_p3_pre1",
            "0.1-r2-r3",
            "0.1-r2.1",
            ".1",
            "a",
            "_pre1",
            "-r1",
            "0.1_",
            "0.1_-r0",
            "0.1__alpha",
            "0.1_1_alpha",
        ] {
            assert!(parse(version).is_err(), "{version:?} is invalid");
        }
    }

    #[test]
    fn orders_suffixes_around_the_plain_version() {
        let order = [
            "1.0_alpha",
            "1.0_alpha1",
            "1.0_beta",
            "1.0_pre",
            "1.0_rc",
            "1.0_rc1",
            "1.0",
            "1.0-r0",
            "1.0-r1",
            "1.0~abc",
            "1.0_cvs",
            "1.0_svn",
            "1.0_git",
            "1.0_hg",
            "1.0_p",
            "1.0_p1",
            "1.0a",
            "1.0.0",
            "1.00",
            "1.01",
            "1.1",
        ];
        for pair in order.windows(2) {
            let [a, b] = pair else { continue };
            assert_eq!(compare(a, b), Ok(Less), "{a} < {b}");
        }
    }

    #[test]
    fn wraps_numbers_as_apk_does() {
        // 2⁶⁴ + 1 wraps to 1.
        assert_eq!(compare("1.18446744073709551617", "1.1"), Ok(Equal));
        assert_eq!(compare("18446744073709551617", "1"), Ok(Equal));
        assert_eq!(
            parse("1.0-r18446744073709551616").unwrap().revision(),
            Some(0)
        );
    }

    #[test]
    fn rejects_non_ascii_and_uppercase() {
        for version in ["1.0é", "1.0A", "1.0_RC1", "1.0~ABC", "1.0-R1", "1.0 "] {
            assert!(parse(version).is_err(), "{version:?}");
        }
    }
}
