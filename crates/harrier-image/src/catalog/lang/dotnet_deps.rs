//! .NET applications' dependency manifests, `<app>.deps.json`, written by the SDK next to every
//! built or published application (and by the runtime for its own frameworks).
//!
//! The `libraries` object maps `Name/Version` to `{"type": …}`. Entries of type `package` are
//! NuGet packages restored from a feed; `runtimepack` entries are the runtime a self-contained
//! application carries (`Microsoft.NETCore.App.Runtime.linux-x64/8.0.1`), which NuGet
//! advisories name too, so both are packages. `project` and `reference` entries are the
//! application's own assemblies. The key is split at its last `/`: package ids contain none.

use serde_json::Value;

use super::read;
use crate::catalog::{CatalogError, Cataloger, FileMeta, Found, Want};
use crate::{Package, PackageKind};

/// The cataloger.
pub static DOTNET_DEPS: DotnetDeps = DotnetDeps;

/// See the module docs.
#[derive(Debug)]
pub struct DotnetDeps;

impl Cataloger for DotnetDeps {
    fn name(&self) -> &'static str {
        "dotnet-deps"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        let name = file.name();
        if name.ends_with(".deps.json") && name.len() > ".deps.json".len() {
            read::content(read::LOCKFILE_CAP)
        } else {
            Want::No
        }
    }

    fn catalog(&self, file: &FileMeta<'_>, content: &[u8]) -> Result<Found, CatalogError> {
        let doc: Value = read::json(file, content)?;
        let Some(libraries) = doc.get("libraries") else {
            return Err(CatalogError::new(
                file.path,
                None,
                "not a .deps.json: no `libraries`",
            ));
        };
        let Some(libraries) = libraries.as_object() else {
            return Err(CatalogError::new(
                file.path,
                None,
                "`libraries` is not an object",
            ));
        };
        let mut found = Found::default();
        let mut packages = read::Packages::default();
        for (key, library) in libraries {
            let kind = read::json_str(library, "type");
            if !matches!(kind, Some("package" | "runtimepack")) {
                continue;
            }
            let Some((name, version)) = key
                .rsplit_once('/')
                .filter(|(n, v)| !n.is_empty() && !v.is_empty())
            else {
                found.errors.push(CatalogError::new(
                    file.path,
                    None,
                    format!("library `{key}` is not `name/version`"),
                ));
                continue;
            };
            let mut package = Package::new(PackageKind::NuGet, name, version, file.path);
            if kind == Some("runtimepack") {
                package
                    .metadata
                    .insert("dotnet.type".to_owned(), "runtimepack".to_owned());
            }
            packages.push(package);
        }
        found.packages = packages.into_vec();
        Ok(found)
    }
}
