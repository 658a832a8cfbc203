//! CISA's Known Exploited Vulnerabilities catalog, as JSON (`known_exploited_vulnerabilities.json`)
//! or as the CSV CISA publishes beside it.
//!
//! KEV is enrichment, not advisories: it names CVEs known to be exploited, when CISA added each
//! one, the remediation due date for US federal agencies and whether ransomware campaigns are
//! known to use it. Matching looks a finding's CVE ids up in it.

use serde::Deserialize;

use super::text::{ParseError, saturate};

/// One catalog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KevCatalog {
    /// `catalogVersion` (`2025.08.25`), when the file has one (the CSV has not).
    pub catalog_version: Option<String>,
    /// `dateReleased`, when the file has one.
    pub date_released: Option<String>,
    /// The catalog's entries.
    pub entries: Vec<KevEntry>,
    /// Entries that were skipped.
    pub problems: Vec<ParseError>,
}

/// One known exploited vulnerability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KevEntry {
    /// The CVE id.
    pub cve: String,
    /// When CISA added it (`YYYY-MM-DD`).
    pub date_added: String,
    /// The remediation due date (`YYYY-MM-DD`), when given.
    pub due_date: Option<String>,
    /// Whether ransomware campaigns are known to use it.
    pub ransomware: RansomwareUse,
}

/// KEV's `knownRansomwareCampaignUse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RansomwareUse {
    /// `Known`.
    Known,
    /// `Unknown` (CISA's only other value).
    Unknown,
}

impl RansomwareUse {
    fn parse(value: &str) -> RansomwareUse {
        if value.trim().eq_ignore_ascii_case("known") {
            RansomwareUse::Known
        } else {
            RansomwareUse::Unknown
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCatalog {
    catalog_version: Option<String>,
    date_released: Option<String>,
    vulnerabilities: Vec<RawEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEntry {
    #[serde(rename = "cveID")]
    cve_id: String,
    date_added: String,
    due_date: Option<String>,
    known_ransomware_campaign_use: Option<String>,
}

/// Reads the JSON catalog.
pub fn parse_json(bytes: &[u8]) -> Result<KevCatalog, ParseError> {
    let raw: RawCatalog = serde_json::from_slice(bytes).map_err(|e| ParseError::from_json(&e))?;
    let mut catalog = KevCatalog {
        catalog_version: raw.catalog_version,
        date_released: raw.date_released,
        ..KevCatalog::default()
    };
    for (index, entry) in raw.vulnerabilities.into_iter().enumerate() {
        match convert(entry) {
            Ok(entry) => catalog.entries.push(entry),
            Err(message) => catalog.problems.push(ParseError::whole_file(format!(
                "vulnerabilities[{index}]: {message}"
            ))),
        }
    }
    Ok(catalog)
}

fn convert(raw: RawEntry) -> Result<KevEntry, String> {
    let cve = raw.cve_id.trim();
    if !cve.starts_with("CVE-") {
        return Err(format!("`{cve}` is not a CVE id"));
    }
    Ok(KevEntry {
        cve: cve.to_owned(),
        date_added: raw.date_added,
        due_date: raw.due_date.filter(|d| !d.trim().is_empty()),
        ransomware: RansomwareUse::parse(
            raw.known_ransomware_campaign_use
                .as_deref()
                .unwrap_or_default(),
        ),
    })
}

/// Reads the CSV catalog (`cveID,vendorProject,…,dateAdded,…,dueDate,knownRansomwareCampaignUse,…`).
pub fn parse_csv(text: &str) -> Result<KevCatalog, ParseError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| csv_error(&e))?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| ParseError::at_line(1, format!("no `{name}` column")))
    };
    let (cve, added, due, ransomware) = (
        column("cveID")?,
        column("dateAdded")?,
        column("dueDate")?,
        column("knownRansomwareCampaignUse")?,
    );
    let mut catalog = KevCatalog::default();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                catalog.problems.push(csv_error(&e));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| {
            saturate(usize::try_from(p.line()).unwrap_or(usize::MAX))
        });
        let field = |i: usize| record.get(i).unwrap_or_default().to_owned();
        let raw = RawEntry {
            cve_id: field(cve),
            date_added: field(added),
            due_date: Some(field(due)),
            known_ransomware_campaign_use: Some(field(ransomware)),
        };
        match convert(raw) {
            Ok(entry) => catalog.entries.push(entry),
            Err(message) => catalog.problems.push(ParseError::at_line(line, message)),
        }
    }
    Ok(catalog)
}

/// A CSV error at its line.
pub(super) fn csv_error(error: &csv::Error) -> ParseError {
    let line = error
        .position()
        .map(|p| saturate(usize::try_from(p.line()).unwrap_or(usize::MAX)));
    let message = match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("a row has {len} fields where the header has {expected_len}")
        }
        _ => error.to_string(),
    };
    match line {
        Some(line) => ParseError::at_line(line, message),
        None => ParseError::whole_file(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_json_and_csv() {
        let json = br#"{"title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2025.08.25",
          "dateReleased": "2025-08-25T17:04:19.9796Z", "count": 2, "vulnerabilities": [
          {"cveID": "CVE-2025-48384", "vendorProject": "Git", "product": "Git", "dateAdded": "2025-08-25",
           "dueDate": "2025-09-15", "knownRansomwareCampaignUse": "Unknown", "cwes": ["CWE-59"]},
          {"cveID": "CVE-2021-44228", "dateAdded": "2021-12-10", "dueDate": "2021-12-24",
           "knownRansomwareCampaignUse": "Known"},
          {"cveID": "not-a-cve", "dateAdded": "2021-12-10"}]}"#;
        let catalog = parse_json(json).unwrap();
        assert_eq!(catalog.catalog_version.as_deref(), Some("2025.08.25"));
        assert_eq!(catalog.entries.len(), 2);
        assert_eq!(catalog.entries[1].ransomware, RansomwareUse::Known);
        assert_eq!(catalog.problems.len(), 1);

        let csv = "cveID,vendorProject,product,vulnerabilityName,dateAdded,shortDescription,requiredAction,dueDate,knownRansomwareCampaignUse,notes,cwes\n\
                   CVE-2025-48384,Git,Git,\"Git Link, Following\",2025-08-25,d,a,2025-09-15,Unknown,n,\"CWE-59, CWE-436\"\n";
        let catalog = parse_csv(csv).unwrap();
        assert_eq!(catalog.entries[0].due_date.as_deref(), Some("2025-09-15"));
        assert!(parse_csv("cve,epss\n").is_err());
    }
}
