//! Kubernetes audit events (audit.k8s.io v1 and v1beta1) and the log envelopes clouds wrap
//! them in: EKS through CloudWatch Logs (`logEvents[].message`, `message`, `@message`), GKE
//! through Cloud Audit Logging (`protoPayload`), AKS through Azure Monitor diagnostic settings
//! (`properties.log`, `records[]`).
//!
//! A file may hold JSON lines, one JSON document, an `EventList`, or an array. Every event
//! keeps the audit event's JSON as the API server wrote it, because Falco's `jevt.value[/ptr]`
//! reads arbitrary paths of it; a GKE entry is first translated into that shape.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// Where an audit event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Envelope {
    /// A bare audit.k8s.io event (log backend, webhook backend, `EventList`).
    Plain,
    /// Amazon EKS control-plane logs in CloudWatch.
    Eks,
    /// Google GKE, Cloud Audit Logging.
    Gke,
    /// Azure AKS, Azure Monitor diagnostic logs.
    Aks,
}

/// One audit event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// The envelope it was read from.
    pub envelope: Envelope,
    /// Cluster name, when the envelope says.
    #[serde(default)]
    pub cluster: Option<String>,
    /// The audit.k8s.io `Event` object.
    pub event: Value,
    /// The event time, parsed once when decoded (`jevt.rawtime` is read by many rules).
    #[serde(skip)]
    pub parsed_time_ns: Option<i64>,
}

impl AuditEvent {
    /// A plain audit event, if `value` is one.
    pub fn from_value(value: Value) -> Result<AuditEvent, String> {
        check_event(&value)?;
        Ok(AuditEvent::new(Envelope::Plain, None, value))
    }

    /// An event read from `envelope`.
    pub fn new(envelope: Envelope, cluster: Option<String>, event: Value) -> AuditEvent {
        let mut e = AuditEvent {
            envelope,
            cluster,
            event,
            parsed_time_ns: None,
        };
        e.parsed_time_ns = e.parse_time_ns();
        e
    }

    /// When the event happened: `stageTimestamp`, else `requestReceivedTimestamp`, else the
    /// v1beta1 `timestamp`.
    pub fn time_ns(&self) -> Option<i64> {
        self.parsed_time_ns.or_else(|| self.parse_time_ns())
    }

    fn parse_time_ns(&self) -> Option<i64> {
        ["stageTimestamp", "requestReceivedTimestamp", "timestamp"]
            .iter()
            .filter_map(|k| self.event.get(k).and_then(Value::as_str))
            .find_map(parse_loose_time)
    }
}

/// Parses RFC 3339, or the `2022-11-29 00:09:04.38` shape some log pipelines write (UTC).
pub fn parse_loose_time(text: &str) -> Option<i64> {
    super::parse_time(text).or_else(|| {
        let t = text.trim().replacen(' ', "T", 1);
        super::parse_time(&format!("{t}Z"))
    })
}

/// Why a document is not an audit event.
fn check_event(v: &Value) -> Result<(), String> {
    let Some(obj) = v.as_object() else {
        return Err("data not recognized as a k8s audit event: not a JSON object".into());
    };
    match obj.get("kind") {
        Some(Value::String(k)) if k == "Event" => {}
        _ => return Err("data not recognized as a k8s audit event: `kind` is not `Event`".into()),
    }
    if let Some(api) = obj.get("apiVersion") {
        match api.as_str() {
            Some("audit.k8s.io/v1" | "audit.k8s.io/v1beta1") => {}
            other => {
                return Err(format!(
                    "data not recognized as a k8s audit event: apiVersion {} is not audit.k8s.io/v1 or v1beta1",
                    other.map_or_else(|| api.to_string(), |s| format!("`{s}`"))
                ));
            }
        }
    }
    Ok(())
}

