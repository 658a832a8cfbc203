//! Alerts of `harrier watch`: a finding that a change introduced, or one that a change fixed,
//! as one JSON object per line (and as arrays for webhooks). The finding has the shape of the
//! JSON report's findings, so consumers parse both alike.

use std::io;

use harrier_core::{Catalog, Finding};
use serde::Serialize;

use crate::json::{FindingOut, finding_out};

/// What happened to a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    /// The finding holds now and did not before (or is there at start).
    Finding,
    /// The finding held before and no longer does (fixed, or its object deleted).
    Resolved,
}

/// One alert.
#[derive(Debug, Clone, Copy)]
pub struct Alert<'a> {
    /// Found or resolved.
    pub transition: Transition,
    /// When the change was seen, RFC 3339.
    pub time: &'a str,
    /// The kubeconfig context watched.
    pub cluster: &'a str,
    /// Whether it was there when watching started, rather than introduced by a change.
    pub initial: bool,
    /// The finding.
    pub finding: &'a Finding,
}

#[derive(Serialize)]
struct AlertOut<'a> {
    event: Transition,
    time: &'a str,
    cluster: &'a str,
    initial: bool,
    finding: FindingOut<'a>,
}

fn out<'a>(catalog: &Catalog, alert: &Alert<'a>) -> AlertOut<'a> {
    AlertOut {
        event: alert.transition,
        time: alert.time,
        cluster: alert.cluster,
        initial: alert.initial,
        finding: finding_out(catalog, alert.finding),
    }
}

/// Writes one alert as a line of JSON.
pub fn write_line(
    out_: &mut dyn io::Write,
    catalog: &Catalog,
    alert: &Alert<'_>,
) -> io::Result<()> {
    serde_json::to_writer(&mut *out_, &out(catalog, alert)).map_err(io::Error::other)?;
    writeln!(out_)
}

/// A batch of alerts as one JSON array, the body a webhook receives.
pub fn batch_json(catalog: &Catalog, alerts: &[Alert<'_>]) -> serde_json::Result<String> {
    let batch: Vec<AlertOut<'_>> = alerts.iter().map(|a| out(catalog, a)).collect();
    serde_json::to_string(&batch)
}
