//! Syscall-level events with their process, file descriptor, container and pod context.

use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// The kind of a syscall event, named as Falco's `evt.type` names it. The list covers what the
/// issue's sensor records; anything else a decoder meets is kept by name in [`EventType::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    /// A known event type (index into [`EventType::KNOWN`]).
    Known(u16),
    /// Any other syscall name.
    Other(String),
}

macro_rules! known_types {
    ($($name:literal),* $(,)?) => {
        impl EventType {
            /// Every event type Harrier's model names, in a fixed order (the engine's index).
            pub const KNOWN: &'static [&'static str] = &[$($name),*];
        }
    };
}

known_types!(
    "execve",
    "execveat",
    "procexit",
    "clone",
    "clone3",
    "fork",
    "vfork",
    "open",
    "openat",
    "openat2",
    "open_by_handle_at",
    "creat",
    "connect",
    "accept",
    "accept4",
    "bind",
    "listen",
    "socket",
    "sendto",
    "recvfrom",
    "sendmsg",
    "recvmsg",
    "setuid",
    "setgid",
    "setresuid",
    "setresgid",
    "setreuid",
    "setregid",
    "capset",
    "ptrace",
    "mount",
    "umount",
    "umount2",
    "unshare",
    "setns",
    "bpf",
    "memfd_create",
    "init_module",
    "finit_module",
    "delete_module",
    "chmod",
    "fchmod",
    "fchmodat",
    "chown",
    "fchown",
    "fchownat",
    "lchown",
    "unlink",
    "unlinkat",
    "rename",
    "renameat",
    "renameat2",
    "mkdir",
    "mkdirat",
    "rmdir",
    "symlink",
    "symlinkat",
    "link",
    "linkat",
    "chdir",
    "fchdir",
    "chroot",
    "pivot_root",
    "dup",
    "dup2",
    "dup3",
    "mmap",
    "mprotect",
    "prctl",
    "kill",
    "tgkill",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "pipe",
    "pipe2",
    "write",
    "read",
    "close",
    "ioctl",
    "truncate",
    "ftruncate",
    "sethostname",
    "setdomainname",
    "dns",
    "container",
    "container_resource_signal",
);

impl EventType {
    /// The type named `name`.
    pub fn from_name(name: &str) -> EventType {
        match EventType::KNOWN.iter().position(|n| *n == name) {
            Some(i) => EventType::Known(i as u16),
            None => EventType::Other(name.to_string()),
        }
    }

    /// The name, as in `evt.type`.
    pub fn name(&self) -> &str {
        match self {
            EventType::Known(i) => EventType::KNOWN.get(usize::from(*i)).copied().unwrap_or(""),
            EventType::Other(name) => name,
        }
    }

    /// The index of a known type.
    pub fn index(&self) -> Option<usize> {
        match self {
            EventType::Known(i) => Some(usize::from(*i)),
            EventType::Other(_) => None,
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for EventType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for EventType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Ok(EventType::from_name(&name))
    }
}

/// One system call (or kernel-reported activity such as a process exit or a DNS answer seen on
/// the wire), with what was known about its process and container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyscallEvent {
    /// Event counter of the sensor (`evt.num`), when known.
    #[serde(default)]
    pub num: Option<u64>,
    /// Nanoseconds since the Unix epoch.
    pub time_ns: i64,
    /// The syscall (`evt.type`).
    #[serde(rename = "type")]
    pub kind: EventType,
    /// Return value (`evt.rawres`); negative is `-errno`. Missing for events seen on entry.
    #[serde(default)]
    pub res: Option<i64>,
    /// Syscall arguments by Falco's argument names (`evt.arg.flags`, `evt.arg.uid`...), as
    /// text. Arguments with typed meaning also fill the typed fields below.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<(String, String)>,
    /// Flags of an open (`open`, `openat`, `openat2`, `creat`).
    #[serde(default)]
    pub open_flags: Option<OpenFlags>,
    /// The file descriptor the event concerns (opened, connected, accepted...).
    #[serde(default)]
    pub fd: Option<Fd>,
    /// The process (thread) that made the call.
    pub process: Process,
    /// The container the process runs in; `None` when unknown, and for host processes
    /// [`Container::host`].
    #[serde(default)]
    pub container: Option<Container>,
    /// The pod of the container; `None` when unknown or not in Kubernetes.
    #[serde(default)]
    pub k8s: Option<K8sContext>,
    /// The node's host name.
    #[serde(default)]
    pub hostname: Option<String>,
    /// DNS: the name asked and the addresses answered, when the event is a DNS answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns: Option<Dns>,
    /// A resource signal (`container_resource_signal` events): what was measured of the
    /// container, against which baseline, for how long. Boxed: most events have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<Box<super::ResourceSignal>>,
    /// The sensor could not find part of the event's context (see `missing`): alerts say so in
    /// `output_fields` rather than leave the reader to guess why a field is missing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub context_incomplete: bool,
    /// What the sensor could not find (`container`, `container_metadata`, `cwd`, `exepath`,
    /// `parent`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

impl SyscallEvent {
    /// An event of `kind` by `process` at `time_ns`, with nothing else known.
    pub fn new(kind: &str, time_ns: i64, process: Process) -> SyscallEvent {
        SyscallEvent {
            num: None,
            time_ns,
            kind: EventType::from_name(kind),
            res: None,
            args: Vec::new(),
            open_flags: None,
            fd: None,
            process,
            container: None,
            k8s: None,
            hostname: None,
            dns: None,
            signal: None,
            context_incomplete: false,
            missing: Vec::new(),
        }
    }

