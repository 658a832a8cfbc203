//! Kubernetes actions against the loopback stand-in API server (harrier-k8s's fixture): the
//! exact requests each action makes, the ownerReference walk, and API refusals in the trail.

use harrier_core::testing::corpus_path;
use harrier_k8s::cluster::ClusterOptions;
use harrier_k8s::cluster::fixture::FixtureServer;
use harrier_response::cluster::Cluster;
use harrier_response::{ActionRecord, AuditTrail, Outcome, Policy, Responder};
use harrier_runtime::Alert;
use harrier_runtime::rules::Priority;
use serde_json::{Value, json};

const TRACES: &str = "audit-logs/falco-k8s-audit-traces/test/trace_files/k8s_audit";
/// The pod a real Deployment's ReplicaSet created, as the API server answered its creation.
const POD: &str = "nginx-deployment-78f5d695bd-nxqz5";

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The first `responseObject` (else `requestObject`) of an audit trace in the corpus.
fn traced_object(file: &str) -> Option<Value> {
    let path = corpus_path(env!("CARGO_MANIFEST_DIR"), &format!("{TRACES}/{file}"))?;
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find_map(|e| {
            let o = &e["responseObject"];
            let o = if o.is_object() {
                o
            } else {
                &e["requestObject"]
            };
            o.is_object().then(|| o.clone())
        })
}

/// The cluster: the traced pod, its ReplicaSet and Deployment (the traced one, at apps/v1), a
/// StatefulSet with its pod, and a bare pod.
fn cluster() -> Option<FixtureServer> {
    let pod = traced_object("create_nginx_pod_unprivileged.json")?;
    let mut deployment = traced_object("create_deployment.json")?;
    deployment["apiVersion"] = json!("apps/v1");
    deployment["metadata"]["namespace"] = json!("default");
    let replica_set = json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": "nginx-deployment-78f5d695bd", "namespace": "default",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "nginx-deployment",
                "uid": "a2a6d8bd-d85f-11e8-88b6-080027728ac4", "controller": true, "blockOwnerDeletion": true}]},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "nginx"}}}});
    let stateful_set = json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "db", "namespace": "default"},
        "spec": {"replicas": 2, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}}}});
    let db_pod = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "db-0", "namespace": "default", "labels": {"app": "db"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db",
                "uid": "5c1e0f3a-0000-4000-8000-000000000001", "controller": true}]},
        "spec": {"containers": [{"name": "db", "image": "postgres:16"}]}});
    let bare = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "debug", "namespace": "default"},
        "spec": {"containers": [{"name": "sh", "image": "busybox"}]}});
    let daemon_pod = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "agent-x7k2p", "namespace": "default",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "agent",
                "uid": "5c1e0f3a-0000-4000-8000-000000000002", "controller": true}]},
        "spec": {"containers": [{"name": "agent", "image": "agent:1"}]}});
    let lone_set = json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": "lone", "namespace": "default"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "lone"}}}});
    let lone_pod = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "lone-abcde", "namespace": "default",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "lone",
                "uid": "5c1e0f3a-0000-4000-8000-000000000003", "controller": true}]},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]}});
    FixtureServer::start([
        pod,
        deployment,
        replica_set,
        stateful_set,
        db_pod,
        bare,
        daemon_pod,
        lone_set,
        lone_pod,
    ])
    .ok()
}

fn connect(server: &FixtureServer, dir: &tempfile::TempDir) -> Result<Cluster> {
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, server.kubeconfig("fixture"))?;
    Ok(Cluster::connect(&ClusterOptions {
        kubeconfig: Some(kubeconfig),
        ..ClusterOptions::default()
    })?)
}

fn alert(pod: &str) -> Alert {
    Alert {
        rule: "Terminal shell in container".into(),
        priority: Priority::Notice,
        output: String::new(),
        time: "2026-01-01T00:00:00Z".into(),
        source: "syscall",
        tags: vec![],
        hostname: "node-1".into(),
        output_fields:
            json!({"proc.pid": 4242, "proc.name": "bash", "container.id": "3ad7b2c1f0e9",
            "k8s.ns.name": "default", "k8s.pod.name": pod})
            .as_object()
            .cloned()
            .unwrap_or_default(),
    }
}

