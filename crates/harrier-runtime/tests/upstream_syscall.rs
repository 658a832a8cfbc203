//! Upstream stable Falco rules (`falco_rules.yaml` from the shared corpus) on recorded-style
//! events: each rule fires on the activity it describes and not on its benign neighbour.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is a failed test

use harrier_core::testing::corpus_path;
use harrier_runtime::Engine;
use harrier_runtime::event::{Ancestor, Container, Event, Fd, OpenFlags, Process, SyscallEvent};
use harrier_runtime::rules;

fn process(name: &str, args: &[&str], tty: i64, parent: &str) -> Process {
    Process {
        pid: Some(42),
        name: Some(name.into()),
        exe: Some(name.into()),
        exepath: Some(format!("/usr/bin/{name}")),
        args: Some(args.iter().map(|a| a.to_string()).collect()),
        tty: Some(tty),
        uid: Some(0),
        user: Some("root".into()),
        loginuid: Some(u32::MAX),
        ancestors: vec![Ancestor {
            name: Some(parent.into()),
            ..Ancestor::default()
        }],
        ..Process::default()
    }
}

fn in_container(mut e: SyscallEvent) -> Event {
    e.container = Some(Container {
        id: "3ad7b2c1f0e9".into(),
        image_repository: Some("docker.io/library/python".into()),
        ..Container::default()
    });
    Event::Syscall(Box::new(e))
}

fn read(proc_: Process, path: &str) -> Event {
    let mut e = SyscallEvent::new("openat", 1, proc_);
    e.res = Some(3);
    let mut fd = Fd::file(path);
    fd.num = Some(3);
    e.fd = Some(fd);
    e.open_flags = Some(OpenFlags {
        read: true,
        ..OpenFlags::default()
    });
    in_container(e)
}

fn exec(proc_: Process) -> Event {
    let mut e = SyscallEvent::new("execve", 1, proc_);
    e.res = Some(0);
    in_container(e)
}

#[test]
fn stable_rules_fire_on_what_they_describe() {
    let Some(path) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "runtime-rules/falco-rules/rules/falco_rules.yaml",
    ) else {
        return;
    };
    let set = rules::load_files(&[path]);
    let engine = Engine::new(&set);
    let fired = |e: &Event| {
        let mut out = Vec::new();
        engine.evaluate(e, |r| out.push(r.name.clone()));
        out
    };
    let cases: &[(Event, &[&str])] = &[
        (
            read(process("python3", &["x.py"], 0, "bash"), "/etc/shadow"),
            &["Read sensitive file untrusted"],
        ),
        (
            read(process("python3", &["x.py"], 0, "bash"), "/etc/hosts"),
            &[],
        ),
        (
            exec(process("bash", &[], 34816, "runc")),
            &["Terminal shell in container"],
        ),
        (exec(process("bash", &[], 0, "runc")), &[]),
        (
            exec(process(
                "find",
                &["/", "-name", ".aws/credentials"],
                0,
                "python3",
            )),
            &["Find AWS Credentials"],
        ),
        (
            exec(process("find", &["/", "-name", "*.log"], 0, "python3")),
            &[],
        ),
    ];
    for (event, want) in cases {
        assert_eq!(fired(event), *want, "{event:?}");
    }
}
