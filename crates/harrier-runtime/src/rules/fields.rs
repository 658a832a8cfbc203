//! The fields conditions and outputs may use, per source, and their extraction from events.
//!
//! Field names are resolved once, at compile time, into a [`Field`] (an enum, not a string),
//! so evaluation is a `match`. A field Harrier does not provide resolves to an error naming
//! why, and the rule using it is disabled with that reason.

use std::borrow::Cow;
use std::net::IpAddr;

use crate::event::signal::round;
use crate::event::{AuditEvent, Event, FdKind, ResourceSignal, SyscallEvent};

/// The value type of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// Text.
    Str,
    /// A signed integer.
    Int,
    /// A boolean, written `true`/`false`.
    Bool,
    /// An IP address.
    Ip,
    /// An IP address compared against networks (`fd.net`, CIDR values).
    Net,
    /// Several texts (any/all semantics per operator).
    List,
}

/// A field's argument.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Arg {
    /// None.
    None,
    /// A numeric index (`proc.aname[2]`).
    Index(usize),
    /// A key (`jevt.value[/a/b]`, `k8s.pod.label[app]`).
    Key(String),
}

macro_rules! fields {
    ($enum:ident { $($var:ident = $name:literal : $ty:ident),* $(,)? }) => {
        /// Fields of this family.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum $enum { $($var),* }
        impl $enum {
            /// Every field with its name and type.
            pub const ALL: &'static [($enum, &'static str, FieldType)] = &[$(($enum::$var, $name, FieldType::$ty)),*];
            fn lookup(name: &str) -> Option<($enum, FieldType)> {
                $enum::ALL.iter().find(|(_, n, _)| *n == name).map(|(f, _, t)| (*f, *t))
            }
        }
    };
}

fields!(Sys {
    EvtType = "evt.type": Str,
    EvtNum = "evt.num": Int,
    EvtTime = "evt.time": Str,
    EvtRawtime = "evt.rawtime": Int,
    EvtRes = "evt.res": Str,
    EvtRawres = "evt.rawres": Int,
    EvtFailed = "evt.failed": Bool,
    EvtArg = "evt.arg": Str,
    EvtArgs = "evt.args": Str,
    EvtIsOpenRead = "evt.is_open_read": Bool,
    EvtIsOpenWrite = "evt.is_open_write": Bool,
    EvtIsOpenExec = "evt.is_open_exec": Bool,
    EvtIsOpenCreate = "evt.is_open_create": Bool,
    EvtHostname = "evt.hostname": Str,
    EvtSource = "evt.source": Str,
    ProcName = "proc.name": Str,
    ProcExe = "proc.exe": Str,
    ProcExepath = "proc.exepath": Str,
    ProcArgs = "proc.args": Str,
    ProcCmdline = "proc.cmdline": Str,
    ProcPid = "proc.pid": Int,
    ProcPpid = "proc.ppid": Int,
    ProcVpid = "proc.vpid": Int,
    ProcSid = "proc.sid": Int,
    ProcVpgid = "proc.vpgid": Int,
    ProcPname = "proc.pname": Str,
    ProcPexe = "proc.pexe": Str,
    ProcPexepath = "proc.pexepath": Str,
    ProcPcmdline = "proc.pcmdline": Str,
    ProcAname = "proc.aname": List,
    ProcAexe = "proc.aexe": List,
    ProcAexepath = "proc.aexepath": List,
    ProcApid = "proc.apid": List,
    ProcAcmdline = "proc.acmdline": List,
    ProcCwd = "proc.cwd": Str,
    ProcTty = "proc.tty": Int,
    ProcEnv = "proc.env": Str,
    ProcSname = "proc.sname": Str,
    ProcIsVpgidLeader = "proc.is_vpgid_leader": Bool,
    ProcVpgidName = "proc.vpgid.name": Str,
    ProcVpgidExe = "proc.vpgid.exe": Str,
    ProcDuration = "proc.duration": Int,
    ProcPpidDuration = "proc.ppid.duration": Int,
    ProcIsExeUpperLayer = "proc.is_exe_upper_layer": Bool,
    ProcIsExeFromMemfd = "proc.is_exe_from_memfd": Bool,
    ProcIsExeWritable = "proc.is_exe_writable": Bool,
    ProcExeIno = "proc.exe_ino": Int,
    ProcExeInoCtime = "proc.exe_ino.ctime": Int,
    ProcExeInoMtime = "proc.exe_ino.mtime": Int,
    ProcExeInoCtimeDurationProcStart = "proc.exe_ino.ctime_duration_proc_start": Int,
    ThreadTid = "thread.tid": Int,
    ThreadCapPermitted = "thread.cap_permitted": Str,
    ThreadCapEffective = "thread.cap_effective": Str,
    UserUid = "user.uid": Int,
    UserName = "user.name": Str,
    UserLoginuid = "user.loginuid": Int,
    UserLoginname = "user.loginname": Str,
    GroupGid = "group.gid": Int,
    GroupName = "group.name": Str,
    FdNum = "fd.num": Int,
    FdType = "fd.type": Str,
    FdTypechar = "fd.typechar": Str,
    FdName = "fd.name": Str,
    FdNameraw = "fd.nameraw": Str,
    FdDirectory = "fd.directory": Str,
    FdFilename = "fd.filename": Str,
    FdIp = "fd.ip": List,
    FdCip = "fd.cip": Ip,
    FdSip = "fd.sip": Ip,
    FdLip = "fd.lip": Ip,
    FdRip = "fd.rip": Ip,
    FdCipName = "fd.cip.name": Str,
    FdSipName = "fd.sip.name": Str,
    FdLipName = "fd.lip.name": Str,
    FdRipName = "fd.rip.name": Str,
    FdPort = "fd.port": List,
    FdCport = "fd.cport": Int,
    FdSport = "fd.sport": Int,
    FdLport = "fd.lport": Int,
    FdRport = "fd.rport": Int,
    FdL4proto = "fd.l4proto": Str,
    FdSockfamily = "fd.sockfamily": Str,
    FdNet = "fd.net": Net,
    FdCnet = "fd.cnet": Net,
    FdSnet = "fd.snet": Net,
    FdLnet = "fd.lnet": Net,
    FdRnet = "fd.rnet": Net,
    FdConnected = "fd.connected": Bool,
    FdNameChanged = "fd.name_changed": Bool,
    FdIsServer = "fd.is_server": Bool,
    ContainerId = "container.id": Str,
    ContainerFullId = "container.full_id": Str,
    ContainerName = "container.name": Str,
    ContainerImage = "container.image": Str,
    ContainerImageRepository = "container.image.repository": Str,
    ContainerImageTag = "container.image.tag": Str,
    ContainerImageDigest = "container.image.digest": Str,
    ContainerType = "container.type": Str,
    ContainerPrivileged = "container.privileged": Bool,
    ContainerStartTs = "container.start_ts": Int,
    ContainerMounts = "container.mounts": Str,
    ContainerMountDest = "container.mount.dest": Str,
    ContainerInfo = "container.info": Str,
    K8sNsName = "k8s.ns.name": Str,
    K8sPodName = "k8s.pod.name": Str,
    K8sPodUid = "k8s.pod.uid": Str,
    K8sPodLabel = "k8s.pod.label": Str,
    K8sPodLabels = "k8s.pod.labels": Str,
    K8sOwnerKind = "k8s.pod.owner.kind": Str,
    K8sOwnerName = "k8s.pod.owner.name": Str,
    K8sSaName = "k8s.pod.sa.name": Str,
    DnsQuery = "dns.query": Str,
    DnsAnswers = "dns.answers": List,
    SignalName = "signal.name": Str,
    SignalWorkload = "signal.workload": Str,
    SignalDuration = "signal.duration": Int,
    SignalSamples = "signal.samples": Int,
    SignalRepeated = "signal.repeated": Bool,
    SignalCpuMillicores = "signal.cpu_millicores": Int,
    SignalCpuPeakMillicores = "signal.cpu_peak_millicores": Int,
    SignalCpuLimitMillicores = "signal.cpu_limit_millicores": Int,
    SignalCpuPct = "signal.cpu_pct": Int,
    SignalBaselineMillicores = "signal.baseline_millicores": Int,
    SignalBaselineSource = "signal.baseline_source": Str,
    SignalScore = "signal.score": Int,
    SignalMemoryBytes = "signal.memory_bytes": Int,
    SignalMemoryLimitBytes = "signal.memory_limit_bytes": Int,
    SignalMemoryGrowthBps = "signal.memory_growth_bps": Int,
    SignalEvidenceRules = "signal.evidence.rules": List,
    SignalEvidenceProfiles = "signal.evidence.profiles": List,
    SignalEvidenceCount = "signal.evidence.count": Int,
});

