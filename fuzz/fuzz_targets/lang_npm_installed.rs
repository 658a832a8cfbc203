//! Any input as an installed npm `package.json`: packages or an error, never a panic.
#![no_main]

use harrier_image::catalog::lang::npm_installed;
use libfuzzer_sys::fuzz_target;

#[path = "shared/lang.rs"]
mod lang;

fuzz_target!(|data: &[u8]| {
    lang::run(
        &npm_installed::NPM_INSTALLED,
        "app/node_modules/a/package.json",
        data,
    );
});
