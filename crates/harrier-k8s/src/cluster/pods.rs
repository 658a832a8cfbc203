//! The pods of one node, found by container id: what a node sensor needs to give an event the
//! pod it came from — namespace, name, labels, service account, node and owning workload —
//! beyond what the container runtime's labels carry (pod name, namespace and uid only).
//!
//! The pods are listed from one of two [`PodSource`]s and indexed by the container ids in their
//! statuses (`containerd://…`, `cri-o://…`, `docker://…`):
//!
//! - the API server, with the field selector `spec.nodeName=NODE`, so a sensor on each node
//!   reads only its own node's pods (RBAC: `list` on `pods`);
//! - the node's kubelet (`GET /pods`), which answers with the pods it runs and needs no API
//!   server: for nodes that cannot reach it, and for fleets whose API server should not be
//!   asked by every node. On the authenticated port (10250) the kubelet authorizes `/pods` as
//!   `get` on `nodes/proxy`, which also allows exec through the kubelet: the read-only port
//!   (10255), where a cluster still enables it, needs nothing.
//!
//! [`NodePods`] keeps the
//! directory current on a thread of its own: a relist at a fixed interval, and sooner when the
//! sensor meets a container the directory does not know yet (a pod that just started), at
//! most once per `min_gap`, so a burst of unknown containers costs one request.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, PoisonError, RwLock};
use std::thread;
use std::time::{Duration, Instant};

use harrier_core::yaml::Node;

use kube::api::{DynamicObject, ObjectList};
use kube::discovery::ApiResource;

use super::{ClusterError, ClusterOptions, Wanted, add_object, describe, io_runtime, read_cluster};
use crate::Object;
use crate::load::Loaded;

const PODS: &[Wanted] = &[Wanted {
    group: "",
    resource: "pods",
}];

/// The workload that owns a pod, as `kubectl` names it: a ReplicaSet created by a Deployment
/// is reported as the Deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// `Deployment`, `ReplicaSet`, `DaemonSet`, `StatefulSet`, `Job`, or another controller's kind.
    pub kind: String,
    /// The owner's name.
    pub name: String,
}

/// What the API server says about one pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodContext {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.uid`.
    pub uid: String,
    /// `metadata.labels`.
    pub labels: BTreeMap<String, String>,
    /// `spec.serviceAccountName` (`default` when unset, as the API server fills it in).
    pub service_account: String,
    /// `spec.nodeName`.
    pub node: Option<String>,
    /// The controlling owner, if any.
    pub owner: Option<Owner>,
}

/// One container of a pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodContainer {
    /// Its pod.
    pub pod: Arc<PodContext>,
    /// The container's name in the pod spec.
    pub name: String,
    /// The image the container runs (from its status, else its spec).
    pub image: Option<String>,
}

/// The pods of a node by container id and by pod uid.
#[derive(Debug, Clone, Default)]
pub struct PodDirectory {
    containers: HashMap<String, PodContainer>,
    pods: HashMap<String, Arc<PodContext>>,
}

impl PodDirectory {
    /// Indexes the `Pod` objects among `objects` (others are ignored).
    pub fn from_objects(objects: &[Object]) -> PodDirectory {
        let mut directory = PodDirectory::default();
        for object in objects.iter().filter(|o| o.kind() == "Pod") {
            directory.add(object);
        }
        directory
    }

    fn add(&mut self, object: &Object) {
        let node = &object.node;
        let text = |path: &str| {
            node.get_path(path)
                .and_then(Node::as_str)
                .map(str::to_owned)
        };
        let Some(uid) = text("metadata.uid") else {
            return;
        };
        let pod = Arc::new(PodContext {
            namespace: object.resource.namespace.clone().unwrap_or_default(),
            name: object.resource.name.clone().unwrap_or_default(),
            uid: uid.clone(),
            labels: object.labels.clone(),
            service_account: text("spec.serviceAccountName")
                .or_else(|| text("spec.serviceAccount"))
                .unwrap_or_else(|| "default".to_owned()),
            node: text("spec.nodeName"),
            owner: controller(node, &object.labels),
        });
        let spec_images = spec_images(node);
        for statuses in [
            "status.initContainerStatuses",
            "status.containerStatuses",
            "status.ephemeralContainerStatuses",
        ] {
            for status in node
                .get_path(statuses)
                .and_then(Node::as_seq)
                .unwrap_or(&[])
            {
                let field = |key: &str| status.get(key).and_then(Node::as_str);
                let (Some(id), Some(name)) =
                    (field("containerID").and_then(bare_id), field("name"))
                else {
                    continue;
                };
                let image = field("image")
                    .filter(|i| !i.is_empty())
                    .map(str::to_owned)
                    .or_else(|| spec_images.get(name).cloned());
                self.containers.insert(
                    id.to_owned(),
                    PodContainer {
                        pod: pod.clone(),
                        name: name.to_owned(),
                        image,
                    },
                );
            }
        }
        self.pods.insert(uid, pod);
    }

