//! The compliance report of `harrier report compliance`: a framework's controls decided over a
//! set of Harrier reports, as a table, JSON, CSV (RFC 4180) or one self-contained HTML file.
//!
//! The HTML page is for an auditor who may be offline: CSS and the SVG summary chart are inline,
//! there is no script, font, image or link to fetch, and every string from the inputs is
//! escaped. Failed controls list the findings behind them in `<details>` blocks, which need no
//! script to open.

use std::fmt::Write as _;
use std::io;

use anstyle::{AnsiColor, Effects, Style};
use harrier_compliance::evaluate::{CheckOutcome, SectionTally};
use harrier_compliance::{ComplianceReport, ControlResult, Framework, Observed, Status, Tally};
use serde::Serialize;

use crate::model::ToolInfo;

/// An output format of the compliance report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplianceFormat {
    /// Controls and a summary, for people.
    Table,
    /// The JSON document described in docs/compliance.md.
    Json,
    /// One row per failing finding, and one per control without any.
    Csv,
    /// One self-contained HTML page.
    Html,
}

/// Writes `report` in `format`.
pub fn write(
    format: ComplianceFormat,
    out: &mut dyn io::Write,
    report: &ComplianceReport<'_>,
    tool: &ToolInfo,
    color: bool,
) -> io::Result<()> {
    match format {
        ComplianceFormat::Table => table(out, report, color),
        ComplianceFormat::Json => json(out, report, tool),
        ComplianceFormat::Csv => csv(out, report),
        ComplianceFormat::Html => html(out, report, tool),
    }
}

fn score_text(t: &Tally) -> String {
    t.score
        .map_or_else(|| "n/a".to_owned(), |s| format!("{s:.1}%"))
}

fn table(out: &mut dyn io::Write, report: &ComplianceReport<'_>, color: bool) -> io::Result<()> {
    let paint = |style: Style, text: &str| {
        if color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    };
    let fw = report.framework;
    writeln!(
        out,
        "{}",
        paint(
            Style::new().effects(Effects::BOLD),
            &format!("{} {} ({})", fw.name, fw.version, fw.id)
        )
    )?;
    let id_width = fw
        .controls
        .iter()
        .map(|c| c.id.chars().count())
        .max()
        .unwrap_or(2)
        .clamp(2, 48);
    writeln!(
        out,
        "{:<id_width$}  {:<11}  {:>8}  TITLE",
        "ID", "STATUS", "FAILING"
    )?;
    for r in &report.controls {
        let status = format!("{:<11}", r.status.as_str().to_uppercase());
        let status = match r.status {
            Status::Pass => paint(AnsiColor::Green.on_default(), &status),
            Status::Fail => paint(AnsiColor::Red.on_default().effects(Effects::BOLD), &status),
            Status::NotCovered => paint(AnsiColor::BrightBlack.on_default(), &status),
        };
        let failing = r.checks.iter().filter(|c| c.failed > 0).count();
        let manual = if r.control.manual { " (manual)" } else { "" };
        writeln!(
            out,
            "{:<id_width$}  {status}  {:>8}  {}{manual}",
            r.control.id, failing, r.control.title
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:<40} {:>6} {:>6} {:>12} {:>7}",
        "SECTION", "PASS", "FAIL", "NOT COVERED", "SCORE"
    )?;
    for s in &report.sections {
        let title: String = format!("{} {}", s.id, s.title).chars().take(40).collect();
        writeln!(
            out,
            "{title:<40} {:>6} {:>6} {:>12} {:>7}",
            s.tally.passed,
            s.tally.failed,
            s.tally.not_covered,
            score_text(&s.tally)
        )?;
    }
    writeln!(out)?;
    let t = &report.summary;
    writeln!(
        out,
        "{} controls: {} passed, {} failed, {} not covered ({} manual). Score {} (passed / decided).",
        t.controls,
        t.passed,
        t.failed,
        t.not_covered,
        t.manual,
        score_text(t)
    )?;
    for w in report.warnings {
        writeln!(out, "warning: {w}")?;
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonDoc<'a> {
    schema_version: &'static str,
    tool: &'a ToolInfo,
    framework: FrameworkOut<'a>,
    score: Option<f64>,
    summary: &'a Tally,
    sections: &'a [SectionTally<'a>],
    controls: Vec<ControlOut<'a>>,
    inputs: Vec<InputOut<'a>>,
    warnings: &'a [String],
}

#[derive(Serialize)]
struct FrameworkOut<'a> {
    id: &'a str,
    name: &'a str,
    version: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct ControlOut<'a> {
    id: &'a str,
    title: &'a str,
    section: &'a str,
    status: Status,
    manual: bool,
    checks: &'a [CheckOutcome],
    findings: Vec<FindingOut<'a>>,
    notes: Vec<FindingOut<'a>>,
}

