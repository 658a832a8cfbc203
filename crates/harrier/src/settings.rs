//! Validated settings: the merge of what was typed, the environment and defaults, checked
//! before any work starts (ripgrep's low → high args; uv's settings.rs).

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, bail};
use harrier_core::exceptions::ExceptionSet;
use harrier_core::{Catalog, CheckId, Severity};
use harrier_k8s::LoadOptions;
use harrier_report::Format;

use crate::cli::{
    ClusterScanArgs, GlobalArgs, ManifestsArgs, NodeArgs, NodeFailOn, NodeFormat, NodeProfile,
    OutputArgs, OutputFormat, RegistryArgs, Scanner, SelectionArgs, VulnArgs,
};
use crate::env;

/// Where and how to write a report.
pub struct OutputSettings {
    pub format: Format,
    pub file: Option<PathBuf>,
    pub fail_on: Option<Severity>,
    pub color: bool,
    pub verbose: bool,
}

/// Settings of `harrier scan manifests`.
pub struct ManifestSettings {
    pub paths: Vec<PathBuf>,
    pub load: LoadOptions,
    pub output: OutputSettings,
    /// `None` when every check is reported.
    pub selected: Option<Vec<CheckId>>,
    pub exceptions: Option<ExceptionSet>,
}

impl ManifestSettings {
    pub fn resolve(
        args: ManifestsArgs,
        global: &GlobalArgs,
        catalog: &Catalog,
    ) -> anyhow::Result<ManifestSettings> {
        let (selected, exceptions) = posture_selection(&args.selection, catalog)?;
        Ok(ManifestSettings {
            paths: args.paths,
            load: LoadOptions {
                max_file_size: args.max_file_size,
            },
            output: OutputSettings::resolve(args.output, global)?,
            selected,
            exceptions,
        })
    }
}

impl ManifestSettings {
    /// The settings of `scan cluster`: no paths, the same output and check selection.
    pub fn for_cluster(
        args: ClusterScanArgs,
        global: &GlobalArgs,
        catalog: &Catalog,
    ) -> anyhow::Result<ManifestSettings> {
        let (selected, exceptions) = posture_selection(&args.selection, catalog)?;
        Ok(ManifestSettings {
            paths: Vec::new(),
            load: LoadOptions::default(),
            output: OutputSettings::resolve(args.output, global)?,
            selected,
            exceptions,
        })
    }
}

/// `--select`, `--ignore`, `--min-severity` and `--exceptions`, resolved: the checks reported
/// (`None` for all) and the accepted risks.
pub fn posture_selection(
    args: &SelectionArgs,
    catalog: &Catalog,
) -> anyhow::Result<(Option<Vec<CheckId>>, Option<ExceptionSet>)> {
    Ok((
        selected_checks(args, catalog)?,
        load_exceptions(args, catalog)?,
    ))
}

impl OutputSettings {
    fn resolve(args: OutputArgs, global: &GlobalArgs) -> anyhow::Result<OutputSettings> {
        let format = match args.format {
            OutputFormat::Table => Format::Table,
            OutputFormat::Json => Format::Json,
            OutputFormat::Sarif => Format::Sarif,
            OutputFormat::Junit => Format::Junit,
        };
        let fail_on = args
            .fail_on
            .as_deref()
            .map(str::parse::<Severity>)
            .transpose()
            .context("invalid --fail-on")?;
        // Colour only for the table, only on a terminal (or when forced).
        let color = format == Format::Table
            && args.output.is_none()
            && global.color.enabled(std::io::stdout().is_terminal());
        Ok(OutputSettings {
            format,
            file: args.output,
            fail_on,
            color,
            verbose: global.verbose > 0,
        })
    }
}

fn selected_checks(
    args: &SelectionArgs,
    catalog: &Catalog,
) -> anyhow::Result<Option<Vec<CheckId>>> {
    if args.select.is_empty() && args.ignore.is_empty() && args.min_severity.is_none() {
        return Ok(None);
    }
    let resolve = |name: &String| -> anyhow::Result<CheckId> {
        catalog
            .lookup(name)
            .map(|m| m.id)
            .with_context(|| format!("unknown check `{name}` (run `harrier checks list`)"))
    };
    let mut ids: Vec<CheckId> = if args.select.is_empty() {
        catalog.entries().iter().map(|e| e.meta.id).collect()
    } else {
        args.select
            .iter()
            .map(resolve)
            .collect::<anyhow::Result<_>>()?
    };
    let ignored: Vec<CheckId> = args
        .ignore
        .iter()
        .map(resolve)
        .collect::<anyhow::Result<_>>()?;
    ids.retain(|id| !ignored.contains(id));
    if let Some(min) = &args.min_severity {
        let min: Severity = min.parse()?;
        ids.retain(|id| catalog.get(*id).is_some_and(|m| m.severity >= min));
    }
    if ids.is_empty() {
        bail!("no check is left to run after --select, --ignore and --min-severity");
    }
    Ok(Some(ids))
}

fn load_exceptions(
    args: &SelectionArgs,
    catalog: &Catalog,
) -> anyhow::Result<Option<ExceptionSet>> {
    let Some(path) = &args.exceptions else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read exceptions file {}", path.display()))?;
    let set = ExceptionSet::parse(&path.to_string_lossy(), &text, catalog, today()?)?;
    Ok(Some(set))
}

