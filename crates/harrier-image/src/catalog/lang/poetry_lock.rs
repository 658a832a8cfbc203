//! Poetry's `poetry.lock` (TOML): one `[[package]]` table per locked distribution, with
//! `name`, `version`, and in lock format 1.x a `category` (`main`, `dev`) and `optional`.
//!
//! Git and path sources (`[package.source] type = "git"`) are packages too: they have a
//! version from their own metadata; the resolved commit is kept as `vcs.commit`. Poetry 1.5+
//! no longer writes `category` (groups live in `pyproject.toml`), so those files carry no scope.

use serde::Deserialize;

use super::read;
use crate::catalog::{CatalogError, Cataloger, FileMeta, Found, Scope, Want};
use crate::{Package, PackageKind};

/// The cataloger.
pub static POETRY_LOCK: PoetryLock = PoetryLock;

/// See the module docs.
#[derive(Debug)]
pub struct PoetryLock;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<toml::Value>,
}

impl Cataloger for PoetryLock {
    fn name(&self) -> &'static str {
        "python-poetry-lock"
    }

    fn scope(&self) -> Scope {
        Scope::SourceTree
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if file.name() == "poetry.lock" {
            read::content(read::LOCKFILE_CAP)
        } else {
            Want::No
        }
    }

    fn catalog(&self, file: &FileMeta<'_>, content: &[u8]) -> Result<Found, CatalogError> {
        let lock: Lock = read::toml(file, content)?;
        let mut found = Found::default();
        for (i, entry) in lock.package.iter().enumerate() {
            let Some((name, version)) = read::toml_name_version(entry) else {
                found.errors.push(read::unnamed_entry(file, i));
                continue;
            };
            let mut package = Package::new(PackageKind::Python, name, version, file.path);
            if entry.get("category").and_then(toml::Value::as_str) == Some("dev") {
                read::set_scope(&mut package, read::DEV);
            } else if entry.get("optional").and_then(toml::Value::as_bool) == Some(true) {
                read::set_scope(&mut package, read::OPTIONAL);
            }
            if let Some(source) = entry.get("source") {
                let kind = source.get("type").and_then(toml::Value::as_str);
                if let Some(url) = source.get("url").and_then(toml::Value::as_str)
                    && kind != Some("legacy")
                {
                    package
                        .metadata
                        .insert("python.source".to_owned(), url.to_owned());
                }
                if kind == Some("git")
                    && let Some(commit) = source
                        .get("resolved_reference")
                        .and_then(toml::Value::as_str)
                {
                    package
                        .metadata
                        .insert(read::COMMIT_KEY.to_owned(), commit.to_owned());
                }
            }
            found.packages.push(package);
        }
        Ok(found)
    }
}
