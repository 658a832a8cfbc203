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
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::Context;
use harrier_k8s::cluster::pods::{KubeletOptions, NodePods, PodSource, Refresh};
use harrier_runtime::event::{Event, K8sContext, Source};
use harrier_runtime::{Alert, Correlator, CorrelatorConfig, Engine};
use harrier_sensor::event::Syscall;
use harrier_sensor::pipeline::StopHandle;
use harrier_sensor::resources::ResourceMonitor;
use harrier_sensor::{Mode, Sensor, SensorConfig, SensorEvent, SensorMetrics, SensorStats};
use serde::Serialize;

use crate::cli::{AlertOutputArgs, KubernetesContext, SensorArgs, SensorCollector};
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
    /// Resource signal events evaluated.
    pub signals: u64,
    /// Events of a container whose pod the Kubernetes API listing gave (labels, service
    /// account, owner, node), and of containers it did not list (yet).
    pub pod_context_found: u64,
    pub pod_context_missed: u64,
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
    /// Combines resource signals with their container's other alerts (crypto-mining).
    correlator: Correlator,
    /// Resource signals from the monitor's thread, evaluated between sensor events.
    signals: Option<super::top::SignalFeed>,
    /// Pod context from the Kubernetes API.
    pods: Option<NodePods>,
    /// Response actions on alerts, and their outcomes.
    responder: Option<(harrier_response::Responder, super::response::Tally)>,
    /// What the metrics endpoint serves.
    metrics: Option<Arc<SensorMetrics>>,
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
    /// Converts the event, adds its pod's context, then writes, evaluates and dispatches it.
    pub fn handle(&mut self, ev: &SensorEvent) -> anyhow::Result<()> {
        self.drain_signals()?;
        let mut event = harrier_sensor::to_runtime(ev, &self.host);
        if let Some(pods) = &self.pods {
            match add_pod_context(&mut event, pods) {
                Some(true) => self.stats.pod_context_found += 1,
                Some(false) => {
                    self.stats.pod_context_missed += 1;
                    // A pod that started since the last listing: list again soon (coalesced).
                    pods.request_refresh();
                }
                None => {}
            }
        }
        self.evaluate(&event)
    }

    /// Evaluates the resource signals waiting (never blocks).
    fn drain_signals(&mut self) -> anyhow::Result<()> {
        let mut waiting = Vec::new();
        if let Some(feed) = &self.signals {
            waiting.extend(feed.events.try_iter());
        }
        for event in waiting {
            self.stats.signals += 1;
            self.evaluate(&event)?;
        }
        Ok(())
    }

    /// Writes the event, evaluates it and dispatches its alerts.
    fn evaluate(&mut self, event: &Event) -> anyhow::Result<()> {
        if let Some((out, name)) = &mut self.events {
            serde_json::to_writer(&mut *out, event)
                .and_then(|()| out.write_all(b"\n").map_err(serde_json::Error::io))
                .with_context(|| format!("cannot write events to {name}"))?;
            self.stats.events_written += 1;
        }
        self.stats.evaluated += 1;
        let mut alerts = self.correlator.alerts(&self.engine, event, &self.host);
        if let Some(b) = self.baselines.as_mut() {
            let drift = super::baseline::observe(b, event, &alerts, &self.host)?;
            alerts.extend(drift);
        }
        let any = !alerts.is_empty();
        for alert in alerts {
            self.dispatch(&alert, event)?;
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
    pub fn dispatch(&mut self, alert: &Alert, event: &Event) -> anyhow::Result<()> {
        self.stats.alerts += 1;
        if let Some(m) = &self.metrics {
            m.rule_match(&alert.rule, alert.priority.as_str());
        }
        if alert.output_fields.contains_key("context_incomplete") {
            self.stats.alerts_context_incomplete += 1;
        }
        if let Some(w) = &self.webhook {
            let body = serde_json::to_string(alert)?;
            if !w.send(body) {
                self.stats.webhook_dropped += 1;
            }
        }
        let written = self.alerts.send(alert)?;
        if let Some(m) = &self.metrics {
            if written {
                m.alert_written();
            } else {
                m.alert_error();
            }
        }
        if !written && !self.closed {
            // `| head`: standard output is gone, so is the point of running.
            self.closed = true;
            if let Some(stop) = &self.stop {
                stop.stop();
            }
        }
        if let Some((responder, tally)) = &mut self.responder {
            let records = responder
                .respond(alert, process_ref(event))
                .context("response actions")?;
            tally.add(&records);
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
    fn finish(mut self, printer: &Printer) -> anyhow::Result<(EngineStats, ExitStatus)> {
        if let Some(feed) = self.signals.take() {
            let (resources, dropped) = feed.stop();
            printer.note(&format!(
                "resource monitor: {} sweeps, {} signals ({dropped} dropped: queue full)",
                resources.sweeps, resources.detector.signals
            ));
        }
        self.drain_signals()?;
        self.flush()?;
        if let Some(b) = &self.baselines {
            super::baseline::finish(b, printer)?;
        }
        let stats = self.stats();
        self.alerts.finish()?;
        if let Some(w) = self.webhook.take() {
            w.finish(Duration::from_secs(10));
        }
        let status = match &self.responder {
            Some((_, tally)) => tally.finish(printer),
            None => ExitStatus::Success,
        };
        Ok((stats, status))
    }
}

impl harrier_sensor::Sink for Detect {
    type Error = anyhow::Error;

    fn event(&mut self, ev: &SensorEvent) -> anyhow::Result<()> {
        self.handle(ev)
    }

    fn idle(&mut self) -> anyhow::Result<()> {
        self.drain_signals()?;
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

/// Adds the pod's labels, service account, owner and node from the API listing to a
/// container's event: `Some(true)` when the listing has the container, `Some(false)` when it
/// does not (yet), `None` for events outside containers.
fn add_pod_context(event: &mut Event, pods: &NodePods) -> Option<bool> {
    let Event::Syscall(e) = event else {
        return None;
    };
    let container = e.container.as_ref().filter(|c| c.id != "host")?;
    let id = container.full_id.as_deref().unwrap_or(&container.id);
    // Taken per container event only: host processes, most of a node's events, skip the lock.
    let directory = pods.current();
    let Some(found) = directory.container(id) else {
        return Some(false);
    };
    let pod = &found.pod;
    let k8s = e.k8s.get_or_insert_with(K8sContext::default);
    k8s.namespace.get_or_insert_with(|| pod.namespace.clone());
    k8s.pod_name.get_or_insert_with(|| pod.name.clone());
    k8s.pod_uid.get_or_insert_with(|| pod.uid.clone());
    k8s.pod_labels = Some(
        pod.labels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    );
    k8s.service_account = Some(pod.service_account.clone());
    k8s.node = pod.node.clone();
    if let Some(owner) = &pod.owner {
        k8s.owner_kind = Some(owner.kind.clone());
        k8s.owner_name = Some(owner.name.clone());
    }
    if let Some(c) = e.container.as_mut() {
        if c.image.is_none() {
            c.image = found.image.clone();
        }
        if c.name.is_none() {
            c.name = Some(found.name.clone());
        }
    }
    Some(true)
}

/// The process a kill would target: the event's pid and start time. An event without a start
/// time (its `/proc` entry was gone before the proc connector read it) falls back to the pid's
/// process at dispatch, which guards the kill from a pid reused from then on only.
fn process_ref(event: &Event) -> Option<harrier_response::ProcessRef> {
    harrier_response::ProcessRef::from_event(event).or_else(|| {
        let Event::Syscall(e) = event else {
            return None;
        };
        harrier_response::ProcessRef::current(u32::try_from(e.process.pid?).ok()?)
    })
}

/// The node's pods from the first source that answers, as `--kubelet` and `--kubernetes` say.
fn node_pods(args: &SensorArgs, printer: &Printer) -> anyhow::Result<Option<NodePods>> {
    const SERVICE_ACCOUNT_TOKEN: &str = "/var/run/secrets/kubernetes.io/serviceaccount/token";
    if args.kubernetes == KubernetesContext::Off {
        return Ok(None);
    }
    let in_cluster = std::env::var_os("KUBERNETES_SERVICE_HOST").is_some();
    let node = args
        .node_name
        .clone()
        .or_else(|| std::env::var("NODE_NAME").ok().filter(|n| !n.is_empty()))
        .or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
        });
    let mut sources = Vec::new();
    if let Some(url) = &args.kubelet.kubelet {
        let token_file = args.kubelet.kubelet_token_file.clone().or_else(|| {
            let default = Path::new(SERVICE_ACCOUNT_TOKEN);
            (in_cluster && default.exists()).then(|| default.to_owned())
        });
        sources.push(PodSource::Kubelet(KubeletOptions {
            url: url.clone(),
            token_file,
            ca_file: args.kubelet.kubelet_ca.clone(),
            tls_server_name: args.kubelet.kubelet_tls_server_name.clone(),
            insecure_skip_tls_verify: args.kubelet.kubelet_insecure_skip_tls_verify,
        }));
    }
    if args.kubernetes == KubernetesContext::On || in_cluster || args.response.kubeconfig.is_some()
    {
        sources.push(PodSource::Api {
            options: harrier_k8s::cluster::ClusterOptions {
                kubeconfig: args.response.kubeconfig.clone(),
                context: args.response.context.clone(),
                ..harrier_k8s::cluster::ClusterOptions::default()
            },
            node: node.clone(),
        });
    }
    let mut failures = Vec::new();
    for source in sources {
        let from = source.describe();
        match NodePods::start(source, Refresh::default()) {
            Ok(pods) => {
                for failure in &failures {
                    printer.warning(&format!("no pod context from {failure}"));
                }
                printer.note(&format!(
                    "pod context: {} pods on node {} from {from}",
                    pods.current().pods(),
                    node.as_deref().unwrap_or("(all)")
                ));
                return Ok(Some(pods));
            }
            Err(e) => failures.push(format!("{from}: {e}")),
        }
    }
    if failures.is_empty() {
        return Ok(None);
    }
    let failed = failures.join("; ");
    if args.kubernetes == KubernetesContext::On {
        anyhow::bail!("--kubernetes on: no pod context from {failed}");
    }
    printer.warning(&format!(
        "no pod context (events keep the runtime's pod name and namespace) from {failed}"
    ));
    Ok(None)
}

/// The resource monitor on its own thread, unless `--no-resources`.
fn signal_feed(
    args: &SensorArgs,
    host: &str,
    deadline: Option<Instant>,
    printer: &Printer,
) -> anyhow::Result<Option<super::top::SignalFeed>> {
    if args.no_resources {
        return Ok(None);
    }
    let cfg = super::top::config(&args.resources)?;
    let monitor = match ResourceMonitor::new(cfg) {
        Ok(m) => m,
        Err(e) => {
            printer.warning(&format!("no resource signals: {e}"));
            return Ok(None);
        }
    };
    let feed = super::top::SignalFeed::spawn(monitor, host.to_owned(), 1_024, deadline)
        .context("cannot start the resource monitor")?;
    Ok(Some(feed))
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
    let host = super::runtime::hostname(&output);
    let responder = super::response::open(&args.response, printer)?
        .map(|r| (r, super::response::Tally::default()));
    let pods = node_pods(&args, printer)?;
    let mut detect = Detect {
        engine,
        correlator: Correlator::new(CorrelatorConfig::default()),
        signals: None,
        pods,
        responder,
        metrics: None,
        baselines,
        host,
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
    let served = super::metrics::start(&args.metrics, &mut sensor)?;
    detect.metrics = served.as_ref().map(|m| Arc::clone(&m.metrics));
    detect.signals = signal_feed(&args, &detect.host, deadline, printer)?;
    on_signals(sensor.stop_handle())?;
    {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "ready");
    }

    let end = sensor.run(deadline, &mut detect)?;
    let (engine_stats, response_status) = detect.finish(printer)?;
    if let Some(m) = served {
        // After the last counts: a final scrape could still be taken until here.
        m.server.stop();
    }
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
    Ok(response_status)
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
