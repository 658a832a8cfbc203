//! Rust binaries built with [`cargo auditable`](https://github.com/rust-secure-code/cargo-auditable):
//! the dependency tree it links into the executable.
//!
//! `cargo auditable` embeds the resolved dependency tree as zlib-compressed JSON in a section
//! named `.dep-v0` (ELF and PE; `__DATA,.dep-v0` on Mach-O). The JSON is
//! `{"format": n, "packages": [{"name", "version", "source", "kind", "dependencies", "root"}]}`
//! (`cargo-auditable.schema.json`): `source` is `crates.io`, `git`, `local`, `registry` or
//! another string, `kind` is `runtime` (the default) or `build`, `root` marks the crate the
//! binary was built from. Build-time dependencies (build scripts, proc-macros) are not in the
//! executable and are left out, as syft does; every runtime package is reported as a Rust
//! package with its source (`rust.source`) and the root marked (`rust.root`).
//!
//! The section is found with the `object` crate's headers (`auditable-extract` does the same
//! with its own parser); the compressed data is inflated up to [`MAX_AUDIT_DATA`] (the limit
//! `auditable-info` uses), so a zlib bomb is an error, not an allocation.

use std::io::Read;

use object::{Object, ObjectSection};
use serde::Deserialize;

use super::go_binary::{binary_want, is_executable_format};
use crate::catalog::{CatalogError, Cataloger, FileMeta, Found, Want};
use crate::package::{Package, PackageKind};

/// The most decompressed audit data read (8 MiB, `auditable-info`'s default).
pub const MAX_AUDIT_DATA: u64 = 8 * 1024 * 1024;

/// The section name `cargo auditable` uses on every platform.
const SECTION: &str = ".dep-v0";

/// The Rust binary cataloger.
pub static RUST_BINARY: RustBinaryCataloger = RustBinaryCataloger;

/// Reads the dependency data `cargo auditable` embeds in executables.
#[derive(Debug, Clone, Copy)]
pub struct RustBinaryCataloger;

impl Cataloger for RustBinaryCataloger {
    fn name(&self) -> &'static str {
        "rust-binary"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        binary_want(file)
    }

    fn catalog(&self, file: &FileMeta<'_>, content: &[u8]) -> Result<Found, CatalogError> {
        let err = |message: String| CatalogError::new(file.path, None, message);
        let Some(compressed) =
            audit_section(content).map_err(|e| err(format!("malformed executable: {e}")))?
        else {
            return Ok(Found::default());
        };
        let json = inflate(compressed).map_err(err)?;
        let packages = parse_audit_json(&json, file.path).map_err(err)?;
        Ok(Found {
            packages,
            errors: Vec::new(),
        })
    }
}

/// The compressed audit data of an executable, `None` when it has none.
pub fn audit_section(data: &[u8]) -> Result<Option<&[u8]>, object::Error> {
    if !is_executable_format(data) || memchr::memmem::find(data, SECTION.as_bytes()).is_none() {
        return Ok(None);
    }
    if data.starts_with(&[0xca, 0xfe, 0xba]) {
        return fat_macho_section(data);
    }
    let file = object::File::parse(data)?;
    section_of(&file)
}

fn fat_macho_section(data: &[u8]) -> Result<Option<&[u8]>, object::Error> {
    use object::read::macho::{FatArch, MachOFatFile32, MachOFatFile64};
    let slices: Vec<&[u8]> = if data.get(3) == Some(&0xbe) {
        MachOFatFile32::parse(data)?
            .arches()
            .iter()
            .filter_map(|arch| arch.data(data).ok())
            .collect()
    } else {
        MachOFatFile64::parse(data)?
            .arches()
            .iter()
            .filter_map(|arch| arch.data(data).ok())
            .collect()
    };
    for slice in slices {
        if let Ok(file) = object::File::parse(slice) {
            if let Some(section) = section_of(&file)? {
                return Ok(Some(section));
            }
        }
    }
    Ok(None)
}

