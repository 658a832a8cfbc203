//! The tracker's DSA and DLA lists (`data/DSA/list`, `data/DLA/list`).
//!
//! ```text
//! [29 Mar 2023] DSA-5380-1 xorg-server - security update
//!     {CVE-2023-1393}
//!     [bullseye] - xorg-server 2:1.20.11-1+deb11u6
//!     [woody] - mantis <not-affected> (Vulnerable code not present)
//!     [sarge] - awstats 6.4-1sarge1 (bug #322591; medium)
//!     NOTE: fixed in testing at time of DSA
//! ```
//!
//! A header line starts each advisory; indented lines (a tab, or spaces) annotate it. The grammar is the one the
//! tracker's loader (`lib/python/bugs.py`, `FileBase`/`DSAFile`) enforces, written out by hand
//! instead of with regexes: a line the loader would reject is reported as a problem at its
//! line and skipped, and the rest of the file is read.

use harrier_core::Pos;

use super::{Verdict, affected, merge_into};
use crate::ingest::text::{ParseError, saturate};
use crate::model::{Advisory, Affected, Source};

/// The advisories of one list, and the lines that could not be read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListOutput {
    /// One advisory per header, in file order.
    pub advisories: Vec<Advisory>,
    /// Lines that were skipped, each with its line number.
    pub problems: Vec<ParseError>,
}

/// Reads a DSA or DLA list.
pub fn parse_list(text: &str) -> ListOutput {
    let mut out = ListOutput::default();
    let mut current: Option<Advisory> = None;
    // After a malformed header its annotations are skipped without one problem per line.
    let mut skipping = false;
    for (index, line) in text.lines().enumerate() {
        let number = saturate(index + 1);
        if is_blank_or_comment(line) {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            match current.as_mut() {
                Some(advisory) => annotate(advisory, line.trim(), number, &mut out.problems),
                None if skipping => {}
                None => out.problems.push(ParseError::at_line(
                    number,
                    "annotation before the first header",
                )),
            }
            continue;
        }
        out.advisories.extend(current.take());
        match parse_header(line) {
            Ok(advisory) => {
                current = Some(advisory);
                skipping = false;
            }
            Err(message) => {
                out.problems.push(ParseError::at_line(number, message));
                skipping = true;
            }
        }
    }
    out.advisories.extend(current);
    out
}

