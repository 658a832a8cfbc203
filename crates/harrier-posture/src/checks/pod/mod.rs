//! Checks on pod templates and their containers (`HRR-POD`), and on the objects that decide how
//! many of a workload's pods run (PodDisruptionBudgets, HorizontalPodAutoscalers).
//!
//! Besides the checks, this module holds the readings of a pod spec that several checks share
//! and that must agree between them: which containers run for the pod's lifetime, the
//! effective security context values (container over pod), capability names as the runtime
//! reads them, host paths after normalisation, label-selector matching, which ServiceAccount a
//! pod runs as, how probe ports resolve, how the Kubernetes Dashboard is recognised, and which
//! autoscaler owns a controller's replica count.

use std::collections::BTreeMap;

use harrier_core::FieldPath;
use harrier_core::yaml::Node;
use harrier_k8s::k8s_openapi::api::core::v1::{
    Capabilities, Container, ContainerPort, PodSecurityContext, PodSpec, Probe,
    ResourceRequirements, SecurityContext, Volume,
};
use harrier_k8s::k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use harrier_k8s::k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use harrier_k8s::{ContainerKind, ContainerRef, Object, ObjectIndex, Workload};

use crate::{Check, Emitter, PodContext};

mod anti_affinity_missing;
mod bare_pod;
mod container_runtime_socket_mounted;
mod cpu_limit_missing;
mod cpu_request_missing;
mod credential_in_env_value;
mod dangerous_capability_added;
mod dashboard_deployed;
mod dashboard_insecure_login;
mod dashboard_skip_login;
mod default_service_account_used;
mod deprecated_image_registry;
mod deprecated_service_account_field;
mod duplicate_env_var;
mod host_path_writable;
mod hpa_min_replicas_low;
mod image_digest_missing;
mod image_pull_policy_not_always;
mod image_tag_latest;
mod image_tag_missing;
mod liveness_port_not_exposed;
mod liveness_probe_missing;
mod memory_limit_missing;
mod memory_request_missing;
mod mismatching_selector;
mod mount_propagation_bidirectional;
mod net_raw_capability_not_dropped;
mod non_existent_service_account;
mod pdb_blocks_eviction;
mod priority_class_missing;
mod privileged_port_bound;
mod readiness_port_not_exposed;
mod readiness_probe_missing;
mod rolling_update_strategy_missing;
mod root_filesystem_writable;
mod run_as_low_uid;
mod run_as_root_group;
mod secret_in_env_var;
mod security_context_missing;
pub(crate) mod sensitive_host_path_mounted;
mod service_account_token_automounted;
mod shared_process_namespace;
mod single_replica;
mod ssh_port_exposed;
mod startup_port_not_exposed;
mod sudo_in_entrypoint;
mod sys_admin_capability;
mod tiller_deployed;

/// The group's checks, sorted by id.
pub static CHECKS: &[&Check] = &[
    &image_tag_latest::CHECK,
    &image_tag_missing::CHECK,
    &image_digest_missing::CHECK,
    &image_pull_policy_not_always::CHECK,
    &cpu_request_missing::CHECK,
    &cpu_limit_missing::CHECK,
    &memory_request_missing::CHECK,
    &memory_limit_missing::CHECK,
    &liveness_probe_missing::CHECK,
    &readiness_probe_missing::CHECK,
    &root_filesystem_writable::CHECK,
    &sensitive_host_path_mounted::CHECK,
    &container_runtime_socket_mounted::CHECK,
    &host_path_writable::CHECK,
    &service_account_token_automounted::CHECK,
    &default_service_account_used::CHECK,
    &sys_admin_capability::CHECK,
    &net_raw_capability_not_dropped::CHECK,
    &dangerous_capability_added::CHECK,
    &run_as_low_uid::CHECK,
    &run_as_root_group::CHECK,
    &privileged_port_bound::CHECK,
    &ssh_port_exposed::CHECK,
    &secret_in_env_var::CHECK,
    &credential_in_env_value::CHECK,
    &shared_process_namespace::CHECK,
    &mount_propagation_bidirectional::CHECK,
    &bare_pod::CHECK,
    &security_context_missing::CHECK,
    &duplicate_env_var::CHECK,
    &mismatching_selector::CHECK,
    &anti_affinity_missing::CHECK,
    &rolling_update_strategy_missing::CHECK,
    &single_replica::CHECK,
    &priority_class_missing::CHECK,
    &deprecated_service_account_field::CHECK,
    &non_existent_service_account::CHECK,
    &tiller_deployed::CHECK,
    &dashboard_skip_login::CHECK,
    &dashboard_insecure_login::CHECK,
    &liveness_port_not_exposed::CHECK,
    &readiness_port_not_exposed::CHECK,
    &startup_port_not_exposed::CHECK,
    &dashboard_deployed::CHECK,
    &deprecated_image_registry::CHECK,
    &sudo_in_entrypoint::CHECK,
    &pdb_blocks_eviction::CHECK,
    &hpa_min_replicas_low::CHECK,
];

