//! The Go binary cataloger against the Go toolchain: programs built here with `go build`
//! (module deps vendored from Debian's `golang-golang-x-mod-dev`, a local and a module
//! replacement, ELF 32/64-bit in both byte orders, PE, Mach-O, stripped, trimmed, quoted build
//! settings, a VCS build) and the Go binaries Debian installs, each compared with what
//! `go version -m` prints for it; plus the pre-1.18 pointer layout, which no installable
//! toolchain writes any more, in hand-built ELF files.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test support code may panic: a panic is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use harrier_core::testing::skip;
use harrier_image::PackageKind;
use harrier_image::catalog::lang::go_binary::{self, BuildInfo, GO_BINARY};
use harrier_image::catalog::{Cataloger, FileMeta};

const XMOD_VERSION: &str = "v0.7.0";

/// One binary built for the tests.
struct Built {
    name: &'static str,
    path: PathBuf,
}

fn gopath() -> PathBuf {
    PathBuf::from(
        std::env::var("HARRIER_GOPATH").unwrap_or_else(|_| "/usr/share/gocode".to_owned()),
    )
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// A module `example.com/hello` using `golang.org/x/mod/semver` (vendored) and
/// `example.com/local` (replaced by a directory); with `fork`, x/mod is replaced by a module.
fn write_module(dir: &Path, fork: bool) {
    let semver = gopath().join("src/golang.org/x/mod/semver/semver.go");
    let mut go_mod = String::from(
        "module example.com/hello\n\ngo 1.19\n\nrequire (\n\texample.com/local v0.0.0\n\tgolang.org/x/mod v0.7.0\n)\n\nreplace example.com/local => ./local\n",
    );
    let mut modules_txt = String::from(
        "# example.com/local v0.0.0 => ./local\n## explicit; go 1.19\nexample.com/local\n",
    );
    if fork {
        go_mod.push_str("\nreplace golang.org/x/mod => example.com/forkmod v0.7.1\n");
        modules_txt.push_str("# golang.org/x/mod v0.7.0 => example.com/forkmod v0.7.1\n");
    } else {
        modules_txt.push_str("# golang.org/x/mod v0.7.0\n");
    }
    modules_txt.push_str(
        "## explicit; go 1.17\ngolang.org/x/mod/semver\n# example.com/local => ./local\n",
    );
    if fork {
        modules_txt.push_str("# golang.org/x/mod => example.com/forkmod v0.7.1\n");
    }
    write(&dir.join("go.mod"), &go_mod);
    write(
        &dir.join("main.go"),
        "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/local\"\n\t\"golang.org/x/mod/semver\"\n)\n\nfunc main() { fmt.Println(semver.Canonical(\"v1.2\"), local.Name) }\n",
    );
    let local = "package local\n\nconst Name = \"local\"\n";
    write(
        &dir.join("local/go.mod"),
        "module example.com/local\n\ngo 1.19\n",
    );
    write(&dir.join("local/local.go"), local);
    write(&dir.join("vendor/example.com/local/local.go"), local);
    write(&dir.join("vendor/modules.txt"), &modules_txt);
    let vendored = dir.join("vendor/golang.org/x/mod/semver/semver.go");
    std::fs::create_dir_all(vendored.parent().expect("parent")).expect("mkdir");
    std::fs::copy(&semver, &vendored).expect("copy semver.go");
}

fn go(dir: &Path, cache: &Path, env: &[(&str, &str)], args: &[&str]) -> Result<(), String> {
    let out = Command::new("go")
        .args(args)
        .current_dir(dir)
        .env("GOPATH", cache.join("gopath"))
        .env("GOCACHE", cache.join("cache"))
        .env("GOFLAGS", "-mod=vendor")
        .env("GOPROXY", "off")
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .env("GO111MODULE", "on")
        .envs(env.iter().copied())
        .output()
        .map_err(|e| format!("go: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Builds every fixture binary once per test run (Go's build cache makes reruns quick).
fn built() -> Option<&'static [Built]> {
    static BUILT: OnceLock<Option<Vec<Built>>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            if Command::new("go").arg("version").output().is_err() {
                return skip("go is not installed (apt-get install golang-go golang-golang-x-mod-dev)");
            }
            if !gopath().join("src/golang.org/x/mod/semver/semver.go").is_file() {
                return skip("golang.org/x/mod sources are missing (apt-get install golang-golang-x-mod-dev)");
            }
            let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("go-binaries");
            let _ = std::fs::remove_dir_all(root.join("src"));
            let plain = root.join("src/hello");
            let fork = root.join("src/fork");
            let vcs = root.join("src/vcs");
            write_module(&plain, false);
            write_module(&fork, true);
            write_module(&vcs, false);
            let out = root.join("bin");
            std::fs::create_dir_all(&out).expect("mkdir");
            let mut built = Vec::new();
            let mut build = |name: &'static str, dir: &Path, env: &[(&str, &str)], flags: &[&str]| {
                let target = out.join(name);
                let target_str = target.to_string_lossy().into_owned();
                let mut args = vec!["build", "-o", target_str.as_str()];
                args.extend_from_slice(flags);
                args.push(".");
                go(dir, &root, env, &args).unwrap_or_else(|e| panic!("go build {name}: {e}"));
                built.push(Built { name, path: target });
            };
            let novcs = ["-buildvcs=false"];
            build("linux-amd64", &plain, &[], &novcs);
            build(
                "linux-amd64-stripped-trimpath",
                &plain,
                &[("CGO_ENABLED", "0")],
                &["-buildvcs=false", "-trimpath", "-ldflags=-s -w"],
            );
            build(
                "linux-amd64-quoted-settings",
                &plain,
                &[],
                &["-buildvcs=false", "-ldflags=-s -w -X \"main.v=a b\"", "-tags=x y"],
            );
            build("linux-386", &plain, &[("GOARCH", "386")], &novcs);
            build("linux-ppc64-big-endian", &plain, &[("GOARCH", "ppc64")], &novcs);
            build("linux-arm64", &plain, &[("GOARCH", "arm64")], &novcs);
            build("windows-amd64.exe", &plain, &[("GOOS", "windows")], &novcs);
            build("darwin-arm64", &plain, &[("GOOS", "darwin"), ("GOARCH", "arm64")], &novcs);
            build("fork", &fork, &[], &novcs);
            let git = |args: &[&str]| {
                Command::new("git")
                    .args(args)
                    .current_dir(&vcs)
                    .env("GIT_AUTHOR_DATE", "2023-05-01T12:34:56Z")
                    .env("GIT_COMMITTER_DATE", "2023-05-01T12:34:56Z")
                    .output()
                    .is_ok_and(|o| o.status.success())
            };
            let committed = git(&["init", "-q"])
                && git(&["add", "-A"])
                && git(&["-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "init"]);
            if committed {
                build("vcs", &vcs, &[], &[]);
            } else {
                skip::<()>("git is not installed: the VCS build is not tested");
            }
            Some(built)
        })
        .as_deref()
}

/// Go's `strconv.Quote` for the ASCII the tests use.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// What `go version -m` prints for `info` (`runtime/debug.BuildInfo.String`, indented).
fn render(file: &str, info: &BuildInfo) -> String {
    let mut lines = vec![format!("{file}: {}", info.go_version)];
    if !info.path.is_empty() {
        lines.push(format!("\tpath\t{}", info.path));
    }
    let module = |word: &str, m: &go_binary::Module, lines: &mut Vec<String>| match &m.replace {
        None => lines.push(format!("\t{word}\t{}\t{}\t{}", m.path, m.version, m.sum)),
        Some(r) => {
            lines.push(format!("\t{word}\t{}\t{}", m.path, m.version));
            lines.push(format!("\t=>\t{}\t{}\t{}", r.path, r.version, r.sum));
            lines.push("\t".to_owned());
        }
    };
    if let Some(main) = &info.main {
        module("mod", main, &mut lines);
    }
    for dep in &info.deps {
        module("dep", dep, &mut lines);
    }
    for (k, v) in &info.settings {
        let quote_key = k.is_empty() || k.contains(['=', ' ', '\t', '\r', '\n', '"', '`']);
        let quote_value = v.contains([' ', '\t', '\r', '\n', '"', '`']);
        let k = if quote_key { go_quote(k) } else { k.clone() };
        let v = if quote_value { go_quote(v) } else { v.clone() };
        lines.push(format!("\tbuild\t{k}={v}"));
    }
    lines.join("\n") + "\n"
}

fn go_version_m(path: &Path) -> String {
    let out = Command::new("go")
        .args(["version", "-m"])
        .arg(path)
        .env("GOTOOLCHAIN", "local")
        .output()
        .expect("go version -m");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn read(path: &Path) -> Option<BuildInfo> {
    let data = std::fs::read(path).expect("read binary");
    go_binary::read_build_info(&data).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn built_binaries_match_go_version_m() {
    let Some(built) = built() else { return };
    for b in built {
        let info = read(&b.path).unwrap_or_else(|| panic!("{}: no build info found", b.name));
        let file = b.path.to_string_lossy();
        assert_eq!(render(&file, &info), go_version_m(&b.path), "{}", b.name);
    }
}

fn find<'a>(packages: &'a [harrier_image::Package], name: &str) -> &'a harrier_image::Package {
    packages
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no package {name} in {packages:#?}"))
}

fn catalog(path: &Path, as_path: &str) -> Vec<harrier_image::Package> {
    let data = std::fs::read(path).expect("read");
    let meta = FileMeta {
        path: as_path,
        size: data.len() as u64,
        mode: 0o755,
    };
    GO_BINARY.catalog(&meta, &data).expect("catalog").packages
}

fn go_env_version() -> String {
    let out = Command::new("go")
        .args(["env", "GOVERSION"])
        .env("GOTOOLCHAIN", "local")
        .output()
        .expect("go env");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn module_build_packages() {
    let Some(built) = built() else { return };
    let toolchain = go_env_version();
    let stdlib = go_binary::stdlib_version(&toolchain).expect("a released Go");
    for b in built.iter().filter(|b| b.name != "vcs") {
        let packages = catalog(&b.path, "usr/local/bin/hello");
        let mut names: Vec<(&str, &str, PackageKind)> = packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.kind))
            .collect();
        names.sort();
        let xmod = if b.name == "fork" {
            ("example.com/forkmod", "v0.7.1", PackageKind::GoModule)
        } else {
            ("golang.org/x/mod", XMOD_VERSION, PackageKind::GoModule)
        };
        let mut want = vec![
            ("example.com/hello", "(devel)", PackageKind::GoModule),
            ("example.com/local", "(devel)", PackageKind::GoModule),
            ("stdlib", stdlib.as_str(), PackageKind::GoStdlib),
            xmod,
        ];
        want.sort();
        assert_eq!(names, want, "{}", b.name);
        for p in &packages {
            assert_eq!(p.location.path, "usr/local/bin/hello");
            assert_eq!(p.metadata.get("go.toolchain"), Some(&toolchain));
        }
        let main = find(&packages, "example.com/hello");
        assert_eq!(
            main.metadata.get("go.main").map(String::as_str),
            Some("true")
        );
        assert!(
            main.metadata.contains_key("go.build.GOOS"),
            "{}: {main:#?}",
            b.name
        );
        let local = find(&packages, "example.com/local");
        assert_eq!(
            local.metadata.get("go.replaces").map(String::as_str),
            Some("example.com/local@v0.0.0 => ./local")
        );
        if b.name == "fork" {
            let fork = find(&packages, "example.com/forkmod");
            assert_eq!(
                fork.metadata.get("go.replaces").map(String::as_str),
                Some("golang.org/x/mod@v0.7.0")
            );
        }
        let std = find(&packages, "stdlib");
        assert_eq!(std.licenses, vec!["BSD-3-Clause".to_owned()]);
    }
    let arch = |name: &str| {
        let b = built.iter().find(|b| b.name == name).expect("built");
        catalog(&b.path, "x").first().and_then(|p| p.arch.clone())
    };
    assert_eq!(arch("linux-386").as_deref(), Some("386"));
    assert_eq!(arch("linux-ppc64-big-endian").as_deref(), Some("ppc64"));
    assert_eq!(arch("darwin-arm64").as_deref(), Some("arm64"));
}

#[test]
fn vcs_build_gets_a_pseudo_version() {
    let Some(built) = built() else { return };
    let Some(b) = built.iter().find(|b| b.name == "vcs") else {
        return;
    };
    let info = read(&b.path).expect("build info");
    let revision = info
        .setting("vcs.revision")
        .expect("vcs.revision")
        .to_owned();
    assert_eq!(info.setting("vcs.time"), Some("2023-05-01T12:34:56Z"));
    let packages = catalog(&b.path, "app");
    let main = find(&packages, "example.com/hello");
    assert_eq!(
        main.version,
        format!("v0.0.0-20230501123456-{}", &revision[..12])
    );
    assert_eq!(main.metadata.get("go.build.vcs.revision"), Some(&revision));
}

/// The Go binaries Debian installs: the Go distribution's commands (no module, `path cmd/go`)
/// and, when installed, other Go programs (`docker-registry`, built in GOPATH mode).
fn debian_go_binaries() -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(lib) = std::fs::read_dir("/usr/lib") else {
        return found;
    };
    for entry in lib.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with("go-") {
            continue;
        }
        for dir in [
            entry.path().join("bin"),
            entry.path().join("pkg/tool/linux_amd64"),
        ] {
            if let Ok(files) = std::fs::read_dir(dir) {
                found.extend(files.flatten().map(|f| f.path()).filter(|p| p.is_file()));
            }
        }
    }
    for extra in [
        "/usr/bin/docker-registry",
        "/usr/bin/skopeo",
        "/usr/bin/podman",
        "/usr/bin/buildah",
        "/usr/sbin/runc",
    ] {
        if Path::new(extra).is_file() {
            found.push(PathBuf::from(extra));
        }
    }
    found.sort();
    found
}

