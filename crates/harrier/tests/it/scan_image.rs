//! `harrier scan image`, `scan sbom` and `sbom` on the real test image that
//! `scripts/build-test-images.sh` builds (debootstrap + buildah: Go binaries and Java jars from
//! Debian packages, Python packages from PyPI at versions with advisories, a Cargo.lock, test
//! keys planted in one layer and deleted in the next, packages purged in the last layer), read
//! as docker-archive, OCI layout (gzip and zstd), oci-archive and from a real registry.
//!
//! The images live in `$HARRIER_TEST_IMAGES` (`.ci/run` builds them); without them these tests
//! skip, and fail under `HARRIER_REQUIRE_ALL=1`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use harrier_core::testing::{corpus_path, skip};
use serde_json::Value;

use crate::util::{Dir, Run, repo_root};

pub(crate) fn images() -> Option<PathBuf> {
    let dir = std::env::var_os("HARRIER_TEST_IMAGES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/harrier-test-images"));
    if dir.join(".complete").is_file() {
        Some(dir)
    } else {
        skip(&format!(
            "no test images in {} (run scripts/build-test-images.sh DIR and set HARRIER_TEST_IMAGES=DIR)",
            dir.display()
        ))
    }
}

/// A vulnerability database built once from the corpus's feeds, shared by the tests.
pub(crate) fn database() -> Option<PathBuf> {
    static DB: OnceLock<Option<PathBuf>> = OnceLock::new();
    DB.get_or_init(|| {
        let corpus = corpus_path(env!("CARGO_MANIFEST_DIR"), "vulnerabilities")?;
        let dir = std::env::temp_dir().join(format!("harrier-it-db-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("db dir");
        let db = dir.join("vuln.db");
        let run = Dir::new().run(&[
            "--db",
            db.to_str().unwrap(),
            "db",
            "import",
            corpus.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        Some(db)
    })
    .clone()
}

fn scan(dir: &Dir, db: &Path, reference: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "--db",
        db.to_str().unwrap(),
        "scan",
        "image",
        reference,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    dir.run(&args)
}

/// What must not differ between the ways of reading one image: packages with their layers,
/// removed packages, secrets with their layers, vulnerabilities.
fn essence(report: &Value) -> Value {
    let packages = |key: &str| -> Vec<String> {
        let mut v: Vec<String> = report[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                format!(
                    "{} {} {} {} {} {}",
                    p["kind"],
                    p["name"],
                    p["version"],
                    p["path"],
                    p["layer"]["index"],
                    p["removed_in"]["index"]
                )
            })
            .collect();
        v.sort();
        v
    };
    let mut secrets: Vec<String> = report["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{} {} {} {} {}",
                s["rule"], s["path"], s["line"], s["layer"]["index"], s["deleted_in"]["index"]
            )
        })
        .collect();
    secrets.sort();
    let mut vulns: Vec<String> = report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            format!(
                "{} {} {}",
                v["id"], v["package"]["name"], v["package"]["path"]
            )
        })
        .collect();
    vulns.sort();
    serde_json::json!({
        "os": report["target"]["os"],
        "packages": packages("packages"),
        "removed": packages("removed_packages"),
        "secrets": secrets,
        "vulnerabilities": vulns,
        "diff_ids": report["target"]["layers"].as_array().unwrap().iter().map(|l| l["diff_id"].clone()).collect::<Vec<_>>(),
        "created_by": report["target"]["layers"].as_array().unwrap().iter().map(|l| l["created_by"].clone()).collect::<Vec<_>>(),
    })
}

/// The docker-archive report, computed once.
fn docker_archive_report() -> Option<&'static Value> {
    static REPORT: OnceLock<Option<Value>> = OnceLock::new();
    REPORT
        .get_or_init(|| {
            let images = images()?;
            let db = database()?;
            let reference = format!(
                "docker-archive:{}",
                images.join("image.docker.tar").display()
            );
            let run = scan(&Dir::new(), &db, &reference, &[]);
            assert_eq!(run.code, 0, "{}", run.stderr);
            Some(run.json())
        })
        .as_ref()
}

/// A registry started for one test, stopped when dropped.
struct Registry {
    dir: tempfile::TempDir,
    reference: String,
}

