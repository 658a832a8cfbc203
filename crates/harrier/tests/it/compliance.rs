//! `harrier report compliance|frameworks` over real scans of the corpus (issue 6).

use harrier_core::testing::{corpus_path, skip};

use crate::util::{Dir, Run};

/// Scans a corpus directory to JSON in `dir`, returning the report's file name.
fn scan(dir: &Dir, corpus: &str, name: &str) -> Option<String> {
    let path = corpus_path(env!("CARGO_MANIFEST_DIR"), corpus)?;
    let path = path.to_str().expect("utf-8 path");
    let run = dir.run(&["scan", "manifests", path, "--format", "json", "-o", name]);
    // kubernetes-goat holds unrendered Helm templates: they are errors (2), the rest is scanned.
    assert!(run.code == 0 || run.code == 2, "{}", run.stderr);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join(name)).expect("report"))
            .expect("json");
    assert!(
        doc["checks"].as_array().is_some_and(|c| c.len() > 90),
        "`checks` lists the evaluated checks"
    );
    Some(name.to_owned())
}

fn statuses(doc: &serde_json::Value) -> std::collections::BTreeMap<String, String> {
    doc["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .map(|c| {
            (
                c["id"].as_str().expect("id").to_owned(),
                c["status"].as_str().expect("status").to_owned(),
            )
        })
        .collect()
}

/// `harrier report compliance --framework FRAMEWORK ARGS...`.
fn compliance(dir: &Dir, framework: &str, args: &[&str]) -> Run {
    let mut all = vec!["report", "compliance", "--framework", framework];
    all.extend_from_slice(args);
    dir.run(&all)
}

