use super::{host_path_volumes, is_at_or_under, is_runtime_socket};
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-012"),
        slug: "sensitive-host-path-mounted",
        title: "Pod mounts a sensitive host directory",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[
            Cis("5.2.12"),
            Pss("hostPathVolumes"),
            Mitre("T1611"),
            Mitre("T1552.001"),
            Cwe(668),
        ],
        remediation: "Remove the hostPath volume; use a ConfigMap, Secret, emptyDir or PersistentVolumeClaim, or a narrower, read-only host path if a node agent truly needs one.",
        docs: include_str!("sensitive_host_path_mounted.md"),
    },
    run: Run::Pod(run),
};

/// Host directories whose contents control the node or hold its credentials, most specific
/// first so that the reason names the closest one.
pub(crate) const SENSITIVE: [(&str, &str); 16] = [
    (
        "/etc/kubernetes",
        "the node's Kubernetes credentials and static pod manifests",
    ),
    (
        "/var/lib/kubelet",
        "the kubelet's state, pod volumes and credentials",
    ),
    (
        "/var/lib/docker",
        "the Docker engine's images and container filesystems",
    ),
    (
        "/var/lib/containerd",
        "containerd's images and container filesystems",
    ),
    (
        "/var/lib/etcd",
        "etcd's data, which holds every Secret of the cluster",
    ),
    ("/var/run", "runtime sockets and daemon state"),
    ("/var/log", "the node's and other pods' logs"),
    ("/etc", "the host's configuration and credentials"),
    ("/proc", "the host's processes and kernel settings"),
    ("/sys", "the host's kernel and device settings"),
    ("/dev", "the host's devices"),
    ("/boot", "the host's kernel and boot loader"),
    ("/root", "the host root user's home"),
    ("/home", "the host users' homes"),
    ("/run", "runtime sockets and daemon state"),
    ("/", "the host's whole filesystem"),
];

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let w = ctx.workload;
    for (i, volume, path) in host_path_volumes(&w.spec) {
        // Runtime sockets are reported, at a higher severity, by container-runtime-socket-mounted.
        if is_runtime_socket(&path) {
            continue;
        }
        let Some((_, what)) = SENSITIVE.iter().find(|(dir, _)| is_at_or_under(&path, dir)) else {
            continue;
        };
        let raw = volume.host_path.as_ref().map_or("", |hp| hp.path.as_str());
        let shown = if raw == path {
            format!("`{path}`")
        } else {
            format!("`{raw}` (`{path}`)")
        };
        out.emit(
            w.spec_path().key("volumes").index(i).keys("hostPath.path"),
            format!(
                "volume `{}` mounts host path {shown}, which exposes {what}",
                volume.name
            ),
        );
    }
}
