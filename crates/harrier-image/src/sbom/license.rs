//! Declared licenses as SBOM formats want them: an SPDX license id, a valid SPDX expression, or
//! free text, never an invalid expression.
//!
//! Packages declare licenses in every shape (`MIT`, `mit`, `Apache-2.0 OR MIT`, `GPL-2+`,
//! `BSD-like`, a paragraph). A declaration is an SPDX expression when each word is an operator,
//! a license or exception id of the SPDX list (matched case-insensitively, as the SPDX spec
//! asks, and written in the list's case), or a `LicenseRef-`, and the whole parses; anything
//! else is free text. Nothing is guessed: `GPL-2+` or `BSD` stay free text rather than being
//! mapped to an id they may not mean. CycloneDX gets free text as a license `name`; SPDX as a
//! `LicenseRef-` whose text is kept in `hasExtractedLicensingInfos`.
//!
//! A package's several declared licenses are read as all applying (joined with `AND`, as syft
//! does), and readers split a top-level `AND` back into the list.

use spdx::ParseMode;

/// One declared license, sorted out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum License {
    /// A single license id of the SPDX list.
    Id(&'static str),
    /// A valid SPDX expression, in canonical case with upper-case operators.
    Expression(String),
    /// Anything else.
    Other(String),
}

/// Validates expressions: the SPDX grammar and list, deprecated ids allowed (they are still
/// valid ids, and in both formats' schemas).
const MODE: ParseMode = ParseMode {
    allow_slash_as_or_operator: false,
    allow_imprecise_license_names: false,
    allow_postfix_plus_on_gpl: false,
    allow_deprecated: true,
    allow_unknown: false,
};

/// Sorts out one declared license; `None` when it is blank.
pub(crate) fn classify(text: &str) -> Option<License> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    Some(match canonical(text) {
        Some((canonical, single_id)) => match single_id {
            Some(id) => License::Id(id),
            None => License::Expression(canonical),
        },
        None => License::Other(text.to_owned()),
    })
}

/// The canonical spelling of a valid expression, and the id when it is one bare license id.
fn canonical(text: &str) -> Option<(String, Option<&'static str>)> {
    let mut out = String::with_capacity(text.len());
    let mut words = 0usize;
    let mut single: Option<&'static str> = None;
    let mut after_with = false;
    for token in tokens(text) {
        let piece: &str = match token {
            "(" | ")" => token,
            _ if token.eq_ignore_ascii_case("AND") => "AND",
            _ if token.eq_ignore_ascii_case("OR") => "OR",
            _ if token.eq_ignore_ascii_case("WITH") => "WITH",
            _ => "",
        };
        if !out.is_empty() && !out.ends_with('(') && token != ")" {
            out.push(' ');
        }
        words += 1;
        if !piece.is_empty() {
            after_with = piece == "WITH";
            out.push_str(piece);
            continue;
        }
        if is_reference(token) {
            out.push_str(token);
        } else if after_with {
            out.push_str(exception(token)?);
        } else {
            let (bare, plus) = match token.strip_suffix('+') {
                Some(bare) => (bare, "+"),
                None => (token, ""),
            };
            let id = license(bare)?;
            if plus.is_empty() {
                single = Some(id);
            }
            out.push_str(id);
            out.push_str(plus);
        }
        after_with = false;
    }
    spdx::Expression::parse_mode(&out, MODE).ok()?;
    Some((out, single.filter(|_| words == 1)))
}

/// Words, with each parenthesis a word of its own.
fn tokens(text: &str) -> impl Iterator<Item = &str> {
    let mut pieces = Vec::new();
    for word in text.split_whitespace() {
        let mut rest = word;
        while !rest.is_empty() {
            match rest.find(['(', ')']) {
                Some(0) => {
                    let (paren, tail) = rest.split_at(1);
                    pieces.push(paren);
                    rest = tail;
                }
                Some(i) => {
                    let (head, tail) = rest.split_at(i);
                    pieces.push(head);
                    rest = tail;
                }
                None => {
                    pieces.push(rest);
                    rest = "";
                }
            }
        }
    }
    pieces.into_iter()
}

fn is_reference(token: &str) -> bool {
    let body = match token.split_once(':') {
        Some((doc, rest)) if doc.strip_prefix("DocumentRef-").is_some_and(is_idstring) => rest,
        Some(_) => return false,
        None => token,
    };
    ["LicenseRef-", "AdditionRef-"]
        .iter()
        .any(|prefix| body.strip_prefix(prefix).is_some_and(is_idstring))
}

/// SPDX `idstring`: letters, digits, `.` and `-`.
pub(crate) fn is_idstring(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

fn license(name: &str) -> Option<&'static str> {
    spdx::identifiers::LICENSES
        .iter()
        .find(|l| l.name.eq_ignore_ascii_case(name))
        .map(|l| l.name)
}

