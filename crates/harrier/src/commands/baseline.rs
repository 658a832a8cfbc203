//! Behavioural baselines in the CLI: `harrier replay --baselines DIR` (learn, lock, alert on
//! drift) and `harrier baseline show|lock|diff`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use harrier_runtime::baseline::{self, Baselines, Learn, Settings, State, file};
use harrier_runtime::event::Event;
use harrier_runtime::{Alert, decode, profiles};
use serde::Serialize;

use crate::cli::{
    BaselineArgs, BaselineCommand, BaselineDiffArgs, BaselineLockArgs, BaselineShowArgs,
    RulesFormat, TrustArgs,
};
use crate::exit::ExitStatus;
use crate::printer::Printer;

pub fn run(command: BaselineCommand, printer: &Printer) -> anyhow::Result<ExitStatus> {
    match command {
        BaselineCommand::Show(args) => show(&args, printer),
        BaselineCommand::Lock(args) => lock(&args, printer),
        BaselineCommand::Diff(args) => diff(&args, printer),
    }
}

fn settings(learn: Learn, trust: &TrustArgs) -> Settings {
    Settings {
        learn,
        min_observations: trust.min_observations.max(1),
        min_pods: trust.min_pods.max(1),
    }
}

/// Loads DIR's baselines; a file that cannot be read is an error naming it, and stops the
/// command (rewriting the directory would otherwise drop the person's edits).
fn load(dir: &Path, settings: Settings) -> anyhow::Result<Baselines> {
    let mut b = Baselines::new(settings);
    let errors = file::load_dir(dir, &mut b);
    if let Some(first) = errors.first() {
        let rest: Vec<String> = errors.iter().skip(1).map(ToString::to_string).collect();
        anyhow::bail!(
            "{first}{}{}",
            if rest.is_empty() { "" } else { "\n" },
            rest.join("\n")
        );
    }
    Ok(b)
}

/// The baselines of a `harrier replay --baselines DIR` run.
pub struct Replay {
    dir: PathBuf,
    baselines: Baselines,
}

/// The baselines of `harrier replay --baselines`, when asked for.
pub fn open(args: &BaselineArgs, printer: &Printer) -> anyhow::Result<Option<Replay>> {
    let Some(dir) = &args.baselines else {
        return Ok(None);
    };
    let learn = match (&args.learn, args.learn_events) {
        (Some(text), _) => {
            Learn::Duration(baseline::parse_duration(text).with_context(|| {
                format!("--learn `{text}`: not a duration such as 30m, 2h or 1d")
            })?)
        }
        (None, Some(n)) => Learn::Events(n),
        (None, None) => Learn::Manual,
    };
    let b = load(dir, settings(learn, &args.trust))?;
    let (locked, learning) = b.iter().fold((0, 0), |(l, n), x| match x.state {
        State::Locked => (l + 1, n),
        State::Learning => (l, n + 1),
    });
    printer.note(&format!(
        "{} baselines loaded from {} ({locked} locked, {learning} learning)",
        locked + learning,
        dir.display()
    ));
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the baselines directory {}", dir.display()))?;
    Ok(Some(Replay {
        dir: dir.clone(),
        baselines: b,
    }))
}

/// Learns from or checks one event; the threat-profile rules it raised flag what is learned.
/// A baseline whose learning window ends is written at once.
pub fn observe(
    r: &mut Replay,
    event: &Event,
    alerts: &[Alert],
    host: &str,
) -> anyhow::Result<Vec<Alert>> {
    let hits: Vec<&str> = alerts
        .iter()
        .filter(|a| profiles::profile_of(&a.tags).is_some())
        .map(|a| a.rule.as_str())
        .collect();
    let drift = r.baselines.observe(event, &hits, host);
    for w in r.baselines.take_newly_locked() {
        if let Some(b) = r.baselines.get(&w) {
            file::save(&r.dir, b)?;
        }
    }
    Ok(drift)
}

/// Writes the baselines of a replay back (at its end).
pub fn finish(r: &Replay, printer: &Printer) -> anyhow::Result<()> {
    save(&r.dir, &r.baselines, printer)
}

/// Writes the baselines back.
fn save(dir: &Path, b: &Baselines, printer: &Printer) -> anyhow::Result<()> {
    let written = file::save_dir(dir, b)?;
    printer.note(&format!(
        "{} baselines written to {}{}",
        written.len(),
        dir.display(),
        if b.repeats > 0 {
            format!("; {} repeated drifts not alerted again", b.repeats)
        } else {
            String::new()
        }
    ));
    Ok(())
}

