//! The purl-spec test-suite vectors for the types Harrier writes (`test-suite-data.json` and
//! `tests/types/{deb,apk,rpm,pypi,npm,maven,golang,cargo,gem,composer,nuget}-test.json` in
//! `package-url/purl-spec`), transcribed as our own tables, and the mapping of each package
//! kind.

use super::*;

type Qualifiers = &'static [(&'static str, &'static str)];

/// Type, namespace, name, version, qualifiers, subpath, and the canonical purl.
type Build = (
    &'static str,
    Option<&'static str>,
    &'static str,
    Option<&'static str>,
    Qualifiers,
    Option<&'static str>,
    &'static str,
);

/// The suite's "build" cases: components in, canonical purl out.
const BUILD: &[Build] = &[
    (
        "deb",
        Some("debian"),
        "curl",
        Some("7.50.3-1"),
        &[("arch", "i386"), ("distro", "jessie")],
        None,
        "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie",
    ),
    (
        "deb",
        Some("debian"),
        "dpkg",
        Some("1.19.0.4"),
        &[("arch", "amd64"), ("distro", "stretch")],
        None,
        "pkg:deb/debian/dpkg@1.19.0.4?arch=amd64&distro=stretch",
    ),
    (
        "deb",
        Some("ubuntu"),
        "dpkg",
        Some("1.19.0.4"),
        &[("arch", "amd64")],
        None,
        "pkg:deb/ubuntu/dpkg@1.19.0.4?arch=amd64",
    ),
    (
        "deb",
        Some("debian"),
        "attr",
        Some("1:2.4.47-2"),
        &[("arch", "source")],
        None,
        "pkg:deb/debian/attr@1:2.4.47-2?arch=source",
    ),
    (
        "deb",
        Some("debian"),
        "attr",
        Some("1:2.4.47-2+b1"),
        &[("arch", "amd64")],
        None,
        "pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64",
    ),
    (
        "apk",
        Some("alpine"),
        "curl",
        Some("7.83.0-r0"),
        &[("arch", "x86")],
        None,
        "pkg:apk/alpine/curl@7.83.0-r0?arch=x86",
    ),
    (
        "apk",
        Some("alpine"),
        "apk",
        Some("2.12.9-r3"),
        &[("arch", "x86")],
        None,
        "pkg:apk/alpine/apk@2.12.9-r3?arch=x86",
    ),
    (
        "apk",
        Some("alpine"),
        "libcrypto3",
        Some("3.5.5-r0"),
        &[
            ("arch", "x86_64"),
            ("distro", "alpine-edge"),
            ("upstream", "openssl"),
        ],
        None,
        "pkg:apk/alpine/libcrypto3@3.5.5-r0?arch=x86_64&distro=alpine-edge&upstream=openssl",
    ),
    (
        "rpm",
        Some("fedora"),
        "curl",
        Some("7.50.3-1.fc25"),
        &[("arch", "i386"), ("distro", "fedora-25")],
        None,
        "pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25",
    ),
    (
        "rpm",
        None,
        "centerim",
        Some("4.22.10-1.el6"),
        &[("arch", "i686"), ("distro", "fedora-25"), ("epoch", "1")],
        None,
        "pkg:rpm/centerim@4.22.10-1.el6?arch=i686&distro=fedora-25&epoch=1",
    ),
    (
        "pypi",
        None,
        "My.PyPI_.--._Package",
        Some("1.11.1.dev1"),
        &[],
        None,
        "pkg:pypi/my-pypi-package@1.11.1.dev1",
    ),
    (
        "pypi",
        None,
        "django",
        Some("1.11.1"),
        &[],
        None,
        "pkg:pypi/django@1.11.1",
    ),
    (
        "pypi",
        None,
        "django",
        Some("1.11.1"),
        &[("filename", "Django-1.11.1.tar.gz")],
        None,
        "pkg:pypi/django@1.11.1?filename=Django-1.11.1.tar.gz",
    ),
    (
        "pypi",
        None,
        "django",
        Some("1.11.1"),
        &[("filename", "Django-1.11.1-py2.py3-none-any.whl")],
        None,
        "pkg:pypi/django@1.11.1?filename=Django-1.11.1-py2.py3-none-any.whl",
    ),
    (
        "pypi",
        None,
        "django-allauth",
        Some("12.23"),
        &[],
        None,
        "pkg:pypi/django-allauth@12.23",
    ),
    (
        "npm",
        Some("@angular"),
        "animation",
        Some("12.3.1"),
        &[],
        None,
        "pkg:npm/%40angular/animation@12.3.1",
    ),
    (
        "npm",
        None,
        "foobar",
        Some("12.3.1"),
        &[],
        None,
        "pkg:npm/foobar@12.3.1",
    ),
    (
        "npm",
        None,
        "mypackage",
        Some("12.4.5"),
        &[("vcs_url", "git://host.com/path/to/repo.git@4345abcd34343")],
        None,
        "pkg:npm/mypackage@12.4.5?vcs_url=git://host.com/path/to/repo.git%404345abcd34343",
    ),
    (
        "maven",
        Some("org.apache.commons"),
        "io",
        Some("1.3.4"),
        &[],
        None,
        "pkg:maven/org.apache.commons/io@1.3.4",
    ),
    (
        "maven",
        Some("org.apache.commons"),
        "io",
        None,
        &[],
        None,
        "pkg:maven/org.apache.commons/io",
    ),
    (
        "maven",
        Some("org.apache.xmlgraphics"),
        "batik-anim",
        Some("1.9.1"),
        &[
            ("classifier", "sources"),
            ("repository_url", "repo.spring.io/release"),
        ],
        None,
        "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?classifier=sources&repository_url=repo.spring.io/release",
    ),
    (
        "maven",
        Some("net.sf.jacob-project"),
        "jacob",
        Some("1.14.3"),
        &[("classifier", "x86"), ("type", "dll")],
        None,
        "pkg:maven/net.sf.jacob-project/jacob@1.14.3?classifier=x86&type=dll",
    ),
    (
        "maven",
        Some("HTTPClient"),
        "HTTPClient",
        Some("0.3-3"),
        &[],
        None,
        "pkg:maven/HTTPClient/HTTPClient@0.3-3",
    ),
    (
        "maven",
        Some("mygroup"),
        "myartifact",
        Some("1.0.0 Final"),
        &[("mykey", "my value")],
        None,
        "pkg:maven/mygroup/myartifact@1.0.0%20Final?mykey=my%20value",
    ),
    (
        "golang",
        Some("google.golang.org"),
        "genproto",
        None,
        &[],
        Some("googleapis/api/annotations"),
        "pkg:golang/google.golang.org/genproto#googleapis/api/annotations",
    ),
    (
        "golang",
        Some("google.golang.org"),
        "genproto",
        Some("abcdedf"),
        &[],
        Some("googleapis/api/annotations"),
        "pkg:golang/google.golang.org/genproto@abcdedf#googleapis/api/annotations",
    ),
    (
        "golang",
        Some("github.com/gorilla"),
        "context",
        Some("234fd47e07d1004f0aed9c"),
        &[],
        None,
        "pkg:golang/github.com/gorilla/context@234fd47e07d1004f0aed9c",
    ),
    (
        "golang",
        Some("github.com/gorilla"),
        "context",
        Some("234fd47e07d1004f0aed9c"),
        &[],
        Some("api"),
        "pkg:golang/github.com/gorilla/context@234fd47e07d1004f0aed9c#api",
    ),
    (
        "cargo",
        None,
        "rand",
        Some("0.7.2"),
        &[],
        None,
        "pkg:cargo/rand@0.7.2",
    ),
    (
        "cargo",
        None,
        "clap",
        Some("2.33.0"),
        &[],
        None,
        "pkg:cargo/clap@2.33.0",
    ),
    (
        "cargo",
        None,
        "structopt",
        Some("0.3.11"),
        &[],
        None,
        "pkg:cargo/structopt@0.3.11",
    ),
    (
        "gem",
        None,
        "jruby-launcher",
        Some("1.1.2"),
        &[("platform", "java")],
        None,
        "pkg:gem/jruby-launcher@1.1.2?platform=java",
    ),
    (
        "composer",
        Some("laravel"),
        "laravel",
        Some("5.5.0"),
        &[],
        None,
        "pkg:composer/laravel/laravel@5.5.0",
    ),
    (
        "nuget",
        None,
        "EnterpriseLibrary.Common",
        Some("6.0.1304"),
        &[],
        None,
        "pkg:nuget/EnterpriseLibrary.Common@6.0.1304",
    ),
];

