//! Pipenv's `Pipfile.lock` (JSON): `default` and `develop` sections mapping names to
//! `{"version": "==1.2.3", "hashes": […], "markers": …}`.
//!
//! Entries without a `version` (VCS, path and editable installs: `{"git": …, "ref": …}`) name
//! no release and are not packages. `develop` entries get the `dependency.scope` property
//! `dev`; a package in both sections is reported once, as a runtime dependency.

use super::read;
use crate::catalog::{CatalogError, Cataloger, FileMeta, Found, Scope, Want};
use crate::{Package, PackageKind};

/// The cataloger.
pub static PIPFILE_LOCK: PipfileLock = PipfileLock;

/// See the module docs.
#[derive(Debug)]
pub struct PipfileLock;

impl Cataloger for PipfileLock {
    fn name(&self) -> &'static str {
        "python-pipfile-lock"
    }

    fn scope(&self) -> Scope {
        Scope::SourceTree
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if file.name() == "Pipfile.lock" {
            read::content(read::LOCKFILE_CAP)
        } else {
            Want::No
        }
    }

    fn catalog(&self, file: &FileMeta<'_>, content: &[u8]) -> Result<Found, CatalogError> {
        let doc = read::json_object(file, content, "Pipfile.lock")?;
        let mut found = Found::default();
        let mut packages = read::Packages::default();
        for (section, dev) in [("default", false), ("develop", true)] {
            let Some(entries) = doc.get(section) else {
                continue;
            };
            let Some(entries) = entries.as_object() else {
                found.errors.push(CatalogError::new(
                    file.path,
                    None,
                    format!("`{section}` is not an object"),
                ));
                continue;
            };
            for (name, entry) in entries {
                let Some(version) = read::json_str(entry, "version") else {
                    continue;
                };
                let version = version.strip_prefix("==").unwrap_or(version).trim();
                let mut package = Package::new(PackageKind::Python, name, version, file.path);
                if dev {
                    read::set_scope(&mut package, read::DEV);
                }
                if let Some(markers) = read::json_str(entry, "markers") {
                    package
                        .metadata
                        .insert("python.marker".to_owned(), markers.to_owned());
                }
                packages.push(package);
            }
        }
        found.packages = packages.into_vec();
        Ok(found)
    }
}
