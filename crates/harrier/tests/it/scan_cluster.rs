//! `harrier scan cluster` against the fixture API server: the objects of real projects served
//! the way the API server serves them must give the findings their manifests give.

use std::collections::BTreeSet;
use std::path::PathBuf;

use harrier_core::testing::corpus_path;
use harrier_core::yaml::de::from_node;
use harrier_k8s::cluster::fixture::FixtureServer;
use harrier_k8s::{LoadOptions, load};
use serde_json::Value;

use crate::util::Dir;

/// Real projects whose manifests use only API versions a current cluster serves.
const PROJECTS: &[&str] = &[
    "manifests/realworld/argo-cd/manifests/install.yaml",
    "manifests/realworld/kube-prometheus",
    "manifests/realworld/cert-manager",
    "manifests/realworld/ingress-nginx/deploy/static/provider/kind/deploy.yaml",
    "manifests/insecure/kubernetes-goat/scenarios",
];

fn corpus(relative: &str) -> Option<PathBuf> {
    corpus_path(env!("CARGO_MANIFEST_DIR"), relative)
}

/// Objects as the API server would hold them: namespaced ones without a namespace land in
/// `default`, as `kubectl apply` puts them; cluster-scoped kinds have none.
fn served_objects(paths: &[PathBuf]) -> Vec<Value> {
    const CLUSTER_SCOPED: &[&str] = &[
        "Namespace",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
        "IngressClass",
        "PriorityClass",
        "StorageClass",
        "PersistentVolume",
        "Node",
        "APIService",
    ];
    load(paths, &LoadOptions::default())
        .objects
        .iter()
        .filter_map(|o| {
            let mut value = from_node::<Value>(&o.node).ok()?;
            if !CLUSTER_SCOPED.contains(&o.kind()) && value["metadata"].get("namespace").is_none() {
                value["metadata"]["namespace"] = Value::from("default");
            }
            Some(value)
        })
        .collect()
}

/// (check, kind, name, message) of every finding of a JSON report on a kind the cluster scan
/// reads.
fn findings(report: &Value, kinds: &BTreeSet<&str>) -> BTreeSet<(String, String, String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| kinds.contains(f["resource"]["kind"].as_str().unwrap_or("")))
        // Secret values committed with manifests (HRR-SEC-002) are a finding about files; a
        // cluster's Secrets hold values by design, and Harrier never reads them.
        .filter(|f| f["check_id"] != "HRR-SEC-002")
        .map(|f| {
            (
                f["check_id"].as_str().unwrap_or("").to_owned(),
                f["resource"]["kind"].as_str().unwrap_or("").to_owned(),
                f["resource"]["name"].as_str().unwrap_or("").to_owned(),
                f["message"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_live_cluster_gives_the_findings_of_its_manifests() {
    let Some(paths) = PROJECTS
        .iter()
        .map(|p| corpus(p))
        .collect::<Option<Vec<_>>>()
    else {
        return;
    };
    // The same objects, namespaced as the server holds them, as files and through the API.
    let objects = served_objects(&paths);
    let server = FixtureServer::start(objects.clone()).expect("fixture server");
    let dir = Dir::new();
    dir.write("kubeconfig", &server.kubeconfig("corpus"));
    let documents: Vec<String> = objects
        .iter()
        .map(|o| serde_json::to_string(o).expect("JSON"))
        .collect();
    dir.write("objects.yaml", &documents.join("\n---\n"));
    let live = dir.run(&[
        "scan",
        "cluster",
        "--kubeconfig",
        "kubeconfig",
        "--format",
        "json",
        "--page-size",
        "50",
    ]);
    assert_eq!(live.code, 0, "{}", live.stderr);
    let files = dir.run(&["scan", "manifests", "--format", "json", "objects.yaml"]);
    assert_eq!(files.code, 0, "{}", files.stderr);
    let live_report: Value = serde_json::from_str(&live.stdout).expect("JSON");
    let file_report: Value = serde_json::from_str(&files.stdout).expect("JSON");
    let kinds: BTreeSet<&str> = [
        "Pod",
        "Deployment",
        "DaemonSet",
        "StatefulSet",
        "ReplicaSet",
        "Job",
        "CronJob",
        "Service",
        "ServiceAccount",
        "Role",
        "ClusterRole",
        "RoleBinding",
        "ClusterRoleBinding",
        "Ingress",
        "NetworkPolicy",
        "Namespace",
        "Secret",
        "ConfigMap",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
    ]
    .into_iter()
    .collect();
    let from_files = findings(&file_report, &kinds);
    let from_cluster = findings(&live_report, &kinds);
    assert!(from_files.len() > 100, "{}", from_files.len());
    let missing: Vec<_> = from_files.difference(&from_cluster).collect();
    let extra: Vec<_> = from_cluster.difference(&from_files).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing from the cluster scan: {missing:#?}\nonly in the cluster scan: {extra:#?}"
    );
    // Locations name the live objects.
    let location = live_report["findings"][0]["location"]["path"]
        .as_str()
        .unwrap_or("");
    assert!(location.starts_with("corpus:/api"), "{location}");
}

#[test]
fn pods_of_a_read_controller_are_reported_through_it() {
    let container = serde_json::json!([{"name": "app", "image": "nginx", "securityContext": {"privileged": true}}]);
    let objects = vec![
        serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": container}}}}),
        serde_json::json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web-5d9", "namespace": "shop",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "1", "controller": true}]},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": container}}}}),
        serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-5d9-x2", "namespace": "shop",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d9", "uid": "2", "controller": true}]},
            "spec": {"containers": container}}),
        // Its owner was not read (another namespace's object, or forbidden): kept.
        serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "orphan", "namespace": "shop",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "gone", "uid": "3", "controller": true}]},
            "spec": {"containers": container}}),
    ];
    let server = FixtureServer::start(objects).expect("fixture server");
    let dir = Dir::new();
    dir.write("kubeconfig", &server.kubeconfig("shop"));
    let run = dir.run(&[
        "scan",
        "cluster",
        "--kubeconfig",
        "kubeconfig",
        "--format",
        "json",
        "--select",
        "HRR-PSS-001",
        "-v",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let objects: BTreeSet<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            format!(
                "{}/{}",
                f["resource"]["kind"].as_str().unwrap_or(""),
                f["resource"]["name"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        objects,
        BTreeSet::from(["Deployment/web".to_owned(), "Pod/orphan".to_owned()])
    );
    assert!(
        run.stderr
            .contains("2 pods, replica sets and jobs are reported through the controller"),
        "{}",
        run.stderr
    );
}

#[test]
fn forbidden_resources_are_warnings_in_the_report() {
    let objects = vec![
        serde_json::json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "a"}, "type": "Opaque"}),
        serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "a"}, "spec": {"hostPID": true, "containers": [{"name": "c", "image": "x"}]}}),
    ];
    let server = FixtureServer::start(objects).expect("fixture server");
    server.forbid("secrets");
    let dir = Dir::new();
    dir.write("kubeconfig", &server.kubeconfig("ctx"));
    let run = dir.run(&[
        "scan",
        "cluster",
        "--kubeconfig",
        "kubeconfig",
        "--format",
        "json",
        "--fail-on",
        "high",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let warning = report["warnings"][0]["message"].as_str().unwrap_or("");
    assert!(
        warning.contains("not read") && warning.contains("verbs: [list]"),
        "{report:#}"
    );
    assert_eq!(report["warnings"][0]["path"], "ctx:secrets");
    let unreachable = dir.run(&["scan", "cluster", "--kubeconfig", "absent"]);
    assert_eq!(unreachable.code, 2, "{}", unreachable.stderr);
}
