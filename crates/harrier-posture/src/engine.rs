//! Running checks over an index: in parallel, then suppressions, then workload levels.

use harrier_core::exceptions::ExceptionSet;
use harrier_core::{CheckId, Finding, SuppressedFinding};
use harrier_k8s::ObjectIndex;
use rayon::prelude::*;

use crate::checks::{self, pss};
use crate::pod_security::{self, WorkloadPosture};
use crate::{Check, Emitter, PodContext, Run, suppress};

/// What to run and what to suppress.
#[derive(Default)]
pub struct ScanOptions<'a> {
    /// Checks whose findings are reported; `None` means all active checks.
    pub selected: Option<Vec<CheckId>>,
    /// Accepted risks.
    pub exceptions: Option<&'a ExceptionSet>,
}

/// The outcome of a posture scan.
#[derive(Debug, Default)]
pub struct PostureResult {
    /// Findings that were not suppressed, ordered by input file, line and check.
    pub findings: Vec<Finding>,
    /// Findings an annotation or exception suppressed.
    pub suppressed: Vec<SuppressedFinding>,
    /// The Pod Security Standards level of every workload.
    pub workloads: Vec<WorkloadPosture>,
    /// Number of checks whose findings were reported.
    pub checks_run: usize,
    /// The ids of those checks, sorted: what was evaluated, so that a check with no finding
    /// reads as clean rather than as not run.
    pub checks_evaluated: Vec<CheckId>,
}

/// Runs the posture checks over `index`.
///
/// The Pod Security Standards checks always run, because every workload's level is computed
/// from them; their findings are reported only when selected, like any other check's.
pub fn scan(index: &ObjectIndex, options: &ScanOptions<'_>) -> PostureResult {
    let is_selected = |c: &Check| {
        c.meta.status.is_active()
            && options
                .selected
                .as_ref()
                .is_none_or(|ids| ids.contains(&c.meta.id))
    };
    let to_run: Vec<&'static Check> = checks::all()
        .filter(|c| {
            c.meta.status.is_active()
                && (is_selected(c) || pss::CHECKS.iter().any(|p| std::ptr::eq(*p, *c)))
        })
        .collect();
    let mut raw = evaluate(index, &to_run);
    raw.sort_by(|(a_obj, a), (b_obj, b)| {
        (
            a_obj,
            a.location.as_ref().map(|l| (l.line, l.column)),
            a.check_id,
            &a.container,
        )
            .cmp(&(
                b_obj,
                b.location.as_ref().map(|l| (l.line, l.column)),
                b.check_id,
                &b.container,
            ))
    });
    let workloads = pod_security::levels(index, &raw);
    let reported: Vec<(usize, Finding)> = raw
        .into_iter()
        .filter(|(_, f)| {
            to_run
                .iter()
                .any(|c| c.meta.id == f.check_id && is_selected(c))
        })
        .collect();
    let (findings, suppressed) = suppress::apply(index, reported, options.exceptions);
    PostureResult {
        findings,
        suppressed,
        workloads,
        checks_run: to_run.iter().filter(|c| is_selected(c)).count(),
        checks_evaluated: {
            let mut ids: Vec<CheckId> = to_run
                .iter()
                .filter(|c| is_selected(c))
                .map(|c| c.meta.id)
                .collect();
            ids.sort();
            ids
        },
    }
}

/// Every finding of `checks`, each with the index of its object.
fn evaluate(index: &ObjectIndex, checks: &[&'static Check]) -> Vec<(usize, Finding)> {
    let pod_checks: Vec<&Check> = checks
        .iter()
        .copied()
        .filter(|c| matches!(c.run, Run::Pod(_)))
        .collect();
    let object_checks: Vec<&Check> = checks
        .iter()
        .copied()
        .filter(|c| matches!(c.run, Run::Object { .. }))
        .collect();
    let graph_checks: Vec<&Check> = checks
        .iter()
        .copied()
        .filter(|c| matches!(c.run, Run::Graph(_)))
        .collect();

    let from_pods = index.workloads().par_iter().flat_map_iter(|workload| {
        let ctx = PodContext {
            object: index.object_of(workload),
            workload,
            index,
        };
        pod_checks
            .iter()
            .flat_map(move |check| {
                let Run::Pod(run) = check.run else {
                    return Vec::new();
                };
                let mut out = Emitter::new(&check.meta, index);
                out.set_object(workload.object);
                run(&ctx, &mut out);
                out.into_findings()
            })
            .collect::<Vec<_>>()
    });
    let from_objects = index
        .objects()
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, object)| {
            object_checks
                .iter()
                .flat_map(move |check| {
                    let Run::Object { kinds, check: run } = check.run else {
                        return Vec::new();
                    };
                    if !kinds.is_empty() && !kinds.contains(&object.kind()) {
                        return Vec::new();
                    }
                    let mut out = Emitter::new(&check.meta, index);
                    out.set_object(i);
                    run(object, index, &mut out);
                    out.into_findings()
                })
                .collect::<Vec<_>>()
        });
    let from_graph = graph_checks.par_iter().flat_map_iter(|check| {
        let Run::Graph(run) = check.run else {
            return Vec::new();
        };
        let mut out = Emitter::new(&check.meta, index);
        run(index, &mut out);
        out.into_findings()
    });
    let mut all: Vec<(usize, Finding)> = from_pods.collect();
    all.par_extend(from_objects);
    all.par_extend(from_graph);
    all
}
