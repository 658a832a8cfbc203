use super::{flag_is_true, flag_uses};
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-039"),
        slug: "dashboard-skip-login",
        title: "Kubernetes Dashboard lets users skip the login",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[Mitre("T1133"), Mitre("T1078.001"), Cwe(306)],
        remediation: "Remove `--enable-skip-login` from the dashboard's arguments so every user must present a token or kubeconfig.",
        docs: include_str!("dashboard_skip_login.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    // `--enable-skip-login` is specific to the dashboard, so any container passing it is one.
    for c in ctx.workload.containers() {
        for flag in flag_uses(&c, "enable-skip-login", false) {
            if flag_is_true(flag.value.as_deref()) {
                out.emit_container(
                    &c,
                    flag.path,
                    format!(
                        "container `{}` runs the Kubernetes Dashboard with `--enable-skip-login`, so anyone reaching it can use it as the dashboard's own service account",
                        c.name()
                    ),
                );
            }
        }
    }
}
