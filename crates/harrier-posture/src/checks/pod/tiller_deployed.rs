use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-038"),
        slug: "tiller-deployed",
        title: "Helm v2 Tiller is deployed",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[Mitre("T1609"), Mitre("T1078"), Cwe(306)],
        remediation: "Migrate the releases to Helm 3 (`helm-2to3`), which needs no in-cluster component, and delete Tiller.",
        docs: include_str!("tiller_deployed.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let mut found = false;
    for c in ctx.workload.containers() {
        let Some(image) = c.container.image.as_deref() else {
            continue;
        };
        let repository = super::ImageRef::parse(image).repository;
        if repository.rsplit('/').next() == Some("tiller") {
            found = true;
            out.emit_container(
                &c,
                c.field("image"),
                format!(
                    "container `{}` runs the Helm v2 Tiller image `{image}`",
                    c.name()
                ),
            );
        }
    }
    if found {
        return;
    }
    // Tiller's own manifests label it `app: helm` and `name: tiller`; a mirrored or renamed
    // image still carries them.
    let label = |key: &str| ctx.workload.labels().get(key).map(String::as_str);
    if label("app") == Some("helm") && label("name") == Some("tiller") {
        out.emit(
            ctx.workload.metadata_path().keys("labels.name"),
            "pod template is labelled `app: helm`, `name: tiller`: this is Helm v2's Tiller",
        );
    }
}
