//! Harrier's built-in threat profiles: Falco-dialect rule files shipped inside the binary
//! (`crates/harrier-runtime/rules/*.yaml`, embedded with `include_str!`) and loaded by the
//! same [`Loader`] as user files, so that they can be read, validated, appended to and
//! overridden like any Falco rule file.
//!
//! Every rule of a profile carries the tag `harrier.profile.<name>` and MITRE ATT&CK tags
//! (`T1496`, `mitre_impact`...). The shared lists and macros are in `harrier_macros.yaml`,
//! prefixed `harrier_` so that they never collide with Falco's own, and load before any
//! profile. Profiles load before user files: a user file can append to their lists or
//! override their rules.
//!
//! Harrier's own Kubernetes audit rules (`k8s_audit.yaml`, [`AUDIT_RULES`]) ship the same way
//! but are not a syscall profile: `harrier audit` runs them.

use std::fmt;

use crate::rules::Loader;

/// The file every profile needs: shared lists and macros.
pub const MACROS: Builtin = Builtin {
    path: "builtin:harrier_macros.yaml",
    text: include_str!("../rules/harrier_macros.yaml"),
};

/// Harrier's Kubernetes audit rules (Falco dialect, `ka.*` fields), run by `harrier audit`
/// unless `--no-builtin-rules`.
pub const AUDIT_RULES: Builtin = Builtin {
    path: "builtin:k8s_audit.yaml",
    text: include_str!("../rules/k8s_audit.yaml"),
};

/// A rule file compiled into Harrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Builtin {
    /// The name it has in messages (`builtin:crypto_mining.yaml`).
    pub path: &'static str,
    /// Its text.
    pub text: &'static str,
}

/// One threat profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    /// Name, as in `--profiles` and the `harrier.profile.<name>` tag.
    pub name: &'static str,
    /// One line saying what it detects.
    pub summary: &'static str,
    /// MITRE ATT&CK techniques its rules are tagged with.
    pub mitre: &'static [&'static str],
    /// Its rule file.
    pub file: Builtin,
}

