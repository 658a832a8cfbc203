//! Falco rule files: loading (lists, macros, rules, exceptions, `append` and `override`,
//! version requirements) and compiling them into a [`RuleSet`].
//!
//! Loading follows Falco: every file is read first, in order, each item refining what earlier
//! files defined; only then are conditions compiled, so a list appended to in a later file
//! affects every rule that uses it. A rule that cannot be compiled (a field Harrier lacks, an
//! undefined macro, a syntax error) is disabled with its reason, reported as
//! `file:line: rule "<name>": <why>`, and the others load.

pub mod compile;
pub mod condition;
pub mod fields;
pub mod matcher;
pub mod output;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use harrier_core::Location;
use harrier_core::yaml::{self, Node as YNode, Schema, Value as YValue};
use serde::Serialize;

use self::compile::{Definitions, Node, TypeSet};
use self::condition::{Check, Expr, Op, Rhs, Value};
use self::output::Template;
use crate::event::Source;

/// The Falco rules engine version Harrier's dialect matches: files requiring a later one are
/// refused. Falco 0.41 ships engine version 0.57.0.
pub const ENGINE_VERSION: (u64, u64, u64) = (0, 57, 0);

/// Plugins whose fields Harrier provides natively, so files requiring them load.
pub const PROVIDED_PLUGINS: &[&str] = &[
    "container",
    "k8saudit",
    "k8saudit-eks",
    "k8saudit-gke",
    "k8saudit-aks",
    "k8saudit-ovh",
    "json",
];

/// Falco's rule priorities, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Priority {
    /// Emergency.
    Emergency,
    /// Alert.
    Alert,
    /// Critical.
    Critical,
    /// Error.
    Error,
    /// Warning.
    Warning,
    /// Notice.
    Notice,
    /// Informational.
    Informational,
    /// Debug.
    Debug,
}

impl Priority {
    /// Parses a priority, case-insensitively (`INFO` and `informational` alike).
    pub fn parse(text: &str) -> Option<Priority> {
        Some(match text.to_ascii_lowercase().as_str() {
            "emergency" => Priority::Emergency,
            "alert" => Priority::Alert,
            "critical" => Priority::Critical,
            "error" => Priority::Error,
            "warning" => Priority::Warning,
            "notice" => Priority::Notice,
            "info" | "informational" => Priority::Informational,
            "debug" => Priority::Debug,
            _ => return None,
        })
    }

    /// The name as Falco writes it in its JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Emergency => "Emergency",
            Priority::Alert => "Alert",
            Priority::Critical => "Critical",
            Priority::Error => "Error",
            Priority::Warning => "Warning",
            Priority::Notice => "Notice",
            Priority::Informational => "Informational",
            Priority::Debug => "Debug",
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A problem in a rule file that is not about one rule: syntax, an unknown item, a version
/// requirement not met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Where.
    pub location: Location,
    /// What.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

#[derive(Debug, Clone)]
struct ListDef {
    items: Vec<String>,
}

#[derive(Debug, Clone)]
struct MacroDef {
    condition: String,
}

#[derive(Debug, Clone, Default)]
struct ExceptionDef {
    name: String,
    fields: Option<OneOrMany>,
    comps: Option<OneOrMany>,
    values: Vec<ExcValue>,
}

#[derive(Debug, Clone)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Clone)]
enum ExcItem {
    Str(String),
    List(Vec<String>),
}

#[derive(Debug, Clone)]
enum ExcValue {
    One(ExcItem),
    Tuple(Vec<ExcItem>),
}

#[derive(Debug, Clone)]
struct RuleDef {
    name: String,
    location: Location,
    desc: String,
    condition: String,
    output: String,
    priority: Priority,
    tags: Vec<String>,
    enabled: bool,
    source: String,
    exceptions: Vec<ExceptionDef>,
    /// Why the whole file this rule came from is unusable.
    file_error: Option<String>,
}

/// Whether a rule runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Compiled and enabled.
    Loaded,
    /// Compiled, but `enabled: false` in the files.
    NotEnabled,
    /// Cannot run in Harrier; see the reason.
    Disabled,
}

