//! The layer walk: one pass over one layer's tar stream.
//!
//! Each entry is seen once. Paths are normalised (no leading `/` or `./`) and entries whose path
//! would climb out of the root (`..`) are refused and reported. Whiteouts (`.wh.<name>`) and
//! opaque-directory markers (`.wh..wh..opq`) are recorded, not applied: applying them needs the
//! layers above, which [`crate::resolve`] has. A regular file is read only when a cataloger or
//! the content scanner wants it, and only up to the size they asked for; everything else is
//! skipped without being buffered, which is why memory stays bounded whatever the image's
//! size. What the layer writes is remembered as path hashes (8 bytes a path), enough to tell
//! later whether a file found in a lower layer was overwritten.
//!
//! The same walk serves a directory (`dir:` sources, `scan fs`) through [`walk_dir`], which
//! never follows symbolic links.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use harrier_core::severity::Severity;
use serde::Serialize;

use crate::catalog::{Cataloger, FileMeta, Found, Want};

/// Files kept whole for what is decided over the final view rather than file by file: the
/// release files that identify the operating system (tiny), and Debian copyright files, which
/// give dpkg packages their licenses (a few KiB each, one per package).
pub fn is_kept_file(path: &str) -> bool {
    crate::catalog::os::is_os_release_file(path)
        || crate::catalog::os::deb_copyright::package_of(path).is_some()
}
/// The most of a kept file read; longer copyright files lose their licenses, not the scan.
const OS_FILE_MAX: u64 = 256 * 1024;
/// Hard-link targets kept in memory per layer, so that a wanted file that is a hard link can be
/// read (tar stores a hard link's content once, under the first name).
const LINK_CACHE_MAX: usize = 32 * 1024 * 1024;

/// Reads the content of files for something other than packages (secrets).
pub trait ContentScanner: Sync + Send {
    /// Whether to read this file, from its path, size and mode.
    fn wants(&self, file: &FileMeta<'_>) -> Want;
    /// Scans one file's content.
    fn scan(&self, file: &FileMeta<'_>, content: &[u8]) -> Vec<ContentFinding>;
}

/// Something a [`ContentScanner`] found in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContentFinding {
    /// Rule that matched (`aws-access-key-id`, `private-key`…).
    pub rule: String,
    /// Human description.
    pub title: String,
    /// How bad it is.
    pub severity: Severity,
    /// Line, from 1.
    pub line: u32,
    /// The matched line with the secret itself replaced by `*`s.
    pub excerpt: String,
}

/// What a cataloger made of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// The file.
    pub path: String,
    /// Which cataloger.
    pub cataloger: &'static str,
    /// What it found.
    pub found: Found,
}

/// What a content scanner found in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentObservation {
    /// The file.
    pub path: String,
    /// The findings.
    pub findings: Vec<ContentFinding>,
}

/// A problem with one entry that did not stop the walk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WalkProblem {
    /// The entry.
    pub path: String,
    /// What happened.
    pub message: String,
}

/// Everything one layer showed.
#[derive(Debug, Clone, Default)]
pub struct LayerScan {
    /// Layer index.
    pub index: usize,
    /// Entries seen.
    pub entries: u64,
    /// Bytes of regular files.
    pub bytes: u64,
    /// Hashes of every path the layer writes (files, directories, links).
    pub written: HashSet<u64>,
    /// Paths this layer deletes (`.wh.` whiteouts).
    pub whiteouts: Vec<String>,
    /// Directories this layer makes opaque (hiding lower layers' content under them).
    pub opaque: Vec<String>,
    /// Symbolic links: path → target as written.
    pub symlinks: HashMap<String, String>,
    /// Content of the OS identification files, by path.
    pub os_files: HashMap<String, Vec<u8>>,
    /// Cataloger results.
    pub observations: Vec<Observation>,
    /// Content scanner results.
    pub content: Vec<ContentObservation>,
    /// Entries that could not be read or were refused.
    pub problems: Vec<WalkProblem>,
    /// Set when the tar stream ended early or broke: entries before the damage are kept.
    pub truncated: Option<String>,
}

