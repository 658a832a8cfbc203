//! `harrier response validate`, and `--response` on `harrier replay` and `harrier audit`: the
//! audit trail of a dry run, a real kill, and a label through the stand-in API server.

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use harrier_core::testing::corpus_path;
use harrier_k8s::cluster::fixture::FixtureServer;
use serde_json::{Value, json};

use crate::util::Dir;

const RULES: &str = r#"- rule: Sleep in container
  desc: a test rule
  condition: evt.type = execve and proc.name = sleep
  output: "sleep ran (pid=%proc.pid pod=%k8s.pod.name)"
  priority: WARNING
  tags: [test]
"#;

/// A `sleep` child, killed and reaped when dropped.
struct Sleeper(Child);

impl Drop for Sleeper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn sleeper() -> (Sleeper, u32, i64) {
    let child = Command::new("sleep").arg("60").spawn().unwrap();
    let pid = child.id();
    let start = harrier_response::kill::start_time_ns(pid).unwrap();
    (Sleeper(child), pid, start)
}

/// A recorded exec of `sleep` (Harrier JSON), in pod `ns/pod`, `seconds` after a fixed time.
fn event(pid: u32, start_ns: i64, ns: &str, pod: &str, seconds: i64) -> String {
    json!({"source": "syscall", "time_ns": 1_767_225_600_000_000_000_i64 + seconds * 1_000_000_000,
        "type": "execve", "res": 0,
        "process": {"pid": pid, "name": "sleep", "exepath": "/usr/bin/sleep", "args": ["60"], "start_ns": start_ns, "uid": 0},
        "container": {"id": "3ad7b2c1f0e9", "name": "web", "image_repository": "nginx"},
        "k8s": {"namespace": ns, "pod_name": pod}, "hostname": "node-1"})
    .to_string()
}

/// Trail lines with the decision time removed.
fn trail(dir: &Dir) -> Vec<Value> {
    std::fs::read_to_string(dir.path().join("trail.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            assert!(
                v["time"]
                    .as_str()
                    .unwrap()
                    .parse::<jiff::Timestamp>()
                    .is_ok()
            );
            v.as_object_mut().unwrap().remove("time");
            v
        })
        .collect()
}

fn alive(s: &mut Sleeper) -> bool {
    matches!(s.0.try_wait(), Ok(None))
}

