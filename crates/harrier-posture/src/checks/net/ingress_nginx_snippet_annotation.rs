use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-NET-006"),
        slug: "ingress-nginx-snippet-annotation",
        title: "Ingress injects raw NGINX configuration through a snippet annotation",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[
            Mitre("T1190"),
            Cwe(94),
            Url("https://github.com/kubernetes/ingress-nginx/issues/7837"),
            Url("https://github.com/kubernetes/kubernetes/issues/131009"),
        ],
        remediation: "Remove the snippet annotation and use the controller's dedicated annotations or a \
                      ConfigMap-level setting; keep `allow-snippet-annotations: \"false\"` in the controller's \
                      ConfigMap.",
        docs: include_str!("ingress_nginx_snippet_annotation.md"),
    },
    run: Run::Object {
        kinds: &["Ingress"],
        check: run,
    },
};

fn run(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    if !matches!(object.group(), "networking.k8s.io" | "extensions") {
        return;
    }
    for key in object.annotations.keys() {
        if !is_snippet(key) {
            continue;
        }
        out.emit(
            FieldPath::root()
                .keys("metadata.annotations")
                .key(key.clone()),
            format!(
                "{} sets annotation `{key}`, which copies raw configuration into the ingress \
                 controller's nginx.conf",
                super::describe(object)
            ),
        );
    }
}

/// `nginx.ingress.kubernetes.io/server-snippet`, `configuration-snippet`, `auth-snippet`,
/// `stream-snippet`, `modsecurity-snippet`, NGINX Inc.'s `nginx.org/server-snippets` and
/// `location-snippets`: any NGINX controller annotation whose name ends in `-snippet(s)`.
fn is_snippet(key: &str) -> bool {
    let Some((prefix, name)) = key.rsplit_once('/') else {
        return false;
    };
    prefix.contains("nginx") && (name.ends_with("-snippet") || name.ends_with("-snippets"))
}

#[cfg(test)]
mod tests {
    use super::is_snippet;

    #[test]
    fn recognises_snippet_annotations() {
        for key in [
            "nginx.ingress.kubernetes.io/server-snippet",
            "nginx.ingress.kubernetes.io/configuration-snippet",
            "nginx.ingress.kubernetes.io/auth-snippet",
            "nginx.ingress.kubernetes.io/stream-snippet",
            "nginx.org/location-snippets",
        ] {
            assert!(is_snippet(key), "{key}");
        }
        for key in [
            "nginx.ingress.kubernetes.io/rewrite-target",
            "kubernetes.io/ingress.class",
            "server-snippet",
        ] {
            assert!(!is_snippet(key), "{key}");
        }
    }
}
