//! Go modules' `go.mod`: the modules it requires, with `replace` directives applied.
//!
//! The file is read with `golang.org/x/mod/modfile`'s lexical rules: `//` comments, quoted
//! (`"…"`) and raw (`` `…` ``) strings, and every directive either on one line
//! (`require a v1.0.0`) or as a parenthesised block. Since Go 1.17 a module's `go.mod` lists
//! every module its build needs (`// indirect` marks those it does not import itself, kept as
//! the `go.indirect` property), so the file is a lockfile in all but name.
//!
//! A `replace` with a version on its left applies to that version only, one without to every
//! version, and the versioned one wins. A module replaced by another module is reported as the
//! replacement (its path and version: that is the code that is built), with
//! `go.replaces = "<old path> <old version>"` when that differs; one replaced by a local directory
//! (`=> ../fork`) keeps its path, has an empty version (the code is whatever the directory
//! holds) and `go.replace-dir`. `exclude` and `retract` change which versions may be selected,
//! not what this file requires, and are not applied. The main module is the project itself,
//! not a dependency. Unknown directives and malformed lines are reported, and the rest is read.

use super::read;
use crate::catalog::{CatalogError, Cataloger, FileMeta, Found, Scope, Want};
use crate::{Package, PackageKind};

/// The cataloger.
pub static GO_MOD: GoMod = GoMod;

/// See the module docs.
#[derive(Debug)]
pub struct GoMod;

/// `go.mod` files are kilobytes; Kubernetes' is 15 KB.
const CAP: u64 = 4 << 20;

impl Cataloger for GoMod {
    fn name(&self) -> &'static str {
        "go-mod"
    }

    fn scope(&self) -> Scope {
        Scope::SourceTree
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if file.name() == "go.mod" && !read::under_dir(file.path, "vendor") {
            read::content(CAP)
        } else {
            Want::No
        }
    }

    fn catalog(&self, file: &FileMeta<'_>, content: &[u8]) -> Result<Found, CatalogError> {
        let text = read::text(file, content)?;
        let parsed = parse(text);
        let mut found = Found {
            packages: Vec::new(),
            errors: parsed
                .errors
                .into_iter()
                .map(|(line, message)| CatalogError::new(file.path, Some(line), message))
                .collect(),
        };
        let mut packages = read::Packages::default();
        for require in &parsed.requires {
            let exact = parsed.replaces.iter().find(|r| {
                r.old_path == require.path
                    && r.old_version.as_deref() == Some(require.version.as_str())
            });
            let any = || {
                parsed
                    .replaces
                    .iter()
                    .find(|r| r.old_path == require.path && r.old_version.is_none())
            };
            let mut package = match exact.or_else(any) {
                Some(replace) if replace.new_version.is_none() || is_local(&replace.new_path) => {
                    let mut p = Package::new(PackageKind::GoModule, &require.path, "", file.path);
                    p.metadata
                        .insert("go.replace-dir".to_owned(), replace.new_path.clone());
                    p
                }
                Some(replace) => {
                    let version = replace.new_version.as_deref().unwrap_or_default();
                    let mut p =
                        Package::new(PackageKind::GoModule, &replace.new_path, version, file.path);
                    if replace.new_path != require.path || version != require.version {
                        p.metadata.insert(
                            "go.replaces".to_owned(),
                            format!("{} {}", require.path, require.version),
                        );
                    }
                    p
                }
                None => Package::new(
                    PackageKind::GoModule,
                    &require.path,
                    &require.version,
                    file.path,
                ),
            };
            if require.indirect {
                package
                    .metadata
                    .insert("go.indirect".to_owned(), "true".to_owned());
            }
            packages.push(package);
        }
        found.packages = packages.into_vec();
        Ok(found)
    }
}

fn is_local(path: &str) -> bool {
    path.starts_with("./")
        || path.starts_with("../")
        || path.starts_with('/')
        || path == "."
        || path == ".."
}

/// A `require` line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Require {
    pub path: String,
    pub version: String,
    pub indirect: bool,
}

/// A `replace` line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Replace {
    pub old_path: String,
    pub old_version: Option<String>,
    pub new_path: String,
    pub new_version: Option<String>,
}

/// What a `go.mod` says, and the lines it could not read.
#[derive(Debug, Default)]
pub(crate) struct ModFile {
    pub module: Option<String>,
    pub requires: Vec<Require>,
    pub replaces: Vec<Replace>,
    pub errors: Vec<(u32, String)>,
}

/// The directives `modfile` knows; others are errors.
const VERBS: &[&str] = &[
    "module",
    "go",
    "toolchain",
    "godebug",
    "require",
    "exclude",
    "replace",
    "retract",
    "tool",
    "ignore",
];

pub(crate) fn parse(text: &str) -> ModFile {
    let mut file = ModFile::default();
    let mut block: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(i).unwrap_or(u32::MAX).saturating_add(1);
        let (tokens, comment) = match tokenize(raw) {
            Ok(t) => t,
            Err(message) => {
                file.errors.push((line_no, message));
                continue;
            }
        };
        let Some(first) = tokens.first() else {
            continue;
        };
        if let Some(verb) = block.clone() {
            if first == ")" && tokens.len() == 1 {
                block = None;
                continue;
            }
            statement(&mut file, line_no, &verb, &tokens, comment);
            continue;
        }
        if !VERBS.contains(&first.as_str()) {
            file.errors
                .push((line_no, format!("unknown directive `{first}`")));
            continue;
        }
        let args = tokens.get(1..).unwrap_or_default();
        if args.len() == 1 && args.first().map(String::as_str) == Some("(") {
            block = Some(first.clone());
            continue;
        }
        statement(&mut file, line_no, first, args, comment);
    }
    if block.is_some() {
        file.errors.push((
            u32::try_from(text.lines().count()).unwrap_or(u32::MAX),
            "unclosed `(` block".to_owned(),
        ));
    }
    file
}

