use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-RBAC-007"),
        slug: "default-service-account-binding",
        title: "Binding grants a role to a `default` service account",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[Cis("5.1.5"), Mitre("T1078.001"), Cwe(250)],
        remediation: "Create a dedicated service account for the workload that needs the role, bind the role to \
                      it, and set `serviceAccountName` in the workload.",
        docs: include_str!("default_service_account_binding.md"),
    },
    run: Run::Object {
        kinds: super::BINDING_KINDS,
        check: run,
    },
};

fn run(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    let Some(binding) = super::binding_of(object) else {
        return;
    };
    for (i, subject) in binding.subjects.iter().enumerate() {
        if subject.kind != "ServiceAccount" || subject.name != "default" {
            continue;
        }
        out.emit(
            super::subject_path(i),
            format!(
                "{} grants {} `{}` to {}, which every pod of that namespace without `serviceAccountName` runs as",
                super::describe(object),
                binding.role_ref.kind,
                binding.role_ref.name,
                super::describe_subject(subject, object)
            ),
        );
    }
}
