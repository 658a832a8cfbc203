//! Reading manifests: paths to files, files to documents, documents to objects.
//!
//! Files are read and parsed in parallel (rayon), then merged in input order so output is
//! deterministic. A directory is walked recursively for `*.yaml`, `*.yml` and `*.json`, skipping
//! hidden entries as ripgrep does (`.git`, `.github` workflows are not manifests); a file named
//! explicitly is read whatever its extension.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use harrier_core::yaml::{self, Document, Node, Schema, Value};
use harrier_core::{Location, Pos};
use rayon::prelude::*;

use crate::{Error, Object};

/// Limits and switches for loading.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Files larger than this are reported as errors instead of read.
    pub max_file_size: u64,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_file_size: 128 * 1024 * 1024,
        }
    }
}

/// Something worth telling the user that is not an error: a skipped file or document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The file.
    pub path: Arc<str>,
    /// The line, when the note is about one document.
    pub line: Option<u32>,
    /// What happened.
    pub message: String,
}

/// Everything read from a set of paths.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Objects, in input order.
    pub objects: Vec<Object>,
    /// Files and documents that could not be read, and warnings about ones that were read
    /// anyway ([`Error::is_warning`]).
    pub errors: Vec<Error>,
    /// Files and documents skipped because they are not Kubernetes objects.
    pub notes: Vec<Note>,
    /// Number of files read.
    pub files: usize,
    /// Bytes read.
    pub bytes: u64,
}

impl Loaded {
    fn absorb(&mut self, other: Loaded) {
        self.objects.extend(other.objects);
        self.errors.extend(other.errors);
        self.notes.extend(other.notes);
        self.files += other.files;
        self.bytes += other.bytes;
    }
}

enum Input {
    Stdin,
    File(PathBuf),
}

/// Loads every object under `paths` (files, directories, or `-` for standard input).
pub fn load(paths: &[PathBuf], options: &LoadOptions) -> Loaded {
    let mut loaded = Loaded::default();
    let mut inputs = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => collect_dir(path, &mut inputs, &mut loaded),
            Ok(_) => inputs.push(Input::File(path.clone())),
            Err(e) => loaded.errors.push(Error::Io {
                path: display_path(path),
                message: e.to_string(),
            }),
        }
    }
    let results: Vec<Loaded> = inputs
        .par_iter()
        .map(|input| match input {
            Input::Stdin => read_stdin(options),
            Input::File(path) => read_file(path, options),
        })
        .collect();
    for r in results {
        loaded.absorb(r);
    }
    loaded
}

fn collect_dir(dir: &Path, inputs: &mut Vec<Input>, loaded: &mut Loaded) {
    let walker = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() && is_manifest_name(e.path()) => {
                inputs.push(Input::File(e.into_path()));
            }
            Ok(_) => {}
            Err(e) => loaded.errors.push(Error::Io {
                path: e.path().map_or_else(|| display_path(dir), display_path),
                message: e.to_string(),
            }),
        }
    }
}

fn is_manifest_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "yaml" | "yml" | "json"))
}

fn display_path(path: &Path) -> Arc<str> {
    Arc::from(path.to_string_lossy().as_ref())
}

fn read_file(path: &Path, options: &LoadOptions) -> Loaded {
    let shown = display_path(path);
    let fail = |error| Loaded {
        errors: vec![error],
        files: 1,
        ..Loaded::default()
    };
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            return fail(Error::Io {
                path: shown,
                message: e.to_string(),
            });
        }
    };
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > options.max_file_size {
        return fail(Error::TooLarge {
            path: shown,
            size,
            limit: options.max_file_size,
        });
    }
    read_bounded(file, shown, options)
}

fn read_stdin(options: &LoadOptions) -> Loaded {
    read_bounded(std::io::stdin().lock(), Arc::from("<stdin>"), options)
}

/// Reads at most the size limit (a file may grow, and stdin has no size), then parses.
fn read_bounded(reader: impl Read, path: Arc<str>, options: &LoadOptions) -> Loaded {
    let mut bytes = Vec::new();
    let limit = options.max_file_size;
    if let Err(e) = reader.take(limit.saturating_add(1)).read_to_end(&mut bytes) {
        return Loaded {
            errors: vec![Error::Io {
                path,
                message: e.to_string(),
            }],
            files: 1,
            ..Loaded::default()
        };
    }
    let size = bytes.len() as u64;
    if size > limit {
        return Loaded {
            errors: vec![Error::TooLarge { path, size, limit }],
            files: 1,
            ..Loaded::default()
        };
    }
    let mut loaded = match String::from_utf8(bytes) {
        Ok(text) => load_text(path, &text),
        Err(e) => Loaded {
            errors: vec![Error::NotUtf8 {
                path,
                offset: e.utf8_error().valid_up_to(),
            }],
            ..Loaded::default()
        },
    };
    loaded.files = 1;
    loaded.bytes = size;
    loaded
}

