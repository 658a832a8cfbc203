//! Any bytes as a database file: opening, reading every record, looking packages up and
//! matching must give errors, never panics (a database is a file on disk, and a bundle comes
//! from another machine).
#![no_main]

use harrier_vulndb::{Database, Ecosystem, Query, lookup};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(db) = Database::from_bytes(data.to_vec()) else { return };
    let _ = db.verify();
    for i in 0..db.advisory_count().min(64) {
        let _ = db.stored_advisory(i);
    }
    if let Ok(keys) = db.package_keys() {
        for (eco, release, name) in keys.iter().take(16) {
            let eco = if release.is_empty() { eco.clone() } else { format!("{eco}:{release}") };
            let query = Query {
                ecosystem: Ecosystem::parse_osv(&eco),
                package: name,
                version: "1.0.0",
                source_package: None,
            };
            let _ = lookup(&db, &query);
        }
    }
    let _ = db.enrichments();
});
