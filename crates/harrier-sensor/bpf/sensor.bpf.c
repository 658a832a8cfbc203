// SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0)
/*
 * Harrier's node sensor: process and syscall events from tracepoints only (kprobes, fentry and
 * BPF-LSM are not available on every kernel we run on), CO-RE so one object runs on any BTF
 * kernel, one ring buffer, per-CPU counters of what was seen, filtered and lost.
 *
 * Syscalls are traced with their own syscalls:sys_enter_X / sys_exit_X tracepoints, not with
 * raw_syscalls, so that untraced syscalls cost nothing. The entry saves the arguments per
 * thread; the exit reads the user memory they point to (paths, socket addresses) and emits one
 * event with the return value. Exec is reported from sched_process_exec, after the new image is
 * in place, with its argv read from the new mm.
 *
 * Rebuild with scripts/build-bpf.sh; the object is committed beside this file.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "sensor.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HR_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hr_config);
} hr_config_map SEC(".maps");

/* The event being built, per CPU: too large for the 512-byte BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hr_event);
} scratch SEC(".maps");

struct pending {
	__u64 args[6];
	__u32 syscall;
	__u32 _pad;
};

/* Syscalls in flight, by thread. LRU, so threads that die inside a syscall do not leak. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct pending);
} inflight SEC(".maps");

/* kernfs_node.parent became __parent in 6.15. */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);
	if (c)
		*c += 1;
}

static __always_inline struct hr_config *get_config(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&hr_config_map, &zero);
}

/* The reporting filter: the sensor itself, the master switch, the per-syscall mask. */
static __always_inline int wanted(__u32 tgid, __u32 sys)
{
	struct hr_config *cfg = get_config();
	if (!cfg || !cfg->enabled || tgid == cfg->self_tgid) {
		count(HR_CNT_FILTERED);
		return 0;
	}
	if (sys && !(cfg->syscall_mask & (1ULL << (sys & 63)))) {
		count(HR_CNT_FILTERED);
		return 0;
	}
	return 1;
}

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	struct kernfs_node___old *old = (void *)kn;
	return BPF_CORE_READ(old, parent);
}

static __always_inline void fill_cgroup(struct hr_event *e, struct task_struct *task)
{
	struct cgroup *cg = BPF_CORE_READ(task, cgroups, dfl_cgrp);
	struct kernfs_node *kn = cg ? BPF_CORE_READ(cg, kn) : NULL;
	/* No v2 cgroup beyond the root (a v1-only host): use the memory controller's. */
	if (!kn || !kn_parent(kn)) {
		int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
		struct cgroup_subsys_state *css = NULL;
		if (id >= 0 && id < 12)
			css = BPF_CORE_READ(task, cgroups, subsys[id]);
		cg = css ? BPF_CORE_READ(css, cgroup) : NULL;
		kn = cg ? BPF_CORE_READ(cg, kn) : NULL;
	}
	e->cgroup_leaf[0] = 0;
	e->cgroup_parent[0] = 0;
	if (!kn)
		return;
	bpf_probe_read_kernel_str(e->cgroup_leaf, sizeof(e->cgroup_leaf), BPF_CORE_READ(kn, name));
	struct kernfs_node *parent = kn_parent(kn);
	if (parent)
		bpf_probe_read_kernel_str(e->cgroup_parent, sizeof(e->cgroup_parent),
					  BPF_CORE_READ(parent, name));
}

/* The controlling terminal as the kernel encodes a device number for user space
 * (new_encode_dev), which is what /proc/<pid>/stat's tty_nr and Falco's proc.tty show. */
