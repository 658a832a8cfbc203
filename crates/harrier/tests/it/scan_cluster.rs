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

/// A cluster at v1.27.2 with a node at the same kubelet version: the facts are reported and
/// the Kubernetes CVE feed's advisories for the API server and the kubelet match.
#[test]
fn cluster_facts_and_component_vulnerabilities() {
    let Some(feed) = corpus("vulnerabilities/kubernetes-cve-feed-osv") else {
        return;
    };
    let objects = vec![
        serde_json::json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "cp-1", "labels": {"node-role.kubernetes.io/control-plane": ""}},
            "status": {"nodeInfo": {"kubeletVersion": "v1.27.2", "kubeProxyVersion": "v1.27.2", "containerRuntimeVersion": "containerd://1.7.1",
                "osImage": "Ubuntu 22.04.2 LTS", "kernelVersion": "5.15.0-73-generic", "architecture": "amd64", "operatingSystem": "linux",
                "machineID": "m", "systemUUID": "s", "bootID": "b"},
                "conditions": [{"type": "Ready", "status": "True"}, {"type": "DiskPressure", "status": "True"}]}}),
        serde_json::json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "worker-1"},
            "status": {"nodeInfo": {"kubeletVersion": "v1.30.3", "kubeProxyVersion": "v1.30.3", "containerRuntimeVersion": "containerd://1.7.13",
                "osImage": "Ubuntu 22.04.4 LTS", "kernelVersion": "6.5.0", "architecture": "amd64", "operatingSystem": "linux",
                "machineID": "m", "systemUUID": "s", "bootID": "b"},
                "conditions": [{"type": "Ready", "status": "False"}]}}),
        serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"pod-security.kubernetes.io/enforce": "baseline"}}}),
        serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-1", "namespace": "shop"},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.25", "securityContext": {"allowPrivilegeEscalation": false}}]},
            "status": {"containerStatuses": [{"name": "web", "image": "docker.io/library/nginx:1.25", "ready": true, "restartCount": 0,
                "imageID": "docker.io/library/nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31"}]}}),
        serde_json::json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration", "metadata": {"name": "policy"},
            "webhooks": [{"name": "pods.policy.example.com", "failurePolicy": "Ignore", "sideEffects": "None", "admissionReviewVersions": ["v1"],
                "clientConfig": {"service": {"namespace": "policy", "name": "webhook"}},
                "rules": [{"operations": ["CREATE", "UPDATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}]}]}),
    ];
    let server = FixtureServer::start(objects).expect("fixture server");
    let dir = Dir::new();
    dir.write("kubeconfig", &server.kubeconfig("prod"));
    // Without a database the facts are still reported, with a warning.
    let run = dir.run(&[
        "--db",
        "none.db",
        "scan",
        "cluster",
        "--kubeconfig",
        "kubeconfig",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("cluster component versions not checked"),
        "{}",
        run.stderr
    );
    let report: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let cluster = &report["cluster"];
    assert_eq!(cluster["context"], "prod");
    assert_eq!(cluster["version"]["git_version"], "v1.27.2");
    assert_eq!(cluster["version"]["release"], "1.27.2");
    assert_eq!(cluster["nodes"][0]["name"], "cp-1");
    assert_eq!(
        cluster["nodes"][0]["roles"],
        serde_json::json!(["control-plane"])
    );
    assert_eq!(
        cluster["nodes"][0]["problems"],
        serde_json::json!(["DiskPressure"])
    );
    assert_eq!(cluster["nodes"][1]["ready"], false);
    assert_eq!(cluster["images"][0]["image"], "nginx:1.25");
    assert!(
        cluster["images"][0]["image_id"]
            .as_str()
            .unwrap_or("")
            .contains("@sha256:0d17b5")
    );
    assert_eq!(
        cluster["images"][0]["pods"],
        serde_json::json!(["shop/web-1"])
    );
    assert_eq!(cluster["webhooks"][0]["failure_policy"], "Ignore");
    assert_eq!(cluster["webhooks"][0]["target"], "policy/webhook:443");
    assert_eq!(
        cluster["webhooks"][0]["rules"],
        serde_json::json!(["CREATE,UPDATE pods"])
    );
    assert_eq!(cluster["namespaces"][0]["enforce"], "baseline");
    assert!(cluster["vulnerabilities_unchecked"].is_string());

    let feed = feed.to_str().expect("UTF-8");
    let run = dir.run(&["--db", "vuln.db", "db", "import", feed]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = dir.run(&[
        "--db",
        "vuln.db",
        "scan",
        "cluster",
        "--kubeconfig",
        "kubeconfig",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let found: BTreeSet<(String, String, String)> = report["cluster"]["vulnerabilities"]
        .as_array()
        .expect("vulnerabilities")
        .iter()
        .map(|v| {
            (
                v["component"].as_str().unwrap_or("").to_owned(),
                v["version"].as_str().unwrap_or("").to_owned(),
                v["running_on"][0].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    // The API server of 1.27.2 and the kubelet of cp-1 are affected; worker-1's 1.30.3 is
    // past every fix in the feed for its line.
    assert!(
        found.contains(&(
            "k8s.io/apiserver".to_owned(),
            "1.27.2".to_owned(),
            "API server".to_owned()
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "k8s.io/kubelet".to_owned(),
            "1.27.2".to_owned(),
            "node cp-1".to_owned()
        )),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|(_, version, _)| version == "1.30.3"),
        "{found:?}"
    );
    // A cluster advisory fails the gate like a finding does.
    let gate = dir.run(&[
        "--db",
        "vuln.db",
        "scan",
        "cluster",
        "--kubeconfig",
        "kubeconfig",
        "--fail-on",
        "high",
    ]);
    assert_eq!(gate.code, 1, "{}", gate.stderr);
    assert!(
        gate.stdout.contains("Cluster prod (v1.27.2)"),
        "{}",
        gate.stdout
    );
    assert!(
        gate.stdout.contains("k8s.io/kubelet 1.27.2 on node cp-1"),
        "{}",
        gate.stdout
    );
}
