//! Checks of the `net` group; see [`crate::checks`].

use crate::Check;

/// The group's checks, sorted by id.
pub static CHECKS: &[&Check] = &[];
