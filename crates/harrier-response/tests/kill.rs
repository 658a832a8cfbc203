//! Kills for real: a `sleep` child, alerts naming it, and the safety rules around them.

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use harrier_response::{ActionKind, Outcome, Policy, ProcessRef, Responder, kill};
use harrier_runtime::Alert;
use harrier_runtime::rules::Priority;
use serde_json::json;

const ALLOW_HOST: &str = "exclude: {allow_host_processes: true}\nresponses:\n- name: kill-it\n  match: {rules: [\"Test *\"]}\n  actions: [kill]\n";

/// A `sleep` child, killed and reaped when dropped whatever the test did.
struct Sleeper(Child);

impl Sleeper {
    fn id(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Sleeper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn sleeper() -> Sleeper {
    match Command::new("sleep").arg("60").spawn() {
        Ok(child) => Sleeper(child),
        Err(e) => panic!("cannot run sleep: {e}"),
    }
}

fn alert(pid: u32, container: &str, namespace: Option<&str>) -> Alert {
    Alert {
        rule: "Test shell".into(),
        priority: Priority::Warning,
        output: String::new(),
        time: jiff::Timestamp::now().to_string(),
        source: "syscall",
        tags: vec![],
        hostname: "node".into(),
        output_fields: json!({"proc.pid": pid, "proc.name": "sleep", "container.id": container,
            "k8s.ns.name": namespace, "k8s.pod.name": namespace.map(|_| "pod-1")})
        .as_object()
        .cloned()
        .unwrap_or_default(),
    }
}

fn policy(text: &str) -> Policy {
    match Policy::parse("policy.yaml", text) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    }
}

fn start(pid: u32) -> i64 {
    match kill::start_time_ns(pid) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

/// Waits for the child to end; `Some(signal)` if it was killed by one.
fn ended_by(child: &mut Sleeper) -> Option<i32> {
    let child = &mut child.0;
    use std::os::unix::process::ExitStatusExt;
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return status.signal();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}

fn alive(child: &mut Sleeper) -> bool {
    matches!(child.0.try_wait(), Ok(None))
}

#[test]
fn kills_the_process_the_alert_names() -> Result<(), Box<dyn std::error::Error>> {
    let mut child = sleeper();
    let pid = child.id();
    let process = ProcessRef {
        pid,
        start_ns: start(pid),
    };
    let mut responder = Responder::new(policy(ALLOW_HOST));
    let records = responder.respond(&alert(pid, "host", None), Some(process))?;
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(
        (r.action, r.outcome, r.dry_run, r.message.as_str()),
        (
            ActionKind::Kill,
            Outcome::Ok,
            false,
            format!("sent SIGKILL to pid {pid} (sleep)").as_str()
        )
    );
    assert_eq!(ended_by(&mut child), Some(9));
    Ok(())
}

#[test]
fn configured_signal_is_sent() -> Result<(), Box<dyn std::error::Error>> {
    let mut child = sleeper();
    let pid = child.id();
    let text = ALLOW_HOST.replace("actions: [kill]", "actions: [{kill: {signal: SIGTERM}}]");
    let mut responder = Responder::new(policy(&text));
    let process = ProcessRef {
        pid,
        start_ns: start(pid),
    };
    let records = responder.respond(&alert(pid, "host", None), Some(process))?;
    assert_eq!(records[0].outcome, Outcome::Ok, "{}", records[0].message);
    assert_eq!(ended_by(&mut child), Some(15));
    Ok(())
}

#[test]
fn start_time_from_proc_duration() -> Result<(), Box<dyn std::error::Error>> {
    // Without the event, the start comes from the alert's time less `proc.duration`.
    let mut child = sleeper();
    let pid = child.id();
    let mut a = alert(pid, "host", None);
    let now = jiff::Timestamp::now();
    a.time = now.to_string();
    let duration = i64::try_from(now.as_nanosecond())? - start(pid);
    a.output_fields
        .insert("proc.duration".into(), json!(duration));
    let records = Responder::new(policy(ALLOW_HOST)).on_alert(&a)?;
    assert_eq!(records[0].outcome, Outcome::Ok, "{}", records[0].message);
    assert_eq!(ended_by(&mut child), Some(9));
    Ok(())
}

#[test]
fn reused_pid_is_refused() -> Result<(), Box<dyn std::error::Error>> {
    let mut child = sleeper();
    let pid = child.id();
    // The alert saw a process that started a second earlier: another one holds the pid now.
    let process = ProcessRef {
        pid,
        start_ns: start(pid) - 1_000_000_000,
    };
    let records =
        Responder::new(policy(ALLOW_HOST)).respond(&alert(pid, "host", None), Some(process))?;
    assert_eq!(records[0].outcome, Outcome::Refused);
    assert!(
        records[0]
            .message
            .contains("now belongs to another process"),
        "{}",
        records[0].message
    );
    std::thread::sleep(Duration::from_millis(100));
    assert!(alive(&mut child));
    Ok(())
}

#[test]
fn unknown_start_time_is_refused() -> Result<(), Box<dyn std::error::Error>> {
    let mut child = sleeper();
    let pid = child.id();
    let records = Responder::new(policy(ALLOW_HOST)).on_alert(&alert(pid, "host", None))?;
    assert_eq!(records[0].outcome, Outcome::Refused);
    assert!(
        records[0].message.contains("start time"),
        "{}",
        records[0].message
    );
    assert!(alive(&mut child));
    Ok(())
}

#[test]
fn dry_run_leaves_it_alive() -> Result<(), Box<dyn std::error::Error>> {
    let mut child = sleeper();
    let pid = child.id();
    let process = ProcessRef {
        pid,
        start_ns: start(pid),
    };
    for mut responder in [
        Responder::new(policy(ALLOW_HOST)).with_dry_run(true),
        Responder::new(policy(&format!("dry_run: true\n{ALLOW_HOST}"))).with_dry_run(false),
    ] {
        assert!(responder.is_dry_run());
        let records = responder.respond(&alert(pid, "host", None), Some(process))?;
        assert_eq!(
            (
                records[0].outcome,
                records[0].dry_run,
                records[0].message.as_str()
            ),
            (
                Outcome::Ok,
                true,
                format!("would send SIGKILL to pid {pid} (sleep)").as_str()
            )
        );
    }
    std::thread::sleep(Duration::from_millis(100));
    assert!(alive(&mut child));
    Ok(())
}

#[test]
fn exclusions_leave_it_alive() -> Result<(), Box<dyn std::error::Error>> {
    let mut child = sleeper();
    let pid = child.id();
    let process = ProcessRef {
        pid,
        start_ns: start(pid),
    };
    let host_not_allowed =
        ALLOW_HOST.replace("allow_host_processes: true", "allow_host_processes: false");
    let cases = [
        (
            host_not_allowed.as_str(),
            alert(pid, "host", None),
            "runs on the node",
        ),
        (
            ALLOW_HOST,
            alert(pid, "0123456789ab", Some("kube-system")),
            "namespace `kube-system` is excluded",
        ),
    ];
    for (text, a, why) in cases {
        let records = Responder::new(policy(text)).respond(&a, Some(process))?;
        assert_eq!(records[0].outcome, Outcome::Refused);
        assert!(records[0].message.contains(why), "{}", records[0].message);
    }
    // pid 1 and the responder's own process, whatever the policy says.
    for pid in [1, std::process::id()] {
        let process = ProcessRef {
            pid,
            start_ns: start(pid),
        };
        let records =
            Responder::new(policy(ALLOW_HOST)).respond(&alert(pid, "host", None), Some(process))?;
        assert_eq!(
            records[0].outcome,
            Outcome::Refused,
            "{}",
            records[0].message
        );
    }
    // Alerts no response selects do nothing at all.
    let mut other = alert(pid, "host", None);
    other.rule = "Something else".into();
    assert!(
        Responder::new(policy(ALLOW_HOST))
            .respond(&other, Some(process))?
            .is_empty()
    );
    std::thread::sleep(Duration::from_millis(100));
    assert!(alive(&mut child));
    Ok(())
}

#[test]
fn rate_limits_and_cooldown() -> Result<(), Box<dyn std::error::Error>> {
    let text = "dry_run: true\nlimits: {max_actions_per_minute: 2, pod_cooldown_seconds: 30}\nresponses:\n- name: label\n  match: {rules: [\"Test *\"]}\n  actions: [label]\n";
    let mut responder = Responder::new(policy(text));
    let at = |pod: &str, seconds: i64| {
        let mut a = alert(0, "0123456789ab", Some("web"));
        a.output_fields.insert("k8s.pod.name".into(), json!(pod));
        a.time = format!("2026-01-01T00:00:{seconds:02}Z");
        a
    };
    let outcome = |r: Vec<harrier_response::ActionRecord>| (r[0].outcome, r[0].message.clone());
    assert_eq!(outcome(responder.on_alert(&at("a", 0))?).0, Outcome::Ok);
    // The same pod again within the cool-down.
    let (o, m) = outcome(responder.on_alert(&at("a", 10))?);
    assert_eq!(
        (o, m.as_str()),
        (Outcome::Refused, "acted on 10s ago; cool-down is 30s")
    );
    assert_eq!(outcome(responder.on_alert(&at("b", 11))?).0, Outcome::Ok);
    // A third action within the minute.
    let (o, m) = outcome(responder.on_alert(&at("c", 12))?);
    assert_eq!(
        (o, m.as_str()),
        (
            Outcome::Refused,
            "rate limit: 2 actions in the last minute already"
        )
    );
    // After the cool-down, the first pod again (the minute has not passed: still limited).
    assert_eq!(
        outcome(responder.on_alert(&at("a", 45))?).0,
        Outcome::Refused
    );
    Ok(())
}

#[test]
fn exited_process_is_refused_not_failed() -> Result<(), Box<dyn std::error::Error>> {
    let mut child = Command::new("true").spawn()?;
    let pid = child.id();
    child.wait()?;
    let process = ProcessRef {
        pid,
        start_ns: 1_700_000_000_000_000_000,
    };
    let records =
        Responder::new(policy(ALLOW_HOST)).respond(&alert(pid, "host", None), Some(process))?;
    assert_eq!(
        (records[0].outcome, records[0].message.as_str()),
        (
            Outcome::Refused,
            format!("process {pid} no longer exists").as_str()
        )
    );
    Ok(())
}
