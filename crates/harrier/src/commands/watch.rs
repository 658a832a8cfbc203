//! `harrier watch`: the posture checks of `scan cluster`, kept up to date from watches, with
//! each finding that appears or disappears reported as an alert.
//!
//! After a batch of changes, only what the changes can affect is evaluated again. Checks relate
//! objects within a namespace (a Service and the pods it selects, a NetworkPolicy and its
//! pods, a workload and its ServiceAccount) or through cluster-scoped and RBAC objects, so a
//! batch that changes only namespaced, non-RBAC objects re-runs the checks over those
//! namespaces' objects plus every cluster-scoped and RBAC object, and replaces the findings of
//! those namespaces (and of their Namespace objects) alone. A change to a cluster-scoped or
//! RBAC object (a ClusterRoleBinding can change a finding in every namespace) re-evaluates
//! everything. Findings are keyed by fingerprint and message, so a changed value on the same
//! field is one `resolved` and one `finding`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::OpenOptions;
use std::io::{BufWriter, Write};
use std::ops::ControlFlow;
use std::time::Duration;

use anyhow::Context;
use harrier_core::exceptions::ExceptionSet;
use harrier_core::{Catalog, CheckId, Finding};
use harrier_k8s::cluster::watch::{Change, Follower, ObjectKey, WatchOptions, watch_cluster};
use harrier_k8s::cluster::{ClusterOptions, ClusterSnapshot, without_controlled};
use harrier_k8s::{Object, ObjectIndex};
use harrier_posture::{ScanOptions, scan};
use harrier_report::alert::{Alert, Transition, batch_json, write_line};

use crate::cli::{GlobalArgs, WatchArgs};
use crate::exit::ExitStatus;
use crate::printer::Printer;

/// Where alerts go.
struct Sinks {
    out: Box<dyn Write>,
    webhook: Option<(ureq::Agent, String)>,
}

/// The checks to run and the findings currently reported.
struct Evaluator {
    catalog: Catalog,
    selected: Option<Vec<CheckId>>,
    exceptions: Option<ExceptionSet>,
    current: HashMap<String, Finding>,
}

/// What a batch of changes can affect.
enum Scope {
    /// Everything: a cluster-scoped or RBAC object changed.
    All,
    /// The objects of these namespaces.
    Namespaces(BTreeSet<String>),
}

/// Kinds whose change can alter findings in any namespace.
const CLUSTER_WIDE_KINDS: &[&str] = &["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"];

impl Scope {
    fn of(changes: &[Change]) -> Scope {
        let mut namespaces = BTreeSet::new();
        for change in changes {
            let (kind, namespace) = match change {
                Change::Applied(object) => (object.kind(), object.resource.namespace.as_deref()),
                Change::Deleted(key) => (key.kind.as_str(), key.namespace.as_deref()),
            };
            match namespace {
                Some(ns) if !CLUSTER_WIDE_KINDS.contains(&kind) => {
                    namespaces.insert(ns.to_owned());
                }
                _ => return Scope::All,
            }
        }
        Scope::Namespaces(namespaces)
    }

    /// Whether `object` is evaluated for this scope: its namespace's objects, and every
    /// object that can bear on them.
    fn reads(&self, object: &Object) -> bool {
        match (self, object.resource.namespace.as_deref()) {
            (Scope::All, _) | (_, None) => true,
            (Scope::Namespaces(namespaces), Some(ns)) => {
                namespaces.contains(ns) || CLUSTER_WIDE_KINDS.contains(&object.kind())
            }
        }
    }

    /// Whether `finding` is one this scope recomputes: on an object of its namespaces, or on
    /// one of their Namespace objects.
    fn owns(&self, finding: &Finding) -> bool {
        match self {
            Scope::All => true,
            Scope::Namespaces(namespaces) => {
                let resource = &finding.resource;
                match (&resource.namespace, resource.kind.as_str(), &resource.name) {
                    (Some(ns), _, _) => {
                        namespaces.contains(ns)
                            && !CLUSTER_WIDE_KINDS.contains(&resource.kind.as_str())
                    }
                    (None, "Namespace", Some(name)) => namespaces.contains(name),
                    _ => false,
                }
            }
        }
    }
}

pub fn run(args: WatchArgs, _global: &GlobalArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let catalog = super::catalog()?;
    let (selected, exceptions) = crate::settings::posture_selection(&args.selection, &catalog)?;
    let sinks = Sinks {
        out: match &args.output {
            Some(path) => Box::new(BufWriter::new(
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .with_context(|| format!("cannot open {}", path.display()))?,
            )),
            None => Box::new(std::io::stdout()),
        },
        webhook: args
            .webhook
            .as_deref()
            .map(super::webhook::client)
            .transpose()?,
    };
    let options = WatchOptions {
        cluster: ClusterOptions {
            kubeconfig: args.kubeconfig.clone(),
            context: args.context.clone(),
            namespace: args.namespace.clone(),
            label_selector: args.selector.clone(),
            ..ClusterOptions::default()
        },
        debounce: Duration::from_millis(args.debounce),
        stop_after: args.duration.map(Duration::from_secs),
        ..WatchOptions::default()
    };
    let evaluator = Evaluator {
        catalog,
        selected,
        exceptions,
        current: HashMap::new(),
    };
    let mut follower = AlertFollower {
        evaluator,
        sinks,
        store: BTreeMap::new(),
        context: String::new(),
        changes_only: args.changes_only,
        printer,
        failure: None,
    };
    let watched = watch_cluster(&options, &mut follower);
    if let Err(e) = watched {
        printer.error(&e.to_string());
        return Ok(ExitStatus::Error);
    }
    match follower.failure {
        Some(e) => Err(e),
        None => Ok(ExitStatus::Success),
    }
}

