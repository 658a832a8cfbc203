//! How one RBAC rule matches one request, exactly as the API server's authorizer decides it
//! (`k8s.io/kubernetes/pkg/apis/rbac/v1/evaluation_helpers.go`: `VerbMatches`,
//! `APIGroupMatches`, `ResourceMatches`, `ResourceNameMatches`, `NonResourceURLMatches`, and
//! `RuleAllows` in `plugin/pkg/auth/authorizer/rbac/rbac.go`). Kept apart from the model so the
//! per-object checks can use the same matching.

use super::{Request, Rule};

/// `*` or the verb itself.
pub(crate) fn verb_matches(rule: &Rule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == "*" || v == verb)
}

/// `*` or the group itself (`""` is the core group).
pub(crate) fn api_group_matches(rule: &Rule, group: &str) -> bool {
    rule.api_groups.iter().any(|g| g == "*" || g == group)
}

/// Whether a rule's resource entry matches `combined` (`pods` or `pods/exec`) with its
/// `subresource` (empty for none): `*` matches everything, an equal entry matches, and
/// `*/sub` matches the subresource `sub` of any resource. `pods/*` is no wildcard.
pub(crate) fn entry_matches_resource(entry: &str, combined: &str, subresource: &str) -> bool {
    if entry == "*" || entry == combined {
        return true;
    }
    !subresource.is_empty() && entry.strip_prefix("*/") == Some(subresource)
}

/// Whether any of the rule's resources matches.
pub(crate) fn resource_matches(rule: &Rule, combined: &str, subresource: &str) -> bool {
    rule.resources
        .iter()
        .any(|entry| entry_matches_resource(entry, combined, subresource))
}

/// An empty `resourceNames` matches every name; otherwise the request must name one of them.
/// A request without a name (`list`, `create`, `deletecollection`) matches only the former.
pub(crate) fn resource_name_matches(rule: &Rule, name: Option<&str>) -> bool {
    rule.resource_names.is_empty()
        || name.is_some_and(|name| rule.resource_names.iter().any(|n| n == name))
}

/// `*`, the path itself, or a prefix ending in `*` (`/healthz/*`, `/api*`).
pub(crate) fn non_resource_url_matches(rule: &Rule, path: &str) -> bool {
    rule.non_resource_urls.iter().any(|url| {
        url == "*"
            || url == path
            || url
                .strip_suffix('*')
                .is_some_and(|prefix| path.starts_with(prefix))
    })
}

/// `RuleAllows`: whether `rule` grants `request`.
pub(crate) fn rule_allows(rule: &Rule, request: &Request) -> bool {
    match request {
        Request::Resource(r) => {
            let combined = match &r.subresource {
                Some(sub) => format!("{}/{sub}", r.resource),
                None => r.resource.clone(),
            };
            verb_matches(rule, &r.verb)
                && api_group_matches(rule, &r.group)
                && resource_matches(rule, &combined, r.subresource.as_deref().unwrap_or(""))
                && resource_name_matches(rule, r.name.as_deref())
        }
        Request::NonResource { verb, path } => {
            verb_matches(rule, verb) && non_resource_url_matches(rule, path)
        }
    }
}
