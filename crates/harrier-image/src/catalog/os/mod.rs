//! Operating-system package databases and OS detection.

use super::Cataloger;

/// The OS catalogers.
pub static CATALOGERS: &[&dyn Cataloger] = &[];
