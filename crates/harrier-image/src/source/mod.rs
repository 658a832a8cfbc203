//! Where images come from, and the one shape they all take: a config, an ordered list of
//! layers, and a way to stream each layer.
//!
//! | reference | source |
//! |---|---|
//! | `docker-archive:PATH` | `docker save` / `podman save` tarball ([`archive`]) |
//! | `oci-archive:PATH[:TAG]` | an OCI image layout in a tarball ([`archive`]) |
//! | `oci:DIR[:TAG]` | an OCI image layout directory ([`oci`]) |
//! | `dir:PATH` | an unpacked root filesystem (walked directly by [`crate::walk::walk_dir`]) |
//! | `host/repo:tag`, `repo@sha256:…` | a registry (`registry`) |
//!
//! A layer is streamed by [`Image::open_layer`] as the raw blob (compressed or not); the walk
//! detects the compression from the stream itself, since media types are not always honest.

pub mod archive;
pub mod config;
pub mod oci;
pub mod registry;

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use config::ImageConfig;

/// Why an image could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// A file could not be read.
    // The cause is in the message rather than the error chain, so that it is printed once
    // both by `{}` (layer problems in reports) and by `{:#}` (the CLI's error line).
    #[error("{}: {error}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        error: std::io::Error,
    },
    /// The image's structure is not what its format requires.
    #[error("{what}: {message}")]
    Invalid {
        /// The file or object (`manifest.json`, `index.json`, a blob digest).
        what: String,
        /// What is wrong.
        message: String,
    },
    /// No image in the source matches what was asked for.
    #[error("{0}")]
    NotFound(String),
    /// A registry error.
    #[error("{0}")]
    Registry(String),
}

impl SourceError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> SourceError {
        SourceError::Io {
            path: path.into(),
            error: source,
        }
    }

    pub(crate) fn invalid(what: impl Into<String>, message: impl Into<String>) -> SourceError {
        SourceError::Invalid {
            what: what.into(),
            message: message.into(),
        }
    }
}

/// One layer of an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerInfo {
    /// Position, from 0 (the base).
    pub index: usize,
    /// The blob's digest (of the bytes as stored, compressed or not), when known.
    pub digest: Option<String>,
    /// The digest of the uncompressed tar (`rootfs.diff_ids`), when the config gives it.
    pub diff_id: Option<String>,
    /// The media type as the manifest says.
    pub media_type: Option<String>,
    /// Size of the blob as stored.
    pub size: Option<u64>,
    /// The history entry that made it: the Dockerfile instruction (`created_by`).
    pub created_by: Option<String>,
}

/// Streams layer blobs.
pub trait LayerOpener: Send + Sync {
    /// The raw blob of layer `index`, as stored.
    fn open(&self, index: usize) -> Result<Box<dyn Read + Send + '_>, SourceError>;
}

/// An image ready to be walked.
pub struct Image {
    /// What the user named.
    pub reference: String,
    /// The manifest's digest, when the source has one.
    pub manifest_digest: Option<String>,
    /// The config blob's digest: the image id.
    pub config_digest: Option<String>,
    /// Tags the source records (`RepoTags`, `org.opencontainers.image.ref.name`).
    pub tags: Vec<String>,
    /// The config.
    pub config: ImageConfig,
    /// The layers, base first.
    pub layers: Vec<LayerInfo>,
    opener: Box<dyn LayerOpener>,
}

impl std::fmt::Debug for Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Image")
            .field("reference", &self.reference)
            .field("manifest_digest", &self.manifest_digest)
            .field("layers", &self.layers)
            .finish_non_exhaustive()
    }
}

impl Image {
    /// Assembles an image; layer history is attached from the config.
    pub fn new(
        reference: String,
        config: ImageConfig,
        mut layers: Vec<LayerInfo>,
        opener: Box<dyn LayerOpener>,
    ) -> Image {
        let instructions = config.layer_history();
        for (layer, created_by) in layers.iter_mut().zip(instructions) {
            if layer.created_by.is_none() {
                layer.created_by = created_by;
            }
        }
        for (layer, diff_id) in layers.iter_mut().zip(config.rootfs.diff_ids.iter()) {
            if layer.diff_id.is_none() {
                layer.diff_id = Some(diff_id.clone());
            }
        }
        Image {
            reference,
            manifest_digest: None,
            config_digest: None,
            tags: Vec::new(),
            config,
            layers,
            opener,
        }
    }

    /// Streams layer `index`'s blob.
    pub fn open_layer(&self, index: usize) -> Result<Box<dyn Read + Send + '_>, SourceError> {
        self.opener.open(index)
    }
}

/// How an image reference names its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// `docker-archive:PATH`.
    DockerArchive(PathBuf),
    /// `oci-archive:PATH[:TAG]`.
    OciArchive(PathBuf, Option<String>),
    /// `oci:DIR[:TAG]`.
    OciLayout(PathBuf, Option<String>),
    /// `dir:PATH`.
    Dir(PathBuf),
    /// Anything else: a registry reference.
    Registry(String),
}

