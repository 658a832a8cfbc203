//! Installed Python distributions: `*.dist-info/METADATA` (wheels, pip), `*.egg-info/PKG-INFO`
//! and `*.egg/EGG-INFO/PKG-INFO` (setuptools), and the single-file `*.egg-info` that distutils
//! and Debian's python packages install.
//!
//! All three are the core metadata format (<https://packaging.python.org/specifications/core-metadata/>):
//! RFC 822 style headers, continuation lines indented, then a blank line and a free-text body.
//! As Python's `email` parser does, the headers end at the first blank line or at the first line
//! that is neither a header nor a continuation (badly generated `Summary` fields spill over
//! several lines; what follows is then body, not an error).
//!
//! The name is kept as published (`Pygments`, `zope.interface`); vulnerability lookup
//! normalises it (PEP 503). Licenses, in order of preference: `License-Expression` (PEP 639,
//! an SPDX expression); else `License` when it is a short single line and not `UNKNOWN` (it is
//! often the whole license text); else the `License ::` classifiers' last segments. A record
//! without `Name` or `Version` is an error: it names no installable distribution.

use super::read;
use crate::catalog::{CatalogError, Cataloger, FileMeta, Found, Want};
use crate::{Package, PackageKind};

/// The cataloger.
pub static PYTHON_INSTALLED: PythonInstalled = PythonInstalled;

/// See the module docs.
#[derive(Debug)]
pub struct PythonInstalled;

impl Cataloger for PythonInstalled {
    fn name(&self) -> &'static str {
        "python-installed"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if is_metadata_file(file.path) {
            read::content(read::MANIFEST_CAP)
        } else {
            Want::No
        }
    }

    fn catalog(&self, file: &FileMeta<'_>, content: &[u8]) -> Result<Found, CatalogError> {
        let text = String::from_utf8_lossy(content);
        let meta = CoreMetadata::parse(&text);
        let name = meta
            .first("Name")
            .ok_or_else(|| CatalogError::new(file.path, None, "no `Name` header"))?;
        let version = meta.first("Version").ok_or_else(|| {
            CatalogError::new(file.path, None, format!("`{name}` has no `Version` header"))
        })?;
        let mut package = Package::new(PackageKind::Python, name, version, file.path);
        package.licenses = meta.licenses();
        Ok(Found {
            packages: vec![package],
            errors: Vec::new(),
        })
    }
}

fn is_metadata_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let parent = read::parent_name(path).unwrap_or("");
    let lower_parent = parent.to_ascii_lowercase();
    match name {
        "METADATA" => lower_parent.ends_with(".dist-info"),
        "PKG-INFO" => lower_parent.ends_with(".egg-info") || parent == "EGG-INFO",
        _ => name.to_ascii_lowercase().ends_with(".egg-info") && name.len() > ".egg-info".len(),
    }
}

/// The headers of a core metadata file, in order.
#[derive(Debug, Default)]
pub(crate) struct CoreMetadata {
    headers: Vec<(String, String)>,
}

impl CoreMetadata {
    /// Reads the header section.
    pub(crate) fn parse(text: &str) -> CoreMetadata {
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in text.lines() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim().is_empty() {
                break;
            }
            if line.starts_with([' ', '\t']) {
                match headers.last_mut() {
                    Some((_, value)) => {
                        value.push('\n');
                        value.push_str(line.trim());
                    }
                    None => break,
                }
                continue;
            }
            match line.split_once(':') {
                Some((field, value)) if is_field_name(field) => {
                    headers.push((field.to_owned(), value.trim().to_owned()));
                }
                _ => break,
            }
        }
        CoreMetadata { headers }
    }

    /// The first value of a field (names compare case-insensitively, as in email).
    pub(crate) fn first<'a>(&'a self, field: &'a str) -> Option<&'a str> {
        self.all(field).next()
    }

    fn all<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(f, _)| f.eq_ignore_ascii_case(field))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn licenses(&self) -> Vec<String> {
        if let Some(expr) = self.first("License-Expression") {
            return vec![expr.to_owned()];
        }
        if let Some(license) = self.first("License")
            && !license.contains('\n')
            && license.len() <= 100
            && !license.eq_ignore_ascii_case("UNKNOWN")
        {
            return vec![license.to_owned()];
        }
        let mut out: Vec<String> = Vec::new();
        for classifier in self.all("Classifier") {
            let parts: Vec<&str> = classifier.split("::").map(str::trim).collect();
            if parts.first() != Some(&"License") || parts.len() < 2 {
                continue;
            }
            if let Some(last) = parts
                .last()
                .copied()
                .filter(|l| !l.is_empty() && *l != "OSI Approved")
                && !out.iter().any(|o| o == last)
            {
                out.push(last.to_owned());
            }
        }
        out
    }
}

