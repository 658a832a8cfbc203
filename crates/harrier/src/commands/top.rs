//! `harrier top`: runs `harrier_sensor::resources::ResourceMonitor` on this host and prints
//! each sweep (a table, or JSON lines of samples, signals and ended containers); with
//! `--events`, writes each signal as a `container_resource_signal` runtime event.
//!
//! Named after `top` and `kubectl top`: a live view of what containers use, here with the
//! detector's signals beside it. [`signal_event`] is the one conversion from the sensor's
//! [`Signal`] to the engine's event, for any command that feeds signals to the rule engine.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::{Duration, Instant};

use anyhow::Context;
use harrier_runtime::event::{
    Container as RtContainer, Event, K8sContext, Process, RESOURCE_SIGNAL, ResourceSignal,
    SyscallEvent,
};
use harrier_sensor::event::Container;
use harrier_sensor::resources::{
    DetectorConfig, Report, ResourceConfig, ResourceMonitor, Sample, Signal,
};
use serde::Serialize;

use crate::cli::{ListFormat, ResourceArgs, TopArgs};
use crate::exit::ExitStatus;
use crate::printer::Printer;

fn seconds(name: &str, v: f64, min: f64) -> anyhow::Result<Duration> {
    if !v.is_finite() || v < min {
        anyhow::bail!("--{name} {v}: must be a number of seconds, at least {min}");
    }
    Ok(Duration::from_secs_f64(v))
}

/// The monitor's settings from the flags `harrier top` and `harrier sensor` share.
pub fn config(args: &ResourceArgs) -> anyhow::Result<ResourceConfig> {
    if !(args.cpu_threshold > 0.0 && args.cpu_threshold <= 100.0) {
        anyhow::bail!(
            "--cpu-threshold {}: must be a percentage above 0, at most 100",
            args.cpu_threshold
        );
    }
    if !(args.reference_cores.is_finite() && args.reference_cores > 0.0) {
        anyhow::bail!(
            "--reference-cores {}: must be a number of cores above 0",
            args.reference_cores
        );
    }
    Ok(ResourceConfig {
        cgroup_root: args.cgroup_root.clone(),
        interval: seconds("interval", args.interval, 0.1)?,
        connections: !args.no_connections,
        detector: DetectorConfig {
            cpu_threshold: args.cpu_threshold / 100.0,
            reference_cores: args.reference_cores,
            sustain: seconds("sustain", args.sustain, 0.0)?,
            sustain_samples: args.sustain_samples.max(1),
            warmup_samples: args.warmup_samples,
            ..DetectorConfig::default()
        },
        ..ResourceConfig::default()
    })
}

fn repository(image: &str) -> String {
    let no_digest = image.split('@').next().unwrap_or(image);
    match no_digest.rfind(':') {
        Some(i) if !no_digest.get(i..).is_some_and(|t| t.contains('/')) => {
            no_digest.get(..i).unwrap_or(no_digest).to_owned()
        }
        _ => no_digest.to_owned(),
    }
}

/// The runtime event of a signal: a `container_resource_signal` syscall-source event with the
/// container and pod context of `container` (from the same sweep's sample), for the engine.
pub fn signal_event(signal: &Signal, container: &Container, hostname: &str) -> Event {
    let mut e = SyscallEvent::new(RESOURCE_SIGNAL, signal.time_ns, Process::default());
    e.container = Some(RtContainer {
        id: container.id.clone(),
        full_id: container.full_id.clone(),
        name: container.name.clone(),
        image: container.image.clone(),
        image_repository: container.image.as_deref().map(repository),
        runtime: container.runtime.map(str::to_owned),
        ..RtContainer::default()
    });
    if container.pod_name.is_some() || container.pod_namespace.is_some() {
        e.k8s = Some(K8sContext {
            namespace: container.pod_namespace.clone(),
            pod_name: container.pod_name.clone(),
            pod_uid: container.pod_uid.clone(),
            ..K8sContext::default()
        });
    }
    e.hostname = Some(hostname.to_owned());
    e.signal = Some(Box::new(ResourceSignal {
        name: signal.name.as_str().to_owned(),
        workload: Some(signal.workload.clone()),
        duration_ns: Some(signal.duration_ns),
        samples: Some(signal.samples),
        repeated: Some(signal.repeated),
        cpu_cores: signal.cpu_cores,
        cpu_peak_cores: signal.cpu_peak_cores,
        cpu_limit_cores: signal.cpu_limit_cores,
        cpu_reference_cores: signal.cpu_reference_cores,
        cpu_utilization: signal.cpu_utilization,
        baseline_cores: signal.baseline_cores,
        baseline_scale_cores: signal.baseline_scale_cores,
        baseline_source: signal.baseline_source.map(|s| {
            match s {
                harrier_sensor::resources::detect::BaselineSource::Workload => "workload",
                harrier_sensor::resources::detect::BaselineSource::Prior => "prior",
            }
            .to_owned()
        }),
        score: signal.score,
        memory_bytes: signal.memory_bytes,
        memory_limit_bytes: signal.memory_limit_bytes,
        memory_growth_bytes_per_s: signal.memory_growth_bytes_per_s,
        evidence: Vec::new(),
    }));
    Event::Syscall(Box::new(e))
}