fields!(Ka {
    AuditId = "ka.auditid": Str,
    Stage = "ka.stage": Str,
    AuthDecision = "ka.auth.decision": Str,
    AuthReason = "ka.auth.reason": Str,
    UserName = "ka.user.name": Str,
    UserGroups = "ka.user.groups": List,
    ImpuserName = "ka.impuser.name": Str,
    Verb = "ka.verb": Str,
    Uri = "ka.uri": Str,
    UriParam = "ka.uri.param": Str,
    TargetName = "ka.target.name": Str,
    TargetNamespace = "ka.target.namespace": Str,
    TargetResource = "ka.target.resource": Str,
    TargetSubresource = "ka.target.subresource": Str,
    BindingSubjects = "ka.req.binding.subjects": List,
    BindingRole = "ka.req.binding.role": Str,
    BindingSubjectHasName = "ka.req.binding.subject.has_name": Str,
    ConfigmapName = "ka.req.configmap.name": Str,
    ConfigmapObj = "ka.req.configmap.obj": Str,
    PodContainersImage = "ka.req.pod.containers.image": List,
    ContainerImage = "ka.req.container.image": Str,
    PodContainersImageRepository = "ka.req.pod.containers.image.repository": List,
    ContainerImageRepository = "ka.req.container.image.repository": Str,
    PodInitContainersImage = "ka.req.pod.initContainers.image": List,
    PodInitContainersPrivileged = "ka.req.pod.initContainers.privileged": List,
    PodEphemeralContainersImage = "ka.req.pod.ephemeralContainers.image": List,
    PodEphemeralContainersPrivileged = "ka.req.pod.ephemeralContainers.privileged": List,
    PodHostIpc = "ka.req.pod.host_ipc": Str,
    PodHostNetwork = "ka.req.pod.host_network": Str,
    ContainerHostNetwork = "ka.req.container.host_network": Str,
    PodHostPid = "ka.req.pod.host_pid": Str,
    PodContainersHostPort = "ka.req.pod.containers.host_port": List,
    PodContainersPrivileged = "ka.req.pod.containers.privileged": List,
    ContainerPrivileged = "ka.req.container.privileged": Str,
    PodContainersAllowPrivilegeEscalation = "ka.req.pod.containers.allow_privilege_escalation": List,
    PodContainersReadOnlyFs = "ka.req.pod.containers.read_only_fs": List,
    PodRunAsUser = "ka.req.pod.run_as_user": Str,
    PodContainersRunAsUser = "ka.req.pod.containers.run_as_user": List,
    PodContainersEffRunAsUser = "ka.req.pod.containers.eff_run_as_user": List,
    PodRunAsGroup = "ka.req.pod.run_as_group": Str,
    PodContainersRunAsGroup = "ka.req.pod.containers.run_as_group": List,
    PodContainersEffRunAsGroup = "ka.req.pod.containers.eff_run_as_group": List,
    PodContainersProcMount = "ka.req.pod.containers.proc_mount": List,
    RoleRules = "ka.req.role.rules": List,
    RoleRulesApiGroups = "ka.req.role.rules.apiGroups": List,
    RoleRulesNonResourceUrls = "ka.req.role.rules.nonResourceURLs": List,
    RoleRulesVerbs = "ka.req.role.rules.verbs": List,
    RoleRulesResources = "ka.req.role.rules.resources": List,
    PodFsGroup = "ka.req.pod.fs_group": Str,
    PodSupplementalGroups = "ka.req.pod.supplemental_groups": List,
    PodContainersAddCapabilities = "ka.req.pod.containers.add_capabilities": List,
    ServiceType = "ka.req.service.type": Str,
    ServicePorts = "ka.req.service.ports": List,
    PodVolumesHostpath = "ka.req.pod.volumes.hostpath": List,
    VolumeHostpath = "ka.req.volume.hostpath": Str,
    PodVolumesFlexvolumeDriver = "ka.req.pod.volumes.flexvolume_driver": List,
    PodVolumesVolumeType = "ka.req.pod.volumes.volume_type": List,
    RespName = "ka.resp.name": Str,
    ResponseCode = "ka.response.code": Str,
    ResponseReason = "ka.response.reason": Str,
    Useragent = "ka.useragent": Str,
    SourceIps = "ka.sourceips": List,
    ClusterName = "ka.cluster.name": Str,
    JevtTime = "jevt.time": Str,
    JevtTimeIso8601 = "jevt.time.iso8601": Str,
    JevtRawtime = "jevt.rawtime": Str,
    JevtValue = "jevt.value": Str,
    JevtObj = "jevt.obj": Str,
    EvtSource = "evt.source": Str,
    EvtTime = "evt.time": Str,
});

/// Fields Falco has and Harrier knowingly lacks, with the reason (shown when a rule is disabled).
const LACKING: &[(&str, &str)] = &[
    (
        "evt.buffer",
        "needs the data buffers of read/write calls, which Harrier does not capture (by design: payloads may hold secrets)",
    ),
    (
        "user.homedir",
        "needs the user database of the container, which Harrier does not read",
    ),
    (
        "user.shell",
        "needs the user database of the container, which Harrier does not read",
    ),
];

/// A resolved field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field {
    /// Which field.
    pub id: FieldId,
    /// Its argument.
    pub arg: Arg,
    /// Its value type (before transformers).
    pub ty: FieldType,
}

/// A field of either source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldId {
    /// A syscall field.
    Sys(Sys),
    /// An audit (k8saudit plugin or json plugin) field.
    Ka(Ka),
}

/// Resolves a field name and argument for `source`, or says why it cannot be used.
pub fn resolve(
    source: crate::event::Source,
    name: &str,
    arg: Option<&str>,
) -> Result<Field, String> {
    use crate::event::Source;
    match source {
        Source::Syscall => resolve_sys(name, arg),
        Source::K8sAudit => resolve_ka(name, arg),
    }
}

