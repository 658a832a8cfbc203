use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-002"),
        slug: "image-tag-missing",
        title: "Container image has neither a tag nor a digest",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[
            Nsa("Container image scanning and immutable tags"),
            Mitre("T1525"),
            Cwe(1357),
        ],
        remediation: "Name the image with a version tag, or better, a digest (`image:1.2.3@sha256:…`).",
        docs: include_str!("image_tag_missing.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    for c in ctx.workload.containers() {
        let Some(image) = c.container.image.as_deref() else {
            continue;
        };
        if image.trim().is_empty() {
            continue;
        }
        let reference = super::ImageRef::parse(image);
        if reference.digest.is_none() && reference.tag.is_none_or(str::is_empty) {
            out.emit_container(
                &c,
                c.field("image"),
                format!(
                    "container `{}` uses image `{image}` without a tag or digest, which the runtime reads as `latest`",
                    c.name()
                ),
            );
        }
    }
}
