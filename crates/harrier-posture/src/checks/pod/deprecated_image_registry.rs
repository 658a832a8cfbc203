use super::ImageRef;
use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-045"),
        slug: "deprecated-image-registry",
        title: "Image comes from the frozen `k8s.gcr.io` registry",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Cwe(1104),
            Nsa("Container image scanning and immutable tags"),
            Url("https://kubernetes.io/blog/2023/03/10/image-registry-redirect/"),
        ],
        remediation: "Pull the image from `registry.k8s.io` (same repository path and tag), or from a mirror of it, and move to a release that still gets fixes.",
        docs: include_str!("deprecated_image_registry.md"),
    },
    run: Run::Pod(run),
};

/// The registry that replaced the frozen ones.
const REPLACEMENT: &str = "registry.k8s.io";

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    for c in ctx.workload.containers() {
        let Some(image) = c.container.image.as_deref() else {
            continue;
        };
        let Some((frozen, rest)) = frozen_registry(image) else {
            continue;
        };
        out.emit_container(
            &c,
            c.field("image"),
            format!(
                "container `{}` pulls `{}` from `{frozen}`, which has received no images since April 2023, \
                 security fixes included; the Kubernetes project publishes to `{REPLACEMENT}/{rest}` instead",
                c.name(),
                image.trim()
            ),
        );
    }
}

/// The frozen registry an image comes from, and the rest of its reference (repository, tag,
/// digest) as it reads on `registry.k8s.io`: `k8s.gcr.io`, or the `gcr.io/google_containers`
/// project that served it (also spelled `google-containers`).
fn frozen_registry(image: &str) -> Option<(&'static str, &str)> {
    let image = image.trim();
    let registry = ImageRef::parse(image).registry?;
    let after_registry = image.get(registry.len()..)?.strip_prefix('/')?;
    if registry.eq_ignore_ascii_case("k8s.gcr.io") {
        return Some(("k8s.gcr.io", after_registry));
    }
    if registry.eq_ignore_ascii_case("gcr.io") {
        for project in ["google_containers/", "google-containers/"] {
            if let Some(rest) = after_registry.strip_prefix(project) {
                return Some(("gcr.io/google_containers", rest));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::frozen_registry;

    #[test]
    fn recognises_the_frozen_registries() {
        assert_eq!(
            frozen_registry("k8s.gcr.io/pause:3.9"),
            Some(("k8s.gcr.io", "pause:3.9"))
        );
        assert_eq!(
            frozen_registry(" K8S.GCR.IO/ingress-nginx/controller:v1.2.0 "),
            Some(("k8s.gcr.io", "ingress-nginx/controller:v1.2.0"))
        );
        assert_eq!(
            frozen_registry("gcr.io/google_containers/pause-amd64:3.1"),
            Some(("gcr.io/google_containers", "pause-amd64:3.1"))
        );
        assert_eq!(
            frozen_registry("gcr.io/google-containers/busybox"),
            Some(("gcr.io/google_containers", "busybox"))
        );
        assert_eq!(frozen_registry("registry.k8s.io/pause:3.9"), None);
        assert_eq!(frozen_registry("gcr.io/distroless/static"), None);
        assert_eq!(frozen_registry("k8s.gcr.io.example.com/pause"), None);
        // Docker Hub, not a registry host.
        assert_eq!(frozen_registry("k8s/pause"), None);
        assert_eq!(frozen_registry("k8s.gcr.io"), None);
    }
}
