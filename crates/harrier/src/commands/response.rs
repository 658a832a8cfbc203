//! `harrier response validate`, and the responder that `harrier replay` and `harrier audit`
//! apply to their alerts with `--response` (the policy, dry-run, trail and cluster access
//! resolved from the flags here, so both commands build it the same way).

use anyhow::Context;
use harrier_response::{ActionRecord, AuditTrail, Outcome, Policy, Responder};

use crate::cli::{ResponseArgs, ResponseCommand, ResponseValidateArgs};
use crate::exit::ExitStatus;
use crate::printer::Printer;

pub fn run(command: ResponseCommand, printer: &Printer) -> anyhow::Result<ExitStatus> {
    match command {
        ResponseCommand::Validate(args) => validate(&args, printer),
    }
}

fn validate(args: &ResponseValidateArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let policy = match Policy::load(&args.file) {
        Ok(p) => p,
        Err(e @ harrier_response::Error::Policy { .. }) => {
            printer.error(&e.to_string());
            return Ok(ExitStatus::Findings);
        }
        Err(e) => return Err(e.into()),
    };
    super::write_output(None, |out| {
        writeln!(
            out,
            "{}: {} responses; dry_run: {}; at most {} actions a minute; a pod is acted on at most once in {}s",
            policy.file,
            policy.responses.len(),
            policy.dry_run,
            policy.limits.max_actions_per_minute,
            policy.limits.pod_cooldown_seconds,
        )?;
        for r in &policy.responses {
            let actions: Vec<&str> = r.actions.iter().map(|a| a.kind().as_str()).collect();
            writeln!(out, "  {} ({}): {}", r.name, r.location, actions.join(", "))?;
        }
        let namespaces: Vec<&str> = policy
            .exclude
            .namespaces
            .iter()
            .map(String::as_str)
            .collect();
        writeln!(
            out,
            "never touched: namespaces {}; processes outside containers {}",
            namespaces.join(", "),
            if policy.exclude.allow_host_processes {
                "may be killed"
            } else {
                "are never killed"
            }
        )
    })?;
    Ok(ExitStatus::Success)
}

/// The responder the flags ask for, or `None` without `--response`.
pub(super) fn open(args: &ResponseArgs, printer: &Printer) -> anyhow::Result<Option<Responder>> {
    let Some(path) = &args.response else {
        return Ok(None);
    };
    let policy = Policy::load(path)?;
    let needs_cluster = policy.needs_cluster();
    let mut responder = Responder::new(policy).with_dry_run(args.dry_run);
    if needs_cluster && !responder.is_dry_run() {
        #[cfg(feature = "cluster")]
        {
            let options = harrier_k8s::cluster::ClusterOptions {
                kubeconfig: args.kubeconfig.clone(),
                context: args.context.clone(),
                ..harrier_k8s::cluster::ClusterOptions::default()
            };
            let cluster = harrier_response::cluster::Cluster::connect(&options)?;
            responder = responder.with_cluster(cluster);
        }
        #[cfg(not(feature = "cluster"))]
        printer.warning(
            "this build has no Kubernetes API support: the policy's Kubernetes actions will fail",
        );
    }
    if let Some(log) = &args.response_log {
        responder = responder.with_trail(AuditTrail::open(log)?);
    }
    if responder.is_dry_run() {
        printer.note("response: dry run: every action is decided and recorded, none is performed");
    }
    Ok(Some(responder))
}

/// Counts of response outcomes, reported at the end.
#[derive(Debug, Default)]
pub(super) struct Tally {
    ok: usize,
    refused: usize,
    failed: usize,
    dry_run: bool,
}

impl Tally {
    pub(super) fn add(&mut self, records: &[ActionRecord]) {
        for r in records {
            self.dry_run |= r.dry_run;
            match r.outcome {
                Outcome::Ok => self.ok += 1,
                Outcome::Refused => self.refused += 1,
                Outcome::Error => self.failed += 1,
            }
        }
    }

    /// Prints the summary; a failed action makes the run an error.
    pub(super) fn finish(&self, printer: &Printer) -> ExitStatus {
        let total = self.ok + self.refused + self.failed;
        let message = format!(
            "response: {total} actions decided{}: {} {}, {} refused, {} failed",
            if self.dry_run { " (dry run)" } else { "" },
            self.ok,
            if self.dry_run {
                "would be done"
            } else {
                "done"
            },
            self.refused,
            self.failed
        );
        if self.failed > 0 {
            printer.error(&message);
            ExitStatus::Error
        } else {
            if total > 0 {
                printer.warning(&message);
            }
            ExitStatus::Success
        }
    }
}

/// Applies `responder` to `alert`, from `event` (whose process start time guards kills).
pub(super) fn respond(
    responder: &mut Responder,
    tally: &mut Tally,
    alert: &harrier_runtime::Alert,
    event: &harrier_runtime::event::Event,
) -> anyhow::Result<()> {
    let records = responder
        .respond(alert, harrier_response::ProcessRef::from_event(event))
        .context("response actions")?;
    tally.add(&records);
    Ok(())
}
