//! SBOMs: what an image holds, written as CycloneDX 1.6 JSON ([`cyclonedx`]) or SPDX 2.3 JSON
//! ([`spdx`]), and read back from either (ours or another tool's) for `harrier scan sbom`.
//!
//! Both writers take one [`SbomDocument`]: the image ([`SbomSubject`]), its packages with the
//! layer that introduced each ([`ResolvedPackage`]), its distro, a creation time and a
//! [`DocumentId`]. Every package is named by its [`purl::Purl`]; what neither format has a field
//! for (the layer, its diff id and Dockerfile instruction, the file the package was read from,
//! the source package, the cataloger's metadata) is written as `harrier:` properties — as
//! CycloneDX `properties`, and in SPDX as a package annotation holding the same names and values
//! as a JSON object, next to a sentence in `sourceInfo` for people.
//!
//! The readers ([`read`]) take a package's kind, version, arch, distro and source package from
//! its purl (so SBOMs from syft, Trivy and others work), its name from the document where that
//! agrees with the purl (purls lowercase some names), and the rest from `harrier:` properties
//! where present, else from syft's and Trivy's (file paths, source packages; Trivy's image
//! digests, tags and diff ids, and the layer each package came from). Components without a purl of a type Harrier catalogs are reported in
//! [`ReadSbom::skipped`], never guessed at.
//!
//! The document id is random (a UUID v4 from the operating system's generator), not derived
//! from the image: CycloneDX asks for a new `serialNumber` every time a BOM is generated, even
//! of unchanged content, and an SPDX `documentNamespace` must be unique to one document; two
//! SBOMs of the same image made on different days (with different tool versions, databases or
//! catalogers) must not claim to be the same document.

pub mod cyclonedx;
mod license;
pub mod purl;
pub mod spdx;

use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use serde_json::Value;

use crate::resolve::ResolvedPackage;
use crate::source::{Image, LayerInfo};
use crate::{Distro, Package, PackageKind, SourcePackage};

use self::purl::Purl;

/// The largest SBOM the readers accept. A JSON document is held in memory as a tree several
/// times its size; real image SBOMs are a few megabytes.
pub const MAX_SBOM_BYTES: usize = 128 * 1024 * 1024;

/// The most packages the readers take from one document.
pub const MAX_SBOM_PACKAGES: usize = 1_000_000;

/// Nested CycloneDX components are followed this deep.
const MAX_DEPTH: usize = 32;

/// Layer indexes above this in a document are not believed (images have at most a few hundred
/// layers), so a hostile document cannot make a reader build a huge table.
const MAX_LAYER_INDEX: usize = 4096;

/// The tool name and version written as the SBOM's creator.
pub const TOOL_NAME: &str = "harrier";
/// This tool's version.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The image (or root filesystem) an SBOM describes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SbomSubject {
    /// What the user named (`docker-archive:img.tar`, `registry.example/app:1.2`).
    pub reference: String,
    /// The manifest's digest, when the source has one.
    pub manifest_digest: Option<String>,
    /// The config blob's digest (the image id).
    pub config_digest: Option<String>,
    /// Tags the source records.
    pub tags: Vec<String>,
    /// The layers, base first.
    pub layers: Vec<LayerInfo>,
}

impl SbomSubject {
    /// The subject of an opened image.
    pub fn from_image(image: &Image) -> SbomSubject {
        SbomSubject {
            reference: image.reference.clone(),
            manifest_digest: image.manifest_digest.clone(),
            config_digest: image.config_digest.clone(),
            tags: image.tags.clone(),
            layers: image.layers.clone(),
        }
    }

    /// The name to show: the first tag, else the reference.
    pub fn name(&self) -> &str {
        self.tags.first().unwrap_or(&self.reference)
    }

    /// The digest that identifies the image: the manifest's, else the config's.
    pub fn digest(&self) -> Option<&str> {
        self.manifest_digest
            .as_deref()
            .or(self.config_digest.as_deref())
    }

