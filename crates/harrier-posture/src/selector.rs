//! Label selectors, evaluated as the API server evaluates them.
//!
//! Several checks ask which pods a selector picks: a Service's `spec.selector`, a
//! NetworkPolicy's `podSelector`, a controller's `spec.selector` against its own template. One
//! implementation keeps them agreeing with each other and with
//! `k8s.io/apimachinery/pkg/apis/meta/v1.LabelSelectorAsSelector`.
//!
//! What an *empty* selector means depends on the field (a NetworkPolicy's `podSelector: {}`
//! picks every pod of its namespace, a Service without a selector picks none), so these
//! functions only answer "does it match"; each caller decides what an empty or missing selector
//! means for its field, using [`is_empty`].

use std::collections::BTreeMap;
use std::fmt;

use harrier_k8s::k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

/// A selector the API server would reject, so it selects nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InvalidSelector {
    /// Why, naming the requirement's key.
    pub(crate) reason: String,
}

impl fmt::Display for InvalidSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

/// Whether `selector` has neither `matchLabels` nor `matchExpressions`. Such a selector matches
/// every set of labels.
pub(crate) fn is_empty(selector: &LabelSelector) -> bool {
    selector
        .match_labels
        .as_ref()
        .is_none_or(BTreeMap::is_empty)
        && selector
            .match_expressions
            .as_ref()
            .is_none_or(Vec::is_empty)
}

/// Whether `selector` matches `labels`: every `matchLabels` pair is present and every
/// `matchExpressions` requirement holds (`In`, `NotIn`, `Exists`, `DoesNotExist`; `NotIn`
/// holds when the key is absent). An empty selector matches everything.
pub(crate) fn matches(
    selector: &LabelSelector,
    labels: &BTreeMap<String, String>,
) -> Result<bool, InvalidSelector> {
    // Validate every requirement first: the API server rejects the whole selector when one
    // requirement is malformed, whatever the others say.
    let expressions = selector.match_expressions.as_deref().unwrap_or_default();
    for requirement in expressions {
        let values = requirement.values.as_deref().unwrap_or_default();
        let valid = match requirement.operator.as_str() {
            "In" | "NotIn" => !values.is_empty(),
            "Exists" | "DoesNotExist" => values.is_empty(),
            _ => false,
        };
        if !valid {
            return Err(InvalidSelector {
                reason: format!(
                    "requirement on `{}` has operator `{}` with {} value(s)",
                    requirement.key,
                    requirement.operator,
                    values.len()
                ),
            });
        }
    }
    Ok(first_unmet(selector, labels).is_none())
}

/// The requirement of a label selector that some labels fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unmet {
    /// `matchLabels` (or a plain map selector) entry with this key.
    Label(String),
    /// `matchExpressions` entry at this index.
    Expression(usize),
}

/// The first requirement of `selector` that `labels` fail, with a description, or `None` when
/// the selector selects them. An empty selector selects everything.
pub(crate) fn first_unmet(
    selector: &LabelSelector,
    labels: &BTreeMap<String, String>,
) -> Option<(Unmet, String)> {
    for (key, value) in selector.match_labels.iter().flatten() {
        let why = match labels.get(key) {
            Some(v) if v == value => continue,
            Some(v) => format!("`{key}: {value}` (the template has `{key}: {v}`)"),
            None => format!("`{key}: {value}` (the template has no `{key}` label)"),
        };
        return Some((Unmet::Label(key.clone()), why));
    }
    for (i, req) in selector.match_expressions.iter().flatten().enumerate() {
        let values = req.values.as_deref().unwrap_or_default();
        let actual = labels.get(&req.key);
        let ok = match req.operator.as_str() {
            "In" => actual.is_some_and(|v| values.contains(v)),
            "NotIn" => actual.is_none_or(|v| !values.contains(v)),
            "Exists" => actual.is_some(),
            "DoesNotExist" => actual.is_none(),
            // The API server rejects other operators; a selector it would reject selects nothing.
            _ => false,
        };
        if !ok {
            let shown = if values.is_empty() {
                String::new()
            } else {
                format!(" [{}]", values.join(", "))
            };
            return Some((
                Unmet::Expression(i),
                format!("`{} {}{shown}`", req.key, req.operator),
            ));
        }
    }
    None
}

