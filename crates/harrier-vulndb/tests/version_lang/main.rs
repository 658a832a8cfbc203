//! The language-ecosystem version schemes against their reference implementations.
//!
//! Each scheme is asked about thousands of pairs, drawn from a seeded grammar of the scheme
//! (see [`generate`]) and from every version string the corpus's OSV records give for the
//! ecosystem, and must agree with the reference on validity, on the normal form where the
//! reference has one, and on the order:
//!
//! | scheme | reference | how it runs |
//! |---|---|---|
//! | npm | node-semver 7 (`new SemVer`, `compare`) | `node oracles/npm.js`, `NODE_PATH` = `npm root -g` |
//! | Cargo | the `semver` crate (`Version::parse`, `cmp_precedence`) | in process |
//! | Go | `golang.org/x/mod/semver` | `go build oracles/go_semver.go` in GOPATH mode |
//! | PEP 440 | `packaging.version.Version` | `python3 oracles/pep440.py` |
//! | Maven | Maven 3.8 `ComparableVersion` | `java -cp maven-artifact-3.x.jar …ComparableVersion a b …` |
//! | RubyGems | `Gem::Version` | `ruby oracles/rubygems.rb` |
//! | Composer | composer/semver `VersionParser::normalize`, `Comparator` | `php oracles/composer.php` |
//!
//! NuGet has no reference that runs here (no .NET); its upstream vectors are unit tests and
//! here its corpus versions must parse. A missing reference skips its test (and fails it
//! under `HARRIER_REQUIRE_ALL=1`). Every scheme's order is also checked for reflexivity,
//! antisymmetry and transitivity on generated triples.

// Test support code: a failed expectation is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod generate;
mod support;

use std::cmp::Ordering;
use std::path::{Path, PathBuf};
use std::process::Command;

use harrier_core::testing::skip;
use harrier_vulndb::version::semver::{self, Flavor};
use harrier_vulndb::version::{composer, maven, nuget, pep440, rubygems};

use support::{Answer, Oracle, Rng, assert_agree, corpus_versions, oracle_script, pairs};

/// How many strings each grammar contributes; `HARRIER_VERSION_COUNT` raises it for longer
/// runs, and `HARRIER_VERSION_SEED` shifts every seed to explore other strings.
fn generated() -> usize {
    std::env::var("HARRIER_VERSION_COUNT")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5000)
}

fn seed(base: u64) -> u64 {
    let shift: u64 = std::env::var("HARRIER_VERSION_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    base.wrapping_add(shift.wrapping_mul(1000))
}

/// Generated strings followed by the corpus's (when the corpus is present) and, for runs
/// that want them, the strings in the files under `HARRIER_VERSION_EXTRA` (split at byte
/// 0xFF, as the fuzz targets read their inputs: point it at a fuzz corpus).
fn pool(mut generated: Vec<String>, corpus: Option<Vec<String>>) -> Vec<String> {
    generated.extend(corpus.unwrap_or_default());
    if let Some(dir) = std::env::var_os("HARRIER_VERSION_EXTRA") {
        for entry in std::fs::read_dir(&dir).expect("HARRIER_VERSION_EXTRA is a directory") {
            let bytes =
                std::fs::read(entry.expect("directory entry").path()).expect("readable file");
            generated.extend(
                bytes
                    .split(|b| *b == 0xFF)
                    .map(|part| String::from_utf8_lossy(part).into_owned()),
            );
        }
    }
    generated
}

fn answer<V: Ord>(a: Option<V>, b: Option<V>, normal: impl Fn(&V) -> String) -> Answer {
    let order = match (&a, &b) {
        (Some(a), Some(b)) => Some(a.cmp(b)),
        _ => None,
    };
    Answer {
        a: a.as_ref().map(&normal),
        b: b.as_ref().map(&normal),
        order,
    }
}

/// node-semver prints numeric prerelease identifiers beyond 2^53 − 2 as written and ours
/// prints the value it compares; the normal forms of such versions are not compared.
fn has_long_number(text: &str) -> bool {
    let mut run = 0;
    text.chars().any(|c| {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        run >= 16
    })
}

/// node-semver stops comparing prereleases at the first pair of identifiers that differ as
/// text, returning their comparison, which is 0 when both are numbers that round to the same
/// double (`9007199254740992` and `9007199254740993`): then later identifiers are ignored.
/// That relation is not transitive, so ours compares on; such pairs expect node's answer.
fn node_stops_early(a: &str, b: &str) -> bool {
    let identifiers = |text: &str| -> (String, Vec<String>) {
        let text = text.trim();
        let text = text.strip_prefix('v').unwrap_or(text);
        let text = text.split('+').next().unwrap_or("");
        match text.split_once('-') {
            Some((core, pre)) => (core.to_owned(), pre.split('.').map(str::to_owned).collect()),
            None => (text.to_owned(), Vec::new()),
        }
    };
    let ((core_a, a), (core_b, b)) = (identifiers(a), identifiers(b));
    if core_a != core_b {
        return false;
    }
    let Some((x, y)) = a.iter().zip(&b).find(|(x, y)| x != y) else {
        return false;
    };
    let numeric = |t: &str| !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit());
    numeric(x) && numeric(y) && x.parse::<f64>().ok() == y.parse::<f64>().ok()
}