/// Normalises a path from an archive or a directory walk: relative, `/`-separated, without
/// `.` components. `None` when it climbs out of the root.
pub fn normalise(raw: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The hash a path is remembered by.
pub fn path_hash(path: &str) -> u64 {
    // `DefaultHasher::new()` has fixed keys, so hashes from layers walked on different
    // threads agree (a `RandomState` would not).
    let mut h = std::collections::hash_map::DefaultHasher::new();
    path.hash(&mut h);
    h.finish()
}

/// Everything the walk hands entries to.
#[derive(Clone, Copy)]
pub struct Consumers<'a> {
    /// Catalogers.
    pub catalogers: &'a [&'a dyn Cataloger],
    /// Secret scanner, if any.
    pub content: Option<&'a dyn ContentScanner>,
}

/// Who wants a file: catalogers with their caps, the content scanner's cap, whether it is an OS
/// identification file.
type Wanted<'a> = (Vec<(&'a dyn Cataloger, u64)>, Option<u64>, bool);

struct Walker<'a> {
    scan: LayerScan,
    consumers: Consumers<'a>,
    link_cache: HashMap<String, Vec<u8>>,
    link_cache_bytes: usize,
    /// Files too large for the link cache that were read and yielded nothing, with the
    /// catalogers that read them: a hard link to one holds the same bytes, so when the same
    /// catalogers want the link there is nothing to miss (a Go-binary cataloger wants every
    /// executable, and `perl5.36.0` is a hard link to `perl`). The flag says the content needs
    /// no secret scan under another name: it had one, or it is binary.
    fruitless: HashMap<String, (Vec<&'static str>, bool)>,
}

enum Kind {
    File,
    Dir,
    Symlink(String),
    HardLink(String),
    Other,
}