#[derive(Serialize)]
struct FindingOut<'a> {
    check: &'a str,
    subject: &'a str,
    location: Option<&'a str>,
    detail: &'a str,
    source: &'a str,
}

#[derive(Serialize)]
struct InputOut<'a> {
    file: &'a str,
    kind: &'a str,
}

fn finding_out(o: &Observed) -> FindingOut<'_> {
    FindingOut {
        check: &o.check,
        subject: &o.subject,
        location: o.location.as_deref(),
        detail: &o.detail,
        source: &o.source,
    }
}

fn framework_out(fw: &Framework) -> FrameworkOut<'_> {
    FrameworkOut {
        id: &fw.id,
        name: &fw.name,
        version: &fw.version,
        url: &fw.url,
    }
}

fn json(out: &mut dyn io::Write, report: &ComplianceReport<'_>, tool: &ToolInfo) -> io::Result<()> {
    let doc = JsonDoc {
        schema_version: "1",
        tool,
        framework: framework_out(report.framework),
        score: report.summary.score,
        summary: &report.summary,
        sections: &report.sections,
        controls: report
            .controls
            .iter()
            .map(|r| ControlOut {
                id: &r.control.id,
                title: &r.control.title,
                section: &r.control.section,
                status: r.status,
                manual: r.control.manual,
                checks: &r.checks,
                findings: r.findings.iter().map(|o| finding_out(o)).collect(),
                notes: r.notes.iter().map(|o| finding_out(o)).collect(),
            })
            .collect(),
        inputs: report
            .inputs
            .iter()
            .map(|i| InputOut {
                file: &i.file,
                kind: i.kind,
            })
            .collect(),
        warnings: report.warnings,
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}

/// One RFC 4180 field: quoted when it holds a comma, quote, CR or LF, quotes doubled.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn csv_row(out: &mut dyn io::Write, fields: &[&str]) -> io::Result<()> {
    let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
    write!(out, "{}\r\n", line.join(","))
}

fn csv(out: &mut dyn io::Write, report: &ComplianceReport<'_>) -> io::Result<()> {
    csv_row(
        out,
        &[
            "framework",
            "control_id",
            "control_title",
            "section",
            "status",
            "checks",
            "evaluated_checks",
            "failed_checks",
            "finding_check",
            "finding_subject",
            "finding_location",
            "finding_detail",
            "finding_source",
        ],
    )?;
    let fw = &report.framework.id;
    for r in &report.controls {
        let checks: Vec<&str> = r.checks.iter().map(|c| c.id.as_str()).collect();
        let evaluated: Vec<&str> = r
            .checks
            .iter()
            .filter(|c| c.evaluated)
            .map(|c| c.id.as_str())
            .collect();
        let failed: Vec<&str> = r
            .checks
            .iter()
            .filter(|c| c.failed > 0)
            .map(|c| c.id.as_str())
            .collect();
        let (checks, evaluated, failed) = (checks.join(" "), evaluated.join(" "), failed.join(" "));
        let control = [
            fw.as_str(),
            r.control.id.as_str(),
            r.control.title.as_str(),
            r.control.section.as_str(),
            r.status.as_str(),
            checks.as_str(),
            evaluated.as_str(),
            failed.as_str(),
        ];
        if r.findings.is_empty() {
            let mut row = control.to_vec();
            row.extend(["", "", "", "", ""]);
            csv_row(out, &row)?;
        }
        for f in &r.findings {
            let mut row = control.to_vec();
            row.extend([
                f.check.as_str(),
                f.subject.as_str(),
                f.location.as_deref().unwrap_or(""),
                f.detail.as_str(),
                f.source.as_str(),
            ]);
            csv_row(out, &row)?;
        }
    }
    Ok(())
}

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&#39;"),
            c => s.push(c),
        }
    }
    s
}

const CSS: &str = "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#1d2430}\
h1{font-size:1.6em;margin:0 0 .2em}h2{font-size:1.2em;margin:1.6em 0 .5em}.meta{color:#5b6472}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35em .5em;border-bottom:1px solid #e3e6ea;vertical-align:top}\
th{background:#f4f6f8}td.num,th.num{text-align:right}\
.st{display:inline-block;white-space:nowrap;min-width:6.5em;text-align:center;border-radius:3px;padding:0 .4em;font-weight:600;font-size:.85em}\
.pass{background:#d8f3df;color:#14532d}.fail{background:#fde0e0;color:#8a1c1c}.not-covered{background:#eceff3;color:#4b5563}\
.summary{display:flex;gap:2em;align-items:center;flex-wrap:wrap}.score{font-size:2.4em;font-weight:700}\
.sw{display:inline-block;width:.8em;height:.8em;margin-right:.35em;border-radius:2px}details{margin:.2em 0}summary{cursor:pointer;color:#374151}code{font-size:.9em}\
ul.f{margin:.3em 0 .3em 1.2em;padding:0}ul.f li{margin:.15em 0}.warn{color:#8a5a00}\
@media print{details{display:block}summary{display:none}}";

