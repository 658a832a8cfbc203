//! Coverage against kube-bench's definitions in the shared corpus: per benchmark version and
//! file, how many of its automated items (those without `type: manual` or `type: skip`) Harrier
//! implements. The expected counts only go up.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is a failed test

use harrier_core::testing::corpus_path;
use harrier_core::yaml::{Node, Schema, parse_single};
use harrier_node::checks::for_benchmark;
use harrier_node::{Benchmark, Section, Test};

/// (version, file, implemented automated items at least).
const EXPECTED: &[(Benchmark, Section, usize)] = &[
    (Benchmark::Cis19, Section::Master, 58),
    (Benchmark::Cis19, Section::Etcd, 7),
    (Benchmark::Cis19, Section::ControlPlane, 1),
    (Benchmark::Cis19, Section::Node, 24),
    (Benchmark::Cis19, Section::Policies, 0),
    (Benchmark::Cis110, Section::Master, 58),
    (Benchmark::Cis110, Section::Etcd, 7),
    (Benchmark::Cis110, Section::ControlPlane, 1),
    (Benchmark::Cis110, Section::Node, 24),
    (Benchmark::Cis110, Section::Policies, 0),
    // The managed services' benchmarks: worker-node items (their control plane is the
    // provider's; their policies are cluster checks).
    (Benchmark::Eks180, Section::Node, 13),
    (Benchmark::Eks180, Section::Policies, 0),
    (Benchmark::Gke190, Section::Node, 4),
    (Benchmark::Gke190, Section::Policies, 0),
    (Benchmark::Aks18, Section::Node, 13),
    (Benchmark::Aks18, Section::Policies, 0),
];

/// (id, automated) for each item of a kube-bench file.
fn items(node: &Node) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for group in node
        .get("groups")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        for check in group
            .get("checks")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            let id = check.get("id").map(|n| match n.as_str() {
                Some(s) => s.to_owned(),
                // Unquoted `2.1` reads as a number; its text is the id (kube-bench's ids have
                // no trailing zeros in the number-shaped ones: 1.1, 2.1, 5.1).
                None => n.to_json().to_string(),
            });
            let kind = check.get("type").and_then(Node::as_str).unwrap_or("");
            if let Some(id) = id {
                out.push((
                    id.trim_matches('"').to_owned(),
                    !matches!(kind, "manual" | "skip"),
                ));
            }
        }
    }
    out
}

#[test]
fn coverage_of_kube_bench_automated_items() {
    let Some(cfg) = corpus_path(env!("CARGO_MANIFEST_DIR"), "compliance/kube-bench-cfg/cfg") else {
        return;
    };
    let mut report = Vec::new();
    for &(benchmark, section, expected) in EXPECTED {
        let version = benchmark.name();
        let checks = for_benchmark(benchmark);
        let path = cfg.join(version).join(section.file_name());
        let text = std::fs::read_to_string(&path).unwrap();
        let node = parse_single(&text, Schema::Core).unwrap();
        let items = items(&node);
        let automated: Vec<&str> = items
            .iter()
            .filter(|(_, a)| *a)
            .map(|(id, _)| id.as_str())
            .collect();
        let implemented = checks
            .iter()
            .filter(|c| c.section == section && !matches!(c.test, Test::Manual))
            .filter(|c| automated.contains(&c.id))
            .count();
        // Every item of the table exists in the benchmark file it names (a typo in an id would
        // otherwise just go uncounted).
        for check in checks.iter().filter(|c| c.section == section) {
            assert!(
                items.iter().any(|(id, _)| id == check.id),
                "{version} {}: {} is not in the benchmark",
                section.file_name(),
                check.id
            );
        }
        report.push(format!(
            "{version} {:<18} {implemented:>3} / {:>3} automated items",
            section.file_name(),
            automated.len()
        ));
        assert!(
            implemented >= expected,
            "{version} {}: {implemented} implemented, expected at least {expected}",
            section.file_name()
        );
    }
    #[allow(clippy::print_stderr)]
    {
        eprintln!("kube-bench coverage:\n{}", report.join("\n"));
    }
}
