//! The live-cluster path against the fixture API server, fed with real manifests from the
//! corpus: the same objects read from files and through the API must agree.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use harrier_core::testing::corpus_path;
use harrier_core::yaml::de::from_node;
use harrier_k8s::cluster::fixture::FixtureServer;
use harrier_k8s::cluster::{ANALYSED, ClusterError, ClusterOptions, read_cluster};
use harrier_k8s::{LoadOptions, Object, load};

fn corpus_objects(relative: &str) -> Option<Vec<Object>> {
    let path = corpus_path(env!("CARGO_MANIFEST_DIR"), relative)?;
    let loaded = load(&[path], &LoadOptions::default());
    Some(loaded.objects)
}

fn as_json(objects: &[Object]) -> Vec<serde_json::Value> {
    objects
        .iter()
        .map(|o| from_node::<serde_json::Value>(&o.node).unwrap())
        .collect()
}

fn kubeconfig(server: &FixtureServer, dir: &tempfile::TempDir) -> PathBuf {
    let path = dir.path().join("config");
    std::fs::write(&path, server.kubeconfig("fixture")).unwrap();
    path
}

fn options(path: PathBuf) -> ClusterOptions {
    ClusterOptions {
        kubeconfig: Some(path),
        requests_per_second: 0.0,
        page_size: 7,
        ..ClusterOptions::default()
    }
}

