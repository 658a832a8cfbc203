//! The sensor's metrics endpoint: turns `MetricsArgs` into a running
//! `harrier_serve::MetricsServer` serving a `SensorMetrics` that the sensor counts into.
//!
//! Wiring, in `harrier sensor` after `Sensor::start`:
//! `let metrics = metrics::start(&args.metrics, &mut sensor)?;` keeps the server running while
//! it is in scope; `metrics.as_ref().map(|m| &m.metrics)` is what the rule engine's sink counts
//! rule matches and alerts into.

use std::sync::Arc;

use anyhow::Context;
use harrier_sensor::{Sensor, SensorMetrics};
use harrier_serve::{MetricsServer, ServeConfig};

use crate::cli::MetricsArgs;

/// A served endpoint and the metrics behind it.
#[derive(Debug)]
pub struct Metrics {
    /// Stops serving when dropped.
    pub server: MetricsServer,
    /// What the sensor, the rule engine and the alert outputs count into.
    pub metrics: Arc<SensorMetrics>,
}

/// The endpoint's settings; `None` when no endpoint was asked for.
pub fn serve_config(args: &MetricsArgs) -> Option<ServeConfig> {
    let cert = args.metrics_tls_cert.clone()?;
    // clap requires the key with the certificate; an absent one fails at start, naming it.
    let key = args.metrics_tls_key.clone().unwrap_or_default();
    let mut cfg = ServeConfig::new(args.metrics_addr, cert, key);
    cfg.token_file = args.metrics_token_file.clone();
    cfg.client_ca = args.metrics_client_ca.clone();
    Some(cfg)
}

/// Serves `metrics` as `args` say, or nothing when no endpoint was asked for.
pub fn serve(args: &MetricsArgs, metrics: Arc<SensorMetrics>) -> anyhow::Result<Option<Metrics>> {
    let Some(cfg) = serve_config(args) else {
        return Ok(None);
    };
    let server = MetricsServer::start(cfg, Arc::clone(&metrics) as _).map_err(|e| {
        let hint = if e.is_no_authentication() {
            " (give --metrics-token-file, --metrics-client-ca, or both)"
        } else {
            ""
        };
        anyhow::Error::new(e).context(format!(
            "cannot serve metrics on {}{hint}",
            args.metrics_addr
        ))
    })?;
    Ok(Some(Metrics { server, metrics }))
}

/// Starts the endpoint for a started sensor and makes the sensor count into it.
pub fn start(args: &MetricsArgs, sensor: &mut Sensor) -> anyhow::Result<Option<Metrics>> {
    if args.metrics_tls_cert.is_none() {
        return Ok(None);
    }
    let metrics = Arc::new(SensorMetrics::new());
    let served =
        serve(args, Arc::clone(&metrics)).context("the metrics endpoint could not start")?;
    sensor.set_metrics(metrics);
    Ok(served)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct T {
        #[command(flatten)]
        m: MetricsArgs,
    }

    fn parse(args: &[&str]) -> Result<MetricsArgs, clap::Error> {
        T::try_parse_from(std::iter::once("harrier").chain(args.iter().copied())).map(|t| t.m)
    }

    #[test]
    fn flags() {
        let none = parse(&[]).unwrap();
        assert!(serve_config(&none).is_none());
        assert_eq!(none.metrics_addr.to_string(), "0.0.0.0:9464");

        let e = parse(&["--metrics-tls-cert", "c.pem", "--metrics-tls-key", "k.pem"]).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("--metrics-token-file") && msg.contains("--metrics-client-ca"),
            "{msg}"
        );
        assert!(parse(&["--metrics-tls-cert", "c.pem", "--metrics-token-file", "t"]).is_err());
        assert!(parse(&["--metrics-token-file", "t"]).is_err());
        assert!(parse(&["--metrics-addr", "127.0.0.1:1"]).is_ok());

        let a = parse(&[
            "--metrics-tls-cert",
            "c.pem",
            "--metrics-tls-key",
            "k.pem",
            "--metrics-token-file",
            "t",
            "--metrics-client-ca",
            "ca.pem",
            "--metrics-addr",
            "127.0.0.1:9999",
        ])
        .unwrap();
        let cfg = serve_config(&a).unwrap();
        assert_eq!(cfg.addr.to_string(), "127.0.0.1:9999");
        assert_eq!(cfg.tls_cert.to_str(), Some("c.pem"));
        assert_eq!(cfg.tls_key.to_str(), Some("k.pem"));
        assert_eq!(
            cfg.token_file.as_deref().and_then(|p| p.to_str()),
            Some("t")
        );
        assert_eq!(
            cfg.client_ca.as_deref().and_then(|p| p.to_str()),
            Some("ca.pem")
        );
    }

    #[test]
    fn serves_and_says_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let pki = harrier_serve::testing::Pki::generate("cli").unwrap();
        let f = pki.write(dir.path()).unwrap();
        let token = dir.path().join("token");
        std::fs::write(&token, "t0ken\n").unwrap();
        let cert = f.server_cert.to_str().unwrap();
        let key = f.server_key.to_str().unwrap();
        let args = parse(&[
            "--metrics-tls-cert",
            cert,
            "--metrics-tls-key",
            key,
            "--metrics-token-file",
            token.to_str().unwrap(),
            "--metrics-addr",
            "127.0.0.1:0",
        ])
        .unwrap();
        let m = serve(&args, Arc::new(SensorMetrics::new()))
            .unwrap()
            .unwrap();
        let client = harrier_serve::testing::Client::new(&pki.ca, None).unwrap();
        let r = client
            .get(m.server.local_addr(), "/metrics", Some("t0ken"))
            .unwrap();
        assert_eq!(r.status, 200);
        assert!(
            r.body
                .contains("# TYPE harrier_sensor_events_total counter")
        );

        let mut missing = args.clone();
        missing.metrics_token_file = Some(dir.path().join("nope"));
        let e = format!(
            "{:#}",
            serve(&missing, Arc::new(SensorMetrics::new())).unwrap_err()
        );
        assert!(
            e.starts_with("cannot serve metrics on 127.0.0.1:0: cannot read `"),
            "{e}"
        );

        // Built without clap's checks (a config file, later): still refused, with the flags named.
        let mut bare = args;
        bare.metrics_token_file = None;
        let e = format!(
            "{:#}",
            serve(&bare, Arc::new(SensorMetrics::new())).unwrap_err()
        );
        assert!(
            e.contains("(give --metrics-token-file, --metrics-client-ca, or both)"),
            "{e}"
        );
        assert!(!e.contains("t0ken"));
    }
}