#[test]
fn npm_agrees_with_node_semver() {
    let global = Command::new("npm")
        .args(["root", "-g"])
        .output()
        .ok()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_default();
    let env = [("NODE_PATH", global)];
    let probe = ["-e", "require('semver/classes/semver')"];
    let Some(oracle) = Oracle::find(
        "node",
        &[&oracle_script("npm.js")],
        &env,
        &probe,
        "npm install -g semver@7",
    ) else {
        return;
    };
    let Some(corpus) = corpus_versions("npm") else {
        return;
    };
    let pool = pool(generate::semver(seed(1), generated()), Some(corpus));
    let pairs = pairs(&mut Rng::new(seed(11)), &pool);
    let mut theirs = oracle.ask(&pairs);
    for ((a, b), answer) in pairs.iter().zip(theirs.iter_mut()) {
        if has_long_number(a) || has_long_number(b) {
            answer.a = answer.a.take().map(|_| String::new());
            answer.b = answer.b.take().map(|_| String::new());
        }
    }
    assert_agree("npm", &pairs, &theirs, |a, b| {
        let parse = |t: &str| semver::Version::parse(Flavor::Npm, t).ok();
        let normal = |v: &semver::Version| v.to_string();
        let mut ours = answer(parse(a), parse(b), normal);
        if ours.order.is_some() && node_stops_early(a, b) {
            ours.order = Some(Ordering::Equal);
        }
        if has_long_number(a) || has_long_number(b) {
            ours.a = ours.a.map(|_| String::new());
            ours.b = ours.b.map(|_| String::new());
        }
        ours
    });
}

#[test]
fn cargo_agrees_with_the_semver_crate() {
    let Some(corpus) = corpus_versions("crates.io") else {
        return;
    };
    let pool = pool(generate::semver(seed(2), generated()), Some(corpus));
    let pairs = pairs(&mut Rng::new(seed(12)), &pool);
    let theirs: Vec<Answer> = pairs
        .iter()
        .map(|(a, b)| {
            let parse = |t: &str| ::semver::Version::parse(t).ok();
            let (a, b) = (parse(a), parse(b));
            let order = match (&a, &b) {
                (Some(a), Some(b)) => Some(a.cmp_precedence(b)),
                _ => None,
            };
            let normal = |v: &::semver::Version| match v.pre.as_str() {
                "" => format!("{}.{}.{}", v.major, v.minor, v.patch),
                pre => format!("{}.{}.{}-{pre}", v.major, v.minor, v.patch),
            };
            Answer {
                a: a.as_ref().map(normal),
                b: b.as_ref().map(normal),
                order,
            }
        })
        .collect();
    assert_agree("cargo", &pairs, &theirs, |a, b| {
        let parse = |t: &str| semver::Version::parse(Flavor::Cargo, t).ok();
        answer(parse(a), parse(b), |v| v.to_string())
    });
}

/// Builds the Go oracle against the `golang.org/x/mod` sources Debian installs
/// (`golang-golang-x-mod-dev`), in GOPATH mode so that nothing is downloaded.
fn go_oracle(dir: &Path) -> Option<Oracle> {
    let gopath = std::env::var("HARRIER_GOPATH").unwrap_or_else(|_| "/usr/share/gocode".to_owned());
    let source = Path::new(&gopath).join("src/golang.org/x/mod/semver/semver.go");
    if !source.is_file() {
        return skip(&format!(
            "{} is missing (apt-get install golang-go golang-golang-x-mod-dev)",
            source.display()
        ));
    }
    let binary = dir.join("go_semver");
    let built = Command::new("go")
        .args(["build", "-o"])
        .arg(&binary)
        .arg(oracle_script("go_semver.go"))
        .env("GO111MODULE", "off")
        .env("GOPATH", &gopath)
        .env("GOCACHE", dir.join("cache"))
        .env("GOFLAGS", "")
        .output();
    match built {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "building the Go oracle failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) => {
            return skip("go is not installed (apt-get install golang-go golang-golang-x-mod-dev)");
        }
    }
    Oracle::find(&binary.to_string_lossy(), &[], &[], &[], "")
}

