//! pnpm lockfiles, `pnpm-lock.yaml`, lockfile versions 5.x, 6.x, 7–9.
//!
//! Every version lists each installed release once under `packages`, keyed by a path that
//! encodes name and version; only the key's syntax changed:
//!
//! | version | key |
//! |---|---|
//! | 5.x | `/name/1.0.0`, `/@scope/name/1.0.0_peer@2.0.0+other@1.0.0` (peer suffix after `_`), `registry.example.com/name/1.0.0` |
//! | 6.x | `/name@1.0.0`, `/@scope/name@1.0.0(peer@2.0.0)` |
//! | 9.0 | `name@1.0.0`, `@scope/name@1.0.0` (peer sets moved to `snapshots`) |
//!
//! Git, tarball and `file:` packages have keys that are not name and version (`github.com/o/r/<sha>`,
//! `name@https://codeload…`, `file:../dir`); their entries carry `name` and `version` fields,
//! which win over the key. A key without a readable version and no `version` field names no
//! release and is left out. Lockfile versions 5 and 6 mark entries `dev: true` or
//! `optional: true` (the `dependency.scope` property); version 9 dropped those flags. Git commits
//! (`resolution.commit`, or a codeload tarball URL) are kept as `vcs.commit`.
//!
//! pnpm may write two YAML documents into one lockfile (the package manager's own dependencies
//! first); every document is read. Lockfiles inside `node_modules` are not read.

use harrier_core::yaml::Node;

use super::read;
use crate::catalog::{CatalogError, Cataloger, FileMeta, Found, Scope, Want};
use crate::{Package, PackageKind};

/// The cataloger.
pub static PNPM_LOCK: PnpmLock = PnpmLock;

/// See the module docs.
#[derive(Debug)]
pub struct PnpmLock;

impl Cataloger for PnpmLock {
    fn name(&self) -> &'static str {
        "pnpm-lock"
    }

    fn scope(&self) -> Scope {
        Scope::SourceTree
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if file.name() == "pnpm-lock.yaml" && !read::under_dir(file.path, "node_modules") {
            read::content(read::LOCKFILE_CAP)
        } else {
            Want::No
        }
    }

    fn catalog(&self, file: &FileMeta<'_>, content: &[u8]) -> Result<Found, CatalogError> {
        let docs = read::yaml_documents(file, content)?;
        let mut found = Found::default();
        let mut packages = read::Packages::default();
        for doc in &docs {
            if doc.is_null() {
                continue;
            }
            if doc.as_map().is_none() {
                return Err(CatalogError::new(
                    file.path,
                    Some(doc.pos.line),
                    "not a pnpm lockfile: the document is not a mapping",
                ));
            }
            let Some(entries) = doc.get("packages") else {
                continue;
            };
            if entries.is_null() {
                continue;
            }
            let Some(entries) = entries.as_map() else {
                found.errors.push(CatalogError::new(
                    file.path,
                    Some(entries.pos.line),
                    "`packages` is not a mapping",
                ));
                continue;
            };
            for entry in entries.entries() {
                if let Some(package) = from_entry(file.path, &entry.key, &entry.value) {
                    packages.push(package);
                }
            }
        }
        found.packages = packages.into_vec();
        Ok(found)
    }
}

fn from_entry(path: &str, key: &str, body: &Node) -> Option<Package> {
    let (key_name, key_version) = parse_key(key);
    let name = read::yaml_str(body, "name").or_else(|| key_name.map(str::to_owned))?;
    let version = read::yaml_str(body, "version").or_else(|| key_version.map(str::to_owned))?;
    let mut package = Package::new(PackageKind::Npm, name, version, path);
    let flag = |k: &str| body.get(k).and_then(Node::as_bool) == Some(true);
    if flag("dev") {
        read::set_scope(&mut package, read::DEV);
    } else if flag("optional") {
        read::set_scope(&mut package, read::OPTIONAL);
    }
    let resolution = body.get("resolution");
    let commit = resolution
        .and_then(|r| read::yaml_str(r, "commit"))
        .or_else(|| {
            resolution
                .and_then(|r| read::yaml_str(r, "tarball"))
                .and_then(|t| read::vcs_commit(&t).map(str::to_owned))
        })
        .or_else(|| read::vcs_commit(key).map(str::to_owned));
    if let Some(commit) = commit {
        package.metadata.insert(read::COMMIT_KEY.to_owned(), commit);
    }
    Some(package)
}

