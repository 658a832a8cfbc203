//! Regression tests, named for the issue they came from.

use crate::util::Dir;

/// Issue 2: continuation lines of a quoted scalar indented less than their block (accepted by
/// kubectl's go-yaml, rejected by the YAML spec) must not make a real manifest unreadable.
#[test]
fn r2_under_indented_quoted_scalar_is_read_like_kubectl() {
    let dir = Dir::new();
    dir.write(
        "kafka.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kafka\nspec:\n  containers:\n    - name: kafka\n      image: kafka:latest\n      command:\n        - sh\n        - \"exec kafka-server-start.sh --override a=1 \\\n      --override b=2\"\n",
    );
    let run = dir.run(&[
        "scan",
        "manifests",
        "kafka.yaml",
        "--format",
        "json",
        "--select",
        "HRR-POD-001",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.finding_ids(), ["HRR-POD-001"]);
}

/// Issue 2: duplicate keys are read as kubectl reads them (last wins) and reported as a
/// warning, which does not change the exit status.
#[test]
fn r2_duplicate_keys_are_warnings() {
    let dir = Dir::new();
    dir.write("dup.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\nspec:\n  containers: [{name: c, image: nginx:1.27}]\n");
    let run = dir.run(&[
        "scan",
        "manifests",
        "dup.yaml",
        "--format",
        "json",
        "--select",
        "HRR-POD-001",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["warnings"][0]["line"], 5, "{doc}");
    assert!(
        run.stderr.contains("dup.yaml:5:3: duplicate key `name`"),
        "{}",
        run.stderr
    );
    assert_eq!(doc["workloads"][0]["resource"]["name"], "b");
}

/// Issue 2: one field of the wrong type is reported once, at its line, and the rest of the
/// workload is still checked.
#[test]
fn r2_wrong_typed_field_is_one_error_and_the_workload_is_still_checked() {
    let dir = Dir::new();
    dir.write(
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  securityContext:\n    runAsUser: username\n  containers:\n    - name: c\n      image: nginx:latest\n",
    );
    let run = dir.run(&["scan", "manifests", "pod.yaml", "--format", "json"]);
    assert_eq!(run.code, 2);
    let doc = run.json();
    let errors = doc["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["line"], 7);
    assert!(run.finding_ids().contains(&"HRR-POD-001".to_owned()));
}
