//! `harrier scan all`: each section is its own command's report, the exit status combines
//! them, and inputs that cannot be scanned are reported, not dropped.

use harrier_core::testing::corpus_path;
use serde_json::Value;

use crate::scan_image::{database, images};
use crate::util::{Dir, repo_root};

/// The JSON of a command, with its exit status.
fn json(dir: &Dir, args: &[&str]) -> (Value, i32) {
    let run = dir.run(args);
    assert!(run.code == 0 || run.code == 1, "{:?}: {}", args, run.stderr);
    (run.json(), run.code)
}

#[test]
fn manifest_sections_equal_their_own_commands() {
    let dir = Dir::new();
    let examples = repo_root().join("examples/manifests");
    let examples = examples.to_str().unwrap();
    let db = dir.path().join("absent.db");
    let db = db.to_str().unwrap();
    let (all, code) = json(&dir, &["--db", db, "scan", "all", examples, "-f", "json"]);
    assert_eq!(code, 0, "no --fail-on: success");
    assert_eq!(all["kind"], "all");

    let (manifests, _) = json(&dir, &["scan", "manifests", examples, "-f", "json"]);
    assert_eq!(all["manifests"], manifests);
    let (risks, _) = json(&dir, &["rbac", "risks", "-f", examples, "--format", "json"]);
    assert_eq!(all["rbac_risks"], risks);
    assert_eq!(all["cluster"], Value::Null);
    assert_eq!(all["images"], Value::Array(Vec::new()));

    // The directory is also a source tree: walked for packages and secrets, with
    // vulnerabilities skipped (no database) rather than failing the run.
    let fs = all["fs"].as_array().unwrap();
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0]["vulnerabilities"], Value::Null);
    assert!(fs[0]["secrets"].is_array());
    let summary = &all["summary"];
    assert_eq!(
        summary["manifest_findings"],
        manifests["summary"]["findings"]
    );
    assert_eq!(
        summary["rbac_risks"].as_u64(),
        risks["findings"].as_array().map(|f| f.len() as u64)
    );
}

#[test]
fn fail_on_and_unreadable_inputs_set_the_status() {
    let dir = Dir::new();
    let examples = repo_root().join("examples/manifests");
    let examples = examples.to_str().unwrap();
    let run = dir.run(&["scan", "all", examples, "--fail-on", "critical"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("== Manifests: 12 objects in 4 files ==")
    );
    assert!(run.stdout.contains("== RBAC risks: "));

    // An image that cannot be opened is an input not scanned: status 2, named in `errors`,
    // and the other sections are still there.
    let missing = dir.path().join("missing.tar");
    let reference = format!("docker-archive:{}", missing.display());
    let run = dir.run(&["scan", "all", examples, "--image", &reference, "-f", "json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let all = run.json();
    assert_eq!(all["errors"][0]["scanner"], "image");
    assert_eq!(all["errors"][0]["input"], reference.as_str());
    assert!(all["manifests"]["findings"].as_array().unwrap().len() > 10);

    let run = dir.run(&["scan", "all"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("nothing to scan"), "{}", run.stderr);
    let run = dir.run(&["scan", "all", examples, "-f", "sarif"]);
    assert_eq!(run.code, 2);
}

#[test]
fn malformed_manifests_are_errors_named_by_file_and_line() {
    let dir = Dir::new();
    let bad = dir.write(
        "bad.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n",
    );
    let run = dir.run(&["scan", "all", bad.to_str().unwrap(), "-f", "json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("bad.yaml:4:1: invalid YAML"),
        "{}",
        run.stderr
    );
    let all = run.json();
    assert_eq!(all["manifests"]["errors"][0]["line"], 4);
}

/// With a real image and a database: the image section equals `scan image`'s report.
#[test]
fn image_section_equals_scan_image() {
    let Some(images) = images() else { return };
    let Some(db) = database() else { return };
    let dir = Dir::new();
    let db = db.to_str().unwrap();
    let reference = format!(
        "docker-archive:{}",
        images.join("image.docker.tar").display()
    );
    let goat = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "manifests/insecure/kubernetes-goat/scenarios/insecure-rbac",
    )
    .expect("corpus");
    let (all, _) = json(
        &dir,
        &[
            "--db",
            db,
            "scan",
            "all",
            goat.to_str().unwrap(),
            "--image",
            &reference,
            "-f",
            "json",
        ],
    );
    let (image, _) = json(
        &dir,
        &["--db", db, "scan", "image", &reference, "-f", "json"],
    );
    assert_eq!(all["images"], Value::Array(vec![image.clone()]));
    assert!(image["summary"]["vulnerabilities"].as_u64().unwrap() > 0);
    assert_eq!(
        all["summary"]["image_vulnerabilities"],
        image["summary"]["vulnerabilities"]
    );
    assert!(
        all["rbac_risks"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f.to_string().contains("superadmin")),
        "Goat's superadmin is found"
    );
}

/// `--node`: the node section is `scan node`'s report, and a FAIL fails the run only with
/// `--fail-on`.
#[test]
fn node_section_equals_scan_node() {
    let node = crate::scan_node::kubeadm_worker();
    let root = node.path().join("node");
    let root = root.to_str().unwrap();
    let dir = Dir::new();
    let run = dir.run(&["scan", "all", "--node", "--node-root", root, "-f", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let all = run.json();
    let own = dir.run(&["scan", "node", "--root", root, "--format", "json"]);
    assert_eq!(own.code, 1, "the worker fails 4.1.5 and 4.2.4");
    assert_eq!(all["node"], own.json());
    assert_eq!(all["summary"]["node_failed"], own.json()["summary"]["fail"]);
    assert_eq!(all["manifests"], Value::Null);

    let run = dir.run(&[
        "scan",
        "all",
        "--node",
        "--node-root",
        root,
        "--fail-on",
        "critical",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("== Node "), "{}", run.stdout);
    assert!(run.stdout.contains("4.2.4"), "{}", run.stdout);
}
