//! Operating-system package databases and OS detection.
//!
//! - [`dpkg`], [`apk`], [`rpm`]: the three package databases, one cataloger each.
//! - [`release`]: which distribution and release an image is, from `etc/os-release` and the
//!   older distro-specific files ([`detect`]), and the OSV ecosystem its packages are looked up
//!   in ([`vuln_ecosystem`]). Not a cataloger: it yields no packages, and its answer depends
//!   on several files of the final filesystem view at once, so the walk buffers the files
//!   [`is_os_release_file`] names and calls [`detect`] after resolving layers.
//! - [`deb_copyright`]: licenses of Debian packages from `usr/share/doc/<name>/copyright`
//!   (dpkg records none). Also not a cataloger, for the same reason: it adds to packages the
//!   dpkg cataloger found ([`deb_copyright::apply`]), for the files
//!   [`deb_copyright::package_of`] names.

pub mod apk;
mod deb822;
pub mod deb_copyright;
pub mod dpkg;
pub mod release;
pub mod rpm;

pub use release::{detect, is_os_release_file, vuln_ecosystem};

use super::{CatalogError, Cataloger};

/// The OS catalogers.
pub static CATALOGERS: &[&dyn Cataloger] = &[&apk::APK, &dpkg::DPKG, &rpm::RPM];

/// Problems reported per file before the rest are only counted.
pub(crate) const MAX_ERRORS: usize = 100;

/// A file's errors, capped at [`MAX_ERRORS`] with a count of the rest, so that a damaged
/// database cannot produce an error per line.
pub(crate) struct Errors<'p> {
    path: &'p str,
    errors: Vec<CatalogError>,
    dropped: usize,
}

impl<'p> Errors<'p> {
    pub(crate) fn new(path: &'p str) -> Errors<'p> {
        Errors {
            path,
            errors: Vec::new(),
            dropped: 0,
        }
    }

    pub(crate) fn push(&mut self, line: Option<u32>, message: String) {
        if self.errors.len() < MAX_ERRORS {
            self.errors
                .push(CatalogError::new(self.path, line, message));
        } else {
            self.dropped += 1;
        }
    }

    /// The errors in line order (those without a line last), with the count of the rest.
    pub(crate) fn finish(mut self) -> Vec<CatalogError> {
        self.errors.sort_by_key(|e| e.line.unwrap_or(u32::MAX));
        if self.dropped > 0 {
            self.errors.push(CatalogError::new(
                self.path,
                None,
                format!("{} more problems not listed", self.dropped),
            ));
        }
        self.errors
    }
}
