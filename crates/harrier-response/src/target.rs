//! What an alert is about, as far as acting on it goes: the process (pid and start time), its
//! container, and its pod.
//!
//! Syscall alerts carry these in the context fields the engine adds to every alert
//! (`proc.pid`, `container.id`, `k8s.ns.name`, `k8s.pod.name`); audit alerts name the pod a
//! request concerned (`ka.target.*`, for `pods` and their subresources such as `exec`). The
//! start time is what guards a kill against pid reuse: it comes from the caller, who had the
//! event ([`ProcessRef`]), or from `proc.duration` when the rule's output carries it.

use harrier_runtime::Alert;
use serde::Serialize;

/// A process as it was when an event was seen: its pid in the node's pid namespace and when it
/// started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessRef {
    /// Process id in the node's (the sensor's) pid namespace.
    pub pid: u32,
    /// Start time, nanoseconds since the Unix epoch.
    pub start_ns: i64,
}

impl ProcessRef {
    /// The process that holds `pid` now, read from `/proc/<pid>/stat`. For event sources that
    /// do not record start times: call it when the event is seen, not when acting, or it
    /// guards nothing.
    pub fn current(pid: u32) -> Option<ProcessRef> {
        Some(ProcessRef {
            pid,
            start_ns: crate::kill::start_time_ns(pid).ok()?,
        })
    }

    /// The process of a recorded event, when the event names its pid and start time.
    pub fn from_event(event: &harrier_runtime::event::Event) -> Option<ProcessRef> {
        let harrier_runtime::event::Event::Syscall(e) = event else {
            return None;
        };
        Some(ProcessRef {
            pid: u32::try_from(e.process.pid?).ok()?,
            start_ns: e.process.start_ns?,
        })
    }
}

/// The things an alert concerns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Target {
    /// The pod's namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The pod's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod: Option<String>,
    /// The process id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// The process's command name (never its command line, which may hold secrets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<String>,
    /// The container id (`host` for a process on the node).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_id: Option<String>,
    /// The process's start time, nanoseconds since the epoch.
    #[serde(skip)]
    pub start_ns: Option<i64>,
}

impl Target {
    /// The target of `alert`; `process` (from the event) wins over what the alert's fields say.
    pub fn of(alert: &Alert, process: Option<ProcessRef>) -> Target {
        let f = &alert.output_fields;
        let text = |key: &str| {
            f.get(key)
                .and_then(serde_json::Value::as_str)
                .filter(|s| !s.is_empty() && *s != "<NA>")
                .map(str::to_owned)
        };
        let int = |key: &str| f.get(key).and_then(serde_json::Value::as_i64);
        if alert.source == "k8s_audit" {
            let is_pod = text("ka.target.resource").as_deref() == Some("pods");
            return Target {
                namespace: text("ka.target.namespace").filter(|_| is_pod),
                pod: text("ka.target.name").filter(|_| is_pod),
                ..Target::default()
            };
        }
        let pid = process
            .map(|p| p.pid)
            .or_else(|| int("proc.pid").and_then(|p| u32::try_from(p).ok()));
        let start_ns = match process {
            Some(p) => Some(p.start_ns),
            None => int("proc.duration").and_then(|d| {
                let time = alert.time.parse::<jiff::Timestamp>().ok()?;
                i64::try_from(time.as_nanosecond()).ok()?.checked_sub(d)
            }),
        };
        Target {
            namespace: text("k8s.ns.name"),
            pod: text("k8s.pod.name"),
            pid,
            process: text("proc.name"),
            container_id: text("container.id"),
            start_ns,
        }
    }

    /// The pod, when both its namespace and name are known.
    pub fn pod(&self) -> Option<(&str, &str)> {
        Some((self.namespace.as_deref()?, self.pod.as_deref()?))
    }

    /// Whether the process runs on the node itself rather than in a container (unknown
    /// counts as the node: the safe side).
    pub fn is_host_process(&self) -> bool {
        self.container_id.as_deref().is_none_or(|c| c == "host")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use harrier_runtime::rules::Priority;
    use serde_json::json;

    fn alert(source: &'static str, fields: serde_json::Value) -> Alert {
        Alert {
            rule: "r".into(),
            priority: Priority::Warning,
            output: String::new(),
            time: "2026-01-02T03:04:05.000000010Z".into(),
            source,
            tags: vec![],
            hostname: "node".into(),
            output_fields: fields.as_object().cloned().unwrap_or_default(),
        }
    }

    #[test]
    fn syscall_alert() {
        let t = Target::of(
            &alert(
                "syscall",
                json!({"proc.pid": 42, "proc.name": "sh", "container.id": "abc", "k8s.ns.name": "web", "k8s.pod.name": "api-1", "proc.duration": 10}),
            ),
            None,
        );
        assert_eq!(t.pod(), Some(("web", "api-1")));
        assert_eq!(t.pid, Some(42));
        assert_eq!(t.start_ns, Some(1_767_323_045_000_000_000));
        assert!(!t.is_host_process());
        let t = Target::of(
            &alert("syscall", json!({"proc.pid": 42, "container.id": null})),
            Some(ProcessRef {
                pid: 7,
                start_ns: 5,
            }),
        );
        assert_eq!((t.pid, t.start_ns, t.pod()), (Some(7), Some(5), None));
        assert!(t.is_host_process());
    }

    #[test]
    fn audit_alert_names_pods_only() {
        let t = Target::of(
            &alert(
                "k8s_audit",
                json!({"ka.target.resource": "pods", "ka.target.namespace": "web", "ka.target.name": "api-1"}),
            ),
            None,
        );
        assert_eq!(t.pod(), Some(("web", "api-1")));
        assert_eq!(t.pid, None);
        let t = Target::of(
            &alert(
                "k8s_audit",
                json!({"ka.target.resource": "secrets", "ka.target.namespace": "web", "ka.target.name": "token"}),
            ),
            None,
        );
        assert_eq!(t.pod(), None);
    }
}
