//! `harrier`: the command-line entry point. Glue only: parse arguments, resolve settings, call
//! the libraries, print. Everything that decides something lives in a library crate.

mod cli;
mod commands;
mod env;
mod exit;
mod printer;
mod settings;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::exit::ExitStatus;
use crate::printer::Printer;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let printer = Printer::new(&cli.global);
    init_tracing(&cli.global);
    let status = match run(cli, &printer) {
        Ok(status) => status,
        Err(err) => {
            printer.error(&format!("{err:#}"));
            ExitStatus::Error
        }
    };
    status.into()
}

fn run(cli: Cli, printer: &Printer) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Scan(scan) => commands::scan::run(scan, &cli.global, printer),
        Command::Checks(checks) => commands::checks::run(checks, printer),
        Command::Rbac(rbac) => commands::rbac::run(rbac, printer),
        Command::Network(network) => commands::network::run(network, printer),
        Command::Paths(args) => commands::paths::run(args, printer),
        Command::Report(report) => commands::report::run(report, &cli.global, printer),
        #[cfg(feature = "cluster")]
        Command::Watch(args) => commands::watch::run(args, &cli.global, printer),
        #[cfg(not(feature = "cluster"))]
        Command::Watch(_) => anyhow::bail!("this harrier was built without the `cluster` feature"),
        #[cfg(feature = "sensor")]
        Command::Sensor(args) => commands::sensor::run(*args, printer),
        #[cfg(feature = "sensor")]
        Command::Top(args) => commands::top::run(args, printer),
        Command::Rules(rules) => commands::rules::run(rules, printer),
        Command::Audit(args) => commands::runtime::audit(args, printer),
        Command::Replay(args) => commands::runtime::replay(args, printer),
        Command::Baseline(c) => commands::baseline::run(c, printer),
        Command::Response(c) => commands::response::run(c, printer),
        Command::GenerateDocs { dir } => commands::generate_docs::run(&dir),
        Command::Db(db) => commands::db::run(db, &cli.global, printer),
        Command::Vuln(vuln) => commands::vuln::run(vuln, &cli.global, printer),
        Command::Sbom(args) => commands::image::sbom_command(args, &cli.global, printer),
    }
}

/// Logs go to stderr and are off unless asked for (`-vv`, or `RUST_LOG`), so that a scan's
/// stdout stays machine-readable.
fn init_tracing(global: &cli::GlobalArgs) {
    let default = match global.verbose {
        0 | 1 => "warn",
        2 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .try_init();
}
