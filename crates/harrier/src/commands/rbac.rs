//! `harrier rbac who-can` and `harrier rbac can`: load manifests, resolve RBAC with
//! `harrier_posture::rbac`, print the answer with `harrier_report::rbac`.

use anyhow::Context;
use harrier_k8s::{Error as LoadError, LoadOptions, ObjectIndex, load};
use harrier_posture::rbac::{Identity, Rbac, RbacOptions, Request};
use harrier_report::rbac::{WhoCanQuery, can_json, can_table, who_can_json, who_can_table};

use crate::cli::{ListFormat, RbacCommand, RbacSourceArgs};
use crate::exit::ExitStatus;
use crate::printer::Printer;

pub fn run(command: RbacCommand, printer: &Printer) -> anyhow::Result<ExitStatus> {
    match command {
        RbacCommand::WhoCan(args) => {
            let request = Request::parse(
                &args.verb,
                &args.resource,
                args.name.as_deref(),
                args.namespace.as_deref(),
            )
            .context("cannot read the request")?;
            let (rbac, status) = resolve(&args.source, printer);
            let subjects = rbac.who_can(&request);
            let query = WhoCanQuery {
                verb: &args.verb,
                resource: &args.resource,
                name: args.name.as_deref(),
                namespace: args.namespace.as_deref(),
            };
            super::write_output(None, |out| match args.source.format {
                ListFormat::Table => who_can_table(out, &query, &subjects),
                ListFormat::Json => who_can_json(out, &query, &subjects, rbac.problems()),
            })?;
            Ok(status)
        }
        RbacCommand::Can(args) => {
            let identity = Identity::parse(&args.subject)
                .context("cannot read the subject")?
                .with_groups(args.groups);
            let (rbac, status) = resolve(&args.source, printer);
            let namespaces = rbac.can(&identity);
            super::write_output(None, |out| match args.source.format {
                ListFormat::Table => can_table(out, &args.subject, &namespaces),
                ListFormat::Json => {
                    can_json(out, &args.subject, &identity, &namespaces, rbac.problems())
                }
            })?;
            Ok(status)
        }
    }
}

/// Loads and resolves; load errors and RBAC problems go to stderr. The status is 2 when an
/// input could not be read, as for `scan manifests`.
fn resolve(source: &RbacSourceArgs, printer: &Printer) -> (Rbac, ExitStatus) {
    let (index, status) = load_index(&source.paths, source.max_file_size, printer);
    let rbac = Rbac::from_index(
        &index,
        &RbacOptions {
            default_namespace: source.default_namespace.clone(),
        },
    );
    for problem in rbac.problems() {
        printer.warning(&problem.to_string());
    }
    (rbac, status)
}

/// Loads and indexes manifests; load errors, warnings and notes go to stderr. The status is 2
/// when an input could not be read, as for `scan manifests`. Shared with `harrier paths`.
pub(crate) fn load_index(
    paths: &[std::path::PathBuf],
    max_file_size: u64,
    printer: &Printer,
) -> (ObjectIndex, ExitStatus) {
    let loaded = load(paths, &LoadOptions { max_file_size });
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