/// What became of one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleStatus {
    /// Rule name.
    pub name: String,
    /// Where it is defined (its first definition).
    pub file: Arc<str>,
    /// Line of the definition.
    pub line: u32,
    /// The rule's source (`syscall`, `k8s_audit`, or another Falco source).
    pub source: String,
    /// Status.
    pub status: Status,
    /// Why it is disabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl fmt::Display for RuleStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: rule \"{}\"", self.file, self.line, self.name)?;
        match (&self.status, &self.reason) {
            (Status::Disabled, Some(r)) => write!(f, ": {r}"),
            (Status::NotEnabled, _) => f.write_str(": not enabled"),
            _ => f.write_str(": loaded"),
        }
    }
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Name.
    pub name: String,
    /// Description.
    pub desc: String,
    /// Priority.
    pub priority: Priority,
    /// Tags (maturity, MITRE technique ids...).
    pub tags: Vec<String>,
    /// Source.
    pub source: Source,
    /// Condition, with exceptions folded in.
    pub condition: Node,
    /// Output template.
    pub output: Template,
    /// Event types the condition can match (syscall rules).
    pub types: TypeSet,
    /// Where defined.
    pub location: Location,
}

/// Rules compiled from a set of files, with what became of every rule and file problem.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    /// Enabled, compiled rules, in file order.
    pub rules: Vec<Rule>,
    /// Every rule and its status, in file order.
    pub statuses: Vec<RuleStatus>,
    /// File-level problems.
    pub problems: Vec<Problem>,
}

/// Reads rule files, in order, then compiles them.
#[derive(Debug, Default)]
pub struct Loader {
    lists: HashMap<String, ListDef>,
    macros: HashMap<String, MacroDef>,
    macro_order: Vec<String>,
    rules: Vec<RuleDef>,
    rule_index: HashMap<String, usize>,
    problems: Vec<Problem>,
}

fn scalar_text(n: &YNode) -> Option<String> {
    match &n.value {
        YValue::String(s) => Some(s.clone()),
        YValue::Int(i) => Some(i.to_string()),
        YValue::Float(f) => Some(f.to_string()),
        YValue::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn string_list(n: &YNode) -> Option<Vec<String>> {
    match &n.value {
        YValue::Seq(items) => items.iter().map(scalar_text).collect(),
        YValue::Null => Some(Vec::new()),
        _ => None,
    }
}

fn unquote(item: &str) -> String {
    let t = item.trim();
    for q in ['"', '\''] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) {
            return t.get(1..t.len() - 1).unwrap_or(t).to_string();
        }
    }
    t.to_string()
}

/// Parses `x.y.z` (or a bare integer, Falco's old engine versions) into a triple.
fn parse_version(n: &YNode) -> Option<(u64, u64, u64)> {
    match &n.value {
        // Old files give an integer; Falco maps N to 0.N.0.
        YValue::Int(i) => Some((0, u64::try_from(*i).ok()?, 0)),
        YValue::Float(f) => {
            let text = f.to_string();
            let mut it = text.split('.').map(|p| p.parse::<u64>().ok());
            Some((it.next()??, it.next().flatten().unwrap_or(0), 0))
        }
        YValue::String(s) => {
            let mut it = s.trim().split('.').map(|p| p.parse::<u64>().ok());
            let a = it.next()??;
            let b = it.next().flatten().unwrap_or(0);
            let c = it.next().flatten().unwrap_or(0);
            if s.trim().split('.').count() == 1 {
                return Some((0, a, 0));
            }
            Some((a, b, c))
        }
        _ => None,
    }
}

/// Most re-indentations tried on one file (each fixes one line).
const MAX_REINDENTS: usize = 64;

/// Parses a rules file. Falco reads YAML with yaml-cpp, which accepts the closing `]` or `}`
/// of a flow collection indented no deeper than its key (upstream files have such lines);
/// saphyr does not. Indenting that line further changes no value and no line number, so
/// each such error is fixed and the file read again.
fn parse_rules_yaml(text: &str) -> yaml::Stream {
    let mut fixed = std::borrow::Cow::Borrowed(text);
    let mut stream = yaml::parse_stream(&fixed, Schema::Core);
    for _ in 0..MAX_REINDENTS {
        let Some(err) = &stream.error else { break };
        let line_idx = (err.pos.line as usize).saturating_sub(1);
        let lines: Vec<&str> = fixed.split('\n').collect();
        let Some(line) = lines.get(line_idx) else {
            break;
        };
        let trimmed = line.trim_start();
        if !(trimmed.starts_with(']') || trimmed.starts_with('}')) {
            break;
        }
        let mut owned: Vec<String> = lines.iter().map(|l| (*l).to_string()).collect();
        if let Some(l) = owned.get_mut(line_idx) {
            *l = format!("    {l}");
        }
        fixed = std::borrow::Cow::Owned(owned.join("\n"));
        stream = yaml::parse_stream(&fixed, Schema::Core);
    }
    stream
}

