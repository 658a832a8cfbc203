//! Harrier's runtime detection: the event model ([`event`]), Falco-dialect rules compiled into
//! an evaluator indexed by event type ([`rules`], [`Engine`]), Kubernetes audit logs and their
//! cloud envelopes ([`event::audit`]), and decoders of recorded events for replay ([`decode`]).
//!
//! It evaluates recorded events; the live eBPF sensor (crate `harrier-sensor`) feeds the same
//! [`Engine`]. Built-in threat profiles ([`profiles`]) are rule files loaded by the same
//! loader; behavioural baselines ([`baseline`]) learn each workload's activity and alert on
//! drift from it. Resource signals of a node's containers (`container_resource_signal`
//! events) are combined with the other alerts of their container by a [`Correlator`].
//!
//! ```no_run
//! use harrier_runtime::{Engine, event::Event, rules};
//! let set = rules::load_files(&["falco_rules.yaml"]);
//! for s in &set.statuses {
//!     eprintln!("{s}");
//! }
//! let engine = Engine::new(&set);
//! # let event: Event = serde_json::from_str("{}").unwrap();
//! for alert in engine.alerts(&event, "node-1") {
//!     println!("{}", serde_json::to_string(&alert).unwrap());
//! }
//! ```
#![warn(missing_docs)]

pub mod baseline;
pub mod correlate;
pub mod decode;
mod engine;
pub mod event;
pub mod profiles;
pub mod rules;

pub use correlate::{Correlator, CorrelatorConfig};
pub use engine::{Alert, Engine};
