//! Harrier's response actions: what to do, automatically, when a runtime alert fires.
//!
//! A [`Policy`] (a YAML file reviewed like code) selects alerts by rule name or glob, tag,
//! minimum priority and source, and lists actions for them: kill the process through a pidfd
//! ([`kill`]), label the pod, quarantine it behind a deny-all NetworkPolicy, delete it, or
//! scale its owner to zero ([`cluster`], through kube-rs). A [`Responder`] applies the policy
//! to each alert and returns an [`ActionRecord`] per action decided, which it also appends to
//! an [`AuditTrail`].
//!
//! Nothing happens without a policy, and some things never happen whatever it says: pid 0 and
//! 1 and the sensor's own process are never signalled, `kube-system` is never touched, a
//! process whose start time differs from the alert's (its pid was reused) is never signalled,
//! and a process outside containers is killed only if the policy allows host processes.
//! Rate limits cap actions per minute and keep the same pod from being acted on twice within a
//! cool-down. In dry-run every action is decided, checked and recorded as what it would do, and
//! none is done.
//!
//! This crate is separate from `harrier-runtime` because it needs kube-rs, tokio and rustix,
//! which the rule engine, replay and benchmarks have no use for. It is synchronous: a
//! [`Responder`] runs its own single-threaded I/O runtime for API calls, so it can be called
//! from the sensor's thread (not from inside another tokio runtime).
//!
//! ```no_run
//! use harrier_response::{AuditTrail, Policy, Responder};
//! use harrier_runtime::Alert;
//!
//! fn respond(alerts: &[Alert]) -> Result<(), Box<dyn std::error::Error>> {
//!     let policy = Policy::load("response.yaml".as_ref())?;
//!     let mut responder = Responder::new(policy)
//!         .with_dry_run(true)
//!         .with_trail(AuditTrail::open("response.log".as_ref())?);
//!     for alert in alerts {
//!         for record in responder.on_alert(alert)? {
//!             println!("{}: {}", record.action, record.message);
//!         }
//!     }
//!     Ok(())
//! }
//! ```
#![warn(missing_docs)]

#[cfg(feature = "cluster")]
pub mod cluster;
pub mod kill;
pub mod policy;
mod record;
mod target;

use std::collections::{HashMap, VecDeque};

use harrier_core::Location;
use harrier_runtime::Alert;

pub use policy::{Action, ActionKind, Policy, Signal};
pub use record::{ActionRecord, AuditTrail, Outcome, TrailError};
pub use target::{ProcessRef, Target};

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A policy file could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A policy file is not valid.
    #[error("{location}: {message}")]
    Policy {
        /// Where.
        location: Location,
        /// What is wrong.
        message: String,
    },
    /// The audit trail could not be written.
    #[error(transparent)]
    Trail(#[from] TrailError),
    /// The cluster could not be reached or configured.
    #[error("cannot connect to the cluster for response actions: {message}")]
    Cluster {
        /// What went wrong.
        message: String,
    },
}

const MINUTE_NS: i64 = 60_000_000_000;

/// Applies a [`Policy`] to alerts.
pub struct Responder {
    policy: Policy,
    dry_run: bool,
    #[cfg(feature = "cluster")]
    cluster: Option<cluster::Cluster>,
    trail: Option<AuditTrail>,
    /// Times of the actions in the last minute.
    recent: VecDeque<i64>,
    /// When each pod (or host process) was last acted on.
    acted: HashMap<String, i64>,
    /// The sensor's own pid, never signalled.
    own_pid: u32,
}

impl std::fmt::Debug for Responder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Responder")
            .field("policy", &self.policy.file)
            .field("dry_run", &self.dry_run)
            .finish_non_exhaustive()
    }
}

impl Responder {
    /// A responder for `policy`, in dry-run if the policy says so, without cluster access (so
    /// Kubernetes actions fail unless in dry-run) and without a trail.
    pub fn new(policy: Policy) -> Responder {
        Responder {
            dry_run: policy.dry_run,
            policy,
            #[cfg(feature = "cluster")]
            cluster: None,
            trail: None,
            recent: VecDeque::new(),
            acted: HashMap::new(),
            own_pid: std::process::id(),
        }
    }

    /// Forces dry-run when `dry_run` is true (the policy's own `dry_run: true` cannot be lifted).
    #[must_use]
    pub fn with_dry_run(mut self, dry_run: bool) -> Responder {
        self.dry_run |= dry_run;
        self
    }

    /// Performs Kubernetes actions through `cluster`.
    #[cfg(feature = "cluster")]
    #[must_use]
    pub fn with_cluster(mut self, cluster: cluster::Cluster) -> Responder {
        self.cluster = Some(cluster);
        self
    }

