//! Baseline files: one YAML document per workload, written for people to read, edit and
//! review (`docs/baselines.md`), read back with positions so that a mistake names its file,
//! line and column.
//!
//! Writing is a small emitter of this fixed shape, every string double-quoted in JSON's
//! escaping (valid YAML), so that a process argument can never change the document's
//! structure. Reading goes through `harrier_core::yaml` and serde.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use harrier_core::yaml::{self, Schema};
use harrier_core::{Location, Pos};
use serde::Deserialize;

use super::{Baseline, Baselines, Entry, EntryStatus, Key, State, WorkloadKey};
use crate::event::{format_time, parse_time};

/// The `apiVersion` of baseline files.
pub const API_VERSION: &str = "harrier.dev/v1alpha1";

/// A baseline file that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file or directory cannot be read or written.
    #[error("{}: {what}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// What was being done.
        what: &'static str,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid baseline.
    #[error("{location}: {message}")]
    Invalid {
        /// Where.
        location: Location,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Doc {
    #[serde(rename = "apiVersion")]
    _api_version: String,
    #[serde(rename = "kind")]
    _kind: String,
    workload: WorkloadDoc,
    status: String,
    #[serde(default)]
    learning: Option<LearningDoc>,
    #[serde(default)]
    processes: Vec<EntryDoc>,
    #[serde(default)]
    files_written: Vec<EntryDoc>,
    #[serde(default)]
    network: Vec<EntryDoc>,
    #[serde(default)]
    listening: Vec<EntryDoc>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WorkloadDoc {
    #[serde(default)]
    namespace: String,
    #[serde(default)]
    owner_kind: String,
    #[serde(default)]
    owner_name: String,
    #[serde(default)]
    container: String,
    #[serde(default)]
    image: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LearningDoc {
    #[serde(default)]
    started: Option<String>,
    #[serde(default)]
    events: u64,
    #[serde(default)]
    pods: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EntryDoc {
    #[serde(default)]
    exe: Option<String>,
    #[serde(default)]
    args: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    port: Option<u16>,
    #[serde(default)]
    proto: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    observations: u64,
    #[serde(default)]
    pods: Vec<String>,
}

/// Reads one baseline file's text; `path` names it in errors.
pub fn parse(path: &str, text: &str) -> Result<Baseline, Error> {
    let file: Arc<str> = Arc::from(path);
    let invalid = |pos: Pos, message: String| Error::Invalid {
        location: Location::new(file.clone(), pos),
        message,
    };
    let root = yaml::parse_single(text, Schema::Core)
        .map_err(|p| invalid(p.pos, format!("invalid YAML: {}", p.message)))?;
    let at = |key: &str| root.get(key).map_or(root.pos, |n| n.pos);
    let text_of = |key: &str| root.get(key).and_then(|n| n.as_str());
    if text_of("apiVersion") != Some(API_VERSION) || text_of("kind") != Some("Baseline") {
        return Err(invalid(
            at("apiVersion"),
            format!(
                "not a Harrier baseline: expected `apiVersion: {API_VERSION}` and `kind: Baseline`"
            ),
        ));
    }
    let doc: Doc =
        yaml::de::from_node(&root).map_err(|e| invalid(e.pos.unwrap_or(root.pos), e.message))?;
    let state = match doc.status.as_str() {
        "learning" => State::Learning,
        "locked" => State::Locked,
        other => {
            return Err(invalid(
                at("status"),
                format!("status `{other}` is neither `learning` nor `locked`"),
            ));
        }
    };
    let mut b = Baseline::new(WorkloadKey {
        namespace: doc.workload.namespace,
        owner_kind: doc.workload.owner_kind,
        owner_name: doc.workload.owner_name,
        container: doc.workload.container,
        image: doc.workload.image,
    });
    b.state = state;
    if let Some(l) = doc.learning {
        b.started_ns = l.started.as_deref().and_then(parse_time);
        b.events = l.events;
        b.pods = l.pods;
    }
    let sections = [
        ("processes", doc.processes),
        ("filesWritten", doc.files_written),
        ("network", doc.network),
        ("listening", doc.listening),
    ];
    for (section, entries) in sections {
        let nodes = root.get(section).and_then(|n| n.as_seq()).unwrap_or(&[]);
        for (i, e) in entries.into_iter().enumerate() {
            let pos = nodes.get(i).map_or(at(section), |n| n.pos);
            let missing = |field: &str| invalid(pos, format!("{section} entry without `{field}`"));
            let key = match section {
                "processes" => Key::Process {
                    exe: e.exe.ok_or_else(|| missing("exe"))?,
                    args: e.args.unwrap_or_default(),
                },
                "filesWritten" => Key::FileWrite {
                    path: e.path.ok_or_else(|| missing("path"))?,
                },
                "network" => {
                    let address = e.address.ok_or_else(|| missing("address"))?;
                    if crate::rules::matcher::Net::parse(&address).is_none() {
                        return Err(invalid(
                            pos,
                            format!("`{address}` is not an address or a network (CIDR)"),
                        ));
                    }
                    Key::Connect {
                        address,
                        port: e.port,
                        proto: e.proto,
                    }
                }
                _ => Key::Listen {
                    port: e.port.ok_or_else(|| missing("port"))?,
                    proto: e.proto,
                },
            };
            // A person adding an entry to an allowlist need not write its status.
            let status = match e.status.as_deref() {
                None | Some("allowed") => EntryStatus::Allowed,
                Some("flagged") => EntryStatus::Flagged,
                Some("learning") if state == State::Learning => EntryStatus::Learning,
                Some(other) => {
                    return Err(invalid(
                        pos,
                        format!(
                            "entry status `{other}` is not `allowed` or `flagged`{}",
                            if other == "learning" {
                                " (the baseline is locked)"
                            } else {
                                ""
                            }
                        ),
                    ));
                }
            };
            b.push(Entry {
                key,
                status,
                reason: e.reason,
                observations: e.observations,
                pods: e.pods,
            });
        }
    }
    Ok(b)
}

fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

fn list(items: &[String]) -> String {
    format!(
        "[{}]",
        items.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
    )
}

/// The text of a baseline's file.
pub fn render(b: &Baseline) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let w = &b.workload;
    // The workload's names come from events: keep the comment on its line.
    let title: String = w
        .to_string()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let _ = writeln!(
        out,
        "# Harrier behavioural baseline of {title}.\n\
         # Review and edit it like code (docs/baselines.md): an entry's status is `allowed` or\n\
         # `flagged` (alerts); entries may use `*` globs (exe, args, path) and CIDRs (address).\n\
         apiVersion: {API_VERSION}\nkind: Baseline\nworkload:\n  namespace: {}\n  ownerKind: {}\n  ownerName: {}\n  container: {}\n  image: {}",
        q(&w.namespace),
        q(&w.owner_kind),
        q(&w.owner_name),
        q(&w.container),
        q(&w.image)
    );
    let _ = writeln!(
        out,
        "status: {}\nlearning:\n  started: {}\n  events: {}\n  pods: {}",
        match b.state {
            State::Learning => "learning",
            State::Locked => "locked",
        },
        b.started_ns
            .map_or("null".to_string(), |t| q(&format_time(t))),
        b.events,
        list(&b.pods)
    );
    let sections: [(&str, super::Kind); 4] = [
        ("processes", super::Kind::Process),
        ("filesWritten", super::Kind::FileWrite),
        ("network", super::Kind::Connect),
        ("listening", super::Kind::Listen),
    ];
    for (name, kind) in sections {
        let entries: Vec<&Entry> = b.entries.iter().filter(|e| e.key.kind() == kind).collect();
        if entries.is_empty() {
            let _ = writeln!(out, "{name}: []");
            continue;
        }
        let _ = writeln!(out, "{name}:");
        for e in entries {
            match &e.key {
                Key::Process { exe, args } => {
                    let _ = writeln!(out, "  - exe: {}\n    args: {}", q(exe), q(args));
                }
                Key::FileWrite { path } => {
                    let _ = writeln!(out, "  - path: {}", q(path));
                }
                Key::Connect {
                    address,
                    port,
                    proto,
                } => {
                    let _ = writeln!(out, "  - address: {}", q(address));
                    if let Some(p) = port {
                        let _ = writeln!(out, "    port: {p}");
                    }
                    if let Some(p) = proto {
                        let _ = writeln!(out, "    proto: {}", q(p));
                    }
                }
                Key::Listen { port, proto } => {
                    let _ = writeln!(out, "  - port: {port}");
                    if let Some(p) = proto {
                        let _ = writeln!(out, "    proto: {}", q(p));
                    }
                }
            }
            let _ = writeln!(out, "    status: {}", e.status.as_str());
            if let Some(r) = &e.reason {
                let _ = writeln!(out, "    reason: {}", q(r));
            }
            let _ = writeln!(
                out,
                "    observations: {}\n    pods: {}",
                e.observations,
                list(&e.pods)
            );
        }
    }
    out
}

/// The file name of a workload's baseline: `<namespace>.<kind>.<name>.<container>.yaml`, with
/// anything but letters, digits, `-` and `_` replaced by `_` (and then a hash of the names
/// added before `.yaml`, so that two workloads never share a file).
pub fn file_name(w: &WorkloadKey) -> String {
    let part = |s: &str| -> String {
        if s.is_empty() {
            return "_".to_string();
        }
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    let stem = format!(
        "{}.{}.{}.{}",
        part(&w.namespace),
        part(&w.owner_kind.to_ascii_lowercase()),
        part(&w.owner_name),
        part(&w.container)
    );
    let plain = format!(
        "{}.{}.{}.{}",
        w.namespace,
        w.owner_kind.to_ascii_lowercase(),
        w.owner_name,
        w.container
    );
    if stem == plain {
        return format!("{stem}.yaml");
    }
    // Names changed by the replacement could collide: tell them apart by a hash of the
    // originals (FNV-1a, stable across runs and builds).
    let mut h: u32 = 0x811c_9dc5;
    for b in plain.bytes().chain(w.image.bytes()) {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    format!("{stem}.{h:08x}.yaml")
}

/// Reads every `*.yaml` baseline of `dir` into `into` (a missing directory is empty). Files
/// that cannot be read are returned as errors; the others load.
pub fn load_dir(dir: &Path, into: &mut Baselines) -> Vec<Error> {
    let mut errors = Vec::new();
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return errors,
        Err(source) => {
            errors.push(Error::Io {
                path: dir.to_path_buf(),
                what: "cannot read the baselines directory",
                source,
            });
            return errors;
        }
    };
    let mut paths: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    paths.sort();
    for path in paths {
        match std::fs::read_to_string(&path) {
            Ok(text) => match parse(&path.display().to_string(), &text) {
                Ok(b) => into.insert(b),
                Err(e) => errors.push(e),
            },
            Err(source) => errors.push(Error::Io {
                path,
                what: "cannot read",
                source,
            }),
        }
    }
    errors
}

/// Writes every baseline into `dir` (created if needed), one file each; returns the paths.
pub fn save_dir(dir: &Path, baselines: &Baselines) -> Result<Vec<PathBuf>, Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        what: "cannot create the baselines directory",
        source,
    })?;
    let mut written = Vec::new();
    for b in baselines.iter() {
        written.push(save(dir, b)?);
    }
    Ok(written)
}

/// Writes one baseline into `dir` (which must exist), replacing its file atomically.
pub fn save(dir: &Path, b: &Baseline) -> Result<PathBuf, Error> {
    let path = dir.join(file_name(&b.workload));
    let tmp = path.with_extension("yaml.tmp");
    std::fs::write(&tmp, render(b))
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|source| Error::Io {
            path: path.clone(),
            what: "cannot write",
            source,
        })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Baseline {
        let mut b = Baseline::new(WorkloadKey {
            namespace: "shop".into(),
            owner_kind: "Deployment".into(),
            owner_name: "web\"\n: {x}".into(),
            container: "web".into(),
            image: "shop/web".into(),
        });
        b.state = State::Locked;
        b.started_ns = Some(1_700_000_000_000_000_000);
        b.events = 12;
        b.pods = vec!["web-1".into(), "web-2".into()];
        for (key, status, reason) in [
            (
                Key::Process {
                    exe: "/bin/sh".into(),
                    args: "-c 'a: b' # not a comment \\ \u{1F600}".into(),
                },
                EntryStatus::Flagged,
                Some("seen once while learning".to_string()),
            ),
            (
                Key::FileWrite {
                    path: "/var/cache/*".into(),
                },
                EntryStatus::Allowed,
                None,
            ),
            (
                Key::Connect {
                    address: "10.0.0.0/8".into(),
                    port: None,
                    proto: Some("udp".into()),
                },
                EntryStatus::Allowed,
                None,
            ),
            (
                Key::Listen {
                    port: 8080,
                    proto: None,
                },
                EntryStatus::Allowed,
                None,
            ),
        ] {
            b.push(Entry {
                key,
                status,
                reason,
                observations: 4,
                pods: vec!["web-1".into()],
            });
        }
        b
    }

    #[test]
    fn file_names_are_plain_or_hashed() {
        let mut w = sample().workload;
        w.owner_name = "web".into();
        assert_eq!(file_name(&w), "shop.deployment.web.web.yaml");
        w.owner_name = "a.b".into();
        let dotted = file_name(&w);
        w.owner_name = "a_b".into();
        assert_eq!(file_name(&w), "shop.deployment.a_b.web.yaml");
        assert!(
            dotted.starts_with("shop.deployment.a_b.web.")
                && dotted.len() == "shop.deployment.a_b.web.12345678.yaml".len(),
            "{dotted}"
        );
    }

    #[test]
    fn render_reads_back_the_same() {
        let b = sample();
        let text = render(&b);
        let back = parse("x.yaml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(back.workload, b.workload);
        assert_eq!(back.entries, b.entries);
        assert_eq!(back.started_ns, b.started_ns);
        assert_eq!(render(&back), text);
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let text = render(&sample()).replace("  - port: 8080", "  - port: 70000");
        let err = parse("b.yaml", &text)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.starts_with("b.yaml:"), "{err}");
        let err = parse("b.yaml", "apiVersion: v1\nkind: Pod\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("b.yaml:1:13: not a Harrier baseline"), "{err}");
        let err = parse(
            "b.yaml",
            &render(&sample()).replace("address: \"10.0.0.0/8\"", "address: \"ten\""),
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            err.contains("`ten` is not an address or a network"),
            "{err}"
        );
    }
}

#[cfg(test)]
mod robustness {
    use super::*;

    /// Deterministic mutations of a real baseline file (bytes dropped, duplicated, replaced
    /// with YAML's structural characters): every one reads as an error or a baseline, never a
    /// panic, and a baseline that reads renders to text that reads back the same. The fuzz
    /// property, run in every `cargo test`.
    #[test]
    fn mutated_files_never_panic_and_round_trip() {
        let text = render(&tests_sample());
        let bytes = text.as_bytes();
        let specials = [
            b':', b'-', b'"', b'\n', b' ', b'[', b'{', b'#', b'*', b'\\', b'0',
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut read = 0;
        for i in 0..3000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = (seed as usize) % bytes.len();
            let mut m = bytes.to_vec();
            match i % 3 {
                0 => {
                    m.remove(at);
                }
                1 => m.insert(at, specials[(seed >> 32) as usize % specials.len()]),
                _ => {
                    if let Some(b) = m.get_mut(at) {
                        *b = specials[(seed >> 40) as usize % specials.len()];
                    }
                }
            }
            let Ok(s) = std::str::from_utf8(&m) else {
                continue;
            };
            if let Ok(b) = parse("m.yaml", s) {
                read += 1;
                let rendered = render(&b);
                let again = parse("m.yaml", &rendered)
                    .unwrap_or_else(|e| panic!("mutation {i}: {e}\n{rendered}"));
                assert_eq!(render(&again), rendered, "mutation {i}");
            }
        }
        assert!(read > 100, "only {read} mutations read");
    }

    fn tests_sample() -> Baseline {
        parse(
            "seed.yaml",
            "apiVersion: harrier.dev/v1alpha1\nkind: Baseline\nworkload:\n  namespace: shop\n  ownerKind: Deployment\n  ownerName: web\n  container: web\n  image: shop/web\nstatus: locked\nlearning:\n  started: \"2024-05-01T10:00:00Z\"\n  events: 9\n  pods: [web-1, web-2]\nprocesses:\n  - exe: /usr/sbin/nginx\n    args: \"-g daemon off;\"\n    observations: 5\n    pods: [web-1, web-2]\n  - exe: /bin/sh\n    args: \"-c *\"\n    status: flagged\n    reason: seen once\nfilesWritten:\n  - path: /var/cache/nginx/*\nnetwork:\n  - address: 10.96.0.10\n    port: 53\n    proto: udp\n  - address: 10.0.0.0/8\nlistening:\n  - port: 8080\n",
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }
}
