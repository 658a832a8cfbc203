//! The sensor's Prometheus metrics: what it saw, dropped and enriched, the rules that matched and
//! the alerts it wrote, and the `process_*` metrics of the sensor itself.
//!
//! Shape: the hot path is one relaxed atomic add per event ([`SensorMetrics::record_event`],
//! into a fixed array indexed by event type and collector: no lock, no hashing, no allocation).
//! Everything the sensor already counts ([`SensorStats`]) is copied in as a snapshot about once a
//! second by the sensor's loop ([`SensorMetrics::publish`], one short lock per second), rather
//! than mirrored atomic by atomic. Rule-match series are created on a rule's first match (a
//! write lock, once per rule and priority) and bounded ([`MAX_RULE_SERIES`]); the engine can
//! keep a [`RuleCounter`] per rule to skip even the read lock. Rendering happens at scrape time,
//! on the metrics server's thread ([`harrier_serve::Collect`]).
//!
//! Counters restart at zero with the process, as Prometheus expects (`rate()` handles resets).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use harrier_serve::process::ProcessCollector;
use harrier_serve::{Collect, Kind, Writer};

use crate::event::{EventType, SensorEvent, Source, Syscall};
use crate::pipeline::{Collector, SensorStats};

/// Rule-match series kept (rule × priority); matches beyond are counted without labels in
/// `harrier_sensor_rule_matches_unlabelled_total`.
pub const MAX_RULE_SERIES: usize = 4_096;

const LIFECYCLE: [(EventType, &str); 4] = [
    (EventType::Execve, "execve"),
    (EventType::Fork, "clone"),
    (EventType::Procexit, "procexit"),
    (EventType::Existing, "existing"),
];
const SOURCES: [(Source, &str); 3] = [
    (Source::Ebpf, "ebpf"),
    (Source::ProcConnector, "proc_connector"),
    (Source::Procfs, "procfs"),
];

/// The sensor's metrics. Share it (`Arc`) between the sensor
/// ([`Sensor::set_metrics`](crate::Sensor::set_metrics)), the rule engine's sink and the metrics
/// server.
pub struct SensorMetrics {
    /// `evt.type` label per slot; the last slot is `other`.
    type_names: Vec<&'static str>,
    /// Events per (slot, source): `slot * SOURCES.len() + source`.
    events: Box<[AtomicU64]>,
    stats: Mutex<Option<Snapshot>>,
    rules: RwLock<BTreeMap<String, BTreeMap<String, Arc<AtomicU64>>>>,
    rule_series: AtomicU64,
    rules_unlabelled: Arc<AtomicU64>,
    alerts_written: AtomicU64,
    alert_errors: AtomicU64,
    process: ProcessCollector,
}

#[derive(Debug, Clone)]
struct Snapshot {
    stats: SensorStats,
    collector: Collector,
    at_unix_seconds: f64,
}

