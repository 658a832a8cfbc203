//! OCI image layouts (<https://github.com/opencontainers/image-spec/blob/main/image-layout.md>):
//! `oci-layout`, `index.json` and content-addressed `blobs/<alg>/<hex>`, in a directory or (via
//! [`super::archive`]) in a tar.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::archive::MAX_METADATA_BYTES;
use super::{Image, ImageConfig, LayerInfo, LayerOpener, SourceError};

/// Files of a layout, wherever they are stored.
pub trait Files: Send + Sync {
    /// A small file, whole (manifests, configs).
    fn read(&self, name: &str) -> Result<Vec<u8>, SourceError>;
    /// A file as a stream (layer blobs).
    fn open(&self, name: &str) -> Result<Box<dyn Read + Send + '_>, SourceError>;
    /// Whether the file exists.
    fn exists(&self, name: &str) -> bool;
}

/// A layout directory.
pub struct DirFiles(pub PathBuf);

impl Files for DirFiles {
    fn read(&self, name: &str) -> Result<Vec<u8>, SourceError> {
        let path = self.0.join(name);
        let mut bytes = Vec::new();
        std::fs::File::open(&path)
            .and_then(|f| f.take(MAX_METADATA_BYTES + 1).read_to_end(&mut bytes))
            .map_err(|e| SourceError::io(&path, e))?;
        if bytes.len() as u64 > MAX_METADATA_BYTES {
            return Err(SourceError::invalid(name, "too large for image metadata"));
        }
        Ok(bytes)
    }

    fn open(&self, name: &str) -> Result<Box<dyn Read + Send + '_>, SourceError> {
        let path = self.0.join(name);
        let file = std::fs::File::open(&path).map_err(|e| SourceError::io(&path, e))?;
        Ok(Box::new(std::io::BufReader::with_capacity(1 << 20, file)))
    }

    fn exists(&self, name: &str) -> bool {
        self.0.join(name).is_file()
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    media_type: Option<String>,
    digest: String,
    size: Option<u64>,
    #[serde(default)]
    annotations: std::collections::BTreeMap<String, String>,
    platform: Option<Platform>,
}

#[derive(Debug, Deserialize)]
struct Platform {
    architecture: String,
    os: String,
    #[serde(default)]
    variant: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct IndexOrManifest {
    media_type: Option<String>,
    #[serde(default)]
    manifests: Option<Vec<Descriptor>>,
    config: Option<Descriptor>,
    #[serde(default)]
    layers: Option<Vec<Descriptor>>,
}

/// `sha256:<hex>` of some bytes.
pub fn sha256_digest(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

fn blob_path(digest: &str) -> Result<String, SourceError> {
    let (alg, hex) = digest
        .split_once(':')
        .ok_or_else(|| SourceError::invalid(digest, "a digest is `<algorithm>:<hex>`"))?;
    if alg.is_empty()
        || hex.is_empty()
        || !hex.bytes().all(|b| b.is_ascii_hexdigit())
        || alg.contains(['/', '.'])
    {
        return Err(SourceError::invalid(digest, "malformed digest"));
    }
    Ok(format!("blobs/{alg}/{hex}"))
}

/// Reads a blob and checks its digest.
fn read_blob(files: &dyn Files, digest: &str) -> Result<Vec<u8>, SourceError> {
    let bytes = files.read(&blob_path(digest)?)?;
    if digest.starts_with("sha256:") && sha256_digest(&bytes) != digest {
        return Err(SourceError::invalid(
            digest,
            "blob content does not match its digest",
        ));
    }
    Ok(bytes)
}

/// Opens the image of a layout: the manifest tagged `tag` (annotation
/// `org.opencontainers.image.ref.name`), else the only one, else the one for linux/amd64 (or
/// the host's architecture) in an index.
pub fn open_layout<F: Files + 'static>(
    files: F,
    reference: &str,
    tag: Option<&str>,
) -> Result<Image, SourceError> {
    if !files.exists("index.json") {
        return Err(SourceError::invalid(
            reference,
            "not an OCI image layout (no index.json)",
        ));
    }
    let index: IndexOrManifest = serde_json::from_slice(&files.read("index.json")?)
        .map_err(|e| SourceError::invalid("index.json", e.to_string()))?;
    let mut candidates = index.manifests.unwrap_or_default();
    if let Some(tag) = tag {
        candidates.retain(|d| {
            d.annotations
                .get("org.opencontainers.image.ref.name")
                .map(String::as_str)
                == Some(tag)
        });
        if candidates.is_empty() {
            return Err(SourceError::NotFound(format!(
                "{reference}: no manifest tagged `{tag}` in index.json"
            )));
        }
    }
    let mut descriptor = choose(candidates, reference)?;
    // Follow nested indexes down to one image manifest.
    for _ in 0..4 {
        let bytes = read_blob(&files, &descriptor.digest)?;
        let doc: IndexOrManifest = serde_json::from_slice(&bytes)
            .map_err(|e| SourceError::invalid(descriptor.digest.clone(), e.to_string()))?;
        if let Some(manifests) = doc.manifests {
            descriptor = choose(manifests, reference)?;
            continue;
        }
        return image_from_manifest(files, reference, &descriptor, doc);
    }
    Err(SourceError::invalid(reference, "indexes nest too deeply"))
}

fn choose(mut candidates: Vec<Descriptor>, reference: &str) -> Result<Descriptor, SourceError> {
    if candidates.len() <= 1 {
        return candidates.pop().ok_or_else(|| {
            SourceError::NotFound(format!("{reference}: the index lists no manifest"))
        });
    }
    let arch = host_architecture();
    let position = candidates
        .iter()
        .position(|d| {
            d.platform
                .as_ref()
                .is_some_and(|p| p.os == "linux" && p.architecture == arch)
        })
        .or_else(|| candidates.iter().position(|d| d.platform.is_none()));
    match position {
        Some(i) => Ok(candidates.swap_remove(i)),
        None => {
            let available: Vec<String> = candidates
                .iter()
                .filter_map(|d| d.platform.as_ref())
                .map(|p| match &p.variant {
                    Some(v) => format!("{}/{}/{v}", p.os, p.architecture),
                    None => format!("{}/{}", p.os, p.architecture),
                })
                .collect();
            Err(SourceError::NotFound(format!(
                "{reference}: no manifest for linux/{arch}; the index has {}",
                available.join(", ")
            )))
        }
    }
}

/// The GOARCH-style name of the architecture Harrier runs on.
pub fn host_architecture() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        other => other,
    }
}

