//! The rpm database: RHEL and its rebuilds, Fedora, SUSE, Amazon Linux, Azure Linux, Photon.
//!
//! rpm has stored its database three ways, all read here, from the buffered file alone:
//! - SQLite, `rpmdb.sqlite` (rpm 4.16+): [`sqlite`];
//! - Berkeley DB hash, `Packages` (rpm before 4.16 on RHEL/CentOS ≤ 8, Amazon Linux 2,
//!   Fedora ≤ 32, SLES ≤ 15 SP2): [`bdb`], a reader of the page format, without Berkeley DB;
//! - ndb, `Packages.db` (rpm's own format, SUSE since SLES 15 SP3): [`ndb`].
//!
//! They are found in `var/lib/rpm/`, `usr/lib/sysimage/rpm/` (Fedora 36+, SUSE) and
//! `usr/share/rpm/`, and told apart by their first bytes (the file name is only the fallback
//! for naming the format in an error). Each holds one [`header`] blob per installed package.
//!
//! Per header: `NAME` → name; `EPOCH`, `VERSION`, `RELEASE` → the version, written
//! `epoch:version-release` when the header has an epoch (also `rpm.epoch`), else
//! `version-release`, as rpm's `%{EVR}` does; `ARCH` → arch; `LICENSE` → the license, as
//! declared; `SOURCERPM` (`bash-5.1.8-6.el9.src.rpm`) → the source package `bash`, version
//! `5.1.8-6.el9` (with the binary's epoch, since source RPM names omit it), kept when it differs
//! from the binary's; `VENDOR` and `MODULARITYLABEL` → `rpm.vendor` and
//! `rpm.modularitylabel`. The `gpg-pubkey` entries rpm keeps for imported signing keys are not
//! packages and are skipped. A header that cannot be read is reported and the rest are read.

mod bdb;
mod header;
mod ndb;
mod sqlite;

use self::header::Header;
use super::Errors;
use crate::catalog::{CatalogError, Cataloger, FileMeta, Found, Want};
use crate::{Package, PackageKind, SourcePackage};

/// What a storage format's reader calls for every record: its number, and the header blob or
/// why the record could not be read.
type EachRecord<'e> = dyn FnMut(u32, Result<&[u8], String>) + 'e;

/// The rpm cataloger.
pub static RPM: Rpm = Rpm;

/// See the [module docs](self).
#[derive(Debug, Clone, Copy)]
pub struct Rpm;

/// The largest database read. Container images' are a few MiB to a few tens of MiB (file
/// lists make up most of a header).
const MAX_BYTES: u64 = 256 << 20;

const DIRECTORIES: &[&str] = &["var/lib/rpm", "usr/lib/sysimage/rpm", "usr/share/rpm"];
const FILES: &[&str] = &["rpmdb.sqlite", "Packages", "Packages.db"];

impl Cataloger for Rpm {
    fn name(&self) -> &'static str {
        "rpm"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        match file.path.rsplit_once('/') {
            Some((dir, name)) if DIRECTORIES.contains(&dir) && FILES.contains(&name) => {
                Want::Content {
                    max_bytes: MAX_BYTES,
                }
            }
            _ => Want::No,
        }
    }

    fn catalog(&self, file: &FileMeta<'_>, content: &[u8]) -> Result<Found, CatalogError> {
        parse(file.path, content)
    }
}

/// The storage formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Sqlite,
    BerkeleyDb,
    Ndb,
}

impl Format {
    fn of(path: &str, content: &[u8]) -> Option<Format> {
        if sqlite::is_sqlite(content) {
            Some(Format::Sqlite)
        } else if ndb::is_ndb(content) {
            Some(Format::Ndb)
        } else if bdb::is_bdb(content) {
            Some(Format::BerkeleyDb)
        } else {
            match path.rsplit('/').next() {
                Some("rpmdb.sqlite") => Some(Format::Sqlite),
                Some("Packages.db") => Some(Format::Ndb),
                Some("Packages") => Some(Format::BerkeleyDb),
                _ => None,
            }
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Sqlite => "SQLite",
            Format::BerkeleyDb => "Berkeley DB",
            Format::Ndb => "ndb",
        }
    }
}

