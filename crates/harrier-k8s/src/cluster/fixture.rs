//! A stand-in API server for tests, on loopback: no Kubernetes API server can run where CI
//! runs, so the live-cluster path is tested against this one, which answers the requests
//! [`read_cluster`](super::read_cluster) makes the way the real server does.
//!
//! It serves discovery (`/api`, `/apis`, `/api/v1`, `/apis/GROUP/VERSION` with each resource's
//! scope and verbs), lists of every resource it holds, cluster-wide and per namespace, as
//! `*List` envelopes whose items carry no `apiVersion`/`kind`, paginated by `limit` with opaque
//! `continue` tokens and a `resourceVersion`, label selectors of the `key=value` and `key!=value`
//! forms, field selectors on dotted paths (`spec.nodeName=NODE`), and 403 `Status` bodies for resources it is told to forbid. Objects are given as JSON
//! values, typically real manifests loaded from the corpus.
//!
//! It also answers the writes response actions make, as the API server does: `GET` of one
//! object and of a `scale` subresource, `POST` to a collection (409 `AlreadyExists` when the
//! name is taken), `PATCH` with a JSON merge patch (415 for other patch types) of an object or
//! its `scale`, and `DELETE`; 404 `NotFound` for missing objects, 403 for forbidden resources.
//! Each request's body is kept, so tests can assert exactly what was sent.
//!
//! It also stands in for a node's kubelet: `GET /pods` answers with every pod it holds, as
//! the kubelet answers with the pods it runs.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Value, json};

/// A resource the fixture serves.
#[derive(Debug, Clone)]
struct Served {
    group: String,
    version: String,
    kind: String,
    plural: String,
    namespaced: bool,
    objects: Vec<Value>,
}

#[derive(Debug, Default)]
struct State {
    resources: Vec<Served>,
    forbidden: BTreeSet<String>,
    requests: Vec<String>,
    /// The body of each request in `requests`, as sent (empty for none).
    bodies: Vec<String>,
    /// The `Authorization` header of each request in `requests` (empty for none).
    authorizations: Vec<String>,
    /// What `/version` reports.
    git_version: String,
    /// The cluster's current `resourceVersion`: lists report it, each change increments it.
    revision: u64,
    /// Every change since the start, for watches.
    events: Vec<Recorded>,
    /// Incremented by [`FixtureServer::expire_watches`]: a watch started under an older
    /// generation ends with `410 Gone`.
    watch_generation: u64,
}

/// A change, as a watch streams it.
#[derive(Debug, Clone)]
struct Recorded {
    group: String,
    version: String,
    plural: String,
    namespace: Option<String>,
    kind: &'static str,
    object: Value,
    revision: u64,
}

/// A running fixture server; it lives until the process ends.
#[derive(Debug)]
pub struct FixtureServer {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    state: Arc<Mutex<State>>,
}

/// Kinds the fixture knows how to serve: kind → (plural, namespaced). Objects of other kinds
/// are served under a lower-cased plural, namespaced when they have a namespace.
const KNOWN: &[(&str, &str, bool)] = &[
    ("Namespace", "namespaces", false),
    ("Node", "nodes", false),
    ("PersistentVolume", "persistentvolumes", false),
    ("ClusterRole", "clusterroles", false),
    ("ClusterRoleBinding", "clusterrolebindings", false),
    (
        "MutatingWebhookConfiguration",
        "mutatingwebhookconfigurations",
        false,
    ),
    (
        "ValidatingWebhookConfiguration",
        "validatingwebhookconfigurations",
        false,
    ),
    (
        "CiliumClusterwideNetworkPolicy",
        "ciliumclusterwidenetworkpolicies",
        false,
    ),
    (
        "CustomResourceDefinition",
        "customresourcedefinitions",
        false,
    ),
    ("Endpoints", "endpoints", true),
    ("Ingress", "ingresses", true),
    ("NetworkPolicy", "networkpolicies", true),
    ("CiliumNetworkPolicy", "ciliumnetworkpolicies", true),
];

