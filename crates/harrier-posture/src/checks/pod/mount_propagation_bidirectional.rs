use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-027"),
        slug: "mount-propagation-bidirectional",
        title: "Container propagates its mounts back to the host",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[Mitre("T1611"), Cwe(668)],
        remediation: "Use `mountPropagation: HostToContainer` (or leave it unset) unless the container is a storage driver that must publish mounts to the node.",
        docs: include_str!("mount_propagation_bidirectional.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    for c in ctx.workload.containers() {
        for (j, mount) in c.container.volume_mounts.iter().flatten().enumerate() {
            if mount.mount_propagation.as_deref() == Some("Bidirectional") {
                out.emit_container(
                    &c,
                    c.path().key("volumeMounts").index(j).key("mountPropagation"),
                    format!(
                        "container `{}` mounts volume `{}` at `{}` with `mountPropagation: Bidirectional`",
                        c.name(),
                        mount.name,
                        mount.mount_path
                    ),
                );
            }
        }
    }
}
