//! `harrier rules validate`, `harrier audit` and `harrier replay` over the upstream Falco rules
//! and recorded events: statuses with reasons, Falcosidekick-shaped alerts, errors with
//! file and line, the webhook.

use std::path::PathBuf;
use std::time::Duration;

use harrier_core::testing::corpus_path;
use serde_json::Value;

use crate::util::Dir;
use crate::watch::webhook_receiver;

fn corpus(rel: &str) -> Option<PathBuf> {
    corpus_path(env!("CARGO_MANIFEST_DIR"), rel)
}

fn s(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn validate_reports_every_rule_with_its_status() {
    let Some(stable) = corpus("runtime-rules/falco-rules/rules/falco_rules.yaml") else {
        return;
    };
    let Some(sandbox) = corpus("runtime-rules/falco-rules/rules/falco-sandbox_rules.yaml") else {
        return;
    };
    let dir = Dir::new();
    let run = dir.run(&[
        "rules",
        "validate",
        "--format",
        "json",
        s(&stable),
        s(&sandbox),
    ]);
    // The sandbox's Java class download rule needs `evt.buffer`: disabled, so status 1.
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    let rules = report["rules"].as_array().unwrap();
    assert!(rules.len() > 50);
    for r in rules {
        assert!(r["name"].is_string() && r["file"].is_string() && r["line"].is_u64());
    }
    let disabled: Vec<&Value> = rules.iter().filter(|r| r["status"] == "disabled").collect();
    assert_eq!(disabled.len(), 1, "{disabled:?}");
    assert_eq!(disabled[0]["name"], "Java Process Class File Download");
    assert!(
        disabled[0]["reason"]
            .as_str()
            .unwrap()
            .contains("evt.buffer")
    );
    assert!(rules.iter().any(|r| r["status"] == "not_enabled"));

    let run = dir.run(&["rules", "validate", s(&stable)]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("rule \"Terminal shell in container\": loaded")
    );
}

#[test]
fn validate_names_file_line_rule_and_reason() {
    let dir = Dir::new();
    let file = dir.write(
        "rules.yaml",
        "- macro: m\n  condition: proc.name = sh\n\n- rule: Uses a bogus field\n  desc: x\n  condition: m and proc.bogus = 1\n  output: o\n  priority: WARNING\n\n- rule: Good\n  desc: x\n  condition: m and evt.type = execve\n  output: \"%proc.name\"\n  priority: NOTICE\n",
    );
    let run = dir.run(&["rules", "validate", s(&file)]);
    assert_eq!(run.code, 1);
    let want = format!(
        "{}:4: rule \"Uses a bogus field\": field `proc.bogus` is not one Harrier provides for syscall events",
        file.display()
    );
    assert!(run.stdout.contains(&want), "{}", run.stdout);
    assert!(run.stdout.contains("rule \"Good\": loaded"));
}

#[test]
fn audit_runs_k8saudit_rules_and_names_bad_lines() {
    let Some(rules) =
        corpus("runtime-rules/falco-k8saudit-rules/plugins/k8saudit/rules/k8s_audit_rules.yaml")
    else {
        return;
    };
    let Some(traces) = corpus("audit-logs/falco-k8s-audit-traces/test/trace_files/k8s_audit")
    else {
        return;
    };
    let dir = Dir::new();
    let exec = traces.join("exec_pod.json");
    let run = dir.run(&[
        "audit",
        "--no-builtin-rules",
        "--rules",
        s(&rules),
        "--hostname",
        "h1",
        s(&exec),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let alerts: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(alerts.len(), 1, "{}", run.stdout);
    let a = &alerts[0];
    assert_eq!(a["rule"], "Attach/Exec Pod");
    assert_eq!(a["priority"], "Notice");
    assert_eq!(a["source"], "k8s_audit");
    assert_eq!(a["hostname"], "h1");
    assert_eq!(a["time"], "2018-10-26T13:38:34.902914000Z");
    assert_eq!(a["output_fields"]["ka.uri.param[command]"], "bash");
    assert!(
        a["output"]
            .as_str()
            .unwrap()
            .contains("Notice Attach/Exec to pod")
    );
    assert!(a["tags"].is_array());

    let bad = traces.join("fal_01_003.json");
    let run = dir.run(&[
        "audit",
        "--no-builtin-rules",
        "--rules",
        s(&rules),
        s(&bad),
        s(&exec),
    ]);
    assert_eq!(run.code, 2);
    let want = format!(
        "{}:1:1: data not recognized as a k8s audit event",
        bad.display()
    );
    assert!(run.stderr.contains(&want), "{}", run.stderr);
    // The good file after the bad one is still read.
    assert_eq!(run.stdout.lines().count(), 1);
}

#[test]
fn replay_evaluates_recorded_events_and_posts_to_a_webhook() {
    let Some(stable) = corpus("runtime-rules/falco-rules/rules/falco_rules.yaml") else {
        return;
    };
    let dir = Dir::new();
    // A shell with a terminal in a container (Harrier JSON), the same from Falco's output,
    // and a Tetragon exec of `ls` (no alert).
    let events = dir.write(
        "events.jsonl",
        concat!(
            r#"{"source":"syscall","time_ns":1700000000000000000,"type":"execve","res":0,"process":{"pid":10,"name":"bash","exepath":"/bin/bash","args":["-i"],"tty":34816,"uid":0,"user":"root","ancestors":[{"name":"runc"}]},"container":{"id":"3ad7b2c1f0e9","name":"web","image_repository":"nginx"},"k8s":{"namespace":"shop","pod_name":"web-1"},"hostname":"node-1"}"#,
            "\n",
            r#"{"hostname":"n2","output":"x","priority":"Notice","rule":"Terminal shell in container","source":"syscall","tags":[],"time":"2024-05-01T10:00:00Z","output_fields":{"container.id":"3ad7b2c1f0e9","evt.type":"execve","proc.cmdline":"sh","proc.name":"sh","proc.pname":"containerd-shim","proc.tty":1,"user.name":"root"}}"#,
            "\n",
            r#"{"process_exec":{"process":{"pid":5,"uid":0,"binary":"/bin/ls","arguments":"-l","pod":{"namespace":"a","name":"b","container":{"id":"containerd://0123456789abcdef","name":"c","image":{"name":"busybox:1"}}}},"parent":{"pid":4,"binary":"/bin/sh"}},"time":"2024-01-01T00:00:01Z"}"#,
            "\n",
        ),
    );
    let (url, bodies) = webhook_receiver();
    // Falco's rules only: the built-in terminal-shell profile would see the first shell too.
    let run = dir.run(&[
        "replay",
        "--no-builtin-profiles",
        "--rules",
        s(&stable),
        "--webhook",
        &url,
        s(&events),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let alerts: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let names: Vec<&str> = alerts.iter().map(|a| a["rule"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["Terminal shell in container", "Terminal shell in container"],
        "{}",
        run.stdout
    );
    let first = &alerts[0];
    assert_eq!(first["hostname"], "node-1");
    assert_eq!(first["output_fields"]["k8s.ns.name"], "shop");
    assert_eq!(first["output_fields"]["k8s.pod.name"], "web-1");
    assert_eq!(first["output_fields"]["container.id"], "3ad7b2c1f0e9");
    assert_eq!(first["output_fields"]["proc.cmdline"], "bash -i");
    // Missing values: null in output_fields, `<missing>` in the text, never `<NA>`.
    assert_eq!(first["output_fields"]["user.loginuid"], Value::Null);
    assert!(
        first["output"]
            .as_str()
            .unwrap()
            .contains("user_loginuid=<missing>")
    );
    assert!(!run.stdout.contains("<NA>"));
    let posted: Value = serde_json::from_str(
        &bodies
            .recv_timeout(Duration::from_secs(10))
            .expect("an alert on the webhook"),
    )
    .unwrap();
    assert_eq!(posted["rule"], "Terminal shell in container");
    assert_eq!(posted["output_fields"]["container.id"], "3ad7b2c1f0e9");
}

#[test]
fn replay_refuses_a_clear_text_webhook_off_loopback() {
    let dir = Dir::new();
    let rules = dir.write(
        "r.yaml",
        "- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: INFO\n",
    );
    let events = dir.write("e.jsonl", "");
    let run = dir.run(&[
        "replay",
        "-r",
        s(&rules),
        "--webhook",
        "http://example.com/x",
        s(&events),
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("https"), "{}", run.stderr);
}
