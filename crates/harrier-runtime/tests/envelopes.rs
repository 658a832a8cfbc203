//! The audit envelopes on Panther's labelled detection samples: every EKS audit event, GKE
//! Kubernetes API entry and AKS `kube-audit` record decodes; other logs (Azure activity, GCP
//! non-Kubernetes calls) are refused with a reason. Panther's `other` format is mostly audit
//! events too.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is a failed test

use harrier_core::testing::corpus_path;
use harrier_runtime::event::audit::{self, Envelope};
use serde_json::Value;

#[test]
fn panther_samples_decode_by_envelope() {
    let Some(path) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "audit-logs/panther-k8s-detections/labeled-events.jsonl",
    ) else {
        return;
    };
    let text = std::fs::read_to_string(path).unwrap();
    let (mut eks, mut gke, mut aks, mut refused, mut other_events) = (0, 0, 0, 0, 0);
    for line in text.lines() {
        let sample: Value = serde_json::from_str(line).unwrap();
        let log = &sample["log"];
        let (events, errors) = audit::decode(&log.to_string());
        let format = sample["log_format"].as_str().unwrap();
        let k8s_gcp = log["protoPayload"]["methodName"]
            .as_str()
            .is_some_and(|m| m.starts_with("io.k8s."));
        match format {
            "k8s-audit-v1" => {
                assert!(errors.is_empty(), "{errors:?}");
                assert_eq!(events[0].envelope, Envelope::Plain);
                // Panther writes `2022-11-29 00:09:04.38`: still a time.
                if log.get("requestReceivedTimestamp").is_some() {
                    assert!(events[0].time_ns().is_some(), "{log}");
                }
                eks += 1;
            }
            "gcp-auditlog" if k8s_gcp => {
                assert!(errors.is_empty(), "{errors:?}");
                let e = &events[0];
                assert_eq!(e.envelope, Envelope::Gke);
                assert!(
                    e.event["verb"].is_string() && e.event["objectRef"]["resource"].is_string(),
                    "{}",
                    e.event
                );
                gke += 1;
            }
            "azure-monitor-activity" => {
                assert!(errors.is_empty(), "{errors:?}");
                assert_eq!(events[0].envelope, Envelope::Aks);
                aks += 1;
            }
            // Panther's "other" holds Azure activity logs and a few audit events.
            _ if log["kind"] == "Event" => {
                assert!(errors.is_empty(), "{errors:?}");
                other_events += 1;
            }
            _ => {
                assert!(events.is_empty(), "{log}");
                assert!(errors[0].message.contains("not recognized"), "{errors:?}");
                refused += 1;
            }
        }
    }
    assert_eq!((eks, gke, aks), (47, 40, 24));
    assert_eq!((other_events, refused), (95, 12));
}