static __always_inline __u32 tty_of(struct task_struct *task)
{
	struct tty_struct *tty = BPF_CORE_READ(task, signal, tty);
	if (!tty)
		return 0;
	__u32 major = BPF_CORE_READ(tty, driver, major);
	__u32 minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

/* The scratch event with the process fields of the current task filled in. */
static __always_inline struct hr_event *start_event(__u32 kind)
{
	__u32 zero = 0;
	struct hr_event *e = bpf_map_lookup_elem(&scratch, &zero);
	if (!e)
		return NULL;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 uid_gid = bpf_get_current_uid_gid();
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->kind = kind;
	e->syscall = 0;
	e->pid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (__u32)uid_gid;
	e->gid = uid_gid >> 32;
	e->euid = BPF_CORE_READ(task, cred, euid.val);
	e->egid = BPF_CORE_READ(task, cred, egid.val);
	e->loginuid = BPF_CORE_READ(task, loginuid.val);
	e->ret = 0;
	e->flags = 0;
	e->path_len[0] = 0;
	e->path_len[1] = 0;
	e->argv_len = 0;
	e->blob_len = 0;
	e->blob_kind = HR_BLOB_NONE;
	e->_pad0 = 0;
	e->tty = tty_of(task);
	e->start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	for (int i = 0; i < 6; i++)
		e->args[i] = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	fill_cgroup(e, task);
	return e;
}

/* Sends the event up to the end of its last used slot; a full ring buffer counts as lost. */
static __always_inline void submit(struct hr_event *e)
{
	__u64 used;
	if (e->argv_len)
		used = 2 * HR_PATH_LEN + e->argv_len;
	else if (e->path_len[1])
		used = HR_PATH_LEN + e->path_len[1];
	else
		used = e->path_len[0];
	__u64 size = offsetof(struct hr_event, data) + used;
	if (size > sizeof(*e))
		size = sizeof(*e);
	count(HR_CNT_SEEN);
	if (bpf_ringbuf_output(&events, e, size, 0))
		count(HR_CNT_LOST);
}

static __always_inline void read_user_path(struct hr_event *e, int slot, const void *ptr)
{
	if (!ptr)
		return;
	long n;
	if (slot == 0) {
		n = bpf_probe_read_user_str(&e->data[0], HR_PATH_LEN, ptr);
		if (n > 0)
			e->path_len[0] = n;
		else
			e->flags |= HR_FLAG_PATH0_FAULT;
	} else {
		n = bpf_probe_read_user_str(&e->data[HR_PATH_LEN], HR_PATH_LEN, ptr);
		if (n > 0)
			e->path_len[1] = n;
		else
			e->flags |= HR_FLAG_PATH1_FAULT;
	}
}

/* ---- process lifecycle ------------------------------------------------------------------ */

SEC("tracepoint/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (!wanted(tgid, 0))
		return 0;
	struct hr_event *e = start_event(HR_KIND_EXEC);
	if (!e)
		return 0;
	unsigned int loc = ctx->__data_loc_filename & 0xFFFF;
	long n = bpf_probe_read_kernel_str(&e->data[0], HR_PATH_LEN, (void *)ctx + loc);
	if (n > 0)
		e->path_len[0] = n;
	e->args[0] = ctx->old_pid;

	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	unsigned long start = BPF_CORE_READ(task, mm, arg_start);
	unsigned long end = BPF_CORE_READ(task, mm, arg_end);
	unsigned long len = end > start ? end - start : 0;
	if (len > HR_ARGV_LEN) {
		len = HR_ARGV_LEN;
		e->flags |= HR_FLAG_ARGV_TRUNCATED;
	}
	if (len > 0 && len <= HR_ARGV_LEN &&
	    bpf_probe_read_user(&e->data[2 * HR_PATH_LEN], len, (void *)start) == 0)
		e->argv_len = len;
	submit(e);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct *parent, struct task_struct *child)
{
	/* A new thread is not a new process. */
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (!wanted(tgid, 0))
		return 0;
	struct hr_event *e = start_event(HR_KIND_FORK);
	if (!e)
		return 0;
	e->args[0] = BPF_CORE_READ(child, tgid);
	submit(e);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int handle_exit(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	/* Only the last thread of the process. */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (!wanted(tgid, 0))
		return 0;
	struct hr_event *e = start_event(HR_KIND_EXIT);
	if (!e)
		return 0;
	e->args[0] = BPF_CORE_READ(task, exit_code);
	submit(e);
	return 0;
}

/* ---- syscalls --------------------------------------------------------------------------- */

static __always_inline int sys_enter(struct trace_event_raw_sys_enter *ctx, __u32 sys)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!wanted(pid_tgid >> 32, sys))
		return 0;
	struct pending p = {};
	p.syscall = sys;
	for (int i = 0; i < 6; i++)
		p.args[i] = BPF_CORE_READ(ctx, args[i]);
	/* openat2 passes its flags in a struct open_how; keep them where openat has them. */
	if (sys == HR_SYS_OPENAT2) {
		__u64 how[2] = {};
		if (bpf_probe_read_user(how, sizeof(how), (void *)p.args[2]) == 0) {
			p.args[2] = how[0];
			p.args[3] = how[1];
		}
	}
	__u32 tid = (__u32)pid_tgid;
	bpf_map_update_elem(&inflight, &tid, &p, BPF_ANY);
	return 0;
}

