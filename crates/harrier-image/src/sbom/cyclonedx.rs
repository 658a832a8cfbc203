//! CycloneDX 1.6 JSON (<https://cyclonedx.org/docs/1.6/json/>).
//!
//! The image is `metadata.component` (`type: container`, or `file` for a root filesystem
//! directory) with its digest as `version` and its layer list as `harrier:image:layer:*`
//! properties. The distro is an `operating-system` component; every package a `library`
//! component with a purl, declared licenses (`license.id` for an SPDX id, `expression` for an
//! SPDX expression, `license.name` for anything else: the schema allows a list of licenses or a
//! single expression, never both, so a mixed list becomes one expression joined with `AND`),
//! and `harrier:` properties for its layer and file. `dependencies` says only that the image
//! holds every component.
//!
//! The reader takes any CycloneDX 1.x JSON: components at any depth, syft's and Trivy's path
//! properties, and the distro from an `operating-system` component or else the purls.

use std::collections::HashSet;
use std::io::Write;

use serde::Serialize;
use serde_json::Value;

use super::license::{self, License};
use super::purl::Purl;
use super::{
    Collector, Entry, MAX_DEPTH, Properties, ReadSbom, SbomDocument, SbomError, SbomFormat,
    TOOL_NAME, TOOL_VERSION, distro_from, distro_properties, get, image_properties,
    package_properties, subject_from,
};

/// The schema a document names in `$schema`.
pub const SCHEMA_URL: &str = "http://cyclonedx.org/schema/bom-1.6.schema.json";
/// The spec version written.
pub const SPEC_VERSION: &str = "1.6";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bom {
    #[serde(rename = "$schema")]
    schema: &'static str,
    bom_format: &'static str,
    spec_version: &'static str,
    serial_number: String,
    version: u32,
    metadata: Metadata,
    components: Vec<Component>,
    dependencies: Vec<Dependency>,
}

#[derive(Serialize)]
struct Metadata {
    timestamp: String,
    tools: Tools,
    component: Component,
}

#[derive(Serialize)]
struct Tools {
    components: Vec<Component>,
}

