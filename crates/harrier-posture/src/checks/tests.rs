//! Catalog tests (every check is well-described) and fixture tests (every check fails its
//! `fail*.yaml` fixtures and passes its `pass*.yaml` fixtures), with a snapshot of the findings
//! of each fail fixture.

use std::collections::HashSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use harrier_core::check::section;
use harrier_core::{CheckId, Finding};
use harrier_k8s::{ObjectIndex, load_text};

use super::all;
use crate::{ScanOptions, scan};

const DOC_HEADINGS: [&str; 6] = [
    "What it checks",
    "Why it matters",
    "Example",
    "Fix",
    "Known false positives",
    "References",
];

#[test]
fn ids_are_unique_and_well_formed() {
    let mut seen = HashSet::new();
    for check in all() {
        let id = check.meta.id;
        assert!(
            CheckId::is_well_formed(id.as_str()),
            "{id} is not HRR-<AREA>-<NNN>"
        );
        assert!(seen.insert(id), "{id} is used twice");
    }
}

#[test]
fn groups_use_their_own_area_and_are_sorted() {
    for (group, area) in [
        (super::api::CHECKS, "API"),
        (super::net::CHECKS, "NET"),
        (super::ns::CHECKS, "NS"),
        (super::pod::CHECKS, "POD"),
        (super::pss::CHECKS, "PSS"),
        (super::rbac::CHECKS, "RBAC"),
        (super::sec::CHECKS, "SEC"),
    ] {
        for pair in group.windows(2) {
            assert!(
                pair[0].meta.id < pair[1].meta.id,
                "{} must come after {}",
                pair[1].meta.id,
                pair[0].meta.id
            );
        }
        for check in group {
            assert_eq!(
                check.meta.id.area(),
                area,
                "{} is in the {area} group",
                check.meta.id
            );
        }
    }
}

#[test]
fn slugs_are_unique_kebab_case_and_name_the_risk() {
    let mut seen = HashSet::new();
    for check in all() {
        let slug = check.meta.slug;
        assert!(
            !slug.is_empty()
                && slug.split('-').all(|w| !w.is_empty()
                    && w.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())),
            "slug `{slug}` is not kebab-case"
        );
        assert!(
            !slug.starts_with("no-") && !slug.starts_with("avoid-"),
            "slug `{slug}` must name the risky condition"
        );
        assert!(seen.insert(slug), "slug `{slug}` is used twice");
    }
}

#[test]
fn metadata_is_complete() {
    for check in all() {
        let m = &check.meta;
        assert!(
            !m.title.is_empty() && !m.title.ends_with('.'),
            "{}: title",
            m.id
        );
        assert!(!m.remediation.trim().is_empty(), "{}: remediation", m.id);
        assert!(!m.references.is_empty(), "{}: at least one reference", m.id);
        for heading in DOC_HEADINGS {
            assert!(
                section(m.docs, heading).is_some_and(|body| !body.is_empty()),
                "{}: docs need a non-empty `## {heading}` section",
                m.id
            );
        }
        assert!(
            m.docs.starts_with("# "),
            "{}: docs start with a `# ` title",
            m.id
        );
    }
}

#[test]
fn pss_checks_name_one_upstream_control_each() {
    for check in super::pss::CHECKS {
        let ids = check
            .meta
            .references_of(harrier_core::check::ReferenceFamily::Pss);
        assert_eq!(
            ids.len(),
            1,
            "{} references exactly one PSS control",
            check.meta.id
        );
        let control = super::pss::CONTROLS
            .iter()
            .find(|c| c.check == check.meta.id);
        assert_eq!(
            control.map(|c| c.upstream_id),
            Some(ids[0].as_str()),
            "{}",
            check.meta.id
        );
    }
    assert_eq!(super::pss::CONTROLS.len(), super::pss::CHECKS.len());
}

fn fixtures_dir(slug: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("resources/fixtures")
        .join(slug)
}

fn findings_of(path: &Path, id: CheckId) -> Vec<Finding> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let shown = path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .display()
        .to_string();
    let loaded = load_text(Arc::from(shown.as_str()), &text);
    let hard: Vec<_> = loaded.errors.iter().filter(|e| !e.is_warning()).collect();
    assert!(hard.is_empty(), "fixture {shown} does not load: {hard:?}");
    let (index, errors) = ObjectIndex::build(loaded.objects);
    assert!(
        errors.iter().all(|e| e.is_warning()),
        "fixture {shown}: {errors:?}"
    );
    let result = scan(&index, &ScanOptions::default());
    result
        .findings
        .into_iter()
        .filter(|f| f.check_id == id)
        .collect()
}

#[test]
fn every_check_fails_its_fail_fixtures_and_passes_its_pass_fixtures() {
    let mut problems = Vec::new();
    for check in all() {
        let slug = check.meta.slug;
        let dir = fixtures_dir(slug);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        let is = |p: &Path, prefix: &str| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        };
        if !files.iter().any(|p| is(p, "fail")) || !files.iter().any(|p| is(p, "pass")) {
            problems.push(format!(
                "{} ({slug}): needs fail*.yaml and pass*.yaml in {}",
                check.meta.id,
                dir.display()
            ));
            continue;
        }
        let mut snapshot = String::new();
        for file in &files {
            let findings = findings_of(file, check.meta.id);
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if is(file, "fail") {
                if findings.is_empty() {
                    problems.push(format!(
                        "{} ({slug}): {name} raised no finding",
                        check.meta.id
                    ));
                }
                let _ = writeln!(snapshot, "{name}:");
                for f in &findings {
                    let line = f.location.as_ref().map_or(0, |l| l.line);
                    let container = f
                        .container
                        .as_deref()
                        .map(|c| format!(" [{c}]"))
                        .unwrap_or_default();
                    let evidence = f
                        .evidence
                        .as_ref()
                        .map(|e| {
                            format!(
                                " ({} = {})",
                                e.field,
                                e.value.as_deref().unwrap_or("<unset>")
                            )
                        })
                        .unwrap_or_default();
                    // Shown only where a finding's severity differs from the check's, so
                    // snapshots of checks with one severity stay as they are.
                    let severity = if f.severity == check.meta.severity {
                        String::new()
                    } else {
                        format!(" [{}]", f.severity)
                    };
                    let _ = writeln!(
                        snapshot,
                        "  {line}: {}{container}: {}{evidence}{severity}",
                        f.resource, f.message
                    );
                }
            } else if is(file, "pass") && !findings.is_empty() {
                let messages: Vec<_> = findings
                    .iter()
                    .map(|f| format!("{}: {}", f.resource, f.message))
                    .collect();
                problems.push(format!(
                    "{} ({slug}): {name} raised {messages:?}",
                    check.meta.id
                ));
            }
        }
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(slug, snapshot);
        });
    }
    assert!(
        problems.is_empty(),
        "fixture problems:\n{}",
        problems.join("\n")
    );
}
