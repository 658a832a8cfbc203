use super::{SetAt, effective, is_windows, pod_security_field};
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-021"),
        slug: "run-as-root-group",
        title: "Container runs with the root group",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Cis("5.2.7"),
            Nsa("Kubernetes Pod security: non-root containers"),
            Cwe(250),
        ],
        remediation: "Set `runAsGroup` and `fsGroup` to a non-zero GID (10000 or more), and remove 0 from `supplementalGroups`.",
        docs: include_str!("run_as_root_group.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let w = ctx.workload;
    if is_windows(&w.spec) {
        return;
    }
    for c in w.containers() {
        match effective(&c, &w.spec, |sc| sc.run_as_group, |psc| psc.run_as_group) {
            Some((0, SetAt::Container)) => out.emit_container(
                &c,
                c.field("securityContext.runAsGroup"),
                format!(
                    "container `{}` sets `securityContext.runAsGroup: 0`, the root group",
                    c.name()
                ),
            ),
            Some((0, SetAt::Pod)) => out.emit_container(
                &c,
                pod_security_field(w, "runAsGroup"),
                format!(
                    "container `{}` runs with GID 0 from the pod's `securityContext.runAsGroup`",
                    c.name()
                ),
            ),
            _ => {}
        }
    }
    let Some(psc) = w.spec.security_context.as_ref() else {
        return;
    };
    if psc.fs_group == Some(0) {
        out.emit(
            pod_security_field(w, "fsGroup"),
            "pod sets `securityContext.fsGroup: 0`, so its volumes are owned by the root group and every container joins it",
        );
    }
    for (i, gid) in psc.supplemental_groups.iter().flatten().enumerate() {
        if *gid == 0 {
            out.emit(
                pod_security_field(w, "supplementalGroups").index(i),
                "pod adds GID 0 (the root group) in `securityContext.supplementalGroups`",
            );
        }
    }
}
