use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-NS-002"),
        slug: "namespace-without-pss-labels",
        title: "Namespace does not enforce a Pod Security Standard",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Cis("5.2.1"),
            Nsa("Pod security"),
            Cwe(1188),
            Url("https://kubernetes.io/docs/concepts/security/pod-security-admission/"),
        ],
        remediation: "Label the namespace `pod-security.kubernetes.io/enforce: restricted` (or `baseline` where \
                      restricted is not yet possible), with `enforce-version` pinned.",
        docs: include_str!("namespace_without_pss_labels.md"),
    },
    run: Run::Object {
        kinds: &["Namespace"],
        check: run,
    },
};

fn run(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    if !super::is_namespace(object) || object.labels.contains_key(super::ENFORCE_LABEL) {
        return;
    }
    let advisory: Vec<String> = ["warn", "audit"]
        .into_iter()
        .filter_map(|mode| {
            let level = object
                .labels
                .get(&format!("pod-security.kubernetes.io/{mode}"))?;
            Some(format!("`{mode}: {level}`"))
        })
        .collect();
    let also = if advisory.is_empty() {
        String::new()
    } else {
        format!(
            " (it only sets {}, which report but do not block)",
            advisory.join(" and ")
        )
    };
    out.emit(
        FieldPath::root().keys("metadata.labels").key(super::ENFORCE_LABEL),
        format!(
            "{} has no `{}` label{also}, so Pod Security Admission admits privileged pods into it unless \
             the cluster's default says otherwise",
            super::describe(object),
            super::ENFORCE_LABEL
        ),
    );
}
