//! Reading each kind of Harrier report and deciding controls from it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use harrier_compliance::{Observations, Status, evaluate, framework};

fn status(framework_id: &str, obs: &Observations, control: &str) -> Status {
    let fw = framework::get(framework_id).unwrap();
    let report = evaluate(fw, obs);
    report
        .controls
        .iter()
        .find(|r| r.control.id == control)
        .map(|r| r.status)
        .unwrap()
}

const POSTURE: &str = r#"{
  "schema_version": "1",
  "findings": [
    {"check_id": "HRR-PSS-001", "resource": {"kind": "Pod", "namespace": "shop", "name": "web"},
     "container": "app", "location": {"path": "web.yaml", "line": 12, "column": 9},
     "message": "container `app` sets `securityContext.privileged: true`"}
  ],
  "workloads": [],
  "checks": ["HRR-PSS-001", "HRR-PSS-002", "HRR-PSS-011"]
}"#;

#[test]
fn posture_report_passes_clean_checks_and_fails_findings() {
    let mut obs = Observations::default();
    obs.read("scan.json", POSTURE).unwrap();
    assert_eq!(status("cis", &obs, "5.2.2"), Status::Fail);
    assert_eq!(status("cis", &obs, "5.2.3"), Status::Pass);
    assert_eq!(status("cis", &obs, "5.2.11"), Status::Pass);
    // Mapped checks exist but none ran.
    assert_eq!(status("cis", &obs, "5.2.13"), Status::NotCovered);
    // Manual.
    assert_eq!(status("cis", &obs, "5.1.7"), Status::NotCovered);
    let fw = framework::get("cis").unwrap();
    let report = evaluate(fw, &obs);
    let c = report
        .controls
        .iter()
        .find(|r| r.control.id == "5.2.2")
        .unwrap();
    assert_eq!(c.findings.len(), 1);
    assert_eq!(c.findings[0].subject, "Pod shop/web container app");
    assert_eq!(c.findings[0].location.as_deref(), Some("web.yaml:12"));
    assert_eq!(
        report.summary.passed, 4,
        "5.2.3, 5.2.4, 5.2.5 (HRR-PSS-002) and 5.2.11"
    );
    assert_eq!(report.summary.failed, 1);
    assert_eq!(report.summary.score, Some(80.0));
}

#[test]
fn old_posture_report_without_checks_counts_only_findings() {
    let old = POSTURE.replace(
        r#""checks": ["HRR-PSS-001", "HRR-PSS-002", "HRR-PSS-011"]"#,
        r#""summary": {}"#,
    );
    let mut obs = Observations::default();
    obs.read("old.json", &old).unwrap();
    assert_eq!(status("cis", &obs, "5.2.2"), Status::Fail);
    assert_eq!(status("cis", &obs, "5.2.3"), Status::NotCovered);
    assert_eq!(obs.warnings.len(), 1);
    assert!(obs.warnings[0].starts_with("old.json: the report has no `checks` list"));
}

const NODE: &str = r#"{"kind": "node",
  "node": {"name": "cp-1", "benchmark": "cis-1.10", "profile": "kubeadm"},
  "results": [
    {"id": "1.1.1", "title": "t", "status": "PASS", "evidence": ["/etc/kubernetes/manifests/kube-apiserver.yaml mode 0600"]},
    {"id": "1.2.16", "title": "t", "status": "FAIL", "evidence": ["--audit-log-path is not set"]},
    {"id": "4.2.1", "title": "t", "status": "WARN", "evidence": ["no kubelet found"]},
    {"id": "1.2.9", "title": "t", "status": "MANUAL", "evidence": []}
  ],
  "summary": {}}"#;

