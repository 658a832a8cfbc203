//! `harrier scan manifests` and `harrier scan cluster`: objects from files or from the API
//! server, the same checks and reports.

use harrier_k8s::facts::ClusterFacts;
use harrier_k8s::{Error as LoadError, Loaded, ObjectIndex, load};
use harrier_posture::{ScanOptions, scan};
use harrier_report::{
    ClusterReport, ComponentVulnerability, Diagnostic, Report, Scanned, TableOptions, ToolInfo,
};
use harrier_vulndb::{Ecosystem, Query, lookup};

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
            posture(loaded, None, &settings, &catalog, printer)
        }
        ScanCommand::Cluster(args) => {
            let catalog = super::catalog()?;
            let Some((loaded, facts)) = super::source::read_cluster_for_scan(&args, printer) else {
                return Ok(ExitStatus::Error);
            };
            let cluster = cluster_report(facts, global, printer);
            let settings = ManifestSettings::for_cluster(args, global, &catalog)?;
            posture(loaded, Some(cluster), &settings, &catalog, printer)
        }
        ScanCommand::Image(args) => super::image::scan_image_command(args, global, printer),
        ScanCommand::Fs(args) => super::image::scan_fs_command(args, global, printer),
        ScanCommand::Sbom(args) => super::image::scan_sbom_command(args, global, printer),
        ScanCommand::Node(args) => super::node::run(args, global, printer),
        ScanCommand::All(args) => super::all::run(args, global, printer),
    }
}

/// Runs the posture checks over loaded objects and writes the report.
fn posture(
    loaded: Loaded,
    cluster: Option<ClusterReport>,
    settings: &ManifestSettings,
    catalog: &harrier_core::Catalog,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let (report, _) = posture_report(
        loaded,
        cluster,
        &ScanOptions {
            selected: settings.selected.clone(),
            exceptions: settings.exceptions.as_ref(),
        },
        catalog,
        printer,
    );
    write_report(&report, &settings.output)?;
    Ok(exit_status(&report, &settings.output))
}

/// Runs the posture checks over loaded objects, printing load problems and expired exceptions
/// on stderr. Returns the report and the indexed objects, for the analyses that follow it in
/// `scan all`.
pub fn posture_report<'c>(
    loaded: Loaded,
    cluster: Option<ClusterReport>,
    selection: &ScanOptions<'_>,
    catalog: &'c harrier_core::Catalog,
    printer: &Printer,
) -> (Report<'c>, ObjectIndex) {
    let files = loaded.files;
    let objects = loaded.objects.len();
    let (index, index_problems) = ObjectIndex::build(loaded.objects);
    let result = scan(&index, selection);
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
    let expired = selection
        .exceptions
        .map(|set| set.expired.clone())
        .unwrap_or_default();
    if let Some(set) = selection.exceptions {
        super::image::warn_expired(set, printer);
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
        evaluated: result.checks_evaluated,
        cluster,
    };
    (report, index)
}

/// The Kubernetes components a cluster runs, by the names of the Kubernetes CVE feed: the
/// control plane at the API server's version, kubelet and kube-proxy at each node's.
const CONTROL_PLANE: &[&str] = &[
    "k8s.io/kubernetes",
    "k8s.io/apiserver",
    "k8s.io/controller-manager",
];

/// The facts, with the advisories the components' versions match when a vulnerability
/// database is there (a missing one is said, not an error: the posture scan stands alone).
pub fn cluster_report(
    facts: ClusterFacts,
    global: &GlobalArgs,
    printer: &Printer,
) -> ClusterReport {
    let mut running: std::collections::BTreeMap<(&str, String), Vec<String>> =
        std::collections::BTreeMap::new();
    if let Some(version) = &facts.version {
        for component in CONTROL_PLANE {
            running
                .entry((component, version.release.clone()))
                .or_default()
                .push("API server".to_owned());
        }
    }
    for node in &facts.nodes {
        for (component, version) in [
            ("k8s.io/kubelet", &node.kubelet_version),
            ("k8s.io/kube-proxy", &node.kube_proxy_version),
        ] {
            if !version.is_empty() {
                running
                    .entry((component, harrier_k8s::facts::release_of(version)))
                    .or_default()
                    .push(format!("node {}", node.name));
            }
        }
    }
    let mut vulnerabilities = Vec::new();
    let unchecked = match super::open_db(global) {
        Err(e) => {
            printer.warning(&format!("cluster component versions not checked: {e:#}"));
            Some(format!("{e:#}"))
        }
        Ok(db) => {
            for ((component, version), running_on) in running {
                let query = Query {
                    ecosystem: Ecosystem::parse_osv("Kubernetes"),
                    package: component,
                    version: &version,
                    source_package: None,
                };
                match lookup(&db, &query) {
                    Ok(report) => {
                        vulnerabilities.extend(report.matches.into_iter().map(|advisory| {
                            ComponentVulnerability {
                                component: component.to_owned(),
                                version: version.clone(),
                                running_on: running_on.clone(),
                                advisory,
                            }
                        }))
                    }
                    Err(e) => {
                        printer.warning(&format!("cannot look up {component} {version}: {e}"))
                    }
                }
            }
            None
        }
    };
    ClusterReport {
        facts,
        vulnerabilities,
        vulnerabilities_unchecked: unchecked,
    }
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
