use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-PSS-002"),
        slug: "host-namespaces",
        title: "Pod shares a host namespace",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[
            Pss("hostNamespaces"),
            Cis("5.2.3"),
            Cis("5.2.4"),
            Cis("5.2.5"),
            Nsa("Pod security: Pod Security enforcement"),
            Mitre("T1611"),
        ],
        remediation: "Remove `hostNetwork`, `hostPID` and `hostIPC` from the pod spec (or set them to `false`).",
        docs: include_str!("host_namespaces.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let spec = &ctx.workload.spec;
    // Upstream's order, which its message keeps: network, PID, IPC.
    let fields = [
        ("hostNetwork", spec.host_network, "the node's network stack"),
        ("hostPID", spec.host_pid, "the node's process table"),
        ("hostIPC", spec.host_ipc, "the node's IPC namespace"),
    ];
    for (field, value, what) in fields {
        if value == Some(true) {
            out.emit(
                ctx.workload.spec_path().key(field),
                format!(
                    "pod sets `{field}: true` and shares {what} (PSS baseline `hostNamespaces`)"
                ),
            );
        }
    }
}
