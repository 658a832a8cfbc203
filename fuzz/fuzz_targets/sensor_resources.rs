//! What the resource monitor reads from outside itself: `/proc/<pid>/net/tcp{,6}` tables and
//! cgroup files (`cpu.max`, flat-keyed `cpu.stat`/`memory.stat`). Every input gives a value,
//! never a panic.
#![no_main]

use harrier_sensor::resources::{cgroup, net};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let s = net::summarise([text.as_ref(), text.as_ref()], 4);
    assert!(s.destinations.len() <= 4);
    for line in text.lines() {
        let _ = net::parse_line(line);
    }
    let _ = cgroup::parse_cpu_max(&text);
    let _ = cgroup::flat_key(&text, "usage_usec");
});
