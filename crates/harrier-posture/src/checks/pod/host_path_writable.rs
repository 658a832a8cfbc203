use std::collections::HashMap;

use super::host_path_volumes;
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-014"),
        slug: "host-path-writable",
        title: "Container mounts a host path writable",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[
            Cis("5.2.12"),
            Pss("hostPathVolumes"),
            Mitre("T1611"),
            Cwe(732),
        ],
        remediation: "Set `readOnly: true` on the volumeMount, or replace the hostPath volume with one that does not reach the node.",
        docs: include_str!("host_path_writable.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let host_paths: HashMap<&str, String> = host_path_volumes(&ctx.workload.spec)
        .map(|(_, v, path)| (v.name.as_str(), path))
        .collect();
    if host_paths.is_empty() {
        return;
    }
    for c in ctx.workload.containers() {
        for (j, mount) in c.container.volume_mounts.iter().flatten().enumerate() {
            let Some(path) = host_paths.get(mount.name.as_str()) else {
                continue;
            };
            if mount.read_only == Some(true) {
                continue;
            }
            out.emit_container(
                &c,
                c.path().key("volumeMounts").index(j).key("readOnly"),
                format!(
                    "container `{}` mounts host path `{path}` (volume `{}`) at `{}` without `readOnly: true`",
                    c.name(),
                    mount.name,
                    mount.mount_path
                ),
            );
        }
    }
}
