//! JUnit XML for CI dashboards: one test suite per scanned file with findings, one failing test
//! case per finding, input errors as erroring test cases, and a passing case when a scan found
//! nothing, so dashboards show that the scan ran.

use std::collections::BTreeMap;
use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::model::Report;

pub(crate) fn write(out: &mut dyn io::Write, report: &Report<'_>) -> io::Result<()> {
    let mut by_file: BTreeMap<&str, Vec<&harrier_core::Finding>> = BTreeMap::new();
    for f in &report.findings {
        let path = f.location.as_ref().map_or("<cluster>", |l| &l.path);
        by_file.entry(path).or_default().push(f);
    }
    let failures = report.findings.len();
    let errors = report.errors.len();
    let mut w = Writer::new_with_indent(&mut *out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .map_err(io::Error::other)?;
    let mut root = BytesStart::new("testsuites");
    root.push_attribute(("name", "harrier"));
    root.push_attribute((
        "tests",
        (failures + errors + usize::from(failures + errors == 0))
            .to_string()
            .as_str(),
    ));
    root.push_attribute(("failures", failures.to_string().as_str()));
    root.push_attribute(("errors", errors.to_string().as_str()));
    w.write_event(Event::Start(root))
        .map_err(io::Error::other)?;

    for (path, findings) in &by_file {
        let mut suite = BytesStart::new("testsuite");
        suite.push_attribute(("name", *path));
        suite.push_attribute(("tests", findings.len().to_string().as_str()));
        suite.push_attribute(("failures", findings.len().to_string().as_str()));
        suite.push_attribute(("errors", "0"));
        w.write_event(Event::Start(suite))
            .map_err(io::Error::other)?;
        for f in findings {
            let meta = report.meta(f);
            let title = meta.map_or("", |m| m.title);
            let mut case = BytesStart::new("testcase");
            case.push_attribute(("classname", f.resource.to_string().as_str()));
            case.push_attribute(("name", format!("[{}] {title}", f.check_id).as_str()));
            case.push_attribute(("file", *path));
            if let Some(l) = &f.location {
                case.push_attribute(("line", l.line.to_string().as_str()));
            }
            w.write_event(Event::Start(case))
                .map_err(io::Error::other)?;
            let mut failure = BytesStart::new("failure");
            failure.push_attribute(("message", f.message.as_str()));
            failure.push_attribute(("type", f.severity.as_str()));
            w.write_event(Event::Start(failure))
                .map_err(io::Error::other)?;
            let mut body = format!("{}\nseverity: {}\n", f.message, f.severity);
            if let Some(l) = &f.location {
                body.push_str(&format!("location: {l}\n"));
            }
            if let Some(m) = meta {
                body.push_str(&format!("remediation: {}\n", m.remediation));
            }
            w.write_event(Event::Text(BytesText::new(&body)))
                .map_err(io::Error::other)?;
            w.write_event(Event::End(BytesEnd::new("failure")))
                .map_err(io::Error::other)?;
            w.write_event(Event::End(BytesEnd::new("testcase")))
                .map_err(io::Error::other)?;
        }
        w.write_event(Event::End(BytesEnd::new("testsuite")))
            .map_err(io::Error::other)?;
    }

    if errors > 0 || failures == 0 {
        let mut suite = BytesStart::new("testsuite");
        suite.push_attribute(("name", "harrier"));
        suite.push_attribute(("tests", errors.max(1).to_string().as_str()));
        suite.push_attribute(("failures", "0"));
        suite.push_attribute(("errors", errors.to_string().as_str()));
        w.write_event(Event::Start(suite))
            .map_err(io::Error::other)?;
        if errors == 0 {
            let mut case = BytesStart::new("testcase");
            case.push_attribute(("classname", "harrier"));
            case.push_attribute(("name", "no findings"));
            w.write_event(Event::Empty(case))
                .map_err(io::Error::other)?;
        }
        for e in &report.errors {
            let mut case = BytesStart::new("testcase");
            case.push_attribute(("classname", e.path.as_ref()));
            case.push_attribute(("name", "input could not be read"));
            w.write_event(Event::Start(case))
                .map_err(io::Error::other)?;
            let mut error = BytesStart::new("error");
            error.push_attribute(("message", e.to_string().as_str()));
            w.write_event(Event::Empty(error))
                .map_err(io::Error::other)?;
            w.write_event(Event::End(BytesEnd::new("testcase")))
                .map_err(io::Error::other)?;
        }
        w.write_event(Event::End(BytesEnd::new("testsuite")))
            .map_err(io::Error::other)?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuites")))
        .map_err(io::Error::other)?;
    writeln!(out)
}
