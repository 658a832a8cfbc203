//! Which Kubernetes object a result concerns.

use std::fmt;

use serde::Serialize;

/// A reference to one Kubernetes object. `namespace` is `None` for cluster-scoped objects and
/// for namespaced objects whose manifest leaves it to `kubectl -n`; `name` is `None` only when
/// a manifest has none (for example it relies on `generateName`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ResourceRef {
    /// `apiVersion`, such as `apps/v1`.
    pub api_version: String,
    /// `kind`, such as `Deployment`.
    pub kind: String,
    /// `metadata.namespace`, if set.
    pub namespace: Option<String>,
    /// `metadata.name` (or `generateName`), if set.
    pub name: Option<String>,
}

impl fmt::Display for ResourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kind)?;
        if let Some(ns) = &self.namespace {
            write!(f, "/{ns}")?;
        }
        write!(f, "/{}", self.name.as_deref().unwrap_or("<unnamed>"))
    }
}
