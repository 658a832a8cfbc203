//! Any input as an installed RubyGems specification (Ruby source): packages or an error, never a panic.
#![no_main]

use harrier_image::catalog::lang::gemspec;
use libfuzzer_sys::fuzz_target;

#[path = "shared/lang.rs"]
mod lang;

fuzz_target!(|data: &[u8]| {
    lang::run(
        &gemspec::GEMSPEC,
        "usr/local/bundle/specifications/a-1.0.gemspec",
        data,
    );
});
