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
    let failing = |s: Status| match settings.fail_on {
        NodeFailOn::Fail => s == Status::Fail,
        NodeFailOn::Warn => matches!(s, Status::Fail | Status::Warn),
        NodeFailOn::None => false,
    };
    Ok(if scan.results.iter().any(|r| failing(r.status)) {
        ExitStatus::Findings
    } else {
        ExitStatus::Success
    })
}
