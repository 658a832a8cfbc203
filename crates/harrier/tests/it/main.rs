//! Integration tests of the `harrier` binary: one test target, modules per command (as
//! ripgrep's tests/tests.rs). Each test runs the real binary in a temporary directory with a
//! clean environment.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test support code may panic: a panic is a failed test

mod baseline;
mod checks;
mod compliance;
mod db;
mod deploy;
mod docs;
mod network;
mod paths;
mod profiles;
mod rbac;
mod rbac_risks;
mod regression;
mod response;
mod runtime;
mod scan_all;
mod scan_cluster;
mod scan_image;
mod scan_manifests;
mod scan_node;
#[cfg(feature = "sensor")]
mod sensor;
#[cfg(feature = "sensor")]
mod top;
mod util;
mod watch;
