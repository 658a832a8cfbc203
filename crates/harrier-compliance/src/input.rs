//! Reading Harrier JSON reports into [`Observations`]: which checks were evaluated, and which
//! failed where. Every report kind Harrier writes is recognised by its shape, so one command
//! takes whatever scans were run:
//!
//! - posture scans (`scan manifests|cluster --format json`): the `checks` array says what ran,
//!   `findings` what failed (suppressed findings were accepted by an exception: not failures);
//! - `rbac risks --format json`: every risk primitive is assessed, `findings` failed;
//! - image, filesystem and SBOM scans: the derived image checks ([`crate::checks`]) are decided
//!   from `vulnerabilities` (when matching ran) and `secrets` (when secret detection ran);
//! - node benchmark reports (`kind: node`): `results` with PASS, FAIL, WARN or MANUAL;
//! - `scan all` reports (`kind: all`), which hold any of the above.
//!
//! Reports are read in one pass into typed views that borrow from the text and skip every
//! field the decision does not use, so a 240 MB posture report costs its text and the
//! findings kept, not a JSON tree of it.
//!
//! Node results: PASS evaluates an item clean and FAIL fails it. WARN means the node did not
//! show what the item needs (the file or component is absent, as the control-plane items on a
//! worker), so it is *not* an evaluation: the item stays not run, and the WARN is kept as a
//! note on every control that maps the item, so an auditor sees it. MANUAL is not run either.

use std::collections::HashSet;

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;

use crate::Error;
use crate::checks;

/// What a set of reports shows.
#[derive(Debug, Default, Clone)]
pub struct Observations {
    /// The checks evaluated, by their framework reference text (`HRR-POD-001`, `node:1.2.1`).
    pub evaluated: HashSet<String>,
    /// Failed results.
    pub findings: Vec<Observed>,
    /// Node WARN results: not evaluations, shown beside the controls they concern.
    pub notes: Vec<Observed>,
    /// The reports read, in order.
    pub inputs: Vec<InputInfo>,
    /// What an auditor should know about the inputs (an old report without `checks`).
    pub warnings: Vec<String>,
}

/// One result behind a control's status.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Observed {
    /// The check, as frameworks reference it.
    pub check: String,
    /// What failed: a resource, a subject, an image and package, a node.
    pub subject: String,
    /// Where (`file:line`), when known.
    pub location: Option<String>,
    /// Why: the finding's message or the node's evidence.
    pub detail: String,
    /// The report it came from.
    pub source: String,
}

/// A report that was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputInfo {
    /// The file (`-` for standard input).
    pub file: String,
    /// Its kind: `posture`, `rbac-risks`, `image`, `node`, `all`.
    pub kind: &'static str,
}

/// Every report shape at once: which fields are present says what the report is. Fields not
/// listed are skipped unread.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Doc<'a> {
    #[serde(borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    findings: Option<Vec<AnyFinding<'a>>>,
    workloads: Option<IgnoredAny>,
    hidden: Option<IgnoredAny>,
    #[serde(borrow)]
    checks: Option<Vec<Cow<'a, str>>>,
    errors: Option<Vec<IgnoredAny>>,
    #[serde(borrow)]
    target: Option<Target<'a>>,
    packages: Option<IgnoredAny>,
    #[serde(borrow)]
    vulnerabilities: Option<Vec<Vuln<'a>>>,
    #[serde(borrow)]
    secrets: Option<Vec<Secret<'a>>>,
    #[serde(borrow)]
    results: Option<Vec<NodeItem<'a>>>,
    /// In a node report, the node.
    #[serde(borrow)]
    node: Option<NodeInfo<'a>>,
}

/// The node a node report is about.
#[derive(Deserialize, Default)]
#[serde(default)]
struct NodeInfo<'a> {
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    hostname: Option<Cow<'a, str>>,
}

/// A `scan all` report: the reports of each scanner that ran.
#[derive(Deserialize, Default)]
#[serde(default)]
struct AllDoc<'a> {
    #[serde(borrow)]
    manifests: Option<Doc<'a>>,
    #[serde(borrow)]
    cluster: Option<Doc<'a>>,
    #[serde(borrow)]
    rbac_risks: Option<Doc<'a>>,
    #[serde(borrow)]
    node: Option<Doc<'a>>,
    #[serde(borrow)]
    images: Option<Vec<Doc<'a>>>,
    #[serde(borrow)]
    fs: Option<Vec<Doc<'a>>>,
}

