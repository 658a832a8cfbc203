//! Any input as Python core metadata (`METADATA`, `PKG-INFO`): packages or an error, never a panic.
#![no_main]

use harrier_image::catalog::lang::python_installed;
use libfuzzer_sys::fuzz_target;

#[path = "shared/lang.rs"]
mod lang;

fuzz_target!(|data: &[u8]| {
    lang::run(
        &python_installed::PYTHON_INSTALLED,
        "usr/lib/python3/dist-packages/a-1.0.dist-info/METADATA",
        data,
    );
});
