//! `harrier sensor` against real processes and real podman containers (Debian podman + runc,
//! the test image's root filesystem from scripts/build-test-images.sh). Needs root and a kernel
//! that allows BPF; skipped otherwise (failing under HARRIER_REQUIRE_ALL=1).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use harrier_core::testing::skip;
use serde_json::Value;

use crate::util::Dir;

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .map(|v| v.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

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
    if !have("podman") || !have("runc") {
        return skip("podman and runc are needed (apt-get install podman runc)");
    }
    let images = std::env::var_os("HARRIER_TEST_IMAGES").map_or_else(
        || PathBuf::from("/var/tmp/harrier-test-images"),
        PathBuf::from,
    );
    let rootfs = images.join("rootfs");
    if !rootfs.join("bin/bash").exists() {
        return skip(&format!(
            "no test image root filesystem at {} (run scripts/build-test-images.sh)",
            rootfs.display()
        ));
    }
    let conf = dir.write(
        "containers.conf",
        "[containers]\ndefault_ulimits = [\"nofile=20000:20000\", \"nproc=4096:4096\"]\n\n[engine]\nruntime = \"runc\"\n",
    );
    Some(Podman { rootfs, conf })
}

impl Podman {
    /// Runs `script` in a new container named `name`; returns the container's full id.
    fn run(&self, dir: &Dir, name: &str, script: &str) -> String {
        let cidfile = dir.path().join(format!("{name}.cid"));
        let out = Command::new("podman")
            .env("CONTAINERS_CONF", &self.conf)
            .args(["run", "--rm", "--network", "none", "--name", name])
            .args(["--label", "io.kubernetes.pod.name=web-1"])
            .args(["--label", "io.kubernetes.pod.namespace=prod"])
            .arg("--cidfile")
            .arg(&cidfile)
            .arg("--rootfs")
            .arg(format!("{}:O", self.rootfs.display()))
            .args(["/bin/bash", "-c", script])
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
    let events = dir.path().join(format!(
        "events-{}.jsonl",
        extra.join("_").replace(',', "-")
    ));
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
        // The container lives on a second, so the sensor asks podman about it before `--rm`.
        "cat /etc/os-release > /dev/null; (echo x > /dev/tcp/127.0.0.1/3333) 2>/dev/null; sleep 1; exit 0",
    );

    let shell = sensor.wait_for("exec of bash in the container", |v| {
        v["evt_type"] == "execve" && in_container(v, &cid) && v["proc"]["name"] == "bash"
    });
    let c = &shell["container"];
    assert_eq!(c["id"], &cid[..12]);
    assert_eq!(c["runtime"], "podman");
    assert_eq!(c["name"], name.as_str());
    assert_eq!(c["pod_name"], "web-1");
    assert_eq!(c["pod_namespace"], "prod");
    assert_eq!(shell["context_incomplete"], false, "{shell}");
    assert!(
        shell["proc"]["exepath"]
            .as_str()
            .is_some_and(|p| p.ends_with("/bash")),
        "{shell}"
    );
    assert_eq!(shell["proc"]["args"][0], "-c");

    let open = sensor.wait_for("open of /etc/os-release by cat", |v| {
        v["evt_type"] == "openat"
            && in_container(v, &cid)
            && v["fd"]["name"] == "/etc/os-release"
            && v["proc"]["name"] == "cat"
    });
    assert!(open["res"].as_i64().is_some_and(|r| r >= 0), "{open}");
    assert_eq!(open["proc"]["pname"], "bash", "{open}");

    let connect = sensor.wait_for("connect to 127.0.0.1:3333", |v| {
        v["evt_type"] == "connect" && in_container(v, &cid) && v["fd"]["name"] == "127.0.0.1:3333"
    });
    assert_eq!(connect["fd"]["type"], "ipv4");
    assert_eq!(connect["fd"]["addr"]["port"], 3333);
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
        v["evt_type"] == "unshare" && v["proc"]["name"] == "unshare"
    });
    let flags: Vec<&str> = unshare["params"]["flags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        flags.contains(&"CLONE_NEWNET") && flags.contains(&"CLONE_NEWUTS"),
        "{unshare}"
    );
    assert_eq!(unshare["container"]["id"], "host");
    assert_eq!(unshare["res"], 0);

    let setns = sensor.wait_for("setns by nsenter", |v| {
        v["evt_type"] == "setns" && v["proc"]["name"] == "nsenter"
    });
    assert_eq!(setns["params"]["nstype"][0], "CLONE_NEWNET", "{setns}");
    let exec = sensor.wait_for("exec of nsenter", |v| {
        v["evt_type"] == "execve" && v["proc"]["exe"] == "nsenter"
    });
    assert_eq!(
        exec["proc"]["args"],
        serde_json::json!(["--target", me, "--net", "true"])
    );
    assert_eq!(exec["proc"]["ppid"], std::process::id());
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
        v["evt_type"] == "execve" && in_container(v, &cid) && v["proc"]["name"] == "bash"
    });
    assert_eq!(shell["source"], "proc_connector");
    assert_eq!(shell["container"]["id"], &cid[..12]);
    assert_eq!(shell["container"]["name"], name.as_str());
    assert_eq!(
        shell["proc"]["args"],
        serde_json::json!(["-c", "sleep 1; exit 0"])
    );
    let sleep = sensor.wait_for("exec of sleep in the container", |v| {
        v["evt_type"] == "execve" && in_container(v, &cid) && v["proc"]["name"] == "sleep"
    });
    assert_eq!(sleep["proc"]["pname"], "bash", "{sleep}");
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
