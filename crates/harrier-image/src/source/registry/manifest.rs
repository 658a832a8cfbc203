//! Manifests and indexes as registries serve them, and choosing an index entry by platform.
//!
//! Four formats are read: the OCI image manifest and index, and their Docker ancestors, the
//! image manifest v2 schema 2 and the manifest list. Both pairs have the same JSON shape, so
//! all four decode into `oci-spec`'s types (Docker's media types become
//! `MediaType::Other`). Docker's schema 1, deprecated since 2017 and dropped by Docker Hub, is
//! recognised and refused with its own error; so are OCI artifacts that are not container
//! images (Helm charts, signatures, SBOM attestations), by their config media type.

use oci_spec::image::{Descriptor, ImageIndex, ImageManifest};
use serde::Deserialize;

use super::platform::Platform;

/// OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// Docker image manifest v2, schema 2.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list (multi-platform).
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Docker image manifest schema 1 (unsupported).
pub const DOCKER_SCHEMA1: &str = "application/vnd.docker.distribution.manifest.v1+json";
/// Docker image manifest schema 1, signed (unsupported).
pub const DOCKER_SCHEMA1_SIGNED: &str = "application/vnd.docker.distribution.manifest.v1+prettyjws";
/// OCI image config.
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// Docker image config.
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";

/// The `Accept` header for manifest requests: every format we read, none we refuse.
pub const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
    application/vnd.docker.distribution.manifest.list.v2+json, \
    application/vnd.oci.image.manifest.v1+json, \
    application/vnd.docker.distribution.manifest.v2+json";

/// Largest manifest or index read, as distribution's own limit.
pub const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;
const MAX_LAYERS: usize = 4096;

/// A manifest as fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Manifest {
    /// One image.
    Image(Box<ImageManifest>),
    /// A list of images, one per platform.
    Index(Box<ImageIndex>),
}