    /// Whether it is an unpacked root filesystem (`dir:`) rather than an image.
    pub fn is_directory(&self) -> bool {
        self.reference.starts_with("dir:")
    }

    /// The layer with this index.
    pub fn layer(&self, index: usize) -> Option<&LayerInfo> {
        self.layers.iter().find(|l| l.index == index)
    }
}

/// A document's unique id: a random UUID (version 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DocumentId([u8; 16]);

impl DocumentId {
    /// A new id from the operating system's random number generator.
    pub fn random() -> std::io::Result<DocumentId> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
        Ok(DocumentId::from_bytes(bytes))
    }

    /// The UUID v4 made of these bytes (the version and variant bits are set), for tests and
    /// reproducible output.
    pub fn from_bytes(mut bytes: [u8; 16]) -> DocumentId {
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        DocumentId(bytes)
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// Everything an SBOM is written from.
#[derive(Debug, Clone, Copy)]
pub struct SbomDocument<'a> {
    /// The image.
    pub subject: &'a SbomSubject,
    /// Its packages (normally [`crate::resolve::Resolved::packages`]: those still present).
    pub packages: &'a [ResolvedPackage],
    /// Its distro, when known.
    pub distro: Option<&'a Distro>,
    /// When the SBOM is made.
    pub created: Timestamp,
    /// The document's id.
    pub id: DocumentId,
}

impl<'a> SbomDocument<'a> {
    /// A document made now, with a new random id.
    pub fn now(
        subject: &'a SbomSubject,
        packages: &'a [ResolvedPackage],
        distro: Option<&'a Distro>,
    ) -> std::io::Result<SbomDocument<'a>> {
        Ok(SbomDocument {
            subject,
            packages,
            distro,
            created: Timestamp::now(),
            id: DocumentId::random()?,
        })
    }

    /// Writes the document in `format`, pretty-printed JSON.
    pub fn write(&self, format: SbomFormat, out: impl std::io::Write) -> serde_json::Result<()> {
        match format {
            SbomFormat::CycloneDx => cyclonedx::write(self, out),
            SbomFormat::Spdx => spdx::write(self, out),
        }
    }

    /// The creation time as both formats write it (`2024-05-01T12:00:00Z`).
    fn created(&self) -> String {
        self.created.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    }
}

/// Which format a document is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SbomFormat {
    /// CycloneDX JSON.
    CycloneDx,
    /// SPDX JSON.
    Spdx,
}

/// What a read SBOM says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadSbom {
    /// The format.
    pub format: SbomFormat,
    /// The image it describes, as far as the document says.
    pub subject: SbomSubject,
    /// The distro, from an operating-system entry or the packages' purls.
    pub distro: Option<Distro>,
    /// The packages.
    pub packages: Vec<ResolvedPackage>,
    /// Entries that are not packages Harrier can match, and why.
    pub skipped: Vec<Skipped>,
}

/// An SBOM entry the reader did not take as a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Its name (and version), as the document writes it.
    pub name: String,
    /// Why.
    pub reason: String,
}

/// Why an SBOM could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    /// Larger than [`MAX_SBOM_BYTES`].
    #[error("the document is {size} bytes, more than the {MAX_SBOM_BYTES} an SBOM may have")]
    TooLarge {
        /// Its size.
        size: usize,
    },
    /// Not JSON.
    #[error("line {line}, column {column}: not valid JSON")]
    Json {
        /// The line.
        line: usize,
        /// The column.
        column: usize,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// JSON, but neither CycloneDX nor SPDX.
    #[error("not a CycloneDX or SPDX JSON document (no `bomFormat` or `spdxVersion`)")]
    UnknownFormat,
    /// A version of the format this reader does not know.
    #[error("{format} version `{version}` is not supported")]
    UnsupportedVersion {
        /// `CycloneDX` or `SPDX`.
        format: &'static str,
        /// The version the document states.
        version: String,
    },
    /// A required part is missing or has the wrong type.
    #[error("`{field}`: {message}")]
    Invalid {
        /// The JSON path (`components[3].properties`).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// More packages than [`MAX_SBOM_PACKAGES`].
    #[error("the document lists more than {MAX_SBOM_PACKAGES} packages")]
    TooManyPackages,
}

/// Reads a CycloneDX or SPDX JSON document, whichever it is.
pub fn read(bytes: &[u8]) -> Result<ReadSbom, SbomError> {
    let value = parse_json(bytes)?;
    if value.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        cyclonedx::read_value(&value)
    } else if value.get("spdxVersion").is_some() {
        spdx::read_value(&value)
    } else {
        Err(SbomError::UnknownFormat)
    }
}

