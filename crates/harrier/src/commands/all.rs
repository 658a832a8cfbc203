//! `harrier scan all`: every scanner that applies to the inputs given, one report.
//!
//! Each section is the report its own command writes (`scan manifests`, `rbac risks`,
//! `scan fs`, `scan image`…), rendered by the same writer, so a section of `scan all` and the
//! command's own output never differ and readers of one (such as `report compliance`) read
//! the other.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use harrier_core::{Catalog, Severity};
use harrier_image::scan::{ScanOptions as WalkOptions, scan_dir};
use harrier_image::secrets::SecretScanner;
use harrier_image::source::{self, Opened};
use harrier_k8s::{LoadOptions, Loaded, ObjectIndex, load};
use harrier_posture::ScanOptions;
use harrier_posture::rbac::{Rbac, RbacOptions};
use harrier_report::{Format, TableOptions};
use serde_json::{Value, json};

use crate::cli::{
    AllArgs, ClusterScanArgs, GlobalArgs, NodeArgs, NodeFailOn, NodeFormat, OutputArgs,
    OutputFormat, SelectionArgs, VulnArgs,
};
use crate::exit::ExitStatus;
use crate::printer::Printer;
use crate::settings::{self, ImageScanSettings, NodeSettings};

/// `harrier scan all`.
pub fn run(args: AllArgs, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    if args.paths.is_empty() && !args.cluster && args.images.is_empty() && !args.node {
        bail!("nothing to scan: give manifest paths, --cluster, --image or --node");
    }
    if matches!(args.format, OutputFormat::Sarif | OutputFormat::Junit) {
        bail!("`scan all` writes table or json; run the scanners one by one for sarif or junit");
    }
    let catalog = super::catalog()?;
    let output_args = OutputArgs {
        format: args.format,
        output: args.output.clone(),
        fail_on: args.fail_on.clone(),
    };
    let (_, exceptions) = settings::posture_selection(
        &SelectionArgs {
            select: Vec::new(),
            ignore: Vec::new(),
            min_severity: None,
            exceptions: args.exceptions.clone(),
        },
        &catalog,
    )?;
    let mut images = ImageScanSettings::resolve(
        VulnArgs {
            scanners: args.scanners.clone(),
            severity: Vec::new(),
            ignore_unfixed: false,
            exceptions: None,
        },
        output_args,
        global,
        &catalog,
    )?;
    images.exceptions = exceptions.clone();
    if images.vulns && !database_present(global, printer) {
        images.vulns = false;
    }
    let mut scanner = AllScanner {
        args: &args,
        global,
        printer,
        catalog: &catalog,
        exceptions: exceptions.as_ref(),
        images,
        report: AllReport::default(),
        workload_images: BTreeSet::new(),
    };
    scanner.scan_manifests();
    scanner.scan_cluster();
    scanner.scan_source_trees();
    scanner.scan_images()?;
    scanner.scan_node()?;
    let AllScanner {
        report,
        images: settings,
        ..
    } = scanner;
    let output = &settings.output;
    super::write_output(output.file.as_deref(), |out| match output.format {
        Format::Json => report.write_json(out),
        _ => report.write_table(out),
    })?;
    Ok(report.status)
}

/// The sections found so far, each already rendered, with the run's exit status.
#[derive(Default)]
struct AllReport {
    manifests: Option<Section>,
    cluster: Option<Section>,
    rbac_risks: Option<Section>,
    fs: Vec<Section>,
    images: Vec<Section>,
    node: Option<Section>,
    /// Inputs that could not be scanned at all (an image that could not be opened).
    errors: Vec<Value>,
    status: ExitStatus,
}

/// One scanner's report, as JSON and as the table its own command prints.
struct Section {
    title: String,
    json: Value,
    table: Vec<u8>,
}

impl AllReport {
    fn add_status(&mut self, status: ExitStatus) {
        self.status = self.status.max(status);
    }

    fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        let one = |s: &Option<Section>| s.as_ref().map_or(Value::Null, |s| s.json.clone());
        let many = |v: &[Section]| Value::Array(v.iter().map(|s| s.json.clone()).collect());
        let doc = json!({
            "kind": "all",
            "tool": {"name": "harrier", "version": env!("CARGO_PKG_VERSION")},
            "manifests": one(&self.manifests),
            "cluster": one(&self.cluster),
            "rbac_risks": one(&self.rbac_risks),
            "fs": many(&self.fs),
            "images": many(&self.images),
            "node": one(&self.node),
            "errors": self.errors,
            "summary": self.summary(),
        });
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)
    }

    fn write_table(&self, out: &mut dyn Write) -> io::Result<()> {
        let sections = [&self.manifests, &self.cluster, &self.rbac_risks]
            .into_iter()
            .flatten()
            .chain(&self.fs)
            .chain(&self.images)
            .chain(&self.node);
        for section in sections {
            writeln!(out, "== {} ==\n", section.title)?;
            out.write_all(&section.table)?;
            writeln!(out)?;
        }
        for error in &self.errors {
            writeln!(
                out,
                "not scanned: {} {}: {}",
                error["scanner"].as_str().unwrap_or_default(),
                error["input"].as_str().unwrap_or_default(),
                error["message"].as_str().unwrap_or_default()
            )?;
        }
        Ok(())
    }

    /// Per-section counts, read back from each section's own summary.
    fn summary(&self) -> Value {
        let posture = |s: &Option<Section>| {
            s.as_ref()
                .map(|s| s.json["summary"]["findings"].clone())
                .unwrap_or(Value::Null)
        };
        let total = |sections: &[Section], key: &str| -> u64 {
            sections
                .iter()
                .filter_map(|s| s.json["summary"][key].as_u64())
                .sum()
        };
        json!({
            "manifest_findings": posture(&self.manifests),
            "cluster_findings": posture(&self.cluster),
            "rbac_risks": self.rbac_risks.as_ref()
                .and_then(|s| s.json["findings"].as_array().map(Vec::len)),
            "fs_vulnerabilities": total(&self.fs, "vulnerabilities"),
            "fs_secrets": total(&self.fs, "secrets"),
            "images": self.images.len(),
            "image_vulnerabilities": total(&self.images, "vulnerabilities"),
            "image_secrets": total(&self.images, "secrets"),
            "node_failed": self.node.as_ref().map(|s| s.json["summary"]["fail"].clone()),
            "not_scanned": self.errors.len(),
        })
    }
}

/// Whether the vulnerability database is there; when it is not, says that vulnerabilities are
/// not looked for (the other scanners stand alone).
fn database_present(global: &GlobalArgs, printer: &Printer) -> bool {
    match super::open_db(global) {
        Ok(_) => true,
        Err(e) => {
            printer.note(&format!(
                "vulnerabilities are not looked for: {e:#}; packages and secrets still are"
            ));
            false
        }
    }
}

struct AllScanner<'a> {
    args: &'a AllArgs,
    global: &'a GlobalArgs,
    printer: &'a Printer,
    catalog: &'a Catalog,
    exceptions: Option<&'a harrier_core::exceptions::ExceptionSet>,
    images: ImageScanSettings,
    report: AllReport,
    /// Images the scanned workloads run, for `--workload-images`.
    workload_images: BTreeSet<String>,
}

