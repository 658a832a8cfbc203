use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-PSS-015"),
        slug: "run-as-user",
        title: "Pod or container runs as UID 0",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[
            Pss("runAsUser"),
            Cis("5.2.7"),
            Nsa("Pod security: non-root containers"),
            Mitre("T1611"),
            Cwe(250),
        ],
        remediation: "Set `securityContext.runAsUser` to a non-zero UID, or remove it and let the image's \
                      non-root user apply.",
        docs: include_str!("run_as_user.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let spec = &ctx.workload.spec;
    // Policy v1.35: UID 0 in a user namespace maps to an unprivileged UID on the node.
    if super::has_user_namespace(spec) {
        return;
    }
    // Pod and containers are judged independently: a container's non-zero UID does not excuse
    // the pod's 0, which still applies to every container that does not set its own.
    if spec.security_context.as_ref().and_then(|sc| sc.run_as_user) == Some(0) {
        out.emit(
            ctx.workload.spec_path().keys("securityContext.runAsUser"),
            "pod sets `securityContext.runAsUser: 0` (PSS restricted `runAsUser`)",
        );
    }
    for c in ctx.workload.containers() {
        if c.container
            .security_context
            .as_ref()
            .and_then(|sc| sc.run_as_user)
            == Some(0)
        {
            out.emit_container(
                &c,
                c.field("securityContext.runAsUser"),
                format!("container `{}` sets `securityContext.runAsUser: 0` (PSS restricted `runAsUser`)", c.name()),
            );
        }
    }
}
