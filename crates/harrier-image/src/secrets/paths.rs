//! Which files are read, from their path alone, and what kind of file a path names.
//!
//! Called for every entry of every layer, so it allocates nothing: it compares path
//! components and extensions in place.

/// The largest file read. Secrets live in small text files; larger ones are logs, data and
/// bundles, and would cost time on every layer.
pub const MAX_BYTES: u64 = 1024 * 1024;

/// Files whose format a rule knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FileKind {
    Npmrc,
    Pypirc,
    Netrc,
    GitCredentials,
    DockerConfig,
    Kubeconfig,
    EnvFile,
    ServiceAccountToken,
    Other,
}

impl FileKind {
    pub(super) fn of(path: &str) -> FileKind {
        let name = path.rsplit('/').next().unwrap_or(path);
        let parent = path
            .rsplit('/')
            .nth(1)
            .filter(|_| path.contains('/'))
            .unwrap_or("");
        if name == ".npmrc" || path == "etc/npmrc" || path.ends_with("/etc/npmrc") {
            FileKind::Npmrc
        } else if name == ".pypirc" {
            FileKind::Pypirc
        } else if name == ".netrc" || name == "_netrc" {
            FileKind::Netrc
        } else if name == ".git-credentials" || (name == "credentials" && parent == "git") {
            FileKind::GitCredentials
        } else if (name == "config.json" && parent == ".docker")
            || name == ".dockercfg"
            || (name == "auth.json" && path.contains("containers/"))
        {
            FileKind::DockerConfig
        } else if (name == "config" && parent == ".kube")
            || name.contains("kubeconfig")
            || (path.starts_with("etc/kubernetes/") && name.ends_with(".conf"))
        {
            FileKind::Kubeconfig
        } else if is_env_file(name) {
            FileKind::EnvFile
        } else if path.ends_with("secrets/kubernetes.io/serviceaccount/token") {
            FileKind::ServiceAccountToken
        } else {
            FileKind::Other
        }
    }
}

/// `.env`, `.env.production`, `app.env`, `.envrc`; not `.env.example` and other templates.
fn is_env_file(name: &str) -> bool {
    if name == ".env" || name == ".envrc" {
        return true;
    }
    if let Some(stage) = name.strip_prefix(".env.") {
        return !stage.split('.').any(|part| {
            [
                "example", "sample", "template", "tmpl", "dist", "defaults", "default", "schema",
            ]
            .iter()
            .any(|t| part.eq_ignore_ascii_case(t))
        });
    }
    name.len() > 4 && name.ends_with(".env")
}

/// Key files read whatever else the path says (their extension is not a binary one, but a
/// change there must not drop them).
fn is_key_file(name: &str) -> bool {
    matches!(
        name,
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | "id_ecdsa_sk" | "id_ed25519_sk"
    ) || has_extension(name, &["pem", "key", "ppk", "p8"])
}

