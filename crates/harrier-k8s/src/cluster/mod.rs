//! Objects read from a live cluster through its API server, with kube-rs.
//!
//! [`read_cluster`] connects with a kubeconfig (or the in-cluster service account), asks the
//! server which API groups and resources it serves (discovery: so a removed API version is never
//! requested and Gateway API or Cilium resources are read only where installed), then lists the
//! resources Harrier analyses, page by page with a bounded page size and a client-side request
//! rate. Each object becomes an [`Object`] like one read from a file, so every analyzer treats
//! both alike; its location is the object's API path and a line of the object as
//! `kubectl get -o json` prints it.
//!
//! A resource the credentials may not list is not an error: it is reported as [`Skipped`] with
//! the RBAC rule that would allow it, and the rest is read. Secrets are read for their type and
//! annotations only: `data` and `stringData` are dropped as each page arrives, so no secret value
//! is kept, logged or written.
//!
//! The layer is thin on purpose: no API server can run in CI, so tests drive it against
//! [`fixture::FixtureServer`], which serves recorded objects the way the API server does
//! (discovery documents, `*List` envelopes with continue tokens, 403 `Status` bodies).

pub mod fixture;
pub mod pods;
pub mod watch;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use kube::api::{Api, DynamicObject, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::discovery::{ApiCapabilities, ApiResource, Discovery, Scope, verbs};
use kube::{Client, Config};

use crate::facts;
use crate::load::{Loaded, load_text};

/// A resource Harrier analyses: API group and plural name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wanted {
    /// The API group, `""` for the core group.
    pub group: &'static str,
    /// The plural resource name.
    pub resource: &'static str,
}

const fn wanted(group: &'static str, resource: &'static str) -> Wanted {
    Wanted { group, resource }
}

/// What posture, RBAC, exposure and attack-path analysis read: workloads and their pods (and
/// what scales or disrupts them), identities and their permissions, how traffic reaches pods
/// and what restricts it, the admission webhooks that see every object, and the ConfigMaps
/// some controllers are configured by.
pub const ANALYSED: &[Wanted] = &[
    wanted("", "namespaces"),
    wanted("", "nodes"),
    wanted("", "pods"),
    wanted("", "replicationcontrollers"),
    wanted("", "services"),
    wanted("", "serviceaccounts"),
    wanted("", "secrets"),
    wanted("", "persistentvolumes"),
    wanted("", "configmaps"),
    wanted("apps", "deployments"),
    wanted("apps", "daemonsets"),
    wanted("apps", "statefulsets"),
    wanted("apps", "replicasets"),
    wanted("batch", "jobs"),
    wanted("batch", "cronjobs"),
    wanted("apps.openshift.io", "deploymentconfigs"),
    wanted("autoscaling", "horizontalpodautoscalers"),
    wanted("keda.sh", "scaledobjects"),
    wanted("policy", "poddisruptionbudgets"),
    wanted("rbac.authorization.k8s.io", "roles"),
    wanted("rbac.authorization.k8s.io", "clusterroles"),
    wanted("rbac.authorization.k8s.io", "rolebindings"),
    wanted("rbac.authorization.k8s.io", "clusterrolebindings"),
    wanted("networking.k8s.io", "ingresses"),
    wanted("networking.k8s.io", "networkpolicies"),
    wanted("discovery.k8s.io", "endpointslices"),
    wanted("gateway.networking.k8s.io", "gateways"),
    wanted("gateway.networking.k8s.io", "httproutes"),
    wanted("gateway.networking.k8s.io", "grpcroutes"),
    wanted("gateway.networking.k8s.io", "tlsroutes"),
    wanted("gateway.networking.k8s.io", "tcproutes"),
    wanted("gateway.networking.k8s.io", "udproutes"),
    wanted("gateway.networking.k8s.io", "referencegrants"),
    wanted("cilium.io", "ciliumnetworkpolicies"),
    wanted("cilium.io", "ciliumclusterwidenetworkpolicies"),
    wanted(
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
    ),
    wanted(
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
    ),
];

