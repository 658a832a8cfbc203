//! `db update` end to end: a local HTTP server serves corpus files in the mirror layout; the
//! database is built from them, refreshed conditionally, and survives failing feeds.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use harrier_core::testing::corpus_path;
use harrier_core::testing::http_server::Server;
use harrier_vulndb::import::{FeedOutcome, update};
use harrier_vulndb::update::{Feed, FetchOptions, Silent, default_feeds};
use harrier_vulndb::{Database, Ecosystem, Query, lookup};

fn options() -> FetchOptions {
    FetchOptions {
        attempts: 2,
        backoff: Duration::from_millis(5),
        timeout: Duration::from_secs(30),
        max_bytes: 256 << 20,
    }
}

/// Builds `<root>/osv/Go/all.zip` from the Go vulndb archive of the corpus, as osv.dev lays its
/// exports out (one JSON file per advisory at the zip's root), and returns how many live
/// (non-withdrawn) advisories it holds.
fn go_zip(corpus: &Path, root: &Path) -> usize {
    let archive = std::fs::File::open(corpus.join("golang-vulndb/golang-vulndb.tar.zst")).unwrap();
    let mut tar = tar::Archive::new(zstd::Decoder::new(archive).unwrap());
    std::fs::create_dir_all(root.join("osv/Go")).unwrap();
    let mut zip = zip::ZipWriter::new(std::fs::File::create(root.join("osv/Go/all.zip")).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    let mut live = 0;
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_path_buf();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        if value.get("withdrawn").is_none() {
            live += 1;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        zip.start_file(name, options).unwrap();
        zip.write_all(&bytes).unwrap();
    }
    zip.finish().unwrap();
    live
}

fn mirror(corpus: &Path) -> (tempfile::TempDir, PathBuf, usize) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("mirror");
    let live = go_zip(corpus, &root);
    std::fs::create_dir_all(root.join("kev")).unwrap();
    std::fs::copy(
        corpus.join("cisa-kev/known_exploited_vulnerabilities.json"),
        root.join("kev/known_exploited_vulnerabilities.json"),
    )
    .unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ingest");
    std::fs::create_dir_all(root.join("debian")).unwrap();
    std::fs::copy(
        fixtures.join("debian-tracker.json"),
        root.join("debian/json"),
    )
    .unwrap();
    std::fs::create_dir_all(root.join("alpine/v3.20")).unwrap();
    std::fs::copy(
        fixtures.join("alpine-v3.20-main.json"),
        root.join("alpine/v3.20/main.json"),
    )
    .unwrap();
    (dir, root, live)
}

fn feeds(base: &str) -> Vec<Feed> {
    let wanted = ["osv/Go", "kev", "debian/tracker", "alpine/v3.20/main"];
    default_feeds(Some(base))
        .into_iter()
        .filter(|f| wanted.contains(&f.name.as_str()))
        .collect()
}

#[test]
fn builds_refreshes_and_survives_failures() {
    let Some(corpus) = corpus_path(env!("CARGO_MANIFEST_DIR"), "vulnerabilities") else {
        return;
    };
    let (dir, root, live_go) = mirror(&corpus);
    let server = Server::start(root.clone()).unwrap();
    let db_path = dir.path().join("cache/vuln.db");
    let feeds = feeds(&server.base);

    // First run: everything downloads.
    let summary = update(
        &db_path,
        &feeds,
        &options(),
        &Silent,
        "2026-11-27T00:00:00Z",
    )
    .unwrap();
    assert!(!summary.has_failures(), "{:?}", summary.feeds);
    for (name, outcome) in &summary.feeds {
        assert!(
            matches!(outcome, FeedOutcome::Updated { records, errors } if *records > 0 && errors.is_empty()),
            "{name}: {outcome:?}"
        );
    }
    let go = summary.feeds.iter().find(|(n, _)| n == "osv/Go").unwrap();
    assert!(
        matches!(go.1, FeedOutcome::Updated { records, .. } if records == live_go as u64),
        "{go:?}"
    );
    let db = Database::open(&db_path).unwrap();
    db.verify().unwrap();
    let kev = db.meta().feeds.iter().find(|f| f.name == "kev").unwrap();
    assert_eq!(kev.records, 1404);
    let gin = Query {
        ecosystem: Ecosystem::parse_osv("Go"),
        package: "github.com/gin-gonic/gin",
        version: "v1.7.6",
        source_package: None,
    };
    assert!(
        lookup(&db, &gin)
            .unwrap()
            .matches
            .iter()
            .any(|m| m.id == "CVE-2020-28483")
    );
    drop(db);

    // Second run: conditional requests, nothing changes.
    let summary = update(
        &db_path,
        &feeds,
        &options(),
        &Silent,
        "2026-11-28T00:00:00Z",
    )
    .unwrap();
    assert!(
        summary
            .feeds
            .iter()
            .all(|(_, o)| matches!(o, FeedOutcome::NotModified)),
        "{:?}",
        summary.feeds
    );
    assert_eq!(
        summary.meta.advisories,
        Database::open(&db_path).unwrap().meta().advisories
    );

    // A feed that keeps failing, and one whose download is garbage, keep their previous data.
    server.fail("/kev/known_exploited_vulnerabilities.json", 503, 10);
    std::fs::write(root.join("osv/Go/all.zip"), b"this is not a zip archive").unwrap();
    let before = Database::open(&db_path).unwrap().meta().clone();
    let summary = update(
        &db_path,
        &feeds,
        &options(),
        &Silent,
        "2026-11-29T00:00:00Z",
    )
    .unwrap();
    assert!(summary.has_failures());
    let failed: Vec<&str> = summary
        .feeds
        .iter()
        .filter(|(_, o)| matches!(o, FeedOutcome::Failed(_)))
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(failed, ["osv/Go", "kev"]);
    let after = Database::open(&db_path).unwrap();
    assert_eq!(
        after.meta().advisories,
        before.advisories,
        "failed feeds keep their records"
    );
    assert!(
        after
            .enrichment("CVE-2021-44228")
            .unwrap()
            .is_some_and(|e| e.kev.is_some())
    );
    assert!(
        lookup(&after, &gin)
            .unwrap()
            .matches
            .iter()
            .any(|m| m.id == "CVE-2020-28483")
    );
}