/// The loader skips empty lines and lines starting with `--`.
fn is_blank_or_comment(line: &str) -> bool {
    line.trim().is_empty() || line.starts_with("--")
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `[29 Mar 2023] DSA-5380-1 xorg-server - security update`
fn parse_header(line: &str) -> Result<Advisory, String> {
    let malformed = || {
        format!("malformed header `{line}`: expected `[DD Mon YYYY] DSA-NNNN-N package - title`")
    };
    let rest = line.strip_prefix('[').ok_or_else(malformed)?;
    let (date, rest) = rest.split_once("] ").ok_or_else(malformed)?;
    let published = parse_date(date).ok_or_else(malformed)?;
    let id_len = rest.find(char::is_whitespace).ok_or_else(malformed)?;
    let (id, description) = rest.split_at(id_len);
    if !is_advisory_id(id) {
        return Err(malformed());
    }
    let description = description.trim();
    Ok(Advisory {
        id: id.to_owned(),
        aliases: Vec::new(),
        upstream: Vec::new(),
        summary: (!description.is_empty()).then(|| description.to_owned()),
        published: Some(published),
        modified: None,
        severity: Vec::new(),
        affected: Vec::new(),
        references: Vec::new(),
        source: Source::DebianTracker,
        informational: None,
    })
}

/// `29 Mar 2023` → `2023-03-29T00:00:00Z`.
fn parse_date(date: &str) -> Option<String> {
    let mut parts = date.split(' ');
    let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || !digits(day, 2) || !digits(year, 4) {
        return None;
    }
    let month = MONTHS.iter().position(|m| *m == month)? + 1;
    Some(format!("{year}-{month:02}-{day}T00:00:00Z"))
}

/// `DSA-NNN`, `DSA-NNNN-N`, `DLA-NNNN-N`.
fn is_advisory_id(id: &str) -> bool {
    let Some(number) = id.strip_prefix("DSA-").or_else(|| id.strip_prefix("DLA-")) else {
        return false;
    };
    let (main, revision) = number.split_once('-').unwrap_or((number, "1"));
    is_digits(main) && is_digits(revision)
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Applies one (trimmed) annotation line to the advisory.
fn annotate(advisory: &mut Advisory, line: &str, number: u32, problems: &mut Vec<ParseError>) {
    let result = if line.starts_with('{') {
        read_xref(line, &mut advisory.aliases)
    } else if is_package_line(line) {
        read_package_line(line).map(|note| add_note(&mut advisory.affected, note))
    } else if is_comment(line) {
        Ok(())
    } else {
        Err(format!("expected an annotation, got `{line}`"))
    };
    if let Err(message) = result {
        problems.push(ParseError::at(Pos::new(number, 1), message));
    }
}

/// `NOTE:`, `TODO:`, `NOT-FOR-US:` and the `RESERVED`/`REJECTED` flags carry nothing a match
/// needs.
fn is_comment(line: &str) -> bool {
    if matches!(line, "RESERVED" | "REJECTED") {
        return true;
    }
    ["NOTE:", "TODO:", "NOT-FOR-US:"].iter().any(|tag| {
        line.strip_prefix(tag)
            .is_some_and(|rest| rest.starts_with(char::is_whitespace))
    })
}

/// `{CVE-2023-1393 CVE-2023-1394}`: cross references, kept as aliases.
fn read_xref(line: &str, aliases: &mut Vec<String>) -> Result<(), String> {
    let inner = line
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .filter(|s| !s.contains('}') && !s.trim().is_empty())
        .ok_or_else(|| format!("expected a cross reference `{{CVE-…}}`, got `{line}`"))?;
    let mut invalid = Vec::new();
    for id in inner.split_whitespace() {
        if !is_xref_id(id) {
            invalid.push(id);
        } else if !aliases.iter().any(|a| a == id) {
            aliases.push(id.to_owned());
        }
    }
    match invalid.as_slice() {
        [] => Ok(()),
        ids => Err(format!("invalid cross reference `{}`", ids.join("`, `"))),
    }
}

/// The loader's `re_xref_entry`: `CVE-YYYY-NNNN…`, `VU#NNNNNN`, `DSA-N[-N]`, `DTSA-N-N`, `DLA-N-N`.
fn is_xref_id(id: &str) -> bool {
    if let Some(rest) = id.strip_prefix("CVE-") {
        return rest.split_once('-').is_some_and(|(year, n)| {
            year.len() == 4 && is_digits(year) && n.len() >= 4 && is_digits(n)
        });
    }
    if let Some(n) = id.strip_prefix("VU#") {
        return n.len() == 6 && is_digits(n);
    }
    if let Some(rest) = id.strip_prefix("DSA-") {
        let (main, revision) = rest.split_once('-').unwrap_or((rest, "1"));
        return is_digits(main) && is_digits(revision);
    }
    ["DTSA-", "DLA-"].iter().any(|prefix| {
        id.strip_prefix(prefix)
            .and_then(|rest| rest.split_once('-'))
            .is_some_and(|(main, revision)| is_digits(main) && is_digits(revision))
    })
}

/// The loader's `re_package_required`: `^(?:\[.*\]\s*)?-`.
fn is_package_line(line: &str) -> bool {
    match line.strip_prefix('[') {
        // `.*` may end at any `]`, so any one followed by `-` will do.
        Some(after) => after.match_indices(']').any(|(close, _)| {
            after
                .get(close + 1..)
                .is_some_and(|rest| rest.trim_start().starts_with('-'))
        }),
        None => line.starts_with('-'),
    }
}

/// One `[release] - package version-or-<pseudo> (notes)` line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PackageNote {
    release: String,
    package: String,
    verdict: Verdict,
    urgency: Option<String>,
}

/// What follows the package name.
enum Tail<'a> {
    Version(Option<&'a str>),
    Pseudo(&'a str),
}

fn read_package_line(line: &str) -> Result<PackageNote, String> {
    let (release, package, tail, notes) = split_package_line(line)
        .ok_or_else(|| format!("expected a package entry, got `{line}`"))?;
    let release =
        release.ok_or_else(|| format!("a release is required in DSA and DLA lists: `{line}`"))?;
    let (verdict, urgency) = match tail {
        Tail::Version(version) => {
            let urgency = read_notes(notes)?.urgency;
            let verdict = version.map_or(Verdict::Unfixed, Verdict::fixed_in);
            (verdict, urgency)
        }
        Tail::Pseudo(kind) => read_pseudo(kind, notes)?,
    };
    Ok(PackageNote {
        release: release.to_owned(),
        package: package.to_owned(),
        verdict,
        urgency,
    })
}

/// The verdict of a `<pseudo-version>` and the urgency its notes give.
fn read_pseudo(kind: &str, notes: Option<&str>) -> Result<(Verdict, Option<String>), String> {
    let free_text = |verdict: Verdict| Ok((verdict, None));
    match kind {
        "not-affected" => free_text(Verdict::NotAffected),
        "end-of-life" => free_text(Verdict::WillNotFix),
        "no-dsa" | "ignored" | "postponed" => {
            if notes.is_none_or(|n| n.trim().is_empty()) {
                return Err(format!("<{kind}> needs a comment in parentheses"));
            }
            free_text(if kind == "no-dsa" {
                Verdict::Unfixed
            } else {
                Verdict::WillNotFix
            })
        }
        "itp" => {
            if read_notes(notes)?.bugs == 0 {
                return Err("<itp> needs a Debian bug reference".to_owned());
            }
            Ok((Verdict::NotAffected, None))
        }
        "unfixed" | "removed" | "undetermined" => {
            let urgency = read_notes(notes)?.urgency;
            let verdict = match kind {
                "unfixed" => Verdict::Unfixed,
                // A removed package gets no fix in that release.
                "removed" => Verdict::WillNotFix,
                _ => Verdict::Undetermined,
            };
            Ok((verdict, urgency))
        }
        other => Err(format!("invalid pseudo-version `<{other}>`")),
    }
}

/// Splits `[release] - package tail (notes)` as the loader's two package regexes do, or
/// `None` when neither would match.
fn split_package_line(line: &str) -> Option<(Option<&str>, &str, Tail<'_>, Option<&str>)> {
    let (release, rest) = match line.strip_prefix('[') {
        Some(after) => {
            let (release, rest) = after.split_once(']')?;
            if release.is_empty() || !release.bytes().all(|b| b.is_ascii_lowercase()) {
                return None;
            }
            (Some(release), strip_one_space(rest)?)
        }
        None => (None, line),
    };
    let rest = strip_one_space(rest.strip_prefix('-')?)?;
    let (package, rest) = take_while(rest, is_package_char);
    if package.is_empty() {
        return None;
    }
    if rest.is_empty() {
        return Some((release, package, Tail::Version(None), None));
    }
    let rest = strip_one_space(rest)?.trim_start();
    if let Some(after) = rest.strip_prefix('<') {
        let (kind, after) = after.split_once('>')?;
        if kind.is_empty() || !kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
            return None;
        }
        return Some((release, package, Tail::Pseudo(kind), notes_after(after)?));
    }
    if rest.starts_with('(') {
        return Some((release, package, Tail::Version(None), Some(notes_in(rest)?)));
    }
    let (version, after) = take_while(rest, is_version_char);
    if version.is_empty() {
        return None;
    }
    Some((
        release,
        package,
        Tail::Version(Some(version)),
        notes_after(after)?,
    ))
}

/// `""` → no notes; ` (text)` → `text`; anything else → no match.
fn notes_after(after: &str) -> Option<Option<&str>> {
    if after.is_empty() {
        return Some(None);
    }
    notes_in(strip_one_space(after)?.trim_start()).map(Some)
}

/// `(text)` → `text`.
fn notes_in(text: &str) -> Option<&str> {
    text.strip_prefix('(')?.strip_suffix(')')
}

fn strip_one_space(s: &str) -> Option<&str> {
    let mut chars = s.chars();
    chars
        .next()
        .filter(|c| c.is_whitespace())
        .map(|_| chars.as_str())
}

fn take_while(s: &str, keep: fn(char) -> bool) -> (&str, &str) {
    let end = s.find(|c: char| !keep(c)).unwrap_or(s.len());
    s.split_at(end)
}

fn is_package_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '+' | '-')
}

