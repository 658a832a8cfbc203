//! Language ecosystems: installed packages, archives, binaries and lockfiles.
//!
//! | ecosystem | installed (scope everywhere) | lockfiles and manifests (source trees) |
//! |---|---|---|
//! | Python | [`python_installed`]: `*.dist-info/METADATA`, `*.egg-info` | [`python_requirements`], [`pipfile_lock`], [`poetry_lock`], [`pdm_lock`] |
//! | npm | [`npm_installed`]: `node_modules/**/package.json` | [`npm_lock`], [`yarn_lock`], [`pnpm_lock`] |
//! | Ruby | [`gemspec`]: `specifications/*.gemspec` | [`gemfile_lock`] |
//! | PHP | [`composer`]: `vendor/composer/installed.json` | [`composer`]: `composer.lock` |
//! | .NET | [`dotnet_deps`]: `*.deps.json` | |
//! | Go | | [`go_mod`] |
//! | Rust | [`cargo_lock`] (everywhere: see there why) | |
//!
//! Names are kept as each ecosystem publishes them (`Pygments`, `@babel/core`,
//! `Newtonsoft.Json`); vulnerability lookup normalises per ecosystem. Properties the
//! catalogers record in [`Package::metadata`](crate::Package::metadata):
//!
//! - `dependency.scope`: `dev` (needed only to develop: npm `dev`, Pipenv `develop`, Poetry
//!   `category = "dev"`, Composer `packages-dev`…) or `optional`; absent for run-time
//!   dependencies. When one release is listed several times, run time wins over optional,
//!   which wins over dev.
//! - `vcs.commit`: the commit of a package installed from a git repository. Where the lockfile
//!   gives a commit and no release version (npm v1 git dependencies), the version is empty.
//! - ecosystem details: `python.marker`, `go.indirect`, `go.replaces`, `go.replace-dir`,
//!   `cargo.source`, `gem.source`, `dotnet.type`.
//!
//! Each file is read on its own: a lockfile's packages are reported once per release
//! (name and version), and a file that cannot be parsed at all is an error while one bad
//! entry is reported beside the rest.

use super::Cataloger;

pub mod cargo_lock;
pub mod composer;
pub mod dotnet_deps;
pub mod gemfile_lock;
pub mod gemspec;
pub mod go_binary;
pub mod go_mod;
pub mod java;
pub mod npm_installed;
pub mod npm_lock;
pub mod pdm_lock;
pub mod pipfile_lock;
pub mod pnpm_lock;
pub mod poetry_lock;
pub mod python_installed;
pub mod python_requirements;
mod read;
pub mod rust_binary;
pub mod yarn_lock;

/// The language catalogers.
pub static CATALOGERS: &[&dyn Cataloger] = &[
    &cargo_lock::CARGO_LOCK,
    &composer::COMPOSER_INSTALLED,
    &composer::COMPOSER_LOCK,
    &dotnet_deps::DOTNET_DEPS,
    &gemfile_lock::GEMFILE_LOCK,
    &gemspec::GEMSPEC,
    &go_binary::GO_BINARY,
    &go_mod::GO_MOD,
    &java::JAVA_ARCHIVE,
    &npm_installed::NPM_INSTALLED,
    &npm_lock::NPM_LOCK,
    &pdm_lock::PDM_LOCK,
    &pipfile_lock::PIPFILE_LOCK,
    &pnpm_lock::PNPM_LOCK,
    &poetry_lock::POETRY_LOCK,
    &python_installed::PYTHON_INSTALLED,
    &python_requirements::PYTHON_REQUIREMENTS,
    &rust_binary::RUST_BINARY,
    &yarn_lock::YARN_LOCK,
];
