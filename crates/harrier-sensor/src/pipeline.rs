//! The sensor: starts a collector, runs it on its own thread into a bounded queue, and enriches
//! and hands events to a sink on the caller's thread.
//!
//! The queue drops the newest event when full and counts it (vector's `WhenFull::DropNewest`):
//! a slow sink never makes the collector block, so the kernel side keeps its own accounting
//! (ring buffer losses) and nothing grows without bound. Every stage counts what it received,
//! dropped and failed ([`SensorStats`]).

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::enrich::{EnrichConfig, EnrichStats, Enricher};
use crate::event::{self, SensorEvent};
use crate::netlink::{ConnectorCounters, NetlinkError, ProcConnector};

/// How often a running sensor copies its counters into its metrics.
const METRICS_EVERY: Duration = Duration::from_secs(1);

/// Which collector to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// eBPF where it loads, else the proc connector.
    #[default]
    Auto,
    /// eBPF only: fail when it cannot attach.
    Ebpf,
    /// The proc connector only (exec, fork, exit).
    ProcConnector,
}

/// Settings of the sensor.
#[derive(Debug, Clone)]
pub struct SensorConfig {
    /// The collector.
    pub mode: Mode,
    /// Events between the collector and enrichment.
    pub queue_capacity: NonZeroUsize,
    /// eBPF options.
    #[cfg(feature = "ebpf")]
    pub ebpf: crate::ebpf::EbpfOptions,
    /// Enrichment options.
    pub enrich: EnrichConfig,
    /// Report the processes running at start (`existing` events).
    pub report_existing: bool,
}

impl Default for SensorConfig {
    fn default() -> Self {
        SensorConfig {
            mode: Mode::Auto,
            queue_capacity: NonZeroUsize::new(8_192).unwrap_or(NonZeroUsize::MIN),
            #[cfg(feature = "ebpf")]
            ebpf: crate::ebpf::EbpfOptions::default(),
            enrich: EnrichConfig::default(),
            report_existing: true,
        }
    }
}

/// Starting the sensor failed.
#[derive(Debug, thiserror::Error)]
pub enum SensorError {
    /// The eBPF collector could not start.
    #[cfg(feature = "ebpf")]
    #[error("the eBPF collector could not start")]
    Ebpf(#[source] Box<crate::ebpf::EbpfError>),
    /// eBPF was asked for but this build has no eBPF support.
    #[error("this build of harrier has no eBPF support (cargo feature `sensor-ebpf`)")]
    NoEbpfSupport,
    /// The proc connector could not start.
    #[error("the proc connector could not start")]
    Netlink(#[source] NetlinkError),
    /// Neither collector could start.
    #[error("no collector could start: eBPF: {ebpf}; proc connector: {netlink}")]
    Nothing {
        /// Why eBPF failed.
        ebpf: String,
        /// Why the proc connector failed.
        netlink: String,
    },
    /// The collector thread could not be started.
    #[error("cannot start the collector thread")]
    Thread(#[source] std::io::Error),
}

/// Which collector runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Collector {
    /// The BPF programs.
    Ebpf,
    /// The proc connector.
    ProcConnector,
}

/// Everything the sensor counted.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SensorStats {
    /// Kernel-side counters (eBPF).
    #[cfg(feature = "ebpf")]
    pub kernel: crate::ebpf::KernelCounters,
    /// Proc connector counters.
    pub connector: ConnectorCounters,
    /// Records taken from the collector.
    pub collected: u64,
    /// Records dropped because the queue was full.
    pub queue_dropped: u64,
    /// The queue's bound.
    pub queue_capacity: usize,
    /// Records that could not be decoded.
    pub decode_errors: u64,
    /// Events handed to the sink.
    pub emitted: u64,
    /// Enrichment.
    pub enrich: EnrichStats,
}

#[cfg_attr(not(feature = "ebpf"), allow(dead_code))]
enum Item {
    Raw(Vec<u8>),
    Event(Box<SensorEvent>),
}

#[derive(Default)]
#[cfg_attr(not(feature = "ebpf"), allow(dead_code))]
struct Shared {
    stop: AtomicBool,
    collected: AtomicU64,
    dropped: AtomicU64,
    kernel: [AtomicU64; 4],
    connector: [AtomicU64; 3],
    error: std::sync::Mutex<Option<String>>,
}

/// A started sensor.
pub struct Sensor {
    collector: Collector,
    attached: Vec<String>,
    unavailable: Vec<(String, String)>,
    rx: Receiver<Item>,
    thread: Option<JoinHandle<()>>,
    shared: Arc<Shared>,
    enricher: Enricher,
    boot_to_unix_ns: u64,
    queue_capacity: usize,
    decode_errors: u64,
    emitted: u64,
    report_existing: bool,
    metrics: Option<Arc<crate::metrics::SensorMetrics>>,
    handled_since_publish: u32,
}

impl std::fmt::Debug for Sensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sensor")
            .field("collector", &self.collector)
            .field("attached", &self.attached)
            .field("unavailable", &self.unavailable)
            .finish_non_exhaustive()
    }
}