/// The suite's "parse" and "roundtrip" cases: a purl as written, its components, its canonical
/// form.
struct Parse {
    input: &'static str,
    ty: &'static str,
    namespace: Option<&'static str>,
    name: &'static str,
    version: Option<&'static str>,
    qualifiers: Qualifiers,
    subpath: Option<&'static str>,
    canonical: &'static str,
}

const PARSE: &[Parse] = &[
    Parse {
        input: "pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64",
        ty: "deb",
        namespace: Some("debian"),
        name: "attr",
        version: Some("1:2.4.47-2+b1"),
        qualifiers: &[("arch", "amd64")],
        subpath: None,
        canonical: "pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64",
    },
    Parse {
        input: "pkg:Rpm/fedora/curl@7.50.3-1.fc25?Arch=i386&Distro=fedora-25",
        ty: "rpm",
        namespace: Some("fedora"),
        name: "curl",
        version: Some("7.50.3-1.fc25"),
        qualifiers: &[("arch", "i386"), ("distro", "fedora-25")],
        subpath: None,
        canonical: "pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25",
    },
    Parse {
        input: "pkg:rpm/centerim@4.22.10-1.el6?arch=i686&epoch=1&distro=fedora-25",
        ty: "rpm",
        namespace: None,
        name: "centerim",
        version: Some("4.22.10-1.el6"),
        qualifiers: &[("arch", "i686"), ("distro", "fedora-25"), ("epoch", "1")],
        subpath: None,
        canonical: "pkg:rpm/centerim@4.22.10-1.el6?arch=i686&distro=fedora-25&epoch=1",
    },
    Parse {
        input: "pkg:PYPI/Django_package@1.11.1.dev1",
        ty: "pypi",
        namespace: None,
        name: "django-package",
        version: Some("1.11.1.dev1"),
        qualifiers: &[],
        subpath: None,
        canonical: "pkg:pypi/django-package@1.11.1.dev1",
    },
    Parse {
        input: "pkg:pypi/My.PyPI_.--._Package@1.11.1.dev1",
        ty: "pypi",
        namespace: None,
        name: "my-pypi-package",
        version: Some("1.11.1.dev1"),
        qualifiers: &[],
        subpath: None,
        canonical: "pkg:pypi/my-pypi-package@1.11.1.dev1",
    },
    Parse {
        input: "pkg:Maven/org.apache.xmlgraphics/batik-anim@1.9.1?classifier=sources&repositorY_url=repo.spring.io/release",
        ty: "maven",
        namespace: Some("org.apache.xmlgraphics"),
        name: "batik-anim",
        version: Some("1.9.1"),
        qualifiers: &[
            ("classifier", "sources"),
            ("repository_url", "repo.spring.io/release"),
        ],
        subpath: None,
        canonical: "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?classifier=sources&repository_url=repo.spring.io/release",
    },
    Parse {
        input: "pkg:Maven/org.apache.xmlgraphics/batik-anim@1.9.1?extension=pom&repositorY_url=repo.spring.io/release",
        ty: "maven",
        namespace: Some("org.apache.xmlgraphics"),
        name: "batik-anim",
        version: Some("1.9.1"),
        qualifiers: &[
            ("extension", "pom"),
            ("repository_url", "repo.spring.io/release"),
        ],
        subpath: None,
        canonical: "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?extension=pom&repository_url=repo.spring.io/release",
    },
    Parse {
        input: "pkg:/maven/org.apache.commons/io",
        ty: "maven",
        namespace: Some("org.apache.commons"),
        name: "io",
        version: None,
        qualifiers: &[],
        subpath: None,
        canonical: "pkg:maven/org.apache.commons/io",
    },
    Parse {
        input: "pkg://maven/org.apache.commons/io",
        ty: "maven",
        namespace: Some("org.apache.commons"),
        name: "io",
        version: None,
        qualifiers: &[],
        subpath: None,
        canonical: "pkg:maven/org.apache.commons/io",
    },
    Parse {
        input: "pkg:///maven/org.apache.commons/io",
        ty: "maven",
        namespace: Some("org.apache.commons"),
        name: "io",
        version: None,
        qualifiers: &[],
        subpath: None,
        canonical: "pkg:maven/org.apache.commons/io",
    },
    Parse {
        input: "pkg:maven/mygroup/myartifact@1.0.0%20Final?mykey=my%20value",
        ty: "maven",
        namespace: Some("mygroup"),
        name: "myartifact",
        version: Some("1.0.0 Final"),
        qualifiers: &[("mykey", "my value")],
        subpath: None,
        canonical: "pkg:maven/mygroup/myartifact@1.0.0%20Final?mykey=my%20value",
    },
    Parse {
        input: "pkg:GOLANG/google.golang.org/genproto#/googleapis/api/annotations/",
        ty: "golang",
        namespace: Some("google.golang.org"),
        name: "genproto",
        version: None,
        qualifiers: &[],
        subpath: Some("googleapis/api/annotations"),
        canonical: "pkg:golang/google.golang.org/genproto#googleapis/api/annotations",
    },
    Parse {
        input: "pkg:GOLANG/google.golang.org/genproto@abcdedf#/googleapis/api/annotations/",
        ty: "golang",
        namespace: Some("google.golang.org"),
        name: "genproto",
        version: Some("abcdedf"),
        qualifiers: &[],
        subpath: Some("googleapis/api/annotations"),
        canonical: "pkg:golang/google.golang.org/genproto@abcdedf#googleapis/api/annotations",
    },
    Parse {
        input: "pkg:gem/jruby-launcher@1.1.2?Platform=java",
        ty: "gem",
        namespace: None,
        name: "jruby-launcher",
        version: Some("1.1.2"),
        qualifiers: &[("platform", "java")],
        subpath: None,
        canonical: "pkg:gem/jruby-launcher@1.1.2?platform=java",
    },
    Parse {
        input: "pkg:Nuget/EnterpriseLibrary.Common@6.0.1304",
        ty: "nuget",
        namespace: None,
        name: "EnterpriseLibrary.Common",
        version: Some("6.0.1304"),
        qualifiers: &[],
        subpath: None,
        canonical: "pkg:nuget/EnterpriseLibrary.Common@6.0.1304",
    },
    Parse {
        input: "pkg:npm/%40angular/animation@12.3.1",
        ty: "npm",
        namespace: Some("@angular"),
        name: "animation",
        version: Some("12.3.1"),
        qualifiers: &[],
        subpath: None,
        canonical: "pkg:npm/%40angular/animation@12.3.1",
    },
    Parse {
        input: "pkg:npm/@babel/core#/googleapis/api/annotations/",
        ty: "npm",
        namespace: Some("@babel"),
        name: "core",
        version: None,
        qualifiers: &[],
        subpath: Some("googleapis/api/annotations"),
        canonical: "pkg:npm/%40babel/core#googleapis/api/annotations",
    },
    Parse {
        input: "pkg:npm/core@2.0.1#/googleapis/api/annotations/",
        ty: "npm",
        namespace: None,
        name: "core",
        version: Some("2.0.1"),
        qualifiers: &[],
        subpath: Some("googleapis/api/annotations"),
        canonical: "pkg:npm/core@2.0.1#googleapis/api/annotations",
    },
    Parse {
        input: "pkg:npm/LoDash@4.17.21",
        ty: "npm",
        namespace: None,
        name: "lodash",
        version: Some("4.17.21"),
        qualifiers: &[],
        subpath: None,
        canonical: "pkg:npm/lodash@4.17.21",
    },
    Parse {
        input: "pkg:npm/%40MyScope/MyPackage@1.0.0",
        ty: "npm",
        namespace: Some("@myscope"),
        name: "mypackage",
        version: Some("1.0.0"),
        qualifiers: &[],
        subpath: None,
        canonical: "pkg:npm/%40myscope/mypackage@1.0.0",
    },
    Parse {
        input: "pkg:npm/foo@1.0.0#src/%F0%9F%98%83/file.js",
        ty: "npm",
        namespace: None,
        name: "foo",
        version: Some("1.0.0"),
        qualifiers: &[],
        subpath: Some("src/\u{1F603}/file.js"),
        canonical: "pkg:npm/foo@1.0.0#src/%F0%9F%98%83/file.js",
    },
    Parse {
        input: "pkg:npm/foo@1.0.0?vcs_url=https://a.com/b/c%F0%9F%98%83d.git",
        ty: "npm",
        namespace: None,
        name: "foo",
        version: Some("1.0.0"),
        qualifiers: &[("vcs_url", "https://a.com/b/c\u{1F603}d.git")],
        subpath: None,
        canonical: "pkg:npm/foo@1.0.0?vcs_url=https://a.com/b/c%F0%9F%98%83d.git",
    },
    Parse {
        input: "pkg:npm/mypackage@12.4.5?vcs_url=git://host.com/path/to/repo.git%404345abcd34343",
        ty: "npm",
        namespace: None,
        name: "mypackage",
        version: Some("12.4.5"),
        qualifiers: &[("vcs_url", "git://host.com/path/to/repo.git@4345abcd34343")],
        subpath: None,
        canonical: "pkg:npm/mypackage@12.4.5?vcs_url=git://host.com/path/to/repo.git%404345abcd34343",
    },
    // The older suite encoded `:` and `/` in qualifier values; the reading is the same.
    Parse {
        input: "pkg:npm/packageurl-js@0.0.7?vcs_url=git%2Bhttps%3A%2F%2Fgithub.com%2Fpackage-url%2Fpackageurl-js.git",
        ty: "npm",
        namespace: None,
        name: "packageurl-js",
        version: Some("0.0.7"),
        qualifiers: &[(
            "vcs_url",
            "git+https://github.com/package-url/packageurl-js.git",
        )],
        subpath: None,
        canonical: "pkg:npm/packageurl-js@0.0.7?vcs_url=git%2Bhttps://github.com/package-url/packageurl-js.git",
    },
    Parse {
        input: "pkg:composer/Laravel/Laravel@5.5.0",
        ty: "composer",
        namespace: Some("laravel"),
        name: "laravel",
        version: Some("5.5.0"),
        qualifiers: &[],
        subpath: None,
        canonical: "pkg:composer/laravel/laravel@5.5.0",
    },
    Parse {
        input: "pkg:composer/guzzlehttp/promises@2.0.2",
        ty: "composer",
        namespace: Some("guzzlehttp"),
        name: "promises",
        version: Some("2.0.2"),
        qualifiers: &[],
        subpath: None,
        canonical: "pkg:composer/guzzlehttp/promises@2.0.2",
    },
    Parse {
        input: "pkg:apk/alpine/libcrypto3@3.5.5-r0?arch=x86_64&distro=alpine-edge&upstream=openssl",
        ty: "apk",
        namespace: Some("alpine"),
        name: "libcrypto3",
        version: Some("3.5.5-r0"),
        qualifiers: &[
            ("arch", "x86_64"),
            ("distro", "alpine-edge"),
            ("upstream", "openssl"),
        ],
        subpath: None,
        canonical: "pkg:apk/alpine/libcrypto3@3.5.5-r0?arch=x86_64&distro=alpine-edge&upstream=openssl",
    },
];

