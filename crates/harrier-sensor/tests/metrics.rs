//! The sensor's metrics served over HTTPS, as Prometheus scrapes them: a real TLS client with
//! the bearer token, the body parsed line by line and checked by `promtool check metrics` (Debian
//! `prometheus`; skipped when absent, failing under HARRIER_REQUIRE_ALL=1), and, as root, a
//! running sensor whose events show up in the counters.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use harrier_core::testing::{is_root, skip};
use harrier_sensor::event::{EventType, Process, Source, Syscall};
use harrier_sensor::pipeline::Collector;
use harrier_sensor::{Mode, Sensor, SensorConfig, SensorEvent, SensorMetrics, SensorStats, Sink};
use harrier_serve::testing::{Client, Pki};
use harrier_serve::{MetricsServer, ServeConfig};

const TOKEN: &str = "scrape-token-4f1d0c";

struct Endpoint {
    server: MetricsServer,
    client: Client,
    _dir: tempfile::TempDir,
}

impl Endpoint {
    fn start(metrics: Arc<SensorMetrics>) -> Endpoint {
        let dir = tempfile::tempdir().unwrap();
        let pki = Pki::generate("sensor test").unwrap();
        let f = pki.write(dir.path()).unwrap();
        let token = dir.path().join("token");
        std::fs::write(&token, TOKEN).unwrap();
        let cfg = ServeConfig::new(
            "127.0.0.1:0".parse().unwrap(),
            f.server_cert.clone(),
            f.server_key.clone(),
        )
        .with_token_file(token);
        let server = MetricsServer::start(cfg, metrics).unwrap();
        Endpoint {
            server,
            client: Client::new(&pki.ca, None).unwrap(),
            _dir: dir,
        }
    }

    fn scrape(&self) -> String {
        let r = self
            .client
            .get(self.server.local_addr(), "/metrics", Some(TOKEN))
            .unwrap();
        assert_eq!(r.status, 200, "{r:?}");
        r.body
    }
}

/// Parses the exposition into `series → value`, failing on any malformed line.
fn parse(body: &str) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    let mut typed = Vec::new();
    for (n, line) in body.lines().enumerate() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut it = rest.split(' ');
            let name = it.next().unwrap();
            assert!(
                matches!(it.next(), Some("counter" | "gauge")),
                "line {}: {line}",
                n + 1
            );
            typed.push(name.to_owned());
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap();
        let name = series.split('{').next().unwrap();
        assert!(
            harrier_serve::exposition::is_metric_name(name),
            "line {}: {line}",
            n + 1
        );
        assert!(
            typed.last().is_some_and(|t| t == name),
            "line {}: {line} outside its family",
            n + 1
        );
        if series.contains('{') {
            assert!(series.ends_with('}'), "line {}: {line}", n + 1);
        }
        let v: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("line {}: {line}", n + 1));
        assert!(
            out.insert(series.to_owned(), v).is_none(),
            "line {}: duplicate",
            n + 1
        );
    }
    out
}

fn promtool_check(body: &str) {
    if Command::new("promtool").arg("--version").output().is_err() {
        skip::<()>("promtool is not installed (Debian package `prometheus`)");
        return;
    }
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
        "promtool check metrics: {}\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn ev(source: Source, t: EventType) -> SensorEvent {
    SensorEvent::new(source, t, 0, Process::default())
}