fn responder(actions: &str, cluster: Cluster) -> Result<Responder> {
    let text = format!(
        "limits: {{max_actions_per_minute: 100, pod_cooldown_seconds: 0}}\nresponses:\n- name: contain\n  match: {{rules: [\"Terminal shell*\"]}}\n  actions: {actions}\n"
    );
    Ok(Responder::new(Policy::parse("policy.yaml", &text)?).with_cluster(cluster))
}

/// The writes the server saw (reads are asserted where they matter), with parsed bodies.
fn exchanges(server: &FixtureServer) -> Vec<(String, Value)> {
    server
        .exchanges()
        .into_iter()
        .map(|(line, body)| {
            let line = line.trim_end_matches(" HTTP/1.1").to_owned();
            (line, serde_json::from_str(&body).unwrap_or(Value::Null))
        })
        .collect()
}

fn one(records: &[ActionRecord]) -> (Outcome, &str) {
    assert_eq!(records.len(), 1, "{records:?}");
    (records[0].outcome, records[0].message.as_str())
}

#[test]
fn label_is_a_merge_patch_of_labels_and_annotations() -> Result {
    let Some(server) = cluster() else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let mut responder = responder(
        "[{label: {key: security.example.com/suspect, value: \"true\"}}]",
        connect(&server, &dir)?,
    )?;
    let records = responder.on_alert(&alert(POD))?;
    assert_eq!(
        one(&records),
        (
            Outcome::Ok,
            format!("labelled pod default/{POD} with security.example.com/suspect=true").as_str()
        )
    );
    assert_eq!(
        exchanges(&server),
        [(
            format!("PATCH /api/v1/namespaces/default/pods/{POD}?&fieldManager=harrier-response"),
            json!({"metadata": {"labels": {"security.example.com/suspect": "true"},
                "annotations": {"harrier.io/response": "contain", "harrier.io/alert-rule": "Terminal shell in container"}}})
        )]
    );
    let stored = server
        .object("Pod", Some("default"), POD)
        .unwrap_or_default();
    assert_eq!(
        stored["metadata"]["labels"]["security.example.com/suspect"],
        "true"
    );
    // The labels the pod had are kept: a merge patch, not a replacement.
    assert_eq!(stored["metadata"]["labels"]["app"], "nginx");
    Ok(())
}

#[test]
fn quarantine_creates_then_updates_a_deny_all_policy() -> Result {
    let Some(server) = cluster() else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let mut responder = responder("[quarantine]", connect(&server, &dir)?)?;
    let records = responder.on_alert(&alert(POD))?;
    assert_eq!(
        one(&records),
        (Outcome::Ok, format!("created NetworkPolicy default/harrier-quarantine denying all traffic of pods labelled harrier.io/quarantine=true, and labelled pod default/{POD}").as_str())
    );
    let spec = json!({"podSelector": {"matchLabels": {"harrier.io/quarantine": "true"}}, "policyTypes": ["Ingress", "Egress"]});
    let label = json!({"metadata": {"labels": {"harrier.io/quarantine": "true"},
        "annotations": {"harrier.io/response": "contain", "harrier.io/alert-rule": "Terminal shell in container"}}});
    assert_eq!(
        exchanges(&server),
        [
            (
                "POST /apis/networking.k8s.io/v1/namespaces/default/networkpolicies?&fieldManager=harrier-response".to_owned(),
                json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                    "metadata": {"name": "harrier-quarantine", "namespace": "default",
                        "labels": {"app.kubernetes.io/managed-by": "harrier"}},
                    "spec": spec})
            ),
            (format!("PATCH /api/v1/namespaces/default/pods/{POD}?&fieldManager=harrier-response"), label.clone()),
        ]
    );
    // Someone loosens the policy; the next quarantine in the namespace puts it back.
    let mut loosened = server
        .object("NetworkPolicy", Some("default"), "harrier-quarantine")
        .unwrap_or_default();
    loosened["spec"]["ingress"] = json!([{}]);
    server.apply(loosened);
    let records = responder.on_alert(&alert("db-0"))?;
    assert_eq!(one(&records).0, Outcome::Ok, "{records:?}");
    assert!(
        one(&records)
            .1
            .starts_with("updated NetworkPolicy default/harrier-quarantine")
    );
    let seen = exchanges(&server);
    assert_eq!(seen.len(), 5, "{seen:?}");
    assert_eq!(
        seen[2].0,
        "POST /apis/networking.k8s.io/v1/namespaces/default/networkpolicies?&fieldManager=harrier-response"
    );
    assert_eq!(
        seen[3],
        (
            "PATCH /apis/networking.k8s.io/v1/namespaces/default/networkpolicies/harrier-quarantine?&fieldManager=harrier-response".to_owned(),
            json!({"spec": {"podSelector": {"matchLabels": {"harrier.io/quarantine": "true"}},
                "policyTypes": ["Ingress", "Egress"], "ingress": null, "egress": null}})
        )
    );
    assert_eq!(
        seen[4].0,
        "PATCH /api/v1/namespaces/default/pods/db-0?&fieldManager=harrier-response"
    );
    let stored = server
        .object("NetworkPolicy", Some("default"), "harrier-quarantine")
        .unwrap_or_default();
    assert_eq!(stored["spec"].get("ingress"), None, "{stored}");
    Ok(())
}

