//! `harrier sensor`: starts `harrier_sensor::Sensor`, says `ready` on stderr once its
//! collectors are attached, and hands every event to [`Detect`]: converted once to the rule
//! engine's model, evaluated with the threat profiles, rule files and baselines, written to
//! `--events`, its alerts dispatched. SIGTERM and SIGINT stop the run cleanly.
//!
//! Seams for what plugs in later: [`Detect::dispatch`] is the one place alerts leave (response
//! actions go beside the output there); [`Stats`] is the one place counters are gathered at the
//! end, and while the sensor runs `Sensor::stats_handle()` (sensor side, published every second)
//! and [`Detect::stats`] (engine side) are what a metrics endpoint reads.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::Context;
use harrier_runtime::event::Source;
use harrier_runtime::{Alert, Engine};
use harrier_sensor::event::Syscall;
use harrier_sensor::pipeline::StopHandle;
use harrier_sensor::{Mode, Sensor, SensorConfig, SensorEvent, SensorStats};
use serde::Serialize;

use crate::cli::{AlertOutputArgs, SensorArgs, SensorCollector};
use crate::exit::ExitStatus;
use crate::printer::Printer;

fn syscalls(names: &[String]) -> anyhow::Result<Vec<Syscall>> {
    if names.is_empty() {
        return Ok(Syscall::ALL.iter().map(|(s, _, _)| *s).collect());
    }
    names
        .iter()
        .map(|n| {
            Syscall::ALL
                .iter()
                .find(|(s, _, tp)| s.name() == n || *tp == n)
                .map(|(s, _, _)| *s)
                .with_context(|| {
                    let known: Vec<&str> = Syscall::ALL.iter().map(|(s, _, _)| s.name()).collect();
                    format!("unknown syscall `{n}`; known: {}", known.join(", "))
                })
        })
        .collect()
}

/// Whether the effective uid is 0 (from /proc, which needs no unsafe call).
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

/// What the engine side counted.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct EngineStats {
    /// Events evaluated.
    pub evaluated: u64,
    /// Alerts raised (rules and baseline drift).
    pub alerts: u64,
    /// Alerts of events marked `context_incomplete`.
    pub alerts_context_incomplete: u64,
    /// Events written to `--events`.
    pub events_written: u64,
    /// Rules loaded.
    pub rules: usize,
    /// Alerts not posted to `--webhook` because its queue was full (the webhook was slow or
    /// down); they are in the alert output all the same.
    pub webhook_dropped: u64,
}

/// Posts alerts to `--webhook` from a thread of its own through a bounded queue, so that a slow
/// or unreachable webhook (10 s timeout per request) never stalls evaluation.
struct Webhook {
    tx: Option<std::sync::mpsc::SyncSender<String>>,
    done: std::sync::mpsc::Receiver<()>,
}

/// Alerts queued for the webhook at most.
const WEBHOOK_QUEUE: usize = 1_024;

impl Webhook {
    fn start(url: &str) -> anyhow::Result<Webhook> {
        let (agent, url) = super::webhook::client(url)?;
        let (tx, rx) = std::sync::mpsc::sync_channel::<String>(WEBHOOK_QUEUE);
        let (done_tx, done) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("sensor-webhook".to_owned())
            .spawn(move || {
                for body in rx {
                    super::webhook::post(&agent, &url, body);
                }
                let _ = done_tx.send(());
            })
            .context("cannot start the webhook thread")?;
        Ok(Webhook { tx: Some(tx), done })
    }

    /// Queues `body`; `false` when the queue is full.
    fn send(&self, body: String) -> bool {
        self.tx.as_ref().is_some_and(|tx| tx.try_send(body).is_ok())
    }

    /// Waits (at most `limit`) for the queued alerts to be posted.
    fn finish(mut self, limit: Duration) {
        self.tx = None;
        let _ = self.done.recv_timeout(limit);
    }
}

/// Every counter of a run: the sensor's (flattened, as before) and the engine's.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    #[serde(flatten)]
    pub sensor: SensorStats,
    pub engine: EngineStats,
}

/// The sink of the sensor: each enriched event is converted once
/// ([`harrier_sensor::to_runtime`]), written to `--events`, evaluated, and its alerts
/// dispatched. Runs on the sensor's pipeline thread: a slow evaluation fills the bounded queue
/// behind it, whose drops are counted, and never blocks the collector.
pub struct Detect {
    engine: Engine,
    baselines: Option<super::baseline::Replay>,
    host: String,
    events: Option<(BufWriter<File>, String)>,
    alerts: super::runtime::Sink,
    webhook: Option<Webhook>,
    last_flush: Instant,
    stats: EngineStats,
    /// Standard output was closed: stop.
    closed: bool,
    stop: Option<StopHandle>,
}

