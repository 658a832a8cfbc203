//! The decoded event: [`SensorEvent`], a plain Rust value written as one JSON line per event.
//!
//! Its fields follow what Falco's rule fields need (`evt.type`, `proc.*` with the parent and
//! ancestry, `fd.name`, socket addresses, `container.id`), so that the rule engine can map them
//! one to one. Decoding ([`decode`]) turns a ring-buffer record into an event with what the
//! kernel gave; [`crate::enrich`] then fills in what userspace knows (cwd, ancestry, container).

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use serde::Serialize;

use crate::abi::{self, RawEvent};

/// The syscalls the eBPF collector traces, with their Falco `evt.type` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Syscall {
    Execve,
    Execveat,
    Open,
    Openat,
    Openat2,
    Connect,
    Accept,
    Accept4,
    Bind,
    Setuid,
    Setgid,
    Setreuid,
    Setregid,
    Setresuid,
    Setresgid,
    Capset,
    Ptrace,
    Mount,
    Umount2,
    Unshare,
    Setns,
    Bpf,
    MemfdCreate,
    InitModule,
    FinitModule,
    Chmod,
    Fchmod,
    Fchmodat,
    Fchmodat2,
    Chown,
    Lchown,
    Fchown,
    Fchownat,
    Unlink,
    Unlinkat,
    Rename,
    Renameat,
    Renameat2,
}

impl Syscall {
    /// Every traced syscall: (syscall, `HR_SYS_*` code, tracepoint suffix).
    pub const ALL: &'static [(Syscall, u32, &'static str)] = &[
        (Syscall::Execve, 1, "execve"),
        (Syscall::Execveat, 2, "execveat"),
        (Syscall::Openat, 3, "openat"),
        (Syscall::Openat2, 4, "openat2"),
        (Syscall::Connect, 5, "connect"),
        (Syscall::Accept, 6, "accept"),
        (Syscall::Accept4, 7, "accept4"),
        (Syscall::Bind, 8, "bind"),
        (Syscall::Setuid, 9, "setuid"),
        (Syscall::Setgid, 10, "setgid"),
        (Syscall::Setreuid, 11, "setreuid"),
        (Syscall::Setregid, 12, "setregid"),
        (Syscall::Setresuid, 13, "setresuid"),
        (Syscall::Setresgid, 14, "setresgid"),
        (Syscall::Capset, 15, "capset"),
        (Syscall::Ptrace, 16, "ptrace"),
        (Syscall::Mount, 17, "mount"),
        (Syscall::Umount2, 18, "umount"),
        (Syscall::Unshare, 19, "unshare"),
        (Syscall::Setns, 20, "setns"),
        (Syscall::Bpf, 21, "bpf"),
        (Syscall::MemfdCreate, 22, "memfd_create"),
        (Syscall::InitModule, 23, "init_module"),
        (Syscall::FinitModule, 24, "finit_module"),
        (Syscall::Chmod, 25, "chmod"),
        (Syscall::Fchmod, 26, "fchmod"),
        (Syscall::Fchmodat, 27, "fchmodat"),
        (Syscall::Fchmodat2, 28, "fchmodat2"),
        (Syscall::Chown, 29, "chown"),
        (Syscall::Lchown, 30, "lchown"),
        (Syscall::Fchown, 31, "fchown"),
        (Syscall::Fchownat, 32, "fchownat"),
        (Syscall::Unlink, 33, "unlink"),
        (Syscall::Unlinkat, 34, "unlinkat"),
        (Syscall::Rename, 35, "rename"),
        (Syscall::Renameat, 36, "renameat"),
        (Syscall::Renameat2, 37, "renameat2"),
        (Syscall::Open, 38, "open"),
    ];

    /// The syscall of a `HR_SYS_*` code.
    pub fn from_code(code: u32) -> Option<Syscall> {
        Self::ALL
            .iter()
            .find(|(_, c, _)| *c == code)
            .map(|(s, _, _)| *s)
    }

    /// Its `HR_SYS_*` code.
    pub fn code(self) -> u32 {
        Self::ALL
            .iter()
            .find(|(s, _, _)| *s == self)
            .map_or(0, |(_, c, _)| *c)
    }

    /// The suffix of its `syscalls:sys_enter_*` tracepoint (`umount2` is `sys_enter_umount`).
    pub fn tracepoint(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(s, _, _)| *s == self)
            .map_or("", |(_, _, t)| t)
    }

    /// The Falco `evt.type`.
    pub fn name(self) -> &'static str {
        match self {
            Syscall::Umount2 => "umount2",
            s => s.tracepoint(),
        }
    }
}

