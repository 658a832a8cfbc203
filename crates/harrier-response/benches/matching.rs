#![allow(clippy::print_stderr)] // a bench reports a skip on stderr
//! Policy matching per alert: how long deciding which responses an alert triggers takes, and
//! the whole dry-run decision (targets, exclusions, rate limits, records) for pod actions.
//!
//! Alerts are one per rule of the upstream Falco rules in the shared corpus (stable,
//! incubating and sandbox: real names, priorities and tags), repeated; the policy has eight
//! responses mixing exact names, globs, tags and minimum priorities, as a real one would.
//!
//! Run: `cargo bench -p harrier-response --bench matching`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use harrier_core::testing::corpus_root;
use harrier_response::{Policy, Responder};
use harrier_runtime::Alert;
use harrier_runtime::rules;

const POLICY: &str = r#"
dry_run: true
limits: {max_actions_per_minute: 1000000, pod_cooldown_seconds: 0}
responses:
  - name: shells
    match: {rules: ["Terminal shell in container", "Run shell untrusted"]}
    actions: [kill, quarantine]
  - name: escapes
    match: {rules: ["*escape*", "*Privileged*", "Mount *"], min_priority: warning}
    actions: [kill, scale_to_zero]
  - name: credential-access
    match: {tags: [mitre_credential_access, T1552], min_priority: warning}
    actions: [label]
  - name: miners
    match: {rules: ["*mining*", "*Miner*"]}
    actions: [kill, delete_pod]
  - name: critical
    match: {min_priority: critical}
    actions: [quarantine]
  - name: exfiltration
    match: {tags: [mitre_exfiltration], sources: [syscall]}
    actions: [label]
  - name: persistence
    match: {tags: [mitre_persistence], rules: ["*cron*", "*Write below*"]}
    actions: [label]
  - name: audit-exec
    match: {rules: ["Attach/Exec Pod", "Harrier Exec into Pod"], sources: [k8s_audit]}
    actions: [label]
"#;

fn bench(c: &mut Criterion) {
    let Some(root) = corpus_root(env!("CARGO_MANIFEST_DIR")) else {
        eprintln!("skipped: the shared corpus was not found (set HARRIER_CORPUS)");
        return;
    };
    let dir = root.join("runtime-rules/falco-rules/rules");
    let set = rules::load_files(&[
        dir.join("falco_rules.yaml"),
        dir.join("falco-incubating_rules.yaml"),
        dir.join("falco-sandbox_rules.yaml"),
    ]);
    let one_each: Vec<Alert> = set
        .rules
        .iter()
        .map(|r| Alert {
            rule: r.name.clone(),
            priority: r.priority,
            output: String::new(),
            time: "2026-01-01T00:00:00.000000000Z".into(),
            source: r.source.as_str(),
            tags: r.tags.clone(),
            hostname: "node-1".into(),
            output_fields: serde_json::json!({"container.id": "3ad7b2c1f0e9",
                "k8s.ns.name": "shop", "k8s.pod.name": "web-1"})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        })
        .collect();
    let alerts: Vec<Alert> = (0..50).flat_map(|_| one_each.iter().cloned()).collect();
    let policy = match Policy::parse("bench.yaml", POLICY) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("skipped: {e}");
            return;
        }
    };
    let selected = one_each
        .iter()
        .filter(|a| policy.responses.iter().any(|r| r.selector.matches(a)))
        .count();
    eprintln!(
        "{} rules as alerts, {selected} selected by a response",
        one_each.len()
    );
    let mut group = c.benchmark_group("response");
    group.throughput(Throughput::Elements(alerts.len() as u64));
    group.bench_function("select", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for a in &alerts {
                n += policy
                    .responses
                    .iter()
                    .filter(|r| r.selector.matches(black_box(a)))
                    .count();
            }
            n
        })
    });
    // Pod actions only: a dry-run kill reads /proc, which measures the kernel, not the policy.
    let pod_policy = match Policy::parse("bench.yaml", &POLICY.replace("kill, ", "")) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("skipped: {e}");
            return;
        }
    };
    let mut responder = Responder::new(pod_policy);
    group.bench_function("respond-dry-run", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for a in &alerts {
                n += responder.on_alert(black_box(a)).map_or(0, |r| r.len());
            }
            n
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
