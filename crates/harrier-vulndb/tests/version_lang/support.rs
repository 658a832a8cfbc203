//! What the reference tests share: a seeded PRNG, the corpus's OSV version strings, the
//! reference implementations run as child processes, and the comparison of their answers
//! with ours.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub use harrier_core::testing::Rng;
use harrier_core::testing::{corpus_path, skip};
use harrier_core::yaml::{self, Node, Schema, Value};

/// Applies one random edit (insert, delete, replace, duplicate) to `text`, drawing new
/// characters from `alphabet`, so generated versions also probe the parsers' error paths.
pub fn mutate(rng: &mut Rng, text: &str, alphabet: &[char]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let at = rng.below(chars.len() + 1);
    let new = alphabet[rng.below(alphabet.len())];
    match rng.below(4) {
        0 => chars.insert(at, new),
        1 if at < chars.len() => {
            chars.remove(at);
        }
        2 if at < chars.len() => chars[at] = new,
        _ => {
            let copy = chars.clone();
            chars.extend(copy.into_iter().skip(at));
        }
    }
    chars.into_iter().collect()
}

/// Pairs to ask about: every string against a random other, and against one of its next
/// neighbours in byte order, which often differs only in the last part (`1.0.0+a` and
/// `1.0.0+b`, `1.0` and `1.0-rc1`), where schemes disagree most.
pub fn pairs(rng: &mut Rng, pool: &[String]) -> Vec<(String, String)> {
    let mut sorted = pool.to_vec();
    sorted.sort();
    sorted.dedup();
    let mut pairs = Vec::with_capacity(pool.len() + sorted.len());
    for a in pool {
        pairs.push((a.clone(), pool[rng.below(pool.len())].clone()));
    }
    for (i, a) in sorted.iter().enumerate() {
        let near = (i + 1 + rng.below(3)).min(sorted.len() - 1);
        pairs.push((a.clone(), sorted[near].clone()));
    }
    pairs
}

/// Every distinct version string that the corpus's OSV records give for `ecosystem`, in
/// ranges (`introduced` other than the `0` sentinel, `fixed`, `last_affected`, `limit`) or
/// in `versions` lists. `None` (after reporting the skip) when the corpus is absent.
pub fn corpus_versions(ecosystem: &str) -> Option<Vec<String>> {
    let mut found = BTreeSet::new();
    let archives: &[&str] = match ecosystem {
        "Go" => &["vulnerabilities/golang-vulndb/golang-vulndb.tar.zst"],
        "crates.io" => &["vulnerabilities/rustsec/rustsec.tar.zst"],
        "PyPI" => &["vulnerabilities/pypa-advisory-db/pypa-advisory-db.tar.zst"],
        _ => &["vulnerabilities/ghsa-subset/ghsa-subset.tar.zst"],
    };
    for archive in archives {
        let path = corpus_path(env!("CARGO_MANIFEST_DIR"), archive)?;
        read_archive(&path, ecosystem, &mut found);
    }
    assert!(!found.is_empty(), "no {ecosystem} versions in the corpus");
    Some(found.into_iter().collect())
}

fn read_archive(path: &Path, ecosystem: &str, found: &mut BTreeSet<String>) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let decoder = zstd::Decoder::new(file).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut archive = tar::Archive::new(decoder);
    let entries = archive
        .entries()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for entry in entries {
        let mut entry = entry.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = entry
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut text = String::new();
        if entry.read_to_string(&mut text).is_err() {
            continue;
        }
        let record = if name.ends_with(".json") {
            serde_json::from_str::<serde_json::Value>(&text).ok()
        } else if name.ends_with(".yaml") {
            yaml::parse_single(&text, Schema::Core)
                .ok()
                .map(|node| yaml_to_json(&node))
        } else {
            None
        };
        if let Some(record) = record {
            collect_versions(&record, ecosystem, found);
        }
    }
}

/// YAML to JSON keeping scalars as strings only where YAML made them strings (numbers that
/// lost their spelling, like an unquoted `1.10`, are left out rather than mis-spelled).
fn yaml_to_json(node: &Node) -> serde_json::Value {
    match &node.value {
        Value::String(text) => serde_json::Value::String(text.clone()),
        Value::Seq(items) => serde_json::Value::Array(items.iter().map(yaml_to_json).collect()),
        Value::Map(map) => serde_json::Value::Object(
            map.entries()
                .iter()
                .map(|entry| (entry.key.clone(), yaml_to_json(&entry.value)))
                .collect(),
        ),
        _ => serde_json::Value::Null,
    }
}