impl FixtureServer {
    /// Serves `objects` (each with `apiVersion`, `kind` and `metadata`) on a free loopback
    /// port. Namespaced objects without a namespace land in `default`, as `kubectl apply`
    /// would put them.
    pub fn start(objects: impl IntoIterator<Item = Value>) -> std::io::Result<FixtureServer> {
        let mut state = State {
            git_version: "v1.27.2".to_owned(),
            revision: 1000,
            ..State::default()
        };
        for object in objects {
            let _ = place(&mut state, object);
        }
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let base = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(Mutex::new(state));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = shared.clone();
                std::thread::spawn(move || {
                    let _ = serve_connection(stream, &shared);
                });
            }
        });
        Ok(FixtureServer { base, state })
    }

    /// Answers 403 to every list of `resource` (`secrets`, `roles.rbac.authorization.k8s.io`).
    pub fn forbid(&self, resource: &str) {
        lock(&self.state).forbidden.insert(resource.to_owned());
    }

    /// Creates or replaces an object, as `kubectl apply` would, and tells watches.
    pub fn apply(&self, object: Value) {
        let mut state = lock(&self.state);
        if let Some((served, existed, object)) = place(&mut state, object) {
            record(
                &mut state,
                served,
                if existed { "MODIFIED" } else { "ADDED" },
                object,
            );
        }
    }

    /// Deletes the object of `api_version`, `kind`, `namespace` and `name`, and tells watches.
    pub fn delete(&self, api_version: &str, kind: &str, namespace: Option<&str>, name: &str) {
        let mut state = lock(&self.state);
        if let Some((served, object)) = remove(&mut state, api_version, kind, namespace, name) {
            record(&mut state, served, "DELETED", object);
        }
    }

    /// Deletes an object without telling watches: what a client misses while its watch is
    /// gone.
    pub fn forget(&self, api_version: &str, kind: &str, namespace: Option<&str>, name: &str) {
        let mut state = lock(&self.state);
        let _ = remove(&mut state, api_version, kind, namespace, name);
    }

    /// Ends every open watch with `410 Gone` (as when etcd has compacted past their versions),
    /// so that clients must list again.
    pub fn expire_watches(&self) {
        lock(&self.state).watch_generation += 1;
    }

    /// Makes `/version` report `git_version` (`v1.27.2` unless told otherwise).
    pub fn set_version(&self, git_version: &str) {
        git_version.clone_into(&mut lock(&self.state).git_version);
    }

    /// Every request line seen (method and path with query), in order.
    pub fn requests(&self) -> Vec<String> {
        lock(&self.state).requests.clone()
    }

    /// Waits up to `timeout` until a watch has been asked for on each of `paths` (substrings of
    /// the request line, such as `/api/v1/pods?`); says whether they all were. Tests call it
    /// before changing objects that the watch, not the initial list, is meant to see.
    pub fn wait_for_watches(&self, paths: &[&str], timeout: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let requests = self.requests();
            let watched = |p: &&str| {
                requests
                    .iter()
                    .any(|r| r.contains(p) && r.contains("watch="))
            };
            if paths.iter().all(watched) {
                return true;
            }
            if std::time::Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    /// The `Authorization` header of every request seen, in order (empty for none).
    pub fn authorizations(&self) -> Vec<String> {
        lock(&self.state).authorizations.clone()
    }

    /// Every request seen, in order: its line (method and path with query) and its body.
    pub fn exchanges(&self) -> Vec<(String, String)> {
        let state = lock(&self.state);
        state
            .requests
            .iter()
            .cloned()
            .zip(state.bodies.iter().cloned())
            .collect()
    }

    /// The stored object of `kind`, `namespace` and `name`, as changed by writes.
    pub fn object(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<Value> {
        let state = lock(&self.state);
        state
            .resources
            .iter()
            .filter(|s| s.kind == kind)
            .flat_map(|s| &s.objects)
            .find(|o| {
                o["metadata"]["name"].as_str() == Some(name)
                    && o["metadata"]["namespace"].as_str() == namespace
            })
            .cloned()
    }

    /// A kubeconfig pointing at this server, with a bearer token (which the server ignores).
    pub fn kubeconfig(&self, context: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: {context}\nclusters:\n- name: fixture\n  cluster: {{server: \"{}\"}}\nusers:\n- name: tester\n  user: {{token: fixture-token}}\ncontexts:\n- name: {context}\n  context: {{cluster: fixture, user: tester}}\n",
            self.base
        )
    }
}

/// Adds `object` to the resource it belongs to, replacing one of the same name; returns the
/// resource's position, whether the object existed, and the object as stored.
fn place(state: &mut State, mut object: Value) -> Option<(usize, bool, Value)> {
    let api_version = object["apiVersion"].as_str().unwrap_or("").to_owned();
    let kind = object["kind"].as_str().unwrap_or("").to_owned();
    if api_version.is_empty() || kind.is_empty() || kind.ends_with("List") {
        return None;
    }
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g.to_owned(), v.to_owned()),
        None => (String::new(), api_version.clone()),
    };
    let (plural, namespaced) = KNOWN
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map(|(_, p, n)| ((*p).to_owned(), *n))
        .unwrap_or_else(|| (format!("{}s", kind.to_lowercase()), true));
    if namespaced && object["metadata"]["namespace"].as_str().is_none() {
        if let Some(meta) = object["metadata"].as_object_mut() {
            meta.insert("namespace".to_owned(), json!("default"));
        }
    }
    let position = match state
        .resources
        .iter()
        .position(|s| s.group == group && s.version == version && s.plural == plural)
    {
        Some(p) => p,
        None => {
            state.resources.push(Served {
                group,
                version,
                kind,
                plural,
                namespaced,
                objects: Vec::new(),
            });
            state.resources.len() - 1
        }
    };
    let served = state.resources.get_mut(position)?;
    let same = |o: &Value| {
        o["metadata"]["name"] == object["metadata"]["name"]
            && o["metadata"]["namespace"] == object["metadata"]["namespace"]
    };
    let stored = object.clone();
    match served.objects.iter_mut().find(|o| same(o)) {
        Some(existing) => {
            *existing = object;
            Some((position, true, stored))
        }
        None => {
            served.objects.push(object);
            Some((position, false, stored))
        }
    }
}