fn parse_json(bytes: &[u8]) -> Result<Value, SbomError> {
    if bytes.len() > MAX_SBOM_BYTES {
        return Err(SbomError::TooLarge { size: bytes.len() });
    }
    // serde_json refuses nesting deeper than 128 levels, so hostile depth cannot overflow the
    // stack.
    serde_json::from_slice(bytes).map_err(|source| SbomError::Json {
        line: source.line(),
        column: source.column(),
        source,
    })
}

/// Property names, shared by both formats.
pub mod property {
    /// The package's kind (`deb`, `python`, `go-module`…), so it reads back exactly.
    pub const KIND: &str = "harrier:package:kind";
    /// Its architecture.
    pub const ARCH: &str = "harrier:package:arch";
    /// Its source package's name.
    pub const SOURCE_NAME: &str = "harrier:package:sourceName";
    /// Its source package's version.
    pub const SOURCE_VERSION: &str = "harrier:package:sourceVersion";
    /// Prefix of the cataloger's metadata (`harrier:metadata:rpm.epoch`).
    pub const METADATA_PREFIX: &str = "harrier:metadata:";
    /// The index of the layer that introduced the package.
    pub const LAYER_INDEX: &str = "harrier:layer:index";
    /// That layer's blob digest.
    pub const LAYER_DIGEST: &str = "harrier:layer:digest";
    /// That layer's diff id.
    pub const LAYER_DIFF_ID: &str = "harrier:layer:diffID";
    /// The history entry that made that layer (the Dockerfile instruction).
    pub const LAYER_CREATED_BY: &str = "harrier:layer:createdBy";
    /// The layer that removed the package, for one no longer in the image.
    pub const LAYER_REMOVED: &str = "harrier:layer:removedIndex";
    /// The file the package was read from.
    pub const LOCATION_PATH: &str = "harrier:location:path";
    /// The layer that file was last read from (a package database is rewritten by every layer
    /// that installs packages, so it can be later than the layer that introduced the package).
    pub const LOCATION_LAYER: &str = "harrier:location:layerIndex";
    /// The image reference, on the image.
    pub const IMAGE_REFERENCE: &str = "harrier:image:reference";
    /// The manifest digest, on the image.
    pub const IMAGE_MANIFEST_DIGEST: &str = "harrier:image:manifestDigest";
    /// The config digest, on the image.
    pub const IMAGE_CONFIG_DIGEST: &str = "harrier:image:configDigest";
    /// A tag, on the image (repeated).
    pub const IMAGE_TAG: &str = "harrier:image:tag";
    /// Prefix of the image's layer list: `harrier:image:layer:<index>:<digest|diffID|createdBy|mediaType|size>`.
    pub const IMAGE_LAYER_PREFIX: &str = "harrier:image:layer:";
    /// The distro's `ID`.
    pub const DISTRO_ID: &str = "harrier:distro:id";
    /// Its `VERSION_ID`.
    pub const DISTRO_VERSION_ID: &str = "harrier:distro:versionID";
    /// Its `VERSION_CODENAME`.
    pub const DISTRO_CODENAME: &str = "harrier:distro:codename";
    /// Its `PRETTY_NAME`.
    pub const DISTRO_PRETTY_NAME: &str = "harrier:distro:prettyName";
    /// Its `ID_LIKE`, space-separated.
    pub const DISTRO_ID_LIKE: &str = "harrier:distro:idLike";
    /// syft's file path property.
    pub(crate) const SYFT_PATH: &str = "syft:location:0:path";
    /// Trivy's file path property.
    pub(crate) const TRIVY_PATH: &str = "aquasecurity:trivy:FilePath";
    /// Trivy's source package name.
    pub(crate) const TRIVY_SOURCE_NAME: &str = "aquasecurity:trivy:SrcName";
    /// Trivy's source package version.
    pub(crate) const TRIVY_SOURCE_VERSION: &str = "aquasecurity:trivy:SrcVersion";
    /// Trivy's image layer diff ids, repeated in layer order, on the image.
    pub(crate) const TRIVY_DIFF_ID: &str = "aquasecurity:trivy:DiffID";
    /// Trivy's image id (the config digest), on the image.
    pub(crate) const TRIVY_IMAGE_ID: &str = "aquasecurity:trivy:ImageID";
    /// Trivy's `repository@digest`, on the image.
    pub(crate) const TRIVY_REPO_DIGEST: &str = "aquasecurity:trivy:RepoDigest";
    /// Trivy's tags, on the image.
    pub(crate) const TRIVY_REPO_TAG: &str = "aquasecurity:trivy:RepoTag";
    /// The diff id of the layer Trivy attributes a package to.
    pub(crate) const TRIVY_LAYER_DIFF_ID: &str = "aquasecurity:trivy:LayerDiffID";
}

