use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-RBAC-006"),
        slug: "anonymous-binding",
        title: "Binding grants a role to anonymous users",
        severity: Severity::Critical,
        status: SINCE_0_1,
        references: &[
            Nsa("Authentication and authorization: anonymous requests"),
            Mitre("T1078.001"),
            Cwe(306),
        ],
        remediation: "Remove the `system:anonymous` and `system:unauthenticated` subjects from the binding; grant the \
                      access to authenticated identities that need it.",
        docs: include_str!("anonymous_binding.md"),
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
    // Every cluster lets unauthenticated clients read its health and version through this
    // binding; it grants nothing else.
    if binding.role_ref.kind == "ClusterRole"
        && binding.role_ref.name == "system:public-info-viewer"
        && object.resource.name.as_deref() == Some("system:public-info-viewer")
    {
        return;
    }
    for (i, subject) in binding.subjects.iter().enumerate() {
        let anonymous = matches!(
            (subject.kind.as_str(), subject.name.as_str()),
            ("User", "system:anonymous") | ("Group", "system:unauthenticated")
        );
        if !anonymous {
            continue;
        }
        out.emit(
            super::subject_path(i),
            format!(
                "{} grants {} `{}` to {} `{}`: anyone who can reach the API server holds it without credentials",
                super::describe(object),
                binding.role_ref.kind,
                binding.role_ref.name,
                subject.kind,
                subject.name
            ),
        );
    }
}
