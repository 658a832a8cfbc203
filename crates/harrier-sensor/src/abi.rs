//! The kernel/user ABI: the Rust twin of `bpf/sensor.h`, the one place that knows the layout of
//! the records the BPF programs write. The structs are `#[repr(C)]` copies of the C ones (the
//! aya-template `-common` crate convention); the compile-time assertions at the end pin every
//! size and offset the C side uses, so a change on one side without the other fails the build.
//!
//! Records are decoded from the ring buffer's bytes field by field ([`RawEvent::parse`]), with no
//! `unsafe` and no trust in the record's length fields.

use std::mem::{offset_of, size_of};

/// `HR_COMM_LEN`.
pub const COMM_LEN: usize = 16;
/// `HR_CGROUP_LEAF_LEN`.
pub const CGROUP_LEAF_LEN: usize = 128;
/// `HR_CGROUP_PARENT_LEN`.
pub const CGROUP_PARENT_LEN: usize = 64;
/// `HR_PATH_LEN`: one path slot.
pub const PATH_LEN: usize = 512;
/// `HR_ARGV_LEN`: the argv slot.
pub const ARGV_LEN: usize = 2048;
/// `HR_BLOB_LEN`.
pub const BLOB_LEN: usize = 32;
/// `HR_DATA_LEN`.
pub const DATA_LEN: usize = 2 * PATH_LEN + ARGV_LEN;

/// `HR_KIND_*`.
pub mod kind {
    /// `sched_process_exec`.
    pub const EXEC: u32 = 1;
    /// `sched_process_fork` of a new process.
    pub const FORK: u32 = 2;
    /// `sched_process_exit` of a process's last thread.
    pub const EXIT: u32 = 3;
    /// A syscall's exit.
    pub const SYSCALL: u32 = 4;
}

/// `HR_BLOB_*`.
pub mod blob {
    /// A socket address.
    pub const SOCKADDR: u16 = 1;
    /// `capset`'s data.
    pub const CAPDATA: u16 = 2;
    /// A short string.
    pub const STRING: u16 = 3;
}

/// `HR_CNT_*`: indices of the per-CPU counters.
pub mod counter {
    /// Events that passed the filters.
    pub const SEEN: u32 = 0;
    /// Events dropped because the ring buffer was full.
    pub const LOST: u32 = 1;
    /// Events dropped by the in-kernel filters.
    pub const FILTERED: u32 = 2;
    /// Syscall exits without their entry.
    pub const UNPAIRED: u32 = 3;
    /// `HR_CNT_MAX`.
    pub const COUNT: u32 = 4;
}

/// `HR_FLAG_*`.
pub mod flag {
    /// argv was longer than its slot.
    pub const ARGV_TRUNCATED: u32 = 1;
    /// The first path could not be read from the process's memory.
    pub const PATH0_FAULT: u32 = 2;
    /// The second path could not be read.
    pub const PATH1_FAULT: u32 = 4;
}

/// `HR_SYS_MAX`: the syscall mask has this many bits.
pub const SYS_MAX: u32 = 64;

/// `struct hr_config`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Config {
    /// The sensor's own process, never reported.
    pub self_tgid: u32,
    /// 0 stops all reporting.
    pub enabled: u32,
    /// Bit n set: Harrier syscall n is reported.
    pub syscall_mask: u64,
}

