//! `harrier watch` against the fixture API server: findings present at start, then each
//! finding a change introduces and each one a change fixes, to a file and a webhook.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use harrier_k8s::cluster::fixture::FixtureServer;
use serde_json::{Value, json};

use crate::util::Dir;

fn pod(name: &str, privileged: bool) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "shop"},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.25", "securityContext": {"privileged": privileged}}]}})
}

/// Accepts one HTTP request on loopback and hands its body over.
pub fn webhook_receiver() -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/alerts", listener.local_addr().expect("address"));
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if line.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = line.split_once(':') {
                    if name.eq_ignore_ascii_case("content-length") {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let mut stream = stream;
            let _ = stream.write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n");
            let _ = sender.send(String::from_utf8_lossy(&body).into_owned());
        }
    });
    (url, receiver)
}

#[test]
fn changes_become_finding_and_resolved_alerts() {
    let server =
        FixtureServer::start(vec![pod("web", false), pod("debug", true)]).expect("fixture server");
    let dir = Dir::new();
    dir.write("kubeconfig", &server.kubeconfig("prod"));
    let (url, bodies) = webhook_receiver();
    let mut child = dir
        .command(&[
            "watch",
            "--kubeconfig",
            "kubeconfig",
            "--duration",
            "8",
            "--debounce",
            "200",
            "-o",
            "alerts.jsonl",
            "--webhook",
            &url,
            "--select",
            "HRR-PSS-001",
        ])
        .spawn()
        .expect("start harrier watch");
    // Let it read and report the start, then change the cluster.
    let first = bodies
        .recv_timeout(Duration::from_secs(20))
        .expect("initial alerts on the webhook");
    server.apply(pod("web", true));
    server.delete("v1", "Pod", Some("shop"), "debug");
    let status = child.wait().expect("harrier watch ends");
    assert!(status.success(), "{status:?}");
    let text = std::fs::read_to_string(dir.path().join("alerts.jsonl")).expect("alerts file");
    let alerts: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let summary: Vec<(String, bool, String)> = alerts
        .iter()
        .map(|a| {
            (
                a["event"].as_str().unwrap_or("").to_owned(),
                a["initial"].as_bool().unwrap_or(false),
                a["finding"]["resource"]["name"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("finding".to_owned(), true, "debug".to_owned()),
            ("finding".to_owned(), false, "web".to_owned()),
            ("resolved".to_owned(), false, "debug".to_owned()),
        ],
        "{text}"
    );
    assert_eq!(alerts[1]["finding"]["check_id"], "HRR-PSS-001");
    assert_eq!(alerts[1]["cluster"], "prod");
    assert!(
        alerts[1]["finding"]["location"]["path"]
            .as_str()
            .unwrap_or("")
            .starts_with("prod:/api/v1/namespaces/shop/pods/web")
    );
    let first: Value = serde_json::from_str(&first).expect("webhook JSON");
    assert_eq!(first[0]["finding"]["resource"]["name"], "debug");
    let second: Value = serde_json::from_str(
        &bodies
            .recv_timeout(Duration::from_secs(5))
            .expect("change alerts on the webhook"),
    )
    .expect("webhook JSON");
    assert_eq!(second.as_array().map(Vec::len), Some(2), "{second}");
}

#[test]
fn a_webhook_in_clear_text_off_loopback_is_refused() {
    let dir = Dir::new();
    let run = dir.run(&[
        "watch",
        "--webhook",
        "http://alerts.example.com/hook",
        "--duration",
        "1",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("https://"), "{}", run.stderr);
}

/// The findings a watch holds after a run of changes (its start, plus every `finding`, minus
/// every `resolved`) are exactly those a fresh scan of the final state reports, although
/// namespaced changes re-evaluate only their namespaces: a NetworkPolicy added in one
/// namespace, a pod added in another, a ClusterRoleBinding to cluster-admin, a deleted Service.
#[test]
fn incremental_alerts_add_up_to_a_fresh_scan() {
    let deployment = |name: &str, ns: &str, account: &str| {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
            "spec": {"selector": {"matchLabels": {"app": name}}, "template": {"metadata": {"labels": {"app": name}},
                "spec": {"serviceAccountName": account, "containers": [{"name": "app", "image": "nginx:1.25"}]}}}})
    };
    let objects = vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}),
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "blog"}}),
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "web", "namespace": "shop"}}),
        deployment("web", "shop", "web"),
        deployment("api", "blog", "default"),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api", "namespace": "blog"},
            "spec": {"type": "NodePort", "selector": {"app": "api"}, "ports": [{"port": 80}]}}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "view"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}, "subjects": []}),
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "seed", "namespace": "blog"},
            "spec": {"podSelector": {"matchLabels": {"app": "none"}}}}),
        // So that the fixture serves Pods from the start, as every cluster does.
        pod("static", false),
    ];
    let server = FixtureServer::start(objects).expect("fixture server");
    let dir = Dir::new();
    dir.write("kubeconfig", &server.kubeconfig("prod"));
    let child = dir
        .command(&[
            "watch",
            "--kubeconfig",
            "kubeconfig",
            "--duration",
            "12",
            "--debounce",
            "150",
            "-o",
            "alerts.jsonl",
            "-v",
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start harrier watch");
    // The changes are meant for the watch, not for the initial read.
    let watched = [
        "/pods?",
        "/networkpolicies?",
        "/clusterrolebindings?",
        "/services?",
    ];
    assert!(server.wait_for_watches(&watched, Duration::from_secs(20)));
    server.apply(json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "deny", "namespace": "shop"},
        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}));
    std::thread::sleep(Duration::from_millis(1200));
    server.apply(pod("debug", true));
    std::thread::sleep(Duration::from_millis(1200));
    server.apply(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "web-admin"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
        "subjects": [{"kind": "ServiceAccount", "name": "web", "namespace": "shop"}]}));
    std::thread::sleep(Duration::from_millis(1200));
    server.delete("v1", "Service", Some("blog"), "api");
    let output = child.wait_with_output().expect("harrier watch ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // Namespaced batches evaluated fewer objects than the whole cluster; the RBAC one all.
    let evaluated: Vec<(usize, usize)> = stderr
        .lines()
        .filter_map(|l| {
            let rest = l.split("changes: ").nth(1)?;
            let (part, rest) = rest.split_once(" of ")?;
            let whole = rest.split_whitespace().next()?;
            Some((part.parse().ok()?, whole.parse().ok()?))
        })
        .collect();
    assert!(
        evaluated.iter().any(|(part, whole)| part < whole),
        "{stderr}"
    );
    assert!(
        evaluated.iter().any(|(part, whole)| part == whole),
        "{stderr}"
    );
    let text = std::fs::read_to_string(dir.path().join("alerts.jsonl")).expect("alerts file");
    let mut held = std::collections::BTreeSet::new();
    for line in text.lines() {
        let alert: Value = serde_json::from_str(line).expect("JSON line");
        let key = format!(
            "{} {}",
            alert["finding"]["fingerprint"], alert["finding"]["message"]
        );
        match alert["event"].as_str() {
            Some("finding") => assert!(held.insert(key), "reported twice: {line}"),
            Some("resolved") => assert!(held.remove(&key), "resolved but never found: {line}"),
            other => panic!("unknown event {other:?}"),
        }
    }
    let fresh = dir.run(&[
        "scan",
        "cluster",
        "--kubeconfig",
        "kubeconfig",
        "--format",
        "json",
    ]);
    assert_eq!(fresh.code, 0, "{}", fresh.stderr);
    let report: Value = serde_json::from_str(&fresh.stdout).expect("JSON");
    let expected: std::collections::BTreeSet<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| format!("{} {}", f["fingerprint"], f["message"]))
        .collect();
    assert_eq!(held, expected);
    // The changes did change findings: the admin binding and the privileged pod are there.
    assert!(
        text.contains("HRR-RBAC-012") && text.contains("HRR-PSS-001"),
        "{text}"
    );
}
