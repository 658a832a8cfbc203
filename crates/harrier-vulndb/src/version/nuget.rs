//! NuGet versions, parsed as `NuGetVersion.TryParse` and ordered as `VersionComparer.Default`.
//!
//! NuGet reads SemVer 2.0 and the older four-part versions alike: the string is trimmed, split
//! at the first `-` or `+` into the numeric part, release labels and metadata, and the numeric
//! part is read by `System.Version.TryParse` (two to four non-negative 32-bit numbers; a lone
//! number gets `.0`; leading zeros allowed; each number may carry the spaces and the trailing
//! NUL characters .NET's integer parsing ignores). Labels are `[0-9A-Za-z-]+`, numeric ones
//! without leading zeros; metadata parts are `[0-9A-Za-z-]+` and are ignored when ordering.
//!
//! Ordering: major, minor, patch, revision (missing ones are 0), then a version with labels
//! before the same version without, labels one by one: a label that `int.TryParse` reads
//! (`-?[0-9]+` within 32 bits, so `-1` is a number) compares as a number and before any other,
//! others case-insensitively; more labels sort later.

use std::cmp::Ordering;

use super::Invalid;

/// A parsed NuGet version.
#[derive(Debug, Clone)]
pub struct Version {
    numbers: [u32; 4],
    labels: Vec<Label>,
}

/// A release label. Variant order is precedence: numbers before text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Label {
    Number(i32),
    /// Lower-cased: for `[0-9A-Za-z-]` ordinal case-insensitive comparison is byte order
    /// after lower-casing (as after upper-casing: `-` and digits sort before letters either way).
    Text(Box<str>),
}

impl Version {
    /// Parses `text` as `NuGetVersion.TryParse(text, out _)` does.
    pub fn parse(text: &str) -> Result<Version, Invalid> {
        parse(text).map_err(|reason| Invalid::new(text, reason))
    }

    /// Whether the version has release labels.
    pub fn is_prerelease(&self) -> bool {
        !self.labels.is_empty()
    }
}

/// Orders two versions.
pub fn compare(a: &str, b: &str) -> Result<Ordering, Invalid> {
    Ok(Version::parse(a)?.cmp(&Version::parse(b)?))
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        self.numbers.cmp(&other.numbers).then_with(|| {
            match (self.labels.is_empty(), other.labels.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.labels.cmp(&other.labels),
            }
        })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Version) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

fn parse(text: &str) -> Result<Version, String> {
    let sections = Sections::of(text.trim());
    if sections.version.is_empty() {
        return Err("expected a version number".to_owned());
    }
    let numbers = system_version(sections.version)?;
    let labels = match sections.labels {
        None => Vec::new(),
        Some(labels) => labels.split('.').map(label).collect::<Result<_, _>>()?,
    };
    if let Some(metadata) = sections.metadata {
        for part in metadata.split('.') {
            check_part(part, "metadata")?;
        }
    }
    Ok(Version { numbers, labels })
}

/// What `ParseSections` returns: the version text up to the first `-` or `+`, the labels up
/// to the next `+`, the metadata after it. When the string ends at a `-` or `+`, that
/// character stays in the section before it, which then fails to parse (as in NuGet).
struct Sections<'t> {
    version: &'t str,
    labels: Option<&'t str>,
    metadata: Option<&'t str>,
}

