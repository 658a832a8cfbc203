use harrier_core::yaml::Node;

use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-048"),
        slug: "hpa-min-replicas-low",
        title: "HorizontalPodAutoscaler can scale down to a single replica",
        severity: Severity::Info,
        status: SINCE_0_1,
        references: &[
            Mitre("T1499"),
            Url("https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/"),
        ],
        remediation: "Set `minReplicas` to 2 or more (spread over nodes), and `maxReplicas` above it so the autoscaler has room to scale.",
        docs: include_str!("hpa_min_replicas_low.md"),
    },
    run: Run::Object {
        kinds: &["HorizontalPodAutoscaler"],
        check,
    },
};

/// The fewest replicas that survive the loss of one pod or node.
const MIN_REPLICAS: i64 = 2;

fn check(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    if object.group() != "autoscaling" {
        return;
    }
    let spec = object.node.get("spec");
    let field = |name: &str| spec.and_then(|s| s.get(name)).filter(|n| !n.is_null());
    let min_path = FieldPath::root().keys("spec.minReplicas");
    let min = match field("minReplicas") {
        Some(node) => {
            let Some(min) = node.as_i64() else {
                return;
            };
            if min < MIN_REPLICAS {
                let what = if min <= 0 {
                    "so it scales the workload to zero when idle and has nothing running to absorb the first requests"
                } else {
                    "so at low load one pod, on one node, serves everything"
                };
                out.emit(
                    min_path.clone(),
                    format!("HorizontalPodAutoscaler sets `minReplicas: {min}`, {what}"),
                );
            }
            min
        }
        None => {
            out.emit(
                min_path.clone(),
                "HorizontalPodAutoscaler does not set `minReplicas`, which defaults to 1, so at low load \
                 one pod, on one node, serves everything",
            );
            1
        }
    };
    let Some(max) = field("maxReplicas").and_then(Node::as_i64) else {
        return;
    };
    if max <= min {
        let why = if max == min {
            "so it never scales".to_owned()
        } else {
            format!("below `minReplicas` ({min}), which the API server rejects")
        };
        out.emit(
            FieldPath::root().keys("spec.maxReplicas"),
            format!("HorizontalPodAutoscaler sets `maxReplicas: {max}`, {why}"),
        );
    }
}
