use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-036"),
        slug: "deprecated-service-account-field",
        title: "Pod uses the deprecated `serviceAccount` field",
        severity: Severity::Info,
        status: SINCE_0_1,
        references: &[
            Cwe(477),
            Url("https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/"),
        ],
        remediation: "Replace `serviceAccount` with `serviceAccountName`.",
        docs: include_str!("deprecated_service_account_field.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let spec = &ctx.workload.spec;
    let Some(old) = spec.service_account.as_deref().filter(|n| !n.is_empty()) else {
        return;
    };
    let message = match spec
        .service_account_name
        .as_deref()
        .filter(|n| !n.is_empty())
    {
        Some(new) if new != old => format!(
            "pod sets the deprecated `serviceAccount: {old}`, which disagrees with `serviceAccountName: {new}` (the latter wins)"
        ),
        Some(_) => format!(
            "pod sets the deprecated `serviceAccount: {old}` as well as `serviceAccountName`"
        ),
        None => format!(
            "pod sets the deprecated `serviceAccount: {old}` instead of `serviceAccountName`"
        ),
    };
    out.emit(ctx.workload.spec_path().key("serviceAccount"), message);
}
