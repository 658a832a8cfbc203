use harrier_k8s::k8s_openapi::api::rbac::v1::Subject;

use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-RBAC-002"),
        slug: "cluster-admin-binding",
        title: "Binding grants the `cluster-admin` ClusterRole",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[
            Cis("5.1.1"),
            Nsa("Authentication and authorization: RBAC"),
            Mitre("T1098.006"),
            Cwe(250),
        ],
        remediation: "Bind a Role or ClusterRole that grants only what the subject needs; keep `cluster-admin` for \
                      break-glass administrators.",
        docs: include_str!("cluster_admin_binding.md"),
    },
    run: Run::Object {
        kinds: super::BINDING_KINDS,
        check: run,
    },
};

/// Groups the cluster binds to `cluster-admin` itself (the API server's bootstrap binding and
/// kubeadm's since 1.29): the cluster's administrators by definition.
const ADMIN_GROUPS: &[&str] = &["system:masters", "kubeadm:cluster-admins"];

fn run(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    let Some(binding) = super::binding_of(object) else {
        return;
    };
    if !super::is_cluster_admin(&binding.role_ref) {
        return;
    }
    let subjects: Vec<&Subject> = binding
        .subjects
        .iter()
        .filter(|s| !(s.kind == "Group" && ADMIN_GROUPS.contains(&s.name.as_str())))
        .collect();
    if subjects.is_empty() {
        return;
    }
    let names: Vec<String> = subjects
        .iter()
        .map(|s| super::describe_subject(s, object))
        .collect();
    let everyone: Vec<String> = subjects
        .iter()
        .filter_map(|s| {
            widely_held(s)
                .map(|why| format!("{} stands for {why}", super::describe_subject(s, object)))
        })
        .collect();
    let path = FieldPath::root().keys("roleRef.name");
    let what = format!(
        "{} binds ClusterRole `cluster-admin` to {}",
        super::describe(object),
        names.join(", ")
    );
    let scope = if object.kind() == "RoleBinding" {
        "full control of its namespace"
    } else {
        "full control of the cluster"
    };
    if everyone.is_empty() {
        out.emit(path, format!("{what}, giving {scope}"));
    } else {
        out.emit_with_severity(
            Severity::Critical,
            path,
            format!("{what}, giving {scope}; {}", everyone.join("; ")),
        );
    }
}

/// Why a subject stands for many identities, if it does.
fn widely_held(subject: &Subject) -> Option<&'static str> {
    match (subject.kind.as_str(), subject.name.as_str()) {
        ("User", "system:anonymous") | ("Group", "system:unauthenticated") => {
            Some("every unauthenticated request")
        }
        ("Group", "system:authenticated") => Some("every authenticated identity"),
        ("Group", "system:serviceaccounts") => Some("every service account of the cluster"),
        ("Group", name) if name.starts_with("system:serviceaccounts:") => {
            Some("every service account of a namespace")
        }
        ("ServiceAccount", "default") => Some("every pod that does not name a service account"),
        _ => None,
    }
}
