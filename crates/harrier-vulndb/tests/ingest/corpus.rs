//! Every advisory set of `shared/corpus/vulnerabilities`, imported with zero errors and with
//! record counts checked against counts made here without the importer.

use std::collections::BTreeSet;

use harrier_vulndb::Status;
use harrier_vulndb::ingest::{FileErrorKind, Format};

use super::{corpus, error_lines, import, tar_zst_members};

/// Counts OSV JSON members: (live, withdrawn).
fn count_osv_json(members: &[(String, Vec<u8>)]) -> (usize, usize) {
    let mut counts = (0, 0);
    for (name, bytes) in members.iter().filter(|(n, _)| n.ends_with(".json")) {
        let value: serde_json::Value =
            serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        if value.get("withdrawn").is_some() {
            counts.1 += 1;
        } else {
            counts.0 += 1;
        }
    }
    counts
}

#[test]
fn golang_vulndb() {
    let Some(path) = corpus("golang-vulndb/golang-vulndb.tar.zst") else {
        return;
    };
    let (live, withdrawn) = count_osv_json(&tar_zst_members(&path));
    let batch = import(&path);
    assert_eq!(error_lines(&batch), "");
    assert_eq!(
        (batch.advisories.len(), batch.withdrawn.len()),
        (live, withdrawn)
    );
    assert_eq!(live + withdrawn, 4291, "the corpus README's member count");
    assert!(batch.files.iter().all(|f| f.format == Format::OsvJson));
    assert!(
        batch.files[0]
            .path
            .contains("golang-vulndb.tar.zst!/data/osv/GO-"),
        "{}",
        batch.files[0].path
    );
}

#[test]
fn ghsa_subset() {
    let Some(path) = corpus("ghsa-subset/ghsa-subset.tar.zst") else {
        return;
    };
    let (live, withdrawn) = count_osv_json(&tar_zst_members(&path));
    let batch = import(&path);
    assert_eq!(error_lines(&batch), "");
    assert_eq!(
        (batch.advisories.len(), batch.withdrawn.len()),
        (live, withdrawn)
    );
    assert_eq!((live, withdrawn), (195, 6));
}

#[test]
fn pypa_advisory_db() {
    let Some(path) = corpus("pypa-advisory-db/pypa-advisory-db.tar.zst") else {
        return;
    };
    let members = tar_zst_members(&path);
    let yaml: Vec<_> = members
        .iter()
        .filter(|(n, _)| n.ends_with(".yaml"))
        .collect();
    let withdrawn = yaml
        .iter()
        .filter(|(_, bytes)| {
            String::from_utf8_lossy(bytes)
                .lines()
                .any(|l| l.starts_with("withdrawn:"))
        })
        .count();
    let batch = import(&path);
    assert_eq!(error_lines(&batch), "");
    assert_eq!(batch.files.len(), yaml.len());
    assert_eq!(yaml.len(), 2661);
    assert_eq!(
        (batch.advisories.len(), batch.withdrawn.len()),
        (yaml.len() - withdrawn, withdrawn)
    );
    assert!(batch.files.iter().all(|f| f.format == Format::OsvYaml));
}

#[test]
fn rustsec_native_and_osv() {
    let Some(path) = corpus("rustsec/rustsec.tar.zst") else {
        return;
    };
    let members = tar_zst_members(&path);
    let native: Vec<_> = members.iter().filter(|(n, _)| n.ends_with(".md")).collect();
    let native_withdrawn = native
        .iter()
        .filter(|(_, bytes)| {
            String::from_utf8_lossy(bytes)
                .lines()
                .any(|l| l.starts_with("withdrawn = "))
        })
        .count();
    let osv: Vec<_> = members
        .iter()
        .filter(|(n, _)| n.ends_with(".json"))
        .cloned()
        .collect();
    let (osv_live, osv_withdrawn) = count_osv_json(&osv);
    let batch = import(&path);
    assert_eq!(error_lines(&batch), "");
    let count = |format: Format| {
        let files: Vec<_> = batch.files.iter().filter(|f| f.format == format).collect();
        (
            files.len(),
            files.iter().map(|f| f.records).sum::<usize>(),
            files.iter().map(|f| f.withdrawn).sum::<usize>(),
        )
    };
    assert_eq!(
        count(Format::RustSec),
        (
            native.len(),
            native.len() - native_withdrawn,
            native_withdrawn
        )
    );
    assert_eq!(count(Format::OsvJson), (osv.len(), osv_live, osv_withdrawn));
    assert_eq!((native.len(), osv.len()), (1205, 1206));
}

#[test]
fn kubernetes_cve_feed() {
    let Some(dir) = corpus("kubernetes-cve-feed-osv") else {
        return;
    };
    let records = std::fs::read_dir(dir.join("vulns"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "json")
        })
        .count();
    let batch = import(&dir);
    assert_eq!(error_lines(&batch), "");
    assert_eq!(batch.advisories.len(), records);
    // `last_updated.json` and the README are not feeds.
    let skipped: Vec<_> = batch
        .skipped
        .iter()
        .map(|p| p.rsplit('/').next().unwrap_or_default())
        .collect();
    assert_eq!(skipped, ["last_updated.json", "README.md"]);
}

