//! Field paths into a Kubernetes object, such as
//! `spec.template.spec.containers[0].securityContext.privileged`.
//!
//! Checks build a path to the field they complain about; the loader resolves it against the
//! spanned document to a line, and reports print it as evidence. Keys are `Cow<'static, str>` so
//! the common case of a literal field name costs no allocation.

use std::borrow::Cow;
use std::fmt;

/// One step of a [`FieldPath`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// A mapping key.
    Key(Cow<'static, str>),
    /// A sequence index, from 0.
    Index(usize),
}

/// A path from the root of an object to one of its fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FieldPath {
    segments: Vec<Segment>,
}

impl FieldPath {
    /// The empty path: the object itself.
    pub fn root() -> FieldPath {
        FieldPath::default()
    }

    /// This path extended by a mapping key.
    #[must_use]
    pub fn key(&self, key: impl Into<Cow<'static, str>>) -> FieldPath {
        let mut next = self.clone();
        next.segments.push(Segment::Key(key.into()));
        next
    }

    /// This path extended by a sequence index.
    #[must_use]
    pub fn index(&self, index: usize) -> FieldPath {
        let mut next = self.clone();
        next.segments.push(Segment::Index(index));
        next
    }

    /// This path extended by a dotted chain of keys, such as `"securityContext.privileged"`.
    #[must_use]
    pub fn keys(&self, dotted: &'static str) -> FieldPath {
        let mut next = self.clone();
        next.segments
            .extend(dotted.split('.').map(|k| Segment::Key(Cow::Borrowed(k))));
        next
    }

    /// The steps of this path.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Whether this is the root path.
    pub fn is_root(&self) -> bool {
        self.segments.is_empty()
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.segments.iter().enumerate() {
            match seg {
                Segment::Index(n) => write!(f, "[{n}]")?,
                Segment::Key(k) if needs_quoting(k) => write!(f, "[{k:?}]")?,
                Segment::Key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
            }
        }
        Ok(())
    }
}

/// Annotation and label keys such as `seccomp.security.alpha.kubernetes.io/pod` would be
/// ambiguous in dotted form, so they print as `["key"]`.
fn needs_quoting(key: &str) -> bool {
    key.is_empty()
        || !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_kubectl_explain_paths() {
        let path = FieldPath::root()
            .keys("spec.template.spec")
            .key("containers")
            .index(0)
            .keys("securityContext.privileged");
        assert_eq!(
            path.to_string(),
            "spec.template.spec.containers[0].securityContext.privileged"
        );
    }

    #[test]
    fn quotes_keys_with_dots_and_slashes() {
        let path = FieldPath::root()
            .keys("metadata.annotations")
            .key("container.apparmor.security.beta.kubernetes.io/app");
        assert_eq!(
            path.to_string(),
            r#"metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"]"#
        );
    }
}