/// How an `override` (or legacy `append: true`) changes a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Append,
    Replace,
}

impl Loader {
    /// A loader with nothing loaded.
    pub fn new() -> Loader {
        Loader::default()
    }

    /// Reads one rule file's text; `path` names it in messages.
    pub fn add_text(&mut self, path: &str, text: &str) {
        let file: Arc<str> = Arc::from(path);
        let stream = parse_rules_yaml(text);
        if let Some(err) = &stream.error {
            self.problems.push(Problem {
                location: Location::new(file.clone(), err.pos),
                message: format!("invalid YAML: {}", err.message),
            });
        }
        let mut file_error: Option<String> = None;
        for doc in &stream.documents {
            let items = match &doc.root.value {
                YValue::Seq(items) => items.as_slice(),
                YValue::Null => continue,
                _ => {
                    self.problems.push(Problem {
                        location: Location::new(file.clone(), doc.root.pos),
                        message:
                            "a rules file is a list of items (`- rule:`, `- macro:`, `- list:`...)"
                                .into(),
                    });
                    continue;
                }
            };
            for item in items {
                self.add_item(&file, item, &mut file_error);
            }
        }
    }

    fn problem(&mut self, file: &Arc<str>, node: &YNode, message: String) {
        self.problems.push(Problem {
            location: Location::new(file.clone(), node.pos),
            message,
        });
    }

