//! The sensor: starts a collector, runs it on its own thread into a bounded queue, and enriches
//! and hands events to a sink on the caller's thread.
//!
//! The queue drops the newest event when full and counts it (vector's `WhenFull::DropNewest`):
//! a slow sink never makes the collector block, so the kernel side keeps its own accounting
//! (ring buffer losses) and nothing grows without bound. Every stage counts what it received,
//! dropped and failed ([`SensorStats`]).

use std::collections::VecDeque;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::container::Answer;
use crate::enrich::{EnrichConfig, EnrichStats, Enricher};
use crate::event::{self, SensorEvent};
use crate::netlink::{ConnectorCounters, NetlinkError, ProcConnector};

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
    /// How long an event waits for its container's metadata (name, image, pod) while the
    /// runtime is asked; zero passes it on at once, marked `context_incomplete`.
    pub context_wait: Duration,
    /// Events held at most while waiting for container metadata; beyond it they are passed on
    /// incomplete (counted).
    pub hold_capacity: NonZeroUsize,
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
            context_wait: Duration::from_secs(5),
            hold_capacity: NonZeroUsize::new(4_096).unwrap_or(NonZeroUsize::MIN),
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
    /// Events that waited for late container metadata.
    pub late_context: LateStats,
}

/// Counters of the wait for late container context.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LateStats {
    /// Events held while their container's metadata was asked.
    pub held: u64,
    /// Held events passed on complete when the answer came.
    pub completed: u64,
    /// Held events passed on incomplete after waiting `context_wait`.
    pub expired: u64,
    /// Events passed on incomplete at once because the hold was full.
    pub overflow: u64,
    /// The hold's bound.
    pub capacity: usize,
}

/// Events waiting for their container's metadata, in arrival order, bounded in number and in
/// time: an event is held while a lookup for its container is in flight, or behind an earlier
/// held event of its container (so that a container's events keep their order).
#[derive(Debug)]
struct Hold {
    events: VecDeque<(Instant, SensorEvent)>,
    wait: Duration,
    stats: LateStats,
}

impl Hold {
    fn new(wait: Duration, capacity: NonZeroUsize) -> Hold {
        Hold {
            events: VecDeque::new(),
            wait,
            stats: LateStats {
                capacity: capacity.get(),
                ..LateStats::default()
            },
        }
    }

    /// `Some(ev)` to pass on now; `None` when it is held.
    fn offer(
        &mut self,
        ev: SensorEvent,
        pending: impl Fn(&str) -> bool,
        now: Instant,
    ) -> Option<SensorEvent> {
        if self.wait.is_zero() || !ev.missing.contains(&"container_metadata") {
            return Some(ev);
        }
        let Some(id) = ev.container.as_ref().and_then(|c| c.full_id.as_deref()) else {
            return Some(ev);
        };
        let behind = || {
            self.events
                .iter()
                .any(|(_, e)| e.container.as_ref().and_then(|c| c.full_id.as_deref()) == Some(id))
        };
        if !pending(id) && !behind() {
            return Some(ev);
        }
        if self.events.len() >= self.stats.capacity {
            self.stats.overflow += 1;
            return Some(ev);
        }
        self.stats.held += 1;
        self.events.push_back((now, ev));
        None
    }

    /// Completes the held events of the containers whose metadata `answers` bring and moves
    /// them to `out`, in arrival order; then moves those that waited `wait` to `out`,
    /// incomplete. An answer that found nothing leaves its events waiting: the lookup is
    /// asked again (see [`crate::container::ContainerCache::get`]) when the container's next
    /// event comes within the wait.
    fn release(&mut self, answers: &[Answer], now: Instant, out: &mut Vec<SensorEvent>) {
        if answers.iter().any(|a| a.complete) && !self.events.is_empty() {
            let mut keep = VecDeque::with_capacity(self.events.len());
            for (at, mut ev) in self.events.drain(..) {
                let id = ev.container.as_ref().and_then(|c| c.full_id.as_deref());
                match answers
                    .iter()
                    .find(|a| a.complete && Some(a.id.as_str()) == id)
                {
                    Some(a) => {
                        ev.container = Some(Arc::clone(&a.container));
                        ev.missing.retain(|m| *m != "container_metadata");
                        ev.context_incomplete = !ev.missing.is_empty();
                        self.stats.completed += 1;
                        out.push(ev);
                    }
                    None => keep.push_back((at, ev)),
                }
            }
            self.events = keep;
        }
        while let Some((at, _)) = self.events.front()
            && now.saturating_duration_since(*at) >= self.wait
        {
            if let Some((_, ev)) = self.events.pop_front() {
                self.stats.expired += 1;
                out.push(ev);
            }
        }
    }

    /// Everything still held, incomplete.
    fn drain(&mut self, out: &mut Vec<SensorEvent>) {
        self.stats.expired += self.events.len() as u64;
        out.extend(self.events.drain(..).map(|(_, ev)| ev));
    }
}

