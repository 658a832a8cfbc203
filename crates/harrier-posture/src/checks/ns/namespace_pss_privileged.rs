use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-NS-003"),
        slug: "namespace-pss-privileged",
        title: "Namespace enforces the `privileged` Pod Security Standard",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[
            Cis("5.2.1"),
            Nsa("Pod security"),
            Mitre("T1611"),
            Url("https://kubernetes.io/docs/concepts/security/pod-security-standards/"),
        ],
        remediation: "Set `pod-security.kubernetes.io/enforce` to `baseline` or `restricted`; move the workloads that \
                      need host access to a dedicated, tightly controlled namespace.",
        docs: include_str!("namespace_pss_privileged.md"),
    },
    run: Run::Object {
        kinds: &["Namespace"],
        check: run,
    },
};

fn run(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    if !super::is_namespace(object) {
        return;
    }
    if object.labels.get(super::ENFORCE_LABEL).map(String::as_str) != Some("privileged") {
        return;
    }
    out.emit(
        FieldPath::root().keys("metadata.labels").key(super::ENFORCE_LABEL),
        format!(
            "{} sets `{}: privileged`, so Pod Security Admission admits privileged and host-namespace pods into it",
            super::describe(object),
            super::ENFORCE_LABEL
        ),
    );
}
