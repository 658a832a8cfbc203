//! Known answers: what specific corpus records must turn into.

use harrier_vulndb::ingest::RansomwareUse;
use harrier_vulndb::{EcosystemKind, Event, RangeKind, ScoreKind, SeverityScore, Source, Status};

use super::{corpus, find, import};

fn introduced(v: &str) -> Event {
    Event::Introduced(v.to_owned())
}

fn fixed(v: &str) -> Event {
    Event::Fixed(v.to_owned())
}

#[test]
fn dsa_5380_1_fixes_xorg_server_in_bullseye() {
    let Some(path) = corpus("debian-security-tracker/data/DSA/list") else {
        return;
    };
    let batch = import(&path);
    let dsa = find(&batch, "DSA-5380-1");
    assert_eq!(dsa.aliases, ["CVE-2023-1393"]);
    assert_eq!(dsa.source, Source::DebianTracker);
    assert_eq!(dsa.published.as_deref(), Some("2023-03-29T00:00:00Z"));
    let [affected] = dsa.affected.as_slice() else {
        panic!("{:?}", dsa.affected)
    };
    assert_eq!(affected.package, "xorg-server");
    assert_eq!(affected.ecosystem.to_string(), "Debian:11");
    assert_eq!(affected.status, Status::Affected);
    assert_eq!(
        affected.ranges[0].events,
        [introduced("0"), fixed("2:1.20.11-1+deb11u6")]
    );
    // An old advisory: no revision in the id, woody as 3.0, a not-affected line.
    let old = find(&batch, "DSA-140");
    assert_eq!(old.aliases, ["CVE-2002-0660", "CVE-2002-0728"]);
    let packages: Vec<_> = old
        .affected
        .iter()
        .map(|a| (a.package.as_str(), a.ecosystem.to_string()))
        .collect();
    assert_eq!(
        packages,
        [
            ("libpng", "Debian:3.0".to_owned()),
            ("libpng3", "Debian:3.0".to_owned())
        ]
    );
    let with_status = |status: Status| {
        batch
            .advisories
            .iter()
            .flat_map(|a| &a.affected)
            .filter(|a| a.status == status)
            .count()
    };
    let list = std::fs::read_to_string(&path).unwrap();
    let package_lines = |pseudo: &str| {
        list.lines()
            .filter(|l| l.trim_start().starts_with('[') && l.contains(pseudo))
            .count()
    };
    assert_eq!(
        with_status(Status::NotAffected),
        package_lines("<not-affected>")
    );
    assert_eq!(
        with_status(Status::WillNotFix),
        package_lines("<end-of-life>")
    );
    assert_eq!(with_status(Status::Unfixed), package_lines("<unfixed>"));
}

#[test]
fn pysec_yaml_has_ecosystem_git_and_versions() {
    let Some(path) = corpus("pypa-advisory-db/pypa-advisory-db.tar.zst") else {
        return;
    };
    let batch = import(&path);
    let pysec = find(&batch, "PYSEC-2021-76");
    assert_eq!(pysec.aliases, ["CVE-2021-21330", "GHSA-v6wp-4m6f-gcjg"]);
    assert_eq!(pysec.modified.as_deref(), Some("2021-03-26T20:01:00Z"));
    let a = &pysec.affected[0];
    assert_eq!(
        (a.ecosystem.kind.clone(), a.package.as_str()),
        (EcosystemKind::PyPI, "aiohttp")
    );
    let kinds: Vec<_> = a.ranges.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [RangeKind::Git, RangeKind::Ecosystem]);
    assert_eq!(a.ranges[1].events, [introduced("0"), fixed("3.7.4")]);
    assert!(
        a.versions.iter().any(|v| v == "0.1"),
        "quoted numbers stay strings"
    );
    assert_eq!(a.versions.last().map(String::as_str), Some("3.7.3"));
    assert_eq!(a.versions.len(), 210);
}

#[test]
fn go_record_has_semver_ranges() {
    let Some(path) = corpus("golang-vulndb/golang-vulndb.tar.zst") else {
        return;
    };
    let batch = import(&path);
    let go = find(&batch, "GO-2020-0001");
    assert_eq!(go.aliases, ["CVE-2020-36567", "GHSA-6vm3-jj99-7229"]);
    assert_eq!(
        go.summary.as_deref(),
        Some("Arbitrary log line injection in github.com/gin-gonic/gin")
    );
    let a = &go.affected[0];
    assert_eq!(
        (a.ecosystem.kind.clone(), a.package.as_str()),
        (EcosystemKind::Go, "github.com/gin-gonic/gin")
    );
    assert_eq!(a.ranges[0].kind, RangeKind::Semver);
    assert_eq!(a.ranges[0].events, [introduced("0"), fixed("1.6.0")]);
}