/// Which collector produced an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The BPF programs.
    Ebpf,
    /// The kernel's proc connector (netlink).
    ProcConnector,
    /// The start-up scan of /proc.
    Procfs,
}

/// `evt.type`: a syscall, or one of the process lifecycle events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    /// A new program image (Falco's `execve` exit).
    Execve,
    /// A new process (Falco's `clone`/`fork` exit in the child).
    Fork,
    /// A process ended (Falco's `procexit`).
    Procexit,
    /// A process found running at start (the /proc scan).
    Existing,
    /// A traced syscall.
    Syscall(Syscall),
}

impl EventType {
    /// The Falco `evt.type` string.
    pub fn name(self) -> &'static str {
        match self {
            EventType::Execve => "execve",
            EventType::Fork => "clone",
            EventType::Procexit => "procexit",
            EventType::Existing => "existing",
            EventType::Syscall(s) => s.name(),
        }
    }
}

/// An ancestor of the process (`proc.aname[n]`, `proc.apid[n]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ancestor {
    /// `proc.apid`.
    pub pid: u32,
    /// `proc.aname`.
    pub name: String,
    /// Its executable path, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exepath: Option<String>,
}

/// `proc.*` and `user.*`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Process {
    /// `proc.pid` (tgid).
    pub pid: u32,
    /// `thread.tid`.
    pub tid: u32,
    /// `proc.ppid`.
    pub ppid: u32,
    /// `proc.name`: the kernel's command name (15 bytes at most).
    pub name: String,
    /// `proc.exe`: argv\[0\].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exe: Option<String>,
    /// `proc.exepath`: the executable's path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exepath: Option<String>,
    /// `proc.args`, split.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// `proc.cwd`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    /// `user.uid`.
    pub uid: u32,
    /// `group.gid`.
    pub gid: u32,
    /// Effective uid.
    pub euid: u32,
    /// Effective gid.
    pub egid: u32,
    /// `user.name`: the name of `uid` in the process's own `/etc/passwd` (its container's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `user.loginuid` (absent when unset, -1 in the kernel).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loginuid: Option<u32>,
    /// `proc.pname` (the parent's name), where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pname: Option<String>,
    /// When the process started, ns since the epoch: with the pid, it names the process
    /// beyond pid reuse (the kill guard of response actions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_ns: Option<u64>,
    /// `proc.tty`: the controlling terminal's device number, 0 for none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tty: Option<u32>,
    /// Ancestors, parent first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ancestors: Vec<Ancestor>,
}

/// `fd.typechar`-like kind of a file descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FdType {
    /// A file or directory.
    File,
    /// An IPv4 socket.
    Ipv4,
    /// An IPv6 socket.
    Ipv6,
    /// A unix socket.
    Unix,
    /// An anonymous memory file.
    Memfd,
}

