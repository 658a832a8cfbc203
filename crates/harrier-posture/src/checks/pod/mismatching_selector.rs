use std::collections::BTreeMap;

use harrier_core::path::Segment;
use harrier_core::yaml::de::from_node;
use harrier_k8s::k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::checks::prelude::*;
use crate::selector::{self, Unmet};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-031"),
        slug: "mismatching-selector",
        title: "Controller selector does not match its pod template's labels",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[
            Cwe(1068),
            Url("https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#selector"),
        ],
        remediation: "Make `spec.selector` select the labels of `spec.template.metadata.labels` (usually by copying them).",
        docs: include_str!("mismatching_selector.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    if ctx.is_pod() {
        return;
    }
    // The selector sits next to the template: `spec.selector` beside `spec.template`, or
    // `spec.jobTemplate.spec.selector` in a CronJob.
    let segments = ctx.workload.template_path.segments();
    let Some((Segment::Key(last), parent)) = segments.split_last() else {
        return;
    };
    if last != "template" {
        return;
    }
    let selector_path = parent
        .iter()
        .fold(FieldPath::root(), |path, seg| match seg {
            Segment::Key(k) => path.key(k.clone()),
            Segment::Index(i) => path.index(*i),
        })
        .key("selector");
    let Some(node) = ctx.object.at(&selector_path) else {
        return;
    };
    // ReplicationController and DeploymentConfig selectors are plain label maps.
    let plain_map = matches!(
        ctx.object.kind(),
        "ReplicationController" | "DeploymentConfig"
    );
    let selector = if plain_map {
        let Ok(labels) = from_node::<BTreeMap<String, String>>(node) else {
            return;
        };
        LabelSelector {
            match_labels: Some(labels),
            match_expressions: None,
        }
    } else {
        let Ok(selector) = from_node::<LabelSelector>(node) else {
            return;
        };
        selector
    };
    if selector::is_empty(&selector) {
        return;
    }
    let labels = ctx.workload.labels();
    let Some((unmet, why)) = selector::first_unmet(&selector, labels) else {
        return;
    };
    let path = match unmet {
        Unmet::Label(key) if plain_map => selector_path.key(key),
        Unmet::Label(key) => selector_path.key("matchLabels").key(key),
        Unmet::Expression(i) => selector_path.key("matchExpressions").index(i),
    };
    out.emit(
        path,
        format!(
            "{} selector requires {why}, so it does not select the pods of its own template",
            ctx.object.kind()
        ),
    );
}