fn index_arg(name: &str, arg: Option<&str>) -> Result<Arg, String> {
    match arg {
        None => Ok(Arg::None),
        Some(a) => a
            .trim()
            .parse::<usize>()
            .map(Arg::Index)
            .map_err(|_| format!("field `{name}` takes a numeric index, not `{a}`")),
    }
}

fn resolve_sys(name: &str, arg: Option<&str>) -> Result<Field, String> {
    for (prefix, why) in LACKING {
        if name == *prefix || name.starts_with(&format!("{prefix}.")) {
            return Err(format!("field `{name}` {why}"));
        }
    }
    // `evt.arg.flags` is `evt.arg[flags]`.
    if let Some(argname) = name.strip_prefix("evt.arg.") {
        return Ok(Field {
            id: FieldId::Sys(Sys::EvtArg),
            arg: Arg::Key(argname.to_string()),
            ty: FieldType::Str,
        });
    }
    if let Some(argname) = name.strip_prefix("evt.rawarg.") {
        return Ok(Field {
            id: FieldId::Sys(Sys::EvtArg),
            arg: Arg::Key(argname.to_string()),
            ty: FieldType::Str,
        });
    }
    let Some((id, ty)) = Sys::lookup(name) else {
        return Err(format!(
            "field `{name}` is not one Harrier provides for syscall events"
        ));
    };
    let arg = match id {
        Sys::ProcAname | Sys::ProcAexe | Sys::ProcAexepath | Sys::ProcApid | Sys::ProcAcmdline => {
            index_arg(name, arg)?
        }
        Sys::EvtArg | Sys::K8sPodLabel | Sys::ContainerMountDest => match arg {
            Some(a) => Arg::Key(a.to_string()),
            None => return Err(format!("field `{name}` needs an argument")),
        },
        Sys::ProcEnv => arg.map_or(Arg::None, |a| Arg::Key(a.to_string())),
        _ => match arg {
            None => Arg::None,
            Some(a) => return Err(format!("field `{name}` takes no argument (`[{a}]`)")),
        },
    };
    // An indexed ancestor field is one value.
    let ty = match (ty, &arg) {
        (FieldType::List, Arg::Index(_)) => FieldType::Str,
        _ => ty,
    };
    Ok(Field {
        id: FieldId::Sys(id),
        arg,
        ty,
    })
}

fn resolve_ka(name: &str, arg: Option<&str>) -> Result<Field, String> {
    let Some((id, ty)) = Ka::lookup(name) else {
        return Err(format!(
            "field `{name}` is not one Harrier provides for k8s_audit events"
        ));
    };
    let arg = match id {
        Ka::UriParam | Ka::BindingSubjectHasName | Ka::VolumeHostpath | Ka::JevtValue => {
            match arg {
                Some(a) if !a.is_empty() => Arg::Key(a.to_string()),
                _ => return Err(format!("field `{name}` needs an argument")),
            }
        }
        _ if ty == FieldType::List => match arg {
            None => Arg::None,
            // The k8saudit plugin ignores a non-numeric index and returns every value.
            Some(a) => a.trim().parse::<usize>().map_or(Arg::None, Arg::Index),
        },
        _ => Arg::None,
    };
    Ok(Field {
        id: FieldId::Ka(id),
        arg,
        ty,
    })
}

/// An extracted value.
#[derive(Debug, Clone, PartialEq)]
pub enum Val<'a> {
    /// Text.
    Str(Cow<'a, str>),
    /// Integer.
    Int(i64),
    /// Boolean.
    Bool(bool),
    /// Address.
    Ip(IpAddr),
    /// Several texts.
    List(Vec<Cow<'a, str>>),
}

impl Val<'_> {
    /// The value as Falco prints it.
    pub fn render(&self) -> String {
        match self {
            Val::Str(s) => s.to_string(),
            Val::Int(i) => i.to_string(),
            Val::Bool(b) => b.to_string(),
            Val::Ip(ip) => ip.to_string(),
            Val::List(items) => format!("({})", items.join(",")),
        }
    }
}

/// Extracts `field` from `event`; `None` when the event does not carry it (missing).
pub fn extract<'a>(field: &Field, event: &'a Event) -> Option<Val<'a>> {
    match (field.id, event) {
        (FieldId::Sys(f), Event::Syscall(e)) => extract_sys(f, &field.arg, e),
        (FieldId::Ka(f), Event::K8sAudit(e)) => extract_ka(f, &field.arg, e),
        _ => None,
    }
}

fn s(v: &str) -> Option<Val<'_>> {
    Some(Val::Str(Cow::Borrowed(v)))
}

fn so<'a>(v: Option<&'a String>) -> Option<Val<'a>> {
    v.map(|v| Val::Str(Cow::Borrowed(v.as_str())))
}

fn owned<'a>(v: Option<String>) -> Option<Val<'a>> {
    v.map(|v| Val::Str(Cow::Owned(v)))
}

fn dirname(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) => "/",
        Some(i) => path.get(..i).unwrap_or(path),
        None => path,
    }
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Falco's `evt.res`: `SUCCESS` or the errno name.
fn errno_name(res: i64) -> Cow<'static, str> {
    if res >= 0 {
        return Cow::Borrowed("SUCCESS");
    }
    const NAMES: &[&str] = &[
        "", "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC", "EBADF",
        "ECHILD", "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST", "EXDEV",
        "ENODEV", "ENOTDIR", "EISDIR", "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG",
        "ENOSPC", "ESPIPE", "EROFS", "EMLINK", "EPIPE",
    ];
    let n = res.unsigned_abs();
    match n {
        111 => Cow::Borrowed("ECONNREFUSED"),
        115 => Cow::Borrowed("EINPROGRESS"),
        110 => Cow::Borrowed("ETIMEDOUT"),
        113 => Cow::Borrowed("EHOSTUNREACH"),
        101 => Cow::Borrowed("ENETUNREACH"),
        98 => Cow::Borrowed("EADDRINUSE"),
        _ => match usize::try_from(n).ok().and_then(|i| NAMES.get(i)) {
            Some(name) if !name.is_empty() => Cow::Borrowed(name),
            _ => Cow::Owned(format!("E{n}")),
        },
    }
}