#[test]
fn validate_summarises_or_points_at_the_problem() {
    let dir = Dir::new();
    dir.write(
        "policy.yaml",
        "responses:\n  - name: contain\n    match: {rules: [\"Terminal shell*\"], min_priority: notice}\n    actions: [kill, quarantine]\n",
    );
    let run = dir.run(&["response", "validate", "policy.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "policy.yaml: 1 responses; dry_run: false; at most 10 actions a minute; a pod is acted on at most once in 300s\n  contain (policy.yaml:2:5): kill, quarantine\nnever touched: namespaces kube-node-lease, kube-public, kube-system; processes outside containers are never killed\n"
    );
    dir.write(
        "bad.yaml",
        "responses:\n  - name: contain\n    match: {rules: [x]}\n    actions:\n      - kill: {signal: SIGNOPE}\n",
    );
    let run = dir.run(&["response", "validate", "bad.yaml"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("bad.yaml:5:24: unknown signal `SIGNOPE`"),
        "{}",
        run.stderr
    );
    let run = dir.run(&["response", "validate", "missing.yaml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot read missing.yaml"),
        "{}",
        run.stderr
    );
}

#[test]
fn replay_dry_run_writes_the_trail() {
    let dir = Dir::new();
    let (mut child, pid, start) = sleeper();
    dir.write("rules.yaml", RULES);
    dir.write(
        "policy.yaml",
        "limits: {max_actions_per_minute: 20, pod_cooldown_seconds: 60}\nresponses:\n  - name: contain\n    match: {rules: [\"Sleep *\"], tags: [test]}\n    actions: [kill, {label: {key: example.com/suspect, value: sleep}}, quarantine, {delete_pod: {grace_period_seconds: 0}}, scale_to_zero]\n",
    );
    dir.write(
        "events.jsonl",
        &[
            event(pid, start, "shop", "web-1", 0),
            // The same pod within the cool-down, and a pod of kube-system.
            event(pid, start, "shop", "web-1", 10),
            event(pid, start, "kube-system", "coredns-1", 20),
        ]
        .join("\n"),
    );
    let run = dir.run(&[
        "replay",
        "--no-builtin-profiles",
        "--rules",
        "rules.yaml",
        "--response",
        "policy.yaml",
        "--dry-run",
        "--response-log",
        "trail.jsonl",
        "events.jsonl",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 3, "{}", run.stdout);
    assert!(
        run.stderr.contains(
            "response: 15 actions decided (dry run): 5 would be done, 10 refused, 0 failed"
        ),
        "{}",
        run.stderr
    );
    let target = |ns: &str, pod: &str| json!({"namespace": ns, "pod": pod, "pid": pid, "process": "sleep", "container_id": "3ad7b2c1f0e9"});
    let line = |seconds: &str, target: &Value, action: &str, outcome: &str, message: &str| {
        json!({"response": "contain", "rule": "Sleep in container",
            "alert_time": format!("2026-01-01T00:00:{seconds}.000000000Z"), "target": target,
            "action": action, "dry_run": true, "outcome": outcome, "message": message})
    };
    let web = target("shop", "web-1");
    let dns = target("kube-system", "coredns-1");
    let cooling = "acted on 10s ago; cool-down is 60s";
    let excluded = "namespace `kube-system` is excluded";
    let expected = vec![
        line(
            "00",
            &web,
            "kill",
            "ok",
            &format!("would send SIGKILL to pid {pid} (sleep)"),
        ),
        line(
            "00",
            &web,
            "label",
            "ok",
            "would label pod shop/web-1 with example.com/suspect=sleep",
        ),
        line(
            "00",
            &web,
            "quarantine",
            "ok",
            "would label pod shop/web-1 with harrier.io/quarantine=true and apply NetworkPolicy shop/harrier-quarantine denying all its traffic",
        ),
        line(
            "00",
            &web,
            "delete_pod",
            "ok",
            "would delete pod shop/web-1 with a grace period of 0s",
        ),
        line(
            "00",
            &web,
            "scale_to_zero",
            "ok",
            "would scale the owner of pod shop/web-1 to zero replicas",
        ),
        line("10", &web, "kill", "refused", cooling),
        line("10", &web, "label", "refused", cooling),
        line("10", &web, "quarantine", "refused", cooling),
        line("10", &web, "delete_pod", "refused", cooling),
        line("10", &web, "scale_to_zero", "refused", cooling),
        line("20", &dns, "kill", "refused", excluded),
        line("20", &dns, "label", "refused", excluded),
        line("20", &dns, "quarantine", "refused", excluded),
        line("20", &dns, "delete_pod", "refused", excluded),
        line("20", &dns, "scale_to_zero", "refused", excluded),
    ];
    assert_eq!(trail(&dir), expected);
    std::thread::sleep(Duration::from_millis(100));
    assert!(alive(&mut child));
}

#[test]
fn replay_kills_the_recorded_process() {
    let dir = Dir::new();
    let (mut child, pid, start) = sleeper();
    dir.write("rules.yaml", RULES);
    dir.write(
        "policy.yaml",
        "responses:\n  - name: stop\n    match: {min_priority: warning}\n    actions: [kill]\n",
    );
    dir.write("events.jsonl", &event(pid, start, "shop", "web-1", 0));
    let run = dir.run(&[
        "replay",
        "--no-builtin-profiles",
        "--rules",
        "rules.yaml",
        "--response",
        "policy.yaml",
        "--response-log",
        "trail.jsonl",
        "events.jsonl",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines = trail(&dir);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["outcome"], "ok");
    assert_eq!(lines[0]["dry_run"], false);
    assert_eq!(
        lines[0]["message"],
        format!("sent SIGKILL to pid {pid} (sleep)")
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while alive(&mut child) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(!alive(&mut child));
}

#[test]
fn audit_labels_the_pod_exec_was_run_in() {
    let Some(trace) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "audit-logs/falco-k8s-audit-traces/test/trace_files/k8s_audit/exec_pod.json",
    ) else {
        return;
    };
    let pod = "nginx-deployment-7998647bdf-phvq7";
    let server = FixtureServer::start([json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": pod, "namespace": "default", "labels": {"app": "nginx"}},
        "spec": {"containers": [{"name": "nginx1", "image": "nginx"}]}})])
    .unwrap();
    let dir = Dir::new();
    dir.write("kubeconfig", &server.kubeconfig("shop"));
    dir.write(
        "policy.yaml",
        "responses:\n  - name: mark-exec\n    match: {rules: [\"Harrier Exec into Pod\"], sources: [k8s_audit]}\n    actions: [{label: {key: harrier.io/exec, value: seen}}]\n",
    );
    let run = dir.run(&[
        "audit",
        "--response",
        "policy.yaml",
        "--kubeconfig",
        "kubeconfig",
        "--response-log",
        "trail.jsonl",
        trace.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines = trail(&dir);
    assert_eq!(
        lines,
        [
            json!({"response": "mark-exec", "rule": "Harrier Exec into Pod",
            "alert_time": "2018-10-26T13:38:34.902914000Z",
            "target": {"namespace": "default", "pod": pod}, "action": "label", "dry_run": false,
            "outcome": "ok", "message": format!("labelled pod default/{pod} with harrier.io/exec=seen")})
        ]
    );
    let patches: Vec<String> = server
        .exchanges()
        .into_iter()
        .map(|(line, _)| line)
        .collect();
    assert_eq!(
        patches,
        [format!(
            "PATCH /api/v1/namespaces/default/pods/{pod}?&fieldManager=harrier-response HTTP/1.1"
        )]
    );
    let stored = server.object("Pod", Some("default"), pod).unwrap();
    assert_eq!(stored["metadata"]["labels"]["harrier.io/exec"], "seen");
}