impl AllScanner<'_> {
    fn table_options(&self) -> TableOptions {
        TableOptions {
            color: self.images.output.color,
            verbose: self.images.output.verbose,
        }
    }

    fn scan_manifests(&mut self) {
        if self.args.paths.is_empty() {
            return;
        }
        let loaded = load(&self.args.paths, &LoadOptions::default());
        if let Some((section, risks)) = self.posture(loaded, None, "Manifests") {
            self.report.manifests = Some(section);
            if !self.args.cluster {
                self.report.rbac_risks = Some(risks);
            }
        }
    }

    fn scan_cluster(&mut self) {
        if !self.args.cluster {
            return;
        }
        let args = ClusterScanArgs {
            kubeconfig: self.args.kubeconfig.clone(),
            context: self.args.context.clone(),
            namespace: None,
            all_namespaces: true,
            selector: None,
            page_size: 500,
            qps: 20.0,
            output: OutputArgs {
                format: OutputFormat::Json,
                output: None,
                fail_on: None,
            },
            selection: SelectionArgs {
                select: Vec::new(),
                ignore: Vec::new(),
                min_severity: None,
                exceptions: None,
            },
        };
        let Some((loaded, facts)) = super::source::read_cluster_for_scan(&args, self.printer)
        else {
            self.report.add_status(ExitStatus::Error);
            self.report.errors.push(json!({
                "scanner": "cluster",
                "input": self.args.context.clone().unwrap_or_else(|| "current context".into()),
                "message": "the cluster could not be read (see the errors above)",
            }));
            return;
        };
        let cluster = super::scan::cluster_report(facts, self.global, self.printer);
        if let Some((section, risks)) = self.posture(loaded, Some(cluster), "Cluster") {
            self.report.cluster = Some(section);
            self.report.rbac_risks = Some(risks);
        }
    }

    /// The posture report of some objects and the RBAC risks among them.
    fn posture(
        &mut self,
        loaded: Loaded,
        cluster: Option<harrier_report::ClusterReport>,
        title: &str,
    ) -> Option<(Section, Section)> {
        let (report, index) = super::scan::posture_report(
            loaded,
            cluster,
            &ScanOptions {
                selected: None,
                exceptions: self.exceptions,
            },
            self.catalog,
            self.printer,
        );
        self.report
            .add_status(super::scan::exit_status(&report, &self.images.output));
        self.collect_workload_images(&index);
        let table = self.table_options();
        let section = self.render(
            format!(
                "{title}: {} objects in {} files",
                report.scanned.objects, report.scanned.files
            ),
            |format, out| harrier_report::write(format, out, &report, table),
        )?;
        let risks = self.rbac_risks(&index)?;
        Some((section, risks))
    }

    fn rbac_risks(&mut self, index: &ObjectIndex) -> Option<Section> {
        let options = RbacOptions::default();
        let rbac = Rbac::from_index(index, &options);
        for problem in rbac.problems() {
            self.printer.warning(&problem.to_string());
        }
        let (findings, hidden) =
            super::rbac::shown_risks(&rbac, index, &options, self.args.include_system, None);
        let worst_risk = findings.iter().map(|f| f.severity).max();
        self.report
            .add_status(findings_status(self.images.output.fail_on, worst_risk));
        self.render(
            format!("RBAC risks: {} findings", findings.len()),
            |format, out| match format {
                Format::Json => {
                    harrier_report::rbac::risks_json(out, &findings, hidden, rbac.problems())
                }
                _ => harrier_report::rbac::risks_table(out, &findings, hidden),
            },
        )
    }

    fn collect_workload_images(&mut self, index: &ObjectIndex) {
        if !self.args.workload_images {
            return;
        }
        for workload in index.workloads() {
            for c in workload.containers() {
                if let Some(image) = c.container.image.as_deref() {
                    self.workload_images.insert(image.to_owned());
                }
            }
        }
    }

    fn scan_source_trees(&mut self) {
        let dirs: Vec<PathBuf> = self
            .args
            .paths
            .iter()
            .filter(|p| p.is_dir())
            .cloned()
            .collect();
        let secrets = SecretScanner::new();
        for dir in dirs {
            let mut options = WalkOptions::source_tree();
            if self.images.secrets {
                options.secrets = Some(&secrets);
            }
            let walked = scan_dir(&dir, &options);
            let title = format!("Source tree {}", dir.display());
            if let Some(section) = self.image_section(walked, title, "fs", &dir.to_string_lossy()) {
                self.report.fs.push(section);
            }
        }
    }

    fn scan_images(&mut self) -> anyhow::Result<()> {
        let mut references: Vec<String> = self.args.images.clone();
        references.extend(
            std::mem::take(&mut self.workload_images)
                .into_iter()
                .filter(|image| !self.args.images.contains(image)),
        );
        if references.is_empty() {
            return Ok(());
        }
        let registry = settings::registry_options(&self.args.registry)?;
        let secrets = SecretScanner::new();
        for reference in references {
            let mut options = WalkOptions::installed();
            if self.images.secrets {
                options.secrets = Some(&secrets);
            }
            let opened = source::open(&reference, &registry)
                .with_context(|| format!("cannot open the image `{reference}`"));
            let walked = match opened {
                Ok(Opened::Image(image)) => harrier_image::scan::scan_image(&image, &options),
                Ok(Opened::Dir(path)) => scan_dir(&path, &options),
                Err(e) => {
                    self.printer.error(&format!("{e:#}"));
                    self.report.add_status(ExitStatus::Error);
                    self.report.errors.push(json!({
                        "scanner": "image",
                        "input": reference,
                        "message": format!("{e:#}"),
                    }));
                    continue;
                }
            };
            let title = format!("Image {reference}");
            if let Some(section) = self.image_section(walked, title, "image", &reference) {
                self.report.images.push(section);
            }
        }
        Ok(())
    }

    /// The CIS node benchmark, with `--node`.
    fn scan_node(&mut self) -> anyhow::Result<()> {
        if !self.args.node {
            return Ok(());
        }
        let settings = NodeSettings::resolve(
            NodeArgs {
                root: self.args.node_root.clone(),
                proc: self.args.node_proc.clone(),
                profile: self.args.node_profile,
                benchmark: self.args.node_benchmark.clone(),
                format: NodeFormat::Json,
                output: None,
                fail_on: NodeFailOn::Fail,
            },
            self.global,
        )?;
        let scan = super::node::scan(&settings, self.printer);
        if self.images.output.fail_on.is_some() {
            self.report
                .add_status(super::node::status(&scan, NodeFailOn::Fail));
        }
        let report = super::node::report(&scan);
        let table = self.table_options();
        self.report.node = self.render(
            format!(
                "Node {} ({}, {})",
                scan.root.display(),
                scan.profile,
                scan.benchmark
            ),
            |format, out| harrier_report::node::write(format, out, &report, table),
        );
        Ok(())
    }

    /// Looks a walked image or directory up and renders it; a failure to look it up is an
    /// input not scanned.
    fn image_section(
        &mut self,
        walked: harrier_image::scan::ImageScan,
        title: String,
        scanner: &str,
        input: &str,
    ) -> Option<Section> {
        let assessed = match super::image::assess(walked, &self.images, self.global, self.printer) {
            Ok(assessed) => assessed,
            Err(e) => {
                self.printer.error(&format!("{input}: {e:#}"));
                self.report.add_status(ExitStatus::Error);
                self.report.errors.push(json!({
                    "scanner": scanner,
                    "input": input,
                    "message": format!("{e:#}"),
                }));
                return None;
            }
        };
        let report = assessed.report();
        self.report
            .add_status(super::image::exit_status(&report, &self.images.output));
        let table = self.table_options();
        self.render(title, |format, out| {
            harrier_report::image::write(format, out, &report, table)
        })
    }

    /// Renders a section as JSON and as a table with its own command's writer.
    fn render(
        &mut self,
        title: String,
        write: impl Fn(Format, &mut dyn Write) -> io::Result<()>,
    ) -> Option<Section> {
        let rendered = (|| -> anyhow::Result<Section> {
            let mut json = Vec::new();
            write(Format::Json, &mut json)?;
            let json: Value = serde_json::from_slice(&json)?;
            let mut table = Vec::new();
            if self.images.output.format == Format::Table {
                write(Format::Table, &mut table)?;
            }
            Ok(Section {
                title: title.clone(),
                json,
                table,
            })
        })();
        match rendered {
            Ok(section) => Some(section),
            Err(e) => {
                self.printer
                    .error(&format!("cannot render the {title} section: {e:#}"));
                self.report.add_status(ExitStatus::Error);
                None
            }
        }
    }
}

/// 1 when the worst severity is at or above `--fail-on`, else 0.
fn findings_status(fail_on: Option<Severity>, worst: Option<Severity>) -> ExitStatus {
    match (fail_on, worst) {
        (Some(threshold), Some(max)) if max >= threshold => ExitStatus::Findings,
        _ => ExitStatus::Success,
    }
}
