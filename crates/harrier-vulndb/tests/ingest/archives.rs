//! Archives and directories: members streamed without extraction, errors named by the member's
//! path and line, size bounds, corrupt archives, and imports that go on past bad files.

use std::io::{Cursor, Write};
use std::path::Path;

use harrier_core::Pos;
use harrier_vulndb::ingest::{self, FileErrorKind, Format, ImportBatch, ImportOptions};

use super::{error_lines, import};

const GO_RECORD: &str = r#"{"schema_version": "1.3.1", "id": "GO-2099-0001", "modified": "2099-01-01T00:00:00Z",
  "aliases": ["CVE-2099-0001"],
  "affected": [{"package": {"name": "example.com/m", "ecosystem": "Go"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.2.3"}]}]}]}"#;
const WITHDRAWN: &str = r#"{"id": "GO-2099-0002", "modified": "2099-01-01T00:00:00Z", "withdrawn": "2099-01-02T00:00:00Z"}"#;
const BROKEN: &str = "{\n  \"id\": \"GO-2099-0003\",\n  \"modified\": \"x\",\n  \"affected\": [}\n";
const DSA_LIST: &str = "[29 Mar 2023] DSA-5380-1 xorg-server - security update\n\t{CVE-2023-1393}\n\t[bullseye] - xorg-server 2:1.20.11-1+deb11u6\n\tgarbage here\n";

fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in members {
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn tar(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, bytes) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, name, *bytes).unwrap();
    }
    builder.into_inner().unwrap()
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(bytes, 3).unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn ids(batch: &ImportBatch) -> Vec<&str> {
    batch.advisories.iter().map(|a| a.id.as_str()).collect()
}

/// OSV's per-ecosystem `all.zip`: one record per member at the root.
#[test]
fn an_osv_all_zip() {
    let dir = tempfile::tempdir().unwrap();
    let all = zip(&[
        ("GO-2099-0001.json", GO_RECORD.as_bytes()),
        ("GO-2099-0002.json", WITHDRAWN.as_bytes()),
        ("GO-2099-0003.json", BROKEN.as_bytes()),
        ("LICENSE", b"CC-BY-4.0"),
    ]);
    let path = write(dir.path(), "all.zip", &all);
    let batch = import(&path);
    assert_eq!(ids(&batch), ["GO-2099-0001"]);
    assert_eq!(batch.withdrawn, ["GO-2099-0002"]);
    assert_eq!(batch.errors.len(), 1, "{}", error_lines(&batch));
    let error = &batch.errors[0];
    assert!(
        error.path.ends_with("all.zip!/GO-2099-0003.json"),
        "{}",
        error.path
    );
    assert_eq!(error.pos.map(|p| p.line), Some(4));
    assert!(
        error.to_string().contains("all.zip!/GO-2099-0003.json:4:"),
        "{error}"
    );
    assert_eq!(batch.skipped.len(), 1, "the LICENSE is not a feed");
}

#[test]
fn tarballs_gzip_and_zstd_with_a_nested_zip() {
    let dir = tempfile::tempdir().unwrap();
    let nested = zip(&[("GO-2099-0001.json", GO_RECORD.as_bytes())]);
    let members: Vec<(&str, &[u8])> = vec![
        ("feeds/osv/all.zip", &nested),
        ("feeds/DSA/list", DSA_LIST.as_bytes()),
        ("feeds/README.md", b"# feeds"),
    ];
    let plain = tar(&members);
    for (name, bytes) in [
        ("feeds.tar", plain.clone()),
        ("feeds.tar.gz", gzip(&plain)),
        ("feeds.tgz", gzip(&plain)),
        ("feeds.tar.zst", zstd(&plain)),
    ] {
        let path = write(dir.path(), name, &bytes);
        let batch = import(&path);
        assert_eq!(ids(&batch), ["GO-2099-0001", "DSA-5380-1"], "{name}");
        let go = batch
            .files
            .iter()
            .find(|f| f.format == Format::OsvJson)
            .unwrap();
        assert!(
            go.path
                .ends_with(&format!("{name}!/feeds/osv/all.zip!/GO-2099-0001.json")),
            "{}",
            go.path
        );
        // The bad list line is reported at its line inside the member; the rest is kept.
        assert_eq!(batch.errors.len(), 1, "{name}: {}", error_lines(&batch));
        let error = &batch.errors[0];
        assert!(
            error.path.ends_with(&format!("{name}!/feeds/DSA/list")),
            "{}",
            error.path
        );
        assert_eq!(error.pos, Some(Pos::new(4, 1)));
        assert!(!error.is_whole_file());
    }
}

#[test]
fn files_over_the_bound_are_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let big = format!("{GO_RECORD}{}", " ".repeat(4096));
    let bundle = tar(&[
        ("small.json", WITHDRAWN.as_bytes()),
        ("big.json", big.as_bytes()),
    ]);
    let path = write(dir.path(), "bundle.tar.zst", &zstd(&bundle));
    let options = ImportOptions {
        max_file_bytes: 1024,
    };
    let batch = ingest::read_path_with(&path, &options).unwrap();
    assert_eq!(batch.withdrawn, ["GO-2099-0002"]);
    assert_eq!(batch.errors.len(), 1);
    assert_eq!(
        batch.errors[0].kind,
        FileErrorKind::TooLarge { limit: 1024 }
    );
    assert!(batch.errors[0].path.ends_with("bundle.tar.zst!/big.json"));
    // The same bound holds for a plain file and for a decompressed one.
    let plain = write(dir.path(), "big.json", big.as_bytes());
    assert_eq!(
        ingest::read_path_with(&plain, &options).unwrap().errors[0].kind,
        FileErrorKind::TooLarge { limit: 1024 }
    );
    let gz = write(dir.path(), "big.json.gz", &gzip(big.as_bytes()));
    assert_eq!(
        ingest::read_path_with(&gz, &options).unwrap().errors[0].kind,
        FileErrorKind::TooLarge { limit: 1024 }
    );
}

#[test]
fn a_corrupt_archive_keeps_what_came_before_the_damage() {
    let dir = tempfile::tempdir().unwrap();
    // Incompressible, so that zstd writes several blocks and the cut falls after the first.
    let mut state = 0x2545_f491_u32;
    let padding: Vec<u8> = (0..512 * 1024)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            state.to_be_bytes()[0]
        })
        .collect();
    let bundle = tar(&[
        ("GO-2099-0001.json", GO_RECORD.as_bytes()),
        ("padding.bin", &padding),
        ("GO-2099-0002.json", WITHDRAWN.as_bytes()),
    ]);
    let compressed = zstd(&bundle);
    let path = write(
        dir.path(),
        "cut.tar.zst",
        &compressed[..compressed.len() / 2],
    );
    let batch = import(&path);
    assert_eq!(ids(&batch), ["GO-2099-0001"]);
    assert_eq!(batch.errors.len(), 1, "{}", error_lines(&batch));
    assert!(
        batch.errors[0].path.ends_with("cut.tar.zst!/padding.bin"),
        "{}",
        batch.errors[0].path
    );
    assert!(matches!(batch.errors[0].kind, FileErrorKind::Archive(_)));
    let path = write(dir.path(), "garbage.zip", b"PK\x03\x04 not really");
    let batch = import(&path);
    assert!(matches!(batch.errors[0].kind, FileErrorKind::Archive(_)));
}

