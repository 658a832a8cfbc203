//! `harrier paths` over manifests: formats, caps, errors, and the corpus's expected chains.

use std::collections::BTreeSet;
use std::path::PathBuf;

use harrier_core::testing::corpus_path;
use serde_json::Value;

use crate::util::Dir;

/// A pod whose account may create pods in its namespace, where another account is
/// cluster-admin: pod → container → token → create pod as the admin → cluster-admin.
const CHAIN: &str = r#"apiVersion: v1
kind: Pod
metadata: {name: web, namespace: app}
spec:
  serviceAccountName: web
  containers: [{name: nginx, image: nginx}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: app}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: deployer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: deployer, namespace: app}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-maker, namespace: app}
rules: [{apiGroups: [""], resources: [pods], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: pod-maker, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-maker}
subjects: [{kind: ServiceAccount, name: web}]
"#;

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).expect("JSON output")
}

fn corpus(relative: &str) -> Option<PathBuf> {
    corpus_path(env!("CARGO_MANIFEST_DIR"), relative)
}

/// `goal length technique>to technique>to ...` of each path.
fn chains(doc: &Value) -> Vec<String> {
    doc["paths"]
        .as_array()
        .expect("paths")
        .iter()
        .map(|p| {
            let hops: Vec<String> = p["hops"]
                .as_array()
                .expect("hops")
                .iter()
                .map(|h| {
                    format!(
                        "{}>{}",
                        h["technique"].as_str().unwrap(),
                        h["to_id"].as_str().unwrap()
                    )
                })
                .collect();
            format!(
                "{} {} {} {}",
                p["source_id"].as_str().unwrap(),
                p["goal"].as_str().unwrap(),
                p["length"],
                hops.join(" ")
            )
        })
        .collect()
}