/// The suite's invalid purls.
const INVALID: &[&str] = &[
    "EnterpriseLibrary.Common@6.0.1304",
    "pkg:EnterpriseLibrary.Common@6.0.1304",
    "pkg:maven/@1.3.4",
    "pkg:npm/myartifact@1.0.0?in%20production=true",
    "pkg:cran/@0.9.1",
    "pkg:hackage",
    "pkg:npm/",
];

#[test]
fn builds_the_suites_canonical_purls() {
    for (ty, namespace, name, version, qualifiers, subpath, expected) in BUILD {
        let mut purl = Purl::new(ty, *namespace, name).expect(expected);
        if let Some(v) = version {
            purl = purl.with_version(v);
        }
        for (k, v) in *qualifiers {
            purl = purl.with_qualifier(k, v).expect(expected);
        }
        if let Some(s) = subpath {
            purl = purl.with_subpath(s);
        }
        assert_eq!(purl.to_string(), *expected);
        assert_eq!(expected.parse::<Purl>().as_ref(), Ok(&purl), "{expected}");
    }
}

#[test]
fn parses_the_suites_purls() {
    for case in PARSE {
        let purl: Purl = case.input.parse().expect(case.input);
        assert_eq!(purl.ty(), case.ty, "{}", case.input);
        assert_eq!(purl.namespace(), case.namespace, "{}", case.input);
        assert_eq!(purl.name(), case.name, "{}", case.input);
        assert_eq!(purl.version(), case.version, "{}", case.input);
        let qualifiers: Vec<(&str, &str)> = purl
            .qualifiers()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(qualifiers, case.qualifiers, "{}", case.input);
        assert_eq!(purl.subpath(), case.subpath, "{}", case.input);
        assert_eq!(purl.to_string(), case.canonical, "{}", case.input);
        assert_eq!(case.canonical.parse::<Purl>().as_ref(), Ok(&purl));
    }
}

