//! Reports of node benchmark scans (`harrier scan node`): a table grouped by benchmark section
//! for people, the JSON document of docs/json-format.md ("Node benchmark"), and JUnit XML with
//! one test case per item.
//!
//! JUnit has no "warning" outcome: a WARN item (a file or component the scan could not find,
//! so the item could not be judged) is written as an `error`, which CI dashboards show apart
//! from failures, and a MANUAL item as `skipped`.

use std::io;

use anstyle::{AnsiColor, Effects, Style};
use harrier_node::{NodeScan, Status};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde_json::json;

use crate::model::ToolInfo;
use crate::{Format, TableOptions};

/// A node scan ready to render.
#[derive(Debug)]
pub struct NodeReport<'a> {
    /// Who produced it.
    pub tool: ToolInfo,
    /// The scan.
    pub scan: &'a NodeScan,
}

/// Counts of results by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NodeSummary {
    /// PASS results.
    pub pass: usize,
    /// FAIL results.
    pub fail: usize,
    /// WARN results.
    pub warn: usize,
    /// MANUAL results.
    pub manual: usize,
}

impl NodeReport<'_> {
    /// Counts of results by status.
    pub fn summary(&self) -> NodeSummary {
        let mut s = NodeSummary::default();
        for r in &self.scan.results {
            match r.status {
                Status::Pass => s.pass += 1,
                Status::Fail => s.fail += 1,
                Status::Warn => s.warn += 1,
                Status::Manual => s.manual += 1,
            }
        }
        s
    }
}

/// Writes a node report. SARIF is not offered for node scans (there is no source file to
/// point at); the binary refuses it before scanning.
pub fn write(
    format: Format,
    out: &mut dyn io::Write,
    report: &NodeReport<'_>,
    table: TableOptions,
) -> io::Result<()> {
    match format {
        Format::Json => json_out(out, report),
        Format::Junit => junit(out, report),
        Format::Table | Format::Sarif => table_out(out, report, table),
    }
}

fn json_out(out: &mut dyn io::Write, report: &NodeReport<'_>) -> io::Result<()> {
    let scan = report.scan;
    let s = report.summary();
    let results: Vec<_> = scan
        .results
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "section": r.group(),
                "title": r.title,
                "status": r.status,
                "evidence": r.evidence,
                "remediation": r.remediation,
            })
        })
        .collect();
    let doc = json!({
        "tool": {"name": report.tool.name, "version": report.tool.version},
        "kind": "node",
        "node": {
            "root": scan.root.to_string_lossy(),
            "hostname": scan.hostname,
            "profile": scan.profile.name(),
            "profile_source": if scan.detection.is_some() { "detected" } else { "chosen" },
            "benchmark": scan.benchmark.name(),
        },
        "results": results,
        "summary": {"pass": s.pass, "fail": s.fail, "warn": s.warn, "manual": s.manual},
    });
    // Serialised first, so that a closed pipe reaches the caller as an `io::Error` it can
    // recognise (serde_json's own error hides the kind).
    let text = serde_json::to_string_pretty(&doc).map_err(io::Error::other)?;
    writeln!(out, "{text}")
}

fn paint(color: bool, style: Style, text: &str) -> String {
    if color {
        format!("{style}{text}{style:#}")
    } else {
        text.to_owned()
    }
}

fn status_style(status: Status) -> Style {
    match status {
        Status::Pass => AnsiColor::Green.on_default(),
        Status::Fail => AnsiColor::Red.on_default().effects(Effects::BOLD),
        Status::Warn => AnsiColor::Yellow.on_default(),
        Status::Manual => AnsiColor::BrightBlack.on_default(),
    }
}

