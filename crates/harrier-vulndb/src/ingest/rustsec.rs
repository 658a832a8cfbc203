//! RustSec's native advisories (`crates/<crate>/RUSTSEC-YYYY-NNNN.md`).
//!
//! ````text
//! ```toml
//! [advisory]
//! id = "RUSTSEC-2020-0105"
//! package = "abi_stable"
//! date = "2020-12-21"
//! aliases = ["CVE-2020-36212"]
//! cvss = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"
//!
//! [versions]
//! patched = [">= 0.9.1"]
//! ```
//!
//! # Update unsound DrainFilter and RString::retain
//! …
//! ````
//!
//! A fenced TOML block, then Markdown whose first heading is the title. The versions are Cargo
//! requirements on the versions that are *not* affected; [`requirement_events`] turns them into the same
//! `SEMVER` events RustSec's own OSV export writes, so the native database and its OSV branch
//! give identical advisories (a test checks every advisory of the corpus against its twin).
//! Withdrawn advisories are skipped, as in OSV; `informational` ones (unmaintained, unsound)
//! are kept and marked.

mod ranges;

use std::borrow::Cow;

use serde::Deserialize;

use super::osv::{MAX_REFERENCES, Parsed, Record};
use super::text::{ParseError, pos_of_offset};
use crate::model::{
    Advisory, Affected, Informational, Range, RangeKind, ScoreKind, SeverityScore, Source, Status,
};
use crate::{Ecosystem, EcosystemKind};

pub use ranges::{FIRST_VERSION, events as requirement_events};

/// Reads one native RustSec advisory.
pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    let front = FrontMatter::split(text)?;
    let raw: RawFile = toml::from_str(&front.toml).map_err(|e| front.toml_error(&e))?;
    let advisory = raw.advisory;
    if advisory.withdrawn.is_some() {
        return Ok(Parsed {
            record: Record::Withdrawn { id: advisory.id },
            problems: Vec::new(),
        });
    }
    let versions = raw.versions.unwrap_or_default();
    let events = ranges::events(&versions.patched, &versions.unaffected).map_err(|message| {
        let pos = versions
            .patched
            .iter()
            .chain(&versions.unaffected)
            .find(|req| message.contains(req.as_str()))
            .and_then(|req| front.find(req));
        ParseError {
            pos,
            message: format!("[versions]: {message}"),
        }
    })?;
    let affected = Affected {
        ecosystem: Ecosystem::new(EcosystemKind::CratesIo),
        package: advisory.package,
        binaries: Vec::new(),
        ranges: vec![Range {
            kind: RangeKind::Semver,
            events,
        }],
        versions: Vec::new(),
        status: Status::Affected,
        rating: None,
    };
    let mut references = vec![format!(
        "https://rustsec.org/advisories/{}.html",
        advisory.id
    )];
    references.extend(advisory.url);
    references.extend(advisory.references.unwrap_or_default());
    references.truncate(MAX_REFERENCES);
    Ok(Parsed {
        record: Record::Advisory(Advisory {
            aliases: advisory.aliases.unwrap_or_default(),
            upstream: Vec::new(),
            summary: title(front.markdown),
            // RustSec's exporter dates advisories at noon UTC.
            published: Some(format!("{}T12:00:00Z", advisory.date)),
            modified: None,
            severity: advisory.cvss.iter().map(|v| cvss_score(v)).collect(),
            affected: vec![affected],
            references,
            source: Source::RustSec,
            informational: advisory
                .informational
                .as_deref()
                .map(Informational::from_rustsec),
            id: advisory.id,
        }),
        problems: Vec::new(),
    })
}

#[derive(Debug, Deserialize)]
struct RawFile {
    advisory: RawAdvisory,
    versions: Option<RawVersions>,
}

#[derive(Debug, Deserialize)]
struct RawAdvisory {
    id: String,
    package: String,
    date: String,
    aliases: Option<Vec<String>>,
    cvss: Option<String>,
    informational: Option<String>,
    withdrawn: Option<String>,
    url: Option<String>,
    references: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
struct RawVersions {
    #[serde(default)]
    patched: Vec<String>,
    #[serde(default)]
    unaffected: Vec<String>,
}

fn cvss_score(vector: &str) -> SeverityScore {
    let kind = if vector.starts_with("CVSS:4") {
        ScoreKind::CvssV4
    } else if vector.starts_with("CVSS:3") {
        ScoreKind::CvssV3
    } else {
        ScoreKind::CvssV2
    };
    SeverityScore {
        kind,
        value: vector.to_owned(),
    }
}

/// The first Markdown heading, `# Title`. RustSec keeps what follows `# ` as it is (a second
/// space stays), and so does its OSV export.
fn title(markdown: &str) -> Option<String> {
    let line = markdown.lines().find(|l| !l.trim().is_empty())?;
    let title = line.strip_prefix("# ")?.trim_end();
    (!title.trim().is_empty()).then(|| title.to_owned())
}

/// The parts of a native advisory file.
struct FrontMatter<'a> {
    whole: &'a str,
    /// The TOML text, with the `[advisory]` header the V4 format leaves out put back.
    toml: Cow<'a, str>,
    /// Lines before the TOML text (the opening fence).
    toml_line_offset: u32,
    markdown: &'a str,
}

