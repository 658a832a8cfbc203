//! Pod Security Standards, evaluated as the upstream pod-security-admission library does at its
//! latest policy version: one Harrier check per upstream check id, so a finding's id maps to
//! exactly one control.

use harrier_core::{CheckId, PssLevel};

use crate::Check;

/// A Pod Security Standards control as upstream defines it.
#[derive(Debug, Clone, Copy)]
pub struct Control {
    /// The Harrier check that evaluates it.
    pub check: CheckId,
    /// The upstream check id, such as `hostNamespaces`.
    pub upstream_id: &'static str,
    /// The level that requires it.
    pub level: PssLevel,
    /// Whether the restricted level evaluates it. False for the four baseline controls that a
    /// stricter restricted control replaces (`hostPathVolumes`, `seccompProfile_baseline`,
    /// `capabilities_baseline`, `procMount`), as upstream's `OverrideCheckIDs` do.
    pub in_restricted: bool,
}

/// Every control, in upstream evaluation order.
pub static CONTROLS: &[Control] = &[];

/// The group's checks, sorted by id.
pub static CHECKS: &[&Check] = &[];
