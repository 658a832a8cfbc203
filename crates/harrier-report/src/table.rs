//! The human-readable table: findings grouped by resource, most severe first within each,
//! then a summary. Input errors are not repeated here: the binary prints them to stderr as
//! they happen.

use std::collections::HashMap;
use std::io;

use anstyle::{AnsiColor, Effects, Style};
use harrier_core::{Finding, PssLevel, Severity};

use crate::TableOptions;
use crate::model::Report;

struct Paint {
    color: bool,
}

impl Paint {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }

    fn severity(&self, severity: Severity) -> String {
        let style = match severity {
            Severity::Critical => AnsiColor::Red.on_default().effects(Effects::BOLD),
            Severity::High => AnsiColor::Red.on_default(),
            Severity::Medium => AnsiColor::Yellow.on_default(),
            Severity::Low => AnsiColor::Blue.on_default(),
            Severity::Info => AnsiColor::BrightBlack.on_default(),
        };
        let label = format!("{:<8}", severity.as_str().to_uppercase());
        self.paint(style, &label)
    }

    fn bold(&self, text: &str) -> String {
        self.paint(Style::new().effects(Effects::BOLD), text)
    }

    fn dim(&self, text: &str) -> String {
        self.paint(AnsiColor::BrightBlack.on_default(), text)
    }
}

pub(crate) fn write(
    out: &mut dyn io::Write,
    report: &Report<'_>,
    options: TableOptions,
) -> io::Result<()> {
    let p = Paint {
        color: options.color,
    };
    let mut groups: Vec<(&harrier_core::ResourceRef, Option<&str>, Vec<&Finding>)> = Vec::new();
    for f in &report.findings {
        let path = f.location.as_ref().map(|l| l.path.as_ref());
        match groups.last_mut() {
            Some((r, p, list)) if *r == &f.resource && *p == path => list.push(f),
            _ => groups.push((&f.resource, path, vec![f])),
        }
    }
    let levels: HashMap<(&harrier_core::ResourceRef, &str), PssLevel> = report
        .workloads
        .iter()
        .map(|w| ((&w.resource, w.location.path.as_ref()), w.level))
        .collect();
    for (resource, path, mut findings) in groups {
        findings.sort_by(|a, b| b.severity.cmp(&a.severity).then(line(a).cmp(&line(b))));
        let origin = path.map_or_else(String::new, |path| format!("  {}", p.dim(path)));
        let level = path
            .and_then(|path| levels.get(&(resource, path)))
            .map_or_else(String::new, |l| {
                format!("  {}", p.dim(&format!("(meets PSS {l})")))
            });
        let template = findings
            .first()
            .and_then(|f| f.template.as_deref())
            .map_or_else(String::new, |t| {
                format!("  {}", p.dim(&format!("(template {t})")))
            });
        writeln!(
            out,
            "{}{origin}{template}{level}",
            p.bold(&resource.to_string())
        )?;
        for f in findings {
            let at = f
                .location
                .as_ref()
                .map_or_else(String::new, |l| format!("{}:{}", l.line, l.column));
            writeln!(
                out,
                "  {} {:<8} {}  {}",
                p.severity(f.severity),
                at,
                p.dim(f.check_id.as_str()),
                f.message
            )?;
        }
        writeln!(out)?;
    }
    if options.verbose {
        for s in &report.suppressed {
            let f = &s.finding;
            let reason = s.suppression.reason.as_deref().unwrap_or("no reason given");
            writeln!(
                out,
                "{} {} {} {}: {}",
                p.dim("suppressed"),
                f.check_id,
                f.resource,
                f.message,
                reason
            )?;
        }
        for n in &report.notes {
            writeln!(out, "{} {n}", p.dim("note:"))?;
        }
    }
    if let Some(cluster) = &report.cluster {
        cluster_section(out, cluster, &p)?;
    }
    summary(out, report, &p)
}