/// The packages of an rpm database file at `path`, in any of the three formats. `Err` when the
/// file is not a readable database of any.
pub fn parse(path: &str, content: &[u8]) -> Result<Found, CatalogError> {
    let Some(format) = Format::of(path, content) else {
        return Err(CatalogError::new(path, None, "not an rpm database"));
    };
    let mut found = Found::default();
    let mut errors = Errors::new(path);
    let mut each = |record: u32, blob: Result<&[u8], String>| {
        let result = blob.and_then(|blob| package(path, blob));
        match result {
            Ok(Some(package)) => found.packages.push(package),
            Ok(None) => {}
            Err(message) => errors.push(None, format!("record {record}: {message}")),
        }
    };
    let read = match format {
        Format::Sqlite => sqlite::read(content, &mut each),
        Format::BerkeleyDb => bdb::read(content, &mut each),
        Format::Ndb => ndb::read(content, &mut each),
    };
    read.map_err(|message| {
        CatalogError::new(
            path,
            None,
            format!("{} rpm database not read: {message}", format.name()),
        )
    })?;
    found.errors = errors.finish();
    Ok(found)
}

/// The package one rpm header blob describes (`None` for a `gpg-pubkey` entry); `Err` with the
/// reason when the blob is not a readable header. [`parse`] calls it for every record.
pub fn header_package(path: &str, blob: &[u8]) -> Result<Option<Package>, String> {
    package(path, blob)
}

/// See [`header_package`].
fn package(path: &str, blob: &[u8]) -> Result<Option<Package>, String> {
    let header = Header::parse(blob)?;
    let name = header
        .string(header::NAME)?
        .filter(|n| !n.is_empty())
        .ok_or("header has no name")?;
    if name == "gpg-pubkey" {
        return Ok(None);
    }
    let version = header.string(header::VERSION)?.unwrap_or_default();
    let release = header.string(header::RELEASE)?.unwrap_or_default();
    let epoch = header.int32(header::EPOCH)?;
    let version_release = if release.is_empty() {
        version
    } else {
        format!("{version}-{release}")
    };
    let evr = match epoch {
        Some(epoch) => format!("{epoch}:{version_release}"),
        None => version_release,
    };
    let mut package = Package::new(PackageKind::Rpm, name, evr.clone(), path);
    package.arch = header.string(header::ARCH)?.filter(|a| !a.is_empty());
    package.licenses = header
        .string(header::LICENSE)?
        .filter(|l| !l.is_empty())
        .into_iter()
        .collect();
    package.source = header
        .string(header::SOURCERPM)?
        .and_then(|srpm| source_rpm(&srpm, epoch))
        .map(|mut source| {
            if source.version.as_deref() == Some(evr.as_str()) {
                source.version = None;
            }
            source
        });
    if let Some(epoch) = epoch {
        package
            .metadata
            .insert("rpm.epoch".to_owned(), epoch.to_string());
    }
    for (tag, key) in [
        (header::VENDOR, "rpm.vendor"),
        (header::MODULARITYLABEL, "rpm.modularitylabel"),
    ] {
        if let Some(value) = header.string(tag)?.filter(|v| !v.is_empty()) {
            package.metadata.insert(key.to_owned(), value);
        }
    }
    Ok(Some(package))
}