/// The runtime events of a sweep's signals (a signal whose container has no sample in the
/// sweep, which cannot happen, is skipped).
pub fn signal_events(report: &Report, hostname: &str) -> Vec<Event> {
    report
        .signals
        .iter()
        .filter_map(|s| {
            let sample = report
                .samples
                .iter()
                .find(|x| x.container.full_id.as_deref() == Some(s.container_id.as_str()))?;
            Some(signal_event(s, &sample.container, hostname))
        })
        .collect()
}

/// A resource monitor running on its own thread, handing signal events to whoever drains
/// [`SignalFeed::events`] (e.g. `harrier sensor`'s engine loop, with `try_recv` between
/// sensor events, through a `harrier_runtime::Correlator`).
pub struct SignalFeed {
    /// Signal events, at most `capacity` waiting; more are dropped and counted.
    pub events: std::sync::mpsc::Receiver<Event>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<(harrier_sensor::resources::ResourceStats, u64)>,
}

impl SignalFeed {
    /// Starts `monitor` sweeping every `cfg.interval` until `deadline` or [`SignalFeed::stop`].
    pub fn spawn(
        mut monitor: ResourceMonitor,
        hostname: String,
        capacity: usize,
        deadline: Option<Instant>,
    ) -> std::io::Result<SignalFeed> {
        let (tx, events) = std::sync::mpsc::sync_channel(capacity);
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = std::sync::Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("harrier-resources".into())
            .spawn(move || {
                let mut dropped = 0u64;
                monitor.run(deadline, &flag, |report| {
                    for e in signal_events(report, &hostname) {
                        match tx.try_send(e) {
                            Ok(()) => {}
                            Err(std::sync::mpsc::TrySendError::Full(_)) => dropped += 1,
                            Err(std::sync::mpsc::TrySendError::Disconnected(_)) => return false,
                        }
                    }
                    true
                });
                (monitor.stats(), dropped)
            })?;
        Ok(SignalFeed {
            events,
            stop,
            thread,
        })
    }

    /// Stops the thread; returns the monitor's counters and the signals dropped (queue full).
    pub fn stop(self) -> (harrier_sensor::resources::ResourceStats, u64) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread
            .join()
            .unwrap_or((harrier_sensor::resources::ResourceStats::default(), 0))
    }
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Line<'a> {
    Sample(&'a Sample),
    Signal(&'a Signal),
    Ended { container_id: &'a str },
}

fn bytes(n: Option<u64>) -> String {
    let Some(n) = n else {
        return "-".to_owned();
    };
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n}B")
    } else {
        format!("{v:.1}{}", units.get(u).copied().unwrap_or("B"))
    }
}

fn cores(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |c| format!("{c:.2}"))
}

