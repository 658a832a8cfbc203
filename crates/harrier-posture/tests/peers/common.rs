//! What every peer module shares: scanning a fixture and mapping findings back to its objects,
//! the mapping-table types, and the tally of agreements and documented differences.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use harrier_core::yaml::{Node, Schema, parse_single};
use harrier_k8s::{LoadOptions, Object, ObjectIndex, load};
use harrier_posture::{ScanOptions, scan};

/// Kinds that carry a pod template, as the peers scope their container checks.
pub const WORKLOADS: &[&str] = &[
    "Pod",
    "PodTemplate",
    "Deployment",
    "DeploymentConfig",
    "DaemonSet",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
];

/// Role kinds.
pub const ROLES: &[&str] = &["Role", "ClusterRole"];

/// Binding kinds.
pub const BINDINGS: &[&str] = &["RoleBinding", "ClusterRoleBinding"];

/// How a table's note starts for a peer entry that tests the peer's own machinery (custom
/// checks, suppression annotations) rather than a check; such rows are not counted as checks.
pub const NOT_A_CHECK: &str = "not a check: ";

/// A row for [`Comparison::finish`]: its unique key (the tally key), the peer check id, where
/// its fixtures are, the Harrier checks and the note.
pub struct Spec {
    /// Unique key, as passed to [`Comparison::record`].
    pub key: String,
    /// The peer check id.
    pub check: String,
    /// Where its fixtures are.
    pub fixtures: String,
    /// The Harrier checks covering it.
    pub harrier: &'static [&'static str],
    /// How the semantics differ, or why it is not covered.
    pub note: &'static str,
    /// Whether the corpus has fixtures for it; a covered row with fixtures must compare some.
    pub has_fixtures: bool,
}

/// One row of a mapping table: the peer's check, the Harrier checks that cover it (empty when
/// none does), and a note: for a covered check, how the semantics differ, if they do; for an
/// uncovered one, why.
pub type Mapping = (&'static str, &'static [&'static str], &'static str);

/// A fixture on which Harrier deliberately disagrees with the peer's label: the peer check,
/// the fixture (as the module names its units) and the reason, which the check's docs repeat
/// under "Known false positives".
pub type Difference = (&'static str, &'static str, &'static str);

/// The objects of one fixture and what Harrier reported on them.
pub struct Scan {
    index: ObjectIndex,
    /// `(check id, object index, container)` of every finding.
    hits: BTreeSet<(String, usize, Option<String>)>,
}

impl Scan {
    /// Loads `paths` (files or directories) as one scan, as the peer's harness does.
    pub fn of(paths: &[PathBuf]) -> Scan {
        let loaded = load(paths, &LoadOptions::default());
        let (index, _) = ObjectIndex::build(loaded.objects);
        let result = scan(&index, &ScanOptions::default());
        let mut by_ref: HashMap<&harrier_core::ResourceRef, Vec<usize>> = HashMap::new();
        for (i, o) in index.objects().iter().enumerate() {
            by_ref.entry(&o.resource).or_default().push(i);
        }
        let mut hits = BTreeSet::new();
        for f in &result.findings {
            let path = f.location.as_ref().map(|l| l.path.as_ref());
            let all = by_ref
                .get(&f.resource)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let in_file: Vec<usize> = all
                .iter()
                .copied()
                .filter(|&i| {
                    index
                        .objects()
                        .get(i)
                        .is_some_and(|o| Some(o.path.as_ref()) == path)
                })
                .collect();
            let candidates = if in_file.is_empty() { all } else { &in_file };
            // Objects with the same identity in one file are told apart by position: the
            // finding belongs to the last one starting at or before its line.
            let line = f.location.as_ref().map_or(0, |l| l.line);
            let object = candidates
                .iter()
                .copied()
                .rfind(|&i| {
                    index
                        .objects()
                        .get(i)
                        .is_some_and(|o| o.node.pos.line <= line)
                })
                .or_else(|| candidates.first().copied());
            if let Some(object) = object {
                hits.insert((f.check_id.as_str().to_owned(), object, f.container.clone()));
            }
        }
        Scan { index, hits }
    }

    /// Every object, in input order.
    pub fn objects(&self) -> &[Object] {
        self.index.objects()
    }

    /// Whether any of `checks` fired on object `i`.
    pub fn fires(&self, i: usize, checks: &[&str]) -> bool {
        self.hits
            .iter()
            .any(|(c, o, _)| *o == i && checks.contains(&c.as_str()))
    }

    /// Whether any of `checks` fired on the container named `container` of object `i`.
    pub fn fires_on_container(&self, i: usize, container: &str, checks: &[&str]) -> bool {
        self.hits.iter().any(|(c, o, k)| {
            *o == i && k.as_deref() == Some(container) && checks.contains(&c.as_str())
        })
    }

    /// Whether any of `checks` fired on object `i` or, for a binding, on the role it grants
    /// when that role is of one of `role_kinds`. Peers that judge bindings by what their role
    /// grants and Harrier's rule checks, which report the rule on the role, then compare like
    /// for like.
    pub fn fires_with_role(&self, i: usize, checks: &[&str], role_kinds: &[&str]) -> bool {
        self.fires(i, checks)
            || self.role_of(i).is_some_and(|r| {
                self.objects()
                    .get(r)
                    .is_some_and(|role| role_kinds.contains(&role.kind()))
                    && self.fires(r, checks)
            })
    }

    /// The Role or ClusterRole a binding refers to, when the scan holds it.
    pub fn role_of(&self, i: usize) -> Option<usize> {
        let binding = self.objects().get(i)?;
        if !BINDINGS.contains(&binding.kind()) {
            return None;
        }
        let kind = binding
            .node
            .get_path("roleRef.kind")
            .and_then(Node::as_str)?;
        let name = binding
            .node
            .get_path("roleRef.name")
            .and_then(Node::as_str)?;
        self.objects().iter().position(|o| {
            o.kind() == kind
                && o.resource.name.as_deref() == Some(name)
                && (kind == "ClusterRole" || namespace(o) == namespace(binding))
        })
    }

    /// The names of the containers of object `i`, if it has a pod template.
    pub fn containers(&self, i: usize) -> Vec<String> {
        self.index
            .workload_for(i)
            .map(|w| w.containers().map(|c| c.name().to_owned()).collect())
            .unwrap_or_default()
    }

    /// The objects `checks` fired on.
    pub fn flagged(&self, checks: &[&str]) -> BTreeSet<usize> {
        self.hits
            .iter()
            .filter(|(c, _, _)| checks.contains(&c.as_str()))
            .map(|(_, o, _)| *o)
            .collect()
    }
}

/// The object's namespace, `default` when unset (as `kubectl apply` and every peer read it).
pub fn namespace(o: &Object) -> &str {
    o.resource.namespace.as_deref().unwrap_or("default")
}

/// The object's name, or `""`.
pub fn name(o: &Object) -> &str {
    o.resource.name.as_deref().unwrap_or_default()
}

/// `Kind/name`, how units are named in the difference lists.
pub fn unit(o: &Object) -> String {
    format!("{}/{}", o.kind(), name(o))
}

/// The entries of a directory, sorted, or nothing when it cannot be read.
pub fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    out.sort();
    out
}

/// `1 file`, `2 files`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The last component of a path, as text.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A YAML or JSON file of the corpus as a tree (JSON is YAML), or `None`.
pub fn read_tree(path: &Path) -> Option<Node> {
    let text = std::fs::read_to_string(path).ok()?;
    parse_single(&text, Schema::Core).ok()
}

/// Agreement counts of one peer check.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    /// Labelled fixtures (files, objects or cases, as the set labels them) compared.
    pub compared: usize,
    /// Of those, the ones where Harrier agrees with the label.
    pub agreeing: usize,
    /// Of the others, the ones listed as deliberate differences.
    pub documented: usize,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.compared += other.compared;
        self.agreeing += other.agreeing;
        self.documented += other.documented;
    }
}

