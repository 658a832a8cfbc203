//! Yarn lockfiles, `yarn.lock`: the classic format (Yarn 1) and the YAML one (Yarn 2+, "berry").
//!
//! Yarn 1 writes its own format, close to YAML but not YAML: an entry starts at column 0 with
//! the comma-separated descriptors it satisfies (`"@babel/core@^7.0.0", "@babel/core@^7.1.0":`),
//! and its fields follow indented, as `key value` pairs whose keys and values may be quoted
//! (`version "7.1.0"`, or `"version" "7.1.0"`); deeper blocks (`dependencies:`) are skipped.
//! The package name is the first descriptor's, before the `@` that starts its range; an alias
//! descriptor (`string-width-cjs@npm:string-width@^4.2.0`) installs the name after `npm:`.
//!
//! Yarn 2+ files are YAML with a `__metadata` entry; each entry has a `resolution`
//! (`lodash@npm:4.17.21`) whose name is the real one (aliases resolve to it), and a `version`.
//! Workspace entries (`resolution: "app@workspace:."`) are the project itself and are left out;
//! `patch:` entries are the same release as the one they patch and merge with it.
//!
//! Git dependencies keep their commit (`#<sha>`, `#commit=<sha>`, a codeload URL) as
//! `vcs.commit`. Lockfiles inside `node_modules` (published with some packages) are not read.

use harrier_core::yaml::Node;

use super::read;
use crate::catalog::{CatalogError, Cataloger, FileMeta, Found, Scope, Want};
use crate::{Package, PackageKind};

/// The cataloger.
pub static YARN_LOCK: YarnLock = YarnLock;

/// See the module docs.
#[derive(Debug)]
pub struct YarnLock;

impl Cataloger for YarnLock {
    fn name(&self) -> &'static str {
        "yarn-lock"
    }

    fn scope(&self) -> Scope {
        Scope::SourceTree
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if file.name() == "yarn.lock" && !read::under_dir(file.path, "node_modules") {
            read::content(read::LOCKFILE_CAP)
        } else {
            Want::No
        }
    }

    fn catalog(&self, file: &FileMeta<'_>, content: &[u8]) -> Result<Found, CatalogError> {
        let text = read::text(file, content)?;
        if is_berry(text) {
            berry(file, content)
        } else {
            Ok(classic(file.path, text))
        }
    }
}

/// Yarn 2+ files start (after comments) with the `__metadata:` entry.
fn is_berry(text: &str) -> bool {
    text.lines()
        .map(str::trim_end)
        .any(|l| l == "__metadata:" || l == "\"__metadata\":")
}

fn berry(file: &FileMeta<'_>, content: &[u8]) -> Result<Found, CatalogError> {
    let docs = read::yaml_documents(file, content)?;
    let mut found = Found::default();
    let mut packages = read::Packages::default();
    let Some(root) = docs.first() else {
        return Ok(found);
    };
    let Some(map) = root.as_map() else {
        return Err(CatalogError::new(
            file.path,
            Some(root.pos.line),
            "not a yarn.lock: the document is not a mapping",
        ));
    };
    for entry in map.entries() {
        if entry.key == "__metadata" {
            continue;
        }
        match berry_entry(file.path, &entry.key, &entry.value) {
            Ok(Some(package)) => packages.push(package),
            Ok(None) => {}
            Err(message) => found.errors.push(CatalogError::new(
                file.path,
                Some(entry.key_pos.line),
                message,
            )),
        }
    }
    found.packages = packages.into_vec();
    Ok(found)
}

fn berry_entry(path: &str, key: &str, body: &Node) -> Result<Option<Package>, String> {
    let resolution = read::yaml_str(body, "resolution");
    let descriptor = resolution.as_deref().unwrap_or(key);
    let (name, range) =
        split_descriptor(descriptor).ok_or_else(|| format!("entry `{key}` has no package name"))?;
    if range.starts_with("workspace:") || range.starts_with("link:") || range.starts_with("portal:")
    {
        return Ok(None);
    }
    let version =
        read::yaml_str(body, "version").ok_or_else(|| format!("entry `{key}` has no version"))?;
    let mut package = Package::new(PackageKind::Npm, name, version, path);
    if let Some(commit) = read::vcs_commit(range) {
        package
            .metadata
            .insert(read::COMMIT_KEY.to_owned(), commit.to_owned());
    }
    Ok(Some(package))
}

/// Splits `name@range` at the `@` after the name (a scope's `@` is part of the name).
fn split_descriptor(descriptor: &str) -> Option<(&str, &str)> {
    let descriptor = descriptor.trim();
    let at = descriptor.get(1..)?.find('@')? + 1;
    let name = descriptor.get(..at)?;
    let range = descriptor.get(at + 1..)?;
    (!name.is_empty() && name != "@").then_some((name, range))
}

