//! rpm version ordering (being written).

use std::cmp::Ordering;

use super::Invalid;

/// Orders two rpm versions.
pub fn compare(a: &str, b: &str) -> Result<Ordering, Invalid> {
    Err(Invalid::new(
        if a.is_empty() { b } else { a },
        "not implemented yet",
    ))
}
