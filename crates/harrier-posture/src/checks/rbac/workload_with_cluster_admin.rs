use harrier_k8s::k8s_openapi::api::rbac::v1::Subject;

use crate::checks::prelude::*;
use crate::identity::ServiceAccounts;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-RBAC-012"),
        slug: "workload-with-cluster-admin",
        title: "Workload runs as a service account bound to cluster-admin",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[Cis("5.1.1"), Mitre("T1528"), Mitre("T1078"), Cwe(250)],
        remediation: "Give the workload its own service account bound to a role with only the permissions it \
                      uses, or set `automountServiceAccountToken: false` if it does not call the API.",
        docs: include_str!("workload_with_cluster_admin.md"),
    },
    run: Run::Graph(run),
};

/// A binding that gives full control, with the role it grants.
struct AdminBinding<'a> {
    object: &'a Object,
    subjects: Vec<Subject>,
    role: String,
}

fn run(index: &ObjectIndex, out: &mut Emitter<'_>) {
    let mut admin_bindings = Vec::new();
    for kind in super::BINDING_KINDS {
        for object in index.of_kind(kind) {
            let Some(binding) = super::binding_of(object) else {
                continue;
            };
            let Some(role) = super::full_control(object, &binding.role_ref, index) else {
                continue;
            };
            admin_bindings.push(AdminBinding {
                object,
                subjects: binding.subjects,
                role,
            });
        }
    }
    if admin_bindings.is_empty() {
        return;
    }
    let accounts = ServiceAccounts::of(index);
    for workload in index.workloads() {
        let object = index.object_of(workload);
        let namespace = object.resource.namespace.as_deref();
        // `serviceAccount` is the deprecated spelling, still honoured when the new one is unset.
        let (account, field) = match (
            &workload.spec.service_account_name,
            &workload.spec.service_account,
        ) {
            (Some(name), _) if !name.is_empty() => (name.as_str(), "serviceAccountName"),
            (_, Some(name)) if !name.is_empty() => (name.as_str(), "serviceAccount"),
            _ => ("default", "serviceAccountName"),
        };
        if !accounts.mounts_token(object, workload) {
            continue;
        }
        let grants: Vec<String> = admin_bindings
            .iter()
            .filter(|b| {
                b.subjects
                    .iter()
                    .any(|s| holds(s, b.object, account, namespace))
            })
            .map(|b| {
                let scope = match (b.object.kind(), b.object.resource.namespace.as_deref()) {
                    ("RoleBinding", Some(ns)) => format!(" in namespace `{ns}`"),
                    ("RoleBinding", None) => " in its namespace".to_owned(),
                    _ => String::new(),
                };
                format!("{} grants {}{scope}", super::describe(b.object), b.role)
            })
            .collect();
        if grants.is_empty() {
            continue;
        }
        out.about(
            object,
            workload.spec_path().key(field),
            format!(
                "{} runs as service account `{}/{account}`, and {}: anyone who compromises one of its \
                 containers holds these rights",
                super::describe(object),
                namespace.unwrap_or("<unset>"),
                grants.join("; ")
            ),
        );
    }
}

/// Whether `subject` of `binding` includes the service account `account` of `namespace`.
fn holds(subject: &Subject, binding: &Object, account: &str, namespace: Option<&str>) -> bool {
    match subject.kind.as_str() {
        "ServiceAccount" => {
            subject.name == account
                && super::service_account_namespace(subject, binding) == namespace
        }
        "Group" => match subject.name.as_str() {
            "system:serviceaccounts" | "system:authenticated" => true,
            name => name
                .strip_prefix("system:serviceaccounts:")
                .is_some_and(|ns| Some(ns) == namespace),
        },
        _ => false,
    }
}
