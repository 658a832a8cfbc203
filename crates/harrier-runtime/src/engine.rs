//! The engine: compiled rules indexed by source and event type, evaluated against events,
//! producing [`Alert`]s in Falcosidekick's JSON shape.
//!
//! A syscall rule whose condition pins `evt.type` (`evt.type in (open, openat)`) is only
//! evaluated for those types: an event looks up its type's rule list (an array index for the
//! types Harrier's model names) instead of running every condition. Rules that can match any
//! type are in every list. Threat profiles and baselines will add rules through the same path.

use serde::Serialize;

use crate::event::{Event, EventType, Source, format_time};
use crate::rules::compile::TypeSet;
use crate::rules::fields::{self, Field};
use crate::rules::{Priority, Rule, RuleSet};

/// Context fields every alert carries in `output_fields`, beside those of its output template,
/// so that routing and correlation need not parse the text.
const SYSCALL_CONTEXT: &[&str] = &[
    "evt.type",
    "proc.name",
    "proc.cmdline",
    "proc.pid",
    "user.name",
    "container.id",
    "container.name",
    "container.image.repository",
    "k8s.ns.name",
    "k8s.pod.name",
];
const AUDIT_CONTEXT: &[&str] = &[
    "ka.verb",
    "ka.user.name",
    "ka.target.resource",
    "ka.target.namespace",
    "ka.target.name",
    "ka.response.code",
];

/// Compiled rules, ready to evaluate events.
#[derive(Debug)]
pub struct Engine {
    rules: Vec<Rule>,
    /// Rule indices per known event type.
    by_type: Vec<Vec<u32>>,
    /// Rules that may match a type outside [`EventType::KNOWN`].
    other_types: Vec<u32>,
    /// Audit rules.
    audit: Vec<u32>,
    syscall_context: Vec<(String, Field)>,
    audit_context: Vec<(String, Field)>,
}

/// A rule that matched an event, as Falco and Falcosidekick write it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// Rule name.
    pub rule: String,
    /// Priority.
    pub priority: Priority,
    /// The rendered output, prefixed as Falco does with the time and priority.
    pub output: String,
    /// Event time, RFC 3339 with nanoseconds.
    pub time: String,
    /// Source (`syscall`, `k8s_audit`).
    pub source: &'static str,
    /// Rule tags.
    pub tags: Vec<String>,
    /// The node (syscall) or the host that read the log (audit).
    pub hostname: String,
    /// Fields of the output template and the context fields, `null` when missing.
    pub output_fields: serde_json::Map<String, serde_json::Value>,
}

fn context_fields(source: Source, names: &[&str]) -> Vec<(String, Field)> {
    names
        .iter()
        .filter_map(|n| {
            fields::resolve(source, n, None)
                .ok()
                .map(|f| (n.to_string(), f))
        })
        .collect()
}

impl Engine {
    /// An engine over the enabled rules of `set`.
    pub fn new(set: &RuleSet) -> Engine {
        Engine::from_rules(set.rules.clone())
    }

    /// An engine over `rules`.
    pub fn from_rules(rules: Vec<Rule>) -> Engine {
        let mut by_type = vec![Vec::new(); EventType::KNOWN.len()];
        let mut other_types = Vec::new();
        let mut audit = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            match r.source {
                Source::K8sAudit => audit.push(i),
                Source::Syscall => {
                    for (t, list) in by_type.iter_mut().enumerate() {
                        if EventType::KNOWN
                            .get(t)
                            .is_some_and(|name| r.types.contains(name))
                        {
                            list.push(i);
                        }
                    }
                    let beyond_known = match &r.types {
                        TypeSet::All | TypeSet::Except(_) => true,
                        TypeSet::Only(names) => names
                            .iter()
                            .any(|n| !EventType::KNOWN.contains(&n.as_str())),
                    };
                    if beyond_known {
                        other_types.push(i);
                    }
                }
            }
        }
        Engine {
            rules,
            by_type,
            other_types,
            audit,
            syscall_context: context_fields(Source::Syscall, SYSCALL_CONTEXT),
            audit_context: context_fields(Source::K8sAudit, AUDIT_CONTEXT),
        }
    }

    /// The rules.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Calls `on_match` with every rule `event` matches, in rule order.
    pub fn evaluate<'a>(&'a self, event: &Event, mut on_match: impl FnMut(&'a Rule)) {
        let candidates: &[u32] = match event {
            Event::K8sAudit(_) => &self.audit,
            Event::Syscall(e) => match e.kind.index().and_then(|i| self.by_type.get(i)) {
                Some(list) => list,
                None => &self.other_types,
            },
        };
        for &i in candidates {
            let Some(rule) = self.rules.get(i as usize) else {
                continue;
            };
            if let Event::Syscall(e) = event
                && e.kind.index().is_none()
                && !rule.types.contains(e.kind.name())
            {
                continue;
            }
            if rule.condition.eval(event) {
                on_match(rule);
            }
        }
    }

    /// The number of rules `event` matches (no output rendered): what the benchmark measures.
    pub fn count_matches(&self, event: &Event) -> usize {
        let mut n = 0;
        self.evaluate(event, |_| n += 1);
        n
    }

    /// The alerts `event` raises. `hostname` is used when the event does not name its node.
    pub fn alerts(&self, event: &Event, hostname: &str) -> Vec<Alert> {
        let mut out = Vec::new();
        self.evaluate(event, |rule| out.push(self.alert(rule, event, hostname)));
        out
    }

    /// Renders the alert of `rule` for `event`.
    pub fn alert(&self, rule: &Rule, event: &Event, hostname: &str) -> Alert {
        let (text, template_fields) = rule.output.render(event);
        let time_ns = event.time_ns();
        let time = time_ns.map_or_else(|| crate::event::MISSING.to_string(), format_time);
        let clock = time.get(11..29).unwrap_or(&time).to_string();
        let mut output_fields = serde_json::Map::new();
        for (name, value) in template_fields {
            output_fields.insert(
                name,
                value.map_or(serde_json::Value::Null, serde_json::Value::String),
            );
        }
        let context = match event.source() {
            Source::Syscall => &self.syscall_context,
            Source::K8sAudit => &self.audit_context,
        };
        for (name, field) in context {
            if !output_fields.contains_key(name) {
                let v = fields::extract(field, event).map(|v| v.render());
                output_fields.insert(
                    name.clone(),
                    v.map_or(serde_json::Value::Null, serde_json::Value::String),
                );
            }
        }
        if let Event::Syscall(e) = event
            && e.context_incomplete
        {
            output_fields.insert("context_incomplete".into(), serde_json::Value::Bool(true));
            output_fields.insert(
                "context_missing".into(),
                serde_json::Value::Array(
                    e.missing
                        .iter()
                        .map(|m| serde_json::Value::String(m.clone()))
                        .collect(),
                ),
            );
        }
        let hostname = match event {
            Event::Syscall(e) => e.hostname.clone().unwrap_or_else(|| hostname.to_string()),
            Event::K8sAudit(_) => hostname.to_string(),
        };
        Alert {
            rule: rule.name.clone(),
            priority: rule.priority,
            output: format!("{clock}: {} {text}", rule.priority),
            time,
            source: rule.source.as_str(),
            tags: rule.tags.clone(),
            hostname,
            output_fields,
        }
    }
}
