//! OS catalogers against the package managers themselves, where this machine has them.
//!
//! - dpkg: this machine's `/var/lib/dpkg/status` against `dpkg-query -W` (package, version,
//!   architecture, source package and version), and every machine-readable copyright file
//!   under `/usr/share/doc` must yield a license.
//! - rpm: packages built here with `rpmbuild` and installed with `rpm --justdb` into a fresh
//!   SQLite rpm database, read back and compared with `rpm -qa`; the same header blobs loaded
//!   by Berkeley DB's own `db_load` (`db5.3-util`) into a hash `Packages` file in both byte
//!   orders and two page sizes, which rpm's read-only Berkeley DB backend (`bdb_ro`) must
//!   list identically before it is compared; and an ndb `Packages.db` written here the way
//!   rpm's `rpmpkg.c` writes one (Debian's rpm has no ndb backend to write it).
//!
//! - dpkg: every dpkg fixture of the shared corpus (syft's and osv-scanner's) that
//!   `dpkg-query --admindir` accepts, against its listing of the same file.
//! - OS detection: this machine's `/etc/os-release` against Python's
//!   `platform.freedesktop_os_release()`.
//!
//! Debian packages CI needs: `dpkg` (always there), `rpm` (rpm, rpmbuild, rpmdb), `db5.3-util`.
//! Without them each test prints `skipped: …`, and fails under `HARRIER_REQUIRE_ALL=1`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use harrier_core::testing::{corpus_path, have, skip};
use harrier_image::Cataloger;
use harrier_image::catalog::os::{self, deb_copyright, dpkg::DPKG, rpm::RPM};
use harrier_image::catalog::{FileMeta, Found};

fn run(command: &mut Command) -> Option<String> {
    let output = command.output().ok()?;
    if !output.status.success() {
        panic!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn catalog(cataloger: &dyn Cataloger, path: &str, content: &[u8]) -> Found {
    let meta = FileMeta {
        path,
        size: content.len() as u64,
        mode: 0o644,
    };
    cataloger.catalog(&meta, content).expect("catalog")
}

#[test]
fn dpkg_status_matches_dpkg_query() {
    let status = Path::new("/var/lib/dpkg/status");
    if !status.exists() || !have("dpkg-query") {
        skip::<()>("no dpkg database or dpkg-query on this machine");
        return;
    }
    // Another process may install packages meanwhile: read the file, ask dpkg-query, and
    // retry until the file did not change in between.
    let mut attempt = 0;
    let (content, listing) = loop {
        let content = std::fs::read(status).expect("read status");
        let listing = run(Command::new("dpkg-query").args([
            "-W",
            "-f=${Package}\\t${Version}\\t${Architecture}\\t${source:Package}\\t${source:Version}\\t${db:Status-Status}\\n",
        ]))
        .expect("dpkg-query runs");
        if std::fs::read(status).is_ok_and(|after| after == content) || attempt == 5 {
            break (content, listing);
        }
        attempt += 1;
        std::thread::sleep(std::time::Duration::from_secs(2));
    };
    let found = catalog(&DPKG, "var/lib/dpkg/status", &content);
    assert!(found.errors.is_empty(), "{:#?}", found.errors);
    let ours: BTreeSet<String> = found
        .packages
        .iter()
        .map(|p| {
            let source = p.source.as_ref().expect("source");
            format!(
                "{} {} {} {} {}",
                p.name,
                p.version,
                p.arch.as_deref().unwrap_or(""),
                source.name,
                source.version.as_deref().unwrap_or(&p.version)
            )
        })
        .collect();
    let theirs: BTreeSet<String> = listing
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let [name, version, arch, source, source_version, state] = f.as_slice() else {
                panic!("unexpected dpkg-query line {line:?}");
            };
            matches!(
                *state,
                "installed" | "triggers-awaited" | "triggers-pending"
            )
            .then(|| format!("{name} {version} {arch} {source} {source_version}"))
        })
        .collect();
    assert!(!theirs.is_empty());
    assert_eq!(
        ours.difference(&theirs).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "reported but not installed per dpkg-query"
    );
    assert_eq!(
        theirs.difference(&ours).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "installed per dpkg-query but not reported"
    );
}

