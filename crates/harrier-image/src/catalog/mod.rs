//! Catalogers: each recognises one kind of package record (a dpkg database, a Python
//! `METADATA`, a `package-lock.json`, a Go binary's build info…) and turns it into packages.
//!
//! The layer walk asks every cataloger about every file, by path, size and mode only
//! ([`Cataloger::wants`]); only files some cataloger wants are read, each up to the size the
//! cataloger names, and handed over whole ([`Cataloger::catalog`]). This is what keeps memory
//! bounded whatever the image's size: a cataloger never sees the rest of the image. A cataloger
//! that needs several files (a database spread over a directory) handles each file on its own.
//!
//! OS catalogers live in [`os`], language catalogers in [`lang`]; [`all`] joins them.

pub mod lang;
pub mod os;

/// What a cataloger wants of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Nothing.
    No,
    /// Its content, if it is at most this many bytes (larger files are reported as skipped).
    Content {
        /// The cap.
        max_bytes: u64,
    },
}

/// A file as the walk sees it before reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileMeta<'a> {
    /// Path relative to the root, without a leading `/` (`usr/lib/python3/dist-packages/…`).
    pub path: &'a str,
    /// Size in bytes.
    pub size: u64,
    /// Unix mode bits.
    pub mode: u32,
}

impl FileMeta<'_> {
    /// Whether any execute bit is set.
    pub fn is_executable(&self) -> bool {
        self.mode & 0o111 != 0
    }

    /// The file name (last path component).
    pub fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(self.path)
    }
}

/// Where a cataloger runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Installed packages: images, root filesystems and source trees.
    Everywhere,
    /// Lockfiles and manifests of source trees (`harrier scan fs`), which in an image describe
    /// how it was built rather than what it holds.
    SourceTree,
}

/// A file a cataloger could not read. The rest of the scan goes on; the error is reported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct CatalogError {
    /// The file (inside archives, `outer!/inner`).
    pub path: String,
    /// The line, when known.
    pub line: Option<u32>,
    /// What is wrong.
    pub message: String,
}

impl CatalogError {
    /// An error about `path`.
    pub fn new(path: &str, line: Option<u32>, message: impl Into<String>) -> CatalogError {
        CatalogError {
            path: path.to_owned(),
            line,
            message: message.into(),
        }
    }
}

/// What a cataloger found in one file: packages, and problems with parts of the file that did
/// not stop the rest from being read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    /// Packages.
    pub packages: Vec<crate::Package>,
    /// Records that could not be read.
    pub errors: Vec<CatalogError>,
}

/// One kind of package record.
pub trait Cataloger: Sync + Send {
    /// A short stable name (`dpkg`, `python-dist-info`, `go-binary`).
    fn name(&self) -> &'static str;

    /// Where it runs.
    fn scope(&self) -> Scope {
        Scope::Everywhere
    }

    /// Whether it wants this file's content, decided from path, size and mode alone.
    fn wants(&self, file: &FileMeta<'_>) -> Want;

    /// The packages in one file it wanted. `content` is the whole file. An `Err` means nothing
    /// of the file could be read; partial problems go in [`Found::errors`].
    fn catalog(&self, file: &FileMeta<'_>, content: &[u8]) -> Result<Found, CatalogError>;
}

/// Every cataloger.
pub fn all() -> Vec<&'static dyn Cataloger> {
    os::CATALOGERS
        .iter()
        .chain(lang::CATALOGERS)
        .copied()
        .collect()
}