/// Loads the objects of one file's text.
pub fn load_text(path: Arc<str>, text: &str) -> Loaded {
    let mut out = Loaded::default();
    if text.contains('\0') {
        out.notes.push(Note {
            path,
            line: None,
            message: "skipped: binary file".to_owned(),
        });
        return out;
    }
    let stream = yaml::parse_stream(text, Schema::Kubernetes);
    let at = |pos: Pos| Location::new(path.clone(), pos);
    for warning in &stream.warnings {
        out.errors.push(match &warning.kind {
            yaml::WarningKind::DuplicateKey(key) => Error::DuplicateKey {
                location: at(warning.pos),
                key: key.clone(),
            },
        });
    }
    if let Some(problem) = &stream.error {
        let mut message = problem.message.clone();
        if text.contains("{{") {
            message.push_str(" (the file contains `{{ }}` template expressions: render it first, e.g. with `helm template`)");
        }
        out.errors.push(Error::Syntax {
            location: at(problem.pos),
            message,
        });
    }
    let sources = helm_sources(text);
    let mut non_objects = Vec::new();
    let mut previous_line = 0;
    let mut file_objects = Vec::new();
    for doc in stream.documents {
        let start = doc.root.pos.line;
        let template = sources
            .iter()
            .rev()
            .find(|(line, _)| *line < start && *line > previous_line)
            .map(|(_, s)| s.clone());
        previous_line = start;
        if let Some((pos, expression)) = helm_expression(&doc.root) {
            out.errors.push(Error::UnrenderedTemplate {
                location: at(pos),
                expression,
            });
            continue;
        }
        collect_objects(
            doc,
            &path,
            template,
            &mut file_objects,
            &mut out.errors,
            &mut non_objects,
        );
    }
    if file_objects.is_empty() && out.errors.iter().all(Error::is_warning) {
        if !non_objects.is_empty() || text.trim().is_empty() {
            out.notes.push(Note {
                path: path.clone(),
                line: None,
                message:
                    "skipped: not Kubernetes YAML (no document has both `apiVersion` and `kind`)"
                        .to_owned(),
            });
        }
    } else {
        for line in non_objects {
            out.notes.push(Note {
                path: path.clone(),
                line: Some(line),
                message: "skipped document: not a Kubernetes object (no `apiVersion` and `kind`)"
                    .to_owned(),
            });
        }
    }
    out.objects = file_objects;
    out
}

/// Turns one document into objects: a single object, the items of a `List`, or a sequence of
/// objects. Documents that are not objects are returned by line in `non_objects`.
fn collect_objects(
    doc: Document,
    path: &Arc<str>,
    template: Option<String>,
    objects: &mut Vec<Object>,
    errors: &mut Vec<Error>,
    non_objects: &mut Vec<u32>,
) {
    let root = doc.root;
    match &root.value {
        Value::Null => {}
        Value::Map(_) => match object_shape(&root) {
            Shape::Object if is_list(&root) => {
                collect_list_items(root, path, template, objects, errors);
            }
            Shape::Object => objects.push(Object::from_node(root, path.clone(), template)),
            Shape::Broken(pos, message) => errors.push(Error::Invalid {
                location: Location::new(path.clone(), pos),
                message,
            }),
            Shape::NotObject => non_objects.push(root.pos.line),
        },
        Value::Seq(_) => {
            let Value::Seq(items) = root.value else {
                return;
            };
            let mut any = false;
            for item in items {
                match object_shape(&item) {
                    Shape::Object => {
                        any = true;
                        objects.push(Object::from_node(item, path.clone(), template.clone()));
                    }
                    Shape::Broken(pos, message) => errors.push(Error::Invalid {
                        location: Location::new(path.clone(), pos),
                        message,
                    }),
                    Shape::NotObject => {}
                }
            }
            if !any {
                non_objects.push(doc.start.line);
            }
        }
        _ => non_objects.push(root.pos.line),
    }
}

