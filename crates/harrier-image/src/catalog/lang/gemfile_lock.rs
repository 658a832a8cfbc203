//! Bundler's `Gemfile.lock` (and `gems.locked`): the specs of its `GEM`, `GIT` and `PATH`
//! sections, each `    name (version)` at four spaces of indentation under `  specs:`.
//!
//! As Bundler's `LockfileParser` reads it, a spec's version is everything in the parentheses
//! up to the first `-`; what follows is the platform (`nokogiri (1.13.6-x86_64-linux)`), kept
//! as the package's architecture. Lines at six spaces are the spec's own dependencies, not
//! packages. `GIT` gems keep the section's `revision` as `vcs.commit`, and `GIT` and `PATH`
//! gems their `remote` as `gem.source`, since they did not come from a gem server.
//! `PLATFORMS`, `DEPENDENCIES`, `RUBY VERSION` and `BUNDLED WITH` name no installed gem.

use super::read;
use crate::catalog::{CatalogError, Cataloger, FileMeta, Found, Scope, Want};
use crate::{Package, PackageKind};

/// The cataloger.
pub static GEMFILE_LOCK: GemfileLock = GemfileLock;

/// See the module docs.
#[derive(Debug)]
pub struct GemfileLock;

/// Real lockfiles are tens of kilobytes.
const CAP: u64 = 16 << 20;

impl Cataloger for GemfileLock {
    fn name(&self) -> &'static str {
        "ruby-gemfile-lock"
    }

    fn scope(&self) -> Scope {
        Scope::SourceTree
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        let name = file.name();
        if (name == "Gemfile.lock" || name == "gems.locked") && !in_installed_gem(file.path) {
            read::content(CAP)
        } else {
            Want::No
        }
    }

    fn catalog(&self, file: &FileMeta<'_>, content: &[u8]) -> Result<Found, CatalogError> {
        let text = read::text(file, content)?;
        Ok(parse(file.path, text))
    }
}

/// Installed gems (`…/gems/rails-7.0.4/Gemfile.lock`) ship their development lockfile, which
/// says nothing about the project around them.
fn in_installed_gem(path: &str) -> bool {
    let parts: Vec<&str> = read::components(path).collect();
    parts.windows(2).any(|w| {
        w.first() == Some(&"gems")
            && w.get(1)
                .and_then(|dir| dir.rsplit_once('-'))
                .is_some_and(|(_, v)| v.starts_with(|c: char| c.is_ascii_digit()))
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Gem,
    Git,
    Path,
    Other,
}

fn parse(path: &str, text: &str) -> Found {
    let mut found = Found::default();
    let mut packages = read::Packages::default();
    let mut section = Section::Other;
    let mut in_specs = false;
    let mut remote: Option<String> = None;
    let mut revision: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(i).unwrap_or(u32::MAX).saturating_add(1);
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        let content = line.trim();
        match indent {
            0 => {
                section = match content {
                    "GEM" => Section::Gem,
                    "GIT" => Section::Git,
                    "PATH" => Section::Path,
                    _ => Section::Other,
                };
                in_specs = false;
                remote = None;
                revision = None;
            }
            2 if section != Section::Other => {
                in_specs = content == "specs:";
                if let Some(value) = content.strip_prefix("remote:") {
                    remote.get_or_insert_with(|| value.trim().to_owned());
                } else if let Some(value) = content.strip_prefix("revision:") {
                    revision = Some(value.trim().to_owned());
                }
            }
            4 if in_specs => match spec(content) {
                Some((name, version, platform)) => {
                    let mut package = Package::new(PackageKind::Gem, name, version, path);
                    package.arch = platform.map(str::to_owned);
                    if section != Section::Gem
                        && let Some(remote) = &remote
                    {
                        package
                            .metadata
                            .insert("gem.source".to_owned(), remote.clone());
                    }
                    if section == Section::Git
                        && let Some(revision) = &revision
                    {
                        package
                            .metadata
                            .insert(read::COMMIT_KEY.to_owned(), revision.clone());
                    }
                    packages.push(package);
                }
                None => found.errors.push(CatalogError::new(
                    path,
                    Some(line_no),
                    format!("`{content}` is not a `name (version)` spec"),
                )),
            },
            _ => {}
        }
    }
    found.packages = packages.into_vec();
    found
}

/// `name (version[-platform])`.
fn spec(line: &str) -> Option<(&str, &str, Option<&str>)> {
    let (name, rest) = line.split_once(" (")?;
    let inside = rest.strip_suffix(')')?;
    let (version, platform) = match inside.split_once('-') {
        Some((v, p)) => (v, Some(p).filter(|p| !p.is_empty())),
        None => (inside, None),
    };
    let name = name.trim();
    let version = version.trim();
    (!name.is_empty() && !name.contains(' ') && !version.is_empty())
        .then_some((name, version, platform))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockfiles_of_installed_gems_are_skipped() {
        assert!(in_installed_gem(
            "usr/local/bundle/gems/rails-7.0.4/Gemfile.lock"
        ));
        assert!(!in_installed_gem("src/gems/my-gem/Gemfile.lock"));
        assert!(!in_installed_gem("Gemfile.lock"));
    }

    #[test]
    fn specs() {
        assert_eq!(spec("rack (2.2.3)"), Some(("rack", "2.2.3", None)));
        assert_eq!(
            spec("nokogiri (1.13.3-x86_64-linux)"),
            Some(("nokogiri", "1.13.3", Some("x86_64-linux")))
        );
        assert_eq!(
            spec("ffi (1.15.5-x64-mingw-ucrt)"),
            Some(("ffi", "1.15.5", Some("x64-mingw-ucrt")))
        );
        assert_eq!(spec("rack"), None);
        assert_eq!(spec("rack ()"), None);
    }

    #[test]
    fn sections() {
        let found = parse(
            "Gemfile.lock",
            "GIT\n  remote: https://github.com/a/b.git\n  revision: 027dbe2e56397b534e859fc283990cad1b6addd6\n  specs:\n    b (2.0.0.alpha1)\n      rack (~> 2.0)\n\nGEM\n  remote: https://rubygems.org/\n  specs:\n    rack (2.2.3)\n    bad spec\n\nPLATFORMS\n  x86_64-linux\n\nDEPENDENCIES\n  b!\n\nBUNDLED WITH\n   2.2.28\n",
        );
        let got: Vec<_> = found
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(got, [("b", "2.0.0.alpha1"), ("rack", "2.2.3")]);
        assert_eq!(
            found.packages[0]
                .metadata
                .get("vcs.commit")
                .map(String::as_str),
            Some("027dbe2e56397b534e859fc283990cad1b6addd6")
        );
        assert!(!found.packages[1].metadata.contains_key("gem.source"));
        assert_eq!(found.errors.len(), 1);
        assert_eq!(found.errors[0].line, Some(12));
    }
}
