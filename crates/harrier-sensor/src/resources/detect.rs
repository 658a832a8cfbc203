//! The anomaly detector: per workload, a robust baseline of CPU use; per container, a run of
//! samples that are both saturated and anomalous, raised as a [`Signal`] once it lasts.
//!
//! For each CPU sample `x` (cores used over the last interval) of a container of workload `w`:
//!
//! - **saturated**: `x / r ≥ threshold`, where `r` is the container's CPU limit in cores, or
//!   `reference_cores` (one core by default) when it has none;
//! - **anomalous**: `(x − m) / s ≥ k`, where `m` is the EWMA of `w`'s past samples
//!   (`m ← α·x + (1 − α)·m`) and `s = max(1.4826 · MAD, floor)`, MAD being the median absolute
//!   deviation of `w`'s last `window` samples (1.4826 · MAD estimates σ for normal data, and
//!   one outlier moves neither median), and `x` is above the `anomaly_quantile` (95 %) of that
//!   window: MAD is 0 when more than half the samples are equal (an often-idle, sometimes
//!   busy workload), and a level the workload reaches in one sample of twenty is its own;
//! - a **run** is consecutive samples that are both; `cpu_saturation` is raised when a run has
//!   `sustain_samples` samples covering at least `sustain`, then again every `repeat` while it
//!   lasts. Any other sample ends the run.
//!
//! The baseline (EWMA and window) learns from every sample. A run is judged against the
//! baseline as it was when the run started (so that a miner does not become its own baseline
//! while the run is being confirmed) until it has lasted `adapt_after`; past that it is
//! judged against the current baseline, and a level that lasted is the workload's new normal.
//! A recurring burst is anomalous the first times, until it is more than one sample in twenty
//! of the window.
//!
//! A workload needs `warmup_samples` samples before it is judged: a container already busy
//! when the monitor started is learnt, not flagged (a steady high-CPU workload never fires).
//! A container that *started* while the monitor watched, of a workload still in its warm-up,
//! is judged against a prior of an idle workload (`m = 0`, `s = floor`) until the workload's
//! own baseline is ready: a new pod that saturates its CPU from the start is what a miner
//! dropped into a cluster looks like.
//!
//! `memory_growth` is raised when a container's working set rose over the last
//! `memory_window` samples (spanning at least `sustain`) by at least `memory_min_growth_bytes`
//! and a quarter of where it began, with at least 80 % of the steps rising; its slope is the
//! least-squares fit.

use std::collections::{HashMap, VecDeque};
use std::num::NonZeroUsize;
use std::time::Duration;

use serde::Serialize;

/// Settings of the detector.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectorConfig {
    /// Saturation: CPU used / reference at or above this (0.9 = 90 %).
    pub cpu_threshold: f64,
    /// The reference, in cores, of a container without a CPU limit.
    pub reference_cores: f64,
    /// How long a run must last before it is raised.
    pub sustain: Duration,
    /// How many samples a run must have before it is raised.
    pub sustain_samples: u32,
    /// EWMA smoothing factor α.
    pub ewma_alpha: f64,
    /// Samples per workload the MAD is computed over.
    pub window: NonZeroUsize,
    /// Anomaly threshold k, in robust standard deviations.
    pub anomaly_k: f64,
    /// A sample is anomalous only above this quantile of the workload's window too (a level
    /// the workload often reaches is not anomalous, however skewed its distribution).
    pub anomaly_quantile: f64,
    /// The least robust standard deviation, in cores (a flat baseline has MAD 0).
    pub floor_cores: f64,
    /// Samples a workload needs before it is judged.
    pub warmup_samples: usize,
    /// A lasting run is raised again this often.
    pub repeat: Duration,
    /// After this long, a run's level is learnt as the new normal.
    pub adapt_after: Duration,
    /// Workloads remembered (oldest forgotten first).
    pub max_workloads: NonZeroUsize,
    /// Working-set samples per container for `memory_growth`.
    pub memory_window: NonZeroUsize,
    /// The least rise, in bytes, that is `memory_growth`.
    pub memory_min_growth_bytes: u64,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        DetectorConfig {
            cpu_threshold: 0.9,
            reference_cores: 1.0,
            sustain: Duration::from_secs(30),
            sustain_samples: 3,
            ewma_alpha: 0.1,
            window: NonZeroUsize::new(60).unwrap_or(NonZeroUsize::MIN),
            anomaly_k: 3.0,
            anomaly_quantile: 0.95,
            floor_cores: 0.05,
            warmup_samples: 6,
            repeat: Duration::from_secs(300),
            adapt_after: Duration::from_secs(600),
            max_workloads: NonZeroUsize::new(4096).unwrap_or(NonZeroUsize::MIN),
            memory_window: NonZeroUsize::new(30).unwrap_or(NonZeroUsize::MIN),
            memory_min_growth_bytes: 64 << 20,
        }
    }
}