#[test]
fn delete_pod_with_grace_period() -> Result {
    let Some(server) = cluster() else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let mut responder = responder(
        "[{delete_pod: {grace_period_seconds: 5}}]",
        connect(&server, &dir)?,
    )?;
    let records = responder.on_alert(&alert(POD))?;
    assert_eq!(
        one(&records),
        (Outcome::Ok, format!("deleted pod default/{POD}").as_str())
    );
    assert_eq!(
        exchanges(&server),
        [(
            format!("DELETE /api/v1/namespaces/default/pods/{POD}?"),
            json!({"gracePeriodSeconds": 5})
        )]
    );
    assert_eq!(server.object("Pod", Some("default"), POD), None);
    Ok(())
}

#[test]
fn scale_follows_owner_references_to_the_deployment() -> Result {
    let Some(server) = cluster() else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let mut responder = responder("[scale_to_zero]", connect(&server, &dir)?)?;
    let records = responder.on_alert(&alert(POD))?;
    assert_eq!(
        one(&records),
        (
            Outcome::Ok,
            "scaled Deployment default/nginx-deployment (owner of ReplicaSet nginx-deployment-78f5d695bd, owner of pod nginx-deployment-78f5d695bd-nxqz5) to 0 replicas"
        )
    );
    assert_eq!(
        exchanges(&server),
        [
            (format!("GET /api/v1/namespaces/default/pods/{POD}"), Value::Null),
            ("GET /apis/apps/v1/namespaces/default/replicasets/nginx-deployment-78f5d695bd".to_owned(), Value::Null),
            (
                "PATCH /apis/apps/v1/namespaces/default/deployments/nginx-deployment/scale?&fieldManager=harrier-response".to_owned(),
                json!({"spec": {"replicas": 0}})
            ),
        ]
    );
    let stored = server
        .object("Deployment", Some("default"), "nginx-deployment")
        .unwrap_or_default();
    assert_eq!(stored["spec"]["replicas"], 0);

    let records = responder.on_alert(&alert("db-0"))?;
    assert_eq!(
        one(&records),
        (
            Outcome::Ok,
            "scaled StatefulSet default/db (owner of pod db-0) to 0 replicas"
        )
    );
    let seen = exchanges(&server);
    assert_eq!(
        seen.last(),
        Some(&(
            "PATCH /apis/apps/v1/namespaces/default/statefulsets/db/scale?&fieldManager=harrier-response".to_owned(),
            json!({"spec": {"replicas": 0}})
        ))
    );
    let records = responder.on_alert(&alert("debug"))?;
    assert_eq!(
        one(&records),
        (
            Outcome::Error,
            "pod default/debug has no controlling owner to scale (a bare pod: delete it instead)"
        )
    );
    let records = responder.on_alert(&alert("agent-x7k2p"))?;
    assert_eq!(
        one(&records),
        (
            Outcome::Error,
            "pod default/agent-x7k2p is controlled by DaemonSet agent, which has no replica count to scale"
        )
    );
    // A ReplicaSet no Deployment controls is scaled itself.
    let records = responder.on_alert(&alert("lone-abcde"))?;
    assert_eq!(
        one(&records),
        (
            Outcome::Ok,
            "scaled ReplicaSet default/lone (owner of pod lone-abcde) to 0 replicas"
        )
    );
    let stored = server
        .object("ReplicaSet", Some("default"), "lone")
        .unwrap_or_default();
    assert_eq!(stored["spec"]["replicas"], 0);
    Ok(())
}

