use harrier_core::{CheckMeta, InputKind};
use harrier_k8s::{Object, ObjectIndex, Workload};

use crate::Emitter;

/// One posture check: its metadata and how it is evaluated.
pub struct Check {
    /// Id, title, severity, references and docs.
    pub meta: CheckMeta,
    /// The evaluation.
    pub run: Run,
}

/// How a check is evaluated, which is also what it reads.
pub enum Run {
    /// Once per pod template (Pod, Deployment, CronJob, DeploymentConfig…).
    Pod(fn(&PodContext<'_>, &mut Emitter<'_>)),
    /// Once per object of the given kinds (all kinds when empty).
    Object {
        /// Kinds the check applies to.
        kinds: &'static [&'static str],
        /// The evaluation.
        check: fn(&Object, &ObjectIndex, &mut Emitter<'_>),
    },
    /// Once, with every object: for checks that relate objects to each other.
    Graph(fn(&ObjectIndex, &mut Emitter<'_>)),
}

impl Check {
    /// What the check reads.
    pub fn inputs(&self) -> InputKind {
        match self.run {
            Run::Pod(_) => InputKind::PodSpec,
            Run::Object { .. } => InputKind::Object,
            Run::Graph(_) => InputKind::ObjectGraph,
        }
    }
}

/// What a pod check sees: the pod template, the object carrying it, and every other object.
#[derive(Clone, Copy)]
pub struct PodContext<'a> {
    /// The object carrying the pod template.
    pub object: &'a Object,
    /// The typed pod template.
    pub workload: &'a Workload,
    /// Every object of the scan, for checks that consult related objects.
    pub index: &'a ObjectIndex,
}

impl PodContext<'_> {
    /// Whether the object is a Job or CronJob, whose pods run to completion (no probes, no
    /// rolling updates).
    pub fn is_batch(&self) -> bool {
        matches!(self.object.kind(), "Job" | "CronJob")
    }

    /// Whether the object is a bare Pod rather than a controller's template.
    pub fn is_pod(&self) -> bool {
        self.object.kind() == "Pod"
    }
}