/// Whether a container runs for the pod's whole life: a regular container, or a native
/// sidecar (an init container with `restartPolicy: Always`, Kubernetes 1.29+). Plain init
/// containers run to completion before the others start, and ephemeral containers are
/// debugging sessions, so reliability checks (probes, resources) skip both.
pub(crate) fn is_long_running(c: &ContainerRef<'_>) -> bool {
    match c.kind {
        ContainerKind::Regular => true,
        ContainerKind::Init => c.container.restart_policy.as_deref() == Some("Always"),
        ContainerKind::Ephemeral => false,
    }
}

/// Whether the pod runs to completion rather than being kept running: Jobs and CronJobs, and
/// bare Pods whose `restartPolicy` is `Never` or `OnFailure`.
pub(crate) fn runs_to_completion(object: &Object, spec: &PodSpec) -> bool {
    matches!(object.kind(), "Job" | "CronJob")
        || matches!(spec.restart_policy.as_deref(), Some("Never" | "OnFailure"))
}

/// Whether the pod declares itself a Windows pod, for which Linux-only settings (capabilities,
/// UIDs and GIDs) mean nothing.
pub(crate) fn is_windows(spec: &PodSpec) -> bool {
    spec.os
        .as_ref()
        .is_some_and(|os| os.name.eq_ignore_ascii_case("windows"))
}

/// A capability name as the container runtime reads it: case-insensitive, with or without
/// the `CAP_` prefix (`cap_sys_admin`, `SYS_ADMIN` and `CAP_SYS_ADMIN` are one capability).
pub(crate) fn capability_name(raw: &str) -> String {
    let upper = raw.trim().to_ascii_uppercase();
    match upper.strip_prefix("CAP_") {
        Some(rest) => rest.to_owned(),
        None => upper,
    }
}

/// The container's `securityContext.capabilities`, if any.
pub(crate) fn capabilities<'a>(c: &ContainerRef<'a>) -> Option<&'a Capabilities> {
    c.container.security_context.as_ref()?.capabilities.as_ref()
}

/// The capabilities a container adds, normalised, each with its index in `add`.
pub(crate) fn added_capabilities(c: &ContainerRef<'_>) -> Vec<(usize, String)> {
    capabilities(c)
        .and_then(|caps| caps.add.as_deref())
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, raw)| (i, capability_name(raw)))
        .collect()
}

/// Where a security context value of a container comes from: the container overrides the pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetAt {
    /// The container's `securityContext`.
    Container,
    /// The pod's `securityContext`.
    Pod,
}

