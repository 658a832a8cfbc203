//! Installed npm packages: `node_modules/<name>/package.json` and
//! `node_modules/@scope/<name>/package.json`, at any depth of nesting
//! (`node_modules/a/node_modules/b/package.json`, pnpm's `node_modules/.pnpm/…/node_modules/b`).
//!
//! Only a package's own manifest, directly under its `node_modules` directory, is read: the
//! `package.json` files deeper inside a package (`lib/package.json`, test fixtures) and those
//! of the project itself describe no installed package. A manifest without a `name` or
//! `version` string is skipped without an error (such files exist: npm tolerates them for
//! private folders). Licenses: `license` (an SPDX expression, or the legacy object form
//! `{"type": …}`) or the legacy `licenses` array.

use super::read;
use crate::catalog::{CatalogError, Cataloger, FileMeta, Found, Want};
use crate::{Package, PackageKind};

/// The cataloger.
pub static NPM_INSTALLED: NpmInstalled = NpmInstalled;

/// See the module docs.
#[derive(Debug)]
pub struct NpmInstalled;

impl Cataloger for NpmInstalled {
    fn name(&self) -> &'static str {
        "npm-installed"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if is_installed_manifest(file.path) {
            read::content(read::MANIFEST_CAP)
        } else {
            Want::No
        }
    }

    fn catalog(&self, file: &FileMeta<'_>, content: &[u8]) -> Result<Found, CatalogError> {
        let doc = read::json_object(file, content, "package.json")?;
        let (Some(name), Some(version)) = (
            read::json_str(&doc, "name"),
            read::json_str(&doc, "version"),
        ) else {
            return Ok(Found::default());
        };
        let mut package = Package::new(PackageKind::Npm, name, version, file.path);
        package.licenses = read::declared_licenses(doc.get("license"));
        if package.licenses.is_empty() {
            package.licenses = read::declared_licenses(doc.get("licenses"));
        }
        Ok(Found {
            packages: vec![package],
            errors: Vec::new(),
        })
    }
}

/// `…/node_modules/<name>/package.json` or `…/node_modules/@scope/<name>/package.json`.
fn is_installed_manifest(path: &str) -> bool {
    let mut parts = read::components(path).rev();
    if parts.next() != Some("package.json") {
        return false;
    }
    let Some(name) = parts.next() else {
        return false;
    };
    if name.starts_with('@') || name == "node_modules" {
        return false;
    }
    match parts.next() {
        Some("node_modules") => true,
        Some(scope) if scope.starts_with('@') && scope.len() > 1 => {
            parts.next() == Some("node_modules")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_manifests() {
        for (path, want) in [
            ("usr/lib/node_modules/npm/package.json", true),
            ("app/node_modules/@babel/core/package.json", true),
            ("app/node_modules/a/node_modules/b/package.json", true),
            (
                "app/node_modules/.pnpm/b@1.0.0/node_modules/b/package.json",
                true,
            ),
            ("app/package.json", false),
            ("app/node_modules/a/lib/package.json", false),
            ("app/node_modules/@babel/package.json", false),
            ("node_modules/package.json", false),
            ("package.json", false),
        ] {
            assert_eq!(is_installed_manifest(path), want, "{path}");
        }
    }

    #[test]
    fn skips_nameless() {
        let file = FileMeta {
            path: "node_modules/a/package.json",
            size: 2,
            mode: 0o644,
        };
        assert!(
            NPM_INSTALLED
                .catalog(&file, br#"{"type":"module"}"#)
                .unwrap()
                .packages
                .is_empty()
        );
        assert!(
            NPM_INSTALLED
                .catalog(&file, br#"{"name":"a","version":1}"#)
                .unwrap()
                .packages
                .is_empty()
        );
        assert!(NPM_INSTALLED.catalog(&file, b"[]").is_err());
        assert!(NPM_INSTALLED.catalog(&file, b"{").is_err());
    }
}