/// kind, namespace (`default` when a namespaced manifest leaves it out), name.
fn identities(objects: &[Object], analysed_only: bool) -> BTreeSet<(String, String, String)> {
    let analysed_kinds = [
        "Namespace",
        "Node",
        "Pod",
        "ReplicationController",
        "Service",
        "ServiceAccount",
        "Secret",
        "PersistentVolume",
        "ConfigMap",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Deployment",
        "DaemonSet",
        "StatefulSet",
        "ReplicaSet",
        "Job",
        "CronJob",
        "Role",
        "ClusterRole",
        "RoleBinding",
        "ClusterRoleBinding",
        "Ingress",
        "NetworkPolicy",
        "EndpointSlice",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
    ];
    let cluster_scoped = [
        "Namespace",
        "Node",
        "PersistentVolume",
        "ClusterRole",
        "ClusterRoleBinding",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
    ];
    objects
        .iter()
        .filter(|o| !analysed_only || analysed_kinds.contains(&o.kind()))
        .map(|o| {
            let ns = if cluster_scoped.contains(&o.kind()) {
                String::new()
            } else {
                o.resource
                    .namespace
                    .clone()
                    .unwrap_or_else(|| "default".to_owned())
            };
            (
                o.kind().to_owned(),
                ns,
                o.resource.name.clone().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn argo_cd_read_through_the_api_equals_the_manifest() {
    let Some(objects) = corpus_objects("manifests/realworld/argo-cd/manifests/install.yaml") else {
        return;
    };
    let server = FixtureServer::start(as_json(&objects)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let snapshot = read_cluster(&options(kubeconfig(&server, &dir))).unwrap();
    assert!(
        snapshot.loaded.errors.is_empty(),
        "{:?}",
        snapshot.loaded.errors
    );
    assert!(snapshot.skipped.is_empty(), "{:?}", snapshot.skipped);
    assert_eq!(snapshot.context, "fixture");
    let expected = identities(&objects, true);
    assert!(expected.len() > 40, "{}", expected.len());
    assert_eq!(identities(&snapshot.loaded.objects, false), expected);
    // Pagination: a page of 7 means several requests for the bigger resources.
    let requests = server.requests();
    assert!(
        requests.iter().any(|r| r.contains("continue=page-7")),
        "{requests:?}"
    );
    assert!(
        requests
            .iter()
            .all(|r| !r.contains("customresourcedefinitions"))
    );
    // Not served here: the Gateway API and Cilium are absent from this cluster.
    assert!(
        snapshot
            .not_served
            .contains(&"httproutes.gateway.networking.k8s.io".to_owned())
    );
    // Locations name the live object, and lines are those of `kubectl get -o json`.
    let role = snapshot
        .loaded
        .objects
        .iter()
        .find(|o| o.kind() == "ClusterRole")
        .unwrap();
    let location = role.location().to_string();
    assert!(
        location.starts_with("fixture:/apis/rbac.authorization.k8s.io/v1/clusterroles/argocd-"),
        "{location}"
    );
}

#[test]
fn a_forbidden_resource_is_skipped_with_the_rule_that_would_allow_it() {
    let Some(objects) = corpus_objects("manifests/realworld/argo-cd/manifests/install.yaml") else {
        return;
    };
    let server = FixtureServer::start(as_json(&objects)).unwrap();
    server.forbid("secrets");
    server.forbid("clusterroles.rbac.authorization.k8s.io");
    let dir = tempfile::tempdir().unwrap();
    let snapshot = read_cluster(&options(kubeconfig(&server, &dir))).unwrap();
    let skipped: Vec<(&str, Option<&str>)> = snapshot
        .skipped
        .iter()
        .map(|s| (s.resource.as_str(), s.needed_rule.as_deref()))
        .collect();
    assert_eq!(
        skipped,
        [
            (
                "secrets",
                Some(
                    "{apiGroups: [\"\"], resources: [secrets], verbs: [list]} in a ClusterRole bound by a ClusterRoleBinding"
                )
            ),
            (
                "clusterroles.rbac.authorization.k8s.io",
                Some(
                    "{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [list]} in a ClusterRole bound by a ClusterRoleBinding"
                )
            ),
        ]
    );
    assert!(
        snapshot.skipped[0].reason.contains("forbidden"),
        "{}",
        snapshot.skipped[0].reason
    );
    assert!(
        snapshot
            .loaded
            .objects
            .iter()
            .any(|o| o.kind() == "ClusterRoleBinding")
    );
    assert!(
        !snapshot
            .loaded
            .objects
            .iter()
            .any(|o| o.kind() == "ClusterRole")
    );
}

#[test]
fn secret_values_never_leave_the_response() {
    let objects = vec![
        serde_json::json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "app"},
            "type": "Opaque", "data": {"password": "aHVudGVyMg=="}, "stringData": {"token": "s3cr3t-value"}}),
        serde_json::json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sa-token", "namespace": "app",
            "annotations": {"kubernetes.io/service-account.name": "builder"}},
            "type": "kubernetes.io/service-account-token", "data": {"token": "ZXlKaGJHY2lPaUpTVXpJMU5pSjk="}}),
    ];
    let server = FixtureServer::start(objects).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let snapshot = read_cluster(&options(kubeconfig(&server, &dir))).unwrap();
    assert_eq!(snapshot.loaded.objects.len(), 2);
    for object in &snapshot.loaded.objects {
        let text = format!("{:?}", object.node);
        assert!(
            !text.contains("aHVudGVyMg") && !text.contains("s3cr3t") && !text.contains("ZXlKaGJH"),
            "{text}"
        );
        assert!(object.node.get("data").is_none());
    }
    let token = &snapshot.loaded.objects[1];
    assert_eq!(
        token.node.get("type").and_then(|t| t.as_str()),
        Some("kubernetes.io/service-account-token")
    );
}

#[test]
fn namespace_and_label_selector_narrow_namespaced_lists_only() {
    let objects = vec![
        serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "namespace": "one", "labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}}),
        serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "b", "namespace": "one", "labels": {"app": "db"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}}),
        serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "c", "namespace": "two", "labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}}),
        serde_json::json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "crb", "labels": {"app": "web"}},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}, "subjects": []}),
    ];
    let server = FixtureServer::start(objects).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let snapshot = read_cluster(&ClusterOptions {
        namespace: Some("one".to_owned()),
        label_selector: Some("app=web".to_owned()),
        ..options(kubeconfig(&server, &dir))
    })
    .unwrap();
    let names: BTreeSet<String> = snapshot
        .loaded
        .objects
        .iter()
        .map(|o| {
            format!(
                "{}/{}",
                o.kind(),
                o.resource.name.clone().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["Pod/a".to_owned(), "ClusterRoleBinding/crb".to_owned()])
    );
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.contains("/api/v1/namespaces/one/pods?"))
    );
}

