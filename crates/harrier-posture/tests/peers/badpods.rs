//! Bishop Fox's badPods: `manifests/<category>/` holds ten objects (a Pod and each controller,
//! an exec and a reverse-shell variant) that carry the category's weakness; `nothing-allowed`
//! holds the same objects without any of them. The directory is the label: each object must
//! raise exactly the Harrier checks of its category among [`WEAKNESSES`] (it may raise other,
//! unrelated checks: the objects harden nothing else). The Pod Security level of each object is
//! checked by the `pss` group's own table test.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::{
    Comparison, Difference, Report, Scan, Spec, compare_sets, count, entries, file_name,
};

/// The Harrier checks for the weaknesses badPods demonstrates.
const WEAKNESSES: &[&str] = &[
    "HRR-PSS-001",
    "HRR-PSS-002",
    "HRR-PSS-003",
    "HRR-POD-012",
    "HRR-POD-013",
    "HRR-POD-014",
];

/// Every category: `(directory, the checks among WEAKNESSES its objects raise, note)`.
#[rustfmt::skip]
pub const MAPPING: &[(&str, &[&str], &str)] = &[
    ("everything-allowed", &["HRR-PSS-001", "HRR-PSS-002", "HRR-PSS-003", "HRR-POD-012", "HRR-POD-014"], "privileged, every host namespace, and the node's `/` mounted writable"),
    ("hostipc", &["HRR-PSS-002"], ""),
    ("hostnetwork", &["HRR-PSS-002"], ""),
    ("hostpath", &["HRR-PSS-003", "HRR-POD-012", "HRR-POD-014"], "the node's `/` mounted writable"),
    ("hostpid", &["HRR-PSS-002"], ""),
    ("nothing-allowed", &[], "negative control: none of these fires"),
    ("priv", &["HRR-PSS-001"], ""),
    ("priv-and-hostpid", &["HRR-PSS-001", "HRR-PSS-002"], ""),
];

/// Objects on which Harrier deliberately differs: none.
pub const DIFFERENCES: &[Difference] = &[];

/// Compares every object of every category.
pub fn compare(root: &Path) -> Report {
    let mut cmp = Comparison::new(DIFFERENCES);
    let manifests = root.join("manifests");
    let present: BTreeSet<String> = entries(&manifests)
        .iter()
        .filter(|d| d.is_dir())
        .map(|d| file_name(d))
        .collect();
    let listed = MAPPING.iter().map(|m| m.0.to_owned()).collect();
    compare_sets("badPods", &listed, &present, &mut cmp.problems);

    let mut rows = Vec::new();
    for (category, fires, note) in MAPPING {
        let dir = manifests.join(category);
        let scan = Scan::of(std::slice::from_ref(&dir));
        rows.push(Spec {
            key: (*category).to_owned(),
            check: (*category).to_owned(),
            fixtures: format!(
                "`manifests/{category}/` ({})",
                count(scan.objects().len(), "object")
            ),
            harrier: if fires.is_empty() { WEAKNESSES } else { fires },
            note,
            has_fixtures: true,
        });
        let expected: BTreeSet<&str> = fires.iter().copied().collect();
        for (i, o) in scan.objects().iter().enumerate() {
            let got: BTreeSet<&str> = WEAKNESSES
                .iter()
                .copied()
                .filter(|c| scan.fires(i, &[c]))
                .collect();
            let detail =
                (got != expected).then(|| format!("expected {expected:?}, Harrier raises {got:?}"));
            let file = o.path.rsplit('/').next().unwrap_or_default();
            cmp.record_detail(category, file, detail);
        }
    }
    cmp.finish("badPods", "object", rows)
}