/// Records a change to `object` of resource `served`.
fn record(state: &mut State, served: usize, kind: &'static str, object: Value) {
    state.revision += 1;
    let revision = state.revision;
    let Some(resource) = state.resources.get(served) else {
        return;
    };
    let recorded = Recorded {
        group: resource.group.clone(),
        version: resource.version.clone(),
        plural: resource.plural.clone(),
        namespace: object["metadata"]["namespace"].as_str().map(str::to_owned),
        kind,
        object,
        revision,
    };
    state.events.push(recorded);
}

/// Removes an object; returns its resource's position and the object.
fn remove(
    state: &mut State,
    api_version: &str,
    kind: &str,
    namespace: Option<&str>,
    name: &str,
) -> Option<(usize, Value)> {
    state
        .resources
        .iter_mut()
        .enumerate()
        .find_map(|(i, served)| {
            let position = served.objects.iter().position(|o| {
                o["apiVersion"] == api_version
                    && o["kind"] == kind
                    && o["metadata"]["name"].as_str() == Some(name)
                    && o["metadata"]["namespace"].as_str() == namespace
            })?;
            Some((i, served.objects.remove(position)))
        })
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Serves requests on one connection until the client closes it (kube keeps connections alive).
fn serve_connection(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line)? == 0 {
            return Ok(());
        }
        let mut content_length = 0usize;
        let mut content_type = String::new();
        let mut authorization = String::new();
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header)? == 0 {
                return Ok(());
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = value.trim().parse().unwrap_or(0);
                } else if name.eq_ignore_ascii_case("content-type") {
                    value.trim().clone_into(&mut content_type);
                } else if name.eq_ignore_ascii_case("authorization") {
                    value.trim().clone_into(&mut authorization);
                }
            }
        }
        let mut body = vec![0; content_length];
        reader.read_exact(&mut body)?;
        let mut words = request_line.split_whitespace();
        let method = words.next().unwrap_or("GET").to_owned();
        let target = words.next().unwrap_or("/").to_owned();
        {
            let mut state = lock(state);
            state.requests.push(request_line.trim_end().to_owned());
            state
                .bodies
                .push(String::from_utf8_lossy(&body).into_owned());
            state.authorizations.push(authorization);
        }
        if method == "GET" {
            if let Some(watch) = watch_request(&target) {
                stream_watch(&mut writer, &watch, state)?;
                continue;
            }
        }
        let (status, body) = if method == "GET" {
            answer(&target, state)
        } else {
            write_request(&method, &target, &content_type, &body, state)
        };
        let reason = match status {
            200 => "OK",
            201 => "Created",
            403 => "Forbidden",
            409 => "Conflict",
            415 => "Unsupported Media Type",
            422 => "Unprocessable Entity",
            _ => "Not Found",
        };
        let body = body.to_string();
        write!(
            writer,
            "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )?;
        writer.flush()?;
    }
}