type Properties = Vec<(String, String)>;

fn push(props: &mut Properties, name: &str, value: impl Into<String>) {
    let value = value.into();
    if !value.is_empty() {
        props.push((name.to_owned(), value));
    }
}

const KINDS: &[(PackageKind, &str)] = &[
    (PackageKind::Deb, "deb"),
    (PackageKind::Apk, "apk"),
    (PackageKind::Rpm, "rpm"),
    (PackageKind::Python, "python"),
    (PackageKind::Npm, "npm"),
    (PackageKind::Java, "java"),
    (PackageKind::GoModule, "go-module"),
    (PackageKind::GoStdlib, "go-stdlib"),
    (PackageKind::Rust, "rust"),
    (PackageKind::Gem, "gem"),
    (PackageKind::Composer, "composer"),
    (PackageKind::NuGet, "nu-get"),
];

fn kind_name(kind: PackageKind) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("", |(_, name)| name)
}

fn kind_from_name(name: &str) -> Option<PackageKind> {
    KINDS.iter().find(|(_, n)| *n == name).map(|(k, _)| *k)
}

/// A package's `harrier:` properties.
fn package_properties(resolved: &ResolvedPackage, subject: &SbomSubject) -> Properties {
    let p = &resolved.package;
    let mut props = Properties::new();
    push(&mut props, property::KIND, kind_name(p.kind));
    if let Some(arch) = &p.arch {
        push(&mut props, property::ARCH, arch);
    }
    if let Some(source) = &p.source {
        push(&mut props, property::SOURCE_NAME, &source.name);
        if let Some(v) = &source.version {
            push(&mut props, property::SOURCE_VERSION, v);
        }
    }
    if let Some(index) = resolved.introduced {
        push(&mut props, property::LAYER_INDEX, index.to_string());
        if let Some(layer) = subject.layer(index) {
            push_layer(&mut props, layer, |field| format!("harrier:layer:{field}"));
        }
    }
    if let Some(index) = resolved.removed {
        push(&mut props, property::LAYER_REMOVED, index.to_string());
    }
    push(&mut props, property::LOCATION_PATH, &p.location.path);
    if let Some(layer) = p.location.layer {
        push(&mut props, property::LOCATION_LAYER, layer.to_string());
    }
    for (key, value) in &p.metadata {
        push(
            &mut props,
            &format!("{}{key}", property::METADATA_PREFIX),
            value,
        );
    }
    props
}

fn push_layer(props: &mut Properties, layer: &LayerInfo, name: impl Fn(&str) -> String) {
    if let Some(d) = &layer.digest {
        push(props, &name("digest"), d);
    }
    if let Some(d) = &layer.diff_id {
        push(props, &name("diffID"), d);
    }
    if let Some(c) = &layer.created_by {
        push(props, &name("createdBy"), c);
    }
}

