//! Harrier against the labelled fixtures of peer tools in the shared corpus (issue: "the
//! Polaris, checkov, kube-linter and regolibrary fixtures agree with their labels for every
//! check Harrier has an equivalent of"), and against Bishop Fox's badPods.
//!
//! One module per peer set reads the set's labels from the corpus itself (file names, object
//! names, `expected.json`, `expected.yaml`), maps each peer check to the Harrier checks that
//! cover it through a table kept next to the code, and compares. Harrier may differ from a
//! label only where the module's `DIFFERENCES` list says so, with the reason; anything else
//! fails, and so does a listed difference that no longer occurs. `docs/peer-mapping.md` is
//! rendered from the same tables and figures ([`doc`]) and must be current.
//!
//! `cargo test -p harrier-posture --test peers -- --nocapture` prints the figures;
//! `HARRIER_UPDATE_PEER_MAPPING=1` rewrites the document. Without the corpus every test is
//! skipped (and fails under `HARRIER_REQUIRE_ALL=1`).

mod badpods;
mod checkov;
mod common;
mod doc;
mod kube_linter;
mod polaris;
mod regolibrary;

use std::path::{Path, PathBuf};

use harrier_core::testing::corpus_path;

/// The root of one peer set in the corpus, or `None` after reporting the skip.
fn set(relative: &str) -> Option<PathBuf> {
    corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        &format!("manifests/insecure/{relative}"),
    )
}

#[test]
fn agrees_with_polaris() {
    if let Some(root) = set("polaris") {
        polaris::compare(&root).assert_agrees();
    }
}

#[test]
fn agrees_with_checkov() {
    if let Some(root) = set("checkov") {
        checkov::compare(&root).assert_agrees();
    }
}

#[test]
fn agrees_with_kube_linter() {
    if let Some(root) = set("kube-linter") {
        kube_linter::compare(&root).assert_agrees();
    }
}

#[test]
fn agrees_with_kubescape_regolibrary() {
    if let Some(root) = set("regolibrary-rule-tests") {
        regolibrary::compare(&root).assert_agrees();
    }
}

#[test]
fn agrees_with_bad_pods() {
    if let Some(root) = set("badpods") {
        badpods::compare(&root).assert_agrees();
    }
}

/// Environment variable that makes [`peer_mapping_doc_is_current`] rewrite the document.
const UPDATE_ENV: &str = "HARRIER_UPDATE_PEER_MAPPING";

#[test]
fn peer_mapping_doc_is_current() {
    let (Some(p), Some(c), Some(k), Some(r), Some(b)) = (
        set("polaris"),
        set("checkov"),
        set("kube-linter"),
        set("regolibrary-rule-tests"),
        set("badpods"),
    ) else {
        return;
    };
    let reports = [
        (polaris::compare(&p), polaris::DIFFERENCES),
        (checkov::compare(&c), checkov::DIFFERENCES),
        (kube_linter::compare(&k), kube_linter::DIFFERENCES),
        (regolibrary::compare(&r), regolibrary::DIFFERENCES),
        (badpods::compare(&b), badpods::DIFFERENCES),
    ];
    let fresh = doc::render(&reports);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/peer-mapping.md");
    if std::env::var(UPDATE_ENV).as_deref() == Ok("1") {
        if let Err(e) = std::fs::write(&path, &fresh) {
            panic!("{}: {e}", path.display());
        }
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == fresh,
        "docs/peer-mapping.md is stale; run `{UPDATE_ENV}=1 cargo test -p harrier-posture --test peers`"
    );
}