/// `struct hr_event`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Event {
    /// Boot-time clock, nanoseconds.
    pub ts_ns: u64,
    /// cgroup v2 id.
    pub cgroup_id: u64,
    /// Raw syscall arguments (fork: child tgid; exit: exit code; exec: old pid).
    pub args: [u64; 6],
    /// Syscall return value.
    pub ret: i64,
    /// `HR_KIND_*`.
    pub kind: u32,
    /// `HR_SYS_*`.
    pub syscall: u32,
    /// tgid.
    pub pid: u32,
    /// Thread id.
    pub tid: u32,
    /// Real parent's tgid.
    pub ppid: u32,
    /// Real uid.
    pub uid: u32,
    /// Real gid.
    pub gid: u32,
    /// Effective uid.
    pub euid: u32,
    /// Effective gid.
    pub egid: u32,
    /// Audit login uid.
    pub loginuid: u32,
    /// `HR_FLAG_*`.
    pub flags: u32,
    /// Bytes used in each path slot, with the NUL.
    pub path_len: [u16; 2],
    /// Bytes used in the argv slot.
    pub argv_len: u16,
    /// Bytes used in the blob.
    pub blob_len: u16,
    /// `HR_BLOB_*`.
    pub blob_kind: u16,
    /// Padding.
    pub pad0: u16,
    /// The controlling terminal's device number; 0 for none.
    pub tty: u32,
    /// Task command name.
    pub comm: [u8; COMM_LEN],
    /// Name of the task's cgroup.
    pub cgroup_leaf: [u8; CGROUP_LEAF_LEN],
    /// Name of its parent cgroup.
    pub cgroup_parent: [u8; CGROUP_PARENT_LEN],
    /// Socket address, capability data or short string.
    pub blob: [u8; BLOB_LEN],
    /// When the process started, boot-time ns.
    pub start_ns: u64,
    /// Path slots and argv.
    pub data: [u8; DATA_LEN],
}

/// Offset of the data area: every record is at least this long.
pub const HEADER_LEN: usize = offset_of!(Event, data);

// The layout of `struct hr_event` as clang lays it out for BPF (x86-64 alignment rules).
const _: () = {
    assert!(offset_of!(Event, ts_ns) == 0);
    assert!(offset_of!(Event, cgroup_id) == 8);
    assert!(offset_of!(Event, args) == 16);
    assert!(offset_of!(Event, ret) == 64);
    assert!(offset_of!(Event, kind) == 72);
    assert!(offset_of!(Event, syscall) == 76);
    assert!(offset_of!(Event, pid) == 80);
    assert!(offset_of!(Event, flags) == 112);
    assert!(offset_of!(Event, path_len) == 116);
    assert!(offset_of!(Event, argv_len) == 120);
    assert!(offset_of!(Event, blob_len) == 122);
    assert!(offset_of!(Event, blob_kind) == 124);
    assert!(offset_of!(Event, comm) == 132);
    assert!(offset_of!(Event, cgroup_leaf) == 148);
    assert!(offset_of!(Event, cgroup_parent) == 276);
    assert!(offset_of!(Event, blob) == 340);
    assert!(offset_of!(Event, tty) == 128);
    assert!(offset_of!(Event, start_ns) == 376);
    assert!(offset_of!(Event, data) == 384);
    assert!(size_of::<Event>() == (384 + DATA_LEN).next_multiple_of(8));
    assert!(size_of::<Config>() == 16);
};

/// A record that is not a whole `hr_event` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("ring buffer record of {len} bytes is shorter than the {HEADER_LEN}-byte event header")]
pub struct ShortRecord {
    /// The record's length.
    pub len: usize,
}

/// An event record as read from the ring buffer, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct RawEvent<'a> {
    bytes: &'a [u8],
}

