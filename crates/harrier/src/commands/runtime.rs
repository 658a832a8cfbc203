//! `harrier audit` and `harrier replay`: Falco-dialect rules over recorded events, alerts as
//! Falcosidekick-compatible JSON lines to standard output or a file, and to a webhook; with
//! `--response`, each alert is then handed to the response policy (commands/response.rs).

use std::fs::OpenOptions;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use harrier_runtime::event::{Event, Source};
use harrier_runtime::rules::Status;
use harrier_runtime::{Alert, Engine, decode};

use crate::cli::{AlertOutputArgs, AuditArgs, ReplayArgs};
use crate::exit::ExitStatus;
use crate::printer::Printer;

/// Where alerts go.
pub(super) struct Sink {
    out: Box<dyn Write>,
    webhook: Option<(ureq::Agent, String)>,
}

impl Sink {
    pub(super) fn new(args: &AlertOutputArgs) -> anyhow::Result<Sink> {
        let out: Box<dyn Write> = match &args.output {
            Some(path) => Box::new(BufWriter::new(
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .with_context(|| format!("cannot open {}", path.display()))?,
            )),
            None => Box::new(BufWriter::new(io::stdout())),
        };
        Ok(Sink {
            out,
            webhook: args
                .webhook
                .as_deref()
                .map(super::webhook::client)
                .transpose()?,
        })
    }

    /// Writes one alert; `false` when standard output was closed (`| head`).
    pub(super) fn send(&mut self, alert: &Alert) -> anyhow::Result<bool> {
        let line = serde_json::to_string(alert)?;
        match writeln!(self.out, "{line}") {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(false),
            other => other.context("cannot write an alert")?,
        }
        if let Some((agent, url)) = &self.webhook {
            super::webhook::post(agent, url, line);
        }
        Ok(true)
    }

    pub(super) fn finish(mut self) -> anyhow::Result<()> {
        self.flush()
    }

    /// Flushes what was written so far.
    pub(super) fn flush(&mut self) -> anyhow::Result<()> {
        match self.out.flush() {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other.context("cannot write an alert"),
        }
    }
}

pub(super) fn hostname(args: &AlertOutputArgs) -> String {
    args.hostname.clone().unwrap_or_else(|| {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "localhost".to_string())
    })
}

/// Loads the built-in `profiles` then the rule files, reporting disabled rules and file
/// problems as warnings.
pub(super) fn load(
    rule_files: &[PathBuf],
    profiles: &[&harrier_runtime::profiles::Builtin],
    source: Option<Source>,
    printer: &Printer,
) -> Engine {
    let set = super::profiles::load_with_files(profiles, rule_files);
    for p in &set.problems {
        printer.warning(&p.to_string());
    }
    for s in &set.statuses {
        let relevant = source.is_none_or(|src| s.source == src.as_str());
        if s.status == Status::Disabled && relevant {
            printer.warning(&s.to_string());
        }
    }
    let rules = set
        .rules
        .into_iter()
        .filter(|r| source.is_none_or(|src| r.source == src))
        .collect::<Vec<_>>();
    printer.note(&format!("{} rules loaded", rules.len()));
    Engine::from_rules(rules)
}

fn run(
    files: &[PathBuf],
    engine: &Engine,
    out: &AlertOutputArgs,
    printer: &Printer,
    decoder: fn(&str) -> (Vec<Event>, Vec<harrier_runtime::event::audit::DecodeError>),
    mut baselines: Option<&mut super::baseline::Replay>,
    mut responder: Option<&mut harrier_response::Responder>,
) -> anyhow::Result<ExitStatus> {
    let host = hostname(out);
    let mut sink = Sink::new(out)?;
    let mut tally = super::response::Tally::default();
    let mut status = ExitStatus::Success;
    // Resource signals in the stream are combined with their container's other alerts.
    let mut correlator =
        harrier_runtime::Correlator::new(harrier_runtime::CorrelatorConfig::default());
    'files: for path in files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                printer.error(&format!("{}: cannot read: {e}", path.display()));
                status = ExitStatus::Error;
                continue;
            }
        };
        let (events, errors) = decoder(&text);
        for e in &errors {
            printer.error(&format!("{}:{e}", path.display()));
            status = ExitStatus::Error;
        }
        for event in &events {
            let mut alerts = correlator.alerts(engine, event, &host);
            if let Some(b) = baselines.as_deref_mut() {
                let drift = super::baseline::observe(b, event, &alerts, &host)?;
                alerts.extend(drift);
            }
            for alert in alerts {
                if !sink.send(&alert)? {
                    break 'files;
                }
                if let Some(r) = responder.as_deref_mut() {
                    super::response::respond(r, &mut tally, &alert, event)?;
                }
            }
        }
    }
    sink.finish()?;
    if responder.is_some() && tally.finish(printer) == ExitStatus::Error {
        status = ExitStatus::Error;
    }
    Ok(status)
}

fn audit_decoder(text: &str) -> (Vec<Event>, Vec<harrier_runtime::event::audit::DecodeError>) {
    let (events, errors) = harrier_runtime::event::audit::decode(text);
    (
        events
            .into_iter()
            .map(|e| Event::K8sAudit(Box::new(e)))
            .collect(),
        errors,
    )
}

pub fn audit(args: AuditArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let engine = super::profiles::load_audit(&args.rules, !args.no_builtin_rules, printer);
    if engine.rules().is_empty() {
        anyhow::bail!(
            "no k8s_audit rule loaded: --no-builtin-rules and none from the --rules files"
        );
    }
    let mut responder = super::response::open(&args.response, printer)?;
    run(
        &args.files,
        &engine,
        &args.output,
        printer,
        audit_decoder,
        None,
        responder.as_mut(),
    )
}

pub fn replay(args: ReplayArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let profiles = super::profiles::selected(&args.profiles)?;
    let engine = load(&args.rules, &profiles, None, printer);
    if engine.rules().is_empty() && args.baselines.baselines.is_none() {
        anyhow::bail!(
            "no rule loaded: no built-in profile selected and none from the --rules files"
        );
    }
    let mut baselines = super::baseline::open(&args.baselines, printer)?;
    let mut responder = super::response::open(&args.response, printer)?;
    let status = run(
        &args.files,
        &engine,
        &args.output,
        printer,
        decode::decode,
        baselines.as_mut(),
        responder.as_mut(),
    )?;
    if let Some(b) = &baselines {
        super::baseline::finish(b, printer)?;
    }
    Ok(status)
}
