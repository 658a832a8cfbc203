use super::{service_account_field, service_account_name};
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-016"),
        slug: "default-service-account-used",
        title: "Pod runs as the namespace's default service account",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[Cis("5.1.5"), Mitre("T1078.001")],
        remediation: "Create a ServiceAccount for the workload, grant it only what it needs, and set `serviceAccountName`.",
        docs: include_str!("default_service_account_used.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let spec = &ctx.workload.spec;
    if service_account_name(spec) != "default" {
        return;
    }
    let field = service_account_field(ctx.workload);
    let explicit = [&spec.service_account_name, &spec.service_account]
        .into_iter()
        .flatten()
        .any(|n| n == "default");
    let message = if explicit {
        "pod sets its service account to `default`, the namespace's shared service account"
    } else {
        "pod sets no `serviceAccountName`, so it runs as the namespace's shared `default` service account"
    };
    out.emit(field, message);
}
