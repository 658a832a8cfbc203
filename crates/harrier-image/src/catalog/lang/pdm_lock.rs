//! PDM's `pdm.lock` (TOML, lock format 4): one `[[package]]` table per locked distribution
//! with `name`, `version` and `groups`.
//!
//! A package listed only in groups other than `default` is a development or optional one:
//! `dev` when one of them is named `dev`, else `optional` (PDM's own names for its groups).
//! The same distribution appears once per set of extras (`name`, `extras = [...]`); it is
//! reported once. Git entries keep their `revision` as `vcs.commit`.

use serde::Deserialize;

use super::read;
use crate::catalog::{CatalogError, Cataloger, FileMeta, Found, Scope, Want};
use crate::{Package, PackageKind};

/// The cataloger.
pub static PDM_LOCK: PdmLock = PdmLock;

/// See the module docs.
#[derive(Debug)]
pub struct PdmLock;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<toml::Value>,
}

impl Cataloger for PdmLock {
    fn name(&self) -> &'static str {
        "python-pdm-lock"
    }

    fn scope(&self) -> Scope {
        Scope::SourceTree
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if file.name() == "pdm.lock" {
            read::content(read::LOCKFILE_CAP)
        } else {
            Want::No
        }
    }

    fn catalog(&self, file: &FileMeta<'_>, content: &[u8]) -> Result<Found, CatalogError> {
        let lock: Lock = read::toml(file, content)?;
        let mut found = Found::default();
        let mut packages = read::Packages::default();
        for (i, entry) in lock.package.iter().enumerate() {
            let Some((name, version)) = read::toml_name_version(entry) else {
                found.errors.push(read::unnamed_entry(file, i));
                continue;
            };
            let mut package = Package::new(PackageKind::Python, name, version, file.path);
            let groups: Vec<&str> = entry
                .get("groups")
                .and_then(toml::Value::as_array)
                .map(|g| g.iter().filter_map(toml::Value::as_str).collect())
                .unwrap_or_default();
            if !groups.is_empty() && !groups.contains(&"default") {
                let scope = if groups.contains(&"dev") {
                    read::DEV
                } else {
                    read::OPTIONAL
                };
                read::set_scope(&mut package, scope);
            }
            if let Some(commit) = entry.get("revision").and_then(toml::Value::as_str) {
                package
                    .metadata
                    .insert(read::COMMIT_KEY.to_owned(), commit.to_owned());
            }
            packages.push(package);
        }
        found.packages = packages.into_vec();
        Ok(found)
    }
}
