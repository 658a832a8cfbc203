//! Feeds the corpus lacks, tested on small files in their real formats: the Debian tracker's
//! JSON export (shaped as `bin/tracker_service.py` writes it), an EPSS day and a secdb JSON file.

use harrier_vulndb::ingest::{FileErrorKind, Format};
use harrier_vulndb::{Event, Source, Status};

use super::{error_lines, find, fixture, import};

#[test]
fn debian_tracker_json_export() {
    let batch = import(&fixture("debian-tracker.json"));
    assert_eq!(error_lines(&batch), "");
    assert_eq!(batch.files[0].format, Format::DebianTrackerJson);
    let ids: Vec<_> = batch.advisories.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "CVE-2023-45853",
            "CVE-2024-0727",
            "CVE-2024-22667",
            "CVE-2024-2379",
            "CVE-2024-2511",
            "CVE-2024-7971",
            "TEMP-0290435-0B57B5",
        ],
        "one advisory per issue, ordered by id"
    );
    assert!(
        batch
            .advisories
            .iter()
            .all(|a| a.source == Source::DebianTracker)
    );
    let states = |id: &str| {
        find(&batch, id)
            .affected
            .iter()
            .map(|a| {
                (
                    a.package.clone(),
                    a.ecosystem.to_string(),
                    a.status,
                    a.rating.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    let row = |p: &str, e: &str, s: Status, r: Option<&str>| {
        (p.to_owned(), e.to_owned(), s, r.map(str::to_owned))
    };
    // Fixed per release; next_point_update and repositories do not change the verdict.
    assert_eq!(
        states("CVE-2024-0727"),
        [
            row("openssl", "Debian:12", Status::Affected, None),
            row("openssl", "Debian:11", Status::Affected, None),
            row("openssl", "Debian:sid", Status::Affected, None),
            row("openssl", "Debian:13", Status::Affected, None),
        ]
    );
    let openssl = &find(&batch, "CVE-2024-0727").affected[0];
    assert_eq!(
        openssl.ranges[0].events,
        [
            Event::Introduced("0".into()),
            Event::Fixed("3.0.13-1~deb12u1".into())
        ]
    );
    // `fixed_version: "0"` is "not affected".
    assert_eq!(
        states("CVE-2024-2379"),
        [
            row("curl", "Debian:12", Status::NotAffected, None),
            row("curl", "Debian:11", Status::NotAffected, None),
            row("curl", "Debian:sid", Status::Affected, None),
        ]
    );
    // <no-dsa> reasons: ignored and postponed mean no fix will come; a plain no-dsa stays open.
    assert_eq!(
        states("CVE-2023-45853")[0],
        row("zlib", "Debian:12", Status::WillNotFix, None)
    );
    assert_eq!(
        states("CVE-2024-2511")[..2],
        [
            row("openssl", "Debian:12", Status::WillNotFix, None),
            row("openssl", "Debian:11", Status::Unfixed, None),
        ]
    );
    // End of life, undetermined, urgency marks.
    assert_eq!(
        states("CVE-2024-7971")[1],
        row("chromium", "Debian:11", Status::WillNotFix, None)
    );
    assert_eq!(
        states("CVE-2024-22667")[0],
        row("vim", "Debian:12", Status::Undetermined, Some("low"))
    );
    assert_eq!(
        states("TEMP-0290435-0B57B5")[0],
        row("tar", "Debian:12", Status::Unfixed, Some("unimportant"))
    );
    let zlib = find(&batch, "CVE-2023-45853");
    assert!(
        zlib.summary
            .as_deref()
            .unwrap_or_default()
            .starts_with("MiniZip in zlib")
    );
    assert_eq!(
        zlib.references,
        ["https://security-tracker.debian.org/tracker/CVE-2023-45853"]
    );
}

#[test]
fn a_truncated_tracker_export_is_one_error_with_a_position() {
    let text = std::fs::read_to_string(fixture("debian-tracker.json")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Saved as the tracker serves it: `data/json`, no extension.
    let path = dir.path().join("json");
    std::fs::write(&path, &text).unwrap();
    assert_eq!(import(&path).advisories.len(), 7);
    std::fs::write(&path, &text[..text.len() / 2]).unwrap();
    let batch = import(&path);
    assert_eq!(batch.errors.len(), 1, "{}", error_lines(&batch));
    assert!(batch.errors[0].pos.is_some());
    assert!(matches!(
        batch.errors[0].kind,
        FileErrorKind::Syntax {
            language: "JSON",
            ..
        }
    ));
}

#[test]
fn epss_scores_plain_and_gzipped() {
    let path = fixture("epss_scores-2025-08-25.csv");
    let batch = import(&path);
    assert_eq!(error_lines(&batch), "");
    assert_eq!(batch.epss.len(), 6);
    let log4shell = batch
        .epss
        .iter()
        .find(|s| s.cve == "CVE-2021-44228")
        .unwrap();
    assert_eq!(
        (log4shell.epss, log4shell.percentile),
        (0.94358, Some(0.99957))
    );
    assert_eq!(
        batch.files[0].feed_version.as_deref(),
        Some("v2025.03.14 2025-08-25T12:55:00Z")
    );

    // EPSS is published gzipped.
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("epss_scores-2025-08-25.csv.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut encoder, &std::fs::read(&path).unwrap()).unwrap();
    std::fs::write(&gz, encoder.finish().unwrap()).unwrap();
    let zipped = import(&gz);
    assert_eq!(zipped.epss, batch.epss);
    assert!(
        zipped.files[0]
            .path
            .ends_with("epss_scores-2025-08-25.csv.gz!/epss_scores-2025-08-25.csv")
    );
}

#[test]
fn alpine_secdb_json() {
    let batch = import(&fixture("alpine-v3.20-main.json"));
    assert_eq!(error_lines(&batch), "");
    assert_eq!(batch.files[0].format, Format::AlpineSecdbJson);
    assert_eq!(batch.files[0].feed_version.as_deref(), Some("3.20"));
    let twice = find(&batch, "CVE-2023-42366");
    assert_eq!(twice.affected[0].ranges.len(), 2, "listed under two fixes");
    let never = find(&batch, "CVE-2021-42373");
    assert_eq!(never.affected[0].status, Status::NotAffected);
    assert_eq!(find(&batch, "CVE-2024-31142").aliases, ["XSA-455"]);
    assert_eq!(
        find(&batch, "CVE-2024-6119").affected[0]
            .ecosystem
            .to_string(),
        "Alpine:3.20"
    );
}
