//! The Falco dialect on small rule files: refinement (append, override, enabled), exceptions,
//! operators and their semantics on missing values, event-type indexing, disabled reasons.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is a failed test

use harrier_runtime::Engine;
use harrier_runtime::event::{Ancestor, Container, Event, Fd, OpenFlags, Process, SyscallEvent};
use harrier_runtime::rules::compile::TypeSet;
use harrier_runtime::rules::{Loader, RuleSet, Status};

fn load(files: &[&str]) -> RuleSet {
    let mut l = Loader::new();
    for (i, f) in files.iter().enumerate() {
        l.add_text(&format!("f{i}.yaml"), f);
    }
    l.compile()
}

fn exec(name: &str, args: &[&str], parent: &str) -> Event {
    let p = Process {
        name: Some(name.into()),
        args: Some(args.iter().map(|a| a.to_string()).collect()),
        tty: Some(0),
        ancestors: vec![
            Ancestor {
                name: Some(parent.into()),
                ..Ancestor::default()
            },
            Ancestor {
                name: Some("containerd-shim".into()),
                ..Ancestor::default()
            },
        ],
        ..Process::default()
    };
    let mut e = SyscallEvent::new("execve", 1, p);
    e.container = Some(Container {
        id: "abc".into(),
        ..Container::default()
    });
    Event::Syscall(Box::new(e))
}

fn open(path: &str, write: bool) -> Event {
    let mut e = SyscallEvent::new(
        "openat",
        1,
        Process {
            name: Some("cat".into()),
            ..Process::default()
        },
    );
    e.fd = Some(Fd::file(path));
    e.open_flags = Some(OpenFlags {
        read: !write,
        write,
        ..OpenFlags::default()
    });
    Event::Syscall(Box::new(e))
}

fn fired(set: &RuleSet, event: &Event) -> Vec<String> {
    let engine = Engine::new(set);
    let mut out = Vec::new();
    engine.evaluate(event, |r| out.push(r.name.clone()));
    out
}

const BASE: &str = r#"
- list: shells
  items: [bash, sh]
- list: all_shells
  items: [shells, zsh]
- macro: spawned
  condition: evt.type in (execve, execveat)
- rule: Shell
  desc: a shell
  condition: spawned and proc.name in (all_shells)
  output: "shell %proc.name parent=%proc.pname gp=%proc.aname[2] cmd=%proc.cmdline missing=%fd.name"
  priority: WARNING
  tags: [a]
"#;

#[test]
fn nested_lists_macros_and_output() {
    let set = load(&[BASE]);
    assert!(set.problems.is_empty(), "{:?}", set.problems);
    assert_eq!(fired(&set, &exec("zsh", &[], "x")), ["Shell"]);
    assert!(fired(&set, &exec("ls", &[], "x")).is_empty());
    assert!(fired(&set, &open("/bin/sh", false)).is_empty());
    let engine = Engine::new(&set);
    let alert = &engine.alerts(&exec("sh", &["-c", "id"], "python"), "h")[0];
    assert!(
        alert.output.ends_with(
            "Warning shell sh parent=python gp=containerd-shim cmd=sh -c id missing=<missing>"
        ),
        "{}",
        alert.output
    );
    assert_eq!(alert.output_fields["fd.name"], serde_json::Value::Null);
    assert_eq!(
        set.rules[0].types,
        TypeSet::Only(["execve".to_string(), "execveat".to_string()].into())
    );
}

#[test]
fn append_and_override() {
    let later = r#"
- list: shells
  items: [ash]
  append: true
- macro: spawned
  condition: and proc.pname != trusted
  append: true
- rule: Shell
  condition: and not proc.args contains safe
  output: "!"
  override:
    condition: append
    output: append
- rule: Shell
  priority: ERROR
  tags: [b]
  override:
    priority: replace
    tags: append
"#;
    let set = load(&[BASE, later]);
    assert!(set.problems.is_empty(), "{:?}", set.problems);
    assert_eq!(fired(&set, &exec("ash", &[], "x")), ["Shell"]);
    assert!(fired(&set, &exec("ash", &[], "trusted")).is_empty());
    assert!(fired(&set, &exec("sh", &["safe"], "x")).is_empty());
    let r = &set.rules[0];
    assert_eq!(r.priority.as_str(), "Error");
    assert_eq!(r.tags, ["a", "b"]);
    let engine = Engine::new(&set);
    assert!(
        engine.alerts(&exec("sh", &[], "x"), "h")[0]
            .output
            .ends_with(" !")
    );
    // Replacing the items drops the old ones.
    let replace = "- list: all_shells\n  items: [fish]\n  override:\n    items: replace\n";
    let set = load(&[BASE, replace]);
    assert!(fired(&set, &exec("sh", &[], "x")).is_empty());
    assert_eq!(fired(&set, &exec("fish", &[], "x")), ["Shell"]);
}