fn section_of<'d>(file: &object::File<'d>) -> Result<Option<&'d [u8]>, object::Error> {
    let section = file.sections().find(|s| {
        s.name() == Ok(SECTION)
            && (file.format() != object::BinaryFormat::MachO
                || s.segment_name() == Ok(Some("__DATA")))
    });
    match section {
        Some(section) => section.data().map(Some),
        None => Ok(None),
    }
}

/// Inflates zlib data, refusing more than [`MAX_AUDIT_DATA`] bytes.
fn inflate(compressed: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(compressed)
        .take(MAX_AUDIT_DATA + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("cargo-auditable data does not inflate: {e}"))?;
    if !u64::try_from(out.len()).is_ok_and(|n| n <= MAX_AUDIT_DATA) {
        return Err(format!(
            "cargo-auditable data inflates past {MAX_AUDIT_DATA} bytes"
        ));
    }
    Ok(out)
}

#[derive(Deserialize)]
struct VersionInfo {
    packages: Vec<AuditPackage>,
}

#[derive(Deserialize)]
struct AuditPackage {
    name: String,
    version: String,
    source: String,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    root: bool,
}

/// The runtime packages of `cargo auditable`'s JSON.
pub fn parse_audit_json(json: &[u8], path: &str) -> Result<Vec<Package>, String> {
    let info: VersionInfo = serde_json::from_slice(json)
        .map_err(|e| format!("cargo-auditable data is not valid JSON: {e}"))?;
    let mut out = Vec::new();
    for p in info.packages {
        if p.kind.as_deref() == Some("build") || p.name.is_empty() {
            continue;
        }
        let mut package = Package::new(PackageKind::Rust, p.name, p.version, path);
        package.metadata.insert("rust.source".to_owned(), p.source);
        if p.root {
            package
                .metadata
                .insert("rust.root".to_owned(), "true".to_owned());
        }
        out.push(package);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_packages_only() {
        let json = br#"{"format":1,"packages":[
            {"name":"app","version":"0.1.0","source":"local","dependencies":[1,2],"root":true},
            {"name":"itoa","version":"1.0.9","source":"crates.io"},
            {"name":"cc","version":"1.0.0","source":"crates.io","kind":"build"},
            {"name":"forked","version":"2.0.0","source":"git","kind":"runtime"},
            {"name":"mirror","version":"0.3.0","source":"sparse+https://example.com/index/"}
        ]}"#;
        let packages = parse_audit_json(json, "usr/bin/app").expect("parses");
        let got: Vec<(&str, &str, &str, bool)> = packages
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.version.as_str(),
                    p.metadata["rust.source"].as_str(),
                    p.metadata.contains_key("rust.root"),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("app", "0.1.0", "local", true),
                ("itoa", "1.0.9", "crates.io", false),
                ("forked", "2.0.0", "git", false),
                (
                    "mirror",
                    "0.3.0",
                    "sparse+https://example.com/index/",
                    false
                ),
            ]
        );
        assert!(
            packages
                .iter()
                .all(|p| p.kind == PackageKind::Rust && p.location.path == "usr/bin/app")
        );
    }

    #[test]
    fn bad_json_is_an_error() {
        for json in [
            &b""[..],
            b"{}",
            b"{\"packages\":[{\"name\":\"x\"}]}",
            b"[1,2]",
            b"\xff",
        ] {
            assert!(parse_audit_json(json, "x").is_err(), "{json:?}");
        }
    }

    #[test]
    fn inflate_is_bounded() {
        use std::io::Write;
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..9 {
            enc.write_all(&zeros).expect("write");
        }
        let bomb = enc.finish().expect("finish");
        assert!(bomb.len() < 64 * 1024);
        assert!(inflate(&bomb).is_err());
        assert!(inflate(b"not zlib").is_err());
    }
}
