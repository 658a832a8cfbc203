//! Where images come from.

#[cfg(feature = "registry")]
pub mod registry;
