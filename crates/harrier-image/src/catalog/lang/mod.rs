//! Language ecosystems: installed packages, archives, binaries and lockfiles.

use super::Cataloger;

pub mod go_binary;
pub mod java;
pub mod rust_binary;

/// The language catalogers.
pub static CATALOGERS: &[&dyn Cataloger] = &[
    &go_binary::GO_BINARY,
    &java::JAVA_ARCHIVE,
    &rust_binary::RUST_BINARY,
];
