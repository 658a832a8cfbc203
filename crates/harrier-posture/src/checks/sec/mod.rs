//! Checks of the `sec` group; see [`crate::checks`].

use crate::Check;

/// The group's checks, sorted by id.
pub static CHECKS: &[&Check] = &[];
