//! `harrier scan node`: read a node's filesystem, evaluate a benchmark, render. The checks and
//! the layouts live in harrier-node; this is the glue.

use harrier_node::Status;
use harrier_report::TableOptions;
use harrier_report::node::NodeReport;

use crate::cli::{GlobalArgs, NodeArgs, NodeFailOn};
use crate::exit::ExitStatus;
use crate::printer::Printer;
use crate::settings::NodeSettings;

const TOOL: harrier_report::ToolInfo = harrier_report::ToolInfo {
    name: "harrier",
    version: env!("CARGO_PKG_VERSION"),
};

/// Whether a command line is one of the components the benchmark looks at.
fn is_kubernetes(argv: &[String]) -> bool {
    argv.first()
        .and_then(|a| a.rsplit('/').next())
        .is_some_and(|name| {
            matches!(
                name,
                "kubelet"
                    | "kube-apiserver"
                    | "kube-controller-manager"
                    | "kube-scheduler"
                    | "etcd"
                    | "kube-proxy"
            )
        })
}

pub fn run(args: NodeArgs, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let settings = NodeSettings::resolve(args, global)?;
    let scan = scan(&settings, printer);
    let report = NodeReport {
        tool: TOOL,
        scan: &scan,
    };
    let table = TableOptions {
        color: settings.color,
        verbose: settings.verbose,
    };
    super::write_output(settings.file.as_deref(), |out| {
        harrier_report::node::write(settings.format, out, &report, table)
    })?;
    Ok(status(&scan, settings.fail_on))
}

/// The report of a scanned node, for the writers.
pub fn report(scan: &harrier_node::NodeScan) -> NodeReport<'_> {
    NodeReport { tool: TOOL, scan }
}

/// Scans the node, saying on stderr which layout it was read as, and warning when nothing of
/// Kubernetes was found (the results are then for kubeadm's paths and mean little).
pub fn scan(settings: &NodeSettings, printer: &Printer) -> harrier_node::NodeScan {
    let scan = harrier_node::scan_node_with(
        &settings.root,
        &harrier_node::ScanOptions {
            profile: settings.profile,
            benchmark: settings.benchmark,
            proc_dir: settings.proc_dir.clone(),
        },
    );
    if scan
        .detection
        .as_ref()
        .is_some_and(|d| d.signs.iter().any(|s| s.ends_with("kubeadm assumed")))
        && settings
            .proc_dir
            .iter()
            .fold(harrier_node::NodeView::new(&settings.root), |v, d| {
                v.with_proc_dir(d)
            })
            .processes()
            .iter()
            .all(|p| !is_kubernetes(&p.argv))
    {
        printer.warning(&format!(
            "{}: no Kubernetes layout, static pod or component process found; results are for kubeadm's paths",
            settings.root.display()
        ));
    }
    if let Some(detection) = &scan.detection {
        printer.note(&format!(
            "{} read as a {} node: {}",
            settings.root.display(),
            scan.profile,
            detection.signs.join("; ")
        ));
    }
    scan
}

/// 1 when an item fails at `fail_on`, else 0.
pub fn status(scan: &harrier_node::NodeScan, fail_on: NodeFailOn) -> ExitStatus {
    let failing = |s: Status| match fail_on {
        NodeFailOn::Fail => s == Status::Fail,
        NodeFailOn::Warn => matches!(s, Status::Fail | Status::Warn),
        NodeFailOn::None => false,
    };
    if scan.results.iter().any(|r| failing(r.status)) {
        ExitStatus::Findings
    } else {
        ExitStatus::Success
    }
}
