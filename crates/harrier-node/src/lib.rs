//! Harrier's node scanner: the CIS Kubernetes Benchmark's automated items for a node, read from
//! its filesystem under a root.
//!
//! [`NodeView`] reads what a node shows (file modes and owners, static pod manifests, process
//! command lines, the kubelet config file); [`checks::CHECKS`] holds the benchmark items as data
//! ([`checks::VERSIONED`] those that differ between versions; [`checks::for_benchmark`] joins them);
//! [`NodeCheck::evaluate`] turns one item and a view into a [`NodeResult`] with evidence.
//!
//! Covered: the kubeadm layout of CIS 1.9 and 1.10, sections 1 to 4. Left out so far: profiles
//! for other layouts (K3s, RKE2, EKS, GKE, AKS), the policy items (section 5, which are cluster
//! checks), and CLI wiring. See NOTES.md.
//!
//! ```no_run
//! let view = harrier_node::NodeView::new("/host");
//! for result in harrier_node::checks::evaluate(&view, harrier_node::Benchmark::Cis110) {
//!     let _ = (result.id, result.status, result.evidence);
//! }
//! ```
#![warn(missing_docs)]

mod check;
pub mod checks;
pub mod flags;
pub mod view;

pub use check::{
    Benchmark, Combine, FlagTest, NodeCheck, NodeResult, Section, Status, Target, Test,
};
pub use flags::Flags;
pub use view::{FileFacts, NodeView};