fn extract_sys<'a>(f: Sys, arg: &Arg, e: &'a SyscallEvent) -> Option<Val<'a>> {
    let p = &e.process;
    let fd = e.fd.as_ref();
    let c = e.container.as_ref();
    let k = e.k8s.as_ref();
    let parent = p.ancestors.first();
    let local_remote = |local: bool| -> Option<(IpAddr, u16)> {
        let fd = fd?;
        let server_side = fd.is_server == local;
        if server_side {
            Some((fd.server_ip?, fd.server_port?))
        } else {
            Some((fd.client_ip?, fd.client_port?))
        }
    };
    let ancestors =
        |get: &dyn Fn(&'a crate::event::Ancestor) -> Option<Cow<'a, str>>| -> Option<Val<'a>> {
            match arg {
                Arg::Index(0) => None,
                Arg::Index(n) => p.ancestor(*n).and_then(get).map(Val::Str),
                _ => {
                    let items: Vec<_> = p.ancestors.iter().filter_map(get).collect();
                    Some(Val::List(items))
                }
            }
        };
    match f {
        Sys::EvtType => s(e.kind.name()),
        Sys::EvtNum => e.num.and_then(|n| i64::try_from(n).ok()).map(Val::Int),
        Sys::EvtTime => Some(Val::Str(Cow::Owned(crate::event::format_time(e.time_ns)))),
        Sys::EvtRawtime => Some(Val::Int(e.time_ns)),
        Sys::EvtRes => e.res.map(|r| Val::Str(errno_name(r))),
        Sys::EvtRawres => e.res.map(Val::Int),
        Sys::EvtFailed => e.res.map(|r| Val::Bool(r < 0)),
        Sys::EvtArg => match arg {
            Arg::Key(k) => match (k.as_str(), e.arg(k)) {
                (_, Some(v)) => s(v),
                ("flags", None) => e
                    .open_flags
                    .map(|f| Val::Str(Cow::Owned(f.to_falco_text()))),
                ("name" | "path" | "filename", None) => fd.and_then(|fd| so(fd.name.as_ref())),
                ("res", None) => e.res.map(|r| Val::Str(Cow::Owned(r.to_string()))),
                _ => None,
            },
            _ => None,
        },
        Sys::EvtArgs => Some(Val::Str(Cow::Owned(
            e.args
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" "),
        ))),
        Sys::EvtIsOpenRead => e.open_flags.map(|f| Val::Bool(f.read)),
        Sys::EvtIsOpenWrite => e.open_flags.map(|f| Val::Bool(f.write)),
        Sys::EvtIsOpenExec => e.open_flags.map(|f| Val::Bool(f.exec)),
        Sys::EvtIsOpenCreate => e.open_flags.map(|f| Val::Bool(f.create)),
        Sys::EvtHostname => so(e.hostname.as_ref()),
        Sys::EvtSource => s("syscall"),
        Sys::ProcName => so(p.name.as_ref()),
        Sys::ProcExe => so(p.exe.as_ref()),
        Sys::ProcExepath => so(p.exepath.as_ref()),
        Sys::ProcArgs => p.args.as_ref().map(|a| Val::Str(Cow::Owned(a.join(" ")))),
        Sys::ProcCmdline => owned(p.cmdline()),
        Sys::ProcPid => p.pid.map(Val::Int),
        Sys::ProcPpid => p.ppid.map(Val::Int),
        Sys::ProcVpid => p.vpid.map(Val::Int),
        Sys::ProcSid => p.sid.map(Val::Int),
        Sys::ProcVpgid => p.vpgid.map(Val::Int),
        Sys::ProcPname => parent.and_then(|a| so(a.name.as_ref())),
        Sys::ProcPexe => parent.and_then(|a| so(a.exe.as_ref())),
        Sys::ProcPexepath => parent.and_then(|a| so(a.exepath.as_ref())),
        Sys::ProcPcmdline => parent.and_then(|a| owned(a.cmdline())),
        Sys::ProcAname => ancestors(&|a| a.name.as_deref().map(Cow::Borrowed)),
        Sys::ProcAexe => ancestors(&|a| a.exe.as_deref().map(Cow::Borrowed)),
        Sys::ProcAexepath => ancestors(&|a| a.exepath.as_deref().map(Cow::Borrowed)),
        Sys::ProcApid => ancestors(&|a| a.pid.map(|p| Cow::Owned(p.to_string()))),
        Sys::ProcAcmdline => ancestors(&|a| a.cmdline().map(Cow::Owned)),
        Sys::ProcCwd => so(p.cwd.as_ref()),
        Sys::ProcTty => p.tty.map(Val::Int),
        Sys::ProcEnv => {
            let env = p.env.as_ref()?;
            match arg {
                Arg::Key(k) => env.iter().find_map(|kv| {
                    kv.strip_prefix(k.as_str())
                        .and_then(|r| r.strip_prefix('='))
                        .map(|v| Val::Str(Cow::Borrowed(v)))
                }),
                _ => Some(Val::Str(Cow::Owned(env.join(" ")))),
            }
        }
        Sys::ProcSname => so(p.session_leader.as_ref()),
        Sys::ProcIsVpgidLeader => p.is_vpgid_leader.map(Val::Bool),
        Sys::ProcVpgidName => p.vpgid_leader.as_ref().and_then(|a| so(a.name.as_ref())),
        Sys::ProcVpgidExe => p.vpgid_leader.as_ref().and_then(|a| so(a.exe.as_ref())),
        Sys::ProcDuration => p.start_ns.map(|s| Val::Int(e.time_ns.saturating_sub(s))),
        Sys::ProcPpidDuration => parent
            .and_then(|a| a.start_ns)
            .map(|s| Val::Int(e.time_ns.saturating_sub(s))),
        Sys::ProcIsExeUpperLayer => p.exe_upper_layer.map(Val::Bool),
        Sys::ProcIsExeFromMemfd => p.exe_from_memfd.map(Val::Bool),
        Sys::ProcIsExeWritable => p.exe_writable.map(Val::Bool),
        Sys::ProcExeIno => p.exe_ino.and_then(|i| i64::try_from(i).ok()).map(Val::Int),
        Sys::ProcExeInoCtime => p.exe_ino_ctime_ns.map(Val::Int),
        Sys::ProcExeInoMtime => p.exe_ino_mtime_ns.map(Val::Int),
        Sys::ProcExeInoCtimeDurationProcStart => match (p.start_ns, p.exe_ino_ctime_ns) {
            (Some(start), Some(ctime)) => Some(Val::Int(start.saturating_sub(ctime))),
            _ => None,
        },
        Sys::ThreadTid => p.tid.or(p.pid).map(Val::Int),
        Sys::ThreadCapPermitted => p
            .cap_permitted
            .as_ref()
            .map(|c| Val::Str(Cow::Owned(c.join(" ")))),
        Sys::ThreadCapEffective => p
            .cap_effective
            .as_ref()
            .map(|c| Val::Str(Cow::Owned(c.join(" ")))),
        Sys::UserUid => p.uid.map(|u| Val::Int(i64::from(u))),
        Sys::UserName => so(p.user.as_ref()),
        Sys::UserLoginuid => p.loginuid.map(|u| {
            // Falco shows "no login uid" (4294967295) as -1.
            Val::Int(if u == u32::MAX { -1 } else { i64::from(u) })
        }),
        Sys::UserLoginname => so(p.loginname.as_ref()),
        Sys::GroupGid => p.gid.map(|g| Val::Int(i64::from(g))),
        Sys::GroupName => so(p.group.as_ref()),
        Sys::FdNum => fd.and_then(|f| f.num).map(Val::Int),
        Sys::FdType => fd.map(|f| Val::Str(Cow::Borrowed(f.kind.falco_type()))),
        Sys::FdTypechar => fd.map(|f| Val::Str(Cow::Borrowed(f.kind.typechar()))),
        Sys::FdName | Sys::FdNameraw => fd.and_then(|f| so(f.name.as_ref())),
        Sys::FdDirectory => fd.and_then(|f| match f.kind {
            FdKind::File | FdKind::Directory => f
                .name
                .as_deref()
                .map(|n| Val::Str(Cow::Borrowed(dirname(n)))),
            _ => None,
        }),
        Sys::FdFilename => fd.and_then(|f| match f.kind {
            FdKind::File | FdKind::Directory => f
                .name
                .as_deref()
                .map(|n| Val::Str(Cow::Borrowed(basename(n)))),
            _ => None,
        }),
        Sys::FdIp => fd.map(|f| {
            Val::List(
                [f.client_ip, f.server_ip]
                    .into_iter()
                    .flatten()
                    .map(|ip| Cow::Owned(ip.to_string()))
                    .collect(),
            )
        }),
        Sys::FdCip => fd.and_then(|f| f.client_ip).map(Val::Ip),
        Sys::FdSip => fd.and_then(|f| f.server_ip).map(Val::Ip),
        Sys::FdLip => local_remote(true).map(|(ip, _)| Val::Ip(ip)),
        Sys::FdRip => local_remote(false).map(|(ip, _)| Val::Ip(ip)),
        Sys::FdCipName => fd.and_then(|f| so(f.client_name.as_ref())),
        Sys::FdSipName => fd.and_then(|f| so(f.server_name.as_ref())),
        Sys::FdLipName => fd.and_then(|f| {
            so(if f.is_server {
                f.server_name.as_ref()
            } else {
                f.client_name.as_ref()
            })
        }),
        Sys::FdRipName => fd.and_then(|f| {
            so(if f.is_server {
                f.client_name.as_ref()
            } else {
                f.server_name.as_ref()
            })
        }),
        Sys::FdPort => fd.map(|f| {
            Val::List(
                [f.client_port, f.server_port]
                    .into_iter()
                    .flatten()
                    .map(|p| Cow::Owned(p.to_string()))
                    .collect(),
            )
        }),
        Sys::FdCport => fd
            .and_then(|f| f.client_port)
            .map(|p| Val::Int(i64::from(p))),
        Sys::FdSport => fd
            .and_then(|f| f.server_port)
            .map(|p| Val::Int(i64::from(p))),
        Sys::FdLport => local_remote(true).map(|(_, p)| Val::Int(i64::from(p))),
        Sys::FdRport => local_remote(false).map(|(_, p)| Val::Int(i64::from(p))),
        Sys::FdL4proto => fd.and_then(|f| so(f.l4proto.as_ref())),
        Sys::FdSockfamily => fd.and_then(|f| match f.kind {
            FdKind::Ipv4 | FdKind::Ipv6 => s("ip"),
            FdKind::Unix => s("unix"),
            _ => None,
        }),
        Sys::FdNet => fd.and_then(|f| f.server_ip.or(f.client_ip)).map(Val::Ip),
        Sys::FdCnet => fd.and_then(|f| f.client_ip).map(Val::Ip),
        Sys::FdSnet => fd.and_then(|f| f.server_ip).map(Val::Ip),
        Sys::FdLnet => local_remote(true).map(|(ip, _)| Val::Ip(ip)),
        Sys::FdRnet => local_remote(false).map(|(ip, _)| Val::Ip(ip)),
        Sys::FdConnected => fd.map(|f| Val::Bool(f.connected)),
        Sys::FdNameChanged => fd.map(|f| Val::Bool(f.name_changed)),
        Sys::FdIsServer => fd.map(|f| Val::Bool(f.is_server)),
        Sys::ContainerId => c.map(|c| Val::Str(Cow::Borrowed(c.id.as_str()))),
        Sys::ContainerFullId => c.and_then(|c| so(c.full_id.as_ref().or(Some(&c.id)))),
        Sys::ContainerName => c.and_then(|c| so(c.name.as_ref())),
        Sys::ContainerImage => c.and_then(|c| so(c.image.as_ref())),
        Sys::ContainerImageRepository => c.and_then(|c| so(c.image_repository.as_ref())),
        Sys::ContainerImageTag => c.and_then(|c| so(c.image_tag.as_ref())),
        Sys::ContainerImageDigest => c.and_then(|c| so(c.image_digest.as_ref())),
        Sys::ContainerType => c.and_then(|c| so(c.runtime.as_ref())),
        Sys::ContainerPrivileged => c.and_then(|c| c.privileged).map(Val::Bool),
        Sys::ContainerStartTs => c.and_then(|c| c.start_ns).map(Val::Int),
        Sys::ContainerMounts => c.and_then(|c| c.mounts.as_ref()).map(|m| {
            Val::Str(Cow::Owned(
                m.iter()
                    .map(|m| {
                        format!(
                            "{}:{}:{}:{}:{}",
                            m.source,
                            m.dest,
                            m.mode.as_deref().unwrap_or(""),
                            m.rw.unwrap_or(false),
                            m.propagation.as_deref().unwrap_or("")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(","),
            ))
        }),
        Sys::ContainerMountDest => {
            let Arg::Key(pattern) = arg else { return None };
            let mounts = c?.mounts.as_ref()?;
            mounts
                .iter()
                .find(|m| super::matcher::glob(pattern, &m.dest))
                .map(|m| Val::Str(Cow::Borrowed(m.source.as_str())))
        }
        Sys::ContainerInfo => c.map(|c| {
            Val::Str(Cow::Owned(format!(
                "container_id={} container_name={}",
                c.id,
                c.name.as_deref().unwrap_or(crate::event::MISSING)
            )))
        }),
        Sys::K8sNsName => k.and_then(|k| so(k.namespace.as_ref())),
        Sys::K8sPodName => k.and_then(|k| so(k.pod_name.as_ref())),
        Sys::K8sPodUid => k.and_then(|k| so(k.pod_uid.as_ref())),
        Sys::K8sPodLabel => {
            let Arg::Key(key) = arg else { return None };
            k?.pod_labels
                .as_ref()?
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| Val::Str(Cow::Borrowed(v.as_str())))
        }
        Sys::K8sPodLabels => k.and_then(|k| k.pod_labels.as_ref()).map(|l| {
            Val::Str(Cow::Owned(
                l.iter()
                    .map(|(k, v)| format!("{k}:{v}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ))
        }),
        Sys::K8sOwnerKind => k.and_then(|k| so(k.owner_kind.as_ref())),
        Sys::K8sOwnerName => k.and_then(|k| so(k.owner_name.as_ref())),
        Sys::K8sSaName => k.and_then(|k| so(k.service_account.as_ref())),
        Sys::DnsQuery => e
            .dns
            .as_ref()
            .map(|d| Val::Str(Cow::Borrowed(d.query.as_str()))),
        Sys::DnsAnswers => e.dns.as_ref().map(|d| {
            Val::List(
                d.answers
                    .iter()
                    .map(|a| Cow::Owned(a.to_string()))
                    .collect(),
            )
        }),
        Sys::SignalName
        | Sys::SignalWorkload
        | Sys::SignalDuration
        | Sys::SignalSamples
        | Sys::SignalRepeated
        | Sys::SignalCpuMillicores
        | Sys::SignalCpuPeakMillicores
        | Sys::SignalCpuLimitMillicores
        | Sys::SignalCpuPct
        | Sys::SignalBaselineMillicores
        | Sys::SignalBaselineSource
        | Sys::SignalScore
        | Sys::SignalMemoryBytes
        | Sys::SignalMemoryLimitBytes
        | Sys::SignalMemoryGrowthBps
        | Sys::SignalEvidenceRules
        | Sys::SignalEvidenceProfiles
        | Sys::SignalEvidenceCount => extract_signal(f, e.signal.as_ref()?),
    }
}

fn extract_signal(f: Sys, sig: &ResourceSignal) -> Option<Val<'_>> {
    let milli = |v: Option<f64>| v.and_then(|c| round(c * 1000.0)).map(Val::Int);
    let int = |v: Option<u64>| v.and_then(|n| i64::try_from(n).ok()).map(Val::Int);
    match f {
        Sys::SignalName => s(&sig.name),
        Sys::SignalWorkload => so(sig.workload.as_ref()),
        Sys::SignalDuration => int(sig.duration_ns),
        Sys::SignalSamples => sig.samples.map(|n| Val::Int(i64::from(n))),
        Sys::SignalRepeated => sig.repeated.map(Val::Bool),
        Sys::SignalCpuMillicores => milli(sig.cpu_cores),
        Sys::SignalCpuPeakMillicores => milli(sig.cpu_peak_cores),
        Sys::SignalCpuLimitMillicores => milli(sig.cpu_limit_cores),
        Sys::SignalCpuPct => sig
            .cpu_utilization
            .and_then(|u| round(u * 100.0))
            .map(Val::Int),
        Sys::SignalBaselineMillicores => milli(sig.baseline_cores),
        Sys::SignalBaselineSource => so(sig.baseline_source.as_ref()),
        Sys::SignalScore => sig.score.and_then(round).map(Val::Int),
        Sys::SignalMemoryBytes => int(sig.memory_bytes),
        Sys::SignalMemoryLimitBytes => int(sig.memory_limit_bytes),
        Sys::SignalMemoryGrowthBps => sig.memory_growth_bytes_per_s.and_then(round).map(Val::Int),
        Sys::SignalEvidenceRules => Some(Val::List(
            sig.evidence
                .iter()
                .map(|e| Cow::Borrowed(e.rule.as_str()))
                .collect(),
        )),
        Sys::SignalEvidenceProfiles => {
            let mut v: Vec<Cow<'_, str>> = Vec::new();
            for p in sig.evidence.iter().filter_map(|e| e.profile.as_deref()) {
                if !v.iter().any(|x| x == p) {
                    v.push(Cow::Borrowed(p));
                }
            }
            Some(Val::List(v))
        }
        Sys::SignalEvidenceCount => Some(Val::Int(
            i64::try_from(sig.evidence.len()).unwrap_or(i64::MAX),
        )),
        _ => None,
    }
}

/// A JSON value as the k8saudit plugin renders it: strings bare, anything else as JSON.
fn json_text(v: &serde_json::Value) -> Cow<'_, str> {
    match v {
        serde_json::Value::String(s) => Cow::Borrowed(s.as_str()),
        other => Cow::Owned(other.to_string()),
    }
}

fn get<'a>(v: &'a serde_json::Value, keys: &[&str]) -> Option<&'a serde_json::Value> {
    keys.iter().try_fold(v, |v, k| v.get(k))
}