/// How to reach the cluster and what to read.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// The kubeconfig file; `None` follows `KUBECONFIG`, then `~/.kube/config`, then the
    /// in-cluster service account, as kubectl does.
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context; `None` for its current context.
    pub context: Option<String>,
    /// Read only this namespace's namespaced resources (cluster-scoped ones are still read:
    /// ClusterRoleBindings grant in every namespace); `None` for every namespace.
    pub namespace: Option<String>,
    /// A label selector applied to every list (`app=web,tier!=db`).
    pub label_selector: Option<String>,
    /// A field selector applied to every list (`spec.nodeName=worker-1`): a node's sensor
    /// reads only the pods scheduled on its node.
    pub field_selector: Option<String>,
    /// Objects per page: bounds the memory a single response takes.
    pub page_size: u32,
    /// Requests per second at most, so a scan never floods the API server.
    pub requests_per_second: f64,
    /// The resources to read.
    pub resources: &'static [Wanted],
}

impl Default for ClusterOptions {
    fn default() -> ClusterOptions {
        ClusterOptions {
            kubeconfig: None,
            context: None,
            namespace: None,
            label_selector: None,
            field_selector: None,
            page_size: 500,
            requests_per_second: 20.0,
            resources: ANALYSED,
        }
    }
}

/// A resource that was not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// `resource.group` as kubectl names it (`pods`, `deployments.apps`).
    pub resource: String,
    /// The namespace listed, or `None` for all of them.
    pub namespace: Option<String>,
    /// What the server said.
    pub reason: String,
    /// For a 403: the RBAC rule that would allow the read.
    pub needed_rule: Option<String>,
}

impl Skipped {
    /// The skip as a load warning of `context`, so reports list it with other input problems.
    pub fn to_warning(&self, context: &str) -> crate::Error {
        let place = self
            .namespace
            .as_deref()
            .map_or_else(String::new, |ns| format!(" in namespace {ns}"));
        let needed = self
            .needed_rule
            .as_deref()
            .map_or_else(String::new, |rule| format!("; reading it needs {rule}"));
        crate::Error::Unread {
            path: Arc::from(format!("{context}:{}", self.resource)),
            message: format!("not read{place}: {}{needed}", self.reason),
        }
    }
}

/// What was read from the cluster.
#[derive(Debug, Default)]
pub struct ClusterSnapshot {
    /// The kubeconfig context, or `in-cluster`.
    pub context: String,
    /// The API server's URL.
    pub server: String,
    /// The objects, as if loaded from files, with any that did not decode as errors.
    pub loaded: Loaded,
    /// Resources the cluster serves that could not be read.
    pub skipped: Vec<Skipped>,
    /// Wanted resources the cluster does not serve (no Gateway API installed, say).
    pub not_served: Vec<String>,
    /// Requests made, discovery included.
    pub requests: usize,
    /// What the cluster shows beyond its objects' specs.
    pub facts: facts::ClusterFacts,
    /// Every resource read in full, with the version to watch it from.
    pub watchable: Vec<Watchable>,
}

/// A resource that was listed, and from which version a watch continues the list.
#[derive(Debug, Clone)]
pub struct Watchable {
    /// The resource.
    pub resource: ApiResource,
    /// The namespace listed, or `None` for all.
    pub namespace: Option<String>,
    /// The list's `resourceVersion`.
    pub resource_version: String,
}

/// Why the cluster could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// No usable configuration.
    #[error("cannot configure access to the cluster: {0}")]
    Config(String),
    /// The server did not answer discovery.
    #[error("cannot reach the API server at {server}: {message}")]
    Unreachable {
        /// The server's URL.
        server: String,
        /// What went wrong.
        message: String,
    },
}

/// Connects, discovers and lists; blocks the calling thread (it runs its own single-threaded
/// runtime, so callers need not be async).
pub fn read_cluster(options: &ClusterOptions) -> Result<ClusterSnapshot, ClusterError> {
    io_runtime()?.block_on(read(options))
}

