use harrier_core::yaml::Value;
use harrier_core::{CheckMeta, Evidence, FieldPath, Finding};
use harrier_k8s::{ContainerRef, Object, ObjectIndex};

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
        self.push(i, None, path, message.into());
    }

    /// A finding on the current object at `path`.
    pub fn emit(&mut self, path: FieldPath, message: impl Into<String>) {
        if let Some(i) = self.current {
            self.push(i, None, path, message.into());
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
            self.push(i, Some(container.name().to_owned()), path, message.into());
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

    fn push(&mut self, i: usize, container: Option<String>, path: FieldPath, message: String) {
        let object = &self.objects[i];
        let value = object.at(&path).map(|n| render(&n.value));
        let finding = Finding {
            check_id: self.meta.id,
            severity: self.meta.severity,
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
    let text = value.to_string();
    if text.chars().count() <= MAX {
        return text;
    }
    let cut: String = text.chars().take(MAX).collect();
    format!("{cut}…")
}
