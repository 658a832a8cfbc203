//! Suppression: object annotations and the exceptions file.
//!
//! An object opts out of a check with an annotation `ignore.harrier.dev/<check>: <reason>`,
//! where `<check>` is the check's id, slug or (for Pod Security Standards checks) upstream id.
//! The annotation is read from the object's own metadata and, for workloads, from the pod
//! template's metadata. The exceptions file (`harrier_core::exceptions`) covers what
//! annotations cannot: objects you do not own, whole namespaces, expiry dates. Suppressed
//! findings are returned, never dropped.

use harrier_core::check::Reference;
use harrier_core::exceptions::ExceptionSet;
use harrier_core::{CheckMeta, Finding, SuppressedFinding, Suppression, SuppressionSource};
use harrier_k8s::ObjectIndex;

use crate::checks;

/// Prefix of suppression annotations.
pub const ANNOTATION_PREFIX: &str = "ignore.harrier.dev/";

pub(crate) fn apply(
    index: &ObjectIndex,
    findings: Vec<(usize, Finding)>,
    exceptions: Option<&ExceptionSet>,
) -> (Vec<Finding>, Vec<SuppressedFinding>) {
    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    for (object, finding) in findings {
        let suppression = checks::meta(finding.check_id)
            .and_then(|meta| annotation_suppression(index, object, meta))
            .or_else(|| {
                let set = exceptions?;
                let labels = &index.objects()[object].labels;
                set.find(finding.check_id, &finding.resource, labels)
                    .map(|e| e.suppression())
            });
        match suppression {
            Some(suppression) => suppressed.push(SuppressedFinding {
                finding,
                suppression,
            }),
            None => kept.push(finding),
        }
    }
    (kept, suppressed)
}

fn annotation_suppression(
    index: &ObjectIndex,
    object: usize,
    meta: &CheckMeta,
) -> Option<Suppression> {
    let obj = &index.objects()[object];
    let template = index
        .workload_for(object)
        .and_then(|w| w.metadata.annotations.as_ref());
    let candidates = obj.annotations.iter().chain(template.into_iter().flatten());
    for (key, reason) in candidates {
        let Some(name) = key.strip_prefix(ANNOTATION_PREFIX) else {
            continue;
        };
        if names_check(name, meta) {
            return Some(Suppression {
                source: SuppressionSource::Annotation { key: key.clone() },
                reason: (!reason.trim().is_empty()).then(|| reason.clone()),
                owner: None,
                expires: None,
            });
        }
    }
    None
}

fn names_check(name: &str, meta: &CheckMeta) -> bool {
    name.eq_ignore_ascii_case(meta.id.as_str())
        || name == meta.slug
        || (meta.id.area() == "PSS"
            && meta
                .references
                .iter()
                .any(|r| matches!(r, Reference::Pss(p) if *p == name)))
}
