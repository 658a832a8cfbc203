//! The response policy file: which alerts trigger which actions, with which options, under
//! which limits and exclusions.
//!
//! It is YAML meant to be reviewed in a pull request like any other change to production, so it
//! is strict: unknown keys, unknown actions, signals and priorities, and responses that would
//! match nothing are errors naming `file:line:col`. Nothing happens without a policy, and the
//! safety rules that no policy can lift (pid 1, the sensor itself, `kube-system`) live in the
//! [`Responder`](crate::Responder), not here.
//!
//! ```yaml
//! dry_run: false
//! limits: {max_actions_per_minute: 20, pod_cooldown_seconds: 300}
//! exclude: {namespaces: [kube-system, monitoring], allow_host_processes: false}
//! responses:
//!   - name: stop-shells
//!     match: {rules: ["Terminal shell in container"], min_priority: warning}
//!     actions:
//!       - kill: {signal: SIGKILL}
//!       - quarantine: {}
//! ```

use std::collections::BTreeSet;
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use harrier_core::yaml::{self, Node, Schema};
use harrier_core::{Location, Pos};
use harrier_runtime::rules::Priority;
use serde::Deserialize;

use crate::Error;

/// Namespaces excluded when the policy names none: the control plane's own.
pub const DEFAULT_EXCLUDED_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

/// Namespaces no policy can include.
pub const ALWAYS_EXCLUDED_NAMESPACES: &[&str] = &["kube-system"];

/// The label quarantine puts on a pod, and its NetworkPolicy selects, unless told otherwise.
pub const DEFAULT_QUARANTINE_LABEL: (&str, &str) = ("harrier.io/quarantine", "true");

/// A parsed, validated response policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Where it was read from, for messages.
    pub file: Arc<str>,
    /// Decide and record every action, perform none.
    pub dry_run: bool,
    /// Rate limits.
    pub limits: Limits,
    /// What is never touched.
    pub exclude: Exclude,
    /// Alert selections and their actions, in file order; every matching response acts.
    pub responses: Vec<Response>,
}

/// How often actions may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Actions (performed or, in dry-run, decided) in any 60 seconds, at most.
    pub max_actions_per_minute: u32,
    /// An alert about a pod (or a host process) acted on less than this many seconds ago is
    /// not acted on again.
    pub pod_cooldown_seconds: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_actions_per_minute: 10,
            pod_cooldown_seconds: 300,
        }
    }
}

/// What the policy never touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclude {
    /// Namespaces never acted on (always including `kube-system`).
    pub namespaces: BTreeSet<String>,
    /// Kill processes outside containers (on the node itself). Off unless written.
    pub allow_host_processes: bool,
}

/// One selection of alerts and what to do about them.
#[derive(Debug, Clone)]
pub struct Response {
    /// The response's name, written in the audit trail.
    pub name: String,
    /// Where it is written.
    pub location: Location,
    /// Which alerts it applies to.
    pub selector: Selector,
    /// What to do, in order.
    pub actions: Vec<Action>,
}

/// Which alerts a response applies to: every criterion given must hold; a list holds when any
/// of its entries does.
#[derive(Debug, Clone)]
pub struct Selector {
    rules: Option<GlobSet>,
    tags: Option<Vec<String>>,
    min_priority: Option<Priority>,
    sources: Option<Vec<String>>,
}

impl Selector {
    /// Whether `alert` is selected.
    pub fn matches(&self, alert: &harrier_runtime::Alert) -> bool {
        self.min_priority.is_none_or(|min| alert.priority <= min)
            && self
                .sources
                .as_ref()
                .is_none_or(|s| s.iter().any(|s| s == alert.source))
            && self
                .tags
                .as_ref()
                .is_none_or(|tags| tags.iter().any(|t| alert.tags.contains(t)))
            && self.rules.as_ref().is_none_or(|g| g.is_match(&alert.rule))
    }
}

/// A response action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Signal the alert's process through a pidfd, after checking it is still the same process.
    Kill {
        /// The signal.
        signal: Signal,
    },
    /// Label (and annotate) the alert's pod.
    Label {
        /// Label key.
        key: String,
        /// Label value.
        value: String,
    },
    /// Label the pod and make sure a deny-all NetworkPolicy selects that label in its
    /// namespace.
    Quarantine {
        /// The NetworkPolicy's name.
        policy_name: String,
        /// Label key.
        key: String,
        /// Label value.
        value: String,
    },
    /// Delete the pod.
    DeletePod {
        /// Seconds the pod has to stop; `None` for its own `terminationGracePeriodSeconds`.
        grace_period_seconds: Option<u32>,
    },
    /// Scale the pod's owning Deployment, StatefulSet or ReplicaSet to zero replicas.
    ScaleToZero,
}

