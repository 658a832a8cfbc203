//! Combining evidence across events of one container: the smallest state that lets a rule say
//! "this container saturates its CPU **and** ran a miner".
//!
//! Falco rules see one event at a time. A resource signal (`container_resource_signal`, see
//! [`crate::event::ResourceSignal`]) says a container burns CPU; a miner's name, its stratum
//! URL or a pool port come in other events, often minutes apart, in either order. The
//! [`Correlator`] sits in front of the [`Engine`]:
//!
//! - for every alert the engine raises on an ordinary event of a container, it remembers the
//!   rule and its profile as **evidence** for that container (id, time);
//! - a signal event is stamped with the container's evidence of the last `window` before the
//!   engine evaluates it, so rules test it as fields (`signal.evidence.profiles`,
//!   `signal.evidence.rules`, `signal.evidence.count`);
//! - the last signal of each container is kept: when new evidence arrives after it (within
//!   `window`), the signal is evaluated again with it, and only rules it did not match before
//!   alert.
//!
//! Bounded: at most `max_containers` containers (the least recently touched is forgotten, and
//! counted), `max_evidence` rules per container, and nothing older than `window`. Alerts raised
//! on signal events are never evidence, so a combined rule cannot feed itself.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::num::NonZeroUsize;
use std::time::Duration;

use serde::Serialize;

use crate::engine::{Alert, Engine};
use crate::event::{Event, Evidence, RESOURCE_SIGNAL, SyscallEvent};
use crate::profiles::profile_of;

/// Settings of the correlator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrelatorConfig {
    /// How far apart a signal and its evidence may be.
    pub window: Duration,
    /// Containers remembered.
    pub max_containers: NonZeroUsize,
    /// Distinct rules remembered per container.
    pub max_evidence: NonZeroUsize,
}

impl Default for CorrelatorConfig {
    fn default() -> Self {
        CorrelatorConfig {
            window: Duration::from_secs(600),
            max_containers: NonZeroUsize::new(4096).unwrap_or(NonZeroUsize::MIN),
            max_evidence: NonZeroUsize::new(32).unwrap_or(NonZeroUsize::MIN),
        }
    }
}

/// Counters of the correlator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CorrelatorStats {
    /// Alerts recorded as evidence.
    pub evidence: u64,
    /// Signal events stamped and evaluated.
    pub signals: u64,
    /// Signals evaluated again because evidence arrived after them.
    pub reevaluated: u64,
    /// Containers forgotten to stay within the bound.
    pub containers_evicted: u64,
    /// Evidence forgotten to stay within the per-container bound.
    pub evidence_evicted: u64,
}

#[derive(Debug, Default)]
struct Entry {
    evidence: VecDeque<Evidence>,
    /// The last signal event, and the rules it already alerted on.
    signal: Option<(Box<SyscallEvent>, BTreeSet<String>)>,
}

/// Per-container evidence and last signal, in front of an [`Engine`].
#[derive(Debug)]
pub struct Correlator {
    cfg: CorrelatorConfig,
    entries: HashMap<String, Entry>,
    order: VecDeque<String>,
    stats: CorrelatorStats,
}

fn container_key(e: &SyscallEvent) -> Option<String> {
    let c = e.container.as_ref()?;
    if c.id == "host" || c.id.is_empty() {
        return None;
    }
    // Signals carry the full id; syscall events may carry only the 12-digit short one.
    Some(c.id.get(..12).unwrap_or(&c.id).to_ascii_lowercase())
}

fn within(a: i64, b: i64, window_ns: u64) -> bool {
    a.abs_diff(b) <= window_ns
}

fn is_signal(e: &SyscallEvent) -> bool {
    e.kind.name() == RESOURCE_SIGNAL && e.signal.is_some()
}

impl Correlator {
    /// A correlator with no state.
    pub fn new(cfg: CorrelatorConfig) -> Correlator {
        Correlator {
            cfg,
            entries: HashMap::new(),
            order: VecDeque::new(),
            stats: CorrelatorStats::default(),
        }
    }

    /// The counters.
    pub fn stats(&self) -> CorrelatorStats {
        self.stats
    }

