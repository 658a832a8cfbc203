//! Decoders of recorded event streams into [`Event`]s, for `harrier replay`: Harrier's own
//! JSON lines, Falco's JSON alert output (`output_fields`), Tetragon's JSON export
//! (`process_exec`, `process_kprobe`, `process_exit`...), and Kubernetes audit logs (see
//! [`crate::event::audit`]). Each line's format is recognised by its keys, so a file may mix
//! them.
//!
//! Falco alerts carry only the fields their output names, so an event rebuilt from one holds
//! those and nothing else: rules needing other fields see them as missing.

use std::net::IpAddr;

use serde_json::Value;

use crate::event::audit::{self, DecodeError, parse_loose_time};
use crate::event::{
    Ancestor, AuditEvent, Container, Event, Fd, FdKind, K8sContext, OpenFlags, Process,
    SyscallEvent,
};

/// Which format a line was in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Harrier's JSON lines.
    Harrier,
    /// Falco's JSON output.
    Falco,
    /// Tetragon's JSON export.
    Tetragon,
    /// A Kubernetes audit log (with or without a cloud envelope).
    Audit,
}

/// Decodes a recorded stream in any of the supported formats. Bad documents are reported with
/// their line and skipped.
pub fn decode(text: &str) -> (Vec<Event>, Vec<DecodeError>) {
    let mut events = Vec::new();
    let mut errors = Vec::new();
    // Audit logs may be one pretty-printed document; the other formats are one per line.
    let first = text.trim_start();
    if first.starts_with('[') || (first.starts_with('{') && !is_line_format(text)) {
        let (evs, errs) = audit::decode(text);
        events.extend(evs.into_iter().map(|e| Event::K8sAudit(Box::new(e))));
        return (events, errs);
    }
    for (i, line) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if line.trim().is_empty() {
            continue;
        }
        let err = |message: String| DecodeError {
            line: line_no,
            column: 1,
            message,
        };
        let value: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                errors.push(DecodeError {
                    line: line_no,
                    column: u32::try_from(e.column()).unwrap_or(u32::MAX),
                    message: format!("invalid JSON: {e}"),
                });
                continue;
            }
        };
        match decode_value(value) {
            Ok(evs) => events.extend(evs),
            Err(m) => errors.push(err(m)),
        }
    }
    (events, errors)
}

/// Whether the first line of `text` is a whole JSON document (JSON lines), rather than the
/// start of a multi-line document.
fn is_line_format(text: &str) -> bool {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    serde_json::from_str::<Value>(first).is_ok()
}

/// The format of one JSON document, by its keys.
pub fn detect(v: &Value) -> Option<Format> {
    let obj = v.as_object()?;
    let source = obj.get("source").and_then(Value::as_str);
    if matches!(source, Some("syscall" | "k8s_audit"))
        && (obj.contains_key("process") || obj.contains_key("event"))
    {
        return Some(Format::Harrier);
    }
    if obj.contains_key("output_fields") && obj.contains_key("rule") {
        return Some(Format::Falco);
    }
    if TETRAGON_KINDS.iter().any(|k| obj.contains_key(*k)) {
        return Some(Format::Tetragon);
    }
    Some(Format::Audit)
}

const TETRAGON_KINDS: &[&str] = &[
    "process_exec",
    "process_exit",
    "process_kprobe",
    "process_tracepoint",
    "process_uprobe",
    "process_lsm",
];

fn decode_value(v: Value) -> Result<Vec<Event>, String> {
    match detect(&v) {
        Some(Format::Harrier) => serde_json::from_value::<Event>(v)
            .map(|e| vec![e])
            .map_err(|e| format!("not a Harrier event: {e}")),
        Some(Format::Falco) => falco(&v).map(|e| vec![e]),
        Some(Format::Tetragon) => tetragon(&v).map(|e| e.into_iter().collect()),
        Some(Format::Audit) | None => {
            let text = v.to_string();
            let (evs, errs) = audit::decode(&text);
            match errs.into_iter().next() {
                Some(e) => Err(e.message),
                None => Ok(evs
                    .into_iter()
                    .map(|e| Event::K8sAudit(Box::new(e)))
                    .collect()),
            }
        }
    }
}

