//! Exceptions: accepted risks, declared in a file, that turn matching findings into suppressed
//! ones.
//!
//! One model serves every kind of result. An exception names checks (ids, slugs or `*`) and a
//! selector (namespaces, kinds, names with globs, and labels), and must say why and may say who
//! owns it and until when. Expired exceptions stop applying and are reported, so an accepted
//! risk cannot silently outlive its review date.
//!
//! Vulnerability findings of image scans are accepted the same way, by vulnerability id or
//! alias (globs), optionally for some packages and images only:
//!
//! ```yaml
//! exceptions:
//!   - vulnerabilities: [CVE-2023-4863, "GHSA-*"]
//!     packages: [libwebp7]
//!     images: ["registry.example.com/app*"]
//!     reason: not reachable, the image never decodes WebP
//!     expires: 2027-01-31
//! ```
//!
//! ```yaml
//! exceptions:
//!   - checks: [HRR-PSS-001, host-path-volumes]
//!     namespaces: [monitoring]
//!     kinds: [DaemonSet]
//!     names: ["node-exporter*"]
//!     labels: {app.kubernetes.io/part-of: kube-prometheus}
//!     reason: node-exporter reads host metrics by design
//!     owner: platform-team
//!     expires: 2027-06-30
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use globset::{Glob, GlobMatcher};
pub use jiff::civil::Date;

use crate::yaml::{self, Node, Schema, Value};
use crate::{Catalog, CheckId, Location, Pos, ResourceRef, Suppression, SuppressionSource};

/// An exceptions file could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{location}: {message}")]
pub struct ExceptionsError {
    /// Where the problem is.
    pub location: Location,
    /// What is wrong.
    pub message: String,
}

/// Which checks an exception covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckSelector {
    /// Every check (`*`).
    All,
    /// These checks.
    Only(Vec<CheckId>),
}

/// One entry of an exceptions file.
#[derive(Debug, Clone)]
pub struct Exception {
    /// Which checks (none: the exception is about vulnerabilities only).
    pub checks: Option<CheckSelector>,
    vulnerabilities: Vec<GlobMatcher>,
    packages: Vec<GlobMatcher>,
    images: Vec<GlobMatcher>,
    namespaces: Vec<GlobMatcher>,
    kinds: Vec<GlobMatcher>,
    names: Vec<GlobMatcher>,
    labels: Vec<(String, GlobMatcher)>,
    /// Why the risk is accepted.
    pub reason: String,
    /// Who owns the decision.
    pub owner: Option<String>,
    /// Last day the exception applies.
    pub expires: Option<Date>,
    /// Where the entry is written.
    pub location: Location,
}

/// An exception whose expiry date has passed.
#[derive(Debug, Clone)]
pub struct ExpiredException {
    /// Where the entry is written.
    pub location: Location,
    /// The day it expired.
    pub expired: Date,
    /// Its reason, for the report.
    pub reason: String,
}

/// The exceptions in force, and those that expired.
#[derive(Debug, Clone, Default)]
pub struct ExceptionSet {
    active: Vec<Exception>,
    /// Exceptions found expired when the set was loaded.
    pub expired: Vec<ExpiredException>,
}

impl ExceptionSet {
    /// Parses an exceptions file. Check names are resolved against `catalog` so that a typo is
    /// an error, and entries whose `expires` is before `today` go to [`ExceptionSet::expired`].
    pub fn parse(
        path: &str,
        text: &str,
        catalog: &Catalog,
        today: Date,
    ) -> Result<ExceptionSet, ExceptionsError> {
        let path: Arc<str> = Arc::from(path);
        let err = |pos: Pos, message: String| ExceptionsError {
            location: Location::new(path.clone(), pos),
            message,
        };
        let root =
            yaml::parse_single(text, Schema::Kubernetes).map_err(|p| err(p.pos, p.message))?;
        let mut set = ExceptionSet::default();
        if root.is_null() {
            return Ok(set);
        }
        let list = root
            .get("exceptions")
            .and_then(Node::as_seq)
            .ok_or_else(|| {
                err(
                    root.pos,
                    "expected a top-level `exceptions:` list".to_owned(),
                )
            })?;
        for item in list {
            let exception =
                parse_entry(item, catalog, &path).map_err(|(pos, msg)| err(pos, msg))?;
            match exception.expires {
                Some(day) if day < today => set.expired.push(ExpiredException {
                    location: exception.location.clone(),
                    expired: day,
                    reason: exception.reason.clone(),
                }),
                _ => set.active.push(exception),
            }
        }
        Ok(set)
    }