/// The kind of a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalName {
    /// CPU at or above the threshold of its limit (or of a core), anomalously, for a while.
    CpuSaturation,
    /// The working set grew steadily.
    MemoryGrowth,
}

impl SignalName {
    /// The name, as in `signal.name`.
    pub fn as_str(self) -> &'static str {
        match self {
            SignalName::CpuSaturation => "cpu_saturation",
            SignalName::MemoryGrowth => "memory_growth",
        }
    }
}

/// Where the baseline a sample was judged against came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BaselineSource {
    /// Learnt from the workload's samples.
    Workload,
    /// The idle prior of a new workload's first container.
    Prior,
}

/// A resource signal: what was measured, against what, for how long.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signal {
    /// The kind.
    pub name: SignalName,
    /// The container's full id.
    pub container_id: String,
    /// The workload key (see [`crate::resources::workload_key`]).
    pub workload: String,
    /// Wall-clock time of the sample that raised it, nanoseconds since the epoch.
    pub time_ns: i64,
    /// How long the condition has held, nanoseconds.
    pub duration_ns: u64,
    /// Samples in the run.
    pub samples: u32,
    /// Whether an earlier signal already reported this run.
    pub repeated: bool,
    /// Mean CPU over the run, cores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_cores: Option<f64>,
    /// Highest sample of the run, cores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_peak_cores: Option<f64>,
    /// The container's CPU limit, cores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_limit_cores: Option<f64>,
    /// What saturation is relative to: the limit, or the configured reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_reference_cores: Option<f64>,
    /// Mean CPU over the run / reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_utilization: Option<f64>,
    /// The baseline level (EWMA), cores, when the run started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_cores: Option<f64>,
    /// The baseline's robust standard deviation (1.4826 · MAD, floored), cores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_scale_cores: Option<f64>,
    /// Where the baseline came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_source: Option<BaselineSource>,
    /// (mean − baseline) / scale.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Working set at the last sample, bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_bytes: Option<u64>,
    /// The memory limit, bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_limit_bytes: Option<u64>,
    /// Working-set growth, bytes per second (least squares over the window).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_growth_bytes_per_s: Option<f64>,
    /// At that rate, seconds until the limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_seconds_to_limit: Option<f64>,
}

impl Signal {
    fn new(name: SignalName, container_id: &str, workload: &str, time_ns: i64) -> Signal {
        Signal {
            name,
            container_id: container_id.to_owned(),
            workload: workload.to_owned(),
            time_ns,
            duration_ns: 0,
            samples: 0,
            repeated: false,
            cpu_cores: None,
            cpu_peak_cores: None,
            cpu_limit_cores: None,
            cpu_reference_cores: None,
            cpu_utilization: None,
            baseline_cores: None,
            baseline_scale_cores: None,
            baseline_source: None,
            score: None,
            memory_bytes: None,
            memory_limit_bytes: None,
            memory_growth_bytes_per_s: None,
            memory_seconds_to_limit: None,
        }
    }
}

/// One sample, as the detector sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation<'a> {
    /// Full container id.
    pub container_id: &'a str,
    /// Workload key.
    pub workload: &'a str,
    /// Monotonic time of the sample.
    pub at: Duration,
    /// Monotonic time of the previous sample of this container (the start of the interval
    /// `cpu_cores` was measured over).
    pub since: Duration,
    /// Wall-clock time, nanoseconds since the epoch.
    pub time_ns: i64,
    /// CPU used over the interval, cores.
    pub cpu_cores: Option<f64>,
    /// The CPU limit, cores.
    pub cpu_limit_cores: Option<f64>,
    /// Working set, bytes.
    pub memory_bytes: Option<u64>,
    /// Memory limit, bytes.
    pub memory_limit_bytes: Option<u64>,
    /// The container started while the monitor watched.
    pub new_container: bool,
}

