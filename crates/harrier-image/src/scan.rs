//! Scanning an image or a directory: walk every layer (in parallel), resolve the final view,
//! detect the OS.

use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::Distro;
use crate::catalog::{self, Cataloger, Scope};
use crate::resolve::{Resolved, resolve};
use crate::source::{Image, LayerInfo};
use crate::walk::{Consumers, ContentScanner, LayerScan, walk_dir, walk_layer};

/// What was scanned.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Subject {
    /// The reference as given (`docker-archive:app.tar`, `nginx:1.27`, `dir:/srv/rootfs`).
    pub reference: String,
    /// The manifest digest, for images that have one.
    pub manifest_digest: Option<String>,
    /// The config digest (image id).
    pub config_digest: Option<String>,
    /// Tags the source records.
    pub tags: Vec<String>,
    /// `os/architecture[/variant]`.
    pub platform: Option<String>,
    /// The layers, base first (empty for a directory).
    pub layers: Vec<LayerInfo>,
}

/// Counts of one layer's walk.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct LayerStats {
    /// Entries.
    pub entries: u64,
    /// Bytes of regular files.
    pub bytes: u64,
}

/// Everything a scan found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImageScan {
    /// What was scanned.
    pub subject: Subject,
    /// The OS, when detected.
    pub distro: Option<Distro>,
    /// Packages, removed packages, secrets, problems.
    pub resolved: Resolved,
    /// Per-layer counts.
    pub layer_stats: Vec<LayerStats>,
}

/// What to look for.
pub struct ScanOptions<'a> {
    /// Catalogers to run.
    pub catalogers: Vec<&'static dyn Cataloger>,
    /// The secret scanner, if secrets are wanted.
    pub secrets: Option<&'a dyn ContentScanner>,
    /// Called as each layer's walk ends (from the walking thread), for progress bars.
    pub on_layer: Option<&'a (dyn Fn(usize) + Sync)>,
}

impl ScanOptions<'_> {
    /// The catalogers for installed packages (images, root filesystems).
    pub fn installed() -> ScanOptions<'static> {
        ScanOptions {
            catalogers: catalog::all()
                .into_iter()
                .filter(|c| c.scope() == Scope::Everywhere)
                .collect(),
            secrets: None,
            on_layer: None,
        }
    }

    /// Every cataloger, lockfiles included (source trees).
    pub fn source_tree() -> ScanOptions<'static> {
        ScanOptions {
            catalogers: catalog::all(),
            secrets: None,
            on_layer: None,
        }
    }
}

/// Walks every layer of `image`, in parallel, and resolves the result.
pub fn scan_image(image: &Image, options: &ScanOptions<'_>) -> ImageScan {
    let consumers = Consumers {
        catalogers: &options.catalogers,
        content: options.secrets,
    };
    let scans: Vec<LayerScan> = (0..image.layers.len())
        .into_par_iter()
        .map(|i| {
            let scan = match image.open_layer(i) {
                Ok(blob) => walk_layer(i, blob, consumers),
                Err(e) => LayerScan {
                    index: i,
                    truncated: Some(format!("cannot open the layer: {e}")),
                    ..LayerScan::default()
                },
            };
            if let Some(done) = options.on_layer {
                done(i);
            }
            scan
        })
        .collect();
    let subject = Subject {
        reference: image.reference.clone(),
        manifest_digest: image.manifest_digest.clone(),
        config_digest: image.config_digest.clone(),
        tags: image.tags.clone(),
        platform: (!image.config.os.is_empty()).then(|| match &image.config.variant {
            Some(v) => format!("{}/{}/{v}", image.config.os, image.config.architecture),
            None => format!("{}/{}", image.config.os, image.config.architecture),
        }),
        layers: image.layers.clone(),
    };
    finish(subject, scans)
}

/// Walks a directory (a root filesystem or a source tree) as one layer.
pub fn scan_dir(path: &Path, options: &ScanOptions<'_>) -> ImageScan {
    let consumers = Consumers {
        catalogers: &options.catalogers,
        content: options.secrets,
    };
    let scan = walk_dir(path, consumers);
    let subject = Subject {
        reference: format!("dir:{}", path.display()),
        ..Subject::default()
    };
    let mut result = finish(subject, vec![scan]);
    // A directory has no layers: the pseudo-layer index means nothing to a reader.
    for p in result.resolved.packages.iter_mut() {
        p.package.location.layer = None;
        p.introduced = None;
    }
    result
}

fn finish(subject: Subject, scans: Vec<LayerScan>) -> ImageScan {
    let mut layer_stats: Vec<(usize, LayerStats)> = scans
        .iter()
        .map(|s| {
            (
                s.index,
                LayerStats {
                    entries: s.entries,
                    bytes: s.bytes,
                },
            )
        })
        .collect();
    layer_stats.sort_by_key(|(i, _)| *i);
    let mut resolved = resolve(scans);
    let files: Vec<(&str, &[u8])> = resolved
        .os_files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    let distro = catalog::os::detect(&files);
    let mut packages: Vec<crate::Package> = resolved
        .packages
        .iter()
        .map(|p| p.package.clone())
        .collect();
    catalog::os::deb_copyright::apply(&mut packages, &files);
    for (resolved, package) in resolved.packages.iter_mut().zip(packages) {
        resolved.package = package;
    }
    ImageScan {
        subject,
        distro,
        resolved,
        layer_stats: layer_stats.into_iter().map(|(_, s)| s).collect(),
    }
}
