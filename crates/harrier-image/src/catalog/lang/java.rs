//! Java archives (`.jar`, `.war`, `.ear`, Jenkins `.jpi`/`.hpi` and the other zip-based Java
//! formats syft reads): the Maven coordinates and versions of what they hold.
//!
//! An archive is opened from memory with the `zip` crate and three kinds of entries are read:
//!
//! - `META-INF/maven/<group>/<artifact>/pom.properties` (Maven writes one per module; a shaded
//!   or fat jar has several): `groupId`, `artifactId`, `version`, each a package;
//! - `META-INF/MANIFEST.MF` (JAR manifest: `Key: value` lines, continuation lines starting
//!   with one space, sections separated by blank lines; keys case-insensitive);
//! - `META-INF/maven/**/pom.xml`, for the licenses it declares and, where no `pom.properties`
//!   names the archive, its coordinates (values with unresolved `${…}` are ignored).
//!
//! The archive's own package is named as syft names it, in this order: the `pom.properties`
//! whose `artifactId` matches the file name (exactly, else as prefix or suffix, the first by
//! path), then the manifest and the file name: the artifact is the name part of a versioned
//! file name, else the last part of `Bundle-SymbolicName` for jars made by the Apache Maven
//! Bundle Plugin, else the name part of the file name (`foo-bar-1.2.3.jar` → `foo-bar`, a `group.artifact` file name → `artifact`),
//! else `Name`, `Bundle-Name`, `Short-Name`, `Extension-Name`, `Implementation-Title`; the
//! version is the file name's, else `Implementation-Version`, `Specification-Version`,
//! `Plugin-Version`, `Bundle-Version`. The group, when no pom gives it, is the
//! lexicographically first `com.`/`org.`/`net.`/`io.`/`be.` value among `Group-Id`,
//! `Bundle-SymbolicName`, `Extension-Name`, `Specification-Vendor`, `Implementation-Vendor`,
//! `Implementation-Vendor-Id`, `Implementation-Title`, `Bundle-Activator` (then
//! `Automatic-Module-Name`, `Main-Class`, `Package`), else the artifact itself (syft's purl does
//! the same; it is right for `commons-io:commons-io`-style coordinates); metadata
//! `java.group-source` says which. Names are `group:artifact`, as Maven advisories name them.
//! Archives whose manifest has `Weave-Classes` (New Relic instrumentation jars, which mimic the
//! libraries they instrument) are not reported, as syft does not.
//!
//! Where this differs from syft, on purpose: `pom.properties` found in an archive without a
//! manifest are still reported (syft reports nothing without a manifest); a second
//! `pom.properties` with the archive's artifact id but another group is a package of its own
//! (syft folds it into the archive's); continuation lines drop exactly the one leading space the
//! JAR specification defines (syft trims all whitespace, joining words that a line break
//! separated); the group is taken from an embedded `pom.xml` before the manifest is guessed at;
//! a versioned file name (`commons-logging-1.2.jar`) names the artifact before a Maven Bundle
//! Plugin symbolic name does (`org.apache.commons.logging`, where syft reports `logging`).
//!
//! Archives inside archives (`WEB-INF/lib/*.jar`, `BOOT-INF/lib/*.jar`, an ear's modules, a
//! Jenkins war's plugins) are read the same way, down to [`MAX_NESTING`] levels, their
//! packages located at `outer.war!/WEB-INF/lib/inner.jar`. Stored (uncompressed) entries, as
//! Spring Boot requires for nested jars, are read in place; compressed ones are inflated, and
//! everything inflated or read for one top-level archive counts against
//! [`MAX_INFLATED_BYTES`], with at most [`MAX_NESTED_ARCHIVES`] nested archives, so a zip bomb
//! or a self-referencing archive ends in an error, not in memory or time exhaustion.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use zip::ZipArchive;

use crate::catalog::{CatalogError, Cataloger, FileMeta, Found, Want};
use crate::package::{Package, PackageKind};

/// The largest archive read from the image.
pub const MAX_ARCHIVE_BYTES: u64 = 256 * 1024 * 1024;
/// How deep archives inside archives are followed (an ear's war's jar is at depth 2).
pub const MAX_NESTING: usize = 4;
/// All bytes inflated or read for one top-level archive, nested archives included.
pub const MAX_INFLATED_BYTES: u64 = 1024 * 1024 * 1024;
/// Nested archives opened for one top-level archive.
pub const MAX_NESTED_ARCHIVES: usize = 10_000;
/// Entries one archive may declare (big fat jars have tens of thousands).
pub const MAX_ENTRIES: u64 = 500_000;
/// The largest manifest, `pom.properties` or `pom.xml` read.
const MAX_METADATA_BYTES: u64 = 1024 * 1024;

/// The extensions of zip-based Java archives (syft's list).
const EXTENSIONS: &[&str] = &[
    "jar", "war", "ear", "par", "sar", "nar", "jpi", "hpi", "kar", "lpkg",
];

/// The Java archive cataloger.
pub static JAVA_ARCHIVE: JavaArchiveCataloger = JavaArchiveCataloger;

/// Reads Maven metadata and manifests of Java archives.
#[derive(Debug, Clone, Copy)]
pub struct JavaArchiveCataloger;

impl Cataloger for JavaArchiveCataloger {
    fn name(&self) -> &'static str {
        "java-archive"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if file.size <= MAX_ARCHIVE_BYTES && is_archive_name(file.name()) {
            Want::Content {
                max_bytes: MAX_ARCHIVE_BYTES,
            }
        } else {
            Want::No
        }
    }

    fn catalog(&self, file: &FileMeta<'_>, content: &[u8]) -> Result<Found, CatalogError> {
        catalog_archive(file.path, content, Limits::DEFAULT)
    }
}

/// The bounds on reading one top-level archive.
#[derive(Debug, Clone, Copy)]
struct Limits {
    nesting: usize,
    inflated: u64,
    nested_archives: usize,
}

impl Limits {
    const DEFAULT: Limits = Limits {
        nesting: MAX_NESTING,
        inflated: MAX_INFLATED_BYTES,
        nested_archives: MAX_NESTED_ARCHIVES,
    };
}

fn catalog_archive(path: &str, content: &[u8], limits: Limits) -> Result<Found, CatalogError> {
    let mut walk = Walk {
        limits,
        budget: limits.inflated,
        nested: 0,
        found: Found::default(),
    };
    let name = path.rsplit('/').next().unwrap_or(path);
    walk.archive(content, path, name, 0, None)
        .map_err(|message| CatalogError::new(path, None, message))?;
    let mut found = walk.found;
    dedup(&mut found.packages);
    Ok(found)
}

fn is_archive_name(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e))
    })
}

fn dedup(packages: &mut Vec<Package>) {
    let mut seen = std::collections::HashSet::new();
    packages.retain(|p| seen.insert((p.name.clone(), p.version.clone(), p.location.path.clone())));
}

/// State shared by one top-level archive and everything nested in it.
struct Walk {
    limits: Limits,
    budget: u64,
    nested: usize,
    found: Found,
}