/// Why a manifest cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// Not JSON of the expected shape.
    #[error("invalid {kind}")]
    Json {
        /// `manifest` or `index`.
        kind: &'static str,
        /// The parser's complaint.
        #[source]
        source: serde_json::Error,
    },
    /// Docker schema 1.
    #[error(
        "Docker image manifest schema 1 is not supported (it was deprecated in 2017); \
         push the image again with a current client to convert it"
    )]
    Schema1,
    /// A media type that is neither a manifest nor an index.
    #[error("unsupported manifest media type `{0}`")]
    MediaType(String),
    /// A schema version other than 2.
    #[error("unsupported schemaVersion {0}")]
    SchemaVersion(u64),
    /// An OCI artifact whose config is not an image config.
    #[error("not a container image: its config media type is `{0}`")]
    NotAnImage(String),
    /// A manifest with more layers than we accept.
    #[error("the manifest lists {0} layers, more than the {MAX_LAYERS} accepted")]
    TooManyLayers(usize),
    /// No index entry serves the platform.
    #[error("the index has no image for platform `{wanted}`; it has: {}", if available.is_empty() { "none with a platform".to_owned() } else { available.join(", ") })]
    NoMatchingPlatform {
        /// What was asked for.
        wanted: String,
        /// The platforms the index offers.
        available: Vec<String>,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Peek {
    schema_version: Option<serde_json::Value>,
    media_type: Option<serde_json::Value>,
    manifests: Option<serde::de::IgnoredAny>,
    config: Option<serde::de::IgnoredAny>,
    fs_layers: Option<serde::de::IgnoredAny>,
}

/// Reads a manifest or index. `content_type` is the response's `Content-Type`; the
/// document's own `mediaType` wins over it, and when neither names a format the shape
/// decides (`manifests` makes an index, `config` a manifest).
pub fn parse(bytes: &[u8], content_type: Option<&str>) -> Result<Manifest, ManifestError> {
    let peek: Peek = serde_json::from_slice(bytes).map_err(|source| ManifestError::Json {
        kind: "manifest",
        source,
    })?;
    let content_type = content_type
        .map(|c| c.split(';').next().unwrap_or_default().trim())
        .filter(|c| !c.is_empty());
    let body_type = match &peek.media_type {
        Some(serde_json::Value::String(s)) => Some(s.as_str()),
        _ => None,
    };
    let schema_version = peek.schema_version.as_ref().and_then(|v| v.as_u64());
    if schema_version == Some(1)
        || peek.fs_layers.is_some()
        || [body_type, content_type]
            .iter()
            .flatten()
            .any(|t| *t == DOCKER_SCHEMA1 || *t == DOCKER_SCHEMA1_SIGNED)
    {
        return Err(ManifestError::Schema1);
    }
    let generic = |t: &&str| {
        !matches!(
            *t,
            "application/json" | "application/octet-stream" | "text/plain"
        )
    };
    let is_index = match body_type.or(content_type.filter(generic)) {
        Some(OCI_INDEX | DOCKER_MANIFEST_LIST) => true,
        Some(OCI_MANIFEST | DOCKER_MANIFEST) => false,
        Some(other) => return Err(ManifestError::MediaType(other.to_owned())),
        None if peek.manifests.is_some() => true,
        None if peek.config.is_some() => false,
        None => {
            return Err(ManifestError::MediaType(
                content_type.unwrap_or("(none)").to_owned(),
            ));
        }
    };
    match schema_version {
        Some(2) => {}
        Some(v) => return Err(ManifestError::SchemaVersion(v)),
        None => return Err(ManifestError::SchemaVersion(0)),
    }
    if is_index {
        let index: ImageIndex =
            serde_json::from_slice(bytes).map_err(|source| ManifestError::Json {
                kind: "index",
                source,
            })?;
        Ok(Manifest::Index(Box::new(index)))
    } else {
        let manifest: ImageManifest =
            serde_json::from_slice(bytes).map_err(|source| ManifestError::Json {
                kind: "manifest",
                source,
            })?;
        check_image(&manifest)?;
        Ok(Manifest::Image(Box::new(manifest)))
    }
}

/// Refuses manifests that are not container images.
pub fn check_image(manifest: &ImageManifest) -> Result<(), ManifestError> {
    let config_type = manifest.config().media_type().to_string();
    if config_type != OCI_CONFIG && config_type != DOCKER_CONFIG {
        return Err(ManifestError::NotAnImage(config_type));
    }
    if manifest.layers().len() > MAX_LAYERS {
        return Err(ManifestError::TooManyLayers(manifest.layers().len()));
    }
    Ok(())
}

/// Whether an index entry points at something we can pull as an image (or a nested index).
fn is_manifest_entry(descriptor: &Descriptor) -> bool {
    let media_type = descriptor.media_type().to_string();
    matches!(
        media_type.as_str(),
        OCI_MANIFEST | DOCKER_MANIFEST | OCI_INDEX | DOCKER_MANIFEST_LIST
    )
}

/// BuildKit files attestation manifests under the `unknown/unknown` platform.
fn is_attestation(descriptor: &Descriptor) -> bool {
    descriptor.platform().as_ref().is_some_and(|p| {
        p.os().to_string() == "unknown" && p.architecture().to_string() == "unknown"
    }) || descriptor.annotations().as_ref().is_some_and(|a| {
        a.get("vnd.docker.reference.type")
            .is_some_and(|t| t == "attestation-manifest")
    })
}

/// The index entry that best serves `wanted` (see [`Platform::rank`]); the first of equals.
pub fn select<'a>(
    index: &'a ImageIndex,
    wanted: &Platform,
) -> Result<&'a Descriptor, ManifestError> {
    let entries: Vec<&Descriptor> = index
        .manifests()
        .iter()
        .filter(|d| is_manifest_entry(d) && !is_attestation(d))
        .collect();
    let best = entries
        .iter()
        .filter_map(|d| {
            let platform = Platform::of(d.platform().as_ref()?);
            Some((wanted.rank(&platform)?, *d))
        })
        .min_by_key(|(rank, _)| *rank)
        .map(|(_, d)| d);
    if let Some(best) = best {
        return Ok(best);
    }
    // An index of one image that names no platform (some tools write these) serves anyone.
    if let [only] = entries.as_slice() {
        if only.platform().is_none() {
            return Ok(only);
        }
    }
    Err(ManifestError::NoMatchingPlatform {
        wanted: wanted.to_string(),
        available: entries
            .iter()
            .filter_map(|d| d.platform().as_ref().map(|p| Platform::of(p).to_string()))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST_A: &str =
        "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const DIGEST_B: &str =
        "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    fn manifest(media_type: Option<&str>, config_type: &str) -> String {
        let mt = media_type
            .map(|m| format!(r#""mediaType":"{m}","#))
            .unwrap_or_default();
        format!(
            r#"{{"schemaVersion":2,{mt}"config":{{"mediaType":"{config_type}","size":2,"digest":"{DIGEST_A}"}},
               "layers":[{{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":10,"digest":"{DIGEST_B}"}}]}}"#
        )
    }

    fn entry(platform: &str, digest: &str) -> String {
        let mut parts = platform.split('/');
        let os = parts.next().unwrap_or_default();
        let arch = parts.next().unwrap_or_default();
        let variant = parts
            .next()
            .map(|v| format!(r#","variant":"{v}""#))
            .unwrap_or_default();
        format!(
            r#"{{"mediaType":"{OCI_MANIFEST}","size":100,"digest":"{digest}","platform":{{"os":"{os}","architecture":"{arch}"{variant}}}}}"#
        )
    }

    fn index(entries: &[String]) -> ImageIndex {
        let json = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{}]}}"#,
            entries.join(",")
        );
        match parse(json.as_bytes(), None) {
            Ok(Manifest::Index(i)) => *i,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reads_docker_and_oci_manifests() {
        for (mt, ct, config) in [
            (Some(DOCKER_MANIFEST), None, DOCKER_CONFIG),
            (Some(OCI_MANIFEST), None, OCI_CONFIG),
            (None, Some(OCI_MANIFEST), OCI_CONFIG),
            (None, Some("application/json; charset=utf-8"), OCI_CONFIG),
            (None, None, DOCKER_CONFIG),
        ] {
            let m = match parse(manifest(mt, config).as_bytes(), ct) {
                Ok(Manifest::Image(m)) => m,
                other => panic!("{mt:?} {ct:?}: {other:?}"),
            };
            assert_eq!(m.layers().len(), 1);
            assert_eq!(m.config().digest().to_string(), DIGEST_A);
        }
    }

    #[test]
    fn refuses_schema1_artifacts_and_strangers() {
        let schema1 = r#"{"schemaVersion":1,"name":"a","tag":"b","fsLayers":[],"history":[]}"#;
        assert!(matches!(
            parse(schema1.as_bytes(), Some(DOCKER_SCHEMA1_SIGNED)),
            Err(ManifestError::Schema1)
        ));
        assert!(matches!(
            parse(schema1.as_bytes(), None),
            Err(ManifestError::Schema1)
        ));
        let helm = manifest(
            Some(OCI_MANIFEST),
            "application/vnd.cncf.helm.config.v1+json",
        );
        let err = parse(helm.as_bytes(), None).err();
        assert!(
            matches!(&err, Some(ManifestError::NotAnImage(t)) if t.contains("helm")),
            "{err:?}"
        );
        assert!(matches!(
            parse(
                b"{\"schemaVersion\":2}",
                Some("application/vnd.example+json")
            ),
            Err(ManifestError::MediaType(_))
        ));
        assert!(matches!(
            parse(
                manifest(None, OCI_CONFIG)
                    .replace("\"schemaVersion\":2", "\"schemaVersion\":3")
                    .as_bytes(),
                None
            ),
            Err(ManifestError::SchemaVersion(3))
        ));
        for junk in [
            &b""[..],
            b"[]",
            b"null",
            b"{\"schemaVersion\":\"2\"}",
            b"{\"config\":1}",
        ] {
            assert!(parse(junk, None).is_err());
        }
    }

    #[test]
    fn selects_platforms() {
        let i = index(&[
            entry("linux/amd64", DIGEST_A),
            entry("linux/arm64/v8", DIGEST_B),
            entry("unknown/unknown", DIGEST_A),
        ]);
        let pick =
            |p: &str| select(&i, &p.parse().unwrap_or_default()).map(|d| d.digest().to_string());
        assert_eq!(pick("linux/amd64").ok().as_deref(), Some(DIGEST_A));
        assert_eq!(pick("linux/arm64").ok().as_deref(), Some(DIGEST_B));
        assert_eq!(pick("linux/aarch64").ok().as_deref(), Some(DIGEST_B));
        let err = match pick("linux/s390x") {
            Err(e) => e.to_string(),
            Ok(d) => panic!("{d}"),
        };
        assert_eq!(
            err,
            "the index has no image for platform `linux/s390x`; it has: linux/amd64, linux/arm64/v8"
        );
    }

    #[test]
    fn prefers_exact_variants() {
        let i = index(&[
            entry("linux/arm/v6", DIGEST_A),
            entry("linux/arm/v7", DIGEST_B),
        ]);
        let pick = |p: &str| {
            select(&i, &p.parse().unwrap_or_default())
                .map(|d| d.digest().to_string())
                .ok()
        };
        assert_eq!(pick("linux/arm").as_deref(), Some(DIGEST_B));
        assert_eq!(pick("linux/arm/v6").as_deref(), Some(DIGEST_A));
        assert_eq!(pick("linux/arm/v5"), None);
    }
}
