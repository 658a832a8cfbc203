//! `harrier scan manifests`: inputs, outputs, exit status, suppression.

use crate::util::Dir;

const LATEST_POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  containers:
    - name: web
      image: nginx:latest
";

#[test]
fn json_report_has_the_documented_shape() {
    let dir = Dir::new();
    dir.write("pod.yaml", LATEST_POD);
    let run = dir.run(&[
        "scan",
        "manifests",
        "pod.yaml",
        "--format",
        "json",
        "--select",
        "HRR-POD-001",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    for key in [
        "findings",
        "suppressed",
        "errors",
        "warnings",
        "notes",
        "workloads",
        "summary",
    ] {
        assert!(doc.get(key).is_some(), "missing `{key}`");
    }
    let f = &doc["findings"][0];
    assert_eq!(f["check_id"], "HRR-POD-001");
    assert_eq!(f["severity"], "medium");
    assert!(f["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(f["resource"]["api_version"], "v1");
    assert_eq!(f["resource"]["kind"], "Pod");
    assert_eq!(f["resource"]["namespace"], "shop");
    assert_eq!(f["resource"]["name"], "web");
    assert_eq!(f["container"], "web");
    assert_eq!(f["location"]["path"], "pod.yaml");
    assert_eq!(f["location"]["line"], 9);
    for family in ["pss", "cis", "nsa", "mitre"] {
        assert!(f["references"][family].is_array(), "references.{family}");
    }
    assert!(
        f["message"]
            .as_str()
            .is_some_and(|m| m.contains("nginx:latest"))
    );
    assert!(f["remediation"].as_str().is_some_and(|r| !r.is_empty()));
    assert_eq!(doc["summary"]["findings"], 1);
    assert_eq!(doc["summary"]["objects"], 1);
    assert_eq!(doc["workloads"][0]["resource"]["name"], "web");
}

#[test]
fn fail_on_sets_the_exit_status() {
    let dir = Dir::new();
    dir.write("pod.yaml", LATEST_POD);
    let base = ["scan", "manifests", "pod.yaml", "--select", "HRR-POD-001"];
    assert_eq!(dir.run(&base).code, 0);
    assert_eq!(
        dir.run(&[&base[..], &["--fail-on", "medium"]].concat())
            .code,
        1
    );
    assert_eq!(
        dir.run(&[&base[..], &["--fail-on", "low"]].concat()).code,
        1
    );
    assert_eq!(
        dir.run(&[&base[..], &["--fail-on", "high"]].concat()).code,
        0
    );
    let bad = dir.run(&[&base[..], &["--fail-on", "severe"]].concat());
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

#[test]
fn malformed_yaml_is_an_error_naming_file_and_line_and_the_scan_goes_on() {
    let dir = Dir::new();
    dir.write("a-good.yaml", LATEST_POD);
    dir.write(
        "b-bad.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n",
    );
    let run = dir.run(&[
        "scan",
        "manifests",
        ".",
        "--format",
        "json",
        "--select",
        "HRR-POD-001",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(run.code, 2, "errors make the exit status 2");
    assert!(run.stderr.contains("b-bad.yaml:"), "{}", run.stderr);
    let doc = run.json();
    let err = &doc["errors"][0];
    assert_eq!(err["path"], "./b-bad.yaml");
    assert!(err["line"].as_u64().is_some_and(|l| l >= 4), "{err}");
    assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(
        run.finding_ids(),
        ["HRR-POD-001"],
        "the good file is still scanned"
    );
}

#[test]
fn unrendered_helm_templates_are_errors() {
    let dir = Dir::new();
    dir.write(
        "templates/svc.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include \"app.fullname\" . }}\n",
    );
    let run = dir.run(&["scan", "manifests", "templates"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("templates/svc.yaml:4"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("helm template"), "{}", run.stderr);
}

#[test]
fn reads_standard_input() {
    let run = Dir::new().run_stdin(
        &[
            "scan",
            "manifests",
            "-",
            "--format",
            "json",
            "--select",
            "image-tag-latest",
        ],
        LATEST_POD,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["findings"][0]["location"]["path"], "<stdin>");
}

#[test]
fn non_kubernetes_yaml_is_skipped_with_a_note() {
    let dir = Dir::new();
    dir.write(
        "values.yaml",
        "replicaCount: 2\nimage:\n  repository: nginx\n",
    );
    let run = dir.run(&["-v", "scan", "manifests", "values.yaml", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("not Kubernetes YAML"), "{}", run.stderr);
    assert_eq!(run.json()["notes"][0]["path"], "values.yaml");
}

#[test]
fn missing_paths_are_errors() {
    let run = Dir::new().run(&["scan", "manifests", "nope.yaml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("nope.yaml"), "{}", run.stderr);
}

#[test]
fn helm_source_comments_are_kept() {
    let dir = Dir::new();
    dir.write(
        "rendered.yaml",
        &format!("---\n# Source: web/templates/pod.yaml\n{LATEST_POD}"),
    );
    let run = dir.run(&[
        "scan",
        "manifests",
        "rendered.yaml",
        "--format",
        "json",
        "--select",
        "HRR-POD-001",
    ]);
    assert_eq!(
        run.json()["findings"][0]["template"],
        "web/templates/pod.yaml"
    );
}

#[test]
fn sarif_points_at_files_and_lines() {
    let dir = Dir::new();
    dir.write("deploy/pod.yaml", LATEST_POD);
    let run = dir.run(&[
        "scan",
        "manifests",
        "deploy",
        "--format",
        "sarif",
        "--select",
        "HRR-POD-001",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["version"], "2.1.0");
    let run0 = &doc["runs"][0];
    assert_eq!(run0["tool"]["driver"]["name"], "harrier");
    let rule = &run0["tool"]["driver"]["rules"][0];
    assert_eq!(rule["id"], "HRR-POD-001");
    assert!(rule["shortDescription"]["text"].is_string());
    assert!(rule["help"]["markdown"].is_string());
    let result = &run0["results"][0];
    assert_eq!(result["ruleId"], "HRR-POD-001");
    assert_eq!(result["ruleIndex"], 0);
    assert_eq!(result["level"], "warning");
    let loc = &result["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "deploy/pod.yaml");
    assert_eq!(loc["region"]["startLine"], 9);
    assert!(result["partialFingerprints"].is_object());
}

#[test]
fn junit_has_a_failure_per_finding() {
    let dir = Dir::new();
    dir.write("pod.yaml", LATEST_POD);
    let run = dir.run(&[
        "scan",
        "manifests",
        "pod.yaml",
        "--format",
        "junit",
        "--select",
        "HRR-POD-001",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("<?xml"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains(r#"<testsuites name="harrier" tests="1" failures="1" errors="0">"#),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("<failure message=\"container `web` uses image `nginx:latest`"),
        "{}",
        run.stdout
    );
}

#[test]
fn output_file_receives_the_report() {
    let dir = Dir::new();
    dir.write("pod.yaml", LATEST_POD);
    let run = dir.run(&[
        "scan",
        "manifests",
        "pod.yaml",
        "-f",
        "json",
        "-o",
        "out/report.json",
        "--select",
        "HRR-POD-001",
    ]);
    assert_eq!(
        run.code, 2,
        "the output directory does not exist: {}",
        run.stderr
    );
    std::fs::create_dir(dir.path().join("out")).expect("mkdir");
    let run = dir.run(&[
        "scan",
        "manifests",
        "pod.yaml",
        "-f",
        "json",
        "-o",
        "out/report.json",
        "--select",
        "HRR-POD-001",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let text = std::fs::read_to_string(dir.path().join("out/report.json")).expect("report written");
    assert!(text.contains("HRR-POD-001"));
}

#[test]
fn annotations_suppress_and_suppressed_findings_are_counted() {
    let dir = Dir::new();
    dir.write(
        "pod.yaml",
        &LATEST_POD.replace(
            "  namespace: shop\n",
            "  namespace: shop\n  annotations:\n    ignore.harrier.dev/image-tag-latest: \"pinned by the pipeline\"\n",
        ),
    );
    let run = dir.run(&[
        "scan",
        "manifests",
        "pod.yaml",
        "--format",
        "json",
        "--select",
        "HRR-POD-001",
        "--fail-on",
        "low",
    ]);
    assert_eq!(
        run.code, 0,
        "suppressed findings do not fail the gate: {}",
        run.stderr
    );
    let doc = run.json();
    assert_eq!(doc["findings"].as_array().map(Vec::len), Some(0));
    let s = &doc["suppressed"][0];
    assert_eq!(s["check_id"], "HRR-POD-001");
    assert_eq!(s["suppression"]["source"]["kind"], "annotation");
    assert_eq!(s["suppression"]["reason"], "pinned by the pipeline");
    assert_eq!(doc["summary"]["suppressed"], 1);
}

#[test]
fn exceptions_file_suppresses_until_it_expires() {
    let dir = Dir::new();
    dir.write("pod.yaml", LATEST_POD);
    dir.write(
        "exceptions.yaml",
        "exceptions:\n  - checks: [HRR-POD-001]\n    namespaces: [\"sh*\"]\n    kinds: [Pod]\n    reason: accepted\n    owner: team-a\n    expires: 2027-01-01\n  - checks: [\"*\"]\n    names: [web]\n    reason: too old\n    expires: 2025-01-01\n",
    );
    let run = dir.run(&[
        "scan",
        "manifests",
        "pod.yaml",
        "--format",
        "json",
        "--select",
        "HRR-POD-001",
        "--exceptions",
        "exceptions.yaml",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    let s = &doc["suppressed"][0];
    assert_eq!(s["suppression"]["source"]["kind"], "exceptions_file");
    assert_eq!(s["suppression"]["source"]["location"]["line"], 2);
    assert_eq!(s["suppression"]["owner"], "team-a");
    assert_eq!(s["suppression"]["expires"], "2027-01-01");
    assert_eq!(doc["expired_exceptions"][0]["line"], 8);
    assert!(
        run.stderr.contains("exception expired on 2025-01-01"),
        "{}",
        run.stderr
    );

    // Once the first exception expires too, the finding is reported again.
    let run = dir
        .command(&[
            "scan",
            "manifests",
            "pod.yaml",
            "--format",
            "json",
            "--select",
            "HRR-POD-001",
            "--exceptions",
            "exceptions.yaml",
        ])
        .env("HARRIER_TODAY", "2027-01-02")
        .output()
        .map(crate::util::Run::from)
        .expect("run");
    assert_eq!(run.finding_ids(), ["HRR-POD-001"]);
}

#[test]
fn exceptions_file_errors_name_the_line() {
    let dir = Dir::new();
    dir.write("pod.yaml", LATEST_POD);
    dir.write(
        "exceptions.yaml",
        "exceptions:\n  - checks: [HRR-XYZ-999]\n    reason: typo\n",
    );
    let run = dir.run(&[
        "scan",
        "manifests",
        "pod.yaml",
        "--exceptions",
        "exceptions.yaml",
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("exceptions.yaml:2:"), "{}", run.stderr);
    assert!(
        run.stderr.contains("unknown check `HRR-XYZ-999`"),
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_selected_check_is_a_usage_error() {
    let dir = Dir::new();
    dir.write("pod.yaml", LATEST_POD);
    let run = dir.run(&["scan", "manifests", "pod.yaml", "--select", "HRR-NOPE-001"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown check `HRR-NOPE-001`"),
        "{}",
        run.stderr
    );
}

#[test]
fn table_groups_findings_by_resource_without_colour_off_a_terminal() {
    let dir = Dir::new();
    dir.write("pod.yaml", LATEST_POD);
    let run = dir.run(&["scan", "manifests", "pod.yaml", "--select", "HRR-POD-001"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .starts_with("Pod/shop/web  pod.yaml  (meets PSS baseline)\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("MEDIUM   9:7      HRR-POD-001"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains('\u{1b}'),
        "no escape codes when not a terminal"
    );
    assert!(
        run.stdout
            .contains("1 findings (0 critical, 0 high, 1 medium, 0 low, 0 info)"),
        "{}",
        run.stdout
    );
}
