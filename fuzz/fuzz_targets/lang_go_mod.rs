//! Any input as a `go.mod`: packages or an error, never a panic.
#![no_main]

use harrier_image::catalog::lang::go_mod;
use libfuzzer_sys::fuzz_target;

#[path = "shared/lang.rs"]
mod lang;

fuzz_target!(|data: &[u8]| {
    lang::run(&go_mod::GO_MOD, "src/go.mod", data);
});
