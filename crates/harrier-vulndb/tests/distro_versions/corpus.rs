//! Every version string the shared corpus holds for Debian, Ubuntu and Alpine.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use harrier_core::testing::corpus_path;
use serde_json::Value;

fn corpus(relative: &str) -> Option<PathBuf> {
    corpus_path(env!("CARGO_MANIFEST_DIR"), relative)
}

/// Every file under `dir`, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Values of `Field: value` lines (dpkg status `Version:`, apk installed `V:`).
fn field_values(text: &str, field: &str, into: &mut BTreeSet<String>) {
    for line in text.lines() {
        if let Some(value) = line.strip_prefix(field) {
            into.insert(value.trim().to_owned());
        }
    }
}

/// Versions in an OSV record: range events and `versions`.
fn osv_versions(record: &Value, into: &mut BTreeSet<String>) {
    let affected = record["affected"].as_array().into_iter().flatten();
    for affected in affected {
        for range in affected["ranges"].as_array().into_iter().flatten() {
            for event in range["events"].as_array().into_iter().flatten() {
                for key in ["introduced", "fixed", "last_affected", "limit"] {
                    if let Some(v) = event[key].as_str() {
                        into.insert(v.to_owned());
                    }
                }
            }
        }
        for v in affected["versions"].as_array().into_iter().flatten() {
            if let Some(v) = v.as_str() {
                into.insert(v.to_owned());
            }
        }
    }
}

/// Debian and Ubuntu versions: the security tracker's DSA and DLA lists, the Debian and
/// Ubuntu OSV records, and dpkg status databases. `None` when the corpus is absent.
pub fn dpkg_versions() -> Option<Vec<String>> {
    let mut versions = BTreeSet::new();
    let tracker = corpus("vulnerabilities/debian-security-tracker/data")?;
    for list in files(&tracker) {
        // `\t[bookworm] - package 1.2-3+deb12u1`; `<not-affected>` and the like are states.
        for line in read(&list).lines().filter(|l| l.starts_with("\t[")) {
            if let Some(version) = line.split_whitespace().nth(3) {
                if !version.starts_with('<') {
                    versions.insert(version.to_owned());
                }
            }
        }
    }
    for dir in ["vulnerabilities/debian-osv", "vulnerabilities/ubuntu-osv"] {
        for file in files(&corpus(dir)?) {
            if file.extension().is_some_and(|e| e == "json") {
                let record: Value = serde_json::from_str(&read(&file))
                    .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
                osv_versions(&record, &mut versions);
            }
        }
    }
    for dir in [
        "sbom/osv-scanner-lockfile-fixtures/dpkg",
        "sbom/syft-cataloger-fixtures/debian",
    ] {
        for file in files(&corpus(dir)?) {
            if let Ok(text) = fs::read_to_string(&file) {
                field_values(&text, "Version:", &mut versions);
            }
        }
    }
    Some(versions.into_iter().collect())
}

/// Alpine versions: secdb `secfixes` keys and apk installed databases. `None` when the
/// corpus is absent.
pub fn apk_versions() -> Option<Vec<String>> {
    let mut versions = BTreeSet::new();
    for file in files(&corpus("vulnerabilities/alpine-secdb")?) {
        // Under `secfixes:`, each fixed version is a mapping key: `        1.2.3-r0:`.
        for line in read(&file).lines() {
            let Some(key) = line.trim().strip_suffix(':') else {
                continue;
            };
            let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
            if key.starts_with(|c: char| c.is_ascii_digit()) {
                versions.insert(key.to_owned());
            }
        }
    }
    for dir in [
        "sbom/osv-scanner-lockfile-fixtures/apk",
        "sbom/syft-cataloger-fixtures/alpine",
    ] {
        for file in files(&corpus(dir)?) {
            if let Ok(text) = fs::read_to_string(&file) {
                field_values(&text, "V:", &mut versions);
            }
        }
    }
    Some(versions.into_iter().collect())
}