impl<'a> Walker<'a> {
    fn new(index: usize, consumers: Consumers<'a>) -> Walker<'a> {
        Walker {
            scan: LayerScan {
                index,
                ..LayerScan::default()
            },
            consumers,
            link_cache: HashMap::new(),
            link_cache_bytes: 0,
            fruitless: HashMap::new(),
        }
    }

    fn problem(&mut self, path: &str, message: impl Into<String>) {
        self.scan.problems.push(WalkProblem {
            path: path.to_owned(),
            message: message.into(),
        });
    }

    /// One entry; `content` reads its data (regular files only).
    fn entry(&mut self, raw_path: &str, kind: Kind, size: u64, mode: u32, content: &mut dyn Read) {
        self.scan.entries += 1;
        let Some(path) = normalise(raw_path) else {
            self.problem(raw_path, "refused: the path climbs out of the image root");
            return;
        };
        if path.is_empty() {
            return;
        }
        let (dir, name) = path
            .rsplit_once('/')
            .map_or(("", path.as_str()), |(d, n)| (d, n));
        if name == ".wh..wh..opq" {
            self.scan.opaque.push(dir.to_owned());
            return;
        }
        if let Some(hidden) = name.strip_prefix(".wh.") {
            let deleted = if dir.is_empty() {
                hidden.to_owned()
            } else {
                format!("{dir}/{hidden}")
            };
            self.scan.whiteouts.push(deleted);
            return;
        }
        self.scan.written.insert(path_hash(&path));
        match kind {
            Kind::File => {
                self.scan.bytes += size;
                self.file(&path, size, mode, content);
            }
            Kind::Symlink(target) => {
                self.scan.symlinks.insert(path, target);
            }
            Kind::HardLink(target) => self.hard_link(&path, &target, mode),
            Kind::Dir | Kind::Other => {}
        }
    }

    fn wants(&self, meta: &FileMeta<'_>) -> Wanted<'a> {
        let catalogers: Vec<(&dyn Cataloger, u64)> = self
            .consumers
            .catalogers
            .iter()
            .filter_map(|c| match c.wants(meta) {
                Want::Content { max_bytes } => Some((*c, max_bytes)),
                Want::No => None,
            })
            .collect();
        let content = self.consumers.content.and_then(|s| match s.wants(meta) {
            Want::Content { max_bytes } => Some(max_bytes),
            Want::No => None,
        });
        let os = is_kept_file(meta.path);
        (catalogers, content, os)
    }

    fn file(&mut self, path: &str, size: u64, mode: u32, content: &mut dyn Read) {
        let meta = FileMeta { path, size, mode };
        let (catalogers, content_cap, os) = self.wants(&meta);
        let mut cap = catalogers.iter().map(|(_, m)| *m).max().unwrap_or(0);
        if let Some(c) = content_cap {
            cap = cap.max(c);
        }
        if os {
            cap = cap.max(OS_FILE_MAX);
        }
        if cap == 0 {
            return;
        }
        if size > cap {
            if !catalogers.is_empty() {
                self.problem(path, format!("skipped: {size} bytes is more than the {cap} bytes read for this kind of file"));
            }
            return;
        }
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        if let Err(e) = content.take(size).read_to_end(&mut bytes) {
            self.problem(path, format!("cannot read: {}", tar_error(&e)));
            return;
        }
        let found = self.consume(&meta, &bytes, &catalogers, content_cap, os);
        if bytes.len() <= 1024 * 1024
            && self.link_cache_bytes + bytes.len() <= LINK_CACHE_MAX
            && !catalogers.is_empty()
        {
            self.link_cache_bytes += bytes.len();
            self.link_cache.insert(path.to_owned(), bytes);
        } else if !found && !catalogers.is_empty() {
            let names = catalogers.iter().map(|(c, _)| c.name()).collect();
            // A binary file is one the secret scanner skips whatever its name.
            let binary = bytes.iter().take(8192).any(|b| *b == 0);
            self.fruitless
                .insert(path.to_owned(), (names, content_cap.is_some() || binary));
        }
    }

    fn consume(
        &mut self,
        meta: &FileMeta<'_>,
        bytes: &[u8],
        catalogers: &[(&'a dyn Cataloger, u64)],
        content_cap: Option<u64>,
        os: bool,
    ) -> bool {
        let size = bytes.len() as u64;
        let mut found_any = false;
        for (cataloger, max) in catalogers {
            if size > *max {
                continue;
            }
            let found = match cataloger.catalog(meta, bytes) {
                Ok(found) => found,
                Err(error) => Found {
                    packages: Vec::new(),
                    errors: vec![error],
                },
            };
            if !found.packages.is_empty() || !found.errors.is_empty() {
                found_any = true;
                self.scan.observations.push(Observation {
                    path: meta.path.to_owned(),
                    cataloger: cataloger.name(),
                    found,
                });
            }
        }
        if let (Some(scanner), Some(cap)) = (self.consumers.content, content_cap) {
            if size <= cap {
                let findings = scanner.scan(meta, bytes);
                if !findings.is_empty() {
                    found_any = true;
                    self.scan.content.push(ContentObservation {
                        path: meta.path.to_owned(),
                        findings,
                    });
                }
            }
        }
        if os && size <= OS_FILE_MAX {
            found_any = true;
            self.scan
                .os_files
                .insert(meta.path.to_owned(), bytes.to_vec());
        }
        found_any
    }

    fn hard_link(&mut self, path: &str, target: &str, mode: u32) {
        let Some(target) = normalise(target) else {
            self.problem(
                path,
                "refused: the hard link's target climbs out of the image root",
            );
            return;
        };
        let meta = FileMeta {
            path,
            size: 0,
            mode,
        };
        let (catalogers, content_cap, os) = self.wants(&meta);
        if catalogers.is_empty() && content_cap.is_none() && !os {
            return;
        }
        match self.link_cache.get(&target).cloned() {
            Some(bytes) => {
                let meta = FileMeta {
                    path,
                    size: bytes.len() as u64,
                    mode,
                };
                self.consume(&meta, &bytes, &catalogers, content_cap, os);
            }
            None if self.fruitless.get(&target).is_some_and(|(names, scanned)| {
                (*scanned || content_cap.is_none())
                    && catalogers.iter().all(|(c, _)| names.contains(&c.name()))
            }) => {}
            None => self.problem(
                path,
                format!("hard link to `{target}`, whose content was not kept, was not read"),
            ),
        }
    }

    fn finish(self) -> LayerScan {
        self.scan
    }
}

/// An I/O or tar error as one short line. The tar crate quotes the bytes of a header it cannot
/// parse, and those bytes are the file's content (a password file, a key): they must not reach
/// a log or a report.
pub(crate) fn tar_error(e: &std::io::Error) -> String {
    let text = e.to_string();
    let first = text.lines().next().unwrap_or_default();
    let cut = match first.find(": ") {
        Some(i) if first.starts_with("numeric field") || first.contains("when getting") => {
            &first[..i]
        }
        _ => first,
    };
    cut.chars().take(160).collect()
}

/// Wraps a layer blob in the decompressor its first bytes call for (gzip, zstd, or none).
pub fn decompress<'r>(
    blob: Box<dyn Read + Send + 'r>,
) -> std::io::Result<Box<dyn Read + Send + 'r>> {
    let mut reader = BufReader::with_capacity(256 * 1024, blob);
    let head = reader.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(reader)))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Ok(Box::new(zstd::Decoder::with_buffer(reader)?))
    } else {
        Ok(Box::new(reader))
    }
}