/// The image's `harrier:` properties, its layer list included.
fn image_properties(subject: &SbomSubject) -> Properties {
    let mut props = Properties::new();
    push(&mut props, property::IMAGE_REFERENCE, &subject.reference);
    if let Some(d) = &subject.manifest_digest {
        push(&mut props, property::IMAGE_MANIFEST_DIGEST, d);
    }
    if let Some(d) = &subject.config_digest {
        push(&mut props, property::IMAGE_CONFIG_DIGEST, d);
    }
    for tag in &subject.tags {
        push(&mut props, property::IMAGE_TAG, tag);
    }
    for layer in &subject.layers {
        let prefix = format!("{}{}:", property::IMAGE_LAYER_PREFIX, layer.index);
        // An empty layer record still says the layer exists.
        push(
            &mut props,
            &format!("{prefix}index"),
            layer.index.to_string(),
        );
        push_layer(&mut props, layer, |field| format!("{prefix}{field}"));
        if let Some(m) = &layer.media_type {
            push(&mut props, &format!("{prefix}mediaType"), m);
        }
        if let Some(s) = layer.size {
            push(&mut props, &format!("{prefix}size"), s.to_string());
        }
    }
    props
}

fn distro_properties(distro: &Distro) -> Properties {
    let mut props = Properties::new();
    push(&mut props, property::DISTRO_ID, &distro.id);
    if let Some(v) = &distro.version_id {
        push(&mut props, property::DISTRO_VERSION_ID, v);
    }
    if let Some(v) = &distro.codename {
        push(&mut props, property::DISTRO_CODENAME, v);
    }
    if let Some(v) = &distro.pretty_name {
        push(&mut props, property::DISTRO_PRETTY_NAME, v);
    }
    push(
        &mut props,
        property::DISTRO_ID_LIKE,
        distro.id_like.join(" "),
    );
    props
}

fn get<'a>(props: &'a [(String, String)], name: &str) -> Option<&'a str> {
    props
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn get_index(props: &[(String, String)], name: &str) -> Option<usize> {
    get(props, name)
        .and_then(|v| v.parse().ok())
        .filter(|i| *i <= MAX_LAYER_INDEX)
}

/// The subject a document describes: its name and version fields, refined by `harrier:`
/// properties where present.
fn subject_from(
    name: Option<&str>,
    version: Option<&str>,
    props: &[(String, String)],
) -> SbomSubject {
    let mut subject = SbomSubject {
        reference: get(props, property::IMAGE_REFERENCE)
            .or(name)
            .unwrap_or_default()
            .to_owned(),
        manifest_digest: get(props, property::IMAGE_MANIFEST_DIGEST)
            .or_else(|| {
                get(props, property::TRIVY_REPO_DIGEST)
                    .and_then(|v| v.rsplit_once('@'))
                    .map(|(_, digest)| digest)
            })
            .map(str::to_owned),
        config_digest: get(props, property::IMAGE_CONFIG_DIGEST)
            .or(get(props, property::TRIVY_IMAGE_ID))
            .map(str::to_owned),
        tags: all(props, property::IMAGE_TAG)
            .or_else(|| all(props, property::TRIVY_REPO_TAG))
            .unwrap_or_default(),
        layers: Vec::new(),
    };
    if subject.manifest_digest.is_none() && subject.config_digest.is_none() {
        subject.manifest_digest = version
            .filter(|v| v.starts_with("sha256:"))
            .map(str::to_owned);
    }
    let mut layers: BTreeMap<usize, LayerInfo> = BTreeMap::new();
    for (n, v) in props {
        let Some(rest) = n.strip_prefix(property::IMAGE_LAYER_PREFIX) else {
            continue;
        };
        let Some((index, field)) = rest.split_once(':') else {
            continue;
        };
        let Some(index) = index
            .parse::<usize>()
            .ok()
            .filter(|i| *i <= MAX_LAYER_INDEX)
        else {
            continue;
        };
        let layer = layers.entry(index).or_insert_with(|| empty_layer(index));
        match field {
            "digest" => layer.digest = Some(v.clone()),
            "diffID" => layer.diff_id = Some(v.clone()),
            "createdBy" => layer.created_by = Some(v.clone()),
            "mediaType" => layer.media_type = Some(v.clone()),
            "size" => layer.size = v.parse().ok(),
            _ => {}
        }
    }
    subject.layers = layers.into_values().collect();
    if subject.layers.is_empty() {
        // Trivy lists the diff ids alone, base first.
        subject.layers = props
            .iter()
            .filter(|(n, _)| n == property::TRIVY_DIFF_ID)
            .take(MAX_LAYER_INDEX + 1)
            .enumerate()
            .map(|(index, (_, diff_id))| LayerInfo {
                diff_id: Some(diff_id.clone()),
                ..empty_layer(index)
            })
            .collect();
    }
    subject
}

