use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-023"),
        slug: "ssh-port-exposed",
        title: "Container exposes an SSH port",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[Mitre("T1133"), Mitre("T1110")],
        remediation: "Remove the SSH server from the image; use `kubectl exec` or ephemeral debug containers, which are authenticated and audited by the API server.",
        docs: include_str!("ssh_port_exposed.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    for c in ctx.workload.containers() {
        for (i, port) in c.container.ports.iter().flatten().enumerate() {
            let tcp = port
                .protocol
                .as_deref()
                .is_none_or(|p| p.eq_ignore_ascii_case("TCP"));
            let named_ssh = port
                .name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case("ssh"));
            let path = c.path().key("ports").index(i);
            if tcp && port.container_port == 22 {
                out.emit_container(
                    &c,
                    path.key("containerPort"),
                    format!(
                        "container `{}` declares `containerPort: 22`, the SSH port",
                        c.name()
                    ),
                );
            } else if named_ssh {
                out.emit_container(
                    &c,
                    path.key("name"),
                    format!(
                        "container `{}` declares a port named `ssh` (`containerPort: {}`)",
                        c.name(),
                        port.container_port
                    ),
                );
            }
        }
    }
}
