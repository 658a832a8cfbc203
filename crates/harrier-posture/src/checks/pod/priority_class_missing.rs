use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-035"),
        slug: "priority-class-missing",
        title: "Pod has no priority class",
        severity: Severity::Info,
        status: SINCE_0_1,
        references: &[
            Mitre("T1499"),
            Url("https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/"),
        ],
        remediation: "Set `priorityClassName` to a PriorityClass that reflects how important the workload is.",
        docs: include_str!("priority_class_missing.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let set = ctx
        .workload
        .spec
        .priority_class_name
        .as_deref()
        .is_some_and(|n| !n.trim().is_empty());
    if !set {
        out.emit(
            ctx.workload.spec_path().key("priorityClassName"),
            "pod sets no `priorityClassName`, so it gets the cluster's default priority",
        );
    }
}
