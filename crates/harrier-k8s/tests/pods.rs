//! A node's pods by container id, listed through the fixture API server with the node's field
//! selector or through its stand-in kubelet's `/pods`, and kept current by `NodePods`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use harrier_k8s::cluster::ClusterOptions;
use harrier_k8s::cluster::fixture::FixtureServer;
use harrier_k8s::cluster::pods::{
    KubeletOptions, NodePods, Owner, PodSource, Refresh, read_kubelet_pods, read_node_pods,
};
use serde_json::{Value, json};

const WEB_ID: &str = "3f1c6a2b9d8e7f60a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718";
const SIDECAR_ID: &str = "9a8b7c6d5e4f30211a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081";
const AGENT_ID: &str = "c0ffee00112233445566778899aabbccddeeff00112233445566778899aabbcc";

/// A pod as the API server returns it: defaults filled in, owner references, statuses with
/// runtime-prefixed container ids.
fn pod(name: &str, node: &str, owner: Option<(&str, &str)>, containers: &[(&str, &str)]) -> Value {
    let mut labels = json!({"app": name.split('-').next().unwrap()});
    let mut meta = json!({
        "name": name,
        "namespace": "shop",
        "uid": format!("uid-{name}"),
        "labels": labels.clone(),
    });
    if let Some((kind, owner_name)) = owner {
        if kind == "ReplicaSet" {
            labels["pod-template-hash"] = json!(owner_name.rsplit('-').next().unwrap());
            meta["labels"] = labels;
        }
        meta["ownerReferences"] = json!([{
            "apiVersion": "apps/v1", "kind": kind, "name": owner_name,
            "uid": "owner-uid", "controller": true, "blockOwnerDeletion": true
        }]);
    }
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": {
            "nodeName": node,
            "serviceAccountName": format!("{}-sa", name.split('-').next().unwrap()),
            "containers": containers.iter().map(|(c, _)| json!({"name": c, "image": format!("registry.example.com/{c}:1.0")})).collect::<Vec<_>>(),
        },
        "status": {
            "phase": "Running",
            "containerStatuses": containers.iter().map(|(c, id)| json!({
                "name": c,
                "image": format!("registry.example.com/{c}:1.0"),
                "imageID": format!("registry.example.com/{c}@sha256:{}", "0".repeat(64)),
                "containerID": id,
                "ready": true, "restartCount": 0, "started": true,
                "state": {"running": {"startedAt": "2026-11-27T10:00:00Z"}}
            })).collect::<Vec<_>>(),
        }
    })
}

fn objects() -> Vec<Value> {
    vec![
        pod(
            "web-7d9f8c6b5-x2kq9",
            "worker-1",
            Some(("ReplicaSet", "web-7d9f8c6b5")),
            &[
                ("web", &format!("containerd://{WEB_ID}")),
                ("sidecar", &format!("containerd://{SIDECAR_ID}")),
            ],
        ),
        pod(
            "agent-q8z7t",
            "worker-1",
            Some(("DaemonSet", "agent")),
            &[("agent", &format!("cri-o://{AGENT_ID}"))],
        ),
        // On another node: a node's sensor must not see it.
        pod(
            "db-0",
            "worker-2",
            Some(("StatefulSet", "db")),
            &[(
                "db",
                "containerd://dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
            )],
        ),
        // Scheduled but not started: no container id yet.
        pod("pending", "worker-1", None, &[("app", "")]),
    ]
}

fn options(server: &FixtureServer, dir: &tempfile::TempDir) -> ClusterOptions {
    let path = dir.path().join("config");
    std::fs::write(&path, server.kubeconfig("fixture")).unwrap();
    ClusterOptions {
        kubeconfig: Some(path),
        requests_per_second: 0.0,
        ..ClusterOptions::default()
    }
}

/// Relists only when asked (and then at once): the tests decide when.
const ON_REQUEST: Refresh = Refresh {
    interval: Duration::from_secs(3600),
    min_gap: Duration::from_millis(50),
};