impl<'a> RawEvent<'a> {
    /// Checks that `bytes` hold at least a header.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ShortRecord> {
        if bytes.len() < HEADER_LEN {
            return Err(ShortRecord { len: bytes.len() });
        }
        Ok(Self { bytes })
    }

    fn u64_at(&self, off: usize) -> u64 {
        let mut b = [0u8; 8];
        if let Some(s) = self.bytes.get(off..off + 8) {
            b.copy_from_slice(s);
        }
        u64::from_ne_bytes(b)
    }

    fn u32_at(&self, off: usize) -> u32 {
        let mut b = [0u8; 4];
        if let Some(s) = self.bytes.get(off..off + 4) {
            b.copy_from_slice(s);
        }
        u32::from_ne_bytes(b)
    }

    fn u16_at(&self, off: usize) -> u16 {
        let mut b = [0u8; 2];
        if let Some(s) = self.bytes.get(off..off + 2) {
            b.copy_from_slice(s);
        }
        u16::from_ne_bytes(b)
    }

    /// Boot-time timestamp, nanoseconds.
    pub fn ts_ns(&self) -> u64 {
        self.u64_at(offset_of!(Event, ts_ns))
    }
    /// cgroup v2 id.
    pub fn cgroup_id(&self) -> u64 {
        self.u64_at(offset_of!(Event, cgroup_id))
    }
    /// Raw argument `i` (0..6).
    pub fn arg(&self, i: usize) -> u64 {
        if i >= 6 {
            return 0;
        }
        self.u64_at(offset_of!(Event, args) + 8 * i)
    }
    /// Syscall return value.
    pub fn ret(&self) -> i64 {
        i64::from_ne_bytes(self.u64_at(offset_of!(Event, ret)).to_ne_bytes())
    }
    /// `HR_KIND_*`.
    pub fn kind(&self) -> u32 {
        self.u32_at(offset_of!(Event, kind))
    }
    /// `HR_SYS_*`.
    pub fn syscall(&self) -> u32 {
        self.u32_at(offset_of!(Event, syscall))
    }
    /// tgid.
    pub fn pid(&self) -> u32 {
        self.u32_at(offset_of!(Event, pid))
    }
    /// Thread id.
    pub fn tid(&self) -> u32 {
        self.u32_at(offset_of!(Event, tid))
    }
    /// Parent tgid.
    pub fn ppid(&self) -> u32 {
        self.u32_at(offset_of!(Event, ppid))
    }
    /// Real uid.
    pub fn uid(&self) -> u32 {
        self.u32_at(offset_of!(Event, uid))
    }
    /// Real gid.
    pub fn gid(&self) -> u32 {
        self.u32_at(offset_of!(Event, gid))
    }
    /// Effective uid.
    pub fn euid(&self) -> u32 {
        self.u32_at(offset_of!(Event, euid))
    }
    /// Effective gid.
    pub fn egid(&self) -> u32 {
        self.u32_at(offset_of!(Event, egid))
    }
    /// Audit login uid.
    pub fn loginuid(&self) -> u32 {
        self.u32_at(offset_of!(Event, loginuid))
    }
    /// `HR_FLAG_*`.
    pub fn flags(&self) -> u32 {
        self.u32_at(offset_of!(Event, flags))
    }
    /// The controlling terminal's device number; 0 for none.
    pub fn tty(&self) -> u32 {
        self.u32_at(offset_of!(Event, tty))
    }
    /// When the process started, boot-time ns.
    pub fn start_ns(&self) -> u64 {
        self.u64_at(offset_of!(Event, start_ns))
    }
    /// `HR_BLOB_*`.
    pub fn blob_kind(&self) -> u16 {
        self.u16_at(offset_of!(Event, blob_kind))
    }

    fn field(&self, off: usize, cap: usize, len: usize) -> &'a [u8] {
        let len = len.min(cap);
        self.bytes.get(off..off + len).unwrap_or(&[])
    }

    /// The task's command name, up to its NUL.
    pub fn comm(&self) -> &'a [u8] {
        until_nul(self.field(offset_of!(Event, comm), COMM_LEN, COMM_LEN))
    }
    /// The cgroup's name.
    pub fn cgroup_leaf(&self) -> &'a [u8] {
        until_nul(self.field(
            offset_of!(Event, cgroup_leaf),
            CGROUP_LEAF_LEN,
            CGROUP_LEAF_LEN,
        ))
    }
    /// The parent cgroup's name.
    pub fn cgroup_parent(&self) -> &'a [u8] {
        until_nul(self.field(
            offset_of!(Event, cgroup_parent),
            CGROUP_PARENT_LEN,
            CGROUP_PARENT_LEN,
        ))
    }
    /// The blob's used bytes.
    pub fn blob(&self) -> &'a [u8] {
        let len = usize::from(self.u16_at(offset_of!(Event, blob_len)));
        self.field(offset_of!(Event, blob), BLOB_LEN, len)
    }
    /// Path slot `i` (0 or 1), without its NUL; `None` when the slot is unused.
    pub fn path(&self, i: usize) -> Option<&'a [u8]> {
        if i > 1 {
            return None;
        }
        let len = usize::from(self.u16_at(offset_of!(Event, path_len) + 2 * i));
        if len == 0 {
            return None;
        }
        Some(until_nul(self.field(
            HEADER_LEN + i * PATH_LEN,
            PATH_LEN,
            len,
        )))
    }
    /// The argv slot: NUL-separated arguments.
    pub fn argv(&self) -> &'a [u8] {
        let len = usize::from(self.u16_at(offset_of!(Event, argv_len)));
        self.field(HEADER_LEN + 2 * PATH_LEN, ARGV_LEN, len)
    }
}

