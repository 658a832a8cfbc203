//! Which distribution an image is, and where its packages' advisories are.
//!
//! [`detect`] chooses, as syft and Trivy do, from the files of the final filesystem view that
//! [`is_os_release_file`] names:
//! 1. `etc/os-release`, else `usr/lib/os-release` (os-release(5); `etc/os-release` is usually a
//!    symlink to the other): `ID`, `VERSION_ID`, `VERSION_CODENAME`, `PRETTY_NAME`, `ID_LIKE`.
//!    When it lacks `VERSION_ID`, Debian's `etc/debian_version` (`trixie/sid`) supplies the
//!    codename, and Alpine's `etc/alpine-release` the version.
//! 2. Without os-release (images older than about 2016): `etc/alpine-release` (Alpine),
//!    `etc/centos-release`, then `etc/redhat-release` (`CentOS Linux release 7.9.2009 (Core)`,
//!    `Red Hat Enterprise Linux Server release 6.10 (Santiago)`, also Fedora, Rocky, Alma),
//!    `etc/lsb-release` (Ubuntu before 16.04 wrote only this), then `etc/debian_version`
//!    (Debian; Ubuntu's says `bookworm/sid` and so comes last).
//!
//! os-release is read as systemd reads it (`parse_env_file`): `KEY=value` lines, values
//! unquoted, in single quotes (literal) or double quotes (where `\` escapes `"`, `\`, `` ` ``
//! and `$`), outside quotes `\` escapes any character, a `\` before a newline continues the
//! line, adjacent quoted and unquoted parts join, and lines starting with `#` or `;` are
//! comments.
//!
//! [`vuln_ecosystem`] maps a distro to the OSV ecosystem its advisories are filed under, with
//! the release as `harrier-vulndb` normalises it (see its `ecosystem` module).

use crate::Distro;

/// The files [`detect`] reads, relative to the root without a leading `/`.
pub const RELEASE_FILES: &[&str] = &[
    "etc/os-release",
    "usr/lib/os-release",
    "etc/alpine-release",
    "etc/debian_version",
    "etc/redhat-release",
    "etc/centos-release",
    "etc/lsb-release",
];

/// The largest release file read; real ones are a few hundred bytes.
pub const MAX_BYTES: u64 = 64 << 10;

fn normalise(path: &str) -> &str {
    let mut path = path;
    loop {
        if let Some(rest) = path.strip_prefix("./") {
            path = rest;
        } else if let Some(rest) = path.strip_prefix('/') {
            path = rest;
        } else {
            return path;
        }
    }
}

/// Whether [`detect`] reads the file at `path` (relative to the root, as the walk names files).
pub fn is_os_release_file(path: &str) -> bool {
    RELEASE_FILES.contains(&normalise(path))
}

/// The distribution, from whichever release files exist (`(path, content)`, paths as
/// [`is_os_release_file`] takes them; other files are ignored); `None` if none says.
pub fn detect(files: &[(&str, &[u8])]) -> Option<Distro> {
    let file = |name: &str| {
        files
            .iter()
            .find(|(path, _)| normalise(path) == name)
            .map(|(_, content)| String::from_utf8_lossy(content))
    };
    let os_release = file("etc/os-release")
        .and_then(|text| from_os_release(&text))
        .or_else(|| file("usr/lib/os-release").and_then(|text| from_os_release(&text)));
    if let Some(mut distro) = os_release {
        if distro.version_id.is_none() {
            match distro.id.as_str() {
                "debian" => {
                    if let Some(text) = file("etc/debian_version") {
                        let from_file = from_debian_version(&text);
                        if distro.codename.is_none() {
                            distro.codename = from_file.as_ref().and_then(|d| d.codename.clone());
                        }
                        if distro.codename.is_none() {
                            distro.version_id = from_file.and_then(|d| d.version_id);
                        }
                    }
                }
                "alpine" => {
                    distro.version_id = file("etc/alpine-release")
                        .as_deref()
                        .and_then(first_line)
                        .map(str::to_owned);
                }
                _ => {}
            }
        }
        return Some(distro);
    }
    if let Some(version) = file("etc/alpine-release").as_deref().and_then(first_line) {
        return Some(Distro {
            id: "alpine".to_owned(),
            version_id: Some(version.to_owned()),
            ..Distro::default()
        });
    }
    file("etc/centos-release")
        .and_then(|text| from_redhat_release(&text))
        .or_else(|| file("etc/redhat-release").and_then(|text| from_redhat_release(&text)))
        .or_else(|| file("etc/lsb-release").and_then(|text| from_lsb_release(&text)))
        .or_else(|| file("etc/debian_version").and_then(|text| from_debian_version(&text)))
}