impl SourceSpec {
    /// Reads a reference as the user typed it.
    pub fn parse(reference: &str) -> SourceSpec {
        let split_tag = |rest: &str| -> (PathBuf, Option<String>) {
            // `oci:DIR:TAG`: the tag is after the last `:` unless that part is a path.
            match rest.rsplit_once(':') {
                Some((path, tag)) if !tag.is_empty() && !tag.contains('/') && !path.is_empty() => {
                    (PathBuf::from(path), Some(tag.to_owned()))
                }
                _ => (PathBuf::from(rest), None),
            }
        };
        if let Some(rest) = reference.strip_prefix("docker-archive:") {
            SourceSpec::DockerArchive(PathBuf::from(rest))
        } else if let Some(rest) = reference.strip_prefix("oci-archive:") {
            let (p, t) = split_tag(rest);
            SourceSpec::OciArchive(p, t)
        } else if let Some(rest) = reference.strip_prefix("oci:") {
            let (p, t) = split_tag(rest);
            SourceSpec::OciLayout(p, t)
        } else if let Some(rest) = reference.strip_prefix("dir:") {
            SourceSpec::Dir(PathBuf::from(rest))
        } else {
            SourceSpec::Registry(reference.to_owned())
        }
    }
}

/// What a reference opens to.
pub enum Opened {
    /// An image: config and layers.
    Image(Box<Image>),
    /// An unpacked root filesystem, walked as it is.
    Dir(PathBuf),
}

/// Opens whatever `reference` names (see the module docs for the forms it takes).
pub fn open(reference: &str, registry: &registry::RegistryOptions) -> Result<Opened, SourceError> {
    open_spec(SourceSpec::parse(reference), registry)
}

fn open_spec(
    spec: SourceSpec,
    registry: &registry::RegistryOptions,
) -> Result<Opened, SourceError> {
    match spec {
        SourceSpec::DockerArchive(path) => {
            archive::open_docker_archive(&path).map(|i| Opened::Image(Box::new(i)))
        }
        SourceSpec::OciArchive(path, tag) => {
            archive::open_oci_archive(&path, tag.as_deref()).map(|i| Opened::Image(Box::new(i)))
        }
        SourceSpec::OciLayout(path, tag) => {
            oci::open_dir_layout(&path, tag.as_deref()).map(|i| Opened::Image(Box::new(i)))
        }
        SourceSpec::Dir(path) => match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => Ok(Opened::Dir(path)),
            Ok(_) => Err(SourceError::invalid(
                path.display().to_string(),
                "not a directory",
            )),
            Err(e) => Err(SourceError::io(path, e)),
        },
        SourceSpec::Registry(name) => match local_kind(Path::new(&name)) {
            Some(spec) => open_spec(spec, registry),
            // `/tmp/app.tar` or `./layout` cannot be image names: say the file is missing
            // rather than that the name is a bad reference.
            None if name.starts_with(['/', '.']) => Err(SourceError::io(
                name,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
            )),
            None => registry::open_image(&name, registry).map(|i| Opened::Image(Box::new(i))),
        },
    }
}

/// A reference without a prefix that names an existing file or directory is read from disk,
/// as its content says: an OCI layout (it has an `oci-layout` file), a root filesystem, or an
/// archive (docker-archive unless it holds an `oci-layout` entry). An image name can look like a
/// relative path (`app:1`), but an existing file of that name is what the user most likely means.
fn local_kind(path: &Path) -> Option<SourceSpec> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_dir() {
        return Some(if path.join("oci-layout").is_file() {
            SourceSpec::OciLayout(path.to_path_buf(), None)
        } else {
            SourceSpec::Dir(path.to_path_buf())
        });
    }
    let index = archive::TarIndex::open(path).ok()?;
    Some(if oci::Files::exists(&index, "oci-layout") {
        SourceSpec::OciArchive(path.to_path_buf(), None)
    } else {
        SourceSpec::DockerArchive(path.to_path_buf())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        assert_eq!(
            SourceSpec::parse("docker-archive:/tmp/a.tar"),
            SourceSpec::DockerArchive("/tmp/a.tar".into())
        );
        assert_eq!(
            SourceSpec::parse("oci:./layout:v1"),
            SourceSpec::OciLayout("./layout".into(), Some("v1".into()))
        );
        assert_eq!(
            SourceSpec::parse("oci:./layout"),
            SourceSpec::OciLayout("./layout".into(), None)
        );
        assert_eq!(
            SourceSpec::parse("oci-archive:a.tar"),
            SourceSpec::OciArchive("a.tar".into(), None)
        );
        assert_eq!(SourceSpec::parse("dir:/"), SourceSpec::Dir("/".into()));
        assert_eq!(
            SourceSpec::parse("nginx:1.27"),
            SourceSpec::Registry("nginx:1.27".into())
        );
    }
}
