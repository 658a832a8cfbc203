//! Kubernetes actions through the API server (kube-rs, typed with k8s-openapi).
//!
//! Each action is one or a few plain requests, kept thin so they can be read against the RBAC
//! they need (docs/response.md lists it):
//! - label: a JSON merge patch of the pod's `metadata.labels` and `metadata.annotations`;
//! - quarantine: create the namespace's deny-all NetworkPolicy selecting the quarantine label
//!   (or, if it exists, merge-patch its spec back to deny-all), then label the pod;
//! - delete: delete the pod with the policy's grace period;
//! - scale to zero: read the pod, follow its controller `ownerReference` (ReplicaSet → its
//!   Deployment, or StatefulSet), and merge-patch the owner's `scale` subresource to 0.
//!
//! A refusal or failure of the API server (403, 404, 409...) is returned as a message for the
//! audit trail, never a panic. Each action has a deadline, so a hung API server cannot stall
//! the sensor for long.

use std::collections::BTreeMap;
use std::time::Duration;

use harrier_k8s::cluster::ClusterOptions;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicySpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, OwnerReference};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use serde_json::json;

use crate::{Action, Error};

/// The field manager Harrier's writes are attributed to.
pub const FIELD_MANAGER: &str = "harrier-response";

/// How long one action may take, requests included.
pub const ACTION_TIMEOUT: Duration = Duration::from_secs(15);

/// Access to one cluster, with the I/O runtime its requests run on.
pub struct Cluster {
    runtime: tokio::runtime::Runtime,
    client: kube::Client,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster").finish_non_exhaustive()
    }
}

/// What the action is in answer to, written on the objects it changes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    pub(crate) rule: &'a str,
    pub(crate) response: &'a str,
}

impl Cluster {
    /// Connects with the kubeconfig and context of `options` (or the in-cluster service
    /// account), as `--cluster` does.
    pub fn connect(options: &ClusterOptions) -> Result<Cluster, Error> {
        let runtime = harrier_k8s::cluster::io_runtime().map_err(|e| Error::Cluster {
            message: e.to_string(),
        })?;
        let client = runtime
            .block_on(harrier_k8s::cluster::connect(options))
            .map_err(|e| Error::Cluster {
                message: e.to_string(),
            })?;
        Ok(Cluster { runtime, client })
    }

    /// Performs `action` on pod `ns/pod`; the message says what was done or what failed.
    pub(crate) fn perform(
        &self,
        action: &Action,
        ns: &str,
        pod: &str,
        context: &Context<'_>,
    ) -> Result<String, String> {
        let client = self.client.clone();
        let work = async {
            match action {
                Action::Kill { .. } => Err("a kill is not a Kubernetes action".to_owned()),
                Action::Label { key, value } => {
                    label(&client, ns, pod, key, value, context).await?;
                    Ok(format!("labelled pod {ns}/{pod} with {key}={value}"))
                }
                Action::Quarantine {
                    policy_name,
                    key,
                    value,
                } => {
                    let verb = quarantine_policy(&client, ns, policy_name, key, value).await?;
                    label(&client, ns, pod, key, value, context).await?;
                    Ok(format!(
                        "{verb} NetworkPolicy {ns}/{policy_name} denying all traffic of pods labelled {key}={value}, and labelled pod {ns}/{pod}"
                    ))
                }
                Action::DeletePod {
                    grace_period_seconds,
                } => {
                    let params = DeleteParams {
                        grace_period_seconds: *grace_period_seconds,
                        ..DeleteParams::default()
                    };
                    Api::<Pod>::namespaced(client.clone(), ns)
                        .delete(pod, &params)
                        .await
                        .map_err(|e| failed(&format!("delete pod {ns}/{pod}"), &e))?;
                    Ok(format!("deleted pod {ns}/{pod}"))
                }
                Action::ScaleToZero => scale_owner_to_zero(&client, ns, pod).await,
            }
        };
        self.runtime.block_on(async {
            tokio::time::timeout(ACTION_TIMEOUT, work)
                .await
                .unwrap_or_else(|_| {
                    Err(format!(
                        "timed out after {}s waiting for the API server",
                        ACTION_TIMEOUT.as_secs()
                    ))
                })
        })
    }
}

fn patch_params() -> PatchParams {
    PatchParams {
        field_manager: Some(FIELD_MANAGER.to_owned()),
        ..PatchParams::default()
    }
}

/// `403 Forbidden: pods "x" is forbidden: ...` for an API refusal, else the client's error.
fn failed(what: &str, e: &kube::Error) -> String {
    match e {
        kube::Error::Api(status) => format!(
            "cannot {what}: {} {}: {}",
            status.code, status.reason, status.message
        ),
        other => format!("cannot {what}: {other}"),
    }
}

