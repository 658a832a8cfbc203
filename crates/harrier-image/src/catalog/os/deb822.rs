//! Debian control-file syntax (deb822(5)), as the dpkg database and machine-readable
//! `copyright` files are written: paragraphs of `Field: value` lines separated by blank lines,
//! with continuation lines starting with a space or a tab.
//!
//! The reader is lenient where dpkg's own files never go wrong but damaged or hand-edited ones
//! do: a line that is not a field is reported and skipped (with the continuation lines that
//! follow it), a repeated field keeps its first value and is reported, and `#` comment lines
//! (which deb822 allows) are skipped. Paragraphs are produced one at a time, borrowing from the
//! text, so a large status file is never held twice.

/// One `Field: value` of a paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Field<'a> {
    /// The field name as written (names compare case-insensitively).
    pub name: &'a str,
    /// The value: the rest of the first line and every continuation line, as written
    /// (continuation lines keep their leading space).
    pub raw: &'a str,
    /// The 1-based line the field starts on.
    pub line: u32,
}

impl<'a> Field<'a> {
    /// The first line of the value, trimmed (the whole value of a simple field, the synopsis
    /// of a `License` field).
    pub fn first_line(&self) -> &'a str {
        self.raw.split('\n').next().unwrap_or("").trim()
    }
}

/// A problem with one line of a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// The 1-based line.
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

/// One paragraph (stanza).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Paragraph<'a> {
    /// The 1-based line of its first line.
    pub line: u32,
    /// Its fields in order, without repeats.
    pub fields: Vec<Field<'a>>,
    /// Lines that could not be read.
    pub problems: Vec<Problem>,
}

impl<'a> Paragraph<'a> {
    /// The field called `name` (case-insensitively).
    pub fn get(&self, name: &str) -> Option<&Field<'a>> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The first line of field `name`'s value, if present and not empty.
    pub fn value(&self, name: &str) -> Option<&'a str> {
        self.get(name)
            .map(Field::first_line)
            .filter(|v| !v.is_empty())
    }
}

/// More fields than this in one paragraph are reported and dropped: no real stanza comes near.
const MAX_FIELDS: usize = 4096;

/// The paragraphs of `text`, in order. Paragraphs with neither fields nor problems (runs of
/// comments) are not produced.
pub(crate) fn paragraphs(text: &str) -> Paragraphs<'_> {
    Paragraphs {
        text,
        pos: 0,
        line: 0,
    }
}

/// An iterator over the paragraphs of a text; see [`paragraphs`].
pub(crate) struct Paragraphs<'a> {
    text: &'a str,
    pos: usize,
    line: u32,
}

impl<'a> Paragraphs<'a> {
    /// The next line (without its `\n` or a trailing `\r`), its start offset and its number.
    fn next_line(&mut self) -> Option<(&'a str, usize, u32)> {
        let rest = self.text.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let start = self.pos;
        let (line, advance) = match rest.find('\n') {
            Some(i) => (rest.get(..i).unwrap_or(""), i + 1),
            None => (rest, rest.len()),
        };
        self.pos += advance;
        self.line = self.line.saturating_add(1);
        Some((line.strip_suffix('\r').unwrap_or(line), start, self.line))
    }
}

fn is_blank(line: &str) -> bool {
    line.bytes().all(|b| b == b' ' || b == b'\t')
}

/// Whether `name` is a deb822 field name: printable US-ASCII except space and colon, not
/// starting with `#` or `-`.
fn is_field_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(['#', '-'])
        && name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
}

impl<'a> Iterator for Paragraphs<'a> {
    type Item = Paragraph<'a>;

    fn next(&mut self) -> Option<Paragraph<'a>> {
        loop {
            let paragraph = self.read_paragraph()?;
            // A paragraph of comments only is not produced: go on to the next one.
            if !(paragraph.fields.is_empty() && paragraph.problems.is_empty()) {
                return Some(paragraph);
            }
        }
    }
}