fn key_str<'a>(v: &'a serde_json::Value, keys: &[&str]) -> Option<Val<'a>> {
    get(v, keys).map(|v| Val::Str(json_text(v)))
}

fn key_list<'a>(v: &'a serde_json::Value, keys: &[&str]) -> Option<Val<'a>> {
    let arr = get(v, keys)?.as_array()?;
    Some(Val::List(arr.iter().map(json_text).collect()))
}

/// Entries of an array at `keys`, filtered by an index argument.
fn array<'a>(
    v: &'a serde_json::Value,
    arg: &Arg,
    keys: &[&str],
) -> Option<Vec<&'a serde_json::Value>> {
    let arr = get(v, keys)?.as_array()?;
    match arg {
        Arg::Index(i) => arr.get(*i).map(|x| vec![x]),
        _ => Some(arr.iter().collect()),
    }
}

/// Per-container values at `inner` (missing ones skipped when `skip_missing`).
fn per_container<'a>(
    v: &'a serde_json::Value,
    arg: &Arg,
    list: &str,
    inner: &[&str],
    skip_missing: bool,
) -> Option<Val<'a>> {
    let containers = array(v, arg, &["requestObject", "spec", list])?;
    let mut out = Vec::with_capacity(containers.len());
    for c in containers {
        match get(c, inner) {
            Some(x) => out.push(json_text(x)),
            None if skip_missing => {}
            None => return None,
        }
    }
    Some(Val::List(out))
}