impl Detect {
    /// Writes the event, evaluates it and dispatches its alerts.
    pub fn handle(&mut self, ev: &SensorEvent) -> anyhow::Result<()> {
        let event = harrier_sensor::to_runtime(ev, &self.host);
        if let Some((out, name)) = &mut self.events {
            serde_json::to_writer(&mut *out, &event)
                .and_then(|()| out.write_all(b"\n").map_err(serde_json::Error::io))
                .with_context(|| format!("cannot write events to {name}"))?;
            self.stats.events_written += 1;
        }
        self.stats.evaluated += 1;
        let mut alerts = self.engine.alerts(&event, &self.host);
        if let Some(b) = self.baselines.as_mut() {
            let drift = super::baseline::observe(b, &event, &alerts, &self.host)?;
            alerts.extend(drift);
        }
        let any = !alerts.is_empty();
        for alert in alerts {
            self.dispatch(&alert)?;
        }
        if any {
            // Alerts are rare and wanted now: no waiting for the next flush.
            self.alerts.flush()?;
        }
        if self.last_flush.elapsed() >= Duration::from_millis(100) {
            self.flush()?;
        }
        Ok(())
    }

    /// The one place an alert leaves: the alert output and the webhook. Response actions and
    /// other consumers of alerts plug in here.
    pub fn dispatch(&mut self, alert: &Alert) -> anyhow::Result<()> {
        self.stats.alerts += 1;
        if alert.output_fields.contains_key("context_incomplete") {
            self.stats.alerts_context_incomplete += 1;
        }
        if let Some(w) = &self.webhook {
            let body = serde_json::to_string(alert)?;
            if !w.send(body) {
                self.stats.webhook_dropped += 1;
            }
        }
        if !self.alerts.send(alert)? && !self.closed {
            // `| head`: standard output is gone, so is the point of running.
            self.closed = true;
            if let Some(stop) = &self.stop {
                stop.stop();
            }
        }
        Ok(())
    }

    /// Flushes the events and alerts written so far.
    pub fn flush(&mut self) -> anyhow::Result<()> {
        self.last_flush = Instant::now();
        if let Some((out, name)) = &mut self.events {
            out.flush()
                .with_context(|| format!("cannot write events to {name}"))?;
        }
        self.alerts.flush()
    }

    /// The engine's counters.
    pub fn stats(&self) -> EngineStats {
        self.stats
    }

    /// Flushes everything and writes the baselines back.
    fn finish(mut self, printer: &Printer) -> anyhow::Result<EngineStats> {
        self.flush()?;
        if let Some(b) = &self.baselines {
            super::baseline::finish(b, printer)?;
        }
        let stats = self.stats();
        self.alerts.finish()?;
        if let Some(w) = self.webhook.take() {
            w.finish(Duration::from_secs(10));
        }
        Ok(stats)
    }
}

impl harrier_sensor::Sink for Detect {
    type Error = anyhow::Error;

    fn event(&mut self, ev: &SensorEvent) -> anyhow::Result<()> {
        self.handle(ev)
    }

    fn idle(&mut self) -> anyhow::Result<()> {
        self.flush()
    }
}

/// The engine of `harrier sensor`: the selected built-in profiles, then the rule files; their
/// syscall rules only.
fn engine(args: &SensorArgs, printer: &Printer) -> anyhow::Result<Engine> {
    let profiles = super::profiles::selected(&args.profiles)?;
    let engine = super::runtime::load(&args.rules, &profiles, Some(Source::Syscall), printer);
    if engine.rules().is_empty() && args.baselines.baselines.is_none() {
        printer.warning(
            "no rule loaded (--no-builtin-profiles and no syscall rule in the --rules files): no alert will be raised",
        );
    }
    Ok(engine)
}

/// SIGTERM (how a DaemonSet's pod is stopped) and SIGINT stop the run: the collector is
/// detached, the queue drained, events, alerts, baselines and stats written, and the exit
/// status is 0. A second signal exits at once with status 130.
fn on_signals(stop: StopHandle) -> anyhow::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let stopping = Arc::new(AtomicBool::new(false));
    for sig in [SIGTERM, SIGINT] {
        // Registered first, so it sees the flag as the previous signal left it.
        signal_hook::flag::register_conditional_shutdown(sig, 130, Arc::clone(&stopping))
            .context("cannot install a signal handler")?;
        signal_hook::flag::register(sig, Arc::clone(&stopping))
            .context("cannot install a signal handler")?;
    }
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT])
        .context("cannot install a signal handler")?;
    std::thread::Builder::new()
        .name("sensor-signals".to_owned())
        .spawn(move || {
            if signals.forever().next().is_some() {
                stop.stop();
            }
        })
        .context("cannot start the signal thread")?;
    Ok(())
}