/// The single-threaded I/O runtime each blocking entry point (a read, a watch, a kubelet
/// list) runs its requests on.
pub fn io_runtime() -> Result<tokio::runtime::Runtime, ClusterError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ClusterError::Config(format!("cannot start the I/O runtime: {e}")))
}

async fn read(options: &ClusterOptions) -> Result<ClusterSnapshot, ClusterError> {
    let connection = Connection::open(options).await?;
    read_with(&connection, options).await
}

/// A client for one cluster, with the names reports use for it.
pub(crate) struct Connection {
    pub(crate) client: Client,
    pub(crate) context: String,
    pub(crate) server: String,
}

impl Connection {
    pub(crate) async fn open(options: &ClusterOptions) -> Result<Connection, ClusterError> {
        let (config, context) = configure(options).await?;
        let server = config.cluster_url.to_string();
        let client = Client::try_from(config).map_err(|e| ClusterError::Config(e.to_string()))?;
        Ok(Connection {
            client,
            context,
            server,
        })
    }
}

/// A client for the cluster `options` names (its kubeconfig and context, or the in-cluster
/// service account), for callers that make requests of their own (response actions). Only
/// `kubeconfig` and `context` of `options` matter here.
pub async fn connect(options: &ClusterOptions) -> Result<Client, ClusterError> {
    Connection::open(options).await.map(|c| c.client)
}

/// Discovers and lists through `connection`.
pub(crate) async fn read_with(
    connection: &Connection,
    options: &ClusterOptions,
) -> Result<ClusterSnapshot, ClusterError> {
    let client = connection.client.clone();
    let context = connection.context.clone();
    let server = connection.server.clone();
    let mut snapshot = ClusterSnapshot {
        context,
        server: server.clone(),
        ..ClusterSnapshot::default()
    };
    let mut pacer = Pacer::new(options.requests_per_second);
    let groups: Vec<&str> = options.resources.iter().map(|w| w.group).collect();
    let discovery = Discovery::new(client.clone())
        .filter(&groups)
        .run()
        .await
        .map_err(|e| ClusterError::Unreachable {
            server: server.clone(),
            message: describe(&e),
        })?;
    snapshot.requests += 2 + discovery.groups().count();
    for want in options.resources {
        let served = discovery.get(want.group).and_then(|group| {
            group
                .recommended_resources()
                .into_iter()
                .find(|(ar, _)| ar.plural == want.resource)
        });
        match served {
            Some((ar, caps)) if caps.supports_operation(verbs::LIST) => {
                list_all(&client, &ar, &caps, options, &mut pacer, &mut snapshot).await;
            }
            _ => snapshot
                .not_served
                .push(kubectl_name(want.group, want.resource)),
        }
    }
    pacer.wait().await;
    snapshot.requests += 1;
    let version = match client.apiserver_version().await {
        Ok(info) => Some(facts::ServerVersion::new(&info.git_version, &info.platform)),
        Err(e) => {
            snapshot.skipped.push(Skipped {
                resource: "/version".to_owned(),
                namespace: None,
                reason: describe(&e),
                needed_rule: None,
            });
            None
        }
    };
    snapshot.facts = facts::ClusterFacts {
        context: snapshot.context.clone(),
        server: snapshot.server.clone(),
        version,
        ..facts::ClusterFacts::from_objects(&snapshot.loaded.objects)
    };
    Ok(snapshot)
}

async fn configure(options: &ClusterOptions) -> Result<(Config, String), ClusterError> {
    let kube_options = KubeConfigOptions {
        context: options.context.clone(),
        ..KubeConfigOptions::default()
    };
    let kubeconfig =
        match &options.kubeconfig {
            Some(path) => Some(Kubeconfig::read_from(path).map_err(|e| {
                ClusterError::Config(format!("{}: {}", path.display(), describe(&e)))
            })?),
            None => Kubeconfig::read().ok(),
        };
    match kubeconfig {
        Some(kubeconfig) => {
            let context = options
                .context
                .clone()
                .or_else(|| kubeconfig.current_context.clone())
                .unwrap_or_default();
            let config = Config::from_custom_kubeconfig(kubeconfig, &kube_options)
                .await
                .map_err(|e| ClusterError::Config(describe(&e)))?;
            Ok((config, context))
        }
        None => {
            let config = Config::incluster().map_err(|e| {
                ClusterError::Config(format!(
                    "no kubeconfig (KUBECONFIG, ~/.kube/config) and not in a pod: {}",
                    describe(&e)
                ))
            })?;
            Ok((config, "in-cluster".to_owned()))
        }
    }
}