    /// Containers remembered now.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn window_ns(&self) -> u64 {
        u64::try_from(self.cfg.window.as_nanos()).unwrap_or(u64::MAX)
    }

    fn entry(&mut self, key: &str) -> &mut Entry {
        if !self.entries.contains_key(key) {
            while self.entries.len() >= self.cfg.max_containers.get() {
                let Some(old) = self.order.pop_front() else {
                    break;
                };
                if self.entries.remove(&old).is_some() {
                    self.stats.containers_evicted += 1;
                }
            }
            self.order.push_back(key.to_owned());
        } else if let Some(i) = self.order.iter().position(|k| k == key) {
            // Touched: move to the back (least recently touched is evicted first).
            if let Some(k) = self.order.remove(i) {
                self.order.push_back(k);
            }
        }
        self.entries.entry(key.to_owned()).or_default()
    }

    /// The alerts `event` raises, as [`Engine::alerts`], with resource signals combined with
    /// the evidence of their container. May include alerts of an earlier signal that the
    /// evidence in `event` completes (their `time` is the signal's).
    pub fn alerts(&mut self, engine: &Engine, event: &Event, hostname: &str) -> Vec<Alert> {
        let Event::Syscall(e) = event else {
            return engine.alerts(event, hostname);
        };
        let Some(key) = container_key(e) else {
            return engine.alerts(event, hostname);
        };
        let window = self.window_ns();
        let now = e.time_ns;
        if is_signal(e) {
            self.stats.signals += 1;
            let entry = self.entry(&key);
            entry
                .evidence
                .retain(|ev| ev.time_ns.is_none_or(|t| within(t, now, window)));
            let mut stamped = e.clone();
            if let Some(sig) = stamped.signal.as_mut() {
                sig.evidence = entry.evidence.iter().cloned().collect();
            }
            let stamped_event = Event::Syscall(stamped);
            let alerts = engine.alerts(&stamped_event, hostname);
            let fired: BTreeSet<String> = alerts.iter().map(|a| a.rule.clone()).collect();
            if let Event::Syscall(stamped) = stamped_event {
                entry.signal = Some((stamped, fired));
            }
            return alerts;
        }
        let mut alerts = engine.alerts(event, hostname);
        if alerts.is_empty() {
            return alerts;
        }
        let max_evidence = self.cfg.max_evidence.get();
        let mut evicted = 0;
        let mut recorded = 0;
        let entry = self.entry(&key);
        let mut news = false;
        for a in &alerts {
            let profile = profile_of(&a.tags).map(str::to_owned);
            match entry.evidence.iter_mut().find(|ev| ev.rule == a.rule) {
                Some(ev) => ev.time_ns = Some(now),
                None => {
                    while entry.evidence.len() >= max_evidence {
                        entry.evidence.pop_front();
                        evicted += 1;
                    }
                    entry.evidence.push_back(Evidence {
                        rule: a.rule.clone(),
                        profile,
                        time_ns: Some(now),
                    });
                    news = true;
                }
            }
            recorded += 1;
        }
        let mut again = Vec::new();
        let mut reevaluated = false;
        if news
            && let Some((sig, fired)) = entry.signal.as_mut()
            && within(now, sig.time_ns, window)
        {
            if let Some(s) = sig.signal.as_mut() {
                s.evidence = entry
                    .evidence
                    .iter()
                    .filter(|ev| ev.time_ns.is_none_or(|t| within(t, sig.time_ns, window)))
                    .cloned()
                    .collect();
            }
            let ev = Event::Syscall(sig.clone());
            for alert in engine.alerts(&ev, hostname) {
                if fired.insert(alert.rule.clone()) {
                    again.push(alert);
                }
            }
            reevaluated = true;
        }
        self.stats.evidence += recorded;
        self.stats.evidence_evicted += evicted;
        if reevaluated {
            self.stats.reevaluated += 1;
        }
        alerts.extend(again);
        alerts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Container, Process, ResourceSignal};
    use crate::rules::Loader;

    const RULES: &str = r#"
- rule: Miner
  desc: a miner
  condition: evt.type = execve and proc.name = xmrig
  output: miner %container.id
  priority: CRITICAL
  tags: [harrier.profile.crypto-mining, T1496]
- rule: Shell
  desc: a shell
  condition: evt.type = execve and proc.name = bash
  output: shell %container.id
  priority: NOTICE
  tags: [harrier.profile.other]
- rule: Saturation
  desc: any saturation
  condition: evt.type = container_resource_signal and signal.name = cpu_saturation
  output: saturated %container.id
  priority: NOTICE
  tags: [harrier.profile.crypto-mining]
- rule: Saturation with mining
  desc: saturation and mining evidence
  condition: >
    evt.type = container_resource_signal and signal.name = cpu_saturation
    and signal.evidence.profiles intersects ("crypto-mining")
  output: mining %container.id (evidence=%signal.evidence.rules)
  priority: CRITICAL
  tags: [harrier.profile.crypto-mining]