/// A workload's baseline.
#[derive(Debug, Clone, Default)]
struct Baseline {
    ewma: Option<f64>,
    window: VecDeque<f64>,
    samples: u64,
}

impl Baseline {
    fn learn(&mut self, x: f64, cfg: &DetectorConfig) {
        self.ewma = Some(match self.ewma {
            Some(m) => cfg.ewma_alpha * x + (1.0 - cfg.ewma_alpha) * m,
            None => x,
        });
        if self.window.len() >= cfg.window.get() {
            self.window.pop_front();
        }
        self.window.push_back(x);
        self.samples += 1;
    }

    /// (center, scale, high quantile), when judged.
    fn judge(&self, cfg: &DetectorConfig) -> Option<(f64, f64, f64)> {
        if self.samples < cfg.warmup_samples as u64 {
            return None;
        }
        let m = self.ewma?;
        let mut v: Vec<f64> = self.window.iter().copied().collect();
        v.sort_unstable_by(f64::total_cmp);
        // Nearest rank.
        let rank = (cfg.anomaly_quantile * v.len() as f64).ceil() as usize;
        let q = v
            .get(rank.clamp(1, v.len().max(1)) - 1)
            .copied()
            .unwrap_or(0.0);
        Some((m, (1.4826 * mad(&self.window)).max(cfg.floor_cores), q))
    }
}

/// The median of `v` (0 for none).
pub fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_unstable_by(f64::total_cmp);
    let n = v.len();
    let hi = v.get(n / 2).copied().unwrap_or(0.0);
    if n % 2 == 1 {
        hi
    } else {
        (v.get(n / 2 - 1).copied().unwrap_or(0.0) + hi) / 2.0
    }
}

/// The median absolute deviation of `values`.
pub fn mad(values: &VecDeque<f64>) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().collect();
    let med = median(&mut v);
    for x in &mut v {
        *x = (*x - med).abs();
    }
    median(&mut v)
}

#[derive(Debug, Clone)]
struct Run {
    start: Duration,
    samples: u32,
    sum: f64,
    peak: f64,
    /// (EWMA, robust σ, high quantile) at the run's start.
    baseline: (f64, f64, f64),
    source: BaselineSource,
    raised_at: Option<Duration>,
}

#[derive(Debug, Clone, Default)]
struct ContainerState {
    run: Option<Run>,
    memory: VecDeque<(Duration, u64)>,
    memory_raised_at: Option<Duration>,
}

/// Counters of the detector.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DetectorStats {
    /// Samples judged.
    pub samples: u64,
    /// Signals raised.
    pub signals: u64,
    /// Workloads forgotten to stay within the bound.
    pub workloads_evicted: u64,
}

/// The detector: baselines per workload, runs per container.
#[derive(Debug)]
pub struct Detector {
    cfg: DetectorConfig,
    workloads: HashMap<String, Baseline>,
    workload_order: VecDeque<String>,
    containers: HashMap<String, ContainerState>,
    stats: DetectorStats,
}

