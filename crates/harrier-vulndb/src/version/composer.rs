//! Composer (Packagist) versions: `Composer\Semver\VersionParser::normalize`, then PHP's
//! `version_compare` on the normalised strings, as `Composer\Semver\Comparator` does.
//!
//! Normalisation (composer/semver 3.x, reproduced regex by regex, including PCRE's `$` that
//! also matches before a final newline) accepts:
//!
//! - classical versions, `v1.2.3.4` with one to four numbers (the first at most five digits)
//!   padded to four: `1.2` → `1.2.0.0`;
//! - date versions, `2010-01-02` or `20100102`, separators turned into `.`;
//! - either with a stability suffix (`-alpha2`, `b`, `RC1`, `-patch3`, `pl`, `p`; `-dev`),
//!   spelled out (`1.0.0.0-alpha2`, `-patch3`, `-RC1`) or dropped (`stable`), and an `@`
//!   stability flag or `+build` metadata, both removed;
//! - numeric branches (`1.x-dev`, `2.3.*-dev`, `x` read as `9999999`);
//! - named branches (`dev-main`; `master`, `trunk`, `default` become `dev-master`...).
//!
//! Ordering is `version_compare` on the normalised forms: split at `.`, `-` and letter/digit
//! changes; numbers by value (as C `strtol` reads them, so beyond 2^63 − 1 they are equal),
//! words by rank (`dev` < `alpha` < `beta` < `RC` < a number < `patch`, unknown words before
//! `dev`); when one side runs out, a next number makes the longer version greater and a next
//! word compares against a number. So `1.0-dev` < `1.0-alpha1` < `1.0-beta` < `1.0-RC1` <
//! `1.0` < `1.0-p1`.
//!
//! Named branches are not versions: Composer only ever says whether two are the same, and
//! `version_compare` puts them before every version. [`Version`]'s total order keeps that and
//! orders branches among themselves by name, an arbitrary but stable choice; range matching
//! should treat a branch as equal only to itself.

use std::cmp::Ordering;
use std::fmt;

use super::Invalid;

/// A parsed Composer version.
#[derive(Debug, Clone)]
pub struct Version {
    normalized: Box<str>,
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// `dev-<name>`.
    Branch,
    /// The `version_compare` parts of the normalised version.
    Release(Vec<Part>),
}

/// One `version_compare` part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// A number as `strtol` reads it (saturating at `i64::MAX`).
    Number(u64),
    /// A word, by its rank among PHP's special forms.
    Word(i8),
}

/// The rank `version_compare` gives a number when comparing it with a word.
const NUMBER_RANK: i8 = 4;

impl Version {
    /// Normalises `text` as `(new VersionParser)->normalize($text)` does.
    pub fn parse(text: &str) -> Result<Version, Invalid> {
        let normalized =
            normalize(text).ok_or_else(|| Invalid::new(text, "not a Composer version"))?;
        let kind = if normalized.starts_with("dev-") {
            Kind::Branch
        } else {
            Kind::Release(parts(&normalized))
        };
        Ok(Version {
            normalized: normalized.into(),
            kind,
        })
    }

    /// The normalised version (`1.0.0.0-beta2`, `dev-main`).
    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    /// Whether this is a named branch (`dev-…`), which Composer does not order.
    pub fn is_branch(&self) -> bool {
        self.kind == Kind::Branch
    }
}

/// Orders two versions.
pub fn compare(a: &str, b: &str) -> Result<Ordering, Invalid> {
    Ok(Version::parse(a)?.cmp(&Version::parse(b)?))
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        match (&self.kind, &other.kind) {
            (Kind::Branch, Kind::Branch) => self.normalized.cmp(&other.normalized),
            (Kind::Branch, Kind::Release(_)) => Ordering::Less,
            (Kind::Release(_), Kind::Branch) => Ordering::Greater,
            (Kind::Release(a), Kind::Release(b)) => compare_parts(a, b),
        }
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

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.normalized)
    }
}