/// What a watch asks for.
struct WatchRequest {
    group: String,
    version: String,
    plural: String,
    namespace: Option<String>,
    since: u64,
    timeout: std::time::Duration,
}

fn watch_request(target: &str) -> Option<WatchRequest> {
    let (path, query) = target.split_once('?')?;
    let query: BTreeMap<&str, String> = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k, percent_decode(v)))
        .collect();
    if !matches!(query.get("watch").map(String::as_str), Some("true" | "1")) {
        return None;
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version, rest): (&str, &str, &[&str]) = match segments.as_slice() {
        ["api", version, rest @ ..] => ("", version, rest),
        ["apis", group, version, rest @ ..] => (group, version, rest),
        _ => return None,
    };
    let (namespace, plural) = match rest {
        [plural] => (None, *plural),
        ["namespaces", ns, plural] => (Some((*ns).to_owned()), *plural),
        _ => return None,
    };
    Some(WatchRequest {
        group: group.to_owned(),
        version: version.to_owned(),
        plural: plural.to_owned(),
        namespace,
        since: query
            .get("resourceVersion")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        timeout: std::time::Duration::from_secs(
            query
                .get("timeoutSeconds")
                .and_then(|v| v.parse().ok())
                .unwrap_or(300),
        ),
    })
}

/// Streams the changes after the watch's version, then new ones as they are recorded, as
/// chunked JSON lines until the watch's timeout; then ends the response as the API server does.
fn stream_watch(
    writer: &mut TcpStream,
    watch: &WatchRequest,
    state: &Mutex<State>,
) -> std::io::Result<()> {
    write!(
        writer,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )?;
    writer.flush()?;
    let started = std::time::Instant::now();
    // Events are recorded in revision order: each poll looks only at those after the last
    // one seen, so a long watch costs what it streams, not the whole history each time.
    let (mut next, generation) = {
        let state = lock(state);
        (
            state.events.partition_point(|e| e.revision <= watch.since),
            state.watch_generation,
        )
    };
    while started.elapsed() < watch.timeout {
        let pending: Vec<Recorded> = {
            let state = lock(state);
            if state.watch_generation != generation {
                drop(state);
                let gone = json!({"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1", "metadata": {},
                    "status": "Failure", "message": "too old resource version", "reason": "Expired", "code": 410}});
                let line = format!("{gone}\n");
                write!(writer, "{:x}\r\n{line}\r\n0\r\n\r\n", line.len())?;
                return writer.flush();
            }
            let new = state.events.get(next..).unwrap_or(&[]);
            next = state.events.len();
            new.iter()
                .filter(|e| {
                    e.group == watch.group
                        && e.version == watch.version
                        && e.plural == watch.plural
                        && watch
                            .namespace
                            .as_ref()
                            .is_none_or(|ns| e.namespace.as_ref() == Some(ns))
                })
                .cloned()
                .collect()
        };
        for event in pending {
            let mut object = event.object;
            object["metadata"]["resourceVersion"] = json!(event.revision.to_string());
            let line = format!("{}\n", json!({"type": event.kind, "object": object}));
            write!(writer, "{:x}\r\n{line}\r\n", line.len())?;
            writer.flush()?;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    write!(writer, "0\r\n\r\n")?;
    writer.flush()
}

fn answer(target: &str, state: &Mutex<State>) -> (u16, Value) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let query: BTreeMap<&str, String> = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k, percent_decode(v)))
        .collect();
    let state = lock(state);
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["api"] => (200, json!({"kind": "APIVersions", "versions": ["v1"]})),
        ["version"] => (
            200,
            json!({"major": "1", "minor": "27", "gitVersion": state.git_version, "gitCommit": "0", "gitTreeState": "clean",
                "buildDate": "2023-06-14T09:47:40Z", "goVersion": "go1.20.5", "compiler": "gc", "platform": "linux/amd64"}),
        ),
        ["apis"] => (200, group_list(&state)),
        ["pods"] => (200, kubelet_pods(&state)),
        ["api", version] => (200, resource_list(&state, "", version)),
        ["apis", group, version] => (200, resource_list(&state, group, version)),
        ["api", version, rest @ ..] => list(&state, "", version, rest, &query),
        ["apis", group, version, rest @ ..] => list(&state, group, version, rest, &query),
        _ => not_found(path),
    }
}

