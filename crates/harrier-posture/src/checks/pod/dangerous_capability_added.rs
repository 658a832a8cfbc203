use super::added_capabilities;
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-019"),
        slug: "dangerous-capability-added",
        title: "Container adds a dangerous capability",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[
            Cis("5.2.9"),
            Pss("capabilities_baseline"),
            Mitre("T1611"),
            Cwe(250),
        ],
        remediation: "Remove the capability from `securityContext.capabilities.add`; if the workload truly needs it, isolate it and record an exception.",
        docs: include_str!("dangerous_capability_added.md"),
    },
    run: Run::Pod(run),
};

/// Kubescape's insecure capabilities, less `SYS_ADMIN` and `ALL` (reported by
/// sys-admin-capability), plus `SYS_TIME` and `DAC_READ_SEARCH`, each with what it gives.
const DANGEROUS: [(&str, &str); 13] = [
    (
        "NET_ADMIN",
        "reconfigure the pod's network: interfaces, routes, firewall rules",
    ),
    ("NET_RAW", "forge and sniff packets with raw sockets"),
    ("SYS_PTRACE", "trace and inject code into other processes"),
    (
        "SYS_MODULE",
        "load kernel modules, that is run code in the host kernel",
    ),
    ("SYS_RAWIO", "access raw devices and I/O ports"),
    ("SYS_BOOT", "reboot the node or load a new kernel"),
    ("SYS_TIME", "change the node's clock"),
    (
        "DAC_READ_SEARCH",
        "read any file by handle, the basis of the `shocker` escape",
    ),
    ("BPF", "load eBPF programs into the kernel"),
    (
        "PERFMON",
        "use perf events to observe the kernel and other processes",
    ),
    (
        "MAC_ADMIN",
        "change the mandatory access control (AppArmor, SELinux, Smack) policy",
    ),
    ("MAC_OVERRIDE", "bypass mandatory access control"),
    ("SETPCAP", "grant capabilities to other processes"),
];

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    for c in ctx.workload.containers() {
        for (i, cap) in added_capabilities(&c) {
            let Some((name, what)) = DANGEROUS.iter().find(|(name, _)| *name == cap) else {
                continue;
            };
            out.emit_container(
                &c,
                c.field("securityContext.capabilities").key("add").index(i),
                format!(
                    "container `{}` adds `{name}`, which lets it {what}",
                    c.name()
                ),
            );
        }
    }
}