/// A socket address (`fd.sip`, `fd.sport`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SockAddr {
    /// `ipv4`, `ipv6` or `unix`.
    pub family: FdType,
    /// IP address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Unix socket path (abstract ones start with `@`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl SockAddr {
    /// Decodes a `struct sockaddr` as the process passed it; `None` for other families.
    pub fn parse(b: &[u8]) -> Option<SockAddr> {
        let family = u16::from_ne_bytes([*b.first()?, *b.get(1)?]);
        let port = || Some(u16::from_be_bytes([*b.get(2)?, *b.get(3)?]));
        match i32::from(family) {
            libc::AF_INET => {
                let ip: [u8; 4] = b.get(4..8)?.try_into().ok()?;
                Some(SockAddr {
                    family: FdType::Ipv4,
                    ip: Some(Ipv4Addr::from(ip).to_string()),
                    port: port(),
                    path: None,
                })
            }
            libc::AF_INET6 => {
                let ip: [u8; 16] = b.get(8..24)?.try_into().ok()?;
                Some(SockAddr {
                    family: FdType::Ipv6,
                    ip: Some(Ipv6Addr::from(ip).to_string()),
                    port: port(),
                    path: None,
                })
            }
            libc::AF_UNIX => {
                let rest = b.get(2..).unwrap_or(&[]);
                let path = match rest.first() {
                    Some(0) => format!(
                        "@{}",
                        String::from_utf8_lossy(abi::until_nul(rest.get(1..).unwrap_or(&[])))
                    ),
                    _ => String::from_utf8_lossy(abi::until_nul(rest)).into_owned(),
                };
                Some(SockAddr {
                    family: FdType::Unix,
                    ip: None,
                    port: None,
                    path: Some(path),
                })
            }
            _ => None,
        }
    }

    /// The address as Falco writes it in `fd.name` (`1.2.3.4:80`, `[::1]:80`, a path).
    pub fn to_name(&self) -> String {
        match (self.family, &self.ip, self.port, &self.path) {
            (FdType::Ipv6, Some(ip), Some(port), _) => format!("[{ip}]:{port}"),
            (_, Some(ip), Some(port), _) => format!("{ip}:{port}"),
            (_, _, _, Some(path)) => path.clone(),
            _ => String::new(),
        }
    }
}

/// The file or socket a syscall acted on (`fd.*`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fd {
    /// `fd.name`: the absolute path where it could be resolved, the address for sockets.
    pub name: String,
    /// `fd.type`.
    #[serde(rename = "type")]
    pub typ: FdType,
    /// The socket address, for connect, bind and accept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr: Option<SockAddr>,
}

/// A syscall parameter (`evt.arg.*`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Param {
    /// A number.
    Int(i64),
    /// A string or path.
    Str(String),
    /// Flag names.
    Flags(Vec<&'static str>),
}

/// The container a process runs in (`container.*`, `k8s.*`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Container {
    /// `container.id`: the first 12 hex digits, or `host`.
    pub id: String,
    /// `container.full_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_id: Option<String>,
    /// The runtime whose cgroup layout named it (`podman`, `docker`, `containerd`, `cri-o`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime: Option<&'static str>,
    /// `container.name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `container.image`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// `container.labels`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// `k8s.pod.name` (label `io.kubernetes.pod.name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_name: Option<String>,
    /// `k8s.ns.name` (label `io.kubernetes.pod.namespace`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_namespace: Option<String>,
    /// `k8s.pod.uid`, from the label or the kubepods cgroup path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_uid: Option<String>,
}

/// One event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SensorEvent {
    /// Wall-clock time, nanoseconds since the Unix epoch (`evt.rawtime`).
    pub time_ns: u64,
    /// The collector.
    pub source: Source,
    /// `evt.type`.
    #[serde(rename = "evt_type", serialize_with = "ser_evt_type")]
    pub evt_type: EventType,
    /// The syscall's return value (`evt.rawres`); absent for lifecycle events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub res: Option<i64>,
    /// The process.
    pub proc: Process,
    /// The file or socket.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fd: Option<Fd>,
    /// Syscall parameters, by Falco's parameter names.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<&'static str, Param>,
    /// The container, where known (shared with the container cache: events of one container
    /// do not copy its labels).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<std::sync::Arc<Container>>,
    /// The cgroup v2 id the kernel reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cgroup_id: Option<u64>,
    /// The cgroup names the kernel reported (`parent/leaf`), the input of container detection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cgroup: Option<String>,
    /// Part of the context could not be found (see `missing`).
    pub context_incomplete: bool,
    /// What is missing: `container`, `cwd`, `exepath`, `args`, `parent`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<&'static str>,
}

