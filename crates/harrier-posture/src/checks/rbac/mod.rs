//! Checks on RBAC (`HRR-RBAC`): what single Roles, ClusterRoles and bindings grant, and the few
//! relations that matter most (who holds `cluster-admin`). Paths through several bindings and
//! roles, and what a subject can do in the end, belong to the RBAC analysis of the security
//! graph; these checks stay per object so each finding points at one rule or one subject.
//!
//! Rules are matched as the API server's authorizer matches them
//! (`k8s.io/kubernetes/pkg/apis/rbac/v1.{VerbMatches,APIGroupMatches,ResourceMatches}`):
//! `*` matches any verb, group or resource (subresources included), `*/exec` matches the `exec`
//! subresource of any resource, and anything else matches exactly; `pods/*` is *not* a
//! wildcard. A Role only grants within its namespace, so a Role rule naming a cluster-scoped
//! resource (nodes, webhook configurations, ClusterRoles, users, groups) grants nothing and is
//! not reported.
//!
//! Roles that Kubernetes creates itself are not reported by the rule checks. The API server
//! labels every role it bootstraps (`cluster-admin`, `admin`, `edit`, `view` and the `system:`
//! roles) `kubernetes.io/bootstrapping: rbac-defaults`, in manifests dumped from a cluster as on
//! the cluster itself, and reconciles them at start-up; reporting them would bury what the
//! cluster's owners wrote. The label is what marks them, not the name: `system:` is only a
//! convention, and a role someone names `system:viewer` is theirs and is checked like any other
//! (Polaris exempts such names, as do Kubescape's default exceptions; their fixtures hold user
//! roles named `system:test` and `system:viewer`). Setting the label is a deliberate act that a
//! review sees; picking an official-looking name is not. The bindings that hand built-in roles
//! out are still checked. Aggregated ClusterRoles are skipped too: their rules are copied from
//! the roles they aggregate, which are checked themselves.

use std::fmt::Write;

use harrier_core::FieldPath;
use harrier_core::yaml::de::from_node;
use harrier_k8s::k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef, Subject};
use harrier_k8s::{Object, ObjectIndex};

use crate::{Check, Emitter};

mod anonymous_binding;
mod cluster_admin_binding;
mod csr_approval_access;
mod dashboard_admin_binding;
mod default_service_account_binding;
mod escalate_bind_impersonate;
mod node_proxy_access;
mod pod_create_access;
mod pod_exec_access;
mod pod_portforward_access;
mod rbac_wildcard_rule;
mod secret_read_access;
mod service_status_write_access;
mod webhook_config_write;
mod workload_with_cluster_admin;

/// The group's checks, sorted by id.
pub static CHECKS: &[&Check] = &[
    &rbac_wildcard_rule::CHECK,
    &cluster_admin_binding::CHECK,
    &secret_read_access::CHECK,
    &pod_exec_access::CHECK,
    &escalate_bind_impersonate::CHECK,
    &anonymous_binding::CHECK,
    &default_service_account_binding::CHECK,
    &pod_create_access::CHECK,
    &node_proxy_access::CHECK,
    &webhook_config_write::CHECK,
    &dashboard_admin_binding::CHECK,
    &workload_with_cluster_admin::CHECK,
    &pod_portforward_access::CHECK,
    &csr_approval_access::CHECK,
    &service_status_write_access::CHECK,
];

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// The kinds the rule checks read.
const ROLE_KINDS: &[&str] = &["Role", "ClusterRole"];

/// The kinds the binding checks read.
const BINDING_KINDS: &[&str] = &["RoleBinding", "ClusterRoleBinding"];

/// Whether the API server bootstrapped the role, as its label says (see the module docs).
fn is_builtin_role(object: &Object) -> bool {
    object
        .labels
        .get("kubernetes.io/bootstrapping")
        .is_some_and(|v| v == "rbac-defaults")
}

/// The rules of a Role or ClusterRole written by the cluster's owners, if they decode. `None`
/// for built-in and aggregated roles (see the module docs) and for other groups' `Role` kinds.
fn authored_rules(object: &Object) -> Option<Vec<PolicyRule>> {
    if object.group() != RBAC_GROUP
        || is_builtin_role(object)
        || object.node.get("aggregationRule").is_some()
    {
        return None;
    }
    rules_of(object)
}

/// The rules of a Role or ClusterRole, if they decode (none when `rules` is absent).
fn rules_of(object: &Object) -> Option<Vec<PolicyRule>> {
    match object.node.get("rules") {
        Some(node) if !node.is_null() => from_node(node).ok(),
        _ => Some(Vec::new()),
    }
}

/// A RoleBinding's or ClusterRoleBinding's role and subjects, if they decode.
struct Binding {
    role_ref: RoleRef,
    subjects: Vec<Subject>,
}