#[test]
fn rejects_the_suites_invalid_purls() {
    for input in INVALID {
        assert!(input.parse::<Purl>().is_err(), "{input} parsed");
    }
    assert!(
        Purl::new("npm", None, "x")
            .unwrap()
            .with_qualifier("in production", "true")
            .is_err()
    );
    assert!(
        "pkg:npm/a@1?a=1&A=2".parse::<Purl>().is_err(),
        "duplicate qualifier"
    );
    assert_eq!("pkg:npm/%FF@1".parse::<Purl>(), Err(PurlError::NotUtf8));
    let long = format!("pkg:npm/{}", "a".repeat(MAX_PURL_LEN));
    assert_eq!(long.parse::<Purl>(), Err(PurlError::TooLong));
}

fn debian() -> Distro {
    Distro {
        id: "debian".into(),
        version_id: Some("12".into()),
        codename: Some("bookworm".into()),
        ..Distro::default()
    }
}

fn package(kind: PackageKind, name: &str, version: &str) -> Package {
    Package::new(kind, name, version, "x")
}

#[test]
fn names_each_kind_of_package() {
    let mut openssl = package(PackageKind::Deb, "openssl", "3.0.11-1~deb12u2");
    openssl.arch = Some("amd64".into());
    openssl.source = Some(SourcePackage {
        name: "openssl".into(),
        version: None,
    });
    let mut libc = package(PackageKind::Deb, "libc6", "2.36-9+deb12u4");
    libc.arch = Some("amd64".into());
    libc.source = Some(SourcePackage {
        name: "glibc".into(),
        version: Some("2.36-9+deb12u3".into()),
    });
    let mut musl = package(PackageKind::Apk, "musl", "1.2.4_git20230717-r4");
    musl.arch = Some("x86_64".into());
    musl.source = Some(SourcePackage {
        name: "musl".into(),
        version: None,
    });
    let alpine = Distro {
        id: "alpine".into(),
        version_id: Some("3.19.1".into()),
        ..Distro::default()
    };
    let mut rpm = package(PackageKind::Rpm, "openssl-libs", "1:3.0.7-27.el9");
    rpm.arch = Some("x86_64".into());
    rpm.source = Some(SourcePackage {
        name: "openssl".into(),
        version: Some("1:3.0.7-27.el9".into()),
    });
    let rhel = Distro {
        id: "rhel".into(),
        version_id: Some("9.4".into()),
        ..Distro::default()
    };
    let debian = debian();
    let cases: Vec<(Package, Option<&Distro>, &str)> = vec![
        (
            openssl,
            Some(&debian),
            "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl",
        ),
        (
            libc,
            Some(&debian),
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc%402.36-9%2Bdeb12u3",
        ),
        (
            musl,
            Some(&alpine),
            "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1&upstream=musl",
        ),
        (
            rpm,
            Some(&rhel),
            "pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm",
        ),
        (
            package(PackageKind::Rpm, "bash", "5.1.8-9.el9"),
            None,
            "pkg:rpm/bash@5.1.8-9.el9",
        ),
        (
            package(PackageKind::Python, "Django_Allauth", "0.61.1"),
            None,
            "pkg:pypi/django-allauth@0.61.1",
        ),
        (
            package(PackageKind::Npm, "@babel/core", "7.24.0"),
            None,
            "pkg:npm/%40babel/core@7.24.0",
        ),
        (
            package(PackageKind::Npm, "lodash", "4.17.21"),
            None,
            "pkg:npm/lodash@4.17.21",
        ),
        (
            package(
                PackageKind::Java,
                "org.apache.commons:commons-lang3",
                "3.14.0",
            ),
            None,
            "pkg:maven/org.apache.commons/commons-lang3@3.14.0",
        ),
        (
            package(PackageKind::Java, "unknown-jar", "1.0"),
            None,
            "pkg:maven/unknown-jar@1.0",
        ),
        (
            package(
                PackageKind::GoModule,
                "github.com/BurntSushi/toml",
                "v1.3.2",
            ),
            None,
            "pkg:golang/github.com/BurntSushi/toml@v1.3.2",
        ),
        (
            package(PackageKind::GoModule, "golang.org/x/net", "v0.21.0"),
            None,
            "pkg:golang/golang.org/x/net@v0.21.0",
        ),
        (
            package(PackageKind::GoStdlib, "stdlib", "1.22.1"),
            None,
            "pkg:golang/stdlib@1.22.1",
        ),
        (
            package(PackageKind::Rust, "serde", "1.0.197"),
            None,
            "pkg:cargo/serde@1.0.197",
        ),
        (
            package(PackageKind::Gem, "rails", "7.1.3"),
            None,
            "pkg:gem/rails@7.1.3",
        ),
        (
            package(PackageKind::Composer, "Laravel/Framework", "v11.0.0"),
            None,
            "pkg:composer/laravel/framework@v11.0.0",
        ),
        (
            package(PackageKind::NuGet, "Newtonsoft.Json", "13.0.3"),
            None,
            "pkg:nuget/Newtonsoft.Json@13.0.3",
        ),
    ];
    for (p, distro, expected) in cases {
        let purl = Purl::for_package(&p, distro).expect(expected);
        assert_eq!(purl.to_string(), expected);
        // And back: the same package, names aside where the type lowercases them.
        let back = expected.parse::<Purl>().unwrap().to_package().unwrap();
        assert_eq!(back.kind, p.kind, "{expected}");
        assert_eq!(back.version, p.version, "{expected}");
        assert_eq!(back.arch, p.arch, "{expected}");
        assert_eq!(
            back.source,
            p.source.map(|s| SourcePackage {
                version: s
                    .version
                    .map(|v| v.split_once(':').map_or(v.clone(), |(_, r)| r.to_owned())),
                ..s
            }),
            "{expected}"
        );
        if !matches!(p.kind, PackageKind::Python | PackageKind::Composer) {
            assert_eq!(back.name, p.name, "{expected}");
        }
    }
}

