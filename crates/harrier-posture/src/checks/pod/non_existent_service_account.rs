use super::{namespace_of, service_account_field, service_account_name, service_accounts_in};
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-037"),
        slug: "non-existent-service-account",
        title: "Pod refers to a ServiceAccount that the manifests do not define",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Cwe(1068),
            Url(
                "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/",
            ),
        ],
        remediation: "Define the ServiceAccount alongside the workload, or correct `serviceAccountName`.",
        docs: include_str!("non_existent_service_account.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let name = service_account_name(&ctx.workload.spec);
    if name == "default" {
        return;
    }
    let namespace = namespace_of(ctx.object);
    let mut accounts = service_accounts_in(ctx.index, namespace).peekable();
    // Only a scan that defines ServiceAccounts in this namespace can tell a missing one from
    // one that lives in another repository.
    if accounts.peek().is_none() {
        return;
    }
    if accounts.any(|sa| sa.resource.name.as_deref() == Some(name)) {
        return;
    }
    out.emit(
        service_account_field(ctx.workload),
        format!(
            "pod runs as ServiceAccount `{name}`, which is not among the ServiceAccounts scanned in namespace `{namespace}`"
        ),
    );
}