fn collect_versions(record: &serde_json::Value, ecosystem: &str, found: &mut BTreeSet<String>) {
    let Some(affected) = record.get("affected").and_then(|a| a.as_array()) else {
        return;
    };
    for entry in affected {
        let eco = entry
            .pointer("/package/ecosystem")
            .and_then(|e| e.as_str())
            .unwrap_or("");
        if eco.split(':').next() != Some(ecosystem) {
            continue;
        }
        let ranges = entry
            .get("ranges")
            .and_then(|r| r.as_array())
            .into_iter()
            .flatten();
        for range in ranges {
            let events = range
                .get("events")
                .and_then(|e| e.as_array())
                .into_iter()
                .flatten();
            for event in events.filter_map(|e| e.as_object()) {
                for (kind, value) in event {
                    if let Some(version) = value
                        .as_str()
                        .filter(|v| !(kind == "introduced" && *v == "0"))
                    {
                        found.insert(version.to_owned());
                    }
                }
            }
        }
        let versions = entry
            .get("versions")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten();
        found.extend(versions.filter_map(|v| v.as_str()).map(str::to_owned));
    }
}

/// What a reference implementation, or ours, says about a pair: each version's normal form
/// (`None`: invalid) and, when both are valid and comparable, their order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub a: Option<String>,
    pub b: Option<String>,
    pub order: Option<Ordering>,
}

/// Compares the reference's answers with ours and fails listing the first disagreements.
pub fn assert_agree(
    scheme: &str,
    pairs: &[(String, String)],
    theirs: &[Answer],
    ours: impl Fn(&str, &str) -> Answer,
) {
    assert_eq!(
        pairs.len(),
        theirs.len(),
        "{scheme}: the reference answered {} of {} pairs",
        theirs.len(),
        pairs.len()
    );
    let mut disagreements = Vec::new();
    for ((a, b), their) in pairs.iter().zip(theirs) {
        let our = ours(a, b);
        if our != *their {
            disagreements.push(format!("{a:?} vs {b:?}: reference {their:?}, ours {our:?}"));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{scheme}: {} of {} pairs disagree with the reference:\n{}",
        disagreements.len(),
        pairs.len(),
        disagreements
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// A reference implementation run as a child process that reads one JSON `[a, b]` per line
/// and writes one JSON `[a_normal_or_null, b_normal_or_null, order_or_null]` per line.
pub struct Oracle {
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

impl Oracle {
    /// The oracle, if `program --version`-style probing with `probe` succeeds; otherwise the
    /// skip is reported (and fails under `HARRIER_REQUIRE_ALL=1`).
    pub fn find(
        program: &str,
        args: &[&str],
        env: &[(&str, String)],
        probe: &[&str],
        install: &str,
    ) -> Option<Oracle> {
        let oracle = Oracle {
            program: PathBuf::from(program),
            args: args.iter().map(|a| a.to_string()).collect(),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        };
        let works = Command::new(&oracle.program)
            .args(probe)
            .envs(oracle.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if works {
            Some(oracle)
        } else {
            skip(&format!("{program} reference unavailable ({install})"))
        }
    }

    pub fn ask(&self, pairs: &[(String, String)]) -> Vec<Answer> {
        let input: String = pairs
            .iter()
            .map(|(a, b)| serde_json::to_string(&[a, b]).expect("strings serialise") + "\n")
            .collect();
        let output = run(&self.program, &self.args, &self.env, input.into_bytes());
        output.lines().map(parse_answer).collect()
    }
}

/// Runs `program` with `stdin`, returning its stdout; fails on a non-zero exit.
pub fn run(program: &Path, args: &[String], env: &[(String, String)], stdin: Vec<u8>) -> String {
    let mut child = Command::new(program)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    let mut writer = child.stdin.take().expect("piped stdin");
    let feeder = std::thread::spawn(move || writer.write_all(&stdin));
    let mut stdout = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_to_string(&mut stdout)
        .expect("reference output is UTF-8");
    let output = child.wait_with_output().expect("reference exits");
    feeder
        .join()
        .expect("feeder thread")
        .expect("reference reads its input");
    assert!(
        output.status.success(),
        "{} failed: {}",
        program.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn parse_answer(line: &str) -> Answer {
    let value: serde_json::Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
    let text = |i: usize| value.get(i).and_then(|v| v.as_str()).map(str::to_owned);
    let order = value.get(2).and_then(|v| v.as_i64()).map(|n| n.cmp(&0));
    Answer {
        a: text(0),
        b: text(1),
        order,
    }
}

/// The directory of the reference scripts.
pub fn oracle_script(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/version_lang/oracles")
        .join(name)
        .to_string_lossy()
        .into_owned()
}
