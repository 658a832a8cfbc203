//! The audit trail: one JSON line per action decided, whether done, refused, failed or (in
//! dry-run) only described.
//!
//! A line names the time, the policy's response, the alert's rule and time, the target (pod,
//! pid, command name, container), the action, whether it was a dry run, the outcome and a
//! message. It never holds command lines, environment or the alert's output text: those can
//! carry secrets, and the alert stream has them already.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::policy::ActionKind;
use crate::target::Target;

/// How an action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Done, or in dry-run, would have been attempted.
    Ok,
    /// Attempted and failed (the API refused, the process was gone...).
    Error,
    /// Not attempted: a safety rule, an exclusion or a rate limit stopped it.
    Refused,
}

/// One entry of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionRecord {
    /// When the action was decided, RFC 3339.
    pub time: String,
    /// The policy response that asked for it.
    pub response: String,
    /// The alert's rule.
    pub rule: String,
    /// The alert's time.
    pub alert_time: String,
    /// What it was aimed at.
    pub target: Target,
    /// The action.
    pub action: ActionKind,
    /// Whether it was only described.
    pub dry_run: bool,
    /// How it ended.
    pub outcome: Outcome,
    /// What was (or would have been) done, or why not.
    pub message: String,
}

/// Appends records as JSON lines to a file.
#[derive(Debug)]
pub struct AuditTrail {
    path: PathBuf,
    out: BufWriter<File>,
}

/// The trail could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the response audit trail {}", path.display())]
pub struct TrailError {
    /// The file.
    pub path: PathBuf,
    /// The cause.
    #[source]
    pub source: io::Error,
}

impl AuditTrail {
    /// Opens `path` for appending, creating it (mode 0600: the trail names pods and processes).
    pub fn open(path: &Path) -> Result<AuditTrail, TrailError> {
        use std::os::unix::fs::OpenOptionsExt;
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .map_err(|source| TrailError {
                path: path.to_owned(),
                source,
            })?;
        Ok(AuditTrail {
            path: path.to_owned(),
            out: BufWriter::new(file),
        })
    }

    /// Writes `records` and flushes, so the trail is complete even if the process dies next.
    pub fn write(&mut self, records: &[ActionRecord]) -> Result<(), TrailError> {
        let fail = |source: io::Error| TrailError {
            path: self.path.clone(),
            source,
        };
        for r in records {
            let line = serde_json::to_string(r).map_err(|e| fail(e.into()))?;
            writeln!(self.out, "{line}").map_err(fail)?;
        }
        self.out.flush().map_err(fail)
    }
}
