//! Version strings from small grammars of each scheme, seeded and deterministic.
//!
//! Each grammar draws from a few realistic spellings (so pairs often share a prefix and the
//! deciding part is the interesting one), adds the edge cases each reference is known for
//! (sizes at the integer limits, leading zeros, separators, letter case, whitespace), and
//! mutates a share of the results with one random edit to reach the error paths.

use crate::support::{Rng, mutate};

/// `count` strings from `one`, a tenth of them mutated with `alphabet`.
fn pool(
    seed: u64,
    count: usize,
    alphabet: &[char],
    mut one: impl FnMut(&mut Rng) -> String,
) -> Vec<String> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|_| {
            let text = one(&mut rng);
            if rng.chance(10) {
                mutate(&mut rng, &text, alphabet)
            } else {
                text
            }
        })
        .collect()
}

fn number(rng: &mut Rng, big: &[&str]) -> String {
    if rng.chance(4) {
        return rng.word(big).to_owned();
    }
    rng.word(&["0", "0", "1", "1", "2", "3", "9", "10", "11", "20", "100"])
        .to_owned()
}

/// SemVer-shaped strings for the npm, Cargo, strict and Go readings.
pub fn semver(seed: u64, count: usize) -> Vec<String> {
    const BIG: [&str; 8] = [
        "01",
        "00",
        "9007199254740991",
        "9007199254740992",
        "18446744073709551615",
        "18446744073709551616",
        "123456789012345678901234567890",
        "999999999999999",
    ];
    const IDENTIFIERS: [&str; 22] = [
        "alpha",
        "beta",
        "rc",
        "pre",
        "0",
        "1",
        "2",
        "10",
        "01",
        "x-y",
        "-",
        "a1",
        "1a",
        "A",
        "Z",
        "9007199254740993",
        "9007199254740992",
        "90071992547409931",
        "20191109021931-daa7c04131f5",
        "0.20191109021931-daa7c04131f5",
        "",
        "ä",
    ];
    const BUILDS: [&str; 6] = ["build", "001", "incompatible", "sha.5114f85", "", "a+b"];
    const PREFIXES: [&str; 10] = ["v", "v", "", "", "=", "V", "vv", " ", "\u{FEFF}", "\u{85}"];
    const SUFFIXES: [&str; 6] = [" ", "\n", "\t\u{3000}", "\u{85}", ".", "-"];
    let alphabet = ['.', '-', '+', '0', '1', 'a', 'Z', 'v', ' '];
    pool(seed, count, &alphabet, |rng| {
        let mut text = String::new();
        if rng.chance(25) {
            text.push_str(rng.word(&PREFIXES));
        }
        let parts = if rng.chance(8) { 1 + rng.below(2) } else { 3 };
        for i in 0..parts {
            if i > 0 {
                text.push('.');
            }
            text.push_str(&number(rng, &BIG));
        }
        if rng.chance(45) {
            text.push('-');
            for i in 0..1 + rng.below(3) {
                if i > 0 {
                    text.push('.');
                }
                text.push_str(rng.word(&IDENTIFIERS));
            }
        }
        if rng.chance(15) {
            text.push('+');
            text.push_str(rng.word(&BUILDS));
        }
        if rng.chance(5) {
            text.push_str(rng.word(&SUFFIXES));
        }
        text
    })
}