/// Lists one resource, every page, into the snapshot; a refusal becomes a [`Skipped`].
async fn list_all(
    client: &Client,
    ar: &ApiResource,
    caps: &ApiCapabilities,
    options: &ClusterOptions,
    pacer: &mut Pacer,
    snapshot: &mut ClusterSnapshot,
) {
    let namespace = match caps.scope {
        Scope::Namespaced => options.namespace.as_deref(),
        Scope::Cluster => None,
    };
    let api: Api<DynamicObject> = match namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, ar),
        None => Api::all_with(client.clone(), ar),
    };
    let mut token: Option<String> = None;
    loop {
        let mut params = ListParams::default().limit(options.page_size.max(1));
        if let Some(selector) = &options.label_selector {
            params = params.labels(selector);
        }
        if let Some(selector) = &options.field_selector {
            params = params.fields(selector);
        }
        if let Some(t) = &token {
            params = params.continue_token(t);
        }
        pacer.wait().await;
        snapshot.requests += 1;
        match api.list(&params).await {
            Ok(page) => {
                let version = page.metadata.resource_version.clone().unwrap_or_default();
                for mut object in page.items {
                    add_object(
                        &mut object,
                        ar,
                        &snapshot.context.clone(),
                        &mut snapshot.loaded,
                    );
                }
                token = page.metadata.continue_.filter(|t| !t.is_empty());
                if token.is_none() {
                    // The last page's version is the list's: a watch from it misses nothing.
                    snapshot.watchable.push(Watchable {
                        resource: ar.clone(),
                        namespace: namespace.map(str::to_owned),
                        resource_version: version,
                    });
                    return;
                }
            }
            Err(e) => {
                snapshot.skipped.push(skipped(ar, namespace, &e));
                return;
            }
        }
    }
}

/// Turns a listed item into an [`Object`]: list items carry no `apiVersion`/`kind`, so they
/// are set from the resource; secret values and server bookkeeping are dropped.
pub(crate) fn add_object(
    object: &mut DynamicObject,
    ar: &ApiResource,
    context: &str,
    loaded: &mut Loaded,
) {
    object.types = Some(kube::api::TypeMeta {
        api_version: ar.api_version.clone(),
        kind: ar.kind.clone(),
    });
    object.metadata.managed_fields = None;
    if ar.group.is_empty() && ar.plural == "secrets" {
        if let Some(fields) = object.data.as_object_mut() {
            fields.remove("data");
            fields.remove("stringData");
        }
    }
    let text = match serde_json::to_string_pretty(&object) {
        Ok(text) => text,
        Err(e) => {
            loaded.errors.push(crate::Error::Io {
                path: Arc::from(object_path(object, ar, context)),
                message: format!("cannot re-encode the object: {e}"),
            });
            return;
        }
    };
    let one = load_text(Arc::from(object_path(object, ar, context)), &text);
    loaded.objects.extend(one.objects);
    loaded.errors.extend(one.errors);
    loaded.notes.extend(one.notes);
    loaded.bytes += text.len() as u64;
}

/// `CONTEXT:/apis/GROUP/VERSION/namespaces/NS/RESOURCE/NAME`: where the object lives, in the
/// form `kubectl get --raw` takes.
pub(crate) fn object_path(object: &DynamicObject, ar: &ApiResource, context: &str) -> String {
    let prefix = if ar.group.is_empty() {
        format!("/api/{}", ar.version)
    } else {
        format!("/apis/{}/{}", ar.group, ar.version)
    };
    let name = object.metadata.name.as_deref().unwrap_or("");
    match &object.metadata.namespace {
        Some(ns) => format!("{context}:{prefix}/namespaces/{ns}/{}/{name}", ar.plural),
        None => format!("{context}:{prefix}/{}/{name}", ar.plural),
    }
}

