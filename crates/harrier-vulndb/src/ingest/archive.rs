//! Walking what an import is given: files, directories, archives and compressed files.
//!
//! Archives are read as streams, member by member, and never extracted to disk: a tarball is
//! decompressed on the fly (gzip with `flate2`, zstd with `zstd`) and each member is read into
//! memory up to the size bound, parsed and dropped before the next. Zip archives need their
//! central directory, so they are read from a seekable file (or from memory when nested). An
//! archive inside an archive is read from memory, up to [`MAX_ARCHIVE_DEPTH`] levels.
//!
//! Every read is bounded by [`ImportOptions::max_file_bytes`] whatever a header claims, so a
//! decompression bomb stops at the bound. A corrupt archive stops that archive only; what was
//! read before the damage is kept.

use std::cell::Cell;
use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek};
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;

use super::dispatch::import_file;
use super::{Error, FileError, FileErrorKind, ImportOptions, MAX_ARCHIVE_DEPTH, Sink};

/// What a file name says about its packaging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Packaging {
    Plain,
    Zip,
    Tar(Compression),
    /// One compressed file; the name without the suffix says what is inside.
    Compressed(Compression),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    None,
    Gzip,
    Zstd,
}

fn packaging(name: &str) -> Packaging {
    let lower = name.to_ascii_lowercase();
    let ends = |suffixes: &[&str]| suffixes.iter().any(|s| lower.ends_with(s));
    if ends(&[".zip"]) {
        Packaging::Zip
    } else if ends(&[".tar"]) {
        Packaging::Tar(Compression::None)
    } else if ends(&[".tar.gz", ".tgz"]) {
        Packaging::Tar(Compression::Gzip)
    } else if ends(&[".tar.zst", ".tar.zstd", ".tzst"]) {
        Packaging::Tar(Compression::Zstd)
    } else if ends(&[".gz"]) {
        Packaging::Compressed(Compression::Gzip)
    } else if ends(&[".zst", ".zstd"]) {
        Packaging::Compressed(Compression::Zstd)
    } else {
        Packaging::Plain
    }
}

/// The name of a compressed file's content: `scores.csv.gz` → `scores.csv`.
fn without_compression_suffix(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

pub(super) fn import_path(
    path: &Path,
    options: &ImportOptions,
    sink: &mut dyn Sink,
) -> Result<(), Error> {
    let metadata = std::fs::metadata(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })?;
    if metadata.is_dir() {
        walk_directory(path, options, sink);
    } else {
        import_disk_file(path, options, sink);
    }
    Ok(())
}

/// Every file under `root`, in file-name order so that imports are reproducible. Symbolic
/// links are not followed (a link cycle would never end).
fn walk_directory(root: &Path, options: &ImportOptions, sink: &mut dyn Sink) {
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        match entry {
            Ok(entry) if entry.file_type().is_file() => {
                import_disk_file(entry.path(), options, sink)
            }
            Ok(_) => {}
            Err(e) => {
                let path: Arc<str> = e.path().unwrap_or(root).display().to_string().into();
                sink.error(FileError::new(
                    &path,
                    None,
                    FileErrorKind::Io(io_message(&e)),
                ));
            }
        }
    }
}

fn import_disk_file(path: &Path, options: &ImportOptions, sink: &mut dyn Sink) {
    let display: Arc<str> = path.display().to_string().into();
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) => {
            return sink.error(FileError::new(
                &display,
                None,
                FileErrorKind::Io(e.to_string()),
            ));
        }
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match packaging(&name) {
        Packaging::Zip => import_zip(BufReader::new(file), &display, 0, options, sink),
        Packaging::Tar(compression) => import_tar(file, compression, &display, 0, options, sink),
        Packaging::Compressed(compression) => {
            match decompress(file, compression)
                .and_then(|r| read_bounded(r, options.max_file_bytes))
            {
                Ok(bytes) => import_decompressed(&display, &bytes, 0, options, sink),
                Err(kind) => sink.error(FileError::new(&display, None, kind)),
            }
        }
        Packaging::Plain => match read_bounded(file, options.max_file_bytes) {
            Ok(bytes) => import_file(&display, &bytes, sink),
            Err(kind) => sink.error(FileError::new(&display, None, kind)),
        },
    }
}

