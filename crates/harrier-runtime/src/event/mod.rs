//! The events the engine evaluates: syscall-level activity of a process ([`SyscallEvent`]) and
//! Kubernetes API audit events ([`AuditEvent`]).
//!
//! Everything a sensor or a log may not know is an `Option`: `None` means *missing*, serialised
//! as JSON `null`, and rendered in alert output as [`MISSING`]. Falco prints `<NA>` for the same
//! thing, which readers confuse with a value; Harrier never does.
//!
//! Harrier's own encoding of an event is one JSON object per line ([`Event`] with serde, tagged
//! by `source`), documented in `docs/runtime-events.md`. Decoders for other formats (Falco's
//! JSON output, Tetragon's export, audit logs and their cloud envelopes) live in [`crate::decode`]
//! and [`audit`]; they all produce these types.

pub mod audit;
pub(crate) mod signal;
mod syscall;

use serde::{Deserialize, Serialize};

pub use audit::AuditEvent;
pub use signal::{Evidence, RESOURCE_SIGNAL, ResourceSignal};
pub use syscall::{
    Ancestor, Container, ContainerMount, EventType, Fd, FdKind, K8sContext, OpenFlags, Process,
    SyscallEvent,
};

/// How missing values are shown in alert output, where Falco shows `<NA>`.
pub const MISSING: &str = "<missing>";

/// The source of an event, as Falco names it (`source:` of a rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// System calls of processes on a node.
    Syscall,
    /// Kubernetes API server audit events.
    K8sAudit,
}

impl Source {
    /// The name used in rule files (`syscall`, `k8s_audit`).
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Syscall => "syscall",
            Source::K8sAudit => "k8s_audit",
        }
    }

    /// The source a rule file names, if Harrier has it. The k8saudit plugin family (`-eks`,
    /// `-gke`, `-aks`...) and `aws_cloudtrail` differ: only the audit ones map here.
    pub fn from_rule_name(name: &str) -> Option<Source> {
        match name {
            "syscall" => Some(Source::Syscall),
            "k8s_audit" => Some(Source::K8sAudit),
            _ => None,
        }
    }
}

/// One event, of either source: Harrier's JSON-lines record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Event {
    /// A system call.
    Syscall(Box<SyscallEvent>),
    /// A Kubernetes audit event.
    K8sAudit(Box<AuditEvent>),
}

impl Event {
    /// The event's source.
    pub fn source(&self) -> Source {
        match self {
            Event::Syscall(_) => Source::Syscall,
            Event::K8sAudit(_) => Source::K8sAudit,
        }
    }

    /// Time of the event in nanoseconds since the Unix epoch, when known.
    pub fn time_ns(&self) -> Option<i64> {
        match self {
            Event::Syscall(e) => Some(e.time_ns),
            Event::K8sAudit(e) => e.time_ns(),
        }
    }
}

/// Formats nanoseconds since the epoch as RFC 3339 with nanoseconds, as Falco's `time`.
pub fn format_time(ns: i64) -> String {
    match jiff::Timestamp::from_nanosecond(i128::from(ns)) {
        Ok(ts) => format!("{ts:.9}"),
        Err(_) => MISSING.to_string(),
    }
}

/// Parses an RFC 3339 time into nanoseconds since the epoch.
pub fn parse_time(text: &str) -> Option<i64> {
    let ts: jiff::Timestamp = text.parse().ok()?;
    i64::try_from(ts.as_nanosecond()).ok()
}