    /// The container with this id: the full id, or a prefix of at least 12 hex digits (as
    /// `container.id` gives it).
    pub fn container(&self, id: &str) -> Option<&PodContainer> {
        if let Some(found) = self.containers.get(id) {
            return Some(found);
        }
        if id.len() < 12 {
            return None;
        }
        let mut matches = self.containers.iter().filter(|(k, _)| k.starts_with(id));
        match (matches.next(), matches.next()) {
            (Some((_, found)), None) => Some(found),
            _ => None,
        }
    }

    /// The pod with this uid (from a kubepods cgroup path, say).
    pub fn pod(&self, uid: &str) -> Option<&Arc<PodContext>> {
        self.pods.get(uid)
    }

    /// Pods indexed.
    pub fn pods(&self) -> usize {
        self.pods.len()
    }

    /// Containers indexed.
    pub fn containers(&self) -> usize {
        self.containers.len()
    }
}

/// `containerd://ab12…` → `ab12…`; `None` for an empty or prefix-less id (a container not
/// started yet).
fn bare_id(id: &str) -> Option<&str> {
    let (_, bare) = id.split_once("://")?;
    (!bare.is_empty()).then_some(bare)
}

fn spec_images(pod: &Node) -> HashMap<&str, String> {
    let mut images = HashMap::new();
    for list in [
        "spec.initContainers",
        "spec.containers",
        "spec.ephemeralContainers",
    ] {
        for c in pod.get_path(list).and_then(Node::as_seq).unwrap_or(&[]) {
            if let (Some(name), Some(image)) = (
                c.get("name").and_then(Node::as_str),
                c.get("image").and_then(Node::as_str),
            ) {
                images.insert(name, image.to_owned());
            }
        }
    }
    images
}

/// The controlling owner reference; a ReplicaSet whose name is a Deployment's plus the pod's
/// `pod-template-hash` is reported as that Deployment (the Deployment controller names its
/// ReplicaSets so), which saves listing ReplicaSets on every node.
fn controller(pod: &Node, labels: &BTreeMap<String, String>) -> Option<Owner> {
    let refs = pod.get_path("metadata.ownerReferences")?.as_seq()?;
    let owner = refs
        .iter()
        .find(|r| r.get("controller").and_then(Node::as_bool) == Some(true))
        .or(refs.first())?;
    let kind = owner.get("kind").and_then(Node::as_str)?;
    let name = owner.get("name").and_then(Node::as_str)?;
    if kind == "ReplicaSet" {
        if let Some(deployment) = labels
            .get("pod-template-hash")
            .and_then(|hash| name.strip_suffix(hash.as_str()))
            .and_then(|rest| rest.strip_suffix('-'))
            .filter(|d| !d.is_empty())
        {
            return Some(Owner {
                kind: "Deployment".to_owned(),
                name: deployment.to_owned(),
            });
        }
    }
    Some(Owner {
        kind: kind.to_owned(),
        name: name.to_owned(),
    })
}

/// Lists the pods on `node` (all pods when `None`) and indexes them. `options.resources` and
/// `options.field_selector` are set here.
pub fn read_node_pods(
    options: &ClusterOptions,
    node: Option<&str>,
) -> Result<PodDirectory, ClusterError> {
    let options = ClusterOptions {
        resources: PODS,
        field_selector: node.map(|n| format!("spec.nodeName={n}")),
        ..options.clone()
    };
    let snapshot = read_cluster(&options)?;
    if let Some(skipped) = snapshot.skipped.first() {
        return Err(ClusterError::Unreachable {
            server: snapshot.server,
            message: format!("cannot list pods: {}", skipped.reason),
        });
    }
    Ok(PodDirectory::from_objects(&snapshot.loaded.objects))
}