/*
 * p0, p1: the arguments that are user path strings (-1 for none); blob: what to copy into the
 * blob, from argument barg.
 */
static __always_inline int sys_exit(struct trace_event_raw_sys_exit *ctx, __u32 sys, int p0,
				    int p1, int blob, int barg)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pending *p = bpf_map_lookup_elem(&inflight, &tid);
	if (!p)
		return 0;
	if (p->syscall != sys) {
		count(HR_CNT_UNPAIRED);
		bpf_map_delete_elem(&inflight, &tid);
		return 0;
	}
	/* A successful exec is reported by sched_process_exec, with the new image's argv. */
	long ret = BPF_CORE_READ(ctx, ret);
	if ((sys == HR_SYS_EXECVE || sys == HR_SYS_EXECVEAT) && ret == 0) {
		bpf_map_delete_elem(&inflight, &tid);
		return 0;
	}
	struct hr_event *e = start_event(HR_KIND_SYSCALL);
	if (!e) {
		bpf_map_delete_elem(&inflight, &tid);
		return 0;
	}
	e->syscall = sys;
	e->ret = ret;
	for (int i = 0; i < 6; i++)
		e->args[i] = p->args[i];
	bpf_map_delete_elem(&inflight, &tid);

	if (p0 >= 0 && p0 < 6)
		read_user_path(e, 0, (const void *)e->args[p0]);
	if (p1 >= 0 && p1 < 6)
		read_user_path(e, 1, (const void *)e->args[p1]);
	if (barg >= 0 && barg < 6 && e->args[barg]) {
		const void *ptr = (const void *)e->args[barg];
		long n = -1;
		if (blob == HR_BLOB_SOCKADDR) {
			/* sockaddr_in6 is 28 bytes; sockaddr_un paths are cut to the blob. */
			n = bpf_probe_read_user(e->blob, HR_BLOB_LEN, ptr);
			if (n == 0)
				n = HR_BLOB_LEN;
		} else if (blob == HR_BLOB_CAPDATA) {
			n = bpf_probe_read_user(e->blob, 24, ptr);
			if (n == 0)
				n = 24;
		} else if (blob == HR_BLOB_STRING) {
			n = bpf_probe_read_user_str(e->blob, HR_BLOB_LEN, ptr);
		}
		if (n > 0) {
			e->blob_len = n;
			e->blob_kind = blob;
		}
	}
	submit(e);
	return 0;
}

#define TRACE_SYSCALL(name, sys, p0, p1, blob, barg)                                       \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                        \
	int enter_##name(struct trace_event_raw_sys_enter *ctx)                            \
	{                                                                                  \
		return sys_enter(ctx, sys);                                                \
	}                                                                                  \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                         \
	int exit_##name(struct trace_event_raw_sys_exit *ctx)                              \
	{                                                                                  \
		return sys_exit(ctx, sys, p0, p1, blob, barg);                             \
	}

