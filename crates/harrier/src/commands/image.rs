//! `harrier scan image`, `scan fs`, `scan sbom` and `harrier sbom`: open the source, walk it,
//! look the packages up, filter, render. The decisions live in harrier-image and
//! harrier-vulndb; this is the glue.

use std::io;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use harrier_image::sbom::purl::Purl;
use harrier_image::sbom::{self, DocumentId, SbomDocument, SbomSubject};
use harrier_image::scan::{ImageScan, ScanOptions, Subject, scan_dir, scan_image};
use harrier_image::secrets::SecretScanner;
use harrier_image::source::{self, Opened};
use harrier_image::vulns::{Filter, SuppressedVuln, VulnReport, match_packages};
use harrier_report::image::ImageReport;
use harrier_report::{Diagnostic, TableOptions, ToolInfo};

use crate::cli::{FsArgs, ImageArgs, SbomArgs, SbomFormat, SbomScanArgs};
use crate::exit::ExitStatus;
use crate::printer::Printer;
use crate::settings::{self, ImageScanSettings, OutputSettings};

const TOOL: ToolInfo = ToolInfo {
    name: "harrier",
    version: env!("CARGO_PKG_VERSION"),
};

/// `harrier scan image IMAGE`.
pub fn scan_image_command(
    args: ImageArgs,
    global: &crate::cli::GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let catalog = super::catalog()?;
    let registry = settings::registry_options(&args.registry)?;
    let settings = ImageScanSettings::resolve(args.vulns, args.output, global, &catalog)?;
    let secrets = SecretScanner::new();
    let mut options = ScanOptions::installed();
    if settings.secrets {
        options.secrets = Some(&secrets);
    }
    let started = Instant::now();
    let scan = match source::open(&args.reference, &registry)
        .with_context(|| format!("cannot open the image `{}`", args.reference))?
    {
        Opened::Image(image) => walk_with_progress(&image, options, settings.progress),
        Opened::Dir(path) => scan_dir(&path, &options),
    };
    tracing::info!("walked {} in {:.2?}", args.reference, started.elapsed());
    finish(scan, &settings, global, printer)
}

