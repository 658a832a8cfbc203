//! The Debian security tracker: its DSA/DLA lists and its JSON export.
//!
//! Both are keyed by **source package** and release, as Debian tracks fixes; an installed binary
//! package is matched through its source package. Release codenames become release numbers
//! through [`Ecosystem::with_release`] (`bullseye` → `Debian:11`), so these advisories land on
//! the same key as Debian's OSV records.
//!
//! - [`parse_list`] reads `data/DSA/list` and `data/DLA/list`: one advisory per DSA or DLA, its
//!   CVEs as aliases, one [`Affected`] per (source package, release) line. The grammar follows the
//!   tracker's own loader (`lib/python/bugs.py`): the same line regexes, pseudo-versions
//!   (`<not-affected>`, `<unfixed>`, `<end-of-life>`, …) and `(bug #N; medium)` notes.
//! - [`parse_tracker_json`] reads the export served at `/tracker/data/json`
//!   (`{source package: {CVE: {releases: {codename: {status, fixed_version, urgency, nodsa,
//!   nodsa_reason, …}}}}}`, written by `bin/tracker_service.py`): one advisory per CVE (or
//!   `TEMP-` issue), one [`Affected`] per (source package, release), so that a CVE is one
//!   finding whichever packages it touches.
//!
//! Both map the tracker's verdicts onto [`Status`] the same way:
//!
//! | tracker | list line | status | range |
//! |---|---|---|---|
//! | resolved, `fixed_version` V | `- pkg V` | affected | `[0, V)` |
//! | resolved, `fixed_version` `0` | `<not-affected>`, `<itp>`, `- pkg 0` | not affected | none |
//! | open | `<unfixed>`, `<no-dsa>`, `- pkg` | unfixed | `[0, ∞)` |
//! | open, urgency `end-of-life`, or no-DSA reason `ignored`/`postponed` | `<end-of-life>`, `<ignored>`, `<postponed>`, `<removed>` | will not fix | `[0, ∞)` |
//! | undetermined | `<undetermined>` | undetermined | none |
//!
//! `0` is the tracker's own encoding of "not affected" (its loader stores `<not-affected>` as
//! fixed version `0`). "Will not fix" means no fix will come for that release: the release is
//! out of security support for the package, the team decided to ignore or postpone the issue,
//! or the package left the release. Urgency becomes the affected entry's rating (`low`,
//! `unimportant`…; "not yet assigned" is no rating, and the `**` mark of NVD-derived urgencies
//! is dropped).

mod list;
mod tracker;

pub use list::{ListOutput, parse_list};
pub use tracker::{TrackerOutput, parse_tracker_json};

use crate::model::{Affected, Event, Range, RangeKind, Status};
use crate::{Ecosystem, EcosystemKind};

/// What the tracker says about one source package in one release.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    /// Fixed in this version (affected before it).
    Fixed(String),
    /// Never affected.
    NotAffected,
    /// Affected, no fix yet.
    Unfixed,
    /// Affected, and no fix will come for this release.
    WillNotFix,
    /// Not yet decided.
    Undetermined,
}

impl Verdict {
    /// A fixed version; `0` is how the tracker writes "not affected".
    fn fixed_in(version: &str) -> Verdict {
        if version == "0" {
            Verdict::NotAffected
        } else {
            Verdict::Fixed(version.to_owned())
        }
    }

    fn status(&self) -> Status {
        match self {
            Verdict::Fixed(_) => Status::Affected,
            Verdict::NotAffected => Status::NotAffected,
            Verdict::Unfixed => Status::Unfixed,
            Verdict::WillNotFix => Status::WillNotFix,
            Verdict::Undetermined => Status::Undetermined,
        }
    }

    /// The affected versions: before the fix, all of them while no fix exists, none when not
    /// affected or undecided (the status says which).
    fn range(&self) -> Option<Range> {
        let introduced = Event::Introduced("0".to_owned());
        let events = match self {
            Verdict::Fixed(version) => vec![introduced, Event::Fixed(version.clone())],
            Verdict::Unfixed | Verdict::WillNotFix => vec![introduced],
            Verdict::NotAffected | Verdict::Undetermined => return None,
        };
        Some(Range {
            kind: RangeKind::Ecosystem,
            events,
        })
    }
}

/// One affected entry for a source package in a release (a codename such as `bookworm`).
fn affected(package: &str, release: &str, verdict: &Verdict, urgency: Option<&str>) -> Affected {
    Affected {
        ecosystem: Ecosystem::with_release(EcosystemKind::Debian, release),
        package: package.to_owned(),
        binaries: Vec::new(),
        ranges: verdict.range().into_iter().collect(),
        versions: Vec::new(),
        status: verdict.status(),
        rating: urgency.and_then(rating),
    }
}

/// Adds `verdict` to an entry for the same package and release. The tracker's loader merges
/// such notes by keeping the highest fixed version, or none when either is unfixed; keeping
/// both ranges means the same (a version is affected when either range holds it) without
/// ordering versions here.
fn merge_into(entry: &mut Affected, verdict: &Verdict) {
    if let Some(range) = verdict.range() {
        entry.ranges.push(range);
    }
    entry.status = match (entry.status, verdict.status()) {
        (Status::NotAffected, other) | (other, Status::NotAffected) => other,
        (Status::Affected, other) | (other, Status::Affected) => other,
        (first, _) => first,
    };
}

/// The urgency as a rating, or `None` where the tracker has none.
fn rating(urgency: &str) -> Option<String> {
    let urgency = urgency.trim().trim_end_matches('*').trim();
    match urgency {
        "" | "not yet assigned" | "end-of-life" => None,
        other => Some(other.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_become_statuses_and_ranges() {
        let fixed = affected(
            "xorg-server",
            "bullseye",
            &Verdict::fixed_in("2:1.20.11-1+deb11u6"),
            Some("high**"),
        );
        assert_eq!(fixed.ecosystem.to_string(), "Debian:11");
        assert_eq!(fixed.status, Status::Affected);
        assert_eq!(
            fixed.ranges[0].events[1],
            Event::Fixed("2:1.20.11-1+deb11u6".into())
        );
        assert_eq!(fixed.rating.as_deref(), Some("high"));
        let zero = affected(
            "a",
            "bookworm",
            &Verdict::fixed_in("0"),
            Some("not yet assigned"),
        );
        assert_eq!(
            (zero.status, zero.ranges.len(), zero.rating),
            (Status::NotAffected, 0, None)
        );
        let open = affected("a", "sid", &Verdict::Unfixed, None);
        assert_eq!(open.ranges[0].events, [Event::Introduced("0".into())]);
    }

    #[test]
    fn merged_notes_keep_the_less_fixed_status() {
        let mut entry = affected("a", "woody", &Verdict::fixed_in("1.0"), None);
        merge_into(&mut entry, &Verdict::Unfixed);
        assert_eq!((entry.status, entry.ranges.len()), (Status::Unfixed, 2));
        let mut entry = affected("a", "woody", &Verdict::NotAffected, None);
        merge_into(&mut entry, &Verdict::fixed_in("1.0"));
        assert_eq!((entry.status, entry.ranges.len()), (Status::Affected, 1));
    }
}
