//! The shared model every Harrier analyzer speaks.
//!
//! Analyzers (posture, node, image, runtime) produce [`Finding`]s that name a [`CheckId`]; the
//! check's title, remediation and references live once in its [`CheckMeta`] and are looked up
//! through a [`Catalog`] when a report is written, never copied into each finding. Every finding
//! that came from a file carries a [`Location`] so that reports can point at the offending line.
//!
//! This crate also owns [`yaml`], the position-keeping YAML/JSON reader all input formats go
//! through (manifests, exceptions files, later rule files), because "name the file and the line"
//! is a property of the whole product rather than of one analyzer. It depends on no other Harrier
//! crate and does no IO beyond what a caller hands it.
#![warn(missing_docs)]

pub mod catalog;
pub mod check;
pub mod exceptions;
pub mod finding;
pub mod location;
pub mod path;
pub mod procfs;
pub mod pss;
pub mod resource;
pub mod secrets;
pub mod severity;
pub mod testing;
pub mod yaml;

pub use catalog::Catalog;
pub use check::{CheckId, CheckMeta, CheckStatus, InputKind, Reference};
pub use finding::{Evidence, Finding, SuppressedFinding, Suppression, SuppressionSource};
pub use location::{Location, Pos};
pub use path::FieldPath;
pub use pss::PssLevel;
pub use resource::ResourceRef;
pub use severity::Severity;
