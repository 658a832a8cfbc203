//! Compliance frameworks as data, and their evaluation over Harrier's reports.
//!
//! [`framework`] reads the embedded framework files (`frameworks/*.yaml`: CIS Kubernetes
//! Benchmark 1.10, NSA-CISA hardening guide, MITRE ATT&CK containers, Microsoft Threat Matrix
//! for Kubernetes, PCI DSS 4.0, HIPAA Security Rule, SOC 2, NIST 800-53 rev. 5), each control
//! naming the Harrier checks that evidence it. [`input`] reads any number of Harrier JSON
//! reports (posture, RBAC risks, image, node, `scan all`) into what was evaluated and what
//! failed; [`evaluate()`] decides every control pass, fail or not covered, with a score.
//! [`checks`] holds the checks derived from image reports, which the binary adds to its
//! catalogue. Rendering lives in harrier-report.
//!
//! The mapping is kept honest by the crate's tests: every referenced check exists, the checks'
//! own CIS and ATT&CK references agree with the files, and the files agree with the upstream
//! control lists in the shared corpus (kube-bench, Kubescape, ATT&CK, the Microsoft matrix).
//!
//! ```
//! let framework = harrier_compliance::framework::get("cis").unwrap();
//! let mut obs = harrier_compliance::Observations::default();
//! obs.read("scan.json", r#"{"findings": [], "workloads": [], "checks": ["HRR-PSS-001"]}"#).unwrap();
//! let report = harrier_compliance::evaluate(framework, &obs);
//! assert_eq!(report.summary.failed, 0);
//! ```
#![warn(missing_docs)]

pub mod checks;
pub mod evaluate;
pub mod framework;
pub mod input;

pub use evaluate::{ComplianceReport, ControlResult, Status, Tally, evaluate};
pub use framework::{CheckRef, Control, Framework};
pub use input::{InputInfo, Observations, Observed};

/// What can go wrong reading frameworks and reports.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// A framework file is malformed.
    #[error("{file}:{line}:{column}: {message}")]
    Framework {
        /// The file.
        file: String,
        /// Line, from 1.
        line: u32,
        /// Column, from 1.
        column: u32,
        /// What is wrong.
        message: String,
    },
    /// No framework has this id.
    #[error("unknown framework `{name}`; known: {known}")]
    UnknownFramework {
        /// What was asked for.
        name: String,
        /// The ids there are.
        known: String,
    },
    /// A report is not JSON.
    #[error("{file}:{line}:{column}: not JSON: {message}")]
    Json {
        /// The file.
        file: String,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// A report is JSON, but a field has the wrong type for a Harrier report.
    #[error("{file}:{line}:{column}: malformed report: {message}")]
    Malformed {
        /// The file.
        file: String,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A report is JSON but not a Harrier report, or malformed.
    #[error("{file}: {message}")]
    Input {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
}