/// Harrier's JSON lines only.
pub fn harrier_lines(text: &str) -> (Vec<Event>, Vec<DecodeError>) {
    let mut events = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Event>(line) {
            Ok(e) => events.push(e),
            Err(e) => errors.push(DecodeError {
                line: line_no,
                column: u32::try_from(e.column()).unwrap_or(u32::MAX),
                message: format!("not a Harrier event: {e}"),
            }),
        }
    }
    (events, errors)
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if s != "<NA>" => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn bool_of(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Rebuilds an event from a Falco alert's `output_fields`.
fn falco(v: &Value) -> Result<Event, String> {
    let fields = v
        .get("output_fields")
        .and_then(Value::as_object)
        .ok_or("Falco alert without `output_fields` object")?;
    let time_ns = v
        .get("time")
        .and_then(Value::as_str)
        .and_then(parse_loose_time)
        .or_else(|| fields.get("evt.time").and_then(int_of))
        .unwrap_or(0);
    let source = v.get("source").and_then(Value::as_str).unwrap_or("syscall");
    if source == "k8s_audit" {
        return Ok(Event::K8sAudit(Box::new(falco_audit(fields, v))));
    }
    if source != "syscall" {
        return Err(format!(
            "Falco alert of source `{source}`, which Harrier does not replay"
        ));
    }
    let get = |k: &str| fields.get(k).and_then(text_of);
    let geti = |k: &str| fields.get(k).and_then(int_of);
    let mut p = Process {
        pid: geti("proc.pid"),
        ppid: geti("proc.ppid"),
        vpid: geti("proc.vpid"),
        name: get("proc.name"),
        exe: get("proc.exe"),
        exepath: get("proc.exepath"),
        cwd: get("proc.cwd"),
        tty: geti("proc.tty"),
        uid: geti("user.uid").and_then(|u| u32::try_from(u).ok()),
        gid: geti("group.gid").and_then(|u| u32::try_from(u).ok()),
        loginuid: geti("user.loginuid").map(|u| u32::try_from(u).unwrap_or(u32::MAX)),
        user: get("user.name"),
        loginname: get("user.loginname"),
        group: get("group.name"),
        session_leader: get("proc.sname"),
        ..Process::default()
    };
    if let Some(cmdline) = get("proc.cmdline") {
        let mut parts = cmdline.split(' ').map(str::to_string);
        let name = parts.next();
        if p.name.is_none() {
            p.name = name;
        }
        p.args = Some(parts.collect());
    } else if let Some(args) = get("proc.args") {
        p.args = Some(args.split(' ').map(str::to_string).collect());
    }
    // Ancestors: the parent from proc.p*, further ones from proc.aname[N].
    let mut ancestors: Vec<Ancestor> = Vec::new();
    for n in 1..=8 {
        let name = if n == 1 {
            get("proc.pname").or_else(|| get("proc.aname[1]"))
        } else {
            get(&format!("proc.aname[{n}]"))
        };
        let exepath = if n == 1 {
            get("proc.pexepath").or_else(|| get("proc.aexepath[1]"))
        } else {
            get(&format!("proc.aexepath[{n}]"))
        };
        let exe = if n == 1 {
            get("proc.pexe")
        } else {
            get(&format!("proc.aexe[{n}]"))
        };
        let args = if n == 1 {
            get("proc.pcmdline").map(|c| c.split(' ').skip(1).map(str::to_string).collect())
        } else {
            None
        };
        if name.is_none() && exepath.is_none() && exe.is_none() {
            break;
        }
        ancestors.push(Ancestor {
            pid: if n == 1 { geti("proc.ppid") } else { None },
            name,
            exe,
            exepath,
            args,
            start_ns: None,
        });
    }
    p.ancestors = ancestors;
    let kind = get("evt.type").unwrap_or_else(|| "unknown".to_string());
    let mut e = SyscallEvent::new(&kind, time_ns, p);
    e.num = geti("evt.num").and_then(|n| u64::try_from(n).ok());
    e.res = geti("evt.rawres");
    e.hostname = v
        .get("hostname")
        .and_then(Value::as_str)
        .map(str::to_string);
    for (k, val) in fields {
        if let Some(arg) = k.strip_prefix("evt.arg.")
            && let Some(t) = text_of(val)
        {
            e.args.push((arg.to_string(), t));
        }
    }
    if let Some(flags) = get("evt.arg.flags")
        && kind.starts_with("open")
    {
        e.open_flags = Some(OpenFlags::from_falco_text(&flags));
    }
    if let Some(name) = get("fd.name") {
        let kind = match get("fd.type").as_deref() {
            Some("ipv4") => FdKind::Ipv4,
            Some("ipv6") => FdKind::Ipv6,
            Some("unix") => FdKind::Unix,
            Some("directory") => FdKind::Directory,
            Some("pipe") => FdKind::Pipe,
            Some("file") | None => FdKind::File,
            Some(_) => FdKind::Other,
        };
        let mut fd = Fd::file(&name);
        fd.kind = kind;
        fd.num = geti("fd.num");
        fd.l4proto = get("fd.l4proto");
        fd.client_ip = get("fd.cip").and_then(|s| s.parse::<IpAddr>().ok());
        fd.server_ip = get("fd.sip").and_then(|s| s.parse::<IpAddr>().ok());
        fd.client_port = geti("fd.cport").and_then(|p| u16::try_from(p).ok());
        fd.server_port = geti("fd.sport").and_then(|p| u16::try_from(p).ok());
        fd.server_name = get("fd.sip.name");
        e.fd = Some(fd);
    }
    if let Some(id) = get("container.id") {
        e.container = Some(Container {
            id,
            name: get("container.name"),
            image: get("container.image"),
            image_repository: get("container.image.repository"),
            image_tag: get("container.image.tag"),
            image_digest: get("container.image.digest"),
            privileged: fields.get("container.privileged").and_then(bool_of),
            ..Container::default()
        });
    }
    if get("k8s.ns.name").is_some() || get("k8s.pod.name").is_some() {
        e.k8s = Some(K8sContext {
            namespace: get("k8s.ns.name"),
            pod_name: get("k8s.pod.name"),
            pod_uid: get("k8s.pod.uid"),
            ..K8sContext::default()
        });
    }
    Ok(Event::Syscall(Box::new(e)))
}

/// Rebuilds the parts of an audit event a Falco k8s_audit alert names.
fn falco_audit(fields: &serde_json::Map<String, Value>, alert: &Value) -> AuditEvent {
    let mut ev = serde_json::Map::new();
    ev.insert("kind".into(), Value::String("Event".into()));
    ev.insert("apiVersion".into(), Value::String("audit.k8s.io/v1".into()));
    let mut set = |path: &[&str], v: &Value| {
        let mut cur = &mut ev;
        for (i, key) in path.iter().enumerate() {
            if i + 1 == path.len() {
                cur.insert((*key).to_string(), v.clone());
            } else {
                let next = cur
                    .entry((*key).to_string())
                    .or_insert_with(|| Value::Object(serde_json::Map::new()));
                let Value::Object(m) = next else { return };
                cur = m;
            }
        }
    };
    const MAP: &[(&str, &[&str])] = &[
        ("ka.auditid", &["auditID"]),
        ("ka.stage", &["stage"]),
        ("ka.verb", &["verb"]),
        ("ka.uri", &["requestURI"]),
        ("ka.user.name", &["user", "username"]),
        ("ka.user.groups", &["user", "groups"]),
        ("ka.impuser.name", &["impersonatedUser", "username"]),
        ("ka.target.name", &["objectRef", "name"]),
        ("ka.target.namespace", &["objectRef", "namespace"]),
        ("ka.target.resource", &["objectRef", "resource"]),
        ("ka.target.subresource", &["objectRef", "subresource"]),
        (
            "ka.auth.decision",
            &["annotations", "authorization.k8s.io/decision"],
        ),
        (
            "ka.auth.reason",
            &["annotations", "authorization.k8s.io/reason"],
        ),
        ("ka.response.code", &["responseStatus", "code"]),
        ("ka.response.reason", &["responseStatus", "reason"]),
        ("ka.useragent", &["userAgent"]),
        ("ka.sourceips", &["sourceIPs"]),
        ("ka.resp.name", &["responseObject", "metadata", "name"]),
    ];
    for (field, path) in MAP {
        if let Some(v) = fields
            .get(*field)
            .filter(|v| !v.is_null() && v.as_str() != Some("<NA>"))
        {
            let v = match (*field, v) {
                ("ka.response.code", Value::String(s)) => s
                    .parse::<i64>()
                    .map_or_else(|_| v.clone(), |n| Value::Number(n.into())),
                _ => v.clone(),
            };
            set(path, &v);
        }
    }
    if let Some(t) = alert.get("time") {
        set(&["stageTimestamp"], t);
    }
    AuditEvent::new(audit::Envelope::Plain, None, Value::Object(ev))
}

fn tetragon_process(p: &Value) -> Process {
    let s = |k: &str| p.get(k).and_then(text_of);
    let binary = s("binary");
    let name = binary.as_deref().map(|b| {
        b.rsplit('/')
            .next()
            .unwrap_or(b)
            .chars()
            .take(15)
            .collect::<String>()
    });
    let args = s("arguments").map(|a| split_args(&a));
    Process {
        pid: p.get("pid").and_then(int_of),
        tid: p.get("tid").and_then(int_of),
        uid: p
            .get("uid")
            .and_then(int_of)
            .and_then(|u| u32::try_from(u).ok()),
        loginuid: p
            .get("auid")
            .and_then(int_of)
            .and_then(|u| u32::try_from(u).ok()),
        name,
        exe: binary.clone(),
        exepath: binary,
        args,
        cwd: s("cwd"),
        start_ns: s("start_time").as_deref().and_then(parse_loose_time),
        cap_permitted: p
            .get("cap")
            .and_then(|c| c.get("permitted"))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(text_of).collect()),
        cap_effective: p
            .get("cap")
            .and_then(|c| c.get("effective"))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(text_of).collect()),
        ..Process::default()
    }
}