/// A file or archive held in memory, at archive depth `depth`.
pub(super) fn import_bytes(
    path: &Arc<str>,
    bytes: &[u8],
    depth: usize,
    options: &ImportOptions,
    sink: &mut dyn Sink,
) {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let packaging = packaging(name);
    if packaging != Packaging::Plain && depth > MAX_ARCHIVE_DEPTH {
        let kind =
            FileErrorKind::Archive(format!("archives nest more than {MAX_ARCHIVE_DEPTH} deep"));
        return sink.error(FileError::new(path, None, kind));
    }
    match packaging {
        Packaging::Plain => import_file(path, bytes, sink),
        Packaging::Zip => import_zip(Cursor::new(bytes), path, depth, options, sink),
        Packaging::Tar(compression) => import_tar(bytes, compression, path, depth, options, sink),
        Packaging::Compressed(compression) => {
            match decompress(bytes, compression)
                .and_then(|r| read_bounded(r, options.max_file_bytes))
            {
                Ok(data) => import_decompressed(path, &data, depth, options, sink),
                Err(kind) => sink.error(FileError::new(path, None, kind)),
            }
        }
    }
}

/// The content of a compressed file, named `outer!/name-without-suffix`: a feed file, or an
/// archive (`all.zip.gz`).
fn import_decompressed(
    outer: &Arc<str>,
    bytes: &[u8],
    depth: usize,
    options: &ImportOptions,
    sink: &mut dyn Sink,
) {
    let name = outer.rsplit(['/', '\\']).next().unwrap_or(outer);
    let inner: Arc<str> = format!("{outer}!/{}", without_compression_suffix(name)).into();
    import_bytes(&inner, bytes, depth + 1, options, sink);
}

fn decompress<'a, R: Read + 'a>(
    reader: R,
    compression: Compression,
) -> Result<Box<dyn Read + 'a>, FileErrorKind> {
    Ok(match compression {
        Compression::None => Box::new(reader),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
        Compression::Zstd => Box::new(
            zstd::stream::read::Decoder::new(reader)
                .map_err(|e| FileErrorKind::Archive(e.to_string()))?,
        ),
    })
}

fn import_tar<'a, R: Read + 'a>(
    reader: R,
    compression: Compression,
    path: &Arc<str>,
    depth: usize,
    options: &ImportOptions,
    sink: &mut dyn Sink,
) {
    let reader = match decompress(reader, compression) {
        Ok(reader) => reader,
        Err(kind) => return sink.error(FileError::new(path, None, kind)),
    };
    let budget = Rc::new(Cell::new(metadata_allowance(options)));
    let mut archive = tar::Archive::new(Budgeted {
        inner: reader,
        remaining: Rc::clone(&budget),
    });
    let entries = match archive.entries() {
        Ok(entries) => entries,
        Err(e) => {
            return sink.error(FileError::new(
                path,
                None,
                FileErrorKind::Archive(e.to_string()),
            ));
        }
    };
    for entry in entries {
        let mut entry = match entry {
            Ok(entry) => entry,
            // The stream is out of step; nothing after this point can be trusted.
            Err(e) => {
                return sink.error(FileError::new(
                    path,
                    None,
                    FileErrorKind::Archive(e.to_string()),
                ));
            }
        };
        // This member's data, and the next member's headers, may be read.
        budget.set(entry.size().saturating_add(metadata_allowance(options)));
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let member: Arc<str> =
            format!("{path}!/{}", String::from_utf8_lossy(&entry.path_bytes())).into();
        if entry.size() > options.max_file_bytes {
            let kind = FileErrorKind::TooLarge {
                limit: options.max_file_bytes,
            };
            sink.error(FileError::new(&member, None, kind));
            continue;
        }
        match read_bounded(&mut entry, options.max_file_bytes) {
            Ok(bytes) => import_bytes(&member, &bytes, depth + 1, options, sink),
            Err(kind @ FileErrorKind::TooLarge { .. }) => {
                sink.error(FileError::new(&member, None, kind))
            }
            // The stream broke inside this member: report it there, once, and stop.
            Err(kind) => return sink.error(FileError::new(&member, None, kind)),
        }
    }
}