/// The effective value of a field that both `securityContext`s have, and where it was set.
pub(crate) fn effective<T: Copy>(
    c: &ContainerRef<'_>,
    spec: &PodSpec,
    container: impl Fn(&SecurityContext) -> Option<T>,
    pod: impl Fn(&PodSecurityContext) -> Option<T>,
) -> Option<(T, SetAt)> {
    if let Some(v) = c.container.security_context.as_ref().and_then(&container) {
        return Some((v, SetAt::Container));
    }
    spec.security_context
        .as_ref()
        .and_then(&pod)
        .map(|v| (v, SetAt::Pod))
}

/// The path of a field of the pod's `securityContext` (`"runAsUser"`).
pub(crate) fn pod_security_field(w: &Workload, field: &'static str) -> FieldPath {
    w.spec_path().key("securityContext").key(field)
}

/// A host path as the kubelet resolves it: `.` and empty segments dropped, `..` applied, and
/// no trailing slash, so `/etc/`, `/etc/.` and `/var/../etc` all read as `/etc`. Relative paths
/// are read from `/`, as hostPath only accepts absolute paths.
pub(crate) fn normalize_host_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Whether normalised `path` is `dir` or inside it. `/` is matched only by itself: every path
/// is under it, and a list of sensitive directories that names `/` means the whole host.
pub(crate) fn is_at_or_under(path: &str, dir: &str) -> bool {
    if dir == "/" {
        return path == "/";
    }
    path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The pod's hostPath volumes: index in `volumes`, the volume, and its normalised path.
pub(crate) fn host_path_volumes(spec: &PodSpec) -> impl Iterator<Item = (usize, &Volume, String)> {
    spec.volumes
        .as_deref()
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            v.host_path
                .as_ref()
                .map(|hp| (i, v, normalize_host_path(&hp.path)))
        })
}

/// The container runtime's control sockets and their directories. Mounting any of them gives
/// the container the runtime's API, and with it every container on the node.
const RUNTIME_SOCKET_FILES: [&str; 5] = [
    "docker.sock",
    "containerd.sock",
    "crio.sock",
    "cri-dockerd.sock",
    "podman.sock",
];
const RUNTIME_SOCKET_DIRS: [&str; 7] = [
    "/var/run/docker",
    "/run/docker",
    "/var/run/containerd",
    "/run/containerd",
    "/var/run/crio",
    "/run/crio",
    "/run/podman",
];

/// Whether a normalised host path is a container runtime socket or a directory holding one.
pub(crate) fn is_runtime_socket(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    RUNTIME_SOCKET_FILES.contains(&file) || RUNTIME_SOCKET_DIRS.contains(&path)
}

pub(crate) use crate::identity::{namespace_of, service_account_name};

/// The field naming the pod's ServiceAccount, for findings about it.
pub(crate) fn service_account_field(w: &Workload) -> FieldPath {
    let key = match (&w.spec.service_account_name, &w.spec.service_account) {
        (Some(n), _) if !n.is_empty() => "serviceAccountName",
        (_, Some(n)) if !n.is_empty() => "serviceAccount",
        _ => "serviceAccountName",
    };
    w.spec_path().key(key)
}

/// The ServiceAccounts of the scan in `namespace`.
pub(crate) fn service_accounts_in<'a>(
    index: &'a ObjectIndex,
    namespace: &'a str,
) -> impl Iterator<Item = &'a Object> {
    index
        .of_kind("ServiceAccount")
        .filter(move |sa| sa.group().is_empty() && namespace_of(sa) == namespace)
}

/// `spec.replicas` of a controller, when written as an integer.
pub(crate) fn replicas(object: &Object) -> Option<i64> {
    object.node.get_path("spec.replicas").and_then(Node::as_i64)
}

/// A probe port or named port: the number, or the name to resolve against the container's
/// ports. A string of digits is a number, as the kubelet reads it.
pub(crate) enum PortRef<'a> {
    Number(i64),
    Name(&'a str),
}

