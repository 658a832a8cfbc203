//! The one conversion from the sensor's [`SensorEvent`] to the rule engine's event model
//! ([`harrier_runtime::event::Event`]), done on the struct, without a JSON round trip.
//!
//! `harrier sensor` evaluates the converted event and writes that same event to `--events`,
//! in Harrier's runtime JSON lines (docs/runtime-events.md), so that `harrier replay` of the
//! file feeds the engine exactly what the live run fed it and raises the same alerts.
//!
//! What the engine's model has no place for (the collector, the cgroup id and names, container
//! labels other than the pod's) is left out; what the sensor could not find is kept as
//! `context_incomplete` and `missing`.

use std::net::IpAddr;

use harrier_runtime::event::{self as rt, Event, FdKind, OpenFlags, SyscallEvent};

use crate::event::{Container, EventType, Fd, FdType, Param, SensorEvent, Syscall};

/// `ECONNREFUSED`'s cousin `EINPROGRESS`: a non-blocking connect that is under way.
const EINPROGRESS: i64 = 115;

/// The engine's event for `ev`. `hostname` is the node's name, written into the event so that
/// a replay of it names the same node.
pub fn to_runtime(ev: &SensorEvent, hostname: &str) -> Event {
    let mut e = SyscallEvent::new(
        ev.evt_type.name(),
        i64::try_from(ev.time_ns).unwrap_or(i64::MAX),
        process(ev),
    );
    e.res = ev.res;
    e.args = ev
        .params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), param_text(k, v, ev.evt_type)))
        .collect();
    if is_open(ev.evt_type) {
        e.open_flags = Some(open_flags(ev));
    }
    e.fd = ev.fd.as_ref().map(|fd| self::fd(ev, fd));
    if let Some(c) = &ev.container {
        e.container = Some(container(c));
        if c.pod_name.is_some() || c.pod_namespace.is_some() || c.pod_uid.is_some() {
            e.k8s = Some(rt::K8sContext {
                namespace: c.pod_namespace.clone(),
                pod_name: c.pod_name.clone(),
                pod_uid: c.pod_uid.clone(),
                ..rt::K8sContext::default()
            });
        }
    }
    e.hostname = Some(hostname.to_owned());
    e.context_incomplete = ev.context_incomplete;
    e.missing = ev.missing.iter().map(|m| (*m).to_owned()).collect();
    Event::Syscall(Box::new(e))
}

fn is_open(t: EventType) -> bool {
    matches!(
        t,
        EventType::Syscall(Syscall::Open | Syscall::Openat | Syscall::Openat2)
    )
}

fn process(ev: &SensorEvent) -> rt::Process {
    let p = &ev.proc;
    let known_args = p.exe.is_some() || !p.args.is_empty();
    rt::Process {
        pid: Some(i64::from(p.pid)),
        tid: (p.tid != 0 && p.tid != p.pid).then_some(i64::from(p.tid)),
        ppid: (p.ppid != 0 || p.pid == 1).then_some(i64::from(p.ppid)),
        name: (!p.name.is_empty()).then(|| p.name.clone()),
        exe: p.exe.clone(),
        exepath: p.exepath.clone(),
        args: known_args.then(|| p.args.clone()),
        cwd: p.cwd.clone(),
        uid: Some(p.uid),
        gid: Some(p.gid),
        euid: Some(p.euid),
        egid: Some(p.egid),
        loginuid: p.loginuid,
        user: p.user.clone(),
        start_ns: p.start_ns.and_then(|n| i64::try_from(n).ok()),
        tty: p.tty.map(i64::from),
        ancestors: p
            .ancestors
            .iter()
            .map(|a| rt::Ancestor {
                pid: Some(i64::from(a.pid)),
                name: Some(a.name.clone()),
                exepath: a.exepath.clone(),
                ..rt::Ancestor::default()
            })
            .collect(),
        ..rt::Process::default()
    }
}

/// `evt.arg.NAME` as Falco renders it: numbers in decimal, flags joined by `|` (an open's
/// access mode named even when it is `O_RDONLY`, which is 0).
fn param_text(name: &str, v: &Param, t: EventType) -> String {
    match v {
        Param::Int(i) => i.to_string(),
        Param::Str(s) => s.clone(),
        Param::Flags(f) => {
            let mut parts: Vec<&str> = Vec::with_capacity(f.len() + 1);
            if name == "flags"
                && is_open(t)
                && !f.iter().any(|x| *x == "O_WRONLY" || *x == "O_RDWR")
            {
                parts.push("O_RDONLY");
            }
            parts.extend(f.iter().copied());
            parts.join("|")
        }
    }
}

