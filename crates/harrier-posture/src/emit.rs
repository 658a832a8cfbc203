use harrier_core::yaml::Value;
use harrier_core::{CheckMeta, Evidence, FieldPath, Finding, Severity};
use harrier_k8s::{ContainerRef, Object, ObjectIndex};

/// What [`Emitter::emit_redacted`] shows in place of a secret value.
const REDACTED: &str = "<redacted>";

/// How one finding differs from the check's defaults.
#[derive(Default)]
struct Variation {
    severity: Option<Severity>,
    redact: bool,
}

/// Collects the findings of one check. A check names the object, the field path and a message;
/// the emitter fills in the location (resolved against the object's source), the evidence
/// (the value found at the path) and the check's id and severity.
pub struct Emitter<'a> {
    meta: &'a CheckMeta,
    objects: &'a [Object],
    out: Vec<(usize, Finding)>,
    current: Option<usize>,
}

impl<'a> Emitter<'a> {
    pub(crate) fn new(meta: &'a CheckMeta, index: &'a ObjectIndex) -> Emitter<'a> {
        Emitter {
            meta,
            objects: index.objects(),
            out: Vec::new(),
            current: None,
        }
    }

    /// Sets the object subsequent findings are about. Pod and object checks get it set for
    /// them; graph checks call [`Emitter::about`] instead.
    pub(crate) fn set_object(&mut self, object: usize) {
        self.current = Some(object);
    }

    /// A finding on `object` (any object of the index) at `path`.
    pub fn about(&mut self, object: &Object, path: FieldPath, message: impl Into<String>) {
        let i = self.index_of(object);
        self.push(i, None, path, message.into(), Variation::default());
    }

    /// A finding on the current object at `path`.
    pub fn emit(&mut self, path: FieldPath, message: impl Into<String>) {
        if let Some(i) = self.current {
            self.push(i, None, path, message.into(), Variation::default());
        }
    }

    /// A finding on the current object at `path`, with a severity other than the check's: for
    /// checks whose risk depends on the instance, such as a load balancer open to the internet
    /// rather than to a few source ranges.
    pub fn emit_with_severity(
        &mut self,
        severity: Severity,
        path: FieldPath,
        message: impl Into<String>,
    ) {
        if let Some(i) = self.current {
            let variation = Variation {
                severity: Some(severity),
                ..Variation::default()
            };
            self.push(i, None, path, message.into(), variation);
        }
    }

    /// A finding on the current object at `path` whose value must never be shown, such as a
    /// password: the evidence names the field, and its value reads `<redacted>`. The message
    /// must not quote the value either.
    pub fn emit_redacted(&mut self, path: FieldPath, message: impl Into<String>) {
        if let Some(i) = self.current {
            let variation = Variation {
                redact: true,
                ..Variation::default()
            };
            self.push(i, None, path, message.into(), variation);
        }
    }

    /// A finding on one container of the current workload, at `path`.
    pub fn emit_container(
        &mut self,
        container: &ContainerRef<'_>,
        path: FieldPath,
        message: impl Into<String>,
    ) {
        if let Some(i) = self.current {
            self.push(
                i,
                Some(container.name().to_owned()),
                path,
                message.into(),
                Variation::default(),
            );
        }
    }

    pub(crate) fn into_findings(self) -> Vec<(usize, Finding)> {
        self.out
    }

    fn index_of(&self, object: &Object) -> usize {
        // Objects handed to graph checks are borrowed from the index's slice, so their offset in
        // it is their index; this keeps `about` O(1) without every object carrying its index.
        let base = self.objects.as_ptr() as usize;
        let offset =
            (object as *const Object as usize).wrapping_sub(base) / std::mem::size_of::<Object>();
        if offset < self.objects.len() && std::ptr::eq(&self.objects[offset], object) {
            return offset;
        }
        unreachable!("graph checks only emit about objects of the index they were given")
    }

    fn push(
        &mut self,
        i: usize,
        container: Option<String>,
        path: FieldPath,
        message: String,
        variation: Variation,
    ) {
        let object = &self.objects[i];
        let value = object.at(&path).map(|n| {
            if variation.redact {
                REDACTED.to_owned()
            } else {
                render(&n.value)
            }
        });
        let finding = Finding {
            check_id: self.meta.id,
            severity: variation.severity.unwrap_or(self.meta.severity),
            resource: object.resource.clone(),
            container,
            location: Some(object.locate(&path)),
            message,
            evidence: (!path.is_root()).then(|| Evidence {
                field: path.to_string(),
                value,
            }),
            template: object.template.clone(),
        };
        self.out.push((i, finding));
    }
}

/// Evidence values are shown in one line and kept short: a whole pod spec is not evidence.
fn render(value: &Value) -> String {
    const MAX: usize = 120;
    // Block scalars (scripts, config snippets) would break the line: show their line breaks.
    let text = value.to_string().trim_end().replace('\n', "\\n");
    if text.chars().count() <= MAX {
        return text;
    }
    let cut: String = text.chars().take(MAX).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use harrier_core::{CheckId, CheckMeta, CheckStatus, FieldPath, Severity};
    use harrier_k8s::{ObjectIndex, load_text};

    use super::Emitter;

    const META: CheckMeta = CheckMeta {
        id: CheckId::from_static("HRR-SEC-999"),
        slug: "test",
        title: "test",
        severity: Severity::Medium,
        status: CheckStatus::Stable { since: "0.1.0" },
        references: &[],
        remediation: "",
        docs: "",
    };

    #[test]
    fn redacted_evidence_names_the_field_but_not_the_value() {
        let text =
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  password: hunter2\n";
        let (index, _) = ObjectIndex::build(load_text(Arc::from("c.yaml"), text).objects);
        let mut out = Emitter::new(&META, &index);
        out.set_object(0);
        out.emit_redacted(
            FieldPath::root().keys("data.password"),
            "key `password` holds a password",
        );
        out.emit_with_severity(
            Severity::High,
            FieldPath::root().keys("data.password"),
            "again",
        );
        let findings = out.into_findings();
        let evidence: Vec<_> = findings
            .iter()
            .filter_map(|(_, f)| f.evidence.clone())
            .collect();
        assert_eq!(evidence[0].field, "data.password");
        assert_eq!(evidence[0].value.as_deref(), Some("<redacted>"));
        assert_eq!(evidence[1].value.as_deref(), Some("hunter2"));
        assert_eq!(findings[0].1.severity, Severity::Medium);
        assert_eq!(findings[1].1.severity, Severity::High);
    }
}
