//! Harrier's built-in threat profiles in the CLI: `harrier rules list-profiles`, and the
//! `--profiles` / `--no-builtin-profiles` selection `harrier replay` applies before reading
//! the user's rule files.

use std::path::PathBuf;
use std::sync::Arc;

use harrier_runtime::profiles::{self, PROFILES, Profile};
use harrier_runtime::rules::{Loader, Problem, RuleSet};
use serde::Serialize;

use crate::cli::{ListProfilesArgs, ProfileArgs, RulesFormat};
use crate::exit::ExitStatus;

/// The profiles `args` select.
pub fn selected(args: &ProfileArgs) -> anyhow::Result<Vec<&'static Profile>> {
    if args.no_builtin_profiles {
        return Ok(Vec::new());
    }
    Ok(profiles::select(args.profiles.as_deref())?)
}

/// Compiles `profiles` (with their shared macros) followed by the rule files, in order, so
/// that the files can append to and override the profiles.
pub fn load_with_files(profiles: &[&Profile], files: &[PathBuf]) -> RuleSet {
    let mut loader = Loader::new();
    profiles::add_to(&mut loader, profiles);
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
    let set = load_with_files(&PROFILES.iter().collect::<Vec<_>>(), &[]);
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
                    "{} ({} rules; {}): {}",
                    p.name,
                    p.rules.len(),
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