impl<'a> FrontMatter<'a> {
    fn split(text: &'a str) -> Result<FrontMatter<'a>, ParseError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let (fence, rest) = text.split_once('\n').unwrap_or((text, ""));
        if fence.trim_end() != "```toml" {
            return Err(ParseError::at_line(
                1,
                "a RustSec advisory starts with a ```toml fence",
            ));
        }
        let close = rest
            .find("\n```")
            .map(|i| i + 1)
            .or_else(|| rest.starts_with("```").then_some(0))
            .ok_or_else(|| ParseError::whole_file("the ```toml block is never closed"))?;
        let toml = rest.get(..close).unwrap_or_default();
        let after_fence = rest.get(close..).unwrap_or_default();
        let markdown = after_fence.split_once('\n').map_or("", |(_, md)| md);
        // RustSec's V4 advisories start with the `[advisory]` keys bare; the reference parser
        // puts the header back before reading the TOML, and so does this one (the added line
        // cancels the fence line in error positions).
        let (toml, toml_line_offset) = if toml.starts_with("[advisory]") {
            (Cow::Borrowed(toml), 1)
        } else {
            (Cow::Owned(format!("[advisory]\n{toml}")), 0)
        };
        Ok(FrontMatter {
            whole: text,
            toml,
            toml_line_offset,
            markdown,
        })
    }

    fn toml_error(&self, error: &toml::de::Error) -> ParseError {
        let message = error.message().to_owned();
        match error.span() {
            Some(span) => ParseError::at(pos_of_offset(&self.toml, span.start), message)
                .shifted(self.toml_line_offset),
            None => ParseError::whole_file(message),
        }
    }

    /// Where a quoted string first appears in the file.
    fn find(&self, value: &str) -> Option<harrier_core::Pos> {
        let quoted = format!("\"{value}\"");
        let offset = self.whole.find(&quoted)?;
        let pos = pos_of_offset(self.whole, offset);
        Some(harrier_core::Pos::new(
            pos.line,
            pos.column.saturating_add(1),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Event;

    const SAMPLE: &str = r#"```toml
[advisory]
id = "RUSTSEC-2020-0105"
package = "abi_stable"
aliases = ["CVE-2020-36212", "GHSA-vq23-5h4f-vwpv"]
cvss = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"
date = "2020-12-21"
url = "https://github.com/rodrimati1992/abi_stable_crates/issues/44"
informational = "unsound"

[versions]
patched = [">= 0.9.1"]
```

# Update unsound DrainFilter and RString::retain

Affected versions of this crate contained code from the Rust standard library.
"#;

    #[test]
    fn reads_the_front_matter_and_title() {
        let Record::Advisory(a) = parse(SAMPLE).unwrap().record else {
            panic!("withdrawn")
        };
        assert_eq!(a.id, "RUSTSEC-2020-0105");
        assert_eq!(
            a.summary.as_deref(),
            Some("Update unsound DrainFilter and RString::retain")
        );
        assert_eq!(a.published.as_deref(), Some("2020-12-21T12:00:00Z"));
        assert_eq!(a.severity[0].kind, ScoreKind::CvssV3);
        assert_eq!(a.informational, Some(Informational::Unsound));
        assert_eq!(
            a.affected[0].ranges[0].events,
            [
                Event::Introduced("0.0.0-0".into()),
                Event::Fixed("0.9.1".into())
            ]
        );
        assert_eq!(
            a.references[0],
            "https://rustsec.org/advisories/RUSTSEC-2020-0105.html"
        );
    }

    #[test]
    fn errors_point_into_the_file() {
        let broken = SAMPLE.replace("package = \"abi_stable\"", "package = ");
        let err = parse(&broken).unwrap_err();
        assert_eq!(err.pos.map(|p| p.line), Some(4), "{err}");
        let bad_req = SAMPLE.replace(">= 0.9.1", ">= 0.9.1, >= 1.0");
        let err = parse(&bad_req).unwrap_err();
        assert_eq!(err.pos.map(|p| p.line), Some(12), "{err}");
        assert!(parse("# not an advisory").is_err());
        assert!(parse("```toml\n[advisory]\n").is_err());
    }

    #[test]
    fn v4_front_matter_has_no_advisory_header() {
        let v4 = SAMPLE.replacen("[advisory]\n", "", 1);
        let Record::Advisory(a) = parse(&v4).unwrap().record else {
            panic!("withdrawn")
        };
        assert_eq!(a.id, "RUSTSEC-2020-0105");
        let broken = v4.replace("package = \"abi_stable\"", "package = ");
        assert_eq!(parse(&broken).unwrap_err().pos.map(|p| p.line), Some(3));
    }

    #[test]
    fn withdrawn_advisories_are_skipped() {
        let withdrawn = SAMPLE.replace("[versions]", "withdrawn = \"2021-01-01\"\n\n[versions]");
        assert_eq!(
            parse(&withdrawn).unwrap().record,
            Record::Withdrawn {
                id: "RUSTSEC-2020-0105".into()
            }
        );
    }
}