#[test]
fn node_report_pass_fail_warn_manual() {
    let mut obs = Observations::default();
    obs.read("node.json", NODE).unwrap();
    assert_eq!(status("cis", &obs, "1.1.1"), Status::Pass);
    assert_eq!(status("cis", &obs, "1.2.16"), Status::Fail);
    assert_eq!(status("cis", &obs, "4.2.1"), Status::NotCovered);
    assert_eq!(status("cis", &obs, "1.2.9"), Status::NotCovered);
    let report = evaluate(framework::get("cis").unwrap(), &obs);
    let c = report
        .controls
        .iter()
        .find(|r| r.control.id == "4.2.1")
        .unwrap();
    assert_eq!(c.notes.len(), 1, "WARN is kept as a note");
    let c = report
        .controls
        .iter()
        .find(|r| r.control.id == "1.2.16")
        .unwrap();
    assert_eq!(c.findings[0].subject, "node cp-1");
    assert_eq!(c.findings[0].detail, "FAIL: --audit-log-path is not set");
    // The same FAIL fails NIST AU-2, which maps the audit items.
    assert_eq!(status("nist-800-53", &obs, "AU-2"), Status::Fail);
}

const IMAGE: &str = r#"{"schema_version": "1",
  "target": {"reference": "registry.example/shop/web:1.0"},
  "packages": [],
  "vulnerabilities": [
    {"id": "CVE-2021-44228", "severity": "critical", "fixed": ["2.15.0"], "kev": {"date_added": "2021-12-10"},
     "package": {"name": "log4j-core", "version": "2.14.1", "path": "app/lib/log4j-core-2.14.1.jar"}},
    {"id": "CVE-2099-0001", "severity": "high", "fixed": [], "kev": null,
     "package": {"name": "zlib", "version": "1.2", "path": ""}}
  ],
  "secrets": null,
  "summary": {}}"#;

#[test]
fn image_report_decides_derived_checks() {
    let mut obs = Observations::default();
    obs.read("image.json", IMAGE).unwrap();
    assert!(obs.evaluated.contains("HRR-IMG-001"));
    assert!(obs.evaluated.contains("HRR-IMG-003"));
    assert!(
        !obs.evaluated.contains("HRR-IMG-004"),
        "secrets were not looked for"
    );
    let checks: Vec<&str> = obs.findings.iter().map(|f| f.check.as_str()).collect();
    assert_eq!(
        checks,
        ["HRR-IMG-001", "HRR-IMG-002"],
        "the high one has no fix"
    );
    assert_eq!(status("pci-dss", &obs, "6.3.3"), Status::Fail);
    // IMG-003 evaluated clean, IMG-001/002 failed: still a failure of RA-5.
    assert_eq!(status("nist-800-53", &obs, "RA-5"), Status::Fail);
    assert_eq!(
        obs.findings[0].subject,
        "registry.example/shop/web:1.0 package log4j-core 2.14.1"
    );
}

#[test]
fn rbac_risks_report_evaluates_every_primitive() {
    let risks = r#"{"findings": [{"id": "HRR-RBAC-R004", "title": "Read secrets in every namespace",
        "subject": {"kind": "ServiceAccount", "name": "ci", "namespace": "tools"},
        "bindings": [{"kind": "ClusterRoleBinding", "name": "ci", "namespace": null,
                      "role": {"kind": "ClusterRole", "name": "reader"},
                      "location": {"path": "rbac.yaml", "line": 3, "column": 1}}]}],
        "hidden": {"builtin": 0, "below_min_severity": 0}, "problems": []}"#;
    let mut obs = Observations::default();
    obs.read("risks.json", risks).unwrap();
    assert_eq!(status("cis", &obs, "5.1.2"), Status::Fail);
    assert_eq!(
        status("cis", &obs, "5.1.13"),
        Status::Pass,
        "R021 evaluated, no finding"
    );
    let f = &obs.findings[0];
    assert_eq!(f.subject, "ServiceAccount tools/ci");
    assert_eq!(f.location.as_deref(), Some("rbac.yaml:3"));
    assert!(
        f.detail
            .contains("ClusterRoleBinding ci → ClusterRole reader"),
        "{}",
        f.detail
    );
}