fn repository(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    // Keep a registry port (`host:5000/x`): only a colon after the last slash is a tag.
    match no_digest.rfind(':') {
        Some(i) if !no_digest.get(i..).is_some_and(|t| t.contains('/')) => {
            no_digest.get(..i).unwrap_or(no_digest)
        }
        _ => no_digest,
    }
}

fn extract_ka<'a>(f: Ka, arg: &Arg, e: &'a AuditEvent) -> Option<Val<'a>> {
    let v = &e.event;
    match f {
        Ka::AuditId => key_str(v, &["auditID"]),
        Ka::Stage => key_str(v, &["stage"]),
        Ka::AuthDecision => key_str(v, &["annotations", "authorization.k8s.io/decision"]),
        Ka::AuthReason => key_str(v, &["annotations", "authorization.k8s.io/reason"]),
        Ka::UserName => key_str(v, &["user", "username"]),
        Ka::UserGroups => key_list(v, &["user", "groups"]),
        Ka::ImpuserName => key_str(v, &["impersonatedUser", "username"]),
        Ka::Verb => key_str(v, &["verb"]),
        Ka::Uri => key_str(v, &["requestURI"]),
        Ka::UriParam => {
            let Arg::Key(key) = arg else { return None };
            let uri = v.get("requestURI")?.as_str()?;
            let query = uri.split_once('?')?.1;
            query.split('&').find_map(|kv| {
                let (k, val) = kv.split_once('=').unwrap_or((kv, ""));
                (percent_decode(k) == *key).then(|| Val::Str(Cow::Owned(percent_decode(val))))
            })
        }
        Ka::TargetName | Ka::ConfigmapName => key_str(v, &["objectRef", "name"]),
        Ka::TargetNamespace => key_str(v, &["objectRef", "namespace"]),
        Ka::TargetResource => key_str(v, &["objectRef", "resource"]),
        Ka::TargetSubresource => key_str(v, &["objectRef", "subresource"]),
        Ka::BindingSubjects => key_list(v, &["requestObject", "subjects"]),
        Ka::BindingRole => key_str(v, &["requestObject", "roleRef", "name"]),
        // As the k8saudit plugin (and Falco's original implementation) does.
        Ka::BindingSubjectHasName => s("true"),
        Ka::ConfigmapObj => key_str(v, &["requestObject", "data"]),
        Ka::PodContainersImage => per_container(v, arg, "containers", &["image"], false),
        Ka::PodInitContainersImage => per_container(v, arg, "initContainers", &["image"], false),
        Ka::PodEphemeralContainersImage => {
            per_container(v, arg, "ephemeralContainers", &["image"], false)
        }
        Ka::ContainerImage => {
            match per_container(v, &Arg::Index(0), "containers", &["image"], false)? {
                Val::List(mut l) if !l.is_empty() => Some(Val::Str(l.swap_remove(0))),
                _ => None,
            }
        }
        Ka::PodContainersImageRepository => {
            match per_container(v, arg, "containers", &["image"], false)? {
                Val::List(l) => Some(Val::List(
                    l.into_iter()
                        .map(|i| match i {
                            Cow::Borrowed(b) => Cow::Borrowed(repository(b)),
                            Cow::Owned(o) => Cow::Owned(repository(&o).to_string()),
                        })
                        .collect(),
                )),
                _ => None,
            }
        }
        Ka::ContainerImageRepository => {
            let arr = array(v, &Arg::Index(0), &["requestObject", "spec", "containers"])?;
            let image = arr.first()?.get("image")?.as_str()?;
            s(repository(image))
        }
        Ka::PodHostIpc => key_str(v, &["requestObject", "spec", "hostIPC"]),
        Ka::PodHostNetwork | Ka::ContainerHostNetwork => {
            key_str(v, &["requestObject", "spec", "hostNetwork"])
        }
        Ka::PodHostPid => key_str(v, &["requestObject", "spec", "hostPID"]),
        Ka::PodContainersHostPort => {
            let containers = array(v, arg, &["requestObject", "spec", "containers"])?;
            let mut out = Vec::new();
            for c in containers {
                let ports = c.get("ports")?.as_array()?;
                for p in ports {
                    if let Some(hp) = p.get("hostPort") {
                        out.push(json_text(hp));
                    } else if let Some(cp) = p.get("containerPort") {
                        out.push(json_text(cp));
                    }
                }
            }
            Some(Val::List(out))
        }
        Ka::PodContainersPrivileged => per_container(
            v,
            arg,
            "containers",
            &["securityContext", "privileged"],
            true,
        ),
        Ka::PodInitContainersPrivileged => per_container(
            v,
            arg,
            "initContainers",
            &["securityContext", "privileged"],
            true,
        ),
        Ka::PodEphemeralContainersPrivileged => per_container(
            v,
            arg,
            "ephemeralContainers",
            &["securityContext", "privileged"],
            true,
        ),
        Ka::ContainerPrivileged => {
            let containers = array(v, &Arg::None, &["requestObject", "spec", "containers"])?;
            let any = containers.iter().any(|c| {
                get(c, &["securityContext", "privileged"]).and_then(|p| p.as_bool()) == Some(true)
            });
            s(if any { "true" } else { "false" })
        }
        Ka::PodContainersAllowPrivilegeEscalation => per_container(
            v,
            arg,
            "containers",
            &["securityContext", "allowPrivilegeEscalation"],
            false,
        ),
        Ka::PodContainersReadOnlyFs => per_container(
            v,
            arg,
            "containers",
            &["securityContext", "readOnlyRootFilesystem"],
            false,
        ),
        Ka::PodRunAsUser => key_str(
            v,
            &["requestObject", "spec", "securityContext", "runAsUser"],
        ),
        Ka::PodContainersRunAsUser => per_container(
            v,
            arg,
            "containers",
            &["securityContext", "runAsUser"],
            false,
        ),
        Ka::PodContainersEffRunAsUser => effective(v, arg, "runAsUser"),
        Ka::PodRunAsGroup => key_str(
            v,
            &["requestObject", "spec", "securityContext", "runAsGroup"],
        ),
        Ka::PodContainersRunAsGroup => per_container(
            v,
            arg,
            "containers",
            &["securityContext", "runAsGroup"],
            false,
        ),
        Ka::PodContainersEffRunAsGroup => effective(v, arg, "runAsGroup"),
        Ka::PodContainersProcMount => per_container(
            v,
            arg,
            "containers",
            &["securityContext", "procMount"],
            false,
        ),
        Ka::RoleRules => key_list(v, &["requestObject", "rules"]),
        Ka::RoleRulesApiGroups => role_rules(v, arg, "apiGroups"),
        Ka::RoleRulesNonResourceUrls => role_rules(v, arg, "nonResourceURLs"),
        Ka::RoleRulesVerbs => role_rules(v, arg, "verbs"),
        Ka::RoleRulesResources => role_rules(v, arg, "resources"),
        Ka::PodFsGroup => key_str(v, &["requestObject", "spec", "securityContext", "fsGroup"]),
        Ka::PodSupplementalGroups => key_list(
            v,
            &[
                "requestObject",
                "spec",
                "securityContext",
                "supplementalGroups",
            ],
        ),
        Ka::PodContainersAddCapabilities => {
            let containers = array(v, arg, &["requestObject", "spec", "containers"])?;
            let mut out = Vec::new();
            for c in containers {
                if let Some(add) =
                    get(c, &["securityContext", "capabilities", "add"]).and_then(|a| a.as_array())
                {
                    out.extend(add.iter().map(json_text));
                }
            }
            Some(Val::List(out))
        }
        Ka::ServiceType => key_str(v, &["requestObject", "spec", "type"]),
        Ka::ServicePorts => {
            let ports = array(v, arg, &["requestObject", "spec", "ports"])?;
            Some(Val::List(ports.into_iter().map(json_text).collect()))
        }
        Ka::PodVolumesHostpath => per_container(v, arg, "volumes", &["hostPath", "path"], true),
        Ka::VolumeHostpath => {
            let Arg::Key(pattern) = arg else { return None };
            let Some(Val::List(paths)) =
                per_container(v, &Arg::None, "volumes", &["hostPath", "path"], true)
            else {
                return None;
            };
            let hit = match pattern.strip_suffix('*') {
                Some(prefix) => paths.iter().any(|p| p.starts_with(prefix)),
                None => paths.iter().any(|p| p == pattern),
            };
            s(if hit { "true" } else { "false" })
        }
        Ka::PodVolumesFlexvolumeDriver => {
            per_container(v, arg, "volumes", &["flexVolume", "driver"], true)
        }
        Ka::PodVolumesVolumeType => {
            let vols = array(v, arg, &["requestObject", "spec", "volumes"])?;
            let mut out = Vec::new();
            for vol in vols {
                if let Some(obj) = vol.as_object() {
                    out.extend(
                        obj.keys()
                            .filter(|k| *k != "name")
                            .map(|k| Cow::Borrowed(k.as_str())),
                    );
                }
            }
            Some(Val::List(out))
        }
        Ka::RespName => key_str(v, &["responseObject", "metadata", "name"]),
        Ka::ResponseCode => key_str(v, &["responseStatus", "code"]),
        Ka::ResponseReason => key_str(v, &["responseStatus", "reason"]),
        Ka::Useragent => key_str(v, &["userAgent"]),
        Ka::SourceIps => key_list(v, &["sourceIPs"]),
        Ka::ClusterName => so(e.cluster.as_ref()),
        Ka::JevtTime | Ka::EvtTime => e
            .time_ns()
            .map(|t| Val::Str(Cow::Owned(crate::event::format_time(t)))),
        Ka::JevtTimeIso8601 => e
            .time_ns()
            .map(|t| Val::Str(Cow::Owned(crate::event::format_time(t)))),
        Ka::JevtRawtime => Some(Val::Str(Cow::Owned(e.time_ns().unwrap_or(0).to_string()))),
        Ka::JevtValue => {
            let Arg::Key(ptr) = arg else { return None };
            v.pointer(ptr).map(|x| Val::Str(json_text(x)))
        }
        Ka::JevtObj => Some(Val::Str(Cow::Owned(v.to_string()))),
        Ka::EvtSource => s("k8s_audit"),
    }
}

