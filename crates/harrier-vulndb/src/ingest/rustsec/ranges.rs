//! Cargo version requirements (`patched`, `unaffected`) → OSV `SEMVER` events.
//!
//! RustSec stores the versions that are *not* affected, as Cargo requirements (`>= 1.2.3, <
//! 1.3`, `^0.4`); OSV stores the affected ones as `[introduced, fixed)` intervals. This is the
//! conversion RustSec's own OSV export runs (`rustsec/src/osv/unaffected_range.rs` and
//! `ranges_for_advisory.rs`), reproduced step for step so that a native advisory yields exactly
//! the events of its OSV twin:
//!
//! 1. each requirement becomes one interval of unaffected versions with inclusive or exclusive
//!    bounds (at most one lower and one upper bound; `^` and `~` expand to both, with `-0` on
//!    the upper bound so that pre-releases of the next version are excluded);
//! 2. the intervals must not overlap, and are sorted by their lower bound;
//! 3. the gaps between them are the affected intervals. An exclusive bound moves to the next
//!    version by SemVer precedence (`1.2.3` → `1.2.4-0`, `1.2.3-rc.1` → `1.2.3-rc.1.0`).
//!
//! Requirements are parsed with the `semver` crate, which is what Cargo and RustSec use, so
//! their reading of `>=1.2`, `^ 0.4.6` or a trailing space is the reference one. Converting at
//! import rather than storing requirements keeps one range model for every ecosystem.

use std::cmp::Ordering;

use semver::{Comparator, Op, Prerelease, Version, VersionReq};

use crate::model::Event;

/// OSV's way of saying "from the very first version".
pub const FIRST_VERSION: &str = "0.0.0-0";

/// The affected-version events for a `[versions]` table, in OSV order.
pub fn events(patched: &[String], unaffected: &[String]) -> Result<Vec<Event>, String> {
    let mut ranges = Vec::with_capacity(patched.len() + unaffected.len());
    for text in unaffected.iter().chain(patched) {
        let req = VersionReq::parse(text)
            .map_err(|e| format!("`{text}` is not a version requirement: {e}"))?;
        ranges.push(Unaffected::from_req(&req).map_err(|e| format!("`{text}`: {e}"))?);
    }
    let mut events = Vec::new();
    for (introduced, fixed) in affected_intervals(ranges)? {
        events.push(Event::Introduced(
            introduced.map_or_else(|| FIRST_VERSION.to_owned(), |v| v.to_string()),
        ));
        if let Some(fixed) = fixed {
            events.push(Event::Fixed(fixed.to_string()));
        }
    }
    Ok(events)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Bound {
    Unbounded,
    Exclusive(Version),
    Inclusive(Version),
}

impl Bound {
    fn version(&self) -> Option<&Version> {
        match self {
            Bound::Unbounded => None,
            Bound::Exclusive(v) | Bound::Inclusive(v) => Some(v),
        }
    }

    /// Whether a range starting at `self` can reach a range ending at `end`.
    fn at_or_before(&self, end: &Bound) -> bool {
        match (self.version(), end.version()) {
            (None, _) | (_, None) => true,
            (Some(start), Some(stop)) if start < stop => true,
            _ => matches!((self, end), (Bound::Inclusive(a), Bound::Inclusive(b)) if a == b),
        }
    }
}

/// An interval of unaffected versions.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Unaffected {
    start: Bound,
    end: Bound,
}

