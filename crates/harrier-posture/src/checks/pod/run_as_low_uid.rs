use super::{SetAt, effective, is_windows, pod_security_field};
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-020"),
        slug: "run-as-low-uid",
        title: "Container does not run as a high UID",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Cis("5.2.7"),
            Pss("runAsUser"),
            Nsa("Kubernetes Pod security: non-root containers"),
            Cwe(250),
        ],
        remediation: "Set `securityContext.runAsUser` to a UID of 10000 or more (on the pod or each container), or run the pod in a user namespace with `hostUsers: false`.",
        docs: include_str!("run_as_low_uid.md"),
    },
    run: Run::Pod(run),
};

/// UIDs below this overlap with users and services of typical host systems.
const MIN_UID: i64 = 10000;

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let w = ctx.workload;
    // In a user namespace container UIDs map to unprivileged host UIDs, so they cannot
    // collide with host users whatever their value.
    if is_windows(&w.spec) || w.spec.host_users == Some(false) {
        return;
    }
    for c in w.containers() {
        match effective(&c, &w.spec, |sc| sc.run_as_user, |psc| psc.run_as_user) {
            Some((uid, _)) if uid >= MIN_UID => {}
            Some((uid, SetAt::Container)) => out.emit_container(
                &c,
                c.field("securityContext.runAsUser"),
                format!("container `{}` sets `securityContext.runAsUser: {uid}`, below {MIN_UID}", c.name()),
            ),
            Some((uid, SetAt::Pod)) => out.emit_container(
                &c,
                pod_security_field(w, "runAsUser"),
                format!(
                    "container `{}` runs as UID {uid} from the pod's `securityContext.runAsUser`, below {MIN_UID}",
                    c.name()
                ),
            ),
            None => out.emit_container(
                &c,
                c.field("securityContext.runAsUser"),
                format!(
                    "container `{}` sets no `runAsUser` (nor does the pod), so it runs as the image's user, often root or a low UID",
                    c.name()
                ),
            ),
        }
    }
}
