//! Posture analysis: what is misconfigured in a set of Kubernetes objects.
//!
//! Every check is a [`Check`]: constant metadata (`harrier_core::CheckMeta`) plus one evaluation
//! function whose [`Run`] variant says what it reads: a pod template, one object, or the whole
//! [`ObjectIndex`](harrier_k8s::ObjectIndex). The checks live one per file under `checks/<group>/`
//! with their documentation beside them, and each group exports a sorted `CHECKS` slice;
//! [`checks::all`] joins them.
//!
//! [`scan`] runs the selected checks in parallel, applies suppressions (object annotations and
//! the exceptions file, see [`suppress`]) and computes the Pod Security Standards level each
//! workload meets. It returns data; rendering is `harrier-report`'s job.
#![warn(missing_docs)]

mod check;
pub mod checks;
mod emit;
mod engine;
pub mod exposure;
pub mod host;
pub mod identity;
pub mod netpol;
mod pod_security;
mod selector;
pub mod suppress;

pub use check::{Check, PodContext, Run};
pub use emit::Emitter;
pub use engine::{PostureResult, ScanOptions, scan};
pub use pod_security::{WorkloadPosture, pss_level_of};
pub mod rbac;