fn push(tx: &SyncSender<Item>, shared: &Shared, item: Item) {
    shared.collected.fetch_add(1, Ordering::Relaxed);
    match tx.try_send(item) {
        Ok(()) => {}
        Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
            shared.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn record_error(shared: &Shared, e: &dyn std::error::Error) {
    if let Ok(mut g) = shared.error.lock() {
        *g = Some(e.to_string());
    }
    shared.stop.store(true, Ordering::Relaxed);
}

impl Sensor {
    /// Starts the collector (attaching everything before returning) and scans /proc.
    pub fn start(cfg: SensorConfig) -> Result<Sensor, SensorError> {
        let (tx, rx) = sync_channel(cfg.queue_capacity.get());
        let shared = Arc::new(Shared::default());
        let mut unavailable = Vec::new();
        let mut attached = Vec::new();
        let poll_every = Duration::from_millis(100);

        #[cfg(feature = "ebpf")]
        let ebpf = match cfg.mode {
            Mode::ProcConnector => None,
            Mode::Ebpf => Some(
                crate::ebpf::EbpfCollector::start(&cfg.ebpf)
                    .map_err(|e| SensorError::Ebpf(Box::new(e)))?,
            ),
            Mode::Auto => match crate::ebpf::EbpfCollector::start(&cfg.ebpf) {
                Ok(c) => Some(c),
                Err(e) => {
                    let why = chain(&e);
                    tracing::warn!("eBPF is not available ({why}); using the proc connector");
                    unavailable.push(("ebpf".to_owned(), why));
                    None
                }
            },
        };
        #[cfg(not(feature = "ebpf"))]
        let ebpf: Option<()> = match cfg.mode {
            Mode::Ebpf => return Err(SensorError::NoEbpfSupport),
            Mode::Auto => {
                unavailable.push(("ebpf".to_owned(), "not built in".to_owned()));
                None
            }
            Mode::ProcConnector => None,
        };

        let spawn = |name: &str, f: Box<dyn FnOnce() + Send>| {
            std::thread::Builder::new()
                .name(name.to_owned())
                .spawn(f)
                .map_err(SensorError::Thread)
        };

        let (collector, thread) = match ebpf {
            #[cfg(feature = "ebpf")]
            Some(mut c) => {
                attached.extend(c.attached.iter().cloned());
                unavailable.extend(
                    c.unavailable
                        .iter()
                        .map(|u| (u.what.clone(), u.reason.clone())),
                );
                let sh = Arc::clone(&shared);
                let t = spawn(
                    "sensor-ebpf",
                    Box::new(move || {
                        let mut last = Instant::now();
                        while !sh.stop.load(Ordering::Relaxed) {
                            let r = c.poll(poll_every, |bytes| {
                                push(&tx, &sh, Item::Raw(bytes.to_vec()));
                            });
                            if let Err(e) = r {
                                record_error(&sh, &e);
                                break;
                            }
                            if last.elapsed() >= poll_every {
                                store_kernel(&sh, &c);
                                last = Instant::now();
                            }
                        }
                        // Stop reporting, then drain what is already in the ring.
                        let _ = c.pause();
                        let _ = c.poll(Duration::ZERO, |bytes| {
                            push(&tx, &sh, Item::Raw(bytes.to_vec()));
                        });
                        store_kernel(&sh, &c);
                    }),
                )?;
                (Collector::Ebpf, t)
            }
            #[cfg(not(feature = "ebpf"))]
            Some(()) => unreachable!("no eBPF collector exists without the feature"),
            None => {
                let mut pc = ProcConnector::open().map_err(|e| match cfg.mode {
                    Mode::Auto => SensorError::Nothing {
                        ebpf: unavailable.first().map(|u| u.1.clone()).unwrap_or_default(),
                        netlink: chain(&e),
                    },
                    _ => SensorError::Netlink(e),
                })?;
                attached.push("proc connector (exec, fork, exit)".to_owned());
                let sh = Arc::clone(&shared);
                let t = spawn(
                    "sensor-netlink",
                    Box::new(move || {
                        while !sh.stop.load(Ordering::Relaxed) {
                            let r =
                                pc.poll(poll_every, |ev| push(&tx, &sh, Item::Event(Box::new(ev))));
                            if let Err(e) = r {
                                record_error(&sh, &e);
                                break;
                            }
                            let c = pc.counters();
                            for (slot, v) in
                                sh.connector
                                    .iter()
                                    .zip([c.received, c.overflows, c.malformed])
                            {
                                slot.store(v, Ordering::Relaxed);
                            }
                        }
                    }),
                )?;
                (Collector::ProcConnector, t)
            }
        };

        Ok(Sensor {
            collector,
            attached,
            unavailable,
            rx,
            thread: Some(thread),
            shared,
            enricher: Enricher::new(cfg.enrich),
            #[cfg(feature = "ebpf")]
            boot_to_unix_ns: crate::ebpf::boot_to_unix_ns(),
            #[cfg(not(feature = "ebpf"))]
            boot_to_unix_ns: 0,
            queue_capacity: cfg.queue_capacity.get(),
            decode_errors: 0,
            emitted: 0,
            report_existing: cfg.report_existing,
            metrics: None,
            handled_since_publish: 0,
        })
    }

    /// The collector that runs.
    pub fn collector(&self) -> Collector {
        self.collector
    }

    /// What was attached.
    pub fn attached(&self) -> &[String] {
        &self.attached
    }

    /// What the kernel did not offer: (what, why).
    pub fn unavailable(&self) -> &[(String, String)] {
        &self.unavailable
    }

    /// Counts into `metrics` from now on: each event handed to the sink, and the counters of
    /// [`Sensor::stats`] about once a second while running (and at its end).
    pub fn set_metrics(&mut self, metrics: Arc<crate::metrics::SensorMetrics>) {
        metrics.publish(self.stats(), self.collector);
        self.metrics = Some(metrics);
    }

    fn publish_metrics(&mut self) {
        self.handled_since_publish = 0;
        if let Some(m) = &self.metrics {
            m.publish(self.stats(), self.collector);
        }
    }

    /// A handle that stops [`Sensor::run`] from another thread or a signal handler.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(Arc::clone(&self.shared))
    }

    /// Runs until `deadline` (or a stop), handing each event to `sink` (and calling its
    /// `idle` whenever no event came for 200 ms). A sink error stops the run and is returned.
    /// The `existing` events of the /proc scan come first.
    pub fn run<S: Sink>(
        &mut self,
        deadline: Option<Instant>,
        sink: &mut S,
    ) -> Result<RunEnd, S::Error> {
        let now_ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        let existing = self.enricher.scan(now_ns);
        if self.report_existing {
            for ev in &existing {
                sink.event(ev)?;
                self.emitted += 1;
                if let Some(m) = &self.metrics {
                    m.record_event(ev);
                }
            }
        }
        self.publish_metrics();
        let mut last_publish = Instant::now();
        loop {
            if self.shared.stop.load(Ordering::Relaxed) {
                break;
            }
            let wait = match deadline {
                Some(d) => match d.checked_duration_since(Instant::now()) {
                    Some(left) => left.min(Duration::from_millis(200)),
                    None => break,
                },
                None => Duration::from_millis(200),
            };
            let idle = match self.rx.recv_timeout(wait) {
                Ok(item) => {
                    self.handle(item, sink)?;
                    false
                }
                Err(RecvTimeoutError::Timeout) => {
                    sink.idle()?;
                    true
                }
                Err(RecvTimeoutError::Disconnected) => break,
            };
            if self.metrics.is_some() {
                // Read the clock every 64 records and when idle, not per event.
                self.handled_since_publish += 1;
                if idle || self.handled_since_publish >= 64 {
                    self.handled_since_publish = 0;
                    if last_publish.elapsed() >= METRICS_EVERY {
                        self.publish_metrics();
                        last_publish = Instant::now();
                    }
                }
            }
        }
        // Stop the collector, then drain the queue.
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        while let Ok(item) = self.rx.try_recv() {
            self.handle(item, sink)?;
        }
        self.publish_metrics();
        let error = self.shared.error.lock().ok().and_then(|g| g.clone());
        Ok(RunEnd { error })
    }

    fn handle<S: Sink>(&mut self, item: Item, sink: &mut S) -> Result<(), S::Error> {
        let (ev, pending) = match item {
            Item::Raw(bytes) => match event::decode(&bytes, self.boot_to_unix_ns) {
                Ok(x) => x,
                Err(e) => {
                    self.decode_errors += 1;
                    tracing::debug!("undecodable record: {e}");
                    return Ok(());
                }
            },
            Item::Event(ev) => (*ev, event::Pending::default()),
        };
        if let Some(ev) = self.enricher.enrich(ev, pending) {
            sink.event(&ev)?;
            self.emitted += 1;
            if let Some(m) = &self.metrics {
                m.record_event(&ev);
            }
        }
        Ok(())
    }

    /// The counters so far.
    pub fn stats(&self) -> SensorStats {
        let sh = &self.shared;
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        SensorStats {
            #[cfg(feature = "ebpf")]
            kernel: crate::ebpf::KernelCounters {
                seen: load(&sh.kernel[0]),
                lost: load(&sh.kernel[1]),
                filtered: load(&sh.kernel[2]),
                unpaired: load(&sh.kernel[3]),
            },
            connector: ConnectorCounters {
                received: load(&sh.connector[0]),
                overflows: load(&sh.connector[1]),
                malformed: load(&sh.connector[2]),
            },
            collected: load(&sh.collected),
            queue_dropped: load(&sh.dropped),
            queue_capacity: self.queue_capacity,
            decode_errors: self.decode_errors,
            emitted: self.emitted,
            enrich: self.enricher.stats(),
        }
    }
}

impl Drop for Sensor {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Where events go.
pub trait Sink {
    /// The sink's error.
    type Error;
    /// One event.
    fn event(&mut self, ev: &SensorEvent) -> Result<(), Self::Error>;
    /// No event came for a while: a chance to flush.
    fn idle(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Writes events as JSON lines, flushing at most every 100 ms while busy and whenever idle, so
/// that readers of the file (tail -f, tests) stay current without a flush per event.
#[derive(Debug)]
pub struct JsonLines<W: std::io::Write> {
    out: W,
    last_flush: Instant,
}

impl<W: std::io::Write> JsonLines<W> {
    /// Writes to `out` (give it a buffer).
    pub fn new(out: W) -> Self {
        JsonLines {
            out,
            last_flush: Instant::now(),
        }
    }

    /// Flushes and returns the writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: std::io::Write> Sink for JsonLines<W> {
    type Error = std::io::Error;

    fn event(&mut self, ev: &SensorEvent) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.out, ev)?;
        self.out.write_all(b"\n")?;
        if self.last_flush.elapsed() >= Duration::from_millis(100) {
            self.out.flush()?;
            self.last_flush = Instant::now();
        }
        Ok(())
    }

    fn idle(&mut self) -> std::io::Result<()> {
        self.last_flush = Instant::now();
        self.out.flush()
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunEnd {
    /// The collector's error, when it stopped on one.
    pub error: Option<String>,
}

/// Stops a running sensor.
#[derive(Clone)]
pub struct StopHandle(Arc<Shared>);

impl std::fmt::Debug for StopHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StopHandle")
    }
}

impl StopHandle {
    /// Asks the sensor to stop.
    pub fn stop(&self) {
        self.0.stop.store(true, Ordering::Relaxed);
    }
}

#[cfg(feature = "ebpf")]
fn store_kernel(sh: &Shared, c: &crate::ebpf::EbpfCollector) {
    let k = c.counters();
    for (slot, v) in sh
        .kernel
        .iter()
        .zip([k.seen, k.lost, k.filtered, k.unpaired])
    {
        slot.store(v, Ordering::Relaxed);
    }
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        s.push_str(": ");
        s.push_str(&c.to_string());
        src = c.source();
    }
    s
}
