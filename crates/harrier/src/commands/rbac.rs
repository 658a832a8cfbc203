//! `harrier rbac who-can`, `harrier rbac can` and `harrier rbac risks`: load manifests,
//! resolve RBAC with `harrier_posture::rbac`, print the answer with `harrier_report::rbac`.

use anyhow::Context;
use harrier_core::Severity;
use harrier_k8s::ObjectIndex;
use harrier_posture::rbac::risks::{Finding as RiskFinding, assess};
use harrier_posture::rbac::{Identity, Rbac, RbacOptions, Request};
use harrier_report::rbac::{
    RisksHidden, WhoCanQuery, can_json, can_table, risks_json, risks_table, who_can_json,
    who_can_table,
};

use crate::cli::{ListFormat, RbacCommand, RbacSourceArgs, RisksArgs};
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
        RbacCommand::Risks(args) => risks(args, printer),
    }
}

/// `harrier rbac risks`: the exit status follows `scan manifests` (2 when an input could not
/// be read, else 1 when a shown finding is at or above `--fail-on`).
fn risks(args: RisksArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let parse = |value: Option<&str>, flag: &str| {
        value
            .map(str::parse::<Severity>)
            .transpose()
            .with_context(|| format!("invalid {flag}"))
    };
    let min_severity = parse(args.min_severity.as_deref(), "--min-severity")?;
    let fail_on = parse(args.fail_on.as_deref(), "--fail-on")?;
    let (rbac, index, status) = resolve_index(&args.source, printer);
    let options = RbacOptions {
        default_namespace: args.source.default_namespace.clone(),
    };
    let (findings, hidden) =
        shown_risks(&rbac, &index, &options, args.include_system, min_severity);
    super::write_output(None, |out| match args.source.format {
        ListFormat::Table => risks_table(out, &findings, hidden),
        ListFormat::Json => risks_json(out, &findings, hidden, rbac.problems()),
    })?;
    if status != ExitStatus::Success {
        return Ok(status);
    }
    let worst = findings.iter().map(|f| f.severity).max();
    Ok(match (fail_on, worst) {
        (Some(threshold), Some(max)) if max >= threshold => ExitStatus::Findings,
        _ => ExitStatus::Success,
    })
}

/// The risks to show: control-plane subjects only with `include_system`, none below
/// `min_severity`; what was left out is counted.
pub fn shown_risks(
    rbac: &Rbac,
    index: &ObjectIndex,
    options: &RbacOptions,
    include_system: bool,
    min_severity: Option<Severity>,
) -> (Vec<RiskFinding>, RisksHidden) {
    let mut hidden = RisksHidden::default();
    let findings = assess(rbac, index, options)
        .into_iter()
        .filter(|f| {
            if f.builtin && !include_system {
                hidden.builtin += 1;
                return false;
            }
            if min_severity.is_some_and(|min| f.severity < min) {
                hidden.below_min_severity += 1;
                return false;
            }
            true
        })
        .collect();
    (findings, hidden)
}

/// Loads and resolves; load errors and RBAC problems go to stderr. The status is 2 when an
/// input could not be read, as for `scan manifests`.
fn resolve(source: &RbacSourceArgs, printer: &Printer) -> (Rbac, ExitStatus) {
    let (rbac, _, status) = resolve_index(source, printer);
    (rbac, status)
}

/// [`resolve`], keeping the objects for what needs more than RBAC (workloads).
fn resolve_index(source: &RbacSourceArgs, printer: &Printer) -> (Rbac, ObjectIndex, ExitStatus) {
    let (index, status) = super::source::read_objects(&source.objects, printer);
    let rbac = Rbac::from_index(
        &index,
        &RbacOptions {
            default_namespace: source.default_namespace.clone(),
        },
    );
    for problem in rbac.problems() {
        printer.warning(&problem.to_string());
    }
    (rbac, index, status)
}