impl Registry {
    fn start(images: &Path) -> Option<Registry> {
        for tool in ["docker-registry", "skopeo"] {
            if Command::new("sh")
                .args(["-c", &format!("command -v {tool}")])
                .output()
                .map_or(true, |o| !o.status.success())
            {
                return skip(&format!("{tool} is not installed (Debian package {tool})"));
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let script = repo_root().join("scripts/test-registry.sh");
        let out = Command::new(&script)
            .arg("start")
            .arg(dir.path())
            .arg(images)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let reference = std::fs::read_to_string(dir.path().join("ref"))
            .unwrap()
            .trim()
            .to_owned();
        Some(Registry { dir, reference })
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = Command::new(repo_root().join("scripts/test-registry.sh"))
            .arg("stop")
            .arg(self.dir.path())
            .output();
    }
}

#[test]
fn every_way_of_reading_the_image_gives_the_same_result() {
    let (Some(images), Some(db), Some(expected)) = (images(), database(), docker_archive_report())
    else {
        return;
    };
    let expected = essence(expected);
    let dir = Dir::new();
    let mut references = vec![
        format!("oci:{}:test", images.join("image.oci").display()),
        format!("oci:{}:test", images.join("image.oci-zstd").display()),
        format!(
            "oci-archive:{}:test",
            images.join("image.oci.tar").display()
        ),
        // Without a prefix, an existing archive is sniffed.
        images.join("image.docker.tar").display().to_string(),
    ];
    let registry = Registry::start(&images);
    if let Some(registry) = &registry {
        references.push(registry.reference.clone());
    }
    for reference in &references {
        let run = scan(&dir, &db, reference, &[]);
        assert_eq!(run.code, 0, "{reference}: {}", run.stderr);
        let got = essence(&run.json());
        assert_eq!(got, expected, "{reference} differs from the docker-archive");
    }
    assert!(registry.is_some() || std::env::var_os("HARRIER_REQUIRE_ALL").is_none());
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn dpkg_packages_agree_with_dpkg_query() {
    let (Some(images), Some(report)) = (images(), docker_archive_report()) else {
        return;
    };
    // dpkg-query -W -f '${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}'
    let expected: BTreeSet<String> = lines(&images.join("dpkg-query.txt")).into_iter().collect();
    let got: BTreeSet<String> = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "deb")
        .map(|p| {
            let name = p["name"].as_str().unwrap();
            let version = p["version"].as_str().unwrap();
            let source = p["source"]["name"].as_str().unwrap_or(name);
            let source_version = p["source"]["version"].as_str().unwrap_or(version);
            format!(
                "{name}\t{version}\t{}\t{source}\t{source_version}",
                p["arch"].as_str().unwrap_or("")
            )
        })
        .collect();
    let missing: Vec<_> = expected.difference(&got).collect();
    let extra: Vec<_> = got.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nextra {extra:#?}"
    );
    assert!(expected.len() > 100, "{}", expected.len());
}

#[test]
fn python_packages_agree_with_pip() {
    let (Some(images), Some(report)) = (images(), docker_archive_report()) else {
        return;
    };
    let normalise = |name: &str| name.to_lowercase().replace(['_', '.'], "-");
    let expected: BTreeSet<String> = lines(&images.join("pip-list.txt"))
        .iter()
        .filter_map(|l| l.split_once("=="))
        .map(|(n, v)| format!("{} {v}", normalise(n)))
        .collect();
    let got: BTreeSet<String> = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "python")
        .map(|p| {
            format!(
                "{} {}",
                normalise(p["name"].as_str().unwrap()),
                p["version"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(got, expected);
}

fn layer_of<'a>(report: &'a Value, kind: &str, name: &str) -> &'a Value {
    report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == kind && p["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} package {name}"))
        .get("layer")
        .unwrap()
}

#[test]
fn packages_and_secrets_name_the_layer_and_instruction_that_brought_them() {
    let (Some(images), Some(report)) = (images(), docker_archive_report()) else {
        return;
    };
    let created_by = |layer: &Value| layer["created_by"].as_str().unwrap_or("").to_owned();
    assert!(created_by(layer_of(report, "python", "Django")).contains("pip install"));
    assert!(created_by(layer_of(report, "deb", "fzf")).contains("fzf age gron"));
    assert!(created_by(layer_of(report, "deb", "base-files")).contains("ADD"));
    assert!(created_by(layer_of(report, "rust", "regex")).contains("COPY"));
    let go = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "go-stdlib" && p["path"] == "usr/bin/age")
        .expect("the Go standard library of /usr/bin/age");
    assert!(created_by(&go["layer"]).contains("fzf age gron"));
    let java = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "java" && p["name"].as_str().unwrap_or("").contains("log4j"))
        .expect("log4j 1.2 from liblog4j1.2-java");
    assert_eq!(java["version"], "1.2.17");
    assert!(created_by(&java["layer"]).contains("liblog4j1.2-java"));