/// The name a Yarn 1 descriptor installs: an `npm:` alias names another package.
fn installed_name(descriptor: &str) -> Option<&str> {
    let (name, range) = split_descriptor(descriptor)?;
    match range.strip_prefix("npm:") {
        Some(aliased) => match split_descriptor(aliased) {
            Some((real, _)) => Some(real),
            // `alias@npm:real` without a range.
            None => Some(aliased).filter(|a| !a.is_empty()),
        },
        None => Some(name),
    }
}

/// An entry of a Yarn 1 file being read.
struct ClassicEntry<'a> {
    line: u32,
    descriptors: &'a str,
    version: Option<String>,
    resolved: Option<String>,
}

fn classic(path: &str, text: &str) -> Found {
    let mut found = Found::default();
    let mut packages = read::Packages::default();
    let mut current: Option<ClassicEntry<'_>> = None;
    let finish = |entry: ClassicEntry<'_>, found: &mut Found, packages: &mut read::Packages| {
        let first = entry
            .descriptors
            .split(',')
            .next()
            .map(unquote)
            .unwrap_or("");
        let Some(name) = installed_name(first) else {
            found.errors.push(CatalogError::new(
                path,
                Some(entry.line),
                format!("`{first}` names no package"),
            ));
            return;
        };
        let Some(version) = entry.version else {
            found.errors.push(CatalogError::new(
                path,
                Some(entry.line),
                format!("entry for `{name}` has no version"),
            ));
            return;
        };
        let mut package = Package::new(PackageKind::Npm, name, version, path);
        if let Some(commit) = entry.resolved.as_deref().and_then(read::vcs_commit) {
            package
                .metadata
                .insert(read::COMMIT_KEY.to_owned(), commit.to_owned());
        }
        packages.push(package);
    };
    for (i, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(i).unwrap_or(u32::MAX).saturating_add(1);
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        if indent == 0 {
            if let Some(entry) = current.take() {
                finish(entry, &mut found, &mut packages);
            }
            match line.trim_end().strip_suffix(':') {
                Some(descriptors) => {
                    current = Some(ClassicEntry {
                        line: line_no,
                        descriptors,
                        version: None,
                        resolved: None,
                    });
                }
                None => found.errors.push(CatalogError::new(
                    path,
                    Some(line_no),
                    "expected an entry (`descriptor:`)",
                )),
            }
            continue;
        }
        let Some(entry) = current.as_mut() else {
            found.errors.push(CatalogError::new(
                path,
                Some(line_no),
                "indented line outside an entry",
            ));
            continue;
        };
        if indent != 2 {
            continue;
        }
        let Some((key, value)) = split_field(line.trim()) else {
            continue;
        };
        match key {
            "version" => entry.version = Some(value.to_owned()).filter(|v| !v.is_empty()),
            "resolved" => entry.resolved = Some(value.to_owned()),
            _ => {}
        }
    }
    if let Some(entry) = current.take() {
        finish(entry, &mut found, &mut packages);
    }
    found.packages = packages.into_vec();
    found
}

/// Splits `key value` or `"key" "value"`; a key ending in `:` opens a block and has no value.
fn split_field(line: &str) -> Option<(&str, &str)> {
    let (key, rest) = if let Some(quoted) = line.strip_prefix('"') {
        let end = quoted.find('"')?;
        (quoted.get(..end)?, quoted.get(end + 1..)?)
    } else {
        let end = line.find(' ').unwrap_or(line.len());
        (line.get(..end)?, line.get(end..)?)
    };
    Some((key.trim_end_matches(':'), unquote(rest.trim())))
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptors() {
        assert_eq!(
            installed_name("@babel/code-frame@^7.0.0"),
            Some("@babel/code-frame")
        );
        assert_eq!(
            installed_name("ansi-regex-cjs@npm:ansi-regex@^5.0.0"),
            Some("ansi-regex")
        );
        assert_eq!(
            installed_name("babel-hvi@npm:@babel/helper-validator-identifier@^7.0.0"),
            Some("@babel/helper-validator-identifier")
        );
        assert_eq!(
            installed_name("mine2@G-Rath/npm-git-repo-2#0a2d2506c1"),
            Some("mine2")
        );
        assert_eq!(installed_name("nameless"), None);
        assert_eq!(installed_name("@"), None);
        assert_eq!(installed_name("@@"), None);
    }

    #[test]
    fn classic_quoting() {
        let found = classic(
            "yarn.lock",
            "# yarn lockfile v1\n\n\nconcat-map@0.0.1:\n  \"version\" \"0.0.1\"\n  \"dependencies\":\n    \"a\" \"^1\"\n\n\"@s/b@^1\", \"@s/b@^1.1\":\n  version \"1.2.0\"\n",
        );
        let got: Vec<_> = found
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(got, [("concat-map", "0.0.1"), ("@s/b", "1.2.0")]);
        assert!(found.errors.is_empty());
    }

    #[test]
    fn classic_errors() {
        let found = classic(
            "yarn.lock",
            "  version \"1\"\nfoo@^1:\n  resolved \"x\"\nnot an entry\n",
        );
        assert_eq!(found.errors.len(), 3, "{:?}", found.errors);
        assert!(found.packages.is_empty());
    }
}
