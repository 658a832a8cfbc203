//! `harrier db` and `harrier vuln lookup`: building a database from the corpus's feeds,
//! updating it from a local mirror, bundles, status and lookups.

use std::path::Path;

use harrier_core::testing::corpus_path;
use harrier_core::testing::http_server::Server;

use crate::util::Dir;

fn import_kubernetes_feed(dir: &Dir, corpus: &Path) -> crate::util::Run {
    let feed = corpus.join("kubernetes-cve-feed-osv/vulns");
    let kev = corpus.join("cisa-kev/known_exploited_vulnerabilities.json");
    dir.run(&[
        "--db",
        "db/vuln.db",
        "db",
        "import",
        feed.to_str().unwrap(),
        kev.to_str().unwrap(),
    ])
}

#[test]
fn import_status_and_lookup() {
    let Some(corpus) = corpus_path(env!("CARGO_MANIFEST_DIR"), "vulnerabilities") else {
        return;
    };
    let dir = Dir::new();
    let run = import_kubernetes_feed(&dir, &corpus);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("imported 47 advisories, 1404 KEV entries"),
        "{}",
        run.stdout
    );

    let run = dir.run(&["--db", "db/vuln.db", "db", "status", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let status = run.json();
    assert_eq!(status["advisories"], 47);
    assert_eq!(status["stale"], false);
    assert_eq!(status["feeds"][0]["name"], "import");

    let run = dir.run(&[
        "--db",
        "db/vuln.db",
        "vuln",
        "lookup",
        "Kubernetes",
        "k8s.io/apiserver",
        "1.7.10",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    let m = report["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "CVE-2017-1002101")
        .expect("CVE-2017-1002101 affects k8s.io/apiserver 1.7.10");
    for field in ["id", "aliases", "severity", "fixed", "evidence"] {
        assert!(!m[field].is_null(), "{field} missing: {m}");
    }
    assert_eq!(m["fixed"][0], "1.7.14");
    assert_eq!(m["severity"], "high");
    assert_eq!(
        m["evidence"][0]["matched"],
        "introduced 1.3.0, fixed 1.7.14, introduced 1.8.0, fixed 1.8.9, introduced 1.9.0, fixed 1.9.4"
    );

    let run = dir.run(&[
        "--db",
        "db/vuln.db",
        "vuln",
        "lookup",
        "Kubernetes",
        "k8s.io/apiserver",
        "1.7.14",
    ]);
    assert!(
        !run.stdout.contains("CVE-2017-1002101"),
        "the fixed version is not affected: {}",
        run.stdout
    );
}

#[test]
fn status_warns_when_stale_and_missing_databases_are_explained() {
    let Some(corpus) = corpus_path(env!("CARGO_MANIFEST_DIR"), "vulnerabilities") else {
        return;
    };
    let dir = Dir::new();
    let run = dir.run(&["--db", "db/vuln.db", "db", "status"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("run `harrier db update`"),
        "{}",
        run.stderr
    );
    assert_eq!(import_kubernetes_feed(&dir, &corpus).code, 0);
    let run = dir
        .command(&["--db", "db/vuln.db", "db", "status"])
        .env("HARRIER_TODAY", "2027-03-01")
        .output()
        .map(crate::util::Run::from)
        .unwrap();
    assert_eq!(run.code, 0);
    assert!(run.stderr.contains("days old"), "{}", run.stderr);
}

#[test]
fn bundles_carry_a_database_to_another_machine() {
    let Some(corpus) = corpus_path(env!("CARGO_MANIFEST_DIR"), "vulnerabilities") else {
        return;
    };
    let dir = Dir::new();
    assert_eq!(import_kubernetes_feed(&dir, &corpus).code, 0);
    let run = dir.run(&["--db", "db/vuln.db", "db", "bundle", "harrier-db.hdb"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("harrier-db.hdb"), "{}", run.stdout);
    let run = dir.run(&["--db", "other/vuln.db", "db", "import", "harrier-db.hdb"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("installed bundle"), "{}", run.stdout);
    assert_eq!(
        std::fs::read(dir.path().join("db/vuln.db")).unwrap(),
        std::fs::read(dir.path().join("other/vuln.db")).unwrap()
    );
}

#[test]
fn update_from_a_mirror() {
    let Some(corpus) = corpus_path(env!("CARGO_MANIFEST_DIR"), "vulnerabilities") else {
        return;
    };
    let dir = Dir::new();
    let root = dir.path().join("mirror");
    std::fs::create_dir_all(root.join("kev")).unwrap();
    std::fs::copy(
        corpus.join("cisa-kev/known_exploited_vulnerabilities.json"),
        root.join("kev/known_exploited_vulnerabilities.json"),
    )
    .unwrap();
    // An OSV export zip: one JSON record per advisory at the archive's root.
    std::fs::create_dir_all(root.join("osv/PyPI")).unwrap();
    let mut zip =
        zip::ZipWriter::new(std::fs::File::create(root.join("osv/PyPI/all.zip")).unwrap());
    let feed = corpus.join("kubernetes-cve-feed-osv/vulns");
    for entry in std::fs::read_dir(&feed).unwrap() {
        let path = entry.unwrap().path();
        zip.start_file(
            path.file_name().unwrap().to_string_lossy(),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        std::io::Write::write_all(&mut zip, &std::fs::read(&path).unwrap()).unwrap();
    }
    zip.finish().unwrap();
    let server = Server::start(root).unwrap();

    let args = [
        "--db",
        "db/vuln.db",
        "db",
        "update",
        "--mirror",
        &server.base,
        "--feed",
        "osv/PyPI",
        "--feed",
        "kev",
    ];
    let run = dir.run(&args);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("osv/PyPI                 updated, 47 records"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("kev                      updated, 1404 records"),
        "{}",
        run.stdout
    );
    let run = dir.run(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("osv/PyPI                 unchanged"),
        "{}",
        run.stdout
    );

    server.fail("/kev/known_exploited_vulnerabilities.json", 500, 100);
    let run = dir.run(&args);
    assert_eq!(run.code, 2, "a failed feed is an error: {}", run.stdout);
    assert!(
        run.stdout
            .contains("kev                      FAILED (previous data kept)"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("HTTP 500"), "{}", run.stderr);
    let run = dir.run(&["--db", "db/vuln.db", "db", "status", "--format", "json"]);
    assert_eq!(
        run.json()["enriched"],
        1404,
        "KEV data survives the failed update"
    );

    let run = dir.run(&["--db", "db/vuln.db", "db", "update", "--feed", "nope"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown feed"), "{}", run.stderr);
}
