//! Any text as an image reference and as a platform: an error or a value that prints and
//! reads back the same, never a panic.
#![no_main]

use harrier_image::source::registry::{Platform, Reference};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(reference) = Reference::parse(text) {
        let printed = reference.to_string();
        let again = Reference::parse(&printed)
            .unwrap_or_else(|e| panic!("{text:?} printed as {printed:?}, which fails: {e}"));
        assert_eq!(again, reference, "{text:?} → {printed:?}");
        let _ = (
            reference.endpoint(),
            reference.manifest_reference(),
            reference.is_loopback(),
        );
    }
    if let Ok(platform) = text.parse::<Platform>() {
        let again: Platform = platform.to_string().parse().expect("a platform reads back");
        assert_eq!(again, platform);
        assert_eq!(platform.rank(&platform), Some(0), "{platform}");
        let _ = Platform::default().rank(&platform);
    }
});
