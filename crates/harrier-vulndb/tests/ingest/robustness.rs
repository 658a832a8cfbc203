//! No feed input makes ingest panic: real records of every format, mutated deterministically
//! (truncated, lines dropped or repeated, structural characters injected), go through format
//! detection and the parsers. The long-running counterparts are the `ingest_*` cargo-fuzz
//! targets in `fuzz/`.

use std::panic::{AssertUnwindSafe, catch_unwind};

use harrier_core::testing::Rng;
use harrier_vulndb::ingest::{ImportBatch, ImportOptions, import_bytes};

use super::{corpus, fixture, tar_zst_members};

const INJECTIONS: [&str; 20] = [
    ":",
    "- ",
    "{",
    "}",
    "[",
    "]",
    "\"",
    ",",
    "\t",
    "\n",
    "<",
    ">",
    "(",
    ")",
    "```",
    "#",
    "0",
    "-1",
    "\u{feff}",
    "[advisory]\n",
];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let lines: Vec<&str> = text.lines().collect();
    match rng.below(4) {
        0 => text
            .chars()
            .take(rng.below(text.chars().count() + 1))
            .collect(),
        1 => {
            let drop = rng.below(lines.len().max(1));
            lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != drop)
                .map(|(_, l)| *l)
                .collect::<Vec<_>>()
                .join("\n")
        }
        2 => {
            let mut out: Vec<&str> = lines.clone();
            if !lines.is_empty() {
                out.insert(rng.below(lines.len()), lines[rng.below(lines.len())]);
            }
            out.join("\n")
        }
        _ => {
            let mut chars: Vec<char> = text.chars().collect();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(chars.len() + 1);
                let piece = INJECTIONS[rng.below(INJECTIONS.len())];
                for (k, c) in piece.chars().enumerate() {
                    chars.insert(at + k, c);
                }
            }
            chars.into_iter().collect()
        }
    }
}

/// (file name the importer sees, text) samples of every format.
fn samples() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut take = |archive: &str, suffix: &str, n: usize| {
        let Some(path) = corpus(archive) else { return };
        let members = tar_zst_members(&path);
        let step = (members.len() / n).max(1);
        for (name, bytes) in members
            .iter()
            .filter(|(m, _)| m.ends_with(suffix))
            .step_by(step)
            .take(n)
        {
            out.push((name.clone(), String::from_utf8_lossy(bytes).into_owned()));
        }
    };
    take("golang-vulndb/golang-vulndb.tar.zst", ".json", 30);
    take("ghsa-subset/ghsa-subset.tar.zst", ".json", 20);
    take("pypa-advisory-db/pypa-advisory-db.tar.zst", ".yaml", 30);
    take("rustsec/rustsec.tar.zst", ".md", 30);
    if let Some(path) = corpus("debian-security-tracker/data/DSA/list") {
        let text = std::fs::read_to_string(path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for start in (0..lines.len()).step_by(lines.len() / 20 + 1) {
            let end = (start + 40).min(lines.len());
            out.push(("list".to_owned(), lines[start..end].join("\n")));
        }
    }
    if let Some(path) = corpus("alpine-secdb/v3.9/main.yaml") {
        let text = std::fs::read_to_string(path).unwrap();
        out.push(("main.yaml".to_owned(), text.chars().take(6000).collect()));
    }
    for name in [
        "debian-tracker.json",
        "epss_scores-2025-08-25.csv",
        "alpine-v3.20-main.json",
    ] {
        out.push((
            name.to_owned(),
            std::fs::read_to_string(fixture(name)).unwrap(),
        ));
    }
    out.push((
        "kev.json".to_owned(),
        r#"{"catalogVersion": "1", "vulnerabilities": [{"cveID": "CVE-2021-44228", "dateAdded": "2021-12-10",
            "dueDate": "2021-12-24", "knownRansomwareCampaignUse": "Known"}]}"#
            .to_owned(),
    ));
    out.push((
        "kev.csv".to_owned(),
        "cveID,dateAdded,dueDate,knownRansomwareCampaignUse\nCVE-2021-44228,2021-12-10,2021-12-24,Known\n".to_owned(),
    ));
    out
}

#[test]
fn no_panics_on_mutated_feeds() {
    let samples = samples();
    let options = ImportOptions {
        max_file_bytes: 1 << 20,
    };
    let mut runs = 0;
    for (index, (name, text)) in samples.iter().enumerate() {
        for round in 0..25u64 {
            let seed = (index as u64) << 8 | round;
            let mut rng = Rng::new(seed);
            let mutated = mutate(text, &mut rng);
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                let mut batch = ImportBatch::default();
                import_bytes(name, mutated.as_bytes(), &options, &mut batch);
            }));
            assert!(
                outcome.is_ok(),
                "panic on {name} with seed {seed}:\n{mutated}"
            );
            runs += 1;
        }
    }
    assert!(runs >= 25 * 5, "too few samples: {runs}");
}
