use super::{Bound, report_missing_resource};
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-006"),
        slug: "cpu-limit-missing",
        title: "Container has no CPU limit",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Nsa("Network separation and hardening: resource policies"),
            Mitre("T1496"),
            Mitre("T1499"),
            Cwe(770),
        ],
        remediation: "Set `resources.limits.cpu` on every container, sized from observed usage.",
        docs: include_str!("cpu_limit_missing.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    report_missing_resource(ctx, out, Bound::Limit, "cpu");
}
