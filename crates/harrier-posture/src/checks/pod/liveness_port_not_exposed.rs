use super::PortRef;
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-041"),
        slug: "liveness-port-not-exposed",
        title: "Liveness probe targets a port the container does not declare",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Cwe(754),
            Url(
                "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
            ),
        ],
        remediation: "Point the liveness probe at one of the container's declared TCP `ports` (by number or name), or declare the port it probes.",
        docs: include_str!("liveness_port_not_exposed.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    for c in ctx.workload.containers() {
        let Some(probe) = c.container.liveness_probe.as_ref() else {
            continue;
        };
        let (handler, port, probes_other_host) = if let Some(http) = probe.http_get.as_ref() {
            (
                "httpGet",
                PortRef::of(&http.port),
                http.host.as_deref().is_some_and(|h| !h.is_empty()),
            )
        } else if let Some(tcp) = probe.tcp_socket.as_ref() {
            (
                "tcpSocket",
                PortRef::of(&tcp.port),
                tcp.host.as_deref().is_some_and(|h| !h.is_empty()),
            )
        } else if let Some(grpc) = probe.grpc.as_ref() {
            ("grpc", PortRef::Number(i64::from(grpc.port)), false)
        } else {
            continue;
        };
        // A probe of another host says nothing about this container's ports.
        if probes_other_host {
            continue;
        }
        let ports = c.container.ports.as_deref().unwrap_or_default();
        let is_tcp = |p: &&harrier_k8s::k8s_openapi::api::core::v1::ContainerPort| {
            p.protocol
                .as_deref()
                .is_none_or(|proto| proto.eq_ignore_ascii_case("TCP"))
        };
        let path = c.path().key("livenessProbe").key(handler).key("port");
        let problem = match port {
            PortRef::Number(n) => {
                if ports
                    .iter()
                    .filter(is_tcp)
                    .any(|p| i64::from(p.container_port) == n)
                {
                    continue;
                }
                if ports.iter().any(|p| i64::from(p.container_port) == n) {
                    format!("port {n}, which the container declares only for UDP or SCTP")
                } else {
                    format!("port {n}, which is not among the container's `ports`")
                }
            }
            PortRef::Name(name) => {
                if ports
                    .iter()
                    .filter(is_tcp)
                    .any(|p| p.name.as_deref() == Some(name))
                {
                    continue;
                }
                if ports.iter().any(|p| p.name.as_deref() == Some(name)) {
                    format!(
                        "port `{name}`, which the container declares only for UDP or SCTP, so the probe always fails"
                    )
                } else {
                    format!(
                        "port `{name}`, but no port of the container has that name, so the probe always fails"
                    )
                }
            }
        };
        out.emit_container(
            &c,
            path,
            format!(
                "container `{}` probes liveness with `{handler}` on {problem}",
                c.name()
            ),
        );
    }
}