    fn add_item(&mut self, file: &Arc<str>, item: &YNode, file_error: &mut Option<String>) {
        let Some(map) = item.as_map() else {
            self.problem(file, item, "an item must be a mapping".into());
            return;
        };
        if let Some(v) = map.get("required_engine_version") {
            match parse_version(v) {
                Some(req) if req > ENGINE_VERSION => {
                    let msg = format!(
                        "requires Falco engine version {}.{}.{}; Harrier's dialect is {}.{}.{}",
                        req.0, req.1, req.2, ENGINE_VERSION.0, ENGINE_VERSION.1, ENGINE_VERSION.2
                    );
                    self.problem(file, v, msg.clone());
                    *file_error = Some(msg);
                }
                Some(_) => {}
                None => self.problem(file, v, "required_engine_version is not a version".into()),
            }
            return;
        }
        if let Some(v) = map.get("required_plugin_versions") {
            for p in v.as_seq().unwrap_or(&[]) {
                let name = p.get("name").and_then(|n| n.as_str()).unwrap_or("");
                let alternatives: Vec<&str> = p
                    .get("alternatives")
                    .and_then(|a| a.as_seq())
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|a| a.get("name").and_then(|n| n.as_str()))
                    .collect();
                let ok = std::iter::once(name)
                    .chain(alternatives.iter().copied())
                    .any(|n| PROVIDED_PLUGINS.contains(&n));
                if !ok {
                    let msg = format!("requires plugin `{name}`, which Harrier does not provide");
                    self.problem(file, p, msg.clone());
                    *file_error = Some(msg);
                }
            }
            return;
        }
        if let Some(name) = map.get("list") {
            self.add_list(file, item, name);
        } else if let Some(name) = map.get("macro") {
            self.add_macro(file, item, name);
        } else if let Some(name) = map.get("rule") {
            self.add_rule(file, item, name, file_error.clone());
        } else {
            let key = map
                .entries()
                .first()
                .map_or("", |e| e.key.as_str())
                .to_string();
            self.problem(file, item, format!("unknown item `{key}`"));
        }
    }

    /// The change an item makes to `key`: from `override: {key: ...}`, or from `append: true`.
    fn change(&mut self, file: &Arc<str>, item: &YNode, key: &str) -> Option<Change> {
        if let Some(ov) = item.get("override") {
            let c = ov.get(key)?;
            return match c.as_str() {
                Some("append") => Some(Change::Append),
                Some("replace") => Some(Change::Replace),
                _ => {
                    self.problem(
                        file,
                        c,
                        format!("override of `{key}` must be `append` or `replace`"),
                    );
                    None
                }
            };
        }
        if item.get("append").and_then(|a| a.as_bool()) == Some(true) {
            return item.get(key).map(|_| Change::Append);
        }
        None
    }

    fn is_modifier(item: &YNode) -> bool {
        item.get("override").is_some() || item.get("append").and_then(|a| a.as_bool()) == Some(true)
    }

    fn add_list(&mut self, file: &Arc<str>, item: &YNode, name: &YNode) {
        let Some(name) = name.as_str().map(str::to_string) else {
            self.problem(file, item, "a list name must be text".into());
            return;
        };
        let Some(items_node) = item.get("items") else {
            self.problem(file, item, format!("list `{name}` has no `items`"));
            return;
        };
        let Some(items) = string_list(items_node) else {
            self.problem(
                file,
                items_node,
                format!("items of list `{name}` must be a list of values"),
            );
            return;
        };
        let items: Vec<String> = items.iter().map(|i| unquote(i)).collect();
        if Self::is_modifier(item) {
            let change = self.change(file, item, "items");
            match (self.lists.get_mut(&name), change) {
                (Some(l), Some(Change::Append)) => l.items.extend(items),
                (Some(l), Some(Change::Replace)) => l.items = items,
                (Some(_), None) => {}
                (None, _) => {
                    self.problem(
                        file,
                        item,
                        format!(
                            "list `{name}` is appended to or overridden but was not defined before"
                        ),
                    );
                }
            }
            return;
        }
        self.lists.insert(name, ListDef { items });
    }

    fn add_macro(&mut self, file: &Arc<str>, item: &YNode, name: &YNode) {
        let Some(name) = name.as_str().map(str::to_string) else {
            self.problem(file, item, "a macro name must be text".into());
            return;
        };
        let Some(cond) = item.get("condition").and_then(scalar_text) else {
            self.problem(file, item, format!("macro `{name}` has no `condition`"));
            return;
        };
        if Self::is_modifier(item) {
            let change = self.change(file, item, "condition");
            match (self.macros.get_mut(&name), change) {
                (Some(m), Some(Change::Append)) => {
                    m.condition.push(' ');
                    m.condition.push_str(&cond);
                }
                (Some(m), Some(Change::Replace)) => m.condition = cond,
                (Some(_), None) => {}
                (None, _) => {
                    self.problem(
                        file,
                        item,
                        format!(
                            "macro `{name}` is appended to or overridden but was not defined before"
                        ),
                    );
                }
            }
            return;
        }
        if !self.macros.contains_key(&name) {
            self.macro_order.push(name.clone());
        }
        self.macros.insert(name, MacroDef { condition: cond });
    }

    fn parse_exceptions(&mut self, file: &Arc<str>, node: &YNode, rule: &str) -> Vec<ExceptionDef> {
        let mut out = Vec::new();
        let Some(items) = node.as_seq() else {
            self.problem(
                file,
                node,
                format!("exceptions of rule `{rule}` must be a list"),
            );
            return out;
        };
        for e in items {
            let Some(name) = e.get("name").and_then(|n| n.as_str()) else {
                self.problem(
                    file,
                    e,
                    format!("an exception of rule `{rule}` has no name"),
                );
                continue;
            };
            let one_or_many = |n: &YNode| -> Option<OneOrMany> {
                match &n.value {
                    YValue::Seq(_) => string_list(n).map(OneOrMany::Many),
                    _ => scalar_text(n).map(OneOrMany::One),
                }
            };
            let item = |n: &YNode| -> Option<ExcItem> {
                match &n.value {
                    YValue::Seq(_) => string_list(n)
                        .map(|v| ExcItem::List(v.iter().map(|i| unquote(i)).collect())),
                    _ => scalar_text(n).map(ExcItem::Str),
                }
            };
            let fields = e.get("fields").and_then(one_or_many);
            let comps = e.get("comps").and_then(one_or_many);
            let mut values = Vec::new();
            for v in e.get("values").and_then(|v| v.as_seq()).unwrap_or(&[]) {
                let parsed = match (&fields, &v.value) {
                    (Some(OneOrMany::Many(_)), YValue::Seq(items)) => items
                        .iter()
                        .map(item)
                        .collect::<Option<Vec<_>>>()
                        .map(ExcValue::Tuple),
                    _ => item(v).map(ExcValue::One),
                };
                match parsed {
                    Some(p) => values.push(p),
                    None => self.problem(file, v, format!("exception `{name}` of rule `{rule}` has a value that is not text or a list")),
                }
            }
            out.push(ExceptionDef {
                name: name.to_string(),
                fields,
                comps,
                values,
            });
        }
        out
    }

    fn add_rule(
        &mut self,
        file: &Arc<str>,
        item: &YNode,
        name: &YNode,
        file_error: Option<String>,
    ) {
        let Some(name) = name.as_str().map(str::to_string) else {
            self.problem(file, item, "a rule name must be text".into());
            return;
        };
        let text = |k: &str| item.get(k).and_then(scalar_text);
        let exceptions = item
            .get("exceptions")
            .map(|n| self.parse_exceptions(file, n, &name))
            .unwrap_or_default();
        let tags = item.get("tags").and_then(string_list);
        let priority_node = item.get("priority");
        let priority = match priority_node.and_then(scalar_text) {
            Some(p) => match Priority::parse(&p) {
                Some(p) => Some(p),
                None => {
                    self.problem(file, item, format!("rule `{name}`: unknown priority `{p}`"));
                    None
                }
            },
            None => None,
        };
        let enabled = item.get("enabled").and_then(|e| e.as_bool());
        if Self::is_modifier(item) || (item.get("condition").is_none() && enabled.is_some()) {
            let Some(&idx) = self.rule_index.get(&name) else {
                self.problem(
                    file,
                    item,
                    format!(
                        "rule `{name}` is appended to or overridden but was not defined before"
                    ),
                );
                return;
            };
            let changes: Vec<(&str, Option<Change>)> = [
                "condition",
                "output",
                "desc",
                "priority",
                "tags",
                "exceptions",
                "enabled",
            ]
            .iter()
            .map(|k| (*k, self.change(file, item, k)))
            .collect();
            let Some(rule) = self.rules.get_mut(idx) else {
                return;
            };
            let mut unsupported = Vec::new();
            for (key, change) in changes {
                let Some(change) = change else { continue };
                match (key, change) {
                    (key @ ("condition" | "output" | "desc"), c) => {
                        if let Some(t) = text(key) {
                            let field = match key {
                                "condition" => &mut rule.condition,
                                "output" => &mut rule.output,
                                _ => &mut rule.desc,
                            };
                            append_or_replace(field, t, c);
                        }
                    }
                    ("tags", c) => {
                        if let Some(t) = tags.clone() {
                            if c == Change::Append {
                                rule.tags.extend(t);
                            } else {
                                rule.tags = t;
                            }
                        }
                    }
                    ("exceptions", Change::Replace) => rule.exceptions = exceptions.clone(),
                    ("exceptions", Change::Append) => {
                        for e in exceptions.clone() {
                            match rule.exceptions.iter_mut().find(|x| x.name == e.name) {
                                Some(x) => x.values.extend(e.values),
                                None => rule.exceptions.push(e),
                            }
                        }
                    }
                    ("priority", Change::Replace) => {
                        if let Some(p) = priority {
                            rule.priority = p;
                        }
                    }
                    ("enabled", Change::Replace) => {
                        if let Some(e) = enabled {
                            rule.enabled = e;
                        }
                    }
                    (k, Change::Append) => unsupported.push(k),
                    _ => {}
                }
            }
            // `- rule: X` with only `enabled:` toggles the rule, as in Falco.
            if item.get("override").is_none()
                && item.get("append").is_none()
                && let Some(e) = enabled
            {
                rule.enabled = e;
            }
            for k in unsupported {
                self.problem(
                    file,
                    item,
                    format!("rule `{name}`: `{k}` can only be replaced, not appended"),
                );
            }
            return;
        }
        let Some(condition) = text("condition") else {
            self.problem(file, item, format!("rule `{name}` has no `condition`"));
            return;
        };
        let def = RuleDef {
            name: name.clone(),
            location: Location::new(file.clone(), item.pos),
            desc: text("desc").unwrap_or_default(),
            condition,
            output: text("output").unwrap_or_default(),
            priority: priority.unwrap_or(Priority::Debug),
            tags: tags.unwrap_or_default(),
            enabled: enabled.unwrap_or(true),
            source: text("source").unwrap_or_else(|| "syscall".to_string()),
            exceptions,
            file_error,
        };
        if priority_node.is_none() {
            self.problem(file, item, format!("rule `{name}` has no `priority`"));
        }
        match self.rule_index.get(&name) {
            Some(&i) => {
                if let Some(r) = self.rules.get_mut(i) {
                    *r = def;
                }
            }
            None => {
                self.rule_index.insert(name, self.rules.len());
                self.rules.push(def);
            }
        }
    }

    fn expanded_lists(&self) -> HashMap<String, Vec<String>> {
        fn expand(
            name: &str,
            lists: &HashMap<String, ListDef>,
            seen: &mut Vec<String>,
            out: &mut Vec<String>,
        ) {
            let Some(l) = lists.get(name) else { return };
            seen.push(name.to_string());
            for item in &l.items {
                if lists.contains_key(item) && !seen.iter().any(|s| s == item) {
                    expand(item, lists, seen, out);
                } else {
                    out.push(item.clone());
                }
            }
            seen.pop();
        }
        self.lists
            .keys()
            .map(|name| {
                let mut out = Vec::new();
                expand(name, &self.lists, &mut Vec::new(), &mut out);
                (name.clone(), out)
            })
            .collect()
    }

    /// Compiles every rule read so far.
    pub fn compile(&self) -> RuleSet {
        let lists = self.expanded_lists();
        let macros: HashMap<String, Result<Expr, String>> = self
            .macros
            .iter()
            .map(|(n, m)| {
                (
                    n.clone(),
                    condition::parse(&m.condition).map_err(|e| e.to_string()),
                )
            })
            .collect();
        let defs = Definitions {
            macros: &macros,
            lists: &lists,
        };
        let mut set = RuleSet {
            problems: self.problems.clone(),
            ..RuleSet::default()
        };
        for r in &self.rules {
            let status = |status: Status, reason: Option<String>| RuleStatus {
                name: r.name.clone(),
                file: r.location.path.clone(),
                line: r.location.line,
                source: r.source.clone(),
                status,
                reason,
            };
            match compile_rule(r, &defs) {
                Ok(rule) => {
                    if r.enabled {
                        set.statuses.push(status(Status::Loaded, None));
                        set.rules.push(rule);
                    } else {
                        set.statuses.push(status(Status::NotEnabled, None));
                    }
                }
                Err(why) => set.statuses.push(status(Status::Disabled, Some(why))),
            }
        }
        set
    }
}