#[test]
fn go_agrees_with_x_mod_semver() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let Some(oracle) = go_oracle(dir.path()) else {
        return;
    };
    let Some(corpus) = corpus_versions("Go") else {
        return;
    };
    let pool = pool(generate::semver(seed(3), generated()), Some(corpus));
    let pairs = pairs(&mut Rng::new(seed(13)), &pool);
    let theirs = oracle.ask(&pairs);
    assert_agree("go", &pairs, &theirs, |a, b| {
        let parse = |t: &str| semver::Version::parse(Flavor::Go, t).ok();
        answer(parse(a), parse(b), |v| format!("v{v}"))
    });
}

#[test]
fn pep440_agrees_with_packaging() {
    let probe = ["-c", "import packaging.version"];
    let Some(oracle) = Oracle::find(
        "python3",
        &[&oracle_script("pep440.py")],
        &[],
        &probe,
        "pip install packaging",
    ) else {
        return;
    };
    let Some(corpus) = corpus_versions("PyPI") else {
        return;
    };
    let pool = pool(generate::pep440(seed(4), generated()), Some(corpus));
    let pairs = pairs(&mut Rng::new(seed(14)), &pool);
    let theirs = oracle.ask(&pairs);
    assert_agree("pep440", &pairs, &theirs, |a, b| {
        let parse = |t: &str| pep440::Version::parse(t).ok();
        answer(parse(a), parse(b), |v| v.to_string())
    });
}

#[test]
fn rubygems_agrees_with_gem_version() {
    let probe = ["-e", "require 'json'; require 'rubygems'"];
    let Some(oracle) = Oracle::find(
        "ruby",
        &[&oracle_script("rubygems.rb")],
        &[],
        &probe,
        "apt-get install ruby",
    ) else {
        return;
    };
    let Some(corpus) = corpus_versions("RubyGems") else {
        return;
    };
    let pool = pool(generate::rubygems(seed(5), generated()), Some(corpus));
    let pairs = pairs(&mut Rng::new(seed(15)), &pool);
    let theirs = oracle.ask(&pairs);
    assert_agree("rubygems", &pairs, &theirs, |a, b| {
        let parse = |t: &str| rubygems::Version::parse(t).ok();
        let kind =
            |v: &rubygems::Version| if v.is_prerelease() { "pre" } else { "release" }.to_owned();
        answer(parse(a), parse(b), kind)
    });
}

#[test]
fn composer_agrees_with_composer_semver() {
    let autoload = std::env::var("COMPOSER_SEMVER_AUTOLOAD")
        .unwrap_or_else(|_| "/usr/share/php/Composer/Semver/autoload.php".to_owned());
    let probe = ["-r", &format!("require '{autoload}';")];
    let install = "apt-get install php-cli php-composer-semver";
    let Some(oracle) = Oracle::find(
        "php",
        &[&oracle_script("composer.php")],
        &[],
        &probe,
        install,
    ) else {
        return;
    };
    let Some(corpus) = corpus_versions("Packagist") else {
        return;
    };
    let pool = pool(generate::composer(seed(6), generated()), Some(corpus));
    let pairs = pairs(&mut Rng::new(seed(16)), &pool);
    let theirs = oracle.ask(&pairs);
    assert_agree("composer", &pairs, &theirs, |a, b| {
        let parse = |t: &str| composer::Version::parse(t).ok();
        let (a, b) = (parse(a), parse(b));
        let mut ours = answer(a.clone(), b.clone(), |v| v.normalized().to_owned());
        // Composer does not order two different named branches.
        if let (Some(a), Some(b)) = (&a, &b) {
            if a.is_branch() && b.is_branch() && a.normalized() != b.normalized() {
                ours.order = None;
            }
        }
        ours
    });
}

