//! From per-layer walks to the image as it runs: whiteouts and overwrites applied, packages
//! attributed to the layer that introduced them (and the one that removed them), the OS files
//! of the final view, and every secret with the layer it is in, deleted or not.
//!
//! A package database (a dpkg `status`, an apk `installed`) is rewritten by every layer that
//! installs or removes packages. The versions of one file, layer by layer, are compared: a
//! package first seen in layer 3 was introduced by layer 3; one missing from layer 5's version
//! was removed by layer 5; when a later layer deletes or overwrites the file with no packages,
//! what it held is removed there. Files that hold one package (a `METADATA`, a jar) follow the
//! same rule.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::catalog::CatalogError;
use crate::walk::{ContentFinding, LayerScan, WalkProblem, path_hash};
use crate::{Package, PackageKind};

/// A package with its layer history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedPackage {
    /// The package (its `location.layer` is the layer of the file it was last read from).
    pub package: Package,
    /// The layer that introduced it.
    pub introduced: Option<usize>,
    /// The layer that removed it, for packages no longer in the image.
    pub removed: Option<usize>,
}

/// A secret found in a layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Secret {
    /// The file.
    pub path: String,
    /// The layer it is in.
    pub layer: usize,
    /// The layer that deleted or replaced the file, if any: the secret is then not visible in a
    /// container, but still in the image for anyone who pulls it.
    pub deleted_in: Option<usize>,
    /// What was found.
    pub finding: ContentFinding,
}

/// A problem reported by a cataloger or the walk, with its layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerProblem {
    /// The layer (0 for a directory scan).
    pub layer: usize,
    /// The file (empty when the problem is with the whole layer).
    pub path: String,
    /// What happened.
    pub message: String,
    /// The layer could not be read to its end: what it holds past that point is unknown, so
    /// the scan is incomplete.
    pub layer_unreadable: bool,
}

/// The image as it runs, with its history.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Resolved {
    /// Packages present in the final filesystem.
    pub packages: Vec<ResolvedPackage>,
    /// Packages a later layer removed.
    pub removed: Vec<ResolvedPackage>,
    /// Secrets, deleted ones included.
    pub secrets: Vec<Secret>,
    /// The OS identification files of the final view, symbolic links followed.
    #[serde(skip)]
    pub os_files: Vec<(String, Vec<u8>)>,
    /// Files catalogers could not read, and entries the walk refused.
    pub problems: Vec<LayerProblem>,
}

/// How a path fared in the layers above the one it was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Visible,
    /// Deleted or replaced by this layer.
    GoneIn(usize),
}

fn fate(scans: &[LayerScan], path: &str, layer: usize) -> Fate {
    let hash = path_hash(path);
    for scan in scans.iter().filter(|s| s.index > layer) {
        let covered = scan.whiteouts.iter().any(|w| is_at_or_under(path, w))
            || scan
                .opaque
                .iter()
                .any(|d| d.is_empty() || path.starts_with(&format!("{d}/")));
        if covered || scan.written.contains(&hash) {
            return Fate::GoneIn(scan.index);
        }
    }
    Fate::Visible
}

