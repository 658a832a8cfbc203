//! The database file: round trips, merging, alias groups, corruption, bundles.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use harrier_vulndb::db::{Builder, Database, EpssScore, FeedMeta, KevEntry};
use harrier_vulndb::model::{Advisory, Affected, Event, Range, RangeKind, Source, Status};
use harrier_vulndb::{Ecosystem, EcosystemKind, bundle};

fn advisory(
    id: &str,
    aliases: &[&str],
    ecosystem: Ecosystem,
    package: &str,
    events: Vec<Event>,
) -> Advisory {
    Advisory {
        id: id.to_owned(),
        aliases: aliases.iter().map(|s| (*s).to_owned()).collect(),
        upstream: Vec::new(),
        informational: None,
        summary: Some(format!("summary of {id}")),
        published: None,
        modified: Some("2024-01-01T00:00:00Z".to_owned()),
        severity: Vec::new(),
        affected: vec![Affected {
            ecosystem,
            package: package.to_owned(),
            binaries: Vec::new(),
            ranges: vec![Range {
                kind: RangeKind::Ecosystem,
                events,
            }],
            versions: Vec::new(),
            status: Status::Affected,
            rating: None,
        }],
        references: Vec::new(),
        source: Source::Osv,
    }
}

fn pypi() -> Ecosystem {
    Ecosystem::new(EcosystemKind::PyPI)
}

fn sample() -> Builder {
    let mut b = Builder::new();
    b.add_advisory(
        "osv/PyPI",
        advisory(
            "GHSA-aaaa-bbbb-cccc",
            &["CVE-2024-0001", "PYSEC-2024-1"],
            pypi(),
            "Django",
            vec![Event::Introduced("0".into()), Event::Fixed("4.2.1".into())],
        ),
    );
    b.add_advisory(
        "osv/PyPI",
        advisory(
            "PYSEC-2024-1",
            &["CVE-2024-0001"],
            pypi(),
            "django",
            vec![Event::Introduced("0".into()), Event::Fixed("4.2.1".into())],
        ),
    );
    b.add_advisory(
        "debian/tracker",
        advisory(
            "DSA-5000-1",
            &["CVE-2024-0002", "CVE-2024-0003"],
            Ecosystem::with_release(EcosystemKind::Debian, "bookworm"),
            "openssl",
            vec![
                Event::Introduced("0".into()),
                Event::Fixed("3.0.11-1~deb12u2".into()),
            ],
        ),
    );
    b.add_kev(
        "CVE-2024-0001",
        KevEntry {
            date_added: "2024-02-01".into(),
            due_date: Some("2024-02-22".into()),
            ransomware: false,
        },
    );
    b.add_epss(
        "CVE-2024-0001",
        EpssScore {
            score: 0.5,
            percentile: Some(0.9),
        },
    );
    b.set_feed(FeedMeta {
        name: "osv/PyPI".into(),
        origin: "test".into(),
        fetched: "2024-03-01T00:00:00Z".into(),
        records: 2,
        ..FeedMeta::default()
    });
    b
}

#[test]
fn round_trips_through_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vuln.db");
    let meta = sample().write(&path, "2024-03-01T00:00:00Z").unwrap();
    assert_eq!(
        (meta.advisories, meta.affected, meta.packages, meta.enriched),
        (3, 3, 2, 1)
    );
    let db = Database::open(&path).unwrap();
    db.verify().unwrap();
    assert_eq!(db.meta(), &meta);
    // PEP 503: `Django` and `django` are one package.
    let found = db.affected_indices(&pypi(), "DJANGO").unwrap();
    assert_eq!(found.len(), 2);
    let debian = Ecosystem::with_release(EcosystemKind::Debian, "12");
    assert_eq!(db.affected_indices(&debian, "openssl").unwrap().len(), 1);
    assert!(db.affected_indices(&debian, "nope").unwrap().is_empty());
    let e = db.enrichment("CVE-2024-0001").unwrap().unwrap();
    assert!(e.kev.is_some());
    assert_eq!(e.epss.map(|s| s.score), Some(0.5));
    assert!(db.enrichment("CVE-1999-0001").unwrap().is_none());
}

#[test]
fn advisories_of_one_vulnerability_share_its_cve_id() {
    let (bytes, _) = sample().encode("now").unwrap();
    let db = Database::from_bytes(bytes).unwrap();
    let ids: Vec<(String, String)> = (0..db.advisory_count())
        .map(|i| {
            let a = db.stored_advisory(i).unwrap();
            (a.id, a.vulnerability)
        })
        .collect();
    assert!(ids.contains(&("GHSA-aaaa-bbbb-cccc".into(), "CVE-2024-0001".into())));
    assert!(ids.contains(&("PYSEC-2024-1".into(), "CVE-2024-0001".into())));
    // A notice covering two CVEs does not merge them.
    assert!(ids.contains(&("DSA-5000-1".into(), "DSA-5000-1".into())));
}

#[test]
fn merging_keeps_existing_data_and_replaces_refreshed_feeds() {
    let (bytes, _) = sample().encode("now").unwrap();
    let db = Database::from_bytes(bytes).unwrap();
    let mut b = Builder::from_database(&db).unwrap();
    assert_eq!(b.advisory_count(), 3);
    b.remove_feed("osv/PyPI");
    assert_eq!(b.advisory_count(), 1);
    let (bytes, meta) = b.encode("later").unwrap();
    let db = Database::from_bytes(bytes).unwrap();
    assert_eq!(meta.advisories, 1);
    assert!(
        db.enrichment("CVE-2024-0001").unwrap().is_some(),
        "enrichment is kept"
    );
}

#[test]
fn damaged_files_are_errors_not_panics() {
    let (bytes, _) = sample().encode("now").unwrap();
    assert!(Database::from_bytes(b"not a database".to_vec()).is_err());
    assert!(Database::from_bytes(bytes[..bytes.len() / 2].to_vec()).is_err());
    let mut flipped = bytes.clone();
    let at = flipped.len() / 2;
    flipped[at] ^= 0xff;
    if let Ok(db) = Database::from_bytes(flipped) {
        assert!(db.verify().is_err());
        // Reads of a damaged file may fail, but must not panic.
        for i in 0..db.advisory_count() {
            let _ = db.stored_advisory(i);
        }
    }
    let mut versioned = bytes;
    versioned[8] = 99;
    let err = Database::from_bytes(versioned).unwrap_err();
    assert!(
        err.to_string().contains("format 99 is not supported"),
        "{err}"
    );
}

#[test]
fn bundles_round_trip_and_refuse_damage() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("vuln.db");
    sample().write(&db_path, "now").unwrap();
    let db = Database::open(&db_path).unwrap();
    let out = dir.path().join("bundle.hdb");
    let info = bundle::write(&db, &out).unwrap();
    assert!(bundle::is_bundle(&out));
    assert!(info.compressed < info.size);
    let installed = dir.path().join("other/vuln.db");
    let again = bundle::install(&out, &installed).unwrap();
    assert_eq!(again.sha256, info.sha256);
    assert_eq!(
        std::fs::read(&installed).unwrap(),
        std::fs::read(&db_path).unwrap()
    );

    let mut damaged = std::fs::read(&out).unwrap();
    let last = damaged.len() - 3;
    damaged[last] ^= 0x55;
    std::fs::write(&out, &damaged).unwrap();
    assert!(bundle::install(&out, &dir.path().join("x.db")).is_err());
    assert!(
        !dir.path().join("x.db").exists(),
        "nothing is installed from a damaged bundle"
    );
}
