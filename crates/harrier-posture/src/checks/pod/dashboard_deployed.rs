use super::{dashboard_label, is_dashboard_image};
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-044"),
        slug: "dashboard-deployed",
        title: "Kubernetes Dashboard is deployed",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Mitre("T1133"),
            Mitre("T1609"),
            Mitre("T1078.001"),
            Url("https://github.com/kubernetes/dashboard"),
        ],
        remediation: "Remove the Kubernetes Dashboard unless it is needed; if it is, keep it on the latest release, reachable only through `kubectl proxy` or an authenticating proxy, with a service account that can read no more than its users may.",
        docs: include_str!("dashboard_deployed.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let mut found = false;
    for c in ctx.workload.containers() {
        let Some(image) = c.container.image.as_deref() else {
            continue;
        };
        if is_dashboard_image(image) {
            found = true;
            out.emit_container(
                &c,
                c.field("image"),
                format!(
                    "container `{}` runs the Kubernetes Dashboard image `{image}`",
                    c.name()
                ),
            );
        }
    }
    if found {
        return;
    }
    // A mirrored or rebuilt image still carries the labels of the dashboard's manifests.
    if let Some((key, value)) = dashboard_label(ctx.workload) {
        out.emit(
            ctx.workload.metadata_path().key("labels").key(key),
            format!("pod template is labelled `{key}: {value}`: this is the Kubernetes Dashboard"),
        );
    }
}