#[test]
fn enabled_toggles_and_undefined_appends_are_problems() {
    let off = "- rule: Shell\n  enabled: false\n";
    let set = load(&[BASE, off]);
    assert_eq!(set.statuses[0].status, Status::NotEnabled);
    assert!(set.rules.is_empty());
    let bad = "- list: nope\n  items: [x]\n  append: true\n";
    let set = load(&[BASE, bad]);
    assert!(
        set.problems[0]
            .to_string()
            .starts_with("f1.yaml:1:3: list `nope` is appended to"),
        "{}",
        set.problems[0]
    );
}

#[test]
fn exceptions_single_and_tuples() {
    let with_exc = r#"
- rule: Shell
  exceptions:
    - name: parents
      fields: [proc.pname, proc.name]
      comps: [=, in]
      values:
        - [cron, [sh, bash]]
    - name: by_name
      fields: proc.name
      comps: startswith
      values: [z]
  override:
    exceptions: append
"#;
    let set = load(&[BASE, with_exc]);
    assert!(set.problems.is_empty(), "{:?}", set.problems);
    assert!(fired(&set, &exec("sh", &[], "cron")).is_empty());
    assert_eq!(fired(&set, &exec("sh", &[], "init")), ["Shell"]);
    assert!(fired(&set, &exec("zsh", &[], "init")).is_empty());
}

#[test]
fn operators_and_missing_values() {
    let rules = r#"
- rule: ops
  desc: d
  condition: >
    evt.type = openat and fd.name pmatch (/etc, /root) and fd.name glob '/etc/*'
    and fd.name regex '^/etc/[a-z]+$' and tolower(fd.filename) = shadow
    and len(fd.name) > 5 and fd.directory = val(fd.directory) and fd.name icontains SHAD
    and not fd.name endswith .bak and evt.is_open_write = true
  output: o
  priority: INFO
- rule: missing fails !=
  desc: d
  condition: evt.type = openat and container.id != host
  output: o
  priority: INFO
- rule: NA compat
  desc: d
  condition: evt.type = openat and container.image in ("<NA>")
  output: o
  priority: INFO
"#;
    let set = load(&[rules]);
    assert!(
        set.statuses.iter().all(|s| s.status == Status::Loaded),
        "{:?}",
        set.statuses
    );
    assert_eq!(
        fired(&set, &open("/etc/shadow", true)),
        ["ops", "NA compat"]
    );
    assert_eq!(fired(&set, &open("/etc/shadow", false)), ["NA compat"]);
    assert_eq!(fired(&set, &open("/etcx/shadow", true)), ["NA compat"]);
}

#[test]
fn disabled_rules_name_file_line_and_reason() {
    let rules = "- rule: a\n  desc: d\n  condition: proc.name = x and nope_macro\n  output: o\n  priority: INFO\n- rule: b\n  desc: d\n  condition: proc.name = (x\n  output: o\n  priority: INFO\n- rule: c\n  desc: d\n  condition: user.uid = abc\n  output: o\n  priority: INFO\n- rule: d\n  desc: d\n  condition: proc.name = x\n  output: o\n  priority: INFO\n  source: okta\n- rule: e\n  desc: d\n  condition: evt.type = execve\n  output: \"%proc.nothing\"\n  priority: INFO\n";
    let set = load(&[rules]);
    let lines: Vec<String> = set.statuses.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        lines[0],
        "f0.yaml:1: rule \"a\": undefined macro `nope_macro`"
    );
    assert!(
        lines[1].starts_with("f0.yaml:6: rule \"b\": condition:"),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains("not a number"), "{}", lines[2]);
    assert!(lines[3].contains("source `okta`"), "{}", lines[3]);
    assert!(
        lines[4].contains("output: field `proc.nothing`"),
        "{}",
        lines[4]
    );
    assert!(set.rules.is_empty());
}

#[test]
fn required_versions_refuse_files_harrier_cannot_run() {
    let newer = "- required_engine_version: 9.0.0\n- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: INFO\n";
    let set = load(&[newer]);
    assert_eq!(set.statuses[0].status, Status::Disabled);
    assert!(set.problems[0].message.contains("engine version 9.0.0"));
    let plugin = "- required_plugin_versions:\n  - name: cloudtrail\n    version: 0.1.0\n";
    assert!(load(&[plugin]).problems[0].message.contains("`cloudtrail`"));
    let ok = "- required_plugin_versions:\n  - name: k8saudit\n    version: 0.1.0\n";
    assert!(load(&[ok]).problems.is_empty());
}