impl Walk {
    /// Reads one archive; `Err` when it cannot be opened at all.
    fn archive(
        &mut self,
        data: &[u8],
        location: &str,
        file_name: &str,
        depth: usize,
        parent: Option<&str>,
    ) -> Result<(), String> {
        if let Some(n) = declared_entries(data) {
            if n > MAX_ENTRIES {
                return Err(format!(
                    "archive declares {n} entries, more than {MAX_ENTRIES}"
                ));
            }
        }
        let mut zip = ZipArchive::new(Cursor::new(data))
            .map_err(|e| format!("not a readable zip archive: {e}"))?;

        let mut manifest_index = None;
        let mut pom_properties = Vec::new();
        let mut pom_xmls = Vec::new();
        let mut nested = Vec::new();
        for name in zip.file_names() {
            if name.ends_with('/') {
                continue;
            }
            if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
                manifest_index.get_or_insert(name.to_owned());
            } else if name.ends_with("pom.properties") {
                pom_properties.push(name.to_owned());
            } else if name.ends_with("/pom.xml") && name.contains("META-INF/maven/") {
                pom_xmls.push(name.to_owned());
            } else if is_archive_name(name.rsplit('/').next().unwrap_or(name)) {
                nested.push(name.to_owned());
            }
        }
        pom_properties.sort();
        pom_xmls.sort();
        nested.sort();

        let manifest = match &manifest_index {
            Some(name) => match self.read_entry(&mut zip, data, name, MAX_METADATA_BYTES) {
                Ok(bytes) => Some(Manifest::parse(&bytes)),
                Err(e) => {
                    self.error(location, format!("{name}: {e}"));
                    None
                }
            },
            None => None,
        };
        let instrumentation = manifest
            .as_ref()
            .is_some_and(|m| m.main_get("Weave-Classes").is_some());

        let mut properties = Vec::new();
        for name in &pom_properties {
            match self.read_entry(&mut zip, data, name, MAX_METADATA_BYTES) {
                Ok(bytes) => {
                    let p = PomProperties::parse(&bytes, name);
                    if !p.artifact.is_empty() && !p.version.is_empty() {
                        properties.push(p);
                    }
                }
                Err(e) => self.error(location, format!("{name}: {e}")),
            }
        }
        let mut poms = BTreeMap::new();
        for name in &pom_xmls {
            match self.read_entry(&mut zip, data, name, MAX_METADATA_BYTES) {
                Ok(bytes) => {
                    if let Some(pom) = PomXml::parse(&bytes) {
                        poms.insert(parent_dir(name).to_owned(), (name.clone(), pom));
                    }
                }
                Err(e) => self.error(location, format!("{name}: {e}")),
            }
        }

        let mut own_name = None;
        if !instrumentation {
            let (own, packages) = identify(
                file_name,
                manifest.as_ref(),
                &properties,
                &poms,
                location,
                parent,
            );
            own_name = own;
            self.found.packages.extend(packages);
        }

        for name in nested {
            let inner_location = format!("{location}!/{name}");
            if depth + 1 > self.limits.nesting {
                let message = format!(
                    "archive nested deeper than {} levels not read",
                    self.limits.nesting
                );
                self.error(&inner_location, message);
                continue;
            }
            if self.nested >= self.limits.nested_archives {
                let message = format!(
                    "more than {} nested archives; the rest are not read",
                    self.limits.nested_archives
                );
                self.error(location, message);
                break;
            }
            self.nested += 1;
            let inner_name = name.rsplit('/').next().unwrap_or(&name);
            let result =
                self.with_entry(&mut zip, data, &name, MAX_ARCHIVE_BYTES, |walk, bytes| {
                    walk.archive(
                        bytes,
                        &inner_location,
                        inner_name,
                        depth + 1,
                        own_name.as_deref().or(parent),
                    )
                });
            match result {
                Ok(Ok(())) => {}
                Ok(Err(e)) | Err(e) => self.error(&inner_location, e),
            }
        }
        Ok(())
    }

    fn error(&mut self, path: &str, message: String) {
        self.found
            .errors
            .push(CatalogError::new(path, None, message));
    }

    /// An entry's bytes, inflated, up to `cap` and the remaining budget.
    fn read_entry(
        &mut self,
        zip: &mut ZipArchive<Cursor<&[u8]>>,
        data: &[u8],
        name: &str,
        cap: u64,
    ) -> Result<Vec<u8>, String> {
        self.with_entry(zip, data, name, cap, |_, bytes| bytes.to_vec())
    }

    /// Runs `f` on an entry's content: a slice of `data` when the entry is stored, else its
    /// inflated bytes. Either way its size is taken from the budget.
    fn with_entry<T>(
        &mut self,
        zip: &mut ZipArchive<Cursor<&[u8]>>,
        data: &[u8],
        name: &str,
        cap: u64,
        f: impl FnOnce(&mut Walk, &[u8]) -> T,
    ) -> Result<T, String> {
        let index = zip.index_for_name(name).ok_or("entry vanished")?;
        let stored = {
            let raw = zip.by_index_raw(index).map_err(|e| e.to_string())?;
            if raw.encrypted() {
                return Err("entry is encrypted".to_owned());
            }
            if raw.compression() == zip::CompressionMethod::Stored {
                let start = raw.data_start().ok_or("entry has no data offset")?;
                let end = start
                    .checked_add(raw.compressed_size())
                    .ok_or("entry size overflows")?;
                Some((start, end))
            } else {
                None
            }
        };
        let limit = cap.min(self.budget);
        if let Some((start, end)) = stored {
            let len = end - start;
            if len > limit {
                return Err(self.over_limit(cap));
            }
            let slice = usize::try_from(start)
                .ok()
                .zip(usize::try_from(end).ok())
                .and_then(|(s, e)| data.get(s..e))
                .ok_or("stored entry runs past the end of the archive")?;
            self.budget -= len;
            return Ok(f(self, slice));
        }
        let mut buf = Vec::new();
        let entry = zip.by_index(index).map_err(|e| e.to_string())?;
        entry
            .take(limit.saturating_add(1))
            .read_to_end(&mut buf)
            .map_err(|e| format!("does not inflate: {e}"))?;
        let len = u64::try_from(buf.len()).unwrap_or(u64::MAX);
        if len > limit {
            self.budget = self.budget.saturating_sub(limit);
            return Err(self.over_limit(cap));
        }
        self.budget -= len;
        Ok(f(self, &buf))
    }

    fn over_limit(&self, cap: u64) -> String {
        if self.budget < cap {
            format!(
                "more than {} bytes inflated from one archive; not read",
                self.limits.inflated
            )
        } else {
            format!("larger than {cap} bytes; not read")
        }
    }
}

/// The entry count an archive's end-of-central-directory record declares (zip64 included),
/// checked before the zip reader allocates one record per entry.
fn declared_entries(data: &[u8]) -> Option<u64> {
    const EOCD: &[u8] = b"PK\x05\x06";
    let tail_start = data.len().saturating_sub(22 + 65_535);
    let tail = data.get(tail_start..)?;
    let at = tail_start + memchr::memmem::rfind(tail, EOCD)?;
    let u16_at = |i: usize| -> Option<u64> {
        Some(u64::from(u16::from_le_bytes(
            data.get(i..i + 2)?.try_into().ok()?,
        )))
    };
    let count = u16_at(at + 10)?;
    if count != 0xffff {
        return Some(count);
    }
    // Zip64: the locator sits just before the record and points at the zip64 record.
    let locator = at.checked_sub(20)?;
    if data.get(locator..locator + 4)? != b"PK\x06\x07" {
        return Some(count);
    }
    let offset = usize::try_from(u64::from_le_bytes(
        data.get(locator + 8..locator + 16)?.try_into().ok()?,
    ))
    .ok()?;
    if data.get(offset..offset.checked_add(4)?)? != b"PK\x06\x06" {
        return None;
    }
    Some(u64::from_le_bytes(
        data.get(offset + 32..offset + 40)?.try_into().ok()?,
    ))
}

fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// The packages of one archive: its own (first, when there is one; its name is returned too)
/// and those of the other `pom.properties` it holds.
fn identify(
    file_name: &str,
    manifest: Option<&Manifest>,
    properties: &[PomProperties],
    poms: &BTreeMap<String, (String, PomXml)>,
    location: &str,
    parent: Option<&str>,
) -> (Option<String>, Vec<Package>) {
    let file = ArchiveFileName::parse(file_name);
    let mut out = Vec::new();

    // The pom.properties naming this archive (syft's `artifactIDMatchesFilename`).
    let artifacts: Vec<&str> = properties.iter().map(|p| p.artifact.as_str()).collect();
    let selected = properties
        .iter()
        .position(|p| artifact_matches_file_name(&p.artifact, &file.name, &artifacts));

    let mut own: Option<Package> = None;
    if manifest.is_some() || selected.is_some() {
        let mut group = String::new();
        let mut artifact = String::new();
        let mut version = String::new();
        let mut group_source = "pom";
        let mut licenses = Vec::new();
        let mut metadata = BTreeMap::new();
        if let Some(p) = selected.and_then(|i| properties.get(i)) {
            group.clone_from(&p.group);
            artifact.clone_from(&p.artifact);
            version.clone_from(&p.version);
            metadata.insert("java.pom-properties".to_owned(), p.path.clone());
            if let Some((_, pom)) = poms.get(parent_dir(&p.path)) {
                fill(&mut group, &pom.group);
                fill(&mut version, &pom.version);
            }
        } else {
            // No pom.properties names it: a pom.xml that does (ours, not syft's).
            let pom_artifacts: Vec<&str> = poms
                .values()
                .filter_map(|(_, p)| p.artifact.as_deref())
                .collect();
            let pom = poms.values().find(|(_, p)| {
                p.artifact
                    .as_deref()
                    .is_some_and(|a| artifact_matches_file_name(a, &file.name, &pom_artifacts))
            });
            if let Some((path, pom)) = pom {
                fill(&mut group, &pom.group);
                fill(&mut artifact, &pom.artifact);
                fill(&mut version, &pom.version);
                metadata.insert("java.pom-xml".to_owned(), path.clone());
            }
        }
        if let Some(m) = manifest {
            if artifact.is_empty() {
                artifact = select_name(m, &file);
            }
            if version.is_empty() {
                version = select_version(m, &file);
            }
            licenses.extend(
                ["Bundle-License", "Plugin-License-Name"]
                    .iter()
                    .filter_map(|k| m.get(k))
                    .map(str::to_owned),
            );
            for key in MANIFEST_METADATA {
                if let Some(v) = m.main_get(key) {
                    metadata.insert(format!("java.manifest.{key}"), v.to_owned());
                }
            }
            if group.is_empty() {
                if let Some(g) = group_from_manifest(m) {
                    group = g;
                    group_source = "manifest";
                }
            }
        }
        if licenses.is_empty() {
            let dir = selected
                .and_then(|i| properties.get(i))
                .map(|p| parent_dir(&p.path).to_owned())
                .or_else(|| {
                    metadata
                        .get("java.pom-xml")
                        .map(|p| parent_dir(p).to_owned())
                });
            if let Some((_, pom)) = dir.and_then(|d| poms.get(&d)) {
                licenses.extend(pom.licenses.iter().cloned());
            }
        }
        if !artifact.is_empty() {
            if group.is_empty() {
                group.clone_from(&artifact);
                group_source = "artifact-id";
            }
            let mut p = Package::new(
                PackageKind::Java,
                format!("{group}:{artifact}"),
                version,
                location,
            );
            p.licenses = licenses;
            p.metadata = metadata;
            p.metadata
                .insert("java.group-source".to_owned(), group_source.to_owned());
            own = Some(p);
        }
    }

    for (i, props) in properties.iter().enumerate() {
        if Some(i) == selected {
            continue;
        }
        let group = if props.group.is_empty() {
            props.artifact.clone()
        } else {
            props.group.clone()
        };
        let name = format!("{group}:{}", props.artifact);
        if let Some(own) = own
            .as_mut()
            .filter(|own| is_own_pom(own, &name, &props.artifact))
        {
            // The archive's own pom, found by other means than its file name: its
            // coordinates are better than the manifest's (syft folds it in likewise).
            own.name = name;
            own.version.clone_from(&props.version);
            own.metadata
                .insert("java.pom-properties".to_owned(), props.path.clone());
            own.metadata
                .insert("java.group-source".to_owned(), "pom".to_owned());
            continue;
        }
        let mut p = Package::new(PackageKind::Java, name, props.version.clone(), location);
        p.metadata
            .insert("java.pom-properties".to_owned(), props.path.clone());
        p.metadata
            .insert("java.group-source".to_owned(), "pom".to_owned());
        if let Some((_, pom)) = poms.get(parent_dir(&props.path)) {
            p.licenses.extend(pom.licenses.iter().cloned());
        }
        out.push(p);
    }

    // Jenkins plugins, as syft classifies them.
    let jenkins =
        file.extension.eq_ignore_ascii_case("jpi") || file.extension.eq_ignore_ascii_case("hpi");
    let own_parent = own.as_ref().map(|p| p.name.clone());
    let mut all: Vec<Package> = own.into_iter().chain(out).collect();
    for (i, p) in all.iter_mut().enumerate() {
        let is_own = i == 0 && own_parent.is_some();
        if (is_own && jenkins)
            || p.name.contains("io.jenkins.plugins")
            || p.name.contains("org.jenkins-ci.plugins")
        {
            p.metadata
                .insert("java.type".to_owned(), "jenkins-plugin".to_owned());
        }
        let parent = if is_own {
            parent
        } else {
            own_parent.as_deref().or(parent)
        };
        if let Some(parent) = parent {
            p.metadata
                .insert("java.parent".to_owned(), parent.to_owned());
        }
    }
    (own_parent, all)
}

/// Whether a `pom.properties` named `name` (`group:artifact`) describes the archive's own
/// package `own`: the same coordinates, or the same artifact id when `own`'s group was only a
/// guess.
fn is_own_pom(own: &Package, name: &str, artifact: &str) -> bool {
    if own.name == name {
        return true;
    }
    let guessed = own
        .metadata
        .get("java.group-source")
        .is_some_and(|s| s != "pom");
    guessed
        && own
            .name
            .rsplit_once(':')
            .is_some_and(|(_, a)| a == artifact)
}

fn fill(target: &mut String, value: &Option<String>) {
    if target.is_empty() {
        if let Some(v) = value {
            target.clone_from(v);
        }
    }
}

/// Manifest attributes kept as metadata of the archive's own package.
const MANIFEST_METADATA: &[&str] = &[
    "Implementation-Title",
    "Implementation-Version",
    "Implementation-Vendor",
    "Implementation-Vendor-Id",
    "Specification-Title",
    "Specification-Version",
    "Specification-Vendor",
    "Bundle-SymbolicName",
    "Bundle-Version",
    "Bundle-Name",
    "Automatic-Module-Name",
];

/// syft's `artifactIDMatchesFilename`: exact when some `pom.properties` has the file's name as
/// artifact id, else prefix/suffix.
fn artifact_matches_file_name(artifact: &str, file_name: &str, artifacts: &[&str]) -> bool {
    if artifact.is_empty() || file_name.is_empty() {
        return false;
    }
    if artifacts.contains(&file_name) {
        return artifact == file_name;
    }
    artifact.starts_with(file_name) || file_name.ends_with(artifact)
}

