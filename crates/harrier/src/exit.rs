use std::process::ExitCode;

/// The process exit status, as ripgrep and uv define theirs. Ordered from best to worst, so
/// that `max` combines the statuses of several scans.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    /// Nothing at or above `--fail-on` was found, and no error happened.
    #[default]
    Success,
    /// Findings at or above `--fail-on` remain.
    Findings,
    /// A usage or runtime error happened, or an input could not be read.
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        match status {
            ExitStatus::Success => ExitCode::from(0),
            ExitStatus::Findings => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}