impl<'a> PortRef<'a> {
    pub(crate) fn of(port: &'a IntOrString) -> PortRef<'a> {
        match port {
            IntOrString::Int(n) => PortRef::Number(i64::from(*n)),
            IntOrString::String(s) => match s.trim().parse::<i64>() {
                Ok(n) => PortRef::Number(n),
                Err(_) => PortRef::Name(s.as_str()),
            },
        }
    }
}

/// Which probe of a container a check reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProbeKind {
    Liveness,
    Readiness,
    Startup,
}

impl ProbeKind {
    /// The container field (`livenessProbe`).
    fn field(self) -> &'static str {
        match self {
            ProbeKind::Liveness => "livenessProbe",
            ProbeKind::Readiness => "readinessProbe",
            ProbeKind::Startup => "startupProbe",
        }
    }

    /// What the probe checks, for messages ("probes liveness").
    fn noun(self) -> &'static str {
        match self {
            ProbeKind::Liveness => "liveness",
            ProbeKind::Readiness => "readiness",
            ProbeKind::Startup => "startup",
        }
    }

    fn of(self, container: &Container) -> Option<&Probe> {
        match self {
            ProbeKind::Liveness => container.liveness_probe.as_ref(),
            ProbeKind::Readiness => container.readiness_probe.as_ref(),
            ProbeKind::Startup => container.startup_probe.as_ref(),
        }
    }
}

/// Reports each container whose `kind` probe uses `httpGet`, `tcpSocket` or `grpc` on a port that
/// is not among the container's TCP `ports`: a name the kubelet cannot resolve (so the probe
/// always fails), or a number the container does not declare. Probes of another `host` are not
/// about this container and are skipped, as are `exec` probes.
pub(crate) fn report_probe_port_not_declared(
    ctx: &PodContext<'_>,
    out: &mut Emitter<'_>,
    kind: ProbeKind,
) {
    for c in ctx.workload.containers() {
        let Some(probe) = kind.of(c.container) else {
            continue;
        };
        let (handler, port, probes_other_host) = if let Some(http) = probe.http_get.as_ref() {
            (
                "httpGet",
                PortRef::of(&http.port),
                http.host.as_deref().is_some_and(|h| !h.is_empty()),
            )
        } else if let Some(tcp) = probe.tcp_socket.as_ref() {
            (
                "tcpSocket",
                PortRef::of(&tcp.port),
                tcp.host.as_deref().is_some_and(|h| !h.is_empty()),
            )
        } else if let Some(grpc) = probe.grpc.as_ref() {
            ("grpc", PortRef::Number(i64::from(grpc.port)), false)
        } else {
            continue;
        };
        if probes_other_host {
            continue;
        }
        let ports = c.container.ports.as_deref().unwrap_or_default();
        let is_tcp = |p: &&ContainerPort| {
            p.protocol
                .as_deref()
                .is_none_or(|proto| proto.eq_ignore_ascii_case("TCP"))
        };
        let problem = match port {
            PortRef::Number(n) => {
                if ports
                    .iter()
                    .filter(is_tcp)
                    .any(|p| i64::from(p.container_port) == n)
                {
                    continue;
                }
                if ports.iter().any(|p| i64::from(p.container_port) == n) {
                    format!("port {n}, which the container declares only for UDP or SCTP")
                } else {
                    format!("port {n}, which is not among the container's `ports`")
                }
            }
            PortRef::Name(name) => {
                if ports
                    .iter()
                    .filter(is_tcp)
                    .any(|p| p.name.as_deref() == Some(name))
                {
                    continue;
                }
                if ports.iter().any(|p| p.name.as_deref() == Some(name)) {
                    format!(
                        "port `{name}`, which the container declares only for UDP or SCTP, so the probe always fails"
                    )
                } else {
                    format!(
                        "port `{name}`, but no port of the container has that name, so the probe always fails"
                    )
                }
            }
        };
        out.emit_container(
            &c,
            c.path().key(kind.field()).key(handler).key("port"),
            format!(
                "container `{}` probes {} with `{handler}` on {problem}",
                c.name(),
                kind.noun()
            ),
        );
    }
}

