//! The apk database: Alpine, Wolfi and Chainguard images.
//!
//! Reads `lib/apk/db/installed` (or `usr/lib/apk/db/installed`, where usr-merged Wolfi and
//! Chainguard images keep it, `lib` being a symlink to `usr/lib`), apk-tools' record of
//! installed packages: one record per
//! package, records separated by a blank line, each line a one-letter field, a colon and a
//! value (apk-tools' `apk_db_index_read`). Per record: `P` → name, `V` → version, `A` → arch,
//! `L` → licenses, `o` (origin) → the source package (the package itself when absent), `m`
//! and `c` (maintainer, aports commit) → `apk.maintainer` and `apk.commit`. The file and
//! directory lines (`F`, `R`, `Z`, `a`, `M`…) and the other fields are not needed here.
//!
//! `L` is an SPDX expression on current Alpine (`MIT AND BSD-2-Clause`), kept whole, but
//! older packages list licenses separated by spaces (`MIT BSD GPL2+`), split into one license
//! each. apk-tools rejects a database with a malformed line; here such a line is reported and
//! skipped, a record without `P` is reported, and one without `V` is reported and kept with an
//! empty version.

use super::Errors;
use crate::catalog::{CatalogError, Cataloger, FileMeta, Found, Want};
use crate::{Package, PackageKind, SourcePackage};

/// The apk cataloger.
pub static APK: Apk = Apk;

/// See the [module docs](self).
#[derive(Debug, Clone, Copy)]
pub struct Apk;

/// The largest database read (it lists every installed file: a few MiB on large images).
const MAX_BYTES: u64 = 64 << 20;

impl Cataloger for Apk {
    fn name(&self) -> &'static str {
        "apk"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if matches!(
            file.path,
            "lib/apk/db/installed" | "usr/lib/apk/db/installed"
        ) {
            Want::Content {
                max_bytes: MAX_BYTES,
            }
        } else {
            Want::No
        }
    }

    fn catalog(&self, file: &FileMeta<'_>, content: &[u8]) -> Result<Found, CatalogError> {
        Ok(parse(file.path, content))
    }
}

/// One record's fields of interest.
#[derive(Debug, Default)]
struct Record<'a> {
    line: u32,
    name: Option<&'a str>,
    version: Option<&'a str>,
    arch: Option<&'a str>,
    license: Option<&'a str>,
    origin: Option<&'a str>,
    maintainer: Option<&'a str>,
    commit: Option<&'a str>,
    /// Whether any field line was seen.
    started: bool,
}

/// The packages of an apk `installed` database at `path`.
pub fn parse(path: &str, content: &[u8]) -> Found {
    let text = String::from_utf8_lossy(content);
    let mut found = Found::default();
    let mut errors = Errors::new(path);
    let mut record = Record::default();
    let mut number: u32 = 0;
    for line in text.split('\n') {
        number = number.saturating_add(1);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            finish(path, std::mem::take(&mut record), &mut found, &mut errors);
            continue;
        }
        let mut chars = line.chars();
        let (Some(field), Some(':')) = (chars.next(), chars.next()) else {
            errors.push(Some(number), "expected `X:value`".to_owned());
            continue;
        };
        if !record.started {
            record.started = true;
            record.line = number;
        }
        let value = chars.as_str().trim();
        let slot = match field {
            'P' => &mut record.name,
            'V' => &mut record.version,
            'A' => &mut record.arch,
            'L' => &mut record.license,
            'o' => &mut record.origin,
            'm' => &mut record.maintainer,
            'c' => &mut record.commit,
            _ => continue,
        };
        if slot.is_some() {
            errors.push(
                Some(number),
                format!("`{field}:` appears twice in one record; the first is used"),
            );
        } else {
            *slot = Some(value);
        }
    }
    finish(path, record, &mut found, &mut errors);
    found.errors = errors.finish();
    found
}

