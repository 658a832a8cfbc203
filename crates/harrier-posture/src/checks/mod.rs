//! Every built-in posture check, one file per check, grouped by area.
//!
//! | group | id area | reads |
//! |---|---|---|
//! | [`pss`] | `HRR-PSS` | Pod Security Standards controls, one per upstream check id |
//! | [`pod`] | `HRR-POD` | pod templates and their containers, and what governs their availability (PodDisruptionBudgets, autoscalers) |
//! | [`net`] | `HRR-NET` | Services, Ingresses, NetworkPolicies |
//! | [`rbac`] | `HRR-RBAC` | Roles, ClusterRoles and their bindings |
//! | [`sec`] | `HRR-SEC` | Secrets and credentials in objects |
//! | [`ns`] | `HRR-NS` | namespaces |
//! | [`api`] | `HRR-API` | API versions |
//!
//! To add a check: write `<group>/<slug>.rs` with a `pub static CHECK: Check` and
//! `<group>/<slug>.md` beside it (headings as the catalog tests require), add it to the
//! group's sorted `CHECKS`, and add `resources/fixtures/<slug>/fail.yaml` and `pass.yaml`.

use harrier_core::catalog::CatalogEntry;
use harrier_core::{CheckId, CheckMeta};

use crate::Check;

pub mod api;
pub mod net;
pub mod ns;
pub mod pod;
mod prelude;
pub mod pss;
pub mod rbac;
pub mod sec;

/// Each group's checks, sorted by id within a group.
const GROUPS: [&[&Check]; 7] = [
    api::CHECKS,
    net::CHECKS,
    ns::CHECKS,
    pod::CHECKS,
    pss::CHECKS,
    rbac::CHECKS,
    sec::CHECKS,
];

/// Every built-in posture check.
pub fn all() -> impl Iterator<Item = &'static Check> {
    GROUPS.into_iter().flatten().copied()
}

/// The metadata of a built-in posture check.
pub fn meta(id: CheckId) -> Option<&'static CheckMeta> {
    all().map(|c| &c.meta).find(|m| m.id == id)
}

/// Catalog entries of every built-in posture check.
pub fn catalog_entries() -> impl Iterator<Item = CatalogEntry> {
    all().map(|c| CatalogEntry {
        meta: &c.meta,
        inputs: c.inputs(),
    })
}

#[cfg(test)]
mod tests;
