//! Harrier's built-in rule files in the CLI: `harrier rules list-profiles`, the `--profiles` /
//! `--no-builtin-profiles` selection `harrier replay` applies before reading the user's rule
//! files, and Harrier's own audit rules that `harrier audit` loads first.

use std::path::PathBuf;
use std::sync::Arc;

use harrier_runtime::Engine;
use harrier_runtime::event::Source;
use harrier_runtime::profiles::{self, Builtin, PROFILES, Profile};
use harrier_runtime::rules::{Loader, Problem, RuleSet};
use serde::Serialize;

use crate::cli::{ListProfilesArgs, ProfileArgs, RulesFormat};
use crate::exit::ExitStatus;
use crate::printer::Printer;

/// The rule files of the profiles `args` select, shared macros first; none when
/// `--no-builtin-profiles`.
pub fn selected(args: &ProfileArgs) -> anyhow::Result<Vec<&'static Builtin>> {
    if args.no_builtin_profiles {
        return Ok(Vec::new());
    }
    let chosen = profiles::select(args.profiles.as_deref())?;
    Ok(files_of(&chosen))
}

/// Every built-in rule file: the profiles (with their macros) and the audit rules.
pub fn all_builtin() -> Vec<&'static Builtin> {
    let mut all = files_of(&PROFILES.iter().collect::<Vec<_>>());
    all.push(&profiles::AUDIT_RULES);
    all
}

fn files_of(chosen: &[&'static Profile]) -> Vec<&'static Builtin> {
    if chosen.is_empty() {
        return Vec::new();
    }
    std::iter::once(&profiles::MACROS)
        .chain(chosen.iter().map(|p| &p.file))
        .collect()
}

/// The engine of `harrier audit`: Harrier's own audit rules (when `builtin`), then the files.
pub fn load_audit(files: &[PathBuf], builtin: bool, printer: &Printer) -> Engine {
    let builtins: &[&Builtin] = if builtin {
        &[&profiles::AUDIT_RULES]
    } else {
        &[]
    };
    super::runtime::load(files, builtins, Some(Source::K8sAudit), printer)
}

/// Compiles the `builtins` followed by the rule files, in order, so that the files can append
/// to and override the built-in lists, macros and rules.
pub fn load_with_files(builtins: &[&Builtin], files: &[PathBuf]) -> RuleSet {
    let mut loader = Loader::new();
    for b in builtins {
        loader.add_text(b.path, b.text);
    }
    let mut unreadable = Vec::new();
    for path in files {
        let name = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => loader.add_text(&name, &text),
            Err(e) => unreadable.push(Problem {
                location: harrier_core::Location::new(
                    Arc::from(name.as_str()),
                    harrier_core::Pos::new(1, 1),
                ),
                message: format!("cannot read: {e}"),
            }),
        }
    }
    let mut set = loader.compile();
    set.problems.extend(unreadable);
    set
}

#[derive(Serialize)]
struct Listed {
    name: &'static str,
    summary: &'static str,
    mitre: &'static [&'static str],
    file: &'static str,
    rules: Vec<String>,
}

/// `harrier rules list-profiles`.
pub fn list(args: &ListProfilesArgs) -> anyhow::Result<ExitStatus> {
    let set = load_with_files(&files_of(&PROFILES.iter().collect::<Vec<_>>()), &[]);
    let listed: Vec<Listed> = PROFILES
        .iter()
        .map(|p| Listed {
            name: p.name,
            summary: p.summary,
            mitre: p.mitre,
            file: p.file.path,
            rules: set
                .rules
                .iter()
                .filter(|r| profiles::profile_of(&r.tags) == Some(p.name))
                .map(|r| r.name.clone())
                .collect(),
        })
        .collect();
    super::write_output(None, |out| match args.format {
        RulesFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &listed)?;
            writeln!(out)
        }
        RulesFormat::Text => {
            for p in &listed {
                writeln!(
                    out,
                    "{} ({} rule{}; {}): {}",
                    p.name,
                    p.rules.len(),
                    if p.rules.len() == 1 { "" } else { "s" },
                    p.mitre.join(", "),
                    p.summary
                )?;
                for r in &p.rules {
                    writeln!(out, "  {r}")?;
                }
            }
            Ok(())
        }
    })?;
    Ok(ExitStatus::Success)
}
