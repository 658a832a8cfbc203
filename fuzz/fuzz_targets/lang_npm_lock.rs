//! Any input as an npm `package-lock.json` v1–v3: packages or an error, never a panic.
#![no_main]

use harrier_image::catalog::lang::npm_lock;
use libfuzzer_sys::fuzz_target;

#[path = "shared/lang.rs"]
mod lang;

fuzz_target!(|data: &[u8]| {
    lang::run(&npm_lock::NPM_LOCK, "src/package-lock.json", data);
});
