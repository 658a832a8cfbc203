//! What can be typed: clap structures only. Turning them into validated settings is
//! `settings.rs`'s job.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::env;

/// Harrier: Kubernetes detection and response.
#[derive(Debug, Parser)]
#[command(
    name = "harrier",
    version,
    about,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print only errors on stderr.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print notes on stderr (skipped files); repeat for logs.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// When to use colours.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, env = env::COLOR)]
    pub color: ColorChoice,
    /// The vulnerability database file [default: vuln.db in the user's cache directory].
    #[arg(long, global = true, value_name = "PATH", env = env::DB)]
    pub db: Option<PathBuf>,
    /// Do not draw progress bars.
    #[arg(long, global = true)]
    pub no_progress: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan manifests, images, source trees and SBOMs.
    #[command(subcommand)]
    Scan(ScanCommand),
    /// List and explain the built-in checks.
    #[command(subcommand)]
    Checks(ChecksCommand),
    /// Build, update and inspect the vulnerability database.
    #[command(subcommand)]
    Db(DbCommand),
    /// Query the vulnerability database.
    #[command(subcommand)]
    Vuln(VulnCommand),
    /// Write the software bill of materials of an image, a root filesystem or a source tree.
    ///
    /// CycloneDX 1.6 or SPDX 2.3 JSON, every package with its package URL, the layer that
    /// introduced it and the file it was read from.
    Sbom(SbomArgs),
    /// Effective RBAC permissions: who can do what, resolved from Roles, ClusterRoles (with
    /// aggregation) and their bindings as the API server's authorizer resolves them.
    #[command(subcommand)]
    Rbac(RbacCommand),
    /// Network exposure and NetworkPolicy coverage: which workloads can be reached from outside
    /// the cluster and how, and which pods no policy isolates.
    #[command(subcommand)]
    Network(NetworkCommand),
    /// Attack paths: the shortest chains of attack techniques from entry points (the
    /// internet, any authenticated user, a compromised pod) to critical targets
    /// (cluster-admin, nodes, the secrets of kube-system).
    ///
    /// Each path is printed as a chain with every hop's technique, MITRE ATT&CK id and
    /// evidence (file:line, binding). Without --from the sources are the internet, any
    /// authenticated user and every pod; without --to the targets are cluster-admin, nodes and
    /// kube-system's secrets. One path per source and target, the shortest. The search is
    /// bounded (--max-depth, --max-paths, --max-visits, --timeout); a cap that is hit is
    /// reported and the exit status stays 0. See docs/attack-paths.md.
    Paths(PathsArgs),
    /// Watch a live cluster and report each finding a change introduces or fixes.
    ///
    /// Reads the cluster as `scan cluster` does, reports the findings present at start, then
    /// follows every resource with watches (continuing from the list, so nothing is missed) and,
    /// after each quiet interval (--debounce), re-runs the checks and reports what appeared
    /// (`finding`) and what disappeared (`resolved`), one JSON object per line, to standard
    /// output, a file, and/or a webhook. Runs until interrupted (or --duration).
    Watch(WatchArgs),
    /// Run the node sensor: collect process, file, network and privilege events from the
    /// kernel, evaluate them with the runtime rules, and write alerts (and events) as JSON lines.
    ///
    /// Needs root. Attaches eBPF programs to tracepoints (falling back to the kernel's proc
    /// connector for exec/fork/exit where eBPF is not allowed), reports the processes already
    /// running, and adds each process's ancestry and container (id, name, image, labels, pod).
    /// Every event is evaluated with the built-in threat profiles, the --rules files and the
    /// --baselines, as `harrier replay` does; alerts go to standard output (or --alerts) as
    /// Falcosidekick-compatible JSON. --events keeps the events for `harrier replay`.
    /// Prints `ready` on stderr once its collectors are attached, or exits with status 2
    /// naming what it could not attach. SIGTERM and SIGINT stop it cleanly (status 0; a second
    /// one exits at once). Queues are bounded: under overload events are dropped and counted
    /// (see --stats). See docs/sensor.md.
    #[cfg(feature = "sensor")]
    Sensor(Box<SensorArgs>),
    /// Sample the CPU, memory and TCP connections of every container on this host, and raise
    /// resource signals.
    ///
    /// Finds containers in the cgroup tree (v1, v2 or hybrid; docker, podman, containerd,
    /// CRI-O), reads their CPU and memory counters and limits every --interval, and the TCP
    /// sockets of their network namespace (shared by a pod). An anomaly detector per workload
    /// (EWMA baseline, median absolute deviation) raises `cpu_saturation` when a container stays
    /// at or above --cpu-threshold of its limit (or of --reference-cores) for --sustain seconds
    /// while anomalous for its workload, and `memory_growth` on a steadily growing working set.
    /// Prints a table per sample, or JSON lines (`kind`: `sample`, `signal`, `ended`). With
    /// --events, each signal is also written as a `container_resource_signal` runtime event
    /// for `harrier replay`. See docs/resource-signals.md.
    #[cfg(feature = "sensor")]
    Top(TopArgs),
    /// Reports built from other reports: compliance with a framework, and the frameworks known.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Falco-dialect runtime rule files: check what loads.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Run Falco-dialect k8s_audit rules over Kubernetes audit logs.
    ///
    /// Reads audit.k8s.io v1/v1beta1 events as JSON lines, `EventList`s or arrays, and the EKS
    /// (CloudWatch), GKE (Cloud Audit Logging) and AKS (Azure Monitor) envelopes, and writes
    /// one Falcosidekick-compatible JSON alert per line. Harrier's own audit rules
    /// (docs/audit-rules.md) load first unless --no-builtin-rules; Harrier ships no copy of
    /// Falco's rules: pass the files you run in Falco (the k8saudit plugin's
    /// k8s_audit_rules.yaml and your overlays) with --rules. See docs/runtime-rules.md.
    Audit(AuditArgs),
    /// Evaluate Falco-dialect rules over recorded events.
    ///
    /// Reads Harrier's JSON lines (docs/runtime-events.md), Falco's JSON output
    /// (`output_fields`), Tetragon's JSON export (`process_exec`, `process_kprobe`,
    /// `process_exit`...) and Kubernetes audit logs, recognised line by line, and writes one
    /// Falcosidekick-compatible JSON alert per line.
    Replay(ReplayArgs),
    /// Behavioural baselines: show, lock and compare the per-workload baseline files that
    /// `harrier replay --baselines DIR` learns and enforces (see docs/baselines.md).
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Response policies: which alerts trigger which actions (kill the process, label,
    /// quarantine, delete or scale down the pod). `harrier replay` and `harrier audit` apply
    /// one with --response; see docs/response.md.
    #[command(subcommand)]
    Response(ResponseCommand),
    /// Regenerate the reference documentation (docs/checks/*.md and docs/cli.md) into a
    /// directory; a test keeps the committed copy in step.
    #[command(hide = true)]
    GenerateDocs {
        /// The docs directory to write into.
        dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Load rule files as Falco does and report every rule as loaded, not enabled, or disabled
    /// with the reason (a field Harrier lacks, an undefined macro, a syntax error).
    ///
    /// Files are read in order, later ones refining earlier ones (append, override). Exit
    /// status 1 when a rule is disabled or a file has a problem.
    Validate(RulesValidateArgs),
    /// List Harrier's built-in threat profiles: name, rules, MITRE ATT&CK techniques and what
    /// each detects. `harrier replay` loads them all unless --no-builtin-profiles or --profiles.
    ListProfiles(ListProfilesArgs),
}

#[derive(Debug, Args)]
pub struct ListProfilesArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
}

