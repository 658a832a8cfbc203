//! Any input as a PDM `pdm.lock` (TOML): packages or an error, never a panic.
#![no_main]

use harrier_image::catalog::lang::pdm_lock;
use libfuzzer_sys::fuzz_target;

#[path = "shared/lang.rs"]
mod lang;

fuzz_target!(|data: &[u8]| {
    lang::run(&pdm_lock::PDM_LOCK, "src/pdm.lock", data);
});
