//! What the node sensor reads from outside itself: ring-buffer records (decoded as events),
//! proc-connector datagrams, `/proc/<pid>/cgroup` and `/proc/<pid>/stat` text, and container
//! runtimes' JSON answers. The first byte picks the parser; every input gives a value or an
//! error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    match sel % 5 {
        0 => {
            let _ = harrier_sensor::event::decode(rest, u64::MAX - 5);
        }
        1 => {
            let _ = harrier_sensor::netlink::parse_datagram(rest);
        }
        2 => {
            let text = String::from_utf8_lossy(rest);
            let _ = harrier_sensor::container::parse_proc_cgroup(&text);
            let _ = harrier_sensor::container::parse_cgroup_path(&text);
        }
        3 => {
            let text = String::from_utf8_lossy(rest);
            let _ = harrier_sensor::procs::parse_stat(&text);
            let _ = harrier_sensor::procs::parse_status_ids(&text);
        }
        _ => {
            if let Ok(v) = serde_json::from_slice::<serde_json::Value>(rest) {
                let _ = harrier_sensor::container::docker_metadata(&v);
                let _ = harrier_sensor::container::podman_metadata(&v);
                let _ = harrier_sensor::container::cri_metadata(&v);
            }
        }
    }
});
