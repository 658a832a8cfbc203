//! Answers of the RBAC queries (`harrier rbac who-can`, `harrier rbac can`) as a table or JSON.
//!
//! The JSON documents are described in docs/rbac.md: who-can writes `subjects`, each with
//! `kind`, `name`, `namespace` and the `bindings` it holds the permission through; can writes
//! the rules per namespace (`namespaces`, `null` for cluster-wide). Both carry `problems`, the
//! bindings and roles that could not be resolved, so that an answer never hides them.

use std::io;

use harrier_posture::rbac::{Holder, Identity, Problem, ScopeRules};
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
