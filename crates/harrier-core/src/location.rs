//! Where a result came from: a file and a position in it.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

/// A position in a text file. Both numbers start at 1, as editors and SARIF count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Pos {
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub column: u32,
}

impl Pos {
    /// A position from 1-based line and column numbers.
    pub const fn new(line: u32, column: u32) -> Pos {
        Pos { line, column }
    }
}

/// A file and a position in it. The path is shared (`Arc`) because every object and finding of
/// a file points at the same one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// The path as the user gave it (relative paths stay relative); `-` for standard input.
    pub path: Arc<str>,
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1.
    pub column: u32,
}

impl Location {
    /// A location in `path` at `pos`.
    pub fn new(path: Arc<str>, pos: Pos) -> Location {
        Location {
            path,
            line: pos.line,
            column: pos.column,
        }
    }

    /// The position part.
    pub fn pos(&self) -> Pos {
        Pos::new(self.line, self.column)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path, self.line, self.column)
    }
}
