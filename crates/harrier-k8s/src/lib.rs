//! Kubernetes objects as Harrier reads them: from manifest files and, with the `cluster` feature,
//! from a live cluster ([`cluster`]).
//!
//! [`load`] turns paths (files, directories, `-` for stdin) into [`Object`]s: multi-document YAML
//! and JSON, `List` kinds, `kubectl get -o yaml` dumps and Helm-rendered output (keeping each
//! object's `# Source:` template). Every object keeps its spanned document, so any field a check
//! names can be located to a line. Unknown kinds and CRDs are kept as objects; documents that are
//! not Kubernetes objects are skipped with a note; broken files become [`Error`]s naming file
//! and line while the rest of the scan goes on.
//!
//! [`Workload`] is the typed view of a pod template (k8s-openapi `PodSpec`), extracted from every
//! kind that carries one, and [`ObjectIndex`] holds both with the lookups that cross-object checks
//! need. Nothing here judges security; that is `harrier-posture`'s job.
#![warn(missing_docs)]

#[cfg(feature = "cluster")]
pub mod cluster;
mod error;
pub mod facts;
mod index;
pub mod load;
mod object;
mod workload;

pub use error::Error;
pub use index::ObjectIndex;
pub use load::{LoadOptions, Loaded, load, load_text};
pub use object::Object;
pub use workload::{ContainerKind, ContainerRef, Workload, pod_template_path};

/// Re-exported so analyzers use exactly the Kubernetes API types (and version) this crate decodes.
pub use k8s_openapi;