#[test]
fn scraped_over_https_parsed_and_checked_by_promtool() {
    let metrics = Arc::new(SensorMetrics::new());
    let endpoint = Endpoint::start(Arc::clone(&metrics));

    for _ in 0..5 {
        metrics.record_event(&ev(Source::Ebpf, EventType::Syscall(Syscall::Connect)));
    }
    metrics.record_event(&ev(Source::Ebpf, EventType::Execve));
    let mut stats = SensorStats {
        collected: 6,
        queue_dropped: 1,
        queue_capacity: 8192,
        emitted: 6,
        ..SensorStats::default()
    };
    stats.enrich.containers.misses = 2;
    stats.enrich.processes.len = 42;
    metrics.publish(stats, Collector::Ebpf);
    metrics.rule_match("Terminal shell in container", "Notice");
    metrics.rule_match("Netcat \"remote\" code execution\\in container", "Warning");
    metrics.alert_written();

    let body = endpoint.scrape();
    let series = parse(&body);
    let v = |k: &str| {
        *series
            .get(k)
            .unwrap_or_else(|| panic!("{k} missing in\n{body}"))
    };
    assert_eq!(
        v("harrier_sensor_events_total{type=\"connect\",source=\"ebpf\"}"),
        5.0
    );
    assert_eq!(
        v("harrier_sensor_events_total{type=\"execve\",source=\"ebpf\"}"),
        1.0
    );
    assert_eq!(v("harrier_sensor_queue_dropped_total"), 1.0);
    assert_eq!(v("harrier_sensor_queue_capacity"), 8192.0);
    assert_eq!(
        v("harrier_sensor_enrich_cache_misses_total{cache=\"container\"}"),
        2.0
    );
    assert_eq!(
        v("harrier_sensor_enrich_cache_entries{cache=\"process\"}"),
        42.0
    );
    assert_eq!(v("harrier_sensor_collector_info{collector=\"ebpf\"}"), 1.0);
    assert_eq!(
        v(
            "harrier_sensor_rule_matches_total{rule=\"Terminal shell in container\",priority=\"Notice\"}"
        ),
        1.0
    );
    assert_eq!(
        v(
            "harrier_sensor_rule_matches_total{rule=\"Netcat \\\"remote\\\" code execution\\\\in container\",priority=\"Warning\"}"
        ),
        1.0
    );
    assert_eq!(v("harrier_sensor_alerts_written_total"), 1.0);
    assert!(v("process_resident_memory_bytes") > 1e6);
    assert!(v("process_open_fds") >= 3.0);
    assert!(v("process_cpu_seconds_total") >= 0.0);
    assert!(v("process_start_time_seconds") > 1.7e9);

    // Counters move between scrapes.
    metrics.record_event(&ev(Source::Ebpf, EventType::Syscall(Syscall::Connect)));
    let again = parse(&endpoint.scrape());
    assert_eq!(
        again["harrier_sensor_events_total{type=\"connect\",source=\"ebpf\"}"],
        6.0
    );
    assert_eq!(
        again["harrier_metrics_http_responses_total{code=\"200\"}"],
        1.0
    );

    promtool_check(&body);
}

struct Discard;

impl Sink for Discard {
    type Error = std::convert::Infallible;
    fn event(&mut self, _: &SensorEvent) -> Result<(), Self::Error> {
        Ok(())
    }
}

#[test]
fn a_running_sensor_counts_into_its_metrics() {
    if !is_root() {
        skip::<()>("the running-sensor metrics test needs root (proc connector)");
        return;
    }
    let mut cfg = SensorConfig {
        mode: Mode::ProcConnector,
        ..SensorConfig::default()
    };
    // The load is this test's own children.
    cfg.enrich.keep_own_children = true;
    let mut sensor = Sensor::start(cfg).expect("the proc connector starts");
    let metrics = Arc::new(SensorMetrics::new());
    sensor.set_metrics(Arc::clone(&metrics));
    let endpoint = Endpoint::start(Arc::clone(&metrics));

    let stop = sensor.stop_handle();
    let load = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        for _ in 0..20 {
            Command::new("true").status().unwrap();
        }
        // Let a publish happen while running (every second), then stop.
        std::thread::sleep(Duration::from_millis(1500));
        stop.stop();
    });
    sensor
        .run(Some(Instant::now() + Duration::from_secs(20)), &mut Discard)
        .unwrap();
    load.join().unwrap();

    let series = parse(&endpoint.scrape());
    let stats = sensor.stats();
    let get = |k: &str| series.get(k).copied().unwrap_or(0.0);
    assert!(
        get("harrier_sensor_events_total{type=\"execve\",source=\"proc_connector\"}") >= 20.0,
        "{series:?}"
    );
    assert!(get("harrier_sensor_events_total{type=\"existing\",source=\"procfs\"}") >= 1.0);
    assert_eq!(
        get("harrier_sensor_collector_info{collector=\"proc_connector\"}"),
        1.0
    );
    // The final publish at the end of the run matches the sensor's own stats.
    assert_eq!(
        get("harrier_sensor_proc_connector_messages_total"),
        stats.connector.received as f64
    );
    assert_eq!(
        get("harrier_sensor_records_collected_total"),
        stats.collected as f64
    );
    assert_eq!(
        get("harrier_sensor_enrich_cache_entries{cache=\"process\"}"),
        stats.enrich.processes.len as f64
    );
    let events: f64 = series
        .iter()
        .filter(|(k, _)| k.starts_with("harrier_sensor_events_total{"))
        .map(|(_, v)| v)
        .sum();
    assert_eq!(events, stats.emitted as f64);
}