#[test]
fn an_unreachable_server_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    // A port nothing listens on: bind one, learn it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        &path,
        format!("apiVersion: v1\nkind: Config\ncurrent-context: gone\nclusters:\n- name: c\n  cluster: {{server: \"http://127.0.0.1:{port}\"}}\nusers:\n- name: u\n  user: {{token: t}}\ncontexts:\n- name: gone\n  context: {{cluster: c, user: u}}\n"),
    )
    .unwrap();
    match read_cluster(&options(path)) {
        Err(ClusterError::Unreachable { server, message }) => {
            assert!(server.contains(&port.to_string()), "{server}");
            assert!(!message.is_empty());
        }
        other => panic!("expected an unreachable error, got {other:?}"),
    }
    let missing = read_cluster(&options(dir.path().join("absent"))).unwrap_err();
    assert!(missing.to_string().contains("absent"), "{missing}");
}

#[test]
fn every_wanted_resource_is_named_once() {
    let names: BTreeSet<(&str, &str)> = ANALYSED.iter().map(|w| (w.group, w.resource)).collect();
    assert_eq!(names.len(), ANALYSED.len());
}

/// After the full read, changes arrive through watches continuing from each list's version:
/// an added pod, a modified pod, a deleted pod and a new ClusterRoleBinding, nothing twice
/// and nothing from before the list.
#[test]
fn changes_after_the_read_arrive_through_watches() {
    use std::ops::ControlFlow;
    use std::sync::Arc;
    use std::time::Duration;

    use harrier_k8s::cluster::watch::{Change, Follower, WatchOptions, watch_cluster};

    let pod = |name: &str, labels: serde_json::Value| {
        serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "shop", "labels": labels},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    };
    let server = Arc::new(
        FixtureServer::start(vec![
            pod("a", serde_json::json!({})),
            pod("b", serde_json::json!({})),
            // So that the cluster serves ClusterRoleBindings from the start.
            serde_json::json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                "metadata": {"name": "view"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
                "subjects": []}),
        ])
        .unwrap(),
    );
    // A change before the read is part of the read, not of the watch.
    server.apply(pod("early", serde_json::json!({})));
    let dir = tempfile::tempdir().unwrap();
    let options = WatchOptions {
        cluster: options(kubeconfig(&server, &dir)),
        debounce: Duration::from_millis(200),
        max_delay: Duration::from_secs(2),
        max_batch: 64,
        stop_after: Some(Duration::from_secs(20)),
    };
    let changer = {
        let server = server.clone();
        std::thread::spawn(move || {
            // So that the changes are the watch's, not the initial read's.
            let paths = ["/api/v1/pods?", "/clusterrolebindings?"];
            assert!(server.wait_for_watches(&paths, Duration::from_secs(20)));
            server.apply(pod("c", serde_json::json!({})));
            server.apply(pod("a", serde_json::json!({"tier": "front"})));
            server.delete("v1", "Pod", Some("shop"), "b");
            server.apply(serde_json::json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                "metadata": {"name": "new-admin"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
                "subjects": [{"kind": "User", "name": "mallory"}]}));
        })
    };
    #[derive(Default)]
    struct Recorder {
        initial: Vec<String>,
        seen: Vec<String>,
    }
    impl Follower for Recorder {
        fn snapshot(&mut self, snapshot: harrier_k8s::cluster::ClusterSnapshot) {
            self.initial = snapshot
                .loaded
                .objects
                .iter()
                .map(|o| o.resource.name.clone().unwrap_or_default())
                .collect();
        }
        fn changes(&mut self, batch: Vec<Change>) -> ControlFlow<()> {
            for change in batch {
                self.seen.push(match change {
                    Change::Applied(object) => {
                        let labelled = object.node.get_path("metadata.labels.tier").is_some();
                        format!(
                            "applied {} {}{}",
                            object.kind(),
                            object.resource.name.clone().unwrap_or_default(),
                            if labelled { " (tier)" } else { "" }
                        )
                    }
                    Change::Deleted(key) => {
                        format!("deleted {} {:?}/{}", key.kind, key.namespace, key.name)
                    }
                });
            }
            if self.seen.len() >= 4 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
    }
    let mut recorder = Recorder::default();
    watch_cluster(&options, &mut recorder).unwrap();
    changer.join().unwrap();
    let Recorder {
        mut initial,
        mut seen,
    } = recorder;
    initial.sort();
    assert_eq!(initial, ["a", "b", "early", "view"]);
    seen.sort();
    assert_eq!(
        seen,
        [
            "applied ClusterRoleBinding new-admin",
            "applied Pod a (tier)",
            "applied Pod c",
            "deleted Pod Some(\"shop\")/b",
        ]
    );
    let watches: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|r| r.contains("watch="))
        .collect();
    assert!(
        watches
            .iter()
            .any(|r| r.contains("/api/v1/pods?") && r.contains("resourceVersion=1001")),
        "{watches:?}"
    );
}

