use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-028"),
        slug: "bare-pod",
        title: "Pod is not managed by a controller",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Cwe(1188),
            Url("https://kubernetes.io/docs/concepts/configuration/overview/"),
        ],
        remediation: "Run the pod from a Deployment, StatefulSet, DaemonSet or Job, which recreate it when it or its node fails.",
        docs: include_str!("bare_pod.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    if !ctx.is_pod() {
        return;
    }
    let owned = ctx
        .workload
        .metadata
        .owner_references
        .as_ref()
        .is_some_and(|o| !o.is_empty());
    // A mirror pod is the API server's copy of a static pod, which the kubelet manages.
    let mirror = ctx
        .workload
        .annotation("kubernetes.io/config.mirror")
        .is_some();
    if !owned && !mirror {
        out.emit(
            FieldPath::root().key("kind"),
            format!(
                "Pod `{}` has no `metadata.ownerReferences`: nothing recreates it if it is deleted or its node fails",
                ctx.object.resource.name.as_deref().unwrap_or("<unnamed>")
            ),
        );
    }
}
