//! Running the Python reference tools.

use std::path::Path;
use std::process::Command;

use harrier_core::testing::skip;

/// `python3`, when it can import `modules`; else the skip is reported.
pub fn python(modules: &str, install: &str) -> Option<&'static str> {
    let probe = Command::new("python3")
        .args(["-c", &format!("import {modules}")])
        .output();
    match probe {
        Ok(out) if out.status.success() => Some("python3"),
        Ok(out) => skip(&format!(
            "python3 cannot import {modules} ({}): {install}",
            String::from_utf8_lossy(&out.stderr)
                .trim()
                .lines()
                .last()
                .unwrap_or("")
        )),
        Err(e) => skip(&format!("python3 not found ({e}): {install}")),
    }
}

/// Runs `script` (beside this file) with `args`; its stdout, or a panic with what it said.
pub fn run(python: &str, script: &str, args: &[&Path]) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sbom")
        .join(script);
    let out = Command::new(python)
        .arg(path)
        .args(args)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{script} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}