/// How to reach the node's kubelet.
#[derive(Debug, Clone, Default)]
pub struct KubeletOptions {
    /// `https://NODE:10250` (the authenticated port) or `http://127.0.0.1:10255` (the
    /// read-only port, where enabled).
    pub url: String,
    /// A bearer token file, read again on every list so rotated tokens are picked up (the
    /// pod's service-account token, typically).
    pub token_file: Option<PathBuf>,
    /// The CA (PEM) that signed the kubelet's serving certificate; the system's roots when
    /// `None`. A kubeadm kubelet signs its own: `/var/lib/kubelet/pki/kubelet.crt`.
    pub ca_file: Option<PathBuf>,
    /// The name the serving certificate must carry, when the URL's host is not it (an
    /// address, say).
    pub tls_server_name: Option<String>,
    /// Accept any serving certificate: for self-signed kubelet certificates whose CA the
    /// sensor cannot be given. The token is then sent to whoever answers at the URL.
    pub insecure_skip_tls_verify: bool,
}

/// Where a node's pods are listed from.
#[derive(Debug, Clone)]
pub enum PodSource {
    /// The API server `options` reach, the pods on `node` (every pod when `None`).
    Api {
        /// The cluster's options; `resources` and `field_selector` are set when listing.
        options: ClusterOptions,
        /// The node.
        node: Option<String>,
    },
    /// The node's kubelet: the pods it runs.
    Kubelet(KubeletOptions),
}

impl PodSource {
    /// Lists the pods and indexes them.
    pub fn read(&self) -> Result<PodDirectory, ClusterError> {
        match self {
            PodSource::Api { options, node } => read_node_pods(options, node.as_deref()),
            PodSource::Kubelet(kubelet) => read_kubelet_pods(kubelet),
        }
    }

    /// Where the pods come from, for messages.
    pub fn describe(&self) -> String {
        match self {
            PodSource::Api { .. } => "the Kubernetes API".to_owned(),
            PodSource::Kubelet(kubelet) => format!("the kubelet at {}", kubelet.url),
        }
    }
}

/// Lists the pods the kubelet runs (`GET /pods`, a `PodList` like the API server's) and
/// indexes them.
pub fn read_kubelet_pods(kubelet: &KubeletOptions) -> Result<PodDirectory, ClusterError> {
    let unreachable = |message: String| ClusterError::Unreachable {
        server: kubelet.url.clone(),
        message,
    };
    let url: http::Uri = kubelet
        .url
        .parse()
        .map_err(|e| ClusterError::Config(format!("--kubelet {}: {e}", kubelet.url)))?;
    let mut config = kube::Config::new(url);
    if let Some(path) = &kubelet.token_file {
        config
            .headers
            .push((http::header::AUTHORIZATION, bearer(path)?));
    }
    config.root_cert_file.clone_from(&kubelet.ca_file);
    config.tls_server_name.clone_from(&kubelet.tls_server_name);
    config.accept_invalid_certs = kubelet.insecure_skip_tls_verify;
    config.read_timeout = Some(Duration::from_secs(30));
    let request = http::Request::get("/pods")
        .body(Vec::new())
        .map_err(|e| ClusterError::Config(e.to_string()))?;
    let text = io_runtime()?.block_on(async {
        let client = kube::Client::try_from(config)
            .map_err(|e| ClusterError::Config(format!("--kubelet: {}", describe(&e))))?;
        client
            .request_text(request)
            .await
            .map_err(|e| unreachable(describe(&e)))
    })?;
    let list: ObjectList<DynamicObject> = serde_json::from_str(&text)
        .map_err(|e| unreachable(format!("GET /pods did not return a PodList: {e}")))?;
    let pod = ApiResource {
        group: String::new(),
        version: "v1".to_owned(),
        api_version: "v1".to_owned(),
        kind: "Pod".to_owned(),
        plural: "pods".to_owned(),
    };
    let mut loaded = Loaded::default();
    for mut item in list.items {
        add_object(&mut item, &pod, "kubelet", &mut loaded);
    }
    Ok(PodDirectory::from_objects(&loaded.objects))
}