/// `php_version_compare` on two canonical part lists. A missing part compares like a number
/// smaller than every number: less than a next number, and by rank against a next word.
fn compare_parts(a: &[Part], b: &[Part]) -> Ordering {
    let key = |part: Option<&Part>| match part {
        None => (NUMBER_RANK, 0),
        Some(Part::Number(n)) => (NUMBER_RANK, n.saturating_add(1)),
        Some(Part::Word(rank)) => (*rank, 0),
    };
    (0..a.len().max(b.len()))
        .map(|i| key(a.get(i)).cmp(&key(b.get(i))))
        .find(|result| *result != Ordering::Equal)
        .unwrap_or(Ordering::Equal)
}

/// The parts `php_canonicalize_version` and the `.` split give for a normalised version:
/// maximal runs of digits or of letters.
fn parts(normalized: &str) -> Vec<Part> {
    let bytes = normalized.as_bytes();
    let mut parts = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let class = |c: &u8| (c.is_ascii_digit(), c.is_ascii_alphabetic());
        if !b.is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let len = bytes.get(i..).map_or(0, |rest| {
            rest.iter().take_while(|c| class(c) == class(&b)).count()
        });
        let run = normalized.get(i..i + len).unwrap_or("");
        parts.push(if b.is_ascii_digit() {
            Part::Number(strtol(run))
        } else {
            Part::Word(special_form_rank(run))
        });
        i += len;
    }
    parts
}

/// C `strtol` on a digit run: its value, or `LONG_MAX` when it overflows.
fn strtol(digits: &str) -> u64 {
    let max = i64::MAX.unsigned_abs();
    digits.bytes().fold(0u64, |n, d| {
        n.saturating_mul(10)
            .saturating_add(u64::from(d.saturating_sub(b'0')))
            .min(max)
    })
}

