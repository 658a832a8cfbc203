//! One severity per vulnerability, from the scores its advisories publish.
//!
//! CVSS vectors are scored with the `cvss` crate (v2, v3.x and v4.0 base scores). A newer CVSS
//! version is preferred over an older one because it is what the publisher computed last;
//! without any vector, the source's own rating is used (GitHub's LOW/MODERATE/HIGH/CRITICAL,
//! a distro's priority).

use std::str::FromStr;

use harrier_core::Severity;

use crate::model::{ScoreKind, SeverityScore};

/// A severity and, when it comes from CVSS, the score and vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Rated {
    /// The severity.
    pub severity: Severity,
    /// The CVSS base score, when a vector was scored.
    pub score: Option<f64>,
    /// The vector scored.
    pub vector: Option<String>,
}

/// The severity of an advisory's scores, if any can be read.
pub fn rate(scores: &[SeverityScore]) -> Option<Rated> {
    for kind in [ScoreKind::CvssV4, ScoreKind::CvssV3, ScoreKind::CvssV2] {
        let rated = scores
            .iter()
            .filter(|s| s.kind == kind)
            .filter_map(|s| score_vector(&s.value).map(|(score, severity)| (score, severity, s)))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((score, severity, s)) = rated {
            return Some(Rated {
                severity,
                score: Some(score),
                vector: Some(s.value.clone()),
            });
        }
    }
    scores
        .iter()
        .filter(|s| s.kind == ScoreKind::Rating)
        .filter_map(|s| rating(&s.value))
        .max()
        .map(|severity| Rated {
            severity,
            score: None,
            vector: None,
        })
}

/// Scores a CVSS vector. A CVSS v2 vector carries no `CVSS:2.0/` prefix; it is added.
fn score_vector(vector: &str) -> Option<(f64, Severity)> {
    let parsed = cvss::Cvss::from_str(vector)
        .ok()
        .or_else(|| cvss::Cvss::from_str(&format!("CVSS:2.0/{vector}")).ok())?;
    let score = parsed.score();
    Some((score, from_score(score)))
}

/// The qualitative rating of a CVSS base score (the v3/v4 scale, applied to v2 too).
pub fn from_score(score: f64) -> Severity {
    if score >= 9.0 {
        Severity::Critical
    } else if score >= 7.0 {
        Severity::High
    } else if score >= 4.0 {
        Severity::Medium
    } else if score > 0.0 {
        Severity::Low
    } else {
        Severity::Info
    }
}

/// A source's own rating: GitHub's `MODERATE`, distro priorities (`important`, `negligible`),
/// Debian urgencies (`unimportant`).
pub fn rating(text: &str) -> Option<Severity> {
    let lower = text.trim().to_ascii_lowercase();
    let word = lower.split(['*', ' ', '(']).next().unwrap_or_default();
    Some(match word {
        "critical" => Severity::Critical,
        "high" | "important" => Severity::High,
        "medium" | "moderate" => Severity::Medium,
        "low" => Severity::Low,
        "negligible" | "unimportant" | "not yet assigned" | "untriaged" => Severity::Info,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(kind: ScoreKind, value: &str) -> SeverityScore {
        SeverityScore {
            kind,
            value: value.to_owned(),
        }
    }

    #[test]
    fn scores_cvss_vectors() {
        let r = rate(&[s(
            ScoreKind::CvssV3,
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        )])
        .unwrap();
        assert_eq!(r.severity, Severity::Critical);
        assert_eq!(r.score, Some(9.8));
        let r = rate(&[s(ScoreKind::CvssV2, "AV:N/AC:L/Au:N/C:P/I:P/A:P")]).unwrap();
        assert_eq!(r.score, Some(7.5));
        let r = rate(&[
            s(
                ScoreKind::CvssV4,
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            ),
            s(
                ScoreKind::CvssV3,
                "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N",
            ),
        ])
        .unwrap();
        assert_eq!(r.severity, Severity::Critical, "v4 wins over v3");
    }

    #[test]
    fn falls_back_to_ratings() {
        assert_eq!(
            rate(&[s(ScoreKind::Rating, "MODERATE")]).map(|r| r.severity),
            Some(Severity::Medium)
        );
        assert_eq!(
            rate(&[s(ScoreKind::Rating, "unimportant")]).map(|r| r.severity),
            Some(Severity::Info)
        );
        assert_eq!(rate(&[s(ScoreKind::Rating, "whatever")]), None);
        assert_eq!(rate(&[]), None);
    }
}
