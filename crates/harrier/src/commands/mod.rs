//! One module per subcommand.

pub mod checks;
pub mod generate_docs;
pub mod scan;

use anyhow::Context;
use harrier_core::Catalog;

/// Every check Harrier knows, from every analyzer.
pub fn catalog() -> anyhow::Result<Catalog> {
    Catalog::new(harrier_posture::checks::catalog_entries())
        .context("the built-in check catalog is inconsistent")
}