    // Purged in the last layer: still reported, as removed, with the layer that removed it.
    let removed: BTreeMap<String, String> = report["removed_packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                created_by(&p["removed_in"]),
            )
        })
        .collect();
    for name in ["gron", "six"] {
        assert!(
            removed[name].contains("apt-get purge -y gron"),
            "{name}: {removed:?}"
        );
    }

    // The planted keys: found in the layer that added them, reported as deleted by the next.
    let secrets = report["secrets"].as_array().unwrap();
    let paths: BTreeSet<&str> = secrets
        .iter()
        .map(|s| s["path"].as_str().unwrap())
        .collect();
    for path in [
        "root/.ssh/id_ed25519",
        "etc/ssl/private/harrier-test-rsa.pem",
        "root/.aws/credentials",
    ] {
        assert!(paths.contains(path), "{path} not in {paths:?}");
    }
    for s in secrets {
        assert!(
            s["deleted_in"]["created_by"]
                .as_str()
                .unwrap()
                .contains("rm -f /root/.ssh/id_ed25519"),
            "{s}"
        );
    }
    // Never the secret itself, in any format.
    let planted = planted_material(&images.join("planted"));
    assert!(!planted.is_empty());
    let text = serde_json::to_string(report).unwrap();
    for m in &planted {
        assert!(!text.contains(m.as_str()), "the report leaks {m}");
    }
}