/// The kubelet's `/pods`: a `PodList` of every pod, without paging or a resource version.
fn kubelet_pods(state: &State) -> Value {
    let items: Vec<Value> = state
        .resources
        .iter()
        .filter(|r| r.group.is_empty() && r.plural == "pods")
        .flat_map(|r| r.objects.iter().cloned())
        .collect();
    json!({"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": items})
}

fn group_list(state: &State) -> Value {
    let mut groups: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for served in state.resources.iter().filter(|s| !s.group.is_empty()) {
        groups
            .entry(&served.group)
            .or_default()
            .insert(&served.version);
    }
    let groups: Vec<Value> = groups
        .into_iter()
        .map(|(name, versions)| {
            let versions: Vec<Value> = versions
                .iter()
                .map(|v| json!({"groupVersion": format!("{name}/{v}"), "version": v}))
                .collect();
            let preferred = versions.last().cloned().unwrap_or(Value::Null);
            json!({"name": name, "versions": versions, "preferredVersion": preferred})
        })
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

fn resource_list(state: &State, group: &str, version: &str) -> Value {
    let resources: Vec<Value> = state
        .resources
        .iter()
        .filter(|s| s.group == group && s.version == version)
        .map(|s| {
            json!({
                "name": s.plural,
                "singularName": s.kind.to_lowercase(),
                "namespaced": s.namespaced,
                "kind": s.kind,
                "verbs": ["get", "list", "watch"],
            })
        })
        .collect();
    let group_version = if group.is_empty() {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    };
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources})
}

