//! SPDX 2.3 JSON (<https://spdx.github.io/spdx-spec/v2.3/>).
//!
//! The document `DESCRIBES` one package for the image (`primaryPackagePurpose: CONTAINER`),
//! which `CONTAINS` a package for the distro (`OPERATING_SYSTEM`, as the 2.3 JSON schema spells
//! what the spec's prose calls `OPERATING-SYSTEM`) and one per package found (`LIBRARY`). Every package has `downloadLocation: NOASSERTION` and `filesAnalyzed: false`
//! (Harrier lists packages, not their files), its purl as a `PACKAGE-MANAGER` external
//! reference, `licenseConcluded: NOASSERTION` (Harrier reports what is declared and concludes
//! nothing) and `licenseDeclared` as a valid SPDX expression or `NOASSERTION`: declared text that
//! is not an SPDX expression becomes a `LicenseRef-` whose text is kept in
//! `hasExtractedLicensingInfos`. Where the package came from is a sentence in `sourceInfo` and,
//! for programs, an annotation whose comment is a JSON object of the same `harrier:` properties
//! the CycloneDX output has.
//!
//! The reader takes SPDX 2.2 and 2.3 JSON from any tool: packages with a `purl` external
//! reference (`PACKAGE-MANAGER` or 2.2's `PACKAGE_MANAGER`), the described root skipped.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;

use serde::Serialize;
use serde_json::Value;

use super::license::{self, is_idstring};
use super::purl::Purl;
use super::{
    Collector, Entry, Properties, ReadSbom, SbomDocument, SbomError, SbomFormat, TOOL_NAME,
    TOOL_VERSION, distro_from, distro_properties, image_properties, package_properties, provenance,
    subject_from,
};
use crate::Distro;

/// The version written.
pub const SPDX_VERSION: &str = "SPDX-2.3";
/// Where document namespaces are minted: `<this>/<name>-<uuid>`.
pub const NAMESPACE_BASE: &str = "https://harrier.dev/spdx";