pub fn run(args: SensorArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let ring_bytes = args
        .ring_buffer_mib
        .checked_mul(1 << 20)
        .filter(|b| b.is_power_of_two())
        .context("--ring-buffer-mib must be a power of two below 4096")?;
    let deadline = match args.duration {
        Some(s) if s.is_finite() && s >= 0.0 => Some(Instant::now() + Duration::from_secs_f64(s)),
        Some(s) => anyhow::bail!("--duration {s}: must be a number of seconds, 0 or more"),
        None => None,
    };
    let mut cfg = SensorConfig {
        mode: match args.collector {
            SensorCollector::Auto => Mode::Auto,
            SensorCollector::Ebpf => Mode::Ebpf,
            SensorCollector::ProcConnector => Mode::ProcConnector,
        },
        queue_capacity: args.queue_capacity,
        report_existing: !args.no_existing,
        context_wait: Duration::try_from_secs_f64(args.context_wait).map_err(|_| {
            anyhow::anyhow!(
                "--context-wait {}: must be a number of seconds, 0 or more",
                args.context_wait
            )
        })?,
        ..SensorConfig::default()
    };
    cfg.ebpf.ring_bytes = ring_bytes;
    cfg.ebpf.syscalls = syscalls(&args.syscalls)?;
    if !is_root() {
        anyhow::bail!(
            "harrier sensor needs root: BPF, the proc connector and other processes' /proc entries are root's"
        );
    }

    let output = AlertOutputArgs {
        output: args.alerts.clone(),
        // Posted by [`Webhook`], not by the alert output.
        webhook: None,
        hostname: args.hostname.clone(),
    };
    let engine = engine(&args, printer)?;
    let rules = engine.rules().len();
    let baselines = super::baseline::open(&args.baselines, printer)?;
    let events = match &args.events {
        Some(path) => Some((
            BufWriter::new(
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
            ),
            path.display().to_string(),
        )),
        None => None,
    };
    let mut detect = Detect {
        engine,
        baselines,
        host: super::runtime::hostname(&output),
        events,
        alerts: super::runtime::Sink::new(&output)?,
        webhook: args.webhook.as_deref().map(Webhook::start).transpose()?,
        last_flush: Instant::now(),
        stats: EngineStats {
            rules,
            ..EngineStats::default()
        },
        closed: false,
        stop: None,
    };

    let mut sensor = Sensor::start(cfg).context("the sensor could not attach its collectors")?;
    for (what, why) in sensor.unavailable() {
        printer.warning(&format!("not attached: {what}: {why}"));
    }
    if args.strict && !sensor.unavailable().is_empty() {
        let names: Vec<&str> = sensor
            .unavailable()
            .iter()
            .map(|(w, _)| w.as_str())
            .collect();
        anyhow::bail!("--strict: could not attach {}", names.join(", "));
    }
    printer.note(&format!(
        "collector {:?}: {}",
        sensor.collector(),
        sensor.attached().join(", ")
    ));
    detect.stop = Some(sensor.stop_handle());
    on_signals(sensor.stop_handle())?;
    {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "ready");
    }

    let end = sensor.run(deadline, &mut detect)?;
    let engine_stats = detect.finish(printer)?;
    let stats = Stats {
        sensor: sensor.stats(),
        engine: engine_stats,
    };
    write_stats(args.stats.as_ref(), &stats)?;
    let s = &stats.sensor;
    printer.note(&format!(
        "{} events evaluated, {} alerts; kernel lost {}, queue dropped {}",
        stats.engine.evaluated, stats.engine.alerts, s.kernel.lost, s.queue_dropped
    ));
    if s.kernel.lost > 0 || s.queue_dropped > 0 || s.connector.overflows > 0 {
        printer.warning(&format!(
            "events were dropped: {} by the kernel ring buffer, {} by the queue, {} proc connector overflows",
            s.kernel.lost, s.queue_dropped, s.connector.overflows
        ));
    }
    if stats.engine.webhook_dropped > 0 {
        printer.warning(&format!(
            "{} alerts were not posted to the webhook (its queue of {WEBHOOK_QUEUE} was full); they are in the alert output",
            stats.engine.webhook_dropped
        ));
    }
    if let Some(e) = end.error {
        anyhow::bail!("the collector stopped: {e}");
    }
    Ok(ExitStatus::Success)
}

/// The one place counters are written out (`--stats`).
fn write_stats(path: Option<&PathBuf>, stats: &Stats) -> anyhow::Result<()> {
    let Some(path) = path else {
        return Ok(());
    };
    let f = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = BufWriter::new(f);
    serde_json::to_writer_pretty(&mut out, stats)
        .map_err(anyhow::Error::from)
        .and_then(|()| out.flush().map_err(anyhow::Error::from))
        .with_context(|| format!("cannot write {}", path.display()))
}
