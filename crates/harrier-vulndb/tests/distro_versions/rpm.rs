//! rpm against python3-rpm (`rpmvercmp` through `labelCompare`, EVRs through `rpm.ver`).

use harrier_vulndb::version::rpm;

use crate::generate::{self, Rng};
use crate::oracle::{self, Python};
use crate::order::{check_total_order, sample};

const TAILS: &[&str] = &[
    "~rc1",
    "~",
    "^",
    "^git1",
    "^20240101",
    ".0",
    "a",
    "-1",
    "_1",
    ".el9",
    ".fc40",
    "p1",
    "+b1",
    "~~",
    "^^",
    ".",
    "0",
    "Z",
    "é",
];

/// Generated EVRs, and the corpus's Debian and Alpine versions, which are EVRs too (rpm has
/// no feed in the corpus).
fn pool(seed: u64) -> Option<Vec<String>> {
    let mut pool = crate::corpus::dpkg_versions()?;
    pool.extend(crate::corpus::apk_versions()?);
    let mut rng = Rng::new(seed);
    let generated = pool.len().max(5000);
    pool.extend((0..generated).map(|_| generate::rpm(&mut rng)));
    Some(pool)
}

#[test]
fn order_matches_python_rpm() {
    let Some(python_rpm) = Python::with("rpm", "python3-rpm", oracle::RPM) else {
        return;
    };
    let Some(pool) = pool(11) else {
        return;
    };
    let mut rng = Rng::new(12);
    let pairs: Vec<_> = generate::pairs(&mut rng, &pool, 40_000, TAILS)
        .into_iter()
        .filter(|(a, b)| rpm::parse(a).is_ok() && rpm::parse(b).is_ok())
        .collect();
    let mut requests = Vec::new();
    for (a, b) in &pairs {
        requests.push(format!("evr\t{a}\t{b}"));
        requests.push(format!("vercmp\t{a}\t{b}"));
    }
    let answers = python_rpm.answer(requests);
    let mut mismatches = Vec::new();
    let mut orders = [0; 3];
    for ((a, b), answer) in pairs.iter().zip(answers.chunks(2)) {
        let (evr, raw) = (oracle::sign(&answer[0]), oracle::sign(&answer[1]));
        let ours = rpm::compare(a, b).unwrap();
        if ours != evr {
            mismatches.push(format!(
                "EVR {a:?} vs {b:?}: ours {ours:?}, rpm.ver {evr:?}"
            ));
        }
        let ours_raw = rpm::vercmp(a, b);
        if ours_raw != raw {
            mismatches.push(format!(
                "{a:?} vs {b:?}: ours {ours_raw:?}, rpmvercmp {raw:?}"
            ));
        }
        orders[(ours as i8 + 1) as usize] += 1;
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} disagree, first ones:\n{}",
        mismatches.len(),
        pairs.len() * 2,
        mismatches
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!(
        "python3-rpm agrees on {} pairs, EVR and rpmvercmp (less, equal, greater: {orders:?})",
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
    let Some(pool) = pool(13) else {
        return;
    };
    let mut rng = Rng::new(14);
    let mut versions: Vec<rpm::Version> = pool.iter().filter_map(|v| rpm::parse(v).ok()).collect();
    let edited: Vec<rpm::Version> = pool
        .iter()
        .filter_map(|v| rpm::parse(&generate::edit(&mut rng, v, TAILS)).ok())
        .collect();
    versions.extend(edited);
    let checked = check_total_order(&sample(&versions, 2500), 15);
    assert!(checked > 1_000_000);
    for (a, b) in versions.iter().zip(versions.iter().rev()).take(5000) {
        assert_eq!(rpm::compare(a.as_str(), b.as_str()), Ok(a.cmp(b)));
    }
}
