//! Falco's own k8s_audit regression cases (`test/falco_k8s_audit_tests.yaml`), run with the
//! upstream rules and the overlay files each case names, over the recorded traces: every case
//! must give the detections, levels and `detect_counts` Falco's test expects.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is a failed test

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use harrier_core::testing::corpus_path;
use harrier_core::yaml::{Schema, parse_single};
use harrier_runtime::Engine;
use harrier_runtime::event::{Event, audit};
use harrier_runtime::rules::{self, Priority, Status};

/// Cases that cannot pass with the current upstream rules, and why. Each is checked to fail
/// for exactly that reason, so the list cannot go stale silently.
const EXCEPTIONS: &[(&str, Exception)] = &[
    ("create_privileged_trusted_pod", Exception::UndefinedList),
    (
        "create_sensitive_mount_trusted_pod",
        Exception::UndefinedList,
    ),
    ("create_hostnetwork_trusted_pod", Exception::UndefinedList),
    (
        "compat_engine_v4_create_hostnetwork_trusted_pod",
        Exception::UndefinedList,
    ),
    ("create_clusterrole", Exception::RuleRemoved),
    ("delete_clusterrole", Exception::RuleRemoved),
    ("create_clusterrolebinding", Exception::RuleRemoved),
    ("delete_clusterrolebinding", Exception::RuleRemoved),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exception {
    /// The overlay `trust_nginx_container.yaml` appends to `falco_*_images` lists, which the
    /// current upstream k8saudit rules renamed `k8s_audit_*_images`: Falco refuses to load a
    /// file appending to an undefined list, and Harrier reports the same problem.
    UndefinedList,
    /// The expected rule (`K8s Role/Clusterrole Created`...) is no longer in the upstream
    /// k8saudit rules file.
    RuleRemoved,
}

struct Case {
    name: String,
    rules: Vec<PathBuf>,
    trace: PathBuf,
    detect: bool,
    level: Option<Priority>,
    counts: BTreeMap<String, usize>,
    stderr_contains: Option<String>,
}

fn map_rules_file(test_dir: &Path, rules_root: &Path, f: &str) -> PathBuf {
    if f.ends_with("falcosecurity-rules-falco/falco_rules.yaml") {
        rules_root.join("falco-rules/rules/falco_rules.yaml")
    } else if f.ends_with("k8saudit-rules/k8s_audit_rules.yaml") {
        rules_root.join("falco-k8saudit-rules/plugins/k8saudit/rules/k8s_audit_rules.yaml")
    } else {
        test_dir.join(f.trim_start_matches("./"))
    }
}

fn cases(test_dir: &Path, rules_root: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(test_dir.join("falco_k8s_audit_tests.yaml")).unwrap();
    let root = parse_single(&text, Schema::Core).unwrap();
    let mux = root.get("trace_files").unwrap().as_map().unwrap();
    let mut out = Vec::new();
    for e in mux.entries() {
        let c = &e.value;
        let opts = c.get("addl_cmdline_opts").and_then(|o| o.as_str()).unwrap();
        let trace = opts.split("open_params=").nth(1).unwrap().trim();
        let mut counts = BTreeMap::new();
        for dc in c
            .get("detect_counts")
            .and_then(|d| d.as_seq())
            .unwrap_or(&[])
        {
            for entry in dc.as_map().unwrap().entries() {
                counts.insert(entry.key.clone(), entry.value.as_i64().unwrap() as usize);
            }
        }
        out.push(Case {
            name: e.key.clone(),
            rules: c
                .get("rules_file")
                .and_then(|r| r.as_seq())
                .unwrap()
                .iter()
                .map(|f| map_rules_file(test_dir, rules_root, f.as_str().unwrap()))
                .collect(),
            trace: test_dir.join(trace),
            detect: c.get("detect").and_then(|d| d.as_bool()).unwrap(),
            level: c
                .get("detect_level")
                .and_then(|d| d.as_str())
                .map(|l| Priority::parse(l).unwrap()),
            counts,
            stderr_contains: c
                .get("stderr_contains")
                .and_then(|s| s.as_str())
                .map(str::to_string),
        });
    }
    out
}

#[test]
fn falco_k8s_audit_cases_give_the_expected_detections() {
    let Some(test_dir) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "audit-logs/falco-k8s-audit-traces/test",
    ) else {
        return;
    };
    let Some(rules_root) = corpus_path(env!("CARGO_MANIFEST_DIR"), "runtime-rules") else {
        return;
    };
    let cases = cases(&test_dir, &rules_root);
    assert!(cases.len() >= 50, "only {} cases read", cases.len());
    let mut failures = Vec::new();
    let mut excepted = 0;
    for case in &cases {
        let mut case_failures = Vec::new();
        let set = rules::load_files(&case.rules);
        let exception = EXCEPTIONS
            .iter()
            .find(|(n, _)| *n == case.name)
            .map(|(_, e)| *e);
        #[allow(clippy::collapsible_match)] // one arm per exception reads better
        match exception {
            Some(Exception::UndefinedList) => {
                if !set
                    .problems
                    .iter()
                    .any(|p| p.message.contains("was not defined before"))
                {
                    failures.push(format!(
                        "{}: exception UndefinedList does not hold",
                        case.name
                    ));
                }
            }
            Some(Exception::RuleRemoved) => {
                if case
                    .counts
                    .keys()
                    .any(|r| set.statuses.iter().any(|s| &s.name == r))
                {
                    failures.push(format!(
                        "{}: exception RuleRemoved does not hold",
                        case.name
                    ));
                }
            }
            None => {}
        }
        // Every k8s_audit rule of the files must load (syscall rules load too, unused here).
        for s in &set.statuses {
            if s.source == "k8s_audit" && s.status == Status::Disabled {
                case_failures.push(format!("{}: {s}", case.name));
            }
        }
        let engine = Engine::new(&set);
        let text = std::fs::read_to_string(&case.trace).unwrap();
        let (events, errors) = audit::decode(&text);
        if let Some(want) = &case.stderr_contains {
            let msg = errors
                .iter()
                .map(|e| format!("{}:{e}", case.trace.display()))
                .collect::<Vec<_>>()
                .join("\n");
            if !msg.contains(want.as_str()) {
                case_failures.push(format!(
                    "{}: expected an error containing {want:?}, got {msg:?}",
                    case.name
                ));
            }
        } else if !errors.is_empty() {
            case_failures.push(format!("{}: decode errors {errors:?}", case.name));
        }
        let mut got: BTreeMap<String, usize> = BTreeMap::new();
        let mut levels = Vec::new();
        for e in events {
            let event = Event::K8sAudit(Box::new(e));
            engine.evaluate(&event, |r| {
                *got.entry(r.name.clone()).or_default() += 1;
                levels.push(r.priority);
            });
        }
        if case.detect == got.is_empty() {
            case_failures.push(format!(
                "{}: detect {} but got {got:?}",
                case.name, case.detect
            ));
        }
        if let Some(level) = case.level
            && case.detect
            && !levels.contains(&level)
        {
            case_failures.push(format!(
                "{}: no detection at level {level}: {levels:?}",
                case.name
            ));
        }
        for (rule, n) in &case.counts {
            if got.get(rule) != Some(n) {
                case_failures.push(format!(
                    "{}: {rule} expected {n}, got {:?}",
                    case.name,
                    got.get(rule)
                ));
            }
        }
        match exception {
            Some(_) if case_failures.is_empty() => {
                failures.push(format!("{}: listed as an exception but passes", case.name));
            }
            Some(_) => excepted += 1,
            None => failures.extend(case_failures),
        }
    }
    assert_eq!(excepted, EXCEPTIONS.len(), "an exception names no case");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
