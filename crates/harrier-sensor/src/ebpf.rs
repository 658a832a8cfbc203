//! The eBPF collector: loads the committed CO-RE object (`bpf/sensor.bpf.o`, built from
//! `bpf/sensor.bpf.c` by `scripts/build-bpf.sh`) with aya, attaches what the kernel offers and
//! reports what it does not, and reads the ring buffer.
//!
//! Only tracepoints are used (`tracepoint/*`, plus `tp_btf` for fork, which needs the child's
//! task to tell a new process from a new thread): kprobes, fentry and BPF-LSM are missing or
//! locked down on the kernels we target. The process lifecycle programs are required; a
//! syscall whose tracepoints are missing (`openat2` or `fchmodat2` on older kernels, `open` on
//! arm64) is reported as unavailable and its bit is cleared in the filter.
//!
//! This module and the netlink one are the only places with `unsafe`: `poll(2)`,
//! `clock_gettime(2)`, `mount(2)` and the `Pod` marker of the config struct.
#![allow(unsafe_code)]

use std::os::fd::AsRawFd;
use std::time::Duration;

use aya::maps::{Array, MapData, PerCpuArray, RingBuf};
use aya::programs::{BtfTracePoint, TracePoint};
use aya::{Btf, Ebpf, EbpfLoader};
use serde::Serialize;

use crate::abi::{self, Config};
use crate::event::Syscall;

/// The compiled BPF object.
pub static OBJECT: &[u8] = include_bytes!("../bpf/sensor.bpf.o");

// SAFETY: `Config` is `#[repr(C)]`, made of integers only (u32, u32, u64: no padding, asserted
// to be 16 bytes in `abi`), so every bit pattern is a valid value and it can be copied to and
// from the kernel as bytes.
unsafe impl aya::Pod for Config {}

/// Loading or attaching failed.
#[derive(Debug, thiserror::Error)]
pub enum EbpfError {
    /// tracefs is not mounted and could not be.
    #[error(
        "tracefs is not mounted at /sys/kernel/tracing and mounting it failed (run `mount -t tracefs tracefs /sys/kernel/tracing`)"
    )]
    Tracefs(#[source] std::io::Error),
    /// The object could not be loaded (maps, relocations).
    #[error("cannot load the BPF object")]
    Load(#[source] Box<aya::EbpfError>),
    /// The kernel's BTF could not be read.
    #[error("cannot read the kernel's BTF (/sys/kernel/btf/vmlinux)")]
    Btf(#[source] aya::BtfError),
    /// A map is missing from the object.
    #[error("the BPF object has no map `{0}`")]
    NoMap(&'static str),
    /// A map operation failed.
    #[error("BPF map `{map}`")]
    Map {
        /// The map.
        map: &'static str,
        /// The error.
        #[source]
        source: aya::maps::MapError,
    },
    /// A required program could not be attached.
    #[error("cannot attach {what}")]
    Required {
        /// The tracepoint.
        what: String,
        /// Why.
        #[source]
        source: Box<aya::programs::ProgramError>,
    },
    /// poll(2) on the ring buffer failed.
    #[error("poll on the ring buffer")]
    Poll(#[source] std::io::Error),
}

/// Something the kernel did not offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unavailable {
    /// The tracepoint or program.
    pub what: String,
    /// Why, as the loader said.
    pub reason: String,
}

/// Kernel-side counters, summed over CPUs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct KernelCounters {
    /// Events that passed the filters.
    pub seen: u64,
    /// Events lost because the ring buffer was full.
    pub lost: u64,
    /// Events dropped by the in-kernel filters.
    pub filtered: u64,
    /// Syscall exits without their entry.
    pub unpaired: u64,
}

/// Options of the collector.
#[derive(Debug, Clone)]
pub struct EbpfOptions {
    /// Ring buffer size in bytes (a power of two, a multiple of the page size).
    pub ring_bytes: u32,
    /// The syscalls to trace.
    pub syscalls: Vec<Syscall>,
    /// The pid whose events the kernel drops (the sensor's own).
    pub self_tgid: u32,
}

impl Default for EbpfOptions {
    fn default() -> Self {
        EbpfOptions {
            ring_bytes: 8 << 20,
            syscalls: Syscall::ALL.iter().map(|(s, _, _)| *s).collect(),
            self_tgid: std::process::id(),
        }
    }
}

/// The loaded, attached collector.
pub struct EbpfCollector {
    // Dropping it detaches every program.
    _ebpf: Ebpf,
    ring: RingBuf<MapData>,
    counters: PerCpuArray<MapData, u64>,
    config: Array<MapData, Config>,
    /// What was attached (`sched:sched_process_exec`, `syscalls:openat`, …).
    pub attached: Vec<String>,
    /// What the kernel did not offer.
    pub unavailable: Vec<Unavailable>,
}

impl std::fmt::Debug for EbpfCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EbpfCollector")
            .field("attached", &self.attached)
            .field("unavailable", &self.unavailable)
            .finish_non_exhaustive()
    }
}

