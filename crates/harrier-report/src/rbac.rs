//! Answers of the RBAC queries (`harrier rbac who-can`, `harrier rbac can`) and the risky
//! permissions (`harrier rbac risks`) as a table or JSON.
//!
//! The JSON documents are described in docs/rbac.md: who-can writes `subjects`, each with
//! `kind`, `name`, `namespace` and the `bindings` it holds the permission through; can writes
//! the rules per namespace (`namespaces`, `null` for cluster-wide). Both carry `problems`, the
//! bindings and roles that could not be resolved, so that an answer never hides them.

use std::collections::{BTreeMap, BTreeSet};
use std::io;

use harrier_core::Severity;
use harrier_posture::rbac::risks::{Finding as RiskFinding, Grantor, Scope};
use harrier_posture::rbac::{Holder, Identity, Problem, ScopeRules, SubjectRef};
use serde::Serialize;

/// What was asked of who-can, echoed in the JSON output.
#[derive(Debug, Clone, Serialize)]
pub struct WhoCanQuery<'a> {
    /// The verb.
    pub verb: &'a str,
    /// The resource or URL, as typed.
    pub resource: &'a str,
    /// The object name (`--name`), if any.
    pub name: Option<&'a str>,
    /// The namespace (`-n`), or `None` for anywhere.
    pub namespace: Option<&'a str>,
}

#[derive(Serialize)]
struct WhoCanDoc<'a> {
    query: &'a WhoCanQuery<'a>,
    subjects: &'a [Holder],
    problems: &'a [Problem],
}

#[derive(Serialize)]
struct CanDoc<'a> {
    subject: &'a str,
    identity: &'a Identity,
    namespaces: &'a [ScopeRules<'a>],
    problems: &'a [Problem],
}

