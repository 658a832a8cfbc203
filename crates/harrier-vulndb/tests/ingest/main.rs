//! Ingest tests: every advisory set of the shared corpus imported with its records counted
//! independently, known answers per feed, RustSec's native advisories against their OSV twins,
//! archives, and fixtures for the feeds the corpus lacks (the Debian tracker's JSON export,
//! EPSS, secdb JSON).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test support code may panic: a panic is a failed test

mod archives;
mod corpus;
mod fixtures;
mod known_answers;
mod robustness;
mod rustsec_twins;

use std::io::Read;
use std::path::{Path, PathBuf};

use harrier_vulndb::Advisory;
use harrier_vulndb::ingest::{self, ImportBatch};

/// A path under `vulnerabilities/` in the shared corpus, or `None` (test skipped).
pub fn corpus(relative: &str) -> Option<PathBuf> {
    harrier_core::testing::corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        &format!("vulnerabilities/{relative}"),
    )
}

/// A fixture under `tests/fixtures/ingest/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ingest")
        .join(name)
}

/// Imports `path`, failing on an unreadable path.
pub fn import(path: &Path) -> ImportBatch {
    ingest::read_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The errors of a batch, one per line, for assertion messages.
pub fn error_lines(batch: &ImportBatch) -> String {
    batch.errors.iter().map(|e| format!("{e}\n")).collect()
}

/// The advisory with `id`.
pub fn find<'a>(batch: &'a ImportBatch, id: &str) -> &'a Advisory {
    batch
        .advisories
        .iter()
        .find(|a| a.id == id)
        .unwrap_or_else(|| panic!("no advisory {id}"))
}

/// The regular-file members of a `.tar.zst` archive, read with `tar` and `zstd` directly and
/// not through the importer, to count records independently.
pub fn tar_zst_members(path: &Path) -> Vec<(String, Vec<u8>)> {
    let file = std::fs::File::open(path).unwrap();
    let mut archive = tar::Archive::new(zstd::stream::read::Decoder::new(file).unwrap());
    let mut members = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        members.push((name, bytes));
    }
    members
}