/// Tetragon joins arguments with spaces (quoting those with spaces); split them back.
fn split_args(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn ancestor_of(p: &Value) -> Ancestor {
    let proc_ = tetragon_process(p);
    Ancestor {
        pid: proc_.pid,
        name: proc_.name,
        exe: proc_.exe,
        exepath: proc_.exepath,
        args: proc_.args,
        start_ns: proc_.start_ns,
    }
}

/// The syscall a Tetragon kprobe or tracepoint function stands for.
fn tetragon_kind(function: &str) -> String {
    let f = function
        .trim_start_matches("__x64_sys_")
        .trim_start_matches("__arm64_sys_")
        .trim_start_matches("__ia32_sys_")
        .trim_start_matches("sys_")
        .trim_start_matches("ksys_");
    match f {
        "tcp_connect" | "tcp_v4_connect" | "tcp_v6_connect" | "udp_connect" => "connect",
        "inet_csk_accept" => "accept",
        "inet_bind" | "inet6_bind" => "bind",
        "security_file_open" | "fd_install" | "security_file_permission" | "do_filp_open" => {
            "openat"
        }
        "security_bprm_check" | "security_bprm_creds_for_exec" => "execve",
        "security_path_unlink" | "vfs_unlink" => "unlinkat",
        "security_path_rename" | "vfs_rename" => "renameat2",
        "security_path_chmod" => "fchmodat",
        "security_path_chown" => "fchownat",
        "security_sb_mount" | "path_mount" => "mount",
        "security_ptrace_access_check" => "ptrace",
        "commit_creds" => "setuid",
        "security_kernel_module_request" | "do_init_module" => "init_module",
        "security_bpf" | "bpf_check" => "bpf",
        other => other,
    }
    .to_string()
}

fn tetragon(v: &Value) -> Result<Option<Event>, String> {
    let obj = v.as_object().ok_or("not a JSON object")?;
    let (kind_key, body) = TETRAGON_KINDS
        .iter()
        .find_map(|k| obj.get(*k).map(|b| (*k, b)))
        .ok_or("no Tetragon event kind")?;
    let proc_v = body
        .get("process")
        .ok_or_else(|| format!("`{kind_key}` without `process`"))?;
    let mut process = tetragon_process(proc_v);
    let mut ancestors = Vec::new();
    if let Some(parent) = body.get("parent") {
        ancestors.push(ancestor_of(parent));
        process.ppid = parent.get("pid").and_then(int_of);
    }
    if let Some(list) = body.get("ancestors").and_then(Value::as_array) {
        ancestors.extend(list.iter().map(ancestor_of));
    }
    process.ancestors = ancestors;
    let time_ns = obj
        .get("time")
        .and_then(Value::as_str)
        .and_then(parse_loose_time)
        .unwrap_or(0);
    let kind = match kind_key {
        "process_exec" => "execve".to_string(),
        "process_exit" => "procexit".to_string(),
        _ => body
            .get("function_name")
            .or_else(|| body.get("event"))
            .and_then(Value::as_str)
            .map_or_else(|| kind_key.to_string(), tetragon_kind),
    };
    let mut e = SyscallEvent::new(&kind, time_ns, process);
    e.hostname = obj
        .get("node_name")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(pod) = proc_v.get("pod") {
        let container = pod.get("container");
        if let Some(c) = container {
            let full = c.get("id").and_then(text_of).map(|id| {
                id.split_once("://")
                    .map_or(id.clone(), |(_, rest)| rest.to_string())
            });
            let image = c.get("image").and_then(|i| i.get("name")).and_then(text_of);
            let (repo, tag) = match image.as_deref() {
                Some(i) => split_image(i),
                None => (None, None),
            };
            e.container = Some(Container {
                id: full
                    .as_deref()
                    .map(|f| f.chars().take(12).collect())
                    .unwrap_or_default(),
                full_id: full,
                name: c.get("name").and_then(text_of),
                image,
                image_repository: repo,
                image_tag: tag,
                image_digest: c
                    .get("image")
                    .and_then(|i| i.get("id"))
                    .and_then(text_of)
                    .and_then(|id| id.split_once('@').map(|(_, d)| d.to_string())),
                start_ns: c
                    .get("start_time")
                    .and_then(Value::as_str)
                    .and_then(parse_loose_time),
                ..Container::default()
            });
        }
        e.k8s = Some(K8sContext {
            namespace: pod.get("namespace").and_then(text_of),
            pod_name: pod.get("name").and_then(text_of),
            pod_labels: pod.get("pod_labels").and_then(Value::as_object).map(|m| {
                m.iter()
                    .filter_map(|(k, v)| text_of(v).map(|v| (k.clone(), v)))
                    .collect()
            }),
            owner_kind: pod.get("workload_kind").and_then(text_of),
            owner_name: pod.get("workload").and_then(text_of),
            node: e.hostname.clone(),
            ..K8sContext::default()
        });
    } else if proc_v.get("docker").is_none() {
        e.container = Some(Container::host());
    }
    if kind_key == "process_exit" {
        e.res = body.get("status").and_then(int_of);
    }
    for arg in body
        .get("args")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(sock) = arg.get("sock_arg") {
            let saddr = sock
                .get("saddr")
                .and_then(Value::as_str)
                .and_then(|s| s.parse().ok());
            let daddr = sock
                .get("daddr")
                .and_then(Value::as_str)
                .and_then(|s| s.parse().ok());
            let sport = sock
                .get("sport")
                .and_then(int_of)
                .and_then(|p| u16::try_from(p).ok());
            let dport = sock
                .get("dport")
                .and_then(int_of)
                .and_then(|p| u16::try_from(p).ok());
            let proto = match sock.get("protocol").and_then(Value::as_str) {
                Some("IPPROTO_UDP") => "udp",
                Some("IPPROTO_TCP") | None => "tcp",
                Some(_) => "raw",
            };
            if let (Some(s), Some(d), Some(sp), Some(dp)) = (saddr, daddr, sport, dport) {
                let is_server = e.kind.name() == "accept";
                let (client, server) = if is_server {
                    ((d, dp), (s, sp))
                } else {
                    ((s, sp), (d, dp))
                };
                e.fd = Some(Fd::socket(proto, client, server, is_server));
            }
        } else if let Some(path) = arg
            .get("file_arg")
            .or_else(|| arg.get("path_arg"))
            .and_then(|f| f.get("path"))
            .and_then(text_of)
        {
            if e.fd.is_none() {
                e.fd = Some(Fd::file(&path));
            } else {
                e.args.push(("newpath".to_string(), path));
            }
        } else if let Some(s) = arg.get("string_arg").and_then(text_of) {
            e.args.push(("arg".to_string(), s));
        } else if let Some(n) = arg.get("int_arg").and_then(int_of) {
            // security_file_permission's mask: MAY_WRITE 2, MAY_READ 4.
            if e.kind.name().starts_with("open") {
                e.open_flags = Some(OpenFlags {
                    read: n & 4 != 0,
                    write: n & 2 != 0,
                    ..OpenFlags::default()
                });
            }
            e.args.push(("arg".to_string(), n.to_string()));
        }
    }
    if e.kind.name().starts_with("open") && e.open_flags.is_none() {
        e.open_flags = Some(OpenFlags {
            read: true,
            ..OpenFlags::default()
        });
    }
    Ok(Some(Event::Syscall(Box::new(e))))
}

