//! Which identity a workload's pods run as, and whether they carry its token.
//!
//! RBAC findings, exposure and attack paths all need the same two facts about a workload: the
//! ServiceAccount its pods run as and whether the API token of that account is mounted into
//! them (anyone who runs code in the pod then holds the account's permissions). One
//! implementation keeps the checks, `harrier rbac risks` and `harrier paths` agreeing.

use std::collections::HashMap;

use harrier_core::yaml::Node;
use harrier_k8s::k8s_openapi::api::core::v1::PodSpec;
use harrier_k8s::{Object, ObjectIndex, Workload};

/// The namespace an object lands in. Manifests that leave it out are applied with `kubectl -n`
/// or into `default`; treating them as `default` keeps objects of one file together.
pub fn namespace_of(object: &Object) -> &str {
    object.resource.namespace.as_deref().unwrap_or("default")
}

/// The ServiceAccount a pod runs as: `serviceAccountName`, else the deprecated
/// `serviceAccount`, else `default`.
pub fn service_account_name(spec: &PodSpec) -> &str {
    [
        spec.service_account_name.as_deref(),
        spec.service_account.as_deref(),
    ]
    .into_iter()
    .flatten()
    .find(|n| !n.is_empty())
    .unwrap_or("default")
}

/// The ServiceAccount objects of a scan, by namespace and name, for answering "is the token
/// mounted" for many workloads without a scan per workload.
#[derive(Debug, Default)]
pub struct ServiceAccounts<'a> {
    by_name: HashMap<(&'a str, &'a str), &'a Object>,
}

impl<'a> ServiceAccounts<'a> {
    /// Every core/v1 ServiceAccount of `index`; the first of a repeated name wins, as the
    /// index already reports duplicates.
    pub fn of(index: &'a ObjectIndex) -> ServiceAccounts<'a> {
        let mut by_name = HashMap::new();
        for object in index.of_kind("ServiceAccount") {
            let Some(name) = object.resource.name.as_deref() else {
                continue;
            };
            if object.group().is_empty() {
                by_name
                    .entry((namespace_of(object), name))
                    .or_insert(object);
            }
        }
        ServiceAccounts { by_name }
    }

    /// The ServiceAccount `name` of `namespace`, when it is among the scanned objects.
    pub fn get(&self, namespace: &str, name: &str) -> Option<&'a Object> {
        self.by_name.get(&(namespace, name)).copied()
    }

    /// Whether the pods of `workload` (whose object is `object`) get their account's API
    /// token: the pod's `automountServiceAccountToken` when set, else the ServiceAccount's,
    /// else yes, as the ServiceAccount admission plugin decides. An account that is not among
    /// the inputs is taken to mount it, since that is the API server's default.
    pub fn mounts_token(&self, object: &Object, workload: &Workload) -> bool {
        if let Some(mounts) = workload.spec.automount_service_account_token {
            return mounts;
        }
        self.account_opts_out(namespace_of(object), service_account_name(&workload.spec))
            != Some(false)
    }

    /// The account's own `automountServiceAccountToken`, when it is set.
    pub fn account_opts_out(&self, namespace: &str, name: &str) -> Option<bool> {
        self.get(namespace, name)
            .and_then(|sa| sa.node.get("automountServiceAccountToken"))
            .and_then(Node::as_bool)
    }
}