    /// The value of argument `name`.
    pub fn arg(&self, name: &str) -> Option<&str> {
        self.args
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A DNS answer seen for a process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dns {
    /// The name asked.
    pub query: String,
    /// Addresses answered.
    #[serde(default)]
    pub answers: Vec<IpAddr>,
}

/// Flags of an open call, as the bits Falco rules test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OpenFlags {
    /// Opened for reading (`O_RDONLY` or `O_RDWR`).
    #[serde(default)]
    pub read: bool,
    /// Opened for writing (`O_WRONLY` or `O_RDWR`).
    #[serde(default)]
    pub write: bool,
    /// `O_CREAT`.
    #[serde(default)]
    pub create: bool,
    /// `O_TRUNC`.
    #[serde(default)]
    pub truncate: bool,
    /// `O_APPEND`.
    #[serde(default)]
    pub append: bool,
    /// The file was executable when opened (Falco's `evt.is_open_exec`: created with an x bit).
    #[serde(default)]
    pub exec: bool,
}

impl OpenFlags {
    /// Decodes Linux open(2) flags.
    pub fn from_bits(bits: u32, mode: u32) -> OpenFlags {
        let acc = bits & 0o3;
        OpenFlags {
            read: acc == 0 || acc == 2,
            write: acc == 1 || acc == 2,
            create: bits & 0o100 != 0,
            truncate: bits & 0o1000 != 0,
            append: bits & 0o2000 != 0,
            exec: bits & 0o100 != 0 && mode & 0o111 != 0,
        }
    }

    /// Decodes Falco's rendering, `O_RDWR|O_CREAT|O_CLOEXEC`.
    pub fn from_falco_text(text: &str) -> OpenFlags {
        let mut flags = OpenFlags::default();
        let mut acc_seen = false;
        for part in text.split(['|', ' ']) {
            match part.trim_start_matches(|c: char| c.is_ascii_digit() || c == '(') {
                "O_RDONLY" | "O_RDONLY)" => {
                    flags.read = true;
                    acc_seen = true;
                }
                "O_WRONLY" => {
                    flags.write = true;
                    acc_seen = true;
                }
                "O_RDWR" => {
                    flags.read = true;
                    flags.write = true;
                    acc_seen = true;
                }
                "O_CREAT" => flags.create = true,
                "O_TRUNC" => flags.truncate = true,
                "O_APPEND" => flags.append = true,
                "O_F_CREATED" => flags.create = true,
                _ => {}
            }
        }
        if !acc_seen {
            flags.read = true;
        }
        flags
    }

