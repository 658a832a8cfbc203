use super::{is_long_running, runs_to_completion};
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-009"),
        slug: "liveness-probe-missing",
        title: "Container has no liveness probe",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Cwe(754),
            Url(
                "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
            ),
        ],
        remediation: "Add a `livenessProbe` that checks the application's own health (an HTTP endpoint, a TCP port or a gRPC health service).",
        docs: include_str!("liveness_probe_missing.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    if runs_to_completion(ctx.object, &ctx.workload.spec) {
        return;
    }
    for c in ctx.workload.containers().filter(is_long_running) {
        if c.container.liveness_probe.is_none() {
            out.emit_container(
                &c,
                c.field("livenessProbe"),
                format!("container `{}` has no `livenessProbe`", c.name()),
            );
        }
    }
}
