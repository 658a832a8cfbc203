//! The cargo-auditable cataloger: a binary built here with `cargo auditable` (a crates.io
//! dependency from the workspace's own lockfile, so it is in Cargo's cache; a path dependency;
//! a build dependency), compared with what `rust-audit-info` extracts from it, before and
//! after `strip`; and ELF and Mach-O files written with the `object` crate holding
//! hand-made, broken and hostile audit sections.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test support code may panic: a panic is a failed test

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use harrier_core::testing::skip;
use harrier_image::PackageKind;
use harrier_image::catalog::lang::rust_binary::{RUST_BINARY, audit_section};
use harrier_image::catalog::{Cataloger, FileMeta};
use object::write::Object;
use object::{Architecture, BinaryFormat, Endianness, SectionKind};

fn meta(path: &str, data: &[u8]) -> FileMeta<'static> {
    FileMeta {
        path: Box::leak(path.to_owned().into_boxed_str()),
        size: data.len() as u64,
        mode: 0o755,
    }
}

/// `(name, version, source, root)` of each package.
fn summary(packages: &[harrier_image::Package]) -> Vec<(String, String, String, bool)> {
    let mut out: Vec<_> = packages
        .iter()
        .map(|p| {
            assert_eq!(p.kind, PackageKind::Rust);
            (
                p.name.clone(),
                p.version.clone(),
                p.metadata.get("rust.source").cloned().unwrap_or_default(),
                p.metadata.contains_key("rust.root"),
            )
        })
        .collect();
    out.sort();
    out
}