#[test]
fn ghsa_last_affected_rating_and_withdrawn() {
    let Some(path) = corpus("ghsa-subset/ghsa-subset.tar.zst") else {
        return;
    };
    let batch = import(&path);
    let ghsa = find(&batch, "GHSA-44pg-c29v-hp6r");
    assert!(ghsa.severity.contains(&SeverityScore {
        kind: ScoreKind::Rating,
        value: "MODERATE".into()
    }));
    let first = &ghsa.affected[0];
    assert_eq!(first.ecosystem.kind, EcosystemKind::Packagist);
    assert_eq!(
        first.ranges[0].events,
        [introduced("5.5.0"), Event::LastAffected("5.5.49".into())]
    );
    assert_eq!(ghsa.affected.len(), 3);
    // Withdrawn: counted, never an advisory.
    assert!(batch.withdrawn.iter().any(|id| id == "GHSA-7fhm-mqm4-2wp7"));
    assert!(
        batch
            .advisories
            .iter()
            .all(|a| a.id != "GHSA-7fhm-mqm4-2wp7")
    );
}

#[test]
fn ubuntu_usn_keeps_binary_names_and_upstream_ids() {
    let Some(dir) = corpus("ubuntu-osv") else {
        return;
    };
    let batch = import(&dir);
    let usn = find(&batch, "USN-5811-1");
    assert_eq!(
        usn.upstream,
        ["UBUNTU-CVE-2022-33070", "UBUNTU-CVE-2023-22809"]
    );
    assert!(usn.aliases.is_empty());
    let releases: Vec<_> = usn
        .affected
        .iter()
        .map(|a| a.ecosystem.to_string())
        .collect();
    assert_eq!(releases, ["Ubuntu:18.04", "Ubuntu:20.04", "Ubuntu:22.04"]);
    let bionic = &usn.affected[0];
    assert_eq!(bionic.package, "sudo", "the source package");
    assert_eq!(bionic.binaries, ["sudo", "sudo-ldap"]);
    assert_eq!(
        bionic.ranges[0].events,
        [introduced("0"), fixed("1.8.21p2-3ubuntu1.5")]
    );
    assert_eq!(bionic.versions.len(), 7);
    // A CVE record: the older binaries shape, Pro releases, the Ubuntu priority.
    let cve = find(&batch, "CVE-2023-22809");
    let pro = &cve.affected[0];
    assert_eq!(pro.ecosystem.release.as_deref(), Some("pro:14.04"));
    assert_eq!(
        pro.binaries,
        ["sudo", "sudo-dbgsym", "sudo-ldap", "sudo-ldap-dbgsym"]
    );
    assert_eq!(pro.rating.as_deref(), Some("medium"));
    // Unfixed: only `introduced`.
    let kernel = find(&batch, "UBUNTU-CVE-2025-38094");
    assert_eq!(kernel.upstream, ["CVE-2025-38094"]);
    assert_eq!(kernel.affected[0].ranges[0].events, [introduced("0")]);
    assert!(kernel.severity.contains(&SeverityScore {
        kind: ScoreKind::Rating,
        value: "medium".into()
    }));
}

#[test]
fn alpine_zero_key_means_never_affected() {
    let Some(path) = corpus("alpine-secdb/v3.8/main.yaml") else {
        return;
    };
    let batch = import(&path);
    let cve = find(&batch, "CVE-2016-0682");
    let db = cve.affected.iter().find(|a| a.package == "db").unwrap();
    assert_eq!((db.status, db.ranges.len()), (Status::NotAffected, 0));
    assert_eq!(db.ecosystem.to_string(), "Alpine:3.8");
    // An entry naming a Xen advisory beside the CVE: one advisory, the XSA an alias.
    let xen = find(&batch, "CVE-2018-8897");
    assert!(
        xen.aliases.iter().any(|a| a == "XSA-260"),
        "{:?}",
        xen.aliases
    );
    assert!(batch.advisories.iter().all(|a| a.id != "XSA-260"));
}

#[test]
fn kubernetes_feed_moves_affected_severity_up() {
    let Some(path) = corpus("kubernetes-cve-feed-osv/vulns/CVE-2023-2727.json") else {
        return;
    };
    let batch = import(&path);
    let cve = find(&batch, "CVE-2023-2727");
    assert_eq!(cve.severity[0].kind, ScoreKind::CvssV3);
    let a = &cve.affected[0];
    assert_eq!(a.ecosystem.kind, EcosystemKind::Kubernetes);
    assert_eq!(a.ranges[0].events.len(), 8);
}

#[test]
fn kev_entries() {
    let Some(path) = corpus("cisa-kev/known_exploited_vulnerabilities.json") else {
        return;
    };
    let batch = import(&path);
    let git = batch
        .kev
        .iter()
        .find(|k| k.cve == "CVE-2025-48384")
        .unwrap();
    assert_eq!(git.date_added, "2025-08-25");
    assert_eq!(git.due_date.as_deref(), Some("2025-09-15"));
    assert_eq!(git.ransomware, RansomwareUse::Unknown);
    let known = batch
        .kev
        .iter()
        .filter(|k| k.ransomware == RansomwareUse::Known)
        .count();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        known,
        text.matches("\"knownRansomwareCampaignUse\": \"Known\"")
            .count()
    );
}
