//! Messages for people on stderr (errors, warnings, notes), separate from results on stdout.

use std::io::{IsTerminal, Write};

use crate::cli::{ColorChoice, GlobalArgs};

/// Writes diagnostics to stderr, honouring `-q` and `-v`.
pub struct Printer {
    quiet: bool,
    verbose: u8,
    color: bool,
}

impl Printer {
    pub fn new(global: &GlobalArgs) -> Printer {
        Printer {
            quiet: global.quiet,
            verbose: global.verbose,
            color: global.color.enabled(std::io::stderr().is_terminal()),
        }
    }

    /// Always printed, even under `-q`.
    pub fn error(&self, message: &str) {
        self.line("error", anstyle_red(), message);
    }

    /// Printed unless `-q`.
    pub fn warning(&self, message: &str) {
        if !self.quiet {
            self.line("warning", anstyle_yellow(), message);
        }
    }

    /// Printed only with `-v`.
    pub fn note(&self, message: &str) {
        if self.verbose > 0 && !self.quiet {
            self.line("note", "", message);
        }
    }

    /// Whether to draw progress bars: on a terminal, unless `-q`, `-v` or `--no-progress`.
    pub fn shows_progress(&self, global: &GlobalArgs) -> bool {
        !self.quiet && self.verbose == 0 && !global.no_progress && std::io::stderr().is_terminal()
    }

    fn line(&self, label: &str, style: &str, message: &str) {
        let mut err = std::io::stderr().lock();
        let _ = if self.color && !style.is_empty() {
            writeln!(err, "{style}{label}\x1b[0m: {message}")
        } else {
            writeln!(err, "{label}: {message}")
        };
    }
}

fn anstyle_red() -> &'static str {
    "\x1b[1;31m"
}

fn anstyle_yellow() -> &'static str {
    "\x1b[1;33m"
}

impl ColorChoice {
    /// Whether to colour output going to a stream that is (or is not) a terminal.
    pub fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal && std::env::var_os(crate::env::NO_COLOR).is_none(),
        }
    }
}