/// The version of `name` in the workspace's lockfile.
fn locked_version(name: &str) -> String {
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.lock");
    let text = std::fs::read_to_string(lock).expect("Cargo.lock");
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{name}\"") {
            let version = lines.next().expect("version line");
            return version
                .trim_start_matches("version = \"")
                .trim_end_matches('"')
                .to_owned();
        }
    }
    panic!("{name} is not in Cargo.lock");
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn build_audited_app(root: &Path) -> PathBuf {
    let itoa = locked_version("itoa");
    write(
        &root.join("app/Cargo.toml"),
        &format!(
            "[package]\nname = \"audited-app\"\nversion = \"0.3.1\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nitoa = \"={itoa}\"\nhelper = {{ path = \"../helper\" }}\n\n\
             [build-dependencies]\nbhelper = {{ path = \"../bhelper\" }}\n\n[workspace]\n"
        ),
    );
    write(
        &root.join("app/src/main.rs"),
        "fn main() { let mut b = itoa::Buffer::new(); println!(\"{} {}\", b.format(7), helper::NAME); }\n",
    );
    write(&root.join("app/build.rs"), "fn main() { bhelper::hi(); }\n");
    write(
        &root.join("helper/Cargo.toml"),
        "[package]\nname = \"helper\"\nversion = \"0.2.0\"\nedition = \"2021\"\n",
    );
    write(
        &root.join("helper/src/lib.rs"),
        "pub const NAME: &str = \"helper\";\n",
    );
    write(
        &root.join("bhelper/Cargo.toml"),
        "[package]\nname = \"bhelper\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(&root.join("bhelper/src/lib.rs"), "pub fn hi() {}\n");
    let target = root.join("target");
    let out = Command::new("cargo")
        .args(["auditable", "build", "--offline", "--quiet"])
        .current_dir(root.join("app"))
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo");
    assert!(
        out.status.success(),
        "cargo auditable build: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    target.join("debug/audited-app")
}

/// What `rust-audit-info` reports, as the cataloger should report it (runtime packages).
fn reference(binary: &Path) -> Vec<(String, String, String, bool)> {
    let out = Command::new("rust-audit-info")
        .arg(binary)
        .output()
        .expect("rust-audit-info");
    assert!(
        out.status.success(),
        "rust-audit-info: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut want: Vec<_> = json["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| p["kind"].as_str() != Some("build"))
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["version"].as_str().unwrap().to_owned(),
                p["source"].as_str().unwrap().to_owned(),
                p["root"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    want.sort();
    want
}

#[test]
fn cargo_auditable_binary_matches_rust_audit_info() {
    let has = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    // rust-audit-info has no `--help` (it reads any argument as a file): it is there when it
    // starts at all.
    let runs = |program: &str| Command::new(program).output().is_ok();
    if !has("cargo", &["auditable", "--version"]) || !runs("rust-audit-info") {
        skip::<()>(
            "cargo-auditable or rust-audit-info is missing (cargo install cargo-auditable rust-audit-info)",
        );
        return;
    }
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rust-auditable");
    let binary = build_audited_app(&root);
    let mut binaries = vec![binary.clone()];
    let stripped = root.join("audited-app-stripped");
    let strip = Command::new("strip")
        .arg("-o")
        .arg(&stripped)
        .arg(&binary)
        .output();
    if strip.is_ok_and(|o| o.status.success()) {
        binaries.push(stripped);
    }
    for binary in binaries {
        let data = std::fs::read(&binary).expect("read");
        let found = RUST_BINARY
            .catalog(&meta("usr/local/bin/audited-app", &data), &data)
            .expect("catalog");
        let got = summary(&found.packages);
        assert_eq!(got, reference(&binary), "{}", binary.display());
        let itoa = locked_version("itoa");
        assert_eq!(
            got,
            [
                ("audited-app".into(), "0.3.1".into(), "local".into(), true),
                ("helper".into(), "0.2.0".into(), "local".into(), false),
                ("itoa".into(), itoa, "crates.io".into(), false),
            ]
        );
        assert!(
            found
                .packages
                .iter()
                .all(|p| p.location.path == "usr/local/bin/audited-app")
        );
    }
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// An object file of `format` with a `.dep-v0` section holding `section` (in `__DATA` on
/// Mach-O).
fn object_with_section(format: BinaryFormat, section: &[u8]) -> Vec<u8> {
    let (arch, segment) = match format {
        BinaryFormat::MachO => (Architecture::Aarch64, b"__DATA".to_vec()),
        _ => (Architecture::X86_64, Vec::new()),
    };
    let mut obj = Object::new(format, arch, Endianness::Little);
    let id = obj.add_section(segment, b".dep-v0".to_vec(), SectionKind::ReadOnlyData);
    obj.append_section_data(id, section, 1);
    obj.write().expect("write object")
}

const JSON: &[u8] = br#"{"packages":[{"name":"tool","version":"1.2.3","source":"local","dependencies":[1],"root":true},{"name":"serde","version":"1.0.200","source":"crates.io"},{"name":"serde_derive","version":"1.0.200","source":"crates.io","kind":"build"}],"format":1}"#;

#[test]
fn hand_made_sections() {
    for format in [BinaryFormat::Elf, BinaryFormat::MachO] {
        let file = object_with_section(format, &zlib(JSON));
        let found = RUST_BINARY
            .catalog(&meta("bin/tool", &file), &file)
            .expect("catalog");
        assert_eq!(
            summary(&found.packages),
            [
                ("serde".into(), "1.0.200".into(), "crates.io".into(), false),
                ("tool".into(), "1.2.3".into(), "local".into(), true),
            ],
            "{format:?}"
        );
    }
}

#[test]
fn broken_sections_are_errors_and_absent_ones_nothing() {
    let cases: [(&str, Vec<u8>); 4] = [
        ("not zlib", b"{\"packages\":[]}".to_vec()),
        ("not json", zlib(b"packages")),
        ("wrong shape", zlib(b"{\"packages\":{}}")),
        ("zlib bomb", {
            let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
            let zeros = vec![b' '; 1 << 20];
            for _ in 0..10 {
                enc.write_all(&zeros).unwrap();
            }
            enc.finish().unwrap()
        }),
    ];
    for (what, section) in cases {
        let file = object_with_section(BinaryFormat::Elf, &section);
        let err = RUST_BINARY
            .catalog(&meta("bin/tool", &file), &file)
            .expect_err(what);
        assert_eq!(err.path, "bin/tool", "{what}");
    }
    // No section, and not an executable at all.
    let mut obj = Object::new(BinaryFormat::Elf, Architecture::X86_64, Endianness::Little);
    let id = obj.add_section(Vec::new(), b".rodata".to_vec(), SectionKind::ReadOnlyData);
    obj.append_section_data(id, b".dep-v0 is only mentioned here", 1);
    let file = obj.write().unwrap();
    assert_eq!(audit_section(&file).unwrap(), None);
    assert!(
        RUST_BINARY
            .catalog(&meta("bin/x", &file), &file)
            .unwrap()
            .packages
            .is_empty()
    );
    assert_eq!(audit_section(b"#!/bin/sh\n# .dep-v0\n").unwrap(), None);
    // Cut short anywhere: an error or nothing, never a panic.
    let file = object_with_section(BinaryFormat::Elf, &zlib(JSON));
    for len in 0..file.len() {
        let cut = &file[..len];
        let _ = RUST_BINARY.catalog(&meta("bin/x", cut), cut);
    }
}
