//! Effective RBAC permissions over real projects' RBAC objects in the shared corpus: Kubernetes
//! Goat's insecure RBAC scenario, Argo CD's and cert-manager's install manifests. The expected
//! answers were derived by reading the objects (each test says how).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is a failed test

use std::path::PathBuf;
use std::sync::Arc;

use harrier_core::testing::corpus_path;
use harrier_k8s::{LoadOptions, ObjectIndex, load, load_text};
use harrier_posture::rbac::{Holder, Identity, Rbac, RbacOptions, Request};

fn corpus(relative: &str) -> Option<PathBuf> {
    corpus_path(env!("CARGO_MANIFEST_DIR"), &format!("manifests/{relative}"))
}

fn resolve(paths: &[PathBuf], extra: &str, default_namespace: &str) -> Rbac {
    let mut loaded = load(paths, &LoadOptions::default());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    loaded
        .objects
        .extend(load_text(Arc::from("extra.yaml"), extra).objects);
    let (index, _) = ObjectIndex::build(loaded.objects);
    Rbac::from_index(
        &index,
        &RbacOptions {
            default_namespace: default_namespace.to_owned(),
        },
    )
}

/// `Kind namespace/name via binding, binding` lines, for readable comparisons.
fn answer(holders: &[Holder]) -> Vec<String> {
    holders
        .iter()
        .map(|h| {
            let ns = h
                .namespace
                .as_deref()
                .map(|n| format!("{n}/"))
                .unwrap_or_default();
            let via: Vec<String> = h.bindings.iter().map(|b| b.name.clone()).collect();
            format!("{} {ns}{} via {}", h.kind, h.name, via.join(", "))
        })
        .collect()
}

fn who(rbac: &Rbac, verb: &str, target: &str, name: Option<&str>, ns: Option<&str>) -> Vec<String> {
    answer(&rbac.who_can(&Request::parse(verb, target, name, ns).unwrap()))
}

/// Goat's `superadmin` service account is bound to the built-in `cluster-admin`; the
/// `big-monolith` scenario's Role `secret-reader` grants get/watch/list on every core-group
/// resource (`*`), secrets and `pods/exec` included, in `big-monolith` only.
#[test]
fn kubernetes_goat() {
    let (Some(setup), Some(monolith)) = (
        corpus("insecure/kubernetes-goat/scenarios/insecure-rbac/setup.yaml"),
        corpus("insecure/kubernetes-goat/scenarios/hunger-check/deployment.yaml"),
    ) else {
        return;
    };
    let rbac = resolve(&[setup, monolith], "", "default");
    assert!(rbac.problems().is_empty(), "{:?}", rbac.problems());
    assert_eq!(
        who(&rbac, "get", "secrets", None, Some("big-monolith")),
        [
            "ServiceAccount big-monolith/big-monolith-sa via secret-reader-binding",
            "ServiceAccount kube-system/superadmin via superadmin",
        ]
    );
    assert_eq!(
        who(&rbac, "get", "pods/exec", None, Some("big-monolith")),
        [
            "ServiceAccount big-monolith/big-monolith-sa via secret-reader-binding",
            "ServiceAccount kube-system/superadmin via superadmin",
        ]
    );
    assert_eq!(
        who(&rbac, "get", "secrets", None, Some("default")),
        ["ServiceAccount kube-system/superadmin via superadmin"]
    );
    assert_eq!(
        who(&rbac, "delete", "secrets", None, Some("big-monolith")),
        ["ServiceAccount kube-system/superadmin via superadmin"]
    );
    // `*` in the core group does not reach other groups.
    assert_eq!(
        who(&rbac, "list", "deployments", None, Some("big-monolith")),
        ["ServiceAccount kube-system/superadmin via superadmin"]
    );
    assert_eq!(
        who(&rbac, "get", "/metrics", None, None),
        ["ServiceAccount kube-system/superadmin via superadmin"]
    );
    let sa = Identity::service_account("big-monolith", "big-monolith-sa");
    let can = rbac.can(&sa);
    assert_eq!(can.len(), 1);
    assert_eq!(can[0].namespace, Some("big-monolith"));
    assert_eq!(can[0].rules[0].rule.resources, ["*"]);
}