fn table_out(
    out: &mut dyn io::Write,
    report: &NodeReport<'_>,
    options: TableOptions,
) -> io::Result<()> {
    let scan = report.scan;
    let color = options.color;
    let bold = Style::new().effects(Effects::BOLD);
    let dim = AnsiColor::BrightBlack.on_default();
    let source = if scan.detection.is_some() {
        "detected"
    } else {
        "chosen"
    };
    writeln!(
        out,
        "{} {} ({}), profile {} ({source}), benchmark {}",
        paint(color, bold, "node"),
        scan.root.display(),
        scan.hostname.as_deref().unwrap_or("host name unknown"),
        scan.profile,
        scan.benchmark,
    )?;
    if options.verbose
        && let Some(d) = &scan.detection
    {
        for sign in &d.signs {
            writeln!(
                out,
                "  {}",
                paint(color, dim, &format!("profile sign: {sign}"))
            )?;
        }
    }
    let mut group = "";
    for r in &scan.results {
        if r.group() != group {
            group = r.group();
            writeln!(out)?;
            let heading = match harrier_node::checks::group_title(scan.benchmark, group) {
                Some(title) => format!("[{group}] {title}"),
                None => format!("[{group}]"),
            };
            writeln!(out, "{}", paint(color, bold, &heading))?;
        }
        let label = format!("{:<6}", r.status.to_string());
        writeln!(
            out,
            "  {} {:<7} {}",
            paint(color, status_style(r.status), &label),
            r.id,
            r.title
        )?;
        if r.status != Status::Pass || options.verbose {
            for e in &r.evidence {
                writeln!(out, "         {e}")?;
            }
        }
        if r.status != Status::Pass {
            writeln!(
                out,
                "         {}",
                paint(color, dim, &format!("fix: {}", r.remediation))
            )?;
        }
    }
    let s = report.summary();
    writeln!(out)?;
    writeln!(
        out,
        "{} items: {} pass, {} fail, {} warn, {} manual",
        scan.results.len(),
        paint(color, status_style(Status::Pass), &s.pass.to_string()),
        paint(color, status_style(Status::Fail), &s.fail.to_string()),
        paint(color, status_style(Status::Warn), &s.warn.to_string()),
        s.manual,
    )
}

