//! Reading the formats the language catalogers share (JSON, TOML, YAML, text), with parse
//! errors mapped to a [`CatalogError`] naming the file and line, plus the path tests and size
//! caps they have in common. Private to [`super`]: nothing here is about packages.

use harrier_core::yaml::{self, Node, Schema};
use serde::de::DeserializeOwned;

use crate::catalog::{CatalogError, FileMeta, Want};

/// Cap for one package's own manifest (`package.json`, `METADATA`, a gemspec). Real ones are a
/// few kilobytes; a `METADATA` with a long README reaches a megabyte.
pub(super) const MANIFEST_CAP: u64 = 8 << 20;

/// Cap for lockfiles and whole-installation records (`installed.json`, `*.deps.json`). The
/// largest real monorepo lockfiles are tens of megabytes.
pub(super) const LOCKFILE_CAP: u64 = 64 << 20;

/// The property naming how a lockfile entry is needed when it is not needed at run time.
pub(super) const SCOPE_KEY: &str = "dependency.scope";
/// Needed only for development (npm `dev`, Pipenv `develop`, Composer `packages-dev`…).
pub(super) const DEV: &str = "dev";
/// Installed only on request (npm `optional`, Poetry `optional = true`).
pub(super) const OPTIONAL: &str = "optional";

/// The property holding the commit of a package installed from a repository.
pub(super) const COMMIT_KEY: &str = "vcs.commit";

/// Records a package's [`SCOPE_KEY`].
pub(super) fn set_scope(package: &mut crate::Package, scope: &str) {
    package
        .metadata
        .insert(SCOPE_KEY.to_owned(), scope.to_owned());
}

/// Packages found in one file, each release once (name, version and, for packages from a
/// repository, commit): lockfiles list the same release once per place it is installed or
/// per peer set, and an SBOM wants it once. When a release is seen again its scope is merged:
/// needed at run time anywhere wins over optional, which wins over development only.
#[derive(Debug, Default)]
pub(super) struct Packages {
    list: Vec<crate::Package>,
    index: std::collections::HashMap<(String, String, Option<String>), usize>,
}

impl Packages {
    /// Adds a package, or merges its scope into the one already seen.
    pub(super) fn push(&mut self, package: crate::Package) {
        let key = (
            package.name.clone(),
            package.version.clone(),
            package.metadata.get(COMMIT_KEY).cloned(),
        );
        match self.index.get(&key).and_then(|&i| self.list.get_mut(i)) {
            Some(seen) => {
                let rank = |p: &crate::Package| match p.metadata.get(SCOPE_KEY).map(String::as_str)
                {
                    None => 0,
                    Some(OPTIONAL) => 1,
                    Some(_) => 2,
                };
                if rank(&package) < rank(seen) {
                    match package.metadata.get(SCOPE_KEY) {
                        Some(scope) => {
                            seen.metadata.insert(SCOPE_KEY.to_owned(), scope.clone());
                        }
                        None => {
                            seen.metadata.remove(SCOPE_KEY);
                        }
                    }
                }
            }
            None => {
                self.index.insert(key, self.list.len());
                self.list.push(package);
            }
        }
    }

    /// The packages, in the order first seen.
    pub(super) fn into_vec(self) -> Vec<crate::Package> {
        self.list
    }
}

/// [`Want::Content`] with a cap.
pub(super) fn content(max_bytes: u64) -> Want {
    Want::Content { max_bytes }
}

/// The file's text: UTF-8 with a leading byte-order mark dropped.
pub(super) fn text<'a>(file: &FileMeta<'_>, content: &'a [u8]) -> Result<&'a str, CatalogError> {
    let content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    std::str::from_utf8(content).map_err(|e| {
        let line = line_at(content, e.valid_up_to());
        CatalogError::new(file.path, Some(line), "not UTF-8 text")
    })
}

/// The 1-based line of a byte offset.
pub(super) fn line_at(content: &[u8], offset: usize) -> u32 {
    let upto = content.get(..offset).unwrap_or(content);
    let newlines = upto.iter().filter(|&&b| b == b'\n').count();
    u32::try_from(newlines)
        .unwrap_or(u32::MAX)
        .saturating_add(1)
}