/// Argo CD's install.yaml leaves Roles and RoleBindings without a namespace (it is applied
/// with `-n argocd`). Secrets: the application and applicationset controllers, dex and the
/// server read them in `argocd`; the notifications controller and redis only by name. The
/// application controller's ClusterRole is `*` on everything plus every URL; the server's
/// ClusterRole has delete/get/patch on `*`, so it reads secrets and deletes pods anywhere but
/// cannot create `pods/exec`.
#[test]
fn argo_cd() {
    let Some(install) = corpus("realworld/argo-cd/manifests/install.yaml") else {
        return;
    };
    let rbac = resolve(&[install], "", "argocd");
    assert!(rbac.problems().is_empty(), "{:?}", rbac.problems());
    assert_eq!(
        who(&rbac, "get", "secrets", None, Some("argocd")),
        [
            "ServiceAccount argocd/argocd-application-controller via argocd-application-controller, argocd-application-controller",
            "ServiceAccount argocd/argocd-applicationset-controller via argocd-applicationset-controller, argocd-applicationset-controller",
            "ServiceAccount argocd/argocd-dex-server via argocd-dex-server",
            "ServiceAccount argocd/argocd-server via argocd-server, argocd-server",
        ]
    );
    let named = who(
        &rbac,
        "get",
        "secrets",
        Some("argocd-redis"),
        Some("argocd"),
    );
    assert!(named.contains(&"ServiceAccount argocd/argocd-redis via argocd-redis".to_owned()));
    assert!(!named.iter().any(|s| s.contains("notifications")));
    let named = who(
        &rbac,
        "get",
        "secrets",
        Some("argocd-notifications-secret"),
        Some("argocd"),
    );
    assert!(
        named
            .iter()
            .any(|s| s.contains("argocd-notifications-controller"))
    );
    assert_eq!(
        who(&rbac, "create", "pods/exec", None, Some("default")),
        ["ServiceAccount argocd/argocd-application-controller via argocd-application-controller"]
    );
    assert_eq!(
        who(&rbac, "delete", "pods", None, Some("kube-system")),
        [
            "ServiceAccount argocd/argocd-application-controller via argocd-application-controller",
            "ServiceAccount argocd/argocd-server via argocd-server",
        ]
    );
    assert_eq!(
        who(&rbac, "get", "/metrics", None, None),
        ["ServiceAccount argocd/argocd-application-controller via argocd-application-controller"]
    );
    // The server's `*/finalizers` update rule: subresources by wildcard.
    assert_eq!(
        who(&rbac, "update", "deployments/finalizers", None, Some("x")),
        [
            "ServiceAccount argocd/argocd-application-controller via argocd-application-controller",
            "ServiceAccount argocd/argocd-server via argocd-server",
        ]
    );
}

/// cert-manager: five controller ClusterRoles grant the `cert-manager` service account secrets
/// cluster-wide, as does the cainjector's; the webhook reads only `cert-manager-webhook-ca`.
/// Leader-election Roles sit in kube-system and grant leases there only, by name. The signer
/// approval rule names `issuers.cert-manager.io/*` literally (the CSR approval plugin asks
/// with that name; the authorizer does no globbing). Its view/edit roles aggregate into the
/// built-in `view`/`edit`/`admin`, which the install does not contain: a `view` written here
/// with the built-in's selector picks them up. The cainjector watches certificates too.
#[test]
fn cert_manager() {
    let Some(install) = corpus("realworld/cert-manager/cert-manager-v1.14.4.yaml") else {
        return;
    };
    let view = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: view}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewers, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: Group, name: "system:serviceaccounts:team"}]
"#;
    let rbac = resolve(&[install], view, "default");
    assert!(rbac.problems().is_empty(), "{:?}", rbac.problems());
    assert_eq!(
        who(&rbac, "get", "secrets", None, Some("kube-system")),
        [
            "ServiceAccount cert-manager/cert-manager via cert-manager-controller-certificates, cert-manager-controller-challenges, cert-manager-controller-clusterissuers, cert-manager-controller-issuers, cert-manager-controller-orders",
            "ServiceAccount cert-manager/cert-manager-cainjector via cert-manager-cainjector",
        ]
    );
    let ca = who(
        &rbac,
        "update",
        "secrets",
        Some("cert-manager-webhook-ca"),
        Some("cert-manager"),
    );
    assert!(ca.contains(&"ServiceAccount cert-manager/cert-manager-webhook via cert-manager-webhook:dynamic-serving".to_owned()), "{ca:?}");
    assert_eq!(
        who(
            &rbac,
            "update",
            "leases",
            Some("cert-manager-controller"),
            Some("kube-system")
        ),
        ["ServiceAccount cert-manager/cert-manager via cert-manager:leaderelection"]
    );
    assert!(
        who(
            &rbac,
            "update",
            "leases",
            Some("cert-manager-controller"),
            Some("cert-manager")
        )
        .is_empty()
    );
    assert_eq!(
        who(
            &rbac,
            "approve",
            "signers.cert-manager.io",
            Some("issuers.cert-manager.io/*"),
            None
        ),
        [
            "ServiceAccount cert-manager/cert-manager via cert-manager-controller-approve:cert-manager-io"
        ]
    );
    assert!(
        who(
            &rbac,
            "approve",
            "signers.cert-manager.io",
            Some("issuers.cert-manager.io/ns.name"),
            None
        )
        .is_empty()
    );
    assert_eq!(
        who(
            &rbac,
            "list",
            "certificates.cert-manager.io",
            None,
            Some("team")
        ),
        [
            "ServiceAccount cert-manager/cert-manager via cert-manager-controller-certificates, cert-manager-controller-ingress-shim",
            "ServiceAccount cert-manager/cert-manager-cainjector via cert-manager-cainjector",
            "Group system:serviceaccounts:team via viewers",
        ]
    );
    let member = Identity::service_account("team", "app");
    assert!(rbac.allows(
        &member,
        &Request::parse("watch", "orders.acme.cert-manager.io", None, Some("team")).unwrap()
    ));
    // view does not pick cert-manager-edit (not labelled aggregate-to-view).
    assert!(!rbac.allows(
        &member,
        &Request::parse("delete", "certificates.cert-manager.io", None, Some("team")).unwrap()
    ));
    assert!(!rbac.allows(
        &member,
        &Request::parse("list", "certificates.cert-manager.io", None, Some("other")).unwrap()
    ));
}