    /// Falco's rendering of these flags.
    pub fn to_falco_text(self) -> String {
        let mut parts = Vec::new();
        match (self.read, self.write) {
            (true, true) => parts.push("O_RDWR"),
            (false, true) => parts.push("O_WRONLY"),
            _ => parts.push("O_RDONLY"),
        }
        if self.create {
            parts.push("O_CREAT");
        }
        if self.truncate {
            parts.push("O_TRUNC");
        }
        if self.append {
            parts.push("O_APPEND");
        }
        parts.join("|")
    }
}

/// The kind of a file descriptor, as Falco's `fd.type` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FdKind {
    /// A regular file.
    File,
    /// A directory.
    Directory,
    /// An IPv4 socket.
    Ipv4,
    /// An IPv6 socket.
    Ipv6,
    /// A Unix socket.
    Unix,
    /// A pipe.
    Pipe,
    /// A memfd.
    Memfd,
    /// Anything else (event, signal, timer fds, netlink...).
    Other,
}

impl FdKind {
    /// `fd.type`.
    pub fn falco_type(self) -> &'static str {
        match self {
            FdKind::File => "file",
            FdKind::Directory => "directory",
            FdKind::Ipv4 => "ipv4",
            FdKind::Ipv6 => "ipv6",
            FdKind::Unix => "unix",
            FdKind::Pipe => "pipe",
            FdKind::Memfd => "memfd",
            FdKind::Other => "other",
        }
    }

    /// `fd.typechar`.
    pub fn typechar(self) -> &'static str {
        match self {
            FdKind::File => "f",
            FdKind::Directory => "d",
            FdKind::Ipv4 => "4",
            FdKind::Ipv6 => "6",
            FdKind::Unix => "u",
            FdKind::Pipe => "p",
            FdKind::Memfd => "m",
            FdKind::Other => "o",
        }
    }
}

/// A file descriptor: a path, or a socket with its endpoints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fd {
    /// The descriptor number, when known.
    #[serde(default)]
    pub num: Option<i64>,
    /// What it is.
    pub kind: FdKind,
    /// The path for files and Unix sockets; for IP sockets Falco's `cip:cport->sip:sport`.
    #[serde(default)]
    pub name: Option<String>,
    /// Layer-4 protocol of a socket (`tcp`, `udp`, `raw`).
    #[serde(default)]
    pub l4proto: Option<String>,
    /// Client (connecting side) address.
    #[serde(default)]
    pub client_ip: Option<IpAddr>,
    /// Client port.
    #[serde(default)]
    pub client_port: Option<u16>,
    /// Server (listening side) address.
    #[serde(default)]
    pub server_ip: Option<IpAddr>,
    /// Server port.
    #[serde(default)]
    pub server_port: Option<u16>,
    /// Host name of the client address, when the sensor saw a DNS answer for it.
    #[serde(default)]
    pub client_name: Option<String>,
    /// Host name of the server address, when the sensor saw a DNS answer for it.
    #[serde(default)]
    pub server_name: Option<String>,
    /// Whether this process is the server side (accepted or bound): decides local/remote.
    #[serde(default)]
    pub is_server: bool,
    /// Whether a connect completed.
    #[serde(default)]
    pub connected: bool,
    /// Whether the name changed during the event (rename, first open creating it).
    #[serde(default)]
    pub name_changed: bool,
}

impl Fd {
    /// A file descriptor for a path.
    pub fn file(path: &str) -> Fd {
        Fd {
            num: None,
            kind: FdKind::File,
            name: Some(path.to_string()),
            l4proto: None,
            client_ip: None,
            client_port: None,
            server_ip: None,
            server_port: None,
            client_name: None,
            server_name: None,
            is_server: false,
            connected: false,
            name_changed: false,
        }
    }

    /// An IP socket from `client` to `server`.
    pub fn socket(
        proto: &str,
        client: (IpAddr, u16),
        server: (IpAddr, u16),
        is_server: bool,
    ) -> Fd {
        let kind = if server.0.is_ipv4() {
            FdKind::Ipv4
        } else {
            FdKind::Ipv6
        };
        Fd {
            num: None,
            kind,
            name: Some(format!(
                "{}:{}->{}:{}",
                client.0, client.1, server.0, server.1
            )),
            l4proto: Some(proto.to_string()),
            client_ip: Some(client.0),
            client_port: Some(client.1),
            server_ip: Some(server.0),
            server_port: Some(server.1),
            client_name: None,
            server_name: None,
            is_server,
            connected: !is_server,
            name_changed: false,
        }
    }
}