#[test]
fn scan_all_report_holds_the_others() {
    let all = format!(
        r#"{{"kind": "all", "tool": {{}}, "manifests": {POSTURE}, "cluster": null, "rbac_risks": null,
            "images": [{IMAGE}], "fs": [], "node": {NODE}}}"#
    );
    let mut obs = Observations::default();
    obs.read("all.json", &all).unwrap();
    assert_eq!(status("cis", &obs, "5.2.2"), Status::Fail);
    assert_eq!(status("cis", &obs, "1.2.16"), Status::Fail);
    assert_eq!(status("pci-dss", &obs, "6.3.1"), Status::Fail);
    assert_eq!(obs.inputs.len(), 1);
    assert_eq!(obs.inputs[0].kind, "all");
}

#[test]
fn unknown_and_malformed_inputs_name_the_file() {
    let mut obs = Observations::default();
    let err = obs.read("x.json", "{\"a\": 1}").unwrap_err().to_string();
    assert!(err.starts_with("x.json: not a Harrier report"), "{err}");
    let err = obs
        .read("y.json", "{\n  \"findings\": [,\n}")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("y.json:2:16: not JSON"), "{err}");
    let err = obs
        .read(
            "z.json",
            r#"{"kind": "node", "results": [{"id": "1.1.1", "status": "MAYBE"}]}"#,
        )
        .unwrap_err()
        .to_string();
    assert_eq!(err, "z.json: results[0] has an unknown status `MAYBE`");
    let err = obs
        .read("w.json", r#"{"kind": "all", "images": [{"b": 1}]}"#)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("w.json: at `images[0]`: not a Harrier report"),
        "{err}"
    );
}

#[test]
fn cluster_scan_facts_are_not_mistaken_for_reports() {
    // `scan cluster` adds `cluster` facts with `images` and `nodes`: not `scan all` members.
    let report = POSTURE.replace(
        r#""workloads": [],"#,
        r#""workloads": [], "errors": [{"path": "x.yaml", "message": "bad"}],
           "cluster": {"images": [{"image": "nginx", "pods": 2}], "nodes": [{"name": "n1"}]},"#,
    );
    let mut obs = Observations::default();
    obs.read("cluster.json", &report).unwrap();
    assert_eq!(obs.inputs[0].kind, "posture");
    assert_eq!(status("cis", &obs, "5.2.2"), Status::Fail);
    assert_eq!(
        obs.warnings,
        ["cluster.json: the scan could not read 1 input(s); their objects were not evaluated"]
    );
}

#[test]
fn a_field_of_the_wrong_type_is_malformed_with_its_position() {
    let mut obs = Observations::default();
    let err = obs
        .read(
            "m.json",
            "{\"findings\": [], \"workloads\": [],\n \"checks\": 7}",
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("m.json:2:12: malformed report: invalid type: integer `7`"),
        "{err}"
    );
}

#[test]
fn score_is_passed_over_decided_rounded_to_a_tenth() {
    let report = POSTURE.replace(
        r#""checks": ["HRR-PSS-001", "HRR-PSS-002", "HRR-PSS-011"]"#,
        r#""checks": ["HRR-PSS-001", "HRR-PSS-004", "HRR-PSS-011"]"#,
    );
    let mut obs = Observations::default();
    obs.read("scan.json", &report).unwrap();
    let report = evaluate(framework::get("cis").unwrap(), &obs);
    // 5.2.2 fails; 5.2.11 and 5.2.13 pass; the 127 others are not covered.
    assert_eq!((report.summary.passed, report.summary.failed), (2, 1));
    assert_eq!(report.summary.not_covered, 127);
    assert_eq!(report.summary.score, Some(66.7));
    let section = report.sections.iter().find(|s| s.id == "5.2").unwrap();
    assert_eq!(section.tally.score, Some(66.7));
    let node = report.sections.iter().find(|s| s.id == "1.1").unwrap();
    assert_eq!(node.tally.score, None, "nothing decided");
}
