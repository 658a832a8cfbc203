//! Resource signals: what a node's resource monitor concluded about a container (sustained CPU
//! saturation against its workload's baseline, steady memory growth), carried by a syscall-
//! source event of type [`RESOURCE_SIGNAL`] so that rules, outputs and exceptions treat it like
//! any other event of the container (`container.*`, `k8s.*` are filled as usual).
//!
//! A signal alone is weak evidence (a batch job saturates its CPU too); rules combine it with
//! what else the container did through [`crate::correlate::Correlator`], which stamps the
//! signal with the alerts seen for the same container ([`ResourceSignal::evidence`]).

use serde::{Deserialize, Serialize};

/// The `evt.type` of resource-signal events.
pub const RESOURCE_SIGNAL: &str = "container_resource_signal";

/// A resource signal. Rates are in cores and bytes as measured; the rule fields (`signal.*`)
/// give them as integers (millicores, percent), since Falco's field types have no decimals.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ResourceSignal {
    /// `cpu_saturation` or `memory_growth`.
    pub name: String,
    /// The workload key the baseline belongs to (`k8s:<ns>/<owner>/<container>`,
    /// `image:<repository>`, `container:<id>`).
    #[serde(default)]
    pub workload: Option<String>,
    /// How long the condition has held, nanoseconds.
    #[serde(default)]
    pub duration_ns: Option<u64>,
    /// Samples it held for.
    #[serde(default)]
    pub samples: Option<u32>,
    /// Whether an earlier signal already reported this episode.
    #[serde(default)]
    pub repeated: Option<bool>,
    /// Mean CPU over the episode, cores.
    #[serde(default)]
    pub cpu_cores: Option<f64>,
    /// Highest CPU sample, cores.
    #[serde(default)]
    pub cpu_peak_cores: Option<f64>,
    /// The container's CPU limit, cores (`None`: unlimited).
    #[serde(default)]
    pub cpu_limit_cores: Option<f64>,
    /// What saturation is relative to: the limit, else the configured reference (1 core).
    #[serde(default)]
    pub cpu_reference_cores: Option<f64>,
    /// `cpu_cores / cpu_reference_cores`.
    #[serde(default)]
    pub cpu_utilization: Option<f64>,
    /// The workload's baseline (EWMA) when the episode started, cores.
    #[serde(default)]
    pub baseline_cores: Option<f64>,
    /// The baseline's robust standard deviation (1.4826 · MAD, floored), cores.
    #[serde(default)]
    pub baseline_scale_cores: Option<f64>,
    /// `workload` (learnt) or `prior` (a new workload judged against an idle prior).
    #[serde(default)]
    pub baseline_source: Option<String>,
    /// `(cpu_cores − baseline_cores) / baseline_scale_cores`.
    #[serde(default)]
    pub score: Option<f64>,
    /// Working set, bytes.
    #[serde(default)]
    pub memory_bytes: Option<u64>,
    /// Memory limit, bytes.
    #[serde(default)]
    pub memory_limit_bytes: Option<u64>,
    /// Working-set growth, bytes per second.
    #[serde(default)]
    pub memory_growth_bytes_per_s: Option<f64>,
    /// Alerts seen for the same container within the correlation window (filled by the
    /// correlator; empty when the signal was evaluated on its own).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
}

/// An alert of the same container that a signal is combined with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The rule's name.
    pub rule: String,
    /// The threat profile the rule belongs to (its `harrier.profile.<name>` tag).
    #[serde(default)]
    pub profile: Option<String>,
    /// The alert's event time, nanoseconds since the epoch.
    #[serde(default)]
    pub time_ns: Option<i64>,
}

/// Rounds a measurement to an integer for a rule field; `None` for NaN and infinities.
pub(crate) fn round(v: f64) -> Option<i64> {
    let r = v.round();
    (r.is_finite() && r.abs() < 9.0e18).then_some(r as i64)
}