fn finish(path: &str, record: Record<'_>, found: &mut Found, errors: &mut Errors<'_>) {
    if !record.started {
        return;
    }
    let Some(name) = record.name.filter(|n| !n.is_empty()) else {
        errors.push(
            Some(record.line),
            "record has no package name (`P:`)".to_owned(),
        );
        return;
    };
    let version = match record.version.filter(|v| !v.is_empty()) {
        Some(version) => version,
        None => {
            errors.push(
                Some(record.line),
                format!("`{name}` has no version (`V:`); reported with an empty version"),
            );
            ""
        }
    };
    let mut package = Package::new(PackageKind::Apk, name, version, path);
    package.arch = record.arch.filter(|a| !a.is_empty()).map(str::to_owned);
    package.licenses = record.license.map(licenses).unwrap_or_default();
    package.source = Some(SourcePackage {
        name: record
            .origin
            .filter(|o| !o.is_empty())
            .unwrap_or(name)
            .to_owned(),
        version: None,
    });
    for (value, key) in [
        (record.maintainer, "apk.maintainer"),
        (record.commit, "apk.commit"),
    ] {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            package.metadata.insert(key.to_owned(), value.to_owned());
        }
    }
    found.packages.push(package);
}

/// An `L:` value: one SPDX expression, or (older packages) licenses separated by spaces.
fn licenses(value: &str) -> Vec<String> {
    let is_expression = value.contains(['(', ')'])
        || value
            .split_ascii_whitespace()
            .any(|w| matches!(w.to_ascii_uppercase().as_str(), "AND" | "OR" | "WITH"));
    if is_expression {
        vec![value.to_owned()]
    } else {
        value.split_ascii_whitespace().map(str::to_owned).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_records() {
        let text = "C:Q1abc=\nP:musl\nV:1.2.4-r4\nA:x86_64\nL:MIT\no:musl\nm:Someone <a@b>\nc:abc123\nF:lib\nR:libc.so\n\n\
P:busybox-binsh\nV:1.36.1-r15\nL:GPL-2.0-only\no:busybox\n\n\
P:old\nV:1\nL:MIT BSD GPL2+\n\n\
P:new\nV:2\nL:MIT AND (BSD-2-Clause OR Apache-2.0)\n";
        let found = parse("lib/apk/db/installed", text.as_bytes());
        assert!(found.errors.is_empty(), "{:?}", found.errors);
        let got: Vec<_> = found
            .packages
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.version.as_str(),
                    p.source.as_ref().map(|s| s.name.as_str()),
                    p.licenses.clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("musl", "1.2.4-r4", Some("musl"), vec!["MIT".to_owned()]),
                (
                    "busybox-binsh",
                    "1.36.1-r15",
                    Some("busybox"),
                    vec!["GPL-2.0-only".to_owned()]
                ),
                (
                    "old",
                    "1",
                    Some("old"),
                    vec!["MIT".to_owned(), "BSD".to_owned(), "GPL2+".to_owned()]
                ),
                (
                    "new",
                    "2",
                    Some("new"),
                    vec!["MIT AND (BSD-2-Clause OR Apache-2.0)".to_owned()]
                ),
            ]
        );
        let musl = &found.packages[0];
        assert_eq!(musl.arch.as_deref(), Some("x86_64"));
        assert_eq!(
            musl.metadata.get("apk.commit").map(String::as_str),
            Some("abc123")
        );
    }

    #[test]
    fn asks_for_the_database_only() {
        let want = |path: &str| {
            APK.wants(&FileMeta {
                path,
                size: 10,
                mode: 0o644,
            }) != Want::No
        };
        assert!(want("lib/apk/db/installed"));
        assert!(want("usr/lib/apk/db/installed"));
        assert!(!want("lib/apk/db/scripts.tar"));
        assert!(!want("home/x/lib/apk/db/installed"));
    }

    #[test]
    fn reports_damage() {
        let text = "garbage\nP:a\nV:1\nP:b\n\n\no:x\nV:2\n\nP:nov\n";
        let found = parse("lib/apk/db/installed", text.as_bytes());
        let names: Vec<_> = found
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(names, [("a", "1"), ("nov", "")]);
        let lines: Vec<_> = found.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [Some(1), Some(4), Some(7), Some(10)]);
    }
}
