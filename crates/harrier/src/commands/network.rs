//! `harrier network exposure` and `harrier network policies`: load manifests, analyse them with
//! `harrier_posture::exposure` and `harrier_posture::netpol`, print the answer with
//! `harrier_report::network`.

use harrier_k8s::{Error as LoadError, LoadOptions, ObjectIndex, load};
use harrier_report::network::{exposure_json, exposure_table, policies_json, policies_table};

use crate::cli::{ListFormat, NetworkArgs, NetworkCommand};
use crate::exit::ExitStatus;
use crate::printer::Printer;

pub fn run(command: NetworkCommand, printer: &Printer) -> anyhow::Result<ExitStatus> {
    match command {
        NetworkCommand::Exposure(args) => {
            let (index, status) = load_index(&args, printer);
            let exposure = harrier_posture::exposure::analyse(&index);
            for problem in &exposure.problems {
                printer.warning(&problem.to_string());
            }
            super::write_output(None, |out| match args.format {
                ListFormat::Table => exposure_table(out, &exposure),
                ListFormat::Json => exposure_json(out, &exposure),
            })?;
            Ok(status)
        }
        NetworkCommand::Policies(args) => {
            let (index, status) = load_index(&args, printer);
            let coverage = harrier_posture::netpol::analyse(&index);
            for problem in &coverage.problems {
                printer.warning(&problem.to_string());
            }
            super::write_output(None, |out| match args.format {
                ListFormat::Table => policies_table(out, &coverage),
                ListFormat::Json => policies_json(out, &coverage),
            })?;
            Ok(status)
        }
    }
}

/// Loads and indexes the manifests; load errors go to stderr. The status is 2 when an input
/// could not be read, as for `scan manifests`.
fn load_index(args: &NetworkArgs, printer: &Printer) -> (ObjectIndex, ExitStatus) {
    let loaded = load(
        &args.paths,
        &LoadOptions {
            max_file_size: args.max_file_size,
        },
    );
    let (index, index_problems) = ObjectIndex::build(loaded.objects);
    let (warnings, errors): (Vec<LoadError>, Vec<LoadError>) = loaded
        .errors
        .into_iter()
        .chain(index_problems)
        .partition(LoadError::is_warning);
    for e in &errors {
        printer.error(&e.to_string());
    }
    for w in &warnings {
        printer.warning(&w.to_string());
    }
    for n in &loaded.notes {
        match n.line {
            Some(line) => printer.note(&format!("{}:{line}: {}", n.path, n.message)),
            None => printer.note(&format!("{}: {}", n.path, n.message)),
        }
    }
    let status = if errors.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Error
    };
    (index, status)
}
