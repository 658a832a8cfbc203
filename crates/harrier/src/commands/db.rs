//! `harrier db update|import|bundle|status`.

use std::io::{self, Write};

use anyhow::Context;
use harrier_vulndb::bundle;
use harrier_vulndb::import::{self as db_import, FeedOutcome};
use harrier_vulndb::update::{self as db_update, FetchOptions};

use crate::cli::{DbCommand, GlobalArgs, ListFormat};
use crate::exit::ExitStatus;
use crate::printer::Printer;

pub fn run(
    command: DbCommand,
    global: &GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    match command {
        DbCommand::Status { format, max_age } => status(global, printer, format, max_age),
        DbCommand::Bundle { out } => {
            let db = super::open_db(global)?;
            let info = bundle::write(&db, &out)
                .with_context(|| format!("cannot write bundle {}", out.display()))?;
            printer.note(&format!("wrote {}", out.display()));
            let mut stdout = io::stdout().lock();
            writeln!(
                stdout,
                "{}  {} ({} bytes, {} uncompressed)",
                info.sha256,
                out.display(),
                info.compressed,
                info.size
            )?;
            Ok(ExitStatus::Success)
        }
        DbCommand::Import { paths } => import(global, printer, &paths),
        DbCommand::Update { mirror, feeds } => update(global, printer, mirror.as_deref(), &feeds),
    }
}

fn status(
    global: &GlobalArgs,
    printer: &Printer,
    format: ListFormat,
    max_age: u32,
) -> anyhow::Result<ExitStatus> {
    let db = super::open_db(global)?;
    let meta = db.meta();
    let newest = meta
        .feeds
        .iter()
        .map(|f| f.fetched.as_str())
        .max()
        .unwrap_or(meta.built.as_str());
    let age_days = age_in_days(newest);
    let mut out = io::stdout().lock();
    match format {
        ListFormat::Json => {
            let doc = serde_json::json!({
                "path": db.path(),
                "built": meta.built,
                "built_by": meta.built_by,
                "age_days": age_days,
                "stale": age_days.is_some_and(|d| d > i64::from(max_age)),
                "advisories": meta.advisories,
                "affected": meta.affected,
                "packages": meta.packages,
                "enriched": meta.enriched,
                "size": db.as_bytes().len(),
                "feeds": meta.feeds,
            });
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        ListFormat::Table => {
            writeln!(
                out,
                "database  {} ({} bytes)",
                db.path().display(),
                db.as_bytes().len()
            )?;
            writeln!(out, "built     {} by {}", meta.built, meta.built_by)?;
            writeln!(
                out,
                "records   {} advisories, {} affected-package records, {} packages, {} CVEs with KEV/EPSS",
                meta.advisories, meta.affected, meta.packages, meta.enriched
            )?;
            writeln!(
                out,
                "\n{:<24} {:>9}  {:<22} ORIGIN",
                "FEED", "RECORDS", "FETCHED"
            )?;
            for f in &meta.feeds {
                writeln!(
                    out,
                    "{:<24} {:>9}  {:<22} {}",
                    f.name, f.records, f.fetched, f.origin
                )?;
            }
        }
    }
    if let Some(days) = age_days.filter(|d| *d > i64::from(max_age)) {
        printer.warning(&format!(
            "the vulnerability database is {days} days old (more than {max_age}); run `harrier db update`"
        ));
    }
    Ok(ExitStatus::Success)
}

/// Whole days since an RFC 3339 time, if it parses.
fn age_in_days(time: &str) -> Option<i64> {
    let then: jiff::Timestamp = time.parse().ok()?;
    let now = crate::settings::now();
    Some((now.as_second() - then.as_second()) / 86_400)
}

fn now_rfc3339() -> String {
    crate::settings::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn import(
    global: &GlobalArgs,
    printer: &Printer,
    paths: &[std::path::PathBuf],
) -> anyhow::Result<ExitStatus> {
    let db_path = super::db_path(global)?;
    let summary = db_import::import(&db_path, paths, &now_rfc3339())
        .with_context(|| format!("cannot import into {}", db_path.display()))?;
    for e in &summary.errors {
        printer.error(&e.to_string());
    }
    for s in &summary.skipped {
        printer.note(&format!("{s}: skipped, not a known feed format"));
    }
    let mut out = io::stdout().lock();
    match &summary.bundle {
        Some(info) => writeln!(
            out,
            "installed bundle {} ({} advisories) into {}",
            info.sha256,
            summary.meta.advisories,
            db_path.display()
        )?,
        None => writeln!(
            out,
            "imported {} advisories, {} KEV entries and {} EPSS scores from {} files ({} withdrawn skipped, {} not feeds); {} now holds {} advisories",
            summary.advisories,
            summary.kev,
            summary.epss,
            summary.files.len(),
            summary.withdrawn,
            summary.skipped.len(),
            db_path.display(),
            summary.meta.advisories
        )?,
    }
    Ok(if summary.errors.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Error
    })
}

fn update(
    global: &GlobalArgs,
    printer: &Printer,
    mirror: Option<&str>,
    only: &[String],
) -> anyhow::Result<ExitStatus> {
    let db_path = super::db_path(global)?;
    let mut feeds = db_update::default_feeds(mirror);
    if !only.is_empty() {
        let unknown: Vec<&String> = only
            .iter()
            .filter(|n| !feeds.iter().any(|f| &f.name == *n))
            .collect();
        if !unknown.is_empty() {
            let names: Vec<&str> = feeds.iter().map(|f| f.name.as_str()).collect();
            anyhow::bail!(
                "unknown feed {:?}; feeds are: {}",
                unknown,
                names.join(", ")
            );
        }
        feeds.retain(|f| only.contains(&f.name));
    }
    let progress = super::progress::Bars::new(printer.shows_progress(global));
    let summary = db_import::update(
        &db_path,
        &feeds,
        &FetchOptions::default(),
        &progress,
        &now_rfc3339(),
    )
    .with_context(|| format!("cannot update {}", db_path.display()))?;
    progress.clear();
    let mut out = io::stdout().lock();
    for (name, outcome) in &summary.feeds {
        match outcome {
            FeedOutcome::Updated { records, errors } => {
                writeln!(out, "{name:<24} updated, {records} records")?;
                for e in errors {
                    printer.warning(&format!("{name}: {e}"));
                }
            }
            FeedOutcome::NotModified => writeln!(out, "{name:<24} unchanged")?,
            FeedOutcome::Failed(why) => {
                writeln!(out, "{name:<24} FAILED (previous data kept)")?;
                printer.error(&format!("{name}: {why}"));
            }
        }
    }
    writeln!(
        out,
        "{} holds {} advisories for {} packages",
        db_path.display(),
        summary.meta.advisories,
        summary.meta.packages
    )?;
    Ok(if summary.has_failures() {
        ExitStatus::Error
    } else {
        ExitStatus::Success
    })
}