/// One occurrence of a command-line flag in a container's `command` or `args`.
pub(crate) struct FlagUse {
    /// The `command`/`args` element it is written in.
    pub path: FieldPath,
    /// Its value: after `=`, or the next word for `--flag value`; `None` for a bare flag.
    pub value: Option<String>,
}

/// Every use of `--name` (or `-name`) in a container's `command` and `args`, read as Go's
/// pflag reads them. Elements are split on whitespace as well, so a flag inside an
/// `sh -c "…"` script is found too. With `takes_value`, a flag without `=` takes the next
/// word as its value; boolean flags do not.
pub(crate) fn flag_uses(c: &ContainerRef<'_>, name: &str, takes_value: bool) -> Vec<FlagUse> {
    let mut found = Vec::new();
    for (field, list) in [
        ("command", &c.container.command),
        ("args", &c.container.args),
    ] {
        let words: Vec<(usize, &str)> = list
            .iter()
            .flatten()
            .enumerate()
            .flat_map(|(i, element)| element.split_whitespace().map(move |w| (i, w)))
            .collect();
        for (k, (i, word)) in words.iter().enumerate() {
            let Some(flag) = word.strip_prefix("--").or_else(|| word.strip_prefix('-')) else {
                continue;
            };
            let (flag_name, inline) = match flag.split_once('=') {
                Some((n, v)) => (n, Some(v.trim_matches(['"', '\'']).to_owned())),
                None => (flag, None),
            };
            if flag_name != name {
                continue;
            }
            let value = inline.or_else(|| {
                takes_value
                    .then(|| {
                        words
                            .get(k + 1)
                            .map(|(_, next)| next.trim_matches(['"', '\'']).to_owned())
                    })
                    .flatten()
            });
            found.push(FlagUse {
                path: c.path().key(field).index(*i),
                value,
            });
        }
    }
    found
}

/// Whether a boolean flag's value turns it on, as Go's `strconv.ParseBool` reads it.
pub(crate) fn flag_is_true(value: Option<&str>) -> bool {
    value.is_none_or(|v| matches!(v, "1" | "t" | "T" | "true" | "TRUE" | "True"))
}

/// Whether a container is the Kubernetes Dashboard: its image repository or its name, or the
/// pod template's `k8s-app`/`app`/`app.kubernetes.io/name` label, names the dashboard.
pub(crate) fn is_dashboard(w: &Workload, c: &ContainerRef<'_>) -> bool {
    let image_says = c.container.image.as_deref().is_some_and(|image| {
        let repository = ImageRef::parse(image).repository;
        let last = repository.rsplit('/').next().unwrap_or_default();
        last.contains("dashboard")
    });
    image_says || c.name().contains("dashboard") || dashboard_label(w).is_some()
}

/// An image the Kubernetes Dashboard project publishes: `kubernetesui/dashboard` (v2) and v7's
/// `kubernetesui/dashboard-api`, `-web` and `-auth`, or v1's `kubernetes-dashboard-amd64` and its
/// siblings. The metrics scraper that ships beside the dashboard serves no UI and is left out.
pub(crate) fn is_dashboard_image(image: &str) -> bool {
    let repository = ImageRef::parse(image).repository;
    let mut parts = repository.rsplit('/');
    let last = parts.next().unwrap_or_default();
    let owner = parts.next();
    if last.ends_with("metrics-scraper") {
        return false;
    }
    last.starts_with("kubernetes-dashboard")
        || (owner == Some("kubernetesui") && last.starts_with("dashboard"))
}

/// The pod template label that names the Kubernetes Dashboard, as the upstream manifests
/// (`k8s-app: kubernetes-dashboard`) and Helm charts (`app`, `app.kubernetes.io/name`) set it:
/// its key and value. The metrics scraper's labels do not count (see [`is_dashboard_image`]).
pub(crate) fn dashboard_label(w: &Workload) -> Option<(&'static str, &str)> {
    let labels = w.metadata.labels.as_ref()?;
    ["k8s-app", "app", "app.kubernetes.io/name"]
        .into_iter()
        .find_map(|key| {
            let value = labels.get(key)?;
            (value.contains("kubernetes-dashboard") && !value.ends_with("metrics-scraper"))
                .then_some((key, value.as_str()))
        })
}

