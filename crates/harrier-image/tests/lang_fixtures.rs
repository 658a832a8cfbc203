//! Language catalogers whose formats the shared corpus has no sample of: Composer's
//! `installed.json` (1 and 2), .NET `*.deps.json` and installed RubyGems specifications. The
//! fixtures under `tests/fixtures/lang/` are written by hand in the shape the tools write
//! (Composer's `InstalledFilesystemRepository`, the .NET SDK's `DependencyContextWriter`,
//! `Gem::Specification#to_ruby`), each with the cases the cataloger must tell apart.
//!
//! Each row lists `name@version`, then `[arch]`, ` (dev)` for `dependency.scope`,
//! ` #<commit prefix>` for `vcs.commit` and ` {licenses}`, sorted.

use harrier_image::catalog::{self, FileMeta, Want};
use harrier_image::{Cataloger, Package, PackageKind};

fn render(package: &Package) -> String {
    let mut s = format!("{}@{}", package.name, package.version);
    if let Some(arch) = &package.arch {
        s.push_str(&format!(" [{arch}]"));
    }
    if let Some(scope) = package.metadata.get("dependency.scope") {
        s.push_str(&format!(" ({scope})"));
    }
    if let Some(commit) = package.metadata.get("vcs.commit") {
        s.push_str(&format!(" #{}", commit.get(..7).unwrap_or(commit)));
    }
    if let Some(kind) = package.metadata.get("dotnet.type") {
        s.push_str(&format!(" <{kind}>"));
    }
    if !package.licenses.is_empty() {
        s.push_str(&format!(" {{{}}}", package.licenses.join(",")));
    }
    s
}

fn cataloger(name: &str) -> &'static dyn Cataloger {
    catalog::all()
        .into_iter()
        .find(|c| c.name() == name)
        .unwrap_or_else(|| panic!("no cataloger `{name}`"))
}

/// Catalogs fixture `fixture` as if found at `path` in an image, after checking that exactly
/// the cataloger `name` wants it; returns the rendered packages and the soft errors' texts.
fn run(name: &str, fixture: &str, path: &str, kind: PackageKind) -> (Vec<String>, Vec<String>) {
    let content = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/lang")
            .join(fixture),
    )
    .unwrap_or_else(|e| panic!("{fixture}: {e}"));
    let file = FileMeta {
        path,
        size: content.len() as u64,
        mode: 0o644,
    };
    let wanting: Vec<&str> = catalog::all()
        .into_iter()
        .filter(|c| c.wants(&file) != Want::No)
        .map(|c| c.name())
        .collect();
    assert_eq!(wanting, [name], "{path}");
    let found = cataloger(name)
        .catalog(&file, &content)
        .unwrap_or_else(|e| panic!("{fixture}: {e}"));
    for package in &found.packages {
        assert_eq!(package.location.path, path, "{}", package.name);
        assert_eq!(package.kind, kind, "{}", package.name);
    }
    let mut packages: Vec<String> = found.packages.iter().map(render).collect();
    packages.sort();
    let errors = found.errors.iter().map(|e| e.to_string()).collect();
    (packages, errors)
}

#[test]
fn composer_2_installed_json() {
    let path = "var/www/html/vendor/composer/installed.json";
    let (packages, errors) = run(
        "php-composer-installed",
        "composer/installed.v2.json",
        path,
        PackageKind::Composer,
    );
    assert_eq!(
        packages,
        [
            // A path repository: the dist reference is no git commit.
            "acme/internal-tools@dev-main {proprietary}",
            "monolog/monolog@2.9.1 #f259e2b {MIT}",
            // Named in `dev-package-names`.
            "phpunit/phpunit@10.5.9 (dev) #0bd6637 {BSD-3-Clause}",
            "psr/log@3.0.0 #fe5ea30 {MIT}",
        ]
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with(path), "{errors:?}");
    assert!(errors[0].contains("entry 5"), "{errors:?}");
}

