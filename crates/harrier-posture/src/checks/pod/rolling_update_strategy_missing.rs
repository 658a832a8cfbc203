use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-033"),
        slug: "rolling-update-strategy-missing",
        title: "Controller replaces all pods at once on update",
        severity: Severity::Info,
        status: SINCE_0_1,
        references: &[
            Mitre("T1499"),
            Url("https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#strategy"),
        ],
        remediation: "Use the `RollingUpdate` strategy (`Rolling` for a DeploymentConfig), with `maxUnavailable` and `maxSurge` suited to the workload.",
        docs: include_str!("rolling_update_strategy_missing.md"),
    },
    run: Run::Object {
        kinds: &["Deployment", "DaemonSet", "StatefulSet", "DeploymentConfig"],
        check,
    },
};

fn check(object: &Object, _index: &ObjectIndex, out: &mut Emitter<'_>) {
    let (field, rolling) = match (object.kind(), object.group()) {
        ("Deployment", "apps" | "extensions") => ("strategy", "RollingUpdate"),
        ("DaemonSet" | "StatefulSet", "apps" | "extensions") => ("updateStrategy", "RollingUpdate"),
        ("DeploymentConfig", "apps.openshift.io" | "") => ("strategy", "Rolling"),
        _ => return,
    };
    let path = FieldPath::root().key("spec").key(field).key("type");
    // An unset type defaults to a rolling update.
    let Some(kind) = object.at(&path).and_then(harrier_core::yaml::Node::as_str) else {
        return;
    };
    if kind != rolling {
        out.emit(
            path,
            format!(
                "{} sets `spec.{field}.type: {kind}` instead of `{rolling}`",
                object.kind()
            ),
        );
    }
}