/// A process or thread, with what is known of its ancestry.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Process {
    /// Process id (thread group id) in the host namespace.
    #[serde(default)]
    pub pid: Option<i64>,
    /// Thread id, when it differs from the pid.
    #[serde(default)]
    pub tid: Option<i64>,
    /// Parent process id.
    #[serde(default)]
    pub ppid: Option<i64>,
    /// Process id in its own pid namespace (`proc.vpid`).
    #[serde(default)]
    pub vpid: Option<i64>,
    /// Process group leader's id in its pid namespace (`proc.vpgid`).
    #[serde(default)]
    pub vpgid: Option<i64>,
    /// Session id (`proc.sid`).
    #[serde(default)]
    pub sid: Option<i64>,
    /// Command name (`proc.name`, the kernel's `comm`, 15 characters at most).
    #[serde(default)]
    pub name: Option<String>,
    /// First command-line argument (`proc.exe`, argv\[0\]).
    #[serde(default)]
    pub exe: Option<String>,
    /// Full path of the executable (`proc.exepath`).
    #[serde(default)]
    pub exepath: Option<String>,
    /// Arguments after argv\[0\].
    #[serde(default)]
    pub args: Option<Vec<String>>,
    /// Working directory.
    #[serde(default)]
    pub cwd: Option<String>,
    /// Environment (`KEY=VALUE`), when the sensor reads it.
    #[serde(default)]
    pub env: Option<Vec<String>>,
    /// Controlling terminal number (`proc.tty`), 0 for none.
    #[serde(default)]
    pub tty: Option<i64>,
    /// Real user id.
    #[serde(default)]
    pub uid: Option<u32>,
    /// Real group id.
    #[serde(default)]
    pub gid: Option<u32>,
    /// Effective user id.
    #[serde(default)]
    pub euid: Option<u32>,
    /// Effective group id.
    #[serde(default)]
    pub egid: Option<u32>,
    /// Login (audit) user id; `u32::MAX` for none.
    #[serde(default)]
    pub loginuid: Option<u32>,
    /// User name of `uid`, when resolved.
    #[serde(default)]
    pub user: Option<String>,
    /// User name of `loginuid`, when resolved.
    #[serde(default)]
    pub loginname: Option<String>,
    /// Group name of `gid`, when resolved.
    #[serde(default)]
    pub group: Option<String>,
    /// Permitted capabilities, Falco's names (`CAP_SYS_ADMIN`...).
    #[serde(default)]
    pub cap_permitted: Option<Vec<String>>,
    /// Effective capabilities.
    #[serde(default)]
    pub cap_effective: Option<Vec<String>>,
    /// Start time, nanoseconds since the epoch.
    #[serde(default)]
    pub start_ns: Option<i64>,
    /// The executable was run from a memfd (fileless execution).
    #[serde(default)]
    pub exe_from_memfd: Option<bool>,
    /// The executable is in the upper (writable) layer of an overlay root: it was written into
    /// the container after it started.
    #[serde(default)]
    pub exe_upper_layer: Option<bool>,
    /// Inode number of the executable.
    #[serde(default)]
    pub exe_ino: Option<u64>,
    /// Change time of the executable's inode, nanoseconds since the epoch.
    #[serde(default)]
    pub exe_ino_ctime_ns: Option<i64>,
    /// Modification time of the executable's inode, nanoseconds since the epoch.
    #[serde(default)]
    pub exe_ino_mtime_ns: Option<i64>,
    /// The executable file is writable by the user running it.
    #[serde(default)]
    pub exe_writable: Option<bool>,
    /// Name of the session leader (`proc.sname`).
    #[serde(default)]
    pub session_leader: Option<String>,
    /// Whether this process leads its process group (in its pid namespace).
    #[serde(default)]
    pub is_vpgid_leader: Option<bool>,
    /// Name and executable of the process group leader.
    #[serde(default)]
    pub vpgid_leader: Option<Ancestor>,
    /// Ancestors, parent first. Missing entries end the list; a sensor that knows only the
    /// parent lists one.
    #[serde(default)]
    pub ancestors: Vec<Ancestor>,
}

