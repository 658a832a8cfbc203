//! Licenses of Debian packages, from `usr/share/doc/<package>/copyright`.
//!
//! dpkg records no license, so the copyright file every Debian package ships is the only
//! declaration. Most are machine-readable (DEP-5, "copyright-format 1.0"): a header paragraph
//! with `Format:`, `Files:` paragraphs each with a `License:` whose first line (the synopsis)
//! names the license of those files in Debian's short names (`GPL-2+`, `LGPL-2.1`,
//! `MPL-1.1 or GPL-2`), and standalone `License:` paragraphs holding license texts. The
//! package's licenses are the distinct synopses of the header's and the `Files:` paragraphs'
//! `License` fields, in order of first appearance, as declared (not translated to SPDX);
//! `none` is dropped. The texts of standalone paragraphs are not searched: they often mention
//! other licenses ("version 1 can be found in …") that the package is not under.
//!
//! A file without a `Format:` header is free text. For those, and for machine-readable files
//! whose `License` fields have no synopsis (qemu's puts all its licensing in prose), the
//! licenses named by references to Debian's shared license texts,
//! `/usr/share/common-licenses/<name>`, are taken (every Debian package under a common
//! license must point there). Anything else in free text (EULAs, bespoke licenses) is not
//! guessed at.
//!
//! This is not a [`Cataloger`](crate::catalog::Cataloger): it yields no packages but adds
//! licenses to those the dpkg cataloger found. The walk buffers the files [`package_of`]
//! names (up to [`MAX_BYTES`]) in the final filesystem view and calls [`apply`].

use std::collections::HashMap;

use super::deb822;
use crate::{Package, PackageKind};

/// The largest copyright file read (the longest in Debian, with many bundled projects, are a
/// few hundred KiB).
pub const MAX_BYTES: u64 = 4 << 20;

/// The package whose copyright file `path` is (`usr/share/doc/libc6/copyright` → `libc6`).
pub fn package_of(path: &str) -> Option<&str> {
    let name = path
        .strip_prefix("usr/share/doc/")?
        .strip_suffix("/copyright")?;
    (!name.is_empty() && !name.contains('/') && !name.starts_with('.')).then_some(name)
}

/// The licenses a copyright file declares; see the [module docs](self).
pub fn licenses(content: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(content);
    let mut paragraphs = deb822::paragraphs(&text).peekable();
    let machine_readable = paragraphs.peek().is_some_and(|header| {
        header
            .get("Format")
            .or_else(|| header.get("Format-Specification"))
            .is_some()
    });
    let mut out: Vec<String> = Vec::new();
    if machine_readable {
        for (index, paragraph) in paragraphs.enumerate() {
            if index == 0 || paragraph.get("Files").is_some() {
                if let Some(license) = paragraph.get("License") {
                    add(&mut out, license.first_line());
                }
            }
        }
    }
    if out.is_empty() {
        const MARKER: &str = "/usr/share/common-licenses/";
        for (at, _) in text.match_indices(MARKER) {
            let rest = text.get(at + MARKER.len()..).unwrap_or("");
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+')))
                .unwrap_or(rest.len());
            // A reference at the end of a sentence ends in its full stop.
            add(
                &mut out,
                rest.get(..end).unwrap_or("").trim_end_matches('.'),
            );
        }
    }
    out
}

/// Adds a license unless it is empty, `none`, or already there.
fn add(out: &mut Vec<String>, license: &str) {
    let license = license.trim();
    if !license.is_empty()
        && !license.eq_ignore_ascii_case("none")
        && !out.iter().any(|l| l == license)
    {
        out.push(license.to_owned());
    }
}

