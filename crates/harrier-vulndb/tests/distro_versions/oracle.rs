//! The reference implementations: `dpkg --compare-versions`, and Python bindings of apt and
//! rpm run in one process per batch.

use std::cmp::Ordering;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use harrier_core::testing::skip;

/// The system Python, where Debian installs python3-apt and python3-rpm (a `python3` found
/// first on `PATH` may be another interpreter without them).
const PYTHON: &str = "/usr/bin/python3";

/// dpkg, if it runs here.
pub fn dpkg() -> Option<Dpkg> {
    match Command::new("dpkg").arg("--version").output() {
        Ok(out) if out.status.success() => Some(Dpkg),
        _ => skip("`dpkg` is not installed"),
    }
}

pub struct Dpkg;

/// What `dpkg --compare-versions` says about a relation.
enum Verdict {
    True,
    False,
    /// dpkg reported an error (exit status 2): a version it rejects.
    Rejected,
}

impl Dpkg {
    fn relation(&self, a: &str, op: &str, b: &str) -> Verdict {
        let out = Command::new("dpkg")
            .args(["--compare-versions", "--", a, op, b])
            .output()
            .unwrap_or_else(|e| panic!("running dpkg: {e}"));
        match out.status.code() {
            Some(0) => Verdict::True,
            Some(1) => Verdict::False,
            Some(2) => Verdict::Rejected,
            other => panic!(
                "dpkg --compare-versions -- {a:?} {op} {b:?}: status {other:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }

    /// dpkg's order of two versions it accepts (`None` if it rejects either).
    pub fn compare(&self, a: &str, b: &str) -> Option<Ordering> {
        match self.relation(a, "lt", b) {
            Verdict::True => Some(Ordering::Less),
            Verdict::Rejected => None,
            Verdict::False => match self.relation(a, "eq", b) {
                Verdict::True => Some(Ordering::Equal),
                Verdict::False => Some(Ordering::Greater),
                Verdict::Rejected => None,
            },
        }
    }

    /// Whether dpkg accepts a version (possibly with a warning). Not for `""` and
    /// `<unknown>`, which `--compare-versions` reads as "no version".
    pub fn accepts(&self, version: &str) -> bool {
        !matches!(self.relation(version, "eq", version), Verdict::Rejected)
    }
}

/// A Python program that reads tab-separated requests on stdin and answers one line each.
pub struct Python {
    program: &'static str,
}

impl Python {
    /// `program` after checking that `/usr/bin/python3` can `import module`.
    pub fn with(module: &str, package: &str, program: &'static str) -> Option<Python> {
        let imported = Command::new(PYTHON)
            .args(["-c", &format!("import {module}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if imported {
            Some(Python { program })
        } else {
            skip(&format!(
                "{PYTHON} cannot import `{module}` (Debian package `{package}`)"
            ))
        }
    }

    /// Runs the program on `requests` (one line each, fields joined by tabs) and returns its
    /// answers in order.
    pub fn answer(&self, requests: Vec<String>) -> Vec<String> {
        let mut child = Command::new(PYTHON)
            .args(["-c", self.program])
            .env("PYTHONIOENCODING", "utf-8")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("running {PYTHON}: {e}"));
        let Some(mut stdin) = child.stdin.take() else {
            panic!("{PYTHON}'s stdin is not piped");
        };
        let count = requests.len();
        // Written from another thread so that neither side blocks on a full pipe.
        let writer = std::thread::spawn(move || {
            for request in requests {
                assert!(!request.contains('\n'));
                writeln!(stdin, "{request}").unwrap_or_else(|e| panic!("writing to {PYTHON}: {e}"));
            }
        });
        let Some(stdout) = child.stdout.take() else {
            panic!("{PYTHON}'s stdout is not piped");
        };
        let answers: Vec<String> = BufReader::new(stdout)
            .lines()
            .map(|line| line.unwrap_or_else(|e| panic!("reading from {PYTHON}: {e}")))
            .collect();
        let written = writer.join();
        assert!(written.is_ok(), "writing to {PYTHON} failed");
        let status = child.wait();
        assert!(status.is_ok_and(|s| s.success()), "{PYTHON} failed");
        assert_eq!(answers.len(), count, "one answer per request");
        answers
    }
}

/// `a\tb` → the sign of `apt_pkg.version_compare(a, b)`.
pub const APT: &str = r#"
import sys, apt_pkg
apt_pkg.init_system()
for line in sys.stdin:
    a, b = line.rstrip("\n").split("\t")
    r = apt_pkg.version_compare(a, b)
    print((r > 0) - (r < 0))
"#;

/// `vercmp\ta\tb` → `rpmvercmp(a, b)` (through `labelCompare` with equal epochs and no
/// releases); `evr\ta\tb` → the order of `rpm.ver(a)` and `rpm.ver(b)`.
pub const RPM: &str = r#"
import sys, rpm
for line in sys.stdin:
    mode, a, b = line.rstrip("\n").split("\t")
    if mode == "vercmp":
        r = rpm.labelCompare(("0", a, None), ("0", b, None))
    else:
        x, y = rpm.ver(a), rpm.ver(b)
        r = (x > y) - (x < y)
    print((r > 0) - (r < 0))
"#;

/// `-1`/`0`/`1` as an order.
pub fn sign(answer: &str) -> Ordering {
    match answer.trim() {
        "-1" => Ordering::Less,
        "0" => Ordering::Equal,
        "1" => Ordering::Greater,
        other => panic!("not a comparison result: {other:?}"),
    }
}
