//! Any bytes under any feed or archive name through the import dispatcher (format detection,
//! zip, tar, gzip, zstd, nesting): records and errors, never a panic, and never more memory
//! than the bound allows.
#![no_main]

use harrier_vulndb::ingest::{ImportBatch, ImportOptions, import_bytes};
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 12] = [
    "all.zip",
    "feeds.tar",
    "feeds.tar.gz",
    "feeds.tar.zst",
    "scores.csv.gz",
    "GO-2020-0001.json",
    "PYSEC-2021-76.yaml",
    "list",
    "RUSTSEC-2020-0105.md",
    "epss.csv",
    "main.json",
    "json",
];

fuzz_target!(|data: &[u8]| {
    let Some((selector, bytes)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(*selector) % NAMES.len()];
    let options = ImportOptions {
        max_file_bytes: 1 << 20,
    };
    let mut batch = ImportBatch::default();
    import_bytes(name, bytes, &options, &mut batch);
});
