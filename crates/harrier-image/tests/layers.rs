//! The layer walk and resolution over hand-built layers: whiteouts, opaque directories,
//! overwrites, hard and symbolic links, hostile paths, damaged streams, and per-layer
//! attribution of packages and secrets.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;

use harrier_image::catalog::{CatalogError, Cataloger, FileMeta, Found, Want};
use harrier_image::resolve::resolve;
use harrier_image::walk::{Consumers, ContentFinding, ContentScanner, LayerScan, walk_layer};
use harrier_image::{Package, PackageKind};

/// A test database format: `var/lib/testdb` with one `name version` per line.
struct TestDb;

impl Cataloger for TestDb {
    fn name(&self) -> &'static str {
        "testdb"
    }
    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if file.path == "var/lib/testdb" || file.path.ends_with("/PKG") {
            Want::Content { max_bytes: 4096 }
        } else {
            Want::No
        }
    }
    fn catalog(&self, file: &FileMeta<'_>, content: &[u8]) -> Result<Found, CatalogError> {
        let text = std::str::from_utf8(content)
            .map_err(|_| CatalogError::new(file.path, None, "not UTF-8"))?;
        let mut found = Found::default();
        for (i, line) in text.lines().enumerate() {
            match line.split_once(' ') {
                Some((n, v)) => {
                    found
                        .packages
                        .push(Package::new(PackageKind::Deb, n, v, file.path))
                }
                None => found.errors.push(CatalogError::new(
                    file.path,
                    Some(i as u32 + 1),
                    "no version",
                )),
            }
        }
        Ok(found)
    }
}

/// Finds the word SECRET.
struct Secrets;

impl ContentScanner for Secrets {
    fn wants(&self, _: &FileMeta<'_>) -> Want {
        Want::Content { max_bytes: 4096 }
    }
    fn scan(&self, _: &FileMeta<'_>, content: &[u8]) -> Vec<ContentFinding> {
        let text = String::from_utf8_lossy(content);
        text.lines()
            .enumerate()
            .filter(|(_, l)| l.contains("SECRET"))
            .map(|(i, _)| ContentFinding {
                rule: "test".into(),
                title: "test secret".into(),
                severity: harrier_core::severity::Severity::High,
                line: i as u32 + 1,
                excerpt: "******".into(),
            })
            .collect()
    }
}

enum E<'a> {
    File(&'a str, &'a str),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
    HardLink(&'a str, &'a str),
}

fn layer(entries: &[E<'_>], gzip: bool) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for e in entries {
        let mut header = tar::Header::new_gnu();
        match e {
            E::File(path, content) => {
                header.set_size(content.len() as u64);
                header.set_mode(0o644);
                header.set_entry_type(tar::EntryType::Regular);
                // Written into the header by hand: the tar crate refuses to write `..`, and
                // hostile archives are exactly what this must test.
                let name = &mut header.as_old_mut().name;
                name.fill(0);
                name[..path.len()].copy_from_slice(path.as_bytes());
                header.set_cksum();
                builder.append(&header, content.as_bytes()).unwrap();
            }
            E::Dir(path) => {
                header.set_size(0);
                header.set_mode(0o755);
                header.set_entry_type(tar::EntryType::Directory);
                header.set_cksum();
                builder
                    .append_data(&mut header, path, std::io::empty())
                    .unwrap();
            }
            E::Symlink(path, target) | E::HardLink(path, target) => {
                header.set_size(0);
                header.set_mode(0o777);
                header.set_entry_type(if matches!(e, E::Symlink(..)) {
                    tar::EntryType::Symlink
                } else {
                    tar::EntryType::Link
                });
                builder.append_link(&mut header, path, target).unwrap();
            }
        }
    }
    let bytes = builder.into_inner().unwrap();
    if gzip {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&bytes).unwrap();
        gz.finish().unwrap()
    } else {
        bytes
    }
}

fn walk(index: usize, bytes: Vec<u8>) -> LayerScan {
    let catalogers: [&dyn Cataloger; 1] = [&TestDb];
    let consumers = Consumers {
        catalogers: &catalogers,
        content: Some(&Secrets),
    };
    walk_layer(index, Box::new(std::io::Cursor::new(bytes)), consumers)
}

