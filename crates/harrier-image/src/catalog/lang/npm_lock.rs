//! npm lockfiles: `package-lock.json` and `npm-shrinkwrap.json`, lockfile versions 1, 2 and 3.
//!
//! Versions 2 and 3 list every installed package under `packages`, keyed by its install path
//! (`node_modules/a/node_modules/@s/b`); that table is complete, so when it is present the
//! legacy `dependencies` tree (which version 2 repeats for old npm) is not read. The name is
//! the entry's `name` when it has one (aliases: `node_modules/string-width-cjs` installs
//! `string-width`; workspace and `file:` packages), else the path after its last
//! `node_modules/`. The root entry (`""`) is the project itself; `link: true` entries point at
//! another entry, which is read in its own right. Entries carry `license`, and `dev`,
//! `optional` and `devOptional` flags (the `dependency.scope` property).
//!
//! Version 1 has only the nested `dependencies` tree, keyed by the name the package is
//! installed under. An `npm:<name>@<version>` version is an alias; a git version
//! (`git+ssh://…#<commit>`, `github:user/repo#<commit>`) names a commit and no release, so
//! the package has an empty version and the commit in `vcs.commit`, as osv-scanner reports
//! it; a `file:` version is a local directory with no version of its own and is left out.
//!
//! Lockfiles inside `node_modules` belong to installed packages' sources and are not read.

use serde_json::Value;

use super::read;
use crate::catalog::{CatalogError, Cataloger, FileMeta, Found, Scope, Want};
use crate::{Package, PackageKind};

/// The cataloger.
pub static NPM_LOCK: NpmLock = NpmLock;

/// See the module docs.
#[derive(Debug)]
pub struct NpmLock;

/// Deepest `dependencies` nesting read in a version 1 lockfile (JSON nesting is already
/// bounded by the decoder; this bounds the walk).
const MAX_DEPTH: usize = 64;

impl Cataloger for NpmLock {
    fn name(&self) -> &'static str {
        "npm-lock"
    }

    fn scope(&self) -> Scope {
        Scope::SourceTree
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        let name = file.name();
        if (name == "package-lock.json" || name == "npm-shrinkwrap.json")
            && !read::under_dir(file.path, "node_modules")
        {
            read::content(read::LOCKFILE_CAP)
        } else {
            Want::No
        }
    }

    fn catalog(&self, file: &FileMeta<'_>, content: &[u8]) -> Result<Found, CatalogError> {
        let doc = read::json_object(file, content, "npm lockfile")?;
        let mut packages = read::Packages::default();
        let mut found = Found::default();
        if let Some(entries) = doc.get("packages") {
            let Some(entries) = entries.as_object() else {
                return Err(CatalogError::new(
                    file.path,
                    None,
                    "`packages` is not an object",
                ));
            };
            for (key, entry) in entries {
                if let Some(package) = from_packages_entry(file.path, key, entry) {
                    packages.push(package);
                }
            }
        } else if let Some(deps) = doc.get("dependencies") {
            walk_v1(file.path, deps, 0, &mut packages, &mut found.errors);
        }
        found.packages = packages.into_vec();
        Ok(found)
    }
}

fn from_packages_entry(path: &str, key: &str, entry: &Value) -> Option<Package> {
    if key.is_empty() || entry.get("link").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let name = read::json_str(entry, "name").unwrap_or_else(|| install_name(key));
    let commit = read::json_str(entry, "resolved").and_then(read::vcs_commit);
    // A git dependency whose own package.json has no version still names a commit.
    let version = read::json_str(entry, "version").or(commit.map(|_| ""))?;
    if name.is_empty() {
        return None;
    }
    let mut package = Package::new(PackageKind::Npm, name, version, path);
    package.licenses = read::declared_licenses(entry.get("license"));
    let flag = |k: &str| entry.get(k).and_then(Value::as_bool) == Some(true);
    if flag("dev") || flag("devOptional") {
        read::set_scope(&mut package, read::DEV);
    } else if flag("optional") {
        read::set_scope(&mut package, read::OPTIONAL);
    }
    if let Some(commit) = commit {
        package
            .metadata
            .insert(read::COMMIT_KEY.to_owned(), commit.to_owned());
    }
    Some(package)
}

