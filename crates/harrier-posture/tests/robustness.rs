//! No input makes the manifest path panic: real corpus files, mutated deterministically
//! (truncated, lines dropped or repeated, structural characters injected), go through loading,
//! indexing, every check and RBAC resolution. The long-running counterpart is the cargo-fuzz
//! target `fuzz/fuzz_targets/manifest_loader.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use harrier_core::testing::{Rng, corpus_path};
use harrier_k8s::{ObjectIndex, load_text};
use harrier_posture::rbac::{Identity, Rbac, RbacOptions, Request};
use harrier_posture::{ScanOptions, scan};

const INJECTIONS: [&str; 14] = [
    ":", "- ", "{", "}", "[", "]", "\t", "&a ", "*a", "<<: *a\n", "'", "\"", "\n  - ", "!!int ",
];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    match rng.below(4) {
        0 => chars.truncate(rng.below(chars.len() + 1)),
        1 => {
            let lines: Vec<&str> = text.lines().collect();
            let drop = rng.below(lines.len().max(1));
            return lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != drop)
                .map(|(_, l)| *l)
                .collect::<Vec<_>>()
                .join("\n");
        }
        2 => {
            let lines: Vec<&str> = text.lines().collect();
            let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
            if !lines.is_empty() {
                let i = rng.below(lines.len());
                let indent = " ".repeat(rng.below(8));
                out.insert(i, format!("{indent}{}", lines[rng.below(lines.len())]));
            }
            return out.join("\n");
        }
        _ => {
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(chars.len() + 1);
                let piece = INJECTIONS[rng.below(INJECTIONS.len())];
                for (k, c) in piece.chars().enumerate() {
                    chars.insert(at + k, c);
                }
            }
        }
    }
    chars.into_iter().collect()
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(p);
        }
    }
}

#[test]
fn no_panics_on_mutated_corpus() {
    let Some(root) = corpus_path(env!("CARGO_MANIFEST_DIR"), "manifests") else {
        return;
    };
    let mut all = Vec::new();
    files(&root, &mut all);
    let sample: Vec<&PathBuf> = all.iter().step_by(7).collect();
    let mut rng = Rng::new(0x5eed_1234_abcd_9876);
    let mut runs = 0;
    for path in sample {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        if text.len() > 64 * 1024 {
            continue;
        }
        for _ in 0..8 {
            let seed = rng.state();
            let mutated = mutate(&text, &mut rng);
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                let loaded = load_text(Arc::from("mutated.yaml"), &mutated);
                let (index, _) = ObjectIndex::build(loaded.objects);
                rbac_queries(&index);
                scan(&index, &ScanOptions::default()).findings.len()
            }));
            assert!(
                outcome.is_ok(),
                "panic on a mutation of {} (rng state {seed:#x}):\n{mutated}",
                path.display()
            );
            runs += 1;
        }
    }
    assert!(runs > 1000, "only {runs} mutated inputs ran");
}

#[test]
fn hostile_inputs_end_in_errors_not_panics() {
    let bomb = {
        let mut t = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            t.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
                p = i - 1
            ));
        }
        t
    };
    let inputs = [
        "[".repeat(50_000),
        "{a: ".repeat(50_000),
        "- ".repeat(50_000),
        bomb,
        "apiVersion: v1\nkind: Pod\nspec: {containers: [{name: x, securityContext: {runAsUser: 1e400}}]}\n".to_owned(),
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    ports: [{containerPort: 99999999999999999999}]\n".to_owned(),
        "\u{feff}apiVersion: v1\nkind: Pod\nmetadata: {name: bom}\nspec: {containers: []}\n".to_owned(),
        "apiVersion: v1\nkind: Pod\nspec: 42\n".to_owned(),
        "apiVersion: v1\nkind: List\nitems: 7\n".to_owned(),
        "apiVersion: [v1]\nkind: Pod\nmetadata: {}\n".to_owned(),
    ];
    for input in &inputs {
        let loaded = load_text(Arc::from("hostile.yaml"), input);
        let (index, _) = ObjectIndex::build(loaded.objects);
        rbac_queries(&index);
        let _ = scan(&index, &ScanOptions::default());
    }
}

/// Effective RBAC permissions over whatever loaded: resolution and both queries.
fn rbac_queries(index: &ObjectIndex) -> usize {
    let rbac = Rbac::from_index(index, &RbacOptions::default());
    let request = Request::parse("get", "secrets", None, None).expect("a valid request");
    let identity = Identity::service_account("default", "default");
    rbac.who_can(&request).len() + rbac.can(&identity).len() + rbac.problems().len()
}