/// Starts a pod on worker-1 (its one container running with `id`), asks `pods` for a refresh
/// and waits until the directory holds the container; returns the deadline it waited under.
fn start_on_worker(
    server: &FixtureServer,
    pods: &NodePods,
    name: &str,
    owner: (&str, &str),
    (container, id): (&str, &str),
) -> Instant {
    server.apply(pod(
        name,
        "worker-1",
        Some(owner),
        &[(container, &format!("containerd://{id}"))],
    ));
    pods.request_refresh();
    let deadline = Instant::now() + Duration::from_secs(20);
    while pods.current().container(id).is_none() {
        assert!(Instant::now() < deadline, "{name} never appeared");
        std::thread::sleep(Duration::from_millis(20));
    }
    deadline
}

#[test]
fn node_pods_by_container_id_with_labels_account_and_owner() {
    let server = FixtureServer::start(objects()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pods = read_node_pods(&options(&server, &dir), Some("worker-1")).unwrap();
    assert_eq!(pods.pods(), 3, "worker-1's pods only");
    assert_eq!(
        pods.containers(),
        3,
        "the pending pod has no container id yet"
    );
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.contains("fieldSelector=spec.nodeName%3Dworker-1")
                || r.contains("fieldSelector=spec.nodeName=worker-1")),
        "the list is filtered by node on the server: {:?}",
        server.requests()
    );

    let web = pods.container(WEB_ID).expect("by full id");
    assert_eq!(web.name, "web");
    assert_eq!(web.image.as_deref(), Some("registry.example.com/web:1.0"));
    assert_eq!(web.pod.name, "web-7d9f8c6b5-x2kq9");
    assert_eq!(web.pod.namespace, "shop");
    assert_eq!(web.pod.service_account, "web-sa");
    assert_eq!(web.pod.node.as_deref(), Some("worker-1"));
    assert_eq!(web.pod.labels["app"], "web");
    assert_eq!(
        web.pod.owner,
        Some(Owner {
            kind: "Deployment".into(),
            name: "web".into()
        }),
        "a Deployment's ReplicaSet is reported as the Deployment"
    );
    let sidecar = pods
        .container(&SIDECAR_ID[..12])
        .expect("by 12-digit prefix");
    assert_eq!(sidecar.name, "sidecar");
    assert!(std::sync::Arc::ptr_eq(&sidecar.pod, &web.pod));

    let agent = pods.container(AGENT_ID).expect("CRI-O id");
    assert_eq!(
        agent.pod.owner,
        Some(Owner {
            kind: "DaemonSet".into(),
            name: "agent".into()
        })
    );
    assert!(pods.container(&"d".repeat(64)).is_none(), "worker-2's pod");
    assert!(pods.container("3f1c").is_none(), "too short a prefix");
    assert_eq!(pods.pod("uid-agent-q8z7t").unwrap().name, "agent-q8z7t");
}

#[test]
fn node_pods_refreshes_on_request_and_keeps_the_last_directory_on_failure() {
    let server = FixtureServer::start(objects()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let source = PodSource::Api {
        options: options(&server, &dir),
        node: Some("worker-1".into()),
    };
    let pods = NodePods::start(source, ON_REQUEST).unwrap();
    let new_id = "abcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcd";
    assert!(pods.current().container(new_id).is_none());

    let deadline = start_on_worker(
        &server,
        &pods,
        "web-7d9f8c6b5-new01",
        ("ReplicaSet", "web-7d9f8c6b5"),
        ("web", new_id),
    );
    assert_eq!(pods.current().pods(), 4);
    assert!(
        pods.stats()
            .refreshes
            .load(std::sync::atomic::Ordering::Relaxed)
            >= 2
    );

    server.forbid("pods");
    let failures = || {
        pods.stats()
            .failures
            .load(std::sync::atomic::Ordering::Relaxed)
    };
    pods.request_refresh();
    while failures() == 0 {
        assert!(Instant::now() < deadline, "the failed list was not counted");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(pods.last_error().unwrap().contains("pods"));
    assert!(
        pods.current().container(new_id).is_some(),
        "the last good directory stays in use"
    );
}

#[test]
fn an_unreachable_api_server_is_an_error_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:1\n\
         contexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user: {}\n",
    )
    .unwrap();
    let options = ClusterOptions {
        kubeconfig: Some(path),
        ..ClusterOptions::default()
    };
    let source = PodSource::Api {
        options,
        node: Some("worker-1".into()),
    };
    let err = NodePods::start(source, Refresh::default()).unwrap_err();
    assert!(err.to_string().contains("127.0.0.1:1"), "{err}");
}