#[test]
fn table_prints_each_path_as_a_chain_with_its_techniques() {
    let dir = Dir::new();
    dir.write("chain.yaml", CHAIN);
    let run = dir.run(&[
        "paths",
        "-f",
        "chain.yaml",
        "--from",
        "pod:app/web",
        "--to",
        "cluster-admin",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "1. [cluster-admin, 4 techniques] pod app/web → container nginx of app/web → sa app/web → sa app/deployer → cluster-admin"
    );
    assert!(lines[3].contains("[POD_CREATE T1610, create a pod running as the service account]: may create pods in namespace app through RoleBinding app/pod-maker → Role pod-maker (chain.yaml:23:1)"), "{}", lines[3]);
    assert!(lines[4].contains("[ADMIN_EQUIVALENT T1078"), "{}", lines[4]);
    assert!(run.stdout.contains("\n1 path (graph: "), "{}", run.stdout);
}

#[test]
fn json_has_paths_hops_and_truncation_flags() {
    let dir = Dir::new();
    dir.write("chain.yaml", CHAIN);
    let run = dir.run(&["paths", "-f", "chain.yaml", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run.stdout);
    assert_eq!(
        chains(&doc)[0],
        "pod:app/web cluster-admin 4 CONTAINER_ATTACH>container:app/web/nginx TOKEN_STEAL>sa:app/web POD_CREATE>sa:app/deployer ADMIN_EQUIVALENT>cluster-admin"
    );
    let first = &doc["paths"][0];
    assert_eq!(first["source"], "pod app/web");
    assert_eq!(first["target"], "cluster-admin");
    assert_eq!(first["hops"][2]["mitre"], "T1610");
    assert_eq!(
        first["hops"][2]["evidence"]["bindings"][0]["name"],
        "pod-maker"
    );
    assert_eq!(first["hops"][1]["evidence"]["location"]["line"], 5);
    assert_eq!(doc["truncated"]["depth"], false);
    assert_eq!(doc["truncated"]["paths"], false);
    // The node: a privileged pod created as web, in three techniques.
    let goals: BTreeSet<String> = doc["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{} {}", p["goal"].as_str().unwrap(), p["length"]))
        .collect();
    assert_eq!(
        goals,
        BTreeSet::from([
            "cluster-admin 4".to_owned(),
            "nodes 3".to_owned(),
            "kube-system-secrets 4".to_owned(),
        ])
    );
}

/// Checks that a DOT document is one digraph whose statements are well formed: balanced
/// quotes and braces, each edge between declared vertices.
fn assert_valid_dot(dot: &str) -> (usize, usize) {
    let lines: Vec<&str> = dot.lines().collect();
    assert_eq!(lines.first(), Some(&"digraph attack_paths {"));
    assert_eq!(lines.last(), Some(&"}"));
    let mut declared = BTreeSet::new();
    let mut edges = 0;
    for line in &lines[1..lines.len() - 1] {
        let line = line.trim();
        assert!(line.ends_with(';'), "{line}");
        // Quotes balance once escaped quotes are dropped.
        let unescaped = line.replace("\\\\", "").replace("\\\"", "");
        assert_eq!(unescaped.matches('"').count() % 2, 0, "{line}");
        if let Some((from, rest)) = unescaped.split_once(" -> ") {
            let to = rest.split(" [").next().unwrap();
            assert!(declared.contains(from), "undeclared {from}");
            assert!(declared.contains(to), "undeclared {to}");
            edges += 1;
        } else if unescaped.starts_with('"') {
            let id = unescaped.split(" [").next().unwrap().to_owned();
            declared.insert(id);
        }
    }
    (declared.len(), edges)
}

#[test]
fn dot_draws_the_paths_found_or_the_whole_graph() {
    let dir = Dir::new();
    dir.write("chain.yaml", CHAIN);
    let run = dir.run(&[
        "paths",
        "-f",
        "chain.yaml",
        "--to",
        "cluster-admin",
        "--format",
        "dot",
        "-o",
        "paths.dot",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let dot = std::fs::read_to_string(dir.path().join("paths.dot")).unwrap();
    assert_eq!(assert_valid_dot(&dot), (5, 4));
    assert!(
        dot.contains(r#""sa:app/web" -> "sa:app/deployer" [label="POD_CREATE\nT1610"];"#),
        "{dot}"
    );
    let all = dir.run(&["paths", "-f", "chain.yaml", "--format", "dot", "--dot-all"]);
    let (vertices, edges) = assert_valid_dot(&all.stdout);
    assert!(vertices > 5 && edges > 4, "{vertices} {edges}");
}

#[test]
fn caps_are_reported_and_the_status_stays_zero() {
    let dir = Dir::new();
    dir.write("chain.yaml", CHAIN);
    let run = dir.run(&[
        "paths",
        "-f",
        "chain.yaml",
        "--max-depth",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run.stdout);
    assert_eq!(doc["truncated"]["depth"], true);
    assert_eq!(doc["paths"].as_array().map(Vec::len), Some(0));
    assert!(
        run.stderr.contains("the depth cap was reached"),
        "{}",
        run.stderr
    );
    let run = dir.run(&["paths", "-f", "chain.yaml", "--max-paths", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("Truncated: more paths were found than --max-paths"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout.lines().filter(|l| l.starts_with("1. ")).count(),
        1
    );
    let run = dir.run(&[
        "paths",
        "-f",
        "chain.yaml",
        "--max-visits",
        "3",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(json(&run.stdout)["truncated"]["visits"], true);
}

#[test]
fn bad_sources_and_inputs_are_errors() {
    let dir = Dir::new();
    dir.write("chain.yaml", CHAIN);
    let run = dir.run(&["paths", "-f", "chain.yaml", "--from", "pod:app/nope"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("pod app/nope is not among the inputs"),
        "{}",
        run.stderr
    );
    let run = dir.run(&["paths", "-f", "chain.yaml", "--to", "everything"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("`everything` is not"), "{}", run.stderr);
    dir.write("broken.yaml", "kind: [\n");
    let run = dir.run(&["paths", "-f", "broken.yaml", "-f", "chain.yaml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("broken.yaml:"), "{}", run.stderr);
    assert!(run.stdout.contains("cluster-admin"), "{}", run.stdout);
}

/// Runs `harrier paths --format json`; an argument after `-f` may list several paths with
/// commas.
fn paths_json(args: &[&str]) -> Value {
    let dir = Dir::new();
    let mut all = vec!["paths", "--format", "json", "--max-paths", "10000"];
    let mut after_f = false;
    for arg in args {
        if after_f {
            for (i, p) in arg.split(',').enumerate() {
                if i > 0 {
                    all.push("-f");
                }
                all.push(p);
            }
        } else {
            all.push(arg);
        }
        after_f = *arg == "-f";
    }
    let run = dir.run(&all);
    assert_eq!(run.code, 0, "{}", run.stderr);
    json(&run.stdout)
}

#[test]
fn kubernetes_goat_chains() {
    let Some(scenarios) = corpus("manifests/insecure/kubernetes-goat/scenarios") else {
        return;
    };
    // Every scenario but metadata-db, whose templates are unrendered Helm.
    let mut inputs: Vec<String> = std::fs::read_dir(&scenarios)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && !p.ends_with("metadata-db"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    inputs.sort();
    let goat: String = inputs.join(",");
    // Insecure RBAC: the superadmin account is cluster-admin through its binding.
    let doc = paths_json(&[
        "-f",
        &goat,
        "--from",
        "sa:kube-system/superadmin",
        "--to",
        "cluster-admin",
    ]);
    assert_eq!(
        chains(&doc),
        ["sa:kube-system/superadmin cluster-admin 1 ADMIN_EQUIVALENT>cluster-admin"]
    );
    assert_eq!(
        doc["paths"][0]["hops"][0]["evidence"]["bindings"][0]["name"],
        "superadmin"
    );
    // Container escapes (scenarios 2 and 4, docker-bench, kube-bench): the privileged,
    // hostPath and hostPID workloads reach a node in two or three techniques.
    let doc = paths_json(&["-f", &goat, "--from", "pods", "--to", "nodes"]);
    let found: BTreeSet<String> = doc["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p["source_id"].as_str().unwrap(),
                p["hops"][1]["technique"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        found,
        BTreeSet::from([
            "pod:daemonset:default/docker-bench-security CE_PRIV_MOUNT".to_owned(),
            "pod:deployment:default/health-check-deployment CE_PRIV_MOUNT".to_owned(),
            "pod:deployment:default/system-monitor-deployment CE_PRIV_MOUNT".to_owned(),
            "pod:job:default/kube-bench-master CE_NSENTER".to_owned(),
            "pod:job:default/kube-bench-node CE_NSENTER".to_owned(),
        ])
    );
    // Scenario 2 (DIND): the containerd socket is a way out of its own.
    let doc = paths_json(&[
        "-f",
        &goat,
        "--from",
        "pod:default/health-check-deployment",
        "--to",
        "nodes",
    ]);
    assert_eq!(doc["paths"].as_array().map(Vec::len), Some(1));
    // Scenario 8 (NodePort exposed services): the internet reaches the internal-proxy pods;
    // docker-bench runs in the host's network and is reached as well.
    let dir = Dir::new();
    let mut args = vec!["paths", "--format", "dot", "--dot-all"];
    for input in &inputs {
        args.extend(["-f", input.as_str()]);
    }
    let run = dir.run(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let from_internet: BTreeSet<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.trim().strip_prefix("\"internet\" -> "))
        .map(|rest| rest.split(" [").next().unwrap())
        .collect();
    assert_eq!(
        from_internet,
        BTreeSet::from([
            "\"pod:daemonset:default/docker-bench-security\"",
            "\"pod:deployment:default/internal-proxy-deployment\"",
        ])
    );
    // Scenario 2 (DIND): health-check mounts the containerd socket; scenario 4: system-monitor
    // mounts the host's `/`. Both are ways to the node besides privileged mode.
    for edge in [
        r#""volume:default/health-check-deployment/containerd-sock-volume" -> "node:*" [label="EXPLOIT_CONTAINERD_SOCK\nT1611"];"#,
        r#""volume:default/system-monitor-deployment/host-filesystem" -> "node:*" [label="EXPLOIT_HOST_WRITE\nT1611"];"#,
        r#""volume:default/docker-bench-security/docker-sock-volume" -> "node:*" [label="EXPLOIT_CONTAINERD_SOCK\nT1611"];"#,
    ] {
        assert!(run.stdout.contains(edge), "missing {edge}");
    }
    // Scenario 16 (RBAC least privileges): the hunger-check pod's account reads the secrets
    // of big-monolith.
    let doc = paths_json(&[
        "-f",
        &goat,
        "--from",
        "pod:big-monolith/hunger-check-deployment",
        "--to",
        "secrets",
    ]);
    assert_eq!(
        chains(&doc),
        [
            "pod:deployment:big-monolith/hunger-check-deployment secrets 3 CONTAINER_ATTACH>container:big-monolith/hunger-check-deployment/hunger-check TOKEN_STEAL>sa:big-monolith/big-monolith-sa SECRET_READ>secrets:big-monolith/*"
        ]
    );
}

#[test]
fn badpods_reach_their_node_except_nothing_allowed() {
    let Some(root) = corpus("manifests/insecure/badpods/manifests") else {
        return;
    };
    // Upstream's hostipc revshell DaemonSet also sets hostPID, which is the shorter way out
    // (CE_NSENTER sorts before HOST_IPC).
    let expected: [(&str, &[&str]); 7] = [
        ("everything-allowed", &["CE_PRIV_MOUNT"]),
        ("priv-and-hostpid", &["CE_PRIV_MOUNT"]),
        ("priv", &["CE_PRIV_MOUNT"]),
        ("hostpath", &["VOLUME_DISCOVER"]),
        ("hostpid", &["CE_NSENTER"]),
        ("hostnetwork", &["HOST_NETWORK"]),
        ("hostipc", &["HOST_IPC", "CE_NSENTER"]),
    ];
    for (category, techniques) in expected {
        let dir = root.join(category);
        let doc = paths_json(&[
            "-f",
            &dir.to_string_lossy(),
            "--from",
            "pods",
            "--to",
            "nodes",
        ]);
        let paths = doc["paths"].as_array().unwrap();
        // Ten manifests: {exec, revshell} × {pod, deployment, deamonset, job, replicaset}.
        assert_eq!(paths.len(), 10, "{category}: {paths:?}");
        for p in paths {
            let technique = p["hops"][1]["technique"].as_str().unwrap();
            assert!(techniques.contains(&technique), "{category}: {p}");
        }
    }
    let nothing = root.join("nothing-allowed");
    let doc = paths_json(&[
        "-f",
        &nothing.to_string_lossy(),
        "--from",
        "pods",
        "--to",
        "nodes",
    ]);
    assert_eq!(doc["paths"].as_array().map(Vec::len), Some(0), "{doc}");
}

#[test]
fn argo_cd_application_controller_is_a_cluster_admin_equivalent() {
    let Some(install) = corpus("manifests/realworld/argo-cd/manifests/install.yaml") else {
        return;
    };
    let install = install.to_string_lossy().into_owned();
    let doc = paths_json(&[
        "-f",
        &install,
        "--default-namespace",
        "argocd",
        "--from",
        "pod:argocd/argocd-application-controller",
        "--to",
        "cluster-admin",
    ]);
    assert_eq!(
        chains(&doc),
        [
            "pod:statefulset:argocd/argocd-application-controller cluster-admin 3 CONTAINER_ATTACH>container:argocd/argocd-application-controller/argocd-application-controller TOKEN_STEAL>sa:argocd/argocd-application-controller ADMIN_EQUIVALENT>cluster-admin"
        ]
    );
    assert_eq!(
        doc["paths"][0]["hops"][2]["evidence"]["bindings"][0]["role"]["name"],
        "argocd-application-controller"
    );
    // The repo server holds no RBAC at all: no path to cluster-admin of its own.
    let doc = paths_json(&[
        "-f",
        &install,
        "--default-namespace",
        "argocd",
        "--from",
        "pod:argocd/argocd-repo-server",
        "--to",
        "cluster-admin",
    ]);
    assert_eq!(doc["paths"].as_array().map(Vec::len), Some(0), "{doc}");
}

#[test]
fn cert_manager_pods_do_not_reach_cluster_admin() {
    let Some(manifest) = corpus("manifests/realworld/cert-manager/cert-manager-v1.14.4.yaml")
    else {
        return;
    };
    let manifest = manifest.to_string_lossy().into_owned();
    let doc = paths_json(&["-f", &manifest, "--to", "cluster-admin"]);
    assert_eq!(doc["paths"].as_array().map(Vec::len), Some(0), "{doc}");
    // What its roles do allow, read from them: the controller creates pods (HTTP-01 solvers)
    // and reads secrets cluster-wide; the CA injector patches webhook configurations and reads
    // secrets.
    let doc = paths_json(&["-f", &manifest]);
    let mut found = chains(&doc);
    found.sort();
    assert_eq!(
        found,
        [
            "pod:deployment:cert-manager/cert-manager kube-system-secrets 3 CONTAINER_ATTACH>container:cert-manager/cert-manager/cert-manager-controller TOKEN_STEAL>sa:cert-manager/cert-manager SECRET_READ>secrets:kube-system/*",
            "pod:deployment:cert-manager/cert-manager nodes 3 CONTAINER_ATTACH>container:cert-manager/cert-manager/cert-manager-controller TOKEN_STEAL>sa:cert-manager/cert-manager POD_CREATE_PRIVILEGED>node:*",
            "pod:deployment:cert-manager/cert-manager-cainjector kube-system-secrets 3 CONTAINER_ATTACH>container:cert-manager/cert-manager-cainjector/cert-manager-cainjector TOKEN_STEAL>sa:cert-manager/cert-manager-cainjector SECRET_READ>secrets:kube-system/*",
            "pod:deployment:cert-manager/cert-manager-cainjector nodes 3 CONTAINER_ATTACH>container:cert-manager/cert-manager-cainjector/cert-manager-cainjector TOKEN_STEAL>sa:cert-manager/cert-manager-cainjector WEBHOOK_MUTATE>node:*",
        ]
    );
}
