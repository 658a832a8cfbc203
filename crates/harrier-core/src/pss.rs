//! Pod Security Standards levels, shared by the posture checks that evaluate them and the
//! namespace labels and reports that mention them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A Pod Security Standards level. Ordered from least to most restrictive, so the level a pod
/// meets is the highest one none of whose controls it violates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PssLevel {
    /// Unrestricted: the pod violates at least one baseline control.
    Privileged,
    /// Prevents known privilege escalations.
    Baseline,
    /// Current pod-hardening best practice.
    Restricted,
}

impl PssLevel {
    /// The lowercase name used by the `pod-security.kubernetes.io/*` labels.
    pub fn as_str(self) -> &'static str {
        match self {
            PssLevel::Privileged => "privileged",
            PssLevel::Baseline => "baseline",
            PssLevel::Restricted => "restricted",
        }
    }
}

impl fmt::Display for PssLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A level name that is not `privileged`, `baseline` or `restricted`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown Pod Security Standards level `{0}` (expected privileged, baseline or restricted)")]
pub struct UnknownPssLevel(pub String);

impl FromStr for PssLevel {
    type Err = UnknownPssLevel;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "privileged" => Ok(PssLevel::Privileged),
            "baseline" => Ok(PssLevel::Baseline),
            "restricted" => Ok(PssLevel::Restricted),
            other => Err(UnknownPssLevel(other.to_owned())),
        }
    }
}