/// Today's date, or `HARRIER_TODAY` when set.
fn today() -> anyhow::Result<jiff::civil::Date> {
    match std::env::var(env::TODAY) {
        Ok(day) => day
            .parse()
            .with_context(|| format!("{} must be a date like 2027-01-31", env::TODAY)),
        Err(_) => Ok(jiff::Zoned::now().date()),
    }
}

/// The current time, or midnight UTC of `HARRIER_TODAY` when set (reproducible runs and tests).
pub fn now() -> jiff::Timestamp {
    std::env::var(env::TODAY)
        .ok()
        .and_then(|day| day.parse::<jiff::civil::Date>().ok())
        .and_then(|day| day.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map_or_else(jiff::Timestamp::now, |z| z.timestamp())
}

/// Settings shared by `scan image`, `scan fs` and `scan sbom`.
pub struct ImageScanSettings {
    pub output: OutputSettings,
    pub vulns: bool,
    pub secrets: bool,
    /// Severities to keep (`None` is "unknown"); empty keeps all.
    pub severities: Vec<Option<Severity>>,
    pub ignore_unfixed: bool,
    pub exceptions: Option<ExceptionSet>,
    pub progress: bool,
}

impl ImageScanSettings {
    pub fn resolve(
        args: VulnArgs,
        output: OutputArgs,
        global: &GlobalArgs,
        catalog: &Catalog,
    ) -> anyhow::Result<ImageScanSettings> {
        if output.format == OutputFormat::Junit {
            bail!(
                "--format junit is for manifest scans; image, fs and sbom scans write table, json or sarif"
            );
        }
        let severities = args
            .severity
            .iter()
            .map(|s| match s.as_str() {
                "unknown" => Ok(None),
                other => other.parse::<Severity>().map(Some),
            })
            .collect::<Result<_, _>>()
            .context("invalid --severity")?;
        let exceptions = match &args.exceptions {
            None => None,
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read exceptions file {}", path.display()))?;
                Some(ExceptionSet::parse(
                    &path.to_string_lossy(),
                    &text,
                    catalog,
                    today()?,
                )?)
            }
        };
        Ok(ImageScanSettings {
            output: OutputSettings::resolve(output, global)?,
            vulns: args.scanners.contains(&Scanner::Vuln),
            secrets: args.scanners.contains(&Scanner::Secret),
            severities,
            ignore_unfixed: args.ignore_unfixed,
            exceptions,
            progress: crate::commands::image::progress_enabled(global),
        })
    }
}

/// Settings of `harrier scan node`.
pub struct NodeSettings {
    pub root: PathBuf,
    pub proc_dir: Option<PathBuf>,
    /// `None`: detect the layout.
    pub profile: Option<harrier_node::Profile>,
    /// `None`: the profile's benchmark.
    pub benchmark: Option<harrier_node::Benchmark>,
    pub format: Format,
    pub file: Option<PathBuf>,
    pub fail_on: NodeFailOn,
    pub color: bool,
    pub verbose: bool,
}

impl NodeSettings {
    pub fn resolve(args: NodeArgs, global: &GlobalArgs) -> anyhow::Result<NodeSettings> {
        use harrier_node::Profile;
        if !args.root.is_dir() {
            bail!("--root {} is not a directory", args.root.display());
        }
        if let Some(proc_dir) = &args.proc
            && !proc_dir.is_dir()
        {
            bail!("--proc {} is not a directory", proc_dir.display());
        }
        let profile = match args.profile {
            NodeProfile::Auto => None,
            NodeProfile::Kubeadm => Some(Profile::Kubeadm),
            NodeProfile::K3s => Some(Profile::K3s),
            NodeProfile::Rke2 => Some(Profile::Rke2),
            NodeProfile::Eks => Some(Profile::Eks),
            NodeProfile::Gke => Some(Profile::Gke),
            NodeProfile::Aks => Some(Profile::Aks),
        };
        let benchmark = args
            .benchmark
            .as_deref()
            .map(str::parse::<harrier_node::Benchmark>)
            .transpose()?;
        let format = match args.format {
            NodeFormat::Table => Format::Table,
            NodeFormat::Json => Format::Json,
            NodeFormat::Junit => Format::Junit,
        };
        let color = format == Format::Table
            && args.output.is_none()
            && global.color.enabled(std::io::stdout().is_terminal());
        Ok(NodeSettings {
            root: args.root,
            proc_dir: args.proc,
            profile,
            benchmark,
            format,
            file: args.output,
            fail_on: args.fail_on,
            color,
            verbose: global.verbose > 0,
        })
    }
}

/// Registry options from flags, the environment and standard input.
pub fn registry_options(
    args: &RegistryArgs,
) -> anyhow::Result<harrier_image::source::registry::RegistryOptions> {
    let platform = args
        .platform
        .as_deref()
        .map(str::parse::<harrier_image::source::registry::Platform>)
        .transpose()
        .context("invalid --platform")?;
    let password = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("cannot read the registry password from standard input")?;
        Some(line.trim_end_matches(['\r', '\n']).to_owned())
    } else {
        std::env::var(env::REGISTRY_PASSWORD).ok()
    };
    if password.is_some() && args.username.is_none() {
        bail!("a registry password was given without --username");
    }
    Ok(harrier_image::source::registry::RegistryOptions {
        insecure: args.insecure,
        platform,
        username: args.username.clone(),
        password,
        ..Default::default()
    })
}
