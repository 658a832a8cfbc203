//! Feed ingest: files, directories and archives in, advisories and enrichment out.
//!
//! One module per real feed format, each turning its source into the [`crate::model`] types:
//!
//! | module | format | gives |
//! |---|---|---|
//! | [`osv`] | OSV 1.6/1.7 JSON, OSV as YAML (PyPA) | one advisory per record |
//! | [`debian`] | the tracker's DSA/DLA lists and JSON export | one advisory per DSA/DLA, per CVE |
//! | [`alpine`] | secdb YAML and JSON | one advisory per vulnerability per release |
//! | [`rustsec`] | RustSec's native Markdown + TOML | one advisory per file |
//! | [`kev`] | CISA KEV JSON and CSV | known exploited CVEs |
//! | [`epss`] | FIRST EPSS CSV | exploit probability per CVE |
//!
//! Each parser takes the bytes or text of one file and returns its records plus *problems*:
//! a hard [`ParseError`] drops the file, soft problems drop one record or line and the rest is
//! kept. Parsers never see paths; this module adds them.
//!
//! [`read_path`] is the import entry point (`harrier db import`): it walks files, directories,
//! `.zip` archives (OSV's per-ecosystem `all.zip`) and `.tar`, `.tar.gz` and `.tar.zst`
//! archives, and single `.gz`/`.zst` files, streaming archive members without extracting them
//! to disk. Every file's size is bounded ([`ImportOptions::max_file_bytes`]), so a hostile
//! archive cannot exhaust memory. Each file's [`Format`] is decided from its name and content;
//! files of no known feed are listed as skipped, not as errors. One bad file never stops an
//! import: its error is recorded with the path (inside an archive, `outer!/member`) and line,
//! and the walk goes on.
//!
//! Results go to a [`Sink`]; [`ImportBatch`] is the sink that collects everything, and a
//! database builder can implement its own to stream records without holding them all.

pub mod alpine;
mod archive;
pub mod debian;
mod detect;
mod dispatch;
pub mod epss;
pub mod kev;
pub mod osv;
pub mod rustsec;
mod text;

use std::path::Path;
use std::sync::Arc;

use harrier_core::{Location, Pos};

pub use detect::Format;
pub use epss::{EpssFile, EpssScore};
pub use kev::{KevCatalog, KevEntry, RansomwareUse};
pub use text::ParseError;

use crate::model::Advisory;

/// Default bound on one file's size, decompressed: the Debian tracker's JSON export, the
/// largest single feed file, is under 100 MiB.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// How deep archives may nest (an archive inside an archive inside the one given).
pub const MAX_ARCHIVE_DEPTH: usize = 2;

/// Import settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOptions {
    /// Largest file (or archive member, decompressed) read; larger ones are reported and skipped.
    pub max_file_bytes: u64,
}

impl Default for ImportOptions {
    fn default() -> ImportOptions {
        ImportOptions {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
        }
    }
}

/// Where import results go.
pub trait Sink {
    /// A live advisory.
    fn advisory(&mut self, advisory: Advisory);
    /// The id of a withdrawn advisory (an earlier copy should be dropped).
    fn withdrawn(&mut self, id: String);
    /// A KEV entry.
    fn kev(&mut self, entry: KevEntry);
    /// An EPSS score.
    fn epss(&mut self, score: EpssScore);
    /// A file that was read, with what it held.
    fn file(&mut self, summary: FileSummary);
    /// A file, or part of one, that could not be read.
    fn error(&mut self, error: FileError);
    /// A file of no known feed.
    fn skipped(&mut self, path: Arc<str>);
}

/// Everything one import read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportBatch {
    /// Live advisories, in the order read.
    pub advisories: Vec<Advisory>,
    /// Ids of withdrawn advisories that were skipped.
    pub withdrawn: Vec<String>,
    /// KEV entries.
    pub kev: Vec<KevEntry>,
    /// EPSS scores.
    pub epss: Vec<EpssScore>,
    /// The files read, with their formats and record counts.
    pub files: Vec<FileSummary>,
    /// Files of no known feed.
    pub skipped: Vec<Arc<str>>,
    /// Files and records that could not be read.
    pub errors: Vec<FileError>,
}

impl Sink for ImportBatch {
    fn advisory(&mut self, advisory: Advisory) {
        self.advisories.push(advisory);
    }

    fn withdrawn(&mut self, id: String) {
        self.withdrawn.push(id);
    }

    fn kev(&mut self, entry: KevEntry) {
        self.kev.push(entry);
    }

