//! `harrier checks list|show`.

use crate::util::Dir;

#[test]
fn list_as_json_has_every_field() {
    let run = Dir::new().run(&["checks", "list", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let checks = run.json();
    let checks = checks.as_array().expect("array");
    assert!(!checks.is_empty());
    for c in checks {
        for field in [
            "id",
            "slug",
            "title",
            "severity",
            "status",
            "inputs",
            "description",
            "remediation",
            "references",
        ] {
            assert!(!c[field].is_null(), "{field} missing in {c}");
        }
    }
}

#[test]
fn show_finds_checks_by_id_slug_and_case() {
    let dir = Dir::new();
    for name in ["HRR-POD-001", "hrr-pod-001", "image-tag-latest"] {
        let run = dir.run(&["checks", "show", name]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        assert!(
            run.stdout.contains("| Id | `HRR-POD-001` |"),
            "{}",
            run.stdout
        );
        assert!(run.stdout.contains("## Why it matters"));
    }
    let run = dir.run(&["checks", "show", "no-such-check"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown check `no-such-check`"),
        "{}",
        run.stderr
    );
}
