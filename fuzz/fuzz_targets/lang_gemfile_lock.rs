//! Any input as a Bundler `Gemfile.lock`: packages or an error, never a panic.
#![no_main]

use harrier_image::catalog::lang::gemfile_lock;
use libfuzzer_sys::fuzz_target;

#[path = "shared/lang.rs"]
mod lang;

fuzz_target!(|data: &[u8]| {
    lang::run(&gemfile_lock::GEMFILE_LOCK, "src/Gemfile.lock", data);
});