/// `name version arch source source-version` of the installed packages `dpkg-query` lists
/// from a status file, or `None` when dpkg rejects the file.
fn dpkg_query_status(status: &[u8]) -> Option<BTreeSet<String>> {
    let admin = tempfile::tempdir().expect("tempdir");
    for dir in ["updates", "info"] {
        std::fs::create_dir(admin.path().join(dir)).expect("mkdir");
    }
    std::fs::write(admin.path().join("status"), status).expect("write status");
    let output = Command::new("dpkg-query")
        .arg(format!("--admindir={}", admin.path().display()))
        .args([
            "-W",
            "-f=${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\t${db:Status-Status}\n",
        ])
        .output()
        .expect("dpkg-query runs");
    if !output.status.success() {
        return None;
    }
    Some(
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| {
                let f: Vec<&str> = line.split('\t').collect();
                let [name, version, arch, source, source_version, state] = f.as_slice() else {
                    panic!("unexpected dpkg-query line {line:?}");
                };
                matches!(
                    *state,
                    "installed" | "triggers-awaited" | "triggers-pending"
                )
                .then(|| format!("{name} {version} {arch} {source} {source_version}"))
            })
            .collect(),
    )
}

#[test]
fn dpkg_corpus_fixtures_match_dpkg_query() {
    if !have("dpkg-query") {
        skip::<()>("dpkg-query is not installed");
        return;
    }
    let mut files = Vec::new();
    for dir in [
        "sbom/osv-scanner-lockfile-fixtures/dpkg",
        "sbom/syft-cataloger-fixtures/debian/testdata/var/lib/dpkg/status.d",
    ] {
        let Some(dir) = corpus_path(env!("CARGO_MANIFEST_DIR"), dir) else {
            return;
        };
        for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
            files.push(entry.path());
        }
    }
    files.sort();
    let mut compared = Vec::new();
    for file in &files {
        let content = std::fs::read(file).expect("read fixture");
        let Some(theirs) = dpkg_query_status(&content) else {
            continue;
        };
        let found = catalog(&DPKG, "var/lib/dpkg/status", &content);
        let ours: BTreeSet<String> = found
            .packages
            .iter()
            // A stanza without Version (the relationship fixtures' bare `Package:` targets) is
            // reported here with an empty version and an error; dpkg calls it not installed.
            .filter(|p| !p.version.is_empty())
            .map(|p| {
                let source = p.source.as_ref().expect("source");
                format!(
                    "{} {} {} {} {}",
                    p.name,
                    p.version,
                    p.arch.as_deref().unwrap_or(""),
                    source.name,
                    source.version.as_deref().unwrap_or(&p.version)
                )
            })
            .collect();
        assert_eq!(ours, theirs, "{}", file.display());
        compared.push(file.file_name().map(|n| n.to_string_lossy().into_owned()));
    }
    // The fixtures dpkg itself accepts (the others are malformed on purpose, or lack the final
    // newline dpkg requires); dpkg 1.21 accepts these six.
    eprintln!("compared with dpkg-query: {compared:?}");
    for name in [
        "coreutils-relationships",
        "deinstall",
        "libpam-runtime",
        "single",
    ] {
        assert!(compared.contains(&Some(name.to_owned())), "{compared:?}");
    }
}

#[test]
fn machine_readable_copyright_files_name_licenses() {
    let Ok(dirs) = std::fs::read_dir("/usr/share/doc") else {
        skip::<()>("no /usr/share/doc on this machine");
        return;
    };
    let mut readable = 0;
    let mut without = Vec::new();
    for dir in dirs.flatten() {
        let path = dir.path().join("copyright");
        let Ok(content) = std::fs::read(&path) else {
            continue;
        };
        if !content.starts_with(b"Format:") {
            continue;
        }
        readable += 1;
        if deb_copyright::licenses(&content).is_empty() {
            without.push(path);
        }
    }
    if readable == 0 {
        skip::<()>("no machine-readable copyright files on this machine");
        return;
    }
    assert!(without.is_empty(), "no license found in {without:?}");
}