impl Action {
    /// The action's name in policies and the audit trail.
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Kill { .. } => ActionKind::Kill,
            Action::Label { .. } => ActionKind::Label,
            Action::Quarantine { .. } => ActionKind::Quarantine,
            Action::DeletePod { .. } => ActionKind::DeletePod,
            Action::ScaleToZero => ActionKind::ScaleToZero,
        }
    }
}

/// The kinds of [`Action`], as written in policies and the trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// [`Action::Kill`].
    Kill,
    /// [`Action::Label`].
    Label,
    /// [`Action::Quarantine`].
    Quarantine,
    /// [`Action::DeletePod`].
    DeletePod,
    /// [`Action::ScaleToZero`].
    ScaleToZero,
}

impl ActionKind {
    /// The name as written.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Kill => "kill",
            ActionKind::Label => "label",
            ActionKind::Quarantine => "quarantine",
            ActionKind::DeletePod => "delete_pod",
            ActionKind::ScaleToZero => "scale_to_zero",
        }
    }

    /// Whether the action works through the Kubernetes API.
    pub fn is_kubernetes(self) -> bool {
        self != ActionKind::Kill
    }
}

impl std::fmt::Display for ActionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A signal a kill may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal {
    name: &'static str,
    number: i32,
}

/// Signals a policy may name: those that stop, end or pause a process.
const SIGNALS: &[(&str, i32)] = &[
    ("SIGKILL", 9),
    ("SIGTERM", 15),
    ("SIGINT", 2),
    ("SIGHUP", 1),
    ("SIGQUIT", 3),
    ("SIGSTOP", 19),
];

impl Signal {
    /// `SIGKILL`, the default.
    pub const KILL: Signal = Signal {
        name: "SIGKILL",
        number: 9,
    };

    /// Parses `SIGKILL`, `KILL` or `9` (case-insensitively).
    pub fn parse(text: &str) -> Option<Signal> {
        let upper = text.trim().to_ascii_uppercase();
        let name = if upper.starts_with("SIG") {
            upper
        } else {
            format!("SIG{upper}")
        };
        SIGNALS
            .iter()
            .find(|(n, number)| *n == name || text.trim().parse::<i32>().ok() == Some(*number))
            .map(|&(name, number)| Signal { name, number })
    }