"#;

    fn engine() -> Engine {
        let mut l = Loader::new();
        l.add_text("test.yaml", RULES);
        let set = l.compile();
        assert!(set.problems.is_empty(), "{:?}", set.problems);
        Engine::new(&set)
    }

    const S: i64 = 1_000_000_000;

    fn exec(id: &str, name: &str, t: i64) -> Event {
        let mut e = SyscallEvent::new(
            "execve",
            t,
            Process {
                name: Some(name.into()),
                ..Process::default()
            },
        );
        e.container = Some(Container {
            id: id.get(..12).unwrap_or(id).into(),
            ..Container::default()
        });
        Event::Syscall(Box::new(e))
    }

    fn signal(full_id: &str, t: i64) -> Event {
        let mut e = SyscallEvent::new(RESOURCE_SIGNAL, t, Process::default());
        e.container = Some(Container {
            id: full_id.get(..12).unwrap_or(full_id).into(),
            full_id: Some(full_id.into()),
            ..Container::default()
        });
        e.signal = Some(Box::new(ResourceSignal {
            name: "cpu_saturation".into(),
            cpu_cores: Some(0.98),
            ..ResourceSignal::default()
        }));
        Event::Syscall(Box::new(e))
    }

    fn rules(alerts: &[Alert]) -> Vec<&str> {
        alerts.iter().map(|a| a.rule.as_str()).collect()
    }

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    #[test]
    fn evidence_then_signal() {
        let eng = engine();
        let mut c = Correlator::new(CorrelatorConfig::default());
        assert_eq!(
            rules(&c.alerts(&eng, &exec(A, "xmrig", 10 * S), "n")),
            ["Miner"]
        );
        let got = c.alerts(&eng, &signal(A, 60 * S), "n");
        assert_eq!(rules(&got), ["Saturation", "Saturation with mining"]);
        assert_eq!(
            got[1].output_fields.get("signal.evidence.rules"),
            Some(&serde_json::Value::String("(Miner)".into()))
        );
        // Another container's signal has no evidence.
        assert_eq!(
            rules(&c.alerts(&eng, &signal(B, 61 * S), "n")),
            ["Saturation"]
        );
    }

    #[test]
    fn signal_then_evidence_raises_once() {
        let eng = engine();
        let mut c = Correlator::new(CorrelatorConfig::default());
        assert_eq!(
            rules(&c.alerts(&eng, &signal(A, 10 * S), "n")),
            ["Saturation"]
        );
        // Unrelated evidence re-evaluates but matches nothing new.
        assert_eq!(
            rules(&c.alerts(&eng, &exec(A, "bash", 20 * S), "n")),
            ["Shell"]
        );
        let got = c.alerts(&eng, &exec(A, "xmrig", 30 * S), "n");
        assert_eq!(rules(&got), ["Miner", "Saturation with mining"]);
        assert_eq!(got[1].time, crate::event::format_time(10 * S));
        // The same evidence again adds nothing.
        assert_eq!(
            rules(&c.alerts(&eng, &exec(A, "xmrig", 40 * S), "n")),
            ["Miner"]
        );
        assert_eq!(c.stats().reevaluated, 2);
    }

    #[test]
    fn evidence_outside_the_window_is_not_combined() {
        let eng = engine();
        let mut c = Correlator::new(CorrelatorConfig {
            window: Duration::from_secs(60),
            ..CorrelatorConfig::default()
        });
        c.alerts(&eng, &exec(A, "xmrig", 10 * S), "n");
        assert_eq!(
            rules(&c.alerts(&eng, &signal(A, 200 * S), "n")),
            ["Saturation"]
        );
        // And a signal long before the evidence is not completed by it.
        let got = c.alerts(&eng, &exec(B, "xmrig", 500 * S), "n");
        assert_eq!(rules(&got), ["Miner"]);
        c.alerts(&eng, &signal(B, 900 * S), "n");
        assert_eq!(
            rules(&c.alerts(&eng, &exec(B, "bash", 2000 * S), "n")),
            ["Shell"]
        );
    }

    #[test]
    fn host_events_and_bounds() {
        let eng = engine();
        let mut c = Correlator::new(CorrelatorConfig {
            max_containers: NonZeroUsize::new(2).unwrap(),
            max_evidence: NonZeroUsize::new(1).unwrap(),
            ..CorrelatorConfig::default()
        });
        c.alerts(&eng, &exec("host", "xmrig", S), "n");
        assert!(c.is_empty());
        for (i, id) in ["1", "2", "3"].iter().enumerate() {
            let full = id.repeat(64);
            c.alerts(&eng, &exec(&full, "xmrig", S * (i as i64 + 1)), "n");
        }
        assert_eq!(c.len(), 2);
        assert_eq!(c.stats().containers_evicted, 1);
        let full = "3".repeat(64);
        c.alerts(&eng, &exec(&full, "bash", 5 * S), "n");
        assert_eq!(c.stats().evidence_evicted, 1);
        // The miner evidence of `3` was pushed out by the shell: no combined alert.
        assert_eq!(
            rules(&c.alerts(&eng, &signal(&full, 6 * S), "n")),
            ["Saturation"]
        );
    }
}