#[test]
fn os_release_matches_python() {
    let Ok(content) = std::fs::read("/etc/os-release") else {
        skip::<()>("no /etc/os-release on this machine");
        return;
    };
    if !have("python3") {
        skip::<()>("python3 is not installed");
        return;
    }
    let script = "import platform\n\
r = platform.freedesktop_os_release()\n\
for k in ('ID', 'VERSION_ID', 'VERSION_CODENAME', 'PRETTY_NAME', 'ID_LIKE'):\n    print(r.get(k, ''))\n";
    let out = run(Command::new("python3").args(["-c", script])).expect("python3 runs");
    let python: Vec<&str> = out.lines().collect();
    let distro = os::detect(&[("etc/os-release", &content)]).expect("detected");
    let ours = [
        distro.id.clone(),
        distro.version_id.clone().unwrap_or_default(),
        distro.codename.clone().unwrap_or_default(),
        distro.pretty_name.clone().unwrap_or_default(),
        distro.id_like.join(" "),
    ];
    assert_eq!(ours.as_slice(), python.as_slice());
}

/// Writes a spec, builds it, and returns the `.rpm` files it made.
fn build_rpms(top: &Path, name: &str, spec: &str) -> Vec<std::path::PathBuf> {
    let specs = top.join("SPECS");
    std::fs::create_dir_all(&specs).expect("mkdir");
    let file = specs.join(format!("{name}.spec"));
    std::fs::write(&file, spec).expect("write spec");
    run(Command::new("rpmbuild")
        .arg("--define")
        .arg(format!("_topdir {}", top.display()))
        .args(["--quiet", "-bb"])
        .arg(&file))
    .expect("rpmbuild runs");
    let mut out = Vec::new();
    for arch in std::fs::read_dir(top.join("RPMS")).expect("RPMS").flatten() {
        for rpm in std::fs::read_dir(arch.path()).expect("arch dir").flatten() {
            out.push(rpm.path());
        }
    }
    out
}

fn spec(name: &str, epoch: Option<u32>, arch: &str, license: &str, extra: &str) -> String {
    let epoch = epoch.map(|e| format!("Epoch: {e}\n")).unwrap_or_default();
    format!(
        "Name: {name}\nVersion: 1.{len}.0\nRelease: 3.hr1\n{epoch}Summary: test\nLicense: {license}\n\
         Vendor: Harrier Tests\nBuildArch: {arch}\n\n%description\ntest\n\n\
         %install\nmkdir -p %{{buildroot}}/usr/share/{name}\necho {name} > %{{buildroot}}/usr/share/{name}/file\n\n\
         %files\n/usr/share/{name}/file\n{extra}",
        len = name.len()
    )
}

/// `rpm -qa` of a database directory, one `name evr arch license sourcerpm` line per package.
fn rpm_listing(dbpath: &Path, backend: &str) -> BTreeSet<String> {
    let out = run(Command::new("rpm")
        .arg("--dbpath")
        .arg(dbpath)
        .arg("--define")
        .arg(format!("_db_backend {backend}"))
        .args([
            "-qa",
            "--qf",
            "%{NAME} %{EVR} %{ARCH} %{LICENSE} %{SOURCERPM}\\n",
        ]))
    .expect("rpm runs");
    out.lines().map(str::to_owned).collect()
}

/// Our packages in `rpm_listing`'s form, with the source RPM name rebuilt from the source
/// package.
fn our_listing(found: &Found) -> BTreeSet<String> {
    assert!(found.errors.is_empty(), "{:#?}", found.errors);
    found
        .packages
        .iter()
        .map(|p| {
            let source = p.source.as_ref().expect("source");
            let version = source.version.as_deref().unwrap_or(&p.version);
            let version = version.split_once(':').map_or(version, |(_, v)| v);
            format!(
                "{} {} {} {} {}-{version}.src.rpm",
                p.name,
                p.version,
                p.arch.as_deref().unwrap_or(""),
                p.licenses.join(" "),
                source.name
            )
        })
        .collect()
}

