use super::{Bound, report_missing_resource};
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-008"),
        slug: "memory-limit-missing",
        title: "Container has no memory limit",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[
            Nsa("Network separation and hardening: resource policies"),
            Mitre("T1499"),
            Cwe(770),
        ],
        remediation: "Set `resources.limits.memory` on every container, sized from observed usage.",
        docs: include_str!("memory_limit_missing.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    report_missing_resource(ctx, out, Bound::Limit, "memory");
}
