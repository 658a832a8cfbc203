use super::deprecations;
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-API-001"),
        slug: "deprecated-api-version",
        title: "Object uses a deprecated API version",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Url("https://kubernetes.io/docs/reference/using-api/deprecation-guide/"),
            Url("https://kubernetes.io/docs/reference/using-api/deprecation-policy/"),
            Cwe(477),
        ],
        remediation: "Move the manifest to the replacement API version (`kubectl convert` helps) before the release \
                      that removes the old one.",
        docs: include_str!("deprecated_api_version.md"),
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
    if !entry.is_deprecated() {
        return;
    }
    let Some(deprecated) = entry.deprecated else {
        return;
    };
    let removal = match entry.removed {
        Some(removed) => format!(" and to be removed in {removed}"),
        None => ", with no removal scheduled yet".to_owned(),
    };
    out.emit(
        FieldPath::root().key("apiVersion"),
        format!(
            "{} uses `{}` {}, deprecated since Kubernetes {deprecated}{removal}: {}",
            super::describe(object),
            entry.api_version,
            entry.kind,
            entry.replacement
        ),
    );
}