fn names(
    list: &[harrier_image::resolve::ResolvedPackage],
) -> Vec<(String, Option<usize>, Option<usize>)> {
    let mut v: Vec<_> = list
        .iter()
        .map(|p| {
            (
                format!("{}@{}", p.package.name, p.package.version),
                p.introduced,
                p.removed,
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn attributes_packages_to_the_layers_that_install_and_remove_them() {
    let scans = vec![
        walk(
            0,
            layer(
                &[
                    E::Dir("var/"),
                    E::File("var/lib/testdb", "base 1\nlibc 2\n"),
                ],
                true,
            ),
        ),
        walk(
            1,
            layer(
                &[E::File("var/lib/testdb", "base 1\nlibc 2\ncurl 7\n")],
                false,
            ),
        ),
        walk(
            2,
            layer(
                &[E::File("var/lib/testdb", "base 1\nlibc 3\ncurl 7\n")],
                true,
            ),
        ),
        walk(
            3,
            layer(
                &[
                    E::File("opt/app/PKG", "app 1.0\n"),
                    E::File("opt/old/PKG", "old 0.1\n"),
                ],
                false,
            ),
        ),
        walk(4, layer(&[E::File("opt/.wh.old", "")], false)),
    ];
    let resolved = resolve(scans);
    assert_eq!(
        names(&resolved.packages),
        [
            ("app@1.0".into(), Some(3), None),
            ("base@1".into(), Some(0), None),
            ("curl@7".into(), Some(1), None),
            ("libc@3".into(), Some(2), None),
        ]
    );
    assert_eq!(
        names(&resolved.removed),
        [
            ("libc@2".into(), Some(0), Some(2)),
            ("old@0.1".into(), Some(3), Some(4))
        ]
    );
}

#[test]
fn opaque_directories_and_overwrites_hide_lower_layers() {
    let scans = vec![
        walk(
            0,
            layer(
                &[E::File("opt/a/PKG", "a 1\n"), E::File("opt/b/PKG", "b 1\n")],
                false,
            ),
        ),
        walk(
            1,
            layer(
                &[
                    E::Dir("opt/"),
                    E::File("opt/.wh..wh..opq", ""),
                    E::File("opt/c/PKG", "c 1\n"),
                ],
                false,
            ),
        ),
        walk(2, layer(&[E::File("opt/c/PKG", "garbage")], false)),
    ];
    let resolved = resolve(scans);
    assert!(
        resolved.packages.is_empty(),
        "{:?}",
        names(&resolved.packages)
    );
    let removed = names(&resolved.removed);
    assert!(removed.contains(&("a@1".into(), Some(0), Some(1))));
    assert!(
        removed.contains(&("c@1".into(), Some(1), Some(2))),
        "{removed:?}"
    );
    assert!(
        resolved
            .problems
            .iter()
            .any(|p| p.path == "opt/c/PKG" && p.message.contains("line 1"))
    );
}

#[test]
fn secrets_deleted_in_a_later_layer_are_still_reported() {
    let scans = vec![
        walk(
            0,
            layer(&[E::File("root/key.txt", "hello\nSECRET here\n")], false),
        ),
        walk(1, layer(&[E::File("root/.wh.key.txt", "")], false)),
    ];
    let resolved = resolve(scans);
    assert_eq!(resolved.secrets.len(), 1);
    let s = &resolved.secrets[0];
    assert_eq!(
        (s.path.as_str(), s.layer, s.deleted_in, s.finding.line),
        ("root/key.txt", 0, Some(1), 2)
    );
}

#[test]
fn hostile_paths_are_refused_and_links_are_handled() {
    let scans = vec![walk(
        0,
        layer(
            &[
                E::File("../../etc/passwd-escape", "x 1\n"),
                E::File("./var/lib/real", "z 9\n"),
                E::HardLink("var/lib/testdb", "var/lib/real"),
                E::Symlink("etc/os-release", "../usr/lib/os-release"),
                E::File("usr/lib/os-release", "ID=debian\nVERSION_ID=\"12\"\n"),
                E::Symlink("loop/a", "b"),
                E::Symlink("loop/b", "a"),
            ],
            false,
        ),
    )];
    assert!(
        scans[0]
            .problems
            .iter()
            .any(|p| p.message.contains("climbs out")),
        "{:?}",
        scans[0].problems
    );
    let resolved = resolve(scans);
    // The hard link's target was not wanted when it was read, so the link is reported.
    assert!(
        resolved.problems.iter().any(|p| p.path == "var/lib/testdb"),
        "{:?}",
        resolved.problems
    );
    let os: Vec<&str> = resolved.os_files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        os,
        ["etc/os-release", "usr/lib/os-release"],
        "the symlink is followed to its target"
    );
}

#[test]
fn a_damaged_layer_keeps_what_was_read_before_the_damage() {
    let mut bytes = layer(
        &[
            E::File("var/lib/testdb", "base 1\n"),
            E::File("big", &"x".repeat(5000)),
        ],
        false,
    );
    bytes.truncate(bytes.len() - 3000);
    let scan = walk(0, bytes);
    assert!(scan.truncated.is_some() || !scan.problems.is_empty());
    let resolved = resolve(vec![scan]);
    assert_eq!(
        names(&resolved.packages),
        [("base@1".into(), Some(0), None)]
    );
}

#[test]
fn zstd_and_uncompressed_layers_read_alike() {
    let plain = layer(&[E::File("var/lib/testdb", "base 1\n")], false);
    let zst = zstd::encode_all(&plain[..], 3).unwrap();
    let a = resolve(vec![walk(0, plain)]);
    let b = resolve(vec![walk(0, zst)]);
    assert_eq!(names(&a.packages), names(&b.packages));
}