/// RFC 822 field names: printable ASCII except the colon, no spaces.
fn is_field_name(field: &str) -> bool {
    !field.is_empty() && field.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(path: &str, text: &str) -> Result<Found, CatalogError> {
        let file = FileMeta {
            path,
            size: text.len() as u64,
            mode: 0o644,
        };
        PYTHON_INSTALLED.catalog(&file, text.as_bytes())
    }

    #[test]
    fn wants_metadata_files_only() {
        let want = |path: &str| {
            PYTHON_INSTALLED.wants(&FileMeta {
                path,
                size: 10,
                mode: 0o644,
            }) != Want::No
        };
        assert!(want(
            "usr/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA"
        ));
        assert!(want(
            "usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO"
        ));
        assert!(want(
            "usr/lib/python3/dist-packages/foo-1.0-py3.8.egg/EGG-INFO/PKG-INFO"
        ));
        assert!(want("usr/lib/python2.7/lib-dynload/Python-2.7.egg-info"));
        assert!(!want(
            "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/RECORD"
        ));
        assert!(!want("src/PKG-INFO"));
        assert!(!want("METADATA"));
        assert!(!want("a/.egg-info"));
    }

    #[test]
    fn license_preference() {
        let found = run(
            "x.dist-info/METADATA",
            "Name: a\nVersion: 1\nLicense: BSD\nLicense-Expression: MIT OR Apache-2.0\n",
        )
        .unwrap();
        assert_eq!(found.packages[0].licenses, ["MIT OR Apache-2.0"]);
        let found = run(
            "x.dist-info/METADATA",
            "Name: a\nVersion: 1\nLicense: Copyright (c) 2020\n        Permission is hereby granted\nClassifier: License :: OSI Approved :: MIT License\nClassifier: License :: OSI Approved :: MIT License\n",
        )
        .unwrap();
        assert_eq!(found.packages[0].licenses, ["MIT License"]);
        let found = run(
            "x.dist-info/METADATA",
            "Name: a\nVersion: 1\nLicense: UNKNOWN\n",
        )
        .unwrap();
        assert!(found.packages[0].licenses.is_empty());
    }

    #[test]
    fn headers_end_at_blank_line_or_stray_text() {
        let found = run(
            "x.dist-info/METADATA",
            "Metadata-Version: 2.1\r\nName: a\r\nVersion: 2.0\r\n\r\nName: b\r\n",
        )
        .unwrap();
        assert_eq!(
            (
                found.packages[0].name.as_str(),
                found.packages[0].version.as_str()
            ),
            ("a", "2.0")
        );
        let found = run(
            "x.egg-info/PKG-INFO",
            "Name: mxnet\nSummary: <!-- a\n<!-- stray (\"License\") text\nVersion: 9\n",
        );
        assert!(
            found.is_err(),
            "the version after stray text is body, not a header"
        );
    }

    #[test]
    fn missing_fields_are_errors() {
        assert_eq!(
            run("x.egg-info", "Name: no-version\n").unwrap_err().message,
            "`no-version` has no `Version` header"
        );
        assert_eq!(
            run("x.egg-info", "").unwrap_err().message,
            "no `Name` header"
        );
    }
}