/// The autoscaler of the scan that owns a controller's replica count, and the fewest replicas
/// it scales the controller to.
pub(crate) struct Autoscaler<'a> {
    /// The HorizontalPodAutoscaler or KEDA ScaledObject.
    pub object: &'a Object,
    /// `minReplicas` (default 1) or `minReplicaCount` (default 0).
    pub min_replicas: i64,
}

/// The HorizontalPodAutoscaler whose `scaleTargetRef` names `object`, or the KEDA ScaledObject
/// that does (KEDA creates the autoscaler itself; its target kind defaults to Deployment).
/// Manifests of autoscaled controllers rightly leave `replicas` out.
pub(crate) fn autoscaler_of<'a>(object: &Object, index: &'a ObjectIndex) -> Option<Autoscaler<'a>> {
    let namespace = namespace_of(object);
    let name = object.resource.name.as_deref()?;
    let targets = |scaler: &Object, default_kind: Option<&str>| {
        let target = scaler.node.get_path("spec.scaleTargetRef");
        let field = |f: &str| target.and_then(|t| t.get(f)).and_then(Node::as_str);
        namespace_of(scaler) == namespace
            && field("kind").or(default_kind) == Some(object.kind())
            && field("name") == Some(name)
    };
    let min = |scaler: &Object, path: &str, default: i64| {
        scaler
            .node
            .get_path(path)
            .and_then(Node::as_i64)
            .unwrap_or(default)
    };
    let hpa = index.of_kind("HorizontalPodAutoscaler").find_map(|hpa| {
        (hpa.group() == "autoscaling" && targets(hpa, None)).then(|| Autoscaler {
            object: hpa,
            min_replicas: min(hpa, "spec.minReplicas", 1),
        })
    });
    hpa.or_else(|| {
        index.of_kind("ScaledObject").find_map(|so| {
            (so.group() == "keda.sh" && targets(so, Some("Deployment"))).then(|| Autoscaler {
                object: so,
                min_replicas: min(so, "spec.minReplicaCount", 0),
            })
        })
    })
}

/// Which side of a container's resources a check wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bound {
    Request,
    Limit,
}

/// Reports every long-running container that sets no `resource` `bound`. A limit also counts
/// as the request (Kubernetes copies a limit into an unset request), and pod-level
/// `spec.resources` (Kubernetes 1.32+) bound all containers together.
pub(crate) fn report_missing_resource(
    ctx: &PodContext<'_>,
    out: &mut Emitter<'_>,
    bound: Bound,
    resource: &'static str,
) {
    let set = |r: Option<&ResourceRequirements>| {
        r.is_some_and(|r| {
            let has = |m: Option<&BTreeMap<String, Quantity>>| {
                m.is_some_and(|m| m.get(resource).is_some_and(|q| !q.0.trim().is_empty()))
            };
            has(r.limits.as_ref()) || (bound == Bound::Request && has(r.requests.as_ref()))
        })
    };
    if set(ctx.workload.spec.resources.as_ref()) {
        return;
    }
    let (side, field, what) = match (bound, resource) {
        (Bound::Request, "cpu") => ("requests", "resources.requests.cpu", "CPU request"),
        (Bound::Limit, "cpu") => ("limits", "resources.limits.cpu", "CPU limit"),
        (Bound::Request, _) => ("requests", "resources.requests.memory", "memory request"),
        (Bound::Limit, _) => ("limits", "resources.limits.memory", "memory limit"),
    };
    for c in ctx.workload.containers().filter(is_long_running) {
        if !set(c.container.resources.as_ref()) {
            out.emit_container(
                &c,
                c.field(field),
                format!(
                    "container `{}` sets no {what} (`resources.{side}.{resource}`)",
                    c.name()
                ),
            );
        }
    }
}