/// PEP 440 strings with every spelling packaging normalises.
pub fn pep440(seed: u64, count: usize) -> Vec<String> {
    const BIG: [&str; 4] = [
        "00",
        "007",
        "18446744073709551616",
        "123456789012345678901234567890",
    ];
    const SEPARATORS: [&str; 6] = ["", "", ".", "-", "_", ".."];
    const PRE: [&str; 12] = [
        "a", "b", "rc", "c", "alpha", "beta", "pre", "preview", "A", "RC", "Alpha", "PREVIEW",
    ];
    const POST: [&str; 6] = ["post", "rev", "r", "POST", "Rev", "-"];
    const LOCAL: [&str; 10] = [
        "abc", "ubuntu", "1", "01", "12", "AbC", "deadbeef", "x1", "0", "",
    ];
    const SPACES: [&str; 7] = [" ", "\t", "\n", "\u{85}", "\u{1C}", "\u{A0}", "\u{FEFF}"];
    let alphabet = ['.', '-', '_', '+', '!', '0', '1', 'a', 'r', 'v', ' '];
    pool(seed, count, &alphabet, |rng| {
        let mut text = String::new();
        if rng.chance(5) {
            text.push_str(rng.word(&SPACES));
        }
        if rng.chance(10) {
            text.push_str(rng.word(&["v", "V"]));
        }
        if rng.chance(10) {
            text.push_str(&number(rng, &BIG));
            text.push('!');
        }
        for i in 0..1 + rng.below(4) {
            if i > 0 {
                text.push('.');
            }
            text.push_str(&number(rng, &BIG));
        }
        if rng.chance(35) {
            text.push_str(rng.word(&SEPARATORS));
            text.push_str(rng.word(&PRE));
            text.push_str(rng.word(&SEPARATORS));
            if rng.chance(70) {
                text.push_str(&number(rng, &BIG));
            }
        }
        if rng.chance(25) {
            let spelling = rng.word(&POST);
            if spelling == "-" {
                text.push('-');
                text.push_str(&number(rng, &BIG));
            } else {
                text.push_str(rng.word(&SEPARATORS));
                text.push_str(spelling);
                text.push_str(rng.word(&SEPARATORS));
                if rng.chance(70) {
                    text.push_str(&number(rng, &BIG));
                }
            }
        }
        if rng.chance(25) {
            text.push_str(rng.word(&SEPARATORS));
            text.push_str(rng.word(&["dev", "DEV", "Dev"]));
            text.push_str(rng.word(&SEPARATORS));
            if rng.chance(60) {
                text.push_str(&number(rng, &BIG));
            }
        }
        if rng.chance(20) {
            text.push('+');
            for i in 0..1 + rng.below(3) {
                if i > 0 {
                    text.push_str(rng.word(&[".", "-", "_"]));
                }
                text.push_str(rng.word(&LOCAL));
            }
        }
        if rng.chance(5) {
            text.push_str(rng.word(&SPACES));
        }
        text
    })
}

/// Maven strings: tokens of every kind `ComparableVersion` distinguishes, joined by `.`,
/// `-` or nothing. Printable ASCII without newlines, since they travel as arguments.
pub fn maven(seed: u64, count: usize) -> Vec<String> {
    const TOKENS: [&str; 40] = [
        "1",
        "1",
        "0",
        "0",
        "2",
        "10",
        "00",
        "123456789",
        "1234567890",
        "0000000000",
        "999999999999999999",
        "1000000000000000000",
        "0000000000000000000",
        "alpha",
        "a",
        "b",
        "m",
        "beta",
        "milestone",
        "rc",
        "cr",
        "CR",
        "snapshot",
        "SNAPSHOT",
        "ga",
        "final",
        "Final",
        "release",
        "RELEASE",
        "sp",
        "foo",
        "x",
        "abc",
        "jre",
        "android",
        "M",
        "_",
        "+b",
        "",
        " ",
    ];
    let alphabet = ['.', '-', '0', '1', 'a', 'b', 'm', 'z', '_'];
    pool(seed, count, &alphabet, |rng| {
        let mut text = String::new();
        for i in 0..1 + rng.below(7) {
            if i > 0 {
                text.push_str(rng.word(&[".", ".", "-", "-", ""]));
            }
            text.push_str(rng.word(&TOKENS));
        }
        text
    })
}

/// RubyGems strings: numeric and letter segments, `-` prereleases, surrounding whitespace.
pub fn rubygems(seed: u64, count: usize) -> Vec<String> {
    const SEGMENTS: [&str; 18] = [
        "0",
        "0",
        "1",
        "1",
        "2",
        "10",
        "00",
        "a",
        "b",
        "rc",
        "pre",
        "A",
        "beta1",
        "1a",
        "a10",
        "a9",
        "z",
        "123456789012345678901234567890",
    ];
    const SPACES: [&str; 6] = [" ", "\t", "\n", "\r\n", "\u{0B}", "\u{A0}"];
    let alphabet = ['.', '-', '0', '1', 'a', 'Z', ' ', '+', '_'];
    pool(seed, count, &alphabet, |rng| {
        let mut text = String::new();
        if rng.chance(5) {
            text.push_str(rng.word(&SPACES));
        }
        if rng.chance(3) {
            return text;
        }
        text.push_str(rng.word(&["0", "1", "1", "2", "3", "10", "01"]));
        for _ in 0..rng.below(4) {
            text.push('.');
            text.push_str(rng.word(&SEGMENTS));
        }
        if rng.chance(20) {
            text.push('-');
            for i in 0..1 + rng.below(2) {
                if i > 0 {
                    text.push('.');
                }
                text.push_str(rng.word(&["alpha", "1", "rc", "-", "x-y", "0"]));
            }
        }
        if rng.chance(5) {
            text.push_str(rng.word(&SPACES));
        }
        text
    })
}