/// An error decoding an audit log, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Line (from 1) where the offending document starts.
    pub line: u32,
    /// Column (from 1).
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// Decodes every audit event of a log's text. Events are returned with the errors of the
/// documents that could not be read; one bad line does not stop the rest.
pub fn decode(text: &str) -> (Vec<AuditEvent>, Vec<DecodeError>) {
    let mut events = Vec::new();
    let mut errors = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    loop {
        let start = skip_ws(text, stream.byte_offset());
        match stream.next() {
            None => break,
            Some(Ok(v)) => {
                if let Err(message) = from_document(v, &mut events) {
                    let (line, column) = line_col(text, start);
                    errors.push(DecodeError {
                        line,
                        column,
                        message,
                    });
                }
            }
            Some(Err(e)) => {
                errors.push(DecodeError {
                    line: u32::try_from(e.line()).unwrap_or(u32::MAX),
                    column: u32::try_from(e.column()).unwrap_or(u32::MAX),
                    message: format!("invalid JSON: {e}"),
                });
                // Resume at the next line.
                let offset = stream.byte_offset().max(start);
                let Some(nl) = text.get(offset..).and_then(|r| r.find('\n')) else {
                    break;
                };
                let resume = offset + nl + 1;
                let rest = text.get(resume..).unwrap_or("");
                let (more, more_errors) = decode(rest);
                let (base_line, _) = line_col(text, resume);
                events.extend(more);
                errors.extend(more_errors.into_iter().map(|mut e| {
                    e.line = e.line.saturating_add(base_line - 1);
                    e
                }));
                break;
            }
        }
    }
    (events, errors)
}

fn skip_ws(text: &str, offset: usize) -> usize {
    let rest = text.get(offset..).unwrap_or("");
    offset + (rest.len() - rest.trim_start().len())
}

fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(col).unwrap_or(u32::MAX),
    )
}

/// Bounds the recursion of nested envelopes (an array of `records` of arrays...).
const MAX_NESTING: usize = 8;

fn from_document(v: Value, out: &mut Vec<AuditEvent>) -> Result<(), String> {
    from_document_at(v, out, 0)
}

fn from_document_at(v: Value, out: &mut Vec<AuditEvent>, depth: usize) -> Result<(), String> {
    if depth > MAX_NESTING {
        return Err("envelopes nested too deeply".into());
    }
    match v {
        Value::Array(items) => {
            for item in items {
                from_document_at(item, out, depth + 1)?;
            }
            Ok(())
        }
        Value::Object(ref obj) => {
            if obj.get("kind").and_then(Value::as_str) == Some("EventList") {
                let Some(Value::Array(items)) = obj.get("items") else {
                    return Err("EventList without `items`".into());
                };
                for item in items {
                    out.push(AuditEvent::from_value(item.clone())?);
                }
                return Ok(());
            }
            if obj.get("kind").and_then(Value::as_str) == Some("Event") {
                out.push(AuditEvent::from_value(v)?);
                return Ok(());
            }
            if let Some(Value::Array(records)) = obj.get("records") {
                for r in records.clone() {
                    from_document_at(r, out, depth + 1)?;
                }
                return Ok(());
            }
            if let Some(Value::Array(log_events)) = obj.get("logEvents") {
                let cluster = obj
                    .get("logGroup")
                    .and_then(Value::as_str)
                    .and_then(eks_cluster_from_group);
                for le in log_events {
                    let msg = le
                        .get("message")
                        .and_then(Value::as_str)
                        .ok_or("CloudWatch log event without a `message`")?;
                    out.push(eks(msg, cluster.clone())?);
                }
                return Ok(());
            }
            for key in ["message", "@message"] {
                if let Some(msg) = obj.get(key).and_then(Value::as_str) {
                    if msg.trim_start().starts_with('{') {
                        let cluster = obj
                            .get("@log")
                            .or_else(|| obj.get("logGroup"))
                            .and_then(Value::as_str)
                            .and_then(eks_cluster_from_group);
                        out.push(eks(msg, cluster)?);
                        return Ok(());
                    }
                }
            }
            if let Some(pp) = obj.get("protoPayload") {
                out.push(gke(pp, obj)?);
                return Ok(());
            }
            if let Some(log) = obj
                .get("properties")
                .and_then(|p| p.get("log"))
                .and_then(Value::as_str)
            {
                let inner: Value = serde_json::from_str(log)
                    .map_err(|e| format!("AKS `properties.log` is not JSON: {e}"))?;
                let mut ev = AuditEvent::from_value(inner)?;
                ev.envelope = Envelope::Aks;
                ev.cluster = obj
                    .get("resourceId")
                    .and_then(Value::as_str)
                    .and_then(|r| r.rsplit('/').next())
                    .map(str::to_string);
                out.push(ev);
                return Ok(());
            }
            check_event(&v)?;
            Err("data not recognized as a k8s audit event".into())
        }
        _ => Err("data not recognized as a k8s audit event: not a JSON object".into()),
    }
}

/// `/aws/eks/<cluster>/cluster` → `<cluster>`.
fn eks_cluster_from_group(group: &str) -> Option<String> {
    let rest = group.strip_prefix("/aws/eks/")?;
    rest.split('/').next().map(str::to_string)
}

