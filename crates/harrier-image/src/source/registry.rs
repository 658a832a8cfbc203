//! Images pulled from a registry with the OCI distribution API, layers streamed, never
//! stored.
//!
//! [`pull`] resolves a [`Reference`] to one image: it fetches the manifest (an OCI or Docker
//! index is narrowed to the [`Platform`] asked for, `linux/amd64` by default), checks it
//! against the digest it was asked by, and reads the config blob. [`Pulled::open_layer`] then
//! streams each layer blob straight from the registry (or the object storage it redirects to),
//! checking size and digest as the bytes pass; nothing is written to disk.
//!
//! What it speaks, and where:
//! - manifests: OCI manifest and index, Docker v2 schema 2 manifest and manifest list
//!   ([`manifest`]); Docker schema 1 is refused with its own error;
//! - authentication: bearer tokens (anonymous, with basic credentials, or with an identity
//!   token) and basic auth ([`client`]'s docs); credentials from the options, else from the
//!   Docker config and its credential helpers ([`credentials`]);
//! - transport: HTTPS with the Mozilla roots (rustls, `webpki-roots`); retries of 429/5xx and
//!   network failures; redirects followed without taking the `Authorization` header to other
//!   hosts; `HTTPS_PROXY`/`NO_PROXY` honoured.
//!
//! **Insecure registries.** With [`RegistryOptions::insecure`], TLS certificates are not
//! verified, and when the TLS handshake fails the registry is spoken to in plain HTTP, as
//! Docker does for its `insecure-registries`. Registries on this machine (`localhost`,
//! `127.0.0.0/8`, `[::1]`) are treated so by default, as Docker and containerd treat them:
//! a loopback connection crosses no network, and local test registries speak plain HTTP.
//! HTTPS-to-HTTP redirects, and credentials sent to a plain-HTTP token endpoint, are refused
//! unless the registry is insecure.
//!
//! Blocking, on purpose: the scanner is synchronous and parallelises over layers with
//! threads; each layer is one long-lived HTTP stream, which threads serve as well as tasks.

pub mod challenge;
mod client;
pub mod credentials;
mod error;
pub mod manifest;
pub mod platform;
pub mod reference;

mod blob;

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use oci_spec::image::{Descriptor, ImageManifest};

pub use client::{describe_error_body, parse_token_response_value};
pub use error::RegistryError;
pub use manifest::{Manifest, ManifestError};
pub use platform::{Platform, PlatformError};
pub use reference::{Reference, ReferenceError};

use blob::{BlobReader, Hasher, sha256_digest, verify};
use client::{Client, Settings, read_limited};

/// Largest image config read.
pub const MAX_CONFIG_BYTES: u64 = 16 * 1024 * 1024;
/// Most nested indexes followed (an index may point at an index).
const MAX_INDEX_DEPTH: usize = 2;

/// How to pull.
#[derive(Debug, Clone)]
pub struct RegistryOptions {
    /// Skip TLS verification and fall back to plain HTTP (see the module docs; loopback
    /// registries are insecure regardless).
    pub insecure: bool,
    /// The platform to pick from a multi-platform index; `linux/amd64` when `None`.
    pub platform: Option<Platform>,
    /// User name for the registry; with `password`, overrides the Docker config.
    pub username: Option<String>,
    /// Password or access token for the registry.
    pub password: Option<String>,
    /// The Docker config to read credentials from; `$DOCKER_CONFIG/config.json`, else
    /// `~/.docker/config.json`, when `None` (and then a missing file means no credentials).
    pub docker_config: Option<PathBuf>,
    /// Where `docker-credential-*` helpers are looked for; `$PATH` when `None`.
    pub credential_helper_dirs: Option<Vec<PathBuf>>,
    /// Time allowed to connect, TLS handshake included.
    pub connect_timeout: Duration,
    /// Time allowed from sending a request to its response headers.
    pub response_timeout: Duration,
    /// Longest silence allowed while reading a body. Long downloads are fine; stalled ones
    /// are not.
    pub read_timeout: Duration,
    /// Retries after a 429, a 5xx or a network failure, and resumes of a broken layer
    /// stream.
    pub retries: u32,
    /// First wait between retries; doubled each time, at most a minute. A `Retry-After`
    /// header (in seconds) wins.
    pub retry_backoff: Duration,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        RegistryOptions {
            insecure: false,
            platform: None,
            username: None,
            password: None,
            docker_config: None,
            credential_helper_dirs: None,
            connect_timeout: Duration::from_secs(30),
            response_timeout: Duration::from_secs(60),
            read_timeout: Duration::from_secs(60),
            retries: 4,
            retry_backoff: Duration::from_secs(1),
        }
    }
}

