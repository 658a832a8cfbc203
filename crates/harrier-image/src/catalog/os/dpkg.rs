//! The dpkg database: Debian, Ubuntu and their derivatives, and distroless images.
//!
//! Reads `var/lib/dpkg/status` (one deb822 stanza per package, as dpkg writes it) and the
//! distroless layout `var/lib/dpkg/status.d/<name>` (one file per package, usually one stanza
//! and no `Status` field), plus the same under `usr/lib/dpkg/` where some images keep them.
//! The `*.md5sums` (and other maintainer-script) files distroless puts in `status.d` are not
//! package records and are not asked for.
//!
//! Per stanza: `Package` → name, `Version` → version (`epoch:upstream-revision` as written),
//! `Architecture` → arch, `Source` (`name` or `name (version)`) → the source package, or the
//! package itself when there is no `Source`; `Maintainer` and `Multi-Arch` are kept as
//! `deb.maintainer` and `deb.multi-arch`. dpkg records no license: see
//! [`super::deb_copyright`] for the licenses of `usr/share/doc/<name>/copyright`.
//!
//! Which stanzas are packages, by the `Status` field (`want flag status`, dpkg-query(1)):
//! - status `installed`, whatever the want flag (`install`, `hold`, or a pending `deinstall`)
//!   and the error flag: reported. Also `triggers-awaited` and `triggers-pending`, whose files
//!   are all unpacked and configured and only await trigger processing.
//! - `not-installed` and `config-files` (removed, only conffiles left): skipped silently.
//! - `half-installed`, `unpacked` and `half-configured` (a dpkg run that did not finish): not
//!   reported as installed; each is noted in [`Found::errors`], since such an image's files
//!   may be partly there.
//! - no `Status` field at all: reported, because distroless `status.d` files have none.
//! - a `Status` that is not three known words: noted as an error, not reported.
//!
//! A stanza without `Package` is an error; one without `Version` is reported with an empty
//! version and an error, since an SBOM should still list it.

use super::Errors;
use super::deb822::{self, Paragraph};
use crate::catalog::{CatalogError, Cataloger, FileMeta, Found, Want};
use crate::{Package, PackageKind, SourcePackage};

/// The dpkg cataloger.
pub static DPKG: Dpkg = Dpkg;

/// See the [module docs](self).
#[derive(Debug, Clone, Copy)]
pub struct Dpkg;

/// The largest `status` file read. Debian desktops with thousands of packages stay under
/// 10 MiB.
const MAX_STATUS_BYTES: u64 = 64 << 20;
/// The largest `status.d/<name>` file read.
const MAX_STATUS_D_BYTES: u64 = 4 << 20;

/// The files dpkg keeps per package beside its record, in `info/` or (distroless) in
/// `status.d/`; they are not package records.
const INFO_SUFFIXES: &[&str] = &[
    ".md5sums",
    ".conffiles",
    ".list",
    ".preinst",
    ".postinst",
    ".prerm",
    ".postrm",
    ".config",
    ".templates",
    ".triggers",
    ".shlibs",
    ".symbols",
    ".control",
];

impl Cataloger for Dpkg {
    fn name(&self) -> &'static str {
        "dpkg"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if is_status_file(file.path) {
            Want::Content {
                max_bytes: MAX_STATUS_BYTES,
            }
        } else if is_status_d_file(file.path) {
            Want::Content {
                max_bytes: MAX_STATUS_D_BYTES,
            }
        } else {
            Want::No
        }
    }

    fn catalog(&self, file: &FileMeta<'_>, content: &[u8]) -> Result<Found, CatalogError> {
        Ok(parse(file.path, content))
    }
}

fn is_status_file(path: &str) -> bool {
    matches!(path, "var/lib/dpkg/status" | "usr/lib/dpkg/status")
}

fn is_status_d_file(path: &str) -> bool {
    let Some((dir, name)) = path.rsplit_once('/') else {
        return false;
    };
    matches!(dir, "var/lib/dpkg/status.d" | "usr/lib/dpkg/status.d")
        && !name.is_empty()
        && !name.starts_with('.')
        && !INFO_SUFFIXES.iter().any(|suffix| name.ends_with(suffix))
}