#[test]
fn without_cluster_access_kubernetes_actions_fail() -> Result {
    let policy = Policy::parse(
        "policy.yaml",
        "responses:\n- name: contain\n  match: {rules: [\"*\"]}\n  actions: [label]\n",
    )?;
    let records = Responder::new(policy).on_alert(&alert(POD))?;
    assert_eq!(
        one(&records),
        (
            Outcome::Error,
            "no cluster access configured for Kubernetes actions"
        )
    );
    Ok(())
}

#[test]
fn api_refusals_are_recorded_not_raised() -> Result {
    let Some(server) = cluster() else {
        return Ok(());
    };
    server.forbid("networkpolicies.networking.k8s.io");
    let dir = tempfile::tempdir()?;
    let trail = dir.path().join("trail.jsonl");
    let mut responder = responder("[quarantine, {delete_pod: {}}]", connect(&server, &dir)?)?
        .with_trail(AuditTrail::open(&trail)?);
    let records = responder.on_alert(&alert(POD))?;
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].outcome, Outcome::Error);
    assert_eq!(
        records[0].message,
        "cannot create NetworkPolicy default/harrier-quarantine: 403 Forbidden: networkpolicies is forbidden: User \"tester\" cannot create resource \"networkpolicies\" in API group \"networking.k8s.io\" in the namespace \"default\""
    );
    // The pod is not labelled when its quarantine policy could not be made.
    assert_eq!(exchanges(&server).len(), 2);
    assert_eq!(records[1].outcome, Outcome::Ok);
    let records = responder.on_alert(&alert("gone-already"))?;
    assert_eq!(records[1].outcome, Outcome::Error);
    assert_eq!(
        records[1].message,
        "cannot delete pod default/gone-already: 404 NotFound: pods \"gone-already\" not found"
    );
    let lines: Vec<Value> = std::fs::read_to_string(&trail)?
        .lines()
        .map(serde_json::from_str)
        .collect::<std::result::Result<_, _>>()?;
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["action"], "quarantine");
    assert_eq!(lines[0]["outcome"], "error");
    assert_eq!(lines[0]["dry_run"], false);
    assert_eq!(
        lines[0]["target"],
        json!({"namespace": "default", "pod": POD, "pid": 4242, "process": "bash", "container_id": "3ad7b2c1f0e9"})
    );
    assert_eq!(lines[3]["message"], records[1].message);
    Ok(())
}

#[test]
fn dry_run_sends_nothing() -> Result {
    let Some(server) = cluster() else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let mut responder = responder(
        "[label, quarantine, delete_pod, scale_to_zero]",
        connect(&server, &dir)?,
    )?
    .with_dry_run(true);
    let records = responder.on_alert(&alert(POD))?;
    let messages: Vec<&str> = records.iter().map(|r| r.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            format!("would label pod default/{POD} with harrier.io/quarantine=true"),
            format!(
                "would label pod default/{POD} with harrier.io/quarantine=true and apply NetworkPolicy default/harrier-quarantine denying all its traffic"
            ),
            format!("would delete pod default/{POD}"),
            format!("would scale the owner of pod default/{POD} to zero replicas"),
        ]
    );
    assert!(
        records
            .iter()
            .all(|r| r.dry_run && r.outcome == Outcome::Ok)
    );
    assert_eq!(exchanges(&server), []);
    Ok(())
}
