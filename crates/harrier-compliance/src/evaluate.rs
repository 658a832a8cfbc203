//! Deciding each control of a framework from [`Observations`], and the score.
//!
//! A control is `fail` when a mapped check failed, else `pass` when some mapped check was
//! evaluated, else `not-covered` (nothing mapped ran, or the control is manual). The score is
//! passed / (passed + failed): controls nobody evaluated neither help nor hurt it, and the
//! number of them is always printed next to it so a high score over few controls cannot pass
//! for coverage.

use std::collections::HashMap;

use serde::Serialize;

use crate::framework::{CheckRef, Control, Framework};
use crate::input::{InputInfo, Observations, Observed};

/// A control's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Some mapped check was evaluated and none failed.
    Pass,
    /// A mapped check failed.
    Fail,
    /// No mapped check was evaluated by the inputs, or the control is manual.
    NotCovered,
}

impl Status {
    /// The status as reports print it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotCovered => "not-covered",
        }
    }
}

/// One mapped check of a control, as the inputs showed it.
#[derive(Debug, Clone, Serialize)]
pub struct CheckOutcome {
    /// The check (`HRR-POD-001`, `HRR-RBAC-R004`, `node:1.2.1`).
    pub id: String,
    /// Whether some input evaluated it.
    pub evaluated: bool,
    /// How many of its results failed.
    pub failed: usize,
}

/// One control's result.
#[derive(Debug, Clone)]
pub struct ControlResult<'a> {
    /// The control.
    pub control: &'a Control,
    /// Its status.
    pub status: Status,
    /// Each mapped check.
    pub checks: Vec<CheckOutcome>,
    /// The failed results behind a `fail`.
    pub findings: Vec<&'a Observed>,
    /// Node WARN results of mapped items (not evaluations; shown for the auditor).
    pub notes: Vec<&'a Observed>,
}

/// Counts of controls by status, with the score.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Tally {
    /// Controls.
    pub controls: usize,
    /// Passed.
    pub passed: usize,
    /// Failed.
    pub failed: usize,
    /// Not covered (including manual ones).
    pub not_covered: usize,
    /// Of those, manual.
    pub manual: usize,
    /// passed / (passed + failed), in percent, one decimal; `None` when nothing was decided.
    pub score: Option<f64>,
}

impl Tally {
    fn add(&mut self, r: &ControlResult<'_>) {
        self.controls += 1;
        match r.status {
            Status::Pass => self.passed += 1,
            Status::Fail => self.failed += 1,
            Status::NotCovered => self.not_covered += 1,
        }
        if r.control.manual {
            self.manual += 1;
        }
    }

    fn finish(&mut self) {
        let decided = self.passed + self.failed;
        self.score = (decided > 0).then(|| {
            // usize → f64 is exact for any realistic count of controls.
            let pct = self.passed as f64 * 100.0 / decided as f64;
            (pct * 10.0).round() / 10.0
        });
    }
}

/// The tally of one section.
#[derive(Debug, Clone, Serialize)]
pub struct SectionTally<'a> {
    /// The section's id.
    pub id: &'a str,
    /// Its title.
    pub title: &'a str,
    /// Its counts and score.
    #[serde(flatten)]
    pub tally: Tally,
}

/// A framework evaluated over a set of reports.
#[derive(Debug, Clone)]
pub struct ComplianceReport<'a> {
    /// The framework.
    pub framework: &'a Framework,
    /// Every control, in the framework's order.
    pub controls: Vec<ControlResult<'a>>,
    /// Overall counts and score.
    pub summary: Tally,
    /// Counts and score per section, in the framework's order.
    pub sections: Vec<SectionTally<'a>>,
    /// The reports read.
    pub inputs: &'a [InputInfo],
    /// Remarks about the inputs.
    pub warnings: &'a [String],
}

/// Evaluates every control of `framework` over `obs`.
pub fn evaluate<'a>(framework: &'a Framework, obs: &'a Observations) -> ComplianceReport<'a> {
    let mut failed: HashMap<&str, Vec<&Observed>> = HashMap::new();
    for f in &obs.findings {
        failed.entry(f.check.as_str()).or_default().push(f);
    }
    let mut warned: HashMap<&str, Vec<&Observed>> = HashMap::new();
    for n in &obs.notes {
        warned.entry(n.check.as_str()).or_default().push(n);
    }
    let mut controls = Vec::with_capacity(framework.controls.len());
    for control in &framework.controls {
        let mut checks = Vec::with_capacity(control.checks.len());
        let mut findings = Vec::new();
        let mut notes = Vec::new();
        for r in &control.checks {
            let key = r.to_string();
            let fails = failed.get(key.as_str()).map_or(&[][..], Vec::as_slice);
            findings.extend_from_slice(fails);
            if let CheckRef::Node(_) = r {
                notes.extend_from_slice(warned.get(key.as_str()).map_or(&[][..], Vec::as_slice));
            }
            checks.push(CheckOutcome {
                evaluated: obs.evaluated.contains(&key),
                failed: fails.len(),
                id: key,
            });
        }
        let status = if control.manual {
            Status::NotCovered
        } else if !findings.is_empty() {
            Status::Fail
        } else if checks.iter().any(|c| c.evaluated) {
            Status::Pass
        } else {
            Status::NotCovered
        };
        controls.push(ControlResult {
            control,
            status,
            checks,
            findings,
            notes,
        });
    }
    let mut summary = Tally::default();
    let mut sections: Vec<SectionTally<'a>> = framework
        .sections
        .iter()
        .map(|s| SectionTally {
            id: &s.id,
            title: &s.title,
            tally: Tally::default(),
        })
        .collect();
    for r in &controls {
        summary.add(r);
        if let Some(s) = sections.iter_mut().find(|s| s.id == r.control.section) {
            s.tally.add(r);
        }
    }
    summary.finish();
    for s in &mut sections {
        s.tally.finish();
    }
    ComplianceReport {
        framework,
        controls,
        summary,
        sections,
        inputs: &obs.inputs,
        warnings: &obs.warnings,
    }
}