fn open_flags(ev: &SensorEvent) -> OpenFlags {
    let names = match ev.params.get("flags") {
        Some(Param::Flags(f)) => f.join("|"),
        _ => String::new(),
    };
    let mut flags = OpenFlags::from_falco_text(&names);
    let mode = match ev.params.get("mode") {
        Some(Param::Int(m)) => *m,
        _ => 0,
    };
    flags.exec = flags.create && mode & 0o111 != 0;
    flags
}

fn fd(ev: &SensorEvent, fd: &Fd) -> rt::Fd {
    let num = match (ev.params.get("fd"), ev.res) {
        (Some(Param::Int(n)), _) => Some(*n),
        (None, Some(r)) if r >= 0 && is_open(ev.evt_type) => Some(r),
        _ => None,
    };
    let kind = match fd.typ {
        FdType::File => FdKind::File,
        FdType::Ipv4 => FdKind::Ipv4,
        FdType::Ipv6 => FdKind::Ipv6,
        FdType::Unix => FdKind::Unix,
        FdType::Memfd => FdKind::Memfd,
    };
    let mut out = rt::Fd::file(&fd.name);
    out.kind = kind;
    out.num = num;
    let Some(addr) = &fd.addr else {
        return out;
    };
    let ip = addr.ip.as_deref().and_then(|s| s.parse::<IpAddr>().ok());
    match ev.evt_type {
        // accept: the address is the peer, the client; this process serves.
        EventType::Syscall(Syscall::Accept | Syscall::Accept4) => {
            out.client_ip = ip;
            out.client_port = addr.port;
            out.is_server = true;
        }
        // bind: the address is this process's own, a server's.
        EventType::Syscall(Syscall::Bind) => {
            out.server_ip = ip;
            out.server_port = addr.port;
            out.is_server = true;
        }
        _ => {
            out.server_ip = ip;
            out.server_port = addr.port;
            out.connected = matches!(ev.res, Some(0)) || ev.res == Some(-EINPROGRESS);
        }
    }
    out
}

fn container(c: &Container) -> rt::Container {
    if c.id == "host" {
        return rt::Container::host();
    }
    let (repository, tag, digest) = c.image.as_deref().map_or((None, None, None), split_image);
    rt::Container {
        id: c.id.clone(),
        full_id: c.full_id.clone(),
        name: c.name.clone(),
        image: c.image.clone(),
        image_repository: repository,
        image_tag: tag,
        image_digest: digest,
        runtime: c.runtime.map(str::to_owned),
        ..rt::Container::default()
    }
}

