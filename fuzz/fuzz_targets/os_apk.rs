//! Any bytes as an apk database, `lib/apk/db/installed`: packages and errors, never a panic.
#![no_main]

use harrier_image::catalog::os::apk;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = "lib/apk/db/installed";
    let found = apk::parse(path, data);
    assert!(found.packages.iter().all(|p| p.location.path == path));
    assert!(found.errors.iter().all(|e| e.path == path));
    assert!(found.errors.len() <= 101);
});