/// Walks one layer's blob (compressed or not).
///
/// The blob is read to its very end, past the tar stream's end marker, because sources that
/// verify digests (a registry) can only check the whole blob.
pub fn walk_layer(
    index: usize,
    mut blob: Box<dyn Read + Send + '_>,
    consumers: Consumers<'_>,
) -> LayerScan {
    let mut walker = Walker::new(index, consumers);
    walk_tar(&mut walker, Box::new(&mut blob));
    if walker.scan.truncated.is_none() {
        if let Err(e) = std::io::copy(&mut blob, &mut std::io::sink()) {
            walker.scan.truncated = Some(format!(
                "the layer could not be read to its end: {}",
                tar_error(&e)
            ));
        }
    }
    walker.finish()
}

fn walk_tar(walker: &mut Walker<'_>, blob: Box<dyn Read + Send + '_>) {
    let reader = match decompress(blob) {
        Ok(r) => r,
        Err(e) => {
            walker.scan.truncated = Some(format!("cannot read the layer: {}", tar_error(&e)));
            return;
        }
    };
    let mut archive = tar::Archive::new(reader);
    let entries = match archive.entries() {
        Ok(entries) => entries,
        Err(e) => {
            walker.scan.truncated = Some(format!("not a tar stream: {}", tar_error(&e)));
            return;
        }
    };
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                walker.scan.truncated = Some(format!(
                    "the layer's tar stream is damaged: {}",
                    tar_error(&e)
                ));
                break;
            }
        };
        let header = entry.header();
        let size = entry.size();
        let mode = header.mode().unwrap_or(0o644);
        let entry_type = header.entry_type();
        let link = || {
            entry
                .link_name()
                .ok()
                .flatten()
                .map(|l| l.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let kind = if entry_type.is_file() {
            Kind::File
        } else if entry_type.is_dir() {
            Kind::Dir
        } else if entry_type.is_symlink() {
            Kind::Symlink(link())
        } else if entry_type.is_hard_link() {
            Kind::HardLink(link())
        } else {
            Kind::Other
        };
        let path = match entry.path() {
            Ok(p) => p.to_string_lossy().into_owned(),
            Err(e) => {
                walker.problem("<unreadable name>", format!("refused: {}", tar_error(&e)));
                continue;
            }
        };
        walker.entry(&path, kind, size, mode, &mut entry);
    }
}

/// Walks a directory tree as one layer, without following symbolic links.
pub fn walk_dir(root: &Path, consumers: Consumers<'_>) -> LayerScan {
    let mut walker = Walker::new(0, consumers);
    for entry in walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                walker.problem(&path, format!("cannot read: {e}"));
                continue;
            }
        };
        let Ok(relative) = entry.path().strip_prefix(root) else {
            continue;
        };
        let path = relative.to_string_lossy().replace('\\', "/");
        let meta = match entry.metadata() {
            Ok(m) => m,
            Err(e) => {
                walker.problem(&path, format!("cannot read: {e}"));
                continue;
            }
        };
        let mode = unix_mode(&meta);
        let file_type = entry.file_type();
        if file_type.is_symlink() {
            let target = std::fs::read_link(entry.path())
                .map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_default();
            walker.entry(&path, Kind::Symlink(target), 0, mode, &mut std::io::empty());
        } else if file_type.is_dir() {
            walker.entry(&path, Kind::Dir, 0, mode, &mut std::io::empty());
        } else if file_type.is_file() {
            let size = meta.len();
            match std::fs::File::open(entry.path()) {
                Ok(mut f) => walker.entry(&path, Kind::File, size, mode, &mut f),
                Err(e) => walker.problem(&path, format!("cannot read: {}", tar_error(&e))),
            }
        } else {
            walker.entry(&path, Kind::Other, 0, mode, &mut std::io::empty());
        }
    }
    walker.finish()
}

#[cfg(unix)]
fn unix_mode(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode()
}

#[cfg(not(unix))]
fn unix_mode(_meta: &std::fs::Metadata) -> u32 {
    0o644
}
