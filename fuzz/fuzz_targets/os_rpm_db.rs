//! A selector byte and bytes as an rpm database file: the first byte picks the file name
//! (`Packages` for Berkeley DB, `Packages.db` for ndb, `rpmdb.sqlite`), which decides the
//! format when the content does not start with a known magic; the rest is the file. A list
//! of packages or an error, never a panic.
#![no_main]

use harrier_image::catalog::os::rpm;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, content)) = data.split_first() else {
        return;
    };
    let path = match selector % 3 {
        0 => "var/lib/rpm/Packages",
        1 => "usr/lib/sysimage/rpm/Packages.db",
        _ => "var/lib/rpm/rpmdb.sqlite",
    };
    if let Ok(found) = rpm::parse(path, content) {
        assert!(found.packages.iter().all(|p| p.location.path == path));
        assert!(found.errors.len() <= 101);
    }
});
