//! Where the Kubernetes objects of an analysis come from: manifest files, or a live cluster
//! through its API server. One loader for every command that analyses objects, so `-f PATH`
//! and `--cluster` mean the same everywhere and report problems the same way.

#[cfg(feature = "cluster")]
use harrier_k8s::cluster::{ClusterOptions, read_cluster};
use harrier_k8s::{Error as LoadError, LoadOptions, Loaded, ObjectIndex, load};

use crate::cli::ObjectSourceArgs;
use crate::exit::ExitStatus;
use crate::printer::Printer;

/// Reads the objects, prints load errors, warnings, notes and skipped resources on stderr, and
/// indexes them. The status is 2 when an input could not be read (a file, or the cluster), as
/// for `scan manifests`; resources the credentials may not list are warnings, not errors.
pub fn read_objects(source: &ObjectSourceArgs, printer: &Printer) -> (ObjectIndex, ExitStatus) {
    let loaded = if source.cluster {
        match read_live(source, printer) {
            Some(loaded) => loaded,
            None => {
                let (index, _) = ObjectIndex::build(Vec::new());
                return (index, ExitStatus::Error);
            }
        }
    } else {
        load(
            &source.paths,
            &LoadOptions {
                max_file_size: source.max_file_size,
            },
        )
    };
    index_loaded(loaded, printer)
}

/// The cluster's objects, or `None` after printing why they could not be read.
#[cfg(feature = "cluster")]
fn read_live(source: &ObjectSourceArgs, printer: &Printer) -> Option<Loaded> {
    match read_cluster(&cluster_options(source)) {
        Ok(snapshot) => {
            printer.note(&format!(
                "read {} objects from {} ({}) in {} requests",
                snapshot.loaded.objects.len(),
                snapshot.context,
                snapshot.server,
                snapshot.requests
            ));
            for skipped in &snapshot.skipped {
                let place = skipped
                    .namespace
                    .as_deref()
                    .map_or_else(String::new, |ns| format!(" in namespace {ns}"));
                let needed = skipped
                    .needed_rule
                    .as_deref()
                    .map_or_else(String::new, |rule| format!("; reading it needs {rule}"));
                printer.warning(&format!(
                    "{} not read{place}: {}{needed}",
                    skipped.resource, skipped.reason
                ));
            }
            Some(snapshot.loaded)
        }
        Err(e) => {
            printer.error(&e.to_string());
            None
        }
    }
}

#[cfg(not(feature = "cluster"))]
fn read_live(_: &ObjectSourceArgs, printer: &Printer) -> Option<Loaded> {
    printer
        .error("this harrier was built without the `cluster` feature; --cluster is not available");
    None
}

#[cfg(feature = "cluster")]
fn cluster_options(source: &ObjectSourceArgs) -> ClusterOptions {
    ClusterOptions {
        kubeconfig: source.kubeconfig.clone(),
        context: source.context.clone(),
        namespace: source.cluster_namespace.clone(),
        label_selector: source.selector.clone(),
        ..ClusterOptions::default()
    }
}

fn index_loaded(loaded: Loaded, printer: &Printer) -> (ObjectIndex, ExitStatus) {
    let (index, index_problems) = ObjectIndex::build(loaded.objects);
    let (warnings, errors): (Vec<LoadError>, Vec<LoadError>) = loaded
        .errors
        .into_iter()
        .chain(index_problems)
        .partition(LoadError::is_warning);
    for e in &errors {
        printer.error(&e.to_string());
    }
    for w in &warnings {
        printer.warning(&w.to_string());
    }
    for n in &loaded.notes {
        match n.line {
            Some(line) => printer.note(&format!("{}:{line}: {}", n.path, n.message)),
            None => printer.note(&format!("{}: {}", n.path, n.message)),
        }
    }
    let status = if errors.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Error
    };
    (index, status)
}