    /// Appends every record to `trail`.
    #[must_use]
    pub fn with_trail(mut self, trail: AuditTrail) -> Responder {
        self.trail = Some(trail);
        self
    }

    /// Whether actions are only described.
    pub fn is_dry_run(&self) -> bool {
        self.dry_run
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Acts on `alert` as the policy says; the process is taken from the alert's fields.
    pub fn on_alert(&mut self, alert: &Alert) -> Result<Vec<ActionRecord>, Error> {
        self.respond(alert, None)
    }

    /// Acts on `alert`, whose process is `process` when the caller had the event (the start
    /// time guards kills against pid reuse; see [`kill`]). Returns a record per action decided,
    /// after appending them to the trail.
    pub fn respond(
        &mut self,
        alert: &Alert,
        process: Option<ProcessRef>,
    ) -> Result<Vec<ActionRecord>, Error> {
        let mut matched = self
            .policy
            .responses
            .iter()
            .filter(|r| r.selector.matches(alert))
            .peekable();
        if matched.peek().is_none() {
            return Ok(Vec::new());
        }
        let plan: Vec<(String, Action)> = matched
            .flat_map(|r| r.actions.iter().map(|a| (r.name.clone(), a.clone())))
            .collect();
        let target = Target::of(alert, process);
        let now = alert_time_ns(alert);
        let key = match (target.pod(), target.pid) {
            (Some((ns, pod)), _) => Some(format!("pod {ns}/{pod}")),
            (None, Some(pid)) => Some(format!("pid {pid}@{}", target.start_ns.unwrap_or(0))),
            (None, None) => None,
        };
        let cooldown_ns = i64::try_from(
            self.policy
                .limits
                .pod_cooldown_seconds
                .saturating_mul(1_000_000_000),
        )
        .unwrap_or(i64::MAX);
        let cooling = key
            .as_ref()
            .and_then(|k| self.acted.get(k))
            // Alerts may arrive slightly out of event-time order: an earlier one counts as now.
            .map(|last| now.saturating_sub(*last).max(0))
            .filter(|ago| *ago < cooldown_ns);
        let mut records = Vec::with_capacity(plan.len());
        let mut acted = false;
        for (response, action) in plan {
            let (outcome, message) = match self.refusal(&target, &action, cooling) {
                Some(why) => (Outcome::Refused, why),
                None => {
                    while self
                        .recent
                        .front()
                        .is_some_and(|t| now.saturating_sub(*t) >= MINUTE_NS)
                    {
                        self.recent.pop_front();
                    }
                    let max = usize::try_from(self.policy.limits.max_actions_per_minute)
                        .unwrap_or(usize::MAX);
                    if self.recent.len() >= max {
                        (
                            Outcome::Refused,
                            format!("rate limit: {max} actions in the last minute already"),
                        )
                    } else {
                        let (outcome, message) = self.perform(alert, &response, &target, &action);
                        if outcome != Outcome::Refused {
                            self.recent.push_back(now);
                            acted = true;
                        }
                        (outcome, message)
                    }
                }
            };
            log(self.dry_run, &action, outcome, &message);
            records.push(ActionRecord {
                time: jiff::Timestamp::now().to_string(),
                response,
                rule: alert.rule.clone(),
                alert_time: alert.time.clone(),
                target: target.clone(),
                action: action.kind(),
                dry_run: self.dry_run,
                outcome,
                message,
            });
        }
        if acted {
            if let Some(k) = key {
                if self.acted.len() > 1024 {
                    self.acted
                        .retain(|_, t| now.saturating_sub(*t) < cooldown_ns);
                }
                self.acted.insert(k, now);
            }
        }
        if let Some(trail) = &mut self.trail {
            trail.write(&records)?;
        }
        Ok(records)
    }

    /// Why `action` must not be attempted on `target`, if it must not.
    fn refusal(&self, target: &Target, action: &Action, cooling: Option<i64>) -> Option<String> {
        if let Some(ns) = target
            .namespace
            .as_deref()
            .filter(|ns| self.policy.exclude.namespaces.contains(*ns))
        {
            return Some(format!("namespace `{ns}` is excluded"));
        }
        if let Some(ago) = cooling {
            return Some(format!(
                "acted on {}s ago; cool-down is {}s",
                ago / 1_000_000_000,
                self.policy.limits.pod_cooldown_seconds
            ));
        }
        match action {
            Action::Kill { .. } => {
                let Some(pid) = target.pid else {
                    return Some("the alert names no process".to_owned());
                };
                if pid <= 1 {
                    return Some(format!("pid {pid} is never signalled"));
                }
                if pid == self.own_pid {
                    return Some("the sensor never signals itself".to_owned());
                }
                if target.start_ns.is_none() {
                    return Some(format!(
                        "the start time of pid {pid} is unknown, so pid reuse cannot be ruled out"
                    ));
                }
                if target.is_host_process() && !self.policy.exclude.allow_host_processes {
                    return Some(format!(
                        "pid {pid} runs on the node, outside containers (set `exclude.allow_host_processes: true` to allow)"
                    ));
                }
                None
            }
            _ if target.pod().is_none() => Some("the alert names no pod".to_owned()),
            _ => None,
        }
    }

    fn perform(
        &self,
        alert: &Alert,
        response: &str,
        target: &Target,
        action: &Action,
    ) -> (Outcome, String) {
        if let Action::Kill { signal } = action {
            return kill_target(target, *signal, self.dry_run);
        }
        let Some((ns, pod)) = target.pod() else {
            return (Outcome::Refused, "the alert names no pod".to_owned());
        };
        if self.dry_run {
            return (Outcome::Ok, format!("would {}", describe(action, ns, pod)));
        }
        #[cfg(feature = "cluster")]
        {
            let Some(cluster) = &self.cluster else {
                return (
                    Outcome::Error,
                    "no cluster access configured for Kubernetes actions".to_owned(),
                );
            };
            let context = cluster::Context {
                rule: &alert.rule,
                response,
            };
            match cluster.perform(action, ns, pod, &context) {
                Ok(message) => (Outcome::Ok, message),
                Err(message) => (Outcome::Error, message),
            }
        }
        #[cfg(not(feature = "cluster"))]
        {
            let _ = (alert, response);
            (
                Outcome::Error,
                "this build of harrier has no Kubernetes API support (feature `cluster`)"
                    .to_owned(),
            )
        }
    }
}

fn kill_target(target: &Target, signal: Signal, dry_run: bool) -> (Outcome, String) {
    let (Some(pid), Some(start_ns)) = (target.pid, target.start_ns) else {
        return (Outcome::Refused, "the alert names no process".to_owned());
    };
    let name = target
        .process
        .as_deref()
        .map_or_else(String::new, |n| format!(" ({n})"));
    let verified = match kill::verify(pid, start_ns) {
        Ok(v) => v,
        // Nothing to act on: not a failure (replays of old recordings meet this all the time).
        Err(e @ (kill::KillError::Reused { .. } | kill::KillError::Gone { .. })) => {
            return (Outcome::Refused, e.to_string());
        }
        Err(e) => return (Outcome::Error, error_chain(&e)),
    };
    if dry_run {
        return (
            Outcome::Ok,
            format!("would send {} to pid {pid}{name}", signal.name()),
        );
    }
    match verified.signal(signal) {
        Ok(()) => (
            Outcome::Ok,
            format!("sent {} to pid {pid}{name}", signal.name()),
        ),
        Err(e) => (Outcome::Error, error_chain(&e)),
    }
}

/// What a Kubernetes action does, for dry-run messages.
fn describe(action: &Action, ns: &str, pod: &str) -> String {
    match action {
        Action::Kill { signal } => format!("send {}", signal.name()),
        Action::Label { key, value } => format!("label pod {ns}/{pod} with {key}={value}"),
        Action::Quarantine {
            policy_name,
            key,
            value,
        } => format!(
            "label pod {ns}/{pod} with {key}={value} and apply NetworkPolicy {ns}/{policy_name} denying all its traffic"
        ),
        Action::DeletePod {
            grace_period_seconds,
        } => match grace_period_seconds {
            Some(s) => format!("delete pod {ns}/{pod} with a grace period of {s}s"),
            None => format!("delete pod {ns}/{pod}"),
        },
        Action::ScaleToZero => format!("scale the owner of pod {ns}/{pod} to zero replicas"),
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn log(dry_run: bool, action: &Action, outcome: Outcome, message: &str) {
    let action = action.kind().as_str();
    match outcome {
        Outcome::Ok if dry_run => tracing::info!(action, "dry run: {message}"),
        Outcome::Ok => tracing::warn!(action, "response action: {message}"),
        Outcome::Error => tracing::error!(action, "response action failed: {message}"),
        Outcome::Refused => tracing::info!(action, "response action refused: {message}"),
    }
}

/// The alert's time in nanoseconds since the epoch (rate limits follow event time, so a
/// replay behaves as the live run would have), or now when it cannot be read.
fn alert_time_ns(alert: &Alert) -> i64 {
    alert
        .time
        .parse::<jiff::Timestamp>()
        .unwrap_or_else(|_| jiff::Timestamp::now())
        .as_nanosecond()
        .try_into()
        .unwrap_or(i64::MAX)
}