    fn epss(&mut self, score: EpssScore) {
        self.epss.push(score);
    }

    fn file(&mut self, summary: FileSummary) {
        self.files.push(summary);
    }

    fn error(&mut self, error: FileError) {
        self.errors.push(error);
    }

    fn skipped(&mut self, path: Arc<str>) {
        self.skipped.push(path);
    }
}

/// One file that was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    /// The path, `archive!/member` inside archives.
    pub path: Arc<str>,
    /// Its format.
    pub format: Format,
    /// Advisories (or KEV entries, or EPSS scores) read from it.
    pub records: usize,
    /// Withdrawn advisories skipped.
    pub withdrawn: usize,
    /// The feed's own version, when the file names one: KEV's `catalogVersion`, EPSS's
    /// `model_version` and `score_date`, a secdb file's release.
    pub feed_version: Option<String>,
}

/// A file, or part of one, that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FileError {
    /// The path, `archive!/member` inside archives.
    pub path: Arc<str>,
    /// Where in the file, when known.
    pub pos: Option<Pos>,
    /// What went wrong.
    pub kind: FileErrorKind,
}

impl FileError {
    fn new(path: &Arc<str>, pos: Option<Pos>, kind: FileErrorKind) -> FileError {
        FileError {
            path: Arc::clone(path),
            pos,
            kind,
        }
    }

    /// The location, when the error has a position.
    pub fn location(&self) -> Option<Location> {
        self.pos
            .map(|pos| Location::new(Arc::clone(&self.path), pos))
    }

    /// Whether the whole file was dropped (as opposed to one record or line of it).
    pub fn is_whole_file(&self) -> bool {
        !matches!(self.kind, FileErrorKind::Record { .. })
    }
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.pos {
            Some(pos) => write!(
                f,
                "{}:{}:{}: {}",
                self.path, pos.line, pos.column, self.kind
            ),
            None => write!(f, "{}: {}", self.path, self.kind),
        }
    }
}

/// The kinds of [`FileError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileErrorKind {
    /// The file could not be read.
    #[error("cannot read: {0}")]
    Io(String),
    /// The file (decompressed) is larger than the limit.
    #[error("larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: u64,
    },
    /// The file is not UTF-8 text.
    #[error("not UTF-8 text (byte {offset} is invalid)")]
    NotUtf8 {
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// An archive (or compressed file) is corrupt; members read before the damage are kept.
    #[error("cannot read archive: {0}")]
    Archive(String),
    /// The file is not valid JSON or YAML, so its format could not be told.
    #[error("invalid {language}: {message}")]
    Syntax {
        /// `JSON` or `YAML`.
        language: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The file is not valid in its format; nothing of it was imported.
    #[error("invalid {format}: {message}")]
    Parse {
        /// The format detected.
        format: Format,
        /// What is wrong.
        message: String,
    },
    /// One record or line was skipped; the rest of the file was imported.
    #[error("{format} record skipped: {message}")]
    Record {
        /// The format detected.
        format: Format,
        /// What is wrong.
        message: String,
    },
}

/// An import that could not start: the path given cannot be read at all. Problems with files
/// inside it are [`FileError`]s in the batch instead.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The path does not exist or cannot be read.
    #[error("cannot read `{path}`")]
    Io {
        /// The path as given.
        path: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// Whether the path does not exist.
    pub fn is_not_found(&self) -> bool {
        match self {
            Error::Io { source, .. } => source.kind() == std::io::ErrorKind::NotFound,
        }
    }
}

/// Imports a file, directory or archive with default options.
pub fn read_path(path: &Path) -> Result<ImportBatch, Error> {
    read_path_with(path, &ImportOptions::default())
}

/// Imports a file, directory or archive.
pub fn read_path_with(path: &Path, options: &ImportOptions) -> Result<ImportBatch, Error> {
    let mut batch = ImportBatch::default();
    import_path(path, options, &mut batch)?;
    Ok(batch)
}

/// Imports a file, directory or archive into `sink`.
pub fn import_path(path: &Path, options: &ImportOptions, sink: &mut dyn Sink) -> Result<(), Error> {
    archive::import_path(path, options, sink)
}

/// Imports one file or archive already in memory (a download), named `name` (its extension
/// decides whether it is an archive).
pub fn import_bytes(name: &str, bytes: &[u8], options: &ImportOptions, sink: &mut dyn Sink) {
    archive::import_bytes(&Arc::from(name), bytes, 0, options, sink);
}
