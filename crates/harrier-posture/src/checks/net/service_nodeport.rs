use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-NET-001"),
        slug: "service-nodeport",
        title: "Service is exposed on every node with `type: NodePort`",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[
            Nsa("Network separation and hardening"),
            Mitre("T1133"),
            Cwe(668),
            Url("https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport"),
        ],
        remediation: "Use `type: ClusterIP` behind an Ingress or Gateway, or a LoadBalancer restricted with \
                      `loadBalancerSourceRanges`; if a node port is required, restrict it with firewall rules.",
        docs: include_str!("service_nodeport.md"),
    },
    run: Run::Object {
        kinds: &["Service"],
        check: run,
    },
};

fn run(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    let Some(spec) = super::service_spec(object) else {
        return;
    };
    if spec.type_.as_deref() != Some("NodePort") {
        return;
    }
    let fixed: Vec<String> = spec
        .ports
        .iter()
        .flatten()
        .filter_map(|p| p.node_port)
        .map(|p| p.to_string())
        .collect();
    let where_ = if fixed.is_empty() {
        "a port from the node-port range (30000-32767 by default)".to_owned()
    } else {
        format!("port(s) {}", fixed.join(", "))
    };
    out.emit(
        FieldPath::root().keys("spec.type"),
        format!(
            "{} has `type: NodePort`, which opens {where_} on every node's addresses",
            super::describe(object)
        ),
    );
}