fn write_table(out: &mut dyn Write, report: &Report, time: &str) -> std::io::Result<()> {
    writeln!(out, "{time}  {} containers", report.samples.len())?;
    writeln!(
        out,
        "{:<12}  {:<24}  {:>6}  {:>6}  {:>9}  {:>9}  {:>7}  TOP DESTINATION",
        "CONTAINER", "NAME", "CPU", "LIMIT", "MEM", "MEM LIMIT", "TCP O/I"
    )?;
    let mut samples: Vec<&Sample> = report.samples.iter().collect();
    samples.sort_by(|a, b| {
        b.cpu_cores
            .unwrap_or(0.0)
            .total_cmp(&a.cpu_cores.unwrap_or(0.0))
            .then_with(|| a.container.id.cmp(&b.container.id))
    });
    for s in samples {
        let c = &s.container;
        let name = match (&c.pod_namespace, &c.pod_name, &c.name) {
            (Some(ns), Some(pod), _) => format!("{ns}/{pod}"),
            (_, _, Some(n)) => n.clone(),
            _ => "-".to_owned(),
        };
        let (tcp, dest) = match &s.net {
            Some(n) if n.host_network => ("host".to_owned(), "-".to_owned()),
            Some(n) => (
                format!("{}/{}", n.outbound, n.inbound),
                n.destinations.first().map_or_else(
                    || "-".to_owned(),
                    |d| format!("{}:{} ×{}", d.ip, d.port, d.connections),
                ),
            ),
            None => ("-".to_owned(), "-".to_owned()),
        };
        writeln!(
            out,
            "{:<12}  {:<24.24}  {:>6}  {:>6}  {:>9}  {:>9}  {:>7}  {dest}",
            c.id,
            name,
            cores(s.cpu_cores),
            cores(s.cpu_limit_cores),
            bytes(s.memory_working_set_bytes),
            bytes(s.memory_limit_bytes),
            tcp,
        )?;
    }
    for sig in &report.signals {
        let short = sig.container_id.get(..12).unwrap_or(&sig.container_id);
        let secs = sig.duration_ns as f64 / 1e9;
        match sig.name {
            harrier_sensor::resources::SignalName::CpuSaturation => writeln!(
                out,
                "SIGNAL cpu_saturation {short} ({}): {} cores for {secs:.0}s, {:.0}% of {} cores; baseline {} ±{} ({}), score {:.1}",
                sig.workload,
                cores(sig.cpu_cores),
                sig.cpu_utilization.unwrap_or(0.0) * 100.0,
                cores(sig.cpu_reference_cores),
                cores(sig.baseline_cores),
                cores(sig.baseline_scale_cores),
                match sig.baseline_source {
                    Some(harrier_sensor::resources::detect::BaselineSource::Prior) => "prior",
                    _ => "workload",
                },
                sig.score.unwrap_or(0.0),
            )?,
            harrier_sensor::resources::SignalName::MemoryGrowth => writeln!(
                out,
                "SIGNAL memory_growth {short} ({}): working set {} growing {}/s over {secs:.0}s, limit {}",
                sig.workload,
                bytes(sig.memory_bytes),
                bytes(sig.memory_growth_bytes_per_s.map(|b| b.max(0.0) as u64)),
                bytes(sig.memory_limit_bytes),
            )?,
        }
    }
    for id in &report.ended {
        writeln!(out, "ENDED {}", id.get(..12).unwrap_or(id))?;
    }
    writeln!(out)
}

fn write_json(out: &mut dyn Write, report: &Report) -> std::io::Result<()> {
    let lines = report
        .samples
        .iter()
        .map(Line::Sample)
        .chain(report.signals.iter().map(Line::Signal))
        .chain(
            report
                .ended
                .iter()
                .map(|id| Line::Ended { container_id: id }),
        );
    for line in lines {
        serde_json::to_writer(&mut *out, &line)?;
        writeln!(out)?;
    }
    Ok(())
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "localhost".to_owned())
}