impl Unaffected {
    fn from_req(req: &VersionReq) -> Result<Unaffected, String> {
        if req.comparators.len() > 2 {
            return Err("more than two comparators in one requirement".to_owned());
        }
        let alone = req.comparators.len() == 1;
        let mut start = Bound::Unbounded;
        let mut end = Bound::Unbounded;
        for c in &req.comparators {
            let version = comparator_version(c);
            match c.op {
                Op::Greater | Op::GreaterEq => {
                    if start != Bound::Unbounded {
                        return Err("more than one lower bound".to_owned());
                    }
                    start = if c.op == Op::Greater {
                        Bound::Exclusive(version)
                    } else {
                        Bound::Inclusive(version)
                    };
                }
                Op::Less | Op::LessEq => {
                    if end != Bound::Unbounded {
                        return Err("more than one upper bound".to_owned());
                    }
                    end = if c.op == Op::Less {
                        Bound::Exclusive(version)
                    } else {
                        Bound::Inclusive(version)
                    };
                }
                Op::Exact if alone => {
                    start = Bound::Inclusive(version.clone());
                    end = Bound::Inclusive(version);
                }
                Op::Caret if alone => {
                    end = Bound::Exclusive(caret_end(c)?);
                    start = Bound::Inclusive(version);
                }
                Op::Tilde if alone => {
                    end = Bound::Exclusive(tilde_end(c)?);
                    start = Bound::Inclusive(version);
                }
                Op::Exact | Op::Caret | Op::Tilde => {
                    return Err(format!("`{c}` sets both bounds and must stand alone"));
                }
                _ => return Err(format!("unsupported operator in `{c}`")),
            }
        }
        if start.at_or_before(&end) {
            Ok(Unaffected { start, end })
        } else {
            Err("the lower bound is above the upper bound".to_owned())
        }
    }

    fn overlaps(&self, other: &Unaffected) -> bool {
        self.start.at_or_before(&other.end) && other.start.at_or_before(&self.end)
    }
}

/// The comparator's version with missing parts as zero and no build metadata.
fn comparator_version(c: &Comparator) -> Version {
    Version {
        major: c.major,
        minor: c.minor.unwrap_or(0),
        patch: c.patch.unwrap_or(0),
        pre: c.pre.clone(),
        build: semver::BuildMetadata::EMPTY,
    }
}

/// `^1.2.3` → `2.0.0-0`, `^0.2.3` → `0.3.0-0`, `^0.0.3` → `0.0.4-0`, `^0` → `1.0.0-0`.
fn caret_end(c: &Comparator) -> Result<Version, String> {
    let mut end = if c.major == 0 {
        match (c.minor, c.patch) {
            (Some(0), Some(patch)) => Version::new(0, 0, bump(patch)?),
            (Some(minor), _) => Version::new(0, bump(minor)?, 0),
            (None, _) => Version::new(1, 0, 0),
        }
    } else {
        Version::new(bump(c.major)?, 0, 0)
    };
    end.pre = lowest_prerelease();
    Ok(end)
}

/// `~1.2.3` and `~1.2` → `1.3.0-0`, `~1` → `2.0.0-0`.
fn tilde_end(c: &Comparator) -> Result<Version, String> {
    let mut end = match c.minor {
        Some(minor) => Version::new(c.major, bump(minor)?, 0),
        None => Version::new(bump(c.major)?, 0, 0),
    };
    end.pre = lowest_prerelease();
    Ok(end)
}

fn bump(n: u64) -> Result<u64, String> {
    n.checked_add(1)
        .ok_or_else(|| format!("version part {n} is too large"))
}

fn lowest_prerelease() -> Prerelease {
    Prerelease::new("0").unwrap_or(Prerelease::EMPTY)
}

/// An affected interval, `[introduced, fixed)`; `None` is unbounded on that side.
type Interval = (Option<Version>, Option<Version>);

/// The gaps between the unaffected intervals, as `(introduced, fixed)` pairs; `None` is
/// unbounded on that side.
fn affected_intervals(mut unaffected: Vec<Unaffected>) -> Result<Vec<Interval>, String> {
    if unaffected.is_empty() {
        return Ok(vec![(None, None)]);
    }
    for (i, a) in unaffected.iter().enumerate() {
        if let Some(b) = unaffected.iter().skip(i + 1).find(|b| a.overlaps(b)) {
            return Err(format!("overlapping version ranges {a:?} and {b:?}"));
        }
    }
    unaffected.sort_by(|a, b| match (a.start.version(), b.start.version()) {
        (None, None) => Ordering::Equal,
        (None, _) => Ordering::Less,
        (_, None) => Ordering::Greater,
        (Some(x), Some(y)) => x.cmp(y),
    });
    let mut out = Vec::new();
    if let Some(first) = unaffected.first() {
        match &first.start {
            Bound::Unbounded => {}
            Bound::Exclusive(v) => out.push((None, Some(next_version(v)))),
            Bound::Inclusive(v) => out.push((None, Some(v.clone()))),
        }
    }
    for pair in unaffected.windows(2) {
        let [before, after] = pair else { continue };
        let start = match &before.end {
            Bound::Exclusive(v) => v.clone(),
            Bound::Inclusive(v) => next_version(v),
            Bound::Unbounded => return Err("an unbounded interval in the middle".to_owned()),
        };
        let end = match &after.start {
            Bound::Exclusive(v) => next_version(v),
            Bound::Inclusive(v) => v.clone(),
            Bound::Unbounded => return Err("an unbounded interval in the middle".to_owned()),
        };
        out.push((Some(start), Some(end)));
    }
    if let Some(last) = unaffected.last() {
        match &last.end {
            Bound::Unbounded => {}
            Bound::Exclusive(v) => out.push((Some(v.clone()), None)),
            Bound::Inclusive(v) => out.push((Some(next_version(v)), None)),
        }
    }
    // RustSec's exporter refuses this too (an advisory must affect something).
    if out.is_empty() {
        return Err("the requirements leave no version affected".to_owned());
    }
    Ok(out)
}

