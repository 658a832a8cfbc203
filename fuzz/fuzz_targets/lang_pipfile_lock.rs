//! Any input as a Pipenv `Pipfile.lock` (JSON): packages or an error, never a panic.
#![no_main]

use harrier_image::catalog::lang::pipfile_lock;
use libfuzzer_sys::fuzz_target;

#[path = "shared/lang.rs"]
mod lang;

fuzz_target!(|data: &[u8]| {
    lang::run(&pipfile_lock::PIPFILE_LOCK, "src/Pipfile.lock", data);
});