fn eks(message: &str, cluster: Option<String>) -> Result<AuditEvent, String> {
    let inner: Value = serde_json::from_str(message)
        .map_err(|e| format!("CloudWatch `message` is not JSON: {e}"))?;
    let mut ev = AuditEvent::from_value(inner)?;
    ev.envelope = Envelope::Eks;
    ev.cluster = cluster;
    Ok(ev)
}

/// Translates a Cloud Audit Logging entry for the Kubernetes API (`methodName`
/// `io.k8s.<group>.<version>.<resource>.<verb>`) into an audit.k8s.io event.
fn gke(pp: &Value, entry: &Map<String, Value>) -> Result<AuditEvent, String> {
    let method = pp
        .get("methodName")
        .and_then(Value::as_str)
        .ok_or("GKE entry without `protoPayload.methodName`")?;
    let Some(k8s) = method.strip_prefix("io.k8s.") else {
        return Err(format!(
            "data not recognized as a k8s audit event: GKE method `{method}` is not a Kubernetes API call"
        ));
    };
    let parts: Vec<&str> = k8s.split('.').collect();
    let verb = parts.last().copied().unwrap_or("");
    let (group, version) = match parts.as_slice() {
        ["core", v, ..] => ("", *v),
        [g, v, ..] => (*g, *v),
        _ => ("", ""),
    };
    // resourceName: `core/v1/namespaces/default/pods/nginx[/exec]`.
    let resource_name = pp.get("resourceName").and_then(Value::as_str).unwrap_or("");
    let segs: Vec<&str> = resource_name.split('/').collect();
    let rest: &[&str] = match segs.as_slice() {
        [_, _, rest @ ..] => rest,
        _ => &[],
    };
    let (namespace, rest) = match rest {
        ["namespaces", ns, rest @ ..] if !rest.is_empty() => (Some(*ns), rest),
        other => (None, other),
    };
    let (resource, name, subresource) = match rest {
        [r] => (Some(*r), None, None),
        [r, n] => (Some(*r), Some(*n), None),
        [r, n, s, ..] => (Some(*r), Some(*n), Some(*s)),
        _ => (None, None, None),
    };
    // Without a resourceName, the method names the resource: `<group>.<version>.<resource>[.<sub>].<verb>`.
    let from_method: Vec<&str> = parts
        .get(2..parts.len().saturating_sub(1))
        .unwrap_or(&[])
        .to_vec();
    let resource = resource.or_else(|| from_method.first().copied());
    let subresource = subresource.or_else(|| from_method.get(1).copied());
    let mut object_ref = Map::new();
    if let Some(r) = resource {
        object_ref.insert("resource".into(), json!(r));
    }
    if let Some(ns) = namespace {
        object_ref.insert("namespace".into(), json!(ns));
    }
    if let Some(n) = name {
        object_ref.insert("name".into(), json!(n));
    }
    if let Some(s) = subresource {
        object_ref.insert("subresource".into(), json!(s));
    }
    object_ref.insert("apiGroup".into(), json!(group));
    object_ref.insert("apiVersion".into(), json!(version));
    let granted = pp
        .get("authorizationInfo")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .all(|i| i.get("granted").and_then(Value::as_bool) == Some(true))
        });
    // google.rpc.Code: 0 OK, 7 PERMISSION_DENIED, 16 UNAUTHENTICATED, 5 NOT_FOUND...
    let status_code = pp
        .get("status")
        .and_then(|s| s.get("code"))
        .and_then(Value::as_i64);
    let http = match status_code {
        None | Some(0) => 200,
        Some(3) => 400,
        Some(5) => 404,
        Some(6) => 409,
        Some(7) => 403,
        Some(16) => 401,
        Some(_) => 500,
    };
    let mut ev = Map::new();
    ev.insert("kind".into(), json!("Event"));
    ev.insert("apiVersion".into(), json!("audit.k8s.io/v1"));
    ev.insert("level".into(), json!("RequestResponse"));
    ev.insert("stage".into(), json!("ResponseComplete"));
    ev.insert("verb".into(), json!(verb));
    ev.insert("objectRef".into(), Value::Object(object_ref));
    if let Some(id) = entry.get("insertId") {
        ev.insert("auditID".into(), id.clone());
    }
    let mut user = Map::new();
    if let Some(p) = pp
        .get("authenticationInfo")
        .and_then(|a| a.get("principalEmail"))
    {
        user.insert("username".into(), p.clone());
    }
    ev.insert("user".into(), Value::Object(user));
    if let Some(ip) = pp.get("requestMetadata").and_then(|m| m.get("callerIp")) {
        ev.insert("sourceIPs".into(), json!([ip]));
    }
    if let Some(ua) = pp
        .get("requestMetadata")
        .and_then(|m| m.get("callerSuppliedUserAgent"))
    {
        ev.insert("userAgent".into(), ua.clone());
    }
    let uri = format!("/{}", resource_name.trim_start_matches('/'));
    ev.insert("requestURI".into(), json!(uri));
    let mut status = Map::new();
    status.insert("code".into(), json!(http));
    if let Some(m) = pp.get("status").and_then(|s| s.get("message")) {
        status.insert("message".into(), m.clone());
    }
    ev.insert("responseStatus".into(), Value::Object(status));
    if let Some(r) = pp.get("request") {
        ev.insert("requestObject".into(), r.clone());
    }
    if let Some(r) = pp.get("response") {
        ev.insert("responseObject".into(), r.clone());
    }
    if let Some(g) = granted {
        let mut ann = Map::new();
        ann.insert(
            "authorization.k8s.io/decision".into(),
            json!(if g { "allow" } else { "forbid" }),
        );
        ann.insert("authorization.k8s.io/reason".into(), json!(""));
        ev.insert("annotations".into(), Value::Object(ann));
    }
    for (from, to) in [
        ("timestamp", "stageTimestamp"),
        ("receiveTimestamp", "requestReceivedTimestamp"),
    ] {
        if let Some(t) = entry.get(from) {
            ev.insert(to.into(), t.clone());
        }
    }
    let cluster = entry
        .get("resource")
        .and_then(|r| r.get("labels"))
        .and_then(|l| l.get("cluster_name"))
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(AuditEvent::new(Envelope::Gke, cluster, Value::Object(ev)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_lines_lists_and_envelopes() {
        let ev = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"get","stageTimestamp":"2024-01-01T00:00:00Z"}"#;
        let list = format!(r#"{{"kind":"EventList","items":[{ev},{ev}]}}"#);
        let cw = format!(
            r#"{{"logGroup":"/aws/eks/prod/cluster","logEvents":[{{"message":{}}}]}}"#,
            serde_json::to_string(ev).unwrap()
        );
        let aks = format!(
            r#"{{"category":"kube-audit","resourceId":"/x/managedClusters/aks1","properties":{{"log":{}}}}}"#,
            serde_json::to_string(ev).unwrap()
        );
        let text = format!("{ev}\n{list}\n{cw}\n{aks}\n");
        let (events, errors) = decode(&text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(events.len(), 5);
        assert_eq!(events[3].envelope, Envelope::Eks);
        assert_eq!(events[3].cluster.as_deref(), Some("prod"));
        assert_eq!(events[4].cluster.as_deref(), Some("aks1"));
        assert_eq!(events[0].time_ns(), Some(1_704_067_200_000_000_000));
    }

    #[test]
    fn gke_entries_become_audit_events() {
        let text = r#"{"protoPayload":{"methodName":"io.k8s.core.v1.pods.exec.create","resourceName":"core/v1/namespaces/default/pods/web/exec","authenticationInfo":{"principalEmail":"a@b.c"},"authorizationInfo":[{"granted":true}]},"resource":{"labels":{"cluster_name":"g1"}},"timestamp":"2024-01-19T13:47:18.279921Z"}"#;
        let (events, errors) = decode(text);
        assert!(errors.is_empty(), "{errors:?}");
        let e = &events[0].event;
        assert_eq!(e["verb"], "create");
        assert_eq!(e["objectRef"]["resource"], "pods");
        assert_eq!(e["objectRef"]["subresource"], "exec");
        assert_eq!(e["objectRef"]["namespace"], "default");
        assert_eq!(e["user"]["username"], "a@b.c");
        assert_eq!(events[0].cluster.as_deref(), Some("g1"));
    }

    #[test]
    fn bad_documents_name_their_line() {
        let text = "{\"kind\":\"Event\"}\n{\"kind\": 0}\nnot json\n{\"kind\":\"Event\"}\n";
        let (events, errors) = decode(text);
        assert_eq!(events.len(), 2);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].line, 2);
        assert!(errors[0].message.contains("not recognized"));
        assert_eq!(errors[1].line, 3);
    }
}
