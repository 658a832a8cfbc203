use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-026"),
        slug: "shared-process-namespace",
        title: "Pod shares one process namespace between its containers",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[Mitre("T1613"), Cwe(668)],
        remediation: "Remove `shareProcessNamespace: true` unless a sidecar must signal or inspect the main process; use `kubectl debug` for troubleshooting instead.",
        docs: include_str!("shared_process_namespace.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    if ctx.workload.spec.share_process_namespace == Some(true) {
        out.emit(
            ctx.workload.spec_path().key("shareProcessNamespace"),
            "pod sets `shareProcessNamespace: true`, so each container sees and can signal the others' processes",
        );
    }
}
