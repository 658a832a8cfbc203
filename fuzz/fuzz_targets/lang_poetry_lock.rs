//! Any input as a Poetry `poetry.lock` (TOML): packages or an error, never a panic.
#![no_main]

use harrier_image::catalog::lang::poetry_lock;
use libfuzzer_sys::fuzz_target;

#[path = "shared/lang.rs"]
mod lang;

fuzz_target!(|data: &[u8]| {
    lang::run(&poetry_lock::POETRY_LOCK, "src/poetry.lock", data);
});