#[test]
fn composer_1_installed_json() {
    let (packages, errors) = run(
        "php-composer-installed",
        "composer/installed.v1.json",
        "app/vendor/composer/installed.json",
        PackageKind::Composer,
    );
    assert_eq!(
        packages,
        [
            "guzzlehttp/guzzle@6.5.8 #a52f044 {MIT}",
            "guzzlehttp/psr7@1.9.1 #e4490ca {MIT}",
        ]
    );
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn composer_installed_json_that_is_neither_shape_is_refused() {
    let file = FileMeta {
        path: "app/vendor/composer/installed.json",
        size: 2,
        mode: 0o644,
    };
    for content in [&b"{}"[..], b"\"packages\"", b"{\"packages\": {}}", b"[1,"] {
        let result = cataloger("php-composer-installed").catalog(&file, content);
        let error = result.expect_err(&String::from_utf8_lossy(content));
        assert_eq!(error.path, file.path);
    }
}

#[test]
fn dotnet_deps_json() {
    let (packages, errors) = run(
        "dotnet-deps",
        "dotnet/cartservice.deps.json",
        "app/cartservice.deps.json",
        PackageKind::NuGet,
    );
    // The project itself, its project reference and the plain assembly reference are not
    // NuGet packages; the runtime packs of a self-contained publish are.
    assert_eq!(
        packages,
        [
            "Google.Protobuf@3.24.0",
            "Grpc.AspNetCore.Server.ClientFactory@2.59.0",
            "Grpc.AspNetCore@2.59.0",
            "Microsoft.AspNetCore.App.Runtime.linux-x64@8.0.1 <runtimepack>",
            "Microsoft.NETCore.App.Runtime.linux-x64@8.0.1 <runtimepack>",
            "Npgsql@8.0.1",
        ]
    );
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn dotnet_deps_json_bad_keys_and_documents() {
    let dotnet = cataloger("dotnet-deps");
    let file = FileMeta {
        path: "app/x.deps.json",
        size: 1,
        mode: 0o644,
    };
    let found = dotnet
        .catalog(
            &file,
            br#"{"libraries": {"NoVersion": {"type": "package"}, "/1.0": {"type": "package"}, "A/1.0": {"type": "package"}, "B/": {"type": "project"}}}"#,
        )
        .expect("libraries object");
    let names: Vec<String> = found.packages.iter().map(render).collect();
    assert_eq!(names, ["A@1.0"]);
    assert_eq!(found.errors.len(), 2, "{:?}", found.errors);
    for content in [&b"{}"[..], b"{\"libraries\": []}", b"[]", b"not json"] {
        assert!(
            dotnet.catalog(&file, content).is_err(),
            "{}",
            String::from_utf8_lossy(content)
        );
    }
    let wants = |path: &str| {
        dotnet.wants(&FileMeta {
            path,
            size: 1,
            mode: 0o644,
        }) != Want::No
    };
    assert!(wants(
        "usr/share/dotnet/shared/Microsoft.NETCore.App/8.0.1/Microsoft.NETCore.App.deps.json"
    ));
    assert!(!wants("app/.deps.json"));
    assert!(!wants("app/deps.json"));
}

#[test]
fn installed_gem_specifications() {
    let (packages, errors) = run(
        "ruby-gemspec",
        "ruby/nokogiri-1.15.4-x86_64-linux.gemspec",
        "usr/local/bundle/specifications/nokogiri-1.15.4-x86_64-linux.gemspec",
        PackageKind::Gem,
    );
    // A native gem's platform is its architecture.
    assert_eq!(packages, ["nokogiri@1.15.4 [x86_64-linux] {MIT}"]);
    assert!(errors.is_empty(), "{errors:?}");

    let (packages, errors) = run(
        "ruby-gemspec",
        "ruby/json-2.6.1.gemspec",
        "usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec",
        PackageKind::Gem,
    );
    assert_eq!(packages, ["json@2.6.1 {Ruby}"]);
    assert!(errors.is_empty(), "{errors:?}");
}