/// An image resolved in a registry: manifest and config in hand, layers ready to stream.
pub struct Pulled {
    /// What was pulled.
    pub reference: Reference,
    /// The image manifest's digest (`sha256:…`): for a multi-platform image, the chosen
    /// platform's manifest.
    pub manifest_digest: String,
    /// The index's digest, when the reference named a multi-platform index (what
    /// `docker pull` prints as the repo digest).
    pub index_digest: Option<String>,
    /// The image's platform: the index entry chosen, or for a single-platform image what its
    /// config declares (when it does).
    pub platform: Option<Platform>,
    /// The image manifest.
    pub manifest: ImageManifest,
    /// The config blob, as fetched and verified.
    pub config_bytes: Vec<u8>,
    client: Arc<Client>,
    retries: u32,
}

impl std::fmt::Debug for Pulled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pulled")
            .field("reference", &self.reference)
            .field("manifest_digest", &self.manifest_digest)
            .field("index_digest", &self.index_digest)
            .field("platform", &self.platform)
            .field("layers", &self.manifest.layers().len())
            .finish_non_exhaustive()
    }
}

impl Pulled {
    /// The layer descriptors, base first.
    pub fn layers(&self) -> &[Descriptor] {
        self.manifest.layers()
    }

    /// The config blob's digest: the image id.
    pub fn config_digest(&self) -> String {
        self.manifest.config().digest().to_string()
    }

    /// Streams layer `index`'s blob as stored (compressed or not), from the registry.
    ///
    /// The stream checks the blob's size as it goes and its digest at the end: a mismatch is
    /// an error from the read that reaches the end of the blob (`io::Error` wrapping a
    /// [`RegistryError`]). Decompressors and tar readers stop at their own end markers,
    /// which can come before the blob's last bytes, so **read the stream to its end** (for
    /// instance `io::copy` to `io::sink()` after the walk) for the check to happen. Several
    /// layers may stream at once, from several threads.
    pub fn open_layer(&self, index: usize) -> Result<Box<dyn Read + Send>, RegistryError> {
        let descriptor = self
            .manifest
            .layers()
            .get(index)
            .ok_or(RegistryError::NoSuchLayer {
                index,
                count: self.manifest.layers().len(),
            })?;
        let reader = BlobReader::open(
            Arc::clone(&self.client),
            descriptor.digest().as_ref(),
            descriptor.size(),
            descriptor.urls().clone().unwrap_or_default(),
            self.retries,
        )?;
        Ok(Box::new(reader))
    }
}

/// Resolves `reference` to one image and fetches its manifest and config.
pub fn pull(reference: &Reference, options: &RegistryOptions) -> Result<Pulled, RegistryError> {
    let found = credentials::resolve(
        reference,
        options.username.as_deref(),
        options.password.as_deref(),
        options.docker_config.as_deref(),
        options.credential_helper_dirs.as_deref(),
    )?;
    tracing::debug!("Pulling {reference}: {}.", found.note);
    let settings = Settings {
        insecure: options.insecure,
        connect_timeout: options.connect_timeout,
        response_timeout: options.response_timeout,
        read_timeout: options.read_timeout,
        retries: options.retries,
        retry_backoff: options.retry_backoff,
    };
    let client = Arc::new(Client::connect(reference, &settings, found)?);
    let wanted = options.platform.clone().unwrap_or_default();

    let (mut bytes, mut url, mut digest) = fetch_manifest(
        &client,
        reference.manifest_reference(),
        reference.digest.as_deref(),
    )?;
    let mut index_digest = None;
    let mut platform = None;
    let mut depth = 0;
    let manifest = loop {
        let content_type = bytes.1.as_deref();
        match manifest::parse(&bytes.0, content_type).map_err(|source| RegistryError::Manifest {
            url: url.clone(),
            source,
        })? {
            Manifest::Image(manifest) => break *manifest,
            Manifest::Index(index) => {
                depth += 1;
                if depth > MAX_INDEX_DEPTH {
                    return Err(RegistryError::Manifest {
                        url,
                        source: ManifestError::MediaType(
                            "an index nested in an index nested in an index".to_owned(),
                        ),
                    });
                }
                let entry = manifest::select(&index, &wanted).map_err(|source| {
                    RegistryError::Manifest {
                        url: url.clone(),
                        source,
                    }
                })?;
                if index_digest.is_none() {
                    index_digest = Some(digest.clone());
                }
                if let Some(p) = entry.platform() {
                    platform = Some(Platform::of(p));
                }
                let entry_digest = entry.digest().to_string();
                if entry.size() > manifest::MAX_MANIFEST_BYTES {
                    return Err(RegistryError::TooLarge {
                        what: "manifest",
                        url: client.url(&manifest_path(&client, &entry_digest)),
                        limit: manifest::MAX_MANIFEST_BYTES,
                    });
                }
                let (child, child_url, child_digest) =
                    fetch_manifest(&client, &entry_digest, Some(&entry_digest))?;
                if child.0.len() as u64 != entry.size() {
                    return Err(RegistryError::SizeMismatch {
                        url: child_url,
                        expected: entry.size(),
                        actual: child.0.len() as u64,
                    });
                }
                (bytes, url, digest) = (child, child_url, child_digest);
            }
        }
    };
    let config = manifest.config();
    let config_bytes = blob::fetch_small(
        &client,
        config.digest().as_ref(),
        config.size(),
        MAX_CONFIG_BYTES,
        "config",
    )?;
    let declared = serde_json::from_slice::<ConfigPlatform>(&config_bytes).map_err(|source| {
        RegistryError::Config {
            url: client.url(&format!(
                "/v2/{}/blobs/{}",
                client.repository(),
                config.digest()
            )),
            source,
        }
    })?;
    if platform.is_none() {
        platform = declared.platform();
        // A single-platform image is the only one there is, so it is used; but a person who
        // asked for another platform should know.
        if let (Some(asked), Some(is)) = (&options.platform, &platform) {
            if asked.rank(is).is_none() {
                tracing::warn!(
                    "{reference} is a single-platform image for {is}, not {asked}; scanning it anyway."
                );
            }
        }
    }
    Ok(Pulled {
        reference: reference.clone(),
        manifest_digest: digest,
        index_digest,
        platform,
        manifest,
        config_bytes,
        client,
        retries: options.retries,
    })
}