fn binding_of(object: &Object) -> Option<Binding> {
    if object.group() != RBAC_GROUP || !BINDING_KINDS.contains(&object.kind()) {
        return None;
    }
    let role_ref = from_node(object.node.get("roleRef")?).ok()?;
    let subjects = match object.node.get("subjects") {
        Some(node) if !node.is_null() => from_node(node).ok()?,
        _ => Vec::new(),
    };
    Some(Binding { role_ref, subjects })
}

/// Path to a binding's subject.
fn subject_path(i: usize) -> FieldPath {
    FieldPath::root().key("subjects").index(i)
}

/// The namespace of a ServiceAccount subject: its own, or for a RoleBinding the binding's, as
/// the authorizer reads it.
fn service_account_namespace<'a>(subject: &'a Subject, binding: &'a Object) -> Option<&'a str> {
    subject
        .namespace
        .as_deref()
        .filter(|ns| !ns.is_empty())
        .or_else(|| {
            (binding.kind() == "RoleBinding")
                .then_some(binding.resource.namespace.as_deref())
                .flatten()
        })
}

/// "ServiceAccount `ns/name`", "Group `system:authenticated`".
fn describe_subject(subject: &Subject, binding: &Object) -> String {
    if subject.kind == "ServiceAccount" {
        let ns = service_account_namespace(subject, binding).unwrap_or("<unset>");
        return format!("ServiceAccount `{ns}/{}`", subject.name);
    }
    format!("{} `{}`", subject.kind, subject.name)
}

/// "ClusterRole `view`".
fn describe(object: &Object) -> String {
    format!(
        "{} `{}`",
        object.kind(),
        object.resource.name.as_deref().unwrap_or("<unnamed>")
    )
}

/// Whether a binding's role is `cluster-admin`.
fn is_cluster_admin(role_ref: &RoleRef) -> bool {
    role_ref.kind == "ClusterRole" && role_ref.name == "cluster-admin"
}

/// How a binding's role gives full control, if it does: it is `cluster-admin`, or a Role or
/// ClusterRole of the scan with a rule granting `*` verbs on `*` resources of `*` API groups.
fn full_control(binding: &Object, role_ref: &RoleRef, index: &ObjectIndex) -> Option<String> {
    if is_cluster_admin(role_ref) {
        return Some("ClusterRole `cluster-admin`".to_owned());
    }
    let role = index.of_kind(&role_ref.kind).find(|role| {
        role.group() == RBAC_GROUP
            && role.resource.name.as_deref() == Some(role_ref.name.as_str())
            && (role_ref.kind == "ClusterRole"
                || role.resource.namespace == binding.resource.namespace)
    })?;
    let everything = |list: &[String]| list.iter().any(|e| e == "*");
    let all_powerful = rules_of(role)?.iter().any(|rule| {
        everything(&rule.verbs)
            && everything(rule.resources.as_deref().unwrap_or_default())
            && everything(rule.api_groups.as_deref().unwrap_or_default())
    });
    all_powerful.then(|| format!("{} (`*` on `*`)", describe(role)))
}

/// A permission a check looks for: one of `verbs` (any verb when empty) on one of `resources`
/// (`resource` or `resource/subresource`) of one of `groups`.
struct Permission {
    groups: &'static [&'static str],
    resources: &'static [&'static str],
    verbs: &'static [&'static str],
    /// Whether the resources are cluster-scoped, so that a Role cannot grant them.
    cluster_scoped: bool,
}

/// Where and how a rule grants a [`Permission`].
struct Grant<'r> {
    /// Index of the matching entry of the rule's `resources`.
    resource_index: usize,
    /// The rule's matching resource entry (`secrets`, `*`, `*/exec`).
    resource: &'r str,
    /// The requested resource it matched.
    wanted_resource: &'static str,
    /// The rule's matching verb (`get`, `*`).
    verb: &'r str,
    /// The requested verb it matched; `None` when any verb was wanted.
    wanted_verb: Option<&'static str>,
    /// Whether `resourceNames` limits the rule to some objects.
    named: bool,
}

impl Grant<'_> {
    /// "`get` on `secrets`", or "`*` on `*` (which includes `create` on `pods/exec`)".
    fn describe(&self) -> String {
        let mut text = format!("`{}` on `{}`", self.verb, self.resource);
        let verb_widened = self.wanted_verb.is_some_and(|v| v != self.verb);
        if verb_widened || self.resource != self.wanted_resource {
            let verb = self.wanted_verb.unwrap_or(self.verb);
            let _ = write!(
                text,
                " (which includes `{verb}` on `{}`)",
                self.wanted_resource
            );
        }
        text
    }

    /// Path to the rule's matching resource entry.
    fn path(&self, rule_index: usize) -> FieldPath {
        FieldPath::root()
            .key("rules")
            .index(rule_index)
            .key("resources")
            .index(self.resource_index)
    }
}

