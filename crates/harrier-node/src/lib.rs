//! Harrier's node scanner: the CIS Kubernetes Benchmark's automated items for a node, read from
//! its filesystem under a root.
//!
//! [`NodeView`] reads what a node shows (file modes and owners, static pod manifests, process
//! command lines, the kubelet config file); [`checks::CHECKS`] holds the benchmark items as data
//! ([`checks::VERSIONED`] those that differ between versions; [`checks::for_benchmark`] joins them);
//! [`NodeCheck::evaluate`] turns one item and a view into a [`NodeResult`] with evidence.
//!
//! Covered: CIS 1.9 and 1.10 sections 1 to 4 on the kubeadm, K3s and RKE2 layouts, and the
//! worker-node items of the EKS 1.8.0, GKE 1.9.0 and AKS 1.8 benchmarks; [`Profile`] tells the
//! layouts apart and says where each keeps its files ([`scan_node`] does both). Left out: the
//! policy items (section 5, which are cluster checks). See NOTES.md.
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
pub mod managed;
pub mod profile;
mod unit;
pub mod view;

pub use check::{
    Benchmark, Combine, FlagTest, NodeCheck, NodeResult, Section, Status, Target, Test,
    UnknownBenchmark,
};
pub use flags::Flags;
pub use profile::{Detection, Profile, UnknownProfile};
pub use view::{FileFacts, NodeView};

/// One node scanned: where, as which layout, against which benchmark, and the results.
#[derive(Debug, Clone)]
pub struct NodeScan {
    /// The root the node was read under.
    pub root: std::path::PathBuf,
    /// The node's host name (its `/etc/hostname`), if known.
    pub hostname: Option<String>,
    /// The layout it was read as.
    pub profile: Profile,
    /// How the layout was told: `Some` with the signs seen when detected, `None` when chosen.
    pub detection: Option<Detection>,
    /// The benchmark.
    pub benchmark: Benchmark,
    /// One result per item, in benchmark order.
    pub results: Vec<NodeResult>,
}

/// Scans the node under `root`: detects its layout unless `profile` is given, and evaluates
/// `benchmark` (else the layout's default benchmark).
pub fn scan_node(
    root: impl Into<std::path::PathBuf>,
    profile: Option<Profile>,
    benchmark: Option<Benchmark>,
) -> NodeScan {
    scan_node_with(
        root,
        &ScanOptions {
            profile,
            benchmark,
            proc_dir: None,
        },
    )
}

/// What [`scan_node_with`] reads the node as.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// The layout; `None` detects it.
    pub profile: Option<Profile>,
    /// The benchmark; `None` takes the layout's.
    pub benchmark: Option<Benchmark>,
    /// Where to read processes instead of `<root>/proc` (see [`NodeView::with_proc_dir`]).
    pub proc_dir: Option<std::path::PathBuf>,
}

/// [`scan_node`] with every option.
pub fn scan_node_with(root: impl Into<std::path::PathBuf>, options: &ScanOptions) -> NodeScan {
    let root = root.into();
    let base = |profile| {
        let view = NodeView::with_profile(&root, profile);
        match &options.proc_dir {
            Some(dir) => view.with_proc_dir(dir),
            None => view,
        }
    };
    let (view, detection) = match options.profile {
        Some(p) => (base(p), None),
        None => {
            let first = base(Profile::Kubeadm);
            let found = Profile::detect(&first);
            (first.as_profile(found.profile), Some(found))
        }
    };
    let profile = view.profile();
    let benchmark = options.benchmark.unwrap_or(profile.default_benchmark());
    NodeScan {
        hostname: view.hostname(),
        results: checks::evaluate(&view, benchmark),
        root,
        profile,
        detection,
        benchmark,
    }
}