fn list(
    state: &State,
    group: &str,
    version: &str,
    rest: &[&str],
    query: &BTreeMap<&str, String>,
) -> (u16, Value) {
    let (namespace, plural) = match rest {
        [plural] => (None, *plural),
        ["namespaces", ns, plural] => (Some(*ns), *plural),
        _ => {
            return match Route::parse(group, version, rest) {
                Some(route) => get_object(state, &route),
                None => not_found(&rest.join("/")),
            };
        }
    };
    let Some(served) = state
        .resources
        .iter()
        .find(|s| s.group == group && s.version == version && s.plural == plural)
    else {
        return not_found(plural);
    };
    let name = if group.is_empty() {
        plural.to_owned()
    } else {
        format!("{plural}.{group}")
    };
    if state.forbidden.contains(&name) {
        let scope = namespace.map_or_else(
            || "at the cluster scope".to_owned(),
            |ns| format!("in the namespace \"{ns}\""),
        );
        return (
            403,
            json!({
                "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": format!("{plural} is forbidden: User \"tester\" cannot list resource \"{plural}\" in API group \"{group}\" {scope}"),
                "reason": "Forbidden", "details": {"kind": plural, "group": group}, "code": 403,
            }),
        );
    }
    let selector = query.get("labelSelector").map(String::as_str).unwrap_or("");
    let fields = query.get("fieldSelector").map(String::as_str).unwrap_or("");
    let selected: Vec<&Value> = served
        .objects
        .iter()
        .filter(|o| namespace.is_none_or(|ns| o["metadata"]["namespace"].as_str() == Some(ns)))
        .filter(|o| matches_selector(o, selector))
        .filter(|o| matches_field_selector(o, fields))
        .collect();
    let start: usize = query
        .get("continue")
        .and_then(|t| t.strip_prefix("page-"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let limit: usize = query
        .get("limit")
        .and_then(|n| n.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(usize::MAX);
    let end = start.saturating_add(limit).min(selected.len());
    let items: Vec<Value> = selected
        .get(start..end)
        .unwrap_or(&[])
        .iter()
        .map(|o| {
            let mut item = (*o).clone();
            if let Some(fields) = item.as_object_mut() {
                fields.remove("apiVersion");
                fields.remove("kind");
            }
            item
        })
        .collect();
    let mut metadata = json!({"resourceVersion": state.revision.to_string()});
    if end < selected.len() {
        metadata["continue"] = json!(format!("page-{end}"));
    }
    let api_version = if group.is_empty() {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    };
    (
        200,
        json!({"kind": format!("{}List", served.kind), "apiVersion": api_version, "metadata": metadata, "items": items}),
    )
}

/// `key=value`, `key==value` and `key!=value` requirements, comma-separated.
fn matches_selector(object: &Value, selector: &str) -> bool {
    let labels = &object["metadata"]["labels"];
    selector
        .split(',')
        .filter(|r| !r.is_empty())
        .all(|requirement| {
            if let Some((key, value)) = requirement.split_once("!=") {
                labels[key].as_str() != Some(value)
            } else if let Some((key, value)) = requirement
                .split_once("==")
                .or_else(|| requirement.split_once('='))
            {
                labels[key].as_str() == Some(value)
            } else {
                labels.get(requirement).is_some()
            }
        })
}

/// `path=value`, `path==value` and `path!=value` requirements on dotted field paths
/// (`spec.nodeName=worker-1`), comma-separated, as the API server applies them.
fn matches_field_selector(object: &Value, selector: &str) -> bool {
    let field = |path: &str| {
        path.split('.')
            .try_fold(object, |v, key| v.get(key))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    selector
        .split(',')
        .filter(|r| !r.is_empty())
        .all(|requirement| {
            if let Some((path, value)) = requirement.split_once("!=") {
                field(path) != value
            } else if let Some((path, value)) = requirement
                .split_once("==")
                .or_else(|| requirement.split_once('='))
            {
                field(path) == value
            } else {
                false
            }
        })
}

fn not_found(what: &str) -> (u16, Value) {
    (
        404,
        json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": format!("the server could not find the requested resource ({what})"), "reason": "NotFound", "code": 404}),
    )
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A request for one object, or one of its subresources.
#[derive(Debug)]
struct Route {
    group: String,
    version: String,
    plural: String,
    namespace: Option<String>,
    name: String,
    subresource: Option<String>,
}

impl Route {
    fn parse(group: &str, version: &str, rest: &[&str]) -> Option<Route> {
        let (namespace, plural, name, subresource) = match rest {
            ["namespaces", ns, plural, name] => (Some(*ns), *plural, *name, None),
            ["namespaces", ns, plural, name, sub] => (Some(*ns), *plural, *name, Some(*sub)),
            [plural, name] => (None, *plural, *name, None),
            [plural, name, sub] => (None, *plural, *name, Some(*sub)),
            _ => return None,
        };
        Some(Route {
            group: group.to_owned(),
            version: version.to_owned(),
            plural: plural.to_owned(),
            namespace: namespace.map(str::to_owned),
            name: name.to_owned(),
            subresource: subresource.map(str::to_owned),
        })
    }

    /// `plural.group` as RBAC and [`FixtureServer::forbid`] name it.
    fn resource(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    fn served<'a>(&self, state: &'a State) -> Option<&'a Served> {
        state
            .resources
            .iter()
            .find(|s| s.group == self.group && s.version == self.version && s.plural == self.plural)
    }

    fn position(&self, state: &State) -> Option<(usize, usize)> {
        state.resources.iter().enumerate().find_map(|(i, s)| {
            if s.group != self.group || s.version != self.version || s.plural != self.plural {
                return None;
            }
            let j = s.objects.iter().position(|o| {
                o["metadata"]["name"].as_str() == Some(self.name.as_str())
                    && o["metadata"]["namespace"].as_str() == self.namespace.as_deref()
            })?;
            Some((i, j))
        })
    }
}

fn forbidden(route_group: &str, plural: &str, namespace: Option<&str>, verb: &str) -> (u16, Value) {
    let scope = namespace.map_or_else(
        || "at the cluster scope".to_owned(),
        |ns| format!("in the namespace \"{ns}\""),
    );
    (
        403,
        json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": format!("{plural} is forbidden: User \"tester\" cannot {verb} resource \"{plural}\" in API group \"{route_group}\" {scope}"),
            "reason": "Forbidden", "details": {"kind": plural, "group": route_group}, "code": 403,
        }),
    )
}

fn object_not_found(route: &Route) -> (u16, Value) {
    (
        404,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": format!("{} \"{}\" not found", route.resource(), route.name),
            "reason": "NotFound", "details": {"name": route.name, "group": route.group, "kind": route.plural}, "code": 404}),
    )
}

