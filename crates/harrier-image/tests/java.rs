//! The Java archive cataloger against syft's fixtures in the shared corpus (the unpacked
//! `jar-metadata` archives, zipped here as syft's Makefile zips them; the manifest and
//! `pom.properties` files), with syft's expectations from its Go tests encoded below; nested
//! archives built here; and the jars Debian installs, whose Maven coordinates Debian records in
//! the layout of `/usr/share/maven-repo`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test support code may panic: a panic is a failed test

use std::io::Write;
use std::path::{Path, PathBuf};

use harrier_core::testing::{corpus_path, skip};
use harrier_image::catalog::lang::java::{JAVA_ARCHIVE, Manifest, PomProperties};
use harrier_image::catalog::{Cataloger, FileMeta, Found};
use harrier_image::{Package, PackageKind};

const FIXTURES: &str = "sbom/syft-cataloger-fixtures/java/testdata";

fn fixtures() -> Option<PathBuf> {
    corpus_path(env!("CARGO_MANIFEST_DIR"), FIXTURES)
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// `zip -r` of a directory, as syft's `jar-metadata/Makefile` builds its fixtures.
fn zip_dir(dir: &Path) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for file in files(dir) {
        let name = file.to_string_lossy().replace('\\', "/");
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&std::fs::read(dir.join(&file)).unwrap())
            .unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A zip of `(name, content, stored)` entries.
fn zip_of(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content, stored) in entries {
        let method = if *stored {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        zip.start_file(
            *name,
            zip::write::SimpleFileOptions::default().compression_method(method),
        )
        .unwrap();
        zip.write_all(content).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn catalog(path: &str, data: &[u8]) -> Found {
    let meta = FileMeta {
        path,
        size: data.len() as u64,
        mode: 0o644,
    };
    assert!(
        matches!(
            JAVA_ARCHIVE.wants(&meta),
            harrier_image::Want::Content { .. }
        ),
        "{path}"
    );
    JAVA_ARCHIVE
        .catalog(&meta, data)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// `(name, version, licenses)` of each package.
fn summary(packages: &[Package]) -> Vec<(String, String, Vec<String>)> {
    packages
        .iter()
        .map(|p| {
            assert_eq!(p.kind, PackageKind::Java);
            (p.name.clone(), p.version.clone(), p.licenses.clone())
        })
        .collect()
}

fn owned(rows: &[(&str, &str, &[&str])]) -> Vec<(String, String, Vec<String>)> {
    rows.iter()
        .map(|(n, v, l)| {
            (
                (*n).to_owned(),
                (*v).to_owned(),
                l.iter().map(|s| (*s).to_owned()).collect(),
            )
        })
        .collect()
}

/// syft's `Test_parseJavaArchive_regressions` and `Test_deterministicMatchingPomProperties`
/// (archive_parser_test.go), as `group:artifact` names; plus the fixtures syft's tests do not
/// name, with what Harrier reports for them (notes say where that differs from syft).
#[test]
fn syft_jar_metadata_fixtures() {
    let Some(root) = fixtures() else { return };
    let jar_metadata = root.join("jar-metadata");
    type Row<'a> = (&'a str, &'a str, &'a [&'a str]);
    const APACHE: &[&str] = &["https://www.apache.org/licenses/LICENSE-2.0.txt"];
    let cases: Vec<(&str, &str, Vec<Row<'_>>)> = vec![
        // "duplicate jar regression - go case (issue #2130)"
        (
            "jackson-core-2.15.2",
            "jackson-core-2.15.2.jar",
            vec![("com.fasterxml.jackson.core:jackson-core", "2.15.2", APACHE)],
        ),
        // "duplicate jar regression - bad case (issue #2130)"
        (
            "com.fasterxml.jackson.core.jackson-core-2.15.2",
            "com.fasterxml.jackson.core.jackson-core-2.15.2.jar",
            vec![("com.fasterxml.jackson.core:jackson-core", "2.15.2", APACHE)],
        ),
        // "multiple pom for parent selection regression (pr 2231)"
        (
            "api-all-2.0.0-sources",
            "api-all-2.0.0-sources.jar",
            vec![
                ("org.apache.directory.api:api-all", "2.0.0", &[]),
                ("org.apache.directory.api:api-asn1-api", "2.0.0", &[]),
            ],
        ),
        // "exclude instrumentation jars with Weave-Classes in manifest"
        (
            "spring-instrumentation-4.3.0-1.0",
            "spring-instrumentation-4.3.0-1.0.jar",
            vec![],
        ),
        // "Jenkins plugins assigned jenkins-plugin package type"
        (
            "jenkins-plugins/gradle/2.11",
            "gradle.hpi",
            vec![("org.jenkins-ci.plugins:gradle", "2.11", &[])],
        ),
        // Test_deterministicMatchingPomProperties: the archive is multiple-matching-1; syft
        // reports the other two pom.properties as packages of their own.
        (
            "multiple-matching-2.11.5",
            "multiple-matching-2.11.5.jar",
            vec![
                ("org.multiple:multiple-matching-1", "2.11.5", &[]),
                ("org.multiple:multiple-matching-2", "2.11.5", &[]),
                ("org.multiple:multiple-matching-3", "2.11.5", &[]),
            ],
        ),
        // Not in syft's tests: one pom.properties.
        (
            "opensaml-core-3.4.6",
            "opensaml-core-3.4.6.jar",
            vec![("org.opensaml:opensaml-core", "3.4.6", &[])],
        ),
        // Not in syft's tests. Two artifacts `thename` of two groups: syft folds the second
        // into the first (same artifact id); they are different artifacts, so both are here.
        (
            "org.multiple-thename",
            "org.multiple-thename.jar",
            vec![
                ("com.multiple:thename", "10.11.12", &[]),
                ("org.multiple:thename", "10.11.12", &[]),
            ],
        ),
        // Not in syft's tests. Gradle-built: a pom.xml and no pom.properties. syft guesses the
        // group from Automatic-Module-Name (`io.micronaut.micronaut_aop`); the pom says
        // `io.micronaut`.
        (
            "micronaut-aop-4.9.11",
            "micronaut-aop-4.9.11.jar",
            vec![("io.micronaut:micronaut-aop", "4.9.11", &[])],
        ),
        // Not in syft's tests. A pom.xml whose version is an unresolved property: the version
        // comes from the file name, the group and license from the pom.
        (
            "commons-lang3-3.12.0",
            "commons-lang3-3.12.0.jar",
            vec![(
                "org.apache.commons:commons-lang3",
                "3.12.0",
                &["Eclipse Public License v2.0"],
            )],
        ),
    ];
    let mut seen = Vec::new();
    for (dir, file, want) in cases {
        let data = zip_dir(&jar_metadata.join(dir));
        let path = format!("opt/app/{file}");
        let found = catalog(&path, &data);
        assert!(found.errors.is_empty(), "{file}: {:?}", found.errors);
        assert_eq!(summary(&found.packages), owned(&want), "{file}");
        for p in &found.packages {
            assert_eq!(p.location.path, path);
        }
        seen.push(dir.split('/').next().unwrap().to_owned());
        if file == "gradle.hpi" {
            assert_eq!(
                found.packages[0]
                    .metadata
                    .get("java.type")
                    .map(String::as_str),
                Some("jenkins-plugin")
            );
        }
        if file == "api-all-2.0.0-sources.jar" {
            // The second package is inside the first.
            assert_eq!(
                found.packages[1]
                    .metadata
                    .get("java.parent")
                    .map(String::as_str),
                Some("org.apache.directory.api:api-all")
            );
        }
    }
    // Every fixture archive is covered.
    let mut dirs: Vec<String> = std::fs::read_dir(&jar_metadata)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    seen.sort();
    assert_eq!(dirs, seen);
}

/// syft's `TestParseJavaManifest` (parse_java_manifest_test.go).
#[test]
fn syft_manifest_fixtures() {
    let Some(root) = fixtures() else { return };
    type Sections<'a> = Vec<Vec<(&'a str, &'a str)>>;
    let cases: Vec<(&str, Sections<'_>)> = vec![
        ("small", vec![vec![("Manifest-Version", "1.0")]]),
        (
            "standard-info",
            vec![vec![
                ("Manifest-Version", "1.0"),
                ("Name", "the-best-name"),
                ("Specification-Title", "the-spec-title"),
                ("Specification-Vendor", "the-spec-vendor"),
                ("Specification-Version", "the-spec-version"),
                ("Implementation-Title", "the-impl-title"),
                ("Implementation-Vendor", "the-impl-vendor"),
                ("Implementation-Version", "the-impl-version"),
            ]],
        ),
        (
            "extra-info",
            vec![
                vec![
                    ("Manifest-Version", "1.0"),
                    ("Archiver-Version", "Plexus Archiver"),
                    ("Created-By", "Apache Maven 3.6.3"),
                ],
                vec![("Name", "thing-1"), ("Built-By", "?")],
                vec![("Build-Jdk", "14.0.1"), ("Main-Class", "hello.HelloWorld")],
            ],
        ),
        (
            "extra-empty-lines",
            vec![
                vec![
                    ("Manifest-Version", "1.0"),
                    ("Archiver-Version", "Plexus Archiver"),
                    ("Created-By", "Apache Maven 3.6.3"),
                ],
                vec![("Name", "thing-1"), ("Built-By", "?")],
                vec![("Name", "thing-2"), ("Built-By", "someone!")],
                vec![("Other", "things")],
                vec![("Last", "item")],
            ],
        ),
        (
            "continuation",
            vec![vec![
                ("Manifest-Version", "1.0"),
                (
                    "Plugin-ScmUrl",
                    "https://github.com/jenkinsci/plugin-pom/example-jenkins-plugin",
                ),
            ]],
        ),
        // "we should always keep the full version"
        (
            "version-with-date",
            vec![vec![
                ("Manifest-Version", "1.0"),
                ("Implementation-Version", "1.3 2244 October 5 2005"),
            ]],
        ),
        // syft expects `initialconfig:com$    # aka not empty line`: it trims continuation
        // lines; the JAR specification removes exactly one leading space.
        (
            "leading-space",
            vec![vec![
                (
                    "Key-keykeykey",
                    "initialconfig:com   $    # aka not empty line",
                ),
                ("should", "parse"),
            ]],
        ),
    ];
    for (file, want) in cases {
        let got = Manifest::parse(&std::fs::read(root.join("manifest").join(file)).unwrap());
        let want: Vec<Vec<(String, String)>> = want
            .into_iter()
            .map(|s| {
                s.into_iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect()
            })
            .collect();
        assert_eq!(got.sections, want, "{file}");
    }
}

/// syft's `TestParseJavaPomProperties` (parse_pom_properties_test.go).
#[test]
fn syft_pom_properties_fixtures() {
    let Some(root) = fixtures() else { return };
    let cases = [
        (
            "small.pom.properties",
            "org.anchore",
            "example-java-app-maven",
            "0.1.0",
            "",
        ),
        (
            "extra.pom.properties",
            "org.anchore",
            "example-java-app-maven",
            "0.1.0",
            "something-here",
        ),
        (
            "colon-delimited.pom.properties",
            "org.anchore",
            "example-java-app-maven",
            "0.1.0",
            "",
        ),
        (
            "equals-delimited-with-colons.pom.properties",
            "org.anchore",
            "example-java:app-maven",
            "0.1.0:something",
            "",
        ),
        (
            "colon-delimited-with-equals.pom.properties",
            "org.anchore",
            "example-java=app-maven",
            "0.1.0=something",
            "",
        ),
    ];
    for (file, group, artifact, version, name) in cases {
        let got = PomProperties::parse(&std::fs::read(root.join("pom").join(file)).unwrap(), file);
        assert_eq!(
            (
                got.group.as_str(),
                got.artifact.as_str(),
                got.version.as_str(),
                got.name.as_str()
            ),
            (group, artifact, version, name),
            "{file}"
        );
    }
}

fn pom(group: &str, artifact: &str, version: &str) -> Vec<u8> {
    format!("#Created by Apache Maven\nversion={version}\ngroupId={group}\nartifactId={artifact}\n")
        .into_bytes()
}

#[test]
fn nested_archives() {
    // A Spring Boot fat jar (nested jars stored, as Spring Boot requires) inside a war's
    // WEB-INF/lib (deflated), with a shaded jar holding two pom.properties.
    let shaded = zip_of(&[
        (
            "META-INF/MANIFEST.MF",
            b"Manifest-Version: 1.0\r\nImplementation-Title: shaded\r\n",
            false,
        ),
        (
            "META-INF/maven/com.example/shaded/pom.properties",
            &pom("com.example", "shaded", "3.0"),
            false,
        ),
        (
            "META-INF/maven/org.inner/guava/pom.properties",
            &pom("org.inner", "guava", "31.1-jre"),
            false,
        ),
    ]);
    let log4j = zip_of(&[
        ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n", false),
        (
            "META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties",
            &pom("org.apache.logging.log4j", "log4j-core", "2.14.1"),
            false,
        ),
    ]);
    let boot = zip_of(&[
        (
            "META-INF/MANIFEST.MF",
            b"Manifest-Version: 1.0\nStart-Class: x.App\n",
            false,
        ),
        (
            "META-INF/maven/com.example/boot-app/pom.properties",
            &pom("com.example", "boot-app", "0.0.1-SNAPSHOT"),
            false,
        ),
        ("BOOT-INF/lib/log4j-core-2.14.1.jar", &log4j, true),
        ("BOOT-INF/lib/shaded-3.0.jar", &shaded, true),
    ]);
    // A jar without pom.properties: named from its manifest and file name.
    let plain = zip_of(&[(
        "META-INF/MANIFEST.MF",
        b"Manifest-Version: 1.0\nImplementation-Title: Commons IO\nImplementation-Version: 2.8.0\nBundle-License: https://www.apache.org/licenses/LICENSE-2.0.txt\n",
        false,
    )]);
    let war = zip_of(&[
        ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n", false),
        ("WEB-INF/lib/boot-app-0.0.1-SNAPSHOT.jar", &boot, false),
        ("WEB-INF/lib/commons-io-2.8.0.jar", &plain, false),
        ("WEB-INF/lib/broken.jar", b"this is not a zip file", false),
        ("WEB-INF/classes/app/Main.class", b"\xca\xfe\xba\xbe", false),
    ]);
    let found = catalog("srv/app.war", &war);
    let got: Vec<(&str, &str, &str)> = found
        .packages
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.version.as_str(),
                p.location.path.as_str(),
            )
        })
        .collect();
    let boot_at = "srv/app.war!/WEB-INF/lib/boot-app-0.0.1-SNAPSHOT.jar";
    let shaded_at = format!("{boot_at}!/BOOT-INF/lib/shaded-3.0.jar");
    let log4j_at = format!("{boot_at}!/BOOT-INF/lib/log4j-core-2.14.1.jar");
    assert_eq!(
        got,
        [
            // The war: no pom, named from its file name.
            ("app:app", "", "srv/app.war"),
            ("com.example:boot-app", "0.0.1-SNAPSHOT", boot_at),
            (
                "org.apache.logging.log4j:log4j-core",
                "2.14.1",
                log4j_at.as_str()
            ),
            ("com.example:shaded", "3.0", shaded_at.as_str()),
            ("org.inner:guava", "31.1-jre", shaded_at.as_str()),
            (
                "commons-io:commons-io",
                "2.8.0",
                "srv/app.war!/WEB-INF/lib/commons-io-2.8.0.jar"
            ),
        ]
    );
    let by_name = |n: &str| found.packages.iter().find(|p| p.name == n).unwrap();
    let parent = |n: &str| {
        by_name(n)
            .metadata
            .get("java.parent")
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(parent("com.example:boot-app"), "app:app");
    assert_eq!(
        parent("org.apache.logging.log4j:log4j-core"),
        "com.example:boot-app"
    );
    assert_eq!(parent("org.inner:guava"), "com.example:shaded");
    let io = by_name("commons-io:commons-io");
    assert_eq!(
        io.licenses,
        ["https://www.apache.org/licenses/LICENSE-2.0.txt"]
    );
    assert_eq!(
        io.metadata.get("java.group-source").map(String::as_str),
        Some("artifact-id")
    );
    assert_eq!(
        io.metadata
            .get("java.manifest.Implementation-Title")
            .map(String::as_str),
        Some("Commons IO")
    );
    // The broken nested jar is reported, and did not stop the rest.
    assert_eq!(found.errors.len(), 1, "{:?}", found.errors);
    assert_eq!(found.errors[0].path, "srv/app.war!/WEB-INF/lib/broken.jar");
}

#[test]
fn broken_archives() {
    let meta = |path| FileMeta {
        path,
        size: 10,
        mode: 0o644,
    };
    assert!(
        JAVA_ARCHIVE
            .catalog(&meta("x.jar"), b"PK\x03\x04 not really")
            .is_err()
    );
    assert!(JAVA_ARCHIVE.catalog(&meta("x.jar"), b"").is_err());
    // Cut anywhere: an error or fewer packages, never a panic.
    let jar = zip_of(&[
        ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n", false),
        (
            "META-INF/maven/g/a/pom.properties",
            &pom("g", "a", "1"),
            false,
        ),
        (
            "lib/in.jar",
            &zip_of(&[(
                "META-INF/maven/g/b/pom.properties",
                &pom("g", "b", "2"),
                true,
            )]),
            true,
        ),
    ]);
    for len in 0..jar.len() {
        let _ = JAVA_ARCHIVE.catalog(&meta("x.jar"), &jar[..len]);
    }
    // A script-prefixed ("fully executable") jar still opens.
    let mut prefixed = b"#!/bin/sh\nexec java -jar \"$0\" \"$@\"\n".to_vec();
    prefixed.extend_from_slice(&jar);
    let found = JAVA_ARCHIVE
        .catalog(&meta("a-1.jar"), &prefixed)
        .expect("prefixed jar");
    let names: Vec<&str> = found.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["g:a", "g:b"]);
}

#[test]
fn wants_java_archives_only() {
    let want = |path: &str, size: u64| {
        JAVA_ARCHIVE.wants(&FileMeta {
            path,
            size,
            mode: 0o644,
        }) != harrier_image::Want::No
    };
    for path in [
        "a.jar",
        "x/y/b.WAR",
        "c.ear",
        "p.hpi",
        "p.jpi",
        "d.nar",
        "e.lpkg",
    ] {
        assert!(want(path, 100), "{path}");
    }
    for path in ["a.jar.sha1", "jar", ".jar", "a.zip", "a.rar", "a.class"] {
        assert!(!want(path, 100), "{path}");
    }
    assert!(!want(
        "huge.jar",
        harrier_image::catalog::lang::java::MAX_ARCHIVE_BYTES + 1
    ));
}

/// The jars of Debian packages that Debian also installs into its Maven repository layout,
/// `/usr/share/maven-repo/<group path>/<artifact>/<version>/<artifact>-<version>.jar` (read
/// under that name). Jars that carry a `pom.properties` must give exactly those coordinates.
/// Jars Debian built without one (ant, or with the pom stripped) are named from the manifest
/// and the file name: their artifact and version must match; their group is a guess (syft
/// guesses the same way) and is only counted. Debian's alias versions (`debian`, `3.x`) are
/// skipped.
#[test]
fn debian_jars_match_debian_maven_repo() {
    let repo = Path::new("/usr/share/maven-repo");
    if !repo.is_dir() {
        skip::<()>("/usr/share/maven-repo is missing (apt-get install maven)");
        return;
    }
    // Artifact ids with dots, which the file name heuristic reads as `group.artifact`, as
    // syft's does.
    const DOTTED_ARTIFACTS: &[&str] = &["javax.inject"];
    let (mut with_pom, mut without_pom, mut group_guessed_right) = (0, 0, 0);
    let mut failures = Vec::new();
    for file in files(repo) {
        let Some(name) = file.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        let parts: Vec<String> = file
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        // group path…, artifact, version, file
        if !name.ends_with(".jar") || parts.len() < 4 {
            continue;
        }
        let version = &parts[parts.len() - 2];
        let artifact = &parts[parts.len() - 3];
        if version == "debian"
            || version.ends_with(".x")
            || name != format!("{artifact}-{version}.jar")
        {
            continue;
        }
        let group = parts[..parts.len() - 3].join(".");
        let data = std::fs::read(repo.join(&file)).unwrap();
        let found = catalog(&format!("usr/share/maven-repo/{}", file.display()), &data);
        let Some(own) = found.packages.first() else {
            failures.push(format!("{}: no package", file.display()));
            continue;
        };
        let want = format!("{group}:{artifact}");
        if own.metadata.contains_key("java.pom-properties") {
            with_pom += 1;
            if (own.name.as_str(), own.version.as_str()) != (want.as_str(), version.as_str()) {
                failures.push(format!(
                    "{}: want {want} {version}, got {} {}",
                    file.display(),
                    own.name,
                    own.version
                ));
            }
            continue;
        }
        without_pom += 1;
        let got_artifact = own.name.rsplit_once(':').map_or("", |(_, a)| a);
        let artifact_ok = got_artifact == artifact || DOTTED_ARTIFACTS.contains(&artifact.as_str());
        if !artifact_ok || own.version != *version {
            failures.push(format!(
                "{}: want {want} {version}, got {} {}",
                file.display(),
                own.name,
                own.version
            ));
        }
        if own.name == want {
            group_guessed_right += 1;
        }
    }
    assert!(
        with_pom > 0 && without_pom > 0,
        "no jars in /usr/share/maven-repo"
    );
    assert!(
        failures.is_empty(),
        "{} jars differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!(
        "Debian jars: {with_pom} with pom.properties, all exact; {without_pom} without, \
         group guessed right for {group_guessed_right}"
    );
}

/// Debian's log4j-core and commons-text jars (the Log4Shell and Text4Shell libraries), nested
/// as real deployments nest them: deflated in a war's `WEB-INF/lib`, stored in a Spring Boot
/// jar's `BOOT-INF/lib` inside that war. Their coordinates come from their own
/// `pom.properties`, and the versions are those Debian's Maven repository layout records.
#[test]
fn debian_log4j_and_commons_text_nested() {
    let repo = Path::new("/usr/share/maven-repo");
    let log4j_dir = repo.join("org/apache/logging/log4j/log4j-core");
    let text_dir = repo.join("org/apache/commons/commons-text");
    if !log4j_dir.is_dir() || !text_dir.is_dir() {
        skip::<()>(
            "Debian's log4j-core or commons-text is missing (apt-get install liblog4j2-java libcommons-text-java)",
        );
        return;
    }
    // The one real version directory (the other is Debian's `debian` alias).
    let version = |dir: &Path| -> String {
        let mut versions: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|v| v != "debian" && !v.ends_with(".x"))
            .collect();
        versions.sort();
        assert_eq!(versions.len(), 1, "{}: {versions:?}", dir.display());
        versions.remove(0)
    };
    let (log4j_version, text_version) = (version(&log4j_dir), version(&text_dir));
    let log4j =
        std::fs::read(log4j_dir.join(format!("{log4j_version}/log4j-core-{log4j_version}.jar")))
            .unwrap();
    let text =
        std::fs::read(text_dir.join(format!("{text_version}/commons-text-{text_version}.jar")))
            .unwrap();
    let text_entry = format!("BOOT-INF/lib/commons-text-{text_version}.jar");
    let boot = zip_of(&[
        (
            "META-INF/MANIFEST.MF",
            b"Manifest-Version: 1.0\nStart-Class: x.App\n",
            false,
        ),
        (
            "META-INF/maven/com.example/svc/pom.properties",
            &pom("com.example", "svc", "1.0"),
            false,
        ),
        (text_entry.as_str(), &text, true),
    ]);
    let log4j_entry = format!("WEB-INF/lib/log4j-core-{log4j_version}.jar");
    let war = zip_of(&[
        ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n", false),
        (log4j_entry.as_str(), &log4j, false),
        ("WEB-INF/lib/svc-1.0.jar", &boot, false),
    ]);
    let found = catalog("usr/local/tomcat/webapps/ROOT.war", &war);
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    let find = |name: &str| {
        found
            .packages
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("{name} not found in {:?}", summary(&found.packages)))
    };
    let core = find("org.apache.logging.log4j:log4j-core");
    assert_eq!(core.version, log4j_version);
    assert_eq!(
        core.location.path,
        format!("usr/local/tomcat/webapps/ROOT.war!/{log4j_entry}")
    );
    let commons = find("org.apache.commons:commons-text");
    assert_eq!(commons.version, text_version);
    assert_eq!(
        commons.location.path,
        format!("usr/local/tomcat/webapps/ROOT.war!/WEB-INF/lib/svc-1.0.jar!/{text_entry}")
    );
    assert_eq!(
        commons.metadata.get("java.parent").map(String::as_str),
        Some("com.example:svc")
    );
    // Neither declares a license itself (both inherit it from a parent pom, which is not in
    // the jar): none is made up.
    for p in [core, commons] {
        assert!(p.licenses.is_empty(), "{}: {:?}", p.name, p.licenses);
    }
}

/// A compression bomb in the metadata (a manifest inflating to 8 MiB from a few KiB) is cut at
/// the metadata cap and reported; the rest of the archive is still read.
#[test]
fn metadata_bomb_is_cut_off() {
    let mut manifest = b"Manifest-Version: 1.0\nImplementation-Title: x\n".to_vec();
    manifest.resize(8 * 1024 * 1024, b' ');
    let jar = zip_of(&[
        ("META-INF/MANIFEST.MF", &manifest, false),
        (
            "META-INF/maven/g/a/pom.properties",
            &pom("g", "a", "1.0"),
            false,
        ),
    ]);
    assert!(jar.len() < 64 * 1024, "{}", jar.len());
    let found = catalog("opt/a-1.0.jar", &jar);
    assert_eq!(
        summary(&found.packages),
        owned(&[("g:a", "1.0", &[])]),
        "{:?}",
        found.errors
    );
    assert_eq!(found.errors.len(), 1, "{:?}", found.errors);
    assert!(
        found.errors[0].message.contains("META-INF/MANIFEST.MF")
            && found.errors[0].message.contains("larger than"),
        "{}",
        found.errors[0].message
    );
}