/// Walks an image with a bar counting layers on stderr (when `enabled`).
fn walk_with_progress(
    image: &harrier_image::source::Image,
    options: ScanOptions<'_>,
    enabled: bool,
) -> ImageScan {
    let bar = enabled.then(|| {
        indicatif::ProgressBar::with_draw_target(
            Some(image.layers.len() as u64),
            indicatif::ProgressDrawTarget::stderr(),
        )
        .with_style(
            indicatif::ProgressStyle::with_template(
                "{prefix} {bar:30} {pos}/{len} layers {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        )
        .with_prefix(image.reference.clone())
    });
    let tick = |_: usize| {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    };
    let options = ScanOptions {
        on_layer: bar.is_some().then_some(&tick as &(dyn Fn(usize) + Sync)),
        ..options
    };
    let scan = scan_image(image, &options);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    scan
}

/// `harrier scan fs PATH`.
pub fn scan_fs_command(
    args: FsArgs,
    global: &crate::cli::GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let catalog = super::catalog()?;
    let settings = ImageScanSettings::resolve(args.vulns, args.output, global, &catalog)?;
    if !args.path.is_dir() {
        anyhow::bail!("{} is not a directory", args.path.display());
    }
    let secrets = SecretScanner::new();
    let mut options = ScanOptions::source_tree();
    if settings.secrets {
        options.secrets = Some(&secrets);
    }
    let scan = scan_dir(&args.path, &options);
    finish(scan, &settings, global, printer)
}

/// `harrier scan sbom FILE`.
pub fn scan_sbom_command(
    args: SbomScanArgs,
    global: &crate::cli::GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let catalog = super::catalog()?;
    let mut settings = ImageScanSettings::resolve(args.vulns, args.output, global, &catalog)?;
    // An SBOM lists packages, not file contents: there is nothing to look for secrets in.
    settings.secrets = false;
    let bytes = read_capped(&args.file, sbom::MAX_SBOM_BYTES)?;
    let read = sbom::read(&bytes).with_context(|| format!("{}", args.file.display()))?;
    for skipped in &read.skipped {
        printer.note(&format!(
            "{}: `{}` is not checked: {}",
            args.file.display(),
            skipped.name,
            skipped.reason
        ));
    }
    let subject = Subject {
        reference: format!("sbom:{}", args.file.display()),
        manifest_digest: read.subject.manifest_digest.clone(),
        config_digest: read.subject.config_digest.clone(),
        tags: if read.subject.tags.is_empty() && !read.subject.reference.is_empty() {
            vec![read.subject.reference.clone()]
        } else {
            read.subject.tags.clone()
        },
        platform: None,
        layers: read.subject.layers.clone(),
    };
    let mut scan = ImageScan {
        subject,
        distro: read.distro,
        ..ImageScan::default()
    };
    scan.resolved.packages = read.packages;
    finish(scan, &settings, global, printer)
}

/// `harrier sbom IMAGE`.
pub fn sbom_command(
    args: SbomArgs,
    global: &crate::cli::GlobalArgs,
    _printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let registry = settings::registry_options(&args.registry)?;
    let options = ScanOptions::installed();
    let (scan, subject) = match source::open(&args.reference, &registry)
        .with_context(|| format!("cannot open the image `{}`", args.reference))?
    {
        Opened::Image(image) => (
            walk_with_progress(&image, options, progress_enabled(global)),
            SbomSubject::from_image(&image),
        ),
        Opened::Dir(path) => {
            let scan = scan_dir(&path, &ScanOptions::source_tree());
            let subject = SbomSubject {
                reference: format!("dir:{}", path.display()),
                ..SbomSubject::default()
            };
            (scan, subject)
        }
    };
    if scan.resolved.problems.iter().any(|p| p.layer_unreadable) {
        anyhow::bail!(
            "the image could not be read completely, so an SBOM of it would be incomplete: {}",
            problems_text(&scan)
        );
    }
    let doc = SbomDocument {
        subject: &subject,
        packages: &scan.resolved.packages,
        distro: scan.distro.as_ref(),
        created: settings::now(),
        id: DocumentId::random().context("no random numbers for the document id")?,
    };
    super::write_output(args.output.as_deref(), |out| match args.format {
        SbomFormat::Cyclonedx => sbom::cyclonedx::write(&doc, out).map_err(io::Error::other),
        SbomFormat::Spdx => sbom::spdx::write(&doc, out).map_err(io::Error::other),
    })?;
    Ok(ExitStatus::Success)
}

pub fn progress_enabled(global: &crate::cli::GlobalArgs) -> bool {
    use std::io::IsTerminal;
    !global.no_progress && !global.quiet && io::stderr().is_terminal()
}

/// Everything after the walk: vulnerabilities, filters, report, exit status.
fn finish(
    scan: ImageScan,
    settings: &ImageScanSettings,
    global: &crate::cli::GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let assessed = assess(scan, settings, global, printer)?;
    if let Some(set) = &settings.exceptions {
        warn_expired(set, printer);
    }
    let report = assessed.report();
    let table = TableOptions {
        color: settings.output.color,
        verbose: settings.output.verbose,
    };
    super::write_output(settings.output.file.as_deref(), |out| {
        harrier_report::image::write(settings.output.format, out, &report, table)
    })?;
    Ok(exit_status(&report, &settings.output))
}

/// Warns of each exception that expired: it no longer applies.
pub fn warn_expired(set: &harrier_core::exceptions::ExceptionSet, printer: &Printer) {
    for e in &set.expired {
        printer.warning(&format!(
            "{}: exception expired on {}; it no longer applies",
            e.location, e.expired
        ));
    }
}

/// A walked image, directory or SBOM with its vulnerabilities looked up and filtered: what an
/// [`ImageReport`] borrows.
pub struct Assessed {
    scan: ImageScan,
    vulns: Option<VulnReport>,
    suppressed: Vec<SuppressedVuln>,
    secrets: bool,
    purls: Vec<String>,
    errors: Vec<Diagnostic>,
    database_built: Option<String>,
}

impl Assessed {
    /// The report to render.
    pub fn report(&self) -> ImageReport<'_> {
        ImageReport {
            tool: TOOL,
            scan: &self.scan,
            vulnerabilities: self.vulns.as_ref(),
            suppressed: &self.suppressed,
            secrets: self.secrets.then_some(&self.scan.resolved.secrets[..]),
            purls: self.purls.clone(),
            errors: self.errors.clone(),
            database_built: self.database_built.clone(),
        }
    }
}

/// Prints the walk's problems, looks the packages up (when `settings.vulns`) and applies the
/// filters and exceptions.
pub fn assess(
    scan: ImageScan,
    settings: &ImageScanSettings,
    global: &crate::cli::GlobalArgs,
    printer: &Printer,
) -> anyhow::Result<Assessed> {
    let mut errors: Vec<Diagnostic> = Vec::new();
    for p in &scan.resolved.problems {
        let d = Diagnostic {
            path: format!("layer {}:/{}", p.layer, p.path).into(),
            line: None,
            column: None,
            message: p.message.clone(),
        };
        if p.layer_unreadable {
            printer.error(&d.to_string());
        } else {
            printer.warning(&d.to_string());
        }
        errors.push(d);
    }
    let mut vulns: Option<VulnReport> = None;
    let mut suppressed: Vec<SuppressedVuln> = Vec::new();
    let mut database_built = None;
    if settings.vulns {
        let db = super::open_db(global)?;
        database_built = Some(db.meta().built.clone());
        let mut report = match_packages(&db, &scan.resolved.packages, scan.distro.as_ref());
        for n in &report.not_looked_up {
            printer.note(&format!(
                "{} {} ({}) was not checked: {}",
                n.package.name, n.package.version, n.package.location.path, n.reason
            ));
        }
        let image = scan.subject.reference.as_str();
        let filter = Filter {
            severities: settings.severities.clone(),
            ignore_unfixed: settings.ignore_unfixed,
            exceptions: settings.exceptions.as_ref(),
            image,
        };
        suppressed = filter.apply(&mut report);
        vulns = Some(report);
    }
    let purls: Vec<String> = scan
        .resolved
        .packages
        .iter()
        .map(|p| {
            Purl::for_package(&p.package, scan.distro.as_ref())
                .map(|purl| purl.to_string())
                .unwrap_or_default()
        })
        .collect();
    Ok(Assessed {
        vulns,
        suppressed,
        secrets: settings.secrets,
        purls,
        errors,
        database_built,
        scan,
    })
}

/// 2 when a layer could not be read (the scan is incomplete), else 1 when a vulnerability or a
/// secret at or above `--fail-on` remains, else 0.
pub fn exit_status(report: &ImageReport<'_>, output: &OutputSettings) -> ExitStatus {
    if report
        .scan
        .resolved
        .problems
        .iter()
        .any(|p| p.layer_unreadable)
    {
        return ExitStatus::Error;
    }
    match (output.fail_on, report.max_severity()) {
        (Some(threshold), Some(max)) if max >= threshold => ExitStatus::Findings,
        _ => ExitStatus::Success,
    }
}

fn problems_text(scan: &ImageScan) -> String {
    scan.resolved
        .problems
        .iter()
        .filter(|p| p.layer_unreadable)
        .map(|p| format!("layer {}: {}", p.layer, p.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Reads a file, refusing ones larger than `cap`.
fn read_capped(path: &Path, cap: usize) -> anyhow::Result<Vec<u8>> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    if size > cap as u64 {
        anyhow::bail!(
            "{} is {size} bytes, more than the {cap} this command reads",
            path.display()
        );
    }
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}
