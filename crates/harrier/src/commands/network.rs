//! `harrier network exposure` and `harrier network policies`: load manifests or a live cluster, analyse them with
//! `harrier_posture::exposure` and `harrier_posture::netpol`, print the answer with
//! `harrier_report::network`.

use harrier_report::network::{exposure_json, exposure_table, policies_json, policies_table};

use crate::cli::{ListFormat, NetworkCommand};
use crate::exit::ExitStatus;
use crate::printer::Printer;

pub fn run(command: NetworkCommand, printer: &Printer) -> anyhow::Result<ExitStatus> {
    match command {
        NetworkCommand::Exposure(args) => {
            let (index, status) = super::source::read_objects(&args.objects, printer);
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
            let (index, status) = super::source::read_objects(&args.objects, printer);
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
