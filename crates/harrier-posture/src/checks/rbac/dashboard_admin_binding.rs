use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-RBAC-011"),
        slug: "dashboard-admin-binding",
        title: "Kubernetes Dashboard runs with cluster-admin",
        severity: Severity::Critical,
        status: SINCE_0_1,
        references: &[
            Mitre("T1133"),
            Mitre("T1078"),
            Cwe(250),
            Url(
                "https://github.com/kubernetes/dashboard/blob/master/docs/user/access-control/README.md",
            ),
        ],
        remediation: "Bind the Dashboard's service account only to the minimal role its chart ships, and let users \
                      sign in with their own token so that they act with their own permissions.",
        docs: include_str!("dashboard_admin_binding.md"),
    },
    run: Run::Graph(run),
};

fn run(index: &ObjectIndex, out: &mut Emitter<'_>) {
    for kind in super::BINDING_KINDS {
        for object in index.of_kind(kind) {
            let Some(binding) = super::binding_of(object) else {
                continue;
            };
            let Some(role) = super::full_control(object, &binding.role_ref, index) else {
                continue;
            };
            for (i, subject) in binding.subjects.iter().enumerate() {
                if subject.kind != "ServiceAccount" {
                    continue;
                }
                let namespace = super::service_account_namespace(subject, object);
                let is_dashboard =
                    namespace == Some("kubernetes-dashboard") || subject.name.contains("dashboard");
                if !is_dashboard {
                    continue;
                }
                out.about(
                    object,
                    super::subject_path(i),
                    format!(
                        "{} grants {role} to the Kubernetes Dashboard's {}: whoever reaches the Dashboard \
                         (or skips its login) controls the cluster",
                        super::describe(object),
                        super::describe_subject(subject, object)
                    ),
                );
            }
        }
    }
}