const NOASSERTION: &str = "NOASSERTION";
const DOCUMENT_ID: &str = "SPDXRef-DOCUMENT";
const IMAGE_ID: &str = "SPDXRef-Image";
const OS_ID: &str = "SPDXRef-OperatingSystem";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    spdx_version: &'static str,
    data_license: &'static str,
    #[serde(rename = "SPDXID")]
    spdx_id: &'static str,
    name: String,
    document_namespace: String,
    creation_info: CreationInfo,
    packages: Vec<Package>,
    relationships: Vec<Relationship>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    has_extracted_licensing_infos: Vec<ExtractedLicense>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreationInfo {
    created: String,
    creators: Vec<String>,
    license_list_version: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Package {
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_info: Option<String>,
    download_location: &'static str,
    files_analyzed: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checksums: Vec<Checksum>,
    license_concluded: &'static str,
    license_declared: String,
    copyright_text: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_info: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalRef>,
    primary_package_purpose: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    annotations: Vec<Annotation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Checksum {
    algorithm: &'static str,
    checksum_value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef {
    reference_category: &'static str,
    reference_type: &'static str,
    reference_locator: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Annotation {
    annotation_date: String,
    annotation_type: &'static str,
    annotator: String,
    comment: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Relationship {
    spdx_element_id: String,
    relationship_type: &'static str,
    related_spdx_element: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExtractedLicense {
    license_id: String,
    extracted_text: String,
    name: String,
}

fn tool() -> String {
    format!("Tool: {TOOL_NAME}-{TOOL_VERSION}")
}

/// Mints unique `SPDXRef-` ids from names.
#[derive(Default)]
struct Ids {
    used: HashSet<String>,
    /// The next suffix to try for each base, so that many packages of one name and version
    /// do not make minting quadratic.
    next: HashMap<String, usize>,
}

/// Ids are made from names and versions, cut to this many characters (a hostile name could be
/// megabytes long).
const MAX_ID_LEN: usize = 200;

impl Ids {
    fn mint(&mut self, base: &str) -> String {
        let mut idstring: String = base
            .chars()
            .take(MAX_ID_LEN)
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        if idstring.is_empty() {
            idstring.push('x');
        }
        let mut id = format!("SPDXRef-{idstring}");
        let n = self.next.entry(idstring.clone()).or_insert(2);
        while self.used.contains(&id) {
            id = format!("SPDXRef-{idstring}-{n}");
            *n += 1;
        }
        self.used.insert(id.clone());
        id
    }
}

/// `LicenseRef-`s for declared text that is not an SPDX expression, one per distinct text.
#[derive(Default)]
struct LicenseRefs {
    by_text: BTreeMap<String, String>,
    used: HashSet<String>,
    /// The next suffix to try for each stem.
    next: HashMap<String, usize>,
}

impl LicenseRefs {
    fn reference(&mut self, text: &str) -> String {
        if let Some(id) = self.by_text.get(text) {
            return id.clone();
        }
        let mut stem: String = text
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' {
                    c
                } else {
                    '-'
                }
            })
            .collect::<String>()
            .split('-')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        stem.truncate(64);
        let stem = stem.trim_end_matches('-');
        let stem = if stem.is_empty() { "unknown" } else { stem };
        let mut id = format!("LicenseRef-{stem}");
        let n = self.next.entry(stem.to_owned()).or_insert(2);
        while self.used.contains(&id) {
            id = format!("LicenseRef-{stem}-{n}");
            *n += 1;
        }
        self.used.insert(id.clone());
        self.by_text.insert(text.to_owned(), id.clone());
        id
    }

    fn into_extracted(self) -> Vec<ExtractedLicense> {
        let mut out: Vec<ExtractedLicense> = self
            .by_text
            .into_iter()
            .map(|(text, id)| ExtractedLicense {
                license_id: id,
                name: text.clone(),
                extracted_text: text,
            })
            .collect();
        out.sort_by(|a, b| a.license_id.cmp(&b.license_id));
        out
    }
}

fn annotation(date: &str, props: &Properties) -> Annotation {
    let object: serde_json::Map<String, Value> = props
        .iter()
        .map(|(n, v)| (n.clone(), Value::String(v.clone())))
        .collect();
    Annotation {
        annotation_date: date.to_owned(),
        annotation_type: "OTHER",
        annotator: tool(),
        comment: Value::Object(object).to_string(),
    }
}

fn build(doc: &SbomDocument<'_>) -> Document {
    let subject = doc.subject;
    let created = doc.created();
    let mut ids = Ids::default();
    ids.used.insert(IMAGE_ID.to_owned());
    ids.used.insert(OS_ID.to_owned());
    let mut refs = LicenseRefs::default();
    let mut packages = Vec::new();
    let mut relationships = vec![Relationship {
        spdx_element_id: DOCUMENT_ID.to_owned(),
        relationship_type: "DESCRIBES",
        related_spdx_element: IMAGE_ID.to_owned(),
    }];

    let layer_list = subject
        .layers
        .iter()
        .map(|l| {
            let id = l
                .diff_id
                .as_ref()
                .or(l.digest.as_ref())
                .map_or("", String::as_str);
            match &l.created_by {
                Some(c) => format!("layer {} {id}: {}", l.index, c.trim()),
                None => format!("layer {} {id}", l.index),
            }
        })
        .collect::<Vec<_>>();
    packages.push(Package {
        spdx_id: IMAGE_ID.to_owned(),
        name: subject.name().to_owned(),
        version_info: subject.digest().map(str::to_owned),
        download_location: NOASSERTION,
        files_analyzed: false,
        checksums: subject
            .manifest_digest
            .as_deref()
            .and_then(|d| d.strip_prefix("sha256:"))
            .filter(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(|hex| Checksum {
                algorithm: "SHA256",
                checksum_value: hex.to_ascii_lowercase(),
            })
            .into_iter()
            .collect(),
        license_concluded: NOASSERTION,
        license_declared: NOASSERTION.to_owned(),
        copyright_text: NOASSERTION,
        source_info: None,
        comment: (!layer_list.is_empty()).then(|| layer_list.join("\n")),
        external_refs: Vec::new(),
        primary_package_purpose: if subject.is_directory() {
            "FILE"
        } else {
            "CONTAINER"
        },
        annotations: vec![annotation(&created, &image_properties(subject))],
    });

    if let Some(distro) = doc.distro {
        packages.push(Package {
            spdx_id: OS_ID.to_owned(),
            name: distro.id.clone(),
            version_info: distro.version_id.clone(),
            download_location: NOASSERTION,
            files_analyzed: false,
            checksums: Vec::new(),
            license_concluded: NOASSERTION,
            license_declared: NOASSERTION.to_owned(),
            copyright_text: NOASSERTION,
            source_info: None,
            comment: distro.pretty_name.clone(),
            external_refs: Vec::new(),
            primary_package_purpose: "OPERATING_SYSTEM",
            annotations: vec![annotation(&created, &distro_properties(distro))],
        });
        relationships.push(Relationship {
            spdx_element_id: IMAGE_ID.to_owned(),
            relationship_type: "CONTAINS",
            related_spdx_element: OS_ID.to_owned(),
        });
    }

    for resolved in doc.packages {
        let p = &resolved.package;
        let spdx_id = ids.mint(&format!(
            "Package-{}-{}-{}",
            p.kind.purl_type(),
            p.name,
            p.version
        ));
        let purl = Purl::for_package(p, doc.distro).ok();
        let declared = license::conjunction(&p.licenses, |text| refs.reference(text));
        packages.push(Package {
            spdx_id: spdx_id.clone(),
            name: p.name.clone(),
            version_info: Some(p.version.clone()).filter(|v| !v.is_empty()),
            download_location: NOASSERTION,
            files_analyzed: false,
            checksums: Vec::new(),
            license_concluded: NOASSERTION,
            license_declared: declared.unwrap_or_else(|| NOASSERTION.to_owned()),
            copyright_text: NOASSERTION,
            source_info: provenance(resolved, subject),
            comment: None,
            external_refs: purl
                .map(|purl| ExternalRef {
                    reference_category: "PACKAGE-MANAGER",
                    reference_type: "purl",
                    reference_locator: purl.to_string(),
                })
                .into_iter()
                .collect(),
            primary_package_purpose: "LIBRARY",
            annotations: vec![annotation(&created, &package_properties(resolved, subject))],
        });
        relationships.push(Relationship {
            spdx_element_id: IMAGE_ID.to_owned(),
            relationship_type: "CONTAINS",
            related_spdx_element: spdx_id,
        });
    }

    let name = subject.name().to_owned();
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let list_version = spdx::identifiers::VERSION
        .splitn(3, '.')
        .take(2)
        .collect::<Vec<_>>()
        .join(".");
    Document {
        spdx_version: SPDX_VERSION,
        data_license: "CC0-1.0",
        spdx_id: DOCUMENT_ID,
        name: if name.is_empty() {
            "image".into()
        } else {
            name
        },
        document_namespace: format!("{NAMESPACE_BASE}/{slug}-{}", doc.id),
        creation_info: CreationInfo {
            created,
            creators: vec![tool()],
            license_list_version: list_version,
        },
        packages,
        relationships,
        has_extracted_licensing_infos: refs.into_extracted(),
    }
}

/// The document as a JSON value.
pub fn to_value(doc: &SbomDocument<'_>) -> Value {
    // Plain structs with string keys: serialising them cannot fail.
    serde_json::to_value(build(doc)).unwrap_or(Value::Null)
}

/// Writes the document, pretty-printed.
pub fn write(doc: &SbomDocument<'_>, out: impl Write) -> serde_json::Result<()> {
    serde_json::to_writer_pretty(out, &build(doc))
}

/// Reads an SPDX 2.x JSON document.
pub fn read(bytes: &[u8]) -> Result<ReadSbom, SbomError> {
    read_value(&super::parse_json(bytes)?)
}

pub(super) fn read_value(doc: &Value) -> Result<ReadSbom, SbomError> {
    let version = str_field(doc, "spdxVersion").unwrap_or("");
    if !version.starts_with("SPDX-2.") {
        return Err(SbomError::UnsupportedVersion {
            format: "SPDX",
            version: version.to_owned(),
        });
    }
    let packages = match doc.get("packages") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(items)) => items.as_slice(),
        Some(_) => {
            return Err(SbomError::Invalid {
                field: "packages".into(),
                message: "not an array".into(),
            });
        }
    };
    let described: HashSet<&str> = array(doc, "relationships")
        .iter()
        .filter(|r| {
            str_field(r, "spdxElementId") == Some(DOCUMENT_ID)
                && str_field(r, "relationshipType") == Some("DESCRIBES")
        })
        .filter_map(|r| str_field(r, "relatedSpdxElement"))
        .chain(
            array(doc, "documentDescribes")
                .iter()
                .filter_map(Value::as_str),
        )
        .collect();
    let extracted: HashMap<&str, &str> = array(doc, "hasExtractedLicensingInfos")
        .iter()
        .filter_map(|e| Some((str_field(e, "licenseId")?, str_field(e, "extractedText")?)))
        .collect();

    let mut subject = None;
    let mut distro: Option<Distro> = None;
    let mut collector = Collector::new();
    for package in packages {
        let id = str_field(package, "SPDXID").unwrap_or("");
        let purpose = str_field(package, "primaryPackagePurpose").unwrap_or("");
        let props = harrier_properties(package);
        if subject.is_none() && (described.contains(id) || purpose == "CONTAINER") {
            subject = Some(subject_from(
                str_field(package, "name"),
                str_field(package, "versionInfo"),
                &props,
            ));
            continue;
        }
        if described.contains(id) {
            continue;
        }
        if matches!(purpose, "OPERATING_SYSTEM" | "OPERATING-SYSTEM") {
            if distro.is_none() {
                distro = distro_from(
                    str_field(package, "name"),
                    str_field(package, "versionInfo"),
                    str_field(package, "comment"),
                    &props,
                );
            }
            continue;
        }
        let purl = array(package, "externalRefs")
            .iter()
            .filter(|r| {
                str_field(r, "referenceType") == Some("purl")
                    && matches!(
                        str_field(r, "referenceCategory"),
                        Some("PACKAGE-MANAGER" | "PACKAGE_MANAGER") | None
                    )
            })
            .find_map(|r| str_field(r, "referenceLocator"));
        let licenses = match str_field(package, "licenseDeclared") {
            None | Some("NOASSERTION" | "NONE") => Vec::new(),
            Some(expression) => license::split_conjunction(expression)
                .into_iter()
                .map(|part| match extracted.get(part.as_str()) {
                    Some(text) if is_license_ref(&part) => (*text).to_owned(),
                    _ => part,
                })
                .collect(),
        };
        collector.add(Entry {
            name: str_field(package, "name"),
            group: None,
            version: str_field(package, "versionInfo"),
            purl,
            licenses,
            props,
        })?;
    }
    Ok(collector.finish(SbomFormat::Spdx, subject.unwrap_or_default(), distro))
}

fn is_license_ref(text: &str) -> bool {
    text.strip_prefix("LicenseRef-").is_some_and(is_idstring)
}

/// The `harrier:` properties of a package: the JSON object in its annotation by this tool.
fn harrier_properties(package: &Value) -> Properties {
    let mut props = Properties::new();
    for a in array(package, "annotations") {
        let by_us = str_field(a, "annotator")
            .is_some_and(|who| who.starts_with(&format!("Tool: {TOOL_NAME}-")));
        let Some(comment) = str_field(a, "comment").filter(|_| by_us) else {
            continue;
        };
        if let Ok(Value::Object(object)) = serde_json::from_str::<Value>(comment) {
            props.extend(
                object
                    .into_iter()
                    .filter_map(|(k, v)| Some((k, v.as_str()?.to_owned()))),
            );
        }
    }
    props
}

fn str_field<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

fn array<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    match value.get(key) {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}