/// `name-version-release.src.rpm` (or `.nosrc.rpm`) → the source package, its version
/// `[epoch:]version-release`.
fn source_rpm(file: &str, epoch: Option<u32>) -> Option<SourcePackage> {
    let stem = file
        .strip_suffix(".src.rpm")
        .or_else(|| file.strip_suffix(".nosrc.rpm"))?;
    let (rest, release) = stem.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    if name.is_empty() || version.is_empty() || release.is_empty() {
        return None;
    }
    Some(SourcePackage {
        name: name.to_owned(),
        version: Some(match epoch {
            Some(epoch) => format!("{epoch}:{version}-{release}"),
            None => format!("{version}-{release}"),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_for_databases() {
        let want = |path: &str| {
            RPM.wants(&FileMeta {
                path,
                size: 10,
                mode: 0o644,
            }) != Want::No
        };
        assert!(want("var/lib/rpm/rpmdb.sqlite"));
        assert!(want("var/lib/rpm/Packages"));
        assert!(want("usr/lib/sysimage/rpm/Packages.db"));
        assert!(want("usr/share/rpm/rpmdb.sqlite"));
        assert!(!want("var/lib/rpm/rpmdb.sqlite-wal"));
        assert!(!want("var/lib/rpm/Name"));
        assert!(!want("home/x/var/lib/rpm/Packages"));
    }

    #[test]
    fn source_rpms() {
        let s = source_rpm("bash-5.1.8-6.el9.src.rpm", None).expect("source");
        assert_eq!(
            (s.name.as_str(), s.version.as_deref()),
            ("bash", Some("5.1.8-6.el9"))
        );
        let s = source_rpm("openssl-1.1.1k-12.el8_9.src.rpm", Some(1)).expect("source");
        assert_eq!(s.version.as_deref(), Some("1:1.1.1k-12.el8_9"));
        let s = source_rpm("python3.11-pip-22.3.1-4.el9.nosrc.rpm", None).expect("source");
        assert_eq!(s.name, "python3.11-pip");
        assert_eq!(source_rpm("bash.src.rpm", None), None);
        assert_eq!(source_rpm("bash-1.0-1.x86_64.rpm", None), None);
        assert_eq!(source_rpm("-1-2.src.rpm", None), None);
    }

    #[test]
    fn packages_from_headers() {
        use header::*;
        let blob = build(
            &[
                (NAME, "openssl-libs"),
                (VERSION, "3.0.7"),
                (RELEASE, "27.el9"),
                (ARCH, "x86_64"),
                (LICENSE, "ASL 2.0"),
                (SOURCERPM, "openssl-3.0.7-27.el9.src.rpm"),
                (VENDOR, "Rocky Enterprise Software Foundation"),
            ],
            &[(EPOCH, 1)],
        );
        let p = package("var/lib/rpm/rpmdb.sqlite", &blob)
            .expect("readable")
            .expect("a package");
        assert_eq!(p.name, "openssl-libs");
        assert_eq!(p.version, "1:3.0.7-27.el9");
        assert_eq!(p.arch.as_deref(), Some("x86_64"));
        assert_eq!(p.licenses, ["ASL 2.0"]);
        let source = p.source.as_ref().expect("source");
        assert_eq!(
            (source.name.as_str(), source.version.as_deref()),
            ("openssl", None)
        );
        assert_eq!(p.metadata.get("rpm.epoch").map(String::as_str), Some("1"));

        let key = build(&[(NAME, "gpg-pubkey"), (VERSION, "fd431d51")], &[]);
        assert_eq!(package("var/lib/rpm/Packages", &key), Ok(None));
        let nameless = build(&[(VERSION, "1")], &[]);
        assert!(package("var/lib/rpm/Packages", &nameless).is_err());
    }

    #[test]
    fn every_format_through_parse() {
        use header::*;
        let a = build(&[(NAME, "a"), (VERSION, "1"), (RELEASE, "1")], &[]);
        let b = build(&[(NAME, "b"), (VERSION, "2"), (RELEASE, "1")], &[]);
        let found =
            parse("usr/lib/sysimage/rpm/Packages.db", &ndb::build(&[&a, &b])).expect("readable");
        let names: Vec<_> = found.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        let err = parse("var/lib/rpm/Packages", b"\0\0\0\0 garbage of some length")
            .expect_err("not a database");
        assert!(err.message.starts_with("Berkeley DB rpm database not read"));
        assert!(parse("var/lib/rpm/rpmdb.sqlite", b"SQLite format 3\0").is_err());
    }
}
