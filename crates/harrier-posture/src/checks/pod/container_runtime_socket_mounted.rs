use super::{host_path_volumes, is_runtime_socket};
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-013"),
        slug: "container-runtime-socket-mounted",
        title: "Pod mounts the container runtime socket",
        severity: Severity::Critical,
        status: SINCE_0_1,
        references: &[
            Cis("5.2.12"),
            Pss("hostPathVolumes"),
            Mitre("T1611"),
            Mitre("T1610"),
            Cwe(668),
        ],
        remediation: "Remove the runtime socket volume. Build images with a daemonless builder (BuildKit rootless, Kaniko, Buildah) and read container metadata from the Kubernetes API instead.",
        docs: include_str!("container_runtime_socket_mounted.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let w = ctx.workload;
    for (i, volume, path) in host_path_volumes(&w.spec) {
        if !is_runtime_socket(&path) {
            continue;
        }
        let what = if path.ends_with(".sock") {
            "socket"
        } else {
            "socket directory"
        };
        out.emit(
            w.spec_path().key("volumes").index(i).keys("hostPath.path"),
            format!(
                "volume `{}` mounts `{path}`, the container runtime's {what}, which controls every container on the node",
                volume.name
            ),
        );
    }
}