/// `compare_special_version_forms`: the first special form that prefixes the word, or -1.
fn special_form_rank(word: &str) -> i8 {
    const FORMS: [(&str, i8); 10] = [
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("#", 4),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS
        .iter()
        .find(|(form, _)| word.starts_with(form))
        .map_or(-1, |(_, rank)| *rank)
}

/// PHP's `trim()` characters.
fn is_php_trim(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\0' | '\u{0B}')
}

/// PCRE's `\s` (without UTF or UCP): ASCII space, tab, newline, vertical tab, form feed,
/// carriage return.
fn is_pcre_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

/// PCRE's `$` (not multiline, no `D` flag): at the end, or before a newline that ends the text.
fn at_end(text: &[u8], pos: usize) -> bool {
    pos == text.len() || (pos + 1 == text.len() && text.get(pos) == Some(&b'\n'))
}

/// The length of the longest prefix of `text` whose bytes satisfy `keep`.
fn run_len(text: &[u8], keep: impl Fn(u8) -> bool) -> usize {
    text.iter().take_while(|b| keep(**b)).count()
}

/// `VersionParser::normalize`, or `None` where it throws.
fn normalize(text: &str) -> Option<String> {
    let trimmed = text.trim_matches(is_php_trim);
    let version = strip_alias(trimmed);
    let version = strip_stability_flag(version);
    let branch_alias;
    let version = match version {
        "master" | "trunk" | "default" => {
            branch_alias = format!("dev-{version}");
            branch_alias.as_str()
        }
        other => other,
    };
    if version
        .as_bytes()
        .get(..4)
        .is_some_and(|head| head.eq_ignore_ascii_case(b"dev-"))
    {
        return Some(format!("dev-{}", version.get(4..).unwrap_or("")));
    }
    let version = strip_build_metadata(version);
    classical(version)
        .or_else(|| date_based(version))
        .or_else(|| numeric_branch(version))
}

/// `{^([^,\s]++) ++as ++([^,\s]++)$}`: `1.0.x-dev as 1.0.0` is `1.0.x-dev`.
fn strip_alias(version: &str) -> &str {
    let bytes = version.as_bytes();
    let plain = |b: u8| b != b',' && !is_pcre_space(b);
    let source = run_len(bytes, plain);
    let mut pos = source;
    let spaces = run_len(bytes.get(pos..).unwrap_or(&[]), |b| b == b' ');
    pos += spaces;
    if source == 0 || spaces == 0 || bytes.get(pos..pos + 2) != Some(b"as") {
        return version;
    }
    pos += 2;
    let spaces = run_len(bytes.get(pos..).unwrap_or(&[]), |b| b == b' ');
    pos += spaces;
    let target = run_len(bytes.get(pos..).unwrap_or(&[]), plain);
    if spaces == 0 || target == 0 || !at_end(bytes, pos + target) {
        return version;
    }
    version.get(..source).unwrap_or(version)
}

/// `{@(?:stable|RC|beta|alpha|dev)$}i`, removed.
fn strip_stability_flag(version: &str) -> &str {
    let bytes = version.as_bytes();
    let end = if bytes.last() == Some(&b'\n') {
        bytes.len() - 1
    } else {
        bytes.len()
    };
    for flag in ["stable", "rc", "beta", "alpha", "dev"] {
        let Some(start) = end.checked_sub(flag.len() + 1) else {
            continue;
        };
        let matched = bytes.get(start) == Some(&b'@')
            && bytes
                .get(start + 1..end)
                .is_some_and(|word| word.eq_ignore_ascii_case(flag.as_bytes()));
        if matched {
            // PHP removes strlen($match[0]) bytes from the end, the newline included.
            return version
                .get(..bytes.len() - (flag.len() + 1))
                .unwrap_or(version);
        }
    }
    version
}

/// `{^([^,\s+]++)\+[^\s]++$}`: `1.0.0+build.1` is `1.0.0`.
fn strip_build_metadata(version: &str) -> &str {
    let bytes = version.as_bytes();
    let head = run_len(bytes, |b| b != b',' && b != b'+' && !is_pcre_space(b));
    if head == 0 || bytes.get(head) != Some(&b'+') {
        return version;
    }
    let tail = run_len(bytes.get(head + 1..).unwrap_or(&[]), |b| !is_pcre_space(b));
    if tail == 0 || !at_end(bytes, head + 1 + tail) {
        return version;
    }
    version.get(..head).unwrap_or(version)
}

/// The text after an optional `v` (either case).
fn after_v(version: &str) -> &str {
    match version.as_bytes().first() {
        Some(b'v' | b'V') => version.get(1..).unwrap_or(""),
        _ => version,
    }
}

/// `{^v?(\d{1,5})(\.\d++)?(\.\d++)?(\.\d++)?<modifier>$}i`, padded to four numbers.
fn classical(version: &str) -> Option<String> {
    let rest = after_v(version);
    let bytes = rest.as_bytes();
    let major = run_len(bytes, |b| b.is_ascii_digit());
    if !(1..=5).contains(&major) {
        return None;
    }
    let mut normalized = rest.get(..major)?.to_owned();
    let mut pos = major;
    let mut numbers = 1;
    while numbers < 4 && bytes.get(pos) == Some(&b'.') {
        let digits = run_len(bytes.get(pos + 1..).unwrap_or(&[]), |b| b.is_ascii_digit());
        if digits == 0 {
            break;
        }
        normalized.push_str(rest.get(pos..pos + 1 + digits)?);
        pos += 1 + digits;
        numbers += 1;
    }
    for _ in numbers..4 {
        normalized.push_str(".0");
    }
    let modifier = Modifier::parse(bytes, pos)?;
    Some(modifier.apply(normalized))
}

/// `{^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3})?)<modifier>$}i`, separators made `.`.
fn date_based(version: &str) -> Option<String> {
    let rest = after_v(version);
    let bytes = rest.as_bytes();
    // The date takes every digit before the modifier: a modifier cannot start with a digit or
    // `:`, and digits inside it only follow a stability word.
    let run = run_len(bytes, |b| {
        b.is_ascii_digit() || matches!(b, b'.' | b':' | b'-')
    });
    let date_len = bytes.get(..run)?.iter().rposition(u8::is_ascii_digit)? + 1;
    let date = bytes.get(..date_len)?;
    if !date_pattern_matches(date) {
        return None;
    }
    let modifier = Modifier::parse(bytes, date_len)?;
    let normalized = date
        .iter()
        .map(|b| {
            if b.is_ascii_digit() {
                char::from(*b)
            } else {
                '.'
            }
        })
        .collect();
    Some(modifier.apply(normalized))
}

/// Whether all of `date` matches `\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3})?`, trying every
/// way the quantifiers can split it (as the backtracking regex does).
fn date_pattern_matches(date: &[u8]) -> bool {
    fn digits_at(date: &[u8], pos: usize, count: usize) -> bool {
        date.get(pos..pos + count)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    }
    fn separator_len(date: &[u8], pos: usize) -> usize {
        usize::from(matches!(date.get(pos), Some(b'.' | b':' | b'-')))
    }
    /// The optional `(?:[.:-]?\d{1,3})?` tail, then the end.
    fn tail(date: &[u8], pos: usize) -> bool {
        if pos == date.len() {
            return true;
        }
        let digits_start = pos + separator_len(date, pos);
        let digits = date.len().saturating_sub(digits_start);
        (1..=3).contains(&digits) && digits_at(date, digits_start, digits)
    }
    /// `(?:[.:-]?\d{2}){done..6}` from `pos`, then the tail.
    fn pairs(date: &[u8], pos: usize, done: usize) -> bool {
        if done >= 1 && tail(date, pos) {
            return true;
        }
        if done == 6 {
            return false;
        }
        let digits_start = pos + separator_len(date, pos);
        digits_at(date, digits_start, 2) && pairs(date, digits_start + 2, done + 1)
    }
    date.len() <= 32 && digits_at(date, 0, 4) && pairs(date, 4, 0)
}

/// `{(.*?)[.-]?dev$}i` and `normalizeBranch`: `1.x-dev` → `1.9999999.9999999.9999999-dev`.
fn numeric_branch(version: &str) -> Option<String> {
    let bytes = version.as_bytes();
    let end = if bytes.last() == Some(&b'\n') {
        bytes.len() - 1
    } else {
        bytes.len()
    };
    let dev_start = end.checked_sub(3)?;
    if !bytes.get(dev_start..end)?.eq_ignore_ascii_case(b"dev") {
        return None;
    }
    // The lazy group ends as early as it can: before a `.` or `-` that precedes `dev`.
    let name_end = match dev_start.checked_sub(1).and_then(|i| bytes.get(i)) {
        Some(b'.' | b'-') => dev_start - 1,
        _ => dev_start,
    };
    // `.` does not match a newline, so the match starts after the last one before the name.
    let name_start = bytes
        .get(..name_end)?
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let name = version.get(name_start..name_end)?.trim_matches(is_php_trim);
    normalize_numeric_branch(name)
}

/// `normalizeBranch` when its numeric pattern matches
/// (`{^v?(\d++)(\.(?:\d++|[xX*]))?(\.(?:\d++|[xX*]))?(\.(?:\d++|[xX*]))?$}i`).
fn normalize_numeric_branch(name: &str) -> Option<String> {
    let rest = after_v(name);
    let bytes = rest.as_bytes();
    let major = run_len(bytes, |b| b.is_ascii_digit());
    if major == 0 {
        return None;
    }
    let mut normalized = rest.get(..major)?.to_owned();
    let mut pos = major;
    let mut numbers = 1;
    while numbers < 4 && bytes.get(pos) == Some(&b'.') {
        let digits = run_len(bytes.get(pos + 1..).unwrap_or(&[]), |b| b.is_ascii_digit());
        let len = match bytes.get(pos + 1) {
            _ if digits > 0 => digits,
            Some(b'x' | b'X' | b'*') => 1,
            _ => break,
        };
        normalized.push('.');
        normalized.push_str(rest.get(pos + 1..pos + 1 + len)?);
        pos += 1 + len;
        numbers += 1;
    }
    if !at_end(bytes, pos) {
        return None;
    }
    for _ in numbers..4 {
        normalized.push_str(".x");
    }
    let normalized = normalized.replace(['X', '*'], "x").replace('x', "9999999");
    Some(normalized + "-dev")
}

/// What the `$modifierRegex` part (`[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?([.-]?dev)?`
/// then `$`) captured.
struct Modifier<'t> {
    /// The stability word as written.
    stability: Option<&'t str>,
    /// The digits after it, with their separators.
    number: &'t str,
    dev: bool,
}