#define NB HR_BLOB_NONE
/*            name           syscall               path args  blob             blob arg */
TRACE_SYSCALL(execve,        HR_SYS_EXECVE,        0, -1,     NB,              -1)
TRACE_SYSCALL(execveat,      HR_SYS_EXECVEAT,      1, -1,     NB,              -1)
TRACE_SYSCALL(open,          HR_SYS_OPEN,          0, -1,     NB,              -1)
TRACE_SYSCALL(openat,        HR_SYS_OPENAT,        1, -1,     NB,              -1)
TRACE_SYSCALL(openat2,       HR_SYS_OPENAT2,       1, -1,     NB,              -1)
TRACE_SYSCALL(connect,       HR_SYS_CONNECT,       -1, -1,    HR_BLOB_SOCKADDR, 1)
TRACE_SYSCALL(accept,        HR_SYS_ACCEPT,        -1, -1,    HR_BLOB_SOCKADDR, 1)
TRACE_SYSCALL(accept4,       HR_SYS_ACCEPT4,       -1, -1,    HR_BLOB_SOCKADDR, 1)
TRACE_SYSCALL(bind,          HR_SYS_BIND,          -1, -1,    HR_BLOB_SOCKADDR, 1)
TRACE_SYSCALL(setuid,        HR_SYS_SETUID,        -1, -1,    NB,              -1)
TRACE_SYSCALL(setgid,        HR_SYS_SETGID,        -1, -1,    NB,              -1)
TRACE_SYSCALL(setreuid,      HR_SYS_SETREUID,      -1, -1,    NB,              -1)
TRACE_SYSCALL(setregid,      HR_SYS_SETREGID,      -1, -1,    NB,              -1)
TRACE_SYSCALL(setresuid,     HR_SYS_SETRESUID,     -1, -1,    NB,              -1)
TRACE_SYSCALL(setresgid,     HR_SYS_SETRESGID,     -1, -1,    NB,              -1)
TRACE_SYSCALL(capset,        HR_SYS_CAPSET,        -1, -1,    HR_BLOB_CAPDATA, 1)
TRACE_SYSCALL(ptrace,        HR_SYS_PTRACE,        -1, -1,    NB,              -1)
TRACE_SYSCALL(mount,         HR_SYS_MOUNT,         0, 1,      HR_BLOB_STRING,  2)
TRACE_SYSCALL(umount,        HR_SYS_UMOUNT2,       0, -1,     NB,              -1)
TRACE_SYSCALL(unshare,       HR_SYS_UNSHARE,       -1, -1,    NB,              -1)
TRACE_SYSCALL(setns,         HR_SYS_SETNS,         -1, -1,    NB,              -1)
TRACE_SYSCALL(bpf,           HR_SYS_BPF,           -1, -1,    NB,              -1)
TRACE_SYSCALL(memfd_create,  HR_SYS_MEMFD_CREATE,  0, -1,     NB,              -1)
TRACE_SYSCALL(init_module,   HR_SYS_INIT_MODULE,   2, -1,     NB,              -1)
TRACE_SYSCALL(finit_module,  HR_SYS_FINIT_MODULE,  1, -1,     NB,              -1)
TRACE_SYSCALL(chmod,         HR_SYS_CHMOD,         0, -1,     NB,              -1)
TRACE_SYSCALL(fchmod,        HR_SYS_FCHMOD,        -1, -1,    NB,              -1)
TRACE_SYSCALL(fchmodat,      HR_SYS_FCHMODAT,      1, -1,     NB,              -1)
TRACE_SYSCALL(fchmodat2,     HR_SYS_FCHMODAT2,     1, -1,     NB,              -1)
TRACE_SYSCALL(chown,         HR_SYS_CHOWN,         0, -1,     NB,              -1)
TRACE_SYSCALL(lchown,        HR_SYS_LCHOWN,        0, -1,     NB,              -1)
TRACE_SYSCALL(fchown,        HR_SYS_FCHOWN,        -1, -1,    NB,              -1)
TRACE_SYSCALL(fchownat,      HR_SYS_FCHOWNAT,      1, -1,     NB,              -1)
TRACE_SYSCALL(unlink,        HR_SYS_UNLINK,        0, -1,     NB,              -1)
TRACE_SYSCALL(unlinkat,      HR_SYS_UNLINKAT,      1, -1,     NB,              -1)
TRACE_SYSCALL(rename,        HR_SYS_RENAME,        0, 1,      NB,              -1)
TRACE_SYSCALL(renameat,      HR_SYS_RENAMEAT,      1, 3,      NB,              -1)
TRACE_SYSCALL(renameat2,     HR_SYS_RENAMEAT2,     1, 3,      NB,              -1)
