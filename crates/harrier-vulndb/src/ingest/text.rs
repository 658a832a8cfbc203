//! Small helpers the feed parsers share: decoding text, turning parser offsets into line and
//! column, and the one error type parsers return before the dispatcher adds the file's path.

use std::fmt;

use harrier_core::Pos;

/// A problem at a position in one file. Parsers return it without the file's path, which the
/// import dispatcher adds (an archive member's path is only known there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Where in the file, when the parser knows.
    pub pos: Option<Pos>,
    /// What is wrong, lowercase, no final period.
    pub message: String,
}

impl ParseError {
    /// A problem at `pos`.
    pub fn at(pos: Pos, message: impl Into<String>) -> ParseError {
        ParseError {
            pos: Some(pos),
            message: message.into(),
        }
    }

    /// A problem at line `line`, column 1.
    pub fn at_line(line: u32, message: impl Into<String>) -> ParseError {
        ParseError::at(Pos::new(line, 1), message)
    }

    /// A problem with the file as a whole.
    pub fn whole_file(message: impl Into<String>) -> ParseError {
        ParseError {
            pos: None,
            message: message.into(),
        }
    }

    /// A `serde_json` error, at the position it reports.
    pub fn from_json(error: &serde_json::Error) -> ParseError {
        // serde_json reports line 0 when it has no position (an I/O error, which cannot happen
        // on a slice); the message then stands alone.
        let pos = (error.line() > 0)
            .then(|| Pos::new(saturate(error.line()), saturate(error.column().max(1))));
        ParseError {
            pos,
            message: json_message(error),
        }
    }

    /// A typed-view error from the YAML reader.
    pub fn from_yaml(error: &harrier_core::yaml::de::DeError) -> ParseError {
        ParseError {
            pos: error.pos,
            message: error.message.clone(),
        }
    }

    /// Moves the position down by `lines` (for text embedded in a larger file).
    pub fn shifted(mut self, lines: u32) -> ParseError {
        if let Some(pos) = &mut self.pos {
            pos.line = pos.line.saturating_add(lines);
        }
        self
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some(p) => write!(f, "{}:{}: {}", p.line, p.column, self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ParseError {}

/// serde_json appends " at line L column C" to its messages; the position is kept separately.
fn json_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(cut) if error.line() > 0 => text.get(..cut).unwrap_or(&text).to_owned(),
        _ => text,
    }
}

/// A `usize` as `u32`, saturating (line numbers beyond 4 billion are not worth an error).
pub fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Decodes UTF-8, dropping a leading byte-order mark; the error names the first bad byte.
pub fn utf8(bytes: &[u8]) -> Result<&str, usize> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| e.valid_up_to())
}

/// The line and column (in characters, from 1) of byte `offset` in `text`. Offsets past the end
/// or inside a character are clamped to the nearest earlier boundary.
pub fn pos_of_offset(text: &str, offset: usize) -> Pos {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).unwrap_or_default().chars().count() + 1;
    Pos::new(saturate(line), saturate(column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let text = "ab\ncdé\nf";
        assert_eq!(pos_of_offset(text, 0), Pos::new(1, 1));
        assert_eq!(pos_of_offset(text, 4), Pos::new(2, 2));
        assert_eq!(pos_of_offset(text, 7), Pos::new(2, 4));
        assert_eq!(pos_of_offset(text, 8), Pos::new(3, 1));
        // Inside `é` and past the end: clamped, never a panic.
        assert_eq!(pos_of_offset(text, 6), Pos::new(2, 3));
        assert_eq!(pos_of_offset(text, 99), Pos::new(3, 2));
    }

    #[test]
    fn json_errors_keep_their_position_apart() {
        let err = serde_json::from_str::<serde_json::Value>("{\n  \"a\": ]").unwrap_err();
        let parsed = ParseError::from_json(&err);
        assert_eq!(parsed.pos, Some(Pos::new(2, 8)));
        assert!(!parsed.message.contains("line"), "{}", parsed.message);
    }

    #[test]
    fn utf8_drops_a_byte_order_mark() {
        assert_eq!(utf8(b"\xEF\xBB\xBFid"), Ok("id"));
        assert_eq!(utf8(b"ab\xFF"), Err(2));
    }
}