fn ser_evt_type<S: serde::Serializer>(t: &EventType, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(t.name())
}

impl SensorEvent {
    /// An event with only the process and type set.
    pub fn new(source: Source, evt_type: EventType, time_ns: u64, proc: Process) -> Self {
        SensorEvent {
            time_ns,
            source,
            evt_type,
            res: None,
            proc,
            fd: None,
            params: BTreeMap::new(),
            container: None,
            cgroup_id: None,
            cgroup: None,
            context_incomplete: false,
            missing: Vec::new(),
        }
    }
}

/// A record the decoder does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Shorter than a header.
    #[error(transparent)]
    Short(#[from] abi::ShortRecord),
    /// An unknown `HR_KIND_*`.
    #[error("unknown event kind {kind}")]
    UnknownKind {
        /// The kind.
        kind: u32,
    },
    /// An unknown `HR_SYS_*`.
    #[error("unknown syscall code {code}")]
    UnknownSyscall {
        /// The code.
        code: u32,
    },
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Splits a NUL-separated argv block.
pub fn split_argv(b: &[u8]) -> Vec<String> {
    let b = b.strip_suffix(&[0]).unwrap_or(b);
    if b.is_empty() {
        return Vec::new();
    }
    b.split(|&c| c == 0).map(lossy).collect()
}

const AT_FDCWD: i64 = -100;

fn int(v: u64) -> Param {
    Param::Int(i64::from_ne_bytes(v.to_ne_bytes()))
}

/// The low 32 bits as a signed int (fds, dirfds).
fn int32(v: u64) -> i64 {
    i64::from(i32::from_ne_bytes((v as u32).to_ne_bytes()))
}

fn flags(v: u64, table: &[(u64, &'static str)]) -> Param {
    Param::Flags(
        table
            .iter()
            .filter(|(bit, _)| *bit != 0 && v & bit == *bit)
            .map(|(_, n)| *n)
            .collect(),
    )
}

const OPEN_FLAGS: &[(u64, &str)] = &[
    (0o1, "O_WRONLY"),
    (0o2, "O_RDWR"),
    (0o100, "O_CREAT"),
    (0o200, "O_EXCL"),
    (0o1000, "O_TRUNC"),
    (0o2000, "O_APPEND"),
    (0o4000, "O_NONBLOCK"),
    (0o200000, "O_DIRECTORY"),
    (0o400000, "O_NOFOLLOW"),
    (0o2000000, "O_CLOEXEC"),
    (0o20200000, "O_TMPFILE"),
    (0o10000000, "O_PATH"),
];

const CLONE_FLAGS: &[(u64, &str)] = &[
    (0x0002_0000, "CLONE_NEWNS"),
    (0x0200_0000, "CLONE_NEWCGROUP"),
    (0x0400_0000, "CLONE_NEWUTS"),
    (0x0800_0000, "CLONE_NEWIPC"),
    (0x1000_0000, "CLONE_NEWUSER"),
    (0x2000_0000, "CLONE_NEWPID"),
    (0x4000_0000, "CLONE_NEWNET"),
    (0x0000_0080, "CLONE_NEWTIME"),
    (0x0000_0200, "CLONE_FS"),
    (0x0000_0400, "CLONE_FILES"),
    (0x0004_0000, "CLONE_SYSVSEM"),
];

fn ptrace_request(v: u64) -> Param {
    let name = match v {
        0 => "PTRACE_TRACEME",
        1 => "PTRACE_PEEKTEXT",
        2 => "PTRACE_PEEKDATA",
        4 => "PTRACE_POKETEXT",
        5 => "PTRACE_POKEDATA",
        6 => "PTRACE_POKEUSER",
        7 => "PTRACE_CONT",
        8 => "PTRACE_KILL",
        13 => "PTRACE_SETREGS",
        16 => "PTRACE_ATTACH",
        17 => "PTRACE_DETACH",
        0x4206 => "PTRACE_SEIZE",
        _ => return int(v),
    };
    Param::Str(name.to_owned())
}

fn bpf_cmd(v: u64) -> Param {
    let name = match v {
        0 => "BPF_MAP_CREATE",
        5 => "BPF_PROG_LOAD",
        8 => "BPF_PROG_ATTACH",
        17 => "BPF_RAW_TRACEPOINT_OPEN",
        28 => "BPF_LINK_CREATE",
        _ => return int(v),
    };
    Param::Str(name.to_owned())
}

/// A path argument as the kernel saw it, with where it is relative to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawPath {
    /// The path as passed.
    pub path: String,
    /// The directory fd it is relative to (`AT_FDCWD` = -100), for relative paths.
    pub dirfd: i64,
}

/// What decoding leaves for enrichment to resolve.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pending {
    /// The path of `fd.name` for file syscalls, before resolution against cwd or a dirfd.
    pub fd_path: Option<RawPath>,
    /// The kernel's cgroup names: (parent, leaf).
    pub cgroup: Option<(String, String)>,
    /// What `/proc` said of the process when the collector got the event (the proc connector
    /// gives pids only, and a short-lived process is gone by the time enrichment runs).
    pub proc_info: Option<Box<crate::procs::ProcInfo>>,
}

/// Decodes one ring-buffer record; `boot_to_unix_ns` converts the boot-time clock.
pub fn decode(bytes: &[u8], boot_to_unix_ns: u64) -> Result<(SensorEvent, Pending), DecodeError> {
    let raw = RawEvent::parse(bytes)?;
    let evt_type = match raw.kind() {
        abi::kind::EXEC => EventType::Execve,
        abi::kind::FORK => EventType::Fork,
        abi::kind::EXIT => EventType::Procexit,
        abi::kind::SYSCALL => EventType::Syscall(Syscall::from_code(raw.syscall()).ok_or(
            DecodeError::UnknownSyscall {
                code: raw.syscall(),
            },
        )?),
        kind => return Err(DecodeError::UnknownKind { kind }),
    };
    let loginuid = raw.loginuid();
    let proc = Process {
        pid: raw.pid(),
        tid: raw.tid(),
        ppid: raw.ppid(),
        name: lossy(raw.comm()),
        uid: raw.uid(),
        gid: raw.gid(),
        euid: raw.euid(),
        egid: raw.egid(),
        loginuid: (loginuid != u32::MAX).then_some(loginuid),
        start_ns: (raw.start_ns() != 0).then(|| raw.start_ns().saturating_add(boot_to_unix_ns)),
        tty: Some(raw.tty()),
        ..Process::default()
    };
    let mut ev = SensorEvent::new(
        Source::Ebpf,
        evt_type,
        raw.ts_ns().saturating_add(boot_to_unix_ns),
        proc,
    );
    ev.cgroup_id = Some(raw.cgroup_id()).filter(|&id| id != 0);
    let (parent, leaf) = (lossy(raw.cgroup_parent()), lossy(raw.cgroup_leaf()));
    ev.cgroup = Some(format!("{parent}/{leaf}"));
    let mut pending = Pending {
        fd_path: None,
        cgroup: Some((parent, leaf)),
        proc_info: None,
    };
    let path = |i: usize| raw.path(i).map(lossy);
    let a = |i: usize| raw.arg(i);
    match evt_type {
        EventType::Execve => {
            ev.proc.exepath = path(0);
            ev.proc.args = split_argv(raw.argv());
            ev.proc.exe = ev.proc.args.first().cloned();
            if !ev.proc.args.is_empty() {
                ev.proc.args.remove(0);
            }
            if raw.flags() & abi::flag::ARGV_TRUNCATED != 0 {
                ev.params.insert("args_truncated", Param::Int(1));
            }
        }
        EventType::Fork => {
            ev.params.insert("child_pid", int(a(0)));
        }
        EventType::Procexit => {
            let code = a(0);
            ev.params.insert("status", int(code >> 8 & 0xff));
            if code & 0x7f != 0 {
                ev.params.insert("sig", int(code & 0x7f));
            }
        }
        EventType::Existing => {}
        EventType::Syscall(sys) => {
            ev.res = Some(raw.ret());
            decode_syscall(&mut ev, &mut pending, sys, &raw);
        }
    }
    Ok((ev, pending))
}

fn decode_syscall(ev: &mut SensorEvent, pending: &mut Pending, sys: Syscall, raw: &RawEvent<'_>) {
    use Syscall as S;
    let path = |i: usize| raw.path(i).map(lossy);
    let a = |i: usize| raw.arg(i);
    let p = &mut ev.params;
    let put_path = |p: &mut BTreeMap<&'static str, Param>, name: &'static str, slot: usize| {
        if let Some(v) = path(slot) {
            p.insert(name, Param::Str(v));
        }
    };
    match sys {
        S::Execve | S::Execveat => {
            put_path(p, "filename", 0);
            if sys == S::Execveat {
                p.insert("dirfd", Param::Int(int32(a(0))));
            }
        }
        S::Open | S::Openat | S::Openat2 => {
            let (dirfd, flag_arg) = match sys {
                S::Open => (AT_FDCWD, 1),
                _ => (int32(a(0)), 2),
            };
            p.insert("flags", flags(a(flag_arg), OPEN_FLAGS));
            p.insert("mode", int(a(flag_arg + 1) & 0o7777));
            if let Some(path) = path(0) {
                p.insert("name", Param::Str(path.clone()));
                pending.fd_path = Some(RawPath { path, dirfd });
            }
            if sys != S::Open {
                p.insert("dirfd", Param::Int(dirfd));
            }
        }
        S::Connect | S::Accept | S::Accept4 | S::Bind => {
            p.insert("fd", Param::Int(int32(a(0))));
            if raw.blob_kind() == abi::blob::SOCKADDR
                && let Some(addr) = SockAddr::parse(raw.blob())
            {
                ev.fd = Some(Fd {
                    name: addr.to_name(),
                    typ: addr.family,
                    addr: Some(addr),
                });
            }
        }
        S::Setuid => {
            p.insert("uid", int(a(0) & 0xffff_ffff));
        }
        S::Setgid => {
            p.insert("gid", int(a(0) & 0xffff_ffff));
        }
        S::Setreuid | S::Setregid | S::Setresuid | S::Setresgid => {
            let names: &[&'static str] = match sys {
                S::Setreuid => &["ruid", "euid"],
                S::Setregid => &["rgid", "egid"],
                S::Setresuid => &["ruid", "euid", "suid"],
                _ => &["rgid", "egid", "sgid"],
            };
            for (i, n) in names.iter().enumerate() {
                p.insert(n, Param::Int(int32(a(i))));
            }
        }
        S::Capset => {
            let b = raw.blob();
            let word = |i: usize| {
                b.get(i * 4..i * 4 + 4)
                    .and_then(|s| s.try_into().ok())
                    .map_or(0u64, |w: [u8; 4]| u64::from(u32::from_ne_bytes(w)))
            };
            if raw.blob_kind() == abi::blob::CAPDATA {
                // Two __user_cap_data_struct: low and high 32 bits of each set.
                p.insert("cap_effective", int(word(0) | word(3) << 32));
                p.insert("cap_permitted", int(word(1) | word(4) << 32));
                p.insert("cap_inheritable", int(word(2) | word(5) << 32));
            }
        }
        S::Ptrace => {
            p.insert("request", ptrace_request(a(0)));
            p.insert("pid", Param::Int(int32(a(1))));
        }
        S::Mount => {
            put_path(p, "dev", 0);
            put_path(p, "dir", 1);
            if raw.blob_kind() == abi::blob::STRING {
                p.insert("type", Param::Str(lossy(abi::until_nul(raw.blob()))));
            }
            p.insert("flags", int(a(3)));
        }
        S::Umount2 => {
            put_path(p, "name", 0);
            p.insert("flags", int(a(1)));
        }
        S::Unshare => {
            p.insert("flags", flags(a(0), CLONE_FLAGS));
        }
        S::Setns => {
            p.insert("fd", Param::Int(int32(a(0))));
            p.insert("nstype", flags(a(1), CLONE_FLAGS));
        }
        S::Bpf => {
            p.insert("cmd", bpf_cmd(a(0)));
        }
        S::MemfdCreate => {
            put_path(p, "name", 0);
            p.insert("flags", int(a(1)));
            if let Some(name) = path(0) {
                ev.fd = Some(Fd {
                    name: format!("/memfd:{name}"),
                    typ: FdType::Memfd,
                    addr: None,
                });
            }
        }
        S::InitModule => {
            p.insert("len", int(a(1)));
            put_path(p, "uargs", 0);
        }
        S::FinitModule => {
            p.insert("fd", Param::Int(int32(a(0))));
            put_path(p, "uargs", 0);
            p.insert("flags", int(a(2)));
        }
        S::Chmod | S::Fchmodat | S::Fchmodat2 => {
            let mode_arg = if sys == S::Chmod { 1 } else { 2 };
            put_path(p, "filename", 0);
            p.insert("mode", int(a(mode_arg) & 0o7777));
            if sys != S::Chmod {
                p.insert("dirfd", Param::Int(int32(a(0))));
            }
        }
        S::Fchmod => {
            p.insert("fd", Param::Int(int32(a(0))));
            p.insert("mode", int(a(1) & 0o7777));
        }
        S::Chown | S::Lchown | S::Fchownat => {
            let first = if sys == S::Fchownat { 2 } else { 1 };
            put_path(p, "path", 0);
            p.insert("uid", Param::Int(int32(a(first))));
            p.insert("gid", Param::Int(int32(a(first + 1))));
            if sys == S::Fchownat {
                p.insert("dirfd", Param::Int(int32(a(0))));
            }
        }
        S::Fchown => {
            p.insert("fd", Param::Int(int32(a(0))));
            p.insert("uid", Param::Int(int32(a(1))));
            p.insert("gid", Param::Int(int32(a(2))));
        }
        S::Unlink | S::Unlinkat => {
            put_path(p, if sys == S::Unlink { "path" } else { "name" }, 0);
            if sys == S::Unlinkat {
                p.insert("dirfd", Param::Int(int32(a(0))));
                p.insert("flags", int(a(2)));
            }
        }
        S::Rename | S::Renameat | S::Renameat2 => {
            put_path(p, "oldpath", 0);
            put_path(p, "newpath", 1);
            if sys != S::Rename {
                p.insert("olddirfd", Param::Int(int32(a(0))));
                p.insert("newdirfd", Param::Int(int32(a(2))));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::{RecordBuilder, kind};

    #[test]
    fn syscall_codes_are_unique_and_round_trip() {
        for (s, code, _) in Syscall::ALL {
            assert_eq!(Syscall::from_code(*code), Some(*s));
            assert_eq!(s.code(), *code);
            assert!(*code < crate::abi::SYS_MAX);
        }
        let mut codes: Vec<u32> = Syscall::ALL.iter().map(|(_, c, _)| *c).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Syscall::ALL.len());
    }

    #[test]
    fn exec_record_decodes_to_falco_fields() {
        let bytes = RecordBuilder::new(kind::EXEC)
            .process(42, 42, 7)
            .ids(1000, 1000)
            .ts(5)
            .comm("bash")
            .path(0, "/usr/bin/bash")
            .argv(&["bash", "-c", "id"])
            .cgroup("machine.slice", &format!("libpod-{}.scope", "a".repeat(64)))
            .build();
        let (ev, pending) = decode(&bytes, 100).unwrap();
        assert_eq!(ev.evt_type.name(), "execve");
        assert_eq!(ev.time_ns, 105);
        assert_eq!(ev.proc.exe.as_deref(), Some("bash"));
        assert_eq!(ev.proc.exepath.as_deref(), Some("/usr/bin/bash"));
        assert_eq!(ev.proc.args, ["-c", "id"]);
        assert_eq!((ev.proc.pid, ev.proc.ppid, ev.proc.uid), (42, 7, 1000));
        assert_eq!(pending.cgroup.unwrap().0, "machine.slice");
        let json = serde_json::to_value(&ev).unwrap();
        assert_eq!(json["evt_type"], "execve");
        assert_eq!(json["proc"]["exepath"], "/usr/bin/bash");
    }

    #[test]
    fn connect_decodes_the_socket_address() {
        // sockaddr_in for 127.0.0.1:3333
        let mut sa = vec![0u8; 16];
        sa[..2].copy_from_slice(&(libc::AF_INET as u16).to_ne_bytes());
        sa[2..4].copy_from_slice(&3333u16.to_be_bytes());
        sa[4..8].copy_from_slice(&[127, 0, 0, 1]);
        let bytes = RecordBuilder::new(kind::SYSCALL)
            .syscall(Syscall::Connect.code())
            .arg(0, 3)
            .ret(-111)
            .blob(abi::blob::SOCKADDR, &sa)
            .build();
        let (ev, _) = decode(&bytes, 0).unwrap();
        let fd = ev.fd.unwrap();
        assert_eq!(fd.name, "127.0.0.1:3333");
        assert_eq!(fd.typ, FdType::Ipv4);
        assert_eq!(ev.res, Some(-111));
    }

    #[test]
    fn ipv6_and_unix_addresses() {
        let mut sa = vec![0u8; 28];
        sa[..2].copy_from_slice(&(libc::AF_INET6 as u16).to_ne_bytes());
        sa[2..4].copy_from_slice(&443u16.to_be_bytes());
        sa[23] = 1;
        assert_eq!(SockAddr::parse(&sa).unwrap().to_name(), "[::1]:443");
        let mut un = (libc::AF_UNIX as u16).to_ne_bytes().to_vec();
        un.extend_from_slice(b"\0dbus\0");
        assert_eq!(SockAddr::parse(&un).unwrap().to_name(), "@dbus");
        assert_eq!(SockAddr::parse(&[1]), None);
    }

    #[test]
    fn openat_keeps_the_raw_path_for_resolution() {
        let bytes = RecordBuilder::new(kind::SYSCALL)
            .syscall(Syscall::Openat.code())
            .arg(0, (-100i64) as u64)
            .arg(2, 0o2000101)
            .path(0, "etc/passwd")
            .ret(3)
            .build();
        let (ev, pending) = decode(&bytes, 0).unwrap();
        assert_eq!(
            pending.fd_path,
            Some(RawPath {
                path: "etc/passwd".into(),
                dirfd: -100
            })
        );
        assert_eq!(
            ev.params["flags"],
            Param::Flags(vec!["O_WRONLY", "O_CREAT", "O_CLOEXEC"])
        );
    }

    #[test]
    fn unknown_codes_are_errors() {
        let bytes = RecordBuilder::new(9).build();
        assert_eq!(
            decode(&bytes, 0).err(),
            Some(DecodeError::UnknownKind { kind: 9 })
        );
        let bytes = RecordBuilder::new(kind::SYSCALL).syscall(63).build();
        assert_eq!(
            decode(&bytes, 0).err(),
            Some(DecodeError::UnknownSyscall { code: 63 })
        );
    }

    #[test]
    fn unshare_flags_are_named() {
        let bytes = RecordBuilder::new(kind::SYSCALL)
            .syscall(Syscall::Unshare.code())
            .arg(0, 0x2000_0000 | 0x0002_0000)
            .build();
        let (ev, _) = decode(&bytes, 0).unwrap();
        assert_eq!(
            ev.params["flags"],
            Param::Flags(vec!["CLONE_NEWNS", "CLONE_NEWPID"])
        );
    }
}
