//! Any input as a pip requirements file: packages or an error, never a panic.
#![no_main]

use harrier_image::catalog::lang::python_requirements;
use libfuzzer_sys::fuzz_target;

#[path = "shared/lang.rs"]
mod lang;

fuzz_target!(|data: &[u8]| {
    lang::run(
        &python_requirements::PYTHON_REQUIREMENTS,
        "src/requirements.txt",
        data,
    );
});
