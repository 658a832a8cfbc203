//! `harrier rbac who-can` and `harrier rbac can` over manifests.

use harrier_core::testing::corpus_path;
use serde_json::Value;

use crate::util::Dir;

const OBJECTS: &str = r#"apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules:
- {apiGroups: [""], resources: [secrets], verbs: [get, list]}
- {apiGroups: [""], resources: [pods/exec], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: readers, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects:
- {kind: ServiceAccount, name: app}
- {kind: Group, name: "system:authenticated"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: dangling}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: gone}
subjects: [{kind: User, name: eve}]
"#;

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).expect("JSON output")
}

#[test]
fn who_can_table() {
    let dir = Dir::new();
    dir.write("rbac.yaml", OBJECTS);
    let run = dir.run(&["rbac", "who-can", "list", "secrets", "-f", "rbac.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(lines[0].starts_with("KIND"));
    assert!(lines[1].starts_with("ServiceAccount  team"), "{}", lines[1]);
    assert!(lines[1].ends_with("RoleBinding team/readers → ClusterRole secret-reader"));
    assert!(lines[2].starts_with("Group"), "{}", lines[2]);
    assert!(
        run.stderr
            .contains("rbac.yaml:16:1: ClusterRoleBinding `dangling` refers to ClusterRole `gone`, which is not among the inputs"),
        "{}",
        run.stderr
    );
}

#[test]
fn who_can_json_names_subjects_and_bindings() {
    let dir = Dir::new();
    dir.write("rbac.yaml", OBJECTS);
    let run = dir.run(&[
        "rbac",
        "who-can",
        "create",
        "pods/exec",
        "-n",
        "team",
        "-f",
        "rbac.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run.stdout);
    let subjects = doc["subjects"].as_array().expect("subjects");
    assert_eq!(subjects.len(), 2);
    assert_eq!(subjects[0]["kind"], "ServiceAccount");
    assert_eq!(subjects[0]["name"], "app");
    assert_eq!(subjects[0]["namespace"], "team");
    assert_eq!(subjects[0]["bindings"][0]["kind"], "RoleBinding");
    assert_eq!(subjects[0]["bindings"][0]["name"], "readers");
    assert_eq!(subjects[0]["bindings"][0]["role"]["name"], "secret-reader");
    assert_eq!(subjects[0]["bindings"][0]["scope"], "team");
    assert_eq!(subjects[1]["kind"], "Group");
    assert_eq!(subjects[1]["namespace"], Value::Null);
    assert_eq!(doc["problems"][0]["location"]["line"], 16);

    let elsewhere = dir.run(&[
        "rbac",
        "who-can",
        "create",
        "pods/exec",
        "-n",
        "other",
        "-f",
        "rbac.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(json(&elsewhere.stdout)["subjects"], Value::Array(vec![]));
}

#[test]
fn can_lists_rules_per_namespace_with_implicit_groups() {
    let dir = Dir::new();
    dir.write("rbac.yaml", OBJECTS);
    // Any service account is authenticated, so `other/x` holds the group's grant in `team`.
    let run = dir.run(&[
        "rbac",
        "can",
        "sa:other/x",
        "-f",
        "rbac.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run.stdout);
    assert_eq!(doc["identity"]["user"], "system:serviceaccount:other:x");
    let namespaces = doc["namespaces"].as_array().expect("namespaces");
    assert_eq!(namespaces.len(), 1);
    assert_eq!(namespaces[0]["namespace"], "team");
    assert_eq!(namespaces[0]["rules"][0]["resources"][0], "secrets");
    assert_eq!(namespaces[0]["rules"][1]["resources"][0], "pods/exec");

    let anonymous = dir.run(&["rbac", "can", "system:anonymous", "-f", "rbac.yaml"]);
    assert_eq!(anonymous.code, 0);
    assert!(
        anonymous.stdout.contains("is granted nothing"),
        "{}",
        anonymous.stdout
    );

    let table = dir.run(&["rbac", "can", "sa:team/app", "-f", "rbac.yaml"]);
    assert!(
        table
            .stdout
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("team ")),
        "{}",
        table.stdout
    );
}

#[test]
fn bad_queries_and_unreadable_files_exit_2() {
    let dir = Dir::new();
    dir.write("rbac.yaml", OBJECTS);
    let run = dir.run(&["rbac", "who-can", "get", "pods/log/x", "-f", "rbac.yaml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot read the request"),
        "{}",
        run.stderr
    );
    let run = dir.run(&["rbac", "can", "sa:team", "-f", "rbac.yaml"]);
    assert_eq!(run.code, 2);
    dir.write("broken.yaml", "kind: [\n");
    let run = dir.run(&["rbac", "who-can", "get", "pods", "-f", "broken.yaml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("broken.yaml:"), "{}", run.stderr);
}

#[test]
fn kubernetes_goat_superadmin() {
    let Some(setup) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "manifests/insecure/kubernetes-goat/scenarios/insecure-rbac/setup.yaml",
    ) else {
        return;
    };
    let dir = Dir::new();
    let setup = setup.to_string_lossy();
    let run = dir.run(&[
        "rbac",
        "who-can",
        "impersonate",
        "users",
        "-f",
        &setup,
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run.stdout);
    assert_eq!(doc["subjects"][0]["name"], "superadmin");
    assert_eq!(doc["subjects"][0]["namespace"], "kube-system");
    assert_eq!(
        doc["subjects"][0]["bindings"][0]["role"]["name"],
        "cluster-admin"
    );
    assert_eq!(doc["subjects"].as_array().map(Vec::len), Some(1));
}

/// The same answers from a live cluster as from its manifests: Argo CD's install served by
/// the fixture API server (paginated, with secrets forbidden to the reader).
#[test]
fn who_can_over_a_live_cluster_agrees_with_the_manifests() {
    use harrier_core::yaml::de::from_node;
    use harrier_k8s::cluster::fixture::FixtureServer;
    use harrier_k8s::{LoadOptions, load};

    let Some(install) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "manifests/realworld/argo-cd/manifests/namespace-install.yaml",
    ) else {
        return;
    };
    // namespace-install.yaml is applied with `-n argocd`: give its objects that namespace, as
    // the API server would.
    let objects: Vec<Value> = load(std::slice::from_ref(&install), &LoadOptions::default())
        .objects
        .iter()
        .map(|o| {
            let mut value: Value = from_node(&o.node).expect("JSON");
            if value["metadata"].get("namespace").is_none()
                && o.kind() != "ClusterRole"
                && o.kind() != "ClusterRoleBinding"
                && o.kind() != "CustomResourceDefinition"
            {
                value["metadata"]["namespace"] = Value::from("argocd");
            }
            value
        })
        .collect();
    let server = FixtureServer::start(objects).expect("fixture server");
    server.forbid("secrets");
    let dir = Dir::new();
    dir.write("kubeconfig", &server.kubeconfig("argo"));
    let path = install.to_str().expect("UTF-8 path");
    for (verb, resource) in [
        ("get", "secrets"),
        ("list", "secrets"),
        ("get", "deployments.apps"),
    ] {
        let live = dir.run(&[
            "rbac",
            "who-can",
            verb,
            resource,
            "-n",
            "argocd",
            "--cluster",
            "--kubeconfig",
            "kubeconfig",
            "--format",
            "json",
        ]);
        let files = dir.run(&[
            "rbac",
            "who-can",
            verb,
            resource,
            "-n",
            "argocd",
            "-f",
            path,
            "--default-namespace",
            "argocd",
            "--format",
            "json",
        ]);
        assert_eq!(live.code, 0, "{}", live.stderr);
        assert_eq!(files.code, 0, "{}", files.stderr);
        let subjects = |run: &crate::util::Run| {
            json(&run.stdout)["subjects"]
                .as_array()
                .expect("subjects")
                .iter()
                .map(|s| format!("{} {}/{}", s["kind"], s["namespace"], s["name"]))
                .collect::<Vec<_>>()
        };
        assert!(!subjects(&files).is_empty(), "{verb} {resource}");
        assert_eq!(subjects(&live), subjects(&files), "{verb} {resource}");
        assert!(
            live.stderr.contains("warning: argo:secrets: not read: ")
                && live.stderr.contains(
                    "reading it needs {apiGroups: [\"\"], resources: [secrets], verbs: [list]}"
                ),
            "{}",
            live.stderr
        );
    }
    let conflicting = dir.run(&["rbac", "who-can", "get", "pods", "--cluster", "-f", path]);
    assert_eq!(conflicting.code, 2, "{}", conflicting.stderr);
    let unreachable = dir.run(&[
        "rbac",
        "who-can",
        "get",
        "pods",
        "--cluster",
        "--kubeconfig",
        "absent",
    ]);
    assert_eq!(unreachable.code, 2, "{}", unreachable.stderr);
    assert!(
        unreachable.stderr.contains("absent"),
        "{}",
        unreachable.stderr
    );
}
