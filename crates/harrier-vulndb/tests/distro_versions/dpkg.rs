//! dpkg against `dpkg --compare-versions` and python3-apt.

use harrier_vulndb::version::dpkg;

use crate::generate::{self, Rng};
use crate::oracle::{self, Python};
use crate::order::{check_total_order, sample};

/// Endings that make a version a close neighbour of another.
const TAILS: &[&str] = &[
    "~rc1", "~", "~~", "+b1", ".0", "a", "-1", "-0", "+dfsg", "+deb12u1", "ubuntu1", ".1",
    "~bpo11+1", "0", "A", "-", "~a", "+",
];

/// Corpus versions and as many generated ones.
fn pool(seed: u64) -> Option<Vec<String>> {
    let mut pool = crate::corpus::dpkg_versions()?;
    assert!(pool.len() > 2000, "only {} corpus versions", pool.len());
    let mut rng = Rng::new(seed);
    let generated = pool.len();
    pool.extend((0..generated).map(|_| generate::dpkg(&mut rng)));
    Some(pool)
}

/// Whether `dpkg --compare-versions` can be asked about `version` at all: it reads these two
/// as "no version".
fn askable(version: &str) -> bool {
    !version.is_empty() && version != "<unknown>"
}

fn report(mismatches: &[String], checked: usize) {
    assert!(
        mismatches.is_empty(),
        "{} of {checked} disagree, first ones:\n{}",
        mismatches.len(),
        mismatches
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn order_matches_dpkg_compare_versions() {
    let Some(dpkg_cli) = oracle::dpkg() else {
        return;
    };
    let Some(pool) = pool(1) else {
        return;
    };
    let mut rng = Rng::new(2);
    let pairs = generate::pairs(&mut rng, &pool, 1500, TAILS);
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for (a, b) in pairs.iter().filter(|(a, b)| askable(a) && askable(b)) {
        let ours = dpkg::compare(a, b).ok();
        let theirs = dpkg_cli.compare(a, b);
        if ours != theirs {
            mismatches.push(format!("{a:?} vs {b:?}: ours {ours:?}, dpkg {theirs:?}"));
        }
        compared += usize::from(theirs.is_some());
    }
    report(&mismatches, pairs.len());
    assert!(compared > 1200, "only {compared} pairs were valid");
    eprintln!(
        "dpkg --compare-versions agrees on {} pairs ({compared} valid)",
        pairs.len()
    );
}

#[test]
fn validity_matches_dpkg() {
    let Some(dpkg_cli) = oracle::dpkg() else {
        return;
    };
    let Some(corpus) = crate::corpus::dpkg_versions() else {
        return;
    };
    let mut rng = Rng::new(3);
    let mut candidates = corpus;
    let noise_tails = [
        " ", " 1", ":", "a:1", "-", "1:", ":1", "_", "@", "!", "--", "::", "-:", "\t",
    ];
    let noise_heads = [
        "-",
        "+",
        "a:",
        "1a:",
        " ",
        "99999999999:",
        "2147483648:",
        "2147483647:",
        "-1:",
        "+1:",
        "-0:",
        ":",
        "0:-",
        "+:",
        "--1:",
        "1:2:",
        "~",
        "a",
    ];
    for _ in 0..400 {
        let base = generate::dpkg(&mut rng);
        candidates.push(generate::edit(&mut rng, &base, &noise_tails));
        candidates.push(format!("{}{base}", rng.pick(&noise_heads)));
    }
    let mut mismatches = Vec::new();
    let (mut accepted, mut rejected) = (0, 0);
    for version in candidates.iter().filter(|v| askable(v)) {
        let ours = dpkg::parse(version).is_ok();
        let theirs = dpkg_cli.accepts(version);
        if ours != theirs {
            mismatches.push(format!("{version:?}: ours {ours}, dpkg {theirs}"));
        }
        if theirs {
            accepted += 1;
        } else {
            rejected += 1;
        }
    }
    report(&mismatches, candidates.len());
    eprintln!(
        "dpkg agrees on the validity of {accepted} accepted and {rejected} rejected versions"
    );
    assert!(
        accepted > 2000 && rejected > 100,
        "{accepted} accepted, {rejected} rejected"
    );
}

#[test]
fn order_matches_apt_pkg() {
    let Some(apt) = Python::with("apt_pkg", "python3-apt", oracle::APT) else {
        return;
    };
    let Some(pool) = pool(4) else {
        return;
    };
    let mut rng = Rng::new(5);
    let pairs: Vec<_> = generate::pairs(&mut rng, &pool, 40_000, TAILS)
        .into_iter()
        .filter(|(a, b)| dpkg::parse(a).is_ok() && dpkg::parse(b).is_ok())
        .collect();
    let answers = apt.answer(pairs.iter().map(|(a, b)| format!("{a}\t{b}")).collect());
    let mut mismatches = Vec::new();
    let mut orders = [0; 3];
    for ((a, b), answer) in pairs.iter().zip(&answers) {
        let theirs = oracle::sign(answer);
        let ours = dpkg::compare(a, b).unwrap();
        if ours != theirs {
            mismatches.push(format!("{a:?} vs {b:?}: ours {ours:?}, apt {theirs:?}"));
        }
        orders[(ours as i8 + 1) as usize] += 1;
    }
    report(&mismatches, pairs.len());
    eprintln!(
        "apt_pkg agrees on {} pairs (less, equal, greater: {orders:?})",
        pairs.len()
    );
    assert!(
        pairs.len() > 35_000,
        "only {} pairs were valid",
        pairs.len()
    );
    assert!(
        orders.iter().all(|n| *n > 1000),
        "less, equal, greater: {orders:?}"
    );
}

#[test]
fn is_a_total_order() {
    let Some(pool) = pool(6) else {
        return;
    };
    let mut rng = Rng::new(7);
    let mut versions: Vec<dpkg::Version> =
        pool.iter().filter_map(|v| dpkg::parse(v).ok()).collect();
    // Edits make equal and near-equal versions, where an order is most likely to break.
    let edited: Vec<dpkg::Version> = pool
        .iter()
        .filter_map(|v| dpkg::parse(&generate::edit(&mut rng, v, TAILS)).ok())
        .collect();
    versions.extend(edited);
    let checked = check_total_order(&sample(&versions, 2500), 8);
    assert!(checked > 1_000_000);
    // The parsed order and `compare` agree.
    for (a, b) in versions.iter().zip(versions.iter().rev()).take(5000) {
        assert_eq!(dpkg::compare(a.as_str(), b.as_str()), Ok(a.cmp(b)));
    }
}