/// The packages of a dpkg `status` file or a `status.d` file at `path`.
pub fn parse(path: &str, content: &[u8]) -> Found {
    let text = String::from_utf8_lossy(content);
    let mut found = Found::default();
    let mut errors = Errors::new(path);
    for paragraph in deb822::paragraphs(&text) {
        for problem in &paragraph.problems {
            errors.push(Some(problem.line), problem.message.clone());
        }
        if let Some(package) = package(path, &paragraph, &mut errors) {
            found.packages.push(package);
        }
    }
    found.errors = errors.finish();
    found
}

/// What the `Status` field says of a stanza.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Installed {
    Yes,
    /// Removed; nothing to say.
    No,
    /// Part-way through an install or removal: the status word.
    Partly(&'static str),
}

fn installed(status: &str) -> Result<Installed, String> {
    let words: Vec<&str> = status.split_ascii_whitespace().collect();
    let [want, flag, state] = words.as_slice() else {
        return Err(format!(
            "`Status: {status}` is not `want flag status` (three words)"
        ));
    };
    if !matches!(
        *want,
        "unknown" | "install" | "hold" | "deinstall" | "purge"
    ) {
        return Err(format!("unknown want flag `{want}` in `Status: {status}`"));
    }
    // `hold` and `hold-reinstreq` are error flags of dpkg before 1.15.
    if !matches!(*flag, "ok" | "reinstreq" | "hold" | "hold-reinstreq") {
        return Err(format!("unknown error flag `{flag}` in `Status: {status}`"));
    }
    Ok(match *state {
        "installed" | "triggers-awaited" | "triggers-pending" => Installed::Yes,
        "not-installed" | "config-files" => Installed::No,
        "half-installed" => Installed::Partly("half-installed"),
        "unpacked" => Installed::Partly("unpacked"),
        "half-configured" => Installed::Partly("half-configured"),
        other => return Err(format!("unknown status `{other}` in `Status: {status}`")),
    })
}

fn package(path: &str, paragraph: &Paragraph<'_>, errors: &mut Errors) -> Option<Package> {
    let Some(name) = paragraph.value("Package") else {
        if !paragraph.fields.is_empty() {
            let message = if paragraph.get("Package").is_some() {
                "`Package` is empty"
            } else {
                "stanza has no `Package` field"
            };
            errors.push(Some(paragraph.line), message.to_owned());
        }
        return None;
    };
    if let Some(status) = paragraph.get("Status") {
        match installed(status.first_line()) {
            Ok(Installed::Yes) => {}
            Ok(Installed::No) => return None,
            Ok(Installed::Partly(state)) => {
                errors.push(
                    Some(status.line),
                    format!("`{name}` is `{state}`: not reported as installed"),
                );
                return None;
            }
            Err(message) => {
                errors.push(Some(status.line), format!("`{name}`: {message}"));
                return None;
            }
        }
    }
    let version = match paragraph.value("Version") {
        Some(version) => version,
        None => {
            errors.push(
                Some(paragraph.line),
                format!("`{name}` has no `Version`; reported with an empty version"),
            );
            ""
        }
    };
    let mut package = Package::new(PackageKind::Deb, name, version, path);
    package.arch = paragraph.value("Architecture").map(str::to_owned);
    package.source = Some(match paragraph.value("Source") {
        Some(source) => source_package(source, version),
        None => SourcePackage {
            name: name.to_owned(),
            version: None,
        },
    });
    for (field, key) in [
        ("Maintainer", "deb.maintainer"),
        ("Multi-Arch", "deb.multi-arch"),
    ] {
        if let Some(value) = paragraph.value(field) {
            package.metadata.insert(key.to_owned(), value.to_owned());
        }
    }
    Some(package)
}