/// `Bearer TOKEN` from a token file, read afresh (each list builds its client, so a rotated
/// token is used from the next list on) and trimmed, as client-go trims it.
fn bearer(path: &std::path::Path) -> Result<http::HeaderValue, ClusterError> {
    let bad = |why: &str| ClusterError::Config(format!("{}: {why}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(&e.to_string()))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(bad("the token file is empty"));
    }
    let mut value = http::HeaderValue::try_from(format!("Bearer {token}"))
        .map_err(|_| bad("the token holds characters a header cannot carry"))?;
    value.set_sensitive(true);
    Ok(value)
}

/// Counters of a [`NodePods`].
#[derive(Debug, Default)]
pub struct NodePodsStats {
    /// Lists that succeeded.
    pub refreshes: AtomicU64,
    /// Lists that failed (the previous directory stays in use).
    pub failures: AtomicU64,
    /// Refreshes asked for because a container was unknown.
    pub requested: AtomicU64,
}

/// Timing of a [`NodePods`].
#[derive(Debug, Clone, Copy)]
pub struct Refresh {
    /// Relist at least this often.
    pub interval: Duration,
    /// Never relist more often than this, however many refreshes are asked for.
    pub min_gap: Duration,
}

impl Default for Refresh {
    fn default() -> Refresh {
        Refresh {
            interval: Duration::from_secs(30),
            min_gap: Duration::from_secs(2),
        }
    }
}

/// A node's pod directory kept current by a background thread.
#[derive(Debug)]
pub struct NodePods {
    current: Arc<RwLock<Arc<PodDirectory>>>,
    wake: SyncSender<()>,
    stats: Arc<NodePodsStats>,
    last_error: Arc<RwLock<Option<String>>>,
}

impl NodePods {
    /// Lists the node's pods once (so that an unreachable source is reported at start), then
    /// keeps the directory current on a thread that ends when the `NodePods` is dropped.
    pub fn start(source: PodSource, refresh: Refresh) -> Result<NodePods, ClusterError> {
        let first = source.read()?;
        let current = Arc::new(RwLock::new(Arc::new(first)));
        let stats = Arc::new(NodePodsStats::default());
        stats.refreshes.fetch_add(1, Ordering::Relaxed);
        let last_error = Arc::new(RwLock::new(None));
        // One pending wake-up is enough: requests that arrive while one is pending coalesce.
        let (wake, woken) = mpsc::sync_channel::<()>(1);
        let (shared, counters, errors) = (current.clone(), stats.clone(), last_error.clone());
        thread::Builder::new()
            .name("harrier-node-pods".to_owned())
            .spawn(move || {
                let mut last = Instant::now();
                loop {
                    match woken.recv_timeout(refresh.interval) {
                        Ok(()) => {
                            let since = last.elapsed();
                            if since < refresh.min_gap {
                                thread::sleep(refresh.min_gap - since);
                            }
                        }
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                    last = Instant::now();
                    match source.read() {
                        Ok(directory) => {
                            *shared.write().unwrap_or_else(PoisonError::into_inner) =
                                Arc::new(directory);
                            *errors.write().unwrap_or_else(PoisonError::into_inner) = None;
                            counters.refreshes.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => {
                            *errors.write().unwrap_or_else(PoisonError::into_inner) =
                                Some(e.to_string());
                            counters.failures.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
            .map_err(|e| ClusterError::Config(format!("cannot start the pod lister: {e}")))?;
        Ok(NodePods {
            current,
            wake,
            stats,
            last_error,
        })
    }

    /// The directory as last listed.
    pub fn current(&self) -> Arc<PodDirectory> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Asks for a relist soon (a container was not found): never blocks.
    pub fn request_refresh(&self) {
        self.stats.requested.fetch_add(1, Ordering::Relaxed);
        match self.wake.try_send(()) {
            Ok(()) | Err(TrySendError::Full(())) | Err(TrySendError::Disconnected(())) => {}
        }
    }

    /// The counters.
    pub fn stats(&self) -> &NodePodsStats {
        &self.stats
    }

    /// The last failed list's error, if the last list failed.
    pub fn last_error(&self) -> Option<String> {
        self.last_error
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}