fn statement(file: &mut ModFile, line: u32, verb: &str, args: &[String], comment: &str) {
    match verb {
        "module" => match args {
            [path] => file.module = Some(path.clone()),
            _ => file
                .errors
                .push((line, "usage: module module/path".to_owned())),
        },
        "require" => match args {
            [path, version] => file.requires.push(Require {
                path: path.clone(),
                version: version.clone(),
                indirect: is_indirect(comment),
            }),
            _ => file
                .errors
                .push((line, "usage: require module/path v1.2.3".to_owned())),
        },
        "replace" => {
            let arrow = args.iter().position(|a| a == "=>");
            let parsed = match (arrow, args) {
                (Some(1), [old, _, new]) => Some((old, None, new, None)),
                (Some(1), [old, _, new, nv]) => Some((old, None, new, Some(nv))),
                (Some(2), [old, ov, _, new]) => Some((old, Some(ov), new, None)),
                (Some(2), [old, ov, _, new, nv]) => Some((old, Some(ov), new, Some(nv))),
                _ => None,
            };
            match parsed {
                Some((old, ov, new, nv)) => file.replaces.push(Replace {
                    old_path: old.clone(),
                    old_version: ov.cloned(),
                    new_path: new.clone(),
                    new_version: nv.cloned(),
                }),
                None => file.errors.push((
                    line,
                    "usage: replace module/path [v1.2.3] => other/module v1.4 | ../local/directory"
                        .to_owned(),
                )),
            }
        }
        _ => {}
    }
}

/// `// indirect` as the line comment's first word, as `modfile` reads it (`// indirect; for x`).
fn is_indirect(comment: &str) -> bool {
    let comment = comment.trim();
    comment == "indirect" || comment.starts_with("indirect;") || comment.starts_with("indirect ")
}

/// The line's tokens (strings unquoted, `(`, `)` and `=>` separate) and its `//` comment.
fn tokenize(line: &str) -> Result<(Vec<String>, &str), String> {
    let mut tokens = Vec::new();
    let mut rest = line.trim_start();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return Ok((tokens, ""));
        }
        if let Some(comment) = rest.strip_prefix("//") {
            return Ok((tokens, comment));
        }
        if let Some(after) = rest.strip_prefix("=>") {
            tokens.push("=>".to_owned());
            rest = after;
            continue;
        }
        if let Some(after) = rest.strip_prefix('(') {
            tokens.push("(".to_owned());
            rest = after;
            continue;
        }
        if let Some(after) = rest.strip_prefix(')') {
            tokens.push(")".to_owned());
            rest = after;
            continue;
        }
        if let Some(after) = rest.strip_prefix('`') {
            let end = after.find('`').ok_or("unterminated raw string")?;
            tokens.push(after.get(..end).unwrap_or_default().to_owned());
            rest = after.get(end + 1..).unwrap_or_default();
            continue;
        }
        if let Some(after) = rest.strip_prefix('"') {
            let (value, len) = quoted(after)?;
            tokens.push(value);
            rest = after.get(len..).unwrap_or_default();
            continue;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '"' || c == '`' || c == '(' || c == ')')
            .unwrap_or(rest.len());
        let word = rest.get(..end).unwrap_or_default();
        // `=>` and `//` end a word too: `a=>b` and `v1.0.0// indirect` are valid.
        let cut = [word.find("=>"), word.find("//")]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(word.len());
        let cut = if cut == 0 { word.len() } else { cut };
        tokens.push(word.get(..cut).unwrap_or_default().to_owned());
        rest = rest.get(cut..).unwrap_or_default();
    }
}

/// An interpreted string's value and how many bytes (closing quote included) it took.
fn quoted(s: &str) -> Result<(String, usize), String> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, i + 1)),
            '\\' => match chars.next() {
                Some((_, e @ ('"' | '\\'))) => out.push(e),
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                _ => return Err("unsupported escape in quoted string".to_owned()),
            },
            c => out.push(c),
        }
    }
    Err("unterminated quoted string".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert_eq!(
            tokenize("  golang.org/x/net v1.2.3 => ./fork/net // indirect").unwrap(),
            (
                vec![
                    "golang.org/x/net".to_owned(),
                    "v1.2.3".to_owned(),
                    "=>".to_owned(),
                    "./fork/net".to_owned()
                ],
                " indirect"
            )
        );
        assert_eq!(tokenize("require (").unwrap().0, ["require", "("]);
        assert_eq!(tokenize("\"a b\" `c`").unwrap().0, ["a b", "c"]);
        assert_eq!(tokenize("a=>b").unwrap().0, ["a", "=>", "b"]);
        assert!(tokenize("\"open").is_err());
    }

    #[test]
    fn directives() {
        let file = parse(
            "module example.com/m\n\ngo 1.21\n\nrequire a.com/x v1.0.0\nrequire (\n\tb.com/y v0.1.0 // indirect\n\t// c.com/z v9\n)\nreplace a.com/x => ../x\nbogus line\nrequire too many args here\n",
        );
        assert_eq!(file.module.as_deref(), Some("example.com/m"));
        assert_eq!(file.requires.len(), 2);
        assert!(file.requires[1].indirect);
        assert_eq!(file.replaces.len(), 1);
        assert_eq!(
            file.errors.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            [11, 12]
        );
    }
}