/// Whether the scanner reads this file.
pub(super) fn wants(path: &str, size: u64) -> bool {
    if size > MAX_BYTES || is_package_test_or_doc(path) || is_system_data(path) {
        return false;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    is_key_file(name) || FileKind::of(path) != FileKind::Other || !is_binary_name(name)
}

/// Trees of system data that hold no one's secrets and many files: package databases, locale
/// and time-zone data, headers, firmware, kernel modules, and the pseudo-filesystems a root
/// filesystem directory may show.
const SYSTEM_DATA: &[&str] = &[
    "dev/",
    "lib/apk/db/",
    "lib/firmware/",
    "lib/modules/",
    "proc/",
    "sys/",
    "usr/include/",
    "usr/lib/firmware/",
    "usr/lib/locale/",
    "usr/lib/modules/",
    "usr/local/include/",
    "usr/share/X11/locale/",
    "usr/share/common-licenses/",
    "usr/share/fonts/",
    "usr/share/i18n/",
    "usr/share/icons/",
    "usr/share/locale/",
    "usr/share/mime/",
    "usr/share/terminfo/",
    "usr/share/zoneinfo/",
    "var/cache/apt/",
    "var/cache/dnf/",
    "var/cache/yum/",
    "var/lib/apt/",
    "var/lib/dpkg/",
    "var/lib/rpm/",
];

fn is_system_data(path: &str) -> bool {
    SYSTEM_DATA.iter().any(|p| path.starts_with(p))
}

/// Documentation trees of installed packages.
const DOC_TREES: &[&str] = &[
    "usr/local/share/doc/",
    "usr/local/share/man/",
    "usr/share/devhelp/",
    "usr/share/doc/",
    "usr/share/gtk-doc/",
    "usr/share/help/",
    "usr/share/info/",
    "usr/share/man/",
];

/// Where installed packages and third-party code live: what is under them came from a public
/// package, not from whoever built the image.
const PACKAGE_ROOTS: &[&str] = &[
    "usr/lib/",
    "usr/lib64/",
    "usr/local/lib/",
    "usr/local/share/",
    "usr/share/",
];
const PACKAGE_DIRS: &[&str] = &[
    ".cargo",
    ".gradle",
    ".m2",
    ".npm",
    "bower_components",
    "dist-packages",
    "gems",
    "node_modules",
    "site-packages",
    "vendor",
];
/// Directory names of tests, fixtures, examples and documentation inside a package.
const TEST_DIRS: &[&str] = &[
    "__tests__",
    "demo",
    "demos",
    "doc",
    "docs",
    "example",
    "examples",
    "fixtures",
    "sample",
    "samples",
    "spec",
    "specs",
    "test",
    "test-data",
    "test_data",
    "testdata",
    "testing",
    "tests",
    "testsuite",
];

/// The known-test-keys policy: test suites, fixtures, examples and documentation that come
/// with installed packages are not read. Python's test suite (`usr/lib/python3.*/test/`), Go's
/// standard library sources (`crypto/tls/testdata`, `*_test.go`), packages' `tests/` and
/// `examples/` directories and `/usr/share/doc` ship private keys and tokens on purpose, and
/// they are public: the same bytes are in every copy of the package. Whatever the image's
/// author added is elsewhere (`/app`, `/etc`, `/root`, `/home`, `/srv`, `/opt`) and is read
/// whatever its directory is called, tests included.
pub(super) fn is_package_test_or_doc(path: &str) -> bool {
    if DOC_TREES.iter().any(|p| path.starts_with(p)) || is_go_root_source(path) {
        return true;
    }
    // What is below the package root or directory; what is above it is the image author's.
    let inside = if let Some(root) = PACKAGE_ROOTS.iter().find(|p| path.starts_with(*p)) {
        path.get(root.len()..).unwrap_or_default()
    } else {
        let mut offset = 0;
        let mut inside = None;
        for component in path.split('/') {
            offset += component.len() + 1;
            if PACKAGE_DIRS.contains(&component) {
                inside = path.get(offset..);
                break;
            }
        }
        match inside {
            Some(inside) => inside,
            None => return false,
        }
    };
    let mut components = inside.split('/');
    let name = components.next_back().unwrap_or(inside);
    components.any(|c| TEST_DIRS.iter().any(|t| c.eq_ignore_ascii_case(t)))
        || name.ends_with("_test.go")
        || (name.starts_with("test_") && name.ends_with(".py"))
        || name.ends_with("_test.py")
        || [".test.js", ".spec.js", ".test.ts", ".spec.ts"]
            .iter()
            .any(|s| name.ends_with(s))
}

/// A Go distribution's sources and tests (`usr/local/go/src/`, `usr/lib/go-1.22/test/`).
fn is_go_root_source(path: &str) -> bool {
    if !path.starts_with("usr/") {
        return false;
    }
    let mut previous = "";
    for component in path.split('/') {
        let go = previous == "go"
            || previous
                .strip_prefix("go-")
                .is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()));
        if go && (component == "src" || component == "test") {
            return true;
        }
        previous = component;
    }
    false
}

