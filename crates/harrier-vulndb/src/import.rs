//! Building the database from feeds: `harrier db import` and `harrier db update`.
//!
//! Both stream what the feed parsers read straight into a [`Builder`] that already holds the
//! current database, then write the result atomically. Import adds what it reads (a newer copy
//! of an advisory replaces an older one); update replaces each refreshed feed wholesale, so an
//! advisory the feed dropped disappears; a bundle replaces the whole database.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::bundle::{self, BundleInfo};
use crate::db::{Builder, Database, DbError, EpssScore, FeedMeta, KevEntry, Meta};
use crate::ingest::{self, FileError, FileSummary, ImportOptions, Sink};
use crate::model::{Advisory, Source};

/// What an import read and built.
#[derive(Debug, Default)]
pub struct ImportSummary {
    /// Files read, with their formats and record counts.
    pub files: Vec<FileSummary>,
    /// Files of no known feed format.
    pub skipped: Vec<Arc<str>>,
    /// Files and records that could not be read (the rest was imported).
    pub errors: Vec<FileError>,
    /// Advisories added.
    pub advisories: u64,
    /// Withdrawn advisories skipped (and removed when an earlier copy was there).
    pub withdrawn: u64,
    /// KEV entries added.
    pub kev: u64,
    /// EPSS scores added.
    pub epss: u64,
    /// When a bundle was installed instead, what it held.
    pub bundle: Option<BundleInfo>,
    /// The database written.
    pub meta: Meta,
}

/// Why an import or update could not finish. Problems inside files are not errors: they are
/// listed in the summary and the rest is imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A path given cannot be read at all.
    #[error(transparent)]
    Input(#[from] ingest::Error),
    /// The database could not be read or written.
    #[error(transparent)]
    Database(#[from] DbError),
    /// A bundle was given together with other inputs.
    #[error("a bundle replaces the whole database: import `{0}` on its own")]
    BundleWithOthers(String),
}

/// A [`Sink`] feeding a builder under one feed name.
struct BuilderSink<'b> {
    builder: &'b mut Builder,
    feed: String,
    summary: ImportSummary,
}

impl Sink for BuilderSink<'_> {
    fn advisory(&mut self, advisory: Advisory) {
        self.summary.advisories += 1;
        self.builder.add_advisory(&self.feed, advisory);
    }

    fn withdrawn(&mut self, id: String) {
        self.summary.withdrawn += 1;
        self.builder.withdraw(Source::Osv, &id);
    }

    fn kev(&mut self, entry: ingest::kev::KevEntry) {
        self.summary.kev += 1;
        let ransomware = entry.ransomware == ingest::kev::RansomwareUse::Known;
        self.builder.add_kev(
            &entry.cve,
            KevEntry {
                date_added: entry.date_added,
                due_date: entry.due_date,
                ransomware,
            },
        );
    }

    fn epss(&mut self, score: ingest::epss::EpssScore) {
        self.summary.epss += 1;
        // Four significant digits is what FIRST publishes; f32 keeps them.
        #[allow(clippy::cast_possible_truncation)]
        let to_f32 = |x: f64| x as f32;
        self.builder.add_epss(
            &score.cve,
            EpssScore {
                score: to_f32(score.epss),
                percentile: score.percentile.map(to_f32),
            },
        );
    }

    fn file(&mut self, summary: FileSummary) {
        self.summary.files.push(summary);
    }

    fn error(&mut self, error: FileError) {
        self.summary.errors.push(error);
    }

    fn skipped(&mut self, path: Arc<str>) {
        self.summary.skipped.push(path);
    }
}

fn existing_or_new(db_path: &Path) -> Result<Builder, DbError> {
    match Database::open(db_path) {
        Ok(db) => Builder::from_database(&db),
        Err(e) if e.is_not_found() => Ok(Builder::new()),
        Err(e) => Err(e),
    }
}

/// Imports files, directories and archives into the database at `db_path` (created when
/// missing), or installs a bundle. `now` is the RFC 3339 time recorded.
pub fn import(db_path: &Path, inputs: &[PathBuf], now: &str) -> Result<ImportSummary, ImportError> {
    if let Some(b) = inputs.iter().find(|p| bundle::is_bundle(p)) {
        if inputs.len() > 1 {
            return Err(ImportError::BundleWithOthers(b.display().to_string()));
        }
        let info = bundle::install(b, db_path)?;
        let meta = Database::open(db_path)?.meta().clone();
        return Ok(ImportSummary {
            bundle: Some(info),
            meta,
            ..ImportSummary::default()
        });
    }
    let mut builder = existing_or_new(db_path)?;
    let mut sink = BuilderSink {
        builder: &mut builder,
        feed: "import".to_owned(),
        summary: ImportSummary::default(),
    };
    let options = ImportOptions::default();
    for input in inputs {
        ingest::import_path(input, &options, &mut sink)?;
    }
    let mut summary = sink.summary;
    let records = summary.advisories + summary.kev + summary.epss;
    let previous = builder.feed("import").map_or(0, |f| f.records);
    let origins: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    builder.set_feed(FeedMeta {
        name: "import".to_owned(),
        origin: origins.join(", "),
        fetched: now.to_owned(),
        etag: None,
        last_modified: None,
        records: previous + records,
    });
    summary.meta = builder.write(db_path, now)?;
    Ok(summary)
}