/// Only the `kind`, to choose between [`Doc`] and [`AllDoc`]: their `node` and `cluster`
/// fields mean different things.
#[derive(Deserialize)]
struct Probe<'a> {
    #[serde(borrow, default)]
    kind: Option<Cow<'a, str>>,
}

/// A posture finding or an RBAC risk finding.
#[derive(Deserialize, Default)]
#[serde(default)]
struct AnyFinding<'a> {
    #[serde(borrow)]
    check_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    resource: Named<'a>,
    #[serde(borrow)]
    container: Option<Cow<'a, str>>,
    #[serde(borrow)]
    location: Option<Loc<'a>>,
    #[serde(borrow)]
    message: Option<Cow<'a, str>>,
    #[serde(borrow)]
    title: Option<Cow<'a, str>>,
    #[serde(borrow)]
    subject: Named<'a>,
    #[serde(borrow)]
    bindings: Vec<Binding<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Named<'a> {
    #[serde(borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    namespace: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
}

impl std::fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.kind.as_deref().unwrap_or("object"))?;
        match (self.namespace.as_deref(), self.name.as_deref()) {
            (Some(ns), Some(n)) => write!(f, " {ns}/{n}"),
            (None, Some(n)) => write!(f, " {n}"),
            _ => Ok(()),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Loc<'a> {
    #[serde(borrow)]
    path: Option<Cow<'a, str>>,
    line: Option<u64>,
}

