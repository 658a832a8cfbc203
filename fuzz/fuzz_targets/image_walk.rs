//! Bytes as a layer blob (gzip, zstd or plain tar, as its first bytes say) → the streaming
//! walk with every cataloger and the secret scanner → resolution of the final view. The walk
//! must never panic, and what it reports must stay consistent: every package attributed to
//! the only layer there is.
#![no_main]

use harrier_image::catalog;
use harrier_image::resolve::resolve;
use harrier_image::secrets::SecretScanner;
use harrier_image::walk::{Consumers, walk_layer};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

// Built once: the scanner's automaton and the cataloger list are not what is fuzzed.
static CATALOGERS: LazyLock<Vec<&'static dyn harrier_image::Cataloger>> =
    LazyLock::new(catalog::all);
static SCANNER: LazyLock<SecretScanner> = LazyLock::new(SecretScanner::new);

fuzz_target!(|data: &[u8]| {
    let consumers = Consumers {
        catalogers: &CATALOGERS,
        content: Some(&*SCANNER),
    };
    let scan = walk_layer(0, Box::new(std::io::Cursor::new(data)), consumers);
    let resolved = resolve(vec![scan]);
    for p in &resolved.packages {
        assert_eq!(p.introduced, Some(0));
        assert!(p.removed.is_none());
    }
});
