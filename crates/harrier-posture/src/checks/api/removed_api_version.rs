use super::deprecations;
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-API-002"),
        slug: "removed-api-version",
        title: "Object uses an API version Kubernetes no longer serves",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[
            Url("https://kubernetes.io/docs/reference/using-api/deprecation-guide/"),
            Url("https://kubernetes.io/docs/reference/using-api/deprecation-policy/"),
            Cwe(1104),
        ],
        remediation: "Rewrite the manifest for the replacement API version (`kubectl convert` helps) and review the \
                      changed defaults listed in the Kubernetes deprecation guide.",
        docs: include_str!("removed_api_version.md"),
    },
    run: Run::Object {
        kinds: &[],
        check: run,
    },
};

fn run(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    let Some(entry) = deprecations::lookup(&object.resource.api_version, object.kind()) else {
        return;
    };
    let Some(removed) = entry.removed.filter(|_| entry.is_removed()) else {
        return;
    };
    let history = match entry.deprecated {
        Some(deprecated) => format!("deprecated in {deprecated}"),
        None => "an alpha version, removed without deprecation".to_owned(),
    };
    out.emit(
        FieldPath::root().key("apiVersion"),
        format!(
            "{} uses `{}` {}, which Kubernetes has not served since {removed} ({history}): {}",
            super::describe(object),
            entry.api_version,
            entry.kind,
            entry.replacement
        ),
    );
}