/// Writes who-can's answer as JSON.
pub fn who_can_json(
    out: &mut dyn io::Write,
    query: &WhoCanQuery<'_>,
    subjects: &[Holder],
    problems: &[Problem],
) -> io::Result<()> {
    let doc = WhoCanDoc {
        query,
        subjects,
        problems,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// Writes who-can's answer as a table: one line per subject and binding.
pub fn who_can_table(
    out: &mut dyn io::Write,
    query: &WhoCanQuery<'_>,
    subjects: &[Holder],
) -> io::Result<()> {
    if subjects.is_empty() {
        let place = query.namespace.map_or_else(
            || " anywhere".to_owned(),
            |ns| format!(" in namespace {ns}"),
        );
        return writeln!(
            out,
            "No subject can {} {}{place}.",
            query.verb, query.resource
        );
    }
    let mut rows = vec![[
        "KIND".to_owned(),
        "NAMESPACE".to_owned(),
        "NAME".to_owned(),
        "WHERE".to_owned(),
        "THROUGH".to_owned(),
    ]];
    for holder in subjects {
        for via in &holder.bindings {
            rows.push([
                holder.kind.to_string(),
                holder.namespace.clone().unwrap_or_default(),
                holder.name.clone(),
                scope(via.scope.as_deref()),
                via.to_string(),
            ]);
        }
    }
    write_rows(out, &rows)
}

/// Writes can's answer as JSON.
pub fn can_json(
    out: &mut dyn io::Write,
    subject: &str,
    identity: &Identity,
    namespaces: &[ScopeRules<'_>],
    problems: &[Problem],
) -> io::Result<()> {
    let doc = CanDoc {
        subject,
        identity,
        namespaces,
        problems,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// Writes can's answer as a table: one line per rule, cluster-wide rules first.
pub fn can_table(
    out: &mut dyn io::Write,
    subject: &str,
    namespaces: &[ScopeRules<'_>],
) -> io::Result<()> {
    if namespaces.is_empty() {
        return writeln!(out, "{subject} is granted nothing by the given objects.");
    }
    let mut rows = vec![[
        "WHERE".to_owned(),
        "VERBS".to_owned(),
        "API GROUPS".to_owned(),
        "RESOURCES".to_owned(),
        "NAMES".to_owned(),
        "THROUGH".to_owned(),
    ]];
    let list = |items: &[String]| items.join(",");
    for scope_rules in namespaces {
        for held in &scope_rules.rules {
            let rule = &held.rule;
            let (groups, resources) = if rule.non_resource_urls.is_empty() {
                (
                    rule.api_groups
                        .iter()
                        .map(|g| {
                            if g.is_empty() {
                                "\"\"".to_owned()
                            } else {
                                g.clone()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(","),
                    list(&rule.resources),
                )
            } else {
                ("(URL)".to_owned(), list(&rule.non_resource_urls))
            };
            rows.push([
                scope(scope_rules.namespace),
                list(&rule.verbs),
                groups,
                resources,
                list(&rule.resource_names),
                held.binding.to_string(),
            ]);
        }
    }
    write_rows(out, &rows)
}

fn scope(namespace: Option<&str>) -> String {
    namespace.map_or_else(|| "(cluster)".to_owned(), str::to_owned)
}

/// Left-aligned columns two spaces apart; the last column is not padded. Shared with
/// [`network`](crate::network).
pub(crate) fn write_rows<const N: usize>(
    out: &mut dyn io::Write,
    rows: &[[String; N]],
) -> io::Result<()> {
    let mut widths = [0usize; N];
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in rows {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
            if i + 1 == N {
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.extend(std::iter::repeat_n(' ', width - cell.chars().count() + 2));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// What `harrier rbac risks` left out of its answer, said in both formats.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct RisksHidden {
    /// Findings of built-in subjects (control plane, bootstrap bindings), shown with
    /// `--include-system`.
    pub builtin: usize,
    /// Findings below `--min-severity`.
    pub below_min_severity: usize,
}

#[derive(Serialize)]
struct RisksDoc<'a> {
    findings: &'a [RiskFinding],
    hidden: RisksHidden,
    problems: &'a [Problem],
}

/// Writes the risky-permission findings as JSON: every finding, one per subject and
/// primitive.
pub fn risks_json(
    out: &mut dyn io::Write,
    findings: &[RiskFinding],
    hidden: RisksHidden,
    problems: &[Problem],
) -> io::Result<()> {
    let doc = RisksDoc {
        findings,
        hidden,
        problems,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// Writes the findings as a table: one block per subject, worst subject first, listing the
/// primitives at the subject's highest severity with the others counted (a cluster-admin
/// subject would otherwise take thirty lines), the bindings granting them and the workloads
/// that run as the subject.
pub fn risks_table(
    out: &mut dyn io::Write,
    findings: &[RiskFinding],
    hidden: RisksHidden,
) -> io::Result<()> {
    let mut by_subject: BTreeMap<&SubjectRef, Vec<&RiskFinding>> = BTreeMap::new();
    for finding in findings {
        by_subject
            .entry(&finding.subject)
            .or_default()
            .push(finding);
    }
    let mut subjects: Vec<(&SubjectRef, Vec<&RiskFinding>)> = by_subject.into_iter().collect();
    // Worst subject first; then by kind, namespace and name, so that a namespace's accounts
    // stay together.
    subjects.sort_by_key(|(subject, list)| {
        let worst = list.iter().map(|f| f.severity).max();
        (
            std::cmp::Reverse(worst.unwrap_or(Severity::Info)),
            subject.kind,
            subject.namespace.clone(),
            subject.name.clone(),
        )
    });
    if subjects.is_empty() {
        writeln!(out, "No risky permissions found.")?;
    }
    for (subject, list) in &subjects {
        let top = list
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Info);
        // At most three primitives at the subject's worst severity, the rest counted: a
        // cluster-admin subject holds every primitive, and its first line already says so.
        const SHOWN: usize = 3;
        // Findings come worst first (see `assess`), so the shown ones are a prefix.
        let shown = list
            .iter()
            .take(SHOWN)
            .take_while(|f| f.severity == top)
            .count();
        let (worst, rest) = list.split_at(shown.min(list.len()));
        let mut scope = Scope::default();
        for f in list.iter() {
            scope.cluster |= f.scope.cluster;
            scope.namespaces.extend(f.scope.namespaces.iter().cloned());
        }
        let builtin = if list.iter().any(|f| f.builtin) {
            " [built-in]"
        } else {
            ""
        };
        writeln!(
            out,
            "{:<8}  {subject}  ({}){builtin}",
            top.as_str().to_uppercase(),
            describe_scope(&scope)
        )?;
        let mut risks: Vec<String> = worst.iter().map(|f| describe_risk(f)).collect();
        if !rest.is_empty() {
            let mut counts: BTreeMap<std::cmp::Reverse<Severity>, usize> = BTreeMap::new();
            for f in rest {
                *counts.entry(std::cmp::Reverse(f.severity)).or_default() += 1;
            }
            let counts: Vec<String> = counts
                .into_iter()
                .map(|(sev, n)| format!("{n} {}", sev.0))
                .collect();
            risks.push(format!("and {} more ({})", rest.len(), counts.join(", ")));
        }
        writeln!(out, "  risks:     {}", risks.join("\n             "))?;
        let mut through: BTreeSet<&Grantor> = BTreeSet::new();
        for f in worst {
            through.extend(f.bindings.iter());
        }
        let through: Vec<String> = through
            .into_iter()
            .map(|b| match &b.location {
                Some(l) => format!("{} ({}:{})", b.via, l.path, l.line),
                None => b.via.to_string(),
            })
            .collect();
        writeln!(out, "  through:   {}", through.join("\n             "))?;
        let workloads = worst.first().map(|f| describe_workloads(f));
        if let Some(Some(workloads)) = workloads {
            writeln!(out, "  workloads: {workloads}")?;
        }
    }
    let mut summary: BTreeMap<std::cmp::Reverse<Severity>, usize> = BTreeMap::new();
    for f in findings {
        *summary.entry(std::cmp::Reverse(f.severity)).or_default() += 1;
    }
    let summary: Vec<String> = summary
        .into_iter()
        .map(|(sev, n)| format!("{n} {}", sev.0))
        .collect();
    if !findings.is_empty() {
        writeln!(
            out,
            "\n{} findings for {} {} ({}).",
            findings.len(),
            subjects.len(),
            if subjects.len() == 1 {
                "subject"
            } else {
                "subjects"
            },
            summary.join(", ")
        )?;
    }
    if hidden.builtin > 0 {
        writeln!(
            out,
            "{} findings of built-in subjects (control plane, bootstrap bindings) not shown; --include-system shows them.",
            hidden.builtin
        )?;
    }
    if hidden.below_min_severity > 0 {
        writeln!(
            out,
            "{} findings below --min-severity not shown.",
            hidden.below_min_severity
        )?;
    }
    Ok(())
}

fn describe_scope(scope: &Scope) -> String {
    if scope.cluster {
        return "cluster-wide".to_owned();
    }
    let list: Vec<&str> = scope.namespaces.iter().map(String::as_str).collect();
    match list.len() {
        0 => "nowhere".to_owned(),
        1..=3 => format!("in {}", list.join(", ")),
        n => {
            let first: Vec<&str> = list.into_iter().take(3).collect();
            format!("in {n} namespaces: {}, …", first.join(", "))
        }
    }
}

fn describe_risk(f: &RiskFinding) -> String {
    let mut text = format!("{} {}", f.id, f.slug);
    let mut notes = Vec::new();
    if !f.scope.cluster {
        notes.push(describe_scope(&f.scope));
    }
    if !f.names.is_empty() {
        notes.push(format!("only {}", f.names.join(", ")));
    }
    if !notes.is_empty() {
        text.push_str(&format!(" ({})", notes.join("; ")));
    }
    text
}

/// `None` when no workload runs as the subject.
fn describe_workloads(f: &RiskFinding) -> Option<String> {
    if f.every_workload {
        return Some("every workload with a mounted token".to_owned());
    }
    if f.workloads.is_empty() {
        return None;
    }
    const SHOWN: usize = 5;
    let mut list: Vec<String> = f
        .workloads
        .iter()
        .take(SHOWN)
        .map(|w| {
            format!(
                "{} {}/{} ({}:{})",
                w.kind, w.namespace, w.name, w.location.path, w.location.line
            )
        })
        .collect();
    if f.workloads.len() > SHOWN {
        list.push(format!("and {} more", f.workloads.len() - SHOWN));
    }
    Some(list.join("\n             "))
}