impl Process {
    /// `proc.cmdline`: the name followed by the arguments.
    pub fn cmdline(&self) -> Option<String> {
        cmdline(self.name.as_deref()?, self.args.as_deref().unwrap_or(&[]))
    }

    /// The `n`-th ancestor: 0 is the process, 1 its parent.
    pub fn ancestor(&self, n: usize) -> Option<&Ancestor> {
        n.checked_sub(1).and_then(|i| self.ancestors.get(i))
    }
}

/// What is known of an ancestor process.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Ancestor {
    /// Process id.
    #[serde(default)]
    pub pid: Option<i64>,
    /// Command name.
    #[serde(default)]
    pub name: Option<String>,
    /// argv\[0\].
    #[serde(default)]
    pub exe: Option<String>,
    /// Executable path.
    #[serde(default)]
    pub exepath: Option<String>,
    /// Arguments.
    #[serde(default)]
    pub args: Option<Vec<String>>,
    /// Start time, nanoseconds since the epoch.
    #[serde(default)]
    pub start_ns: Option<i64>,
}

impl Ancestor {
    /// The command line, name then arguments.
    pub fn cmdline(&self) -> Option<String> {
        cmdline(self.name.as_deref()?, self.args.as_deref().unwrap_or(&[]))
    }
}

/// `proc.cmdline`: the name, then the arguments, space-separated (Falco's form).
fn cmdline(name: &str, args: &[String]) -> Option<String> {
    let mut out =
        String::with_capacity(name.len() + args.iter().map(|a| a.len() + 1).sum::<usize>());
    out.push_str(name);
    for a in args {
        out.push(' ');
        out.push_str(a);
    }
    Some(out)
}

/// A container.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Container {
    /// Container id (12 hex characters as Falco shows it, or `host`).
    pub id: String,
    /// Full id.
    #[serde(default)]
    pub full_id: Option<String>,
    /// Container name.
    #[serde(default)]
    pub name: Option<String>,
    /// Image reference as configured.
    #[serde(default)]
    pub image: Option<String>,
    /// Image repository (reference without tag and digest).
    #[serde(default)]
    pub image_repository: Option<String>,
    /// Image tag.
    #[serde(default)]
    pub image_tag: Option<String>,
    /// Image digest.
    #[serde(default)]
    pub image_digest: Option<String>,
    /// Runtime (`docker`, `containerd`, `cri-o`, `podman`).
    #[serde(default)]
    pub runtime: Option<String>,
    /// Whether it runs privileged.
    #[serde(default)]
    pub privileged: Option<bool>,
    /// Start time, nanoseconds since the epoch.
    #[serde(default)]
    pub start_ns: Option<i64>,
    /// Mounts.
    #[serde(default)]
    pub mounts: Option<Vec<ContainerMount>>,
}

impl Container {
    /// The pseudo-container of host processes, as Falco's `container.id = host`.
    pub fn host() -> Container {
        Container {
            id: "host".to_string(),
            name: Some("host".to_string()),
            ..Container::default()
        }
    }
}

/// One mount of a container.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ContainerMount {
    /// Source on the host.
    pub source: String,
    /// Destination in the container.
    pub dest: String,
    /// Mode (`ro`, `rw`...).
    #[serde(default)]
    pub mode: Option<String>,
    /// Whether writable.
    #[serde(default)]
    pub rw: Option<bool>,
    /// Propagation.
    #[serde(default)]
    pub propagation: Option<String>,
}

/// The pod a container belongs to.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct K8sContext {
    /// Namespace.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Pod name.
    #[serde(default)]
    pub pod_name: Option<String>,
    /// Pod uid.
    #[serde(default)]
    pub pod_uid: Option<String>,
    /// Pod labels.
    #[serde(default)]
    pub pod_labels: Option<Vec<(String, String)>>,
    /// Owner kind (`Deployment`, `DaemonSet`...), resolved through ReplicaSets.
    #[serde(default)]
    pub owner_kind: Option<String>,
    /// Owner name.
    #[serde(default)]
    pub owner_name: Option<String>,
    /// Service account.
    #[serde(default)]
    pub service_account: Option<String>,
    /// Node.
    #[serde(default)]
    pub node: Option<String>,
}
