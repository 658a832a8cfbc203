use std::sync::Arc;

use harrier_core::Location;

/// A file or object that could not be read. Each variant names the file, and the position when
/// there is one; `Display` prints `path:line:col: message`.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The file could not be read.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: Arc<str>,
        /// The operating system's message.
        message: String,
    },
    /// The file is larger than the configured limit.
    #[error(
        "{path}: file is {size} bytes, larger than the limit of {limit} bytes (--max-file-size)"
    )]
    TooLarge {
        /// The file.
        path: Arc<str>,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file is not UTF-8 text.
    #[error("{path}: not UTF-8 text (byte {offset} is invalid)")]
    NotUtf8 {
        /// The file.
        path: Arc<str>,
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// The YAML or JSON is malformed.
    #[error("{location}: invalid YAML: {message}")]
    Syntax {
        /// Where the parser stopped.
        location: Location,
        /// The parser's message, with a hint when the file looks like an unrendered template.
        message: String,
    },
    /// The file is a chart template that was not rendered.
    #[error(
        "{location}: unrendered template expression `{expression}`; render the chart first (`helm template`) and scan its output"
    )]
    UnrenderedTemplate {
        /// Where the expression is.
        location: Location,
        /// The expression, shortened.
        expression: String,
    },
    /// A mapping sets the same key twice. The last value is used (as go-yaml v2 does), so the
    /// object is scanned, but `kubectl --validate=strict` rejects it. A warning.
    #[error("{location}: duplicate key `{key}`; the last value is used")]
    DuplicateKey {
        /// Where the second occurrence is.
        location: Location,
        /// The key.
        key: String,
    },
    /// An object lacks a part a check group needs (a Deployment with no pod template), so
    /// those checks did not run on it. A warning.
    #[error("{location}: {message}")]
    Incomplete {
        /// Where the part should be.
        location: Location,
        /// What is missing and what was not checked.
        message: String,
    },
    /// A built-in workload kind under an API version that does not serve it (`apiVersion: v1` on a
    /// Deployment). The API server would reject it; its pod template is still checked as
    /// written, since no custom resource can live in the core group. A warning.
    #[error(
        "{location}: `apiVersion: {api_version}` does not serve `{kind}` (the API server rejects it); its pod template was checked as written"
    )]
    Unserved {
        /// Where `apiVersion` is.
        location: Location,
        /// The apiVersion given.
        api_version: String,
        /// The kind.
        kind: String,
    },
    /// A resource of a live cluster that could not be read (forbidden, say); the rest was.
    #[error("{path}: {message}")]
    Unread {
        /// `CONTEXT:RESOURCE`, the resource as kubectl names it.
        path: Arc<str>,
        /// Why, and what would allow it.
        message: String,
    },
    /// A document or field does not have the shape Kubernetes requires.
    #[error("{location}: {message}")]
    Invalid {
        /// Where the offending value is.
        location: Location,
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// The file the error is about.
    pub fn path(&self) -> &Arc<str> {
        match self {
            Error::Io { path, .. }
            | Error::TooLarge { path, .. }
            | Error::NotUtf8 { path, .. }
            | Error::Unread { path, .. } => path,
            Error::Syntax { location, .. }
            | Error::UnrenderedTemplate { location, .. }
            | Error::DuplicateKey { location, .. }
            | Error::Incomplete { location, .. }
            | Error::Unserved { location, .. }
            | Error::Invalid { location, .. } => &location.path,
        }
    }

    /// The position in the file, when the error has one.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Error::Syntax { location, .. }
            | Error::UnrenderedTemplate { location, .. }
            | Error::DuplicateKey { location, .. }
            | Error::Incomplete { location, .. }
            | Error::Unserved { location, .. }
            | Error::Invalid { location, .. } => Some(location),
            _ => None,
        }
    }

    /// The message without the path and position prefix.
    pub fn message(&self) -> String {
        let full = self.to_string();
        let prefix = match self.location() {
            Some(l) => format!("{l}: "),
            None => format!("{}: ", self.path()),
        };
        full.strip_prefix(&prefix)
            .map_or(full.clone(), str::to_owned)
    }

    /// Whether this is only a warning: the input was still scanned and the exit status should
    /// not say that errors happened.
    pub fn is_warning(&self) -> bool {
        matches!(
            self,
            Error::DuplicateKey { .. }
                | Error::Incomplete { .. }
                | Error::Unserved { .. }
                | Error::Unread { .. }
        )
    }

    /// Whether the error is about a malformed file (as opposed to IO).
    pub fn is_syntax(&self) -> bool {
        matches!(
            self,
            Error::Syntax { .. } | Error::UnrenderedTemplate { .. }
        )
    }
}
