//! Any input as Composer's `installed.json` or `composer.lock` (the first byte picks which):
//! packages or an error, never a panic.
#![no_main]

use harrier_image::catalog::lang::composer;
use libfuzzer_sys::fuzz_target;

#[path = "shared/lang.rs"]
mod lang;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    if selector % 2 == 0 {
        lang::run(
            &composer::COMPOSER_INSTALLED,
            "app/vendor/composer/installed.json",
            rest,
        );
    } else {
        lang::run(&composer::COMPOSER_LOCK, "src/composer.lock", rest);
    }
});