/// `Source: name` or `Source: name (version)`; the version is kept only when it differs from
/// the binary package's (binNMUs and packages whose source has another epoch or version).
fn source_package(source: &str, binary_version: &str) -> SourcePackage {
    let (name, version) = match source.split_once('(') {
        Some((name, rest)) => {
            let version = rest.split(')').next().unwrap_or("").trim();
            (name.trim(), (!version.is_empty()).then_some(version))
        }
        None => (source.trim(), None),
    };
    SourcePackage {
        name: name.to_owned(),
        version: version.filter(|v| *v != binary_version).map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::os::MAX_ERRORS;

    fn names(found: &Found) -> Vec<(&str, &str)> {
        found
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect()
    }

    #[test]
    fn asks_for_status_files_only() {
        let want = |path: &str| {
            DPKG.wants(&FileMeta {
                path,
                size: 10,
                mode: 0o644,
            }) != Want::No
        };
        assert!(want("var/lib/dpkg/status"));
        assert!(want("usr/lib/dpkg/status"));
        assert!(want("var/lib/dpkg/status.d/libc6"));
        assert!(want("var/lib/dpkg/status.d/python3.11"));
        assert!(!want("var/lib/dpkg/status.d/libc6.md5sums"));
        assert!(!want("var/lib/dpkg/status.d/libc6.preinst"));
        assert!(!want("var/lib/dpkg/status-old"));
        assert!(!want("var/lib/dpkg/info/libc6.list"));
        assert!(!want("srv/var/lib/dpkg/status"));
    }

    #[test]
    fn status_states() {
        let text = "\
Package: a\nStatus: install ok installed\nVersion: 1\n\n\
Package: b\nStatus: hold ok installed\nVersion: 2\n\n\
Package: c\nStatus: deinstall ok config-files\nVersion: 3\n\n\
Package: d\nStatus: install reinstreq half-installed\nVersion: 4\n\n\
Package: e\nStatus: install ok triggers-pending\nVersion: 5\n\n\
Package: f\nStatus: bad-status\nVersion: 6\n\n\
Package: g\nVersion: 7\n\n\
Package: h\nStatus: purge ok not-installed\n";
        let found = parse("var/lib/dpkg/status", text.as_bytes());
        assert_eq!(
            names(&found),
            [("a", "1"), ("b", "2"), ("e", "5"), ("g", "7")]
        );
        let lines: Vec<_> = found.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [Some(14), Some(22)]);
        assert!(found.errors[0].message.contains("half-installed"));
    }

    #[test]
    fn source_field() {
        let text = "Package: bsdutils\nVersion: 1:2.36.1-8\nSource: util-linux (2.36.1-8)\n\n\
Package: libc6\nVersion: 2.36-9\nSource: glibc\nArchitecture: amd64\nMulti-Arch: same\n\n\
Package: base-files\nVersion: 12.4\n\n\
Package: x\nVersion: 1.0-1+b1\nSource: x (1.0-1)\n\n\
Package: y\nVersion: 1.0\nSource: y (1.0)\n";
        let found = parse("var/lib/dpkg/status", text.as_bytes());
        let sources: Vec<_> = found
            .packages
            .iter()
            .map(|p| {
                let s = p.source.as_ref().expect("source");
                (s.name.as_str(), s.version.as_deref())
            })
            .collect();
        assert_eq!(
            sources,
            [
                ("util-linux", Some("2.36.1-8")),
                ("glibc", None),
                ("base-files", None),
                ("x", Some("1.0-1")),
                ("y", None),
            ]
        );
        let libc = &found.packages[1];
        assert_eq!(libc.arch.as_deref(), Some("amd64"));
        assert_eq!(
            libc.metadata.get("deb.multi-arch").map(String::as_str),
            Some("same")
        );
        assert!(found.errors.is_empty());
    }

    #[test]
    fn missing_fields() {
        let found = parse(
            "var/lib/dpkg/status",
            b"Package:\n\nVersion: 1\n\nPackage: nover\nStatus: install ok installed\n",
        );
        assert_eq!(names(&found), [("nover", "")]);
        assert_eq!(found.errors.len(), 3);
    }

    #[test]
    fn caps_errors() {
        let text = "junk\n\n".repeat(500);
        let found = parse("var/lib/dpkg/status", text.as_bytes());
        assert_eq!(found.errors.len(), MAX_ERRORS + 1);
        assert!(found.errors[MAX_ERRORS].message.contains("400 more"));
    }
}