/// The package name an install path gives: what follows the last `node_modules/`, or the last
/// path segment for workspace and local packages.
fn install_name(key: &str) -> &str {
    match key.rfind("node_modules/") {
        Some(i) => key.get(i + "node_modules/".len()..).unwrap_or(""),
        None => key.rsplit('/').next().unwrap_or(key),
    }
}

fn walk_v1(
    path: &str,
    deps: &Value,
    depth: usize,
    packages: &mut read::Packages,
    errors: &mut Vec<CatalogError>,
) {
    let Some(deps) = deps.as_object() else {
        errors.push(CatalogError::new(
            path,
            None,
            "`dependencies` is not an object",
        ));
        return;
    };
    if depth > MAX_DEPTH {
        errors.push(CatalogError::new(
            path,
            None,
            format!("`dependencies` nested deeper than {MAX_DEPTH} levels"),
        ));
        return;
    }
    for (key, entry) in deps {
        if let Some(version) = read::json_str(entry, "version") {
            // Keys are names; a few hand-edited files use install paths instead.
            let key = key.as_str();
            let name = key
                .rfind("node_modules/")
                .map_or(key, |i| key.get(i + "node_modules/".len()..).unwrap_or(key));
            let (name, version, commit) = v1_version(name, version);
            if let Some(version) = version {
                let mut package = Package::new(PackageKind::Npm, name, version, path);
                let flag = |k: &str| entry.get(k).and_then(Value::as_bool) == Some(true);
                if flag("dev") {
                    read::set_scope(&mut package, read::DEV);
                } else if flag("optional") {
                    read::set_scope(&mut package, read::OPTIONAL);
                }
                if let Some(commit) = commit {
                    package
                        .metadata
                        .insert(read::COMMIT_KEY.to_owned(), commit.to_owned());
                }
                packages.push(package);
            }
        }
        if let Some(nested) = entry.get("dependencies") {
            walk_v1(path, nested, depth + 1, packages, errors);
        }
    }
}

/// A version 1 entry's real name, version (`None` for a local directory) and commit.
fn v1_version<'a>(key: &'a str, version: &'a str) -> (&'a str, Option<&'a str>, Option<&'a str>) {
    if let Some(alias) = version.strip_prefix("npm:") {
        // `npm:@scope/name@1.2.3`: the last `@` that is not the scope's.
        if let Some(at) = alias
            .get(1..)
            .and_then(|rest| rest.rfind('@'))
            .map(|i| i + 1)
        {
            return (alias.get(..at).unwrap_or(key), alias.get(at + 1..), None);
        }
    }
    if version.starts_with("file:") || version.starts_with("link:") {
        return (key, None, None);
    }
    if let Some(commit) = read::vcs_commit(version) {
        return (key, Some(""), Some(commit));
    }
    (key, Some(version), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_names() {
        assert_eq!(install_name("node_modules/a"), "a");
        assert_eq!(install_name("node_modules/a/node_modules/@s/b"), "@s/b");
        assert_eq!(install_name("packages/lib"), "lib");
    }

    #[test]
    fn v1_versions() {
        assert_eq!(
            v1_version("x", "npm:@babel/code-frame@7.0.0"),
            ("@babel/code-frame", Some("7.0.0"), None)
        );
        assert_eq!(
            v1_version("x", "npm:string-width@4.2.0"),
            ("string-width", Some("4.2.0"), None)
        );
        assert_eq!(v1_version("x", "file:deps/x"), ("x", None, None));
        assert_eq!(
            v1_version("x", "github:a/b#d5ac0584ee9ae7bd9288220a39780f155b9ad4c8"),
            (
                "x",
                Some(""),
                Some("d5ac0584ee9ae7bd9288220a39780f155b9ad4c8")
            )
        );
        assert_eq!(v1_version("x", "1.0.0"), ("x", Some("1.0.0"), None));
        assert_eq!(v1_version("x", "npm:@"), ("x", Some("npm:@"), None));
    }
}