#[cfg_attr(not(feature = "ebpf"), allow(dead_code))]
enum Item {
    Raw(Vec<u8>),
    Event(Box<SensorEvent>, Option<Box<crate::procs::ProcInfo>>),
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
    hold: Hold,
    released: Vec<SensorEvent>,
    published: Arc<std::sync::Mutex<SensorStats>>,
    last_publish: Instant,
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
                let root = cfg.enrich.proc_root.clone();
                let t = spawn(
                    "sensor-netlink",
                    Box::new(move || {
                        while !sh.stop.load(Ordering::Relaxed) {
                            let r = pc.poll(poll_every, |ev| {
                                // Read the new image now: a short-lived process is gone by the
                                // time the queue hands its exec to enrichment.
                                let info = (ev.evt_type == event::EventType::Execve)
                                    .then(|| crate::procs::read_proc(&root, ev.proc.pid))
                                    .flatten()
                                    .map(Box::new);
                                push(&tx, &sh, Item::Event(Box::new(ev), info));
                            });
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
            boot_to_unix_ns: harrier_core::procfs::boot_to_unix_ns(),
            #[cfg(not(feature = "ebpf"))]
            boot_to_unix_ns: 0,
            queue_capacity: cfg.queue_capacity.get(),
            decode_errors: 0,
            emitted: 0,
            report_existing: cfg.report_existing,
            metrics: None,
            hold: Hold::new(cfg.context_wait, cfg.hold_capacity),
            released: Vec::new(),
            published: Arc::default(),
            last_publish: Instant::now(),
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

    /// A handle that reads the counters from another thread while [`Sensor::run`] runs (a
    /// metrics endpoint): a snapshot taken at most a second ago.
    pub fn stats_handle(&self) -> StatsHandle {
        StatsHandle(Arc::clone(&self.published))
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
            for ev in existing {
                self.pass(ev, sink)?;
            }
        }
        self.publish();
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
            match self.rx.recv_timeout(wait) {
                Ok(item) => self.handle(item, sink)?,
                Err(RecvTimeoutError::Timeout) => {
                    self.release(sink)?;
                    sink.idle()?;
                }
                Err(RecvTimeoutError::Disconnected) => break,
            };
            if self.last_publish.elapsed() >= Duration::from_secs(1) {
                self.publish();
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
        // The last answers, within the same bound an event waits in the run.
        let until = Instant::now() + self.hold.wait;
        while !self.hold.events.is_empty() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
            self.release(sink)?;
        }
        let mut rest = std::mem::take(&mut self.released);
        self.hold.drain(&mut rest);
        for ev in rest.drain(..) {
            self.emit(&ev, sink)?;
        }
        self.released = rest;
        self.publish();
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
            Item::Event(ev, proc_info) => (
                *ev,
                event::Pending {
                    proc_info,
                    ..event::Pending::default()
                },
            ),
        };
        self.release(sink)?;
        if let Some(ev) = self.enricher.enrich(ev, pending) {
            self.pass(ev, sink)?;
        }
        Ok(())
    }

    /// Hands `ev` to the sink, unless it waits for its container's metadata.
    fn pass<S: Sink>(&mut self, ev: SensorEvent, sink: &mut S) -> Result<(), S::Error> {
        let enricher = &self.enricher;
        if let Some(ev) =
            self.hold
                .offer(ev, |id| enricher.is_container_pending(id), Instant::now())
        {
            self.emit(&ev, sink)?;
        }
        Ok(())
    }

    /// The one place an event leaves for the sink, counted.
    fn emit<S: Sink>(&mut self, ev: &SensorEvent, sink: &mut S) -> Result<(), S::Error> {
        self.emitted += 1;
        if let Some(m) = &self.metrics {
            m.record_event(ev);
        }
        sink.event(ev)
    }

    /// Hands on the held events whose container metadata arrived or whose wait is over.
    fn release<S: Sink>(&mut self, sink: &mut S) -> Result<(), S::Error> {
        let answers = self.enricher.poll_containers();
        if answers.is_empty() && self.hold.events.is_empty() {
            return Ok(());
        }
        let mut out = std::mem::take(&mut self.released);
        self.hold.release(&answers, Instant::now(), &mut out);
        let mut result = Ok(());
        for ev in out.drain(..) {
            if result.is_ok() {
                result = self.emit(&ev, sink);
            }
        }
        self.released = out;
        result
    }

    /// Publishes the counters to [`StatsHandle`]s and the metrics, about once a second.
    fn publish(&mut self) {
        self.last_publish = Instant::now();
        let now = self.stats();
        if let Some(m) = &self.metrics {
            m.publish(now.clone(), self.collector);
        }
        if let Ok(mut g) = self.published.lock() {
            *g = now;
        }
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
            late_context: self.hold.stats,
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

/// Reads a running sensor's counters from another thread.
#[derive(Clone, Debug)]
pub struct StatsHandle(Arc<std::sync::Mutex<SensorStats>>);

impl StatsHandle {
    /// The counters as the sensor last published them (every second while it runs, and at its
    /// end).
    pub fn snapshot(&self) -> SensorStats {
        self.0.lock().map(|g| g.clone()).unwrap_or_default()
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Container, EventType, Process, Source};

    const ID: &str = "74c040c4e7d19bb459446c7b36810a7e1243c4e43d998bbca191402c9b4b0056";

    fn event(pid: u32, id: &str, missing: Vec<&'static str>) -> SensorEvent {
        let mut ev = SensorEvent::new(
            Source::Ebpf,
            EventType::Execve,
            1,
            Process {
                pid,
                ..Process::default()
            },
        );
        ev.container = Some(Arc::new(Container {
            id: id[..12].to_owned(),
            full_id: Some(id.to_owned()),
            ..Container::default()
        }));
        ev.context_incomplete = !missing.is_empty();
        ev.missing = missing;
        ev
    }

    fn answer(id: &str, complete: bool) -> Answer {
        Answer {
            id: id.to_owned(),
            container: Arc::new(Container {
                id: id[..12].to_owned(),
                full_id: Some(id.to_owned()),
                pod_name: complete.then(|| "web-1".to_owned()),
                ..Container::default()
            }),
            complete,
        }
    }

    #[test]
    fn late_metadata_completes_the_held_events_in_order() {
        let other = "a".repeat(64);
        let mut hold = Hold::new(Duration::from_secs(2), NonZeroUsize::MIN.saturating_add(9));
        let t0 = Instant::now();
        let pending = |id: &str| id == ID || id == other;
        // Held: metadata missing and asked.
        assert!(
            hold.offer(event(1, ID, vec!["container_metadata"]), pending, t0)
                .is_none()
        );
        assert!(
            hold.offer(event(2, &other, vec!["container_metadata"]), pending, t0)
                .is_none()
        );
        assert!(
            hold.offer(event(3, ID, vec!["container_metadata", "cwd"]), pending, t0)
                .is_none()
        );
        // Passed on: complete, or of a container not asked about.
        assert!(hold.offer(event(4, ID, vec![]), pending, t0).is_some());
        let third = "b".repeat(64);
        assert!(
            hold.offer(event(5, &third, vec!["container_metadata"]), |_| false, t0)
                .is_some()
        );
        // Held behind the earlier events of its container, asked about or not.
        assert!(
            hold.offer(event(6, ID, vec!["container_metadata"]), |_| false, t0)
                .is_none()
        );

        let mut out = Vec::new();
        hold.release(&[answer(ID, true)], t0, &mut out);
        let pids: Vec<u32> = out.iter().map(|e| e.proc.pid).collect();
        assert_eq!(pids, [1, 3, 6]);
        assert!(!out[0].context_incomplete);
        assert!(out[0].missing.is_empty());
        assert_eq!(
            out[0].container.as_ref().unwrap().pod_name.as_deref(),
            Some("web-1")
        );
        // Still incomplete for what else is missing.
        assert!(out[1].context_incomplete);
        assert_eq!(out[1].missing, ["cwd"]);

        // The other container's runtime never answers: it waits its bound, then goes on.
        out.clear();
        hold.release(&[], t0 + Duration::from_secs(1), &mut out);
        assert!(out.is_empty());
        hold.release(&[], t0 + Duration::from_secs(2), &mut out);
        assert_eq!(out.len(), 1);
        assert!(out[0].context_incomplete);
        assert_eq!(out[0].missing, ["container_metadata"]);
        assert_eq!(
            hold.stats,
            LateStats {
                held: 4,
                completed: 3,
                expired: 1,
                overflow: 0,
                capacity: 10,
            }
        );
    }

    #[test]
    fn the_hold_is_bounded_and_keeps_a_containers_order_across_a_failed_lookup() {
        let mut hold = Hold::new(Duration::from_secs(2), NonZeroUsize::MIN.saturating_add(1));
        let t0 = Instant::now();
        assert!(
            hold.offer(event(1, ID, vec!["container_metadata"]), |_| true, t0)
                .is_none()
        );
        let mut out = Vec::new();
        // The lookup found nothing: the event keeps waiting for the retry.
        hold.release(&[answer(ID, false)], t0, &mut out);
        assert!(out.is_empty());
        // A later event of the container, while no lookup is in flight, waits behind it.
        assert!(
            hold.offer(event(2, ID, vec!["container_metadata"]), |_| false, t0)
                .is_none()
        );
        // Full.
        assert!(
            hold.offer(event(3, ID, vec!["container_metadata"]), |_| true, t0)
                .is_some()
        );
        assert_eq!(hold.stats.overflow, 1);
        hold.release(&[answer(ID, true)], t0, &mut out);
        let pids: Vec<u32> = out.iter().map(|e| e.proc.pid).collect();
        assert_eq!(pids, [1, 2]);
        assert!(out.iter().all(|e| !e.context_incomplete));
        // Zero wait: nothing is ever held.
        let mut none = Hold::new(Duration::ZERO, NonZeroUsize::MIN);
        assert!(
            none.offer(event(1, ID, vec!["container_metadata"]), |_| true, t0)
                .is_some()
        );
    }
}
