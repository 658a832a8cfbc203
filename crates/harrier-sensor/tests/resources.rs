//! The resource monitor against real cgroups: two podman (runc) containers started while it
//! watches, one burning its CPU limit and one sleeping. The monitor finds both by id, measures
//! CPU near the limit and near zero, memory above zero and the sleeper's loopback connection
//! (listen, one out, one in), and raises `cpu_saturation` for the burner only (with a
//! shortened window). Needs root, podman, runc and the test image's
//! root filesystem (scripts/build-test-images.sh); skipped otherwise (failing under
//! HARRIER_REQUIRE_ALL=1).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use harrier_core::testing::podman_rootfs;
use harrier_sensor::container::MetadataSource;
use harrier_sensor::resources::{
    DetectorConfig, ResourceConfig, ResourceMonitor, Sample, Signal, SignalName,
};

/// The test image's root filesystem and a containers.conf selecting runc.
fn setup(dir: &tempfile::TempDir) -> Option<(PathBuf, PathBuf)> {
    podman_rootfs(dir.path())
}

/// A detached container, removed when dropped.
struct Running {
    id: String,
    conf: PathBuf,
}

impl Running {
    fn start(
        conf: &PathBuf,
        rootfs: &std::path::Path,
        name: &str,
        extra: &[&str],
        script: &str,
    ) -> Running {
        let _ = Command::new("podman")
            .env("CONTAINERS_CONF", conf)
            .args(["rm", "-f", "-t", "0", name])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let out = Command::new("podman")
            .env("CONTAINERS_CONF", conf)
            .args(["run", "-d", "--rm", "--network", "none", "--name", name])
            .args(extra)
            .arg("--rootfs")
            .arg(format!("{}:O", rootfs.display()))
            .args(["/bin/bash", "-c", script])
            .output()
            .expect("run podman");
        assert!(
            out.status.success(),
            "podman run failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Running {
            id: String::from_utf8_lossy(&out.stdout).trim().to_owned(),
            conf: conf.clone(),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = Command::new("podman")
            .env("CONTAINERS_CONF", &self.conf)
            .args(["rm", "-f", "-t", "0", &self.id])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

#[test]
fn burner_saturates_and_sleeper_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let Some((rootfs, conf)) = setup(&dir) else {
        return;
    };
    let mut monitor = ResourceMonitor::new(ResourceConfig {
        metadata_sources: MetadataSource::discover(),
        detector: DetectorConfig {
            // This machine's two cores are shared with builds: 80 % of the limit, 3 s.
            cpu_threshold: 0.8,
            sustain: Duration::from_secs(3),
            sustain_samples: 3,
            ..DetectorConfig::default()
        },
        ..ResourceConfig::default()
    })
    .unwrap();
    // Containers already running are learnt, not judged: sweep once before starting ours.
    monitor.sample();
    let burner = Running::start(
        &conf,
        &rootfs,
        "harrier-res-burn",
        &["--cpus", "0.5"],
        "while :; do :; done",
    );
    // The sleeper holds a loopback connection to itself on a stratum port, then sleeps.
    let sleeper = Running::start(
        &conf,
        &rootfs,
        "harrier-res-sleep",
        &[],
        "exec python3 -c 'import socket, time\n\
         s = socket.socket(); s.bind((\"127.0.0.1\", 3333)); s.listen()\n\
         c = socket.create_connection((\"127.0.0.1\", 3333)); a, _ = s.accept()\n\
         time.sleep(300)'",
    );
    let mut burn: Vec<Sample> = Vec::new();
    let mut sleep: Vec<Sample> = Vec::new();
    let mut signals: Vec<Signal> = Vec::new();
    let until = Instant::now() + Duration::from_secs(40);
    while Instant::now() < until {
        std::thread::sleep(Duration::from_secs(1));
        let r = monitor.sample();
        for s in r.samples {
            match s.container.full_id.as_deref() {
                Some(id) if id == burner.id => burn.push(s),
                Some(id) if id == sleeper.id => sleep.push(s),
                _ => {}
            }
        }
        signals.extend(r.signals);
        let burner_signalled = signals.iter().any(|s| s.container_id == burner.id);
        if burner_signalled && sleep.len() >= 6 && burn.len() >= 6 {
            break;
        }
    }
    assert!(
        burn.len() >= 4 && sleep.len() >= 4,
        "found {} and {} samples",
        burn.len(),
        sleep.len()
    );
    // Found by id, and named by podman once its answer (asked in the background) is in.
    assert_eq!(burn[0].container.id, burner.id[..12]);
    let last = burn.last().unwrap();
    assert_eq!(
        last.container.name.as_deref(),
        Some("harrier-res-burn"),
        "{:?}",
        last.container
    );
    assert_eq!(burn[0].container.runtime, Some("podman"));
    assert_eq!(burn[0].cpu_limit_cores, Some(0.5));
    let burn_cpu = median(burn.iter().filter_map(|s| s.cpu_cores).collect());
    let sleep_cpu = median(sleep.iter().filter_map(|s| s.cpu_cores).collect());
    assert!(
        (0.35..=0.56).contains(&burn_cpu),
        "burner median {burn_cpu} cores (limit 0.5)"
    );
    assert!(sleep_cpu < 0.05, "sleeper median {sleep_cpu} cores");
    for s in burn.iter().chain(&sleep) {
        assert!(s.memory_bytes.is_some_and(|m| m > 0), "{s:?}");
    }
    // `--network none`: a namespace of its own, with no sockets for the burner, and the
    // sleeper's listener, its connection out and the accepted one in.
    let net = burn.last().and_then(|s| s.net.as_ref()).expect("net read");
    assert!(!net.host_network);
    assert_eq!(net.outbound + net.inbound, 0, "{net:?}");
    let net = sleep.last().and_then(|s| s.net.as_ref()).expect("net read");
    assert!(!net.host_network);
    assert_eq!(net.by_state.get("listen"), Some(&1), "{net:?}");
    assert_eq!((net.outbound, net.inbound), (1, 1), "{net:?}");
    let d = &net.destinations[0];
    assert_eq!(
        (d.ip.to_string(), d.port, d.connections),
        ("127.0.0.1".into(), 3333, 1)
    );
    // The signal, for the burner only.
    let sig = signals
        .iter()
        .find(|s| s.container_id == burner.id)
        .unwrap_or_else(|| panic!("no signal for the burner: {signals:?}"));
    assert_eq!(sig.name, SignalName::CpuSaturation);
    assert!(sig.duration_ns >= 3_000_000_000, "{sig:?}");
    assert_eq!(sig.cpu_limit_cores, Some(0.5));
    assert!(sig.cpu_utilization.unwrap() >= 0.8, "{sig:?}");
    assert!(
        !signals.iter().any(|s| s.container_id == sleeper.id),
        "{signals:?}"
    );
    assert!(monitor.series(&burner.id).unwrap().len() >= 4);
}