async fn label(
    client: &kube::Client,
    ns: &str,
    pod: &str,
    key: &str,
    value: &str,
    context: &Context<'_>,
) -> Result<(), String> {
    let patch = json!({"metadata": {
        "labels": {key: value},
        "annotations": {
            "harrier.io/response": context.response,
            "harrier.io/alert-rule": context.rule,
        },
    }});
    Api::<Pod>::namespaced(client.clone(), ns)
        .patch(pod, &patch_params(), &Patch::Merge(&patch))
        .await
        .map_err(|e| failed(&format!("label pod {ns}/{pod}"), &e))?;
    Ok(())
}

/// Creates the deny-all policy, or puts an existing one back to deny-all; returns `created`
/// or `updated`.
async fn quarantine_policy(
    client: &kube::Client,
    ns: &str,
    name: &str,
    key: &str,
    value: &str,
) -> Result<&'static str, String> {
    let spec = NetworkPolicySpec {
        pod_selector: Some(LabelSelector {
            match_labels: Some(BTreeMap::from([(key.to_owned(), value.to_owned())])),
            match_expressions: None,
        }),
        policy_types: Some(vec!["Ingress".to_owned(), "Egress".to_owned()]),
        ingress: None,
        egress: None,
    };
    let policy = NetworkPolicy {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            namespace: Some(ns.to_owned()),
            labels: Some(BTreeMap::from([(
                "app.kubernetes.io/managed-by".to_owned(),
                "harrier".to_owned(),
            )])),
            ..ObjectMeta::default()
        },
        spec: Some(spec.clone()),
    };
    let api = Api::<NetworkPolicy>::namespaced(client.clone(), ns);
    let params = PostParams {
        field_manager: Some(FIELD_MANAGER.to_owned()),
        ..PostParams::default()
    };
    match api.create(&params, &policy).await {
        Ok(_) => Ok("created"),
        Err(kube::Error::Api(status)) if status.code == 409 => {
            // It exists: make sure it still denies everything (`ingress`/`egress` set to null
            // remove any rules someone added).
            let patch = json!({"spec": {
                "podSelector": spec.pod_selector,
                "policyTypes": spec.policy_types,
                "ingress": null,
                "egress": null,
            }});
            api.patch(name, &patch_params(), &Patch::Merge(&patch))
                .await
                .map_err(|e| failed(&format!("update NetworkPolicy {ns}/{name}"), &e))?;
            Ok("updated")
        }
        Err(e) => Err(failed(&format!("create NetworkPolicy {ns}/{name}"), &e)),
    }
}

fn controller(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find(|o| o.controller == Some(true))
}

async fn scale_owner_to_zero(client: &kube::Client, ns: &str, pod: &str) -> Result<String, String> {
    let found = Api::<Pod>::namespaced(client.clone(), ns)
        .get(pod)
        .await
        .map_err(|e| failed(&format!("read pod {ns}/{pod}"), &e))?;
    let Some(owner) = controller(&found.metadata) else {
        return Err(format!(
            "pod {ns}/{pod} has no controlling owner to scale (a bare pod: delete it instead)"
        ));
    };
    let zero = json!({"spec": {"replicas": 0}});
    let patch = Patch::Merge(&zero);
    match owner.kind.as_str() {
        "ReplicaSet" => {
            let sets = Api::<ReplicaSet>::namespaced(client.clone(), ns);
            let set = sets
                .get(&owner.name)
                .await
                .map_err(|e| failed(&format!("read ReplicaSet {ns}/{}", owner.name), &e))?;
            match controller(&set.metadata) {
                Some(d) if d.kind == "Deployment" => {
                    Api::<Deployment>::namespaced(client.clone(), ns)
                        .patch_scale(&d.name, &patch_params(), &patch)
                        .await
                        .map_err(|e| failed(&format!("scale Deployment {ns}/{}", d.name), &e))?;
                    Ok(format!(
                        "scaled Deployment {ns}/{} (owner of ReplicaSet {}, owner of pod {pod}) to 0 replicas",
                        d.name, owner.name
                    ))
                }
                Some(other) => Err(format!(
                    "ReplicaSet {ns}/{} is controlled by {} {}, which Harrier does not scale",
                    owner.name, other.kind, other.name
                )),
                None => {
                    sets.patch_scale(&owner.name, &patch_params(), &patch)
                        .await
                        .map_err(|e| {
                            failed(&format!("scale ReplicaSet {ns}/{}", owner.name), &e)
                        })?;
                    Ok(format!(
                        "scaled ReplicaSet {ns}/{} (owner of pod {pod}) to 0 replicas",
                        owner.name
                    ))
                }
            }
        }
        "StatefulSet" => {
            Api::<StatefulSet>::namespaced(client.clone(), ns)
                .patch_scale(&owner.name, &patch_params(), &patch)
                .await
                .map_err(|e| failed(&format!("scale StatefulSet {ns}/{}", owner.name), &e))?;
            Ok(format!(
                "scaled StatefulSet {ns}/{} (owner of pod {pod}) to 0 replicas",
                owner.name
            ))
        }
        kind => Err(format!(
            "pod {ns}/{pod} is controlled by {kind} {}, which has no replica count to scale",
            owner.name
        )),
    }
}