impl<'t> Sections<'t> {
    fn of(text: &'t str) -> Sections<'t> {
        let Some(dash) = text.find(['-', '+']) else {
            return Sections {
                version: text,
                labels: None,
                metadata: None,
            };
        };
        if dash + 1 == text.len() {
            return Sections {
                version: text,
                labels: None,
                metadata: None,
            };
        }
        let version = text.get(..dash).unwrap_or("");
        let after = text.get(dash + 1..).unwrap_or("");
        if text.get(dash..=dash) == Some("+") {
            return Sections {
                version,
                labels: None,
                metadata: Some(after),
            };
        }
        match after.find('+') {
            Some(plus) if plus + 1 < after.len() => Sections {
                version,
                labels: after.get(..plus),
                metadata: after.get(plus + 1..),
            },
            _ => Sections {
                version,
                labels: Some(after),
                metadata: None,
            },
        }
    }
}

/// `System.Version.TryParse` on the numeric part (with `.0` appended to a lone number), with
/// missing build and revision as 0.
fn system_version(text: &str) -> Result<[u32; 4], String> {
    let parts: Vec<&str> = text.split('.').collect();
    let parts = match parts.as_slice() {
        [major] => vec![*major, "0"],
        [_, _, _, _, _, ..] => return Err("more than four version numbers".to_owned()),
        _ => parts,
    };
    let mut numbers = [0; 4];
    for (slot, part) in numbers.iter_mut().zip(&parts) {
        *slot = dotnet_int(part).ok_or_else(|| format!("`{part}` is not a version number"))?;
    }
    Ok(numbers)
}

/// `int.TryParse(part, NumberStyles.Integer, InvariantCulture)` for a non-negative result:
/// .NET white space around the digits and trailing NULs are allowed. A sign cannot occur here
/// (the section split removed `-` and `+`, except a final one, which is rejected).
fn dotnet_int(part: &str) -> Option<u32> {
    let is_white = |c: char| matches!(c, '\t'..='\r' | ' ');
    let part = part.trim_end_matches('\0').trim_matches(is_white);
    if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let significant = part.trim_start_matches('0');
    if significant.is_empty() {
        return Some(0);
    }
    significant
        .parse::<u32>()
        .ok()
        .filter(|n| i32::try_from(*n).is_ok())
}

fn label(part: &str) -> Result<Label, String> {
    check_part(part, "release label")?;
    let all_digits = part.bytes().all(|b| b.is_ascii_digit());
    if all_digits && part.len() > 1 && part.starts_with('0') {
        return Err(format!("leading zero in numeric release label `{part}`"));
    }
    // `int.TryParse` with the current culture's sign: the labels' alphabet allows `-12`.
    match part.parse::<i32>() {
        Ok(number) if !part.starts_with('+') => Ok(Label::Number(number)),
        _ => Ok(Label::Text(part.to_ascii_lowercase().into())),
    }
}

fn check_part(part: &str, what: &str) -> Result<(), String> {
    if part.is_empty() {
        return Err(format!("empty {what}"));
    }
    match part
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        Some(c) => Err(format!("`{c}` in {what} `{part}`")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_cmp(a: &str, b: &str, expected: Ordering) {
        assert_eq!(compare(a, b), Ok(expected), "{a:?} vs {b:?}");
        assert_eq!(compare(b, a), Ok(expected.reverse()), "{b:?} vs {a:?}");
    }

    /// NuGet.Client's `VersionComparerTests`, `NuGetVersionTest`, `VersionParsingTests` and
    /// `SemVer201SpecTests` (the cases that apply to `NuGetVersion`).
    #[test]
    fn nuget_client_tests() {
        let equal = [
            ("1.0.0", "1.0.0"),
            ("1.0.0-BETA", "1.0.0-beta"),
            ("1.0.0-BETA+AA", "1.0.0-beta+aa"),
            ("1.0.0-BETA.X.y.5.77.0+AA", "1.0.0-beta.x.y.5.77.0+aa"),
            ("1.0", "1.0.0.0"),
            ("1.23.01", "1.23.1"),
            ("1.45.6", "1.45.6.0"),
            ("1.45.6-Alpha", "1.45.6-Alpha"),
            ("1.6.2-BeTa", "1.6.02-beta"),
            ("22.3.07     ", "22.3.07"),
            ("2", "2.0.0"),
            ("2.0.0.0", "2.0.0"),
            ("1.2.3-a", "1.2.3-A"),
            ("1.2.3-A-b2-C", "1.2.3-a-B2-c"),
            ("  1.022-Beta", "1.22.0.0-Beta"),
            ("1.0+A", "1.0.0"),
            ("1.0.0009.01-1.1+A", "1.0.9.1-1.1"),
        ];
        for (a, b) in equal {
            assert_cmp(a, b, Ordering::Equal);
        }
        let less = [
            ("0.0.0", "1.0.0"),
            ("1.0.0", "1.1.0"),
            ("1.0.0", "1.0.1"),
            ("1.999.9999", "2.1.1"),
            ("1.0.0-BETA", "1.0.0-beta2"),
            ("1.0.0-beta+AA", "1.0.0+aa"),
            ("1.0.0-BETA", "1.0.0-beta.1+AA"),
            ("1.0.0-BETA.X.y.5.77.0+AA", "1.0.0-beta.x.y.5.79.0+aa"),
            ("1.0.0-BETA.X.y.5.79.0+AA", "1.0.0-beta.x.y.5.790.0+abc"),
            ("1.0", "1.0.1"),
            ("1.23", "1.231"),
            ("1.4.5.6", "1.45.6"),
            ("1.4.5.6", "1.4.5.60"),
            ("1.01", "1.10"),
            ("1.01-alpha", "1.10-beta"),
            ("1.01.0-RC-1", "1.10.0-rc-2"),
            ("1.01-RC-1", "1.01"),
            ("1.01", "1.2-preview"),
            ("1.2.3", "1.2.4"),
            ("9.9.9", "10.1.1"),
            ("1.2.3-alpha", "1.2.3"),
            ("1.2.3-2", "1.2.3-3"),
            ("1.2.3-1.9", "1.2.3-1.50"),
            ("1.2.3-2A", "1.2.3-3A"),
            ("1.2.3-1.50A", "1.2.3-1.9A"),
            ("1.2.3-999999", "1.2.3-Z"),
            ("1.2.3-A.999999", "1.2.3-A.56-2"),
            ("1.2.3-a", "1.2.3-a.2"),
            ("1.2.3-a.2.3.4", "1.2.3-a.2.3.4.5"),
        ];
        for (a, b) in less {
            assert_cmp(a, b, Ordering::Less);
        }
        let valid = [
            "3.4.0.3-RC-3",
            "1.3.42.200930-RC-2",
            "01.42.0-alpha+metadata",
            "0.1.2--",
            "0.1.2--B-C-",
            "0.1.2--B2.-.C.-A0-",
            "0.1.2+NoReleaseLabel",
            "0.1.2-02A",
            "0.1.2-2.A.02-",
            "0.1.2+02.02-02",
            "0.1.2+000000",
            "0.1.2----+----",
            "0.1.2+----.-.-.-",
            "1.2.3-X.yZ.3.234.243.3242342+METADATA",
            "1.3.2-CTP-2-Refresh-Alpha",
        ];
        for text in valid {
            assert!(Version::parse(text).is_ok(), "{text:?} is valid");
        }
        let invalid = [
            "",
            "1beta",
            "$version$",
            "1.2Av^c",
            "1.2..",
            "1.2.3.4.5",
            "1.2.3.Beta",
            "1.2.3.4This version is full of awesomeness!!",
            "So.is.this",
            "1.34.2Alpha",
            "1.34.2Release Candidate",
            "1.4.7-",
            "1.4.7-*",
            "1.4.7+*",
            "1.4.7-AA.01^",
            "1.4.7-AA.0A^",
            "1.4.7-A^A",
            "1.4.7+AA.01^",
            "-1.2.3",
            "0.1.2-Alpha..2",
            "0.1.2-Alpha.",
            "0.1.2-.AA",
            "0.1.2-alp=ha",
            "0.1.2-alp┐jj",
            "0.1.2-a.&.444",
            "0.1.2-02",
            "0.1.2-2.02",
            "0.1.2-02.A",
            "0.1.2+ÄÄ",
            "0.1.2+2+A",
            "0.1.2+02A.",
            "0.1.2+02..A",
            "0.1.2+",
            "2147483648.0",
        ];
        for text in invalid {
            assert!(Version::parse(text).is_err(), "{text:?} is invalid");
        }
    }

    #[test]
    fn dotnet_number_parsing_quirks() {
        // System.Version reads each number with int.TryParse, which allows white space
        // around the digits and trailing NULs.
        assert_cmp("1. 2.3", "1.2.3", Ordering::Equal);
        assert_cmp("1.0.0 -beta", "1.0.0-beta", Ordering::Equal);
        assert_cmp("1.0\0", "1.0", Ordering::Equal);
        assert!(Version::parse("1.\u{0}0").is_err());
        assert!(Version::parse("2147483647.2147483647.2147483647.2147483647").is_ok());
        // A label int.TryParse reads as negative is a number.
        assert_cmp("1.0.0--1", "1.0.0-0", Ordering::Less);
        assert_cmp("1.0.0--0", "1.0.0-0", Ordering::Equal);
        assert_cmp("1.0.0-2147483648", "1.0.0-0", Ordering::Greater);
        assert_cmp("1.0.0-2147483648", "1.0.0-a", Ordering::Less);
    }
}
