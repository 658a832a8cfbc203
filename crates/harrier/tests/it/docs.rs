//! The generated reference documentation in docs/ is in step with the code.

use crate::util::{Dir, repo_root};

#[test]
fn generated_docs_are_not_stale() {
    let dir = Dir::new();
    let out = dir.path().join("docs");
    let run = dir.run(&["generate-docs", out.to_str().expect("utf-8 path")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let committed = repo_root().join("docs");
    let mut stale = Vec::new();
    for entry in walk(&out) {
        let relative = entry.strip_prefix(&out).expect("under out");
        let fresh = std::fs::read_to_string(&entry).expect("generated file");
        let old = std::fs::read_to_string(committed.join(relative)).unwrap_or_default();
        if fresh != old {
            stale.push(relative.display().to_string());
        }
    }
    for entry in walk(&committed.join("checks")) {
        let relative = entry.strip_prefix(&committed).expect("under docs");
        if !out.join(relative).exists() {
            stale.push(format!("{} (no such check any more)", relative.display()));
        }
    }
    assert!(
        stale.is_empty(),
        "docs/ is stale; run `cargo run -- generate-docs docs`:\n{}",
        stale.join("\n")
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}
