//! Every manifest of the shared corpus loads: objects found, errors only where the corpus says
//! a file is deliberately broken.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is a failed test
use std::collections::BTreeSet;

use harrier_core::testing::corpus_path;
use harrier_k8s::{LoadOptions, ObjectIndex, load};

/// Files the corpus README lists as not parsing as plain YAML on purpose (unrendered templates,
/// a tab-indented input).
const KNOWN_BROKEN: [&str; 10] = [
    "insecure/kubernetes-goat/infrastructure/helm-tiller/pwnchart/templates/clusterrolebinding.yaml",
    "insecure/kubernetes-goat/scenarios/metadata-db/templates/deployment.yaml",
    "insecure/kubernetes-goat/scenarios/metadata-db/templates/ingress.yaml",
    "insecure/kubernetes-goat/scenarios/metadata-db/templates/service.yaml",
    "insecure/kubernetes-goat/scenarios/metadata-db/templates/tests/test-connection.yaml",
    "realworld/kubernetes-examples/_archived/newrelic-infrastructure/newrelic-config-template.yaml",
    "realworld/kubernetes-examples/_archived/newrelic/newrelic-config-template.yaml",
    "realworld/kubernetes-examples/_archived/storage/vitess/etcd-controller-template.yaml",
    "realworld/kubernetes-examples/_archived/storage/vitess/etcd-service-template.yaml",
    "realworld/kubernetes-examples/_archived/storage/vitess/vtgate-controller-template.yaml",
];

// `regolibrary-rule-tests/role-in-default-namespace/test/role/input/role.yaml` is listed as
// broken by the corpus README because libyaml rejects a tab before a trailing comment; YAML 1.2
// allows tabs as separation there, and Harrier reads it.

#[test]
fn every_corpus_manifest_loads() {
    let Some(root) = corpus_path(env!("CARGO_MANIFEST_DIR"), "manifests") else {
        return;
    };
    let loaded = load(std::slice::from_ref(&root), &LoadOptions::default());
    let prefix = format!("{}/", root.display());
    let broken: BTreeSet<String> = loaded
        .errors
        .iter()
        .filter(|e| !e.is_warning())
        .map(|e| {
            e.path()
                .strip_prefix(&prefix)
                .unwrap_or(e.path())
                .to_owned()
        })
        .collect();
    let known: BTreeSet<String> = KNOWN_BROKEN.iter().map(|s| (*s).to_owned()).collect();
    let unexpected: Vec<_> = loaded
        .errors
        .iter()
        .filter(|e| {
            !e.is_warning() && !known.contains(e.path().strip_prefix(&prefix).unwrap_or(e.path()))
        })
        .map(ToString::to_string)
        .collect();
    assert!(
        unexpected.is_empty(),
        "unexpected load errors:\n{}",
        unexpected.join("\n")
    );
    let missed: Vec<_> = known.difference(&broken).collect();
    assert!(
        missed.is_empty(),
        "deliberately broken files loaded without error: {missed:?}"
    );
    assert!(
        loaded.objects.len() >= 2800,
        "only {} objects",
        loaded.objects.len()
    );

    let (index, errors) = ObjectIndex::build(loaded.objects);
    // The only pod templates with fields of the wrong type are checkov's deliberately malformed
    // fixtures and one kubernetes/examples file with a `"<ADD LUN ID Here>"` placeholder where
    // an integer belongs (which kubectl rejects too); each is reported at its line.
    let unexpected: Vec<_> = errors
        .iter()
        .filter(|e| {
            !e.is_warning()
                && !e.path().contains("/checkov/tests/kubernetes/checks/")
                && !e.path().ends_with("volumes/fibre_channel/fc.yaml")
        })
        .map(ToString::to_string)
        .collect();
    assert!(
        unexpected.is_empty(),
        "pod templates that do not decode:\n{}",
        unexpected.join("\n")
    );
    assert!(errors.iter().all(|e| e.location().is_some()));
    assert!(
        index.workloads().len() > 1200,
        "{} workloads",
        index.workloads().len()
    );
}