    /// The exceptions in force.
    pub fn active(&self) -> &[Exception] {
        &self.active
    }

    /// The first exception in force that covers `check` on `resource` with `labels`.
    pub fn find(
        &self,
        check: CheckId,
        resource: &ResourceRef,
        labels: &BTreeMap<String, String>,
    ) -> Option<&Exception> {
        self.active
            .iter()
            .find(|e| e.covers(check, resource, labels))
    }

    /// The first exception in force that covers a vulnerability (by id or alias) of `package`
    /// in `image`.
    pub fn find_vulnerability(
        &self,
        ids: &[&str],
        package: &str,
        image: &str,
    ) -> Option<&Exception> {
        self.active
            .iter()
            .find(|e| e.covers_vulnerability(ids, package, image))
    }
}

impl Exception {
    /// Whether this exception covers `check` on `resource`.
    pub fn covers(
        &self,
        check: CheckId,
        resource: &ResourceRef,
        labels: &BTreeMap<String, String>,
    ) -> bool {
        let check_ok = match &self.checks {
            Some(CheckSelector::All) => true,
            Some(CheckSelector::Only(ids)) => ids.contains(&check),
            None => false,
        };
        check_ok
            && any_or_empty(
                &self.namespaces,
                resource.namespace.as_deref().unwrap_or(""),
            )
            && any_or_empty(&self.kinds, &resource.kind)
            && any_or_empty(&self.names, resource.name.as_deref().unwrap_or(""))
            && self
                .labels
                .iter()
                .all(|(key, glob)| labels.get(key).is_some_and(|v| glob.is_match(v)))
    }

    /// Whether this exception covers a vulnerability (any of its `ids`: the id and aliases) of
    /// `package` in `image`.
    pub fn covers_vulnerability(&self, ids: &[&str], package: &str, image: &str) -> bool {
        !self.vulnerabilities.is_empty()
            && ids
                .iter()
                .any(|id| self.vulnerabilities.iter().any(|g| g.is_match(id)))
            && any_or_empty(&self.packages, package)
            && any_or_empty(&self.images, image)
    }

    /// The suppression this exception gives a finding.
    pub fn suppression(&self) -> Suppression {
        Suppression {
            source: SuppressionSource::ExceptionsFile {
                location: self.location.clone(),
            },
            reason: Some(self.reason.clone()),
            owner: self.owner.clone(),
            expires: self.expires.map(|d| d.to_string()),
        }
    }
}

fn any_or_empty(globs: &[GlobMatcher], value: &str) -> bool {
    globs.is_empty() || globs.iter().any(|g| g.is_match(value))
}

type EntryError = (Pos, String);

fn parse_entry(item: &Node, catalog: &Catalog, path: &Arc<str>) -> Result<Exception, EntryError> {
    let map = item
        .as_map()
        .ok_or_else(|| (item.pos, "each exception must be a mapping".to_owned()))?;
    const KNOWN: [&str; 11] = [
        "checks",
        "vulnerabilities",
        "packages",
        "images",
        "namespaces",
        "kinds",
        "names",
        "labels",
        "reason",
        "owner",
        "expires",
    ];
    if let Some(unknown) = map
        .entries()
        .iter()
        .find(|e| !KNOWN.contains(&e.key.as_str()))
    {
        return Err((
            unknown.key_pos,
            format!(
                "unknown field `{}` (expected one of {})",
                unknown.key,
                KNOWN.join(", ")
            ),
        ));
    }
    let checks = map
        .get("checks")
        .map(|node| parse_checks(node, catalog))
        .transpose()?;
    let vulnerabilities = globs(map.get("vulnerabilities"), "vulnerabilities")?;
    if checks.is_none() && vulnerabilities.is_empty() {
        return Err((
            item.pos,
            "an exception needs `checks` (ids, slugs or \"*\") or `vulnerabilities` (ids or globs)"
                .to_owned(),
        ));
    }
    let reason = map
        .get("reason")
        .and_then(Node::as_str)
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| {
            (
                item.pos,
                "an exception needs a non-empty `reason`".to_owned(),
            )
        })?
        .to_owned();
    let owner = match map.get("owner") {
        None => None,
        Some(n) => Some(string(n, "owner")?.to_owned()),
    };
    let expires = match map.get("expires") {
        None => None,
        Some(n) => {
            let text = string(n, "expires")?;
            Some(text.parse::<Date>().map_err(|e| {
                (
                    n.pos,
                    format!("`expires` must be a date like 2027-01-31: {e}"),
                )
            })?)
        }
    };
    let labels = match map.get("labels") {
        None => Vec::new(),
        Some(n) => {
            let m = n.as_map().ok_or_else(|| {
                (
                    n.pos,
                    "`labels` must be a mapping of label keys to globs".to_owned(),
                )
            })?;
            m.entries()
                .iter()
                .map(|e| Ok((e.key.clone(), glob(&e.value)?)))
                .collect::<Result<_, EntryError>>()?
        }
    };
    Ok(Exception {
        checks,
        vulnerabilities,
        packages: globs(map.get("packages"), "packages")?,
        images: globs(map.get("images"), "images")?,
        namespaces: globs(map.get("namespaces"), "namespaces")?,
        kinds: globs(map.get("kinds"), "kinds")?,
        names: globs(map.get("names"), "names")?,
        labels,
        reason,
        owner,
        expires,
        location: Location::new(path.clone(), item.pos),
    })
}

