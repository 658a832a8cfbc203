use harrier_k8s::k8s_openapi::api::core::v1::PodAffinityTerm;

use super::{namespace_of, replicas};
use crate::checks::prelude::*;
use crate::selector;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-032"),
        slug: "anti-affinity-missing",
        title: "Replicas may all be scheduled onto one node",
        severity: Severity::Info,
        status: SINCE_0_1,
        references: &[
            Mitre("T1499"),
            Url(
                "https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/",
            ),
        ],
        remediation: "Add a `topologySpreadConstraints` entry (or a `podAntiAffinity` term) whose label selector matches the pod template's labels, keyed on `kubernetes.io/hostname` or a zone.",
        docs: include_str!("anti_affinity_missing.md"),
    },
    run: Run::Pod(run),
};

/// Controllers that keep a number of interchangeable replicas running.
const REPLICATED: [&str; 6] = [
    "Deployment",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
    "DeploymentConfig",
    "Rollout",
];

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    if !REPLICATED.contains(&ctx.object.kind()) {
        return;
    }
    let Some(count) = replicas(ctx.object).filter(|n| *n > 1) else {
        return;
    };
    let spec = &ctx.workload.spec;
    let labels = ctx.workload.labels();
    let namespace = namespace_of(ctx.object);
    let selects_own_pods = |term: &PodAffinityTerm| {
        let Some(selector) = term.label_selector.as_ref() else {
            return false;
        };
        // `namespaces` restricts the term; a `namespaceSelector` (whose labels a manifest scan
        // cannot evaluate) is given the benefit of the doubt.
        let namespace_ok = term.namespace_selector.is_some()
            || term
                .namespaces
                .as_ref()
                .is_none_or(|list| list.is_empty() || list.iter().any(|n| n == namespace));
        namespace_ok && selector::first_unmet(selector, labels).is_none()
    };
    let anti = spec
        .affinity
        .as_ref()
        .and_then(|a| a.pod_anti_affinity.as_ref());
    let has_anti_affinity = anti.is_some_and(|anti| {
        anti.required_during_scheduling_ignored_during_execution
            .iter()
            .flatten()
            .any(selects_own_pods)
            || anti
                .preferred_during_scheduling_ignored_during_execution
                .iter()
                .flatten()
                .any(|w| selects_own_pods(&w.pod_affinity_term))
    });
    let has_spread = spec.topology_spread_constraints.iter().flatten().any(|c| {
        c.label_selector
            .as_ref()
            .is_some_and(|s| selector::first_unmet(s, labels).is_none())
    });
    if has_anti_affinity || has_spread {
        return;
    }
    let path = if anti.is_some() {
        ctx.workload.spec_path().keys("affinity.podAntiAffinity")
    } else {
        ctx.workload.spec_path().key("topologySpreadConstraints")
    };
    out.emit(
        path,
        format!(
            "{} runs {count} replicas but has no pod anti-affinity or topology spread constraint selecting its own pods, so they may share one node",
            ctx.object.kind()
        ),
    );
}