/// syft's `selectName`, except that a Maven-style `<artifact>-<version>` file name wins over
/// the Maven Bundle Plugin's `Bundle-SymbolicName`: that plugin lets projects set the symbolic
/// name freely (Apache Commons uses `org.apache.commons.logging`, `org.apache.commons.lang3`),
/// so its last part is often not the artifact id, while repositories and build tools name the
/// file `<artifactId>-<version>.jar`.
fn select_name(m: &Manifest, file: &ArchiveFileName) -> String {
    if file.version.is_empty() {
        if let Some(name) = bundle_plugin_artifact(m) {
            return name;
        }
    }
    let name = name_from_file_name(&file.name);
    if !name.is_empty() {
        return name;
    }
    [
        "Name",
        "Bundle-Name",
        "Short-Name",
        "Extension-Name",
        "Implementation-Title",
    ]
    .iter()
    .find_map(|k| m.main_get(k).filter(|v| !v.is_empty()))
    .unwrap_or_default()
    .to_owned()
}

/// The artifact id the Apache Maven Bundle Plugin baked into `Bundle-SymbolicName`
/// (`${groupId}.${artifactId}`).
fn bundle_plugin_artifact(m: &Manifest) -> Option<String> {
    if !m
        .main_get("Created-By")?
        .contains("Apache Maven Bundle Plugin")
    {
        return None;
    }
    let symbolic = clean_group(m.main_get("Bundle-SymbolicName")?);
    if symbolic.is_empty() {
        return None;
    }
    // Only the group: the artifact is not in it.
    if m.main_get("Implementation-Vendor-Id")
        .is_some_and(|v| !v.is_empty() && v == symbolic)
    {
        return None;
    }
    symbolic.rsplit('.').next().map(str::to_owned)
}

/// syft's `extractNameFromArchiveFilename`: `group.artifact` file names give the artifact.
fn name_from_file_name(name: &str) -> String {
    if name.contains('.') && !name.starts_with("org.eclipse.") {
        let fields: Vec<&str> = name.split('.').collect();
        let looks_like_group = fields
            .iter()
            .all(|f| f.chars().next().is_some_and(java_identifier_start));
        if looks_like_group {
            return fields.last().copied().unwrap_or(name).to_owned();
        }
    }
    name.to_owned()
}

/// A character that may start a Java identifier (letters, letter numbers, currency symbols,
/// connector punctuation).
fn java_identifier_start(c: char) -> bool {
    c.is_alphabetic()
        || matches!(c, '$' | '_' | '\u{a2}'..='\u{a5}' | '\u{20a0}'..='\u{20cf}' | '\u{203f}' | '\u{2040}')
}

/// syft's `selectVersion`.
///
/// One deliberate difference: a file name whose artifact name ends in a version
/// (`log4j-1.2-1.2.17.jar`, Debian's name for log4j 1.2) splits as `log4j` + `1.2-1.2.17`;
/// when the manifest's version is the tail of that (`1.2.17`), the manifest's is taken, since
/// advisories are filed against `1.2.17`.
fn select_version(m: &Manifest, file: &ArchiveFileName) -> String {
    let declared = [
        "Implementation-Version",
        "Specification-Version",
        "Plugin-Version",
        "Bundle-Version",
    ]
    .iter()
    .find_map(|k| m.get(k).filter(|v| !v.is_empty()))
    .unwrap_or_default();
    if file.version.is_empty() {
        return declared.to_owned();
    }
    if !declared.is_empty() && file.version.ends_with(&format!("-{declared}")) {
        return declared.to_owned();
    }
    file.version.clone()
}

const PRIMARY_GROUP_FIELDS: &[&str] = &[
    "Group-Id",
    "Bundle-SymbolicName",
    "Extension-Name",
    "Specification-Vendor",
    "Implementation-Vendor",
    "Implementation-Vendor-Id",
    "Implementation-Title",
    "Bundle-Activator",
];
const SECONDARY_GROUP_FIELDS: &[&str] = &["Automatic-Module-Name", "Main-Class", "Package"];

/// syft's manifest group-id guess: the first (sorted) value that starts like a reversed domain.
fn group_from_manifest(m: &Manifest) -> Option<String> {
    for fields in [PRIMARY_GROUP_FIELDS, SECONDARY_GROUP_FIELDS] {
        let mut candidates: Vec<String> = m
            .all_sections()
            .flat_map(|section| {
                fields.iter().filter_map(|k| {
                    section
                        .iter()
                        .find(|(key, _)| key.eq_ignore_ascii_case(k))
                        .map(|(_, v)| v)
                })
            })
            .filter(|v| {
                ["com.", "org.", "net.", "io.", "be."]
                    .iter()
                    .any(|tld| v.starts_with(tld))
            })
            .map(|v| clean_group(v).to_owned())
            .filter(|v| !v.is_empty())
            .collect();
        candidates.sort();
        if let Some(first) = candidates.into_iter().next() {
            return Some(first);
        }
    }
    None
}

/// A group id without OSGi directives (`org.bar;singleton:=true`) or fragments.
fn clean_group(value: &str) -> &str {
    value.split([';', '#']).next().unwrap_or(value).trim()
}

/// A JAR manifest: the main section, then the per-entry sections.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    /// Sections, each its attributes in order; the first is the main section.
    pub sections: Vec<Vec<(String, String)>>,
}

impl Manifest {
    /// Parses a manifest. Lines without a `:` and lines with an empty name are skipped, as
    /// syft skips them (Java's reader rejects the whole file).
    pub fn parse(bytes: &[u8]) -> Manifest {
        let text = String::from_utf8_lossy(bytes);
        let mut sections: Vec<Vec<(String, String)>> = Vec::new();
        let mut in_section = false;
        let mut last_key = false;
        for line in text.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.is_empty() {
                in_section = false;
                last_key = false;
                continue;
            }
            if let Some(continued) = line.strip_prefix(' ') {
                if last_key {
                    if let Some((_, value)) = sections.last_mut().and_then(|s| s.last_mut()) {
                        value.push_str(continued);
                    }
                }
                continue;
            }
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim();
            if key.is_empty() {
                continue;
            }
            if !in_section {
                sections.push(Vec::new());
                in_section = true;
            }
            if let Some(section) = sections.last_mut() {
                section.push((key.to_owned(), value.trim_start().to_owned()));
            }
            last_key = true;
        }
        // Values are trimmed once complete (a continuation may have ended in spaces).
        for section in &mut sections {
            for (_, value) in section.iter_mut() {
                let trimmed = value.trim_end().len();
                value.truncate(trimmed);
            }
        }
        Manifest { sections }
    }

    fn all_sections(&self) -> impl Iterator<Item = &Vec<(String, String)>> {
        self.sections.iter()
    }

    /// A main-section attribute (names are case-insensitive).
    pub fn main_get(&self, key: &str) -> Option<&str> {
        self.sections
            .first()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// An attribute of the main section, else of the first other section that has it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.sections
            .iter()
            .find_map(|s| {
                s.iter()
                    .find(|(k, v)| k.eq_ignore_ascii_case(key) && !v.is_empty())
            })
            .map(|(_, v)| v.as_str())
    }
}