fn kubelet(server: &FixtureServer, dir: &tempfile::TempDir) -> KubeletOptions {
    let token = dir.path().join("token");
    std::fs::write(&token, "kubelet-reader-token\n").unwrap();
    KubeletOptions {
        url: server.kubeconfig("k").split('"').nth(1).unwrap().to_owned(),
        token_file: Some(token),
        ..KubeletOptions::default()
    }
}

#[test]
fn kubelet_pods_with_the_token_file_and_the_same_context_as_the_api() {
    let server = FixtureServer::start(objects()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pods = read_kubelet_pods(&kubelet(&server, &dir)).unwrap();
    assert_eq!(server.requests(), ["GET /pods HTTP/1.1"]);
    assert_eq!(server.authorizations(), ["Bearer kubelet-reader-token"]);
    // The stand-in answers with every pod it holds; a kubelet, with the pods it runs.
    assert_eq!(pods.pods(), 4);
    let web = pods.container(WEB_ID).expect("by full id");
    assert_eq!(web.pod.name, "web-7d9f8c6b5-x2kq9");
    assert_eq!(web.pod.service_account, "web-sa");
    assert_eq!(web.pod.labels["app"], "web");
    assert_eq!(
        web.pod.owner,
        Some(Owner {
            kind: "Deployment".into(),
            name: "web".into()
        })
    );
    let api = read_node_pods(&options(&server, &dir), None).unwrap();
    let from_api = api.container(WEB_ID).unwrap();
    assert_eq!(*from_api.pod, *web.pod);
    assert_eq!((&from_api.name, &from_api.image), (&web.name, &web.image));
}

#[test]
fn node_pods_from_the_kubelet_refresh_on_request() {
    let server = FixtureServer::start(objects()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let source = PodSource::Kubelet(kubelet(&server, &dir));
    assert!(
        source
            .describe()
            .starts_with("the kubelet at http://127.0.0.1:")
    );
    let pods = NodePods::start(source, ON_REQUEST).unwrap();
    let new_id = "0123456789abcdef".repeat(4);
    start_on_worker(
        &server,
        &pods,
        "agent-new02",
        ("DaemonSet", "agent"),
        ("agent", &new_id),
    );
}

#[test]
fn a_kubelet_that_is_not_one_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 1.
    let nobody = KubeletOptions {
        url: "https://127.0.0.1:1".into(),
        ..KubeletOptions::default()
    };
    let err = read_kubelet_pods(&nobody).unwrap_err().to_string();
    assert!(err.contains("https://127.0.0.1:1"), "{err}");
    // Something that answers /pods with another document.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        let (mut stream, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let _ = stream.read(&mut buf);
        let body = r#"{"kind": "Status", "items": 7}"#;
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
    });
    let err = read_kubelet_pods(&KubeletOptions {
        url: url.clone(),
        ..KubeletOptions::default()
    })
    .unwrap_err()
    .to_string();
    assert!(
        err.contains(&url) && err.contains("did not return a PodList"),
        "{err}"
    );
    let bad = KubeletOptions {
        url: "not a url".into(),
        ..KubeletOptions::default()
    };
    assert!(
        read_kubelet_pods(&bad)
            .unwrap_err()
            .to_string()
            .contains("not a url")
    );
    drop(dir);
}