fn parse_checks(node: &Node, catalog: &Catalog) -> Result<CheckSelector, EntryError> {
    let names: Vec<&Node> = match &node.value {
        Value::Seq(items) => items.iter().collect(),
        Value::String(_) => vec![node],
        _ => {
            return Err((
                node.pos,
                "`checks` must be a list of check ids or slugs".to_owned(),
            ));
        }
    };
    let mut ids = Vec::new();
    for n in names {
        let name = string(n, "checks")?;
        if name == "*" {
            return Ok(CheckSelector::All);
        }
        let meta = catalog.lookup(name).ok_or_else(|| {
            (
                n.pos,
                format!("unknown check `{name}` (see `harrier checks list`)"),
            )
        })?;
        ids.push(meta.id);
    }
    Ok(CheckSelector::Only(ids))
}

fn string<'a>(node: &'a Node, field: &str) -> Result<&'a str, EntryError> {
    node.as_str().ok_or_else(|| {
        (
            node.pos,
            format!(
                "`{field}` must be a string, found {}",
                yaml::de::kind_name(&node.value)
            ),
        )
    })
}

fn glob(node: &Node) -> Result<GlobMatcher, EntryError> {
    let text = string(node, "pattern")?;
    Glob::new(text)
        .map(|g| g.compile_matcher())
        .map_err(|e| (node.pos, format!("invalid glob `{text}`: {e}")))
}

fn globs(node: Option<&Node>, field: &str) -> Result<Vec<GlobMatcher>, EntryError> {
    match node {
        None => Ok(Vec::new()),
        Some(n) => match &n.value {
            Value::Seq(items) => items.iter().map(glob).collect(),
            Value::String(_) => Ok(vec![glob(n)?]),
            _ => Err((n.pos, format!("`{field}` must be a list of patterns"))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vulnerability_exceptions_match_ids_aliases_packages_and_images() {
        let catalog = Catalog::default();
        let today = Date::constant(2026, 11, 27);
        let text = "exceptions:\n  - vulnerabilities: [CVE-2023-4863, \"GHSA-*\"]\n    packages: [\"libwebp*\"]\n    images: [\"registry.example.com/*\"]\n    reason: not reachable\n";
        let set = ExceptionSet::parse("ex.yaml", text, &catalog, today).unwrap();
        let image = "registry.example.com/app:1";
        assert!(
            set.find_vulnerability(&["CVE-2023-4863"], "libwebp7", image)
                .is_some()
        );
        assert!(
            set.find_vulnerability(&["CVE-1", "GHSA-aaaa"], "libwebp7", image)
                .is_some(),
            "an alias matches"
        );
        assert!(
            set.find_vulnerability(&["CVE-2023-4863"], "openssl", image)
                .is_none()
        );
        assert!(
            set.find_vulnerability(&["CVE-2023-4863"], "libwebp7", "docker.io/app")
                .is_none()
        );
        // A vulnerability exception says nothing about posture checks.
        assert!(set.active()[0].checks.is_none());
        let err = ExceptionSet::parse(
            "ex.yaml",
            "exceptions:\n  - reason: nothing\n",
            &catalog,
            today,
        )
        .unwrap_err();
        assert!(err.to_string().contains("needs `checks`"), "{err}");
    }
}
