//! Any input as a `yarn.lock`, Yarn 1 format and Yarn 2+ YAML: packages or an error, never a panic.
#![no_main]

use harrier_image::catalog::lang::yarn_lock;
use libfuzzer_sys::fuzz_target;

#[path = "shared/lang.rs"]
mod lang;

fuzz_target!(|data: &[u8]| {
    lang::run(&yarn_lock::YARN_LOCK, "src/yarn.lock", data);
});
