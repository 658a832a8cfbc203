//! Serves manifest files through the fixture API server, for measuring `harrier scan cluster`
//! and `harrier rbac --cluster` on a large cluster without one:
//!
//! ```sh
//! python3 scripts/make-bench-cluster.py /tmp/cluster.yaml
//! cargo run --release -p harrier-k8s --features cluster --example fixture_server -- /tmp/cluster.yaml /tmp/kubeconfig &
//! harrier scan cluster --kubeconfig /tmp/kubeconfig --qps 0
//! ```
//!
//! A third argument, a number of changes per second, keeps changing pods (privileged on, then
//! off, one pod after another), for measuring `harrier watch`.
#![allow(clippy::print_stderr, clippy::exit)]

use std::path::PathBuf;

use harrier_core::yaml::de::from_node;
use harrier_k8s::cluster::fixture::FixtureServer;
use harrier_k8s::{LoadOptions, load};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (manifests, kubeconfig, churn) = match args.as_slice() {
        [m, k] => (m, k, 0u32),
        [m, k, rate] => (m, k, rate.parse().unwrap_or(0)),
        _ => {
            eprintln!("usage: fixture_server MANIFESTS KUBECONFIG_OUT [CHANGES_PER_SECOND]");
            std::process::exit(2);
        }
    };
    let loaded = load(&[PathBuf::from(manifests)], &LoadOptions::default());
    let objects: Vec<serde_json::Value> = loaded
        .objects
        .iter()
        .filter_map(|o| from_node(&o.node).ok())
        .collect();
    let count = objects.len();
    let pods: Vec<serde_json::Value> = objects
        .iter()
        .filter(|o| o["kind"] == "Pod")
        .cloned()
        .collect();
    let server = match FixtureServer::start(objects) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("cannot start: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = std::fs::write(kubeconfig, server.kubeconfig("bench")) {
        eprintln!("cannot write {kubeconfig}: {e}");
        std::process::exit(1);
    }
    eprintln!("serving {count} objects at {}", server.base);
    if churn == 0 || pods.is_empty() {
        loop {
            std::thread::park();
        }
    }
    let pause = std::time::Duration::from_secs_f64(1.0 / f64::from(churn));
    for (round, mut pod) in pods.into_iter().cycle().enumerate() {
        std::thread::sleep(pause);
        let privileged = round % 2 == 0;
        pod["spec"]["containers"][0]["securityContext"] =
            serde_json::json!({"privileged": privileged});
        server.apply(pod);
    }
}