fn exception(name: &str) -> Option<&'static str> {
    spdx::identifiers::EXCEPTIONS
        .iter()
        .find(|e| e.name.eq_ignore_ascii_case(name))
        .map(|e| e.name)
}

/// Declared licenses as one SPDX expression, each part that is free text replaced by
/// `reference(text)`; parts joined with `AND`, compound ones in parentheses.
pub(crate) fn conjunction(
    licenses: &[String],
    mut reference: impl FnMut(&str) -> String,
) -> Option<String> {
    let parts: Vec<String> = licenses
        .iter()
        .filter_map(|l| classify(l))
        .map(|l| match l {
            License::Id(id) => id.to_owned(),
            License::Expression(e) => e,
            License::Other(text) => reference(&text),
        })
        .collect();
    match parts.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
        _ => Some(
            parts
                .iter()
                .map(|p| {
                    if p.contains(' ') {
                        format!("({p})")
                    } else {
                        p.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" AND "),
        ),
    }
}

/// Splits an expression at its top-level `AND`s (outside parentheses), dropping the
/// parentheses around whole parts: the inverse of [`conjunction`].
pub(crate) fn split_conjunction(expression: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut depth = 0usize;
    for token in tokens(expression) {
        match token {
            "(" => depth += 1,
            ")" => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 && token.eq_ignore_ascii_case("AND") {
            parts.push(join_tokens(&current));
            current.clear();
        } else {
            current.push(token);
        }
    }
    parts.push(join_tokens(&current));
    parts.retain(|p| !p.is_empty());
    parts
}

fn join_tokens(tokens: &[&str]) -> String {
    let inner = match tokens {
        [first, middle @ .., last] if *first == "(" && *last == ")" && balanced(middle) => middle,
        _ => tokens,
    };
    let mut out = String::new();
    for token in inner {
        if !out.is_empty() && !out.ends_with('(') && *token != ")" {
            out.push(' ');
        }
        out.push_str(token);
    }
    out
}

fn balanced(tokens: &[&str]) -> bool {
    let mut depth = 0i64;
    for token in tokens {
        match *token {
            "(" => depth += 1,
            ")" => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_licenses_out() {
        assert_eq!(classify("MIT"), Some(License::Id("MIT")));
        assert_eq!(classify(" mit "), Some(License::Id("MIT")));
        assert_eq!(classify("gpl-2.0-only"), Some(License::Id("GPL-2.0-only")));
        assert_eq!(
            classify("GPL-2.0"),
            Some(License::Id("GPL-2.0")),
            "deprecated but listed"
        );
        assert_eq!(
            classify("Apache-2.0 or mit"),
            Some(License::Expression("Apache-2.0 OR MIT".into()))
        );
        assert_eq!(
            classify("(MIT OR Apache-2.0) AND gpl-2.0-or-later WITH classpath-exception-2.0"),
            Some(License::Expression(
                "(MIT OR Apache-2.0) AND GPL-2.0-or-later WITH Classpath-exception-2.0".into()
            ))
        );
        assert_eq!(
            classify("Apache-2.0+"),
            Some(License::Expression("Apache-2.0+".into()))
        );
        assert_eq!(
            classify("LicenseRef-foo"),
            Some(License::Expression("LicenseRef-foo".into()))
        );
        for other in [
            "GPL-2+",
            "BSD",
            "public domain",
            "MIT OR",
            "(MIT",
            "MIT AND AND MIT",
            "MIT WITH Apache-2.0",
            "LicenseRef-",
            "LicenseRef-a_b",
            "Apache 2.0",
            "MIT/X11",
        ] {
            assert_eq!(
                classify(other),
                Some(License::Other(other.into())),
                "{other}"
            );
        }
        assert_eq!(classify("  "), None);
    }

    #[test]
    fn joins_and_splits_declarations() {
        let licenses = [
            "MIT".to_owned(),
            "Apache-2.0 OR MIT".into(),
            "Artistic".into(),
        ];
        let joined = conjunction(&licenses, |t| format!("LicenseRef-{}", t.len())).unwrap();
        assert_eq!(joined, "MIT AND (Apache-2.0 OR MIT) AND LicenseRef-8");
        assert_eq!(
            split_conjunction(&joined),
            ["MIT", "Apache-2.0 OR MIT", "LicenseRef-8"]
        );
        assert_eq!(conjunction(&[], |t| t.to_owned()), None);
        assert_eq!(
            split_conjunction("(MIT OR X) AND (Y OR Z)"),
            ["MIT OR X", "Y OR Z"]
        );
        assert_eq!(split_conjunction("(MIT) OR (X)"), ["(MIT) OR (X)"]);
    }
}