impl std::fmt::Debug for SensorMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SensorMetrics")
            .field("rule_series", &self.rule_series.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Default for SensorMetrics {
    fn default() -> Self {
        SensorMetrics::new()
    }
}

/// A rule's match counter, for a sink that matches often and wants no lock at all. Beyond
/// [`MAX_RULE_SERIES`] it counts into the unlabelled total.
#[derive(Debug, Clone)]
pub struct RuleCounter(Arc<AtomicU64>);

impl RuleCounter {
    /// One match.
    #[inline]
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

impl SensorMetrics {
    /// Empty metrics, reading the sensor's own process metrics from `/proc/self`.
    pub fn new() -> Self {
        let syscall_slots = Syscall::ALL
            .iter()
            .map(|(s, _, _)| *s as usize + 1)
            .max()
            .unwrap_or(0);
        let mut type_names = vec![""; LIFECYCLE.len() + syscall_slots];
        for (i, (_, name)) in LIFECYCLE.iter().enumerate() {
            type_names[i] = name;
        }
        for (s, _, _) in Syscall::ALL {
            type_names[LIFECYCLE.len() + *s as usize] = s.name();
        }
        type_names.push("other");
        let events = (0..type_names.len() * SOURCES.len())
            .map(|_| AtomicU64::new(0))
            .collect();
        SensorMetrics {
            type_names,
            events,
            stats: Mutex::new(None),
            rules: RwLock::new(BTreeMap::new()),
            rule_series: AtomicU64::new(0),
            rules_unlabelled: Arc::new(AtomicU64::new(0)),
            alerts_written: AtomicU64::new(0),
            alert_errors: AtomicU64::new(0),
            process: ProcessCollector::default(),
        }
    }

    fn slot(&self, t: EventType) -> usize {
        let other = self.type_names.len() - 1;
        match t {
            EventType::Execve => 0,
            EventType::Fork => 1,
            EventType::Procexit => 2,
            EventType::Existing => 3,
            EventType::Syscall(s) => {
                let i = LIFECYCLE.len() + s as usize;
                // A syscall not in `Syscall::ALL` (none is traced that is not) has no name.
                match self.type_names.get(i) {
                    Some(n) if !n.is_empty() && i < other => i,
                    _ => other,
                }
            }
        }
    }

    /// One event handed to the sink (the sensor calls this).
    #[inline]
    pub fn record_event(&self, ev: &SensorEvent) {
        let source = match ev.source {
            Source::Ebpf => 0,
            Source::ProcConnector => 1,
            Source::Procfs => 2,
        };
        let i = self.slot(ev.evt_type) * SOURCES.len() + source;
        if let Some(c) = self.events.get(i) {
            c.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The sensor's counters as they are now (the sensor calls this about once a second).
    pub fn publish(&self, stats: SensorStats, collector: Collector) {
        let at_unix_seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        if let Ok(mut g) = self.stats.lock() {
            *g = Some(Snapshot {
                stats,
                collector,
                at_unix_seconds,
            });
        }
    }

    /// A rule matched (the engine's sink calls this per alert).
    pub fn rule_match(&self, rule: &str, priority: &str) {
        if let Ok(g) = self.rules.read()
            && let Some(c) = g.get(rule).and_then(|p| p.get(priority))
        {
            c.fetch_add(1, Ordering::Relaxed);
            return;
        }
        match self.rule_series(rule, priority) {
            Some(c) => c.fetch_add(1, Ordering::Relaxed),
            None => self.rules_unlabelled.fetch_add(1, Ordering::Relaxed),
        };
    }

    /// The match counter of a rule at a priority, created now (at zero) so that the series is
    /// scraped before its first match; hold it to count matches without a lock.
    pub fn rule_counter(&self, rule: &str, priority: &str) -> RuleCounter {
        RuleCounter(
            self.rule_series(rule, priority)
                .unwrap_or_else(|| Arc::clone(&self.rules_unlabelled)),
        )
    }

    fn rule_series(&self, rule: &str, priority: &str) -> Option<Arc<AtomicU64>> {
        let mut g = self.rules.write().ok()?;
        if let Some(c) = g.get(rule).and_then(|p| p.get(priority)) {
            return Some(Arc::clone(c));
        }
        if self.rule_series.load(Ordering::Relaxed) >= MAX_RULE_SERIES as u64 {
            return None;
        }
        self.rule_series.fetch_add(1, Ordering::Relaxed);
        let c = Arc::new(AtomicU64::new(0));
        g.entry(rule.to_owned())
            .or_default()
            .insert(priority.to_owned(), Arc::clone(&c));
        Some(c)
    }

    /// An alert was written to its output.
    pub fn alert_written(&self) {
        self.alerts_written.fetch_add(1, Ordering::Relaxed);
    }

    /// An alert could not be written or delivered.
    pub fn alert_error(&self) {
        self.alert_errors.fetch_add(1, Ordering::Relaxed);
    }
}

impl Collect for SensorMetrics {
    fn collect(&self, w: &mut Writer<'_>) {
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        {
            let mut f = w.family(
                "harrier_sensor_events_total",
                "Events handed on by the sensor (to rules and outputs), by evt.type and collector.",
                Kind::Counter,
            );
            for (slot, name) in self.type_names.iter().enumerate() {
                for (s, (_, source)) in SOURCES.iter().enumerate() {
                    let n = self.events.get(slot * SOURCES.len() + s).map_or(0, load);
                    if n > 0 {
                        f.sample(&[("type", name), ("source", source)], n);
                    }
                }
            }
        }
        let snapshot = self.stats.lock().ok().and_then(|g| g.clone());
        if let Some(Snapshot {
            stats: s,
            collector,
            at_unix_seconds,
        }) = &snapshot
        {
            write_stats(w, s, *collector, *at_unix_seconds);
        }
        {
            let mut f = w.family(
                "harrier_sensor_rule_matches_total",
                "Rule matches, by rule and priority.",
                Kind::Counter,
            );
            if let Ok(g) = self.rules.read() {
                for (rule, by_priority) in g.iter() {
                    for (priority, c) in by_priority {
                        f.sample(&[("rule", rule), ("priority", priority)], load(c));
                    }
                }
            }
        }
        w.family(
            "harrier_sensor_rule_matches_unlabelled_total",
            "Rule matches not counted by rule because the number of rule series reached its bound.",
            Kind::Counter,
        )
        .sample(&[], load(&self.rules_unlabelled));
        w.family(
            "harrier_sensor_alerts_written_total",
            "Alerts written to their output.",
            Kind::Counter,
        )
        .sample(&[], load(&self.alerts_written));
        w.family(
            "harrier_sensor_alert_errors_total",
            "Alerts that could not be written or delivered.",
            Kind::Counter,
        )
        .sample(&[], load(&self.alert_errors));
        self.process.collect(w);
    }
}

fn counter(w: &mut Writer<'_>, name: &'static str, help: &str, v: u64) {
    w.family(name, help, Kind::Counter).sample(&[], v);
}

fn write_stats(w: &mut Writer<'_>, s: &SensorStats, collector: Collector, at: f64) {
    let name = match collector {
        Collector::Ebpf => "ebpf",
        Collector::ProcConnector => "proc_connector",
    };
    w.family(
        "harrier_sensor_collector_info",
        "The collector that runs (value 1).",
        Kind::Gauge,
    )
    .sample(&[("collector", name)], 1u64);
    w.family(
        "harrier_sensor_stats_timestamp_seconds",
        "When the sensor last published its counters (a stale value means a stuck pipeline).",
        Kind::Gauge,
    )
    .sample(&[], at);
    counter(
        w,
        "harrier_sensor_records_collected_total",
        "Records taken from the collector, before decoding and enrichment.",
        s.collected,
    );
    #[cfg(feature = "ebpf")]
    {
        counter(
            w,
            "harrier_sensor_kernel_events_total",
            "Events that passed the in-kernel filters (eBPF).",
            s.kernel.seen,
        );
        counter(
            w,
            "harrier_sensor_kernel_lost_total",
            "Events lost in the kernel because the eBPF ring buffer was full.",
            s.kernel.lost,
        );
        counter(
            w,
            "harrier_sensor_kernel_filtered_total",
            "Events dropped by the in-kernel filters (the sensor's own activity and the like).",
            s.kernel.filtered,
        );
        counter(
            w,
            "harrier_sensor_kernel_unpaired_total",
            "Syscall exits seen without their entry.",
            s.kernel.unpaired,
        );
    }
    counter(
        w,
        "harrier_sensor_queue_dropped_total",
        "Records dropped because the queue between collector and enrichment was full.",
        s.queue_dropped,
    );
    w.family(
        "harrier_sensor_queue_capacity",
        "The bound of the queue between collector and enrichment, in records.",
        Kind::Gauge,
    )
    .sample(&[], s.queue_capacity as u64);
    counter(
        w,
        "harrier_sensor_decode_errors_total",
        "Kernel records that could not be decoded.",
        s.decode_errors,
    );
    counter(
        w,
        "harrier_sensor_proc_connector_messages_total",
        "Messages received from the proc connector.",
        s.connector.received,
    );
    counter(
        w,
        "harrier_sensor_proc_connector_overflows_total",
        "Times the proc connector socket overflowed (events lost, how many unknown).",
        s.connector.overflows,
    );
    counter(
        w,
        "harrier_sensor_proc_connector_malformed_total",
        "Proc connector messages that could not be parsed.",
        s.connector.malformed,
    );
    let e = &s.enrich;
    counter(
        w,
        "harrier_sensor_context_incomplete_total",
        "Events marked context_incomplete (process or container context not found).",
        e.incomplete,
    );
    counter(
        w,
        "harrier_sensor_own_children_dropped_total",
        "Events of the sensor's own child processes (runtime CLIs it runs), dropped.",
        e.own_children,
    );
    w.family(
        "harrier_sensor_enrich_cache_hits_total",
        "Enrichment lookups answered from a cache, by cache.",
        Kind::Counter,
    )
    .sample(&[("cache", "cgroup")], e.cgroup_hits)
    .sample(&[("cache", "container")], e.containers.hits);
    w.family(
        "harrier_sensor_enrich_cache_misses_total",
        "Enrichment lookups the cache could not answer (cgroup: path parsed; container: runtime asked), by cache.",
        Kind::Counter,
    )
    .sample(&[("cache", "cgroup")], e.cgroup_misses)
    .sample(&[("cache", "container")], e.containers.misses);
    w.family(
        "harrier_sensor_enrich_cache_entries",
        "Entries in an enrichment cache, by cache.",
        Kind::Gauge,
    )
    .sample(&[("cache", "cgroup")], e.cgroup_entries)
    .sample(&[("cache", "container")], e.containers.entries)
    .sample(&[("cache", "process")], e.processes.len);
    w.family(
        "harrier_sensor_enrich_cache_evictions_total",
        "Entries evicted to keep an enrichment cache within its bound, by cache.",
        Kind::Counter,
    )
    .sample(&[("cache", "container")], e.containers.evictions);
    counter(
        w,
        "harrier_sensor_process_table_full_total",
        "Processes not remembered because the process table was at its bound.",
        e.processes.dropped,
    );
    counter(
        w,
        "harrier_sensor_container_lookup_failures_total",
        "Container runtime lookups that failed or found nothing.",
        e.containers.lookup_failures,
    );
    counter(
        w,
        "harrier_sensor_procfs_scanned_total",
        "Processes found by the /proc scan at start.",
        e.processes.scanned,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Process;

    fn ev(source: Source, t: EventType) -> SensorEvent {
        SensorEvent::new(source, t, 0, Process::default())
    }

    fn render(m: &SensorMetrics) -> String {
        harrier_serve::exposition::render(m)
    }

    #[test]
    fn events_by_type_and_source() {
        let m = SensorMetrics::new();
        for _ in 0..3 {
            m.record_event(&ev(Source::Ebpf, EventType::Syscall(Syscall::Openat)));
        }
        m.record_event(&ev(Source::Ebpf, EventType::Execve));
        m.record_event(&ev(Source::ProcConnector, EventType::Fork));
        m.record_event(&ev(Source::Procfs, EventType::Existing));
        m.record_event(&ev(Source::Ebpf, EventType::Syscall(Syscall::Renameat2)));
        let out = render(&m);
        let events: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("harrier_sensor_events_total{"))
            .collect();
        assert_eq!(
            events,
            [
                "harrier_sensor_events_total{type=\"execve\",source=\"ebpf\"} 1",
                "harrier_sensor_events_total{type=\"clone\",source=\"proc_connector\"} 1",
                "harrier_sensor_events_total{type=\"existing\",source=\"procfs\"} 1",
                "harrier_sensor_events_total{type=\"openat\",source=\"ebpf\"} 3",
                "harrier_sensor_events_total{type=\"renameat2\",source=\"ebpf\"} 1",
            ]
        );
        // No stats were published yet: those families are absent, not zero.
        assert!(!out.contains("harrier_sensor_queue_dropped_total"));
    }

    #[test]
    fn every_traced_syscall_has_its_own_series() {
        let m = SensorMetrics::new();
        for (s, _, _) in Syscall::ALL {
            m.record_event(&ev(Source::Ebpf, EventType::Syscall(*s)));
        }
        let out = render(&m);
        for (s, _, _) in Syscall::ALL {
            let line = format!(
                "harrier_sensor_events_total{{type=\"{}\",source=\"ebpf\"}} 1\n",
                s.name()
            );
            assert!(out.contains(&line), "{line}");
        }
        assert!(!out.contains("type=\"other\""));
    }

    #[test]
    fn published_stats() {
        let m = SensorMetrics::new();
        let mut s = SensorStats {
            collected: 10,
            queue_dropped: 2,
            queue_capacity: 8192,
            decode_errors: 1,
            emitted: 7,
            ..SensorStats::default()
        };
        s.connector.overflows = 4;
        s.enrich.cgroup_hits = 5;
        s.enrich.cgroup_misses = 6;
        s.enrich.containers.hits = 8;
        s.enrich.containers.entries = 3;
        s.enrich.processes.len = 120;
        #[cfg(feature = "ebpf")]
        {
            s.kernel.lost = 9;
        }
        m.publish(s, Collector::ProcConnector);
        let out = render(&m);
        for line in [
            "harrier_sensor_collector_info{collector=\"proc_connector\"} 1\n",
            "harrier_sensor_records_collected_total 10\n",
            "harrier_sensor_queue_dropped_total 2\n",
            "harrier_sensor_queue_capacity 8192\n",
            "harrier_sensor_decode_errors_total 1\n",
            "harrier_sensor_proc_connector_overflows_total 4\n",
            "harrier_sensor_enrich_cache_hits_total{cache=\"cgroup\"} 5\n",
            "harrier_sensor_enrich_cache_misses_total{cache=\"cgroup\"} 6\n",
            "harrier_sensor_enrich_cache_hits_total{cache=\"container\"} 8\n",
            "harrier_sensor_enrich_cache_entries{cache=\"container\"} 3\n",
            "harrier_sensor_enrich_cache_entries{cache=\"process\"} 120\n",
        ] {
            assert!(out.contains(line), "{line} in\n{out}");
        }
        #[cfg(feature = "ebpf")]
        assert!(
            out.contains("harrier_sensor_kernel_lost_total 9\n"),
            "{out}"
        );
        // A later snapshot replaces the earlier one.
        m.publish(
            SensorStats {
                queue_dropped: 3,
                ..SensorStats::default()
            },
            Collector::Ebpf,
        );
        let out = render(&m);
        assert!(out.contains("harrier_sensor_queue_dropped_total 3\n"));
        assert!(out.contains("harrier_sensor_collector_info{collector=\"ebpf\"} 1\n"));
    }

    #[test]
    fn rules_and_alerts() {
        let m = SensorMetrics::new();
        m.rule_match("Terminal shell in container", "Notice");
        m.rule_match("Terminal shell in container", "Notice");
        m.rule_match("Read \"sensitive\" file\nuntrusted", "Warning");
        let c = m.rule_counter("Drop and execute new binary", "Critical");
        let zero = m.rule_counter("Never matched", "Informational");
        c.inc();
        m.alert_written();
        m.alert_written();
        m.alert_error();
        drop(zero);
        let out = render(&m);
        let rules: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("harrier_sensor_rule_matches_total{"))
            .collect();
        assert_eq!(
            rules,
            [
                "harrier_sensor_rule_matches_total{rule=\"Drop and execute new binary\",priority=\"Critical\"} 1",
                "harrier_sensor_rule_matches_total{rule=\"Never matched\",priority=\"Informational\"} 0",
                "harrier_sensor_rule_matches_total{rule=\"Read \\\"sensitive\\\" file\\nuntrusted\",priority=\"Warning\"} 1",
                "harrier_sensor_rule_matches_total{rule=\"Terminal shell in container\",priority=\"Notice\"} 2",
            ]
        );
        assert!(out.contains("harrier_sensor_alerts_written_total 2\n"));
        assert!(out.contains("harrier_sensor_alert_errors_total 1\n"));
    }

    #[test]
    fn rule_series_are_bounded() {
        let m = SensorMetrics::new();
        for i in 0..MAX_RULE_SERIES {
            m.rule_match(&format!("rule {i}"), "Notice");
        }
        m.rule_match("one too many", "Notice");
        m.rule_match("rule 0", "Notice");
        let beyond = m.rule_counter("another", "Notice");
        beyond.inc();
        let out = render(&m);
        assert!(!out.contains("one too many"));
        assert!(!out.contains("another"));
        assert!(
            out.contains("harrier_sensor_rule_matches_unlabelled_total 2\n"),
            "unlabelled"
        );
        assert!(out.contains("{rule=\"rule 0\",priority=\"Notice\"} 2\n"));
        assert_eq!(
            out.lines()
                .filter(|l| l.starts_with("harrier_sensor_rule_matches_total{"))
                .count(),
            MAX_RULE_SERIES
        );
    }

    #[test]
    fn every_family_has_help_and_type_and_valid_names() {
        let m = SensorMetrics::new();
        m.publish(SensorStats::default(), Collector::Ebpf);
        m.rule_match("r", "Notice");
        let out = render(&m);
        let mut families = Vec::new();
        for l in out.lines() {
            if let Some(rest) = l.strip_prefix("# TYPE ") {
                let (name, _) = rest.split_once(' ').unwrap_or((rest, ""));
                assert!(harrier_serve::exposition::is_metric_name(name), "{name}");
                if name.ends_with("_total") {
                    assert!(rest.ends_with(" counter"), "{l}");
                }
                assert!(!families.contains(&name.to_owned()), "{name} twice");
                families.push(name.to_owned());
            }
        }
        for want in [
            "harrier_sensor_events_total",
            "harrier_sensor_queue_dropped_total",
            "harrier_sensor_proc_connector_overflows_total",
            "harrier_sensor_enrich_cache_hits_total",
            "harrier_sensor_enrich_cache_misses_total",
            "harrier_sensor_enrich_cache_entries",
            "harrier_sensor_rule_matches_total",
            "harrier_sensor_alerts_written_total",
            "process_cpu_seconds_total",
            "process_resident_memory_bytes",
            "process_open_fds",
            "process_start_time_seconds",
        ] {
            assert!(families.iter().any(|f| f == want), "{want} missing");
        }
    }
}