/// Pieces of the planted secrets long enough to be unmistakable: key body lines and the values
/// of credential files.
fn planted_material(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in walkdir(dir) {
        let Ok(text) = std::fs::read_to_string(&entry) else {
            continue;
        };
        for line in text.lines() {
            let line = line.trim();
            let value = line.split_once('=').map_or(line, |(_, v)| v.trim());
            if value.len() >= 16 && !value.starts_with("-----") && !value.contains(' ') {
                out.push(value.to_owned());
            }
        }
    }
    out
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walkdir(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn vulnerabilities_have_fixes_layers_and_honour_the_filters() {
    let (Some(images), Some(db), Some(report)) = (images(), database(), docker_archive_report())
    else {
        return;
    };
    let vulns = report["vulnerabilities"].as_array().unwrap();
    let django: Vec<&Value> = vulns
        .iter()
        .filter(|v| v["package"]["name"] == "Django")
        .collect();
    assert!(
        django.len() >= 10,
        "Django 3.2 has many advisories: {}",
        django.len()
    );
    for v in &django {
        assert!(!v["fixed"].as_array().unwrap().is_empty(), "{v}");
        assert!(
            v["layer"]["created_by"]
                .as_str()
                .unwrap()
                .contains("pip install")
        );
        assert_eq!(v["ecosystem"], "PyPI");
    }
    assert!(vulns.iter().any(|v| {
        v["package"]["name"] == "urllib3"
            && v["aliases"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a == "CVE-2021-33503")
            || v["id"] == "CVE-2021-33503"
    }));

    let dir = Dir::new();
    let reference = format!(
        "docker-archive:{}",
        images.join("image.docker.tar").display()
    );
    // --severity keeps only what was asked for.
    let run = scan(
        &dir,
        &db,
        &reference,
        &["--severity", "critical", "--scanners", "vuln"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let only = run.json();
    let kept = only["vulnerabilities"].as_array().unwrap();
    assert!(!kept.is_empty());
    assert!(kept.iter().all(|v| v["severity"] == "critical"));
    assert_eq!(only["secrets"], Value::Null, "secrets were not asked for");
    // --fail-on turns findings into exit status 1.
    let run = scan(
        &dir,
        &db,
        &reference,
        &["--fail-on", "high", "--scanners", "vuln"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    // An exception accepts one vulnerability (by alias too) and reports it as suppressed.
    let accepted = django[0]["id"].as_str().unwrap();
    dir.write(
        "exceptions.yaml",
        &format!("exceptions:\n  - vulnerabilities: [\"{accepted}\"]\n    packages: [Django]\n    reason: not reachable in this app\n"),
    );
    let run = scan(
        &dir,
        &db,
        &reference,
        &["--exceptions", "exceptions.yaml", "--scanners", "vuln"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r = run.json();
    assert!(
        r["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["id"] != accepted)
    );
    assert!(
        r["suppressed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["id"] == accepted)
    );
    // --ignore-unfixed drops findings without a fix.
    let run = scan(
        &dir,
        &db,
        &reference,
        &["--ignore-unfixed", "--scanners", "vuln"],
    );
    let r = run.json();
    assert!(
        r["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| !v["fixed"].as_array().unwrap().is_empty())
    );
    // SARIF names the rule and the layer.
    let run = dir.run(&[
        "--db",
        db.to_str().unwrap(),
        "scan",
        "image",
        &reference,
        "--format",
        "sarif",
        "--scanners",
        "vuln",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sarif = run.json();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), vulns.len());
}

#[test]
fn sboms_of_the_image_rescan_to_the_same_vulnerabilities() {
    let (Some(images), Some(db), Some(report)) = (images(), database(), docker_archive_report())
    else {
        return;
    };
    let dir = Dir::new();
    let reference = format!(
        "docker-archive:{}",
        images.join("image.docker.tar").display()
    );
    let expected = vulnerability_keys(report);
    for format in ["cyclonedx", "spdx"] {
        let out = format!("image.{format}.json");
        let run = dir.run(&["sbom", &reference, "--format", format, "-o", &out]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join(&out)).unwrap()).unwrap();
        let count = match format {
            "cyclonedx" => doc["components"].as_array().unwrap().len(),
            _ => doc["packages"].as_array().unwrap().len(),
        };
        assert!(
            count >= report["packages"].as_array().unwrap().len(),
            "{format}: {count}"
        );
        validate_sbom(format, &dir.path().join(&out));
        let run = dir.run(&[
            "--db",
            db.to_str().unwrap(),
            "scan",
            "sbom",
            &out,
            "--format",
            "json",
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(vulnerability_keys(&run.json()), expected, "{format}");
    }
}

/// `id package version` of every vulnerability of a report, sorted.
fn vulnerability_keys(report: &Value) -> Vec<String> {
    let mut keys: Vec<String> = report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            format!(
                "{} {} {}",
                v["id"], v["package"]["name"], v["package"]["version"]
            )
        })
        .collect();
    keys.sort();
    keys
}

/// The formats' own validators and published schemas (the scripts harrier-image's SBOM tests
/// use: cyclonedx-python-lib, spdx-tools, jsonschema).
fn validate_sbom(format: &str, path: &Path) {
    let Some(schemas) = corpus_path(env!("CARGO_MANIFEST_DIR"), "schemas") else {
        return;
    };
    let scripts = repo_root().join("crates/harrier-image/tests/sbom");
    let (script, schema) = match format {
        "cyclonedx" => ("validate_cyclonedx.py", schemas.clone()),
        _ => ("validate_spdx.py", schemas.join("spdx-2.3.schema.json")),
    };
    let out = Command::new("python3")
        .arg(scripts.join(script))
        .arg(path)
        .arg(&schema)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("ModuleNotFoundError")
    {
        skip::<()>(
            "the SBOM validators are not installed (pip: cyclonedx-python-lib[json-validation] spdx-tools jsonschema)",
        );
        return;
    }
    assert_eq!(
        stdout.trim(),
        "valid",
        "{format}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_truncated_image_is_an_error_naming_the_layer() {
    let Some(images) = images() else { return };
    let dir = Dir::new();
    // The OCI layout with one layer blob cut in half.
    let copy = dir.path().join("cut.oci");
    let status = Command::new("cp")
        .arg("-r")
        .arg(images.join("image.oci"))
        .arg(&copy)
        .status()
        .unwrap();
    assert!(status.success());
    let blobs = copy.join("blobs/sha256");
    let largest = std::fs::read_dir(&blobs)
        .unwrap()
        .flatten()
        .max_by_key(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .unwrap()
        .path();
    let bytes = std::fs::read(&largest).unwrap();
    std::fs::write(&largest, &bytes[..bytes.len() / 2]).unwrap();
    let run = dir.run(&[
        "scan",
        "image",
        &format!("oci:{}:test", copy.display()),
        "--scanners",
        "secret",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("layer"), "{}", run.stderr);
    // What the other layers hold is still reported.
    let report = run.json();
    assert!(!report["packages"].as_array().unwrap().is_empty());
}

#[test]
fn scan_fs_reads_lockfiles_of_a_source_tree() {
    let Some(db) = database() else { return };
    let app = repo_root().join("scripts/test-image/app");
    let dir = Dir::new();
    let run = dir.run(&[
        "--db",
        db.to_str().unwrap(),
        "scan",
        "fs",
        app.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    let packages: BTreeSet<String> = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} {} {}",
                p["kind"].as_str().unwrap(),
                p["name"].as_str().unwrap(),
                p["version"].as_str().unwrap()
            )
        })
        .collect();
    for expected in [
        "npm lodash 4.17.20",
        "npm minimist 1.2.5",
        "python Django 3.2",
        "rust smallvec 1.6.0",
    ] {
        assert!(
            packages.contains(expected),
            "{expected} not in {packages:#?}"
        );
    }
    let ids: BTreeSet<String> = report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|v| {
            let mut ids = vec![v["id"].as_str().unwrap().to_owned()];
            ids.extend(
                v["aliases"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|a| a.as_str().map(str::to_owned)),
            );
            ids
        })
        .collect();
    for expected in ["RUSTSEC-2021-0003", "GHSA-35jh-r3h4-6jhm", "PYSEC-2021-7"] {
        assert!(ids.contains(expected), "{expected} not found");
    }
    // Lockfiles have no layers.
    assert!(
        report["packages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["layer"].is_null())
    );
}

/// The corpus's Debian data predates bookworm's advisories, so an OSV record in the format
/// osv.dev publishes for Debian is written here for the image's glibc: every binary package
/// built from that source package must be reported, in the base layer, by the source package.
#[test]
fn debian_packages_are_matched_by_source_package_and_release() {
    let Some(images) = images() else { return };
    let dir = Dir::new();
    dir.write(
        "advisories/DSA-9999-1.json",
        r#"{"schema_version": "1.6.0", "id": "DSA-9999-1", "modified": "2026-11-01T00:00:00Z",
            "aliases": ["CVE-2099-0001"], "summary": "glibc: test advisory",
            "affected": [{"package": {"ecosystem": "Debian:12", "name": "glibc"},
                          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.36-9+deb12u99"}]}]},
                         {"package": {"ecosystem": "Debian:11", "name": "glibc"},
                          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "9.99"}]}]}]}"#,
    );
    let run = dir.run(&["--db", "vuln.db", "db", "import", "advisories"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let reference = format!(
        "docker-archive:{}",
        images.join("image.docker.tar").display()
    );
    let run = dir.run(&[
        "--db",
        "vuln.db",
        "scan",
        "image",
        &reference,
        "--scanners",
        "vuln",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    let glibc: BTreeSet<String> = lines(&images.join("dpkg-query.txt"))
        .iter()
        .filter(|l| l.split('\t').nth(3) == Some("glibc"))
        .filter_map(|l| l.split('\t').next().map(str::to_owned))
        .collect();
    assert!(!glibc.is_empty());
    let found: BTreeSet<String> = report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["id"] == "CVE-2099-0001")
        .map(|v| {
            assert_eq!(v["ecosystem"], "Debian:12");
            assert_eq!(v["fixed"][0], "2.36-9+deb12u99");
            assert_eq!(v["layer"]["index"], 0);
            v["package"]["name"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(found, glibc);
}

#[test]
fn bad_image_inputs_are_clear_errors_that_never_quote_the_file() {
    let dir = Dir::new();
    let run = dir.run(&["scan", "image", "./missing.tar", "--scanners", "secret"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("missing.tar: no such file or directory"),
        "{}",
        run.stderr
    );
    // Not a tar: the tar reader's message would quote the header bytes, which are the file's
    // content.
    dir.write(
        "secret.txt",
        &format!("password={}\n", "hunter2hunter2hunter2".repeat(30)),
    );
    let run = dir.run(&[
        "scan",
        "image",
        "docker-archive:secret.txt",
        "--scanners",
        "secret",
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("secret.txt"), "{}", run.stderr);
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}