/// The Maven coordinates of a `pom.properties`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PomProperties {
    /// The entry it was read from.
    pub path: String,
    /// `groupId` (without OSGi directives).
    pub group: String,
    /// `artifactId`.
    pub artifact: String,
    /// `version`.
    pub version: String,
    /// `name`, when present.
    pub name: String,
}

impl PomProperties {
    /// Parses a `pom.properties` (Java properties: `key=value`, `key: value` or `key value`,
    /// `#`/`!` comments, backslash escapes and continuations).
    pub fn parse(bytes: &[u8], path: &str) -> PomProperties {
        let text = String::from_utf8_lossy(bytes);
        let mut out = PomProperties {
            path: path.to_owned(),
            ..PomProperties::default()
        };
        let mut logical = String::new();
        for line in text.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            let line = line.trim_start();
            if logical.is_empty()
                && (line.is_empty() || line.starts_with('#') || line.starts_with('!'))
            {
                continue;
            }
            // An odd number of trailing backslashes continues the line.
            let trailing = line.chars().rev().take_while(|&c| c == '\\').count();
            if trailing % 2 == 1 {
                logical.push_str(line.get(..line.len() - 1).unwrap_or_default());
                continue;
            }
            logical.push_str(line);
            let (key, value) = split_property(&logical);
            match key.as_str() {
                "groupId" => out.group = clean_group(&value).to_owned(),
                "artifactId" => out.artifact = value,
                "version" => out.version = value,
                "name" => out.name = value,
                _ => {}
            }
            logical.clear();
        }
        out
    }
}

/// A properties line's key and value, unescaped and trimmed.
fn split_property(line: &str) -> (String, String) {
    let mut key = String::new();
    let mut chars = line.chars().peekable();
    let mut found = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(e) = chars.next() {
                    push_escape(&mut key, e, &mut chars);
                }
            }
            '=' | ':' => {
                found = true;
                break;
            }
            c if c.is_whitespace() => {
                // A whitespace separator may be followed by one `=` or `:`.
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                if chars.peek().is_some_and(|&c| c == '=' || c == ':') {
                    chars.next();
                }
                found = true;
                break;
            }
            c => key.push(c),
        }
    }
    let mut value = String::new();
    if found {
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(e) = chars.next() {
                    push_escape(&mut value, e, &mut chars);
                }
            } else {
                value.push(c);
            }
        }
    }
    (key.trim().to_owned(), value.trim().to_owned())
}

fn push_escape(out: &mut String, e: char, chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match e {
        't' => out.push('\t'),
        'n' => out.push('\n'),
        'r' => out.push('\r'),
        'f' => out.push('\u{c}'),
        'u' => {
            let hex: String = chars.by_ref().take(4).collect();
            match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                Some(c) => out.push(c),
                None => out.push_str(&hex),
            }
        }
        e => out.push(e),
    }
}

/// What a `pom.xml` says about its project.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PomXml {
    /// `groupId`, else the parent's.
    pub group: Option<String>,
    /// `artifactId`.
    pub artifact: Option<String>,
    /// `version`, else the parent's.
    pub version: Option<String>,
    /// License names (or URLs, for licenses without a name).
    pub licenses: Vec<String>,
}

impl PomXml {
    /// Reads the project's coordinates and licenses; `None` when it is not XML. Values left
    /// with a `${…}` reference after substituting the pom's own `<properties>` and
    /// `project.*` are dropped.
    pub fn parse(bytes: &[u8]) -> Option<PomXml> {
        use quick_xml::events::Event;
        let mut reader = quick_xml::Reader::from_reader(bytes);
        let mut stack: Vec<String> = Vec::new();
        let mut text = String::new();
        let mut fields: BTreeMap<String, String> = BTreeMap::new();
        let mut properties: BTreeMap<String, String> = BTreeMap::new();
        let mut licenses: Vec<(Option<String>, Option<String>)> = Vec::new();
        let mut buf = Vec::new();
        loop {
            let event = reader.read_event_into(&mut buf).ok()?;
            match event {
                Event::Start(e) => {
                    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                    if stack.len() == 2
                        && stack.get(1).is_some_and(|s| s == "licenses")
                        && name == "license"
                    {
                        licenses.push((None, None));
                    }
                    stack.push(name);
                    text.clear();
                    if stack.len() > 64 {
                        return None;
                    }
                }
                Event::Text(t) => text.push_str(&t.xml10_content().ok()?),
                Event::CData(t) => text.push_str(&String::from_utf8_lossy(&t)),
                Event::GeneralRef(r) => {
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        text.push(c);
                    } else if let Some(s) = r
                        .decode()
                        .ok()
                        .and_then(|n| quick_xml::escape::resolve_xml_entity(&n))
                    {
                        text.push_str(s);
                    }
                }
                Event::End(_) => {
                    let path = stack.join("/");
                    let value = text.trim().to_owned();
                    match path.as_str() {
                        "project/groupId"
                        | "project/artifactId"
                        | "project/version"
                        | "project/parent/groupId"
                        | "project/parent/version" => {
                            fields.insert(path, value);
                        }
                        "project/licenses/license/name" => {
                            if let Some(l) = licenses.last_mut() {
                                l.0 = Some(value);
                            }
                        }
                        "project/licenses/license/url" => {
                            if let Some(l) = licenses.last_mut() {
                                l.1 = Some(value);
                            }
                        }
                        _ if stack.len() == 3
                            && stack.get(1).is_some_and(|s| s == "properties") =>
                        {
                            if let Some(key) = stack.last() {
                                properties.insert(key.clone(), value);
                            }
                        }
                        _ => {}
                    }
                    stack.pop();
                    text.clear();
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        let field = |k: &str| fields.get(k).filter(|v| !v.is_empty()).cloned();
        let group = field("project/groupId").or_else(|| field("project/parent/groupId"));
        let version = field("project/version").or_else(|| field("project/parent/version"));
        let artifact = field("project/artifactId");
        let mut known = properties;
        for (key, value) in [
            ("project.groupId", &group),
            ("project.artifactId", &artifact),
            ("project.version", &version),
            ("project.parent.version", &field("project/parent/version")),
            ("parent.version", &field("project/parent/version")),
            ("project.parent.groupId", &field("project/parent/groupId")),
        ] {
            if let Some(v) = value {
                known.entry(key.to_owned()).or_insert_with(|| v.clone());
            }
        }
        let resolve = |v: Option<String>| {
            v.map(|v| substitute(&v, &known))
                .filter(|v| !v.contains("${") && !v.is_empty())
        };
        Some(PomXml {
            group: resolve(group),
            artifact: resolve(artifact),
            version: resolve(version),
            licenses: licenses
                .into_iter()
                .filter_map(|(name, url)| {
                    name.filter(|n| !n.is_empty())
                        .or(url)
                        .filter(|v| !v.is_empty())
                })
                .collect(),
        })
    }
}

/// `${key}` references replaced from `known`, twice (a property may name another).
fn substitute(value: &str, known: &BTreeMap<String, String>) -> String {
    let mut out = value.to_owned();
    for _ in 0..2 {
        if !out.contains("${") {
            break;
        }
        let mut next = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(start) = rest.find("${") {
            next.push_str(rest.get(..start).unwrap_or_default());
            let after = rest.get(start + 2..).unwrap_or_default();
            match after.find('}') {
                Some(end) => {
                    let key = after.get(..end).unwrap_or_default();
                    match known.get(key) {
                        Some(v) => next.push_str(v),
                        None => {
                            next.push_str("${");
                            next.push_str(key);
                            next.push('}');
                        }
                    }
                    rest = after.get(end + 1..).unwrap_or_default();
                }
                None => {
                    next.push_str(rest.get(start..).unwrap_or_default());
                    rest = "";
                }
            }
        }
        next.push_str(rest);
        out = next;
    }
    out
}

/// The name and version in an archive's file name (syft's `newJavaArchiveFilename`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ArchiveFileName {
    /// The name part (`spring-core` of `spring-core-5.3.1.jar`).
    pub name: String,
    /// The version part (`5.3.1`), or empty.
    pub version: String,
    /// The extension, without the dot.
    pub extension: String,
}

impl ArchiveFileName {
    /// Splits a file name (a path is reduced to its last component) the way syft's
    /// `nameAndVersionPattern` does: the version starts at the first `-` followed by a digit,
    /// `build<digits>` or a whole `r<digits>`/`rc<digits>`, with every name part before it
    /// starting with a letter; failing that, a version after `_`, `.` or `-` at the end.
    pub fn parse(file: &str) -> ArchiveFileName {
        let base = file.rsplit('/').next().unwrap_or(file);
        let (stem, extension) = match base.rsplit_once('.') {
            Some((stem, ext)) => (stem, ext),
            None => (base, ""),
        };
        let (mut name, mut version) = split_name_version(stem).unwrap_or_default();
        if version.is_empty() {
            if let Some((n, v)) = secondary_version(&name) {
                name = n;
                version = v;
            }
        }
        ArchiveFileName {
            name,
            version,
            extension: extension.to_owned(),
        }
    }
}

fn is_name_token_start(c: char) -> bool {
    c.is_ascii_alphabetic()
}

fn is_name_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

/// `(?:[[:alpha:]][[:word:].]*-?)+`: dash-separated parts each starting with a letter; one
/// trailing dash allowed.
fn is_name(s: &str) -> bool {
    if s.is_empty() {
        return false;
    }
    let body = s.strip_suffix('-').unwrap_or(s);
    !body.is_empty()
        && body.split('-').all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(is_name_token_start) && chars.all(is_name_token_char)
        })
}

