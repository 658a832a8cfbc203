use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-NET-002"),
        slug: "service-loadbalancer",
        title: "Service is exposed through a cloud load balancer",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Nsa("Network separation and hardening"),
            Mitre("T1133"),
            Cwe(668),
            Url(
                "https://kubernetes.io/docs/tasks/access-application-cluster/configure-cloud-provider-firewall/",
            ),
        ],
        remediation: "Restrict who can reach the load balancer with `spec.loadBalancerSourceRanges`, make it \
                      internal with your cloud provider's annotation, or expose the workload through an Ingress.",
        docs: include_str!("service_loadbalancer.md"),
    },
    run: Run::Object {
        kinds: &["Service"],
        check: run,
    },
};

use crate::exposure::service::{INTERNAL_ANNOTATIONS, SOURCE_RANGES_ANNOTATION, is_everywhere};

fn run(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    let Some(spec) = super::service_spec(object) else {
        return;
    };
    if spec.type_.as_deref() != Some("LoadBalancer") {
        return;
    }
    let name = super::describe(object);
    let internal = INTERNAL_ANNOTATIONS.iter().find(|(key, value)| {
        object
            .annotations
            .get(*key)
            .is_some_and(|v| v.eq_ignore_ascii_case(value))
    });
    if let Some((key, value)) = internal {
        out.emit(
            FieldPath::root().keys("metadata.annotations").key(*key),
            format!(
                "{name} has `type: LoadBalancer`, kept internal by annotation `{key}: {value}`"
            ),
        );
        return;
    }
    let (ranges, ranges_path) = match spec.load_balancer_source_ranges.as_deref() {
        Some(ranges) if !ranges.is_empty() => (
            ranges.to_vec(),
            FieldPath::root().keys("spec.loadBalancerSourceRanges"),
        ),
        _ => {
            let from_annotation: Vec<String> = object
                .annotations
                .get(SOURCE_RANGES_ANNOTATION)
                .map(|v| {
                    v.split(',')
                        .map(|r| r.trim().to_owned())
                        .filter(|r| !r.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            let path = FieldPath::root()
                .keys("metadata.annotations")
                .key(SOURCE_RANGES_ANNOTATION);
            (from_annotation, path)
        }
    };
    if ranges.is_empty() {
        out.emit_with_severity(
            Severity::Medium,
            FieldPath::root().keys("spec.type"),
            format!(
                "{name} has `type: LoadBalancer` without `loadBalancerSourceRanges`: the load balancer \
                 accepts connections from any address"
            ),
        );
        return;
    }
    if let Some(i) = ranges.iter().position(|r| is_everywhere(r)) {
        let open = ranges.get(i).map_or("", String::as_str);
        // In the annotation all ranges share one value; in the spec each has its own line.
        let path = if spec
            .load_balancer_source_ranges
            .as_ref()
            .is_some_and(|r| !r.is_empty())
        {
            ranges_path.index(i)
        } else {
            ranges_path
        };
        out.emit_with_severity(
            Severity::Medium,
            path,
            format!(
                "{name} has `type: LoadBalancer` with source range `{open}`, which is every address"
            ),
        );
        return;
    }
    out.emit(
        ranges_path,
        format!(
            "{name} has `type: LoadBalancer`, reachable from {}",
            ranges
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
}
