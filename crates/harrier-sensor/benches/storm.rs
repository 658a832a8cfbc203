//! The sensor under load: an exec storm and a file-open storm, at full speed and paced at
//! 5,000 events per second, measuring what the issue asks for: events per second handled, the
//! share lost (kernel ring buffer + queue), the sensor's CPU and its peak resident memory.
//!
//! The sensor runs in this process exactly as `harrier sensor` runs it (eBPF collector thread,
//! bounded queue, enrichment, JSON lines written to a file); the load runs in child processes, so
//! this process's CPU time and peak RSS are the sensor's. Each load runs twice: events written
//! as they are enriched (the sensor alone), then with the rule engine on, as `harrier sensor`
//! runs by default: each event converted to the engine's model ([`harrier_sensor::to_runtime`]),
//! evaluated with the built-in threat profiles and Falco's default rules
//! (`runtime-rules/falco-rules/rules/falco_rules.yaml` of the shared corpus, when present), and
//! written as a runtime JSON line. Needs root and BPF; prints `skipped: <reason>` otherwise.
//!
//!     cargo bench -p harrier-sensor --bench storm
//!
//! CPU time is read from /proc/self/stat (USER_HZ = 100 on Linux), peak memory from VmHWM.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::io::BufWriter;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use std::io::Write;

use harrier_runtime::Engine;
use harrier_sensor::enrich::EnrichConfig;
use harrier_sensor::{JsonLines, Mode, Sensor, SensorConfig, SensorEvent, Sink};

/// The engine of `harrier sensor` with every built-in profile, plus Falco's default rules.
fn engine() -> (Engine, &'static str) {
    use harrier_runtime::profiles::{MACROS, PROFILES};
    let mut loader = harrier_runtime::rules::Loader::new();
    loader.add_text(MACROS.path, MACROS.text);
    for p in PROFILES {
        loader.add_text(p.file.path, p.file.text);
    }
    let mut rules = "built-in profiles";
    if let Some(falco) = harrier_core::testing::corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "runtime-rules/falco-rules/rules/falco_rules.yaml",
    ) {
        loader.add_text(
            &falco.display().to_string(),
            &std::fs::read_to_string(&falco).unwrap(),
        );
        rules = "built-in profiles + falco_rules.yaml";
    }
    let set = loader.compile();
    let syscall: Vec<_> = set
        .rules
        .into_iter()
        .filter(|r| r.source == harrier_runtime::event::Source::Syscall)
        .collect();
    (Engine::from_rules(syscall), rules)
}

/// What `harrier sensor` does with each event: convert, write, evaluate.
struct Detect<W: Write> {
    engine: Engine,
    out: W,
    alerts: u64,
}

impl<W: Write> Sink for Detect<W> {
    type Error = std::io::Error;

    fn event(&mut self, ev: &SensorEvent) -> std::io::Result<()> {
        let event = harrier_sensor::to_runtime(ev, "bench");
        serde_json::to_writer(&mut self.out, &event)?;
        self.out.write_all(b"\n")?;
        self.alerts += self.engine.alerts(&event, "bench").len() as u64;
        Ok(())
    }

