//! The framework files hold up against the code and against the upstream control lists: every
//! check they name exists, the checks' own CIS and ATT&CK references agree with them, and their
//! control ids and titles are those of kube-bench, Kubescape, the ATT&CK data and the Microsoft
//! matrix in the shared corpus. Coverage against Kubescape's frameworks is printed
//! (`cargo test -p harrier-compliance --test mapping -- --nocapture`) and held to minimums.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use harrier_compliance::framework::{self, CheckRef, Framework};
use harrier_core::CheckMeta;
use harrier_core::check::Reference;
use harrier_core::testing::corpus_path;

fn fw(id: &str) -> &'static Framework {
    framework::get(id).expect("framework")
}

fn catalog() -> Vec<&'static CheckMeta> {
    harrier_posture::checks::catalog_entries()
        .chain(harrier_compliance::checks::catalog_entries())
        .map(|e| e.meta)
        .collect()
}

fn node_items() -> BTreeSet<&'static str> {
    harrier_node::checks::for_benchmark(harrier_node::Benchmark::Cis110)
        .into_iter()
        .map(|c| c.id)
        .collect()
}

#[test]
fn every_referenced_check_exists() {
    let catalog: HashSet<&str> = catalog().iter().map(|m| m.id.as_str()).collect();
    let risks: HashSet<&str> = harrier_posture::rbac::risks::PRIMITIVES
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(risks.len(), 35);
    let node = node_items();
    let mut unknown = Vec::new();
    for f in framework::all().expect("frameworks") {
        for c in &f.controls {
            for r in &c.checks {
                let known = match r {
                    CheckRef::Check(id) if r.is_rbac_risk() => risks.contains(id.as_str()),
                    CheckRef::Check(id) => catalog.contains(id.as_str()),
                    CheckRef::Node(id) => node.contains(id.as_str()),
                };
                if !known {
                    unknown.push(format!("{}.yaml control {}: {r}", f.id, c.id));
                }
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "unknown checks:\n{}",
        unknown.join("\n")
    );
}

#[test]
fn every_node_item_is_mapped_to_its_cis_control() {
    let cis = fw("cis");
    let unmapped: Vec<&str> = node_items()
        .into_iter()
        .filter(|id| {
            !cis.controls
                .iter()
                .any(|c| c.id == *id && c.checks.contains(&CheckRef::Node((*id).to_owned())))
        })
        .collect();
    assert!(
        unmapped.is_empty(),
        "node items not listed by their cis.yaml control: {unmapped:?}"
    );
    // And the other way: a node control that names an item names its own.
    for c in &cis.controls {
        for r in &c.checks {
            if let CheckRef::Node(id) = r {
                assert_eq!(id, &c.id, "cis.yaml control {} names node:{id}", c.id);
            }
        }
    }
}

/// For every catalogue check and every control of `framework`: the check is mapped to the
/// control exactly when its metadata references it.
fn references_agree(
    framework: &Framework,
    refs: impl Fn(&CheckMeta) -> Vec<&'static str>,
) -> Vec<String> {
    let controls: BTreeSet<&str> = framework.controls.iter().map(|c| c.id.as_str()).collect();
    let mut problems = Vec::new();
    for meta in catalog() {
        let referenced: BTreeSet<&str> = refs(meta)
            .into_iter()
            .filter(|r| controls.contains(r))
            .collect();
        let mapped: BTreeSet<&str> = framework
            .controls
            .iter()
            .filter(|c| {
                c.checks
                    .contains(&CheckRef::Check(meta.id.as_str().to_owned()))
            })
            .map(|c| c.id.as_str())
            .collect();
        if referenced != mapped {
            problems.push(format!(
                "{}: references {referenced:?}, {}.yaml maps it to {mapped:?}",
                meta.id, framework.id
            ));
        }
    }
    problems
}

#[test]
fn cis_references_agree_with_cis_file() {
    let cis = fw("cis");
    let problems = references_agree(cis, |m| {
        m.references
            .iter()
            .filter_map(|r| match r {
                Reference::Cis(s) => Some(*s),
                _ => None,
            })
            .collect()
    });
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Every CIS reference names a control of the file.
    for meta in catalog() {
        for r in meta.references {
            if let Reference::Cis(id) = r {
                assert!(
                    cis.controls.iter().any(|c| c.id == *id),
                    "{}: CIS {id} is not in cis.yaml",
                    meta.id
                );
            }
        }
    }
}

#[test]
fn mitre_references_agree_with_mitre_file() {
    let mitre = fw("mitre");
    let problems = references_agree(mitre, |m| {
        m.references
            .iter()
            .filter_map(|r| match r {
                Reference::Mitre(s) => Some(*s),
                _ => None,
            })
            .collect()
    });
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // RBAC risk primitives carry their techniques too.
    for p in harrier_posture::rbac::risks::PRIMITIVES {
        let mapped: BTreeSet<&str> = mitre
            .controls
            .iter()
            .filter(|c| c.checks.contains(&CheckRef::Check(p.id.to_owned())))
            .map(|c| c.id.as_str())
            .collect();
        let referenced: BTreeSet<&str> = p
            .mitre
            .iter()
            .copied()
            .filter(|t| mitre.controls.iter().any(|c| c.id == *t))
            .collect();
        assert_eq!(referenced, mapped, "{}", p.id);
    }
    let outside: BTreeSet<&str> = catalog()
        .iter()
        .flat_map(|m| m.references.iter())
        .filter_map(|r| match r {
            Reference::Mitre(t) if !mitre.controls.iter().any(|c| c.id == *t) => Some(*t),
            _ => None,
        })
        .collect();
    println!(
        "ATT&CK techniques referenced by checks but outside the Containers matrix: {outside:?}"
    );
}

fn kube_bench_items(dir: &Path) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for file in [
        "master.yaml",
        "etcd.yaml",
        "controlplane.yaml",
        "node.yaml",
        "policies.yaml",
    ] {
        let text = std::fs::read_to_string(dir.join(file)).expect("kube-bench file");
        let root = harrier_core::yaml::parse_single(&text, harrier_core::yaml::Schema::Core)
            .expect("yaml");
        for g in root.get("groups").and_then(|g| g.as_seq()).expect("groups") {
            let group = g.get("id").map(|n| n.value.to_string()).expect("group id");
            for c in g.get("checks").and_then(|c| c.as_seq()).expect("checks") {
                let id = c.get("id").map(|n| n.value.to_string()).expect("id");
                let text = c.get("text").and_then(|t| t.as_str()).expect("text");
                let title = text
                    .trim_end()
                    .trim_end_matches("(Automated)")
                    .trim_end_matches("(Manual)")
                    .trim_end()
                    .to_owned();
                out.push((group.clone(), id, title));
            }
        }
    }
    out
}

#[test]
fn cis_file_is_kube_bench_cis_1_10() {
    let Some(dir) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "compliance/kube-bench-cfg/cfg/cis-1.10",
    ) else {
        return;
    };
    let items = kube_bench_items(&dir);
    let cis = fw("cis");
    let ours: Vec<(String, String, String)> = cis
        .controls
        .iter()
        .map(|c| (c.section.clone(), c.id.clone(), c.title.clone()))
        .collect();
    assert_eq!(
        ours, items,
        "cis.yaml differs from kube-bench's cis-1.10 items"
    );
    println!("cis: {} controls = kube-bench cis-1.10 items", ours.len());
}