#[derive(Serialize, Default)]
struct Component {
    #[serde(rename = "type")]
    ty: &'static str,
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<Hash>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenseChoice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Hash {
    alg: &'static str,
    content: String,
}

#[derive(Serialize)]
#[serde(untagged)]
enum LicenseChoice {
    License { license: LicenseEntry },
    Expression { expression: String },
}

#[derive(Serialize)]
struct LicenseEntry {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

#[derive(Serialize)]
struct Property {
    name: String,
    value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Dependency {
    #[serde(rename = "ref")]
    reference: String,
    depends_on: Vec<String>,
}

fn properties(props: Properties) -> Vec<Property> {
    props
        .into_iter()
        .map(|(name, value)| Property { name, value })
        .collect()
}

const IMAGE_REF: &str = "harrier:image";

fn build(doc: &SbomDocument<'_>) -> Bom {
    let subject = doc.subject;
    let image = Component {
        ty: if subject.is_directory() {
            "file"
        } else {
            "container"
        },
        bom_ref: Some(IMAGE_REF.to_owned()),
        name: subject.name().to_owned(),
        version: subject.digest().map(str::to_owned),
        hashes: subject
            .manifest_digest
            .as_deref()
            .and_then(|d| d.strip_prefix("sha256:"))
            .filter(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(|hex| Hash {
                alg: "SHA-256",
                content: hex.to_owned(),
            })
            .into_iter()
            .collect(),
        properties: properties(image_properties(subject)),
        ..Component::default()
    };

    let mut components = Vec::new();
    let mut refs = HashSet::new();
    if let Some(distro) = doc.distro {
        let bom_ref = match &distro.version_id {
            Some(v) => format!("os:{}@{v}", distro.id),
            None => format!("os:{}", distro.id),
        };
        refs.insert(bom_ref.clone());
        components.push(Component {
            ty: "operating-system",
            bom_ref: Some(bom_ref),
            name: distro.id.clone(),
            version: distro.version_id.clone(),
            description: distro.pretty_name.clone(),
            properties: properties(distro_properties(distro)),
            ..Component::default()
        });
    }
    for (n, resolved) in doc.packages.iter().enumerate() {
        let p = &resolved.package;
        let purl = Purl::for_package(p, doc.distro).ok().map(|p| p.to_string());
        let bom_ref = match &purl {
            Some(purl) if !refs.contains(purl) => purl.clone(),
            _ => format!("harrier:package:{n}"),
        };
        refs.insert(bom_ref.clone());
        let (group, name) = match (p.kind, p.name.split_once(':')) {
            (crate::PackageKind::Java, Some((g, a))) if !g.is_empty() && !a.is_empty() => {
                (Some(g.to_owned()), a.to_owned())
            }
            _ => (None, p.name.clone()),
        };
        components.push(Component {
            ty: "library",
            bom_ref: Some(bom_ref),
            group,
            name,
            version: Some(p.version.clone()).filter(|v| !v.is_empty()),
            licenses: licenses(&p.licenses),
            purl,
            properties: properties(package_properties(resolved, subject)),
            ..Component::default()
        });
    }

    // The image holds every component. What each package depends on is not known, and a
    // component left out of the graph says exactly that (an empty `dependsOn` would claim it
    // has none).
    let dependencies = vec![Dependency {
        reference: IMAGE_REF.to_owned(),
        depends_on: components
            .iter()
            .filter_map(|c| c.bom_ref.clone())
            .collect(),
    }];

    Bom {
        schema: SCHEMA_URL,
        bom_format: "CycloneDX",
        spec_version: SPEC_VERSION,
        serial_number: format!("urn:uuid:{}", doc.id),
        version: 1,
        metadata: Metadata {
            timestamp: doc.created(),
            tools: Tools {
                components: vec![Component {
                    ty: "application",
                    name: TOOL_NAME.to_owned(),
                    version: Some(TOOL_VERSION.to_owned()),
                    ..Component::default()
                }],
            },
            component: image,
        },
        components,
        dependencies,
    }
}

fn licenses(declared: &[String]) -> Vec<LicenseChoice> {
    let sorted: Vec<License> = declared
        .iter()
        .filter_map(|l| license::classify(l))
        .collect();
    if sorted.iter().any(|l| matches!(l, License::Expression(_))) {
        // One expression, or nothing but licenses: the schema allows no mix.
        if sorted.iter().all(|l| !matches!(l, License::Other(_))) {
            return license::conjunction(declared, str::to_owned)
                .map(|expression| LicenseChoice::Expression { expression })
                .into_iter()
                .collect();
        }
        return declared
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .map(|l| LicenseChoice::License {
                license: LicenseEntry {
                    id: None,
                    name: Some(l.to_owned()),
                },
            })
            .collect();
    }
    sorted
        .into_iter()
        .map(|l| LicenseChoice::License {
            license: match l {
                License::Id(id) => LicenseEntry {
                    id: Some(id),
                    name: None,
                },
                License::Expression(text) | License::Other(text) => LicenseEntry {
                    id: None,
                    name: Some(text),
                },
            },
        })
        .collect()
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

/// Reads a CycloneDX JSON document.
pub fn read(bytes: &[u8]) -> Result<ReadSbom, SbomError> {
    let value = super::parse_json(bytes)?;
    if value.get("bomFormat").and_then(Value::as_str) != Some("CycloneDX") {
        return Err(SbomError::Invalid {
            field: "bomFormat".into(),
            message: "expected `CycloneDX`".into(),
        });
    }
    read_value(&value)
}

pub(super) fn read_value(bom: &Value) -> Result<ReadSbom, SbomError> {
    let version = bom.get("specVersion").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with("1.") {
        return Err(SbomError::UnsupportedVersion {
            format: "CycloneDX",
            version: version.to_owned(),
        });
    }
    let subject = match bom.get("metadata").and_then(|m| m.get("component")) {
        Some(c) => subject_from(str_field(c, "name"), str_field(c, "version"), &props(c)),
        None => super::SbomSubject::default(),
    };
    let mut collector = Collector::new();
    let mut distro = None;
    let components = match bom.get("components") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(items)) => items.as_slice(),
        Some(_) => {
            return Err(SbomError::Invalid {
                field: "components".into(),
                message: "not an array".into(),
            });
        }
    };
    walk(components, 0, &mut collector, &mut distro)?;
    Ok(collector.finish(SbomFormat::CycloneDx, subject, distro))
}

fn walk(
    components: &[Value],
    depth: usize,
    collector: &mut Collector,
    distro: &mut Option<crate::Distro>,
) -> Result<(), SbomError> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    for component in components {
        let ty = str_field(component, "type").unwrap_or("");
        let props = props(component);
        match ty {
            "operating-system" => {
                if distro.is_none() {
                    *distro = distro_from(
                        str_field(component, "name"),
                        str_field(component, "version"),
                        str_field(component, "description"),
                        &props,
                    );
                }
            }
            // Another image inside this one, or the tool: not packages.
            "container" | "platform" | "device" | "firmware" => {}
            _ if str_field(component, "purl").is_none()
                && get(&props, super::property::KIND).is_none()
                && matches!(ty, "application" | "file") =>
            {
                // Syft and Trivy list the files packages were found in (lockfiles, binaries)
                // as purl-less components; they are not packages.
            }
            _ => collector.add(Entry {
                name: str_field(component, "name"),
                group: str_field(component, "group"),
                version: str_field(component, "version"),
                purl: str_field(component, "purl"),
                licenses: read_licenses(component.get("licenses")),
                props,
            })?,
        }
        if let Some(Value::Array(children)) = component.get("components") {
            walk(children, depth + 1, collector, distro)?;
        }
    }
    Ok(())
}

fn str_field<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

fn props(component: &Value) -> Properties {
    let Some(Value::Array(items)) = component.get("properties") else {
        return Properties::new();
    };
    items
        .iter()
        .filter_map(|p| {
            Some((
                str_field(p, "name")?.to_owned(),
                str_field(p, "value")?.to_owned(),
            ))
        })
        .collect()
}

fn read_licenses(licenses: Option<&Value>) -> Vec<String> {
    let Some(Value::Array(items)) = licenses else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        if let Some(expression) = str_field(item, "expression") {
            out.extend(license::split_conjunction(expression));
        } else if let Some(l) = item.get("license") {
            if let Some(text) = str_field(l, "id").or(str_field(l, "name")) {
                out.push(text.to_owned());
            }
        }
    }
    out
}
