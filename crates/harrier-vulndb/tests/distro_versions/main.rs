//! The distro version schemes (dpkg, rpm, apk) against their reference implementations.
//!
//! Each scheme is checked three ways:
//!
//! - against the reference implementation where it runs here, on thousands of pairs: real
//!   versions from the shared corpus (the Debian security tracker lists, Debian and Ubuntu
//!   OSV records, Alpine secdb, dpkg and apk package databases) and versions generated from a
//!   grammar of realistic versions by a seeded generator, plus small edits of both, so that
//!   pairs often differ only late. dpkg: `dpkg --compare-versions` itself for a sample (each
//!   call is a process) and python3-apt's `apt_pkg.version_compare`, which implements the same
//!   algorithm, in one process for the rest. rpm: python3-rpm's `labelCompare` (`rpmvercmp`) and
//!   `rpm.ver` (EVR). apk: apk-tools is not packaged for Debian, so the apk scheme rests on
//!   apk-tools' own vectors (in the unit tests) and the properties below;
//! - as an order: every version equals itself, `a < b` exactly when `b > a`, and sorting yields
//!   a sequence where no earlier version is greater than a later one (transitivity), on the same
//!   versions;
//! - validity: dpkg's accept/reject against dpkg's, apk's against the grammar written
//!   independently as a matcher here.
//!
//! Needs (else skipped, which fails under `HARRIER_REQUIRE_ALL=1`): the shared corpus, `dpkg`,
//! and `/usr/bin/python3` with the Debian packages `python3-apt` and `python3-rpm`.

mod apk;
mod corpus;
mod dpkg;
mod generate;
mod oracle;
mod order;
mod rpm;
