//! `harrier report compliance|frameworks`: a framework's controls decided from Harrier JSON
//! reports, and the list of frameworks.

use std::io::{IsTerminal, Read};

use anyhow::Context;
use harrier_compliance::{Observations, evaluate, framework};
use harrier_report::ToolInfo;
use harrier_report::compliance::{self, ComplianceFormat as Format, FrameworkLine};

use crate::cli::{ComplianceArgs, ComplianceFormat, GlobalArgs, ListFormat, ReportCommand};
use crate::exit::ExitStatus;
use crate::printer::Printer;

pub fn run(
    command: ReportCommand,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    match command {
        ReportCommand::Compliance(args) => compliance_command(args, global, printer),
        ReportCommand::Frameworks { format } => {
            let all = framework::all()?;
            let lines: Vec<FrameworkLine<'_>> = all.iter().map(FrameworkLine::of).collect();
            super::write_output(None, |out| {
                compliance::write_frameworks(out, &lines, format == ListFormat::Json)
            })?;
            Ok(ExitStatus::Success)
        }
    }
}

fn compliance_command(
    args: ComplianceArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let fw = framework::get(&args.framework)?;
    let mut obs = Observations::default();
    let mut read_stdin = false;
    for path in &args.files {
        let (name, text) = if path.as_os_str() == "-" {
            anyhow::ensure!(!read_stdin, "`-` (standard input) is given twice");
            read_stdin = true;
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read standard input")?;
            ("-".to_owned(), text)
        } else {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            (path.display().to_string(), text)
        };
        obs.read(&name, &text)?;
    }
    for w in &obs.warnings {
        printer.warning(w);
    }
    let report = evaluate(fw, &obs);
    let format = match args.format {
        ComplianceFormat::Table => Format::Table,
        ComplianceFormat::Json => Format::Json,
        ComplianceFormat::Csv => Format::Csv,
        ComplianceFormat::Html => Format::Html,
    };
    let color = format == Format::Table
        && args.output.is_none()
        && global.color.enabled(std::io::stdout().is_terminal());
    let tool = ToolInfo {
        name: "harrier",
        version: env!("CARGO_PKG_VERSION"),
    };
    super::write_output(args.output.as_deref(), |out| {
        compliance::write(format, out, &report, &tool, color)
    })?;
    Ok(match (args.fail_under, report.summary.score) {
        (Some(min), Some(score)) if score < min => ExitStatus::Findings,
        // Nothing decided is no evidence of compliance: a gate must not pass on it.
        (Some(_), None) => ExitStatus::Findings,
        _ => ExitStatus::Success,
    })
}