#[derive(Debug, Args)]
pub struct RulesValidateArgs {
    /// Rule files, in load order.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Load Harrier's built-in threat profiles and audit rules first, as `replay` and `audit`
    /// do, so that files tuning them (appending to `harrier_*` lists, overriding their rules)
    /// validate; their rules are reported too.
    #[arg(long)]
    pub with_builtin: bool,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

/// Where runtime alerts go.
#[derive(Debug, Args)]
pub struct AlertOutputArgs {
    /// Append alerts to this file (JSON lines) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also POST each alert, as one JSON object, to this URL (https unless on loopback), as
    /// Falco's http output does: a Falcosidekick endpoint works.
    #[arg(long, value_name = "URL")]
    pub webhook: Option<String>,
    /// The `hostname` of alerts whose event does not name its node [default: this host's name].
    #[arg(long, value_name = "NAME")]
    pub hostname: Option<String>,
}

/// Behavioural baselines during `harrier replay`.
#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// Learn and enforce per-workload baselines kept in DIR: loaded at start, written at the
    /// end (learning state included), one YAML file per workload (docs/baselines.md).
    #[arg(long, value_name = "DIR")]
    pub baselines: Option<PathBuf>,
    /// Learn each new workload for this span of event time (`30m`, `2h`, `1d`), then lock
    /// its baseline and alert on drift [default: learn until `harrier baseline lock`].
    #[arg(
        long,
        value_name = "DURATION",
        requires = "baselines",
        conflicts_with = "learn_events"
    )]
    pub learn: Option<String>,
    /// Learn each new workload from this many of its events, then lock.
    #[arg(long, value_name = "N", requires = "baselines")]
    pub learn_events: Option<u64>,
    #[command(flatten)]
    pub trust: TrustArgs,
}

/// When a learned entry is trusted (allowed) at lock.
#[derive(Debug, Args)]
pub struct TrustArgs {
    /// Observations an entry needs while learning to be allowed at lock; rarer ones are
    /// flagged.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub min_observations: u64,
    /// Distinct pods an entry needs to be allowed at lock (at most the pods seen).
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub min_pods: usize,
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Summarise the baselines of DIR: each workload, its state and its entries.
    Show(BaselineShowArgs),
    /// Lock every learning baseline of DIR: entries seen often enough in enough pods become
    /// `allowed`, the others `flagged` with the reason; the files are rewritten.
    Lock(BaselineLockArgs),
    /// Compare recorded events with the locked baselines of DIR and list what they do that
    /// the baselines do not allow, without changing the files. Exit status 1 on any drift.
    Diff(BaselineDiffArgs),
}

#[derive(Debug, Args)]
pub struct BaselineShowArgs {
    /// The baselines directory.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
}

#[derive(Debug, Args)]
pub struct BaselineLockArgs {
    /// The baselines directory.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub trust: TrustArgs,
}

