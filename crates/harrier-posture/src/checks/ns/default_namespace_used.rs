use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-NS-001"),
        slug: "default-namespace-used",
        title: "Object is placed in the `default` namespace",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[Cis("5.7.4"), Cis("5.7.1"), Nsa("Namespaces"), Cwe(1188)],
        remediation: "Create a namespace for the application and set `metadata.namespace` on each of its objects \
                      (or the `namespace` of the kustomization).",
        docs: include_str!("default_namespace_used.md"),
    },
    run: Run::Object {
        kinds: &[
            "Pod",
            "Deployment",
            "DaemonSet",
            "StatefulSet",
            "ReplicaSet",
            "ReplicationController",
            "Job",
            "CronJob",
            "Service",
            "Endpoints",
            "EndpointSlice",
            "Ingress",
            "ConfigMap",
            "Secret",
            "ServiceAccount",
            "Role",
            "RoleBinding",
            "PersistentVolumeClaim",
            "HorizontalPodAutoscaler",
            "PodDisruptionBudget",
        ],
        check: run,
    },
};

/// The API groups of the kinds above, so that a CRD sharing a kind's name is not mistaken for it.
const GROUPS: &[&str] = &[
    "",
    "apps",
    "extensions",
    "batch",
    "networking.k8s.io",
    "discovery.k8s.io",
    "rbac.authorization.k8s.io",
    "autoscaling",
    "policy",
];

/// Objects every cluster creates in `default` itself.
const BUILT_IN: &[(&str, &str)] = &[
    ("Service", "kubernetes"),
    ("Endpoints", "kubernetes"),
    ("EndpointSlice", "kubernetes"),
    ("ServiceAccount", "default"),
    ("ConfigMap", "kube-root-ca.crt"),
];

fn run(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    if !GROUPS.contains(&object.group()) {
        return;
    }
    let name = object.resource.name.as_deref().unwrap_or_default();
    if BUILT_IN.contains(&(object.kind(), name)) {
        return;
    }
    let what = format!(
        "{} `{}`",
        object.kind(),
        object.resource.name.as_deref().unwrap_or("<unnamed>")
    );
    let path = FieldPath::root().keys("metadata.namespace");
    match object.resource.namespace.as_deref() {
        Some("default") => out.emit(path, format!("{what} is placed in the `default` namespace")),
        // Helm applies a chart's objects to the release's namespace; an unset namespace in
        // rendered output says nothing about where they end up.
        None if object.template.is_none() => out.emit(
            path,
            format!(
                "{what} has no `metadata.namespace`, so it lands in the namespace of the `kubectl` context, \
                 `default` unless one is set"
            ),
        ),
        _ => {}
    }
}