/// A watch whose version expired (`410 Gone`) lists its resource again: what changed while it
/// was gone arrives, deletions included.
#[test]
fn an_expired_watch_relists_and_reports_what_went_meanwhile() {
    use std::ops::ControlFlow;
    use std::sync::Arc;
    use std::time::Duration;

    use harrier_k8s::cluster::watch::{Change, Follower, WatchOptions, watch_cluster};

    let pod = |name: &str| {
        serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "shop"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    };
    let server = Arc::new(FixtureServer::start(vec![pod("a"), pod("b")]).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let options = WatchOptions {
        cluster: options(kubeconfig(&server, &dir)),
        debounce: Duration::from_millis(100),
        max_delay: Duration::from_secs(1),
        max_batch: 64,
        stop_after: Some(Duration::from_secs(20)),
    };
    let changer = {
        let server = server.clone();
        std::thread::spawn(move || {
            assert!(server.wait_for_watches(&["/api/v1/pods?"], Duration::from_secs(20)));
            server.forget("v1", "Pod", Some("shop"), "b");
            server.expire_watches();
        })
    };
    struct Recorder(Vec<String>);
    impl Follower for Recorder {
        fn snapshot(&mut self, _: harrier_k8s::cluster::ClusterSnapshot) {}
        fn changes(&mut self, batch: Vec<Change>) -> ControlFlow<()> {
            for change in batch {
                self.0.push(match change {
                    Change::Applied(o) => {
                        format!("applied {}", o.resource.name.clone().unwrap_or_default())
                    }
                    Change::Deleted(key) => format!("deleted {}", key.name),
                });
            }
            if self.0.iter().any(|c| c == "deleted b") {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
    }
    let mut recorder = Recorder(Vec::new());
    watch_cluster(&options, &mut recorder).unwrap();
    changer.join().unwrap();
    assert!(
        recorder.0.contains(&"applied a".to_owned()),
        "{:?}",
        recorder.0
    );
    assert!(
        recorder.0.contains(&"deleted b".to_owned()),
        "{:?}",
        recorder.0
    );
    let pod_lists = server
        .requests()
        .iter()
        .filter(|r| r.contains("/api/v1/pods?") && !r.contains("watch="))
        .count();
    assert_eq!(pod_lists, 2, "{:?}", server.requests());
}