fn effective<'a>(v: &'a serde_json::Value, arg: &Arg, key: &str) -> Option<Val<'a>> {
    let pod = get(v, &["requestObject", "spec", "securityContext", key])
        .map_or(Cow::Borrowed("0"), json_text);
    let containers = array(v, arg, &["requestObject", "spec", "containers"])?;
    Some(Val::List(
        containers
            .into_iter()
            .map(|c| get(c, &["securityContext", key]).map_or_else(|| pod.clone(), json_text))
            .collect(),
    ))
}

fn role_rules<'a>(v: &'a serde_json::Value, arg: &Arg, key: &str) -> Option<Val<'a>> {
    let rules = array(v, arg, &["requestObject", "rules"])?;
    let mut out = Vec::new();
    for r in rules {
        if let Some(items) = r.get(key).and_then(|x| x.as_array()) {
            out.extend(items.iter().filter(|x| !x.is_null()).map(json_text));
        }
    }
    Some(Val::List(out))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes.get(i) {
            Some(b'%') => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            Some(b'+') => {
                out.push(b' ');
                i += 1;
            }
            Some(&b) => {
                out.push(b);
                i += 1;
            }
            None => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_strips_tag_and_digest_but_keeps_registry_port() {
        assert_eq!(repository("nginx:1.2"), "nginx");
        assert_eq!(repository("reg:5000/a/b:1"), "reg:5000/a/b");
        assert_eq!(repository("reg:5000/a/b"), "reg:5000/a/b");
        assert_eq!(repository("a@sha256:00"), "a");
    }

    #[test]
    fn errno_names() {
        assert_eq!(errno_name(0), "SUCCESS");
        assert_eq!(errno_name(-115), "EINPROGRESS");
        assert_eq!(errno_name(-13), "EACCES");
        assert_eq!(errno_name(-999), "E999");
    }
}

