//! apk: no reference implementation runs here (apk-tools is not packaged for Debian), so the
//! corpus's Alpine versions and generated ones are checked against the grammar, written
//! independently below, and for being totally ordered. apk-tools' own vectors are in the unit
//! tests.

use harrier_vulndb::version::apk;

use crate::generate::{self, Rng};
use crate::order::{check_total_order, sample};

const TAILS: &[&str] = &[
    "-r0",
    "-r1",
    "_rc1",
    "_p1",
    "_alpha",
    "_git20240101",
    "a",
    ".0",
    ".01",
    "~1a2b",
    "_pre",
    "-r",
    "_",
    "b",
    "_foo",
    "-1",
    ".",
    "~",
];

const SUFFIXES: &[&[u8]] = &[
    b"alpha", b"beta", b"pre", b"rc", b"cvs", b"svn", b"git", b"hg", b"p",
];

/// Consumes a run of `class` at `*at`; its length.
fn run(text: &[u8], at: &mut usize, class: fn(&u8) -> bool) -> usize {
    let start = *at;
    while text.get(*at).is_some_and(class) {
        *at += 1;
    }
    *at - start
}

/// apk-tools' grammar, `number{.number}[letter]{_suffix[number]}[~hash][-rN]`, as a
/// straight-line matcher.
fn is_in_grammar(version: &str) -> bool {
    let text = version.as_bytes();
    let mut at = 0;
    if run(text, &mut at, u8::is_ascii_digit) == 0 {
        return false;
    }
    while text.get(at) == Some(&b'.') {
        at += 1;
        if run(text, &mut at, u8::is_ascii_digit) == 0 {
            return false;
        }
    }
    if text.get(at).is_some_and(u8::is_ascii_lowercase) {
        at += 1;
    }
    while text.get(at) == Some(&b'_') {
        at += 1;
        let start = at;
        run(text, &mut at, u8::is_ascii_lowercase);
        if !SUFFIXES.contains(&&text[start..at]) {
            return false;
        }
        run(text, &mut at, u8::is_ascii_digit);
    }
    if text.get(at) == Some(&b'~') {
        at += 1;
        if run(text, &mut at, |c| matches!(c, b'0'..=b'9' | b'a'..=b'f')) == 0 {
            return false;
        }
    }
    if text[at..].starts_with(b"-r") {
        at += 2;
        if run(text, &mut at, u8::is_ascii_digit) == 0 {
            return false;
        }
    }
    at == text.len()
}

#[test]
fn corpus_versions_are_valid_exactly_when_in_the_grammar() {
    let Some(corpus) = crate::corpus::apk_versions() else {
        return;
    };
    let mut invalid = Vec::new();
    for version in &corpus {
        let parsed = apk::parse(version);
        assert_eq!(
            parsed.is_ok(),
            is_in_grammar(version),
            "{version:?}: {parsed:?}"
        );
        if parsed.is_err() {
            invalid.push(version.as_str());
        }
    }
    // Alpine's secdb has a few malformed keys (`2.7.16-33`, `10.2.22.r0`); apk-tools rejects
    // them too.
    eprintln!(
        "{} corpus versions, {} invalid: {invalid:?}",
        corpus.len(),
        invalid.len()
    );
    assert!(corpus.len() > 1000, "only {} corpus versions", corpus.len());
    assert!(
        invalid.len() * 50 < corpus.len(),
        "{} invalid: {invalid:?}",
        invalid.len()
    );
}

#[test]
fn generated_versions_are_valid_exactly_when_in_the_grammar() {
    let mut rng = Rng::new(21);
    let (mut valid, mut invalid) = (0, 0);
    for _ in 0..20_000 {
        let version = generate::apk(&mut rng);
        assert!(apk::parse(&version).is_ok(), "{version:?}");
        let edited = generate::edit(&mut rng, &version, TAILS);
        let parsed = apk::parse(&edited);
        assert_eq!(
            parsed.is_ok(),
            is_in_grammar(&edited),
            "{edited:?}: {parsed:?}"
        );
        if parsed.is_ok() {
            valid += 1;
        } else {
            invalid += 1;
        }
    }
    assert!(
        valid > 5000 && invalid > 2000,
        "{valid} valid, {invalid} invalid edits"
    );
}

#[test]
fn is_a_total_order() {
    let Some(mut pool) = crate::corpus::apk_versions() else {
        return;
    };
    let mut rng = Rng::new(22);
    let generated = pool.len() * 2;
    pool.extend((0..generated).map(|_| generate::apk(&mut rng)));
    let mut versions: Vec<apk::Version> = pool.iter().filter_map(|v| apk::parse(v).ok()).collect();
    let edited: Vec<apk::Version> = pool
        .iter()
        .filter_map(|v| apk::parse(&generate::edit(&mut rng, v, TAILS)).ok())
        .collect();
    versions.extend(edited);
    let checked = check_total_order(&sample(&versions, 2500), 23);
    assert!(checked > 1_000_000);
    for (a, b) in versions.iter().zip(versions.iter().rev()).take(5000) {
        assert_eq!(apk::compare(a.as_str(), b.as_str()), Ok(a.cmp(b)));
    }
}
