//! The Pod Security Standards level each workload meets.
//!
//! Upstream pod-security-admission answers "does this pod pass level L"; the level a workload
//! meets is the highest L it passes. Each level is evaluated on its own set of controls, as
//! upstream does: restricted is every restricted control plus the baseline controls no
//! restricted control overrides; baseline is every baseline control.

use std::collections::BTreeMap;

use harrier_core::{CheckId, Finding, Location, PssLevel, ResourceRef};
use harrier_k8s::ObjectIndex;
use serde::Serialize;

use crate::checks::pss;

/// One workload's Pod Security Standards result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkloadPosture {
    /// The object carrying the pod template.
    pub resource: ResourceRef,
    /// Where it starts.
    pub location: Location,
    /// The highest level it meets.
    pub level: PssLevel,
    /// Upstream check ids of the violated controls, in upstream evaluation order.
    pub violations: Vec<&'static str>,
}

/// The upstream control id and level of a Pod Security Standards check of Harrier.
pub fn pss_level_of(id: CheckId) -> Option<(&'static str, PssLevel)> {
    pss::CONTROLS
        .iter()
        .find(|c| c.check == id)
        .map(|c| (c.upstream_id, c.level))
}

pub(crate) fn levels(index: &ObjectIndex, raw: &[(usize, Finding)]) -> Vec<WorkloadPosture> {
    let mut violated: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (object, finding) in raw {
        if let Some(pos) = pss::CONTROLS
            .iter()
            .position(|c| c.check == finding.check_id)
        {
            let list = violated.entry(*object).or_default();
            if !list.contains(&pos) {
                list.push(pos);
            }
        }
    }
    index
        .workloads()
        .iter()
        .map(|w| {
            let object = index.object_of(w);
            let mut controls = violated.remove(&w.object).unwrap_or_default();
            controls.sort_unstable();
            let fails_restricted = controls.iter().any(|&c| pss::CONTROLS[c].in_restricted);
            let fails_baseline = controls
                .iter()
                .any(|&c| pss::CONTROLS[c].level == PssLevel::Baseline);
            let level = if !fails_restricted {
                PssLevel::Restricted
            } else if !fails_baseline {
                PssLevel::Baseline
            } else {
                PssLevel::Privileged
            };
            WorkloadPosture {
                resource: object.resource.clone(),
                location: object.location(),
                level,
                violations: controls
                    .iter()
                    .map(|&c| pss::CONTROLS[c].upstream_id)
                    .collect(),
            }
        })
        .collect()
}
