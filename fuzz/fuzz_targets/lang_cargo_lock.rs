//! Any input as a `Cargo.lock` v1–v4: packages or an error, never a panic.
#![no_main]

use harrier_image::catalog::lang::cargo_lock;
use libfuzzer_sys::fuzz_target;

#[path = "shared/lang.rs"]
mod lang;

fuzz_target!(|data: &[u8]| {
    lang::run(&cargo_lock::CARGO_LOCK, "src/Cargo.lock", data);
});