#[test]
fn a_directory_import_goes_on_past_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a-good.json", GO_RECORD.as_bytes());
    write(dir.path(), "b-broken.json", BROKEN.as_bytes());
    write(dir.path(), "c-binary.json", b"\xff\xfe\x00");
    write(dir.path(), "d-empty.yaml", b"");
    std::fs::create_dir(dir.path().join("e")).unwrap();
    write(&dir.path().join("e"), "list", DSA_LIST.as_bytes());
    write(dir.path(), "f-notes.txt", b"not a feed");
    let batch = import(dir.path());
    assert_eq!(ids(&batch), ["GO-2099-0001", "DSA-5380-1"]);
    let kinds: Vec<_> = batch
        .errors
        .iter()
        .map(|e| std::mem::discriminant(&e.kind))
        .collect();
    assert_eq!(kinds.len(), 3, "{}", error_lines(&batch));
    assert!(matches!(
        batch.errors[0].kind,
        FileErrorKind::Syntax {
            language: "JSON",
            ..
        }
    ));
    assert!(matches!(
        batch.errors[1].kind,
        FileErrorKind::NotUtf8 { offset: 0 }
    ));
    assert!(matches!(
        batch.errors[2].kind,
        FileErrorKind::Record {
            format: Format::DebianList,
            ..
        }
    ));
    assert_eq!(batch.skipped.len(), 2, "{:?}", batch.skipped);
}

#[test]
fn bytes_in_memory_and_missing_paths() {
    let mut batch = ImportBatch::default();
    let all = zip(&[("GO-2099-0001.json", GO_RECORD.as_bytes())]);
    ingest::import_bytes(
        "downloads/Go/all.zip",
        &all,
        &ImportOptions::default(),
        &mut batch,
    );
    assert_eq!(ids(&batch), ["GO-2099-0001"]);
    assert_eq!(
        &*batch.files[0].path,
        "downloads/Go/all.zip!/GO-2099-0001.json"
    );
    let missing = ingest::read_path(Path::new("/nonexistent/harrier/feeds")).unwrap_err();
    assert!(missing.is_not_found());
}
