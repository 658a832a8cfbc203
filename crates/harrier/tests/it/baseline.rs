//! `harrier replay --baselines DIR` and `harrier baseline show|lock|diff`: learn from recorded
//! events, persist, lock, alert on drift in a later run, and compare without changing files.

use serde_json::Value;

use crate::util::Dir;

fn line(pod: &str, t: u64, exe: &str, args: &str) -> String {
    let name = exe.rsplit('/').next().unwrap();
    format!(
        r#"{{"source":"syscall","time_ns":{},"type":"execve","res":0,"process":{{"pid":7,"name":"{name}","exepath":"{exe}","args":[{args}],"uid":101}},"container":{{"id":"abc{pod}","name":"web","image":"shop/web:1.4"}},"k8s":{{"namespace":"shop","pod_name":"{pod}","owner_kind":"Deployment","owner_name":"web"}},"hostname":"node-1"}}"#,
        1_700_000_000_000_000_000_u64 + t * 1_000_000_000
    )
}

fn learning_events() -> String {
    let mut out = String::new();
    for t in 0..6 {
        let pod = if t % 2 == 0 { "web-1" } else { "web-2" };
        out.push_str(&line(pod, t, "/usr/sbin/nginx", r#""-g","daemon off;""#));
        out.push('\n');
    }
    out.push_str(&line(
        "web-1",
        7,
        "/usr/bin/curl",
        r#""http://203.0.113.5/x""#,
    ));
    out.push('\n');
    out
}

#[test]
fn replay_learns_persists_locks_and_alerts_on_drift() {
    let dir = Dir::new();
    let base = dir.path().join("baselines");
    let base = base.to_str().unwrap();
    let learn = dir.write("learn.jsonl", &learning_events());
    let run = dir.run(&["replay", "--baselines", base, learn.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let file = dir.path().join("baselines/shop.deployment.web.web.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("status: learning"), "{text}");

    let run = dir.run(&["baseline", "lock", base]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = dir.run(&["baseline", "show", base, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let shown: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(shown[0]["state"], "locked");
    assert_eq!(shown[0]["allowed"], 1);
    assert_eq!(shown[0]["flagged"], 1);
    let run = dir.run(&["baseline", "show", base]);
    assert!(
        run.stdout.contains(
            "flagged  process    /usr/bin/curl http://203.0.113.5/x  (seen once while learning)"
        ),
        "{}",
        run.stdout
    );

    let later = dir.write(
        "later.jsonl",
        &format!(
            "{}\n{}\n{}\n",
            line("web-3", 100, "/usr/sbin/nginx", r#""-g","daemon off;""#),
            line("web-3", 101, "/bin/sh", r#""-c","id""#),
            line("web-3", 102, "/usr/bin/curl", r#""http://203.0.113.5/x""#)
        ),
    );
    let run = dir.run(&["baseline", "diff", base, later.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("+ process    /bin/sh -c id  [new]"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("[flagged]"), "{}", run.stdout);

    let run = dir.run(&[
        "replay",
        "--no-builtin-profiles",
        "--baselines",
        base,
        later.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let alerts: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(alerts.len(), 2, "{}", run.stdout);
    assert_eq!(alerts[0]["rule"], "Harrier Baseline Drift: Process");
    assert_eq!(alerts[0]["output_fields"]["k8s.pod.name"], "web-3");
    assert!(
        alerts[0]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "harrier.baseline")
    );

    std::fs::write(
        &file,
        "apiVersion: harrier.dev/v1alpha1\nkind: Baseline\nworkload: {}\nstatus: frozen\n",
    )
    .unwrap();
    let run = dir.run(&["replay", "--baselines", base, later.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("shop.deployment.web.web.yaml:4:9: status `frozen`"),
        "{}",
        run.stderr
    );
}

#[test]
fn replay_locks_after_learn_events() {
    let dir = Dir::new();
    let base = dir.path().join("b");
    let mut events = learning_events();
    events.push_str(&line("web-2", 50, "/bin/sh", r#""-c","id""#));
    events.push('\n');
    let f = dir.write("e.jsonl", &events);
    let run = dir.run(&[
        "replay",
        "--baselines",
        base.to_str().unwrap(),
        "--learn-events",
        "7",
        f.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rules: Vec<String> = run
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["rule"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(rules, ["Harrier Baseline Drift: Process"]);
    let run = dir.run(&[
        "replay",
        "--baselines",
        "x",
        "--learn",
        "soon",
        f.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--learn `soon`"), "{}", run.stderr);
}
