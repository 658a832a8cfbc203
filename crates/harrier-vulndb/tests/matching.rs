//! Known answers over the real advisory sets of the shared corpus: versions an advisory names
//! are matched, with the right id, aliases, evidence and fix; the first fixed version is not.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use harrier_core::testing::corpus_path;
use harrier_vulndb::db::Builder;
use harrier_vulndb::ingest::{self, ImportOptions};
use harrier_vulndb::{Database, Ecosystem, Query, Report, Status, lookup};

/// The corpus's advisories, imported once for every test.
fn database() -> Option<&'static Database> {
    static DB: OnceLock<Option<Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let root = corpus_path(env!("CARGO_MANIFEST_DIR"), "vulnerabilities")?;
        let batch = ingest::read_path_with(&root, &ImportOptions::default()).unwrap();
        assert!(batch.errors.is_empty(), "{:?}", batch.errors);
        let mut builder = Builder::new();
        for a in batch.advisories {
            builder.add_advisory("corpus", a);
        }
        for k in batch.kev {
            builder.add_kev(
                &k.cve,
                harrier_vulndb::db::KevEntry {
                    date_added: k.date_added,
                    due_date: k.due_date,
                    ransomware: false,
                },
            );
        }
        let (bytes, _) = builder.encode("2026-11-27T00:00:00Z").unwrap();
        Some(Database::from_bytes(bytes).unwrap())
    })
    .as_ref()
}

fn find(ecosystem: &str, package: &str, version: &str) -> Option<Report> {
    let db = database()?;
    let query = Query {
        ecosystem: Ecosystem::parse_osv(ecosystem),
        package,
        version,
        source_package: None,
    };
    Some(lookup(db, &query).unwrap())
}

fn ids(report: &Report) -> Vec<&str> {
    report.matches.iter().map(|m| m.id.as_str()).collect()
}

#[test]
fn go_module_named_versions_match_and_the_fix_does_not() {
    let Some(r) = find("Go", "github.com/gin-gonic/gin", "v1.7.6") else {
        return;
    };
    let m = r
        .matches
        .iter()
        .find(|m| m.id == "CVE-2020-28483")
        .expect("matched");
    assert!(m.aliases.contains(&"GO-2021-0052".to_owned()));
    assert_eq!(m.fixed, ["1.7.7"]);
    assert_eq!(m.evidence[0].scheme, "go");
    let r = find("Go", "github.com/gin-gonic/gin", "v1.7.7").unwrap();
    assert!(!ids(&r).contains(&"CVE-2020-28483"));
}

#[test]
fn pypi_package_named_versions_match_and_the_fix_does_not() {
    let Some(r) = find("PyPI", "Django", "3.2") else {
        return;
    };
    let m = r
        .matches
        .iter()
        .find(|m| m.id == "CVE-2021-31542")
        .expect("matched");
    assert!(m.aliases.contains(&"PYSEC-2021-7".to_owned()));
    assert_eq!(m.fixed, ["3.2.1"]);
    let r = find("PyPI", "django", "3.2.1").unwrap();
    assert!(!ids(&r).contains(&"CVE-2021-31542"));
}

#[test]
fn crate_named_versions_match_and_the_fix_does_not() {
    let Some(r) = find("crates.io", "smallvec", "1.6.0") else {
        return;
    };
    let m = r
        .matches
        .iter()
        .find(|m| m.id == "CVE-2021-25900")
        .expect("matched");
    assert!(m.aliases.contains(&"RUSTSEC-2021-0003".to_owned()));
    assert_eq!(
        m.evidence.len(),
        1,
        "native and OSV copies give one piece of evidence"
    );
    assert_eq!(m.severity, Some(harrier_core::Severity::Critical));
    let r = find("crates.io", "smallvec", "1.6.1").unwrap();
    assert!(!ids(&r).contains(&"CVE-2021-25900"));
    // Between the two affected ranges, 0.6.14 to 1.0.0, nothing matches.
    let r = find("crates.io", "smallvec", "0.6.14").unwrap();
    assert!(!ids(&r).contains(&"CVE-2021-25900"));
}

