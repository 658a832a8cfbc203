//! `harrier sensor`: starts `harrier_sensor::Sensor`, says `ready` on stderr once its
//! collectors are attached, and writes its events as JSON lines.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::{Duration, Instant};

use anyhow::Context;
use harrier_sensor::event::Syscall;
use harrier_sensor::{JsonLines, Mode, Sensor, SensorConfig};

use crate::cli::{SensorArgs, SensorCollector};
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
        ..SensorConfig::default()
    };
    cfg.ebpf.ring_bytes = ring_bytes;
    cfg.ebpf.syscalls = syscalls(&args.syscalls)?;
    if !is_root() {
        anyhow::bail!(
            "harrier sensor needs root: BPF, the proc connector and other processes' /proc entries are root's"
        );
    }

    let out: Box<dyn Write> = match &args.events {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
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
    {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "ready");
    }

    let events_name = args
        .events
        .as_ref()
        .map_or_else(|| "standard output".to_owned(), |p| p.display().to_string());
    let mut sink = JsonLines::new(out);
    let end = match sensor.run(deadline, &mut sink) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitStatus::Success),
        other => other.with_context(|| format!("cannot write events to {events_name}"))?,
    };
    sink.finish()
        .with_context(|| format!("cannot write events to {events_name}"))?;

    let stats = sensor.stats();
    if let Some(path) = &args.stats {
        let f = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        serde_json::to_writer_pretty(BufWriter::new(f), &stats)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    printer.note(&format!(
        "{} events written; kernel lost {}, queue dropped {}",
        stats.emitted, stats.kernel.lost, stats.queue_dropped
    ));
    if stats.kernel.lost > 0 || stats.queue_dropped > 0 || stats.connector.overflows > 0 {
        printer.warning(&format!(
            "events were dropped: {} by the kernel ring buffer, {} by the queue, {} proc connector overflows",
            stats.kernel.lost, stats.queue_dropped, stats.connector.overflows
        ));
    }
    if let Some(e) = end.error {
        anyhow::bail!("the collector stopped: {e}");
    }
    Ok(ExitStatus::Success)
}