#[test]
fn reads_the_distro_back() {
    let distro = |purl: &str| purl.parse::<Purl>().unwrap().to_package().unwrap().distro;
    let d = distro("pkg:deb/debian/curl@7.88.1-10?distro=debian-12").unwrap();
    assert_eq!(
        (d.id.as_str(), d.version_id.as_deref()),
        ("debian", Some("12"))
    );
    let d = distro("pkg:rpm/redhat/bash@5.1.8-9.el9?distro=rhel-9.4").unwrap();
    assert_eq!(
        (d.id.as_str(), d.version_id.as_deref()),
        ("rhel", Some("9.4"))
    );
    let d = distro("pkg:rpm/opensuse/zsh?distro=opensuse-leap-15.5").unwrap();
    assert_eq!(
        (d.id.as_str(), d.version_id.as_deref()),
        ("opensuse-leap", Some("15.5"))
    );
    let d = distro("pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie").unwrap();
    assert_eq!(
        (d.id.as_str(), d.codename.as_deref()),
        ("debian", Some("jessie"))
    );
    let d = distro("pkg:apk/alpine/curl@8.5.0-r0?distro=alpine-edge").unwrap();
    assert_eq!(
        (d.id.as_str(), d.codename.as_deref()),
        ("alpine", Some("edge"))
    );
    let d = distro("pkg:deb/debian/curl@8.5.0-1?distro=debian").unwrap();
    assert_eq!(
        (d.id.as_str(), d.version_id, d.codename),
        ("debian", None, None)
    );
    let d = distro("pkg:rpm/redhat/bash@5.1.8-9.el9").unwrap();
    assert_eq!(d.id, "rhel");
    assert_eq!(distro("pkg:rpm/bash@5.1.8-9.el9"), None);
    assert_eq!(distro("pkg:pypi/django@5.0?distro=debian-12"), None);
}

