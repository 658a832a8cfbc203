use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-003"),
        slug: "image-digest-missing",
        title: "Container image is not pinned by digest",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Nsa("Container image scanning and immutable tags"),
            Mitre("T1525"),
            Mitre("T1204.003"),
            Cwe(1357),
        ],
        remediation: "Reference the image by digest (`image:1.2.3@sha256:…`), and let a tool such as Renovate or Dependabot update the digest.",
        docs: include_str!("image_digest_missing.md"),
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
        if reference.is_pinned() {
            continue;
        }
        let message = match reference.digest {
            Some(digest) => format!(
                "container `{}` uses image `{image}`, whose digest `{digest}` is malformed, so it pins nothing",
                c.name()
            ),
            None => format!(
                "container `{}` uses image `{image}`, which is not pinned by digest",
                c.name()
            ),
        };
        out.emit_container(&c, c.field("image"), message);
    }
}
