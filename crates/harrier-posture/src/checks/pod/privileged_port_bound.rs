use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-022"),
        slug: "privileged-port-bound",
        title: "Container listens on a privileged port",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Nsa("Kubernetes Pod security: non-root containers"),
            Cwe(250),
        ],
        remediation: "Listen on a port of 1024 or above inside the container and map it with the Service's `port`/`targetPort`.",
        docs: include_str!("privileged_port_bound.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    for c in ctx.workload.containers() {
        for (i, port) in c.container.ports.iter().flatten().enumerate() {
            if port.container_port < 1024 {
                out.emit_container(
                    &c,
                    c.path().key("ports").index(i).key("containerPort"),
                    format!(
                        "container `{}` declares `containerPort: {}`, a privileged port below 1024",
                        c.name(),
                        port.container_port
                    ),
                );
            }
        }
    }
}