/// Every value of a repeated property, when there is one.
fn all(props: &[(String, String)], name: &str) -> Option<Vec<String>> {
    let values: Vec<String> = props
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .collect();
    (!values.is_empty()).then_some(values)
}

/// Attributes packages that name their layer only by diff id (as Trivy does) to that layer's
/// index in the subject's layer list.
fn attribute_by_diff_id(subject: &SbomSubject, packages: &mut [(ResolvedPackage, Properties)]) {
    for (resolved, props) in packages {
        if resolved.introduced.is_some() {
            continue;
        }
        let Some(diff_id) = get(props, property::TRIVY_LAYER_DIFF_ID) else {
            continue;
        };
        resolved.introduced = subject
            .layers
            .iter()
            .find(|l| l.diff_id.as_deref() == Some(diff_id))
            .map(|l| l.index);
    }
}

fn empty_layer(index: usize) -> LayerInfo {
    LayerInfo {
        index,
        digest: None,
        diff_id: None,
        media_type: None,
        size: None,
        created_by: None,
    }
}

/// Adds what packages say about their layers to a subject whose layer list the document did
/// not give.
fn fill_layers(subject: &mut SbomSubject, packages: &[(ResolvedPackage, Properties)]) {
    let mut layers: BTreeMap<usize, LayerInfo> =
        subject.layers.drain(..).map(|l| (l.index, l)).collect();
    for (resolved, props) in packages {
        let Some(index) = resolved.introduced else {
            continue;
        };
        let said = [
            property::LAYER_DIGEST,
            property::LAYER_DIFF_ID,
            property::LAYER_CREATED_BY,
        ]
        .iter()
        .any(|name| get(props, name).is_some());
        if !said {
            continue;
        }
        let layer = layers.entry(index).or_insert_with(|| empty_layer(index));
        let fill = |slot: &mut Option<String>, name: &str| {
            if slot.is_none() {
                *slot = get(props, name).map(str::to_owned);
            }
        };
        fill(&mut layer.digest, property::LAYER_DIGEST);
        fill(&mut layer.diff_id, property::LAYER_DIFF_ID);
        fill(&mut layer.created_by, property::LAYER_CREATED_BY);
    }
    subject.layers = layers.into_values().collect();
}

fn distro_from(
    name: Option<&str>,
    version: Option<&str>,
    description: Option<&str>,
    props: &[(String, String)],
) -> Option<Distro> {
    let id = get(props, property::DISTRO_ID)
        .or(get(props, "syft:distro:id"))
        .or(name)
        .filter(|id| !id.is_empty())?;
    Some(Distro {
        id: id.to_lowercase(),
        version_id: get(props, property::DISTRO_VERSION_ID)
            .or(get(props, "syft:distro:versionID"))
            .or(version)
            .map(str::to_owned),
        codename: get(props, property::DISTRO_CODENAME)
            .or(get(props, "syft:distro:versionCodename"))
            .map(str::to_owned),
        pretty_name: get(props, property::DISTRO_PRETTY_NAME)
            .or(get(props, "syft:distro:prettyName"))
            .or(description)
            .map(str::to_owned),
        id_like: get(props, property::DISTRO_ID_LIKE)
            .map(|v| v.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
    })
}

/// One package entry of a document, format aside.
struct Entry<'a> {
    name: Option<&'a str>,
    /// CycloneDX `group` (the Maven group id in syft's and Trivy's output).
    group: Option<&'a str>,
    version: Option<&'a str>,
    purl: Option<&'a str>,
    licenses: Vec<String>,
    props: Properties,
}

