//! Our own deployment manifests: they pass our own scanner, and the scanner's ClusterRole
//! grants exactly what `scan cluster` reads, minus Secrets.

use std::collections::BTreeSet;
use std::path::PathBuf;

use harrier_k8s::cluster::ANALYSED;
use serde_json::Value;

use crate::util::Dir;

fn deploy_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../deploy")
}

#[test]
fn our_manifests_pass_our_own_checks() {
    let dir = Dir::new();
    let path = deploy_dir();
    let run = dir.run(&[
        "scan",
        "manifests",
        path.to_str().expect("UTF-8"),
        "--format",
        "json",
        "--fail-on",
        "info",
    ]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(report["findings"], Value::Array(Vec::new()));
    assert!(report["summary"]["objects"].as_u64() >= Some(4), "{report}");
}

#[test]
fn the_reader_role_grants_what_scan_cluster_reads_and_no_secrets() {
    let dir = Dir::new();
    let path = deploy_dir();
    let run = dir.run(&[
        "rbac",
        "can",
        "sa:harrier/harrier-scanner",
        "-f",
        path.to_str().expect("UTF-8"),
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let answer: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let mut granted = BTreeSet::new();
    for scope in answer["namespaces"].as_array().expect("scopes") {
        assert!(
            scope["namespace"].is_null(),
            "granted in a namespace only: {scope}"
        );
        for rule in scope["rules"].as_array().expect("rules") {
            let verbs: BTreeSet<&str> = rule["verbs"]
                .as_array()
                .expect("verbs")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            assert_eq!(verbs, BTreeSet::from(["get", "list", "watch"]), "{rule}");
            for group in rule["apiGroups"].as_array().expect("groups") {
                for resource in rule["resources"].as_array().expect("resources") {
                    granted.insert((
                        group.as_str().unwrap_or("").to_owned(),
                        resource.as_str().unwrap_or("").to_owned(),
                    ));
                }
            }
        }
    }
    let read: BTreeSet<(String, String)> = ANALYSED
        .iter()
        .filter(|w| !(w.group.is_empty() && w.resource == "secrets"))
        .map(|w| (w.group.to_owned(), w.resource.to_owned()))
        .collect();
    assert_eq!(granted, read);
    let secrets = dir.run(&[
        "rbac",
        "who-can",
        "list",
        "secrets",
        "-f",
        path.to_str().expect("UTF-8"),
    ]);
    assert!(
        secrets.stdout.starts_with("No subject can list secrets"),
        "{}",
        secrets.stdout
    );
}
