//! The upstream Falco rules in the shared corpus load, and docs/runtime-rules.md says how many
//! and why each other is disabled: the section between its markers is generated here and the
//! test fails when it is stale (`HARRIER_BLESS=1` rewrites it).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is a failed test

use std::fmt::Write as _;
use std::path::Path;

use harrier_core::testing::corpus_path;
use harrier_runtime::Engine;
use harrier_runtime::event::{Event, Process, Source, SyscallEvent};
use harrier_runtime::rules::compile::TypeSet;
use harrier_runtime::rules::{self, Status};

/// Rule file sets, each loaded in order as Falco would be configured.
const SETS: &[(&str, &[&str])] = &[
    (
        "falco-rules (stable, incubating, sandbox)",
        &[
            "falco-rules/rules/falco_rules.yaml",
            "falco-rules/rules/falco-incubating_rules.yaml",
            "falco-rules/rules/falco-sandbox_rules.yaml",
        ],
    ),
    (
        "k8saudit (with the GKE overlay)",
        &[
            "falco-k8saudit-rules/plugins/k8saudit/rules/k8s_audit_rules.yaml",
            "falco-k8saudit-rules/plugins/k8saudit-gke/rules/k8s_audit_rules_gke.yaml",
        ],
    ),
];

fn relative(root: &Path, file: &str) -> String {
    Path::new(file)
        .strip_prefix(root)
        .map_or_else(|_| file.to_string(), |p| p.display().to_string())
}

fn generate(root: &Path) -> String {
    let mut md = String::new();
    let mut detail = String::new();
    md.push_str("| rule files | rules | loaded | not enabled upstream | disabled in Harrier | file problems |\n|---|---|---|---|---|---|\n");
    for (title, files) in SETS {
        let paths: Vec<_> = files.iter().map(|f| root.join(f)).collect();
        let set = rules::load_files(&paths);
        let count = |s: Status| set.statuses.iter().filter(|r| r.status == s).count();
        writeln!(
            md,
            "| {title} | {} | {} | {} | {} | {} |",
            set.statuses.len(),
            count(Status::Loaded),
            count(Status::NotEnabled),
            count(Status::Disabled),
            set.problems.len()
        )
        .unwrap();
        // Every loaded rule runs: the engine evaluates it on an event of each type it can match.
        let engine = Engine::new(&set);
        for r in engine.rules() {
            let kind = match (&r.source, &r.types) {
                (Source::Syscall, TypeSet::Only(types)) => types.iter().next().cloned(),
                _ => Some("execve".to_string()),
            };
            if r.source == Source::Syscall
                && let Some(kind) = kind
            {
                let ev = Event::Syscall(Box::new(SyscallEvent::new(&kind, 1, Process::default())));
                let _ = r.condition.eval(&ev);
            }
        }
        writeln!(detail, "\n### {title}\n").unwrap();
        let files_list: Vec<String> = files.iter().map(|f| format!("`{f}`")).collect();
        writeln!(detail, "Files, in load order: {}.\n", files_list.join(", ")).unwrap();
        for p in &set.problems {
            writeln!(
                detail,
                "- file problem: `{}:{}`: {}",
                relative(root, &p.location.path),
                p.location.line,
                p.message
            )
            .unwrap();
        }
        let disabled: Vec<_> = set
            .statuses
            .iter()
            .filter(|s| s.status == Status::Disabled)
            .collect();
        if disabled.is_empty() {
            detail.push_str("No rule is disabled.\n");
        } else {
            detail.push_str("Disabled in Harrier:\n\n");
            for s in disabled {
                writeln!(
                    detail,
                    "- `{}:{}` **{}**: {}",
                    relative(root, &s.file),
                    s.line,
                    s.name,
                    s.reason.as_deref().unwrap_or("")
                )
                .unwrap();
            }
        }
        let off: Vec<_> = set
            .statuses
            .iter()
            .filter(|s| s.status == Status::NotEnabled)
            .collect();
        if !off.is_empty() {
            detail.push_str(
                "\nLoaded but `enabled: false` upstream (they run when a file enables them):\n\n",
            );
            for s in off {
                writeln!(
                    detail,
                    "- `{}:{}` {}",
                    relative(root, &s.file),
                    s.line,
                    s.name
                )
                .unwrap();
            }
        }
        let any = engine
            .rules()
            .iter()
            .filter(|r| r.source == Source::Syscall && !matches!(r.types, TypeSet::Only(_)))
            .count();
        let syscall = engine
            .rules()
            .iter()
            .filter(|r| r.source == Source::Syscall)
            .count();
        if syscall > 0 {
            writeln!(
                detail,
                "\nOf the {syscall} enabled syscall rules, {} pin `evt.type` and are indexed by it; {any} are evaluated for every event.",
                syscall - any
            )
            .unwrap();
        }
    }
    md.push_str(&detail);
    md
}

#[test]
fn upstream_rules_load_and_the_docs_say_so() {
    let Some(root) = corpus_path(env!("CARGO_MANIFEST_DIR"), "runtime-rules") else {
        return;
    };
    let expected = generate(&root);
    // Only `evt.buffer` (payload capture) is out of reach.
    assert_eq!(expected.matches("**").count() / 2, 1, "{expected}");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/runtime-rules.md");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let start = "<!-- upstream:start (generated by crates/harrier-runtime/tests/upstream_rules.rs; a test compares) -->\n";
    let end = "<!-- upstream:end -->";
    let section = text
        .split_once(start)
        .and_then(|(_, rest)| rest.split_once(end))
        .map(|(section, _)| section);
    if section != Some(expected.as_str()) {
        if std::env::var_os("HARRIER_BLESS").is_some() {
            let (head, tail) = match text.split_once(start) {
                Some((head, rest)) => (
                    head.to_owned(),
                    rest.split_once(end).map_or("", |(_, t)| t).to_owned(),
                ),
                None => (text.clone(), String::new()),
            };
            let _ = std::fs::write(path, format!("{head}{start}{expected}{end}{tail}"));
        }
        panic!("docs/runtime-rules.md is stale: rerun with HARRIER_BLESS=1");
    }
}