fn exception_expr(e: &ExceptionDef, rule: &str) -> Result<Option<Expr>, String> {
    if e.values.is_empty() {
        return Ok(None);
    }
    let field_names: Vec<String> = match &e.fields {
        Some(OneOrMany::One(f)) => vec![f.clone()],
        Some(OneOrMany::Many(f)) => f.clone(),
        None => {
            return Err(format!(
                "exception `{}` of rule `{rule}` has no fields",
                e.name
            ));
        }
    };
    let comps: Vec<String> = match &e.comps {
        Some(OneOrMany::One(c)) => vec![c.clone()],
        Some(OneOrMany::Many(c)) => c.clone(),
        None => vec!["=".to_string(); field_names.len()],
    };
    if comps.len() != field_names.len() {
        return Err(format!(
            "exception `{}` has {} fields but {} comps",
            e.name,
            field_names.len(),
            comps.len()
        ));
    }
    let fields = field_names
        .iter()
        .map(|f| {
            condition::parse_field(f)
                .map_err(|err| format!("exception `{}`: field `{f}`: {}", e.name, err.message))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let ops = comps
        .iter()
        .map(|c| {
            Op::parse(c).ok_or_else(|| format!("exception `{}`: unknown comparison `{c}`", e.name))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let check = |i: usize, item: &ExcItem| -> Result<Expr, String> {
        let (Some(field), Some(op)) = (fields.get(i), ops.get(i)) else {
            return Err(format!(
                "exception `{}` has more values than fields",
                e.name
            ));
        };
        let rhs = match (item, op.takes_list()) {
            (ExcItem::List(items), _) => Rhs::List(
                items
                    .iter()
                    .map(|t| Value {
                        text: t.clone(),
                        quoted: false,
                    })
                    .collect(),
            ),
            (ExcItem::Str(s), true) => {
                if s.trim_start().starts_with('(') {
                    Rhs::List(
                        condition::parse_value_list(s)
                            .map_err(|err| format!("exception `{}`: {err}", e.name))?,
                    )
                } else {
                    Rhs::List(vec![Value {
                        text: s.clone(),
                        quoted: false,
                    }])
                }
            }
            (ExcItem::Str(s), false) => Rhs::Value(Value {
                text: s.clone(),
                quoted: true,
            }),
        };
        Ok(Expr::Check(Check {
            field: field.clone(),
            op: *op,
            rhs,
        }))
    };
    let mut alternatives = Vec::new();
    for v in &e.values {
        match v {
            ExcValue::One(item) if fields.len() == 1 => alternatives.push(check(0, item)?),
            ExcValue::One(_) => {
                return Err(format!(
                    "exception `{}` has {} fields but a value that is not a list",
                    e.name,
                    fields.len()
                ));
            }
            ExcValue::Tuple(items) => {
                if items.len() != fields.len() {
                    return Err(format!(
                        "exception `{}` has {} fields but a value with {} items",
                        e.name,
                        fields.len(),
                        items.len()
                    ));
                }
                let checks = items
                    .iter()
                    .enumerate()
                    .map(|(i, it)| check(i, it))
                    .collect::<Result<Vec<_>, _>>()?;
                alternatives.push(Expr::And(checks));
            }
        }
    }
    Ok(Some(Expr::Not(Box::new(Expr::Or(alternatives)))))
}

fn compile_rule(r: &RuleDef, defs: &Definitions<'_>) -> Result<Rule, String> {
    if let Some(why) = &r.file_error {
        return Err(format!("its file cannot be used: {why}"));
    }
    let Some(source) = Source::from_rule_name(&r.source) else {
        return Err(format!(
            "source `{}` is not one Harrier evaluates (syscall, k8s_audit)",
            r.source
        ));
    };
    let expr = condition::parse(&r.condition).map_err(|e| format!("condition: {e}"))?;
    let mut parts = vec![expr];
    for e in &r.exceptions {
        if let Some(x) = exception_expr(e, &r.name)? {
            parts.push(x);
        }
    }
    let expr = if parts.len() == 1 {
        parts.pop().unwrap_or(Expr::And(Vec::new()))
    } else {
        Expr::And(parts)
    };
    let condition = compile::compile(&expr, source, defs)?;
    let output = Template::compile(&r.output, source)?;
    let types = match source {
        Source::Syscall => compile::event_types(&condition),
        Source::K8sAudit => TypeSet::All,
    };
    Ok(Rule {
        name: r.name.clone(),
        desc: r.desc.clone(),
        priority: r.priority,
        tags: r.tags.clone(),
        source,
        condition,
        output,
        types,
        location: r.location.clone(),
    })
}

/// Reads rule files from disk, in order, and compiles them. Unreadable files are problems.
pub fn load_files<P: AsRef<std::path::Path>>(paths: &[P]) -> RuleSet {
    let mut loader = Loader::new();
    let mut unreadable = Vec::new();
    for p in paths {
        let p = p.as_ref();
        let name = p.display().to_string();
        match std::fs::read_to_string(p) {
            Ok(text) => loader.add_text(&name, &text),
            Err(e) => unreadable.push(Problem {
                location: Location::new(Arc::from(name.as_str()), harrier_core::Pos::new(1, 1)),
                message: format!("cannot read: {e}"),
            }),
        }
    }
    let mut set = loader.compile();
    set.problems.extend(unreadable);
    set
}

/// An `append` adds the text after a space, as Falco joins appended conditions and outputs;
/// an `override: replace` takes its place.
fn append_or_replace(field: &mut String, text: String, change: Change) {
    if change == Change::Append {
        field.push(' ');
        field.push_str(&text);
    } else {
        *field = text;
    }
}