/// `repo[:tag][@digest]` into its parts (a `:` before the last `/` is a registry port).
fn split_image(image: &str) -> (Option<String>, Option<String>, Option<String>) {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d.to_owned())),
        None => (image, None),
    };
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (repo, tag) = match rest.get(slash..).and_then(|last| last.rfind(':')) {
        Some(i) => (
            rest.get(..slash + i).unwrap_or(rest),
            rest.get(slash + i + 1..).map(str::to_owned),
        ),
        None => (rest, None),
    };
    (Some(repo.to_owned()), tag, digest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::{RecordBuilder, kind};
    use crate::event::{Process, SockAddr, Source, decode};
    use std::sync::Arc;

    const ID: &str = "74c040c4e7d19bb459446c7b36810a7e1243c4e43d998bbca191402c9b4b0056";

    fn in_container(mut ev: SensorEvent) -> SensorEvent {
        ev.container = Some(Arc::new(Container {
            id: ID[..12].to_owned(),
            full_id: Some(ID.to_owned()),
            runtime: Some("podman"),
            name: Some("web".into()),
            image: Some("registry.local:5000/shop/web:1.2@sha256:abc".into()),
            pod_name: Some("web-1".into()),
            pod_namespace: Some("prod".into()),
            ..Container::default()
        }));
        ev
    }

    fn engine() -> harrier_runtime::Engine {
        let mut loader = harrier_runtime::rules::Loader::new();
        loader.add_text(
            "t.yaml",
            r#"
- rule: Shadow read
  desc: d
  condition: evt.type = openat and evt.is_open_read = true and fd.name = /etc/shadow
  output: "%proc.name read %fd.name flags=%evt.arg.flags"
  priority: WARNING
- rule: Pool port
  desc: d
  condition: evt.type = connect and fd.sport = 3333 and fd.typechar = 4 and fd.sip = 10.0.0.9
  output: "%proc.name to %fd.sip:%fd.sport"
  priority: CRITICAL
- rule: Miner
  desc: d
  condition: evt.type = execve and proc.name = xmrig and proc.pname = bash and proc.args contains "--donate-level"
  output: "%proc.cmdline"
  priority: CRITICAL
"#,
        );
        let set = loader.compile();
        assert!(set.problems.is_empty(), "{:?}", set.problems);
        harrier_runtime::Engine::new(&set)
    }

    #[test]
    fn open_connect_and_exec_raise_alerts_with_their_container() {
        let engine = engine();
        let b = RecordBuilder::new(kind::SYSCALL)
            .syscall(Syscall::Openat.code())
            .process(4_000_001, 4_000_001, 1)
            .comm("cat")
            .arg(0, (-100i64) as u64)
            .arg(2, 0o2_000_000)
            .path(0, "/etc/shadow")
            .ret(3)
            .build();
        let (mut ev, _) = decode(&b, 0).unwrap();
        ev.fd = Some(Fd {
            name: "/etc/shadow".into(),
            typ: FdType::File,
            addr: None,
        });
        let ev = in_container(ev);
        let alerts = engine.alerts(&to_runtime(&ev, "node-1"), "x");
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        let a = &alerts[0];
        assert_eq!(a.hostname, "node-1");
        assert_eq!(a.output_fields["container.id"], &ID[..12]);
        assert_eq!(a.output_fields["k8s.pod.name"], "web-1");
        assert_eq!(a.output_fields["k8s.ns.name"], "prod");
        assert_eq!(
            a.output_fields["container.image.repository"],
            "registry.local:5000/shop/web"
        );
        assert_eq!(a.output_fields["evt.arg.flags"], "O_RDONLY|O_CLOEXEC");
        assert!(!a.output_fields.contains_key("context_incomplete"));

        let mut ev = SensorEvent::new(
            Source::Ebpf,
            EventType::Syscall(Syscall::Connect),
            1,
            Process {
                pid: 7,
                tid: 7,
                name: "xmrig".into(),
                ..Process::default()
            },
        );
        let addr = SockAddr {
            family: FdType::Ipv4,
            ip: Some("10.0.0.9".into()),
            port: Some(3333),
            path: None,
        };
        ev.fd = Some(Fd {
            name: addr.to_name(),
            typ: FdType::Ipv4,
            addr: Some(addr),
        });
        ev.res = Some(-EINPROGRESS);
        ev.context_incomplete = true;
        ev.missing = vec!["container"];
        let alerts = engine.alerts(&to_runtime(&ev, "node-1"), "x");
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].rule, "Pool port");
        assert_eq!(alerts[0].output_fields["context_incomplete"], true);
        assert_eq!(
            alerts[0].output_fields["context_missing"],
            serde_json::json!(["container"])
        );

        let b = RecordBuilder::new(kind::EXEC)
            .process(4_000_002, 4_000_002, 4_000_001)
            .comm("xmrig")
            .path(0, "/tmp/xmrig")
            .argv(&["./xmrig", "--donate-level", "1"])
            .build();
        let (mut ev, _) = decode(&b, 0).unwrap();
        ev.proc.ancestors = vec![crate::event::Ancestor {
            pid: 4_000_001,
            name: "bash".into(),
            exepath: Some("/usr/bin/bash".into()),
        }];
        let alerts = engine.alerts(&to_runtime(&in_container(ev), "node-1"), "x");
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(
            alerts[0].output_fields["proc.cmdline"],
            "xmrig --donate-level 1"
        );
    }

    #[test]
    fn the_json_line_replays_to_the_same_event() {
        let b = RecordBuilder::new(kind::EXEC)
            .process(4_000_002, 4_000_002, 4_000_001)
            .comm("sh")
            .path(0, "/bin/sh")
            .argv(&["sh", "-c", "id"])
            .build();
        let (ev, _) = decode(&b, 0).unwrap();
        let live = to_runtime(&in_container(ev), "node-1");
        let line = serde_json::to_string(&live).unwrap();
        let (replayed, errors) = harrier_runtime::decode::decode(&line);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(replayed, vec![live]);
    }

    #[test]
    fn image_references_split() {
        let s = |i| split_image(i);
        assert_eq!(
            s("nginx:1.27"),
            (Some("nginx".into()), Some("1.27".into()), None)
        );
        assert_eq!(
            s("localhost:5000/a/b"),
            (Some("localhost:5000/a/b".into()), None, None)
        );
        assert_eq!(
            s("a@sha256:00"),
            (Some("a".into()), None, Some("sha256:00".into()))
        );
    }
}