impl<'t> Modifier<'t> {
    /// Stability words in alternation order: the first that matches is the one kept, and a
    /// shorter one could only leave letters that no later part accepts.
    const STABILITIES: [&'static str; 9] = [
        "stable", "beta", "b", "rc", "alpha", "a", "patch", "pl", "p",
    ];

    /// Parses `bytes[pos..]`, which must be all modifier.
    fn parse(bytes: &'t [u8], pos: usize) -> Option<Modifier<'t>> {
        let mut pos = pos;
        if matches!(bytes.get(pos), Some(b'.' | b'_' | b'-')) {
            pos += 1;
        }
        let rest = bytes.get(pos..)?;
        let stability = Modifier::STABILITIES
            .iter()
            .find(|word| {
                rest.get(..word.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(word.as_bytes()))
            })
            .and_then(|word| {
                let found = std::str::from_utf8(rest.get(..word.len())?).ok();
                pos += word.len();
                found
            });
        let number_start = pos;
        if stability.is_some() {
            loop {
                let separator = usize::from(matches!(bytes.get(pos), Some(b'.' | b'-')));
                let digits = run_len(bytes.get(pos + separator..).unwrap_or(&[]), |b| {
                    b.is_ascii_digit()
                });
                if digits == 0 {
                    break;
                }
                pos += separator + digits;
            }
        }
        let number = std::str::from_utf8(bytes.get(number_start..pos)?).ok()?;
        let separator = usize::from(matches!(bytes.get(pos), Some(b'.' | b'-')));
        let dev = bytes
            .get(pos + separator..pos + separator + 3)
            .is_some_and(|word| word.eq_ignore_ascii_case(b"dev"));
        if dev {
            pos += separator + 3;
        }
        at_end(bytes, pos).then_some(Modifier {
            stability,
            number,
            dev,
        })
    }

    /// Appends the normalised suffix to the normalised numbers.
    fn apply(&self, mut normalized: String) -> String {
        if let Some(stability) = self.stability {
            // Only the lower-case spelling returns early (PHP's `===`); `STABLE` goes on
            // to be written as `-stable`.
            if stability == "stable" {
                return normalized;
            }
            normalized.push('-');
            normalized.push_str(expand_stability(stability));
            normalized.push_str(self.number.trim_start_matches(['.', '-']));
        }
        if self.dev {
            normalized.push_str("-dev");
        }
        normalized
    }
}

/// `expandStability`.
fn expand_stability(stability: &str) -> &'static str {
    match stability.to_ascii_lowercase().as_str() {
        "a" | "alpha" => "alpha",
        "b" | "beta" => "beta",
        "p" | "pl" | "patch" => "patch",
        "rc" => "RC",
        _ => "stable",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(text: &str) -> String {
        match Version::parse(text) {
            Ok(version) => version.normalized().to_owned(),
            Err(invalid) => panic!("{text:?}: {}", invalid.reason),
        }
    }

    /// composer/semver's `VersionParserTest::successfulNormalizedVersions` as composer/semver
    /// 3.3 answers (older copies of the test map `dev-master` to `9999999-dev`), with cases
    /// checked against it.
    #[test]
    fn composer_normalize_table() {
        let table = [
            ("1.0.0", "1.0.0.0"),
            ("1.2.3.4", "1.2.3.4"),
            ("1.0.0RC1dev", "1.0.0.0-RC1-dev"),
            ("1.0.0-rC15-dev", "1.0.0.0-RC15-dev"),
            ("1.0.0.RC.15-dev", "1.0.0.0-RC15-dev"),
            ("1.0.0-rc1", "1.0.0.0-RC1"),
            ("1.0.0.pl3-dev", "1.0.0.0-patch3-dev"),
            ("1.0-dev", "1.0.0.0-dev"),
            ("0", "0.0.0.0"),
            ("10.4.13-beta", "10.4.13.0-beta"),
            ("10.4.13beta2", "10.4.13.0-beta2"),
            ("10.4.13beta.2", "10.4.13.0-beta2"),
            ("v1.13.11-beta.0", "1.13.11.0-beta0"),
            ("1.13.11.0-beta0", "1.13.11.0-beta0"),
            ("10.4.13-b", "10.4.13.0-beta"),
            ("10.4.13-b5", "10.4.13.0-beta5"),
            ("v1.0.0", "1.0.0.0"),
            ("v20100102", "20100102"),
            ("2010.01", "2010.01.0.0"),
            ("2010.01.02", "2010.01.02.0"),
            ("2010-01-02", "2010.01.02"),
            ("2010-01-02.5", "2010.01.02.5"),
            ("2010.1.555", "2010.1.555.0"),
            ("2010-01-02-10-20-30.5", "2010.01.02.10.20.30.5"),
            ("20100102-203040", "20100102.203040"),
            ("20100102203040-10", "20100102203040.10"),
            ("20100102-203040-p1", "20100102.203040-patch1"),
            ("201903.0", "201903.0"),
            ("201903.0-p2", "201903.0-patch2"),
            ("20100102203040-10-p1", "20100102203040.10-patch1"),
            ("dev-master as foo-bar", "dev-master"),
            ("dev-master", "dev-master"),
            ("dev-trunk", "dev-trunk"),
            ("1.x-dev", "1.9999999.9999999.9999999-dev"),
            ("dev-feature-foo", "dev-feature-foo"),
            ("DEV-FOOBAR", "dev-FOOBAR"),
            ("dev-feature/foo", "dev-feature/foo"),
            ("dev-feature+issue-1", "dev-feature+issue-1"),
            (
                "dev-load-varnish-only-when-used as ^2.0",
                "dev-load-varnish-only-when-used",
            ),
            (
                "dev-load-varnish-only-when-used@dev as ^2.0@dev",
                "dev-load-varnish-only-when-used",
            ),
            ("dev-master as 1.0.0", "dev-master"),
            ("1.0.0+foo@dev", "1.0.0.0"),
            ("master", "dev-master"),
            ("trunk", "dev-trunk"),
            ("1.0.0+foo", "1.0.0.0"),
            ("1.0.0-beta.5+foo", "1.0.0.0-beta5"),
            ("1.0.0+foo.bar.1", "1.0.0.0"),
            ("1.0.0-alpha.3.1+foo/bar", "1.0.0.0-alpha3.1"),
            ("1.0.0-rc.1+bar-2", "1.0.0.0-RC1"),
            ("1.0.0-BETA.1", "1.0.0.0-beta1"),
            ("1.0.0-STABLE", "1.0.0.0-stable"),
            ("1.0.0-stable1-dev", "1.0.0.0"),
            ("00.01.03.04", "00.01.03.04"),
            ("000.001.003.004", "000.001.003.004"),
            ("0.000.103.204", "0.000.103.204"),
            ("0700", "0700.0.0.0"),
            ("041.x-dev", "041.9999999.9999999.9999999-dev"),
            ("dev-041.003", "dev-041.003"),
            ("dev-1.2.3@dev", "dev-1.2.3"),
            ("1.0.0-patch", "1.0.0.0-patch"),
            ("1.0.0-p1", "1.0.0.0-patch1"),
            ("1.0.0-pl1", "1.0.0.0-patch1"),
            ("1.0-", "1.0.0.0"),
            ("1.0.", "1.0.0.0"),
        ];
        for (input, expected) in table {
            assert_eq!(normalized(input), expected, "{input:?}");
        }
    }

    /// composer/semver's `VersionParserTest::failingNormalizedVersions`.
    #[test]
    fn composer_invalid_table() {
        let invalid = [
            "",
            "a",
            "1.0.0-meh",
            "1.0.0.0.0",
            "feature-foo",
            "1.0.0+foo bar",
            "1.0.0-SNAPSHOT",
            "1.0.0-beta.1-dev.2",
            "1.0.0.-beta",
            "1.0.0 as 1.2.3 as 2.0.0",
            "123456.0.0",
            "2010-01-02-10-20-30-0-3",
            "2010-01-02-10-20-30.0.3",
        ];
        for text in invalid {
            assert!(Version::parse(text).is_err(), "{text:?} is invalid");
        }
    }

    #[test]
    fn stabilities_order_like_version_compare() {
        let ordered = [
            "dev-foo",
            "1.0.0-dev",
            "1.0.0-alpha",
            "1.0.0-alpha1",
            "1.0.0-alpha2",
            "1.0.0-beta1",
            "1.0.0-RC1",
            "1.0.0-RC2",
            "1.0.0",
            "1.0.0-p1",
            "1.0.0-patch2",
            "1.0.0.1",
            "1.0.1-dev",
            "1.0.1",
            "1.x-dev",
        ];
        for (i, a) in ordered.iter().enumerate() {
            for (j, b) in ordered.iter().enumerate() {
                assert_eq!(compare(a, b), Ok(i.cmp(&j)), "{a} vs {b}");
            }
        }
        assert_eq!(compare("1.01", "1.1"), Ok(Ordering::Equal));
        assert_eq!(compare("v1.0", "1.0.0.0"), Ok(Ordering::Equal));
    }
}
