//! Rendering scan results: one module per format behind one [`write`] function, like ruff's
//! emitters, so every command prints the same data the same way.
//!
//! A [`Report`] holds instance data only (findings, suppressions, errors, workload levels,
//! counts); each format looks check metadata up in the [`Catalog`] as it writes, so a title or a
//! reference is written in exactly one place. Formats never print on their own: they write to
//! the `io::Write` they are given.
#![warn(missing_docs)]

pub mod alert;
pub mod compliance;
pub mod image;
mod json;
mod junit;
mod model;
pub mod network;
pub mod node;
pub mod paths;
pub mod rbac;
mod sarif;
mod table;

use std::io;

pub use model::{
    ClusterReport, ComponentVulnerability, Diagnostic, Report, Scanned, Summary, ToolInfo,
};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A table grouped by resource, for people.
    Table,
    /// The stable JSON document described in docs/json-format.md.
    Json,
    /// SARIF 2.1.0, for code-scanning UIs.
    Sarif,
    /// JUnit XML, for CI test dashboards.
    Junit,
}

/// Options that only the table format uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableOptions {
    /// Use ANSI colours.
    pub color: bool,
    /// List notes (skipped files) and suppressed findings one by one.
    pub verbose: bool,
}

/// Writes `report` to `out` in `format`.
pub fn write(
    format: Format,
    out: &mut dyn io::Write,
    report: &Report<'_>,
    table: TableOptions,
) -> io::Result<()> {
    match format {
        Format::Table => table::write(out, report, table),
        Format::Json => json::write(out, report),
        Format::Sarif => sarif::write(out, report),
        Format::Junit => junit::write(out, report),
    }
}
