//! `harrier rules validate`: load Falco-dialect rule files and report what became of each rule.

use harrier_runtime::rules::{self, Status};
use serde::Serialize;

use crate::cli::{RulesCommand, RulesFormat, RulesValidateArgs};
use crate::exit::ExitStatus;
use crate::printer::Printer;

pub fn run(command: RulesCommand, printer: &Printer) -> anyhow::Result<ExitStatus> {
    match command {
        RulesCommand::Validate(args) => validate(&args, printer),
        RulesCommand::ListProfiles(args) => super::profiles::list(&args),
    }
}

#[derive(Serialize)]
struct Summary {
    rules: usize,
    loaded: usize,
    not_enabled: usize,
    disabled: usize,
}

#[derive(Serialize)]
struct Report<'a> {
    rules: &'a [rules::RuleStatus],
    problems: &'a [rules::Problem],
    summary: Summary,
}

fn validate(args: &RulesValidateArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let set = if args.with_builtin {
        super::profiles::load_with_files(&super::profiles::all_builtin(), &args.files)
    } else {
        rules::load_files(&args.files)
    };
    let count = |s: Status| set.statuses.iter().filter(|r| r.status == s).count();
    let summary = Summary {
        rules: set.statuses.len(),
        loaded: count(Status::Loaded),
        not_enabled: count(Status::NotEnabled),
        disabled: count(Status::Disabled),
    };
    let failed = summary.disabled > 0 || !set.problems.is_empty();
    match args.format {
        RulesFormat::Json => {
            let report = Report {
                rules: &set.statuses,
                problems: &set.problems,
                summary,
            };
            super::write_output(None, |out| {
                serde_json::to_writer_pretty(&mut *out, &report)?;
                writeln!(out)
            })?;
        }
        RulesFormat::Text => {
            for p in &set.problems {
                printer.warning(&p.to_string());
            }
            super::write_output(None, |out| {
                for s in &set.statuses {
                    writeln!(out, "{s}")?;
                }
                writeln!(
                    out,
                    "{} rules: {} loaded, {} not enabled, {} disabled; {} file problems",
                    summary.rules,
                    summary.loaded,
                    summary.not_enabled,
                    summary.disabled,
                    set.problems.len()
                )
            })?;
        }
    }
    Ok(if failed {
        ExitStatus::Findings
    } else {
        ExitStatus::Success
    })
}