/// The lowest version above `v` by SemVer precedence: `1.2.3` → `1.2.4-0`, and a pre-release
/// gains a `.0` identifier (`1.2.3-rc.1` → `1.2.3-rc.1.0`).
fn next_version(v: &Version) -> Version {
    let mut next = v.clone();
    next.build = semver::BuildMetadata::EMPTY;
    if next.pre.is_empty() {
        next.patch = next.patch.saturating_add(1);
        next.pre = lowest_prerelease();
    } else {
        let longer = format!("{}.0", next.pre);
        next.pre = Prerelease::new(&longer).unwrap_or_else(|_| next.pre.clone());
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    fn osv(patched: &[&str], unaffected: &[&str]) -> Vec<String> {
        let own = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        events(&own(patched), &own(unaffected))
            .unwrap()
            .iter()
            .map(|e| match e {
                Event::Introduced(v) => format!(">={v}"),
                Event::Fixed(v) => format!("<{v}"),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn the_usual_shapes() {
        assert_eq!(osv(&[">= 0.9.1"], &[]), [">=0.0.0-0", "<0.9.1"]);
        assert_eq!(osv(&[], &[]), [">=0.0.0-0"]);
        assert_eq!(osv(&[], &["< 0.2.0"]), [">=0.2.0"]);
        assert_eq!(osv(&[">= 1.2.0"], &["<= 1.0.0"]), [">=1.0.1-0", "<1.2.0"]);
        assert_eq!(osv(&["> 1.1.0"], &[]), [">=0.0.0-0", "<1.1.1-0"]);
        assert_eq!(
            osv(&[">= 0.4.3, < 0.5.0", ">= 0.5.2"], &[]),
            [">=0.0.0-0", "<0.4.3", ">=0.5.0", "<0.5.2"]
        );
        assert_eq!(
            osv(&["^0.4.6", ">= 0.5.1"], &[]),
            [">=0.0.0-0", "<0.4.6", ">=0.5.0-0", "<0.5.1"]
        );
        assert_eq!(osv(&["~1.2.3"], &[]), [">=0.0.0-0", "<1.2.3", ">=1.3.0-0"]);
        assert_eq!(osv(&["=1.0.0"], &[]), [">=0.0.0-0", "<1.0.0", ">=1.0.1-0"]);
        assert_eq!(
            osv(&[">= 1.0.0-rc.2"], &["< 0.9"]),
            [">=0.9.0", "<1.0.0-rc.2"]
        );
        assert_eq!(osv(&["> 1.0.0-rc.1"], &[]), [">=0.0.0-0", "<1.0.0-rc.1.0"]);
    }

    #[test]
    fn the_reference_rejects_these_and_so_do_we() {
        let own = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        for (patched, unaffected) in [
            (vec![">= 1.0", ">= 1.1"], vec![]),
            (vec![">= 1.0, >= 1.1"], vec![]),
            (vec!["^1.0, < 3"], vec![]),
            (vec![">= 2.0, < 1.0"], vec![]),
            (vec!["* "], vec![]),
            (vec!["not a requirement"], vec![]),
            (
                vec![">= 18446744073709551615.0.0"],
                vec!["^18446744073709551615"],
            ),
        ] {
            assert!(
                events(&own(&patched), &own(&unaffected)).is_err(),
                "{patched:?}"
            );
        }
    }
}
