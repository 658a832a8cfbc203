//! The catalog: every check Harrier knows, looked up by id, slug or upstream alias.
//!
//! Each analyzer exports a sorted slice of its checks; the binary joins them into one
//! [`Catalog`] that drives evaluation filters, `harrier checks list|show`, docs and report
//! metadata.

use std::collections::HashMap;

use crate::check::Reference;
use crate::{CheckId, CheckMeta, InputKind};

/// One catalogued check: its metadata and what it reads.
#[derive(Debug, Clone, Copy)]
pub struct CatalogEntry {
    /// The check's metadata.
    pub meta: &'static CheckMeta,
    /// What the check reads.
    pub inputs: InputKind,
}

/// Every known check.
#[derive(Debug, Default)]
pub struct Catalog {
    entries: Vec<CatalogEntry>,
    by_id: HashMap<CheckId, usize>,
}

/// Two catalogued checks share an id or slug.
#[derive(Debug, thiserror::Error)]
#[error("check `{first}` and `{second}` share the {what} `{value}`")]
pub struct DuplicateCheck {
    /// Id of the first check.
    pub first: CheckId,
    /// Id of the second check.
    pub second: CheckId,
    /// `id` or `slug`.
    pub what: &'static str,
    /// The shared value.
    pub value: &'static str,
}

impl Catalog {
    /// Builds a catalog, sorted by id. Fails on duplicate ids or slugs, which would make
    /// lookups ambiguous.
    pub fn new(entries: impl IntoIterator<Item = CatalogEntry>) -> Result<Catalog, DuplicateCheck> {
        let mut entries: Vec<CatalogEntry> = entries.into_iter().collect();
        entries.sort_by_key(|e| e.meta.id);
        let mut by_id = HashMap::with_capacity(entries.len());
        let mut by_slug: HashMap<&'static str, CheckId> = HashMap::new();
        for (i, entry) in entries.iter().enumerate() {
            let id = entry.meta.id;
            if let Some(&prev) = by_id.get(&id) {
                let prev: usize = prev;
                return Err(DuplicateCheck {
                    first: entries[prev].meta.id,
                    second: id,
                    what: "id",
                    value: id.as_str(),
                });
            }
            if let Some(prev) = by_slug.insert(entry.meta.slug, id) {
                return Err(DuplicateCheck {
                    first: prev,
                    second: id,
                    what: "slug",
                    value: entry.meta.slug,
                });
            }
            by_id.insert(id, i);
        }
        Ok(Catalog { entries, by_id })
    }

    /// All checks, sorted by id.
    pub fn entries(&self) -> &[CatalogEntry] {
        &self.entries
    }

    /// The check with this id.
    pub fn get(&self, id: CheckId) -> Option<&'static CheckMeta> {
        self.by_id.get(&id).map(|&i| self.entries[i].meta)
    }

    /// Resolves what a user typed: an id (any case), a slug, or an upstream Pod Security
    /// Standards check id such as `hostNamespaces`.
    pub fn lookup(&self, name: &str) -> Option<&'static CheckMeta> {
        let name = name.trim();
        self.entries
            .iter()
            .map(|e| e.meta)
            .find(|m| m.id.as_str().eq_ignore_ascii_case(name) || m.slug == name)
            .or_else(|| {
                self.entries.iter().map(|e| e.meta).find(|m| {
                    m.id.area() == "PSS"
                        && m.references
                            .iter()
                            .any(|r| matches!(r, Reference::Pss(p) if *p == name))
                })
            })
    }

    /// Number of checks.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the catalog is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
