//! Any bytes as a Java archive (zip, nested archives, manifest, `pom.properties`, `pom.xml`)
//! and as each of those three metadata files alone: errors or packages, never a panic. The
//! first byte picks the archive's file name (`.jar`, `.war`, `.hpi`, a versioned name), which
//! steers how the archive's own package is named.
#![no_main]

use harrier_image::catalog::lang::java::{
    ArchiveFileName, JAVA_ARCHIVE, Manifest, PomProperties, PomXml,
};
use harrier_image::catalog::{Cataloger, FileMeta};
use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "app/lib/a.jar",
    "srv/app.war",
    "var/jenkins/plugins/gradle.hpi",
    "opt/lib/log4j-core-2.14.1.jar",
    "opt/com.example.thing-1.0.ear",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let path = NAMES[usize::from(pick) % NAMES.len()];
    let meta = FileMeta {
        path,
        size: rest.len() as u64,
        mode: 0o644,
    };
    if let Ok(found) = JAVA_ARCHIVE.catalog(&meta, rest) {
        for p in &found.packages {
            assert!(p.location.path.starts_with(path));
        }
    }
    let _ = Manifest::parse(rest);
    let _ = PomProperties::parse(rest, "pom.properties");
    let _ = PomXml::parse(rest);
    if let Ok(text) = std::str::from_utf8(rest) {
        let _ = ArchiveFileName::parse(text);
    }
});
