//! Harrier's own audit rules (`rules/k8s_audit.yaml`) over Panther's labelled Kubernetes audit
//! events (`audit-logs/panther-k8s-detections/labeled-events.jsonl`: 218 events, each the test
//! case of one Panther detection with its expected result). Each Panther detection is mapped
//! to the Harrier rule(s) covering the same behaviour; an event counts as detected when one of
//! them fires. Precision, recall and the per-detection misses are printed (docs/audit-rules.md
//! records them) and minimums asserted, so a regression fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)] // a panic is a failed test

use std::collections::BTreeMap;

use harrier_core::testing::corpus_path;
use harrier_runtime::Engine;
use harrier_runtime::event::{Event, audit};
use harrier_runtime::profiles::AUDIT_RULES;
use harrier_runtime::rules::{Loader, Status};
use serde_json::Value;

/// Panther detection → the Harrier rules for the same behaviour. An empty list is a
/// detection Harrier's audit rules do not cover, with the reason.
const MAPPING: &[(&str, &[&str])] = &[
    (
        "Amazon.EKS.AnonymousAPIAccess",
        &["Harrier Anonymous API Request from Public Address"],
    ),
    (
        "Amazon.EKS.Audit.Multiple403",
        &["Harrier API Request Forbidden from Public Address"],
    ),
    (
        "Amazon.EKS.Audit.SystemNamespaceFromPublicIP",
        &["Harrier System Identity Used from Public Address"],
    ),
    // Azure Activity Log entries about Arc/AKS resources, not Kubernetes audit events.
    ("Azure.MonitorActivity.Kubernetes.RoleBindingCreated", &[]),
    (
        "GCP.GKE.Kubernetes.Cron.Job.Created.Or.Modified",
        &["Harrier CronJob Created or Changed"],
    ),
    (
        "GCP.K8S.Pod.Create.Or.Modify.Host.Path.Volume.Mount",
        &["Harrier Pod Created with Sensitive HostPath"],
    ),
    (
        "GCP.K8S.Privileged.Pod.Created",
        &[
            "Harrier Privileged Pod Created",
            "Harrier Pod Created to Run as Root",
        ],
    ),
    (
        "GCP.K8S.Service.Type.NodePort.Deployed",
        &["Harrier NodePort Service Created"],
    ),
    ("GCP.K8s.ExecIntoPod", &["Harrier Exec into Pod"]),
    // Needs Panther's threat-intelligence enrichment (`p_enrichment`), not in the audit event.
    ("GCP.K8s.IOC.Activity", &[]),
    (
        "GCP.K8s.New.Daemonset.Deployed",
        &["Harrier DaemonSet Created"],
    ),
    (
        "GCP.K8s.Pod.Attached.To.Node.Host.Network",
        &["Harrier Pod Created with Host Network"],
    ),
    (
        "GCP.K8s.Pod.Using.Host.PID.Namespace",
        &["Harrier Pod Created with Host PID"],
    ),
    (
        "Kubernetes.API.Multiple403.PublicIP",
        &["Harrier API Request Forbidden from Public Address"],
    ),
    (
        "Kubernetes.AdmissionController.Created",
        &["Harrier Admission Webhook Created"],
    ),
    (
        "Kubernetes.ClientCertificate.Created",
        &["Harrier Client Certificate Requested"],
    ),
    (
        "Kubernetes.CronJob.CreatedOrModified",
        &["Harrier CronJob Created or Changed"],
    ),
    (
        "Kubernetes.DaemonSet.Created",
        &["Harrier DaemonSet Created"],
    ),
    (
        "Kubernetes.Kubectl.CP.Operation",
        &["Harrier Files Copied out of Pod"],
    ),
    (
        "Kubernetes.Pod.Dangerous.Capabilities",
        &["Harrier Pod Created with Dangerous Capabilities"],
    ),
    ("Kubernetes.Pod.Exec", &["Harrier Exec into Pod"]),
    (
        "Kubernetes.Pod.Host.IPC",
        &["Harrier Pod Created with Host IPC"],
    ),
    (
        "Kubernetes.Pod.Host.PID",
        &["Harrier Pod Created with Host PID"],
    ),
    (
        "Kubernetes.Pod.HostPath.Volume",
        &["Harrier Pod Created with HostPath Volume"],
    ),
    (
        "Kubernetes.Pod.StealServiceAccountToken",
        &["Harrier Service Account Token Read through Exec"],
    ),
    (
        "Kubernetes.Pod.SystemNamespace",
        &["Harrier Pod Created in System Namespace"],
    ),
    (
        "Kubernetes.Role.NodeProxyPermissions",
        &["Harrier Role Grants Node Proxy"],
    ),
    ("Kubernetes.Role.PodExec", &["Harrier Role Grants Pod Exec"]),
    (
        "Kubernetes.Role.Wildcard",
        &["Harrier Role Grants Wildcard Access"],
    ),
    (
        "Kubernetes.Role.WritePermissions",
        &["Harrier Role Grants Write Access"],
    ),
    (
        "Kubernetes.Secret.AccessDenied",
        &["Harrier Secret Access Denied"],
    ),
    (
        "Kubernetes.Secrets.DumpAllNamespaces",
        &["Harrier Secrets Listed in All Namespaces"],
    ),
    (
        "Kubernetes.Service.NodePort.Deployed",
        &["Harrier NodePort Service Created"],
    ),
    (
        "Kubernetes.ServiceAccount.TokenCreated",
        &["Harrier Service Account Token Created"],
    ),
    (
        "Kubernetes.SystemRole.Modified",
        &["Harrier System Role Changed"],
    ),
];