pub fn run(args: TopArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let cfg = config(&args.resources)?;
    let deadline = match args.duration {
        Some(s) => Some(Instant::now() + seconds("duration", s, 0.0)?),
        None => None,
    };
    let mut events: Option<Box<dyn Write>> = match &args.events {
        Some(path) => Some(Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        ))),
        None => None,
    };
    let mut monitor = ResourceMonitor::new(cfg).context("cannot monitor container resources")?;
    printer.note(&format!("cgroup layout: {:?}", monitor.layout()));
    let host = hostname();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let stop = std::sync::atomic::AtomicBool::new(false);
    let mut failure: Option<std::io::Error> = None;
    monitor.run(deadline, &stop, |report| {
        let time = jiff::Timestamp::now().strftime("%H:%M:%S").to_string();
        // Events first: whoever reads the printed signal finds its event already written.
        let written = match events.as_mut() {
            Some(ev) => signal_events(report, &host)
                .iter()
                .try_for_each(|e| {
                    serde_json::to_writer(&mut *ev, e)?;
                    writeln!(ev)
                })
                .and_then(|()| ev.flush()),
            None => Ok(()),
        };
        let written = written
            .and_then(|()| match args.format {
                ListFormat::Table => write_table(&mut out, report, &time),
                ListFormat::Json => write_json(&mut out, report),
            })
            .and_then(|()| out.flush());
        match written {
            Ok(()) => true,
            Err(e) => {
                failure = Some(e);
                false
            }
        }
    });
    match failure {
        Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitStatus::Success),
        Some(e) => Err(e).context("cannot write the samples"),
        None => {
            let stats = monitor.stats();
            printer.note(&format!(
                "{} sweeps, {} samples, {} signals, {} containers ended, {} not tracked (bound)",
                stats.sweeps,
                stats.samples,
                stats.detector.signals,
                stats.containers_ended,
                stats.containers_dropped
            ));
            Ok(ExitStatus::Success)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_events_carry_the_container_and_the_measures() {
        let c = Container {
            id: "3ad7b2c1f0e9".into(),
            full_id: Some("3ad7b2c1f0e9".repeat(5) + "abcd"),
            runtime: Some("containerd"),
            name: Some("web".into()),
            image: Some("shop/web:1.4".into()),
            pod_name: Some("web-6d9f7-x2x7z".into()),
            pod_namespace: Some("shop".into()),
            ..Container::default()
        };
        let mut d = harrier_sensor::resources::Detector::new(DetectorConfig {
            sustain: Duration::ZERO,
            sustain_samples: 1,
            ..DetectorConfig::default()
        });
        let id = c.full_id.clone().unwrap_or_default();
        let s = d
            .observe(&harrier_sensor::resources::detect::Observation {
                container_id: &id,
                workload: "k8s:shop/web/web",
                at: Duration::from_secs(10),
                since: Duration::ZERO,
                time_ns: 7,
                cpu_cores: Some(1.0),
                cpu_limit_cores: None,
                memory_bytes: Some(1 << 20),
                memory_limit_bytes: None,
                new_container: true,
            })
            .remove(0);
        let Event::Syscall(e) = signal_event(&s, &c, "node-1") else {
            panic!("a syscall-source event");
        };
        assert_eq!(e.kind.name(), "container_resource_signal");
        assert_eq!(e.time_ns, 7);
        let rc = e.container.as_ref().unwrap();
        assert_eq!(rc.image_repository.as_deref(), Some("shop/web"));
        assert_eq!(e.k8s.as_ref().unwrap().namespace.as_deref(), Some("shop"));
        let sig = e.signal.as_ref().unwrap();
        assert_eq!(sig.name, "cpu_saturation");
        assert_eq!(sig.baseline_source.as_deref(), Some("prior"));
        assert_eq!(sig.cpu_cores, Some(1.0));
        // It round-trips through Harrier's JSON lines, as `harrier replay` reads them.
        let line = serde_json::to_string(&Event::Syscall(e.clone())).unwrap();
        let (back, errors) = harrier_runtime::decode::decode(&line);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(back, [Event::Syscall(e)]);
    }

    /// The feed over a temp v2 tree: a container appearing after the first sweep and burning
    /// a core arrives as a signal event on the channel.
    #[test]
    fn feed_delivers_signal_events() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("cgroup.controllers"), "cpu memory\n").unwrap();
        let mut monitor = ResourceMonitor::new(ResourceConfig {
            cgroup_root: root.to_path_buf(),
            metadata_sources: Vec::new(),
            connections: false,
            interval: Duration::from_millis(100),
            detector: DetectorConfig {
                sustain: Duration::from_millis(300),
                ..DetectorConfig::default()
            },
            ..ResourceConfig::default()
        })
        .unwrap();
        // The first sweep, here rather than on the feed's thread, so that the container
        // below is new to the monitor however late a loaded machine schedules that thread.
        assert!(monitor.sample().samples.is_empty());
        let feed = SignalFeed::spawn(monitor, "node-1".into(), 8, None).unwrap();
        let c = root.join(format!("docker/{}", "ab".repeat(32)));
        std::fs::create_dir_all(&c).unwrap();
        let t0 = Instant::now();
        let mut got = None;
        while t0.elapsed() < Duration::from_secs(10) && got.is_none() {
            // Ten cores' worth, so that this loop being descheduled for most of a sweep
            // interval still reads as saturation and does not break the run.
            let usage = 10 * t0.elapsed().as_micros();
            let tmp = root.join("tmp");
            std::fs::write(&tmp, format!("usage_usec {usage}\n")).unwrap();
            std::fs::rename(&tmp, c.join("cpu.stat")).unwrap();
            got = feed.events.recv_timeout(Duration::from_millis(5)).ok();
        }
        let (stats, dropped) = feed.stop();
        let Some(Event::Syscall(e)) = got else {
            panic!("no signal event");
        };
        assert_eq!(e.kind.name(), RESOURCE_SIGNAL);
        assert_eq!(e.hostname.as_deref(), Some("node-1"));
        assert_eq!(e.container.as_ref().unwrap().id, "abababababab");
        assert!(stats.sweeps >= 4, "{stats:?}");
        assert_eq!(dropped, 0);
    }

    #[test]
    fn sizes() {
        assert_eq!(bytes(None), "-");
        assert_eq!(bytes(Some(512)), "512B");
        assert_eq!(bytes(Some(3 << 20)), "3.0MiB");
    }
}