/// Decodes a JSON document into `T` (usually [`serde_json::Value`]).
pub(super) fn json<T: DeserializeOwned>(
    file: &FileMeta<'_>,
    content: &[u8],
) -> Result<T, CatalogError> {
    let content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    serde_json::from_slice(content).map_err(|e| {
        let line = u32::try_from(e.line()).ok().filter(|&l| l > 0);
        CatalogError::new(
            file.path,
            line,
            format!("invalid JSON: {}", strip_position(&e.to_string())),
        )
    })
}

/// serde_json's messages end in ` at line L column C`; the line is reported separately.
fn strip_position(message: &str) -> &str {
    message
        .find(" at line ")
        .map_or(message, |i| message.get(..i).unwrap_or(message))
}

/// Decodes a TOML document into `T`.
pub(super) fn toml<T: DeserializeOwned>(
    file: &FileMeta<'_>,
    content: &[u8],
) -> Result<T, CatalogError> {
    let text = text(file, content)?;
    toml::from_str(text).map_err(|e| {
        let line = e.span().map(|span| line_at(text.as_bytes(), span.start));
        CatalogError::new(file.path, line, format!("invalid TOML: {}", e.message()))
    })
}

/// Reads every document of a YAML stream (YAML 1.2 core schema: lockfile tools write YAML 1.2
/// or JSON-compatible scalars).
pub(super) fn yaml_documents(
    file: &FileMeta<'_>,
    content: &[u8],
) -> Result<Vec<Node>, CatalogError> {
    let text = text(file, content)?;
    let stream = yaml::parse_stream(text, Schema::Core);
    if let Some(err) = stream.error {
        return Err(CatalogError::new(
            file.path,
            Some(err.pos.line),
            format!("invalid YAML: {}", err.message),
        ));
    }
    Ok(stream.documents.into_iter().map(|d| d.root).collect())
}

/// The path's components, without empty ones.
pub(super) fn components(path: &str) -> impl DoubleEndedIterator<Item = &str> {
    path.split('/').filter(|c| !c.is_empty())
}

/// Whether some directory on the path (not the file itself) is named `dir`.
pub(super) fn under_dir(path: &str, dir: &str) -> bool {
    let mut parts = components(path).rev();
    parts.next();
    parts.any(|c| c == dir)
}

/// The parent directory's name.
pub(super) fn parent_name(path: &str) -> Option<&str> {
    let mut parts = components(path).rev();
    parts.next();
    parts.next()
}

/// A string field of a JSON object, when it is a non-empty string.
pub(super) fn json_str<'a>(value: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    value
        .get(key)
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A string field of a YAML mapping, when it is a scalar. Numbers are given as written would
/// have been lost, so only strings and integers are taken (a version `1` reads as an integer).
pub(super) fn yaml_str(node: &Node, key: &str) -> Option<String> {
    let value = node.get(key)?;
    match &value.value {
        yaml::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        yaml::Value::Int(i) => Some(i.to_string()),
        _ => None,
    }
}

/// The licenses an npm or Composer manifest declares: a string (SPDX expression), an object
/// with `type`, or a list of either (the legacy `licenses` form). Anything else is ignored.
pub(super) fn declared_licenses(value: Option<&serde_json::Value>) -> Vec<String> {
    let mut out = Vec::new();
    let Some(value) = value else { return out };
    let mut push = |v: &serde_json::Value| {
        let s = match v {
            serde_json::Value::String(s) => Some(s.as_str()),
            serde_json::Value::Object(o) => o.get("type").and_then(serde_json::Value::as_str),
            _ => None,
        };
        if let Some(s) = s.map(str::trim).filter(|s| !s.is_empty())
            && !out.iter().any(|o: &String| o == s)
        {
            out.push(s.to_owned());
        }
    };
    match value {
        serde_json::Value::Array(items) => items.iter().for_each(&mut push),
        other => push(other),
    }
    out
}

/// The commit a VCS reference pins, when it ends in a full 40-digit hash after `#`,
/// `commit=`, `commit:`, `ref=` or a code host's path (`codeload.github.com/o/r/tar.gz/<sha>`,
/// pnpm's `github.com/o/r/<sha>`). A registry tarball's `#<sha1>` is its checksum, not a
/// commit, and is not taken.
pub(super) fn vcs_commit(reference: &str) -> Option<&str> {
    let hex = reference
        .bytes()
        .rev()
        .take_while(u8::is_ascii_hexdigit)
        .count();
    if hex != 40 {
        return None;
    }
    let head = reference.get(..reference.len() - 40)?;
    let commit = reference.get(reference.len() - 40..)?;
    let pinned = if let Some(before) = head.strip_suffix('#') {
        !before.ends_with(".tgz") && !before.ends_with(".tar.gz")
    } else if head.ends_with('/') {
        ["github.com/", "gitlab.com/", "bitbucket.org/", "codeload."]
            .iter()
            .any(|h| head.contains(h))
            || head.starts_with("git")
    } else {
        head.ends_with("commit=") || head.ends_with("commit:") || head.ends_with("ref=")
    };
    pinned.then_some(commit)
}

