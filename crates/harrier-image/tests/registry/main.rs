//! The registry image source against a real registry (`real`, needing Debian's
//! `docker-registry`, `skopeo`, `apache2-utils` and `openssl`) and a scripted one (`mock`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test support code may panic: a panic is a failed test

mod images;
mod mock;
mod real;
mod services;
