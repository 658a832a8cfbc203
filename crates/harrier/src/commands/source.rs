//! Where the Kubernetes objects of an analysis come from: manifest files, or a live cluster
//! through its API server. One loader for every command that analyses objects, so `-f PATH`
//! and `--cluster` mean the same everywhere and report problems the same way.

#[cfg(feature = "cluster")]
use harrier_k8s::cluster::{ClusterOptions, read_cluster};
use harrier_k8s::facts::ClusterFacts;
use harrier_k8s::{Error as LoadError, LoadOptions, Loaded, ObjectIndex, load};

use crate::cli::{ClusterScanArgs, ObjectSourceArgs};
use crate::exit::ExitStatus;
use crate::printer::Printer;

/// Reads the objects, prints load errors, warnings, notes and skipped resources on stderr, and
/// indexes them. The status is 2 when an input could not be read (a file, or the cluster), as
/// for `scan manifests`; resources the credentials may not list are warnings, not errors.
pub fn read_objects(source: &ObjectSourceArgs, printer: &Printer) -> (ObjectIndex, ExitStatus) {
    let loaded = if source.cluster {
        match read_live_source(source, printer) {
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
    let (index, problems) = ObjectIndex::build(loaded.objects);
    let (errors, _) = print_problems(
        loaded.errors.into_iter().chain(problems),
        &loaded.notes,
        printer,
    );
    let status = if errors.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Error
    };
    (index, status)
}

/// Prints problems (errors, then warnings) and notes; returns the errors, which make the run
/// fail, and the warnings.
pub fn print_problems(
    problems: impl Iterator<Item = LoadError>,
    notes: &[harrier_k8s::load::Note],
    printer: &Printer,
) -> (Vec<LoadError>, Vec<LoadError>) {
    let (warnings, errors): (Vec<LoadError>, Vec<LoadError>) =
        problems.partition(LoadError::is_warning);
    for e in &errors {
        printer.error(&e.to_string());
    }
    for w in &warnings {
        printer.warning(&w.to_string());
    }
    for n in notes {
        match n.line {
            Some(line) => printer.note(&format!("{}:{line}: {}", n.path, n.message)),
            None => printer.note(&format!("{}: {}", n.path, n.message)),
        }
    }
    (errors, warnings)
}

#[cfg(feature = "cluster")]
fn read_live_source(source: &ObjectSourceArgs, printer: &Printer) -> Option<Loaded> {
    let (loaded, _) = read_live(
        &ClusterOptions {
            kubeconfig: source.kubeconfig.clone(),
            context: source.context.clone(),
            namespace: source.cluster_namespace.clone(),
            label_selector: source.selector.clone(),
            ..ClusterOptions::default()
        },
        printer,
    )?;
    Some(loaded)
}

/// The objects of `scan cluster`, with those a read controller runs dropped (see
/// `harrier_k8s::cluster::without_controlled`), and the cluster's facts; `None` after printing
/// why nothing could be read.
#[cfg(feature = "cluster")]
pub fn read_cluster_for_scan(
    args: &ClusterScanArgs,
    printer: &Printer,
) -> Option<(Loaded, ClusterFacts)> {
    let (mut loaded, facts) = read_live(
        &ClusterOptions {
            kubeconfig: args.kubeconfig.clone(),
            context: args.context.clone(),
            namespace: args.namespace.clone(),
            label_selector: args.selector.clone(),
            page_size: args.page_size,
            requests_per_second: args.qps,
            ..ClusterOptions::default()
        },
        printer,
    )?;
    let (kept, dropped) =
        harrier_k8s::cluster::without_controlled(std::mem::take(&mut loaded.objects));
    if dropped > 0 {
        printer.note(&format!(
            "{dropped} pods, replica sets and jobs are reported through the controller that runs them"
        ));
    }
    loaded.objects = kept;
    Some((loaded, facts))
}

/// Reads the cluster; resources it could not list become warnings among the load problems.
#[cfg(feature = "cluster")]
fn read_live(options: &ClusterOptions, printer: &Printer) -> Option<(Loaded, ClusterFacts)> {
    match read_cluster(options) {
        Ok(snapshot) => {
            printer.note(&format!(
                "read {} objects from {} ({}) in {} requests",
                snapshot.loaded.objects.len(),
                snapshot.context,
                snapshot.server,
                snapshot.requests
            ));
            let mut loaded = snapshot.loaded;
            loaded.errors.extend(
                snapshot
                    .skipped
                    .iter()
                    .map(|s| s.to_warning(&snapshot.context)),
            );
            Some((loaded, snapshot.facts))
        }
        Err(e) => {
            printer.error(&e.to_string());
            None
        }
    }
}

#[cfg(not(feature = "cluster"))]
const NO_CLUSTER: &str =
    "this harrier was built without the `cluster` feature; live clusters cannot be read";

#[cfg(not(feature = "cluster"))]
fn read_live_source(_: &ObjectSourceArgs, printer: &Printer) -> Option<Loaded> {
    printer.error(NO_CLUSTER);
    None
}

#[cfg(not(feature = "cluster"))]
pub fn read_cluster_for_scan(
    _: &ClusterScanArgs,
    printer: &Printer,
) -> Option<(Loaded, ClusterFacts)> {
    printer.error(NO_CLUSTER);
    None
}
