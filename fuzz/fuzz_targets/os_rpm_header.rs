//! Any bytes as one rpm header blob (the record every rpm database format stores): a package,
//! a skipped `gpg-pubkey`, or an error, never a panic.
#![no_main]

use harrier_image::catalog::os::rpm;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(Some(package)) = rpm::header_package("var/lib/rpm/rpmdb.sqlite", data) {
        assert!(!package.name.is_empty());
    }
});
