//! Decoders of recorded event streams into [`Event`]s: Harrier's own JSON lines and Kubernetes
//! audit logs (see [`crate::event::audit`]).

use crate::event::Event;
use crate::event::audit::DecodeError;

/// Decodes Harrier's JSON lines (one [`Event`] per line). Bad lines are reported with their
/// line number and skipped.
pub fn harrier_lines(text: &str) -> (Vec<Event>, Vec<DecodeError>) {
    let mut events = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Event>(line) {
            Ok(e) => events.push(e),
            Err(e) => errors.push(DecodeError {
                line: line_no,
                column: u32::try_from(e.column()).unwrap_or(u32::MAX),
                message: format!("not a Harrier event: {e}"),
            }),
        }
    }
    (events, errors)
}
