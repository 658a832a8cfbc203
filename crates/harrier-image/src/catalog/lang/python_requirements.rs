//! pip requirements files (`requirements.txt`, `requirements-dev.txt`, `dev-requirements.txt`,
//! any `*.txt` in a `requirements/` directory): the pinned entries, `name==version`.
//!
//! Lines are read as pip reads them (`pip/_internal/req/req_file.py`): a line ending in `\` is
//! joined with the next, with backslashes stripped from both ends of the joined piece, before
//! comments are removed (a `#` at the start or after white space starts one). A requirement
//! ends at its first option token (`--hash=…`, `--global-option`); the rest is PEP 508:
//! `name[extras] specifiers ; markers`.
//!
//! Only exact pins (`==1.2.3`, `===1.2.3`, not `==1.*`) name a version, so only they are
//! packages: `flask`, `keyring>=4.1` and `Mopidy-Dirble~=1.1` say what is allowed, not what is
//! installed, and reporting them with a made-up version would invent vulnerabilities or hide
//! them. Options (`-r other.txt`, `-c`, `-e`, `--index-url`), direct references (`name @ url`)
//! and bare paths or URLs are not packages either; an included file is cataloged on its own
//! when its name matches. A line that is none of these is reported, and the rest is read.
//! Markers are kept as the `python.marker` property (they are not evaluated: the same file
//! serves several platforms).

use super::read;
use crate::catalog::{CatalogError, Cataloger, FileMeta, Found, Scope, Want};
use crate::{Package, PackageKind};

/// The cataloger.
pub static PYTHON_REQUIREMENTS: PythonRequirements = PythonRequirements;

/// See the module docs.
#[derive(Debug)]
pub struct PythonRequirements;

/// Requirements files are small; a cap this size is generous.
const CAP: u64 = 4 << 20;

impl Cataloger for PythonRequirements {
    fn name(&self) -> &'static str {
        "python-requirements"
    }

    fn scope(&self) -> Scope {
        Scope::SourceTree
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        let name = file.name();
        let Some(stem) = name.strip_suffix(".txt") else {
            return Want::No;
        };
        if stem.contains("requirements") || read::parent_name(file.path) == Some("requirements") {
            read::content(CAP)
        } else {
            Want::No
        }
    }

    fn catalog(&self, file: &FileMeta<'_>, content: &[u8]) -> Result<Found, CatalogError> {
        let text = read::text(file, content)?;
        let mut found = Found::default();
        let mut packages = read::Packages::default();
        for (line_no, line) in logical_lines(text) {
            match parse_line(&line) {
                Ok(Some(pin)) => {
                    let mut package =
                        Package::new(PackageKind::Python, pin.name, pin.version, file.path);
                    if let Some(marker) = pin.marker {
                        package.metadata.insert("python.marker".to_owned(), marker);
                    }
                    packages.push(package);
                }
                Ok(None) => {}
                Err(message) => {
                    found
                        .errors
                        .push(CatalogError::new(file.path, Some(line_no), message))
                }
            }
        }
        found.packages = packages.into_vec();
        Ok(found)
    }
}

/// An exact pin.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Pin {
    pub name: String,
    pub version: String,
    pub marker: Option<String>,
}

/// Joins continuation lines and drops comments, as pip does; yields each logical line that is
/// left with the number of its first physical line.
pub(crate) fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(u32, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let line_no = u32::try_from(i).unwrap_or(u32::MAX).saturating_add(1);
        let line = line.strip_suffix('\r').unwrap_or(line);
        let is_comment = is_comment_line(line);
        if !line.ends_with('\\') || is_comment {
            let line = if is_comment {
                format!(" {line}")
            } else {
                line.to_owned()
            };
            match pending.take() {
                Some((first, mut joined)) => {
                    joined.push_str(&line);
                    out.push((first, joined));
                }
                None => out.push((line_no, line)),
            }
        } else {
            let piece = line.trim_matches('\\');
            match &mut pending {
                Some((_, joined)) => joined.push_str(piece),
                None => pending = Some((line_no, piece.to_owned())),
            }
        }
    }
    out.extend(pending);
    out.into_iter()
        .filter_map(|(n, l)| {
            let l = strip_comment(&l).trim().to_owned();
            (!l.is_empty()).then_some((n, l))
        })
        .collect()
}

/// pip's `COMMENT_RE.match`: a comment from the start of the line, after optional white space.
fn is_comment_line(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// Drops a `#` comment that is at the start or follows white space.
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes.get(i - 1).is_some_and(u8::is_ascii_whitespace)) {
            return line.get(..i).unwrap_or(line);
        }
    }
    line
}