#[derive(Serialize)]
struct Shown {
    workload: baseline::WorkloadKey,
    file: String,
    state: &'static str,
    events: u64,
    pods: usize,
    allowed: usize,
    flagged: usize,
    learning: usize,
    entries: Vec<ShownEntry>,
}

#[derive(Serialize)]
struct ShownEntry {
    kind: &'static str,
    entry: String,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    observations: u64,
    pods: usize,
}

fn show(args: &BaselineShowArgs, _printer: &Printer) -> anyhow::Result<ExitStatus> {
    let b = load(&args.dir, Settings::default())?;
    let shown: Vec<Shown> = b
        .iter()
        .map(|x| {
            let (allowed, flagged, learning) = x.counts();
            Shown {
                workload: x.workload.clone(),
                file: file::file_name(&x.workload),
                state: match x.state {
                    State::Learning => "learning",
                    State::Locked => "locked",
                },
                events: x.events,
                pods: x.pods.len(),
                allowed,
                flagged,
                learning,
                entries: x
                    .entries
                    .iter()
                    .map(|e| ShownEntry {
                        kind: e.key.kind().as_str(),
                        entry: e.key.describe(),
                        status: e.status.as_str(),
                        reason: e.reason.clone(),
                        observations: e.observations,
                        pods: e.pods.len(),
                    })
                    .collect(),
            }
        })
        .collect();
    super::write_output(None, |out| match args.format {
        RulesFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &shown)?;
            writeln!(out)
        }
        RulesFormat::Text => {
            for s in &shown {
                let w = &s.workload;
                writeln!(
                    out,
                    "{} {}/{} container {} ({}): {}, {} events from {} pods; {} allowed, {} flagged, {} learning [{}]",
                    w.owner_kind,
                    w.namespace,
                    w.owner_name,
                    w.container,
                    w.image,
                    s.state,
                    s.events,
                    s.pods,
                    s.allowed,
                    s.flagged,
                    s.learning,
                    s.file
                )?;
                for e in &s.entries {
                    write!(out, "  {:<8} {:<10} {}", e.status, e.kind, e.entry)?;
                    match &e.reason {
                        Some(r) => writeln!(out, "  ({r})")?,
                        None => writeln!(out)?,
                    }
                }
            }
            Ok(())
        }
    })?;
    Ok(ExitStatus::Success)
}

fn lock(args: &BaselineLockArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let mut b = load(&args.dir, settings(Learn::Manual, &args.trust))?;
    let learning = b.iter().filter(|x| x.state == State::Learning).count();
    b.lock_all();
    save(&args.dir, &b, printer)?;
    printer.note(&format!("{learning} baselines locked"));
    Ok(ExitStatus::Success)
}

fn diff(args: &BaselineDiffArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let mut b = load(&args.dir, Settings::default())?;
    let mut status = ExitStatus::Success;
    // workload → entry → status (each drift is reported once)
    let mut drift: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let files: Vec<PathBuf> = args.files.clone();
    for path in &files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                printer.error(&format!("{}: cannot read: {e}", path.display()));
                status = ExitStatus::Error;
                continue;
            }
        };
        let (events, errors) = decode::decode(&text);
        for e in &errors {
            printer.error(&format!("{}:{e}", path.display()));
            status = ExitStatus::Error;
        }
        for event in &events {
            for a in b.observe(event, &[], "-") {
                let field = |k: &str| {
                    a.output_fields
                        .get(k)
                        .and_then(|v| v.as_str())
                        .unwrap_or("")
                        .to_string()
                };
                drift
                    .entry(field("harrier.baseline.workload"))
                    .or_default()
                    .insert(
                        format!(
                            "{:<10} {}",
                            field("harrier.baseline.kind"),
                            field("harrier.baseline.entry")
                        ),
                        field("harrier.baseline.status"),
                    );
            }
        }
    }
    let learning = b.iter().filter(|x| x.state == State::Learning).count();
    if learning > 0 {
        printer.note(&format!(
            "{learning} workloads have no locked baseline (learning or new): not compared"
        ));
    }
    super::write_output(None, |out| {
        for (workload, entries) in &drift {
            writeln!(out, "{workload}:")?;
            for (entry, st) in entries {
                writeln!(out, "  + {entry}  [{st}]")?;
            }
        }
        Ok(())
    })?;
    if !drift.is_empty() && status == ExitStatus::Success {
        status = ExitStatus::Findings;
    }
    Ok(status)
}
