use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-PSS-014"),
        slug: "run-as-non-root",
        title: "Container may run as root",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[
            Pss("runAsNonRoot"),
            Cis("5.2.7"),
            Nsa("Pod security: non-root containers"),
            Mitre("T1611"),
            Cwe(250),
        ],
        remediation: "Set `securityContext.runAsNonRoot: true` on the pod (or on every container), and run the \
                      image as a non-zero UID.",
        docs: include_str!("run_as_non_root.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let spec = &ctx.workload.spec;
    // Policy v1.35: root in a user namespace is an unprivileged user on the node.
    if super::has_user_namespace(spec) {
        return;
    }
    let pod = spec
        .security_context
        .as_ref()
        .and_then(|sc| sc.run_as_non_root);
    if pod == Some(false) {
        out.emit(
            ctx.workload
                .spec_path()
                .keys("securityContext.runAsNonRoot"),
            "pod sets `securityContext.runAsNonRoot: false` (PSS restricted `runAsNonRoot`)",
        );
    }
    for c in ctx.workload.containers() {
        let path = c.field("securityContext.runAsNonRoot");
        match c.container.security_context.as_ref().and_then(|sc| sc.run_as_non_root) {
            // A container's own setting overrides the pod's, either way.
            Some(true) => {}
            Some(false) => out.emit_container(
                &c,
                path,
                format!(
                    "container `{}` sets `securityContext.runAsNonRoot: false` (PSS restricted `runAsNonRoot`)",
                    c.name()
                ),
            ),
            // Inherits the pod's setting: fine when true, and already reported when false.
            None if pod.is_some() => {}
            None => out.emit_container(
                &c,
                path,
                format!(
                    "neither the pod nor container `{}` sets `securityContext.runAsNonRoot: true` (PSS \
                     restricted `runAsNonRoot`)",
                    c.name()
                ),
            ),
        }
    }
}
