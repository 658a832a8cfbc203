#![allow(clippy::expect_used, clippy::print_stderr)] // the bench's own generated objects: a failure is a broken bench; the size is printed
//! `harrier report compliance` on a large posture report: the generated cluster of the
//! posture crate's `rbac`/`risks` benches (100 namespaces, 2,000 service accounts, 5,000
//! bindings) plus one Deployment per service account, every fourth of them privileged with a
//! hostPath and secrets in its environment, scanned with every check. The scan's findings are
//! written in the JSON shape of `scan manifests --format json` (the fields the compliance
//! reader uses, and `checks`) outside the measured closures. Measured: reading the report
//! (JSON parse and observations), evaluating each framework, and rendering CIS as JSON and HTML.
//!
//! Run: `cargo bench -p harrier-compliance --bench evaluate`.

use std::fmt::Write;
use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use harrier_compliance::{Observations, evaluate, framework};
use harrier_k8s::{ObjectIndex, load_text};
use harrier_posture::{ScanOptions, scan};
use serde_json::json;

#[path = "../../harrier-posture/benches/support/cluster.rs"]
mod cluster;

fn manifests() -> String {
    let mut y = cluster::cluster();
    for sa in 0..cluster::SERVICE_ACCOUNTS {
        let ns = sa % cluster::NAMESPACES;
        let risky = if sa % 4 == 0 {
            "      securityContext: {privileged: true}\n      env: [{name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: pw}}}]\n      volumeMounts: [{name: h, mountPath: /host}]\n    volumes: [{name: h, hostPath: {path: /var/run}}]\n"
        } else {
            ""
        };
        let _ = write!(
            y,
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app-{sa}, namespace: ns-{ns}}}\nspec:\n  replicas: 5\n  selector: {{matchLabels: {{app: app-{sa}}}}}\n  template:\n    metadata: {{labels: {{app: app-{sa}}}}}\n    spec:\n      serviceAccountName: sa-{sa}\n      containers:\n      - name: c\n        image: app:latest\n{risky}",
        );
    }
    y
}

/// The scan as `scan manifests --format json` writes the fields the compliance reader uses.
fn report() -> String {
    let loaded = load_text(Arc::from("generated.yaml"), &manifests());
    let (index, _) = ObjectIndex::build(loaded.objects);
    let result = scan(&index, &ScanOptions::default());
    let findings: Vec<serde_json::Value> = result
        .findings
        .iter()
        .map(|f| {
            json!({
                "check_id": f.check_id.as_str(),
                "severity": f.severity.as_str(),
                "resource": {"api_version": f.resource.api_version, "kind": f.resource.kind,
                             "namespace": f.resource.namespace, "name": f.resource.name},
                "container": f.container,
                "location": f.location.as_ref().map(|l| json!({"path": &*l.path, "line": l.line, "column": l.column})),
                "message": f.message,
            })
        })
        .collect();
    let checks: Vec<&str> = result.checks_evaluated.iter().map(|c| c.as_str()).collect();
    serde_json::to_string_pretty(&json!({
        "schema_version": "1", "findings": findings, "suppressed": [], "workloads": [],
        "summary": {}, "checks": checks,
    }))
    .expect("json")
}

fn bench(c: &mut Criterion) {
    let text = report();
    let mut obs = Observations::default();
    obs.read("scan.json", &text).expect("report reads");
    let findings = obs.findings.len();
    eprintln!("report: {} bytes, {findings} findings", text.len());

    let mut group = c.benchmark_group("compliance");
    group.sample_size(10);
    group.throughput(Throughput::Elements(findings as u64));
    group.bench_function("read_report", |b| {
        b.iter(|| {
            let mut obs = Observations::default();
            obs.read("scan.json", &text).expect("report reads");
            black_box(obs.findings.len())
        })
    });
    group.bench_function("evaluate_every_framework", |b| {
        b.iter(|| {
            for fw in framework::all().expect("frameworks") {
                black_box(evaluate(fw, &obs).summary.failed);
            }
        })
    });
    let cis = framework::get("cis").expect("cis");
    let report = evaluate(cis, &obs);
    let tool = harrier_report::ToolInfo {
        name: "harrier",
        version: "bench",
    };
    for (name, format) in [
        (
            "render_cis_json",
            harrier_report::compliance::ComplianceFormat::Json,
        ),
        (
            "render_cis_html",
            harrier_report::compliance::ComplianceFormat::Html,
        ),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut out = Vec::with_capacity(1 << 20);
                harrier_report::compliance::write(format, &mut out, &report, &tool, false)
                    .expect("renders");
                black_box(out.len())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