    fn idle(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name.
    let ticks: u64 = f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap();
    ticks as f64 / 100.0
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap();
    kb / 1024.0
}

struct Load {
    name: &'static str,
    script: String,
}

fn loads(secs: u64) -> Vec<Load> {
    let me = std::env::current_exe().unwrap();
    let open = |rate: u64| format!("{} --open-load {rate} {secs}", me.display());
    vec![
        Load {
            name: "exec storm (sh loop of /bin/true, full speed)",
            script: format!("timeout {secs} sh -c 'while :; do /bin/true; done'; true"),
        },
        Load {
            name: "file-open storm (open+close, full speed)",
            script: open(0),
        },
        Load {
            name: "file-open, paced at 5,000 opens/s",
            script: open(5_000),
        },
    ]
}

/// The load of the file-open runs, in a child process: open and close /etc/hostname, at `rate`
/// opens a second (0: as fast as possible), for `secs` seconds.
fn open_load(rate: u64, secs: u64) {
    let start = Instant::now();
    let end = start + Duration::from_secs(secs);
    let mut n: u64 = 0;
    while Instant::now() < end {
        for _ in 0..50 {
            drop(std::fs::File::open("/etc/hostname"));
        }
        n += 50;
        if rate > 0 {
            let due = Duration::from_secs_f64(n as f64 / rate as f64);
            if let Some(ahead) = due.checked_sub(start.elapsed()) {
                std::thread::sleep(ahead);
            }
        }
    }
}

fn spawn(script: &str) -> Child {
    Command::new("sh")
        .args(["-c", script])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--open-load") {
        open_load(args[i + 1].parse().unwrap(), args[i + 2].parse().unwrap());
        return;
    }
    let root = std::fs::read_to_string("/proc/self/status")
        .map(|s| s.lines().any(|l| l.starts_with("Uid:\t0\t")))
        .unwrap_or(false);
    if !root || !std::path::Path::new("/sys/kernel/btf/vmlinux").exists() {
        println!("skipped: the storm bench needs root and a BTF kernel");
        return;
    }
    let secs = std::env::var("HARRIER_STORM_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let dir = tempfile::tempdir().unwrap();
    let (engine_proto, rules) = engine();
    println!(
        "engine: {} syscall rules ({rules})",
        engine_proto.rules().len()
    );
    drop(engine_proto);
    println!(
        "| load | engine | events/s handled | kernel lost | queue dropped | sensor CPU (cores) | peak RSS (MB) | alerts |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    for (load, with_engine) in loads(secs).into_iter().flat_map(|l| {
        [
            (
                Load {
                    name: l.name,
                    script: l.script.clone(),
                },
                false,
            ),
            (l, true),
        ]
    }) {
        let cfg = SensorConfig {
            mode: Mode::Ebpf,
            report_existing: false,
            enrich: EnrichConfig {
                keep_own_children: true,
                ..EnrichConfig::default()
            },
            ..SensorConfig::default()
        };
        let mut sensor = Sensor::start(cfg).expect("the eBPF collector starts");
        let path = dir.path().join("events.jsonl");
        // Built before the measured span: compiling Falco's rules is start-up work.
        let mut detect = with_engine.then(|| Detect {
            engine: engine().0,
            out: BufWriter::new(std::fs::File::create(&path).unwrap()),
            alerts: 0,
        });
        let mut sink = (!with_engine)
            .then(|| JsonLines::new(BufWriter::new(std::fs::File::create(&path).unwrap())));
        // Reset the peak-RSS mark, so each load reports its own peak.
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let cpu0 = cpu_seconds();
        let t0 = Instant::now();
        let mut child = spawn(&load.script);
        // Run a little past the load so the queue drains into the counts.
        let deadline = t0 + Duration::from_secs(secs) + Duration::from_millis(500);
        let mut alerts = 0;
        match &mut detect {
            Some(d) => {
                sensor.run(Some(deadline), d).unwrap();
                d.out.flush().unwrap();
                alerts = d.alerts;
            }
            None => {
                if let Some(sink) = &mut sink {
                    sensor.run(Some(deadline), sink).unwrap();
                }
            }
        }
        if let Some(sink) = sink {
            sink.finish().unwrap();
        }
        let wall = t0.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu0;
        let _ = child.kill();
        let _ = child.wait();
        let s = sensor.stats();
        let lost_share = |n: u64| {
            if s.kernel.seen == 0 {
                0.0
            } else {
                100.0 * n as f64 / s.kernel.seen as f64
            }
        };
        println!(
            "| {} | {} | {:.0} | {} ({:.2}%) | {} ({:.2}%) | {:.3} | {:.1} | {} |",
            load.name,
            if with_engine { "on" } else { "off" },
            s.emitted as f64 / secs as f64,
            s.kernel.lost,
            lost_share(s.kernel.lost),
            s.queue_dropped,
            lost_share(s.queue_dropped),
            cpu / wall,
            peak_rss_mb(),
            alerts,
        );
        drop(sensor);
    }
}