fn html(out: &mut dyn io::Write, report: &ComplianceReport<'_>, tool: &ToolInfo) -> io::Result<()> {
    let fw = report.framework;
    let t = &report.summary;
    let e = escape_html;
    let mut h = String::with_capacity(64 * 1024 + report.controls.len() * 512);
    let title = format!("{} {} compliance report", fw.name, fw.version);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p class=\"meta\">Framework <code>{}</code>, version {}. Written by {} {}. Score = passed / (passed + failed); controls no input evaluated are not covered and do not count.</p>\n",
        e(&title),
        e(&title),
        e(&fw.id),
        e(&fw.version),
        e(tool.name),
        e(tool.version),
    );
    let _ = write!(
        h,
        "<div class=\"summary\" id=\"summary\">\n<div><div class=\"score\" id=\"score\">{}</div><div>score</div></div>\n{}\n<table style=\"width:auto\"><tr><th>controls</th><td class=\"num\" id=\"count-controls\">{}</td></tr><tr><th><span class=\"sw\" style=\"background:{PASS}\"></span>passed</th><td class=\"num\" id=\"count-pass\">{}</td></tr><tr><th><span class=\"sw\" style=\"background:{FAIL}\"></span>failed</th><td class=\"num\" id=\"count-fail\">{}</td></tr><tr><th><span class=\"sw\" style=\"background:{NOT_COVERED}\"></span>not covered</th><td class=\"num\" id=\"count-not-covered\">{}</td></tr><tr><th>of which manual</th><td class=\"num\">{}</td></tr></table>\n</div>\n",
        e(&score_text(t)),
        donut(t),
        t.controls,
        t.passed,
        t.failed,
        t.not_covered,
        t.manual
    );
    h.push_str("<h2>Sections</h2>\n<table><tr><th>section</th><th>status of its controls</th><th class=\"num\">pass</th><th class=\"num\">fail</th><th class=\"num\">not covered</th><th class=\"num\">score</th></tr>\n");
    for s in &report.sections {
        let _ = writeln!(
            h,
            "<tr><td>{} {}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            e(s.id),
            e(s.title),
            bar(&s.tally),
            s.tally.passed,
            s.tally.failed,
            s.tally.not_covered,
            e(&score_text(&s.tally))
        );
    }
    h.push_str("</table>\n<h2>Controls</h2>\n<table id=\"controls\"><tr><th>id</th><th>title</th><th>status</th><th>checks</th></tr>\n");
    for r in &report.controls {
        control_row(&mut h, r);
    }
    h.push_str("</table>\n<h2>Inputs</h2>\n<ul>\n");
    for i in report.inputs {
        let _ = writeln!(h, "<li><code>{}</code> ({})</li>", e(&i.file), e(i.kind));
    }
    h.push_str("</ul>\n");
    for w in report.warnings {
        let _ = writeln!(h, "<p class=\"warn\">{}</p>", e(w));
    }
    h.push_str("</body>\n</html>\n");
    out.write_all(h.as_bytes())
}