/// Reads one logical line: `Ok(Some)` for an exact pin, `Ok(None)` for anything valid that is
/// not one, `Err` for a line pip would reject.
pub(crate) fn parse_line(line: &str) -> Result<Option<Pin>, String> {
    let line = line.trim();
    if line.starts_with('-') {
        return Ok(None);
    }
    // pip: the requirement is every space-separated token before the first option token.
    let requirement: Vec<&str> = line
        .split(' ')
        .take_while(|t| !t.starts_with('-'))
        .collect();
    let requirement = requirement.join(" ");
    let requirement = requirement.trim();
    if requirement.is_empty() {
        return Ok(None);
    }
    if is_path_or_url(requirement) {
        return Ok(None);
    }
    let (name, rest) = split_name(requirement);
    if name.is_empty() {
        return Err(format!("`{requirement}` is not a requirement"));
    }
    let mut rest = rest.trim_start();
    if let Some(after) = rest.strip_prefix('[') {
        let Some(end) = after.find(']') else {
            return Err(format!("unclosed extras in `{requirement}`"));
        };
        rest = after.get(end + 1..).unwrap_or("").trim_start();
    }
    if rest.starts_with('@') {
        return Ok(None);
    }
    let (specifiers, marker) = match rest.split_once(';') {
        Some((s, m)) => (s.trim(), Some(m.trim()).filter(|m| !m.is_empty())),
        None => (rest.trim(), None),
    };
    let specifiers = specifiers
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or(specifiers)
        .trim();
    if specifiers.is_empty() {
        return Ok(None);
    }
    let mut pinned = None;
    for clause in specifiers.split(',') {
        let clause = clause.trim();
        let (op, version) = split_operator(clause)
            .ok_or_else(|| format!("invalid version specifier `{clause}` for `{name}`"))?;
        let version = version.trim();
        if version.is_empty() || version.contains(char::is_whitespace) {
            return Err(format!("invalid version specifier `{clause}` for `{name}`"));
        }
        if (op == "==" && !version.ends_with(".*")) || op == "===" {
            pinned = Some(version.to_owned());
        }
    }
    Ok(pinned.map(|version| Pin {
        name: name.to_owned(),
        version,
        marker: marker.map(str::to_owned),
    }))
}

/// Requirements that are a wheel, archive or directory path or a URL rather than a name.
fn is_path_or_url(requirement: &str) -> bool {
    requirement.starts_with(['.', '/', '~'])
        || requirement.contains("://")
        || requirement.starts_with("file:")
        || [".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz"]
            .iter()
            .any(|ext| requirement.ends_with(ext))
}

/// PEP 508 names: ASCII letters and digits, with `.`, `_`, `-` inside.
fn split_name(requirement: &str) -> (&str, &str) {
    let end = requirement
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        .unwrap_or(requirement.len());
    let name = requirement
        .get(..end)
        .unwrap_or("")
        .trim_end_matches(['.', '_', '-']);
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return ("", requirement);
    }
    (name, requirement.get(name.len()..).unwrap_or(""))
}

fn split_operator(clause: &str) -> Option<(&'static str, &str)> {
    ["===", "==", "!=", "~=", ">=", "<=", ">", "<"]
        .into_iter()
        .find_map(|op| clause.strip_prefix(op).map(|rest| (op, rest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pin(line: &str) -> Option<(String, String)> {
        parse_line(line).unwrap().map(|p| (p.name, p.version))
    }

    #[test]
    fn pins() {
        assert_eq!(
            pin("django==2.2.24"),
            Some(("django".into(), "2.2.24".into()))
        );
        assert_eq!(
            pin("Twisted[http2] == 20.3.0"),
            Some(("Twisted".into(), "20.3.0".into()))
        );
        assert_eq!(
            pin("zope.interface===5.4.0"),
            Some(("zope.interface".into(), "5.4.0".into()))
        );
        assert_eq!(pin("foo (==1.0)"), Some(("foo".into(), "1.0".into())));
        assert_eq!(pin("foo>=1.0,==1.2"), Some(("foo".into(), "1.2".into())));
        let p = parse_line("pywin32==306; sys_platform == 'win32'")
            .unwrap()
            .unwrap();
        assert_eq!(p.marker.as_deref(), Some("sys_platform == 'win32'"));
    }

    #[test]
    fn not_pins() {
        for line in [
            "flask",
            "keyring >= 4.1.1",
            "Mopidy-Dirble ~= 1.1",
            "foo==1.*",
            "-r other.txt",
            "-e git+https://github.com/a/b#egg=b",
            "--index-url https://example.com/simple",
            "./downloads/numpy-1.9.2-cp34-none-win32.whl",
            "http://wxpython.org/Phoenix/wxPython_Phoenix-3.0.3.dev1820+49a8884-cp34-none-win_amd64.whl",
            "pip @ https://github.com/pypa/pip/archive/1.3.1.zip",
            "requests[security]",
        ] {
            assert_eq!(parse_line(line), Ok(None), "{line}");
        }
    }

    #[test]
    fn bad_lines_are_errors() {
        assert!(parse_line("foo ==").is_err());
        assert!(parse_line("foo = 1").is_err());
        assert!(parse_line("foo[bar == 1").is_err());
        assert!(parse_line("@@@").is_err());
    }

    #[test]
    fn continuations_and_comments_follow_pip() {
        let text = "foo==\\\n\\\n \\\n  \\\n1.2.3\n\nbar == 4.5\\\\\n.6\n\nbaz == 7.8.9 # \\\nbaz == 1.2.3\n\nqux == 10.11.12\\\n";
        let lines = logical_lines(text);
        let pins: Vec<_> = lines
            .iter()
            .filter_map(|(n, l)| parse_line(l).unwrap().map(|p| (*n, p.name, p.version)))
            .collect();
        assert_eq!(
            pins,
            [
                (1, "foo".to_owned(), "1.2.3".to_owned()),
                (7, "bar".to_owned(), "4.5.6".to_owned()),
                (10, "baz".to_owned(), "7.8.9".to_owned()),
                (13, "qux".to_owned(), "10.11.12".to_owned()),
            ]
        );
        assert_eq!(
            logical_lines("a==1#not-a-comment # comment\n  # only\n"),
            [(1, "a==1#not-a-comment".to_owned())]
        );
    }

    #[test]
    fn hashes_and_options_end_the_requirement() {
        assert_eq!(
            pin("FooProject == 1.2 --hash=sha256:2cf24dba --hash=sha256:486ea462"),
            Some(("FooProject".into(), "1.2".into()))
        );
        assert_eq!(
            pin("BarProject >= 1.2 --global-option=\"--no-user-cfg\""),
            None
        );
    }
}
