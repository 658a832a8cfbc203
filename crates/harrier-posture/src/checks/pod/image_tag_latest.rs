use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-001"),
        slug: "image-tag-latest",
        title: "Container image uses the `latest` tag",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[
            Nsa("Container image scanning and immutable tags"),
            Mitre("T1525"),
            Cwe(1357),
        ],
        remediation: "Pin the image to a specific version tag, or better, to a digest (`image@sha256:…`).",
        docs: include_str!("image_tag_latest.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    for c in ctx.workload.containers() {
        let Some(image) = c.container.image.as_deref() else {
            continue;
        };
        let reference = super::ImageRef::parse(image);
        if reference.digest.is_none() && reference.tag == Some("latest") {
            out.emit_container(
                &c,
                c.field("image"),
                format!(
                    "container `{}` uses image `{image}` with the mutable `latest` tag",
                    c.name()
                ),
            );
        }
    }
}
