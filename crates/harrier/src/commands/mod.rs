//! One module per subcommand.

pub mod all;
pub mod baseline;
pub mod checks;
pub mod db;
pub mod generate_docs;
pub mod image;
#[cfg(feature = "sensor")]
pub mod metrics;
pub mod network;
pub mod node;
pub mod paths;
pub mod profiles;
pub mod progress;
pub mod rbac;
pub mod report;
pub mod response;
pub mod rules;
pub mod runtime;
pub mod scan;
#[cfg(feature = "sensor")]
pub mod sensor;
pub mod source;
#[cfg(feature = "sensor")]
pub mod top;
pub mod vuln;
#[cfg(feature = "cluster")]
pub mod watch;
pub mod webhook;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use harrier_core::Catalog;

/// Every check Harrier knows, from every analyzer.
pub fn catalog() -> anyhow::Result<Catalog> {
    Catalog::new(
        harrier_posture::checks::catalog_entries()
            .chain(harrier_compliance::checks::catalog_entries()),
    )
    .context("the built-in check catalog is inconsistent")
}

/// The vulnerability database path: `--db`, `HARRIER_DB`, or `vuln.db` in the user's cache
/// directory.
pub fn db_path(global: &crate::cli::GlobalArgs) -> anyhow::Result<std::path::PathBuf> {
    if let Some(path) = &global.db {
        return Ok(path.clone());
    }
    let cache =
        dirs::cache_dir().context("no cache directory is known for this user; pass --db PATH")?;
    Ok(cache.join("harrier").join("vuln.db"))
}

/// Opens the vulnerability database, explaining how to get one when there is none.
pub fn open_db(global: &crate::cli::GlobalArgs) -> anyhow::Result<harrier_vulndb::Database> {
    let path = db_path(global)?;
    harrier_vulndb::Database::open(&path).map_err(|e| {
        if e.is_not_found() {
            anyhow::anyhow!(
                "no vulnerability database at {}: run `harrier db update`, or `harrier db import` on an air-gapped machine",
                path.display()
            )
        } else {
            anyhow::Error::new(e)
        }
    })
}

/// Writes to a file or stdout; a closed stdout (`… | head`) ends the output quietly.
pub fn write_output(
    file: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<()> {
    match file {
        Some(path) => {
            let f =
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            let mut out = BufWriter::new(f);
            write(&mut out)
                .and_then(|()| out.flush())
                .with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            let stdout = io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            match write(&mut out).and_then(|()| out.flush()) {
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                other => other.context("cannot write to standard output"),
            }
        }
    }
}

/// The pods reachable from outside the cluster, for the attack graph, from the exposure
/// analysis; what it could not resolve is returned as problems.
pub fn exposure_of(
    index: &harrier_k8s::ObjectIndex,
) -> (
    Vec<harrier_graph::Exposure>,
    Vec<harrier_posture::rbac::Problem>,
) {
    let found = harrier_posture::exposure::analyse(index);
    (harrier_graph::exposures(&found), found.problems)
}