#[test]
fn maven_versions_use_maven_order_and_kev_is_attached() {
    let Some(r) = find("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1") else {
        return;
    };
    let m = r
        .matches
        .iter()
        .find(|m| m.id == "CVE-2021-44228")
        .expect("log4shell");
    assert!(m.kev.is_some(), "Log4Shell is in CISA KEV");
    assert_eq!(m.severity, Some(harrier_core::Severity::Critical));
    let r = find("Maven", "org.apache.logging.log4j:log4j-core", "2.17.1").unwrap();
    assert!(!ids(&r).contains(&"CVE-2021-44228"));
}

#[test]
fn debian_uses_the_distro_fix_with_backports() {
    let Some(r) = find("Debian:bullseye", "xorg-server", "2:1.20.11-1+deb11u5") else {
        return;
    };
    let m = r
        .matches
        .iter()
        .find(|m| m.id == "CVE-2023-1393")
        .expect("matched");
    assert!(m.aliases.contains(&"DSA-5380-1".to_owned()));
    assert_eq!(m.fixed, ["2:1.20.11-1+deb11u6"]);
    assert_eq!(m.evidence[0].scheme, "dpkg");
    let r = find("Debian:11", "xorg-server", "2:1.20.11-1+deb11u6").unwrap();
    assert!(!ids(&r).contains(&"CVE-2023-1393"));
}

#[test]
fn ubuntu_notices_fold_into_their_cves() {
    let Some(r) = find("Ubuntu:22.04:LTS", "sudo", "1.9.9-1ubuntu2.1") else {
        return;
    };
    let m = r
        .matches
        .iter()
        .find(|m| m.id == "CVE-2023-22809")
        .expect("matched");
    assert_eq!(m.fixed, ["1.9.9-1ubuntu2.2"]);
    // USN-5811-1 also names CVE-2022-33070, which has no record of its own here, so the notice
    // stays as the only evidence of that one.
    assert!(ids(&r).contains(&"USN-5811-1"));
    let r = find("Ubuntu:22.04", "sudo", "1.9.9-1ubuntu2.2").unwrap();
    assert!(r.matches.is_empty(), "{:?}", ids(&r));
}

#[test]
fn alpine_secdb_fixes_and_not_affected_entries() {
    let Some(db) = database() else { return };
    // Every Alpine record says `fixed`: the version before it matches, the fix does not.
    let mut checked = 0;
    for i in 0..db.advisory_count() {
        let a = db.stored_advisory(i).unwrap();
        if a.feed != "corpus" || !a.id.starts_with("CVE-") {
            continue;
        }
        for &ai in &a.affected {
            let rec = db.stored_affected(ai as usize).unwrap().affected;
            if rec.ecosystem.kind != harrier_vulndb::EcosystemKind::Alpine
                || rec.status != Status::Affected
            {
                continue;
            }
            let Some(harrier_vulndb::Event::Fixed(fixed)) =
                rec.ranges.first().and_then(|r| r.events.last())
            else {
                continue;
            };
            let query = Query {
                ecosystem: rec.ecosystem.clone(),
                package: &rec.package,
                version: fixed,
                source_package: None,
            };
            let Ok(report) = lookup(db, &query) else {
                continue;
            };
            assert!(
                !report
                    .matches
                    .iter()
                    .any(|m| m.id == a.vulnerability
                        && m.evidence.iter().any(|e| e.advisory == a.id)),
                "{} {fixed}: the fixed version must not match {}",
                rec.package,
                a.id
            );
            checked += 1;
            if checked >= 200 {
                return;
            }
        }
    }
    assert!(checked > 50, "only {checked} Alpine fixes checked");
}

#[test]
fn unknown_ecosystems_and_invalid_versions_are_reported() {
    let Some(db) = database() else { return };
    let query = Query {
        ecosystem: Ecosystem::parse_osv("PyPI"),
        package: "django",
        version: "not a version!",
        source_package: None,
    };
    let err = lookup(db, &query).unwrap_err();
    assert!(
        err.to_string().contains("not a valid pep440 version"),
        "{err}"
    );
    let r = find("CRAN", "anything", "1.0").unwrap();
    assert!(r.matches.is_empty());
}
