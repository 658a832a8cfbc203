use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-PSS-003"),
        slug: "host-path-volumes",
        title: "Pod mounts a hostPath volume",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[
            Pss("hostPathVolumes"),
            Cis("5.2.12"),
            Nsa("Pod security: Pod Security enforcement"),
            Mitre("T1611"),
        ],
        remediation: "Replace the `hostPath` volume with a volume that does not expose the node's file \
                      system: `emptyDir`, a ConfigMap or Secret, a projected volume, or a PersistentVolumeClaim.",
        docs: include_str!("host_path_volumes.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let volumes = ctx.workload.spec.volumes.as_deref().unwrap_or_default();
    for (i, volume) in volumes.iter().enumerate() {
        let Some(host_path) = &volume.host_path else {
            continue;
        };
        out.emit(
            ctx.workload.spec_path().key("volumes").index(i).key("hostPath"),
            format!(
                "volume `{}` is a `hostPath` volume of `{}` on the node (PSS baseline `hostPathVolumes`)",
                volume.name,
                super::shown(&host_path.path)
            ),
        );
    }
}