    /// The signal's name (`SIGKILL`).
    pub fn name(self) -> &'static str {
        self.name
    }

    /// The signal's number on Linux.
    pub fn number(self) -> i32 {
        self.number
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default)]
    dry_run: Option<bool>,
    #[serde(default)]
    limits: Option<RawLimits>,
    #[serde(default)]
    exclude: Option<RawExclude>,
    responses: Vec<RawResponse>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    #[serde(default)]
    max_actions_per_minute: Option<u32>,
    #[serde(default)]
    pod_cooldown_seconds: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExclude {
    #[serde(default)]
    namespaces: Option<Vec<String>>,
    #[serde(default)]
    allow_host_processes: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResponse {
    name: String,
    #[serde(rename = "match")]
    selector: RawSelector,
    actions: Vec<RawAction>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSelector {
    #[serde(default)]
    rules: Option<Vec<String>>,
    #[serde(default)]
    tags: Option<Vec<String>>,
    #[serde(default)]
    min_priority: Option<String>,
    #[serde(default)]
    sources: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
enum RawAction {
    Kill(#[serde(default)] Option<RawKill>),
    Label(#[serde(default)] Option<RawLabel>),
    Quarantine(#[serde(default)] Option<RawQuarantine>),
    DeletePod(#[serde(default)] Option<RawDelete>),
    // Read only to reject options: the action has none.
    ScaleToZero(
        #[serde(default)]
        #[allow(dead_code)]
        Option<RawEmpty>,
    ),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawKill {
    #[serde(default)]
    signal: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLabel {
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    value: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawQuarantine {
    #[serde(default)]
    network_policy: Option<String>,
    #[serde(default)]
    label_key: Option<String>,
    #[serde(default)]
    label_value: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDelete {
    #[serde(default)]
    grace_period_seconds: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawEmpty {}

impl Policy {
    /// Reads a policy file.
    pub fn load(path: &std::path::Path) -> Result<Policy, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.display().to_string(),
            source,
        })?;
        Policy::parse(&path.display().to_string(), &text)
    }

    /// Parses a policy; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Policy, Error> {
        let file: Arc<str> = Arc::from(file);
        let at = |pos: Pos, message: String| Error::Policy {
            location: Location::new(file.clone(), pos),
            message,
        };
        let mut root = yaml::parse_single(text, Schema::Core).map_err(|p| at(p.pos, p.message))?;
        expand_bare_actions(&mut root);
        if root.is_null() {
            return Err(at(root.pos, "the policy is empty".to_owned()));
        }
        let raw: RawPolicy = yaml::de::from_node(&root).map_err(|e| {
            at(
                e.pos.unwrap_or(root.pos),
                e.message.trim_end_matches('.').to_owned(),
            )
        })?;
        let limits_node = root.get("limits");
        let limits = match raw.limits {
            None => Limits::default(),
            Some(l) => {
                let defaults = Limits::default();
                let limits = Limits {
                    max_actions_per_minute: l
                        .max_actions_per_minute
                        .unwrap_or(defaults.max_actions_per_minute),
                    pod_cooldown_seconds: l
                        .pod_cooldown_seconds
                        .unwrap_or(defaults.pod_cooldown_seconds),
                };
                if limits.max_actions_per_minute == 0 {
                    let pos = limits_node
                        .and_then(|n| n.get("max_actions_per_minute"))
                        .map_or(root.pos, |n| n.pos);
                    return Err(at(
                        pos,
                        "`max_actions_per_minute` must be at least 1 (remove the response instead)"
                            .to_owned(),
                    ));
                }
                limits
            }
        };
        let mut namespaces: BTreeSet<String> =
            match raw.exclude.as_ref().and_then(|e| e.namespaces.clone()) {
                Some(list) => list.into_iter().collect(),
                None => DEFAULT_EXCLUDED_NAMESPACES
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
            };
        namespaces.extend(ALWAYS_EXCLUDED_NAMESPACES.iter().map(|s| (*s).to_owned()));
        let exclude = Exclude {
            namespaces,
            allow_host_processes: raw.exclude.is_some_and(|e| e.allow_host_processes),
        };
        let response_nodes = root
            .get("responses")
            .and_then(Node::as_seq)
            .unwrap_or_default();
        if raw.responses.is_empty() {
            let pos = root.get("responses").map_or(root.pos, |n| n.pos);
            return Err(at(pos, "`responses` is empty".to_owned()));
        }
        let mut names = BTreeSet::new();
        let mut responses = Vec::with_capacity(raw.responses.len());
        for (i, r) in raw.responses.into_iter().enumerate() {
            let node = response_nodes.get(i);
            let pos = node.map_or(root.pos, |n| n.pos);
            let field = |path: &[&str]| {
                let mut n = node;
                for key in path {
                    n = n.and_then(|n| n.get(key));
                }
                n.map_or(pos, |n| n.pos)
            };
            if r.name.trim().is_empty() {
                return Err(at(field(&["name"]), "a response needs a name".to_owned()));
            }
            if !names.insert(r.name.clone()) {
                return Err(at(
                    field(&["name"]),
                    format!("response `{}` is defined twice", r.name),
                ));
            }
            let selector = selector(r.selector, &|p| field(p), &at)?;
            if r.actions.is_empty() {
                return Err(at(
                    field(&["actions"]),
                    format!("response `{}` has no actions", r.name),
                ));
            }
            let action_nodes = node
                .and_then(|n| n.get("actions"))
                .and_then(Node::as_seq)
                .unwrap_or_default();
            let mut actions = Vec::with_capacity(r.actions.len());
            for (j, a) in r.actions.into_iter().enumerate() {
                let apos = action_nodes.get(j).map_or(pos, |n| n.pos);
                actions.push(action(a, action_nodes.get(j), apos, &at)?);
            }
            responses.push(Response {
                name: r.name,
                location: Location::new(file.clone(), pos),
                selector,
                actions,
            });
        }
        Ok(Policy {
            file,
            dry_run: raw.dry_run.unwrap_or(false),
            limits,
            exclude,
            responses,
        })
    }

    /// Whether any response has an action through the Kubernetes API.
    pub fn needs_cluster(&self) -> bool {
        self.responses
            .iter()
            .flat_map(|r| &r.actions)
            .any(|a| a.kind().is_kubernetes())
    }
}

/// Turns each action written as a bare name (`- kill`) into the mapping form (`- kill: {}`),
/// so one deserializer reads both.
fn expand_bare_actions(root: &mut Node) {
    /// `node` with `f` applied to the value under `key`, when it is a mapping.
    fn map_key(node: &Node, key: &str, f: &dyn Fn(&Node) -> Node) -> Node {
        let Some(map) = node.as_map() else {
            return node.clone();
        };
        let mut out = yaml::Map::default();
        for e in map.entries() {
            let value = if e.key == key {
                f(&e.value)
            } else {
                e.value.clone()
            };
            out.insert(e.key.clone(), e.key_pos, value);
        }
        Node::new(yaml::Value::Map(out), node.pos)
    }
    fn each(node: &Node, f: &dyn Fn(&Node) -> Node) -> Node {
        match node.as_seq() {
            Some(items) => Node::new(yaml::Value::Seq(items.iter().map(f).collect()), node.pos),
            None => node.clone(),
        }
    }
    let bare = |action: &Node| match action.as_str() {
        Some(name) => {
            let mut map = yaml::Map::default();
            map.insert(
                name.to_owned(),
                action.pos,
                Node::new(yaml::Value::Null, action.pos),
            );
            Node::new(yaml::Value::Map(map), action.pos)
        }
        None => action.clone(),
    };
    let response = |r: &Node| map_key(r, "actions", &|a| each(a, &bare));
    *root = map_key(root, "responses", &|rs| each(rs, &response));
}

fn selector(
    raw: RawSelector,
    field: &dyn Fn(&[&str]) -> Pos,
    at: &dyn Fn(Pos, String) -> Error,
) -> Result<Selector, Error> {
    if raw.rules.is_none() && raw.tags.is_none() && raw.min_priority.is_none() {
        return Err(at(
            field(&["match"]),
            "`match` needs at least one of `rules`, `tags` or `min_priority` (write `rules: [\"*\"]` to match every alert)"
                .to_owned(),
        ));
    }
    let rules = match raw.rules {
        None => None,
        Some(patterns) => {
            if patterns.is_empty() {
                return Err(at(
                    field(&["match", "rules"]),
                    "`rules` is empty".to_owned(),
                ));
            }
            let mut builder = GlobSetBuilder::new();
            for p in &patterns {
                let glob = Glob::new(p).map_err(|e| {
                    at(
                        field(&["match", "rules"]),
                        format!("rule pattern `{p}`: {}", e.kind()),
                    )
                })?;
                builder.add(glob);
            }
            Some(
                builder
                    .build()
                    .map_err(|e| at(field(&["match", "rules"]), format!("rule patterns: {e}")))?,
            )
        }
    };
    if raw.tags.as_ref().is_some_and(Vec::is_empty) {
        return Err(at(field(&["match", "tags"]), "`tags` is empty".to_owned()));
    }
    let min_priority = match raw.min_priority {
        None => None,
        Some(text) => Some(Priority::parse(&text).ok_or_else(|| {
            at(
                field(&["match", "min_priority"]),
                format!(
                    "unknown priority `{text}` (emergency, alert, critical, error, warning, notice, informational, debug)"
                ),
            )
        })?),
    };
    if let Some(sources) = &raw.sources {
        if let Some(bad) = sources
            .iter()
            .find(|s| !matches!(s.as_str(), "syscall" | "k8s_audit"))
        {
            return Err(at(
                field(&["match", "sources"]),
                format!("unknown source `{bad}` (syscall, k8s_audit)"),
            ));
        }
    }
    Ok(Selector {
        rules,
        tags: raw.tags,
        min_priority,
        sources: raw.sources,
    })
}

fn action(
    raw: RawAction,
    node: Option<&Node>,
    pos: Pos,
    at: &dyn Fn(Pos, String) -> Error,
) -> Result<Action, Error> {
    let option_pos = |key: &str| {
        node.and_then(|n| n.as_map())
            .and_then(|m| m.entries().first())
            .and_then(|e| e.value.get(key))
            .map_or(pos, |n| n.pos)
    };
    Ok(match raw {
        RawAction::Kill(k) => {
            let k = k.unwrap_or_default();
            let signal = match k.signal {
                None => Signal::KILL,
                Some(text) => Signal::parse(&text).ok_or_else(|| {
                    at(
                        option_pos("signal"),
                        format!(
                            "unknown signal `{text}` ({})",
                            SIGNALS
                                .iter()
                                .map(|(n, _)| *n)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })?,
            };
            Action::Kill { signal }
        }
        RawAction::Label(l) => {
            let l = l.unwrap_or_default();
            let key = l
                .key
                .unwrap_or_else(|| DEFAULT_QUARANTINE_LABEL.0.to_owned());
            let value = l
                .value
                .unwrap_or_else(|| DEFAULT_QUARANTINE_LABEL.1.to_owned());
            check_label(&key, &value).map_err(|m| at(option_pos("key"), m))?;
            Action::Label { key, value }
        }
        RawAction::Quarantine(q) => {
            let q = q.unwrap_or_default();
            let policy_name = q
                .network_policy
                .unwrap_or_else(|| "harrier-quarantine".to_owned());
            if !is_dns_label(&policy_name, 253) {
                return Err(at(
                    option_pos("network_policy"),
                    format!(
                        "`{policy_name}` is not a valid NetworkPolicy name (lowercase letters, digits, `-` and `.`)"
                    ),
                ));
            }
            let key = q
                .label_key
                .unwrap_or_else(|| DEFAULT_QUARANTINE_LABEL.0.to_owned());
            let value = q
                .label_value
                .unwrap_or_else(|| DEFAULT_QUARANTINE_LABEL.1.to_owned());
            check_label(&key, &value).map_err(|m| at(option_pos("label_key"), m))?;
            Action::Quarantine {
                policy_name,
                key,
                value,
            }
        }
        RawAction::DeletePod(d) => Action::DeletePod {
            grace_period_seconds: d.unwrap_or_default().grace_period_seconds,
        },
        RawAction::ScaleToZero(_) => Action::ScaleToZero,
    })
}

/// Checks a label key and value as the API server would, so a typo fails review, not the
/// first incident.
fn check_label(key: &str, value: &str) -> Result<(), String> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if prefix.is_some_and(|p| !is_dns_label(p, 253)) {
        return Err(format!("label key `{key}` has an invalid prefix"));
    }
    if !is_label_value(name) || name.is_empty() {
        return Err(format!(
            "label key `{key}` is invalid (63 characters at most: letters, digits, `-`, `_`, `.`)"
        ));
    }
    if !is_label_value(value) {
        return Err(format!(
            "label value `{value}` is invalid (63 characters at most: letters, digits, `-`, `_`, `.`)"
        ));
    }
    Ok(())
}

fn is_label_value(text: &str) -> bool {
    let alnum = |c: Option<char>| c.is_none_or(|c| c.is_ascii_alphanumeric());
    text.len() <= 63
        && alnum(text.chars().next())
        && alnum(text.chars().last())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn is_dns_label(text: &str, max: usize) -> bool {
    !text.is_empty()
        && text.len() <= max
        && text.split('.').all(|part| {
            !part.is_empty()
                && !part.starts_with('-')
                && !part.ends_with('-')
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        match Policy::parse("p.yaml", text) {
            Ok(_) => "parsed".to_owned(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn full_policy() -> Result<(), Error> {
        let p = Policy::parse(
            "p.yaml",
            "dry_run: true\nlimits: {max_actions_per_minute: 5, pod_cooldown_seconds: 60}\nexclude: {namespaces: [monitoring], allow_host_processes: true}\nresponses:\n  - name: r\n    match: {rules: [\"Terminal shell*\"], tags: [mitre_execution], min_priority: warning}\n    actions:\n      - kill: {signal: TERM}\n      - label: {key: example.com/bad, value: \"yes\"}\n      - quarantine: {network_policy: deny-all}\n      - delete_pod: {grace_period_seconds: 0}\n      - scale_to_zero: {}\n",
        )?;
        assert!(p.dry_run);
        assert_eq!(
            p.limits,
            Limits {
                max_actions_per_minute: 5,
                pod_cooldown_seconds: 60
            }
        );
        assert!(p.exclude.allow_host_processes);
        assert_eq!(
            p.exclude.namespaces.iter().collect::<Vec<_>>(),
            ["kube-system", "monitoring"]
        );
        let r = &p.responses[0];
        assert_eq!(r.location.to_string(), "p.yaml:5:5");
        assert_eq!(
            r.actions,
            vec![
                Action::Kill {
                    signal: Signal {
                        name: "SIGTERM",
                        number: 15
                    }
                },
                Action::Label {
                    key: "example.com/bad".into(),
                    value: "yes".into()
                },
                Action::Quarantine {
                    policy_name: "deny-all".into(),
                    key: "harrier.io/quarantine".into(),
                    value: "true".into()
                },
                Action::DeletePod {
                    grace_period_seconds: Some(0)
                },
                Action::ScaleToZero,
            ]
        );
        assert!(p.needs_cluster());
        Ok(())
    }

    #[test]
    fn defaults() -> Result<(), Error> {
        let p = Policy::parse(
            "p.yaml",
            "responses:\n- name: r\n  match: {min_priority: critical}\n  actions: [kill]\n",
        )?;
        assert!(!p.dry_run);
        assert_eq!(p.limits, Limits::default());
        assert!(!p.exclude.allow_host_processes);
        assert_eq!(p.exclude.namespaces.len(), 3);
        assert_eq!(
            p.responses[0].actions,
            vec![Action::Kill {
                signal: Signal::KILL
            }]
        );
        assert!(!p.needs_cluster());
        Ok(())
    }

    #[test]
    fn errors_name_file_line_and_column() {
        assert_eq!(err(""), "p.yaml:1:1: the policy is empty");
        assert_eq!(
            err("responses:\n- name: r\n  match: {min_priority: urgent}\n  actions: [kill]\n"),
            "p.yaml:3:25: unknown priority `urgent` (emergency, alert, critical, error, warning, notice, informational, debug)"
        );
        assert_eq!(
            err(
                "responses:\n- name: r\n  match: {rules: [x]}\n  actions:\n  - kill: {signal: SIGFOO}\n"
            ),
            "p.yaml:5:20: unknown signal `SIGFOO` (SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGSTOP)"
        );
        let unknown_action =
            err("responses:\n- name: r\n  match: {rules: [x]}\n  actions:\n  - explode: {}\n");
        assert!(
            unknown_action.starts_with("p.yaml:5:5: unknown variant `explode`"),
            "{unknown_action}"
        );
        let unknown_key = err("dry_run: true\ndryrun: false\nresponses: []\n");
        assert!(
            unknown_key.starts_with("p.yaml:2:1: unknown field `dryrun`"),
            "{unknown_key}"
        );
        assert_eq!(
            err("responses:\n- name: r\n  match: {}\n  actions: [kill]\n"),
            "p.yaml:3:10: `match` needs at least one of `rules`, `tags` or `min_priority` (write `rules: [\"*\"]` to match every alert)"
        );
        assert_eq!(
            err("responses:\n- name: r\n  match: {rules: [x]}\n  actions: []\n"),
            "p.yaml:4:12: response `r` has no actions"
        );
        assert_eq!(
            err(
                "responses:\n- name: r\n  match: {rules: [x]}\n  actions: [kill]\n- name: r\n  match: {rules: [y]}\n  actions: [kill]\n"
            ),
            "p.yaml:5:9: response `r` is defined twice"
        );
        assert_eq!(
            err(
                "responses:\n- name: r\n  match: {rules: [x]}\n  actions:\n  - label: {key: \"bad key\"}\n"
            ),
            "p.yaml:5:18: label key `bad key` is invalid (63 characters at most: letters, digits, `-`, `_`, `.`)"
        );
        assert_eq!(
            err(
                "responses:\n- name: r\n  match: {rules: [x]}\n  actions:\n  - quarantine: {network_policy: Deny_All}\n"
            ),
            "p.yaml:5:34: `Deny_All` is not a valid NetworkPolicy name (lowercase letters, digits, `-` and `.`)"
        );
        assert_eq!(
            err(
                "limits: {max_actions_per_minute: 0}\nresponses:\n- name: r\n  match: {rules: [x]}\n  actions: [kill]\n"
            ),
            "p.yaml:1:34: `max_actions_per_minute` must be at least 1 (remove the response instead)"
        );
        assert_eq!(
            err("responses:\n- name: r\n  match: {rules: [\"a[\"]}\n  actions: [kill]\n"),
            "p.yaml:3:18: rule pattern `a[`: unclosed character class; missing ']'"
        );
        let syntax = err("responses: [\n");
        assert!(syntax.starts_with("p.yaml:"), "{syntax}");
    }

    #[test]
    fn signals() {
        assert_eq!(Signal::parse("kill"), Some(Signal::KILL));
        assert_eq!(Signal::parse("9"), Some(Signal::KILL));
        assert_eq!(Signal::parse("SIGSTOP").map(Signal::number), Some(19));
        assert_eq!(Signal::parse("SIGSEGV"), None);
    }
}
