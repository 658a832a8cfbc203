//! Image tarballs: `docker save`/`podman save` archives, and OCI layouts packed in a tar.
//!
//! The outer tar is indexed once (member name → offset and size), after which any member can
//! be streamed by seeking to it, so layers are read straight from the tarball without being
//! extracted and can be walked in parallel. Compressed outer archives cannot be seeked and are
//! refused with a message saying to decompress them first.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::oci::{self, Files};
use super::{Image, ImageConfig, LayerInfo, LayerOpener, SourceError};

/// Largest manifest, index or config read into memory.
pub(crate) const MAX_METADATA_BYTES: u64 = 64 * 1024 * 1024;

/// A tar file indexed by member name.
#[derive(Debug)]
pub struct TarIndex {
    path: PathBuf,
    members: HashMap<String, (u64, u64)>,
}

impl TarIndex {
    /// Indexes the regular-file members of the tar at `path`.
    pub fn open(path: &Path) -> Result<TarIndex, SourceError> {
        let mut file = File::open(path).map_err(|e| SourceError::io(path, e))?;
        let mut magic = [0u8; 4];
        if file.read_exact(&mut magic).is_ok()
            && (magic[..2] == [0x1f, 0x8b] || magic == [0x28, 0xb5, 0x2f, 0xfd])
        {
            return Err(SourceError::invalid(
                path.display().to_string(),
                "the archive is compressed; decompress it first (a compressed tar cannot be read member by member)",
            ));
        }
        file.seek(SeekFrom::Start(0))
            .map_err(|e| SourceError::io(path, e))?;
        let mut archive = tar::Archive::new(file);
        let mut members = HashMap::new();
        // Seeking past member data keeps indexing a multi-gigabyte archive to one read per
        // header.
        let entries = archive
            .entries_with_seek()
            .map_err(|e| SourceError::io(path, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| {
                SourceError::invalid(
                    path.display().to_string(),
                    format!("corrupt tar: {}", crate::walk::tar_error(&e)),
                )
            })?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let name = entry.path().map_err(|e| {
                SourceError::invalid(
                    path.display().to_string(),
                    format!("bad member name: {}", crate::walk::tar_error(&e)),
                )
            })?;
            let name = normalise(&name.to_string_lossy());
            members.insert(name, (entry.raw_file_position(), entry.size()));
        }
        Ok(TarIndex {
            path: path.to_owned(),
            members,
        })
    }
}

fn normalise(name: &str) -> String {
    name.trim_start_matches("./")
        .trim_start_matches('/')
        .to_owned()
}

impl Files for TarIndex {
    fn read(&self, name: &str) -> Result<Vec<u8>, SourceError> {
        let (_, size) = self.member(name)?;
        if size > MAX_METADATA_BYTES {
            return Err(SourceError::invalid(
                name,
                format!("{size} bytes is too large for image metadata"),
            ));
        }
        let mut bytes = Vec::new();
        self.open(name)?
            .read_to_end(&mut bytes)
            .map_err(|e| SourceError::io(&self.path, e))?;
        Ok(bytes)
    }

    fn open(&self, name: &str) -> Result<Box<dyn Read + Send + '_>, SourceError> {
        let (offset, size) = self.member(name)?;
        let mut file = File::open(&self.path).map_err(|e| SourceError::io(&self.path, e))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| SourceError::io(&self.path, e))?;
        Ok(Box::new(file.take(size)))
    }

    fn exists(&self, name: &str) -> bool {
        self.members.contains_key(&normalise(name))
    }
}

impl TarIndex {
    fn member(&self, name: &str) -> Result<(u64, u64), SourceError> {
        self.members.get(&normalise(name)).copied().ok_or_else(|| {
            SourceError::invalid(
                self.path.display().to_string(),
                format!("no member `{name}`"),
            )
        })
    }
}

/// One entry of a docker-archive `manifest.json`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DockerManifest {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    layers: Vec<String>,
}

/// Opens a `docker save` / `podman save` archive. With several images in it, the first is
/// scanned (as `docker load` would list them); the others are named in the error when a tag is
/// asked for and not found.
pub fn open_docker_archive(path: &Path) -> Result<Image, SourceError> {
    let index = TarIndex::open(path)?;
    let manifest_bytes = index.read("manifest.json")?;
    let manifests: Vec<DockerManifest> = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| SourceError::invalid("manifest.json", e.to_string()))?;
    let manifest = manifests.into_iter().next().ok_or_else(|| {
        SourceError::NotFound(format!("{}: manifest.json lists no image", path.display()))
    })?;
    let config_bytes = index.read(&manifest.config)?;
    let config = ImageConfig::parse(&config_bytes)
        .map_err(|e| SourceError::invalid(manifest.config.clone(), e.to_string()))?;
    let layers = manifest
        .layers
        .iter()
        .enumerate()
        .map(|(i, name)| LayerInfo {
            index: i,
            digest: digest_from_name(name),
            diff_id: None,
            media_type: None,
            size: index.members.get(&normalise(name)).map(|(_, s)| *s),
            created_by: None,
        })
        .collect();
    let opener = Box::new(MemberOpener {
        files: index,
        names: manifest.layers,
    });
    let mut image = Image::new(
        format!("docker-archive:{}", path.display()),
        config,
        layers,
        opener,
    );
    image.config_digest =
        digest_from_name(&manifest.config).or_else(|| Some(oci::sha256_digest(&config_bytes)));
    image.tags = manifest.repo_tags.unwrap_or_default();
    Ok(image)
}

/// `blobs/sha256/<hex>` or `<hex>.json` → `sha256:<hex>`.
fn digest_from_name(name: &str) -> Option<String> {
    let file = name.rsplit('/').next()?;
    let hex = file
        .strip_suffix(".json")
        .or_else(|| file.strip_suffix(".tar"))
        .unwrap_or(file);
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| format!("sha256:{hex}"))
}

/// Opens an OCI layout packed in a tar.
pub fn open_oci_archive(path: &Path, tag: Option<&str>) -> Result<Image, SourceError> {
    let index = TarIndex::open(path)?;
    oci::open_layout(index, &format!("oci-archive:{}", path.display()), tag)
}

struct MemberOpener {
    files: TarIndex,
    names: Vec<String>,
}

impl LayerOpener for MemberOpener {
    fn open(&self, index: usize) -> Result<Box<dyn Read + Send + '_>, SourceError> {
        let name = self
            .names
            .get(index)
            .ok_or_else(|| SourceError::invalid("manifest.json", format!("no layer {index}")))?;
        self.files.open(name)
    }
}