/// The cluster's facts in a few lines, and every advisory its versions match.
fn cluster_section(
    out: &mut dyn io::Write,
    cluster: &crate::model::ClusterReport,
    p: &Paint,
) -> io::Result<()> {
    let facts = &cluster.facts;
    let version = facts
        .version
        .as_ref()
        .map_or("version unknown", |v| v.git_version.as_str());
    writeln!(
        out,
        "{}  {}",
        p.bold(&format!("Cluster {} ({version})", facts.context)),
        p.dim(&facts.server)
    )?;
    let not_ready: Vec<&str> = facts
        .nodes
        .iter()
        .filter(|n| n.ready == Some(false) || !n.problems.is_empty())
        .map(|n| n.name.as_str())
        .collect();
    let mut kubelets: Vec<&str> = facts
        .nodes
        .iter()
        .map(|n| n.kubelet_version.as_str())
        .collect();
    kubelets.sort_unstable();
    kubelets.dedup();
    writeln!(
        out,
        "  {} nodes (kubelet {}){}",
        facts.nodes.len(),
        kubelets.join(", "),
        if not_ready.is_empty() {
            String::new()
        } else {
            format!(", not ready or under pressure: {}", not_ready.join(", "))
        }
    )?;
    let unpinned = facts
        .images
        .iter()
        .filter(|i| i.image_id.is_empty())
        .count();
    writeln!(
        out,
        "  {} running images ({} without a reported digest), {} admission webhooks, {} namespaces ({} enforce a Pod Security level)",
        facts.images.len(),
        unpinned,
        facts.webhooks.len(),
        facts.namespaces.len(),
        facts
            .namespaces
            .iter()
            .filter(|n| n.enforce.is_some())
            .count()
    )?;
    if let Some(why) = &cluster.vulnerabilities_unchecked {
        writeln!(
            out,
            "  {}",
            p.dim(&format!("component versions not checked: {why}"))
        )?;
    }
    for v in &cluster.vulnerabilities {
        let fixed = if v.advisory.fixed.is_empty() {
            String::new()
        } else {
            format!(" (fixed in {})", v.advisory.fixed.join(", "))
        };
        let severity = v.advisory.severity.unwrap_or(Severity::Info);
        writeln!(
            out,
            "  {} {} {} {} on {}{fixed}: {}",
            p.severity(severity),
            p.dim(&v.advisory.id),
            v.component,
            v.version,
            v.running_on.join(", "),
            v.advisory.summary.as_deref().unwrap_or("")
        )?;
    }
    writeln!(out)
}

fn line(f: &Finding) -> u32 {
    f.location.as_ref().map_or(0, |l| l.line)
}

fn summary(out: &mut dyn io::Write, report: &Report<'_>, p: &Paint) -> io::Result<()> {
    let s = report.summary();
    if !report.workloads.is_empty() {
        let count = |l: PssLevel| s.pss_levels.get(l.as_str()).copied().unwrap_or(0);
        writeln!(
            out,
            "Pod Security Standards: {} workloads meet restricted, {} baseline, {} only privileged",
            count(PssLevel::Restricted),
            count(PssLevel::Baseline),
            count(PssLevel::Privileged)
        )?;
    }
    let by_severity: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .map(|sev| {
            format!(
                "{} {}",
                s.by_severity.get(sev.as_str()).copied().unwrap_or(0),
                sev
            )
        })
        .collect();
    let mut line = format!(
        "{} findings ({}) in {} objects from {} files, {} checks",
        s.findings,
        by_severity.join(", "),
        s.objects,
        s.files,
        s.checks
    );
    if s.suppressed > 0 {
        line.push_str(&format!("; {} suppressed", s.suppressed));
    }
    if s.errors > 0 {
        line.push_str(&format!("; {} errors", s.errors));
    }
    if s.warnings > 0 {
        line.push_str(&format!("; {} warnings", s.warnings));
    }
    if !report.notes.is_empty() {
        line.push_str(&format!(
            "; {} inputs skipped (not Kubernetes objects; -v lists them)",
            report.notes.len()
        ));
    }
    writeln!(out, "{}", p.bold(&line))?;
    for e in &report.expired_exceptions {
        writeln!(
            out,
            "{}: exception expired on {} and no longer applies ({})",
            e.location, e.expired, e.reason
        )?;
    }
    Ok(())
}