#[derive(Default, Debug)]
struct Counts {
    tp: usize,
    fp: usize,
    tn: usize,
    fn_: usize,
    undecodable: usize,
    misses: Vec<String>,
    false_alarms: Vec<String>,
}

#[test]
fn harrier_audit_rules_on_panther_labelled_events() {
    let Some(path) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "audit-logs/panther-k8s-detections/labeled-events.jsonl",
    ) else {
        return;
    };
    let mut loader = Loader::new();
    loader.add_text(AUDIT_RULES.path, AUDIT_RULES.text);
    let set = loader.compile();
    assert!(set.problems.is_empty(), "{:?}", set.problems);
    for s in &set.statuses {
        assert_eq!(s.status, Status::Loaded, "{s}");
    }
    let names: Vec<&str> = set.rules.iter().map(|r| r.name.as_str()).collect();
    for (_, rules) in MAPPING {
        for r in *rules {
            assert!(
                names.contains(r),
                "mapped rule `{r}` is not in k8s_audit.yaml"
            );
        }
    }
    let engine = Engine::new(&set);

    let text = std::fs::read_to_string(&path).unwrap();
    let mut per_rule: BTreeMap<String, Counts> = BTreeMap::new();
    let mut total = Counts::default();
    let mut events = 0;
    for (i, line) in text.lines().enumerate() {
        let row: Value = serde_json::from_str(line).unwrap();
        let id = row["rule_id"].as_str().unwrap();
        let expected = row["expected_result"].as_bool().unwrap();
        let name = format!(
            "{}: {}",
            line_no(i),
            row["test_name"].as_str().unwrap_or("")
        );
        let mapped = MAPPING
            .iter()
            .find(|(p, _)| *p == id)
            .unwrap_or_else(|| panic!("no mapping for Panther rule {id}"))
            .1;
        events += 1;
        let (decoded, errors) = audit::decode(&row["log"].to_string());
        let c = per_rule
            .entry(mapped.first().copied().unwrap_or(id).to_string())
            .or_default();
        let fired = if errors.is_empty() && !decoded.is_empty() {
            decoded.into_iter().any(|e| {
                let event = Event::K8sAudit(Box::new(e));
                let mut hit = false;
                engine.evaluate(&event, |r| hit |= mapped.contains(&r.name.as_str()));
                hit
            })
        } else {
            c.undecodable += 1;
            total.undecodable += 1;
            false
        };
        match (expected, fired) {
            (true, true) => {
                c.tp += 1;
                total.tp += 1;
            }
            (false, false) => {
                c.tn += 1;
                total.tn += 1;
            }
            (true, false) => {
                c.fn_ += 1;
                total.fn_ += 1;
                c.misses.push(format!("{id} {name}"));
            }
            (false, true) => {
                c.fp += 1;
                total.fp += 1;
                c.false_alarms.push(format!("{id} {name}"));
            }
        }
    }
    let precision = total.tp as f64 / (total.tp + total.fp) as f64;
    let recall = total.tp as f64 / (total.tp + total.fn_) as f64;
    println!(
        "{events} events, {} positive: TP {} FP {} TN {} FN {}; {} not Kubernetes audit events",
        total.tp + total.fn_,
        total.tp,
        total.fp,
        total.tn,
        total.fn_,
        total.undecodable
    );
    println!("precision {:.3} recall {:.3}", precision, recall);
    println!("| Harrier rule | TP | FP | TN | FN |");
    for (rule, c) in &per_rule {
        println!("| {rule} | {} | {} | {} | {} |", c.tp, c.fp, c.tn, c.fn_);
    }
    for c in per_rule.values() {
        for m in &c.misses {
            println!("miss: {m}");
        }
        for f in &c.false_alarms {
            println!("false alarm: {f}");
        }
    }
    assert_eq!(events, 218);
    assert_eq!(total.tp + total.fn_, 107);
    // 12 entries are not Kubernetes audit events (Azure Activity Log, Deployment Manager,
    // threat-intelligence enrichment only); 8 of them are positives no audit rule can see.
    assert_eq!(total.undecodable, 12);
    assert!(precision >= 0.97, "precision {precision:.3}");
    assert!(recall >= 0.89, "recall {recall:.3}");
}

fn line_no(i: usize) -> usize {
    i + 1
}