/// `registry/repo:tag` → (`registry/repo`, `tag`).
fn split_image(image: &str) -> (Option<String>, Option<String>) {
    let no_digest = image.split('@').next().unwrap_or(image);
    match no_digest.rfind(':') {
        Some(i) if !no_digest.get(i..).is_some_and(|t| t.contains('/')) => (
            no_digest.get(..i).map(str::to_string),
            no_digest.get(i + 1..).map(str::to_string),
        ),
        _ => (Some(no_digest.to_string()), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falco_alerts_become_events() {
        let line = r#"{"hostname":"n1","output":"x","priority":"Notice","rule":"Terminal shell in container","source":"syscall","tags":[],"time":"2024-05-01T10:00:00.000000001Z","output_fields":{"container.id":"3ad7b2c1f0e9","container.image.repository":"nginx","evt.type":"execve","proc.cmdline":"bash -i","proc.name":"bash","proc.pname":"runc","proc.tty":34816,"user.name":"root","k8s.ns.name":"default","k8s.pod.name":"web","evt.arg.flags":"EXE_WRITABLE"}}"#;
        let (events, errors) = decode(line);
        assert!(errors.is_empty(), "{errors:?}");
        let Event::Syscall(e) = &events[0] else {
            panic!()
        };
        assert_eq!(e.kind.name(), "execve");
        assert_eq!(e.process.args.as_deref(), Some(&["-i".to_string()][..]));
        assert_eq!(e.process.ancestors[0].name.as_deref(), Some("runc"));
        assert_eq!(e.process.tty, Some(34816));
        assert_eq!(
            e.container.as_ref().unwrap().image_repository.as_deref(),
            Some("nginx")
        );
        assert_eq!(e.time_ns, 1_714_557_600_000_000_001);
    }

    #[test]
    fn tetragon_exports_become_events() {
        let text = concat!(
            r#"{"process_exec":{"process":{"exec_id":"a","pid":52699,"uid":0,"cwd":"/","binary":"/usr/bin/curl","arguments":"-s \"http://a b\"","start_time":"2024-01-01T00:00:00Z","pod":{"namespace":"default","name":"xwing","container":{"id":"containerd://0123456789abcdef","name":"spaceship","image":{"id":"docker.io/tgraf/netperf@sha256:aa","name":"docker.io/tgraf/netperf:latest"}},"workload":"xwing","workload_kind":"Pod"}},"parent":{"pid":52690,"binary":"/bin/bash"}},"node_name":"kind","time":"2024-01-01T00:00:01Z"}"#,
            "\n",
            r#"{"process_kprobe":{"process":{"pid":52699,"binary":"/usr/bin/curl"},"function_name":"tcp_connect","args":[{"sock_arg":{"family":"AF_INET","type":"SOCK_STREAM","protocol":"IPPROTO_TCP","saddr":"10.244.0.5","daddr":"169.254.169.254","sport":40000,"dport":80}}]},"time":"2024-01-01T00:00:02Z"}"#,
            "\n",
            r#"{"process_exit":{"process":{"pid":52699,"binary":"/usr/bin/curl"},"status":0},"time":"2024-01-01T00:00:03Z"}"#,
        );
        let (events, errors) = decode(text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(events.len(), 3);
        let Event::Syscall(exec) = &events[0] else {
            panic!()
        };
        assert_eq!(exec.kind.name(), "execve");
        assert_eq!(exec.process.name.as_deref(), Some("curl"));
        assert_eq!(exec.process.args.as_ref().unwrap(), &["-s", "http://a b"]);
        let c = exec.container.as_ref().unwrap();
        assert_eq!(c.id, "0123456789ab");
        assert_eq!(
            c.image_repository.as_deref(),
            Some("docker.io/tgraf/netperf")
        );
        assert_eq!(
            exec.k8s.as_ref().unwrap().pod_name.as_deref(),
            Some("xwing")
        );
        let Event::Syscall(conn) = &events[1] else {
            panic!()
        };
        assert_eq!(conn.kind.name(), "connect");
        assert_eq!(conn.fd.as_ref().unwrap().server_port, Some(80));
        let Event::Syscall(exit) = &events[2] else {
            panic!()
        };
        assert_eq!(exit.kind.name(), "procexit");
    }

    #[test]
    fn harrier_lines_round_trip() {
        let p = Process {
            name: Some("sh".into()),
            ..Process::default()
        };
        let e = Event::Syscall(Box::new(SyscallEvent::new("execve", 5, p)));
        let line = serde_json::to_string(&e).unwrap();
        let (events, errors) = decode(&line);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(events, vec![e]);
    }
}