#[test]
fn debian_go_binaries_match_go_version_m() {
    if Command::new("go").arg("version").output().is_err() {
        skip::<()>("go is not installed (apt-get install golang-go)");
        return;
    }
    let binaries = debian_go_binaries();
    assert!(
        !binaries.is_empty(),
        "golang-go is installed but no Go binaries were found"
    );
    for path in &binaries {
        let info = read(path).unwrap_or_else(|| panic!("{}: no build info found", path.display()));
        assert_eq!(
            render(&path.to_string_lossy(), &info),
            go_version_m(path),
            "{}",
            path.display()
        );
        // Outside module mode only the standard library is reported.
        let packages = catalog(path, "usr/bin/x");
        if info.main.is_none() {
            assert_eq!(packages.len(), 1, "{}: {packages:#?}", path.display());
            assert_eq!(packages[0].kind, PackageKind::GoStdlib);
            assert_eq!(packages[0].metadata.get("go.path"), Some(&info.path));
        }
    }
}

#[test]
fn other_executables_have_no_build_info() {
    for path in [
        "/bin/sh",
        "/bin/ls",
        "/usr/bin/git",
        "/usr/local/bin/git",
        "/usr/bin/python3",
    ] {
        let path = Path::new(path);
        if path.is_file() {
            assert_eq!(read(path), None, "{}", path.display());
        }
    }
    // This test's own executable (Rust).
    let me = std::env::current_exe().expect("current exe");
    assert_eq!(read(&me), None);
    assert_eq!(
        go_binary::read_build_info(b"#!/bin/sh\necho hi\n").ok(),
        Some(None)
    );
}

