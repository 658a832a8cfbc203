//! `harrier generate-docs DIR`: the reference documentation generated from the code, so that
//! docs/checks and docs/cli.md cannot drift from the catalog and the clap definitions.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use clap::CommandFactory;

use crate::cli::Cli;
use crate::exit::ExitStatus;

pub fn run(dir: &Path) -> anyhow::Result<ExitStatus> {
    let catalog = super::catalog()?;
    for (relative, contents) in files(&catalog) {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, contents)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(ExitStatus::Success)
}

/// Every generated file, by path relative to the docs directory.
pub fn files(catalog: &harrier_core::Catalog) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = super::checks::docs(catalog)
        .into_iter()
        .map(|(name, contents)| (format!("checks/{name}"), contents))
        .collect();
    files.push(("cli.md".to_owned(), cli_reference()));
    files
}

/// Every command's `--help`, in command order.
fn cli_reference() -> String {
    let mut doc = String::from(
        "# Command-line reference\n\nGenerated from the CLI definition by `harrier generate-docs docs`; do not edit by hand.\n",
    );
    let mut command = Cli::command();
    command.build();
    append_command(&mut doc, &command, "harrier");
    doc
}

fn append_command(doc: &mut String, command: &clap::Command, path: &str) {
    if command.is_hide_set() {
        return;
    }
    let mut command = command.clone().term_width(100);
    let help = command.render_long_help().to_string();
    let _ = write!(doc, "\n## `{path}`\n\n```text\n{}\n```\n", help.trim_end());
    for sub in command.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        append_command(doc, sub, &format!("{path} {}", sub.get_name()));
    }
}