fn junit(out: &mut dyn io::Write, report: &NodeReport<'_>) -> io::Result<()> {
    let scan = report.scan;
    let s = report.summary();
    let suite_name = format!(
        "harrier scan node {} ({} {})",
        scan.root.display(),
        scan.profile,
        scan.benchmark
    );
    let total = scan.results.len().to_string();
    let mut w = Writer::new_with_indent(&mut *out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .map_err(io::Error::other)?;
    let mut root = BytesStart::new("testsuites");
    root.push_attribute(("name", "harrier"));
    root.push_attribute(("tests", total.as_str()));
    root.push_attribute(("failures", s.fail.to_string().as_str()));
    root.push_attribute(("errors", s.warn.to_string().as_str()));
    root.push_attribute(("skipped", s.manual.to_string().as_str()));
    w.write_event(Event::Start(root))
        .map_err(io::Error::other)?;
    let mut suite = BytesStart::new("testsuite");
    suite.push_attribute(("name", suite_name.as_str()));
    suite.push_attribute(("tests", total.as_str()));
    suite.push_attribute(("failures", s.fail.to_string().as_str()));
    suite.push_attribute(("errors", s.warn.to_string().as_str()));
    suite.push_attribute(("skipped", s.manual.to_string().as_str()));
    if let Some(host) = &scan.hostname {
        suite.push_attribute(("hostname", host.as_str()));
    }
    w.write_event(Event::Start(suite))
        .map_err(io::Error::other)?;
    for r in &scan.results {
        let mut case = BytesStart::new("testcase");
        case.push_attribute((
            "classname",
            format!("{}.{}", scan.benchmark, r.group()).as_str(),
        ));
        case.push_attribute(("name", format!("[{}] {}", r.id, r.title).as_str()));
        let outcome = match r.status {
            Status::Pass => None,
            Status::Fail => Some("failure"),
            Status::Warn => Some("error"),
            Status::Manual => Some("skipped"),
        };
        let Some(outcome) = outcome else {
            w.write_event(Event::Empty(case))
                .map_err(io::Error::other)?;
            continue;
        };
        w.write_event(Event::Start(case))
            .map_err(io::Error::other)?;
        let message = r.evidence.join("; ");
        let mut element = BytesStart::new(outcome);
        element.push_attribute(("message", message.as_str()));
        if outcome != "skipped" {
            element.push_attribute(("type", r.status.to_string().as_str()));
        }
        w.write_event(Event::Start(element))
            .map_err(io::Error::other)?;
        let mut body = String::new();
        for e in &r.evidence {
            body.push_str(e);
            body.push('\n');
        }
        body.push_str(&format!("remediation: {}\n", r.remediation));
        w.write_event(Event::Text(BytesText::new(&body)))
            .map_err(io::Error::other)?;
        w.write_event(Event::End(BytesEnd::new(outcome)))
            .map_err(io::Error::other)?;
        w.write_event(Event::End(BytesEnd::new("testcase")))
            .map_err(io::Error::other)?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuite")))
        .map_err(io::Error::other)?;
    w.write_event(Event::End(BytesEnd::new("testsuites")))
        .map_err(io::Error::other)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use harrier_node::{Benchmark, Detection, NodeResult, NodeScan, Profile, Status};

    use super::{NodeReport, write};
    use crate::{Format, TableOptions, ToolInfo};

    fn scan() -> NodeScan {
        let result = |id, status, evidence: &[&str]| NodeResult {
            id,
            title: "a title",
            status,
            evidence: evidence.iter().map(|e| (*e).to_owned()).collect(),
            remediation: "do this",
        };
        NodeScan {
            root: "/host".into(),
            hostname: Some("node-1".to_owned()),
            profile: Profile::Rke2,
            detection: Some(Detection {
                profile: Profile::Rke2,
                signs: vec!["/var/lib/rancher/rke2 exists".to_owned()],
            }),
            benchmark: Benchmark::Cis110,
            results: vec![
                result("1.1.1", Status::Pass, &["/a has mode 600"]),
                result("1.1.2", Status::Fail, &["/a is owned by admin:admin"]),
                result(
                    "1.2.20",
                    Status::Manual,
                    &["this item is judged by a person"],
                ),
                result("4.2.1", Status::Warn, &["kubelet not found"]),
            ],
        }
    }

    fn render(format: Format, scan: &NodeScan) -> String {
        let report = NodeReport {
            tool: ToolInfo {
                name: "harrier",
                version: "0.0.0",
            },
            scan,
        };
        let mut out = Vec::new();
        write(format, &mut out, &report, TableOptions::default()).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn table() {
        assert_eq!(
            render(Format::Table, &scan()),
            "node /host (node-1), profile rke2 (detected), benchmark cis-1.10

[1.1] Control plane node configuration files
  PASS   1.1.1   a title
  FAIL   1.1.2   a title
         /a is owned by admin:admin
         fix: do this

[1.2] API server
  MANUAL 1.2.20  a title
         this item is judged by a person
         fix: do this

[4.2] Kubelet
  WARN   4.2.1   a title
         kubelet not found
         fix: do this

4 items: 1 pass, 1 fail, 1 warn, 1 manual
"
        );
    }

    #[test]
    fn json() {
        let doc: serde_json::Value = serde_json::from_str(&render(Format::Json, &scan())).unwrap();
        assert_eq!(
            doc,
            serde_json::json!({
                "tool": {"name": "harrier", "version": "0.0.0"},
                "kind": "node",
                "node": {"root": "/host", "hostname": "node-1", "profile": "rke2",
                         "profile_source": "detected", "benchmark": "cis-1.10"},
                "results": [
                    {"id": "1.1.1", "section": "1.1", "title": "a title", "status": "PASS",
                     "evidence": ["/a has mode 600"], "remediation": "do this"},
                    {"id": "1.1.2", "section": "1.1", "title": "a title", "status": "FAIL",
                     "evidence": ["/a is owned by admin:admin"], "remediation": "do this"},
                    {"id": "1.2.20", "section": "1.2", "title": "a title", "status": "MANUAL",
                     "evidence": ["this item is judged by a person"], "remediation": "do this"},
                    {"id": "4.2.1", "section": "4.2", "title": "a title", "status": "WARN",
                     "evidence": ["kubelet not found"], "remediation": "do this"},
                ],
                "summary": {"pass": 1, "fail": 1, "warn": 1, "manual": 1},
            })
        );
        let mut chosen = scan();
        chosen.detection = None;
        chosen.hostname = None;
        let doc: serde_json::Value = serde_json::from_str(&render(Format::Json, &chosen)).unwrap();
        assert_eq!(doc["node"]["profile_source"], "chosen");
        assert!(doc["node"]["hostname"].is_null());
    }

    #[test]
    fn junit() {
        assert_eq!(
            render(Format::Junit, &scan()),
            r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="harrier" tests="4" failures="1" errors="1" skipped="1">
  <testsuite name="harrier scan node /host (rke2 cis-1.10)" tests="4" failures="1" errors="1" skipped="1" hostname="node-1">
    <testcase classname="cis-1.10.1.1" name="[1.1.1] a title"/>
    <testcase classname="cis-1.10.1.1" name="[1.1.2] a title">
      <failure message="/a is owned by admin:admin" type="FAIL">/a is owned by admin:admin
remediation: do this
</failure>
    </testcase>
    <testcase classname="cis-1.10.1.2" name="[1.2.20] a title">
      <skipped message="this item is judged by a person">this item is judged by a person
remediation: do this
</skipped>
    </testcase>
    <testcase classname="cis-1.10.4.2" name="[4.2.1] a title">
      <error message="kubelet not found" type="WARN">kubelet not found
remediation: do this
</error>
    </testcase>
  </testsuite>
</testsuites>
"#
        );
    }
}
