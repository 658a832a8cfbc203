//! `harrier paths`: load manifests, resolve RBAC and exposure, build the attack graph with
//! `harrier_graph`, search it, print the paths with `harrier_report::paths`.

use std::time::Duration;

use anyhow::Context;
use harrier_graph::{BuildOptions, DEFAULT_SOURCES, DEFAULT_TARGETS, Limits, build, find_paths};
use harrier_posture::rbac::{Rbac, RbacOptions};
use harrier_report::paths::{paths_dot, paths_json, paths_table, truncation_notes};

use crate::cli::{PathsArgs, PathsFormat};
use crate::exit::ExitStatus;
use crate::printer::Printer;

pub fn run(args: PathsArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let (index, status) = super::source::read_objects(&args.objects, printer);
    let rbac = Rbac::from_index(
        &index,
        &RbacOptions {
            default_namespace: args.default_namespace.clone(),
        },
    );
    let (exposure, exposure_problems) = super::exposure_of(&index);
    let problems: Vec<String> = rbac
        .problems()
        .iter()
        .chain(&exposure_problems)
        .map(ToString::to_string)
        .collect();
    for problem in &problems {
        printer.warning(problem);
    }
    let graph = build(
        &index,
        &rbac,
        &exposure,
        &BuildOptions {
            default_namespace: args.default_namespace.clone(),
        },
    );
    let sources = if args.from.is_empty() {
        DEFAULT_SOURCES.to_vec()
    } else {
        args.from.clone()
    };
    let targets = if args.to.is_empty() {
        DEFAULT_TARGETS.to_vec()
    } else {
        args.to.clone()
    };
    let limits = Limits {
        max_depth: args.max_depth,
        max_paths: args.max_paths,
        max_visits: args.max_visits,
        timeout: Duration::from_secs(args.timeout),
    };
    let result =
        find_paths(&graph, &sources, &targets, &limits).context("cannot search attack paths")?;
    for note in truncation_notes(&result.truncated) {
        printer.warning(&format!("attack paths truncated: {note}"));
    }
    super::write_output(args.output.as_deref(), |out| match args.format {
        PathsFormat::Table => paths_table(out, &result),
        PathsFormat::Json => paths_json(out, &result, &problems),
        PathsFormat::Dot => paths_dot(out, &graph, &result, args.dot_all),
    })?;
    Ok(status)
}
