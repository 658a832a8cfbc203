/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * The kernel/user ABI of Harrier's sensor: the one event record the BPF programs write to the
 * ring buffer, the configuration they read, and the counters they keep. Its Rust twin is
 * crates/harrier-sensor/src/abi.rs; the two must change together (the Rust side asserts the
 * sizes and offsets below at compile time).
 */
#ifndef HARRIER_SENSOR_H
#define HARRIER_SENSOR_H

#define HR_COMM_LEN 16
#define HR_CGROUP_LEAF_LEN 128
#define HR_CGROUP_PARENT_LEN 64
/* Fixed slots of the data area; an event is written up to the end of its last used slot. */
#define HR_PATH_LEN 512
#define HR_ARGV_LEN 2048
#define HR_BLOB_LEN 32
#define HR_DATA_LEN (2 * HR_PATH_LEN + HR_ARGV_LEN)

/* Event kinds. */
#define HR_KIND_EXEC 1    /* sched_process_exec: path[0] = filename, argv = the new image's argv */
#define HR_KIND_FORK 2    /* sched_process_fork of a new process (threads are not reported) */
#define HR_KIND_EXIT 3    /* sched_process_exit of the last thread of a process */
#define HR_KIND_SYSCALL 4 /* a syscall's exit, with the arguments seen at its entry */

/* Syscalls, numbered by Harrier (not by the architecture). */
#define HR_SYS_EXECVE 1
#define HR_SYS_EXECVEAT 2
#define HR_SYS_OPENAT 3
#define HR_SYS_OPENAT2 4
#define HR_SYS_CONNECT 5
#define HR_SYS_ACCEPT 6
#define HR_SYS_ACCEPT4 7
#define HR_SYS_BIND 8
#define HR_SYS_SETUID 9
#define HR_SYS_SETGID 10
#define HR_SYS_SETREUID 11
#define HR_SYS_SETREGID 12
#define HR_SYS_SETRESUID 13
#define HR_SYS_SETRESGID 14
#define HR_SYS_CAPSET 15
#define HR_SYS_PTRACE 16
#define HR_SYS_MOUNT 17
#define HR_SYS_UMOUNT2 18
#define HR_SYS_UNSHARE 19
#define HR_SYS_SETNS 20
#define HR_SYS_BPF 21
#define HR_SYS_MEMFD_CREATE 22
#define HR_SYS_INIT_MODULE 23
#define HR_SYS_FINIT_MODULE 24
#define HR_SYS_CHMOD 25
#define HR_SYS_FCHMOD 26
#define HR_SYS_FCHMODAT 27
#define HR_SYS_FCHMODAT2 28
#define HR_SYS_CHOWN 29
#define HR_SYS_LCHOWN 30
#define HR_SYS_FCHOWN 31
#define HR_SYS_FCHOWNAT 32
#define HR_SYS_UNLINK 33
#define HR_SYS_UNLINKAT 34
#define HR_SYS_RENAME 35
#define HR_SYS_RENAMEAT 36
#define HR_SYS_RENAMEAT2 37
#define HR_SYS_OPEN 38
#define HR_SYS_MAX 64

/* What the blob holds. */
#define HR_BLOB_NONE 0
#define HR_BLOB_SOCKADDR 1 /* struct sockaddr_* as the process passed or received it */
#define HR_BLOB_CAPDATA 2  /* two struct __user_cap_data_struct (effective, permitted, inheritable) */
#define HR_BLOB_STRING 3   /* a short string (mount's fstype) */

/* Per-CPU counters, indices into the `counters` map. */
#define HR_CNT_SEEN 0     /* events that passed the filters */
#define HR_CNT_LOST 1     /* ring buffer full: the event was dropped */
#define HR_CNT_FILTERED 2 /* dropped by the in-kernel filters (own pid, disabled syscall) */
#define HR_CNT_UNPAIRED 3 /* a syscall exit without its entry (pending table full, attach race) */
#define HR_CNT_MAX 4

/* Flags of an event. */
#define HR_FLAG_ARGV_TRUNCATED 1
#define HR_FLAG_PATH0_FAULT 2
#define HR_FLAG_PATH1_FAULT 4

struct hr_config {
	__u32 self_tgid;  /* the sensor's own process, never reported */
	__u32 enabled;    /* 0 stops all reporting */
	__u64 syscall_mask; /* bit n set: Harrier syscall n is reported */
};

struct hr_event {
	__u64 ts_ns;       /* bpf_ktime_get_boot_ns */
	__u64 cgroup_id;   /* cgroup v2 id (0 where there is none) */
	__u64 args[6];     /* raw syscall arguments; for fork args[0] = child tgid; exit: args[0] = exit code */
	__s64 ret;         /* syscall return value */
	__u32 kind;
	__u32 syscall;     /* HR_SYS_* for HR_KIND_SYSCALL */
	__u32 pid;         /* tgid */
	__u32 tid;
	__u32 ppid;        /* real parent's tgid */
	__u32 uid;
	__u32 gid;
	__u32 euid;
	__u32 egid;
	__u32 loginuid;
	__u32 flags;
	__u16 path_len[2]; /* bytes in path slots, incl. NUL; 0 = absent */
	__u16 argv_len;    /* bytes in the argv slot (NUL separated) */
	__u16 blob_len;
	__u16 blob_kind;
	__u16 _pad0;
	__u32 tty;         /* the controlling terminal's device number (Falco's proc.tty); 0 for none */
	char comm[HR_COMM_LEN];
	/* The task's cgroup (v2, else the memory controller's v1 cgroup): its name and its parent's,
	 * NUL terminated. Container runtimes put the container id in one of them. */
	char cgroup_leaf[HR_CGROUP_LEAF_LEN];
	char cgroup_parent[HR_CGROUP_PARENT_LEN];
	__u8 blob[HR_BLOB_LEN];
	/* When the process (its thread-group leader) started, boot-time ns like ts_ns: with the pid
	 * it names the process beyond pid reuse, for response actions. */
	__u64 start_ns;
	char data[HR_DATA_LEN]; /* path[0] at 0, path[1] at HR_PATH_LEN, argv at 2*HR_PATH_LEN */
};

#endif