/// Whether an equality-only selector (a Service's or ReplicationController's `spec.selector`)
/// matches `labels`: every pair is present. An empty map matches everything.
pub(crate) fn matches_map(
    selector: &BTreeMap<String, String>,
    labels: &BTreeMap<String, String>,
) -> bool {
    selector
        .iter()
        .all(|(key, value)| labels.get(key) == Some(value))
}

#[cfg(test)]
mod tests {
    use harrier_k8s::k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn requirement(key: &str, operator: &str, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.to_owned(),
            operator: operator.to_owned(),
            values: (!values.is_empty()).then(|| values.iter().map(|v| (*v).to_owned()).collect()),
        }
    }

    #[test]
    fn empty_selector_matches_everything() {
        let selector = LabelSelector::default();
        assert!(is_empty(&selector));
        assert_eq!(matches(&selector, &labels(&[])), Ok(true));
        assert_eq!(matches(&selector, &labels(&[("app", "web")])), Ok(true));
    }

    #[test]
    fn match_labels_need_every_pair() {
        let selector = LabelSelector {
            match_labels: Some(labels(&[("app", "web"), ("tier", "front")])),
            ..LabelSelector::default()
        };
        assert!(!is_empty(&selector));
        assert_eq!(
            matches(
                &selector,
                &labels(&[("app", "web"), ("tier", "front"), ("x", "y")])
            ),
            Ok(true)
        );
        assert_eq!(matches(&selector, &labels(&[("app", "web")])), Ok(false));
        assert_eq!(
            matches(&selector, &labels(&[("app", "web"), ("tier", "back")])),
            Ok(false)
        );
    }

    #[test]
    fn expressions_follow_apimachinery() {
        let select = |req: LabelSelectorRequirement, l: &[(&str, &str)]| {
            let selector = LabelSelector {
                match_expressions: Some(vec![req]),
                ..LabelSelector::default()
            };
            matches(&selector, &labels(l))
        };
        assert_eq!(
            select(requirement("env", "In", &["prod", "qa"]), &[("env", "qa")]),
            Ok(true)
        );
        assert_eq!(
            select(requirement("env", "In", &["prod"]), &[("env", "qa")]),
            Ok(false)
        );
        assert_eq!(select(requirement("env", "In", &["prod"]), &[]), Ok(false));
        assert_eq!(
            select(requirement("env", "NotIn", &["prod"]), &[("env", "qa")]),
            Ok(true)
        );
        assert_eq!(
            select(requirement("env", "NotIn", &["prod"]), &[]),
            Ok(true)
        );
        assert_eq!(
            select(requirement("env", "NotIn", &["prod"]), &[("env", "prod")]),
            Ok(false)
        );
        assert_eq!(
            select(requirement("env", "Exists", &[]), &[("env", "")]),
            Ok(true)
        );
        assert_eq!(select(requirement("env", "Exists", &[]), &[]), Ok(false));
        assert_eq!(
            select(requirement("env", "DoesNotExist", &[]), &[]),
            Ok(true)
        );
        assert_eq!(
            select(requirement("env", "DoesNotExist", &[]), &[("env", "x")]),
            Ok(false)
        );
    }

    #[test]
    fn malformed_requirements_are_errors() {
        for req in [
            requirement("env", "In", &[]),
            requirement("env", "Exists", &["x"]),
            requirement("env", "Equals", &["x"]),
        ] {
            let selector = LabelSelector {
                match_labels: Some(labels(&[("app", "web")])),
                match_expressions: Some(vec![req]),
            };
            assert!(matches(&selector, &labels(&[("app", "web"), ("env", "x")])).is_err());
        }
    }

    #[test]
    fn equality_selectors() {
        assert!(matches_map(
            &labels(&[("app", "web")]),
            &labels(&[("app", "web"), ("v", "1")])
        ));
        assert!(!matches_map(
            &labels(&[("app", "web")]),
            &labels(&[("app", "api")])
        ));
        assert!(matches_map(&labels(&[]), &labels(&[("app", "web")])));
    }
}