fn ensure_tracefs() -> Result<(), EbpfError> {
    if std::path::Path::new("/sys/kernel/tracing/events").is_dir()
        || std::path::Path::new("/sys/kernel/debug/tracing/events").is_dir()
    {
        return Ok(());
    }
    let cstr = |s: &str| std::ffi::CString::new(s).map_err(std::io::Error::other);
    let (src, target) = (
        cstr("tracefs").map_err(EbpfError::Tracefs)?,
        cstr("/sys/kernel/tracing").map_err(EbpfError::Tracefs)?,
    );
    // SAFETY: all pointers are valid NUL-terminated strings that outlive the call; data is null,
    // which tracefs accepts.
    let rc = unsafe {
        libc::mount(
            src.as_ptr(),
            target.as_ptr(),
            src.as_ptr(),
            0,
            std::ptr::null(),
        )
    };
    if rc != 0 {
        return Err(EbpfError::Tracefs(std::io::Error::last_os_error()));
    }
    Ok(())
}

impl EbpfCollector {
    /// Loads the object and attaches its programs.
    pub fn start(opts: &EbpfOptions) -> Result<Self, EbpfError> {
        ensure_tracefs()?;
        let mut ebpf = EbpfLoader::new()
            .map_max_entries("events", opts.ring_bytes)
            .load(OBJECT)
            .map_err(|e| EbpfError::Load(Box::new(e)))?;
        let btf = Btf::from_sys_fs().map_err(EbpfError::Btf)?;
        let mut attached = Vec::new();
        let mut unavailable = Vec::new();

        // The process lifecycle: required.
        for (prog, category, name) in [
            ("handle_exec", "sched", "sched_process_exec"),
            ("handle_exit", "sched", "sched_process_exit"),
        ] {
            let what = format!("tracepoint {category}:{name}");
            attach_tp(&mut ebpf, prog, category, name).map_err(|source| EbpfError::Required {
                what: what.clone(),
                source: Box::new(source),
            })?;
            attached.push(what);
        }
        {
            let what = "tp_btf sched_process_fork".to_owned();
            let r = (|| {
                let p: &mut BtfTracePoint = program(&mut ebpf, "handle_fork")?;
                p.load("sched_process_fork", &btf)?;
                p.attach().map(|_| ())
            })();
            r.map_err(|source| EbpfError::Required {
                what: what.clone(),
                source: Box::new(source),
            })?;
            attached.push(what);
        }

        // Syscalls: what the kernel has.
        let mut mask = 0u64;
        for sys in &opts.syscalls {
            let tp = sys.tracepoint();
            let r = attach_tp(
                &mut ebpf,
                &format!("enter_{tp}"),
                "syscalls",
                &format!("sys_enter_{tp}"),
            )
            .and_then(|()| {
                attach_tp(
                    &mut ebpf,
                    &format!("exit_{tp}"),
                    "syscalls",
                    &format!("sys_exit_{tp}"),
                )
            });
            match r {
                Ok(()) => {
                    mask |= 1 << (sys.code() % abi::SYS_MAX);
                    attached.push(format!("syscall {}", sys.name()));
                }
                Err(e) => unavailable.push(Unavailable {
                    what: format!("syscall {}", sys.name()),
                    reason: error_chain(&e),
                }),
            }
        }

        let map =
            |ebpf: &mut Ebpf, name: &'static str| ebpf.take_map(name).ok_or(EbpfError::NoMap(name));
        let ring =
            RingBuf::try_from(map(&mut ebpf, "events")?).map_err(|source| EbpfError::Map {
                map: "events",
                source,
            })?;
        let counters = PerCpuArray::try_from(map(&mut ebpf, "counters")?).map_err(|source| {
            EbpfError::Map {
                map: "counters",
                source,
            }
        })?;
        let mut config: Array<MapData, Config> = Array::try_from(map(&mut ebpf, "hr_config_map")?)
            .map_err(|source| EbpfError::Map {
                map: "hr_config_map",
                source,
            })?;
        // Reporting starts only now, with everything attached and the filter set.
        config
            .set(
                0,
                Config {
                    self_tgid: opts.self_tgid,
                    enabled: 1,
                    syscall_mask: mask,
                },
                0,
            )
            .map_err(|source| EbpfError::Map {
                map: "hr_config_map",
                source,
            })?;
        Ok(EbpfCollector {
            _ebpf: ebpf,
            ring,
            counters,
            config,
            attached,
            unavailable,
        })
    }

