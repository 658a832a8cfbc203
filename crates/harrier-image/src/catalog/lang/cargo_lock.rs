//! Cargo's `Cargo.lock` (TOML), lockfile versions 1 to 4: one `[[package]]` table per crate
//! in the build, with `name`, `version` and, for crates not in the workspace, `source`
//! (`registry+https://github.com/rust-lang/crates.io-index`, `sparse+…`, `git+…#<commit>`).
//!
//! Workspace and path crates have no `source`; they are reported too (the SBOM lists what the
//! build contains) with `cargo.source = "local"`, so that vulnerability lookup can tell them
//! from the crates.io crate of the same name. Git crates keep the commit as `vcs.commit`.
//! Version 1 files keep checksums in a `[metadata]` table, which is not needed here.
//!
//! Scope: everywhere. A Rust binary is statically linked and, unless built with
//! cargo-auditable, does not say which crates it contains; application images very often
//! ship the `Cargo.lock` the binary was built from (`COPY . .` before `cargo build`), and then
//! it is the best record of the crates in the image. Lockfiles of crates downloaded into a
//! Cargo home (`.cargo/registry/src/…`, `.cargo/git/checkouts/…`) are those crates' own
//! development lockfiles, not what was built, and are not read.

use serde::Deserialize;

use super::read;
use crate::catalog::{CatalogError, Cataloger, FileMeta, Found, Want};
use crate::{Package, PackageKind};

/// The cataloger.
pub static CARGO_LOCK: CargoLock = CargoLock;

/// See the module docs.
#[derive(Debug)]
pub struct CargoLock;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<toml::Value>,
}

impl Cataloger for CargoLock {
    fn name(&self) -> &'static str {
        "rust-cargo-lock"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if file.name() == "Cargo.lock" && !in_cargo_home(file.path) {
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
            let mut package = Package::new(PackageKind::Rust, name, version, file.path);
            match entry.get("source").and_then(toml::Value::as_str) {
                Some(source) => {
                    package
                        .metadata
                        .insert("cargo.source".to_owned(), source.to_owned());
                    if source.starts_with("git+")
                        && let Some(commit) = read::vcs_commit(source)
                    {
                        package
                            .metadata
                            .insert(read::COMMIT_KEY.to_owned(), commit.to_owned());
                    }
                }
                None => {
                    package
                        .metadata
                        .insert("cargo.source".to_owned(), "local".to_owned());
                }
            }
            packages.push(package);
        }
        found.packages = packages.into_vec();
        Ok(found)
    }
}

/// `…/.cargo/registry/…` and `…/.cargo/git/…` (or `$CARGO_HOME` named `cargo`, as in the
/// official images' `/usr/local/cargo`).
fn in_cargo_home(path: &str) -> bool {
    let parts: Vec<&str> = read::components(path).collect();
    parts
        .windows(2)
        .any(|w| matches!(w, [home, sub] if (*home == ".cargo" || *home == "cargo") && (*sub == "registry" || *sub == "git")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_home_is_skipped() {
        assert!(in_cargo_home(
            "root/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde-1.0.0/Cargo.lock"
        ));
        assert!(in_cargo_home(
            "usr/local/cargo/git/checkouts/x/abc/Cargo.lock"
        ));
        assert!(!in_cargo_home("usr/src/app/Cargo.lock"));
    }
}
