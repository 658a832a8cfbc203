//! `harrier vuln lookup`.

use std::io::{self, Write};

use anyhow::Context;
use harrier_vulndb::{Ecosystem, Query, lookup};

use crate::cli::{GlobalArgs, ListFormat, VulnCommand};
use crate::exit::ExitStatus;
use crate::printer::Printer;

pub fn run(
    command: VulnCommand,
    global: &GlobalArgs,
    _printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let VulnCommand::Lookup {
        ecosystem,
        name,
        package_version: version,
        source_package,
        format,
    } = command;
    let db = super::open_db(global)?;
    let ecosystem = Ecosystem::parse_osv(&ecosystem);
    let query = Query {
        ecosystem: ecosystem.clone(),
        package: &name,
        version: &version,
        source_package: source_package.as_deref(),
    };
    let report = lookup(&db, &query)
        .with_context(|| format!("cannot look up {name} {version} in {ecosystem}"))?;
    let mut out = io::stdout().lock();
    let written = match format {
        ListFormat::Json => serde_json::to_writer_pretty(&mut out, &report)
            .map_err(io::Error::other)
            .and_then(|()| writeln!(out)),
        ListFormat::Table => table(
            &mut out,
            &ecosystem,
            &name,
            &version,
            &report,
            ecosystem.scheme().is_none(),
        ),
    };
    match written {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitStatus::Success),
        other => other
            .map(|()| ExitStatus::Success)
            .context("cannot write to standard output"),
    }
}

fn table(
    out: &mut dyn Write,
    ecosystem: &Ecosystem,
    name: &str,
    version: &str,
    report: &harrier_vulndb::Report,
    unknown_scheme: bool,
) -> io::Result<()> {
    if unknown_scheme {
        writeln!(
            out,
            "note: Harrier does not know how {} orders versions; only versions listed one by one and SEMVER ranges were compared",
            ecosystem.kind.osv_name()
        )?;
    }
    if report.matches.is_empty() {
        writeln!(
            out,
            "{name} {version} ({ecosystem}): no known vulnerability"
        )?;
    }
    for m in &report.matches {
        let severity = m
            .severity
            .map_or("unknown".to_owned(), |s| s.as_str().to_uppercase());
        let score = m.score.map(|s| format!(" {s:.1}")).unwrap_or_default();
        let fixed = if m.fixed.is_empty() {
            "no fix published".to_owned()
        } else {
            format!("fixed in {}", m.fixed.join(", "))
        };
        let mut flags = Vec::new();
        if m.kev.is_some() {
            flags.push("known exploited (CISA KEV)".to_owned());
        }
        if let Some(epss) = m.epss {
            flags.push(format!("EPSS {:.1}%", epss.score * 100.0));
        }
        if m.status != harrier_vulndb::Status::Affected {
            flags.push(format!("{:?}", m.status).to_lowercase());
        }
        let flags = if flags.is_empty() {
            String::new()
        } else {
            format!(" [{}]", flags.join(", "))
        };
        writeln!(out, "{:<10} {}{score}  {fixed}{flags}", severity, m.id)?;
        if !m.aliases.is_empty() {
            writeln!(out, "           aliases: {}", m.aliases.join(", "))?;
        }
        if let Some(summary) = &m.summary {
            writeln!(out, "           {summary}")?;
        }
        for e in &m.evidence {
            writeln!(
                out,
                "           evidence: {} ({}) {} {}: {} [{}]",
                e.advisory, e.feed, e.ecosystem, e.package, e.matched, e.scheme
            )?;
        }
    }
    for v in &report.not_affected {
        writeln!(out, "not affected: {}: {}", v.advisory, v.reason)?;
    }
    for v in &report.unevaluated {
        writeln!(out, "not evaluated: {}: {}", v.advisory, v.reason)?;
    }
    Ok(())
}
