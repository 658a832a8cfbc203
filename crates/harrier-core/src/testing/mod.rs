//! Support for tests that need data or services from outside the repository.
//!
//! The shared corpus of real public data lives next to the repository (`../shared/corpus`), or
//! wherever `HARRIER_CORPUS` points. When something a test needs is absent the test prints
//! `skipped: <reason>` and passes, unless `HARRIER_REQUIRE_ALL=1` (set by `.ci/run`), in which
//! case it fails: CI must never pass by skipping.

pub mod http_server;
mod rng;

pub use rng::Rng;

use std::path::{Path, PathBuf};

/// Environment variable naming the corpus directory.
pub const CORPUS_ENV: &str = "HARRIER_CORPUS";
/// Environment variable that turns skips into failures.
pub const REQUIRE_ALL_ENV: &str = "HARRIER_REQUIRE_ALL";

/// The corpus root, if it can be found: `$HARRIER_CORPUS`, else the first `shared/corpus` found
/// beside an ancestor of the calling crate's directory.
pub fn corpus_root(manifest_dir: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(CORPUS_ENV) {
        let dir = PathBuf::from(dir);
        return dir.is_dir().then_some(dir);
    }
    Path::new(manifest_dir)
        .ancestors()
        .map(|a| a.join("shared").join("corpus"))
        .find(|p| p.is_dir())
}

/// A path inside the corpus, or `None` after reporting the skip (or panicking when all tests are
/// required to run). Call as `corpus_path(env!("CARGO_MANIFEST_DIR"), "manifests/insecure")`.
pub fn corpus_path(manifest_dir: &str, relative: &str) -> Option<PathBuf> {
    match corpus_root(manifest_dir).map(|root| root.join(relative)) {
        Some(path) if path.exists() => Some(path),
        Some(path) => skip(&format!("corpus path {} does not exist", path.display())),
        None => skip(&format!(
            "the shared corpus was not found (set {CORPUS_ENV} or place it at ../shared/corpus)"
        )),
    }
}

/// Reports a skipped test; fails instead when `HARRIER_REQUIRE_ALL=1`.
#[allow(clippy::print_stderr)]
pub fn skip<T>(reason: &str) -> Option<T> {
    assert!(
        std::env::var(REQUIRE_ALL_ENV).as_deref() != Ok("1"),
        "{REQUIRE_ALL_ENV}=1 but a test would be skipped: {reason}"
    );
    eprintln!("skipped: {reason}");
    None
}

/// Whether `program` is on the `PATH`.
pub fn have(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// Whether the test runs as root (real uid 0).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .is_some_and(|v| v.split_whitespace().next() == Some("0"))
    })
}

/// What real-container tests run podman with: the root filesystem of the test image that
/// scripts/build-test-images.sh builds (under `HARRIER_TEST_IMAGES`, by default
/// /var/tmp/harrier-test-images) and a containers.conf written into `dir` that selects runc.
/// `None` after reporting a skip when root, podman, runc or the image is missing.
pub fn podman_rootfs(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    if !is_root() {
        return skip("podman containers need root");
    }
    if !have("podman") || !have("runc") {
        return skip("podman and runc are needed (apt-get install podman runc)");
    }
    let images = std::env::var_os("HARRIER_TEST_IMAGES").map_or_else(
        || PathBuf::from("/var/tmp/harrier-test-images"),
        PathBuf::from,
    );
    let rootfs = images.join("rootfs");
    if !rootfs.join("bin/bash").exists() {
        return skip(&format!(
            "no test image root filesystem at {} (run scripts/build-test-images.sh)",
            rootfs.display()
        ));
    }
    let conf = dir.join("containers.conf");
    let text = "[containers]\ndefault_ulimits = [\"nofile=20000:20000\", \"nproc=4096:4096\"]\n\n[engine]\nruntime = \"runc\"\n";
    if let Err(e) = std::fs::write(&conf, text) {
        return skip(&format!("cannot write {}: {e}", conf.display()));
    }
    Some((rootfs, conf))
}