fn first_line(text: &str) -> Option<&str> {
    text.lines().map(str::trim).find(|l| !l.is_empty())
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// A distro from os-release text; `None` without an `ID`.
fn from_os_release(text: &str) -> Option<Distro> {
    let vars = parse_env(text);
    let get = |key: &str| {
        non_empty(
            vars.iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone()),
        )
    };
    let id = get("ID")?.to_ascii_lowercase();
    Some(Distro {
        id,
        version_id: get("VERSION_ID"),
        codename: get("VERSION_CODENAME"),
        pretty_name: get("PRETTY_NAME"),
        id_like: get("ID_LIKE")
            .map(|v| {
                v.split_ascii_whitespace()
                    .map(str::to_ascii_lowercase)
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// `KEY=value` assignments as systemd's `parse_env_file` reads them; see the module docs.
/// Lines that are not assignments are skipped.
pub(crate) fn parse_env(text: &str) -> Vec<(String, String)> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum State {
        PreKey,
        Key,
        PreValue,
        Value,
        ValueEscape,
        SingleQuote,
        DoubleQuote,
        DoubleQuoteEscape,
        Comment,
        CommentEscape,
    }
    let mut out = Vec::new();
    let mut state = State::PreKey;
    let mut key = String::new();
    let mut value = String::new();
    // Trailing whitespace of an unquoted value is dropped; this is where it would start.
    let mut value_end: Option<usize> = None;
    let mut emit = |key: &mut String, value: &mut String, value_end: &mut Option<usize>| {
        if let Some(end) = value_end.take() {
            value.truncate(end);
        }
        let k = key.trim();
        if is_env_key(k) {
            out.push((k.to_owned(), std::mem::take(value)));
        }
        key.clear();
        value.clear();
    };
    for c in text.chars() {
        match state {
            State::PreKey => {
                if c == '#' || c == ';' {
                    state = State::Comment;
                } else if !c.is_whitespace() {
                    key.push(c);
                    state = State::Key;
                }
            }
            State::Key => {
                if c == '\n' {
                    key.clear();
                    state = State::PreKey;
                } else if c == '=' {
                    state = State::PreValue;
                } else {
                    key.push(c);
                }
            }
            State::PreValue => match c {
                '\n' => {
                    emit(&mut key, &mut value, &mut value_end);
                    state = State::PreKey;
                }
                '\'' => state = State::SingleQuote,
                '"' => state = State::DoubleQuote,
                '\\' => state = State::ValueEscape,
                c if c.is_whitespace() => {}
                c => {
                    value.push(c);
                    state = State::Value;
                }
            },
            State::Value => match c {
                '\n' => {
                    emit(&mut key, &mut value, &mut value_end);
                    state = State::PreKey;
                }
                '\\' => {
                    value_end = None;
                    state = State::ValueEscape;
                }
                c if c.is_whitespace() => {
                    value_end.get_or_insert(value.len());
                    value.push(c);
                }
                c => {
                    value_end = None;
                    value.push(c);
                }
            },
            State::ValueEscape => {
                // An escaped newline continues the value on the next line.
                if c != '\n' {
                    value.push(c);
                }
                state = State::Value;
            }
            State::SingleQuote => {
                if c == '\'' {
                    state = State::PreValue;
                } else {
                    value.push(c);
                }
            }
            State::DoubleQuote => match c {
                '"' => state = State::PreValue,
                '\\' => state = State::DoubleQuoteEscape,
                c => value.push(c),
            },
            State::DoubleQuoteEscape => {
                match c {
                    '\n' => {}
                    '"' | '\\' | '`' | '$' => value.push(c),
                    c => {
                        value.push('\\');
                        value.push(c);
                    }
                }
                state = State::DoubleQuote;
            }
            State::Comment => match c {
                '\\' => state = State::CommentEscape,
                '\n' => state = State::PreKey,
                _ => {}
            },
            State::CommentEscape => state = State::Comment,
        }
    }
    if matches!(
        state,
        State::PreValue
            | State::Value
            | State::ValueEscape
            | State::SingleQuote
            | State::DoubleQuote
            | State::DoubleQuoteEscape
    ) {
        emit(&mut key, &mut value, &mut value_end);
    }
    out
}

/// Whether `key` is a shell variable name.
fn is_env_key(key: &str) -> bool {
    let mut bytes = key.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `etc/debian_version`: `12.5` (a release) or `trixie/sid` (testing and unstable).
fn from_debian_version(text: &str) -> Option<Distro> {
    let line = first_line(text)?;
    let mut distro = Distro {
        id: "debian".to_owned(),
        ..Distro::default()
    };
    if line.starts_with(|c: char| c.is_ascii_digit()) {
        distro.version_id = Some(line.to_owned());
    } else {
        let codename = line.split('/').next().unwrap_or(line).trim();
        distro.codename = (!codename.is_empty()).then(|| codename.to_ascii_lowercase());
    }
    Some(distro)
}

/// `etc/redhat-release` and `etc/centos-release`: `<name> release <version> (<codename>)`.
fn from_redhat_release(text: &str) -> Option<Distro> {
    let line = first_line(text)?;
    let (name, rest) = line.split_once(" release ")?;
    let version = rest.split_ascii_whitespace().next()?;
    let lower = name.to_ascii_lowercase();
    let id = if lower.starts_with("centos") {
        "centos"
    } else if lower.starts_with("red hat") {
        "rhel"
    } else if lower.starts_with("rocky") {
        "rocky"
    } else if lower.starts_with("almalinux") {
        "almalinux"
    } else if lower.starts_with("fedora") {
        "fedora"
    } else if lower.starts_with("oracle") {
        "ol"
    } else {
        return None;
    };
    Some(Distro {
        id: id.to_owned(),
        version_id: Some(version.to_owned()),
        pretty_name: Some(line.to_owned()),
        ..Distro::default()
    })
}

/// `etc/lsb-release`: `DISTRIB_ID`, `DISTRIB_RELEASE`, `DISTRIB_CODENAME`,
/// `DISTRIB_DESCRIPTION`, in the os-release syntax.
fn from_lsb_release(text: &str) -> Option<Distro> {
    let vars = parse_env(text);
    let get = |key: &str| {
        non_empty(
            vars.iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone()),
        )
    };
    Some(Distro {
        id: get("DISTRIB_ID")?.to_ascii_lowercase(),
        version_id: get("DISTRIB_RELEASE"),
        codename: get("DISTRIB_CODENAME"),
        pretty_name: get("DISTRIB_DESCRIPTION"),
        id_like: Vec::new(),
    })
}

/// The OSV ecosystem (`Debian`, `Ubuntu`, `Alpine`…) and release under which `distro`'s
/// packages' advisories are filed, with the release as `harrier-vulndb` keys it:
///
/// | distro (`ID`) | ecosystem | release |
/// |---|---|---|
/// | `debian` | `Debian` | `VERSION_ID` (`12`); without it the codename's number (`trixie` → `13`), or `sid` |
/// | `ubuntu` | `Ubuntu` | `VERSION_ID` (`24.04`; OSV's `:LTS` suffix is not part of the key) |
/// | `alpine` | `Alpine` | major.minor of `VERSION_ID` (`3.20.3` → `3.20`; OSV writes `v3.20`) |
/// | `rhel`, `centos` | `Red Hat` | major (`9`); OSV's Red Hat records name CPE-like streams (`enterprise_linux:9::appstream`), which harrier-vulndb reduces to the major |
/// | `rocky` | `Rocky Linux` | major |
/// | `almalinux` | `AlmaLinux` | major |
/// | `sles`, `sled`, `sles_sap` | `SUSE` | `Linux Enterprise Server 15 SP5` (`Desktop`, `Server for SAP Applications`; `SP` only above 0) |
/// | `opensuse-leap`, `opensuse` | `openSUSE` | `Leap 15.5` |
/// | `opensuse-tumbleweed` | `openSUSE` | `Tumbleweed` |
/// | `photon` | `Photon OS` | `VERSION_ID` (`5.0`) |
/// | `mageia` | `Mageia` | `VERSION_ID` (`9`) |
/// | `azurelinux`, `mariner` | `Azure Linux` | major (`3`) |
/// | `openeuler` | `openEuler` | `24.03-LTS-SP1`, from `VERSION` (`24.03 (LTS-SP1)`) |
/// | `wolfi` | `Wolfi` | empty: a rolling distro |
/// | `chainguard` | `Chainguard` | empty |
///
/// `None` for distros without OSV advisories (Fedora, Amazon Linux, Oracle Linux…) or without
/// the release the ecosystem needs.
pub fn vuln_ecosystem(distro: &Distro) -> Option<(String, String)> {
    ecosystem(distro).map(|(name, release)| (name.to_owned(), release))
}

fn ecosystem(distro: &Distro) -> Option<(&'static str, String)> {
    let version = distro.version_id.as_deref().map(str::trim);
    let major = || {
        version
            .and_then(|v| v.split('.').next())
            .filter(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()))
            .map(str::to_owned)
    };
    match distro.id.as_str() {
        "debian" => {
            let release = match major() {
                Some(major) => major,
                None => {
                    let codename = distro.codename.as_deref()?.trim().to_ascii_lowercase();
                    if codename == "sid" || codename == "unstable" {
                        "sid".to_owned()
                    } else {
                        harrier_vulndb::ecosystem::debian_release(&codename)?.to_owned()
                    }
                }
            };
            Some(("Debian", release))
        }
        "ubuntu" => Some(("Ubuntu", version.filter(|v| !v.is_empty())?.to_owned())),
        "alpine" => {
            let mut parts = version?.split('.');
            let (major, minor) = (parts.next()?, parts.next()?);
            let minor: String = minor.chars().take_while(char::is_ascii_digit).collect();
            if major.is_empty() || minor.is_empty() {
                return None;
            }
            Some(("Alpine", format!("{major}.{minor}")))
        }
        "rhel" | "centos" => Some(("Red Hat", major()?)),
        "rocky" => Some(("Rocky Linux", major()?)),
        "almalinux" => Some(("AlmaLinux", major()?)),
        "azurelinux" | "mariner" => Some(("Azure Linux", major()?)),
        "sles" | "sled" | "sles_sap" => {
            let mut parts = version?.split('.');
            let base = parts.next().filter(|b| !b.is_empty())?;
            let product = match distro.id.as_str() {
                "sles" => "Server",
                "sled" => "Desktop",
                _ => "Server for SAP Applications",
            };
            let release = match parts.next().filter(|sp| !sp.is_empty() && *sp != "0") {
                Some(sp) => format!("Linux Enterprise {product} {base} SP{sp}"),
                None => format!("Linux Enterprise {product} {base}"),
            };
            Some(("SUSE", release))
        }
        "opensuse-leap" | "opensuse" => Some((
            "openSUSE",
            format!("Leap {}", version.filter(|v| !v.is_empty())?),
        )),
        "opensuse-tumbleweed" => Some(("openSUSE", "Tumbleweed".to_owned())),
        "photon" => Some(("Photon OS", version.filter(|v| !v.is_empty())?.to_owned())),
        "mageia" => Some(("Mageia", version.filter(|v| !v.is_empty())?.to_owned())),
        "openeuler" => {
            let version = version.filter(|v| !v.is_empty())?;
            let qualifier = distro
                .pretty_name
                .as_deref()
                .and_then(|p| p.split_once('(')?.1.split(')').next())
                .map(str::trim)
                .filter(|q| !q.is_empty());
            Some((
                "openEuler",
                match qualifier {
                    Some(q) => format!("{version}-{q}"),
                    None => version.to_owned(),
                },
            ))
        }
        "wolfi" => Some(("Wolfi", String::new())),
        "chainguard" => Some(("Chainguard", String::new())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(text: &str) -> Vec<(String, String)> {
        parse_env(text)
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn env_syntax() {
        assert_eq!(
            env(
                "A=1\nB=\"two words\"\nC='it''s'\n# comment\n; also\nD=\"q\\\"\\$\\x\"\nE=plain value  \nF=\nG\nH =x\n"
            ),
            pairs(&[
                ("A", "1"),
                ("B", "two words"),
                ("C", "its"),
                ("D", "q\"$\\x"),
                ("E", "plain value"),
                ("F", ""),
                ("H", "x"),
            ])
        );
        assert_eq!(
            env("A=a\\\nb\nB=\"x\" 'y'z\nC=\\ lead\n1X=bad\nD=\"unterminated"),
            pairs(&[
                ("A", "ab"),
                ("B", "xyz"),
                ("C", " lead"),
                ("D", "unterminated")
            ])
        );
        assert!(env("").is_empty());
        assert!(env("=x\n\\\n").is_empty());
    }

    fn distro(files: &[(&str, &str)]) -> Option<Distro> {
        let files: Vec<(&str, &[u8])> = files.iter().map(|(p, c)| (*p, c.as_bytes())).collect();
        detect(&files)
    }

    #[test]
    fn os_release() {
        let d = distro(&[(
            "etc/os-release",
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n",
        )])
        .expect("distro");
        assert_eq!(d.id, "debian");
        assert_eq!(d.version_id.as_deref(), Some("12"));
        assert_eq!(d.codename.as_deref(), Some("bookworm"));
        assert_eq!(
            d.pretty_name.as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
        let d = distro(&[(
            "/usr/lib/os-release",
            "NAME=\"Rocky Linux\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"8.10\"\n",
        )])
        .expect("distro");
        assert_eq!(d.id_like, ["rhel", "centos", "fedora"]);
        // etc/ wins over usr/lib/, but an etc/os-release without ID does not count.
        let d = distro(&[
            ("usr/lib/os-release", "ID=fedora\nVERSION_ID=40\n"),
            ("etc/os-release", "ID=alpine\nVERSION_ID=3.20.3\n"),
        ])
        .expect("distro");
        assert_eq!(d.id, "alpine");
        let d = distro(&[
            ("usr/lib/os-release", "ID=fedora\nVERSION_ID=40\n"),
            ("etc/os-release", "NAME=broken\n"),
        ])
        .expect("distro");
        assert_eq!(d.id, "fedora");
    }

    #[test]
    fn debian_testing_and_fallbacks() {
        let d = distro(&[
            (
                "etc/os-release",
                "PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nNAME=\"Debian GNU/Linux\"\nID=debian\n",
            ),
            ("etc/debian_version", "trixie/sid\n"),
        ])
        .expect("distro");
        assert_eq!(d.codename.as_deref(), Some("trixie"));
        assert_eq!(
            vuln_ecosystem(&d),
            Some(("Debian".to_owned(), "13".to_owned()))
        );

        let d = distro(&[("etc/debian_version", "9.13\n")]).expect("distro");
        assert_eq!(
            (d.id.as_str(), d.version_id.as_deref()),
            ("debian", Some("9.13"))
        );
        assert_eq!(
            vuln_ecosystem(&d),
            Some(("Debian".to_owned(), "9".to_owned()))
        );

        let d = distro(&[
            (
                "etc/lsb-release",
                "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=14.04\nDISTRIB_CODENAME=trusty\nDISTRIB_DESCRIPTION=\"Ubuntu 14.04.6 LTS\"\n",
            ),
            ("etc/debian_version", "jessie/sid\n"),
        ])
        .expect("distro");
        assert_eq!(
            (d.id.as_str(), d.version_id.as_deref()),
            ("ubuntu", Some("14.04"))
        );

        let d = distro(&[
            (
                "etc/redhat-release",
                "CentOS Linux release 7.9.2009 (Core)\n",
            ),
            (
                "etc/centos-release",
                "CentOS Linux release 7.9.2009 (Core)\n",
            ),
        ])
        .expect("distro");
        assert_eq!(
            (d.id.as_str(), d.version_id.as_deref()),
            ("centos", Some("7.9.2009"))
        );
        assert_eq!(
            vuln_ecosystem(&d),
            Some(("Red Hat".to_owned(), "7".to_owned()))
        );

        let d = distro(&[(
            "etc/redhat-release",
            "Red Hat Enterprise Linux Server release 6.10 (Santiago)",
        )])
        .expect("distro");
        assert_eq!(
            (d.id.as_str(), d.version_id.as_deref()),
            ("rhel", Some("6.10"))
        );

        let d = distro(&[("etc/alpine-release", "3.4.6\n")]).expect("distro");
        assert_eq!(
            vuln_ecosystem(&d),
            Some(("Alpine".to_owned(), "3.4".to_owned()))
        );

        assert_eq!(distro(&[("etc/redhat-release", "Something else")]), None);
        assert_eq!(distro(&[("etc/hostname", "ID=debian")]), None);
        assert_eq!(distro(&[]), None);
    }

    fn eco(id: &str, version: Option<&str>, pretty: Option<&str>) -> Option<(String, String)> {
        vuln_ecosystem(&Distro {
            id: id.to_owned(),
            version_id: version.map(str::to_owned),
            pretty_name: pretty.map(str::to_owned),
            ..Distro::default()
        })
    }

    #[test]
    fn ecosystems() {
        let s = |name: &str, release: &str| Some((name.to_owned(), release.to_owned()));
        assert_eq!(eco("debian", Some("12"), None), s("Debian", "12"));
        assert_eq!(eco("debian", None, None), None);
        assert_eq!(eco("ubuntu", Some("24.04"), None), s("Ubuntu", "24.04"));
        assert_eq!(eco("alpine", Some("3.20.3"), None), s("Alpine", "3.20"));
        assert_eq!(
            eco("alpine", Some("3.21.0_alpha20240807"), None),
            s("Alpine", "3.21")
        );
        assert_eq!(eco("alpine", Some("3"), None), None);
        assert_eq!(eco("rhel", Some("9.4"), None), s("Red Hat", "9"));
        assert_eq!(eco("rocky", Some("8.10"), None), s("Rocky Linux", "8"));
        assert_eq!(eco("almalinux", Some("9.5"), None), s("AlmaLinux", "9"));
        assert_eq!(
            eco("sles", Some("15.5"), None),
            s("SUSE", "Linux Enterprise Server 15 SP5")
        );
        assert_eq!(
            eco("sles", Some("15"), None),
            s("SUSE", "Linux Enterprise Server 15")
        );
        assert_eq!(
            eco("opensuse-leap", Some("15.6"), None),
            s("openSUSE", "Leap 15.6")
        );
        assert_eq!(
            eco("opensuse-tumbleweed", Some("20240101"), None),
            s("openSUSE", "Tumbleweed")
        );
        assert_eq!(eco("photon", Some("5.0"), None), s("Photon OS", "5.0"));
        assert_eq!(eco("azurelinux", Some("3.0"), None), s("Azure Linux", "3"));
        assert_eq!(
            eco(
                "openeuler",
                Some("24.03"),
                Some("openEuler 24.03 (LTS-SP1)")
            ),
            s("openEuler", "24.03-LTS-SP1")
        );
        assert_eq!(eco("wolfi", Some("20230201"), None), s("Wolfi", ""));
        assert_eq!(eco("chainguard", None, None), s("Chainguard", ""));
        assert_eq!(eco("fedora", Some("40"), None), None);
        assert_eq!(eco("amzn", Some("2023"), None), None);
        assert_eq!(eco("rhel", Some("x"), None), None);
    }
}
