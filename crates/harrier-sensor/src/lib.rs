//! Harrier's node sensor: the collection side of runtime detection.
//!
//! It owns the collectors (eBPF on tracepoints, with the proc connector as the fallback where
//! eBPF is not allowed, and a `/proc` scan at start), the process table, container context
//! (cgroup path → container id → runtime metadata), and the bounded pipeline that hands
//! [`SensorEvent`]s to a sink, and the one conversion of its events to `harrier-runtime`'s model
//! ([`runtime_event`]), which `harrier sensor` evaluates with the rule engine.
//! It also samples per-container CPU, memory and connections from the cgroup tree and raises
//! resource signals ([`resources`]), and counts what it does into [`SensorMetrics`]
//! ([`metrics`]), which `harrier-serve` serves to Prometheus over HTTPS. The rules and alerts
//! themselves are `harrier-runtime`'s; response actions are `harrier-response`'s.
//!
//! Shape: collectors run on their own thread and push into a bounded queue that drops and
//! counts when full; the caller's thread enriches and writes ([`pipeline`]). Everything the
//! kernel writes goes through one `#[repr(C)]` module ([`abi`]), the twin of `bpf/sensor.h`.
#![warn(missing_docs)]

pub mod abi;
pub mod container;
#[cfg(feature = "ebpf")]
pub mod ebpf;
pub mod enrich;
pub mod event;
pub mod metrics;
pub mod netlink;
pub mod pipeline;
pub mod procs;
pub mod resources;
pub mod runtime_event;

pub use event::SensorEvent;
pub use metrics::SensorMetrics;
pub use pipeline::{
    JsonLines, Mode, Sensor, SensorConfig, SensorError, SensorStats, Sink, StatsHandle, StopHandle,
};
pub use runtime_event::to_runtime;