fn skipped(ar: &ApiResource, namespace: Option<&str>, error: &kube::Error) -> Skipped {
    let resource = kubectl_name(&ar.group, &ar.plural);
    let needed_rule = match error {
        kube::Error::Api(status) if status.code == 403 => {
            let group = if ar.group.is_empty() {
                "\"\""
            } else {
                ar.group.as_str()
            };
            let place = namespace.map_or_else(
                || "a ClusterRole bound by a ClusterRoleBinding".to_owned(),
                |ns| format!("a Role or ClusterRole bound in namespace {ns}"),
            );
            Some(format!(
                "{{apiGroups: [{group}], resources: [{}], verbs: [list]}} in {place}",
                ar.plural
            ))
        }
        _ => None,
    };
    Skipped {
        resource,
        namespace: namespace.map(str::to_owned),
        reason: describe(error),
        needed_rule,
    }
}

fn kubectl_name(group: &str, resource: &str) -> String {
    if group.is_empty() {
        resource.to_owned()
    } else {
        format!("{resource}.{group}")
    }
}

/// An error's message with its causes, on one line; never the request's headers.
pub(crate) fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    if let Some(kube::Error::Api(status)) = error.downcast_ref::<kube::Error>() {
        return format!("{} ({})", status.message, status.code);
    }
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

/// Spaces requests evenly: at most `rate` per second.
struct Pacer {
    interval: Duration,
    next: Option<tokio::time::Instant>,
}

impl Pacer {
    fn new(rate: f64) -> Pacer {
        let interval = if rate.is_finite() && rate > 0.0 {
            Duration::from_secs_f64(1.0 / rate)
        } else {
            Duration::ZERO
        };
        Pacer {
            interval,
            next: None,
        }
    }

    async fn wait(&mut self) {
        let now = tokio::time::Instant::now();
        if let Some(next) = self.next {
            if next > now {
                tokio::time::sleep_until(next).await;
            }
        }
        self.next = Some(tokio::time::Instant::now() + self.interval);
    }
}

/// Kinds whose objects a controller creates from its own template: a finding on one of them
/// is a finding on its controller, already reported there.
const CONTROLLED_KINDS: &[&str] = &["Pod", "ReplicaSet", "Job"];

/// Drops the Pods, ReplicaSets and Jobs whose controlling owner (`ownerReferences` with
/// `controller: true`) is among `objects`, so a Deployment's finding is reported once and not
/// again on its ReplicaSet and each of its Pods. An object whose owner was not read (forbidden,
/// or filtered out by a selector) is kept: nothing else would report it. Returns the objects
/// kept and how many were dropped.
pub fn without_controlled(objects: Vec<crate::Object>) -> (Vec<crate::Object>, usize) {
    use std::collections::HashSet;
    let present: HashSet<(String, Option<String>, String)> = objects
        .iter()
        .filter_map(|o| {
            let name = o.resource.name.clone()?;
            Some((o.kind().to_owned(), o.resource.namespace.clone(), name))
        })
        .collect();
    let before = objects.len();
    let kept: Vec<crate::Object> = objects
        .into_iter()
        .filter(|o| {
            if !CONTROLLED_KINDS.contains(&o.kind()) {
                return true;
            }
            let owners = o
                .node
                .get_path("metadata.ownerReferences")
                .and_then(|n| n.as_seq());
            !owners.is_some_and(|owners| {
                owners.iter().any(|owner| {
                    let text = |key: &str| owner.get(key).and_then(|v| v.as_str());
                    let controls = owner.get("controller").and_then(|v| v.as_bool()) == Some(true);
                    controls
                        && match (text("kind"), text("name")) {
                            (Some(kind), Some(name)) => present.contains(&(
                                kind.to_owned(),
                                o.resource.namespace.clone(),
                                name.to_owned(),
                            )),
                            _ => false,
                        }
                })
            })
        })
        .collect();
    let dropped = before - kept.len();
    (kept, dropped)
}
