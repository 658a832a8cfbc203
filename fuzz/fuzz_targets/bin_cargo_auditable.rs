//! Any bytes as an executable that may carry a `cargo auditable` `.dep-v0` section (ELF, PE,
//! Mach-O, fat Mach-O), and as the audit JSON itself: errors or packages, never a panic.
#![no_main]

use harrier_image::catalog::lang::rust_binary::{RUST_BINARY, audit_section, parse_audit_json};
use harrier_image::catalog::{Cataloger, FileMeta};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let meta = FileMeta {
        path: "usr/bin/app",
        size: data.len() as u64,
        mode: 0o755,
    };
    let _ = audit_section(data);
    let _ = RUST_BINARY.catalog(&meta, data);
    let _ = parse_audit_json(data, "usr/bin/app");
});