/// The bytes before the first NUL.
pub fn until_nul(b: &[u8]) -> &[u8] {
    match b.iter().position(|&c| c == 0) {
        Some(n) => b.get(..n).unwrap_or(b),
        None => b,
    }
}

/// Builds a record as the BPF side would, for tests and benchmarks of the decoder.
#[derive(Debug, Clone)]
pub struct RecordBuilder {
    bytes: Vec<u8>,
}

impl RecordBuilder {
    /// A header-only record of `kind`.
    pub fn new(kind: u32) -> Self {
        let mut b = Self {
            bytes: vec![0; HEADER_LEN],
        };
        b.put32(offset_of!(Event, kind), kind);
        b
    }
    fn put(&mut self, off: usize, v: &[u8]) {
        if self.bytes.len() < off + v.len() {
            self.bytes.resize(off + v.len(), 0);
        }
        if let Some(dst) = self.bytes.get_mut(off..off + v.len()) {
            dst.copy_from_slice(v);
        }
    }
    fn put32(&mut self, off: usize, v: u32) {
        self.put(off, &v.to_ne_bytes());
    }
    fn put16(&mut self, off: usize, v: u16) {
        self.put(off, &v.to_ne_bytes());
    }
    /// Sets the syscall.
    pub fn syscall(mut self, sys: u32) -> Self {
        self.put32(offset_of!(Event, syscall), sys);
        self
    }
    /// Sets pid, tid and ppid.
    pub fn process(mut self, pid: u32, tid: u32, ppid: u32) -> Self {
        self.put32(offset_of!(Event, pid), pid);
        self.put32(offset_of!(Event, tid), tid);
        self.put32(offset_of!(Event, ppid), ppid);
        self
    }
    /// Sets the uids and gids.
    pub fn ids(mut self, uid: u32, gid: u32) -> Self {
        self.put32(offset_of!(Event, uid), uid);
        self.put32(offset_of!(Event, gid), gid);
        self.put32(offset_of!(Event, euid), uid);
        self.put32(offset_of!(Event, egid), gid);
        self
    }
    /// Sets the process's start (boot-time ns) and controlling terminal.
    pub fn started(mut self, start_ns: u64, tty: u32) -> Self {
        self.put(offset_of!(Event, start_ns), &start_ns.to_ne_bytes());
        self.put32(offset_of!(Event, tty), tty);
        self
    }
    /// Sets the timestamp.
    pub fn ts(mut self, ts: u64) -> Self {
        self.put(offset_of!(Event, ts_ns), &ts.to_ne_bytes());
        self
    }
    /// Sets argument `i`.
    pub fn arg(mut self, i: usize, v: u64) -> Self {
        self.put(offset_of!(Event, args) + 8 * i.min(5), &v.to_ne_bytes());
        self
    }
    /// Sets the return value.
    pub fn ret(mut self, v: i64) -> Self {
        self.put(offset_of!(Event, ret), &v.to_ne_bytes());
        self
    }
    /// Sets the command name.
    pub fn comm(mut self, c: &str) -> Self {
        let b = c.as_bytes();
        self.put(
            offset_of!(Event, comm),
            b.get(..b.len().min(15)).unwrap_or(b),
        );
        self
    }
    /// Sets the cgroup names.
    pub fn cgroup(mut self, parent: &str, leaf: &str) -> Self {
        let (p, l) = (parent.as_bytes(), leaf.as_bytes());
        self.put(
            offset_of!(Event, cgroup_parent),
            p.get(..p.len().min(CGROUP_PARENT_LEN - 1)).unwrap_or(p),
        );
        self.put(
            offset_of!(Event, cgroup_leaf),
            l.get(..l.len().min(CGROUP_LEAF_LEN - 1)).unwrap_or(l),
        );
        self
    }
    /// Sets the blob.
    pub fn blob(mut self, kind: u16, v: &[u8]) -> Self {
        let v = v.get(..v.len().min(BLOB_LEN)).unwrap_or(v);
        self.put(offset_of!(Event, blob), v);
        self.put16(offset_of!(Event, blob_kind), kind);
        self.put16(offset_of!(Event, blob_len), v.len() as u16);
        self
    }
    /// Sets path slot `i`.
    pub fn path(mut self, i: usize, p: &str) -> Self {
        let i = i.min(1);
        let b = p.as_bytes();
        let b = b.get(..b.len().min(PATH_LEN - 1)).unwrap_or(b);
        self.put(HEADER_LEN + i * PATH_LEN, b);
        self.put(HEADER_LEN + i * PATH_LEN + b.len(), &[0]);
        self.put16(offset_of!(Event, path_len) + 2 * i, (b.len() + 1) as u16);
        self
    }
    /// Sets argv.
    pub fn argv(mut self, args: &[&str]) -> Self {
        let mut v = Vec::new();
        for a in args {
            v.extend_from_slice(a.as_bytes());
            v.push(0);
        }
        v.truncate(ARGV_LEN);
        self.put(HEADER_LEN + 2 * PATH_LEN, &v);
        self.put16(offset_of!(Event, argv_len), v.len() as u16);
        self
    }
    /// The record's bytes.
    pub fn build(self) -> Vec<u8> {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_record_is_an_error() {
        assert_eq!(
            RawEvent::parse(&[0; 10]).err(),
            Some(ShortRecord { len: 10 })
        );
    }

    #[test]
    fn record_round_trips() {
        let bytes = RecordBuilder::new(kind::SYSCALL)
            .syscall(3)
            .process(10, 11, 1)
            .ret(-2)
            .arg(2, 0o101)
            .path(1, "/etc/shadow")
            .comm("cat")
            .cgroup("machine.slice", "libpod-abc.scope")
            .build();
        let e = RawEvent::parse(&bytes).unwrap();
        assert_eq!(
            (e.kind(), e.syscall(), e.pid(), e.tid(), e.ppid()),
            (4, 3, 10, 11, 1)
        );
        assert_eq!(e.ret(), -2);
        assert_eq!(e.arg(2), 0o101);
        assert_eq!(e.path(0), None);
        assert_eq!(e.path(1), Some(&b"/etc/shadow"[..]));
        assert_eq!(e.comm(), b"cat");
        assert_eq!(e.cgroup_leaf(), b"libpod-abc.scope");
        assert_eq!(e.cgroup_parent(), b"machine.slice");
    }

    #[test]
    fn lengths_beyond_the_record_read_as_what_is_there() {
        let mut bytes = RecordBuilder::new(kind::EXEC).argv(&["sh", "-c"]).build();
        bytes.truncate(HEADER_LEN + 2 * PATH_LEN + 3);
        let e = RawEvent::parse(&bytes).unwrap();
        assert_eq!(e.argv(), b"");
    }
}