#[test]
fn cis_file_covers_kubescape_cis_1_10() {
    let Some(path) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "compliance/kubescape-regolibrary/frameworks/cis-v1.10.0.json",
    ) else {
        return;
    };
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let theirs: BTreeSet<String> = doc["activeControls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let name = c["patch"]["name"].as_str().unwrap();
            name.strip_prefix("CIS-")
                .unwrap()
                .split(' ')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    let ours: BTreeSet<String> = fw("cis").controls.iter().map(|c| c.id.clone()).collect();
    let missing: Vec<&String> = theirs.difference(&ours).collect();
    assert!(
        missing.is_empty(),
        "Kubescape's CIS 1.10 controls missing from cis.yaml: {missing:?}"
    );
    let extra: Vec<&String> = ours.difference(&theirs).collect();
    println!(
        "cis: {} Kubescape controls all present; in cis.yaml only: {extra:?}",
        theirs.len()
    );
    // kube-bench has 4.3.1 (kube-proxy metrics bind address), added in 1.10; Kubescape lacks it.
    assert_eq!(extra, vec!["4.3.1"]);
}

#[test]
fn mitre_file_is_the_containers_matrix() {
    let Some(path) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "attack/mitre-attack-containers/containers-techniques.json",
    ) else {
        return;
    };
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let theirs: BTreeMap<String, String> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["technique_id"].as_str().unwrap().to_owned(),
                t["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let ours: BTreeMap<String, String> = fw("mitre")
        .controls
        .iter()
        .map(|c| (c.id.clone(), c.title.clone()))
        .collect();
    assert_eq!(ours, theirs);
}

#[test]
fn ms_file_is_the_microsoft_matrix() {
    let Some(dir) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "attack/ms-threat-matrix-kubernetes/docs/techniques",
    ) else {
        return;
    };
    let mut theirs = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let id = text
            .split("ID: ")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .trim()
            .to_owned();
        let title = text
            .lines()
            .find_map(|l| l.strip_prefix("# "))
            .unwrap()
            .trim()
            .to_owned();
        theirs.insert(id, title);
    }
    let ours: BTreeMap<String, String> = fw("ms-threat-matrix")
        .controls
        .iter()
        .map(|c| (c.id.clone(), c.title.clone()))
        .collect();
    assert_eq!(ours, theirs);
}