#[derive(Debug, Args)]
pub struct BaselineDiffArgs {
    /// The baselines directory.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Recorded event files (as for `harrier replay`).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Which built-in threat profiles run (see `harrier rules list-profiles`).
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// Do not load Harrier's built-in threat profiles.
    #[arg(long, conflicts_with = "profiles")]
    pub no_builtin_profiles: bool,
    /// Load only these built-in threat profiles [default: all].
    #[arg(long, value_delimiter = ',', value_name = "NAME")]
    pub profiles: Option<Vec<String>>,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Audit log files.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Rule files, in load order (their k8s_audit rules run), read after Harrier's own audit
    /// rules.
    #[arg(short, long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Do not load Harrier's own audit rules (docs/audit-rules.md).
    #[arg(long)]
    pub no_builtin_rules: bool,
    #[command(flatten)]
    pub output: AlertOutputArgs,
    #[command(flatten)]
    pub response: ResponseArgs,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Recorded event files.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Rule files, in load order, read after the built-in threat profiles (so they can append
    /// to and override them).
    #[arg(short, long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    #[command(flatten)]
    pub profiles: ProfileArgs,
    #[command(flatten)]
    pub baselines: BaselineArgs,
    #[command(flatten)]
    pub output: AlertOutputArgs,
    #[command(flatten)]
    pub response: ResponseArgs,
}

/// Response actions on alerts (docs/response.md).
#[derive(Debug, Args)]
pub struct ResponseArgs {
    /// Act on alerts as the response policy FILE says: kill the process, label, quarantine,
    /// delete or scale down the pod. Nothing is done without it.
    #[arg(long, value_name = "FILE")]
    pub response: Option<PathBuf>,
    /// Decide, check and record every response action, but perform none.
    #[arg(long, requires = "response")]
    pub dry_run: bool,
    /// Append the audit trail of response actions to FILE: one JSON line per action.
    #[arg(long, value_name = "FILE", requires = "response")]
    pub response_log: Option<PathBuf>,
    /// The kubeconfig for Kubernetes response actions (and the sensor's pod context)
    /// [default: KUBECONFIG, ~/.kube/config, then the pod's service account].
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context for Kubernetes response actions (and the sensor's pod context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ResponseCommand {
    /// Check a response policy: report the first problem as file:line:col (exit status 1), or
    /// summarise its responses.
    Validate(ResponseValidateArgs),
}

#[derive(Debug, Args)]
pub struct ResponseValidateArgs {
    /// The policy file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum RbacCommand {
    /// Every subject allowed VERB on RESOURCE, with the bindings that allow it.
    ///
    /// RESOURCE is `pods`, `pods/exec`, `deployments.apps/scale` (resource.group/subresource;
    /// well-known resources find their group alone) or a non-resource URL such as `/metrics`.
    /// Without `-n` the answer covers every namespace, and each binding says where it applies.
    WhoCan(WhoCanArgs),
    /// Every rule SUBJECT holds, per namespace, with the bindings that grant it.
    ///
    /// SUBJECT is `sa:NAMESPACE/NAME` (or `system:serviceaccount:NAMESPACE:NAME`),
    /// `user:NAME` (or a bare name) or `group:NAME`. Service accounts and users count their
    /// implicit groups (`system:serviceaccounts`, `system:serviceaccounts:NAMESPACE`,
    /// `system:authenticated`; `system:unauthenticated` for `system:anonymous`).
    Can(CanArgs),
    /// Risky permissions: every subject holding a permission an attacker uses to take over a
    /// node or the cluster, steal credentials, persist or hide (see docs/rbac-risks.md).
    ///
    /// One finding per subject and primitive, naming the bindings that grant it and the
    /// workloads that run as the subject with its token mounted. The table shows each subject
    /// once, with its worst primitives and the others counted; JSON lists every finding.
    /// Control-plane subjects and those granted only by bootstrap bindings are counted but not
    /// shown unless `--include-system`.
    Risks(RisksArgs),
}

/// Where the Kubernetes objects of an analysis come from: files, or a live cluster.
#[derive(Debug, Args)]
pub struct ObjectSourceArgs {
    /// Manifest files or directories (recursively); `-` reads stdin.
    #[arg(
        short = 'f',
        long = "filename",
        value_name = "PATH",
        required_unless_present = "cluster"
    )]
    pub paths: Vec<PathBuf>,
    /// Read the objects from a live cluster through its API server instead: the kubeconfig's
    /// current context (KUBECONFIG, ~/.kube/config) or, inside a pod, its service account.
    #[arg(long, conflicts_with = "paths")]
    pub cluster: bool,
    /// The kubeconfig file to use with --cluster.
    #[arg(long, value_name = "PATH", requires = "cluster")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use with --cluster.
    #[arg(long, value_name = "NAME", requires = "cluster")]
    pub context: Option<String>,
    /// With --cluster, read namespaced resources of this namespace only (cluster-scoped ones,
    /// such as ClusterRoleBindings, are always read).
    #[arg(
        long = "cluster-namespace",
        value_name = "NAMESPACE",
        requires = "cluster"
    )]
    pub cluster_namespace: Option<String>,
    /// With --cluster, read only objects with these labels (`app=web,tier!=db`).
    #[arg(long, short = 'l', value_name = "SELECTOR", requires = "cluster")]
    pub selector: Option<String>,
    /// Files larger than this many bytes are reported as errors instead of read.
    #[arg(long, value_name = "BYTES", default_value_t = 128 * 1024 * 1024)]
    pub max_file_size: u64,
}

#[derive(Debug, Subcommand)]
pub enum NetworkCommand {
    /// Every workload reachable from outside the cluster, with each route and its evidence.
    ///
    /// Routes: Services of type LoadBalancer (source ranges and internal-load-balancer
    /// annotations lower the severity) and NodePort, Service `externalIPs`, Ingress rules, Gateway
    /// API routes (HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute) attached to a Gateway,
    /// hostNetwork pods and hostPort containers, each resolved through the Service's selector
    /// and ports to the pod template. Most exposed first: routes open to any address, then the
    /// nodes' addresses, then restricted ones.
    Exposure(NetworkArgs),
    /// NetworkPolicy coverage: workloads whose ingress or egress no policy isolates, namespaces
    /// without a default-deny policy, and rules that allow all.
    ///
    /// Reads Kubernetes NetworkPolicies, Cilium (namespaced and cluster-wide) and Calico
    /// policies; see docs/network.md for how each is evaluated.
    Policies(NetworkArgs),
}

