//! Any input as a `pnpm-lock.yaml` v5–v9: packages or an error, never a panic.
#![no_main]

use harrier_image::catalog::lang::pnpm_lock;
use libfuzzer_sys::fuzz_target;

#[path = "shared/lang.rs"]
mod lang;

fuzz_target!(|data: &[u8]| {
    lang::run(&pnpm_lock::PNPM_LOCK, "src/pnpm-lock.yaml", data);
});
