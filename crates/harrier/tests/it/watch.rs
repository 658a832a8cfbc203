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
fn webhook_receiver() -> (String, mpsc::Receiver<String>) {
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