fn manifest_path(client: &Client, reference: &str) -> String {
    format!("/v2/{}/manifests/{reference}", client.repository())
}

/// The manifest body and `Content-Type`, its URL, and its digest (checked against `pinned`,
/// or against the registry's `Docker-Content-Digest`).
type Fetched = ((Vec<u8>, Option<String>), String, String);

fn fetch_manifest(
    client: &Client,
    reference: &str,
    pinned: Option<&str>,
) -> Result<Fetched, RegistryError> {
    let path = manifest_path(client, reference);
    let url = client.url(&path);
    let response = client.get(&path, Some(manifest::ACCEPT), None)?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_owned())
    };
    let content_type = header("content-type");
    let announced = header("docker-content-digest");
    let bytes = read_limited(response, manifest::MAX_MANIFEST_BYTES, "manifest", &url)?;
    let digest = match pinned {
        Some(pinned) => {
            verify(&url, pinned, &bytes)?;
            pinned.to_owned()
        }
        None => {
            let digest = sha256_digest(&bytes);
            // A registry that announces a digest must serve content that has it; an
            // algorithm we do not know is not checked.
            if let Some(announced) = announced.filter(|a| Hasher::for_digest(a).is_some()) {
                verify(&url, &announced, &bytes)?;
            }
            digest
        }
    };
    Ok(((bytes, content_type), url, digest))
}

/// The platform fields of an image config.
#[derive(serde::Deserialize)]
struct ConfigPlatform {
    #[serde(default)]
    os: Option<String>,
    #[serde(default)]
    architecture: Option<String>,
    #[serde(default)]
    variant: Option<String>,
}

impl ConfigPlatform {
    fn platform(&self) -> Option<Platform> {
        Some(Platform::new(
            self.os.as_deref().filter(|s| !s.is_empty())?,
            self.architecture.as_deref().filter(|s| !s.is_empty())?,
            self.variant.as_deref().filter(|s| !s.is_empty()),
        ))
    }
}

/// Streams the layers of a pulled image for the walk.
struct RegistryLayers(Pulled);

impl super::LayerOpener for RegistryLayers {
    fn open(&self, index: usize) -> Result<Box<dyn Read + Send + '_>, super::SourceError> {
        self.0
            .open_layer(index)
            .map_err(|e| super::SourceError::Registry(e.to_string()))
    }
}

/// Pulls `reference` (its manifest and config; layers are streamed later, by the walk) as an
/// [`super::Image`]. Without a platform in `options`, the one of this machine is chosen from a
/// multi-platform index.
pub fn open_image(
    reference: &str,
    options: &RegistryOptions,
) -> Result<super::Image, super::SourceError> {
    let parsed = Reference::parse(reference).map_err(|e| {
        super::SourceError::Registry(format!("`{reference}` is not an image reference: {e}"))
    })?;
    let mut options = options.clone();
    if options.platform.is_none() {
        options.platform = Some(Platform::new(
            "linux",
            super::oci::host_architecture(),
            None,
        ));
    }
    let pulled =
        pull(&parsed, &options).map_err(|e| super::SourceError::Registry(e.to_string()))?;
    let config = super::ImageConfig::parse(&pulled.config_bytes)
        .map_err(|e| super::SourceError::invalid(format!("{reference}: config"), e.to_string()))?;
    let layers = pulled
        .layers()
        .iter()
        .enumerate()
        .map(|(index, d)| super::LayerInfo {
            index,
            digest: Some(d.digest().to_string()),
            diff_id: None,
            media_type: Some(d.media_type().to_string()),
            size: Some(d.size()),
            created_by: None,
        })
        .collect();
    let manifest_digest = pulled.manifest_digest.clone();
    let config_digest = pulled.config_digest();
    let tag = parsed.to_string();
    let mut image = super::Image::new(
        reference.to_owned(),
        config,
        layers,
        Box::new(RegistryLayers(pulled)),
    );
    image.manifest_digest = Some(manifest_digest);
    image.config_digest = Some(config_digest);
    image.tags = vec![tag];
    Ok(image)
}
