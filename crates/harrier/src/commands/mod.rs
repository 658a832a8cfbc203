//! One module per subcommand.

pub mod checks;
pub mod db;
pub mod generate_docs;
pub mod image;
pub mod network;
pub mod progress;
pub mod rbac;
pub mod scan;
pub mod vuln;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use harrier_core::Catalog;

/// Every check Harrier knows, from every analyzer.
pub fn catalog() -> anyhow::Result<Catalog> {
    Catalog::new(harrier_posture::checks::catalog_entries())
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

/// Loads and indexes manifests for a command that analyses the whole set (`harrier network`);
/// load errors go to stderr. The status is 2 when an input could not be read, as for
/// `scan manifests`.
pub fn load_index(
    paths: &[std::path::PathBuf],
    max_file_size: u64,
    printer: &crate::printer::Printer,
) -> (harrier_k8s::ObjectIndex, crate::exit::ExitStatus) {
    use harrier_k8s::{Error as LoadError, LoadOptions, ObjectIndex, load};

    use crate::exit::ExitStatus;
    let loaded = load(paths, &LoadOptions { max_file_size });
    let (index, index_problems) = ObjectIndex::build(loaded.objects);
    let (warnings, errors): (Vec<LoadError>, Vec<LoadError>) = loaded
        .errors
        .into_iter()
        .chain(index_problems)
        .partition(LoadError::is_warning);
    for e in &errors {
        printer.error(&e.to_string());
    }
    for w in &warnings {
        printer.warning(&w.to_string());
    }
    for n in &loaded.notes {
        match n.line {
            Some(line) => printer.note(&format!("{}:{line}: {}", n.path, n.message)),
            None => printer.note(&format!("{}: {}", n.path, n.message)),
        }
    }
    let status = if errors.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Error
    };
    (index, status)
}