impl Loc<'_> {
    fn text(&self, prefix: &str) -> Option<String> {
        let path = self.path.as_deref().filter(|p| !p.is_empty())?;
        Some(match self.line {
            Some(line) => format!("{prefix}{path}:{line}"),
            None => format!("{prefix}{path}"),
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Binding<'a> {
    #[serde(borrow, flatten)]
    named: Named<'a>,
    #[serde(borrow)]
    role: Option<Named<'a>>,
    #[serde(borrow)]
    location: Option<Loc<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Target<'a> {
    #[serde(borrow)]
    reference: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Vuln<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    severity: Option<Cow<'a, str>>,
    #[serde(borrow)]
    fixed: Vec<Cow<'a, str>>,
    kev: Option<IgnoredAny>,
    #[serde(borrow)]
    package: Package<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Package<'a> {
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    version: Option<Cow<'a, str>>,
    #[serde(borrow)]
    path: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Secret<'a> {
    #[serde(borrow)]
    rule: Option<Cow<'a, str>>,
    #[serde(borrow)]
    title: Option<Cow<'a, str>>,
    #[serde(borrow)]
    path: Option<Cow<'a, str>>,
    line: Option<u64>,
    layer: Option<Layer>,
    deleted_in: Option<IgnoredAny>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Layer {
    index: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NodeItem<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    status: Option<Cow<'a, str>>,
    evidence: Vec<Value>,
}

impl Observations {
    /// Reads one report. `file` names it in errors and in the results.
    pub fn read(&mut self, file: &str, text: &str) -> Result<(), Error> {
        // An array, a string or a number is no report; say so rather than what serde expected.
        if !text.trim_start().starts_with('{') && serde_json::from_str::<IgnoredAny>(text).is_ok() {
            return Err(Error::Input {
                file: file.to_owned(),
                message: "not a Harrier report: expected a JSON object".to_owned(),
            });
        }
        let json_error = |e: serde_json::Error| {
            let message = e.to_string();
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(m, _)| m)
                .to_owned();
            if e.is_data() {
                Error::Malformed {
                    file: file.to_owned(),
                    line: e.line(),
                    column: e.column(),
                    message,
                }
            } else {
                Error::Json {
                    file: file.to_owned(),
                    line: e.line(),
                    column: e.column(),
                    message,
                }
            }
        };
        let probe: Probe<'_> = serde_json::from_str(text).map_err(json_error)?;
        let kind = if probe.kind.as_deref() == Some("all") {
            let all: AllDoc<'_> = serde_json::from_str(text).map_err(json_error)?;
            self.all(file, all)?
        } else {
            let doc: Doc<'_> = serde_json::from_str(text).map_err(json_error)?;
            self.read_doc(file, doc, "")?
        };
        self.inputs.push(InputInfo {
            file: file.to_owned(),
            kind,
        });
        Ok(())
    }

    fn read_doc(&mut self, file: &str, doc: Doc<'_>, at: &str) -> Result<&'static str, Error> {
        let bad = |message: String| Error::Input {
            file: file.to_owned(),
            message: if at.is_empty() {
                message
            } else {
                format!("at `{at}`: {message}")
            },
        };
        match doc.kind.as_deref() {
            Some("node") => return self.node(file, doc).map(|()| "node").map_err(bad),
            Some("all") => return Err(bad("a `scan all` report inside another".to_owned())),
            _ => {}
        }
        if doc.findings.is_some() && doc.workloads.is_some() {
            self.posture(file, doc).map_err(bad)?;
            Ok("posture")
        } else if doc.findings.is_some() && doc.hidden.is_some() {
            self.rbac_risks(file, doc).map_err(bad)?;
            Ok("rbac-risks")
        } else if doc.target.is_some() && doc.packages.is_some() {
            self.image(file, doc);
            Ok("image")
        } else {
            Err(bad("not a Harrier report this command reads: expected the JSON of `scan manifests|cluster|image|fs|sbom|node|all` or `rbac risks`".to_owned()))
        }
    }

    fn all(&mut self, file: &str, all: AllDoc<'_>) -> Result<&'static str, Error> {
        for (key, member) in [
            ("manifests", all.manifests),
            ("cluster", all.cluster),
            ("rbac_risks", all.rbac_risks),
            ("node", all.node),
        ] {
            if let Some(member) = member {
                self.read_doc(file, member, key)?;
            }
        }
        for (key, members) in [("images", all.images), ("fs", all.fs)] {
            for (i, member) in members.into_iter().flatten().enumerate() {
                self.read_doc(file, member, &format!("{key}[{i}]"))?;
            }
        }
        Ok("all")
    }

    fn posture(&mut self, file: &str, doc: Doc<'_>) -> Result<(), String> {
        let n = doc.errors.as_ref().map_or(0, Vec::len);
        if n > 0 {
            self.warnings.push(format!(
                "{file}: the scan could not read {n} input(s); their objects were not evaluated"
            ));
        }
        match doc.checks {
            Some(ids) => self
                .evaluated
                .extend(ids.into_iter().map(Cow::into_owned)),
            None => self.warnings.push(format!(
                "{file}: the report has no `checks` list (written by an older harrier); only checks with findings count as evaluated"
            )),
        }
        for (i, f) in doc.findings.into_iter().flatten().enumerate() {
            let check = f
                .check_id
                .ok_or(format!("findings[{i}] has no `check_id`"))?
                .into_owned();
            let mut subject = f.resource.to_string();
            if let Some(c) = &f.container {
                subject.push_str(" container ");
                subject.push_str(c);
            }
            if !self.evaluated.contains(&check) {
                self.evaluated.insert(check.clone());
            }
            self.findings.push(Observed {
                check,
                subject,
                location: f.location.as_ref().and_then(|l| l.text("")),
                detail: f.message.map(Cow::into_owned).unwrap_or_default(),
                source: file.to_owned(),
            });
        }
        Ok(())
    }

    fn rbac_risks(&mut self, file: &str, doc: Doc<'_>) -> Result<(), String> {
        for p in harrier_posture::rbac::risks::PRIMITIVES {
            self.evaluated.insert(p.id.to_owned());
        }
        for (i, f) in doc.findings.into_iter().flatten().enumerate() {
            let id = f.id.ok_or(format!("findings[{i}] has no `id`"))?;
            let via: Vec<String> = f
                .bindings
                .iter()
                .map(|b| match &b.role {
                    Some(role) => format!("{} → {role}", b.named),
                    None => b.named.to_string(),
                })
                .collect();
            let location = f
                .bindings
                .iter()
                .find_map(|b| b.location.as_ref().and_then(|l| l.text("")));
            let title = f.title.as_deref().unwrap_or_default();
            let detail = if via.is_empty() {
                title.to_owned()
            } else {
                format!("{title} (via {})", via.join("; "))
            };
            self.findings.push(Observed {
                check: id.into_owned(),
                subject: f.subject.to_string(),
                location,
                detail,
                source: file.to_owned(),
            });
        }
        Ok(())
    }

    fn image(&mut self, file: &str, doc: Doc<'_>) {
        let subject = doc
            .target
            .and_then(|t| t.reference)
            .map_or_else(|| "(image)".to_owned(), Cow::into_owned);
        if let Some(vulns) = doc.vulnerabilities {
            for meta in [
                &checks::KNOWN_EXPLOITED,
                &checks::FIXABLE_CRITICAL,
                &checks::FIXABLE_HIGH,
            ] {
                self.evaluated.insert(meta.id.as_str().to_owned());
            }
            for v in vulns {
                let id = v.id.as_deref().unwrap_or("(no id)");
                let package = format!(
                    "{} {}",
                    v.package.name.as_deref().unwrap_or("?"),
                    v.package.version.as_deref().unwrap_or("?")
                );
                let severity = v.severity.as_deref().unwrap_or("");
                let location = v
                    .package
                    .path
                    .as_deref()
                    .filter(|p| !p.is_empty())
                    .map(|p| format!("/{p}"));
                let mut push = |check: &str, detail: String| {
                    self.findings.push(Observed {
                        check: check.to_owned(),
                        subject: format!("{subject} package {package}"),
                        location: location.clone(),
                        detail,
                        source: file.to_owned(),
                    });
                };
                if v.kev.is_some() {
                    push(
                        checks::KNOWN_EXPLOITED.id.as_str(),
                        format!("{id} is in CISA's Known Exploited Vulnerabilities catalog"),
                    );
                }
                if !v.fixed.is_empty() {
                    let check = match severity {
                        "critical" => Some(&checks::FIXABLE_CRITICAL),
                        "high" => Some(&checks::FIXABLE_HIGH),
                        _ => None,
                    };
                    if let Some(meta) = check {
                        push(
                            meta.id.as_str(),
                            format!("{id} ({severity}) is fixed in {}", v.fixed.join(", ")),
                        );
                    }
                }
            }
        }
        if let Some(secrets) = doc.secrets {
            self.evaluated
                .insert(checks::SECRET_IN_LAYER.id.as_str().to_owned());
            for s in secrets {
                let layer = s
                    .layer
                    .and_then(|l| l.index)
                    .map(|l| format!(" in layer {l}"))
                    .unwrap_or_default();
                let deleted = if s.deleted_in.is_some() {
                    ", deleted later but still in the image"
                } else {
                    ""
                };
                let location = Loc {
                    path: s.path,
                    line: s.line,
                }
                .text("/");
                self.findings.push(Observed {
                    check: checks::SECRET_IN_LAYER.id.as_str().to_owned(),
                    subject: subject.clone(),
                    location,
                    detail: format!(
                        "{}{layer}{deleted}",
                        s.title.or(s.rule).as_deref().unwrap_or("secret")
                    ),
                    source: file.to_owned(),
                });
            }
        }
    }

    fn node(&mut self, file: &str, doc: Doc<'_>) -> Result<(), String> {
        let results = doc.results.ok_or("`results` is not an array")?;
        let name = doc
            .node
            .and_then(|n| n.name.or(n.hostname))
            .map_or_else(|| "node".to_owned(), |n| format!("node {n}"));
        for (i, r) in results.into_iter().enumerate() {
            let id = r.id.ok_or(format!("results[{i}] has no `id`"))?;
            let status = r.status.ok_or(format!("results[{i}] has no `status`"))?;
            let key = format!("node:{id}");
            let evidence: Vec<String> = r
                .evidence
                .iter()
                .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
                .collect();
            let observed = || Observed {
                check: key.clone(),
                subject: name.clone(),
                location: None,
                detail: format!("{status}: {}", evidence.join("; ")),
                source: file.to_owned(),
            };
            match &*status {
                "PASS" => {
                    self.evaluated.insert(key.clone());
                }
                "FAIL" => {
                    self.evaluated.insert(key.clone());
                    self.findings.push(observed());
                }
                "WARN" => self.notes.push(observed()),
                "MANUAL" => {}
                other => return Err(format!("results[{i}] has an unknown status `{other}`")),
            }
        }
        Ok(())
    }
}