/// Extensions of files that are never text.
const BINARY_EXTENSIONS: &[&str] = &[
    "7z", "a", "apk", "avi", "beam", "bin", "bmp", "bz2", "class", "db", "deb", "dll", "dylib",
    "ear", "elc", "eot", "exe", "flac", "gif", "gmo", "gz", "ico", "idx", "jar", "jpeg", "jpg",
    "ko", "lz4", "lzma", "mo", "mov", "mp3", "mp4", "node", "o", "ogg", "otf", "pack", "pdf",
    "pfb", "png", "pyc", "pyo", "rar", "rpm", "so", "sqlite", "sqlite3", "tbz", "tgz", "tif",
    "tiff", "ttf", "txz", "war", "wasm", "wav", "webm", "webp", "whl", "woff", "woff2", "xz",
    "zip", "zst",
];

fn has_extension(name: &str, extensions: &[&str]) -> bool {
    name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && extensions.iter().any(|e| ext.eq_ignore_ascii_case(e))
    })
}

/// By name: a binary extension, or a versioned shared library (`libssl.so.3`).
fn is_binary_name(name: &str) -> bool {
    has_extension(name, BINARY_EXTENSIONS)
        || name.split_once(".so.").is_some_and(|(_, version)| {
            version
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_of_files() {
        for (path, kind) in [
            ("root/.npmrc", FileKind::Npmrc),
            ("usr/local/etc/npmrc", FileKind::Npmrc),
            ("home/app/.pypirc", FileKind::Pypirc),
            ("root/.netrc", FileKind::Netrc),
            ("root/.git-credentials", FileKind::GitCredentials),
            ("root/.config/git/credentials", FileKind::GitCredentials),
            ("root/.docker/config.json", FileKind::DockerConfig),
            ("kaniko/.docker/config.json", FileKind::DockerConfig),
            ("run/containers/0/auth.json", FileKind::DockerConfig),
            ("root/.kube/config", FileKind::Kubeconfig),
            ("etc/kubernetes/admin.conf", FileKind::Kubeconfig),
            ("srv/deploy/prod-kubeconfig.yaml", FileKind::Kubeconfig),
            ("app/.env", FileKind::EnvFile),
            ("app/.env.production", FileKind::EnvFile),
            ("app/config/prod.env", FileKind::EnvFile),
            ("app/.env.example", FileKind::Other),
            ("app/.env.local.sample", FileKind::Other),
            (
                "var/run/secrets/kubernetes.io/serviceaccount/token",
                FileKind::ServiceAccountToken,
            ),
            ("app/config.json", FileKind::Other),
            ("etc/passwd", FileKind::Other),
        ] {
            assert_eq!(FileKind::of(path), kind, "{path}");
        }
    }

    #[test]
    fn what_is_read() {
        for path in [
            "etc/ssl/private/server.key",
            "root/.ssh/id_rsa",
            "app/config/settings.yaml",
            "app/tests/fixtures/server.pem",
            "app/tests/node_modules/x/index.js",
            "usr/local/bin/entrypoint.sh",
            "usr/lib/python3/dist-packages/myapp/settings.py",
            "opt/app/.env",
            "usr/share/nginx/html/index.html",
        ] {
            assert!(wants(path, 100), "{path}");
        }
        for path in [
            "usr/lib/python3.11/test/keycert.pem",
            "usr/local/lib/python3.12/test/certdata/keycert.pem",
            "usr/lib/python3/dist-packages/cryptography/hazmat/tests/key.pem",
            "usr/share/go-1.19/src/crypto/tls/testdata/example-key.pem",
            "usr/local/go/src/net/http/internal/testcert/testcert.go",
            "usr/local/go/src/crypto/x509/pem_decrypt_test.go",
            "usr/share/doc/libxmlsec1-dev/examples/rsakey.pem",
            "app/node_modules/https-proxy-agent/test/ssl-cert-snakeoil.key",
            "app/node_modules/x/lib/key.test.js",
            "usr/lib/x86_64-linux-gnu/libssl.so.3",
            "usr/lib/x86_64-linux-gnu/libc.so.6",
            "usr/share/zoneinfo/Europe/Paris",
            "var/lib/dpkg/status",
            "app/static/logo.png",
            "app/lib/app.jar",
        ] {
            assert!(!wants(path, 100), "{path}");
        }
        assert!(!wants("etc/big.conf", MAX_BYTES + 1));
    }
}