/// A direct accessor for a syscall field whose value is a borrowed string, an integer or a
/// boolean: the evaluator's fast path, which skips building a [`Val`].
#[derive(Debug, Clone, Copy)]
pub enum Getter {
    /// A text field.
    Str(for<'a> fn(&'a SyscallEvent) -> Option<&'a str>),
    /// The name of the n-th ancestor.
    Aname(usize),
    /// An integer field.
    Int(fn(&SyscallEvent) -> Option<i64>),
    /// A boolean field.
    Bool(fn(&SyscallEvent) -> Option<bool>),
}

/// The fast accessor of `field`, when it has one.
pub fn getter(field: &Field) -> Option<Getter> {
    let FieldId::Sys(f) = field.id else {
        return None;
    };
    if let (Sys::ProcAname, Arg::Index(n)) = (f, &field.arg) {
        return (*n > 0).then_some(Getter::Aname(*n));
    }
    if field.arg != Arg::None {
        return None;
    }
    Some(match f {
        Sys::EvtType => Getter::Str(|e| Some(e.kind.name())),
        Sys::ProcName => Getter::Str(|e| e.process.name.as_deref()),
        Sys::ProcExe => Getter::Str(|e| e.process.exe.as_deref()),
        Sys::ProcExepath => Getter::Str(|e| e.process.exepath.as_deref()),
        Sys::ProcCwd => Getter::Str(|e| e.process.cwd.as_deref()),
        Sys::ProcPname => {
            Getter::Str(|e| e.process.ancestors.first().and_then(|a| a.name.as_deref()))
        }
        Sys::ProcPexe => {
            Getter::Str(|e| e.process.ancestors.first().and_then(|a| a.exe.as_deref()))
        }
        Sys::ProcPexepath => Getter::Str(|e| {
            e.process
                .ancestors
                .first()
                .and_then(|a| a.exepath.as_deref())
        }),
        Sys::ProcSname => Getter::Str(|e| e.process.session_leader.as_deref()),
        Sys::UserName => Getter::Str(|e| e.process.user.as_deref()),
        Sys::UserLoginname => Getter::Str(|e| e.process.loginname.as_deref()),
        Sys::GroupName => Getter::Str(|e| e.process.group.as_deref()),
        Sys::FdName | Sys::FdNameraw => {
            Getter::Str(|e| e.fd.as_ref().and_then(|f| f.name.as_deref()))
        }
        Sys::FdType => Getter::Str(|e| e.fd.as_ref().map(|f| f.kind.falco_type())),
        Sys::FdTypechar => Getter::Str(|e| e.fd.as_ref().map(|f| f.kind.typechar())),
        Sys::FdL4proto => Getter::Str(|e| e.fd.as_ref().and_then(|f| f.l4proto.as_deref())),
        Sys::FdDirectory => Getter::Str(|e| {
            e.fd.as_ref()
                .filter(|f| matches!(f.kind, FdKind::File | FdKind::Directory))
                .and_then(|f| f.name.as_deref())
                .map(dirname)
        }),
        Sys::FdFilename => Getter::Str(|e| {
            e.fd.as_ref()
                .filter(|f| matches!(f.kind, FdKind::File | FdKind::Directory))
                .and_then(|f| f.name.as_deref())
                .map(basename)
        }),
        Sys::ContainerId => Getter::Str(|e| e.container.as_ref().map(|c| c.id.as_str())),
        Sys::ContainerName => Getter::Str(|e| e.container.as_ref().and_then(|c| c.name.as_deref())),
        Sys::ContainerImage => {
            Getter::Str(|e| e.container.as_ref().and_then(|c| c.image.as_deref()))
        }
        Sys::ContainerImageRepository => Getter::Str(|e| {
            e.container
                .as_ref()
                .and_then(|c| c.image_repository.as_deref())
        }),
        Sys::ContainerImageTag => {
            Getter::Str(|e| e.container.as_ref().and_then(|c| c.image_tag.as_deref()))
        }
        Sys::K8sNsName => Getter::Str(|e| e.k8s.as_ref().and_then(|k| k.namespace.as_deref())),
        Sys::K8sPodName => Getter::Str(|e| e.k8s.as_ref().and_then(|k| k.pod_name.as_deref())),
        Sys::ProcPid => Getter::Int(|e| e.process.pid),
        Sys::ProcPpid => Getter::Int(|e| e.process.ppid),
        Sys::ProcVpid => Getter::Int(|e| e.process.vpid),
        Sys::ProcTty => Getter::Int(|e| e.process.tty),
        Sys::UserUid => Getter::Int(|e| e.process.uid.map(i64::from)),
        Sys::UserLoginuid => Getter::Int(|e| {
            e.process
                .loginuid
                .map(|u| if u == u32::MAX { -1 } else { i64::from(u) })
        }),
        Sys::GroupGid => Getter::Int(|e| e.process.gid.map(i64::from)),
        Sys::FdNum => Getter::Int(|e| e.fd.as_ref().and_then(|f| f.num)),
        Sys::EvtRawres => Getter::Int(|e| e.res),
        Sys::EvtIsOpenRead => Getter::Bool(|e| e.open_flags.map(|f| f.read)),
        Sys::EvtIsOpenWrite => Getter::Bool(|e| e.open_flags.map(|f| f.write)),
        Sys::EvtIsOpenExec => Getter::Bool(|e| e.open_flags.map(|f| f.exec)),
        Sys::EvtIsOpenCreate => Getter::Bool(|e| e.open_flags.map(|f| f.create)),
        Sys::FdConnected => Getter::Bool(|e| e.fd.as_ref().map(|f| f.connected)),
        Sys::FdNameChanged => Getter::Bool(|e| e.fd.as_ref().map(|f| f.name_changed)),
        Sys::ContainerPrivileged => {
            Getter::Bool(|e| e.container.as_ref().and_then(|c| c.privileged))
        }
        Sys::ProcIsExeUpperLayer => Getter::Bool(|e| e.process.exe_upper_layer),
        Sys::ProcIsExeFromMemfd => Getter::Bool(|e| e.process.exe_from_memfd),
        _ => return None,
    })
}