fn collect_list_items(
    root: Node,
    path: &Arc<str>,
    template: Option<String>,
    objects: &mut Vec<Object>,
    errors: &mut Vec<Error>,
) {
    let Value::Map(map) = root.value else { return };
    let Some(items) = map.entries().iter().find(|e| e.key == "items") else {
        return;
    };
    let Value::Seq(items) = &items.value.value else {
        errors.push(Error::Invalid {
            location: Location::new(path.clone(), items.value.pos),
            message: format!(
                "`items` of a List must be a sequence, found {}",
                yaml::de::kind_name(&items.value.value)
            ),
        });
        return;
    };
    for (i, item) in items.iter().enumerate() {
        if item.is_null() {
            continue;
        }
        match object_shape(item) {
            Shape::Object => objects.push(Object::from_node(
                item.clone(),
                path.clone(),
                template.clone(),
            )),
            Shape::Broken(pos, message) => errors.push(Error::Invalid {
                location: Location::new(path.clone(), pos),
                message: format!("List item {i}: {message}"),
            }),
            Shape::NotObject => errors.push(Error::Invalid {
                location: Location::new(path.clone(), item.pos),
                message: format!(
                    "List item {i} is not a Kubernetes object (no `apiVersion` and `kind`)"
                ),
            }),
        }
    }
}

enum Shape {
    Object,
    NotObject,
    Broken(Pos, String),
}

/// Whether a node is a Kubernetes object: a mapping with string `apiVersion` and `kind`. A
/// mapping with `kind` and `metadata` but no usable `apiVersion` is a broken object, not
/// something else, and is reported.
fn object_shape(node: &Node) -> Shape {
    let Some(map) = node.as_map() else {
        return Shape::NotObject;
    };
    let api = map.entry("apiVersion");
    let kind = map.entry("kind");
    match (api, kind) {
        (Some(a), Some(k)) => match (&a.value.value, &k.value.value) {
            (Value::String(a), Value::String(k)) if !a.is_empty() && !k.is_empty() => Shape::Object,
            (Value::String(_), _) => {
                Shape::Broken(k.key_pos, "`kind` must be a non-empty string".to_owned())
            }
            _ => Shape::Broken(
                a.key_pos,
                "`apiVersion` must be a non-empty string".to_owned(),
            ),
        },
        (None, Some(k)) if map.get("metadata").is_some() => Shape::Broken(
            k.key_pos,
            "object has `kind` and `metadata` but no `apiVersion`".to_owned(),
        ),
        (Some(a), None) if map.get("metadata").is_some() => Shape::Broken(
            a.key_pos,
            "object has `apiVersion` and `metadata` but no `kind`".to_owned(),
        ),
        _ => Shape::NotObject,
    }
}

/// `List` and the typed lists `kubectl get -o yaml` prints (`PodList`, `DeploymentList`…).
fn is_list(node: &Node) -> bool {
    node.get("kind")
        .and_then(Node::as_str)
        .is_some_and(|k| k.ends_with("List"))
        && node.get("items").is_some()
}

/// `# Source: chart/templates/x.yaml` comments of `helm template` output, by line.
fn helm_sources(text: &str) -> Vec<(u32, String)> {
    if !text.contains("# Source: ") {
        return Vec::new();
    }
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let source = line.trim_start().strip_prefix("# Source: ")?;
            Some((
                u32::try_from(i + 1).unwrap_or(u32::MAX),
                source.trim().to_owned(),
            ))
        })
        .collect()
}

/// Helm's built-in objects and functions: text with these between `{{ }}` is a chart template,
/// unlike the `{{ $labels.x }}` of Prometheus rules or Argo's `{{inputs.parameters.x}}`, which
/// are legitimate string content of real objects.
const HELM_MARKERS: [&str; 10] = [
    ".Values",
    ".Release",
    ".Chart",
    ".Capabilities",
    ".Files",
    ".Template",
    "include ",
    "template ",
    "toYaml",
    "tpl ",
];

fn helm_expression(node: &Node) -> Option<(Pos, String)> {
    match &node.value {
        Value::String(s) => template_in(s).map(|e| (node.pos, e)),
        Value::Seq(items) => items.iter().find_map(helm_expression),
        Value::Map(m) => m.entries().iter().find_map(|e| {
            template_in(&e.key)
                .map(|x| (e.key_pos, x))
                .or_else(|| helm_expression(&e.value))
        }),
        _ => None,
    }
}

fn template_in(text: &str) -> Option<String> {
    let open = text.find("{{")?;
    let rest = &text[open..];
    let close = rest.find("}}").map_or(rest.len(), |c| c + 2);
    let expression = &rest[..close];
    let inner = expression
        .trim_start_matches('{')
        .trim_start_matches('-')
        .trim_start();
    HELM_MARKERS
        .iter()
        .any(|m| {
            inner.starts_with(m.trim_start_matches('.'))
                || inner.starts_with(m)
                || inner.contains(&format!(" {}", m.trim()))
        })
        .then(|| expression.chars().take(80).collect())
}

#[cfg(test)]
mod tests;