/// The `name` and `version` of a TOML lockfile entry (`[[package]]` of Cargo.lock, poetry.lock,
/// pdm.lock), trimmed; `None` when either is missing or empty.
pub(super) fn toml_name_version(entry: &toml::Value) -> Option<(&str, &str)> {
    let field = |key: &str| {
        entry
            .get(key)
            .and_then(toml::Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    Some((field("name")?, field("version")?))
}

/// The error for entry `index` (from 0) of a lockfile's package list that lacks a name or a
/// version.
pub(super) fn unnamed_entry(file: &FileMeta<'_>, index: usize) -> CatalogError {
    CatalogError::new(
        file.path,
        None,
        format!("package {} has no name or version", index + 1),
    )
}

/// A JSON document that must be an object (`what` names the format in the error:
/// `not a composer.lock: …`).
pub(super) fn json_object(
    file: &FileMeta<'_>,
    content: &[u8],
    what: &str,
) -> Result<serde_json::Value, CatalogError> {
    let doc: serde_json::Value = json(file, content)?;
    if doc.is_object() {
        Ok(doc)
    } else {
        let article = if what.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        Err(CatalogError::new(
            file.path,
            None,
            format!("not {article} {what}: the document is not an object"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(path: &str) -> FileMeta<'_> {
        FileMeta {
            path,
            size: 0,
            mode: 0o644,
        }
    }

    #[test]
    fn json_errors_name_the_line() {
        let err =
            json::<serde_json::Value>(&meta("a/package-lock.json"), b"{\n  \"a\": 1,\n  oops\n}")
                .unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.starts_with("invalid JSON: "), "{}", err.message);
        assert!(!err.message.contains(" at line "), "{}", err.message);
    }

    #[test]
    fn toml_errors_name_the_line() {
        let err =
            toml::<toml::Table>(&meta("Cargo.lock"), b"version = 3\n\n[[package]\n").unwrap_err();
        assert_eq!(err.line, Some(3));
    }

    #[test]
    fn paths() {
        assert!(under_dir("a/node_modules/b/package.json", "node_modules"));
        assert!(!under_dir("a/b/node_modules", "node_modules"));
        assert_eq!(parent_name("x/y/z.txt"), Some("y"));
        assert_eq!(parent_name("z.txt"), None);
        assert_eq!(line_at(b"a\nb\nc", 4), 3);
        assert_eq!(line_at(b"a", 99), 1);
    }

    #[test]
    fn commits() {
        let sha = "0a2d2506c1fe299691fc5db53a2097db3bd615bc";
        for reference in [
            format!("git+ssh://git@github.com:G-Rath/npm-git-repo-2#{sha}"),
            format!("https://codeload.github.com/G-Rath/npm-git-repo-2/tar.gz/{sha}"),
            format!("https://gitlab.com/k/b/repository/archive.tar.gz?ref={sha}"),
            format!("a@https://github.com/a/b.git#commit={sha}"),
            format!("github.com/my-org/mocks/{sha}"),
        ] {
            assert_eq!(vcs_commit(&reference), Some(sha), "{reference}");
        }
        for reference in [
            format!("https://registry.yarnpkg.com/a/-/a-6.0.1.tgz#{sha}"),
            format!("https://example.com/{sha}"),
            format!("x#a{sha}"),
            "1.0.0".to_owned(),
        ] {
            assert_eq!(vcs_commit(&reference), None, "{reference}");
        }
    }

    #[test]
    fn licenses() {
        let v: serde_json::Value =
            serde_json::json!([{"type": "MIT"}, "Apache-2.0", 3, {"url": "x"}, "MIT"]);
        assert_eq!(declared_licenses(Some(&v)), ["MIT", "Apache-2.0"]);
        assert_eq!(
            declared_licenses(Some(&serde_json::json!({"type": "ISC"}))),
            ["ISC"]
        );
        assert!(declared_licenses(Some(&serde_json::json!(""))).is_empty());
    }
}
