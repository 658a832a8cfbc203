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
    let label_pairs = selector
        .match_labels
        .as_ref()
        .is_none_or(|pairs| matches_map(pairs, labels));
    let requirements = expressions.iter().all(|requirement| {
        let value = labels.get(&requirement.key);
        let values = requirement.values.as_deref().unwrap_or_default();
        match requirement.operator.as_str() {
            "In" => value.is_some_and(|v| values.contains(v)),
            "NotIn" => value.is_none_or(|v| !values.contains(v)),
            "Exists" => value.is_some(),
            _ => value.is_none(),
        }
    });
    Ok(label_pairs && requirements)
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
