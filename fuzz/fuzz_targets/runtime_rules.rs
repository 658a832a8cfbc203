//! Any bytes as a Falco rules file: load, compile every rule, build the engine and evaluate a
//! syscall and an audit event, rendering each alert's output.
//! Nothing may panic, whatever the input.
#![no_main]

use harrier_runtime::Engine;
use harrier_runtime::event::{AuditEvent, Event, Process, SyscallEvent};
use harrier_runtime::rules::Loader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut loader = Loader::new();
    loader.add_text("fuzz.yaml", text);
    let set = loader.compile();
    let engine = Engine::new(&set);
    let process = Process {
        name: Some("bash".into()),
        args: Some(vec!["-i".into()]),
        ..Process::default()
    };
    let syscall = Event::Syscall(Box::new(SyscallEvent::new("execve", 1, process)));
    let audit = Event::K8sAudit(Box::new(
        AuditEvent::from_value(serde_json::json!({"kind": "Event", "verb": "create"}))
            .expect("a valid audit event"),
    ));
    for event in [&syscall, &audit] {
        let _ = engine.alerts(event, "fuzz");
    }
});
