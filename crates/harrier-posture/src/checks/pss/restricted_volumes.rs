use harrier_k8s::k8s_openapi::api::core::v1::Volume;

use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-PSS-018"),
        slug: "restricted-volumes",
        title: "Pod uses a volume type outside the restricted set",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[
            Pss("restrictedVolumes"),
            Cis("5.2.12"),
            Nsa("Pod security: Pod Security enforcement"),
            Mitre("T1611"),
        ],
        remediation: "Use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, \
                      projected or secret volumes; reach other storage through a PersistentVolumeClaim.",
        docs: include_str!("restricted_volumes.md"),
    },
    run: Run::Pod(run),
};

/// Every volume source field Kubernetes defines, so that the keys of a volume that matches none
/// of the typed sources can be named.
const KNOWN_SOURCES: [&str; 30] = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

/// Whether the volume has one of the nine sources restricted allows. Upstream checks these
/// first, so a (API-invalid) volume with an allowed source and a forbidden one passes.
fn has_allowed_source(v: &Volume) -> bool {
    v.config_map.is_some()
        || v.csi.is_some()
        || v.downward_api.is_some()
        || v.empty_dir.is_some()
        || v.ephemeral.is_some()
        || v.image.is_some()
        || v.persistent_volume_claim.is_some()
        || v.projected.is_some()
        || v.secret.is_some()
}

/// The first forbidden source the volume has, in upstream's order.
fn forbidden_source(v: &Volume) -> Option<&'static str> {
    let sources = [
        ("hostPath", v.host_path.is_some()),
        ("gcePersistentDisk", v.gce_persistent_disk.is_some()),
        ("awsElasticBlockStore", v.aws_elastic_block_store.is_some()),
        ("gitRepo", v.git_repo.is_some()),
        ("nfs", v.nfs.is_some()),
        ("iscsi", v.iscsi.is_some()),
        ("glusterfs", v.glusterfs.is_some()),
        ("rbd", v.rbd.is_some()),
        ("flexVolume", v.flex_volume.is_some()),
        ("cinder", v.cinder.is_some()),
        ("cephfs", v.cephfs.is_some()),
        ("flocker", v.flocker.is_some()),
        ("fc", v.fc.is_some()),
        ("azureFile", v.azure_file.is_some()),
        ("vsphereVolume", v.vsphere_volume.is_some()),
        ("quobyte", v.quobyte.is_some()),
        ("azureDisk", v.azure_disk.is_some()),
        ("photonPersistentDisk", v.photon_persistent_disk.is_some()),
        ("portworxVolume", v.portworx_volume.is_some()),
        ("scaleIO", v.scale_io.is_some()),
        ("storageos", v.storageos.is_some()),
    ];
    sources
        .into_iter()
        .find(|(_, set)| *set)
        .map(|(name, _)| name)
}

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let volumes = ctx.workload.spec.volumes.as_deref().unwrap_or_default();
    let volumes_path = ctx.workload.spec_path().key("volumes");
    for (i, volume) in volumes.iter().enumerate() {
        if has_allowed_source(volume) {
            continue;
        }
        let path = volumes_path.index(i);
        if let Some(source) = forbidden_source(volume) {
            out.emit(
                path.key(source),
                format!(
                    "volume `{}` uses volume type `{source}`, outside the restricted set (PSS restricted \
                     `restrictedVolumes`)",
                    volume.name
                ),
            );
            continue;
        }
        // No source Harrier decodes: upstream reports the type as `unknown`. Name the keys the
        // manifest has, which is usually a typo or a source newer than this release.
        let others: Vec<String> = ctx
            .object
            .at(&path)
            .and_then(|node| node.as_map())
            .map(|map| {
                map.entries()
                    .iter()
                    .map(|e| e.key.as_str())
                    .filter(|k| *k != "name" && !KNOWN_SOURCES.contains(k))
                    .map(|k| format!("`{k}`"))
                    .collect()
            })
            .unwrap_or_default();
        let what = if others.is_empty() {
            "has no volume source".to_owned()
        } else {
            format!("has no known volume source (found {})", others.join(", "))
        };
        out.emit(
            path,
            format!(
                "volume `{}` {what}, so its type is unknown and outside the restricted set (PSS restricted \
                 `restrictedVolumes`)",
                volume.name
            ),
        );
    }
}
