use super::{autoscaler_of, replicas};
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-034"),
        slug: "single-replica",
        title: "Workload runs a single replica",
        severity: Severity::Info,
        status: SINCE_0_1,
        references: &[
            Mitre("T1499"),
            Url("https://kubernetes.io/docs/concepts/workloads/controllers/deployment/"),
        ],
        remediation: "Run at least two replicas (spread over nodes), or let a HorizontalPodAutoscaler with `minReplicas` of 2 or more manage the count.",
        docs: include_str!("single_replica.md"),
    },
    run: Run::Object {
        kinds: &["Deployment", "StatefulSet", "DeploymentConfig"],
        check,
    },
};

fn check(object: &Object, index: &ObjectIndex, out: &mut Emitter<'_>) {
    let is_controller = match object.kind() {
        "Deployment" | "StatefulSet" => matches!(object.group(), "apps" | "extensions"),
        "DeploymentConfig" => matches!(object.group(), "apps.openshift.io" | ""),
        _ => false,
    };
    if !is_controller || autoscaler_of(object, index).is_some() {
        return;
    }
    let path = FieldPath::root().keys("spec.replicas");
    match replicas(object) {
        Some(1) => out.emit(path, format!("{} sets `replicas: 1`", object.kind())),
        None if object
            .at(&path)
            .is_none_or(harrier_core::yaml::Node::is_null) =>
        {
            out.emit(
                path,
                format!(
                    "{} does not set `replicas`, which defaults to 1",
                    object.kind()
                ),
            )
        }
        // 0 is a workload scaled down on purpose; more than one is what the check asks for.
        _ => {}
    }
}