fn is_version_char(c: char) -> bool {
    is_package_char(c) || c == '~'
}

/// What `(bug #123; medium)` says.
#[derive(Debug, Default)]
struct Notes {
    urgency: Option<String>,
    bugs: usize,
}

const URGENCIES: [&str; 6] = [
    "high",
    "medium",
    "low",
    "unimportant",
    "end-of-life",
    "not yet assigned",
];

/// The loader's `PackageNoteParsed`: `;`-separated urgencies, `bug #N` and `bug filed`.
fn read_notes(notes: Option<&str>) -> Result<Notes, String> {
    let mut out = Notes::default();
    for note in notes.into_iter().flat_map(|n| n.split(';')).map(str::trim) {
        if URGENCIES.contains(&note) {
            out.urgency = Some(note.to_owned());
        } else if note.strip_prefix("bug #").is_some_and(is_digits) {
            out.bugs += 1;
        } else if note != "bug filed" {
            return Err(format!("unknown package note `{note}`"));
        }
    }
    Ok(out)
}

/// Adds a package note; a second note for the same package and release is merged into the
/// first, as the loader's `mergeNotes` does.
fn add_note(affected_list: &mut Vec<Affected>, note: PackageNote) {
    let key = affected(
        &note.package,
        &note.release,
        &note.verdict,
        note.urgency.as_deref(),
    );
    match affected_list
        .iter_mut()
        .find(|a| a.package == key.package && a.ecosystem == key.ecosystem)
    {
        Some(existing) => merge_into(existing, &note.verdict),
        None => affected_list.push(key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Event, Status};

    const SAMPLE: &str = "\
[29 Mar 2023] DSA-5380-1 xorg-server - security update
\t{CVE-2023-1393}
\t[bullseye] - xorg-server 2:1.20.11-1+deb11u6
[02 Jul 2002] DSA-135 libapache-mod-ssl -- buffer overflow / DoS
\t{ CVE-2002-0653 }
        [woody] - libapache-mod-ssl 2.8.9-2 (bug #1234; medium)
\t[woody] - mantis <not-affected> (Vulnerable code not present)
\t[sarge] - chromium-browser <end-of-life>
\t[wheezy] - curl  7.26.0-1+wheezy13
\tNOTE: fixed in testing at time of DSA
";

    #[test]
    fn reads_headers_aliases_and_package_lines() {
        let out = parse_list(SAMPLE);
        assert_eq!(out.problems, []);
        assert_eq!(out.advisories.len(), 2);
        let dsa = &out.advisories[0];
        assert_eq!(dsa.id, "DSA-5380-1");
        assert_eq!(dsa.aliases, ["CVE-2023-1393"]);
        assert_eq!(
            dsa.summary.as_deref(),
            Some("xorg-server - security update")
        );
        assert_eq!(dsa.published.as_deref(), Some("2023-03-29T00:00:00Z"));
        let a = &dsa.affected[0];
        assert_eq!(
            (a.package.as_str(), a.ecosystem.to_string()),
            ("xorg-server", "Debian:11".to_owned())
        );
        assert_eq!(
            a.ranges[0].events[1],
            Event::Fixed("2:1.20.11-1+deb11u6".into())
        );
        let old = &out.advisories[1];
        assert_eq!(old.aliases, ["CVE-2002-0653"]);
        let statuses: Vec<_> = old
            .affected
            .iter()
            .map(|a| (a.ecosystem.to_string(), a.status))
            .collect();
        assert_eq!(
            statuses,
            [
                ("Debian:3.0".to_owned(), Status::Affected),
                ("Debian:3.0".to_owned(), Status::NotAffected),
                ("Debian:3.1".to_owned(), Status::WillNotFix),
                ("Debian:7".to_owned(), Status::Affected),
            ]
        );
        assert_eq!(old.affected[0].rating.as_deref(), Some("medium"));
        assert_eq!(
            old.affected[3].ranges[0].events[1],
            Event::Fixed("7.26.0-1+wheezy13".into())
        );
    }

    #[test]
    fn bad_lines_are_reported_and_skipped() {
        let text = "\
[01 Foo 2020] DSA-1-1 a - b
\t[buster] - a 1.0
[01 Jan 2020] DSA-2-1 a - b
\t- a 1.0
\t[buster] - a <maybe>
\t[buster] - a 1.0 (someday)
\t{CVE-1}
\tgarbage
\t[buster] - b 1.0
";
        let out = parse_list(text);
        let lines: Vec<u32> = out
            .problems
            .iter()
            .filter_map(|p| p.pos.map(|p| p.line))
            .collect();
        assert_eq!(lines, [1, 4, 5, 6, 7, 8], "{:#?}", out.problems);
        assert_eq!(out.advisories.len(), 1);
        assert_eq!(out.advisories[0].affected.len(), 1);
    }

    #[test]
    fn pseudo_versions_follow_the_tracker() {
        let cases = [
            ("[sid] - a <unfixed> (low)", Status::Unfixed, Some("low")),
            ("[sid] - a <undetermined>", Status::Undetermined, None),
            ("[sid] - a <removed>", Status::WillNotFix, None),
            ("[sid] - a <itp> (bug #1)", Status::NotAffected, None),
            ("[sid] - a <no-dsa> (Minor issue)", Status::Unfixed, None),
            (
                "[sid] - a <ignored> (Minor issue)",
                Status::WillNotFix,
                None,
            ),
            (
                "[sid] - a <postponed> (Minor issue)",
                Status::WillNotFix,
                None,
            ),
            ("[sid] - a 0", Status::NotAffected, None),
            ("[sid] - a (bug #12; high)", Status::Unfixed, Some("high")),
        ];
        for (line, status, rating) in cases {
            let note = read_package_line(line).unwrap_or_else(|e| panic!("{line}: {e}"));
            let entry = affected(
                &note.package,
                &note.release,
                &note.verdict,
                note.urgency.as_deref(),
            );
            assert_eq!(
                (entry.status, entry.rating.as_deref()),
                (status, rating),
                "{line}"
            );
        }
        for bad in [
            "[sid] - a <itp>",
            "[sid] - a <no-dsa>",
            "[Sid] - a 1",
            "[sid] -a 1",
            "[sid] - a 1 x",
        ] {
            assert!(read_package_line(bad).is_err(), "{bad}");
        }
    }
}
