use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-PSS-005"),
        slug: "capabilities-baseline",
        title: "Container adds a capability outside the baseline set",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[
            Pss("capabilities_baseline"),
            Cis("5.2.8"),
            Cis("5.2.9"),
            Nsa("Pod security: Pod Security enforcement"),
            Mitre("T1611"),
            Cwe(250),
        ],
        remediation: "Remove the capability from `securityContext.capabilities.add`. Only AUDIT_WRITE, CHOWN, \
                      DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, \
                      SETUID and SYS_CHROOT may be added.",
        docs: include_str!("capabilities_baseline.md"),
    },
    run: Run::Pod(run),
};

/// The capabilities container runtimes grant by default, which baseline lets a container add
/// back after dropping them. Exact, case-sensitive names without the `CAP_` prefix, as upstream
/// compares them.
const BASELINE_CAPABILITIES: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    for c in ctx.workload.containers() {
        let Some(sc) = &c.container.security_context else {
            continue;
        };
        let Some(capabilities) = &sc.capabilities else {
            continue;
        };
        let added = capabilities.add.as_deref().unwrap_or_default();
        for (j, capability) in added.iter().enumerate() {
            if BASELINE_CAPABILITIES.contains(&capability.as_str()) {
                continue;
            }
            out.emit_container(
                &c,
                c.field("securityContext.capabilities.add").index(j),
                format!(
                    "container `{}` adds capability `{}` in `securityContext.capabilities.add`, outside the \
                     baseline set (PSS baseline `capabilities_baseline`)",
                    c.name(),
                    super::shown(capability)
                ),
            );
        }
    }
}
