//! FIRST's EPSS scores: the daily CSV (`epss_scores-YYYY-MM-DD.csv`, usually gzipped).
//!
//! ```text
//! #model_version:v2023.03.01,score_date:2023-03-08T00:00:00+0000
//! cve,epss,percentile
//! CVE-1999-0001,0.01141,0.83502
//! ```
//!
//! A comment line names the model and the day scored, then one row per CVE: the probability of
//! exploitation in the next 30 days and its percentile among all scored CVEs. Files from before
//! the comment line existed start with the header directly. Like KEV this is enrichment, looked
//! up by CVE id.

use super::kev::csv_error;
use super::text::{ParseError, saturate};

/// One day's scores.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EpssFile {
    /// `model_version` from the comment line (`v2023.03.01`).
    pub model_version: Option<String>,
    /// `score_date` from the comment line.
    pub score_date: Option<String>,
    /// The scores.
    pub scores: Vec<EpssScore>,
    /// Rows that were skipped.
    pub problems: Vec<ParseError>,
}

/// The score of one CVE.
#[derive(Debug, Clone, PartialEq)]
pub struct EpssScore {
    /// The CVE id.
    pub cve: String,
    /// Probability of exploitation activity in the next 30 days, 0 to 1.
    pub epss: f64,
    /// Share of scored CVEs with a lower or equal score, 0 to 1 (absent in the oldest files).
    pub percentile: Option<f64>,
}

/// Reads an EPSS CSV file.
pub fn parse(text: &str) -> Result<EpssFile, ParseError> {
    let mut file = EpssFile::default();
    let mut body = text;
    let mut lines_before = 0;
    if let Some(comment) = text.strip_prefix('#') {
        let (line, rest) = comment.split_once('\n').unwrap_or((comment, ""));
        for pair in line.trim_end().split(',') {
            match pair.split_once(':') {
                Some(("model_version", v)) => file.model_version = Some(v.trim().to_owned()),
                Some(("score_date", v)) => file.score_date = Some(v.trim().to_owned()),
                _ => {}
            }
        }
        body = rest;
        lines_before = 1;
    }
    let mut reader = csv::ReaderBuilder::new().from_reader(body.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| csv_error(&e).shifted(lines_before))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let header_line = lines_before + 1;
    let cve = column("cve").ok_or_else(|| ParseError::at_line(header_line, "no `cve` column"))?;
    let epss =
        column("epss").ok_or_else(|| ParseError::at_line(header_line, "no `epss` column"))?;
    let percentile = column("percentile");
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                file.problems.push(csv_error(&e).shifted(lines_before));
                continue;
            }
        };
        let line = record
            .position()
            .map_or(0, |p| {
                saturate(usize::try_from(p.line()).unwrap_or(usize::MAX))
            })
            .saturating_add(lines_before);
        let field = |i: usize| record.get(i).unwrap_or_default().trim();
        let score = EpssScore {
            cve: field(cve).to_owned(),
            epss: match probability(field(epss)) {
                Ok(p) => p,
                Err(message) => {
                    file.problems
                        .push(ParseError::at_line(line, format!("epss: {message}")));
                    continue;
                }
            },
            percentile: match percentile.map(|i| probability(field(i))).transpose() {
                Ok(p) => p,
                Err(message) => {
                    file.problems
                        .push(ParseError::at_line(line, format!("percentile: {message}")));
                    continue;
                }
            },
        };
        if !score.cve.starts_with("CVE-") {
            file.problems.push(ParseError::at_line(
                line,
                format!("`{}` is not a CVE id", score.cve),
            ));
            continue;
        }
        file.scores.push(score);
    }
    Ok(file)
}

/// A number from 0 to 1.
fn probability(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        Ok(_) => Err(format!("`{text}` is outside 0 to 1")),
        Err(_) => Err(format!("`{text}` is not a number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_comment_header_and_rows() {
        let text = "#model_version:v2023.03.01,score_date:2023-03-08T00:00:00+0000\n\
                    cve,epss,percentile\n\
                    CVE-1999-0001,0.01141,0.83502\n\
                    CVE-1999-0002,1.5,0.9\n\
                    CVE-1999-0003,NaN,0.9\n\
                    CVE-1999-0004,0.2,0.95\n";
        let file = parse(text).unwrap();
        assert_eq!(file.model_version.as_deref(), Some("v2023.03.01"));
        assert_eq!(file.score_date.as_deref(), Some("2023-03-08T00:00:00+0000"));
        assert_eq!(file.scores.len(), 2);
        assert_eq!(file.scores[0].percentile, Some(0.83502));
        let lines: Vec<_> = file
            .problems
            .iter()
            .filter_map(|p| p.pos.map(|p| p.line))
            .collect();
        assert_eq!(lines, [4, 5]);
    }

    #[test]
    fn old_files_have_no_comment_or_percentile() {
        let file = parse("cve,epss\nCVE-2021-44228,0.97565\n").unwrap();
        assert_eq!(file.model_version, None);
        assert_eq!(file.scores[0].percentile, None);
        assert!(parse("a,b\n1,2\n").is_err());
    }
}