fn import_zip<R: Read + Seek>(
    reader: R,
    path: &Arc<str>,
    depth: usize,
    options: &ImportOptions,
    sink: &mut dyn Sink,
) {
    let mut archive = match zip::ZipArchive::new(reader) {
        Ok(archive) => archive,
        Err(e) => {
            return sink.error(FileError::new(
                path,
                None,
                FileErrorKind::Archive(e.to_string()),
            ));
        }
    };
    for index in 0..archive.len() {
        let mut file = match archive.by_index(index) {
            Ok(file) => file,
            Err(e) => {
                let kind = FileErrorKind::Archive(format!("member {index}: {e}"));
                sink.error(FileError::new(path, None, kind));
                continue;
            }
        };
        if !file.is_file() {
            continue;
        }
        let member: Arc<str> = format!("{path}!/{}", file.name()).into();
        if file.size() > options.max_file_bytes {
            let kind = FileErrorKind::TooLarge {
                limit: options.max_file_bytes,
            };
            sink.error(FileError::new(&member, None, kind));
            continue;
        }
        match read_bounded(&mut file, options.max_file_bytes) {
            Ok(bytes) => {
                drop(file);
                import_bytes(&member, &bytes, depth + 1, options, sink);
            }
            Err(kind) => sink.error(FileError::new(&member, None, kind)),
        }
    }
}

/// What a tar stream may read besides member data before the next member: headers, and GNU
/// long names and pax records, which the `tar` crate reads into memory whole.
fn metadata_allowance(options: &ImportOptions) -> u64 {
    options.max_file_bytes.saturating_add(64 * 1024)
}

/// A reader that fails once it has read its budget, which the tar loop renews for each member.
/// Without it a crafted long-name or pax header could make the `tar` crate read an unbounded
/// amount into memory.
struct Budgeted<R> {
    inner: R,
    remaining: Rc<Cell<u64>>,
}

impl<R: Read> Read for Budgeted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.remaining.get();
        if left == 0 {
            return Err(std::io::Error::other(
                "an archive header is larger than the size limit",
            ));
        }
        let allowed = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        let Some(window) = buf.get_mut(..allowed) else {
            unreachable!("`allowed` is at most the buffer's length")
        };
        let n = self.inner.read(window)?;
        self.remaining
            .set(left.saturating_sub(u64::try_from(n).unwrap_or(u64::MAX)));
        Ok(n)
    }
}

/// Reads at most `limit` bytes; more is an error, whatever sizes headers claimed.
fn read_bounded<R: Read>(reader: R, limit: u64) -> Result<Vec<u8>, FileErrorKind> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| FileErrorKind::Archive(e.to_string()))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
        return Err(FileErrorKind::TooLarge { limit });
    }
    Ok(bytes)
}

fn io_message(error: &walkdir::Error) -> String {
    match error.io_error() {
        Some(io) => io.to_string(),
        None => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_say_how_files_are_packed() {
        assert_eq!(packaging("all.zip"), Packaging::Zip);
        assert_eq!(
            packaging("golang-vulndb.tar.zst"),
            Packaging::Tar(Compression::Zstd)
        );
        assert_eq!(packaging("db.TGZ"), Packaging::Tar(Compression::Gzip));
        assert_eq!(
            packaging("epss_scores-2024-01-01.csv.gz"),
            Packaging::Compressed(Compression::Gzip)
        );
        assert_eq!(packaging("GO-2020-0001.json"), Packaging::Plain);
        assert_eq!(without_compression_suffix("epss.csv.gz"), "epss.csv");
    }

    #[test]
    fn a_long_name_cannot_outgrow_the_bound() {
        // A GNU long-name entry of 256 KiB, over a 1 KiB bound and the header allowance.
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::GNULongName);
        header.set_size(256 * 1024);
        header.set_cksum();
        let mut archive = header.as_bytes().to_vec();
        archive.extend(std::iter::repeat_n(b'a', 256 * 1024));
        let mut batch = super::super::ImportBatch::default();
        let options = ImportOptions {
            max_file_bytes: 1024,
        };
        import_bytes(&Arc::from("evil.tar"), &archive, 0, &options, &mut batch);
        assert_eq!(batch.errors.len(), 1);
        let message = batch.errors[0].to_string();
        assert!(message.contains("larger than the size limit"), "{message}");
    }

    #[test]
    fn reads_stop_at_the_bound() {
        assert_eq!(read_bounded(&b"12345"[..], 5).map(|b| b.len()), Ok(5));
        assert_eq!(
            read_bounded(&b"123456"[..], 5),
            Err(FileErrorKind::TooLarge { limit: 5 })
        );
    }
}
