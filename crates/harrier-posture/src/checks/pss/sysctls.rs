use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-PSS-009"),
        slug: "sysctls",
        title: "Pod sets a sysctl outside the safe set",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[
            Pss("sysctls"),
            Nsa("Pod security: Pod Security enforcement"),
        ],
        remediation: "Remove the sysctl from `spec.securityContext.sysctls`, or configure it on dedicated nodes \
                      instead of from a pod.",
        docs: include_str!("sysctls.md"),
    },
    run: Run::Pod(run),
};

/// The sysctls baseline allows at policy v1.37: namespaced, and isolated from other pods on the
/// node. Upstream grows this list by policy version (1.27, 1.29, 1.32, 1.37); names are matched
/// exactly, without normalising `/` to `.`.
const SAFE_SYSCTLS: [&str; 14] = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
    // v1.27
    "net.ipv4.ip_local_reserved_ports",
    // v1.29
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    // v1.32
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
    // v1.37
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
];

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let sysctls = ctx
        .workload
        .spec
        .security_context
        .as_ref()
        .and_then(|sc| sc.sysctls.as_deref())
        .unwrap_or_default();
    for (i, sysctl) in sysctls.iter().enumerate() {
        if SAFE_SYSCTLS.contains(&sysctl.name.as_str()) {
            continue;
        }
        out.emit(
            ctx.workload.spec_path().keys("securityContext.sysctls").index(i).key("name"),
            format!(
                "pod sets sysctl `{}` in `securityContext.sysctls`, outside the safe set (PSS baseline `sysctls`)",
                super::shown(&sysctl.name)
            ),
        );
    }
}
