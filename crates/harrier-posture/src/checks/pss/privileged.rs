use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-PSS-001"),
        slug: "privileged",
        title: "Privileged container",
        severity: Severity::Critical,
        status: SINCE_0_1,
        references: &[
            Pss("privileged"),
            Cis("5.2.2"),
            Nsa("Pod security: Pod Security enforcement"),
            Mitre("T1611"),
            Cwe(250),
        ],
        remediation: "Remove `securityContext.privileged: true` (or set it to `false`); grant the specific \
                      capability or device the workload needs instead.",
        docs: include_str!("privileged.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    for c in ctx.workload.containers() {
        let privileged = c
            .container
            .security_context
            .as_ref()
            .and_then(|sc| sc.privileged);
        if privileged == Some(true) {
            out.emit_container(
                &c,
                c.field("securityContext.privileged"),
                format!(
                    "container `{}` sets `securityContext.privileged: true` (PSS baseline `privileged`)",
                    c.name()
                ),
            );
        }
    }
}
