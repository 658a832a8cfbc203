//! `harrier scan manifests` and `harrier scan cluster`: objects from files or from the API
//! server, the same checks and reports.

use harrier_k8s::{Error as LoadError, Loaded, ObjectIndex, load};
use harrier_posture::{ScanOptions, scan};
use harrier_report::{Diagnostic, Report, Scanned, TableOptions, ToolInfo};

use crate::cli::{GlobalArgs, ScanCommand};
use crate::exit::ExitStatus;
use crate::printer::Printer;
use crate::settings::{ManifestSettings, OutputSettings};

pub fn run(
    command: ScanCommand,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    match command {
        ScanCommand::Manifests(args) => {
            let catalog = super::catalog()?;
            let settings = ManifestSettings::resolve(args, global, &catalog)?;
            let loaded = load(&settings.paths, &settings.load);
            posture(loaded, &settings, &catalog, printer)
        }
        ScanCommand::Cluster(args) => {
            let catalog = super::catalog()?;
            let Some(loaded) = super::source::read_cluster_for_scan(&args, printer) else {
                return Ok(ExitStatus::Error);
            };
            let settings = ManifestSettings::for_cluster(args, global, &catalog)?;
            posture(loaded, &settings, &catalog, printer)
        }
        ScanCommand::Image(args) => super::image::scan_image_command(args, global, printer),
        ScanCommand::Fs(args) => super::image::scan_fs_command(args, global, printer),
        ScanCommand::Sbom(args) => super::image::scan_sbom_command(args, global, printer),
    }
}

/// Runs the posture checks over loaded objects and writes the report.
fn posture(
    loaded: Loaded,
    settings: &ManifestSettings,
    catalog: &harrier_core::Catalog,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let files = loaded.files;
    let objects = loaded.objects.len();
    let (index, index_problems) = ObjectIndex::build(loaded.objects);
    let result = scan(
        &index,
        &ScanOptions {
            selected: settings.selected.clone(),
            exceptions: settings.exceptions.as_ref(),
        },
    );
    let (errors, warnings) = super::source::print_problems(
        loaded.errors.into_iter().chain(index_problems),
        &[],
        printer,
    );
    let notes: Vec<Diagnostic> = loaded
        .notes
        .into_iter()
        .map(|n| Diagnostic {
            path: n.path,
            line: n.line,
            column: None,
            message: n.message,
        })
        .collect();
    for n in &notes {
        printer.note(&n.to_string());
    }
    let expired = settings
        .exceptions
        .as_ref()
        .map(|set| set.expired.clone())
        .unwrap_or_default();
    for e in &expired {
        printer.warning(&format!(
            "{}: exception expired on {}; it no longer applies",
            e.location, e.expired
        ));
    }

    let report = Report {
        tool: ToolInfo {
            name: "harrier",
            version: env!("CARGO_PKG_VERSION"),
        },
        catalog,
        findings: result.findings,
        suppressed: result.suppressed,
        errors: errors.iter().map(diagnostic).collect(),
        warnings: warnings.iter().map(diagnostic).collect(),
        notes,
        workloads: result.workloads,
        expired_exceptions: expired,
        scanned: Scanned {
            files,
            objects,
            checks: result.checks_run,
        },
    };
    write_report(&report, &settings.output)?;
    Ok(exit_status(&report, &settings.output))
}

fn diagnostic(e: &LoadError) -> Diagnostic {
    let location = e.location();
    Diagnostic {
        path: e.path().clone(),
        line: location.map(|l| l.line),
        column: location.map(|l| l.column),
        message: e.message(),
    }
}

/// Writes the report to its file or stdout.
pub fn write_report(report: &Report<'_>, output: &OutputSettings) -> anyhow::Result<()> {
    let table = TableOptions {
        color: output.color,
        verbose: output.verbose,
    };
    super::write_output(output.file.as_deref(), |out| {
        harrier_report::write(output.format, out, report, table)
    })
}

/// 2 when an input could not be read, else 1 when a finding at or above `--fail-on` remains,
/// else 0. Errors win: a report with unread inputs must not pass a gate.
pub fn exit_status(report: &Report<'_>, output: &OutputSettings) -> ExitStatus {
    if !report.errors.is_empty() {
        return ExitStatus::Error;
    }
    match (output.fail_on, report.max_severity()) {
        (Some(threshold), Some(max)) if max >= threshold => ExitStatus::Findings,
        _ => ExitStatus::Success,
    }
}