/// Keeps the cluster's objects, re-evaluates on each batch, writes the difference.
struct AlertFollower<'p> {
    evaluator: Evaluator,
    sinks: Sinks,
    store: BTreeMap<ObjectKey, Object>,
    context: String,
    changes_only: bool,
    printer: &'p Printer,
    /// Why alerts could not be written, which ends the watch.
    failure: Option<anyhow::Error>,
}

impl Follower for AlertFollower<'_> {
    fn snapshot(&mut self, snapshot: ClusterSnapshot) {
        self.context.clone_from(&snapshot.context);
        for skipped in &snapshot.skipped {
            self.printer
                .warning(&skipped.to_warning(&snapshot.context).to_string());
        }
        self.printer.note(&format!(
            "watching {} objects of {} ({})",
            snapshot.loaded.objects.len(),
            snapshot.context,
            snapshot.server
        ));
        self.store = snapshot
            .loaded
            .objects
            .into_iter()
            .map(|o| (ObjectKey::of(&o), o))
            .collect();
        let (found, _, _) = self.evaluator.update(&self.store, &Scope::All);
        if !self.changes_only {
            let emitted =
                self.sinks
                    .emit(&self.evaluator.catalog, &self.context, true, &found, &[]);
            self.failure = emitted.err();
        }
    }

    fn changes(&mut self, batch: Vec<Change>) -> ControlFlow<()> {
        if self.failure.is_some() {
            return ControlFlow::Break(());
        }
        let changes = batch.len();
        let scope = Scope::of(&batch);
        for change in batch {
            match change {
                Change::Applied(object) => {
                    self.store.insert(ObjectKey::of(&object), object);
                }
                Change::Deleted(key) => {
                    self.store.remove(&key);
                }
            }
        }
        let started = std::time::Instant::now();
        let (found, resolved, evaluated) = self.evaluator.update(&self.store, &scope);
        self.printer.note(&format!(
            "{changes} changes: {evaluated} of {} objects evaluated in {} ms, {} new and {} resolved findings",
            self.store.len(),
            started.elapsed().as_millis(),
            found.len(),
            resolved.len()
        ));
        match self.sinks.emit(
            &self.evaluator.catalog,
            &self.context,
            false,
            &found,
            &resolved,
        ) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                self.failure = Some(e);
                ControlFlow::Break(())
            }
        }
    }
}

impl Evaluator {
    /// Runs the checks over what `scope` reads of `store`; returns the findings that appeared
    /// and those that went among the ones the scope owns, and how many objects were evaluated.
    fn update(
        &mut self,
        store: &BTreeMap<ObjectKey, Object>,
        scope: &Scope,
    ) -> (Vec<Finding>, Vec<Finding>, usize) {
        let read: Vec<Object> = store.values().filter(|o| scope.reads(o)).cloned().collect();
        let evaluated = read.len();
        let (objects, _) = without_controlled(read);
        let (index, _) = ObjectIndex::build(objects);
        let result = scan(
            &index,
            &ScanOptions {
                selected: self.selected.clone(),
                exceptions: self.exceptions.as_ref(),
            },
        );
        let now: HashMap<String, Finding> = result
            .findings
            .into_iter()
            .filter(|f| scope.owns(f))
            .map(|f| (format!("{}:{}", f.fingerprint(), f.message), f))
            .collect();
        let resolved_keys: Vec<String> = self
            .current
            .iter()
            .filter(|(key, f)| scope.owns(f) && !now.contains_key(*key))
            .map(|(key, _)| key.clone())
            .collect();
        let resolved: Vec<Finding> = resolved_keys
            .iter()
            .filter_map(|key| self.current.remove(key))
            .collect();
        let mut found = Vec::new();
        for (key, finding) in now {
            if let std::collections::hash_map::Entry::Vacant(entry) = self.current.entry(key) {
                found.push(finding.clone());
                entry.insert(finding);
            }
        }
        found.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.check_id.cmp(&b.check_id))
        });
        (found, resolved, evaluated)
    }
}

impl Sinks {
    fn emit(
        &mut self,
        catalog: &Catalog,
        cluster: &str,
        initial: bool,
        found: &[Finding],
        resolved: &[Finding],
    ) -> anyhow::Result<()> {
        if found.is_empty() && resolved.is_empty() {
            return Ok(());
        }
        let time = crate::settings::now().to_string();
        let alerts: Vec<Alert<'_>> = found
            .iter()
            .map(|f| (Transition::Finding, f))
            .chain(resolved.iter().map(|f| (Transition::Resolved, f)))
            .map(|(transition, finding)| Alert {
                transition,
                time: &time,
                cluster,
                initial,
                finding,
            })
            .collect();
        for alert in &alerts {
            write_line(&mut self.out, catalog, alert).context("cannot write an alert")?;
        }
        self.out.flush().context("cannot write an alert")?;
        if let Some((agent, url)) = &self.webhook {
            let body = batch_json(catalog, &alerts)?;
            super::webhook::post(agent, url, body);
        }
        Ok(())
    }
}
