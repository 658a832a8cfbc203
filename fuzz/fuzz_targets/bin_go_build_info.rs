//! Any bytes as a Go executable (ELF, PE, Mach-O or none: the build-info blob is looked for
//! first, its pointers resolved through the headers) and as the module-info text `go version
//! -m` prints: errors or packages, never a panic.
#![no_main]

use harrier_image::catalog::lang::go_binary::{GO_BINARY, packages, parse_modinfo, stdlib_version};
use harrier_image::catalog::{Cataloger, FileMeta};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let meta = FileMeta {
        path: "usr/bin/app",
        size: data.len() as u64,
        mode: 0o755,
    };
    let _ = GO_BINARY.catalog(&meta, data);
    if let Ok(info) = parse_modinfo(data) {
        for p in packages(&info, "usr/bin/app") {
            assert!(!p.name.is_empty());
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = stdlib_version(text);
    }
});