/// A `db_load` dump of `blobs` under instance numbers 1, 2, … in the given byte order.
fn bdb_dump(blobs: &[(u32, Vec<u8>)], page_size: u32, big_endian: bool) -> String {
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let mut dump = format!(
        "VERSION=3\nformat=bytevalue\ntype=hash\ndb_pagesize={page_size}\ndb_lorder={}\nHEADER=END\n",
        if big_endian { 4321 } else { 1234 }
    );
    for (key, blob) in blobs {
        let key = if big_endian {
            key.to_be_bytes()
        } else {
            key.to_le_bytes()
        };
        dump.push_str(&format!(" {}\n {}\n", hex(&key), hex(blob)));
    }
    dump.push_str("DATA=END\n");
    dump
}

/// An ndb `Packages.db` as rpm's `rpmpkgPutInternal` lays out a fresh one: one slot page, then
/// the blobs appended (head, blob, padding, tail with Adler-32).
fn ndb_file(blobs: &[(u32, Vec<u8>)]) -> Vec<u8> {
    fn adler32(bytes: &[u8]) -> u32 {
        let (mut a, mut b) = (1u32, 0u32);
        for &byte in bytes {
            a = (a + u32::from(byte)) % 65521;
            b = (b + a) % 65521;
        }
        (b << 16) | a
    }
    let mut db = vec![0u8; 4096];
    db[..4].copy_from_slice(b"RpmP");
    db[8..12].copy_from_slice(&1u32.to_le_bytes());
    db[12..16].copy_from_slice(&1u32.to_le_bytes());
    db[16..20].copy_from_slice(&(blobs.len() as u32 + 1).to_le_bytes());
    for slot in (32..4096).step_by(16) {
        db[slot..slot + 4].copy_from_slice(b"Slot");
    }
    for (i, (index, blob)) in blobs.iter().enumerate() {
        let count = (16 + blob.len() + 12).div_ceil(16);
        let offset = db.len() / 16;
        let mut block = Vec::new();
        block.extend_from_slice(b"BlbS");
        block.extend_from_slice(&index.to_le_bytes());
        block.extend_from_slice(&0u32.to_le_bytes());
        block.extend_from_slice(&(blob.len() as u32).to_le_bytes());
        block.extend_from_slice(blob);
        block.resize(count * 16 - 12, 0);
        let sum = adler32(&block);
        block.extend_from_slice(&sum.to_le_bytes());
        block.extend_from_slice(&(blob.len() as u32).to_le_bytes());
        block.extend_from_slice(b"BlbE");
        db.extend_from_slice(&block);
        let slot = 32 + i * 16;
        db[slot + 4..slot + 8].copy_from_slice(&index.to_le_bytes());
        db[slot + 8..slot + 12].copy_from_slice(&(offset as u32).to_le_bytes());
        db[slot + 12..slot + 16].copy_from_slice(&(count as u32).to_le_bytes());
    }
    db
}