/// The Maven jar's `main` prints, for arguments `v1 v2 …`, each one's canonical form and the
/// comparison of each with the next; pairs are sent as consecutive arguments.
fn maven_answers(jar: &Path, pairs: &[(String, String)]) -> Vec<Answer> {
    let mut answers = Vec::with_capacity(pairs.len());
    for chunk in pairs.chunks(2000) {
        let args: Vec<&str> = chunk
            .iter()
            .flat_map(|(a, b)| [a.as_str(), b.as_str()])
            .collect();
        let output = Command::new("java")
            .arg("-cp")
            .arg(jar)
            .arg("org.apache.maven.artifact.versioning.ComparableVersion")
            .args(&args)
            .output()
            .expect("java runs");
        assert!(
            output.status.success(),
            "java: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        let mut lines = stdout.lines().skip(1);
        let mut canonical = Vec::with_capacity(args.len());
        let mut orders = Vec::with_capacity(args.len());
        for (i, arg) in args.iter().enumerate() {
            if i > 0 {
                let line = lines.next().expect("a comparison line");
                let previous = args[i - 1];
                let order = [
                    ("<", Ordering::Less),
                    ("==", Ordering::Equal),
                    (">", Ordering::Greater),
                ]
                .into_iter()
                .find(|(op, _)| line == format!("   {previous} {op} {arg}"))
                .map(|(_, order)| order);
                orders.push(order.unwrap_or_else(|| panic!("unexpected comparison line {line:?}")));
            }
            let line = lines.next().expect("a canonical line");
            let prefix = format!("{}. {arg} -> ", i + 1);
            let rest = line
                .strip_prefix(&prefix)
                .unwrap_or_else(|| panic!("unexpected line {line:?}"));
            let end = rest
                .rfind("; tokens: ")
                .expect("tokens follow the canonical form");
            canonical.push(rest[..end].to_owned());
        }
        for (k, _) in chunk.iter().enumerate() {
            answers.push(Answer {
                a: Some(canonical[2 * k].clone()),
                b: Some(canonical[2 * k + 1].clone()),
                order: Some(orders[2 * k]),
            });
        }
    }
    answers
}

fn maven_jar() -> Option<PathBuf> {
    let jar = std::env::var("HARRIER_MAVEN_ARTIFACT_JAR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("/usr/share/maven/lib/maven-artifact-3.x.jar"));
    let java = Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if jar.is_file() && java {
        Some(jar)
    } else {
        skip(&format!(
            "{} or java is missing (apt-get install maven)",
            jar.display()
        ))
    }
}

#[test]
fn maven_agrees_with_comparable_version() {
    let Some(jar) = maven_jar() else { return };
    let Some(corpus) = corpus_versions("Maven") else {
        return;
    };
    let mut pool = pool(generate::maven(seed(7), generated()), Some(corpus));
    // Arguments carry no NUL, and the jar's output is read line by line.
    pool.retain(|v| v.bytes().all(|b| (b' '..=b'~').contains(&b)));
    let pairs = pairs(&mut Rng::new(seed(17)), &pool);
    let theirs = maven_answers(&jar, &pairs);
    assert_agree("maven", &pairs, &theirs, |a, b| {
        let (a, b) = (maven::Version::parse(a).ok(), maven::Version::parse(b).ok());
        let order = match (&a, &b) {
            (Some(a), Some(b)) => Some(a.compare(b)),
            _ => None,
        };
        Answer {
            a: a.map(|v| v.to_string()),
            b: b.map(|v| v.to_string()),
            order,
        }
    });
}

/// Version strings in the corpus that their ecosystem's reference rejects too.
const KNOWN_INVALID: [(&str, &str); 1] = [
    // GHSA-r683-j2x4-v87g (node-fetch) has `introduced: "1.0"`; node-semver rejects it.
    ("npm", "1.0"),
];

/// Versions the OSV records of an ecosystem publish are valid in its scheme.
#[test]
fn corpus_versions_parse() {
    // PyPI is left out: its records list every release of a project, and about 7% of them
    // (`0.3m1`, `0.1-bulbasaur`) predate PEP 440, which packaging rejects too; the packaging
    // comparison above covers every one of them.
    type Parses = fn(&str) -> bool;
    let schemes: [(&str, Parses); 7] = [
        ("Go", |v| semver::Version::parse(Flavor::Go, v).is_ok()),
        ("crates.io", |v| {
            semver::Version::parse(Flavor::Cargo, v).is_ok()
        }),
        ("npm", |v| semver::Version::parse(Flavor::Npm, v).is_ok()),
        ("NuGet", |v| nuget::Version::parse(v).is_ok()),
        ("RubyGems", |v| rubygems::Version::parse(v).is_ok()),
        ("Maven", |v| maven::Version::parse(v).is_ok()),
        ("Packagist", |v| composer::Version::parse(v).is_ok()),
    ];
    for (ecosystem, parses) in schemes {
        let Some(versions) = corpus_versions(ecosystem) else {
            return;
        };
        let invalid: Vec<&String> = versions
            .iter()
            .filter(|v| !parses(v) && !KNOWN_INVALID.contains(&(ecosystem, v.as_str())))
            .collect();
        assert!(
            invalid.is_empty(),
            "{ecosystem}: {} of {} versions do not parse: {:?}",
            invalid.len(),
            versions.len(),
            invalid.iter().take(20).collect::<Vec<_>>()
        );
    }
}

/// Checks that `cmp` is reflexive, antisymmetric and transitive on random triples.
fn assert_total_order<V: Ord + std::fmt::Debug>(scheme: &str, versions: &[V], seed: u64) {
    assert!(
        versions.len() > 100,
        "{scheme}: only {} valid versions generated",
        versions.len()
    );
    let mut rng = Rng::new(seed);
    for _ in 0..30_000 {
        let a = &versions[rng.below(versions.len())];
        let b = &versions[rng.below(versions.len())];
        let c = &versions[rng.below(versions.len())];
        assert_eq!(
            a.cmp(a),
            Ordering::Equal,
            "{scheme}: {a:?} is not equal to itself"
        );
        assert_eq!(
            a.cmp(b),
            b.cmp(a).reverse(),
            "{scheme}: {a:?} and {b:?} are not antisymmetric"
        );
        let (ab, bc, ac) = (a.cmp(b), b.cmp(c), a.cmp(c));
        if ab != Ordering::Greater && bc != Ordering::Greater {
            let expected = if ab == Ordering::Equal && bc == Ordering::Equal {
                Ordering::Equal
            } else {
                Ordering::Less
            };
            assert_eq!(
                ac, expected,
                "{scheme}: {a:?} {ab:?} {b:?} {bc:?} {c:?}, transitivity broken"
            );
        }
    }
}

/// Maven's order has cycles (see `maven::Version::compare`), so only reflexivity and
/// antisymmetry hold.
fn assert_maven_reflexive_and_antisymmetric() {
    let versions: Vec<maven::Version> = generate::maven(seed(23), generated())
        .iter()
        .filter_map(|v| maven::Version::parse(v).ok())
        .collect();
    let mut rng = Rng::new(seed(33));
    for _ in 0..30_000 {
        let a = &versions[rng.below(versions.len())];
        let b = &versions[rng.below(versions.len())];
        assert_eq!(
            a.compare(a),
            Ordering::Equal,
            "maven: {a:?} is not equal to itself"
        );
        assert_eq!(
            a.compare(b),
            b.compare(a).reverse(),
            "maven: {a:?} and {b:?} are not antisymmetric"
        );
    }
}

#[test]
fn orders_are_total() {
    for flavor in [Flavor::Strict, Flavor::Npm, Flavor::Cargo, Flavor::Go] {
        let versions: Vec<semver::Version> = generate::semver(seed(21), generated())
            .iter()
            .filter_map(|v| semver::Version::parse(flavor, v).ok())
            .collect();
        assert_total_order(&format!("{flavor:?}"), &versions, seed(31));
    }
    let parsed = |pool: Vec<String>| {
        pool.iter()
            .filter_map(|v| pep440::Version::parse(v).ok())
            .collect::<Vec<_>>()
    };
    assert_total_order(
        "pep440",
        &parsed(generate::pep440(seed(22), generated())),
        seed(32),
    );
    assert_maven_reflexive_and_antisymmetric();
    let versions: Vec<rubygems::Version> = generate::rubygems(seed(24), generated())
        .iter()
        .filter_map(|v| rubygems::Version::parse(v).ok())
        .collect();
    assert_total_order("rubygems", &versions, seed(34));
    let versions: Vec<nuget::Version> = generate::nuget(seed(25), generated())
        .iter()
        .filter_map(|v| nuget::Version::parse(v).ok())
        .collect();
    assert_total_order("nuget", &versions, seed(35));
    let versions: Vec<composer::Version> = generate::composer(seed(26), generated())
        .iter()
        .filter_map(|v| composer::Version::parse(v).ok())
        .collect();
    assert_total_order("composer", &versions, seed(36));
}