/// Kubescape rule → Harrier checks, from the regolibrary table of docs/peer-mapping.md (which
/// the posture crate's peer tests generate and keep current).
fn peer_rule_checks() -> BTreeMap<String, Vec<String>> {
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/peer-mapping.md");
    let text = std::fs::read_to_string(doc).expect("docs/peer-mapping.md");
    let section = text
        .split("\n## regolibrary")
        .nth(1)
        .expect("regolibrary section");
    let section = section.split("\n### ").next().unwrap_or(section);
    let mut out = BTreeMap::new();
    for line in section.lines() {
        let cells: Vec<&str> = line.split(" | ").collect();
        if cells.len() < 3 || !cells[0].starts_with("| `") {
            continue;
        }
        let rule = cells[0]
            .trim_start_matches("| `")
            .trim_end_matches('`')
            .to_owned();
        let checks: Vec<String> = cells[2]
            .split(", ")
            .map(str::trim)
            .filter(|c| c.starts_with("HRR-"))
            .map(str::to_owned)
            .collect();
        if !checks.is_empty() {
            out.insert(rule, checks);
        }
    }
    out
}

/// For each control of a Kubescape framework that a Harrier check covers (through the control's
/// rules and the peer mapping), whether one of those checks is mapped in `ours`, restricted to
/// the controls `allowed` names when it gives any. Returns (covered by Harrier, mapped).
fn kubescape_coverage(
    file: &str,
    ours: &Framework,
    allowed: impl Fn(&str) -> Vec<String>,
) -> Option<(usize, usize, usize)> {
    let root = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "compliance/kubescape-regolibrary",
    )?;
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("frameworks").join(file)).unwrap())
            .unwrap();
    let csv = std::fs::read_to_string(root.join("ControlID_RuleName.csv")).unwrap();
    let mut rules: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for line in csv.lines().skip(1) {
        if let Some((control, rule)) = line.split_once(',') {
            rules.entry(control.trim()).or_default().push(rule.trim());
        }
    }
    let peer = peer_rule_checks();
    let controls = doc["activeControls"].as_array().unwrap();
    let (mut covered, mut mapped) = (0, 0);
    let mut unmapped = Vec::new();
    for c in controls {
        let id = c["controlID"].as_str().unwrap();
        let name = c["patch"]["name"].as_str().unwrap_or("");
        let checks: BTreeSet<&String> = rules
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|r| peer.get(*r))
            .flatten()
            .collect();
        if checks.is_empty() {
            continue;
        }
        covered += 1;
        let targets = allowed(name);
        let hit = ours.controls.iter().any(|oc| {
            (targets.is_empty() || targets.contains(&oc.id))
                && checks
                    .iter()
                    .any(|ch| oc.checks.contains(&CheckRef::Check((*ch).clone())))
        });
        if hit {
            mapped += 1;
        } else {
            unmapped.push(format!("{id} {name} (Harrier {checks:?})"));
        }
    }
    println!(
        "{file}: {} controls, {covered} covered by Harrier checks (peer mapping), {mapped} of them mapped in {}.yaml",
        controls.len(),
        ours.id
    );
    assert!(
        unmapped.is_empty(),
        "{file}: covered but not mapped in {}.yaml:\n{}",
        ours.id,
        unmapped.join("\n")
    );
    Some((controls.len(), covered, mapped))
}

#[test]
fn kubescape_nsa_controls_covered_by_harrier_are_mapped() {
    if let Some((_, covered, _)) =
        kubescape_coverage("nsaframework.json", fw("nsa"), |_| Vec::new())
    {
        assert!(covered >= 8, "only {covered} NSA controls covered");
    }
}

#[test]
fn kubescape_mitre_controls_covered_by_harrier_are_mapped() {
    // Kubescape's "mitre" framework is the Microsoft Threat Matrix for Kubernetes.
    if let Some((_, covered, _)) =
        kubescape_coverage("mitre.json", fw("ms-threat-matrix"), |_| Vec::new())
    {
        assert!(
            covered >= 5,
            "only {covered} threat-matrix controls covered"
        );
    }
}

#[test]
fn kubescape_soc2_controls_covered_by_harrier_are_mapped_to_the_criteria_they_name() {
    // Kubescape names the criteria in the control's name: "Firewall (CC6.1,CC6.6,CC7.2)".
    let criteria = |name: &str| -> Vec<String> {
        name.rsplit_once('(')
            .map(|(_, list)| {
                list.trim_end_matches(')')
                    .split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| s.starts_with("CC"))
                    .collect()
            })
            .unwrap_or_default()
    };
    if let Some((_, covered, _)) = kubescape_coverage("soc2.json", fw("soc2"), criteria) {
        assert!(covered >= 2, "only {covered} SOC 2 controls covered");
    }
}

#[test]
fn coverage_per_framework() {
    for f in framework::all().unwrap() {
        let automatable = f.automatable();
        println!(
            "{:<18} {:>4} controls, {:>4} evidenced by Harrier checks ({:.1}%)",
            f.id,
            f.controls.len(),
            automatable,
            automatable as f64 * 100.0 / f.controls.len() as f64
        );
        assert!(
            automatable * 2 >= f.controls.len()
                || f.id == "mitre"
                || f.id == "ms-threat-matrix"
                || f.id == "hipaa",
            "{}",
            f.id
        );
    }
}
