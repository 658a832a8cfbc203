use super::{flag_is_true, flag_uses, is_dashboard};
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-040"),
        slug: "dashboard-insecure-login",
        title: "Kubernetes Dashboard accepts logins over plain HTTP",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[Mitre("T1133"), Mitre("T1528"), Cwe(319)],
        remediation: "Remove `--enable-insecure-login` and `--insecure-bind-address` from the dashboard's arguments (or set `--insecure-port=0`), and serve it only over HTTPS.",
        docs: include_str!("dashboard_insecure_login.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    for c in ctx.workload.containers() {
        // `--enable-insecure-login` exists only in the dashboard.
        for flag in flag_uses(&c, "enable-insecure-login", false) {
            if flag_is_true(flag.value.as_deref()) {
                out.emit_container(
                    &c,
                    flag.path,
                    format!(
                        "container `{}` runs the Kubernetes Dashboard with `--enable-insecure-login`, so login tokens may travel over plain HTTP",
                        c.name()
                    ),
                );
            }
        }
        // The insecure listener flags are also old kube-apiserver flags, so they count only in
        // a dashboard container. The listener is on loopback unless bound elsewhere.
        if !is_dashboard(ctx.workload, &c) {
            continue;
        }
        let port_off = flag_uses(&c, "insecure-port", true)
            .last()
            .is_some_and(|f| f.value.as_deref().is_some_and(|v| v.trim() == "0"));
        if port_off {
            continue;
        }
        if let Some(bind) = flag_uses(&c, "insecure-bind-address", true).pop() {
            let address = bind.value.unwrap_or_default();
            if !is_loopback(&address) {
                out.emit_container(
                    &c,
                    bind.path,
                    format!(
                        "container `{}` serves the Kubernetes Dashboard over plain HTTP on `--insecure-bind-address={address}`",
                        c.name()
                    ),
                );
            }
        }
    }
}

fn is_loopback(address: &str) -> bool {
    let host = address.trim().trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || host == "::1" || host.starts_with("127.")
}