#[test]
fn rpm_databases_match_rpm() {
    if !(have("rpm") && have("rpmbuild")) {
        skip::<()>("rpm and rpmbuild are not installed (Debian package `rpm`)");
        return;
    }
    let temp = tempfile::tempdir().expect("tempdir");
    let top = temp.path().join("rpmbuild");
    let specs = [
        spec(
            "harrier-epoch",
            Some(2),
            "noarch",
            "MIT AND (Apache-2.0 OR BSD-3-Clause)",
            "",
        ),
        spec(
            "harrier-zero-epoch",
            Some(0),
            "noarch",
            "GPL-2.0-or-later",
            "",
        ),
        spec("harrier-x86", None, "x86_64", "BSD-3-Clause", ""),
        spec(
            "harrier-multi",
            None,
            "noarch",
            "ISC",
            "\n%package libs\nSummary: libs\nLicense: MIT\n%description libs\nlibs\n%files libs\n",
        ),
        spec("harrier-a", None, "noarch", "MIT", ""),
        spec("harrier-bb", Some(1), "noarch", "MIT", ""),
        spec("harrier-ccc", None, "noarch", "Zlib", ""),
    ];
    let mut rpms = Vec::new();
    for (i, text) in specs.iter().enumerate() {
        rpms = build_rpms(&top, &format!("p{i}"), text);
    }
    assert_eq!(rpms.len(), 8, "{rpms:?}");

    // SQLite, written by rpm itself.
    let sqlite_dir = temp.path().join("sqlite");
    run(Command::new("rpm")
        .arg("--initdb")
        .arg("--dbpath")
        .arg(&sqlite_dir))
    .expect("rpm --initdb");
    run(Command::new("rpm")
        .arg("--dbpath")
        .arg(&sqlite_dir)
        .args([
            "-i",
            "--justdb",
            "--nodeps",
            "--noscripts",
            "--ignorearch",
            "--ignoreos",
        ])
        .args(&rpms))
    .expect("rpm -i --justdb");
    let expected = rpm_listing(&sqlite_dir, "sqlite");
    assert_eq!(expected.len(), 8, "{expected:#?}");
    assert!(expected.contains(
        "harrier-epoch 2:1.13.0-3.hr1 noarch MIT AND (Apache-2.0 OR BSD-3-Clause) harrier-epoch-1.13.0-3.hr1.src.rpm"
    ));
    let content = std::fs::read(sqlite_dir.join("rpmdb.sqlite")).expect("read rpmdb.sqlite");
    let found = catalog(&RPM, "var/lib/rpm/rpmdb.sqlite", &content);
    assert_eq!(our_listing(&found), expected, "SQLite");
    let multi_libs = found
        .packages
        .iter()
        .find(|p| p.name == "harrier-multi-libs")
        .expect("subpackage");
    assert_eq!(
        multi_libs
            .source
            .as_ref()
            .map(|s| (s.name.as_str(), s.version.as_deref())),
        Some(("harrier-multi", None))
    );
    assert_eq!(
        multi_libs.metadata.get("rpm.vendor").map(String::as_str),
        Some("Harrier Tests")
    );

    // The header blobs, read independently of the cataloger.
    let blobs: Vec<(u32, Vec<u8>)> = {
        let conn = rusqlite::Connection::open(sqlite_dir.join("rpmdb.sqlite")).expect("open");
        let mut statement = conn
            .prepare("SELECT hnum, blob FROM Packages ORDER BY hnum")
            .expect("prepare");
        statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    assert_eq!(blobs.len(), 8);

    // ndb, written here.
    let found = catalog(&RPM, "usr/lib/sysimage/rpm/Packages.db", &ndb_file(&blobs));
    assert_eq!(our_listing(&found), expected, "ndb");

    // Berkeley DB, written by db_load and checked by rpm's bdb_ro backend.
    if !have("db5.3_load") {
        skip::<()>("db5.3_load is not installed (Debian package `db5.3-util`)");
        return;
    }
    for (page_size, big_endian) in [(512, false), (512, true), (4096, false), (4096, true)] {
        let dir = temp.path().join(format!("bdb-{page_size}-{big_endian}"));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let dump = dir.join("dump.txt");
        std::fs::write(&dump, bdb_dump(&blobs, page_size, big_endian)).expect("write dump");
        run(Command::new("db5.3_load")
            .arg("-f")
            .arg(&dump)
            .arg(dir.join("Packages")))
        .expect("db5.3_load");
        assert_eq!(
            rpm_listing(&dir, "bdb_ro"),
            expected,
            "rpm's bdb_ro backend reads the db_load file ({page_size}, big-endian {big_endian})"
        );
        let content = std::fs::read(dir.join("Packages")).expect("read Packages");
        let found = catalog(&RPM, "var/lib/rpm/Packages", &content);
        assert_eq!(
            our_listing(&found),
            expected,
            "Berkeley DB, page size {page_size}, big-endian {big_endian}"
        );
    }
}