    /// Stops reporting (the programs stay attached until drop).
    pub fn pause(&mut self) -> Result<(), EbpfError> {
        let mut c = self.config.get(&0, 0).map_err(|source| EbpfError::Map {
            map: "hr_config_map",
            source,
        })?;
        c.enabled = 0;
        self.config.set(0, c, 0).map_err(|source| EbpfError::Map {
            map: "hr_config_map",
            source,
        })
    }

    /// Waits up to `timeout` for records, then hands each to `f`; returns how many.
    pub fn poll(
        &mut self,
        timeout: Duration,
        mut f: impl FnMut(&[u8]),
    ) -> Result<usize, EbpfError> {
        let mut n = 0;
        while let Some(item) = self.ring.next() {
            f(&item);
            n += 1;
        }
        if n > 0 {
            return Ok(n);
        }
        let mut pfd = libc::pollfd {
            fd: self.ring.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
        // SAFETY: `pfd` is a valid pollfd for the duration of the call and nfds is 1; the fd is
        // owned by `self.ring`, which outlives the call.
        let rc = unsafe { libc::poll(&mut pfd, 1, ms) };
        if rc < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::Interrupted {
                return Err(EbpfError::Poll(e));
            }
        }
        while let Some(item) = self.ring.next() {
            f(&item);
            n += 1;
        }
        Ok(n)
    }

    /// The kernel's counters, summed over CPUs.
    pub fn counters(&self) -> KernelCounters {
        let sum = |idx: u32| {
            self.counters
                .get(&idx, 0)
                .map(|v| v.iter().sum::<u64>())
                .unwrap_or(0)
        };
        KernelCounters {
            seen: sum(abi::counter::SEEN),
            lost: sum(abi::counter::LOST),
            filtered: sum(abi::counter::FILTERED),
            unpaired: sum(abi::counter::UNPAIRED),
        }
    }
}

fn program<'a, T>(ebpf: &'a mut Ebpf, name: &str) -> Result<&'a mut T, aya::programs::ProgramError>
where
    &'a mut T: TryFrom<&'a mut aya::programs::Program, Error = aya::programs::ProgramError>,
{
    let p = ebpf
        .program_mut(name)
        .ok_or_else(|| aya::programs::ProgramError::UnexpectedProgramType)?;
    p.try_into()
}

fn attach_tp(
    ebpf: &mut Ebpf,
    prog: &str,
    category: &str,
    name: &str,
) -> Result<(), aya::programs::ProgramError> {
    let p: &mut TracePoint = program(ebpf, prog)?;
    p.load()?;
    p.attach(category, name).map(|_| ())
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        s.push_str(": ");
        s.push_str(&c.to_string());
        src = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    /// The committed object must be built from the committed C: `sensor.bpf.o.sources` holds the
    /// SHA-256 of the sources at the last `scripts/build-bpf.sh`. An edit of the C or the header
    /// without a rebuild fails here. (A byte-for-byte rebuild check is not possible: the object
    /// embeds the BTF of the vmlinux.h it was built against, which differs between kernels.)
    #[test]
    fn object_is_built_from_the_committed_sources() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bpf");
        let recorded = std::fs::read_to_string(dir.join("sensor.bpf.o.sources")).unwrap();
        let mut lines = 0;
        for line in recorded.lines() {
            let (hash, name) = line.split_once("  ").unwrap();
            let actual = hex(&Sha256::digest(std::fs::read(dir.join(name)).unwrap()));
            assert_eq!(
                hash, actual,
                "bpf/{name} changed since sensor.bpf.o was built: run scripts/build-bpf.sh"
            );
            lines += 1;
        }
        assert_eq!(lines, 2);
        assert!(super::OBJECT.starts_with(b"\x7fELF"));
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
}
