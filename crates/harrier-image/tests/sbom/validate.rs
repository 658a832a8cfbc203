//! The documents against the formats' own validators and published schemas.

use std::path::{Path, PathBuf};

use harrier_core::testing::corpus_path;
use harrier_image::sbom::{cyclonedx, spdx};

use crate::python::{python, run};
use crate::support;

const CYCLONEDX: &str = "cyclonedx.validation.json, jsonschema, referencing";
const CYCLONEDX_INSTALL: &str = "pip install 'cyclonedx-python-lib[json-validation]'";
const SPDX: &str = "spdx_tools.spdx.validation.document_validator, jsonschema";
const SPDX_INSTALL: &str = "pip install spdx-tools";

fn schemas() -> Option<PathBuf> {
    corpus_path(env!("CARGO_MANIFEST_DIR"), "schemas")
}

fn validate_cyclonedx(python: &str, path: &Path, schemas: Option<&Path>) {
    let mut args = vec![path];
    args.extend(schemas);
    assert_eq!(run(python, "validate_cyclonedx.py", &args).trim(), "valid");
}

#[test]
fn cyclonedx_output_is_valid() {
    let Some(python) = python(CYCLONEDX, CYCLONEDX_INSTALL) else {
        return;
    };
    let schemas = schemas();
    let dir = tempfile::tempdir().unwrap();
    for (name, fixture) in support::all() {
        let path = dir.path().join(format!("{name}.cdx.json"));
        let file = std::fs::File::create(&path).unwrap();
        cyclonedx::write(&fixture.document(), file).unwrap();
        validate_cyclonedx(python, &path, schemas.as_deref());
    }
}

/// The hand-written syft-shaped fixture is itself valid CycloneDX 1.6, so the reader tests
/// read the real format.
#[test]
fn syft_fixture_is_valid() {
    let Some(python) = python(CYCLONEDX, CYCLONEDX_INSTALL) else {
        return;
    };
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sbom/syft-debian.cdx.json");
    validate_cyclonedx(python, &path, schemas().as_deref());
}

#[test]
fn spdx_output_is_valid() {
    let Some(python) = python(SPDX, SPDX_INSTALL) else {
        return;
    };
    let schema = schemas().map(|s| s.join("spdx-2.3.schema.json"));
    let dir = tempfile::tempdir().unwrap();
    for (name, fixture) in support::all() {
        // spdx-tools picks its parser by the file name's extension.
        let path = dir.path().join(format!("{name}.spdx.json"));
        let file = std::fs::File::create(&path).unwrap();
        spdx::write(&fixture.document(), file).unwrap();
        let mut args = vec![path.as_path()];
        args.extend(schema.as_deref());
        assert_eq!(
            run(python, "validate_spdx.py", &args).trim(),
            "valid",
            "{name}"
        );
    }
}
