//! Bytes as a manifest or index under one of the content types registries send (the first
//! byte picks it), then platform selection: an error or a value, never a panic.
#![no_main]

use harrier_image::source::registry::{Manifest, Platform, manifest};
use libfuzzer_sys::fuzz_target;

const CONTENT_TYPES: &[Option<&str>] = &[
    None,
    Some(manifest::OCI_MANIFEST),
    Some(manifest::OCI_INDEX),
    Some(manifest::DOCKER_MANIFEST),
    Some(manifest::DOCKER_MANIFEST_LIST),
    Some(manifest::DOCKER_SCHEMA1_SIGNED),
    Some("application/json; charset=utf-8"),
];

fuzz_target!(|data: &[u8]| {
    let Some((selector, bytes)) = data.split_first() else {
        return;
    };
    let content_type = CONTENT_TYPES[usize::from(*selector) % CONTENT_TYPES.len()];
    match manifest::parse(bytes, content_type) {
        Ok(Manifest::Index(index)) => {
            for wanted in [
                "linux/amd64",
                "linux/arm64",
                "linux/arm/v6",
                "windows/amd64",
            ] {
                let wanted: Platform = wanted.parse().expect("platform");
                if let Ok(entry) = manifest::select(&index, &wanted) {
                    if let Some(p) = entry.platform() {
                        let _ = wanted.rank(&Platform::of(p));
                    }
                }
            }
        }
        Ok(Manifest::Image(image)) => {
            let _ = manifest::check_image(&image);
            let _ = image.layers().len();
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