#[test]
fn ubuntu_and_debian_osv() {
    for (set, records) in [("ubuntu-osv", 7), ("debian-osv", 1)] {
        let Some(dir) = corpus(set) else { return };
        let batch = import(&dir);
        assert_eq!(error_lines(&batch), "", "{set}");
        assert_eq!(batch.advisories.len(), records, "{set}");
    }
}

#[test]
fn debian_security_tracker_lists() {
    let Some(dir) = corpus("debian-security-tracker/data") else {
        return;
    };
    for list in ["DSA", "DLA"] {
        let path = dir.join(list).join("list");
        let text = std::fs::read_to_string(&path).unwrap();
        let headers = text.lines().filter(|l| l.starts_with('[')).count();
        let annotated: usize = text
            .lines()
            .filter(|l| {
                l.starts_with([' ', '\t']) && l.trim_start().starts_with('[') && l.contains("] - ")
            })
            .count();
        let batch = import(&path);
        assert_eq!(error_lines(&batch), "", "{list}");
        assert_eq!(batch.advisories.len(), headers, "{list}");
        // No package line repeats within an advisory here, so each is one affected entry.
        let affected: usize = batch.advisories.iter().map(|a| a.affected.len()).sum();
        assert_eq!(affected, annotated, "{list}");
        assert!(batch.advisories.iter().all(|a| a.id.starts_with(list)));
    }
}

#[test]
fn alpine_secdb() {
    let Some(dir) = corpus("alpine-secdb") else {
        return;
    };
    let mut entries = 0;
    let mut files = 0;
    for release in std::fs::read_dir(&dir).unwrap() {
        for file in std::fs::read_dir(release.unwrap().path()).unwrap() {
            let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
            files += 1;
            // Secfixes entries are the list items nested under a version key.
            entries += text
                .lines()
                .filter(|l| l.trim_start().starts_with("- ") && l.len() - l.trim_start().len() >= 6)
                .count();
        }
    }
    let batch = import(&dir);
    assert_eq!(error_lines(&batch), "");
    assert_eq!(batch.files.len(), files);
    // Each entry is one fixed range, or one "not affected" mark, of one package.
    let marks: usize = batch
        .advisories
        .iter()
        .flat_map(|a| &a.affected)
        .map(|a| a.ranges.len() + usize::from(a.status == Status::NotAffected))
        .sum();
    assert_eq!(marks, entries);
    let releases: BTreeSet<_> = batch
        .files
        .iter()
        .filter_map(|f| f.feed_version.clone())
        .collect();
    assert_eq!(releases.len(), 9, "{releases:?}");
}

#[test]
fn cisa_kev_json_and_csv() {
    let Some(dir) = corpus("cisa-kev") else {
        return;
    };
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join("known_exploited_vulnerabilities.json")).unwrap(),
    )
    .unwrap();
    let listed = json["vulnerabilities"].as_array().unwrap().len();
    let csv_rows = csv::Reader::from_path(dir.join("known_exploited_vulnerabilities.csv"))
        .unwrap()
        .records()
        .count();
    let batch = import(&dir);
    assert_eq!(error_lines(&batch), "");
    assert_eq!(batch.kev.len(), listed + csv_rows);
    assert_eq!(json["count"], listed);
    let json_file = batch
        .files
        .iter()
        .find(|f| f.format == Format::KevJson)
        .unwrap();
    assert_eq!(json_file.feed_version.as_deref(), Some("2025.08.25"));
    // The JSON schema beside the catalog is not a feed.
    assert_eq!(batch.skipped.len(), 1);
    assert!(batch.skipped[0].ends_with("known_exploited_vulnerabilities_schema.json"));
}

/// The whole directory at once: every file is either read without error or known not to be a
/// feed.
#[test]
fn the_whole_vulnerabilities_directory() {
    let Some(dir) = corpus("") else { return };
    let batch = import(&dir);
    assert_eq!(error_lines(&batch), "");
    let mut skipped: Vec<_> = batch
        .skipped
        .iter()
        .map(|p| p.rsplit('/').next().unwrap_or_default())
        .collect();
    skipped.sort_unstable();
    assert_eq!(
        skipped,
        [
            "README.md",
            "known_exploited_vulnerabilities_schema.json",
            "last_updated.json"
        ]
    );
    let formats: BTreeSet<_> = batch.files.iter().map(|f| f.format).collect();
    assert_eq!(formats.len(), 7, "{formats:?}");
    assert!(
        batch
            .errors
            .iter()
            .all(|e| !matches!(e.kind, FileErrorKind::TooLarge { .. }))
    );
}
