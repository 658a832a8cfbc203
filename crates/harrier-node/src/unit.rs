//! The kubelet's command line read from its systemd unit, for nodes whose processes are not
//! visible under the root (a disk image, a stopped node, a root mounted without `/proc`).
//!
//! kubeadm, EKS and AKS start the kubelet from a unit whose `ExecStart=` names variables set
//! by `Environment=` lines of drop-ins and by `EnvironmentFile=`s (kubeadm's
//! `10-kubeadm.conf` → `/var/lib/kubelet/kubeadm-flags.env` and `/etc/default/kubelet`; EKS's
//! `10-kubelet-args.conf`; AKS's `/etc/default/kubelet` `KUBELET_FLAGS`). This module does
//! what systemd does with them, for one unit: the unit file, then its drop-ins in file name
//! order (a drop-in in `/etc` replaces one of the same name in `/usr/lib`), `Environment=`
//! then `EnvironmentFile=` (which wins), the last `ExecStart=` (an empty one resets), and
//! `$VAR` (split into words) and `${VAR}` (one word) expanded. It is a reading of the
//! configuration, not of what runs: a running kubelet, when visible, is always preferred.

use std::collections::BTreeMap;
use std::fs;

use crate::view::NodeView;

/// Where systemd looks for unit files, lowest precedence first.
const UNIT_DIRS: &[&str] = &[
    "/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/usr/local/lib/systemd/system",
    "/etc/systemd/system",
];

/// A command line read from a unit: each word with the file it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnitCommand {
    /// The unit file and drop-ins read, in order.
    pub files: Vec<String>,
    /// `ExecStart=`'s words after expansion, each with the file it came from.
    pub words: Vec<(String, String)>,
}

/// The command line of `unit` (`kubelet.service`), or `None` when there is no such unit or it
/// has no `ExecStart=`.
pub(crate) fn command(view: &NodeView, unit: &str) -> Option<UnitCommand> {
    // The unit file: the highest-precedence directory that has it.
    let main = UNIT_DIRS
        .iter()
        .rev()
        .map(|dir| format!("{dir}/{unit}"))
        .find(|path| view.file(path).is_some_and(|f| !f.is_dir));
    // Drop-ins by file name; a later directory's file of the same name replaces an earlier's.
    let mut drop_ins: BTreeMap<String, String> = BTreeMap::new();
    for dir in UNIT_DIRS {
        let dir = format!("{dir}/{unit}.d");
        let Ok(entries) = fs::read_dir(view.host_path(&dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".conf") {
                drop_ins.insert(name.clone(), format!("{dir}/{name}"));
            }
        }
    }
    let files: Vec<String> = main.into_iter().chain(drop_ins.into_values()).collect();
    let mut environment: Vec<(String, String, String)> = Vec::new(); // (name, value, file)
    let mut environment_files: Vec<(String, String)> = Vec::new(); // (path, from file)
    let mut exec_start: Option<(String, String)> = None; // (line, file)
    for file in &files {
        let Ok(text) = fs::read_to_string(view.host_path(file)) else {
            continue;
        };
        let mut in_service = false;
        for line in joined_lines(&text) {
            let line = line.trim();
            if line.starts_with('[') {
                in_service = line == "[Service]";
                continue;
            }
            if !in_service || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let value = value.trim();
            match key.trim() {
                "Environment" => {
                    for assignment in words(value) {
                        if let Some((name, v)) = assignment.split_once('=') {
                            environment.push((name.to_owned(), v.to_owned(), file.clone()));
                        }
                    }
                }
                "EnvironmentFile" => {
                    let path = value.trim_start_matches('-').to_owned();
                    environment_files.push((path, file.clone()));
                }
                "ExecStart" if value.is_empty() => exec_start = None,
                "ExecStart" => exec_start = Some((value.to_owned(), file.clone())),
                _ => {}
            }
        }
    }
    let (exec, exec_file) = exec_start?;
    // Variables: Environment= in order, then EnvironmentFile= in order, which override them.
    let mut vars: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (name, value, file) in environment {
        vars.insert(name, (value, file));
    }
    for (path, _) in environment_files {
        let Ok(text) = fs::read_to_string(view.host_path(&path)) else {
            continue;
        };
        for line in joined_lines(&text) {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let line = line.strip_prefix("export ").unwrap_or(line);
            if let Some((name, value)) = line.split_once('=') {
                let value = value.trim();
                let value = unquote(value);
                vars.insert(name.trim().to_owned(), (value, path.clone()));
            }
        }
    }
    let exec = exec.trim_start_matches(['-', '@', '+', '!', ':']);
    let mut out = Vec::new();
    for word in words(exec) {
        if let Some(name) = word.strip_prefix('$').filter(|n| !n.starts_with('{')) {
            // `$VAR`: its value split into words.
            if let Some((value, file)) = vars.get(name) {
                out.extend(words(value).into_iter().map(|w| (w, file.clone())));
            }
            continue;
        }
        // `${VAR}` anywhere in a word: substituted as one word.
        let mut text = word.clone();
        let mut from = exec_file.clone();
        while let Some(start) = text.find("${") {
            let Some(len) = text[start..].find('}') else {
                break;
            };
            let name = text[start + 2..start + len].to_owned();
            let (value, file) = vars
                .get(&name)
                .cloned()
                .unwrap_or_else(|| (String::new(), exec_file.clone()));
            if !value.is_empty() {
                from = file;
            }
            text.replace_range(start..start + len + 1, &value);
        }
        if !text.is_empty() {
            out.push((text, from));
        }
    }
    Some(UnitCommand { files, words: out })
}

/// Lines with backslash continuations joined, as systemd reads them.
fn joined_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if let Some(head) = line.strip_suffix('\\') {
            current.push_str(head);
            current.push(' ');
        } else {
            current.push_str(line);
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Whitespace-separated words, double or single quotes keeping spaces (`"A=b c"` is one).
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
                any = false;
            }
            (None, c) => current.push(c),
        }
    }
    if any || !current.is_empty() {
        out.push(current);
    }
    out
}

fn unquote(value: &str) -> String {
    for q in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
            return inner.to_owned();
        }
    }
    value.to_owned()
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn quoted_words() {
        assert_eq!(words(r#""A=b c" D=e 'F=g h'"#), ["A=b c", "D=e", "F=g h"]);
        assert_eq!(words("  /usr/bin/kubelet  $X "), ["/usr/bin/kubelet", "$X"]);
    }
}
