use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-029"),
        slug: "security-context-missing",
        title: "Neither the pod nor the container sets a security context",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Cis("5.7.3"),
            Nsa("Kubernetes Pod security: pod security enforcement"),
            Cwe(1188),
        ],
        remediation: "Set a `securityContext` on the pod and its containers: at least `runAsNonRoot: true`, `allowPrivilegeEscalation: false`, `capabilities.drop: [\"ALL\"]`, `readOnlyRootFilesystem: true` and `seccompProfile.type: RuntimeDefault`.",
        docs: include_str!("security_context_missing.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let pod_set = ctx
        .workload
        .spec
        .security_context
        .as_ref()
        .is_some_and(|sc| *sc != Default::default());
    if pod_set {
        return;
    }
    for c in ctx.workload.containers() {
        let container_set = c
            .container
            .security_context
            .as_ref()
            .is_some_and(|sc| *sc != Default::default());
        if !container_set {
            out.emit_container(
                &c,
                c.field("securityContext"),
                format!(
                    "container `{}` has no `securityContext`, and neither has the pod, so every runtime default applies",
                    c.name()
                ),
            );
        }
    }
}
