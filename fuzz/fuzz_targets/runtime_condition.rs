//! Any bytes as a rule condition and an output template: parse, compile for both sources
//! (with no macros or lists), evaluate on a syscall event, render.
//! Nothing may panic, whatever the input.
#![no_main]

use std::collections::HashMap;

use harrier_runtime::event::{Event, Process, Source, SyscallEvent};
use harrier_runtime::rules::compile::{Definitions, compile};
use harrier_runtime::rules::condition::parse;
use harrier_runtime::rules::output::Template;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let event = Event::Syscall(Box::new(SyscallEvent::new("openat", 1, Process::default())));
    let macros = HashMap::new();
    let lists = HashMap::new();
    let defs = Definitions { macros: &macros, lists: &lists };
    if let Ok(expr) = parse(text) {
        for source in [Source::Syscall, Source::K8sAudit] {
            if let Ok(node) = compile(&expr, source, &defs) {
                let _ = node.eval(&event);
            }
        }
    }
    if let Ok(t) = Template::compile(text, Source::Syscall) {
        let _ = t.render(&event);
    }
});
