//! `harrier checks list|show|docs`: the catalog as tables, JSON and generated documentation.

use std::fmt::Write as _;
use std::io::{self, Write};

use anyhow::{Context, bail};
use harrier_core::catalog::CatalogEntry;
use harrier_core::check::{CheckStatus, Reference};
use harrier_core::{Catalog, CheckMeta};
use serde::Serialize;

use crate::cli::{ChecksCommand, ListFormat, ShowFormat};
use crate::exit::ExitStatus;
use crate::printer::Printer;

pub fn run(command: ChecksCommand, _printer: &Printer) -> anyhow::Result<ExitStatus> {
    let catalog = super::catalog()?;
    let mut out = io::stdout().lock();
    let written = match command {
        ChecksCommand::List { format } => list(&mut out, &catalog, format),
        ChecksCommand::Show { check, format } => {
            let Some(meta) = catalog.lookup(&check) else {
                bail!("unknown check `{check}` (run `harrier checks list`)");
            };
            let entry = catalog
                .entries()
                .iter()
                .find(|e| e.meta.id == meta.id)
                .context("catalog lookup and entries disagree")?;
            show(&mut out, entry, format)
        }
    };
    match written {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitStatus::Success),
        other => other
            .map(|()| ExitStatus::Success)
            .context("cannot write to standard output"),
    }
}

#[derive(Serialize)]
struct CheckOut<'a> {
    id: &'static str,
    slug: &'static str,
    title: &'static str,
    severity: &'static str,
    status: &'static str,
    since: &'static str,
    inputs: &'static str,
    description: &'static str,
    remediation: &'static str,
    references: References,
    #[serde(skip_serializing_if = "Option::is_none")]
    docs: Option<&'a str>,
}

#[derive(Serialize)]
struct References {
    pss: Vec<String>,
    cis: Vec<String>,
    nsa: Vec<String>,
    mitre: Vec<String>,
    cwe: Vec<String>,
    urls: Vec<String>,
}

fn check_out(entry: &CatalogEntry, with_docs: bool) -> CheckOut<'static> {
    use harrier_core::check::ReferenceFamily as F;
    let m = entry.meta;
    CheckOut {
        id: m.id.as_str(),
        slug: m.slug,
        title: m.title,
        severity: m.severity.as_str(),
        status: m.status.as_str(),
        since: since(m.status),
        inputs: entry.inputs.as_str(),
        description: m.description(),
        remediation: m.remediation,
        references: References {
            pss: m.references_of(F::Pss),
            cis: m.references_of(F::Cis),
            nsa: m.references_of(F::Nsa),
            mitre: m.references_of(F::Mitre),
            cwe: m.references_of(F::Cwe),
            urls: m.references_of(F::Url),
        },
        docs: with_docs.then_some(m.docs),
    }
}

fn since(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Stable { since }
        | CheckStatus::Preview { since }
        | CheckStatus::Deprecated { since }
        | CheckStatus::Removed { since } => since,
    }
}

fn list(out: &mut dyn Write, catalog: &Catalog, format: ListFormat) -> io::Result<()> {
    match format {
        ListFormat::Json => {
            let checks: Vec<_> = catalog
                .entries()
                .iter()
                .map(|e| check_out(e, false))
                .collect();
            serde_json::to_writer_pretty(&mut *out, &checks).map_err(io::Error::other)?;
            writeln!(out)
        }
        ListFormat::Table => {
            writeln!(out, "{:<13} {:<9} {:<36} TITLE", "ID", "SEVERITY", "SLUG")?;
            for e in catalog.entries() {
                let m = e.meta;
                writeln!(
                    out,
                    "{:<13} {:<9} {:<36} {}",
                    m.id, m.severity, m.slug, m.title
                )?;
            }
            writeln!(
                out,
                "\n{} checks; `harrier checks show ID` explains one.",
                catalog.len()
            )
        }
    }
}

fn show(out: &mut dyn Write, entry: &CatalogEntry, format: ShowFormat) -> io::Result<()> {
    match format {
        ShowFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &check_out(entry, true))
                .map_err(io::Error::other)?;
            writeln!(out)
        }
        ShowFormat::Markdown => out.write_all(check_doc(entry).as_bytes()),
    }
}

/// The reference page of one check: a metadata table, then its hand-written documentation.
pub fn check_doc(entry: &CatalogEntry) -> String {
    let m: &CheckMeta = entry.meta;
    let (title, body) = m.docs.split_once('\n').unwrap_or((m.docs, ""));
    let mut doc = String::new();
    let _ = writeln!(doc, "{}\n", title.trim());
    let _ = writeln!(doc, "| | |\n|---|---|");
    let _ = writeln!(doc, "| Id | `{}` |", m.id);
    let _ = writeln!(doc, "| Slug | `{}` |", m.slug);
    let _ = writeln!(doc, "| Severity | {} |", m.severity);
    let _ = writeln!(
        doc,
        "| Status | {} since {} |",
        m.status.as_str(),
        since(m.status)
    );
    let _ = writeln!(doc, "| Reads | {} |", entry.inputs.as_str());
    let refs: Vec<String> = m.references.iter().map(reference_text).collect();
    let _ = writeln!(doc, "| References | {} |", refs.join(", "));
    let _ = writeln!(
        doc,
        "| Remediation | {} |",
        m.remediation.replace('|', "\\|")
    );
    let _ = writeln!(
        doc,
        "| Suppress with | annotation `ignore.harrier.dev/{}: \"<reason>\"` |",
        m.id
    );
    doc.push_str(body);
    if !doc.ends_with('\n') {
        doc.push('\n');
    }
    doc
}

fn reference_text(r: &Reference) -> String {
    match r {
        Reference::Cis(s) => format!("CIS {s}"),
        Reference::Nsa(s) => format!("NSA-CISA: {s}"),
        Reference::Mitre(s) => format!("MITRE ATT&CK {s}"),
        Reference::Pss(s) => format!("PSS `{s}`"),
        Reference::Cwe(n) => format!("CWE-{n}"),
        Reference::Url(u) => format!("<{u}>"),
    }
}

/// The index page listing every check.
pub fn index_doc(catalog: &Catalog) -> String {
    let mut doc = String::from(
        "# Built-in checks\n\nGenerated from the check catalog by `harrier generate-docs docs`; do not edit by hand.\n\n\
         | Id | Severity | Slug | Title |\n|---|---|---|---|\n",
    );
    for e in catalog.entries() {
        let m = e.meta;
        let _ = writeln!(
            doc,
            "| [{}]({}.md) | {} | `{}` | {} |",
            m.id,
            m.id,
            m.severity,
            m.slug,
            m.title.replace('|', "\\|")
        );
    }
    let _ = writeln!(doc, "\n{} checks.", catalog.len());
    doc
}

/// Every generated documentation file: (file name, contents).
pub fn docs(catalog: &Catalog) -> Vec<(String, String)> {
    let mut files = vec![("README.md".to_owned(), index_doc(catalog))];
    files.extend(
        catalog
            .entries()
            .iter()
            .map(|e| (format!("{}.md", e.meta.id), check_doc(e))),
    );
    files
}