/// Where `harrier network` reads objects, and how it answers.
#[derive(Debug, Args)]
pub struct NetworkArgs {
    #[command(flatten)]
    pub objects: ObjectSourceArgs,
    /// Answer as a table or as JSON (see docs/network.md).
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

/// Where RBAC objects come from, and how answers are written.
#[derive(Debug, Args)]
pub struct RbacSourceArgs {
    #[command(flatten)]
    pub objects: ObjectSourceArgs,
    /// The namespace of Roles and RoleBindings that name none, as `kubectl apply -n` would set it.
    #[arg(long, value_name = "NAMESPACE", default_value = "default")]
    pub default_namespace: String,
    /// Answer as a table or as JSON (see docs/rbac.md).
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct WhoCanArgs {
    /// The verb: get, list, watch, create, update, patch, delete, use, bind, escalate, impersonate…
    pub verb: String,
    /// The resource, `resource/subresource`, `resource.group`, or a URL starting with `/`.
    pub resource: String,
    /// Only this namespace (and cluster-wide grants) [default: every namespace].
    #[arg(short, long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    /// The object's name, for rules limited by `resourceNames`.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    #[command(flatten)]
    pub source: RbacSourceArgs,
}

#[derive(Debug, Args)]
pub struct CanArgs {
    /// `sa:NAMESPACE/NAME`, `user:NAME` or `group:NAME`.
    pub subject: String,
    /// Further groups the user belongs to; repeatable.
    #[arg(long = "group", value_name = "GROUP")]
    pub groups: Vec<String>,
    #[command(flatten)]
    pub source: RbacSourceArgs,
}

#[derive(Debug, Args)]
pub struct RisksArgs {
    /// Only findings at or above this severity.
    #[arg(long, value_name = "SEVERITY", value_parser = ["critical", "high", "medium", "low", "info"])]
    pub min_severity: Option<String>,
    /// Also show control-plane subjects (`system:kube-controller-manager`, `system:nodes`…)
    /// and subjects granted only by bootstrap bindings.
    #[arg(long)]
    pub include_system: bool,
    /// Exit with status 1 when a shown finding is at or above this severity.
    #[arg(long, value_name = "SEVERITY", env = env::FAIL_ON, value_parser = ["critical", "high", "medium", "low", "info"])]
    pub fail_on: Option<String>,
    #[command(flatten)]
    pub source: RbacSourceArgs,
}

#[derive(Debug, Args)]
pub struct PathsArgs {
    #[command(flatten)]
    pub objects: ObjectSourceArgs,
    /// Where the attacker starts: `internet`, `authenticated`, `pods` (every pod),
    /// `pod:NS/NAME` (a Pod or a controller's pods), `sa:NS/NAME`, `user:NAME`, `group:NAME`;
    /// repeatable [default: internet, authenticated, pods].
    #[arg(long = "from", value_name = "SOURCE")]
    pub from: Vec<harrier_graph::Source>,
    /// What the attacker wants: `cluster-admin`, `nodes`, `kube-system-secrets`, `secrets`,
    /// `sa:NS/NAME`; repeatable [default: cluster-admin, nodes, kube-system-secrets].
    #[arg(long = "to", value_name = "TARGET")]
    pub to: Vec<harrier_graph::Target>,
    /// Longest path, in techniques.
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub max_depth: usize,
    /// Most paths printed (the first in output order).
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_paths: usize,
    /// Most vertices the search visits, over every target.
    #[arg(long, value_name = "N", default_value_t = 10_000_000)]
    pub max_visits: usize,
    /// Longest time the search may take, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,
    /// A table of chains, JSON, or Graphviz DOT.
    #[arg(long, value_enum, default_value_t = PathsFormat::Table)]
    pub format: PathsFormat,
    /// With `--format dot`, draw the whole graph instead of the paths found.
    #[arg(long)]
    pub dot_all: bool,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The namespace of Roles and RoleBindings that name none, as `kubectl apply -n` would set it.
    #[arg(long, value_name = "NAMESPACE", default_value = "default")]
    pub default_namespace: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PathsFormat {
    Table,
    Json,
    Dot,
}

#[derive(Debug, Subcommand)]
pub enum ScanCommand {
    /// Scan Kubernetes manifests: files, directories (recursively) or `-` for stdin.
    ///
    /// Reads multi-document YAML and JSON, `List` kinds, `kubectl get -o yaml` dumps and
    /// `helm template` output. Runs the Pod Security Standards checks and every other posture
    /// check, and reports the Pod Security Standards level each workload meets.
    Manifests(ManifestsArgs),
    /// Scan a live cluster through its API server with the checks of `scan manifests`.
    ///
    /// Connects with the kubeconfig's current context (KUBECONFIG, ~/.kube/config) or, inside a
    /// pod, its service account; discovers the resources the server serves; lists them page by
    /// page at a bounded request rate. Pods and ReplicaSets run by a controller that was read
    /// are reported through that controller, once. Resources the credentials may not list are
    /// skipped with a warning naming the rule that would allow them.
    Cluster(ClusterScanArgs),
    /// Scan a container image for vulnerable packages and secrets, layer by layer.
    ///
    /// IMAGE is `docker-archive:PATH` (docker/podman save), `oci:DIR[:TAG]`,
    /// `oci-archive:PATH[:TAG]`, `dir:PATH` (an unpacked root filesystem) or a registry
    /// reference (`registry.example.com/app:1.2`, `app@sha256:…`). Every finding names the layer
    /// that introduced it and that layer's Dockerfile instruction.
    Image(ImageArgs),
    /// Scan a source tree: lockfiles and manifests (requirements.txt, Pipfile.lock,
    /// poetry.lock, package-lock.json, yarn.lock, pnpm-lock.yaml, Gemfile.lock, composer.lock,
    /// go.mod, Cargo.lock, *.deps.json…), installed packages, and secrets.
    Fs(FsArgs),
    /// Re-check a stored SBOM (CycloneDX or SPDX JSON) against today's vulnerability database.
    Sbom(SbomScanArgs),
    /// Check a node against the CIS Kubernetes Benchmark: file permissions and owners, and the
    /// flags and config files of the API server, controller manager, scheduler, etcd, kubelet
    /// and kube-proxy.
    ///
    /// Reads the node's filesystem under --root (a host mounted into a pod at /host reads as
    /// /): static pod manifests, /proc/*/cmdline, component config files. The layout (kubeadm,
    /// K3s, RKE2, EKS, GKE, AKS) is detected from what the node shows unless --profile names
    /// it; managed layouts are held to their own benchmark (EKS, GKE, AKS ids). Each item is
    /// PASS, FAIL, WARN (could not be judged: a file or component is missing) or MANUAL, with
    /// evidence and remediation. See docs/node.md.
    Node(NodeArgs),
    /// Run every scanner that applies to the inputs given and write one report.
    ///
    /// Manifest paths get the posture checks and the RBAC risk analysis; directories among them
    /// are also scanned as source trees (lockfiles, installed packages, secrets). `--cluster`
    /// scans the live cluster the same way, with its component versions. `--image` scans
    /// images, `--workload-images` every image the scanned workloads run, `--node` the CIS
    /// node benchmark on this machine or `--node-root`. The JSON report
    /// (`kind: all`) holds each scanner's own report and is what `harrier report compliance`
    /// reads.
    All(AllArgs),
}

/// What `scan all` scans.
#[derive(Debug, Args)]
pub struct AllArgs {
    /// Manifest files or directories (recursively); directories are also scanned as source trees.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Also scan the live cluster of the kubeconfig's current context (or, inside a pod, its
    /// service account).
    #[arg(long)]
    pub cluster: bool,
    /// The kubeconfig file to use with --cluster.
    #[arg(long, value_name = "PATH", requires = "cluster")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use with --cluster.
    #[arg(long, value_name = "NAME", requires = "cluster")]
    pub context: Option<String>,
    /// Scan this image too (repeatable); the forms of `scan image`.
    #[arg(long = "image", value_name = "IMAGE")]
    pub images: Vec<String>,
    /// Also scan every image that the scanned workloads run.
    #[arg(long)]
    pub workload_images: bool,
    /// Show RBAC risks of control-plane subjects too.
    #[arg(long)]
    pub include_system: bool,
    /// What to look for in images and source trees: vulnerabilities (`vuln`) and secrets
    /// (`secret`). Without a vulnerability database, vulnerabilities are skipped with a note.
    #[arg(long, value_delimiter = ',', value_enum, default_values_t = [Scanner::Vuln, Scanner::Secret])]
    pub scanners: Vec<Scanner>,
    /// Exceptions file (YAML) of accepted risks, for every scanner; see docs/suppression.md.
    #[arg(long, value_name = "FILE", env = env::EXCEPTIONS)]
    pub exceptions: Option<PathBuf>,
    #[command(flatten)]
    pub registry: RegistryArgs,
    /// Also check this machine (or --node-root) against the CIS Kubernetes Benchmark, as
    /// `scan node` does.
    #[arg(long)]
    pub node: bool,
    /// The node's root directory, with --node.
    #[arg(long, value_name = "PATH", default_value = "/", requires = "node")]
    pub node_root: PathBuf,
    /// Read processes from this directory instead of the root's /proc, with --node.
    #[arg(long, value_name = "PATH", requires = "node")]
    pub node_proc: Option<PathBuf>,
    /// The node layout, with --node [default: detected].
    #[arg(long, value_enum, default_value_t = NodeProfile::Auto, requires = "node")]
    pub node_profile: NodeProfile,
    /// The node benchmark, with --node [default: the layout's].
    #[arg(long, value_name = "NAME", value_parser = ["cis-1.9", "cis-1.10", "eks-1.8.0", "gke-1.9.0", "aks-1.8"], requires = "node")]
    pub node_benchmark: Option<String>,
    /// Output format: `table` or `json`.
    #[arg(short, long, value_enum, default_value_t = OutputFormat::Table, env = env::FORMAT)]
    pub format: OutputFormat,
    /// Write the report to this file instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with status 1 when a finding, RBAC risk, vulnerability or secret at or above this
    /// severity remains, or (with --node) a benchmark item FAILs.
    #[arg(long, value_name = "SEVERITY", env = env::FAIL_ON, value_parser = ["critical", "high", "medium", "low", "info"])]
    pub fail_on: Option<String>,
}

#[derive(Debug, Args)]
pub struct NodeArgs {
    /// The node's root directory.
    #[arg(long, value_name = "PATH", default_value = "/")]
    pub root: PathBuf,
    /// Read processes from this directory instead of ROOT/proc: in a pod with `hostPID: true`
    /// and the host mounted at /host, `--root /host --proc /proc`.
    #[arg(long, value_name = "PATH")]
    pub proc: Option<PathBuf>,
    /// The node layout [default: detected].
    #[arg(long, value_enum, default_value_t = NodeProfile::Auto)]
    pub profile: NodeProfile,
    /// The benchmark [default: cis-1.10 for kubeadm, k3s and rke2; eks-1.8.0, gke-1.9.0 and
    /// aks-1.8 for those services].
    #[arg(long, value_name = "NAME", value_parser = ["cis-1.9", "cis-1.10", "eks-1.8.0", "gke-1.9.0", "aks-1.8"])]
    pub benchmark: Option<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = NodeFormat::Table)]
    pub format: NodeFormat,
    /// Write the report to this file instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with status 1 when an item FAILs (`fail`), FAILs or WARNs (`warn`), or never (`none`).
    #[arg(long, value_enum, default_value_t = NodeFailOn::Fail)]
    pub fail_on: NodeFailOn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NodeProfile {
    Auto,
    Kubeadm,
    K3s,
    Rke2,
    Eks,
    Gke,
    Aks,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NodeFormat {
    Table,
    Json,
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NodeFailOn {
    Fail,
    Warn,
    None,
}

/// How to reach a registry.
#[derive(Debug, Args)]
pub struct RegistryArgs {
    /// The platform to pick from a multi-platform image (`linux/arm64`, `linux/arm/v7`)
    /// [default: linux and this machine's architecture].
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
    /// Allow plain HTTP and unverified TLS to the registry.
    #[arg(long)]
    pub insecure: bool,
    /// Registry user name (else credentials come from ~/.docker/config.json).
    #[arg(long, value_name = "NAME", env = env::REGISTRY_USERNAME)]
    pub username: Option<String>,
    /// Read the registry password or token from standard input.
    #[arg(long, requires = "username")]
    pub password_stdin: bool,
}

/// What to report of the vulnerabilities found.
#[derive(Debug, Args)]
pub struct VulnArgs {
    /// What to look for: vulnerabilities (`vuln`) and secrets (`secret`).
    #[arg(long, value_delimiter = ',', value_enum, default_values_t = [Scanner::Vuln, Scanner::Secret])]
    pub scanners: Vec<Scanner>,
    /// Report only these severities (comma-separated: critical, high, medium, low, info, unknown).
    #[arg(long, value_delimiter = ',', value_name = "SEVERITY", value_parser = ["critical", "high", "medium", "low", "info", "unknown"])]
    pub severity: Vec<String>,
    /// Do not report vulnerabilities that have no published fix.
    #[arg(long)]
    pub ignore_unfixed: bool,
    /// Exceptions file (YAML) of accepted risks; see docs/suppression.md.
    #[arg(long, value_name = "FILE", env = env::EXCEPTIONS)]
    pub exceptions: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scanner {
    Vuln,
    Secret,
}

#[derive(Debug, Args)]
pub struct ImageArgs {
    /// The image.
    #[arg(value_name = "IMAGE")]
    pub reference: String,
    #[command(flatten)]
    pub registry: RegistryArgs,
    #[command(flatten)]
    pub vulns: VulnArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct FsArgs {
    /// The directory.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
    #[command(flatten)]
    pub vulns: VulnArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct SbomScanArgs {
    /// The SBOM (CycloneDX or SPDX JSON).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub vulns: VulnArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct SbomArgs {
    /// The image (as for `harrier scan image`), or `dir:PATH` / a directory for a source tree.
    #[arg(value_name = "IMAGE")]
    pub reference: String,
    /// SBOM format.
    #[arg(short, long, value_enum, default_value_t = SbomFormat::Cyclonedx)]
    pub format: SbomFormat,
    /// Write the SBOM to this file instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SbomFormat {
    /// CycloneDX 1.6 JSON.
    Cyclonedx,
    /// SPDX 2.3 JSON.
    Spdx,
}

#[derive(Debug, Args)]
pub struct ManifestsArgs {
    /// Files or directories to scan; `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Files larger than this many bytes are reported as errors instead of read.
    #[arg(long, value_name = "BYTES", default_value_t = 128 * 1024 * 1024)]
    pub max_file_size: u64,
}

#[derive(Debug, Args)]
pub struct ClusterScanArgs {
    /// The kubeconfig file [default: KUBECONFIG, then ~/.kube/config, then in-cluster].
    #[arg(long, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context [default: its current context].
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// Scan namespaced resources of this namespace only [default: every namespace].
    #[arg(
        short,
        long,
        value_name = "NAMESPACE",
        conflicts_with = "all_namespaces"
    )]
    pub namespace: Option<String>,
    /// Scan every namespace (the default; accepted as kubectl spells it).
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Scan only objects with these labels (`app=web,tier!=db`).
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,
    /// Objects per list request.
    #[arg(long, value_name = "N", default_value_t = 500)]
    pub page_size: u32,
    /// At most this many requests per second to the API server.
    #[arg(long, value_name = "N", default_value_t = 20.0)]
    pub qps: f64,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub selection: SelectionArgs,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The kubeconfig file [default: KUBECONFIG, then ~/.kube/config, then in-cluster].
    #[arg(long, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context [default: its current context].
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// Watch namespaced resources of this namespace only [default: every namespace].
    #[arg(short, long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    /// Watch only objects with these labels (`app=web,tier!=db`).
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,
    /// Re-run the checks once no change arrived for this many milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 500)]
    pub debounce: u64,
    /// Stop after this many seconds [default: run until interrupted].
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<u64>,
    /// Append alerts to this file (JSON lines) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also POST each batch of alerts, as a JSON array, to this URL (https unless on loopback).
    #[arg(long, value_name = "URL")]
    pub webhook: Option<String>,
    /// Do not report the findings present at start, only changes.
    #[arg(long)]
    pub changes_only: bool,
    #[command(flatten)]
    pub selection: SelectionArgs,
}

/// Where results go and when the exit status says "findings".
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = OutputFormat::Table, env = env::FORMAT)]
    pub format: OutputFormat,
    /// Write the report to this file instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with status 1 when a finding at or above this severity remains after suppression.
    #[arg(long, value_name = "SEVERITY", env = env::FAIL_ON, value_parser = ["critical", "high", "medium", "low", "info"])]
    pub fail_on: Option<String>,
}

/// Which checks run and which findings are accepted.
#[derive(Debug, Args)]
pub struct SelectionArgs {
    /// Report only these checks (ids, slugs or upstream PSS ids; comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "CHECK")]
    pub select: Vec<String>,
    /// Do not report these checks.
    #[arg(long, value_delimiter = ',', value_name = "CHECK")]
    pub ignore: Vec<String>,
    /// Report only checks at or above this severity.
    #[arg(long, value_name = "SEVERITY", value_parser = ["critical", "high", "medium", "low", "info"])]
    pub min_severity: Option<String>,
    /// Exceptions file (YAML) of accepted risks; see docs/suppression.md.
    #[arg(long, value_name = "FILE", env = env::EXCEPTIONS)]
    pub exceptions: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    Sarif,
    Junit,
}

#[derive(Debug, Subcommand)]
pub enum ChecksCommand {
    /// List every built-in check.
    List {
        #[arg(short, long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Show one check's documentation.
    Show {
        /// Check id, slug, or upstream Pod Security Standards id.
        check: String,
        #[arg(short, long, value_enum, default_value_t = ShowFormat::Markdown)]
        format: ShowFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    Markdown,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Download the public feeds (OSV, CISA KEV, FIRST EPSS, Debian tracker, Alpine secdb) and
    /// rebuild the database atomically.
    ///
    /// Unchanged feeds cost one conditional request. A feed that fails keeps its previous data;
    /// the exit status is 2 when any feed failed.
    Update {
        /// Fetch every feed from this mirror instead, laid out as docs/vulnerability-database.md says.
        #[arg(long, value_name = "URL", env = env::MIRROR)]
        mirror: Option<String>,
        /// Only these feeds (such as `osv/PyPI`, `kev`, `debian/tracker`); repeatable.
        #[arg(long = "feed", value_name = "NAME")]
        feeds: Vec<String>,
    },
    /// Add advisories from files, directories, zip archives and tarballs (OSV JSON/YAML, Debian
    /// DSA/DLA lists and tracker JSON, Alpine secdb, RustSec, KEV, EPSS), or install a bundle.
    Import {
        /// Files, directories or archives; a bundle replaces the whole database.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Write the whole database as one compressed, checksummed file for `db import` elsewhere.
    Bundle {
        /// The bundle to write.
        out: PathBuf,
    },
    /// Show the feeds, record counts and age of the database.
    Status {
        #[arg(short, long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
        /// Warn when the newest feed is older than this many days.
        #[arg(long, value_name = "DAYS", default_value_t = 7)]
        max_age: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum VulnCommand {
    /// Every vulnerability affecting one package version, with the evidence.
    ///
    /// ECOSYSTEM is an OSV ecosystem name, with the release for distros: `PyPI`, `npm`, `Go`,
    /// `crates.io`, `Maven` (NAME is `group:artifact`), `Debian:12`, `Ubuntu:24.04`, `Alpine:v3.20`.
    Lookup {
        /// OSV ecosystem, such as `PyPI` or `Debian:12`.
        ecosystem: String,
        /// Package name.
        name: String,
        /// Installed version.
        #[arg(value_name = "VERSION")]
        package_version: String,
        /// For distro binary packages: the source package it was built from.
        #[arg(long, value_name = "NAME")]
        source_package: Option<String>,
        #[arg(short, long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
}

#[cfg(feature = "sensor")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SensorCollector {
    /// eBPF where it loads, else the proc connector.
    Auto,
    /// eBPF only; fail if it cannot attach.
    Ebpf,
    /// The proc connector only (exec, fork and exit; no syscalls).
    ProcConnector,
}

/// Whether `harrier sensor` asks the Kubernetes API for pod context.
#[cfg(feature = "sensor")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KubernetesContext {
    Auto,
    On,
    Off,
}

/// The node's kubelet, as a source of pod context that needs no API server.
#[cfg(feature = "sensor")]
#[derive(Debug, Args)]
pub struct KubeletArgs {
    /// List the node's pods from its kubelet (`GET /pods`): `https://NODE:10250` (needs `get`
    /// on `nodes/proxy`, which also allows exec through the kubelet: grant it knowingly) or
    /// `http://127.0.0.1:10255`, the read-only port, where enabled.
    #[arg(long, value_name = "URL")]
    pub kubelet: Option<String>,
    /// Bearer token file for the kubelet [default: the pod's service-account token, when
    /// running in a cluster].
    #[arg(long, value_name = "FILE", requires = "kubelet")]
    pub kubelet_token_file: Option<PathBuf>,
    /// CA (PEM) of the kubelet's serving certificate (a kubeadm kubelet signs its own:
    /// /var/lib/kubelet/pki/kubelet.crt) [default: the system's roots].
    #[arg(long, value_name = "FILE", requires = "kubelet")]
    pub kubelet_ca: Option<PathBuf>,
    /// The name the kubelet's certificate must carry, when the URL's host is not it.
    #[arg(long, value_name = "NAME", requires = "kubelet")]
    pub kubelet_tls_server_name: Option<String>,
    /// Accept any certificate from the kubelet; the token is then sent to whoever answers.
    #[arg(long, requires = "kubelet")]
    pub kubelet_insecure_skip_tls_verify: bool,
}

#[cfg(feature = "sensor")]
#[derive(Debug, Args)]
pub struct SensorArgs {
    /// Also write every event to this file, in Harrier's runtime JSON lines, which
    /// `harrier replay` reads [default: events are not written].
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
    /// Append alerts to this file (JSON lines) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub alerts: Option<PathBuf>,
    /// Also POST each alert, as one JSON object, to this URL (https unless on loopback), as
    /// Falco's http output does: a Falcosidekick endpoint works.
    #[arg(long, value_name = "URL")]
    pub webhook: Option<String>,
    /// The `hostname` of alerts [default: this host's name].
    #[arg(long, value_name = "NAME")]
    pub hostname: Option<String>,
    /// Falco-dialect rule files, in load order, read after the built-in threat profiles (so
    /// they can append to and override them). Their syscall rules run.
    #[arg(short, long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    #[command(flatten)]
    pub profiles: ProfileArgs,
    #[command(flatten)]
    pub baselines: BaselineArgs,
    /// Stop after this many seconds [default: run until killed].
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<f64>,
    /// Which collector to use.
    #[arg(long, value_enum, default_value_t = SensorCollector::Auto)]
    pub collector: SensorCollector,
    /// Events held between the collector and the writer; beyond it they are dropped and counted.
    #[arg(long, value_name = "N", default_value_t = std::num::NonZeroUsize::new(8_192).unwrap_or(std::num::NonZeroUsize::MIN))]
    pub queue_capacity: std::num::NonZeroUsize,
    /// Size of the kernel ring buffer in MiB (a power of two).
    #[arg(long, value_name = "MIB", default_value_t = 8)]
    pub ring_buffer_mib: u32,
    /// Trace only these syscalls (comma-separated; e.g. `openat,connect`) [default: all].
    #[arg(long, value_delimiter = ',', value_name = "SYSCALL")]
    pub syscalls: Vec<String>,
    /// Do not report the processes already running at start.
    #[arg(long)]
    pub no_existing: bool,
    /// Exit with an error when any syscall tracepoint cannot be attached.
    #[arg(long)]
    pub strict: bool,
    /// Hold an event at most this many seconds while its container's metadata (name, image,
    /// pod) is asked of the runtime; past it the event goes on marked `context_incomplete`.
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    pub context_wait: f64,
    /// Do not sample container resources (CPU, memory, connections) for resource signals.
    #[arg(long)]
    pub no_resources: bool,
    #[command(flatten)]
    pub resources: ResourceArgs,
    /// Pod context (labels, service account, node, owning workload) from the node's kubelet
    /// when --kubelet is given, else (or when it cannot be reached) from the Kubernetes API:
    /// `auto` asks the API when running in a cluster or given --kubeconfig, and goes on
    /// without pod context when no source answers; `on` fails instead; `off` never asks.
    #[arg(long, value_enum, default_value_t = KubernetesContext::Auto)]
    pub kubernetes: KubernetesContext,
    /// This node's name, whose pods are listed [default: $NODE_NAME, else the hostname].
    #[arg(long, value_name = "NAME")]
    pub node_name: Option<String>,
    #[command(flatten)]
    pub kubelet: KubeletArgs,
    #[command(flatten)]
    pub response: ResponseArgs,
    #[command(flatten)]
    pub metrics: MetricsArgs,
    /// Write the counters (events seen, lost, dropped, cache hits and misses) as JSON at the end.
    #[arg(long, value_name = "FILE")]
    pub stats: Option<PathBuf>,
}

/// The sensor's Prometheus endpoint (docs/metrics.md), for `#[command(flatten)]` into
/// `SensorArgs`. Served only when `--metrics-tls-cert` is given; TLS and authentication (a bearer
/// token, client certificates, or both) are then mandatory.
#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("metrics_auth").multiple(true)))]
pub struct MetricsArgs {
    /// Serve Prometheus metrics over HTTPS with this certificate chain (PEM, leaf first;
    /// re-read when it changes).
    #[arg(long, value_name = "FILE", requires_all = ["metrics_tls_key", "metrics_auth"])]
    pub metrics_tls_cert: Option<PathBuf>,
    /// The private key of --metrics-tls-cert (PEM).
    #[arg(long, value_name = "FILE", requires = "metrics_tls_cert")]
    pub metrics_tls_key: Option<PathBuf>,
    /// Where the metrics endpoint listens.
    #[arg(long, value_name = "ADDR", default_value = "0.0.0.0:9464")]
    pub metrics_addr: std::net::SocketAddr,
    /// Require `Authorization: Bearer <token>`, the token being this file's content (re-read
    /// when it changes; never logged).
    #[arg(
        long,
        value_name = "FILE",
        group = "metrics_auth",
        requires = "metrics_tls_cert"
    )]
    pub metrics_token_file: Option<PathBuf>,
    /// Require client certificates signed by a CA in this file (PEM) to read metrics.
    #[arg(
        long,
        value_name = "FILE",
        group = "metrics_auth",
        requires = "metrics_tls_cert"
    )]
    pub metrics_client_ca: Option<PathBuf>,
}

#[cfg(feature = "sensor")]
#[derive(Debug, Args)]
pub struct TopArgs {
    /// Stop after this many seconds [default: run until killed].
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<f64>,
    /// Output format: a table per sample, or JSON lines.
    #[arg(short, long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    /// Also write each signal as a runtime event (JSON lines) to this file.
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
    #[command(flatten)]
    pub resources: ResourceArgs,
}

/// How container resources are sampled and judged (`harrier top`, `harrier sensor`).
#[cfg(feature = "sensor")]
#[derive(Debug, Clone, Args)]
pub struct ResourceArgs {
    /// Seconds between resource samples.
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    pub interval: f64,
    /// CPU saturation: percent of the container's CPU limit (of --reference-cores without one).
    #[arg(long, value_name = "PERCENT", default_value_t = 90.0)]
    pub cpu_threshold: f64,
    /// What CPU saturation is relative to for a container without a CPU limit, in cores.
    #[arg(long, value_name = "CORES", default_value_t = 1.0)]
    pub reference_cores: f64,
    /// How long CPU must stay saturated and anomalous before `cpu_saturation` is raised.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    pub sustain: f64,
    /// How many consecutive samples it must stay so.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub sustain_samples: u32,
    /// Samples a workload needs before it is judged (containers already running are learnt).
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub warmup_samples: usize,
    /// Do not read TCP connections.
    #[arg(long)]
    pub no_connections: bool,
    /// Where the cgroup filesystem is mounted.
    #[arg(long, value_name = "DIR", default_value = "/sys/fs/cgroup")]
    pub cgroup_root: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Compliance with a framework, decided from Harrier JSON reports.
    ///
    /// Reads any number of reports (`scan manifests|cluster|image|fs|sbom|node|all --format
    /// json`, `rbac risks --format json`; `-` reads stdin), recognised by their shape, and
    /// decides each control of the framework: `pass` (a mapped check was evaluated and none
    /// failed), `fail` (a mapped check failed; the findings are listed) or `not-covered` (no
    /// mapped check was evaluated, or the control is manual). The score is passed / (passed +
    /// failed). See docs/compliance.md.
    Compliance(ComplianceArgs),
    /// List the frameworks with their control counts and how many Harrier checks evidence.
    Frameworks {
        #[arg(short, long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
}

#[derive(Debug, Args)]
pub struct ComplianceArgs {
    /// The framework: cis, nsa, mitre, ms-threat-matrix, pci-dss, hipaa, soc2, nist-800-53.
    #[arg(long, value_name = "NAME")]
    pub framework: String,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = ComplianceFormat::Table)]
    pub format: ComplianceFormat,
    /// Write the report to this file instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with status 1 when the score (0 to 100) is below this.
    #[arg(long, value_name = "SCORE", value_parser = parse_score)]
    pub fail_under: Option<f64>,
    /// Harrier JSON reports; `-` reads stdin.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ComplianceFormat {
    Table,
    Json,
    Csv,
    Html,
}

fn parse_score(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if (0.0..=100.0).contains(&v) => Ok(v),
        _ => Err(format!("`{text}` is not a score from 0 to 100")),
    }
}
