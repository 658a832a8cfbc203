//! Language ecosystems: installed packages, archives, binaries and lockfiles.

use super::Cataloger;

/// The language catalogers.
pub static CATALOGERS: &[&dyn Cataloger] = &[];