#[test]
fn cut_and_corrupted_binaries_are_errors_or_nothing() {
    let Some(built) = built() else { return };
    let some = [
        "linux-amd64",
        "linux-386",
        "linux-ppc64-big-endian",
        "windows-amd64.exe",
        "darwin-arm64",
    ];
    for b in built.iter().filter(|b| some.contains(&b.name)) {
        let data = std::fs::read(&b.path).expect("read");
        // Cut at many points (the headers, the build info blob, the end).
        let step = (data.len() / 97).max(1);
        for len in (0..data.len()).step_by(step).chain([16, 64, 4096]) {
            let _ = go_binary::read_build_info(data.get(..len).unwrap_or(&data));
        }
        // Corrupt the blob's header and strings in place.
        let Some(at) = data.windows(14).position(|w| w == b"\xff Go buildinf:") else {
            continue;
        };
        for offset in 14..48 {
            for value in [0x00, 0x02, 0xff] {
                let mut copy = data.clone();
                if let Some(b) = copy.get_mut(at + offset) {
                    *b = value;
                }
                let _ = go_binary::read_build_info(&copy);
            }
        }
    }
}

/// A little-endian or big-endian ELF file with one writable PT_LOAD segment mapping the whole
/// file at `base`, holding a pre-1.18 (pointer layout) build info blob at file offset 0x100.
fn pointer_layout_elf(is_64: bool, big_endian: bool, version: &str, modinfo: &str) -> Vec<u8> {
    const BASE: u64 = 0x40_0000;
    let ptr = if is_64 { 8 } else { 4 };
    let mut file = vec![0u8; 0x200];
    let put = |file: &mut Vec<u8>, at: usize, value: u64, size: usize| {
        let bytes = match (size, big_endian) {
            (2, false) => (value as u16).to_le_bytes().to_vec(),
            (2, true) => (value as u16).to_be_bytes().to_vec(),
            (4, false) => (value as u32).to_le_bytes().to_vec(),
            (4, true) => (value as u32).to_be_bytes().to_vec(),
            (_, false) => value.to_le_bytes().to_vec(),
            (_, true) => value.to_be_bytes().to_vec(),
        };
        file[at..at + size].copy_from_slice(&bytes);
    };
    // Strings after the fixed part.
    let version_at = file.len();
    file.extend_from_slice(version.as_bytes());
    let mut framed = vec![0x30u8; 16];
    framed.extend_from_slice(modinfo.as_bytes());
    framed.extend_from_slice(&[0xf9; 16]);
    let modinfo_at = file.len();
    file.extend_from_slice(&framed);
    let total = file.len() as u64;

    // ELF header.
    file[..4].copy_from_slice(b"\x7fELF");
    file[4] = if is_64 { 2 } else { 1 };
    file[5] = if big_endian { 2 } else { 1 };
    file[6] = 1;
    put(&mut file, 16, 2, 2); // ET_EXEC
    put(&mut file, 18, if is_64 { 62 } else { 3 }, 2); // x86-64 / i386
    put(&mut file, 20, 1, 4);
    let (phoff, ehsize, phentsize) = if is_64 { (64u64, 64, 56) } else { (52, 52, 32) };
    if is_64 {
        put(&mut file, 24, BASE, 8); // entry
        put(&mut file, 32, phoff, 8);
        put(&mut file, 40, 0, 8); // shoff
        put(&mut file, 52, ehsize, 2);
        put(&mut file, 54, phentsize, 2);
        put(&mut file, 56, 1, 2); // phnum
        // Program header: PT_LOAD, RW.
        let ph = phoff as usize;
        put(&mut file, ph, 1, 4);
        put(&mut file, ph + 4, 6, 4);
        put(&mut file, ph + 8, 0, 8);
        put(&mut file, ph + 16, BASE, 8);
        put(&mut file, ph + 24, BASE, 8);
        put(&mut file, ph + 32, total, 8);
        put(&mut file, ph + 40, total, 8);
        put(&mut file, ph + 48, 0x1000, 8);
    } else {
        put(&mut file, 24, BASE, 4);
        put(&mut file, 28, phoff, 4);
        put(&mut file, 32, 0, 4);
        put(&mut file, 40, ehsize, 2);
        put(&mut file, 42, phentsize, 2);
        put(&mut file, 44, 1, 2);
        let ph = phoff as usize;
        put(&mut file, ph, 1, 4);
        put(&mut file, ph + 4, 0, 4);
        put(&mut file, ph + 8, BASE, 4);
        put(&mut file, ph + 12, BASE, 4);
        put(&mut file, ph + 16, total, 4);
        put(&mut file, ph + 20, total, 4);
        put(&mut file, ph + 24, 6, 4);
        put(&mut file, ph + 28, 0x1000, 4);
    }
    // The blob: magic, pointer size, endianness, then pointers to two string headers.
    let blob = 0x100;
    file[blob..blob + 14].copy_from_slice(b"\xff Go buildinf:");
    file[blob + 14] = ptr as u8;
    file[blob + 15] = u8::from(big_endian);
    let headers = blob + 32;
    put(&mut file, blob + 16, BASE + headers as u64, ptr);
    put(
        &mut file,
        blob + 16 + ptr,
        BASE + (headers + 2 * ptr) as u64,
        ptr,
    );
    put(&mut file, headers, BASE + version_at as u64, ptr);
    put(&mut file, headers + ptr, version.len() as u64, ptr);
    put(&mut file, headers + 2 * ptr, BASE + modinfo_at as u64, ptr);
    put(&mut file, headers + 3 * ptr, framed.len() as u64, ptr);
    file
}