/// An object as the API server returns it: with `apiVersion`, `kind` and its version.
fn with_version(object: &Value, revision: u64) -> Value {
    let mut object = object.clone();
    if object["metadata"]["resourceVersion"].is_null() {
        object["metadata"]["resourceVersion"] = json!(revision.to_string());
    }
    object
}

/// The `autoscaling/v1` `Scale` of an object with `spec.replicas`.
fn scale_of(object: &Value) -> Value {
    let replicas = object["spec"]["replicas"].as_i64().unwrap_or(1);
    json!({
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {"name": object["metadata"]["name"], "namespace": object["metadata"]["namespace"],
            "resourceVersion": object["metadata"]["resourceVersion"]},
        "spec": {"replicas": replicas},
        "status": {"replicas": object["status"]["replicas"].as_i64().unwrap_or(replicas)},
    })
}

fn get_object(state: &State, route: &Route) -> (u16, Value) {
    if state.forbidden.contains(&route.resource()) {
        return forbidden(
            &route.group,
            &route.plural,
            route.namespace.as_deref(),
            "get",
        );
    }
    let Some((i, j)) = route.position(state) else {
        return object_not_found(route);
    };
    let Some(object) = state.resources.get(i).and_then(|s| s.objects.get(j)) else {
        return object_not_found(route);
    };
    match route.subresource.as_deref() {
        None => (200, with_version(object, state.revision)),
        Some("scale") => (200, scale_of(&with_version(object, state.revision))),
        Some(other) => not_found(other),
    }
}