/// A package read from an entry, with the distro its purl names.
struct Decoded {
    resolved: ResolvedPackage,
    distro: Option<Distro>,
}

impl Entry<'_> {
    fn label(&self) -> String {
        match (self.name, self.version, self.purl) {
            (Some(n), Some(v), _) if !n.is_empty() => format!("{n}@{v}"),
            (Some(n), _, _) if !n.is_empty() => n.to_owned(),
            (_, _, Some(p)) => p.to_owned(),
            _ => "(unnamed)".to_owned(),
        }
    }

    fn decode(&self) -> Result<Decoded, String> {
        let kind_prop = get(&self.props, property::KIND).and_then(kind_from_name);
        let from_purl = match self.purl.filter(|p| !p.is_empty()) {
            Some(text) => match text.parse::<Purl>().and_then(|p| p.to_package()) {
                Ok(p) => Some(p),
                Err(e) if kind_prop.is_none() => return Err(format!("purl `{text}`: {e}")),
                Err(_) => None,
            },
            None if kind_prop.is_none() => return Err("no purl".to_owned()),
            None => None,
        };
        let kind = kind_prop
            .or(from_purl.as_ref().map(|p| p.kind))
            .ok_or_else(|| "no package kind".to_owned())?;

        let own_name = self.name.filter(|n| !n.is_empty()).map(|n| {
            match (kind, self.group.filter(|g| !g.is_empty())) {
                (PackageKind::Java, Some(g)) if !n.contains(':') => format!("{g}:{n}"),
                (PackageKind::Npm | PackageKind::Composer | PackageKind::GoModule, Some(g))
                    if !n.contains('/') =>
                {
                    format!("{g}/{n}")
                }
                _ => n.to_owned(),
            }
        });
        let name = match (own_name, &from_purl) {
            (Some(own), Some(p)) if same_name(kind, &own, &p.name) => own,
            (_, Some(p)) => p.name.clone(),
            (Some(own), None) => own,
            (None, None) => return Err("no name".to_owned()),
        };
        let version = from_purl
            .as_ref()
            .map(|p| p.version.clone())
            .filter(|v| !v.is_empty())
            .or(self.version.map(str::to_owned))
            .unwrap_or_default();
        let path = get(&self.props, property::LOCATION_PATH)
            .or(get(&self.props, property::SYFT_PATH))
            .or(get(&self.props, property::TRIVY_PATH))
            .unwrap_or_default()
            .trim_start_matches('/');

        let mut package = Package::new(kind, name, version, path);
        package.arch = get(&self.props, property::ARCH)
            .map(str::to_owned)
            .or(from_purl.as_ref().and_then(|p| p.arch.clone()));
        let source_name = get(&self.props, property::SOURCE_NAME)
            .or(get(&self.props, property::TRIVY_SOURCE_NAME))
            .filter(|n| !n.is_empty());
        package.source = match source_name {
            Some(name) => Some(SourcePackage {
                name: name.to_owned(),
                version: get(&self.props, property::SOURCE_VERSION)
                    .or(get(&self.props, property::TRIVY_SOURCE_VERSION))
                    .map(str::to_owned),
            }),
            None => from_purl.as_ref().and_then(|p| p.source.clone()),
        };
        package.licenses = self.licenses.clone();
        package.location.layer = get_index(&self.props, property::LOCATION_LAYER);
        for (n, v) in &self.props {
            if let Some(key) = n.strip_prefix(property::METADATA_PREFIX) {
                package.metadata.insert(key.to_owned(), v.clone());
            }
        }
        Ok(Decoded {
            resolved: ResolvedPackage {
                package,
                introduced: get_index(&self.props, property::LAYER_INDEX),
                removed: get_index(&self.props, property::LAYER_REMOVED),
            },
            distro: from_purl.and_then(|p| p.distro),
        })
    }
}

