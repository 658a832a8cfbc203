//! Deterministic mutation test: the kubeadm tree's files (manifests, kubelet config, etcd
//! config, cmdlines, systemd units, passwd, K3s config…) are mutated one at a time — truncated,
//! bytes flipped, chunks duplicated, systemd and YAML metacharacters inserted — and the node is
//! scanned as every profile after each mutation. Nothing may panic; every item still gives a
//! result. (The fuzz-style complement to the compliant/non-compliant table tests.)
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is a failed test

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use harrier_core::testing::Rng;
use harrier_node::checks::for_benchmark;
use harrier_node::{Profile, scan_node};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let meta = fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            files(&path, out);
        } else if meta.is_file() {
            out.push(path);
        }
    }
}

const INSERTS: &[&[u8]] = &[
    b"${",
    b"$",
    b"\\\n",
    b"\"",
    b"'",
    b"\0",
    b"---\n",
    b": ",
    b"- ",
    b"{",
    b"[",
    b"=",
    b"--",
    b"\n[Service]\nExecStart=",
    b"\nEnvironmentFile=/etc/passwd\n",
    b"\xff\xfe",
    b"&a *a",
];

#[test]
fn mutated_trees_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    if std::os::unix::fs::chown(dir.path(), Some(0), Some(0)).is_err() {
        harrier_core::testing::skip::<()>("chown needs root");
        return;
    }
    let root = dir.path();
    support::build(root, &support::COMPLIANT);
    // Give the other layouts something to read too.
    support::write(
        root,
        "/etc/rancher/k3s/config.yaml",
        "kube-apiserver-arg:\n  - anonymous-auth=false\nsecrets-encryption: true\n",
        0o600,
        0,
    );
    support::write(
        root,
        "/var/lib/rancher/k3s/server/db/etcd/config",
        &support::etcd_config(&["etcd", "--cert-file=/a", "--peer-auto-tls"], &[]),
        0o600,
        0,
    );
    support::write(
        root,
        "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
        "[Service]\nEnvironment=\"A=--x=1\"\nEnvironmentFile=-/etc/default/kubelet\nExecStart=\nExecStart=/usr/bin/kubelet $A ${B} $KUBELET_EXTRA_ARGS\n",
        0o644,
        0,
    );
    support::write(
        root,
        "/etc/default/kubelet",
        "KUBELET_EXTRA_ARGS=\"--read-only-port=0\"\nB=x\n",
        0o644,
        0,
    );
    let mut all = Vec::new();
    files(root, &mut all);
    all.sort();
    let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15);
    let mut scans = 0;
    for round in 0..120 {
        let file = &all[rng.below(all.len())];
        let mut bytes = fs::read(file).unwrap();
        match rng.below(4) {
            0 => bytes.truncate(rng.below(bytes.len() + 1)),
            1 => {
                for _ in 0..=rng.below(8) {
                    if !bytes.is_empty() {
                        let at = rng.below(bytes.len());
                        bytes[at] = (rng.next_u64() & 0xff) as u8;
                    }
                }
            }
            2 => {
                let from = rng.below(bytes.len() + 1);
                let to = from + rng.below(bytes.len() - from + 1);
                let chunk = bytes[from..to].to_vec();
                let at = rng.below(bytes.len() + 1);
                bytes.splice(at..at, chunk);
            }
            _ => {
                let insert = INSERTS[rng.below(INSERTS.len())];
                let at = rng.below(bytes.len() + 1);
                bytes.splice(at..at, insert.iter().copied());
            }
        }
        fs::write(file, &bytes).unwrap();
        // Every layout over the same (mutated) tree; the first round of each ten also detects.
        for profile in Profile::ALL {
            let scan = scan_node(root, Some(profile), None);
            assert_eq!(
                scan.results.len(),
                for_benchmark(profile.default_benchmark()).len(),
                "round {round}, {profile}, {}",
                file.display()
            );
            scans += 1;
        }
        if round % 10 == 0 {
            let _ = scan_node(root, None, None);
            scans += 1;
        }
    }
    assert!(scans > 700);
}
