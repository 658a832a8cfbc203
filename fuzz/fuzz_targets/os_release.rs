//! Any bytes as the release files of an image: the first byte picks which files the rest is
//! (one bit per file of `etc/os-release`, `usr/lib/os-release`, `etc/alpine-release`,
//! `etc/debian_version`, `etc/redhat-release`, `etc/centos-release`, `etc/lsb-release`), then
//! OS detection and the OSV ecosystem of what it found. Never a panic.
#![no_main]

use harrier_image::catalog::os::{detect, is_os_release_file, vuln_ecosystem};
use libfuzzer_sys::fuzz_target;

const FILES: [&str; 7] = [
    "etc/os-release",
    "usr/lib/os-release",
    "etc/alpine-release",
    "etc/debian_version",
    "etc/redhat-release",
    "etc/centos-release",
    "etc/lsb-release",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, content)) = data.split_first() else {
        return;
    };
    let files: Vec<(&str, &[u8])> = FILES
        .iter()
        .enumerate()
        .filter(|(i, _)| selector & (1 << i) != 0)
        .map(|(_, path)| {
            assert!(is_os_release_file(path));
            (*path, content)
        })
        .collect();
    if let Some(distro) = detect(&files) {
        assert!(!distro.id.is_empty());
        let _ = vuln_ecosystem(&distro);
    }
});