fn control_row(h: &mut String, r: &ControlResult<'_>) {
    let e = escape_html;
    let status = r.status.as_str();
    let checks = if r.control.manual {
        "manual".to_owned()
    } else {
        r.checks
            .iter()
            .map(|c| {
                let mark = if c.failed > 0 {
                    format!(" ({} failed)", c.failed)
                } else if c.evaluated {
                    " (clean)".to_owned()
                } else {
                    " (not run)".to_owned()
                };
                format!("<code>{}</code>{}", e(&c.id), mark)
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = write!(
        h,
        "<tr id=\"control-{}\" data-status=\"{status}\"><td><code>{}</code></td><td>{}",
        e(&r.control.id),
        e(&r.control.id),
        e(&r.control.title)
    );
    for (label, items) in [("findings", &r.findings), ("node warnings", &r.notes)] {
        if items.is_empty() {
            continue;
        }
        let _ = write!(
            h,
            "<details><summary>{} {label}</summary><ul class=\"f\">",
            items.len()
        );
        for f in items.iter().take(500) {
            let location = f
                .location
                .as_deref()
                .map(|l| format!(" at <code>{}</code>", e(l)))
                .unwrap_or_default();
            let _ = write!(
                h,
                "<li><code>{}</code> {}{location}: {} <span class=\"meta\">({})</span></li>",
                e(&f.check),
                e(&f.subject),
                e(&f.detail),
                e(&f.source)
            );
        }
        if items.len() > 500 {
            let _ = write!(
                h,
                "<li>… and {} more (see the JSON or CSV report)</li>",
                items.len() - 500
            );
        }
        h.push_str("</ul></details>");
    }
    let _ = writeln!(
        h,
        "</td><td><span class=\"st {status}\">{status}</span></td><td>{checks}</td></tr>"
    );
}

const PASS: &str = "#2f9e55";
const FAIL: &str = "#d64545";
const NOT_COVERED: &str = "#c3c9d1";

/// The summary chart: a ring split into passed, failed and not covered controls.
fn donut(t: &Tally) -> String {
    let total = t.controls.max(1) as f64;
    let r = 15.915_494_309_189_533; // circumference 100, so dash lengths are percentages
    let mut svg = String::from(
        "<svg id=\"chart\" role=\"img\" aria-label=\"controls by status\" width=\"160\" height=\"160\" viewBox=\"0 0 42 42\" xmlns=\"http://www.w3.org/2000/svg\"><title>controls by status</title>",
    );
    let mut offset = 25.0;
    for (count, colour, label) in [
        (t.passed, PASS, "passed"),
        (t.failed, FAIL, "failed"),
        (t.not_covered, NOT_COVERED, "not covered"),
    ] {
        let pct = count as f64 * 100.0 / total;
        if count > 0 {
            let _ = write!(
                svg,
                "<circle class=\"seg\" data-label=\"{label}\" cx=\"21\" cy=\"21\" r=\"{r}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"6\" stroke-dasharray=\"{pct:.3} {:.3}\" stroke-dashoffset=\"{offset:.3}\"><title>{count} {label}</title></circle>",
                100.0 - pct
            );
        }
        offset -= pct;
    }
    let _ = write!(
        svg,
        "<text x=\"21\" y=\"23\" text-anchor=\"middle\" font-size=\"6\" fill=\"#1d2430\">{}</text></svg>",
        t.controls
    );
    svg
}

/// A section's controls as one horizontal stacked bar.
fn bar(t: &Tally) -> String {
    let total = t.controls.max(1) as f64;
    let mut svg = String::from(
        "<svg width=\"200\" height=\"12\" viewBox=\"0 0 200 12\" xmlns=\"http://www.w3.org/2000/svg\">",
    );
    let mut x = 0.0;
    for (count, colour) in [
        (t.passed, PASS),
        (t.failed, FAIL),
        (t.not_covered, NOT_COVERED),
    ] {
        let w = count as f64 * 200.0 / total;
        if count > 0 {
            let _ = write!(
                svg,
                "<rect x=\"{x:.2}\" y=\"0\" width=\"{w:.2}\" height=\"12\" fill=\"{colour}\"/>"
            );
        }
        x += w;
    }
    svg.push_str("</svg>");
    svg
}

/// One framework's line in `harrier report frameworks`.
#[derive(Debug, Serialize)]
pub struct FrameworkLine<'a> {
    /// Its id.
    pub id: &'a str,
    /// Its name.
    pub name: &'a str,
    /// Its version.
    pub version: &'a str,
    /// Controls.
    pub controls: usize,
    /// Controls that Harrier checks evidence (not manual).
    pub covered: usize,
    /// covered / controls, percent.
    pub coverage: f64,
}

impl<'a> FrameworkLine<'a> {
    /// The line of a framework.
    pub fn of(fw: &'a Framework) -> FrameworkLine<'a> {
        let covered = fw.automatable();
        FrameworkLine {
            id: &fw.id,
            name: &fw.name,
            version: &fw.version,
            controls: fw.controls.len(),
            covered,
            coverage: (covered as f64 * 1000.0 / fw.controls.len().max(1) as f64).round() / 10.0,
        }
    }
}

/// Writes the framework list as a table or JSON.
pub fn write_frameworks(
    out: &mut dyn io::Write,
    lines: &[FrameworkLine<'_>],
    json: bool,
) -> io::Result<()> {
    if json {
        serde_json::to_writer_pretty(&mut *out, lines).map_err(io::Error::other)?;
        return writeln!(out);
    }
    writeln!(
        out,
        "{:<18} {:>8} {:>8} {:>9}  NAME",
        "ID", "CONTROLS", "COVERED", "COVERAGE"
    )?;
    for l in lines {
        writeln!(
            out,
            "{:<18} {:>8} {:>8} {:>8.1}%  {} {}",
            l.id, l.controls, l.covered, l.coverage, l.name, l.version
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_as_rfc_4180() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn html_escapes_everything() {
        assert_eq!(
            escape_html("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }
}
