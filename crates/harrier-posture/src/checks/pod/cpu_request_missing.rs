use super::{Bound, report_missing_resource};
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-005"),
        slug: "cpu-request-missing",
        title: "Container has no CPU request",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Nsa("Network separation and hardening: resource policies"),
            Mitre("T1496"),
            Mitre("T1499"),
            Cwe(770),
        ],
        remediation: "Set `resources.requests.cpu` on every container, sized from observed usage.",
        docs: include_str!("cpu_request_missing.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    report_missing_resource(ctx, out, Bound::Request, "cpu");
}
