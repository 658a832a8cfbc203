//! The object index: every loaded object, the typed pod templates, and lookups across them.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::{Error, Object, Workload};

/// All objects of a scan, with their workloads decoded once.
#[derive(Debug, Default)]
pub struct ObjectIndex {
    objects: Vec<Object>,
    workloads: Vec<Workload>,
    by_kind: HashMap<String, Vec<usize>>,
    workload_of: HashMap<usize, usize>,
}

impl ObjectIndex {
    /// Indexes `objects`, decoding pod templates in parallel. Fields of a pod template that
    /// have the wrong type are returned as errors and read as unset; a template that cannot be
    /// read at all has no workload, but its object stays in the index for the checks that read
    /// objects directly.
    pub fn build(objects: Vec<Object>) -> (ObjectIndex, Vec<Error>) {
        let decoded: Vec<Option<(Option<Workload>, Vec<Error>)>> = objects
            .par_iter()
            .enumerate()
            .map(|(i, o)| Workload::from_object(o, i))
            .collect();
        let mut errors = Vec::new();
        let mut workloads = Vec::new();
        let mut workload_of = HashMap::new();
        for (workload, problems) in decoded.into_iter().flatten() {
            errors.extend(problems);
            if let Some(w) = workload {
                workload_of.insert(w.object, workloads.len());
                workloads.push(w);
            }
        }
        let mut by_kind: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, o) in objects.iter().enumerate() {
            by_kind.entry(o.kind().to_owned()).or_default().push(i);
        }
        let index = ObjectIndex {
            objects,
            workloads,
            by_kind,
            workload_of,
        };
        (index, errors)
    }

    /// Every object, in input order.
    pub fn objects(&self) -> &[Object] {
        &self.objects
    }

    /// Every decoded pod template.
    pub fn workloads(&self) -> &[Workload] {
        &self.workloads
    }

    /// The object a workload belongs to.
    pub fn object_of(&self, workload: &Workload) -> &Object {
        &self.objects[workload.object]
    }

    /// The workload of an object, if it has a decoded pod template.
    pub fn workload_for(&self, object: usize) -> Option<&Workload> {
        self.workload_of.get(&object).map(|&w| &self.workloads[w])
    }

    /// Objects of one kind, in input order.
    pub fn of_kind<'a>(&'a self, kind: &str) -> impl Iterator<Item = &'a Object> + 'a {
        self.by_kind
            .get(kind)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|&i| &self.objects[i])
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// Whether there are no objects.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }
}
