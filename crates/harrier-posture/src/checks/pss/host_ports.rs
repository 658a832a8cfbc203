use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-PSS-004"),
        slug: "host-ports",
        title: "Container binds a port on the node",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[
            Pss("hostPorts"),
            Cis("5.2.13"),
            Nsa("Pod security: Pod Security enforcement"),
        ],
        remediation: "Remove `hostPort` from the container's `ports` (or set it to 0) and expose the \
                      workload through a Service instead.",
        docs: include_str!("host_ports.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    for c in ctx.workload.containers() {
        let ports = c.container.ports.as_deref().unwrap_or_default();
        for (j, port) in ports.iter().enumerate() {
            // Upstream forbids every non-zero value, negative ones included: there is no range.
            let Some(host_port) = port.host_port.filter(|&p| p != 0) else {
                continue;
            };
            out.emit_container(
                &c,
                c.field("ports").index(j).key("hostPort"),
                format!(
                    "container `{}` sets `ports[{j}].hostPort: {host_port}` (PSS baseline `hostPorts`)",
                    c.name()
                ),
            );
        }
    }
}
