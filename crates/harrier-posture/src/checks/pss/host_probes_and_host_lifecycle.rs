use harrier_k8s::k8s_openapi::api::core::v1::{
    HTTPGetAction, LifecycleHandler, Probe, TCPSocketAction,
};

use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-PSS-012"),
        slug: "host-probes-and-host-lifecycle",
        title: "Probe or lifecycle hook sends the kubelet to another host",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[
            Pss("hostProbesAndHostLifecycle"),
            Nsa("Pod security: Pod Security enforcement"),
            Cwe(918),
        ],
        remediation: "Remove `host` from the probe's or lifecycle handler's `httpGet` or `tcpSocket`, so the \
                      kubelet connects to the pod's own IP.",
        docs: include_str!("host_probes_and_host_lifecycle.md"),
    },
    run: Run::Pod(run),
};

/// The network actions of a probe or lifecycle handler: the ones the kubelet runs from the node.
type Actions<'a> = (Option<&'a HTTPGetAction>, Option<&'a TCPSocketAction>);

fn of_probe(probe: Option<&Probe>) -> Actions<'_> {
    (
        probe.and_then(|p| p.http_get.as_ref()),
        probe.and_then(|p| p.tcp_socket.as_ref()),
    )
}

fn of_handler(handler: Option<&LifecycleHandler>) -> Actions<'_> {
    (
        handler.and_then(|h| h.http_get.as_ref()),
        handler.and_then(|h| h.tcp_socket.as_ref()),
    )
}

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    for c in ctx.workload.containers() {
        let container = c.container;
        let lifecycle = container.lifecycle.as_ref();
        // In upstream's order.
        let handlers = [
            ("livenessProbe", of_probe(container.liveness_probe.as_ref())),
            (
                "readinessProbe",
                of_probe(container.readiness_probe.as_ref()),
            ),
            ("startupProbe", of_probe(container.startup_probe.as_ref())),
            (
                "lifecycle.postStart",
                of_handler(lifecycle.and_then(|l| l.post_start.as_ref())),
            ),
            (
                "lifecycle.preStop",
                of_handler(lifecycle.and_then(|l| l.pre_stop.as_ref())),
            ),
        ];
        for (field, (http_get, tcp_socket)) in handlers {
            let hosts = [
                ("httpGet", http_get.and_then(|a| a.host.as_deref())),
                ("tcpSocket", tcp_socket.and_then(|a| a.host.as_deref())),
            ];
            for (action, host) in hosts {
                let Some(host) = host.filter(|h| !h.is_empty()) else {
                    continue;
                };
                out.emit_container(
                    &c,
                    c.field(field).key(action).key("host"),
                    format!(
                        "container `{}` sets `{field}.{action}.host: {host}` (PSS baseline \
                         `hostProbesAndHostLifecycle`)",
                        c.name()
                    ),
                );
            }
        }
    }
}
