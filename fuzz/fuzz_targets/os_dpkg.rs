//! Any bytes as a dpkg database: the `status` file, a distroless `status.d/` record, and a
//! Debian copyright file. Packages and errors, never a panic; every package and error names
//! the file it came from.
#![no_main]

use harrier_image::catalog::os::{deb_copyright, dpkg};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for path in ["var/lib/dpkg/status", "var/lib/dpkg/status.d/base"] {
        let found = dpkg::parse(path, data);
        assert!(found.packages.iter().all(|p| p.location.path == path));
        assert!(found.errors.iter().all(|e| e.path == path));
        assert!(found.errors.len() <= 101);
    }
    let _ = deb_copyright::licenses(data);
});