/// RFC 7386 JSON merge patch.
fn merge_patch(target: &mut Value, patch: &Value) {
    let Some(fields) = patch.as_object() else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = json!({});
    }
    for (key, value) in fields {
        if let Some(map) = target.as_object_mut() {
            if value.is_null() {
                map.remove(key);
            } else {
                merge_patch(map.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

fn write_request(
    method: &str,
    target: &str,
    content_type: &str,
    body: &[u8],
    state: &Mutex<State>,
) -> (u16, Value) {
    let path = target.split_once('?').map_or(target, |(p, _)| p);
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version, rest): (&str, &str, &[&str]) = match segments.as_slice() {
        ["api", version, rest @ ..] => ("", version, rest),
        ["apis", group, version, rest @ ..] => (group, version, rest),
        _ => return not_found(path),
    };
    let body: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) if body.is_empty() => Value::Null,
        Err(e) => {
            return (
                422,
                json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": format!("invalid JSON: {e}"), "reason": "Invalid", "code": 422}),
            );
        }
    };
    let mut state = lock(state);
    if method == "POST" {
        let (namespace, plural) = match rest {
            [plural] => (None, *plural),
            ["namespaces", ns, plural] => (Some(*ns), *plural),
            _ => return not_found(path),
        };
        return create(&mut state, group, version, namespace, plural, body);
    }
    let Some(route) = Route::parse(group, version, rest) else {
        return not_found(path);
    };
    let verb = match method {
        "PATCH" => "patch",
        "PUT" => "update",
        "DELETE" => "delete",
        _ => return not_found(path),
    };
    if state.forbidden.contains(&route.resource()) {
        return forbidden(
            &route.group,
            &route.plural,
            route.namespace.as_deref(),
            verb,
        );
    }
    let Some((i, j)) = route.position(&state) else {
        return object_not_found(&route);
    };
    match (method, route.subresource.as_deref()) {
        ("DELETE", None) => {
            let served = i;
            let object = state
                .resources
                .get_mut(i)
                .map(|s| s.objects.remove(j))
                .unwrap_or(Value::Null);
            record(&mut state, served, "DELETED", object.clone());
            (200, object)
        }
        ("PATCH", sub) => {
            if !content_type.starts_with("application/merge-patch+json") {
                return (
                    415,
                    json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": format!("the fixture answers JSON merge patches only, not {content_type}"), "reason": "UnsupportedMediaType", "code": 415}),
                );
            }
            let revision = state.revision + 1;
            let Some(object) = state
                .resources
                .get_mut(i)
                .and_then(|s| s.objects.get_mut(j))
            else {
                return object_not_found(&route);
            };
            let answer = match sub {
                None => {
                    merge_patch(object, &body);
                    object["metadata"]["resourceVersion"] = json!(revision.to_string());
                    object.clone()
                }
                Some("scale") => {
                    let mut scale = scale_of(object);
                    merge_patch(&mut scale, &body);
                    object["spec"]["replicas"] = scale["spec"]["replicas"].clone();
                    object["metadata"]["resourceVersion"] = json!(revision.to_string());
                    scale_of(object)
                }
                Some(other) => return not_found(other),
            };
            let stored = object.clone();
            record(&mut state, i, "MODIFIED", stored);
            (200, answer)
        }
        _ => not_found(path),
    }
}

fn create(
    state: &mut State,
    group: &str,
    version: &str,
    namespace: Option<&str>,
    plural: &str,
    mut object: Value,
) -> (u16, Value) {
    let resource = if group.is_empty() {
        plural.to_owned()
    } else {
        format!("{plural}.{group}")
    };
    if state.forbidden.contains(&resource) {
        return forbidden(group, plural, namespace, "create");
    }
    let name = object["metadata"]["name"].as_str().unwrap_or("").to_owned();
    let route = Route {
        group: group.to_owned(),
        version: version.to_owned(),
        plural: plural.to_owned(),
        namespace: namespace.map(str::to_owned),
        name: name.clone(),
        subresource: None,
    };
    if route.position(state).is_some() {
        return (
            409,
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": format!("{resource} \"{name}\" already exists"), "reason": "AlreadyExists",
                "details": {"name": name, "group": group, "kind": plural}, "code": 409}),
        );
    }
    if let (Some(ns), Some(meta)) = (namespace, object["metadata"].as_object_mut()) {
        meta.insert("namespace".to_owned(), json!(ns));
    }
    object["metadata"]["resourceVersion"] = json!((state.revision + 1).to_string());
    if route.served(state).is_none() && object["kind"].as_str().is_none() {
        return not_found(plural);
    }
    match place(state, object) {
        Some((served, _, stored)) => {
            record(state, served, "ADDED", stored.clone());
            (201, stored)
        }
        None => not_found(plural),
    }
}
