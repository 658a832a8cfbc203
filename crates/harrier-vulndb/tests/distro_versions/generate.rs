//! A seeded generator of realistic versions for each scheme, and small edits of versions, so
//! that generated pairs often agree on a long prefix and differ late, where orderings go
//! wrong.

pub use harrier_core::testing::Rng;
/// A digit run: usually a small number, sometimes with leading zeros, a date, or longer than
/// any machine integer.
fn digits(rng: &mut Rng) -> String {
    match rng.below(20) {
        0 => format!("{}{}", "0".repeat(1 + rng.below(2)), rng.below(10)),
        1 => (0..20 + rng.below(10))
            .map(|_| char::from(b'0' + rng.below(10) as u8))
            .collect(),
        2 => format!(
            "20{:02}{:02}{:02}",
            rng.below(25),
            1 + rng.below(12),
            1 + rng.below(28)
        ),
        3 | 4 => rng.below(1000).to_string(),
        _ => rng.below(13).to_string(),
    }
}

const DPKG_WORDS: &[&str] = &[
    "a", "b", "c", "z", "rc", "beta", "alpha", "pre", "dfsg", "ds", "git", "svn", "really",
    "build", "nmu", "ubuntu", "deb", "bpo", "esm", "esr", "lts", "A", "B", "Z", "GA", "Final",
];

/// A dpkg version: `[epoch:]upstream[-revision]` over dpkg's characters, now and then with a
/// character dpkg only warns about.
pub fn dpkg(rng: &mut Rng) -> String {
    let mut s = String::new();
    let has_epoch = rng.chance(15);
    if has_epoch {
        s.push_str(rng.word(&["0", "1", "2", "3", "7", "10", "01", "100"]));
        s.push(':');
    }
    let has_revision = rng.chance(70);
    if rng.chance(3) {
        s.push_str(rng.word(DPKG_WORDS));
    } else {
        s.push_str(&digits(rng));
    }
    let mut separators = vec![".", ".", ".", "+", "~", ""];
    if has_revision {
        separators.push("-");
    }
    if has_epoch {
        separators.push(":");
    }
    if rng.chance(3) {
        separators.push("_");
    }
    for _ in 0..rng.below(5) {
        s.push_str(rng.word(&separators));
        push_piece(rng, &mut s, DPKG_WORDS);
    }
    if has_revision {
        s.push('-');
        s.push_str(&digits(rng));
        for _ in 0..rng.below(4) {
            s.push_str(rng.word(&[".", "+", "~", ""]));
            push_piece(rng, &mut s, DPKG_WORDS);
        }
    }
    s
}

const RPM_WORDS: &[&str] = &[
    "a", "b", "p", "el", "fc", "git", "svn", "rc", "beta", "alpha", "pre", "post", "module",
    "Final", "GA", "RC", "snap", "dev", "xyz",
];

/// An rpm `[epoch:]version[-release]`, with `~`, `^`, odd separators and now and then a
/// non-ASCII character, all of which rpm orders.
pub fn rpm(rng: &mut Rng) -> String {
    let mut s = String::new();
    if rng.chance(15) {
        s.push_str(rng.word(&["0", "1", "2", "3", "10", "01", ""]));
        s.push(':');
    }
    let separators = [".", ".", ".", "_", "+", "~", "^", "", "%", "..", "é"];
    if rng.chance(5) {
        s.push_str(rng.word(RPM_WORDS));
    } else {
        s.push_str(&digits(rng));
    }
    for _ in 0..rng.below(5) {
        s.push_str(rng.word(&separators));
        push_piece(rng, &mut s, RPM_WORDS);
    }
    if rng.chance(80) {
        s.push('-');
        s.push_str(&digits(rng));
        for _ in 0..rng.below(4) {
            s.push_str(rng.word(&[".", ".", "_", "+", "~", "^", ""]));
            push_piece(rng, &mut s, RPM_WORDS);
        }
    }
    s
}

const APK_SUFFIXES: &[&str] = &["alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"];

/// An apk version of apk-tools' grammar.
pub fn apk(rng: &mut Rng) -> String {
    let mut s = digits(rng);
    for _ in 0..rng.below(4) {
        s.push('.');
        s.push_str(&digits(rng));
    }
    if rng.chance(10) {
        s.push(char::from(b'a' + rng.below(26) as u8));
    }
    for _ in 0..rng.below(3) {
        s.push('_');
        s.push_str(rng.word(APK_SUFFIXES));
        if rng.chance(60) {
            s.push_str(&digits(rng));
        }
    }
    if rng.chance(5) {
        s.push('~');
        for _ in 0..1 + rng.below(8) {
            s.push(*rng.pick(&['0', '1', '7', '9', 'a', 'c', 'f']));
        }
    }
    if rng.chance(70) {
        s.push_str("-r");
        s.push_str(&rng.below(30).to_string());
    }
    s
}

fn push_piece(rng: &mut Rng, s: &mut String, words: &[&str]) {
    if rng.chance(60) {
        s.push_str(&digits(rng));
    } else {
        s.push_str(rng.word(words));
    }
}

/// A small edit of `version`: a changed digit, an appended tail, a leading zero, a dropped or
/// doubled character, a changed separator. `tails` are scheme-specific endings.
pub fn edit(rng: &mut Rng, version: &str, tails: &[&str]) -> String {
    let mut chars: Vec<char> = version.chars().collect();
    if chars.is_empty() {
        return rng.word(tails).to_owned();
    }
    let at = rng.below(chars.len());
    match rng.below(7) {
        0 => {
            if let Some(i) = chars.iter().rposition(char::is_ascii_digit) {
                chars[i] = char::from(b'0' + rng.below(10) as u8);
            }
        }
        1 | 2 => chars.extend(rng.word(tails).chars()),
        3 => {
            if let Some(i) = (at..chars.len()).find(|&i| chars[i].is_ascii_digit()) {
                chars.insert(i, '0');
            }
        }
        4 => {
            chars.remove(at);
        }
        5 => {
            let c = chars[at];
            chars.insert(at, c);
        }
        _ => {
            if let Some(i) = (at..chars.len()).find(|&i| !chars[i].is_ascii_alphanumeric()) {
                chars[i] = *rng.pick(&['.', '+', '~', '-', '_', ':', '^']);
            }
        }
    }
    chars.into_iter().collect()
}

/// `count` pairs drawn from `pool`: half two random members, half a member and an edit of it.
pub fn pairs(
    rng: &mut Rng,
    pool: &[String],
    count: usize,
    tails: &[&str],
) -> Vec<(String, String)> {
    (0..count)
        .map(|i| {
            let a = rng.pick(pool).clone();
            let b = if i % 2 == 0 {
                rng.pick(pool).clone()
            } else {
                edit(rng, &a, tails)
            };
            (a, b)
        })
        .collect()
}
