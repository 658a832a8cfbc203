//! PHP Composer: the installed packages (`vendor/composer/installed.json`) and the lockfile
//! (`composer.lock`). Both list package objects with `name`, `version` and `license` (an
//! array of SPDX identifiers); they differ in where the list is.
//!
//! `installed.json` is what is in `vendor/`, so it runs everywhere. Composer 1 wrote a bare
//! array; Composer 2 writes `{"packages": [...], "dev": bool, "dev-package-names": [...]}`,
//! and the dev names get the `dependency.scope` property `dev`. `composer.lock` (source trees)
//! has `packages` and `packages-dev`. Versions are kept as written (`v5.4.2`, `2.0.4`,
//! `dev-main`); the vulnerability lookup's Composer scheme normalises them. The commit a
//! package was installed from (`source.reference`) is kept as `vcs.commit` when the source is
//! git. Lockfiles inside `vendor/` belong to installed packages and are not read.

use serde_json::Value;

use super::read;
use crate::catalog::{CatalogError, Cataloger, FileMeta, Found, Scope, Want};
use crate::{Package, PackageKind};

/// The installed-packages cataloger.
pub static COMPOSER_INSTALLED: ComposerInstalled = ComposerInstalled;
/// The lockfile cataloger.
pub static COMPOSER_LOCK: ComposerLock = ComposerLock;

/// `vendor/composer/installed.json`; see the module docs.
#[derive(Debug)]
pub struct ComposerInstalled;

/// `composer.lock`; see the module docs.
#[derive(Debug)]
pub struct ComposerLock;

impl Cataloger for ComposerInstalled {
    fn name(&self) -> &'static str {
        "php-composer-installed"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        let mut parts = read::components(file.path).rev();
        let is_installed =
            parts.next() == Some("installed.json") && parts.next() == Some("composer");
        if is_installed {
            read::content(read::LOCKFILE_CAP)
        } else {
            Want::No
        }
    }

    fn catalog(&self, file: &FileMeta<'_>, content: &[u8]) -> Result<Found, CatalogError> {
        let doc: Value = read::json(file, content)?;
        let (list, dev_names): (&Vec<Value>, Vec<&str>) = match &doc {
            Value::Array(list) => (list, Vec::new()),
            Value::Object(o) => match o.get("packages") {
                Some(Value::Array(list)) => {
                    let dev = o
                        .get("dev-package-names")
                        .and_then(Value::as_array)
                        .map(|names| names.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    (list, dev)
                }
                _ => return Err(CatalogError::new(file.path, None, "no `packages` array")),
            },
            _ => {
                return Err(CatalogError::new(
                    file.path,
                    None,
                    "not an installed.json: neither an array nor an object",
                ));
            }
        };
        let mut found = Found::default();
        let mut packages = read::Packages::default();
        for (i, entry) in list.iter().enumerate() {
            match package(file.path, entry) {
                Some(mut package) => {
                    if dev_names.contains(&package.name.as_str()) {
                        read::set_scope(&mut package, read::DEV);
                    }
                    packages.push(package);
                }
                None => found.errors.push(no_name(file.path, "packages", i)),
            }
        }
        found.packages = packages.into_vec();
        Ok(found)
    }
}

impl Cataloger for ComposerLock {
    fn name(&self) -> &'static str {
        "php-composer-lock"
    }

    fn scope(&self) -> Scope {
        Scope::SourceTree
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if file.name() == "composer.lock" && !read::under_dir(file.path, "vendor") {
            read::content(read::LOCKFILE_CAP)
        } else {
            Want::No
        }
    }

    fn catalog(&self, file: &FileMeta<'_>, content: &[u8]) -> Result<Found, CatalogError> {
        let doc = read::json_object(file, content, "composer.lock")?;
        let mut found = Found::default();
        let mut packages = read::Packages::default();
        for (section, dev) in [("packages", false), ("packages-dev", true)] {
            let Some(list) = doc.get(section) else {
                continue;
            };
            let Some(list) = list.as_array() else {
                found.errors.push(CatalogError::new(
                    file.path,
                    None,
                    format!("`{section}` is not an array"),
                ));
                continue;
            };
            for (i, entry) in list.iter().enumerate() {
                match package(file.path, entry) {
                    Some(mut package) => {
                        if dev {
                            read::set_scope(&mut package, read::DEV);
                        }
                        packages.push(package);
                    }
                    None => found.errors.push(no_name(file.path, section, i)),
                }
            }
        }
        found.packages = packages.into_vec();
        Ok(found)
    }
}

fn no_name(path: &str, section: &str, index: usize) -> CatalogError {
    CatalogError::new(
        path,
        None,
        format!("`{section}` entry {} has no name or version", index + 1),
    )
}

fn package(path: &str, entry: &Value) -> Option<Package> {
    let name = read::json_str(entry, "name")?;
    let version = read::json_str(entry, "version")?;
    let mut package = Package::new(PackageKind::Composer, name, version, path);
    package.licenses = read::declared_licenses(entry.get("license"));
    if let Some(source) = entry.get("source")
        && read::json_str(source, "type") == Some("git")
        && let Some(reference) = read::json_str(source, "reference")
    {
        package
            .metadata
            .insert(read::COMMIT_KEY.to_owned(), reference.to_owned());
    }
    Some(package)
}
