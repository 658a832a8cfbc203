//! `harrier watch`: the posture checks of `scan cluster`, kept up to date from watches, with
//! each finding that appears or disappears reported as an alert.
//!
//! After each batch of changes the checks run again over the whole current state (cross-object
//! checks, such as a Service that selects no pod, can change because of an object they do not
//! report on), and only the difference is reported: a finding is keyed by its fingerprint and
//! message, so a changed value on the same field is one `resolved` and one `finding`.

use std::collections::{BTreeMap, HashMap};
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
        webhook: args.webhook.as_deref().map(webhook).transpose()?,
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
        let (found, _) = self.evaluator.update(&self.store);
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
        let (found, resolved) = self.evaluator.update(&self.store);
        self.printer.note(&format!(
            "{changes} changes: {} objects evaluated in {} ms, {} new and {} resolved findings",
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
    /// Runs the checks over `store`; returns the findings that appeared and those that went.
    fn update(&mut self, store: &BTreeMap<ObjectKey, Object>) -> (Vec<Finding>, Vec<Finding>) {
        let (objects, _) = without_controlled(store.values().cloned().collect());
        let (index, _) = ObjectIndex::build(objects);
        let result = scan(
            &index,
            &ScanOptions {
                selected: self.selected.clone(),
                exceptions: self.exceptions.as_ref(),
            },
        );
        let mut now: HashMap<String, Finding> = result
            .findings
            .into_iter()
            .map(|f| (format!("{}:{}", f.fingerprint(), f.message), f))
            .collect();
        let resolved: Vec<Finding> = self
            .current
            .iter()
            .filter(|(key, _)| !now.contains_key(*key))
            .map(|(_, f)| f.clone())
            .collect();
        let mut found: Vec<Finding> = now
            .iter()
            .filter(|(key, _)| !self.current.contains_key(*key))
            .map(|(_, f)| f.clone())
            .collect();
        found.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.check_id.cmp(&b.check_id))
        });
        std::mem::swap(&mut self.current, &mut now);
        (found, resolved)
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
            // A webhook that is down loses nothing: the alerts are in the output already.
            if let Err(e) = agent
                .post(url.as_str())
                .header("Content-Type", "application/json")
                .send(body)
            {
                tracing::warn!("webhook {url}: {e}");
            }
        }
        Ok(())
    }
}

/// The webhook client: https, or http only to loopback (a local relay), so alerts never cross
/// a network in clear text.
fn webhook(url: &str) -> anyhow::Result<(ureq::Agent, String)> {
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|prefix| {
            url.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
        });
    if !url.starts_with("https://") && !loopback {
        anyhow::bail!("--webhook must be an https:// URL (http:// only to loopback): {url}");
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    Ok((agent, url.to_owned()))
}
