use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-004"),
        slug: "image-pull-policy-not-always",
        title: "Image pull policy lets a node reuse a cached image for a mutable tag",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Nsa("Container image scanning and immutable tags"),
            Mitre("T1525"),
            Cwe(1357),
        ],
        remediation: "Set `imagePullPolicy: Always`, or pin the image by digest, which makes the pull policy irrelevant.",
        docs: include_str!("image_pull_policy_not_always.md"),
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
        match c.container.image_pull_policy.as_deref() {
            Some("Always") => {}
            Some(policy) => out.emit_container(
                &c,
                c.field("imagePullPolicy"),
                format!(
                    "container `{}` sets `imagePullPolicy: {policy}` for image `{image}`, which is not pinned by digest",
                    c.name()
                ),
            ),
            None => {
                // Kubernetes defaults the policy to Always for `latest` and untagged images.
                let defaults_to_always = matches!(reference.tag, None | Some("" | "latest"));
                if !defaults_to_always {
                    out.emit_container(
                        &c,
                        c.field("imagePullPolicy"),
                        format!(
                            "container `{}` leaves `imagePullPolicy` unset for tagged image `{image}`, so it defaults to `IfNotPresent`",
                            c.name()
                        ),
                    );
                }
            }
        }
    }
}
