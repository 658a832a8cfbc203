//! Built-in threat profiles through the CLI: `harrier rules list-profiles`, and `harrier
//! replay` loading them by default, selecting them (`--profiles`), turning them off
//! (`--no-builtin-profiles`), and letting a user file append to their lists.

use serde_json::Value;

use crate::util::Dir;

const MINER: &str = r#"{"source":"syscall","time_ns":1700000000000000000,"type":"execve","res":0,"process":{"pid":42,"name":"kworkerds","args":["-o","stratum+tcp://203.0.113.7:3333"],"uid":1000},"container":{"id":"3ad7b2c1f0e9","name":"web"},"k8s":{"namespace":"shop","pod_name":"web-1"},"hostname":"node-1"}"#;
const CUSTOM: &str = r#"{"source":"syscall","time_ns":1700000000000000001,"type":"execve","res":0,"process":{"pid":43,"name":"quietminer","args":[],"uid":1000},"container":{"id":"3ad7b2c1f0e9","name":"web"},"k8s":{"namespace":"shop","pod_name":"web-1"},"hostname":"node-1"}"#;

fn rules_of(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["rule"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn list_profiles_names_every_profile_with_its_rules() {
    let dir = Dir::new();
    let run = dir.run(&["rules", "list-profiles", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let listed: Value = serde_json::from_str(&run.stdout).unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 10);
    for p in listed {
        assert!(!p["rules"].as_array().unwrap().is_empty(), "{p}");
        assert!(!p["mitre"].as_array().unwrap().is_empty(), "{p}");
    }
    let run = dir.run(&["rules", "list-profiles"]);
    assert!(
        run.stdout.contains("crypto-mining (5 rules; T1496)"),
        "{}",
        run.stdout
    );
}

#[test]
fn replay_loads_profiles_by_default_and_selects_them() {
    let dir = Dir::new();
    let events = dir.write("e.jsonl", &format!("{MINER}\n{CUSTOM}\n"));
    let events = events.to_str().unwrap();
    let run = dir.run(&["replay", events]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(rules_of(&run.stdout), ["Harrier Crypto Miner Executed"]);
    let alert: Value = serde_json::from_str(run.stdout.lines().next().unwrap()).unwrap();
    assert!(
        alert["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "harrier.profile.crypto-mining")
    );
    assert_eq!(alert["output_fields"]["k8s.pod.name"], "web-1");

    let run = dir.run(&["replay", "--profiles", "reverse-shell,compilers", events]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);

    let run = dir.run(&["replay", "--no-builtin-profiles", events]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no rule loaded"), "{}", run.stderr);

    let run = dir.run(&["replay", "--profiles", "bitcoin", events]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown threat profile `bitcoin`"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_user_file_appends_to_a_profile_list() {
    let dir = Dir::new();
    let events = dir.write("e.jsonl", &format!("{MINER}\n{CUSTOM}\n"));
    let tuning = dir.write(
        "tuning.yaml",
        "- list: harrier_miner_binaries\n  items: [quietminer]\n  override:\n    items: append\n",
    );
    let run = dir.run(&[
        "replay",
        "--profiles",
        "crypto-mining",
        "-r",
        tuning.to_str().unwrap(),
        events.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        rules_of(&run.stdout),
        [
            "Harrier Crypto Miner Executed",
            "Harrier Crypto Miner Executed"
        ]
    );
}

#[test]
fn audit_runs_harrier_audit_rules_by_default() {
    let dir = Dir::new();
    // A cluster-wide secret list by a user from a public address, then the same by the
    // namespace controller (no alert).
    let log = dir.write(
        "audit.jsonl",
        concat!(
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","stage":"ResponseComplete","verb":"list","requestURI":"/api/v1/secrets","user":{"username":"dev@example.com"},"sourceIPs":["203.0.113.9"],"objectRef":{"resource":"secrets","apiVersion":"v1"},"responseStatus":{"code":200},"stageTimestamp":"2024-05-01T10:00:00Z"}"#,
            "\n",
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","stage":"ResponseComplete","verb":"list","requestURI":"/api/v1/secrets","user":{"username":"system:serviceaccount:kube-system:namespace-controller"},"sourceIPs":["10.0.0.5"],"objectRef":{"resource":"secrets","apiVersion":"v1"},"responseStatus":{"code":200},"stageTimestamp":"2024-05-01T10:00:01Z"}"#,
            "\n",
        ),
    );
    let log = log.to_str().unwrap();
    let run = dir.run(&["audit", log]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        rules_of(&run.stdout),
        ["Harrier Secrets Listed in All Namespaces"]
    );
    let run = dir.run(&["audit", "--no-builtin-rules", log]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no k8s_audit rule loaded"),
        "{}",
        run.stderr
    );
}

#[test]
fn docs_name_every_profile_rule() {
    let doc =
        std::fs::read_to_string(crate::util::repo_root().join("docs/threat-profiles.md")).unwrap();
    let dir = Dir::new();
    let run = dir.run(&["rules", "list-profiles", "--format", "json"]);
    let listed: Value = serde_json::from_str(&run.stdout).unwrap();
    for p in listed.as_array().unwrap() {
        let name = p["name"].as_str().unwrap();
        assert!(
            doc.contains(&format!("| `{name}` |")),
            "docs/threat-profiles.md lacks {name}"
        );
        for r in p["rules"].as_array().unwrap() {
            let short = r.as_str().unwrap().trim_start_matches("Harrier ");
            assert!(
                doc.contains(short),
                "docs/threat-profiles.md lacks rule `{short}`"
            );
        }
        for t in p["mitre"].as_array().unwrap() {
            assert!(
                doc.contains(t.as_str().unwrap()),
                "docs/threat-profiles.md lacks {t}"
            );
        }
    }
}

#[test]
fn validate_with_builtin_accepts_a_tuning_file() {
    let dir = Dir::new();
    let tuning = dir.write(
        "tuning.yaml",
        "- list: harrier_api_client_namespaces\n  items: [argocd]\n  override:\n    items: append\n\
         - rule: Harrier Compiler Run in Container\n  exceptions:\n    - name: ci\n      fields: [k8s.ns.name]\n      values: [[ci]]\n  override:\n    exceptions: append\n",
    );
    let tuning = tuning.to_str().unwrap();
    let run = dir.run(&["rules", "validate", tuning]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr.contains("was not defined before"),
        "{}",
        run.stderr
    );
    let run = dir.run(&[
        "rules",
        "validate",
        "--with-builtin",
        "--format",
        "json",
        tuning,
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["summary"]["disabled"], 0);
    assert!(
        report["summary"]["loaded"].as_u64().unwrap() > 50,
        "{}",
        report["summary"]
    );
}