/// `\d.*|build\d+.*|rc?\d+`, case-insensitive when `fold`.
fn is_version(s: &str, fold: bool) -> bool {
    let lower;
    let s = if fold {
        lower = s.to_ascii_lowercase();
        lower.as_str()
    } else {
        s
    };
    let digits_then = |rest: &str| rest.chars().next().is_some_and(|c| c.is_ascii_digit());
    if digits_then(s) {
        return true;
    }
    if let Some(rest) = s.strip_prefix("build") {
        return digits_then(rest);
    }
    let rest = s.strip_prefix("rc").or_else(|| s.strip_prefix('r'));
    rest.is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_digit()))
}

fn split_name_version(stem: &str) -> Option<(String, String)> {
    for (i, c) in stem.char_indices() {
        if c != '-' {
            continue;
        }
        let name = stem.get(..i)?;
        let version = stem.get(i + 1..)?;
        if is_name(name) && is_version(version, true) {
            return Some((name.to_owned(), version.to_owned()));
        }
    }
    is_name(stem).then(|| (stem.to_owned(), String::new()))
}

/// `[._-](\d.*|build\d+.*|rc?\d+)$` at its leftmost match.
fn secondary_version(name: &str) -> Option<(String, String)> {
    for (i, c) in name.char_indices() {
        if matches!(c, '.' | '_' | '-') {
            let version = name.get(i + 1..)?;
            if is_version(version, false) {
                return Some((name.get(..i)?.to_owned(), version.to_owned()));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_as_syft_splits_them() {
        // syft's TestExtractInfoFromJavaArchiveFilename (archive_filename_test.go).
        let syft = [
            ("pkg-maven-4.3.2.blerg", "pkg-maven", "4.3.2", "blerg"),
            ("pkg-maven.4.3.2.blerg", "pkg-maven", "4.3.2", "blerg"),
            ("pkg-maven_4.3.2.blerg", "pkg-maven", "4.3.2", "blerg"),
            ("pkg-maven-4.3.2.jar", "pkg-maven", "4.3.2", "jar"),
            (
                "pkg-extra-field-maven-4.3.2.war",
                "pkg-extra-field-maven",
                "4.3.2",
                "war",
            ),
            ("liferay-package.lpkg", "liferay-package", "", "lpkg"),
            (
                "pkg-extra-field-maven-4.3.2-rc1.ear",
                "pkg-extra-field-maven",
                "4.3.2-rc1",
                "ear",
            ),
            (
                "pkg-extra-field-maven-4.3.2-rc1.par",
                "pkg-extra-field-maven",
                "4.3.2-rc1",
                "par",
            ),
            (
                "pkg-extra-field-maven-4.3.2-rc1.sar",
                "pkg-extra-field-maven",
                "4.3.2-rc1",
                "sar",
            ),
            (
                "pkg-extra-field-maven-4.3.2-rc1.nar",
                "pkg-extra-field-maven",
                "4.3.2-rc1",
                "nar",
            ),
            (
                "pkg-extra-field-maven-4.3.2-rc1.kar",
                "pkg-extra-field-maven",
                "4.3.2-rc1",
                "kar",
            ),
            (
                "/some/path/pkg-extra-field-maven-4.3.2-rc1.jpi",
                "pkg-extra-field-maven",
                "4.3.2-rc1",
                "jpi",
            ),
            (
                "/some/path-with-version-5.4.3/pkg-extra-field-maven-4.3.2-rc1.hpi",
                "pkg-extra-field-maven",
                "4.3.2-rc1",
                "hpi",
            ),
            (
                "/some/path-with-version-5.4.3/wagon-webdav-1.0.2-beta-2.2.3a-hudson.jar",
                "wagon-webdav",
                "1.0.2-beta-2.2.3a-hudson",
                "jar",
            ),
            (
                "/some/path-with-version-5.4.3/wagon-webdav-1.0.2-beta-2.2.3-hudson.jar",
                "wagon-webdav",
                "1.0.2-beta-2.2.3-hudson",
                "jar",
            ),
            (
                "/some/path-with-version-5.4.3/windows-remote-command-1.0.jar",
                "windows-remote-command",
                "1.0",
                "jar",
            ),
            (
                "/some/path-with-version-5.4.3/wagon-http-lightweight-1.0.5-beta-2.jar",
                "wagon-http-lightweight",
                "1.0.5-beta-2",
                "jar",
            ),
            (
                "/hudson.war:WEB-INF/lib/commons-jelly-1.1-hudson-20100305.jar",
                "commons-jelly",
                "1.1-hudson-20100305",
                "jar",
            ),
            (
                "/hudson.war:WEB-INF/lib/jtidy-4aug2000r7-dev-hudson-1.jar",
                "jtidy",
                "4aug2000r7-dev-hudson-1",
                "jar",
            ),
            (
                "/hudson.war:WEB-INF/lib/trilead-ssh2-build212-hudson-5.jar",
                "trilead-ssh2",
                "build212-hudson-5",
                "jar",
            ),
            (
                "/hudson.war:WEB-INF/lib/guava-r06.jar",
                "guava",
                "r06",
                "jar",
            ),
            (
                "BOOT-INF/lib/spring-data-r2dbc-1.1.0.RELEASE.jar",
                "spring-data-r2dbc",
                "1.1.0.RELEASE",
                "jar",
            ),
            (
                "jboss-saaj-api_1.4_spec-1.0.2.Final.jar",
                "jboss-saaj-api_1.4_spec",
                "1.0.2.Final",
                "jar",
            ),
            (
                "/usr/share/java/gradle/lib/gradle-build-cache-8.1.1.jar",
                "gradle-build-cache",
                "8.1.1",
                "jar",
            ),
        ];
        // Names used by syft's other tests, and ours.
        let more = [
            (
                "http4s-crypto_2.12-0.1.0.jar",
                "http4s-crypto_2.12",
                "0.1.0",
                "jar",
            ),
            ("kafka_2.13-3.2.2.jar", "kafka_2.13", "3.2.2", "jar"),
            (
                "api-all-2.0.0-sources.jar",
                "api-all",
                "2.0.0-sources",
                "jar",
            ),
            (
                "org.eclipse.ant.core-3.7.0.jar",
                "org.eclipse.ant.core",
                "3.7.0",
                "jar",
            ),
            ("omg.jar", "omg", "", "jar"),
            ("my-http2-server-5.jar", "my-http2-server", "5", "jar"),
            ("jetpack-build235-rc5.jar", "jetpack", "build235-rc5", "jar"),
            ("-weird.jar", "", "", "jar"),
            ("noext", "noext", "", ""),
        ];
        for (file, name, version, extension) in syft.into_iter().chain(more) {
            let got = ArchiveFileName::parse(file);
            assert_eq!(
                (
                    got.name.as_str(),
                    got.version.as_str(),
                    got.extension.as_str()
                ),
                (name, version, extension),
                "{file}"
            );
        }
    }

    #[test]
    fn names_from_file_names() {
        assert_eq!(
            name_from_file_name("com.atlassian.gadgets.atlassian-gadgets-api"),
            "atlassian-gadgets-api"
        );
        assert_eq!(
            name_from_file_name("http4s-crypto_2.12"),
            "http4s-crypto_2.12"
        );
        assert_eq!(
            name_from_file_name("org.eclipse.ant.core"),
            "org.eclipse.ant.core"
        );
        assert_eq!(name_from_file_name("omg"), "omg");
    }

    fn manifest(lines: &[(&str, &str)]) -> Manifest {
        Manifest {
            sections: vec![
                lines
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            ],
        }
    }

    #[test]
    fn select_name_as_syft() {
        // syft's TestSelectName.
        let omg = ArchiveFileName::parse("/something/omg.jar");
        let m = manifest(&[("Implementation-Title", "maven-wrapper")]);
        assert_eq!(
            select_name(&m, &ArchiveFileName::default()),
            "maven-wrapper"
        );
        let m = manifest(&[("Name", "foo"), ("Implementation-Title", "maven-wrapper")]);
        assert_eq!(select_name(&m, &omg), "omg");
        for created_by in [
            "Apache Maven Bundle Plugin",
            "Apache Maven Bundle Plugin 5.1.6",
        ] {
            let m = manifest(&[
                ("Created-By", created_by),
                (
                    "Bundle-SymbolicName",
                    "com.atlassian.gadgets.atlassian-gadgets-api",
                ),
                ("Name", "foo"),
                ("Implementation-Title", "maven-wrapper"),
            ]);
            assert_eq!(select_name(&m, &omg), "atlassian-gadgets-api");
        }
        let m = manifest(&[("Name", "foo"), ("Implementation-Title", "maven-wrapper")]);
        let file =
            ArchiveFileName::parse("/something/com.atlassian.gadgets.atlassian-gadgets-api.jar");
        assert_eq!(select_name(&m, &file), "atlassian-gadgets-api");
        let file = ArchiveFileName::parse("/something/http4s-crypto_2.12-0.1.0.jar");
        assert_eq!(
            select_name(&Manifest::default(), &file),
            "http4s-crypto_2.12"
        );
        let file = ArchiveFileName::parse("/something//kafka_2.13-3.2.2.jar");
        assert_eq!(select_name(&Manifest::default(), &file), "kafka_2.13");
        let m = manifest(&[("Automatic-Module-Name", "org.eclipse.ant.core")]);
        let file = ArchiveFileName::parse("/something/org.eclipse.ant.core-3.7.0.jar");
        assert_eq!(select_name(&m, &file), "org.eclipse.ant.core");
        let m = manifest(&[
            ("Bundle-SymbolicName", "com.google.oauth-client"),
            ("Created-By", "Apache Maven Bundle Plugin"),
            ("Implementation-Vendor-Id", "com.google.oauth-client"),
            (
                "Implementation-Title",
                "Google OAuth Client Library for Java",
            ),
        ]);
        let file = ArchiveFileName::parse("/something/google-oauth-client-1.25.0.jar");
        assert_eq!(select_name(&m, &file), "google-oauth-client");
        // Not syft's: Debian's commons-logging-1.2.jar, whose bundle name is not its artifact
        // id (syft says `logging`).
        let m = manifest(&[
            ("Created-By", "Apache Maven Bundle Plugin"),
            ("Implementation-Vendor-Id", "org.apache"),
            ("Bundle-SymbolicName", "org.apache.commons.logging"),
        ]);
        let file = ArchiveFileName::parse("/usr/share/java/commons-logging-1.2.jar");
        assert_eq!(select_name(&m, &file), "commons-logging");
        assert_eq!(select_name(&m, &omg), "logging");
    }

    #[test]
    fn a_version_in_the_artifact_name_is_not_part_of_the_version() {
        let file = ArchiveFileName::parse("log4j-1.2-1.2.17.jar");
        let m = manifest(&[("Bundle-Version", "1.2.17")]);
        assert_eq!(select_version(&m, &file), "1.2.17");
        let m = manifest(&[("Bundle-Version", "1.2")]);
        assert_eq!(
            select_version(&m, &file),
            "1.2-1.2.17",
            "not a tail: the file name wins"
        );
    }

    #[test]
    fn select_version_as_syft() {
        // syft's TestSelectVersion.
        let none = ArchiveFileName::default();
        let m = manifest(&[("Implementation-Version", "1.8.2")]);
        assert_eq!(select_version(&m, &none), "1.8.2");
        let m = manifest(&[
            ("Implementation-Version", "1.8.2"),
            ("Specification-Version", "1.0"),
        ]);
        assert_eq!(select_version(&m, &none), "1.8.2");
        let m = Manifest {
            sections: vec![
                vec![("Manifest-Version".into(), "1.0".into())],
                vec![
                    (
                        "Name".into(),
                        "org/apache/tools/ant/taskdefs/optional/".into(),
                    ),
                    ("Implementation-Version".into(), "1.8.2".into()),
                ],
            ],
        };
        assert_eq!(select_version(&m, &none), "1.8.2");
        let m = Manifest {
            sections: vec![
                vec![("Specification-Version".into(), "2.0".into())],
                vec![("Specification-Version".into(), "1.8".into())],
                vec![("Implementation-Version".into(), "1.8.2".into())],
            ],
        };
        assert_eq!(select_version(&m, &none), "1.8.2");
        let m = Manifest {
            sections: vec![vec![], vec![("Bundle-Version".into(), "1.11.28".into())]],
        };
        assert_eq!(select_version(&m, &none), "1.11.28");
        let m = manifest(&[("Implementation-Version", "9")]);
        assert_eq!(
            select_version(&m, &ArchiveFileName::parse("x-1.2.jar")),
            "1.2"
        );
    }

    #[test]
    fn properties_syntax() {
        let p = PomProperties::parse(
            b"#c\n! also\n  groupId = org.x;singleton:=true\r\nartifactId\\\n  =a\\:b\nversion 1.0\\u0041\n",
            "x",
        );
        assert_eq!(
            (p.group.as_str(), p.artifact.as_str(), p.version.as_str()),
            ("org.x", "a:b", "1.0A")
        );
    }

    #[test]
    fn pom_xml_coordinates_and_licenses() {
        let pom = PomXml::parse(
            br#"<?xml version="1.0"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <parent><groupId>org.p</groupId><artifactId>parent</artifactId><version>7</version></parent>
  <artifactId>child</artifactId>
  <version>${revision}&#46;1</version>
  <properties><revision>${project.parent.version}</revision></properties>
  <dependencies><dependency><groupId>no</groupId><version>9</version></dependency></dependencies>
  <licenses><license><name>Apache &amp; MIT</name></license><license><url>https://l/</url></license></licenses>
</project>"#,
        )
        .expect("parses");
        assert_eq!(pom.group.as_deref(), Some("org.p"));
        assert_eq!(pom.artifact.as_deref(), Some("child"));
        assert_eq!(pom.version.as_deref(), Some("7.1"));
        assert_eq!(pom.licenses, ["Apache & MIT", "https://l/"]);
        let unresolved = PomXml::parse(
            b"<project><artifactId>a</artifactId><version>${nope}</version></project>",
        )
        .expect("parses");
        assert_eq!(unresolved.version, None);
        assert_eq!(PomXml::parse(b"<project><a></b></project>"), None);
    }

    /// A zip of `(name, content, stored)` entries.
    fn zip_of(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content, stored) in entries {
            let method = if *stored {
                zip::CompressionMethod::Stored
            } else {
                zip::CompressionMethod::Deflated
            };
            let options = zip::write::SimpleFileOptions::default().compression_method(method);
            zip.start_file(*name, options).expect("start");
            zip.write_all(content).expect("write");
        }
        zip.finish().expect("finish").into_inner()
    }

    fn props(group: &str, artifact: &str, version: &str) -> Vec<u8> {
        format!("groupId={group}\nartifactId={artifact}\nversion={version}\n").into_bytes()
    }

    /// A chain of jars, each holding the next as `lib/level-<n+1>.jar`.
    fn chain(levels: usize) -> Vec<u8> {
        let mut inner: Option<Vec<u8>> = None;
        for level in (0..levels).rev() {
            let pom = props("g", &format!("level-{level}"), "1.0");
            let path = format!("META-INF/maven/g/level-{level}/pom.properties");
            let mut entries: Vec<(&str, &[u8], bool)> =
                vec![(path.as_str(), pom.as_slice(), false)];
            let name = format!("lib/level-{}.jar", level + 1);
            if let Some(inner) = &inner {
                entries.push((name.as_str(), inner.as_slice(), level % 2 == 0));
            }
            inner = Some(zip_of(&entries));
        }
        inner.unwrap_or_default()
    }

    #[test]
    fn nesting_is_bounded() {
        let jar = chain(6);
        let limits = Limits {
            nesting: 2,
            ..Limits::DEFAULT
        };
        let found = catalog_archive("level-0.jar", &jar, limits).expect("reads");
        let names: Vec<&str> = found.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["g:level-0", "g:level-1", "g:level-2"]);
        assert_eq!(
            found.packages[2].location.path,
            "level-0.jar!/lib/level-1.jar!/lib/level-2.jar"
        );
        assert_eq!(found.errors.len(), 1, "{:?}", found.errors);
        assert_eq!(
            found.errors[0].path,
            "level-0.jar!/lib/level-1.jar!/lib/level-2.jar!/lib/level-3.jar"
        );
        let all = catalog_archive("level-0.jar", &jar, Limits::DEFAULT).expect("reads");
        assert_eq!(all.packages.len(), 5, "depth 0 to MAX_NESTING");
    }

    #[test]
    fn inflation_is_bounded() {
        let zeros = vec![0u8; 4 * 1024 * 1024];
        // Inflating the nested jar itself (4 MiB, mostly a stored entry) is what goes over.
        let bomb = zip_of(&[
            (
                "META-INF/maven/g/b/pom.properties",
                &props("g", "b", "1"),
                false,
            ),
            ("x", &zeros, true),
        ]);
        let pom = props("g", "outer", "2");
        let jar = zip_of(&[
            ("META-INF/maven/g/outer/pom.properties", &pom, false),
            ("lib/bomb.jar", &bomb, false),
        ]);
        assert!(jar.len() < 64 * 1024);
        let limits = Limits {
            inflated: 1024 * 1024,
            ..Limits::DEFAULT
        };
        let found = catalog_archive("outer.jar", &jar, limits).expect("reads");
        let names: Vec<&str> = found.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["g:outer"]);
        assert_eq!(found.errors.len(), 1);
        assert_eq!(found.errors[0].path, "outer.jar!/lib/bomb.jar");
        assert!(
            found.errors[0].message.contains("inflated"),
            "{}",
            found.errors[0].message
        );
    }

    #[test]
    fn nested_archive_count_is_bounded() {
        let inner: Vec<Vec<u8>> = (0..5)
            .map(|i| {
                zip_of(&[(
                    "META-INF/maven/g/a/pom.properties",
                    &props("g", &format!("a{i}"), "1"),
                    false,
                )])
            })
            .collect();
        let names: Vec<String> = (0..5).map(|i| format!("lib/a{i}.jar")).collect();
        let entries: Vec<(&str, &[u8], bool)> = names
            .iter()
            .zip(&inner)
            .map(|(n, d)| (n.as_str(), d.as_slice(), true))
            .collect();
        let jar = zip_of(&entries);
        let limits = Limits {
            nested_archives: 3,
            ..Limits::DEFAULT
        };
        let found = catalog_archive("outer.jar", &jar, limits).expect("reads");
        assert_eq!(found.packages.len(), 3);
        assert_eq!(found.errors.len(), 1);
        assert!(found.errors[0].message.contains("more than 3"));
    }

    #[test]
    fn too_many_declared_entries() {
        // A zip64 end record claiming a billion entries.
        let mut data = Vec::new();
        data.extend_from_slice(b"PK\x06\x06");
        data.extend_from_slice(&[0; 28]);
        data.extend_from_slice(&1_000_000_000u64.to_le_bytes());
        data.extend_from_slice(&[0; 16]);
        data.extend_from_slice(b"PK\x06\x07");
        data.extend_from_slice(&[0; 4]);
        data.extend_from_slice(&0u64.to_le_bytes());
        data.extend_from_slice(&1u32.to_le_bytes());
        data.extend_from_slice(b"PK\x05\x06");
        data.extend_from_slice(&[0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
        data.extend_from_slice(&[0xff; 8]);
        data.extend_from_slice(&[0, 0]);
        assert_eq!(declared_entries(&data), Some(1_000_000_000));
        let err = catalog_archive("x.jar", &data, Limits::DEFAULT).expect_err("refused");
        assert!(err.message.contains("entries"), "{}", err.message);
    }

    #[test]
    fn declared_entry_counts() {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..3 {
            zip.start_file(format!("f{i}"), zip::write::SimpleFileOptions::default())
                .expect("start");
            zip.write_all(b"x").expect("write");
        }
        let bytes = zip.finish().expect("finish").into_inner();
        assert_eq!(declared_entries(&bytes), Some(3));
        assert_eq!(declared_entries(b"not a zip"), None);
    }
}