/// One peer set compared: the mapping rows with their tallies, and what went wrong.
pub struct Report {
    /// The set's name.
    pub set: &'static str,
    /// What a unit is in this set ("file", "object", "case").
    pub unit: &'static str,
    /// One row per peer check present in the corpus, in table order.
    pub rows: Vec<Row>,
    /// Unexpected disagreements, stale difference entries and table/corpus mismatches.
    pub problems: Vec<String>,
}

/// A row of the published mapping.
pub struct Row {
    /// The row's unique name: the peer check, and where its fixtures are when the check has
    /// several fixture sets.
    pub peer: String,
    /// The peer check id, for the coverage count.
    pub check: String,
    /// Where its fixtures are, relative to the set's root.
    pub fixtures: String,
    /// The Harrier checks that cover it; empty when none does.
    pub harrier: &'static [&'static str],
    /// How the semantics differ, or why it is not covered.
    pub note: &'static str,
    /// Agreement on its fixtures.
    pub tally: Tally,
}

impl Report {
    /// Totals over the rows.
    pub fn total(&self) -> Tally {
        let mut t = Tally::default();
        for r in &self.rows {
            t.add(r.tally);
        }
        t
    }

    /// `(peer checks, covered peer checks)`, counting each check once and leaving out rows
    /// that test the peer's own machinery rather than a check.
    pub fn coverage(&self) -> (usize, usize) {
        let mut all = BTreeSet::new();
        let mut covered = BTreeSet::new();
        for r in self
            .rows
            .iter()
            .filter(|r| !r.note.starts_with(NOT_A_CHECK))
        {
            all.insert(r.check.as_str());
            if !r.harrier.is_empty() {
                covered.insert(r.check.as_str());
            }
        }
        (all.len(), covered.len())
    }

