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
//! Node results: PASS evaluates an item clean and FAIL fails it. WARN means the node did not
//! show what the item needs (the file or component is absent, as the control-plane items on a
//! worker), so it is *not* an evaluation: the item stays not run, and the WARN is kept as a
//! note on every control that maps the item, so an auditor sees it. MANUAL is not run either.

use std::collections::HashSet;

use serde_json::{Map, Value};

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

impl Observations {
    /// Reads one report. `file` names it in errors and in the results.
    pub fn read(&mut self, file: &str, text: &str) -> Result<(), Error> {
        let value: Value = serde_json::from_str(text).map_err(|e| Error::Json {
            file: file.to_owned(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        let kind = self.read_value(file, &value, "")?;
        self.inputs.push(InputInfo {
            file: file.to_owned(),
            kind,
        });
        Ok(())
    }

    fn read_value(&mut self, file: &str, v: &Value, at: &str) -> Result<&'static str, Error> {
        let bad = |message: String| Error::Input {
            file: file.to_owned(),
            message: if at.is_empty() {
                message
            } else {
                format!("at `{at}`: {message}")
            },
        };
        let Some(obj) = v.as_object() else {
            return Err(bad(
                "not a Harrier report: expected a JSON object".to_owned()
            ));
        };
        match obj.get("kind").and_then(Value::as_str) {
            Some("node") => return self.node(file, obj).map(|()| "node").map_err(bad),
            Some("all") => return self.all(file, obj, at),
            _ => {}
        }
        if obj.contains_key("findings") && obj.contains_key("workloads") {
            self.posture(file, obj).map_err(bad)?;
            Ok("posture")
        } else if obj.contains_key("findings") && obj.contains_key("hidden") {
            self.rbac_risks(file, obj).map_err(bad)?;
            Ok("rbac-risks")
        } else if obj.contains_key("target") && obj.contains_key("packages") {
            self.image(file, obj).map_err(bad)?;
            Ok("image")
        } else {
            Err(bad("not a Harrier report this command reads: expected the JSON of `scan manifests|cluster|image|fs|sbom|node|all` or `rbac risks`".to_owned()))
        }
    }

    fn all(
        &mut self,
        file: &str,
        obj: &Map<String, Value>,
        at: &str,
    ) -> Result<&'static str, Error> {
        let sub = |key: &str| {
            if at.is_empty() {
                key.to_owned()
            } else {
                format!("{at}.{key}")
            }
        };
        for key in ["manifests", "cluster", "rbac_risks", "node"] {
            match obj.get(key) {
                None | Some(Value::Null) => {}
                Some(v) => {
                    self.read_value(file, v, &sub(key))?;
                }
            }
        }
        for key in ["images", "fs"] {
            match obj.get(key) {
                None | Some(Value::Null) => {}
                Some(Value::Array(items)) => {
                    for (i, v) in items.iter().enumerate() {
                        self.read_value(file, v, &format!("{}[{i}]", sub(key)))?;
                    }
                }
                Some(_) => {
                    return Err(Error::Input {
                        file: file.to_owned(),
                        message: format!("at `{}`: expected an array", sub(key)),
                    });
                }
            }
        }
        Ok("all")
    }

    fn posture(&mut self, file: &str, obj: &Map<String, Value>) -> Result<(), String> {
        let findings = array(obj, "findings")?;
        if let Some(n) = obj.get("errors").and_then(Value::as_array).map(Vec::len)
            && n > 0
        {
            self.warnings.push(format!(
                "{file}: the scan could not read {n} input(s); their objects were not evaluated"
            ));
        }
        match obj.get("checks") {
            Some(Value::Array(ids)) => {
                for id in ids {
                    let id = id.as_str().ok_or("`checks` holds a value that is not a string")?;
                    self.evaluated.insert(id.to_owned());
                }
            }
            _ => self.warnings.push(format!(
                "{file}: the report has no `checks` list (written by an older harrier); only checks with findings count as evaluated"
            )),
        }
        for (i, f) in findings.iter().enumerate() {
            let check = str_at(f, "check_id").ok_or(format!("findings[{i}] has no `check_id`"))?;
            let r = &f["resource"];
            let name = match (r["namespace"].as_str(), r["name"].as_str()) {
                (Some(ns), Some(n)) => format!("{ns}/{n}"),
                (None, Some(n)) => n.to_owned(),
                _ => "(unnamed)".to_owned(),
            };
            let mut subject = format!("{} {name}", r["kind"].as_str().unwrap_or("object"));
            if let Some(c) = f["container"].as_str() {
                subject.push_str(&format!(" container {c}"));
            }
            let location =
                f["location"]["path"]
                    .as_str()
                    .map(|p| match f["location"]["line"].as_u64() {
                        Some(line) => format!("{p}:{line}"),
                        None => p.to_owned(),
                    });
            self.evaluated.insert(check.to_owned());
            self.findings.push(Observed {
                check: check.to_owned(),
                subject,
                location,
                detail: str_at(f, "message").unwrap_or_default().to_owned(),
                source: file.to_owned(),
            });
        }
        Ok(())
    }

    fn rbac_risks(&mut self, file: &str, obj: &Map<String, Value>) -> Result<(), String> {
        let findings = array(obj, "findings")?;
        for p in harrier_posture::rbac::risks::PRIMITIVES {
            self.evaluated.insert(p.id.to_owned());
        }
        for (i, f) in findings.iter().enumerate() {
            let id = str_at(f, "id").ok_or(format!("findings[{i}] has no `id`"))?;
            let s = &f["subject"];
            let subject = match s["namespace"].as_str() {
                Some(ns) => format!(
                    "{} {ns}/{}",
                    s["kind"].as_str().unwrap_or("subject"),
                    s["name"].as_str().unwrap_or("")
                ),
                None => format!(
                    "{} {}",
                    s["kind"].as_str().unwrap_or("subject"),
                    s["name"].as_str().unwrap_or("")
                ),
            };
            let bindings = f["bindings"].as_array().map_or(&[][..], Vec::as_slice);
            let via: Vec<String> = bindings
                .iter()
                .map(|g| {
                    let named = |o: &Value| match (o["namespace"].as_str(), o["name"].as_str()) {
                        (Some(ns), Some(n)) => {
                            format!("{} {ns}/{n}", o["kind"].as_str().unwrap_or(""))
                        }
                        (None, Some(n)) => format!("{} {n}", o["kind"].as_str().unwrap_or("")),
                        _ => o["kind"].as_str().unwrap_or("").to_owned(),
                    };
                    if g["role"].is_object() {
                        format!("{} → {}", named(g), named(&g["role"]))
                    } else {
                        named(g)
                    }
                })
                .collect();
            let location = bindings.iter().find_map(|g| {
                let path = g["location"]["path"].as_str()?;
                Some(match g["location"]["line"].as_u64() {
                    Some(line) => format!("{path}:{line}"),
                    None => path.to_owned(),
                })
            });
            let title = str_at(f, "title").unwrap_or_default();
            let detail = if via.is_empty() {
                title.to_owned()
            } else {
                format!("{title} (via {})", via.join("; "))
            };
            self.findings.push(Observed {
                check: id.to_owned(),
                subject,
                location,
                detail,
                source: file.to_owned(),
            });
        }
        Ok(())
    }

    fn image(&mut self, file: &str, obj: &Map<String, Value>) -> Result<(), String> {
        let target = obj.get("target").unwrap_or(&Value::Null);
        let subject = target["reference"].as_str().unwrap_or("(image)").to_owned();
        match obj.get("vulnerabilities") {
            None | Some(Value::Null) => {}
            Some(Value::Array(vulns)) => {
                for meta in [
                    &checks::KNOWN_EXPLOITED,
                    &checks::FIXABLE_CRITICAL,
                    &checks::FIXABLE_HIGH,
                ] {
                    self.evaluated.insert(meta.id.as_str().to_owned());
                }
                for (i, v) in vulns.iter().enumerate() {
                    let id = str_at(v, "id").ok_or(format!("vulnerabilities[{i}] has no `id`"))?;
                    let package = format!(
                        "{} {}",
                        v["package"]["name"].as_str().unwrap_or("?"),
                        v["package"]["version"].as_str().unwrap_or("?")
                    );
                    let fixed: Vec<&str> = v["fixed"]
                        .as_array()
                        .map(|f| f.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    let severity = v["severity"].as_str().unwrap_or("");
                    let location = v["package"]["path"]
                        .as_str()
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
                    if !v["kev"].is_null() {
                        push(
                            checks::KNOWN_EXPLOITED.id.as_str(),
                            format!("{id} is in CISA's Known Exploited Vulnerabilities catalog"),
                        );
                    }
                    if !fixed.is_empty() {
                        let check = match severity {
                            "critical" => Some(&checks::FIXABLE_CRITICAL),
                            "high" => Some(&checks::FIXABLE_HIGH),
                            _ => None,
                        };
                        if let Some(meta) = check {
                            push(
                                meta.id.as_str(),
                                format!("{id} ({severity}) is fixed in {}", fixed.join(", ")),
                            );
                        }
                    }
                }
            }
            Some(_) => return Err("`vulnerabilities` is neither null nor an array".to_owned()),
        }
        match obj.get("secrets") {
            None | Some(Value::Null) => {}
            Some(Value::Array(secrets)) => {
                self.evaluated
                    .insert(checks::SECRET_IN_LAYER.id.as_str().to_owned());
                for s in secrets {
                    let layer = s["layer"]["index"]
                        .as_u64()
                        .map(|l| format!(" in layer {l}"))
                        .unwrap_or_default();
                    let deleted = if s["deleted_in"].is_null() {
                        ""
                    } else {
                        ", deleted later but still in the image"
                    };
                    self.findings.push(Observed {
                        check: checks::SECRET_IN_LAYER.id.as_str().to_owned(),
                        subject: subject.clone(),
                        location: s["path"].as_str().map(|p| match s["line"].as_u64() {
                            Some(line) => format!("/{p}:{line}"),
                            None => format!("/{p}"),
                        }),
                        detail: format!(
                            "{}{layer}{deleted}",
                            s["title"]
                                .as_str()
                                .or(s["rule"].as_str())
                                .unwrap_or("secret")
                        ),
                        source: file.to_owned(),
                    });
                }
            }
            Some(_) => return Err("`secrets` is neither null nor an array".to_owned()),
        }
        Ok(())
    }

    fn node(&mut self, file: &str, obj: &Map<String, Value>) -> Result<(), String> {
        let results = array(obj, "results")?;
        let node = obj.get("node").unwrap_or(&Value::Null);
        let name = node["name"]
            .as_str()
            .or(node["hostname"].as_str())
            .map_or_else(|| "node".to_owned(), |n| format!("node {n}"));
        for (i, r) in results.iter().enumerate() {
            let id = str_at(r, "id").ok_or(format!("results[{i}] has no `id`"))?;
            let status = str_at(r, "status").ok_or(format!("results[{i}] has no `status`"))?;
            let key = format!("node:{id}");
            let evidence: Vec<String> = r["evidence"]
                .as_array()
                .map(|e| {
                    e.iter()
                        .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            let observed = || Observed {
                check: key.clone(),
                subject: name.clone(),
                location: None,
                detail: format!("{status}: {}", evidence.join("; ")),
                source: file.to_owned(),
            };
            match status {
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

fn array<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<&'a Vec<Value>, String> {
    obj.get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| format!("`{key}` is not an array"))
}

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}