/// Reports every rule of a role that grants `permission`, followed by `consequence`: what the
/// grant lets its holders do. The whole logic of the checks whose question is only "does this
/// role hold that risky permission".
fn report_grants(
    object: &Object,
    out: &mut Emitter<'_>,
    permission: &Permission,
    consequence: &str,
) {
    let Some(rules) = authored_rules(object) else {
        return;
    };
    for (i, rule) in rules.iter().enumerate() {
        let Some(grant) = grant(rule, object.kind(), permission) else {
            continue;
        };
        let limit = if grant.named {
            ", for the objects named in `resourceNames`,"
        } else {
            ","
        };
        out.emit(
            grant.path(i),
            format!(
                "{} grants {}{limit} {consequence}",
                describe(object),
                grant.describe()
            ),
        );
    }
}

/// How `rule` of a role of kind `role_kind` grants `permission`, if it does.
fn grant<'r>(rule: &'r PolicyRule, role_kind: &str, permission: &Permission) -> Option<Grant<'r>> {
    if permission.cluster_scoped && role_kind == "Role" {
        return None;
    }
    let groups = rule.api_groups.as_deref().unwrap_or_default();
    if !groups
        .iter()
        .any(|g| g == "*" || permission.groups.contains(&g.as_str()))
    {
        return None;
    }
    let (verb, wanted_verb) = if permission.verbs.is_empty() {
        (rule.verbs.first()?.as_str(), None)
    } else {
        permission.verbs.iter().find_map(|wanted| {
            let verb = rule.verbs.iter().find(|v| *v == "*" || v == wanted)?;
            Some((verb.as_str(), Some(*wanted)))
        })?
    };
    let resources = rule.resources.as_deref().unwrap_or_default();
    let (resource_index, resource, wanted_resource) =
        permission.resources.iter().find_map(|wanted| {
            let (i, entry) = resources
                .iter()
                .enumerate()
                .find(|(_, entry)| resource_matches(entry, wanted))?;
            Some((i, entry.as_str(), *wanted))
        })?;
    let named = rule
        .resource_names
        .as_ref()
        .is_some_and(|names| !names.is_empty());
    Some(Grant {
        resource_index,
        resource,
        wanted_resource,
        verb,
        wanted_verb,
        named,
    })
}

/// `ResourceMatches` of the RBAC authorizer, shared with the effective-permissions engine.
fn resource_matches(entry: &str, wanted: &str) -> bool {
    let subresource = wanted.split_once('/').map_or("", |(_, sub)| sub);
    crate::rbac::entry_matches_resource(entry, wanted, subresource)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXEC: Permission = Permission {
        groups: &[""],
        resources: &["pods/exec"],
        verbs: &["create"],
        cluster_scoped: false,
    };

    fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> PolicyRule {
        let owned = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        PolicyRule {
            api_groups: Some(owned(groups)),
            resources: Some(owned(resources)),
            verbs: owned(verbs),
            ..PolicyRule::default()
        }
    }

    #[test]
    fn matches_as_the_authorizer_does() {
        assert!(grant(&rule(&[""], &["pods/exec"], &["create"]), "Role", &EXEC).is_some());
        assert!(grant(&rule(&["*"], &["*"], &["*"]), "Role", &EXEC).is_some());
        assert!(grant(&rule(&[""], &["*/exec"], &["create"]), "Role", &EXEC).is_some());
        // `pods/*` is not a wildcard for the authorizer.
        assert!(grant(&rule(&[""], &["pods/*"], &["create"]), "Role", &EXEC).is_none());
        assert!(grant(&rule(&[""], &["pods"], &["create"]), "Role", &EXEC).is_none());
        assert!(grant(&rule(&["apps"], &["pods/exec"], &["create"]), "Role", &EXEC).is_none());
        assert!(grant(&rule(&[""], &["pods/exec"], &["get"]), "Role", &EXEC).is_none());
    }

    #[test]
    fn describes_wildcard_grants() {
        let r = rule(&["*"], &["*"], &["*"]);
        let g = grant(&r, "ClusterRole", &EXEC).map(|g| g.describe());
        assert_eq!(
            g.as_deref(),
            Some("`*` on `*` (which includes `create` on `pods/exec`)")
        );
        let r = rule(&[""], &["pods/exec"], &["create"]);
        let g = grant(&r, "ClusterRole", &EXEC).map(|g| g.describe());
        assert_eq!(g.as_deref(), Some("`create` on `pods/exec`"));
    }

    #[test]
    fn roles_cannot_grant_cluster_scoped_resources() {
        let nodes = Permission {
            groups: &[""],
            resources: &["nodes/proxy"],
            verbs: &[],
            cluster_scoped: true,
        };
        let r = rule(&[""], &["nodes/proxy"], &["get"]);
        assert!(grant(&r, "Role", &nodes).is_none());
        assert!(grant(&r, "ClusterRole", &nodes).is_some());
    }
}
