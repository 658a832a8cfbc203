use super::ProbeKind;
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-041"),
        slug: "liveness-port-not-exposed",
        title: "Liveness probe targets a port the container does not declare",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Cwe(754),
            Url(
                "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
            ),
        ],
        remediation: "Point the liveness probe at one of the container's declared TCP `ports` (by number or name), or declare the port it probes.",
        docs: include_str!("liveness_port_not_exposed.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    super::report_probe_port_not_declared(ctx, out, ProbeKind::Liveness);
}