fn is_at_or_under(path: &str, dir: &str) -> bool {
    path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

type Identity = (PackageKind, String, String, Option<String>);

/// The packages one file held, layer by layer.
type Versions = Vec<(usize, Vec<Package>)>;

fn identity(p: &Package) -> Identity {
    (p.kind, p.name.clone(), p.version.clone(), p.arch.clone())
}

/// Merges the layer walks of one image (in any order; they are sorted by index).
pub fn resolve(mut scans: Vec<LayerScan>) -> Resolved {
    scans.sort_by_key(|s| s.index);
    let mut resolved = Resolved::default();

    // Versions of each (cataloger, file), layer by layer.
    let mut groups: BTreeMap<(&'static str, String), Versions> = BTreeMap::new();
    for scan in &scans {
        for observation in &scan.observations {
            let mut packages = observation.found.packages.clone();
            for p in &mut packages {
                p.location.layer = Some(scan.index);
            }
            groups
                .entry((observation.cataloger, observation.path.clone()))
                .or_default()
                .push((scan.index, packages));
            for error in &observation.found.errors {
                resolved.problems.push(problem_of(scan.index, error));
            }
        }
        for p in &scan.problems {
            resolved.problems.push(walk_problem(scan.index, p));
        }
        if let Some(why) = &scan.truncated {
            resolved.problems.push(LayerProblem {
                layer: scan.index,
                path: String::new(),
                message: why.clone(),
                layer_unreadable: true,
            });
        }
    }

    for ((_, path), versions) in groups {
        let mut present: HashMap<Identity, (Package, usize)> = HashMap::new();
        let mut order: Vec<Identity> = Vec::new();
        for (layer, packages) in &versions {
            let now: HashMap<Identity, &Package> =
                packages.iter().map(|p| (identity(p), p)).collect();
            for id in &order {
                if let Some((package, introduced)) = present.get(id) {
                    if !now.contains_key(id) {
                        resolved.removed.push(ResolvedPackage {
                            package: package.clone(),
                            introduced: Some(*introduced),
                            removed: Some(*layer),
                        });
                    }
                }
            }
            present.retain(|id, _| now.contains_key(id));
            order.retain(|id| now.contains_key(id));
            for p in packages {
                let id = identity(p);
                match present.get_mut(&id) {
                    Some(entry) => entry.0 = p.clone(),
                    None => {
                        present.insert(id.clone(), (p.clone(), *layer));
                        order.push(id);
                    }
                }
            }
        }
        let last_layer = versions.last().map_or(0, |(l, _)| *l);
        let gone = match fate(&scans, &path, last_layer) {
            Fate::GoneIn(j) if !versions.iter().any(|(l, _)| *l == j) => Some(j),
            _ => None,
        };
        for id in order {
            if let Some((package, introduced)) = present.remove(&id) {
                let resolved_package = ResolvedPackage {
                    package,
                    introduced: Some(introduced),
                    removed: gone,
                };
                if gone.is_some() {
                    resolved.removed.push(resolved_package);
                } else {
                    resolved.packages.push(resolved_package);
                }
            }
        }
    }

    for scan in &scans {
        for observation in &scan.content {
            let deleted_in = match fate(&scans, &observation.path, scan.index) {
                Fate::Visible => None,
                Fate::GoneIn(j) => Some(j),
            };
            for finding in &observation.findings {
                resolved.secrets.push(Secret {
                    path: observation.path.clone(),
                    layer: scan.index,
                    deleted_in,
                    finding: finding.clone(),
                });
            }
        }
    }

    let kept: std::collections::BTreeSet<&String> =
        scans.iter().flat_map(|s| s.os_files.keys()).collect();
    let mut os_files: Vec<(String, Vec<u8>)> = kept
        .into_iter()
        .filter_map(|path| final_file(&scans, path).map(|bytes| (path.clone(), bytes)))
        .collect();
    // Release files are also reached through symbolic links (`etc/os-release` →
    // `../usr/lib/os-release`) that no layer kept as a file.
    for path in crate::catalog::os::release::RELEASE_FILES {
        if !os_files.iter().any(|(p, _)| p == path) {
            if let Some(bytes) = final_file(&scans, path) {
                os_files.push(((*path).to_owned(), bytes));
            }
        }
    }
    os_files.sort();
    resolved.os_files = os_files;
    resolved.packages.sort_by(|a, b| {
        (a.package.kind, &a.package.name, &a.package.version).cmp(&(
            b.package.kind,
            &b.package.name,
            &b.package.version,
        ))
    });
    resolved
}

/// The content of `path` in the final view, following symbolic links (a few hops), when it is
/// one of the files the walk keeps.
fn final_file(scans: &[LayerScan], path: &str) -> Option<Vec<u8>> {
    let mut current = path.to_owned();
    for _ in 0..8 {
        let hash = path_hash(&current);
        let top = scans.iter().rev().find(|s| {
            s.written.contains(&hash)
                || s.whiteouts.iter().any(|w| is_at_or_under(&current, w))
                || s.opaque
                    .iter()
                    .any(|d| d.is_empty() || current.starts_with(&format!("{d}/")))
        })?;
        if !top.written.contains(&hash) {
            return None;
        }
        if let Some(bytes) = top.os_files.get(&current) {
            return Some(bytes.clone());
        }
        let target = top.symlinks.get(&current)?;
        let base = current.rsplit_once('/').map_or("", |(d, _)| d);
        let joined = if target.starts_with('/') || base.is_empty() {
            target.clone()
        } else {
            format!("{base}/{target}")
        };
        current = resolve_dots(&joined)?;
    }
    None
}

/// `etc/../usr/lib/os-release` → `usr/lib/os-release`; `..` above the root stays at the root,
/// as the kernel resolves it.
fn resolve_dots(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

fn problem_of(layer: usize, error: &CatalogError) -> LayerProblem {
    LayerProblem {
        layer,
        path: error.path.clone(),
        message: match error.line {
            Some(line) => format!("line {line}: {}", error.message),
            None => error.message.clone(),
        },
        layer_unreadable: false,
    }
}

fn walk_problem(layer: usize, p: &WalkProblem) -> LayerProblem {
    LayerProblem {
        layer,
        path: p.path.clone(),
        message: p.message.clone(),
        layer_unreadable: false,
    }
}
