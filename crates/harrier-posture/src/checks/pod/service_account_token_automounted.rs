use super::{namespace_of, service_account_name, service_accounts_in};
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-015"),
        slug: "service-account-token-automounted",
        title: "Pod mounts a service account token it may not need",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Cis("5.1.6"),
            Nsa("Kubernetes Pod security: protecting Pod service account tokens"),
            Mitre("T1528"),
            Mitre("T1552.007"),
        ],
        remediation: "Set `automountServiceAccountToken: false` on the pod (or on its ServiceAccount), and mount a projected token only into pods that call the Kubernetes API.",
        docs: include_str!("service_account_token_automounted.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let spec = &ctx.workload.spec;
    let field = ctx.workload.spec_path().key("automountServiceAccountToken");
    match spec.automount_service_account_token {
        Some(false) => {}
        Some(true) => out.emit(
            field,
            "pod sets `automountServiceAccountToken: true`, so every container gets an API token",
        ),
        None => {
            let name = service_account_name(spec);
            let namespace = namespace_of(ctx.object);
            let account = service_accounts_in(ctx.index, namespace)
                .find(|sa| sa.resource.name.as_deref() == Some(name));
            let opted_out = account
                .and_then(|sa| sa.node.get("automountServiceAccountToken"))
                .and_then(harrier_core::yaml::Node::as_bool);
            if opted_out == Some(false) {
                return;
            }
            let why = match account {
                Some(_) => format!("its ServiceAccount `{name}` does not set it to `false` either"),
                None => format!("its ServiceAccount `{name}` is not among the scanned objects"),
            };
            out.emit(
                field,
                format!("pod does not set `automountServiceAccountToken: false` and {why}, so every container gets an API token"),
            );
        }
    }
}