#[test]
fn kubernetes_goat_cis_statuses() {
    let dir = Dir::new();
    let Some(report) = scan(&dir, "manifests/insecure/kubernetes-goat", "goat.json") else {
        return;
    };
    let run = compliance(&dir, "cis", &["--format", "json", &report]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    let s = statuses(&doc);
    assert_eq!(s.len(), 130);
    assert_eq!(s["5.2.2"], "fail", "privileged containers");
    assert_eq!(s["5.1.1"], "fail", "cluster-admin bound to superadmin");
    assert_eq!(s["5.7.4"], "fail", "default namespace");
    assert_eq!(s["5.2.11"], "pass", "no Windows HostProcess containers");
    assert_eq!(s["5.2.13"], "pass", "no hostPort");
    assert_eq!(s["5.1.7"], "not-covered", "manual");
    assert_eq!(s["1.1.1"], "not-covered", "no node report given");
    let c = doc["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .find(|c| c["id"] == "5.2.2")
        .expect("5.2.2");
    let subjects: Vec<&str> = c["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["subject"].as_str().expect("subject"))
        .collect();
    assert!(
        subjects.contains(&"Deployment default/system-monitor-deployment container system-monitor"),
        "{subjects:?}"
    );
    assert_eq!(doc["framework"]["id"], "cis");
    assert_eq!(doc["summary"]["controls"], 130);
    let (passed, failed) = (
        doc["summary"]["passed"].as_f64().expect("passed"),
        doc["summary"]["failed"].as_f64().expect("failed"),
    );
    let score = doc["score"].as_f64().expect("score");
    assert!((score - (passed * 1000.0 / (passed + failed)).round() / 10.0).abs() < 1e-9);
}

#[test]
fn argo_cd_with_rbac_risks_and_fail_under() {
    let dir = Dir::new();
    let Some(report) = scan(&dir, "manifests/realworld/argo-cd", "argo.json") else {
        return;
    };
    let Some(path) = corpus_path(env!("CARGO_MANIFEST_DIR"), "manifests/realworld/argo-cd") else {
        return;
    };
    let risks = dir.run(&[
        "rbac",
        "risks",
        "-f",
        path.to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    dir.write("risks.json", &risks.stdout);
    let run = compliance(&dir, "cis", &["--format", "json", &report, "risks.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let s = statuses(&run.json());
    assert_eq!(s["5.2.2"], "pass");
    assert_eq!(s["5.2.7"], "fail");
    assert_eq!(s["5.1.5"], "pass");
    // The application controller holds `*` on `*`: rbac risks reports every primitive for it.
    assert_eq!(s["5.1.1"], "fail", "R001 cluster-admin equivalent");
    assert_eq!(s["5.1.13"], "fail", "R021 service account tokens");
    // Without the risks report no binding to cluster-admin is seen: 5.1.1 passes on the
    // manifest checks alone, and 5.1.13 (risk primitives only) is not covered.
    let run = compliance(&dir, "cis", &["--format", "json", &report]);
    let s = statuses(&run.json());
    assert_eq!(s["5.1.1"], "pass");
    assert_eq!(s["5.1.13"], "not-covered");
    // The score is below 100: the gate fails; at 0 it passes.
    let gate = compliance(&dir, "cis", &["--fail-under", "99", &report]);
    assert_eq!(gate.code, 1, "{}", gate.stderr);
    let gate = compliance(&dir, "cis", &["--fail-under", "0", &report]);
    assert_eq!(gate.code, 0, "{}", gate.stderr);
    // Standard input.
    let text = std::fs::read_to_string(dir.path().join(&report)).expect("report");
    let run = dir.run_stdin(&["report", "compliance", "--framework", "nsa", "-"], &text);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Score "), "{}", run.stdout);
}

#[test]
fn csv_is_rfc_4180_with_a_row_per_finding() {
    let dir = Dir::new();
    let Some(report) = scan(&dir, "manifests/insecure/kubernetes-goat", "goat.json") else {
        return;
    };
    let run = compliance(&dir, "pci-dss", &["--format", "csv", &report]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let headers = reader.headers().expect("header").clone();
    assert_eq!(&headers[1], "control_id");
    assert_eq!(headers.len(), 13);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let controls: std::collections::BTreeSet<&str> = rows.iter().map(|r| &r[1]).collect();
    assert_eq!(controls.len(), 26, "every control has a row");
    let failing: Vec<&csv::StringRecord> = rows.iter().filter(|r| &r[4] == "fail").collect();
    assert!(
        failing.iter().all(|r| !r[8].is_empty()),
        "a failed control's rows name the finding"
    );
    assert!(
        rows.iter()
            .any(|r| r[11].contains(',') || r[11].contains('"')),
        "quoted fields survive"
    );
}

#[test]
fn html_is_self_contained_escaped_and_renders_in_chromium() {
    let dir = Dir::new();
    // A message that would be markup if it were not escaped.
    let report = r#"{"findings": [{"check_id": "HRR-PSS-001", "resource": {"kind": "Pod", "namespace": "x", "name": "<img src=x onerror=alert(1)>"},
        "container": null, "location": null, "message": "<script>document.title='pwned'</script>"}],
        "workloads": [], "checks": ["HRR-PSS-001", "HRR-PSS-002"]}"#;
    dir.write("scan.json", report);
    let run = compliance(
        &dir,
        "cis",
        &["--format", "html", "-o", "report.html", "scan.json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(dir.path().join("report.html")).expect("html");
    for external in ["<script", "<link", "src=\"", "href=", "url(", "@import"] {
        assert!(
            !html.contains(external),
            "the page refers to something outside it: {external}"
        );
    }
    assert!(html.contains("&lt;script&gt;"));
    let chromium = std::path::Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        skip::<()>("chromium is not installed (Debian package `chromium`)");
        return;
    }
    let profile = dir.path().join("profile");
    let out = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(dir.path().join("report.html"))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("<title>CIS Kubernetes Benchmark 1.10.0 compliance report</title>"),
        "title not pwned"
    );
    assert!(
        !dom.contains("<script"),
        "no script element in the rendered DOM"
    );
    assert!(!dom.contains("<img"), "no img element in the rendered DOM");
    assert!(dom.contains("id=\"chart\""), "summary chart");
    assert_eq!(
        dom.matches("<tr id=\"control-").count(),
        130,
        "one row per control"
    );
    assert!(dom.contains("id=\"control-5.2.2\" data-status=\"fail\""));
    assert!(dom.contains("id=\"control-5.2.3\" data-status=\"pass\""));
    // 5.2.3, 5.2.4 and 5.2.5 pass (HRR-PSS-002 clean), 5.2.2 fails.
    assert!(
        dom.contains("<div class=\"score\" id=\"score\">75.0%</div>"),
        "{dom}"
    );
}

#[test]
fn frameworks_lists_every_framework() {
    let run = Dir::new().run(&["report", "frameworks", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ids: Vec<String> = run
        .json()
        .as_array()
        .expect("array")
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(
        ids,
        [
            "cis",
            "nsa",
            "mitre",
            "ms-threat-matrix",
            "pci-dss",
            "hipaa",
            "soc2",
            "nist-800-53"
        ]
    );
}

#[test]
fn unknown_inputs_and_frameworks_are_errors_naming_them() {
    let dir = Dir::new();
    dir.write("x.json", "{\"hello\": 1}");
    let run = compliance(&dir, "cis", &["x.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("x.json: not a Harrier report"),
        "{}",
        run.stderr
    );
    let run = compliance(&dir, "iso27001", &["x.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown framework `iso27001`"),
        "{}",
        run.stderr
    );
}

/// The node benchmark's results decide the CIS node controls, read from `scan node` and from
/// the node section of `scan all` alike: a FAIL fails its control, a PASS passes it, and a WARN
/// (nothing to check on this node) leaves it not covered.
#[test]
fn node_results_decide_cis_node_controls_from_scan_node_and_scan_all() {
    let node = crate::scan_node::kubeadm_worker();
    let root = node.path().join("node");
    let root = root.to_str().unwrap();
    let dir = Dir::new();
    let run = dir.run(&[
        "scan",
        "node",
        "--root",
        root,
        "-f",
        "json",
        "-o",
        "node.json",
    ]);
    assert_eq!(
        run.code, 1,
        "the worker fails 4.1.5 and 4.2.4: {}",
        run.stderr
    );
    let run = dir.run(&[
        "scan",
        "all",
        "--node",
        "--node-root",
        root,
        "-f",
        "json",
        "-o",
        "all.json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let node_report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("node.json")).unwrap())
            .unwrap();
    let node_status = |id: &str| {
        node_report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r["status"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("no node result {id}"))
    };

    let mut decided = Vec::new();
    for input in ["node.json", "all.json"] {
        let run = compliance(&dir, "cis", &["-f", "json", input]);
        assert_eq!(run.code, 0, "{input}: {}", run.stderr);
        let s = statuses(&run.json());
        assert_eq!(s["4.1.5"], "fail", "{input}: world-readable kubelet.conf");
        assert_eq!(s["4.2.4"], "fail", "{input}: read-only port 10255");
        assert_eq!(s["4.2.1"], "pass", "{input}: anonymous auth disabled");
        assert_eq!(node_status("4.2.1"), "PASS");
        for (id, status) in &s {
            if id.starts_with("4.") && status == "fail" {
                assert_eq!(
                    node_status(id),
                    "FAIL",
                    "{input}: {id} fails only on a FAIL"
                );
            }
        }
        assert_eq!(s["5.1.1"], "not-covered", "{input}: no RBAC input");
        decided.push(s);
    }
    assert_eq!(
        decided[0], decided[1],
        "scan node and scan all --node decide alike"
    );
}