impl Detector {
    /// A detector with no history.
    pub fn new(cfg: DetectorConfig) -> Detector {
        Detector {
            cfg,
            workloads: HashMap::new(),
            workload_order: VecDeque::new(),
            containers: HashMap::new(),
            stats: DetectorStats::default(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &DetectorConfig {
        &self.cfg
    }

    /// The counters.
    pub fn stats(&self) -> DetectorStats {
        self.stats
    }

    /// Forgets a container that ended (its workload's baseline stays).
    pub fn forget(&mut self, container_id: &str) {
        self.containers.remove(container_id);
    }

    /// The baseline of a workload: (EWMA, robust σ, samples), once it has any sample.
    pub fn baseline(&self, workload: &str) -> Option<(f64, f64, u64)> {
        let b = self.workloads.get(workload)?;
        Some((
            b.ewma?,
            (1.4826 * mad(&b.window)).max(self.cfg.floor_cores),
            b.samples,
        ))
    }

    fn workload(&mut self, key: &str) -> &mut Baseline {
        if !self.workloads.contains_key(key) {
            while self.workloads.len() >= self.cfg.max_workloads.get() {
                let Some(old) = self.workload_order.pop_front() else {
                    break;
                };
                self.workloads.remove(&old);
                self.stats.workloads_evicted += 1;
            }
            self.workload_order.push_back(key.to_owned());
        }
        self.workloads.entry(key.to_owned()).or_default()
    }

    /// Judges one sample; returns the signals it raises.
    pub fn observe(&mut self, o: &Observation<'_>) -> Vec<Signal> {
        self.stats.samples += 1;
        let mut out = Vec::new();
        if let Some(x) = o.cpu_cores {
            out.extend(self.observe_cpu(o, x));
        }
        if let Some(m) = o.memory_bytes {
            out.extend(self.observe_memory(o, m));
        }
        self.stats.signals += out.len() as u64;
        out
    }

    fn observe_cpu(&mut self, o: &Observation<'_>, x: f64) -> Option<Signal> {
        let cfg = self.cfg.clone();
        let reference = o.cpu_limit_cores.unwrap_or(cfg.reference_cores);
        let saturated = reference > 0.0 && x / reference >= cfg.cpu_threshold;
        let base = self.workload(o.workload);
        let current = match base.judge(&cfg) {
            Some(j) => Some((j, BaselineSource::Workload)),
            None if o.new_container => Some(((0.0, cfg.floor_cores, 0.0), BaselineSource::Prior)),
            None => None,
        };
        base.learn(x, &cfg);
        let state = self
            .containers
            .entry(o.container_id.to_owned())
            .or_default();
        // A run is judged against the baseline of its start until `adapt_after`, so that its
        // own samples, learnt meanwhile, do not end it.
        let frozen = state
            .run
            .as_ref()
            .filter(|r| o.at.saturating_sub(r.start) < cfg.adapt_after)
            .map(|r| (r.baseline, r.source));
        let judged = frozen.or(current);
        let anomalous = judged.is_some_and(|((m, s, q), _)| (x - m) / s >= cfg.anomaly_k && x > q);
        let (true, true, Some((baseline, source))) = (saturated, anomalous, judged) else {
            state.run = None;
            return None;
        };
        let run = state.run.get_or_insert(Run {
            start: o.since,
            samples: 0,
            sum: 0.0,
            peak: 0.0,
            baseline,
            source,
            raised_at: None,
        });
        run.samples += 1;
        run.sum += x;
        run.peak = run.peak.max(x);
        let lasted = o.at.saturating_sub(run.start);
        let due = match run.raised_at {
            None => run.samples >= cfg.sustain_samples && lasted >= cfg.sustain,
            Some(t) => o.at.saturating_sub(t) >= cfg.repeat,
        };
        if !due {
            return None;
        }
        let mean = run.sum / f64::from(run.samples);
        let (m, sd, _) = run.baseline;
        let mut s = Signal::new(
            SignalName::CpuSaturation,
            o.container_id,
            o.workload,
            o.time_ns,
        );
        s.duration_ns = u64::try_from(lasted.as_nanos()).unwrap_or(u64::MAX);
        s.samples = run.samples;
        s.repeated = run.raised_at.is_some();
        s.cpu_cores = Some(mean);
        s.cpu_peak_cores = Some(run.peak);
        s.cpu_limit_cores = o.cpu_limit_cores;
        s.cpu_reference_cores = Some(reference);
        s.cpu_utilization = Some(mean / reference);
        s.baseline_cores = Some(m);
        s.baseline_scale_cores = Some(sd);
        s.baseline_source = Some(run.source);
        s.score = Some((mean - m) / sd);
        s.memory_bytes = o.memory_bytes;
        s.memory_limit_bytes = o.memory_limit_bytes;
        run.raised_at = Some(o.at);
        Some(s)
    }

    fn observe_memory(&mut self, o: &Observation<'_>, bytes: u64) -> Option<Signal> {
        let cfg = &self.cfg;
        let state = self
            .containers
            .entry(o.container_id.to_owned())
            .or_default();
        if state.memory.len() >= cfg.memory_window.get() {
            state.memory.pop_front();
        }
        state.memory.push_back((o.at, bytes));
        let (&(t0, first), &(t1, last)) = (state.memory.front()?, state.memory.back()?);
        let span = t1.saturating_sub(t0);
        let n = state.memory.len();
        if n < 3 || span < cfg.sustain || last <= first {
            return None;
        }
        let rise = last - first;
        let rising_steps = state
            .memory
            .iter()
            .zip(state.memory.iter().skip(1))
            .filter(|(a, b)| b.1 >= a.1)
            .count();
        let growing = rise >= cfg.memory_min_growth_bytes
            && rise >= first / 4
            && rising_steps * 5 >= (n - 1) * 4;
        if !growing {
            state.memory_raised_at = None;
            return None;
        }
        if state
            .memory_raised_at
            .is_some_and(|t| o.at.saturating_sub(t) < cfg.repeat)
        {
            return None;
        }
        // Least-squares slope of bytes over seconds.
        let xs: Vec<f64> = state
            .memory
            .iter()
            .map(|(t, _)| t.saturating_sub(t0).as_secs_f64())
            .collect();
        let ys: Vec<f64> = state.memory.iter().map(|(_, b)| *b as f64).collect();
        let nf = n as f64;
        let (mx, my) = (xs.iter().sum::<f64>() / nf, ys.iter().sum::<f64>() / nf);
        let (mut sxy, mut sxx) = (0.0, 0.0);
        for (x, y) in xs.iter().zip(&ys) {
            sxy += (x - mx) * (y - my);
            sxx += (x - mx) * (x - mx);
        }
        let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
        let mut s = Signal::new(
            SignalName::MemoryGrowth,
            o.container_id,
            o.workload,
            o.time_ns,
        );
        s.duration_ns = u64::try_from(span.as_nanos()).unwrap_or(u64::MAX);
        s.samples = u32::try_from(n).unwrap_or(u32::MAX);
        s.repeated = state.memory_raised_at.is_some();
        s.memory_bytes = Some(last);
        s.memory_limit_bytes = o.memory_limit_bytes;
        s.memory_growth_bytes_per_s = Some(slope);
        s.memory_seconds_to_limit = o
            .memory_limit_bytes
            .filter(|_| slope > 0.0)
            .map(|l| l.saturating_sub(last) as f64 / slope);
        state.memory_raised_at = Some(o.at);
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEP: Duration = Duration::from_secs(10);

    /// Feeds `cores` (one sample per 10 s) for container `id` of workload `w`; returns the
    /// signals with the index of the sample that raised each.
    fn feed(
        d: &mut Detector,
        id: &str,
        w: &str,
        start: usize,
        cores: &[f64],
        limit: Option<f64>,
        new: bool,
    ) -> Vec<(usize, Signal)> {
        let mut out = Vec::new();
        for (i, &x) in cores.iter().enumerate() {
            let k = start + i;
            let at = STEP * (k as u32 + 1);
            let o = Observation {
                container_id: id,
                workload: w,
                at,
                since: at - STEP,
                time_ns: i64::try_from(at.as_nanos()).unwrap(),
                cpu_cores: Some(x),
                cpu_limit_cores: limit,
                memory_bytes: None,
                memory_limit_bytes: None,
                new_container: new,
            };
            out.extend(d.observe(&o).into_iter().map(|s| (k, s)));
        }
        out
    }

    fn idle(n: usize) -> Vec<f64> {
        (0..n).map(|i| 0.02 + 0.01 * ((i % 3) as f64)).collect()
    }

    #[test]
    fn sustained_saturation_after_an_idle_baseline_fires_once_then_repeats() {
        let mut d = Detector::new(DetectorConfig::default());
        assert!(feed(&mut d, "a", "web", 0, &idle(20), None, false).is_empty());
        let burn = vec![0.99; 40];
        let got = feed(&mut d, "a", "web", 20, &burn, None, false);
        // The third saturated sample covers 30 s: raised there, then again after 300 s.
        assert_eq!(got.len(), 2, "{got:?}");
        let (i, s) = &got[0];
        assert_eq!(*i, 22);
        assert_eq!(s.name, SignalName::CpuSaturation);
        assert_eq!(s.duration_ns, 30_000_000_000);
        assert_eq!(s.samples, 3);
        assert!(!s.repeated);
        assert!((s.cpu_cores.unwrap() - 0.99).abs() < 1e-9);
        assert_eq!(s.cpu_reference_cores, Some(1.0));
        assert!(s.baseline_cores.unwrap() < 0.1);
        assert_eq!(s.baseline_source, Some(BaselineSource::Workload));
        assert!(s.score.unwrap() > 3.0);
        assert_eq!(got[1].0, 52);
        assert!(got[1].1.repeated);
        assert_eq!(got[1].1.duration_ns, 330_000_000_000);
    }

    #[test]
    fn a_short_spike_does_not_fire() {
        let mut d = Detector::new(DetectorConfig::default());
        let mut series = idle(20);
        series.extend([1.0, 1.0]);
        series.extend(idle(10));
        series.extend([1.0, 1.0]);
        series.extend(idle(10));
        assert!(feed(&mut d, "a", "web", 0, &series, None, false).is_empty());
    }

    #[test]
    fn a_workload_that_was_always_busy_does_not_fire() {
        let mut d = Detector::new(DetectorConfig::default());
        let busy: Vec<f64> = (0..100).map(|i| 0.95 + 0.01 * ((i % 4) as f64)).collect();
        assert!(feed(&mut d, "a", "encoder", 0, &busy, None, false).is_empty());
        // A second replica of the same workload, busy from its start, is judged against the
        // workload's (busy) baseline: no signal either.
        assert!(feed(&mut d, "b", "encoder", 100, &busy, None, true).is_empty());
    }

    #[test]
    fn saturation_is_relative_to_the_limit() {
        let mut d = Detector::new(DetectorConfig::default());
        feed(&mut d, "a", "api", 0, &idle(20), Some(0.5), false);
        // 0.48 of a 0.5-core limit is 96 %: saturated; without the limit it would not be.
        let got = feed(&mut d, "a", "api", 20, &[0.48; 3], Some(0.5), false);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1.cpu_limit_cores, Some(0.5));
        assert!((got[0].1.cpu_utilization.unwrap() - 0.96).abs() < 1e-9);
        let mut d = Detector::new(DetectorConfig::default());
        feed(&mut d, "a", "api", 0, &idle(20), None, false);
        assert!(feed(&mut d, "a", "api", 20, &[0.48; 10], None, false).is_empty());
    }

    #[test]
    fn busy_but_not_saturated_and_saturated_but_usual_do_not_fire() {
        // Anomalous (0.03 → 0.7) but below 90 % of a core.
        let mut d = Detector::new(DetectorConfig::default());
        feed(&mut d, "a", "w", 0, &idle(20), None, false);
        assert!(feed(&mut d, "a", "w", 20, &[0.7; 10], None, false).is_empty());
        // Saturated but within the baseline's spread (a bursty workload).
        let mut d = Detector::new(DetectorConfig::default());
        let bursty: Vec<f64> = (0..60)
            .map(|i| if i % 2 == 0 { 0.2 } else { 1.0 })
            .collect();
        feed(&mut d, "a", "w", 0, &bursty, None, false);
        let got = feed(&mut d, "a", "w", 60, &[0.95; 10], None, false);
        assert!(got.is_empty(), "{got:?}");
        // Idle 60 % of the time, busy 40 % in 40 s bursts: MAD sees only the idle mode, but
        // the busy level is the workload's own once it is common in the window.
        let mut d = Detector::new(DetectorConfig::default());
        let mut cycle = idle(6);
        cycle.extend([1.0; 4]);
        let mut k = 0;
        let mut raised = Vec::new();
        for _ in 0..12 {
            raised.extend(feed(&mut d, "a", "batch", k, &cycle, None, false));
            k += cycle.len();
        }
        // The first bursts are news; later ones are not.
        assert!(raised.iter().all(|(i, _)| *i < 40), "{raised:?}");
        assert!(feed(&mut d, "a", "batch", k, &[1.0; 4], None, false).is_empty());
    }

    #[test]
    fn a_new_workload_saturating_from_its_start_fires_against_the_prior() {
        let mut d = Detector::new(DetectorConfig::default());
        let got = feed(&mut d, "m", "miner", 0, &[1.0; 5], None, true);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, 2);
        // Its first sample may be a partial interval below the threshold: still the prior.
        let mut d = Detector::new(DetectorConfig::default());
        let got = feed(&mut d, "m", "miner", 0, &[0.5, 1.0, 1.0, 1.0], None, true);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1.baseline_source, Some(BaselineSource::Prior));
        assert_eq!(got[0].1.baseline_source, Some(BaselineSource::Prior));
        // The same, already running when the monitor started: learnt, not flagged.
        let mut d = Detector::new(DetectorConfig::default());
        assert!(feed(&mut d, "m", "miner", 0, &[1.0; 50], None, false).is_empty());
    }

    #[test]
    fn a_lasting_run_becomes_the_new_normal() {
        let cfg = DetectorConfig {
            adapt_after: Duration::from_secs(60),
            ..DetectorConfig::default()
        };
        let mut d = Detector::new(cfg);
        feed(&mut d, "a", "w", 0, &idle(20), None, false);
        // Raised at 30 s; at 60 s the run is judged against a baseline that learnt it: over.
        let got = feed(&mut d, "a", "w", 20, &[1.0; 200], None, false);
        assert_eq!(got.len(), 1, "{got:?}");
        let (m, _, _) = d.baseline("w").unwrap();
        assert!(m > 0.9, "{m}");
    }

    #[test]
    fn workloads_are_bounded() {
        let cfg = DetectorConfig {
            max_workloads: NonZeroUsize::new(2).unwrap(),
            ..DetectorConfig::default()
        };
        let mut d = Detector::new(cfg);
        for w in ["a", "b", "c"] {
            feed(&mut d, w, w, 0, &[0.1], None, false);
        }
        assert_eq!(d.stats().workloads_evicted, 1);
        assert!(d.baseline("a").is_none() && d.baseline("c").is_some());
    }

    #[test]
    fn memory_growth() {
        let mut d = Detector::new(DetectorConfig::default());
        let mib = 1u64 << 20;
        let mut got = Vec::new();
        for i in 0..10u32 {
            let at = STEP * (i + 1);
            got.extend(d.observe(&Observation {
                container_id: "a",
                workload: "w",
                at,
                since: at - STEP,
                time_ns: 0,
                cpu_cores: None,
                cpu_limit_cores: None,
                memory_bytes: Some(100 * mib + u64::from(i) * 20 * mib),
                memory_limit_bytes: Some(1024 * mib),
                new_container: false,
            }));
        }
        assert_eq!(got.len(), 1, "{got:?}");
        let s = &got[0];
        assert_eq!(s.name, SignalName::MemoryGrowth);
        assert!((s.memory_growth_bytes_per_s.unwrap() - 2.0 * mib as f64).abs() < 1.0);
        assert!(s.memory_seconds_to_limit.unwrap() > 0.0);
        // A flat working set, and a saw-tooth (a cache filled and freed), do not.
        let mut d = Detector::new(DetectorConfig::default());
        for i in 0..30u32 {
            let at = STEP * (i + 1);
            let b = if i % 2 == 0 { 100 * mib } else { 300 * mib };
            let sig = d.observe(&Observation {
                container_id: "a",
                workload: "w",
                at,
                since: at - STEP,
                time_ns: 0,
                cpu_cores: None,
                cpu_limit_cores: None,
                memory_bytes: Some(b),
                memory_limit_bytes: None,
                new_container: false,
            });
            assert!(sig.is_empty(), "{i}: {sig:?}");
        }
    }

    #[test]
    fn robust_statistics() {
        let mut v = vec![3.0, 1.0, 2.0];
        assert_eq!(median(&mut v), 2.0);
        let mut v = vec![4.0, 1.0, 2.0, 3.0];
        assert_eq!(median(&mut v), 2.5);
        assert_eq!(median(&mut []), 0.0);
        let w: VecDeque<f64> = [1.0, 1.0, 2.0, 2.0, 4.0, 6.0, 9.0].into();
        assert_eq!(mad(&w), 1.0);
    }
}
