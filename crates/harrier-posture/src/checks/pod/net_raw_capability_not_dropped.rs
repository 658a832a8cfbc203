use super::{capabilities, capability_name, is_windows};
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-018"),
        slug: "net-raw-capability-not-dropped",
        title: "Container keeps the NET_RAW capability",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[Cis("5.2.8"), Pss("capabilities_restricted"), Cwe(250)],
        remediation: "Add `NET_RAW`, or better `ALL`, to `securityContext.capabilities.drop`.",
        docs: include_str!("net_raw_capability_not_dropped.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    if is_windows(&ctx.workload.spec) {
        return;
    }
    for c in ctx.workload.containers() {
        let dropped = capabilities(&c)
            .and_then(|caps| caps.drop.as_deref())
            .unwrap_or_default()
            .iter()
            .map(|d| capability_name(d))
            .any(|d| d == "NET_RAW" || d == "ALL");
        if !dropped {
            out.emit_container(
                &c,
                c.field("securityContext.capabilities.drop"),
                format!(
                    "container `{}` does not drop `NET_RAW` (or `ALL`) in `securityContext.capabilities.drop`",
                    c.name()
                ),
            );
        }
    }
}