#[test]
fn reads_sources_back() {
    let source = |purl: &str| purl.parse::<Purl>().unwrap().to_package().unwrap().source;
    assert_eq!(
        source("pkg:rpm/redhat/p@v-r?upstream=sourcerpm"),
        Some(SourcePackage {
            name: "sourcerpm".into(),
            version: None
        })
    );
    assert_eq!(
        source(
            "pkg:rpm/fedora/python3-libs@3.12.2-2.fc40?upstream=python3.12-3.12.2-2.fc40.src.rpm"
        ),
        Some(SourcePackage {
            name: "python3.12".into(),
            version: Some("3.12.2-2.fc40".into())
        })
    );
    assert_eq!(
        source("pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.15?upstream=openssl%403.0.2-0ubuntu1.14"),
        Some(SourcePackage {
            name: "openssl".into(),
            version: Some("3.0.2-0ubuntu1.14".into())
        })
    );
    assert_eq!(source("pkg:npm/lodash@4.17.21?upstream=x"), None);
}

#[test]
fn rejects_types_harrier_does_not_catalog() {
    let purl: Purl = "pkg:conan/cctz@2.3".parse().unwrap();
    assert_eq!(
        purl.to_package(),
        Err(PurlError::Unsupported("conan".into()))
    );
}

#[test]
fn encodes_what_must_be_encoded() {
    let purl = Purl::new("maven", Some("g"), "a/b@c")
        .unwrap()
        .with_version("1.0/x y+z@w")
        .with_qualifier("k", "a/b:c d&e=f#g?h@i+j%k")
        .unwrap();
    assert_eq!(
        purl.to_string(),
        "pkg:maven/g/a%2Fb%40c@1.0%2Fx%20y%2Bz%40w?k=a/b:c%20d%26e%3Df%23g%3Fh%40i%2Bj%25k"
    );
    assert_eq!(purl.to_string().parse::<Purl>(), Ok(purl));
    // A stray `%` is kept as written, as the reference implementation does.
    let purl: Purl = "pkg:maven/g/a@1?k=%zz".parse().unwrap();
    assert_eq!(purl.qualifier("k"), Some("%zz"));
}

/// Encoded separators and dots are read as what they encode, so that the canonical form of
/// any purl reads back to the same purl.
#[test]
fn decodes_before_normalising() {
    for (text, canonical) in [
        ("pkg:cargo/a#%2E%2E/b/%2E", "pkg:cargo/a#b"),
        ("pkg:cargo/a#x%2Fy", "pkg:cargo/a#x/y"),
        ("pkg:cargo/%2F%20a%20%2F", "pkg:cargo/a"),
    ] {
        let purl: Purl = text.parse().unwrap();
        assert_eq!(purl.to_string(), canonical, "{text}");
        assert_eq!(canonical.parse::<Purl>(), Ok(purl), "{text}");
    }
}
