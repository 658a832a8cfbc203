use super::ProbeKind;
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-042"),
        slug: "readiness-port-not-exposed",
        title: "Readiness probe targets a port the container does not declare",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Cwe(754),
            Url(
                "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
            ),
        ],
        remediation: "Point the readiness probe at one of the container's declared TCP `ports` (by number or name), or declare the port it probes.",
        docs: include_str!("readiness_port_not_exposed.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    super::report_probe_port_not_declared(ctx, out, ProbeKind::Readiness);
}