/// Sets the licenses of the Debian packages in `packages` that have none from their copyright
/// files among `files` (`(path, content)`, paths as [`package_of`] takes them), and records
/// the file as `deb.license-file`. Files of packages not in `packages` are ignored.
pub fn apply(packages: &mut [Package], files: &[(&str, &[u8])]) {
    let by_name: HashMap<&str, (&str, &[u8])> = files
        .iter()
        .filter_map(|(path, content)| package_of(path).map(|name| (name, (*path, *content))))
        .collect();
    let mut cache: HashMap<&str, Vec<String>> = HashMap::new();
    for package in packages
        .iter_mut()
        .filter(|p| p.kind == PackageKind::Deb && p.licenses.is_empty())
    {
        let Some(&(path, content)) = by_name.get(package.name.as_str()) else {
            continue;
        };
        let licenses = cache.entry(path).or_insert_with(|| licenses(content));
        if !licenses.is_empty() {
            package.licenses.clone_from(licenses);
            package
                .metadata
                .insert("deb.license-file".to_owned(), path.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_copyright_files() {
        assert_eq!(package_of("usr/share/doc/libc6/copyright"), Some("libc6"));
        assert_eq!(package_of("usr/share/doc/libc6/changelog.gz"), None);
        assert_eq!(package_of("usr/share/doc/a/b/copyright"), None);
        assert_eq!(package_of("usr/share/doc//copyright"), None);
        assert_eq!(package_of("opt/usr/share/doc/a/copyright"), None);
    }

    #[test]
    fn machine_readable() {
        let text = "\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: x
License: GPL-2+

Files: *
Copyright: 2020 someone
License: GPL-2+

Files: lib/*
Copyright: 2020 someone
License: MPL-1.1 or LGPL-2.1
 Some text mentioning /usr/share/common-licenses/GPL-3.

Files: gen/*
License: none

License: GPL-2+
 On Debian systems, see /usr/share/common-licenses/GPL-2 and GPL-1.
";
        assert_eq!(licenses(text.as_bytes()), ["GPL-2+", "MPL-1.1 or LGPL-2.1"]);
        // No synopsis anywhere (qemu's): the common-licenses references instead.
        let text = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n\
Files: *\nCopyright: someone\nLicense:\n QEMU is under the GPL, see /usr/share/common-licenses/GPL-2.\n";
        assert_eq!(licenses(text.as_bytes()), ["GPL-2"]);
    }

    #[test]
    fn free_text() {
        let text = "This package is under the GPL.\n\
On Debian systems the full text is in `/usr/share/common-licenses/GPL-2'.\n\
The docs are in /usr/share/common-licenses/GFDL-1.3. And again /usr/share/common-licenses/GPL-2\n";
        assert_eq!(licenses(text.as_bytes()), ["GPL-2", "GFDL-1.3"]);
        assert!(licenses(b"Proprietary. All rights reserved.").is_empty());
        assert!(licenses(b"").is_empty());
        assert!(licenses(b"/usr/share/common-licenses/").is_empty());
    }

    #[test]
    fn applies_to_deb_packages() {
        let mut packages = vec![
            Package::new(PackageKind::Deb, "libc6", "2.36", "var/lib/dpkg/status"),
            Package::new(PackageKind::Deb, "bash", "5.2", "var/lib/dpkg/status"),
            Package::new(PackageKind::Apk, "libc6", "1", "lib/apk/db/installed"),
        ];
        let files: [(&str, &[u8]); 2] = [
            (
                "usr/share/doc/libc6/copyright",
                b"See /usr/share/common-licenses/LGPL-2.1.",
            ),
            (
                "usr/share/doc/zsh/copyright",
                b"/usr/share/common-licenses/GPL-2",
            ),
        ];
        apply(&mut packages, &files);
        assert_eq!(packages[0].licenses, ["LGPL-2.1"]);
        assert_eq!(
            packages[0]
                .metadata
                .get("deb.license-file")
                .map(String::as_str),
            Some("usr/share/doc/libc6/copyright")
        );
        assert!(packages[1].licenses.is_empty());
        assert!(packages[2].licenses.is_empty());
    }
}