/// A container image reference split into its parts, as the container runtime reads it:
/// `[registry/]repository[:tag][@digest]`. The registry is the first component when it looks
/// like a host (has `.` or `:`, or is `localhost`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ImageRef<'a> {
    pub registry: Option<&'a str>,
    pub repository: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    pub(crate) fn parse(image: &'a str) -> ImageRef<'a> {
        let image = image.trim();
        let (name, digest) = match image.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (image, None),
        };
        // A `:` after the last `/` separates the tag; one before it belongs to a registry port.
        let last_slash = name.rfind('/').map_or(0, |i| i + 1);
        let (path, tag) = match name[last_slash..].rfind(':') {
            Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
            None => (name, None),
        };
        let (registry, repository) = match path.split_once('/') {
            Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => {
                (Some(first), rest)
            }
            _ => (None, path),
        };
        ImageRef {
            registry,
            repository,
            tag,
            digest,
        }
    }

    /// Whether the image is pinned: it has a digest that is well formed by the OCI image
    /// specification (`algorithm:encoded`), with the exact length and lower-case hex encoding
    /// of the registered algorithms `sha256`, `sha512` and `blake3`. A malformed digest pins
    /// nothing: the runtime refuses to pull it.
    pub(crate) fn is_pinned(&self) -> bool {
        self.digest.is_some_and(is_valid_digest)
    }
}

fn is_valid_digest(digest: &str) -> bool {
    let Some((algorithm, encoded)) = digest.split_once(':') else {
        return false;
    };
    let lower_hex = |len: usize| {
        encoded.len() == len
            && encoded
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    match algorithm {
        "sha256" | "blake3" => lower_hex(64),
        "sha512" => lower_hex(128),
        _ => {
            let component_ok = |c: &str| {
                !c.is_empty()
                    && c.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            };
            algorithm.split(['+', '.', '_', '-']).all(component_ok)
                && !encoded.is_empty()
                && encoded
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'=' | b'_' | b'-'))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ImageRef;

    #[test]
    fn parses_image_references() {
        let r = ImageRef::parse("registry.example.com:5000/team/app:1.2@sha256:abc");
        assert_eq!(r.registry, Some("registry.example.com:5000"));
        assert_eq!(r.repository, "team/app");
        assert_eq!(r.tag, Some("1.2"));
        assert_eq!(r.digest, Some("sha256:abc"));
        let r = ImageRef::parse("nginx");
        assert_eq!(
            (r.registry, r.repository, r.tag, r.digest),
            (None, "nginx", None, None)
        );
        let r = ImageRef::parse("localhost:5000/app");
        assert_eq!(
            (r.registry, r.repository, r.tag),
            (Some("localhost:5000"), "app", None)
        );
        let r = ImageRef::parse("library/nginx:latest");
        assert_eq!(
            (r.registry, r.repository, r.tag),
            (None, "library/nginx", Some("latest"))
        );
    }

    #[test]
    fn pins_only_well_formed_digests() {
        let a64 = "a".repeat(64);
        let pinned = |image: String| ImageRef::parse(&image).is_pinned();
        assert!(pinned(format!("nginx@sha256:{a64}")));
        assert!(pinned(format!("nginx:1.25@blake3:{a64}")));
        assert!(pinned(format!("nginx@sha512:{}", "0".repeat(128))));
        assert!(pinned("nginx@custom-algorithm:a".to_owned()));
        assert!(!pinned("nginx@sha256:abc".to_owned()));
        assert!(!pinned(format!("nginx@sha256:{}", "A".repeat(64))));
        assert!(!pinned(format!("nginx@sha512:{a64}")));
        assert!(!pinned("nginx@Bad:x".to_owned()));
        assert!(!pinned("nginx:1.25".to_owned()));
    }
}