#[test]
fn pre_118_pointer_layout() {
    let modinfo = "path\texample.com/old\nmod\texample.com/old\tv1.2.3\th1:abc=\ndep\tgithub.com/pkg/errors\tv0.9.1\th1:def=\n";
    for (is_64, big_endian) in [(true, false), (false, false), (true, true), (false, true)] {
        let elf = pointer_layout_elf(is_64, big_endian, "go1.16.15", modinfo);
        let info = go_binary::read_build_info(&elf)
            .unwrap_or_else(|e| panic!("64={is_64} be={big_endian}: {e}"))
            .unwrap_or_else(|| panic!("64={is_64} be={big_endian}: not found"));
        assert_eq!(info.go_version, "go1.16.15");
        assert_eq!(info.path, "example.com/old");
        assert_eq!(
            info.main.as_ref().map(|m| m.version.as_str()),
            Some("v1.2.3")
        );
        assert_eq!(info.deps.len(), 1);
        let meta = FileMeta {
            path: "app",
            size: elf.len() as u64,
            mode: 0o755,
        };
        let packages = GO_BINARY.catalog(&meta, &elf).expect("catalog").packages;
        let got: Vec<(&str, &str)> = packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("github.com/pkg/errors", "v0.9.1"),
                ("example.com/old", "v1.2.3"),
                ("stdlib", "1.16.15")
            ]
        );
    }
    // Pointers that lead nowhere give an empty version: not a Go binary.
    let mut elf = pointer_layout_elf(true, false, "go1.16", modinfo);
    elf[0x110..0x118].copy_from_slice(&0xdead_beef_u64.to_le_bytes());
    assert_eq!(go_binary::read_build_info(&elf).ok(), Some(None));
    // An unframed module info is dropped, as Go drops it.
    let elf = pointer_layout_elf(true, false, "go1.13", "");
    let info = go_binary::read_build_info(&elf)
        .expect("ok")
        .expect("found");
    assert_eq!((info.go_version.as_str(), info.main), ("go1.13", None));
}