#[cfg(feature = "update")]
pub use self::updating::{FeedOutcome, UpdateSummary, update};

#[cfg(feature = "update")]
mod updating {
    use super::*;
    use crate::update::{Feed, FetchOptions, Fetched, Progress, fetch};

    /// What happened to one feed.
    #[derive(Debug)]
    pub enum FeedOutcome {
        /// Downloaded and imported.
        Updated {
            /// Records the feed holds now.
            records: u64,
            /// Problems inside it (the rest was imported).
            errors: Vec<FileError>,
        },
        /// The server said the copy in the database is current.
        NotModified,
        /// Fetching or reading failed; the feed keeps its previous records.
        Failed(String),
    }

    /// What an update did.
    #[derive(Debug)]
    pub struct UpdateSummary {
        /// Each feed and its outcome, in the order fetched.
        pub feeds: Vec<(String, FeedOutcome)>,
        /// The database written.
        pub meta: Meta,
    }

    impl UpdateSummary {
        /// Whether any feed failed.
        pub fn has_failures(&self) -> bool {
            self.feeds
                .iter()
                .any(|(_, o)| matches!(o, FeedOutcome::Failed(_)))
        }
    }

    /// Fetches `feeds` and rebuilds the database at `db_path` with them.
    pub fn update(
        db_path: &Path,
        feeds: &[Feed],
        options: &FetchOptions,
        progress: &dyn Progress,
        now: &str,
    ) -> Result<UpdateSummary, ImportError> {
        let mut builder = existing_or_new(db_path)?;
        let dir = db_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        std::fs::create_dir_all(&dir).map_err(|e| DbError::io(&dir, e))?;
        let mut outcomes = Vec::with_capacity(feeds.len());
        for feed in feeds {
            let previous = builder.feed(&feed.name).cloned();
            let outcome = match fetch(feed, previous.as_ref(), &dir, options, progress) {
                Err(e) => FeedOutcome::Failed(e.to_string()),
                Ok(Fetched::NotModified) => {
                    if let Some(mut meta) = previous {
                        meta.fetched = now.to_owned();
                        builder.set_feed(meta);
                    }
                    FeedOutcome::NotModified
                }
                Ok(Fetched::Downloaded { file, meta }) => {
                    refresh(&mut builder, feed, file.path(), meta, now)
                }
            };
            progress.end(&feed.name, &describe(&outcome));
            outcomes.push((feed.name.clone(), outcome));
        }
        let meta = builder.write(db_path, now)?;
        Ok(UpdateSummary {
            feeds: outcomes,
            meta,
        })
    }

    /// Replaces a feed's records with those of a fresh download, unless the download holds
    /// nothing readable (then the previous records stay: a broken download must not empty
    /// the database).
    fn refresh(
        builder: &mut Builder,
        feed: &Feed,
        file: &Path,
        mut meta: FeedMeta,
        now: &str,
    ) -> FeedOutcome {
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => return FeedOutcome::Failed(format!("cannot read the download: {e}")),
        };
        let mut staging = Builder::new();
        let mut sink = BuilderSink {
            builder: &mut staging,
            feed: feed.name.clone(),
            summary: ImportSummary::default(),
        };
        // The name tells the importer what the bytes are (an archive, a compressed CSV, JSON).
        let name = feed.mirror_path();
        ingest::import_bytes(&name, &bytes, &ImportOptions::default(), &mut sink);
        let summary = sink.summary;
        let records = summary.advisories + summary.kev + summary.epss;
        let whole_file_failed = summary.errors.iter().any(FileError::is_whole_file);
        if records == 0 && (whole_file_failed || summary.files.is_empty()) {
            let why = summary.errors.first().map_or_else(
                || "the download holds no feed data".to_owned(),
                ToString::to_string,
            );
            return FeedOutcome::Failed(why);
        }
        builder.remove_feed(&feed.name);
        builder.absorb(staging);
        meta.fetched = now.to_owned();
        meta.records = records;
        builder.set_feed(meta);
        FeedOutcome::Updated {
            records,
            errors: summary.errors,
        }
    }

    fn describe(outcome: &FeedOutcome) -> String {
        match outcome {
            FeedOutcome::Updated { records, .. } => format!("{records} records"),
            FeedOutcome::NotModified => "unchanged".to_owned(),
            FeedOutcome::Failed(why) => format!("failed: {why}"),
        }
    }
}