/// Whether a document's name for a package and its purl's agree, given that purls lowercase
/// some names and normalise PyPI's.
fn same_name(kind: PackageKind, own: &str, from_purl: &str) -> bool {
    if kind == PackageKind::Python {
        purl::pep503(own) == purl::pep503(from_purl)
    } else {
        own.to_lowercase() == from_purl.to_lowercase()
    }
}

/// Collects decoded entries into a [`ReadSbom`].
struct Collector {
    packages: Vec<(ResolvedPackage, Properties)>,
    skipped: Vec<Skipped>,
    purl_distro: Option<Distro>,
}

impl Collector {
    fn new() -> Collector {
        Collector {
            packages: Vec::new(),
            skipped: Vec::new(),
            purl_distro: None,
        }
    }

    fn add(&mut self, entry: Entry<'_>) -> Result<(), SbomError> {
        if self.packages.len() >= MAX_SBOM_PACKAGES {
            return Err(SbomError::TooManyPackages);
        }
        match entry.decode() {
            Ok(decoded) => {
                if self.purl_distro.is_none() && decoded.resolved.package.kind.is_os() {
                    self.purl_distro = decoded.distro;
                }
                self.packages.push((decoded.resolved, entry.props));
            }
            Err(reason) => {
                if self.skipped.len() < MAX_SBOM_PACKAGES {
                    self.skipped.push(Skipped {
                        name: entry.label(),
                        reason,
                    });
                }
            }
        }
        Ok(())
    }

    fn finish(
        mut self,
        format: SbomFormat,
        mut subject: SbomSubject,
        distro: Option<Distro>,
    ) -> ReadSbom {
        fill_layers(&mut subject, &self.packages);
        attribute_by_diff_id(&subject, &mut self.packages);
        ReadSbom {
            format,
            subject,
            distro: distro.or(self.purl_distro),
            packages: self.packages.into_iter().map(|(p, _)| p).collect(),
            skipped: self.skipped,
        }
    }
}

/// A human sentence on where a package came from, for SPDX `sourceInfo`.
fn provenance(resolved: &ResolvedPackage, subject: &SbomSubject) -> Option<String> {
    let p = &resolved.package;
    let mut parts = Vec::new();
    if !p.location.path.is_empty() {
        parts.push(format!("read from /{}", p.location.path));
    }
    if let Some(index) = resolved.introduced {
        let mut text = format!("introduced by layer {index}");
        if let Some(layer) = subject.layer(index) {
            if let Some(d) = layer.diff_id.as_ref().or(layer.digest.as_ref()) {
                text.push_str(&format!(" ({d})"));
            }
            if let Some(c) = &layer.created_by {
                text.push_str(&format!(", created by `{}`", c.trim()));
            }
        }
        parts.push(text);
    }
    if let Some(index) = resolved.removed {
        parts.push(format!("removed by layer {index}"));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_ids_are_uuid_v4() {
        let id = DocumentId::from_bytes([0xff; 16]);
        assert_eq!(id.to_string(), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let id = DocumentId::from_bytes([0; 16]);
        assert_eq!(id.to_string(), "00000000-0000-4000-8000-000000000000");
        let a = DocumentId::random().unwrap();
        let b = DocumentId::random().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.to_string().len(), 36);
    }

    #[test]
    fn kinds_have_names_both_ways() {
        for (kind, name) in KINDS {
            assert_eq!(kind_name(*kind), *name);
            assert_eq!(kind_from_name(name), Some(*kind));
            // The same names the JSON report uses.
            assert_eq!(serde_json::to_value(kind).unwrap(), Value::from(*name));
        }
    }
}