    /// The one-line summary the tests print.
    pub fn summary(&self) -> String {
        let t = self.total();
        let (all, covered) = self.coverage();
        format!(
            "{}: {covered}/{all} peer checks covered; {} {}s compared, {} agree, {} documented differences",
            self.set, t.compared, self.unit, t.agreeing, t.documented
        )
    }

    /// Fails with every problem, after printing the summary (visible with `--nocapture`).
    #[allow(clippy::print_stderr)]
    pub fn assert_agrees(&self) {
        eprintln!("{}", self.summary());
        assert!(
            self.problems.is_empty(),
            "{} problems:\n{}",
            self.set,
            self.problems.join("\n")
        );
    }
}

/// Collects verdicts against a set's difference list.
pub struct Comparison {
    differences: &'static [Difference],
    used: Vec<bool>,
    tallies: BTreeMap<String, Tally>,
    /// Problems found so far.
    pub problems: Vec<String>,
}

impl Comparison {
    /// A comparison whose deliberate differences are `differences`.
    pub fn new(differences: &'static [Difference]) -> Comparison {
        Comparison {
            differences,
            used: vec![false; differences.len()],
            tallies: BTreeMap::new(),
            problems: Vec::new(),
        }
    }

    /// Records one labelled unit: the peer expects `expected` (fire or not) and Harrier `got`.
    pub fn record(&mut self, peer: &str, unit: &str, expected: bool, got: bool, harrier: &[&str]) {
        let detail = (expected != got).then(|| {
            format!(
                "the peer expects {harrier:?} {}, Harrier {}",
                if expected { "to fire" } else { "not to fire" },
                if got { "fires" } else { "does not" }
            )
        });
        self.record_detail(peer, unit, detail);
    }

    /// Records a unit whose comparison is not a yes/no (a set of objects); `detail` says how
    /// they differ when they do.
    pub fn record_detail(&mut self, peer: &str, unit: &str, detail: Option<String>) {
        let tally = self.tallies.entry(peer.to_owned()).or_default();
        tally.compared += 1;
        let Some(detail) = detail else {
            tally.agreeing += 1;
            return;
        };
        let listed = self
            .differences
            .iter()
            .position(|(p, u, _)| *p == peer && *u == unit);
        match listed {
            Some(k) => {
                tally.documented += 1;
                if let Some(used) = self.used.get_mut(k) {
                    *used = true;
                }
            }
            None => self.problems.push(format!("{peer}: {unit}: {detail}")),
        }
    }

    /// Builds the report: one row per mapping, in table order, and a problem for every listed
    /// difference that did not occur.
    pub fn finish(mut self, set: &'static str, unit: &'static str, rows: Vec<Spec>) -> Report {
        for (k, used) in self.used.iter().enumerate() {
            if *used {
                continue;
            }
            if let Some((peer, unit, _)) = self.differences.get(k) {
                self.problems.push(format!(
                    "{peer}: {unit}: listed as a deliberate difference, but Harrier agrees (or the fixture is gone); remove it from the list"
                ));
            }
        }
        let known: BTreeSet<&str> = harrier_posture::checks::all()
            .map(|c| c.meta.id.as_str())
            .collect();
        let mut seen = BTreeSet::new();
        for spec in &rows {
            if !seen.insert(spec.key.clone()) {
                self.problems
                    .push(format!("{}: listed twice in the mapping table", spec.key));
            }
            for id in spec.harrier {
                if !known.contains(id) {
                    self.problems
                        .push(format!("{}: maps to unknown check {id}", spec.key));
                }
            }
            let compared = self.tallies.get(&spec.key).map_or(0, |t| t.compared);
            if !spec.harrier.is_empty() && spec.has_fixtures && compared == 0 {
                self.problems.push(format!(
                    "{}: covered, with fixtures, but none was compared (are their labels read?)",
                    spec.key
                ));
            }
            if spec.harrier.is_empty() && spec.note.is_empty() {
                self.problems.push(format!(
                    "{}: not covered, and the table says not why",
                    spec.key
                ));
            }
        }
        let rows = rows
            .into_iter()
            .map(|spec| Row {
                tally: self.tallies.remove(&spec.key).unwrap_or_default(),
                peer: spec.key,
                check: spec.check,
                fixtures: spec.fixtures,
                harrier: spec.harrier,
                note: spec.note,
            })
            .collect();
        for peer in self.tallies.keys() {
            self.problems.push(format!(
                "{peer}: compared but missing from the mapping table"
            ));
        }
        Report {
            set,
            unit,
            rows,
            problems: self.problems,
        }
    }
}

/// Problems for peer checks listed in a table but absent from the corpus, and present in the
/// corpus but not listed.
pub fn compare_sets(
    set: &str,
    listed: &BTreeSet<String>,
    present: &BTreeSet<String>,
    problems: &mut Vec<String>,
) {
    for d in listed.difference(present) {
        problems.push(format!("{set}: {d} is in the table but not in the corpus"));
    }
    for d in present.difference(listed) {
        problems.push(format!("{set}: {d} is in the corpus but not in the table"));
    }
}