/// A real Prometheus (Debian `prometheus`) scrapes the endpoint with the scrape_config of
/// docs/metrics.md: bearer token from a file, the CA, `server_name`, and a client certificate.
#[test]
fn prometheus_scrapes_it_with_token_and_client_certificate() {
    if Command::new("prometheus")
        .arg("--version")
        .output()
        .is_err()
    {
        skip::<()>("prometheus is not installed (Debian package `prometheus`)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::generate("prometheus test").unwrap();
    let f = pki.write(dir.path()).unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
    let metrics = Arc::new(SensorMetrics::new());
    for _ in 0..7 {
        metrics.record_event(&ev(Source::Ebpf, EventType::Syscall(Syscall::Connect)));
    }
    let rule = "Netcat \"remote\" code execution\\in container";
    metrics.rule_match(rule, "Warning");
    let cfg = ServeConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        f.server_cert.clone(),
        f.server_key.clone(),
    )
    .with_token_file(token.clone())
    .with_client_ca(f.ca.clone());
    let server = MetricsServer::start(cfg, metrics).unwrap();

    let web = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let web_addr = web.local_addr().unwrap();
    drop(web);
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            r#"global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: harrier-sensor
    scheme: https
    authorization:
      type: Bearer
      credentials_file: {token}
    tls_config:
      ca_file: {ca}
      server_name: localhost
      cert_file: {cert}
      key_file: {key}
    static_configs:
      - targets: ["{target}"]
"#,
            token = token.display(),
            ca = f.ca.display(),
            cert = f.client_cert.display(),
            key = f.client_key.display(),
            target = server.local_addr(),
        ),
    )
    .unwrap();
    let log = std::fs::File::create(dir.path().join("prometheus.log")).unwrap();
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address={web_addr}"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _prometheus = Kill(child);

    let query = |q: &str| -> Option<Vec<serde_json::Value>> {
        use std::io::Read;
        let mut s = std::net::TcpStream::connect(web_addr).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        let q: String = q
            .bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect();
        write!(
            s,
            "GET /api/v1/query?query={q} HTTP/1.1\r\nHost: {web_addr}\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut resp = String::new();
        s.read_to_string(&mut resp).ok()?;
        let (_, body) = resp.split_once("\r\n\r\n")?;
        let v: serde_json::Value = serde_json::from_str(body).ok()?;
        v.pointer("/data/result")?.as_array().cloned()
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    let events = loop {
        if let Some(r) = query(r#"harrier_sensor_events_total{type="connect",source="ebpf"}"#)
            && !r.is_empty()
        {
            break r;
        }
        assert!(
            Instant::now() < deadline,
            "Prometheus never scraped the endpoint: {}",
            std::fs::read_to_string(dir.path().join("prometheus.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(250));
    };
    assert_eq!(
        events[0].pointer("/value/1").and_then(|v| v.as_str()),
        Some("7")
    );
    let up = query(r#"up{job="harrier-sensor"}"#).unwrap();
    assert_eq!(
        up[0].pointer("/value/1").and_then(|v| v.as_str()),
        Some("1")
    );
    // The escaped label value comes back as it went in.
    let rules = query("harrier_sensor_rule_matches_total").unwrap();
    assert_eq!(
        rules[0].pointer("/metric/rule").and_then(|v| v.as_str()),
        Some(rule)
    );
    assert_eq!(
        rules[0]
            .pointer("/metric/priority")
            .and_then(|v| v.as_str()),
        Some("Warning")
    );
}