fn image_from_manifest<F: Files + 'static>(
    files: F,
    reference: &str,
    descriptor: &Descriptor,
    manifest: IndexOrManifest,
) -> Result<Image, SourceError> {
    let config_descriptor = manifest.config.ok_or_else(|| {
        SourceError::invalid(descriptor.digest.clone(), "the manifest has no config")
    })?;
    let config_bytes = read_blob(&files, &config_descriptor.digest)?;
    let config = ImageConfig::parse(&config_bytes)
        .map_err(|e| SourceError::invalid(config_descriptor.digest.clone(), e.to_string()))?;
    let descriptors = manifest.layers.unwrap_or_default();
    let mut paths = Vec::with_capacity(descriptors.len());
    let mut layers = Vec::with_capacity(descriptors.len());
    for (i, d) in descriptors.into_iter().enumerate() {
        paths.push(blob_path(&d.digest)?);
        layers.push(LayerInfo {
            index: i,
            digest: Some(d.digest),
            diff_id: None,
            media_type: d.media_type,
            size: d.size,
            created_by: None,
        });
    }
    let _ = manifest.media_type;
    let tag = descriptor
        .annotations
        .get("org.opencontainers.image.ref.name")
        .cloned();
    let opener = Box::new(BlobOpener { files, paths });
    let mut image = Image::new(reference.to_owned(), config, layers, opener);
    image.manifest_digest = Some(descriptor.digest.clone());
    image.config_digest = Some(config_descriptor.digest);
    image.tags = tag.into_iter().collect();
    Ok(image)
}

/// Opens an OCI layout directory.
pub fn open_dir_layout(path: &Path, tag: Option<&str>) -> Result<Image, SourceError> {
    open_layout(
        DirFiles(path.to_owned()),
        &format!("oci:{}", path.display()),
        tag,
    )
}

struct BlobOpener<F: Files> {
    files: F,
    paths: Vec<String>,
}

impl<F: Files> LayerOpener for BlobOpener<F> {
    fn open(&self, index: usize) -> Result<Box<dyn Read + Send + '_>, SourceError> {
        let path = self
            .paths
            .get(index)
            .ok_or_else(|| SourceError::invalid("manifest", format!("no layer {index}")))?;
        self.files.open(path)
    }
}