/// Composer strings: classical and date versions, stability suffixes in every spelling,
/// build metadata, stability flags, aliases and branches.
pub fn composer(seed: u64, count: usize) -> Vec<String> {
    const STABILITIES: [&str; 16] = [
        "alpha", "a", "beta", "b", "RC", "rc", "Rc", "patch", "pl", "p", "stable", "STABLE",
        "Stable", "dev", "DEV", "meh",
    ];
    const BRANCHES: [&str; 14] = [
        "dev-master",
        "dev-main",
        "DEV-Foo",
        "dev-",
        "master",
        "trunk",
        "default",
        "feature-foo",
        "1.x-dev",
        "2.3.*-dev",
        "v1.X-dev",
        "1.0.x-dev",
        "1.2.3.x-dev",
        "dev-1.0",
    ];
    const DECORATIONS: [&str; 10] = [
        "@dev",
        "@stable",
        "@RC",
        "+build.1",
        "+foo/bar",
        " as 1.0.0",
        " as dev-main",
        "\n",
        " ",
        "@beta\n",
    ];
    let alphabet = ['.', '-', '_', ':', '0', '1', 'a', 'v', 'x', ' ', '@', '+'];
    pool(seed, count, &alphabet, |rng| {
        if rng.chance(8) {
            return rng.word(&BRANCHES).to_owned();
        }
        let mut text = String::new();
        if rng.chance(10) {
            text.push_str(rng.word(&["v", "V"]));
        }
        if rng.chance(12) {
            text.push_str(rng.word(&["2010", "20100102", "201001021", "2010010203040506"]));
            for _ in 0..rng.below(4) {
                text.push_str(rng.word(&[".", "-", ":", ""]));
                text.push_str(rng.word(&["01", "02", "1", "123", "1234"]));
            }
        } else {
            text.push_str(rng.word(&["0", "1", "1", "2", "10", "01", "12345", "123456"]));
            for _ in 0..rng.below(5) {
                text.push('.');
                text.push_str(rng.word(&[
                    "0",
                    "1",
                    "2",
                    "00",
                    "10",
                    "99999999999999999999",
                    "x",
                    "*",
                ]));
            }
        }
        if rng.chance(40) {
            text.push_str(rng.word(&["", "", "-", ".", "_"]));
            text.push_str(rng.word(&STABILITIES));
            for _ in 0..rng.below(3) {
                text.push_str(rng.word(&["", ".", "-"]));
                text.push_str(rng.word(&["1", "2", "10", "0"]));
            }
        }
        if rng.chance(15) {
            text.push_str(rng.word(&["-dev", ".dev", "dev", "-DEV"]));
        }
        if rng.chance(15) {
            text.push_str(rng.word(&DECORATIONS));
        }
        text
    })
}

/// NuGet strings: two to five numbers, labels of either case, metadata, .NET whitespace.
pub fn nuget(seed: u64, count: usize) -> Vec<String> {
    const NUMBERS: [&str; 9] = [
        "0",
        "1",
        "1",
        "2",
        "10",
        "01",
        "2147483647",
        "2147483648",
        " 1",
    ];
    const LABELS: [&str; 14] = [
        "alpha",
        "Alpha",
        "beta",
        "RC",
        "rc",
        "1",
        "2",
        "10",
        "01",
        "-1",
        "-0",
        "2147483648",
        "x-y",
        "",
    ];
    let alphabet = ['.', '-', '+', '0', '1', 'a', 'Z', ' ', '\0'];
    pool(seed, count, &alphabet, |rng| {
        let mut text = String::new();
        for i in 0..1 + rng.below(5) {
            if i > 0 {
                text.push('.');
            }
            text.push_str(rng.word(&NUMBERS));
        }
        if rng.chance(45) {
            text.push('-');
            for i in 0..1 + rng.below(3) {
                if i > 0 {
                    text.push('.');
                }
                text.push_str(rng.word(&LABELS));
            }
        }
        if rng.chance(15) {
            text.push('+');
            text.push_str(rng.word(&["meta", "001", "A.b-c", ""]));
        }
        text
    })
}
