//! SBOM output and input: CycloneDX 1.6 and SPDX 2.3 documents written for fixed images are
//! checked for structure (and snapshotted), validated by the formats' own tools
//! (cyclonedx-python-lib's strict validator and spdx-tools, plus the published JSON schemas
//! from the shared corpus), read back to the same packages, and SBOMs in the shapes syft and
//! Trivy write, and one from the shared corpus, are read. Purls are compared with the purl-spec reference implementation
//! (packageurl-python).
//!
//! Needs (else skipped, which fails under `HARRIER_REQUIRE_ALL=1`): `python3` with
//! `pip install 'cyclonedx-python-lib[json-validation]' spdx-tools packageurl-python`, and the
//! shared corpus's `schemas/`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is a failed test

mod corpus;
mod foreign;
mod purl_oracle;
mod python;
mod round_trip;
mod structure;
mod support;
mod validate;