impl Profile {
    /// The tag every rule of this profile carries.
    pub fn tag(&self) -> String {
        format!("harrier.profile.{}", self.name)
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

macro_rules! builtin {
    ($file:literal) => {
        Builtin {
            path: concat!("builtin:", $file),
            text: include_str!(concat!("../rules/", $file)),
        }
    };
}

/// Every built-in profile, sorted by name.
pub const PROFILES: &[Profile] = &[
    Profile {
        name: "api-discovery",
        summary: "Kubernetes clients and attack tools in pods, HTTP clients aimed at the API server, connections to API-server and kubelet ports",
        mitre: &["T1613", "T1046"],
        file: builtin!("api_discovery.yaml"),
    },
    Profile {
        name: "compilers",
        summary: "compilers, assemblers and linkers run in a container",
        mitre: &["T1027.004"],
        file: builtin!("compilers.yaml"),
    },
    Profile {
        name: "container-escape",
        summary: "container runtime sockets, core_pattern and usermode helpers, cgroup release_agent, host mounts, kernel modules from containers",
        mitre: &["T1611", "T1610", "T1547.006"],
        file: builtin!("container_escape.yaml"),
    },
    Profile {
        name: "credential-access",
        summary: "service-account tokens read by shells and file tools, kubeconfigs, cloud credential files, cloud metadata endpoints",
        mitre: &["T1528", "T1552.001", "T1552.005"],
        file: builtin!("credential_access.yaml"),
    },
    Profile {
        name: "crypto-mining",
        summary: "miner executables and arguments, stratum URLs, mining-pool ports and pool names",
        mitre: &["T1496"],
        file: builtin!("crypto_mining.yaml"),
    },
    Profile {
        name: "defense-evasion",
        summary: "logs under /var/log deleted or truncated, shell history cleared, fileless execution from memfd",
        mitre: &["T1070.002", "T1070.003", "T1620"],
        file: builtin!("defense_evasion.yaml"),
    },
    Profile {
        name: "package-managers",
        summary: "package managers (apt, apk, yum, dnf, pip, npm...) run in a container",
        mitre: &["T1105", "T1072"],
        file: builtin!("package_managers.yaml"),
    },
    Profile {
        name: "privilege-escalation",
        summary: "setuid binaries by non-root users, uid 0 and capabilities gained, passwd/shadow/sudoers writes, nsenter/unshare/mount in containers",
        mitre: &["T1548.001", "T1548.003", "T1098", "T1611"],
        file: builtin!("privilege_escalation.yaml"),
    },
    Profile {
        name: "reverse-shell",
        summary: "standard streams on a network socket, /dev/tcp, nc -e, socat exec and interpreter reverse shells",
        mitre: &["T1059.004", "T1071"],
        file: builtin!("reverse_shell.yaml"),
    },
    Profile {
        name: "terminal-shell",
        summary: "a shell with a terminal started in a container by its runtime (kubectl exec -it)",
        mitre: &["T1609", "T1059.004"],
        file: builtin!("terminal_shell.yaml"),
    },
];

/// A profile name that is not one of [`PROFILES`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown threat profile `{name}` (known: {known})")]
pub struct UnknownProfile {
    /// The name given.
    pub name: String,
    /// The known names, comma-separated.
    pub known: String,
}

/// The profile named `name`.
pub fn find(name: &str) -> Result<&'static Profile, UnknownProfile> {
    PROFILES
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| UnknownProfile {
            name: name.to_string(),
            known: PROFILES
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// The profiles named in `names`, in [`PROFILES`] order, each once; every profile for `None`.
pub fn select(names: Option<&[String]>) -> Result<Vec<&'static Profile>, UnknownProfile> {
    let Some(names) = names else {
        return Ok(PROFILES.iter().collect());
    };
    let mut chosen = Vec::new();
    for n in names {
        chosen.push(find(n.trim())?);
    }
    Ok(PROFILES
        .iter()
        .filter(|p| chosen.iter().any(|c| c.name == p.name))
        .collect())
}

/// Adds the shared macros and `profiles` to `loader`. Call before adding user files, so that
/// those can refine the profiles.
pub fn add_to(loader: &mut Loader, profiles: &[&Profile]) {
    if profiles.is_empty() {
        return;
    }
    loader.add_text(MACROS.path, MACROS.text);
    for p in profiles {
        loader.add_text(p.file.path, p.file.text);
    }
}

/// The name of the profile a rule belongs to, from its tags.
pub fn profile_of(tags: &[String]) -> Option<&str> {
    tags.iter().find_map(|t| t.strip_prefix("harrier.profile."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Status;

    #[test]
    fn every_profile_loads_and_every_rule_is_tagged() {
        let mut loader = Loader::new();
        add_to(&mut loader, &PROFILES.iter().collect::<Vec<_>>());
        let set = loader.compile();
        assert!(set.problems.is_empty(), "{:?}", set.problems);
        for s in &set.statuses {
            assert_eq!(s.status, Status::Loaded, "{s}");
        }
        for p in PROFILES {
            let rules: Vec<_> = set
                .rules
                .iter()
                .filter(|r| &*r.location.path == p.file.path)
                .collect();
            assert!(!rules.is_empty(), "profile {} has no rules", p.name);
            for r in rules {
                assert_eq!(profile_of(&r.tags), Some(p.name), "{}", r.name);
                let techniques: Vec<_> = r
                    .tags
                    .iter()
                    .filter(|t| {
                        t.len() >= 5
                            && t.starts_with('T')
                            && t[1..5].bytes().all(|b| b.is_ascii_digit())
                    })
                    .collect();
                assert!(!techniques.is_empty(), "{} has no ATT&CK technique", r.name);
                for t in techniques {
                    let base = t.split('.').next().unwrap_or(t);
                    assert!(
                        p.mitre.iter().any(|m| m.split('.').next() == Some(base)),
                        "{}: {t} is not listed in profile {}",
                        r.name,
                        p.name
                    );
                }
                assert!(r.tags.iter().any(|t| t.starts_with("mitre_")), "{}", r.name);
            }
        }
    }

    #[test]
    fn profiles_are_sorted_and_selected_by_name() {
        let names: Vec<_> = PROFILES.iter().map(|p| p.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        let picked =
            select(Some(&["reverse-shell".into(), "crypto-mining".into()])).unwrap_or_default();
        assert_eq!(
            picked.iter().map(|p| p.name).collect::<Vec<_>>(),
            ["crypto-mining", "reverse-shell"]
        );
        let err = select(Some(&["nope".into()])).err();
        assert!(err.is_some_and(|e| e.to_string().contains("crypto-mining")));
    }
}