impl<'a> Paragraphs<'a> {
    /// Reads up to the next blank line; `None` at the end of the text.
    fn read_paragraph(&mut self) -> Option<Paragraph<'a>> {
        let mut paragraph = Paragraph::default();
        // The field continuation lines extend (its index and where its value starts), or
        // `None`; after a line that was skipped, its continuation lines are skipped with it.
        let mut current: Option<(usize, usize)> = None;
        let mut skipping = false;
        let mut started = false;
        while let Some((line, start, number)) = self.next_line() {
            if is_blank(line) {
                if started {
                    break;
                }
                continue;
            }
            if !started {
                started = true;
                paragraph.line = number;
            }
            if line.starts_with([' ', '\t']) {
                match current {
                    Some((index, value_start)) => {
                        let end = start + line.len();
                        if let (Some(field), Some(raw)) = (
                            paragraph.fields.get_mut(index),
                            self.text.get(value_start..end),
                        ) {
                            field.raw = raw;
                        }
                    }
                    None if skipping => {}
                    None => {
                        paragraph.problems.push(Problem {
                            line: number,
                            message: "continuation line without a field before it".to_owned(),
                        });
                        skipping = true;
                    }
                }
                continue;
            }
            if line.starts_with('#') {
                continue;
            }
            current = None;
            skipping = true;
            let Some((name, value)) = line.split_once(':') else {
                paragraph.problems.push(Problem {
                    line: number,
                    message: "expected `Field: value`".to_owned(),
                });
                continue;
            };
            if !is_field_name(name) {
                paragraph.problems.push(Problem {
                    line: number,
                    message: format!("`{}` is not a field name", name.trim()),
                });
                continue;
            }
            if paragraph.get(name).is_some() {
                paragraph.problems.push(Problem {
                    line: number,
                    message: format!("field `{name}` appears twice; the first is used"),
                });
                continue;
            }
            if paragraph.fields.len() >= MAX_FIELDS {
                paragraph.problems.push(Problem {
                    line: number,
                    message: format!("more than {MAX_FIELDS} fields in one paragraph"),
                });
                continue;
            }
            let value_start = start + name.len() + 1;
            paragraph.fields.push(Field {
                name,
                raw: value,
                line: number,
            });
            current = Some((paragraph.fields.len() - 1, value_start));
            skipping = false;
        }
        started.then_some(paragraph)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_continuations() {
        let text =
            "Package: a\nDescription: short\n long\n .\n more\n\n\nPackage: b\r\nVersion: 1\r\n";
        let ps: Vec<_> = paragraphs(text).collect();
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[0].value("package"), Some("a"));
        assert_eq!(
            ps[0].get("Description").map(|f| f.raw),
            Some(" short\n long\n .\n more")
        );
        assert_eq!(ps[0].line, 1);
        assert_eq!(ps[1].line, 8);
        assert_eq!(ps[1].value("Version"), Some("1"));
        assert_eq!(ps[1].get("Version").map(|f| f.line), Some(9));
    }

    #[test]
    fn reports_bad_lines_and_repeats() {
        let text = "  orphan\nPackage: a\nPackage: b\nnot a field\n continued\nno version: x\nVersion: 1\n";
        let ps: Vec<_> = paragraphs(text).collect();
        assert_eq!(ps.len(), 1);
        let p = &ps[0];
        assert_eq!(p.value("Package"), Some("a"));
        assert_eq!(p.value("Version"), Some("1"));
        let lines: Vec<u32> = p.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [1, 3, 4, 6]);
    }

    #[test]
    fn skips_comments_and_whitespace_lines() {
        let text = "# only a comment\n\n#another\n \t\nPackage: a\n# inside\nVersion: 2\n";
        let ps: Vec<_> = paragraphs(text).collect();
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].value("Version"), Some("2"));
        assert!(ps[0].problems.is_empty());
        assert_eq!(paragraphs("").count(), 0);
        assert_eq!(paragraphs("\n\n\n").count(), 0);
    }
}