/// Name and version from a `packages` key, in any lockfile version's syntax; each is `None`
/// when the key does not give it.
fn parse_key(key: &str) -> (Option<&str>, Option<&str>) {
    let key = key.trim();
    if key.starts_with("file:") || key.starts_with("link:") {
        return (None, None);
    }
    // 5.x keys from other registries start with the host: `registry.npmjs.org/foo/1.1.0`.
    let key = match key.strip_prefix('/') {
        Some(rest) => rest,
        None => match key.split_once('/') {
            Some((host, rest)) if host.contains('.') && !host.starts_with('@') => rest,
            _ => key,
        },
    };
    // 6.x and 9.x: `name@version(peers)`, the `@` after the name's own.
    if let Some(at) = key.get(1..).and_then(|rest| rest.find('@')).map(|i| i + 1)
        && let (Some(name), Some(version)) = (key.get(..at), key.get(at + 1..))
        && !name.is_empty()
        && name.matches('/').count() == usize::from(name.starts_with('@'))
    {
        let version = version.split('(').next().unwrap_or(version);
        return (Some(name), is_version(version).then_some(version));
    }
    // 5.x: `name/version_peers` or `@scope/name/version_peers`.
    let mut parts = key.split('/');
    let first = parts.next().unwrap_or("");
    let (name, version) = if first.starts_with('@') {
        let second = parts.next();
        let name = second.and_then(|s| key.get(..first.len() + 1 + s.len()));
        (name, parts.next())
    } else {
        (Some(first).filter(|f| !f.is_empty()), parts.next())
    };
    if parts.next().is_some() {
        return (name, None);
    }
    let version = version
        .map(|v| v.split('_').next().unwrap_or(v))
        .filter(|v| is_version(v));
    (name, version)
}

/// A version starts with a digit (`1.0.0`, `0.0.0-alpha`); what else a key holds there is a
/// path, URL or commit.
fn is_version(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_digit()) && !s.contains([':', '/'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        for (key, name, version) in [
            ("/foo/1.0.0", Some("foo"), Some("1.0.0")),
            ("/@foo/bar/1.0.0", Some("@foo/bar"), Some("1.0.0")),
            (
                "registry.npmjs.org/@foo/bar/1.1.0",
                Some("@foo/bar"),
                Some("1.1.0"),
            ),
            (
                "example.com/foo/1.3.0_bar@2.0.0",
                Some("foo"),
                Some("1.3.0"),
            ),
            (
                "/foo/1.4.0_@types+babel__core@7.1.14",
                Some("foo"),
                Some("1.4.0"),
            ),
            ("github.com/kevva/is-positive", Some("kevva"), None),
            ("/foo/bar", Some("foo"), None),
            ("/acorn@8.7.0", Some("acorn"), Some("8.7.0")),
            (
                "/@typescript-eslint/types@5.57.1(typescript@4.9.5)",
                Some("@typescript-eslint/types"),
                Some("5.57.1"),
            ),
            (
                "@eslint/eslintrc@2.1.4",
                Some("@eslint/eslintrc"),
                Some("2.1.4"),
            ),
            ("axios@1.2.5", Some("axios"), Some("1.2.5")),
            (
                "is-number@https://codeload.github.com/a/b/tar.gz/98e8ff1da1a89f93d1397a24d7413ed15421c139",
                Some("is-number"),
                None,
            ),
            ("file:../a-local-package", None, None),
            (
                "/pinia/2.0.28_e7lp6ggkpgyi5vqd44m2kxvk6i",
                Some("pinia"),
                Some("2.0.28"),
            ),
            (
                "/@typescript-eslint/parser/5.13.0_eslint@8.10.0+typescript@4.6.2",
                Some("@typescript-eslint/parser"),
                Some("5.13.0"),
            ),
            ("", None, None),
            ("@", None, None),
        ] {
            assert_eq!(parse_key(key), (name, version), "{key}");
        }
    }
}
