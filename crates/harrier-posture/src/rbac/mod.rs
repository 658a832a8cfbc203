//! Effective RBAC permissions: what every subject may do, resolved from Roles, ClusterRoles
//! (with their aggregation rules), RoleBindings and ClusterRoleBindings, and the two questions
//! asked of them: who can do something ([`Rbac::who_can`]) and what can someone do
//! ([`Rbac::can`]).
//!
//! The semantics are the API server's RBAC authorizer's, not an approximation of them:
//! rules match as [`matching`] explains; a ClusterRoleBinding grants its role everywhere; a
//! RoleBinding grants its Role, or the ClusterRole it names, only in its own namespace; a
//! request for a cluster-scoped resource or a non-resource URL is granted only by
//! ClusterRoleBindings; a ServiceAccount subject without a namespace takes its RoleBinding's;
//! a service account's user name is `system:serviceaccount:<ns>:<name>` and it belongs to the
//! groups `system:serviceaccounts`, `system:serviceaccounts:<ns>` and `system:authenticated`.
//! An aggregated ClusterRole's rules are the union of the rules of the ClusterRoles its
//! selectors pick, as the aggregation controller writes them (its own `rules` are replaced).
//!
//! What cannot be resolved is reported as a [`Problem`] naming file and line: a binding to a
//! role that is not among the inputs, a RoleBinding to a ClusterRole that does not exist, a
//! ClusterRoleBinding to a Role, a rule or subject that does not decode. The bootstrap role
//! `cluster-admin` is known without being in the inputs, since the API server always has it and
//! its rules never change; the other bootstrap roles (`admin`, `edit`, `view`, `system:*`) are
//! aggregated or versioned, so a binding to one that is not in the inputs is a problem too.
//!
//! Live clusters and risky-permission findings are left to their callers: this module takes
//! objects and answers queries, nothing more.

mod matching;
pub mod risks;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

use harrier_core::Location;
use harrier_core::yaml::de::{DeError, from_node};
use harrier_k8s::k8s_openapi::api::rbac::v1::{AggregationRule, PolicyRule, RoleRef};
use harrier_k8s::{Object, ObjectIndex};
use serde::Serialize;

pub(crate) use matching::entry_matches_resource;

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// One rule of a role, with absent lists as empty ones.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
pub struct Rule {
    /// `verbs`.
    pub verbs: Vec<String>,
    /// `apiGroups`.
    #[serde(rename = "apiGroups", skip_serializing_if = "Vec::is_empty")]
    pub api_groups: Vec<String>,
    /// `resources`, subresources as `pods/exec`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// `resourceNames`; empty means every object.
    #[serde(rename = "resourceNames", skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
    /// `nonResourceURLs`.
    #[serde(rename = "nonResourceURLs", skip_serializing_if = "Vec::is_empty")]
    pub non_resource_urls: Vec<String>,
}

impl From<PolicyRule> for Rule {
    fn from(r: PolicyRule) -> Rule {
        Rule {
            verbs: r.verbs,
            api_groups: r.api_groups.unwrap_or_default(),
            resources: r.resources.unwrap_or_default(),
            resource_names: r.resource_names.unwrap_or_default(),
            non_resource_urls: r.non_resource_urls.unwrap_or_default(),
        }
    }
}

/// The kinds of subject a binding names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum SubjectKind {
    /// A service account, in a namespace.
    ServiceAccount,
    /// A user name, as the authenticator reports it.
    User,
    /// A group name, as the authenticator reports it.
    Group,
}

impl fmt::Display for SubjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SubjectKind::ServiceAccount => "ServiceAccount",
            SubjectKind::User => "User",
            SubjectKind::Group => "Group",
        })
    }
}

/// A subject of a binding; service accounts carry their (resolved) namespace.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct SubjectRef {
    /// ServiceAccount, User or Group.
    pub kind: SubjectKind,
    /// The name.
    pub name: String,
    /// For a ServiceAccount, its namespace; `None` for users and groups.
    pub namespace: Option<String>,
}

impl fmt::Display for SubjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {ns}/{}", self.kind, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// Whether a binding or role is namespaced or cluster-wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum BindingKind {
    /// A RoleBinding: grants in its namespace.
    RoleBinding,
    /// A ClusterRoleBinding: grants everywhere.
    ClusterRoleBinding,
}

impl fmt::Display for BindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BindingKind::RoleBinding => "RoleBinding",
            BindingKind::ClusterRoleBinding => "ClusterRoleBinding",
        })
    }
}

/// A role as a binding names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct RoleName {
    /// `Role` or `ClusterRole`.
    pub kind: String,
    /// Its name.
    pub name: String,
}

/// A binding through which a permission is held.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Via {
    /// RoleBinding or ClusterRoleBinding.
    pub kind: BindingKind,
    /// The binding's name.
    pub name: String,
    /// The binding's namespace (RoleBindings only).
    pub namespace: Option<String>,
    /// The role it binds.
    pub role: RoleName,
    /// Where it grants: a namespace, or `None` for every namespace and the cluster.
    pub scope: Option<String>,
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {ns}/{}", self.kind, self.name)?,
            None => write!(f, "{} {}", self.kind, self.name)?,
        }
        write!(f, " → {} {}", self.role.kind, self.role.name)
    }
}

/// Something in the inputs that RBAC resolution could not use, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Problem {
    /// The object or field at fault.
    pub location: Location,
    /// What is wrong, naming the object.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// A request to authorize, as the API server sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// A request on a resource.
    Resource(ResourceRequest),
    /// A request on a path outside the resource API (`/healthz`, `/metrics`).
    NonResource {
        /// The HTTP verb in lower case (`get`, `post`).
        verb: String,
        /// The path, starting with `/`.
        path: String,
    },
}

/// A request on a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceRequest {
    /// `get`, `list`, `create`, `use`, `impersonate`…
    pub verb: String,
    /// The API group, `""` for the core group.
    pub group: String,
    /// The resource (`pods`).
    pub resource: String,
    /// The subresource (`exec`), if any.
    pub subresource: Option<String>,
    /// The object's name, if the request names one.
    pub name: Option<String>,
    /// The namespace, or `None` for any namespace (who-can) or a cluster-scoped resource.
    pub namespace: Option<String>,
}

/// Why a request could not be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestError(String);

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RequestError {}

/// The group of resources commonly named without one, as kubectl would find them through
/// discovery. Anything else is the core group unless written `resource.group`.
const GROUPS: &[(&str, &str)] = &[
    ("apiservices", "apiregistration.k8s.io"),
    ("certificatesigningrequests", "certificates.k8s.io"),
    ("clusterrolebindings", RBAC_GROUP),
    ("clusterroles", RBAC_GROUP),
    ("cronjobs", "batch"),
    ("csidrivers", "storage.k8s.io"),
    ("csinodes", "storage.k8s.io"),
    ("customresourcedefinitions", "apiextensions.k8s.io"),
    ("daemonsets", "apps"),
    ("deployments", "apps"),
    ("horizontalpodautoscalers", "autoscaling"),
    ("ingressclasses", "networking.k8s.io"),
    ("ingresses", "networking.k8s.io"),
    ("jobs", "batch"),
    ("leases", "coordination.k8s.io"),
    (
        "mutatingwebhookconfigurations",
        "admissionregistration.k8s.io",
    ),
    ("networkpolicies", "networking.k8s.io"),
    ("poddisruptionbudgets", "policy"),
    ("priorityclasses", "scheduling.k8s.io"),
    ("replicasets", "apps"),
    ("rolebindings", RBAC_GROUP),
    ("roles", RBAC_GROUP),
    ("runtimeclasses", "node.k8s.io"),
    ("selfsubjectaccessreviews", "authorization.k8s.io"),
    ("signers", "certificates.k8s.io"),
    ("statefulsets", "apps"),
    ("storageclasses", "storage.k8s.io"),
    ("subjectaccessreviews", "authorization.k8s.io"),
    ("tokenreviews", "authentication.k8s.io"),
    ("userextras", "authentication.k8s.io"),
    (
        "validatingwebhookconfigurations",
        "admissionregistration.k8s.io",
    ),
    ("volumeattachments", "storage.k8s.io"),
];

/// Built-in resources that have no namespace: only ClusterRoleBindings grant them. `users`,
/// `groups`, `uids` and `userextras` (impersonation) and `signers` (CSR approval) are no
/// objects, but the API server asks for them without a namespace all the same.
const CLUSTER_SCOPED: &[&str] = &[
    "apiservices",
    "certificatesigningrequests",
    "clusterrolebindings",
    "clusterroles",
    "componentstatuses",
    "csidrivers",
    "csinodes",
    "customresourcedefinitions",
    "groups",
    "ingressclasses",
    "mutatingwebhookconfigurations",
    "namespaces",
    "nodes",
    "persistentvolumes",
    "priorityclasses",
    "runtimeclasses",
    "selfsubjectaccessreviews",
    "selfsubjectrulesreviews",
    "signers",
    "storageclasses",
    "subjectaccessreviews",
    "tokenreviews",
    "uids",
    "userextras",
    "users",
    "validatingwebhookconfigurations",
    "volumeattachments",
];

impl Request {
    /// Reads `VERB TARGET`: TARGET is `resource`, `resource.group`, either with `/subresource`,
    /// or a non-resource URL starting with `/`. `name` is the object's name (`resourceNames`),
    /// `namespace` where the request is made.
    pub fn parse(
        verb: &str,
        target: &str,
        name: Option<&str>,
        namespace: Option<&str>,
    ) -> Result<Request, RequestError> {
        let verb = verb.trim();
        if verb.is_empty() {
            return Err(RequestError("the verb is empty".to_owned()));
        }
        if target.starts_with('/') {
            return Ok(Request::NonResource {
                verb: verb.to_lowercase(),
                path: target.to_owned(),
            });
        }
        let (resource, subresource) = match target.split_once('/') {
            Some((r, s)) if !s.is_empty() && !s.contains('/') => (r, Some(s.to_owned())),
            Some(_) => {
                return Err(RequestError(format!(
                    "`{target}` is not `resource`, `resource/subresource` or a URL starting with `/`"
                )));
            }
            None => (target, None),
        };
        let (resource, group) = match resource.split_once('.') {
            Some((r, g)) => (r.to_owned(), g.to_owned()),
            None => {
                let group = GROUPS
                    .iter()
                    .find(|(r, _)| *r == resource)
                    .map_or("", |(_, g)| *g);
                (resource.to_owned(), group.to_owned())
            }
        };
        if resource.is_empty() {
            return Err(RequestError(format!("`{target}` names no resource")));
        }
        Ok(Request::Resource(ResourceRequest {
            verb: verb.to_owned(),
            group,
            resource,
            subresource,
            name: name.map(str::to_owned),
            namespace: namespace.map(str::to_owned),
        }))
    }

    /// Whether only ClusterRoleBindings can grant it.
    fn is_cluster_wide(&self) -> bool {
        match self {
            Request::NonResource { .. } => true,
            // `bind` on a ClusterRole is asked in the namespace of the RoleBinding being
            // written (`rbac/validation.BindingAuthorized`), so a RoleBinding can grant the
            // right to bind a ClusterRole within its own namespace, as the RBAC docs'
            // `role-grantor` example does.
            Request::Resource(r)
                if r.verb == "bind" && r.resource == "clusterroles" && r.group == RBAC_GROUP =>
            {
                false
            }
            Request::Resource(r) => {
                CLUSTER_SCOPED.contains(&r.resource.as_str())
                    && GROUPS
                        .iter()
                        .find(|(res, _)| *res == r.resource)
                        .map_or("", |(_, g)| *g)
                        == r.group
            }
        }
    }
}

/// Who is asking: a user name and groups, as an authenticator reports them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// The user name (`system:serviceaccount:<ns>:<name>` for a service account); `None` when
    /// asking what a group's members get by being in it.
    pub user: Option<String>,
    /// Every group, implicit ones included.
    pub groups: Vec<String>,
}

impl Identity {
    /// A service account, with its implicit groups.
    pub fn service_account(namespace: &str, name: &str) -> Identity {
        Identity {
            user: Some(format!("system:serviceaccount:{namespace}:{name}")),
            groups: vec![
                "system:serviceaccounts".to_owned(),
                format!("system:serviceaccounts:{namespace}"),
                "system:authenticated".to_owned(),
            ],
        }
    }

    /// A user: `system:anonymous` is in `system:unauthenticated`, any other user in
    /// `system:authenticated`.
    pub fn user(name: &str) -> Identity {
        let group = if name == "system:anonymous" {
            "system:unauthenticated"
        } else {
            "system:authenticated"
        };
        Identity {
            user: Some(name.to_owned()),
            groups: vec![group.to_owned()],
        }
    }

    /// A group alone: what its members get by being in it.
    pub fn group(name: &str) -> Identity {
        Identity {
            user: None,
            groups: vec![name.to_owned()],
        }
    }

    /// Reads `sa:NS/NAME`, `serviceaccount:NS/NAME`, `system:serviceaccount:NS:NAME`,
    /// `user:NAME`, `group:NAME`, or a bare user name.
    pub fn parse(text: &str) -> Result<Identity, RequestError> {
        let bad = || {
            RequestError(format!(
                "`{text}` is not `sa:NAMESPACE/NAME`, `user:NAME`, `group:NAME` or `system:serviceaccount:NAMESPACE:NAME`"
            ))
        };
        let sa = |ns: &str, name: &str| {
            if ns.is_empty() || name.is_empty() || name.contains([':', '/']) {
                Err(bad())
            } else {
                Ok(Identity::service_account(ns, name))
            }
        };
        if let Some(rest) = text.strip_prefix("system:serviceaccount:") {
            let (ns, name) = rest.split_once(':').ok_or_else(bad)?;
            return sa(ns, name);
        }
        if let Some(rest) = text
            .strip_prefix("sa:")
            .or_else(|| text.strip_prefix("serviceaccount:"))
        {
            let (ns, name) = rest.split_once('/').ok_or_else(bad)?;
            return sa(ns, name);
        }
        if let Some(name) = text.strip_prefix("group:") {
            return if name.is_empty() {
                Err(bad())
            } else {
                Ok(Identity::group(name))
            };
        }
        let name = text.strip_prefix("user:").unwrap_or(text);
        if name.is_empty() {
            return Err(bad());
        }
        Ok(Identity::user(name))
    }

    /// The identity a binding's subject stands for: a service account with its implicit
    /// groups, a user with `system:authenticated` (or `system:unauthenticated`), a group alone.
    pub fn of(subject: &SubjectRef) -> Identity {
        match (subject.kind, &subject.namespace) {
            (SubjectKind::ServiceAccount, Some(ns)) => Identity::service_account(ns, &subject.name),
            (SubjectKind::Group, _) => Identity::group(&subject.name),
            _ => Identity::user(&subject.name),
        }
    }

    /// Adds groups (`--group`), keeping each once.
    pub fn with_groups(mut self, groups: impl IntoIterator<Item = String>) -> Identity {
        for g in groups {
            if !self.groups.contains(&g) {
                self.groups.push(g);
            }
        }
        self
    }

    /// `appliesToUser` of the authorizer. A ServiceAccount subject already carries its
    /// RoleBinding's namespace when it named none (see `add_binding`).
    fn is(&self, subject: &SubjectRef) -> bool {
        match subject.kind {
            SubjectKind::User => self.user.as_deref() == Some(subject.name.as_str()),
            SubjectKind::Group => self.groups.contains(&subject.name),
            SubjectKind::ServiceAccount => {
                let user = self
                    .user
                    .as_deref()
                    .and_then(|u| u.strip_prefix("system:serviceaccount:"))
                    .and_then(|rest| rest.split_once(':'));
                user.is_some_and(|(ns, name)| {
                    subject.namespace.as_deref() == Some(ns) && subject.name == name
                })
            }
        }
    }
}

/// A subject that holds a permission, and every binding it holds it through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holder {
    /// ServiceAccount, User or Group.
    pub kind: SubjectKind,
    /// The subject's name.
    pub name: String,
    /// A service account's namespace.
    pub namespace: Option<String>,
    /// The bindings granting it, sorted.
    pub bindings: Vec<Via>,
}

/// A rule someone holds, with where and through what. Borrowed from the [`Rbac`] it came
/// from: a subject of a large cluster holds hundreds of rules through its groups, and cloning
/// them for every subject dominated asking for all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HeldRule<'a> {
    /// The rule.
    #[serde(flatten)]
    pub rule: &'a Rule,
    /// The binding granting it.
    pub binding: &'a Via,
}

/// The rules someone holds in one scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScopeRules<'a> {
    /// The namespace, or `None` for every namespace and the cluster.
    pub namespace: Option<&'a str>,
    /// The rules, in binding order.
    pub rules: Vec<HeldRule<'a>>,
}

/// How inputs are read.
#[derive(Debug, Clone)]
pub struct RbacOptions {
    /// The namespace of Roles and RoleBindings that name none, as `kubectl apply` would put
    /// them (`default` unless told otherwise).
    pub default_namespace: String,
}

impl Default for RbacOptions {
    fn default() -> RbacOptions {
        RbacOptions {
            default_namespace: "default".to_owned(),
        }
    }
}

#[derive(Debug)]
struct Role {
    rules: Vec<Rule>,
    aggregation: Option<AggregationRule>,
    labels: BTreeMap<String, String>,
    location: Option<Location>,
}

#[derive(Debug)]
struct Binding {
    via: Via,
    subjects: Vec<SubjectRef>,
    /// The role's key in `Rbac::roles`, when it resolved.
    role: Option<RoleKey>,
    location: Location,
}

/// `(namespace, name)`; `None` namespace for ClusterRoles.
type RoleKey = (Option<String>, String);

/// A subject as bindings name it: kind, a service account's namespace, name. Users and
/// groups have no namespace, whatever the binding wrote.
type SubjectKey = (SubjectKind, Option<String>, String);

/// Every role and binding of a set of objects, resolved.
#[derive(Debug, Default)]
pub struct Rbac {
    roles: HashMap<RoleKey, Role>,
    bindings: Vec<Binding>,
    /// Positions in `bindings` of the bindings naming each subject.
    by_subject: HashMap<SubjectKey, Vec<usize>>,
    problems: Vec<Problem>,
}

impl Rbac {
    /// Reads the RBAC objects of `index`, resolves aggregation and role references, and notes
    /// every problem.
    pub fn from_index(index: &ObjectIndex, options: &RbacOptions) -> Rbac {
        let mut rbac = Rbac::default();
        for object in index.objects() {
            if object.group() != RBAC_GROUP {
                continue;
            }
            match object.kind() {
                "Role" | "ClusterRole" => rbac.add_role(object, options),
                "RoleBinding" | "ClusterRoleBinding" => rbac.add_binding(object, options),
                _ => {}
            }
        }
        let admin_key = (None, "cluster-admin".to_owned());
        rbac.roles.entry(admin_key).or_insert_with(|| Role {
            rules: vec![
                Rule {
                    verbs: vec!["*".to_owned()],
                    api_groups: vec!["*".to_owned()],
                    resources: vec!["*".to_owned()],
                    ..Rule::default()
                },
                Rule {
                    verbs: vec!["*".to_owned()],
                    non_resource_urls: vec!["*".to_owned()],
                    ..Rule::default()
                },
            ],
            aggregation: None,
            labels: BTreeMap::new(),
            location: None,
        });
        rbac.aggregate();
        rbac.resolve_bindings();
        rbac.index_subjects();
        rbac.problems.sort();
        rbac
    }

    /// What could not be resolved, sorted by file and line.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    fn problem(&mut self, location: Location, message: String) {
        self.problems.push(Problem { location, message });
    }

    fn add_role(&mut self, object: &Object, options: &RbacOptions) {
        let Some(name) = object.resource.name.clone() else {
            self.problem(
                object.location(),
                format!("{} without a name is ignored", object.kind()),
            );
            return;
        };
        let namespace = (object.kind() == "Role").then(|| {
            object
                .resource
                .namespace
                .clone()
                .unwrap_or_else(|| options.default_namespace.clone())
        });
        let rules = match object.node.get("rules") {
            Some(node) if !node.is_null() => match from_node::<Vec<PolicyRule>>(node) {
                Ok(rules) => distinct(rules.into_iter().map(Rule::from)),
                Err(e) => {
                    self.problem(
                        decode_location(object, node.pos, &e),
                        format!(
                            "{} `{name}` has rules that do not decode ({}); it grants nothing",
                            object.kind(),
                            e.message
                        ),
                    );
                    Vec::new()
                }
            },
            _ => Vec::new(),
        };
        let aggregation = match object.node.get("aggregationRule") {
            Some(node) if !node.is_null() && namespace.is_none() => {
                match from_node::<AggregationRule>(node) {
                    Ok(rule) => Some(rule),
                    Err(e) => {
                        self.problem(
                            decode_location(object, node.pos, &e),
                            format!(
                                "ClusterRole `{name}` has an aggregationRule that does not decode ({})",
                                e.message
                            ),
                        );
                        None
                    }
                }
            }
            _ => None,
        };
        let key = (namespace, name);
        if self.roles.contains_key(&key) {
            let what = describe_key(object.kind(), &key);
            self.problem(
                object.location(),
                format!("{what} is defined again; the first definition is used"),
            );
            return;
        }
        self.roles.insert(
            key,
            Role {
                rules,
                aggregation,
                labels: object.labels.clone(),
                location: Some(object.location()),
            },
        );
    }

    fn add_binding(&mut self, object: &Object, options: &RbacOptions) {
        let kind = if object.kind() == "RoleBinding" {
            BindingKind::RoleBinding
        } else {
            BindingKind::ClusterRoleBinding
        };
        let Some(name) = object.resource.name.clone() else {
            self.problem(
                object.location(),
                format!("{kind} without a name is ignored"),
            );
            return;
        };
        let namespace = (kind == BindingKind::RoleBinding).then(|| {
            object
                .resource
                .namespace
                .clone()
                .unwrap_or_else(|| options.default_namespace.clone())
        });
        let role_ref_node = object.node.get("roleRef");
        let role_ref = match role_ref_node.map(|node| (node.pos, from_node::<RoleRef>(node))) {
            Some((_, Ok(r))) => r,
            Some((pos, Err(e))) => {
                self.problem(
                    decode_location(object, pos, &e),
                    format!(
                        "{kind} `{name}` has a roleRef that does not decode ({}); it grants nothing",
                        e.message
                    ),
                );
                return;
            }
            None => {
                self.problem(
                    object.location(),
                    format!("{kind} `{name}` has no roleRef; it grants nothing"),
                );
                return;
            }
        };
        let mut subjects = Vec::new();
        if let Some(list) = object.node.get("subjects").and_then(|n| n.as_seq()) {
            for node in list {
                let subject =
                    match from_node::<harrier_k8s::k8s_openapi::api::rbac::v1::Subject>(node) {
                        Ok(s) => s,
                        Err(e) => {
                            self.problem(
                                decode_location(object, node.pos, &e),
                                format!(
                                    "{kind} `{name}` has a subject that does not decode ({})",
                                    e.message
                                ),
                            );
                            continue;
                        }
                    };
                let location = Location::new(object.path.clone(), node.pos);
                let subject_kind = match subject.kind.as_str() {
                    "ServiceAccount" => SubjectKind::ServiceAccount,
                    "User" => SubjectKind::User,
                    "Group" => SubjectKind::Group,
                    other => {
                        self.problem(
                            location,
                            format!("{kind} `{name}` has a subject of unknown kind `{other}`; it is ignored"),
                        );
                        continue;
                    }
                };
                let subject_namespace = if subject_kind == SubjectKind::ServiceAccount {
                    let ns = subject
                        .namespace
                        .filter(|ns| !ns.is_empty())
                        .or_else(|| namespace.clone());
                    if ns.is_none() {
                        self.problem(
                            location,
                            format!("{kind} `{name}` names ServiceAccount `{}` without a namespace; it matches no one", subject.name),
                        );
                        continue;
                    }
                    ns
                } else {
                    None
                };
                subjects.push(SubjectRef {
                    kind: subject_kind,
                    name: subject.name,
                    namespace: subject_namespace,
                });
            }
        }
        let scope = namespace.clone();
        self.bindings.push(Binding {
            via: Via {
                kind,
                name,
                namespace,
                role: RoleName {
                    kind: role_ref.kind,
                    name: role_ref.name,
                },
                scope,
            },
            subjects,
            role: None,
            location: object.location(),
        });
    }

    /// Replaces the rules of aggregated ClusterRoles with the union of the rules of the
    /// ClusterRoles their selectors pick, repeated until nothing changes so that aggregated
    /// roles picking aggregated roles settle as the controller's repeated passes would.
    fn aggregate(&mut self) {
        let mut aggregated: Vec<RoleKey> = self
            .roles
            .iter()
            .filter(|(_, role)| role.aggregation.is_some())
            .map(|(key, _)| key.clone())
            .collect();
        aggregated.sort();
        for key in &aggregated {
            if let Some(role) = self.roles.get_mut(key) {
                role.rules.clear();
            }
        }
        let mut cluster_roles: Vec<&RoleKey> =
            self.roles.keys().filter(|(ns, _)| ns.is_none()).collect();
        cluster_roles.sort();
        let cluster_roles: Vec<RoleKey> = cluster_roles.into_iter().cloned().collect();
        let mut invalid = BTreeSet::new();
        // Each pass can only lengthen some rule list, and no list outgrows the union of all
        // rules, so the loop ends; the bound guards against a mistake in that reasoning.
        for _ in 0..=aggregated.len() {
            let mut changed = false;
            for key in &aggregated {
                let Some(selectors) = self
                    .roles
                    .get(key)
                    .and_then(|r| r.aggregation.as_ref())
                    .and_then(|a| a.cluster_role_selectors.clone())
                else {
                    continue;
                };
                let mut rules = self
                    .roles
                    .get(key)
                    .map(|r| r.rules.clone())
                    .unwrap_or_default();
                for selector in &selectors {
                    for other in &cluster_roles {
                        if other == key {
                            continue;
                        }
                        let Some(role) = self.roles.get(other) else {
                            continue;
                        };
                        match crate::selector::matches(selector, &role.labels) {
                            Ok(true) => {
                                for rule in &role.rules {
                                    if !rules.contains(rule) {
                                        rules.push(rule.clone());
                                        changed = true;
                                    }
                                }
                            }
                            Ok(false) => {}
                            Err(e) => {
                                invalid.insert((key.clone(), e.to_string()));
                            }
                        }
                    }
                }
                if let Some(role) = self.roles.get_mut(key) {
                    role.rules = rules;
                }
            }
            if !changed {
                break;
            }
        }
        for (key, why) in invalid {
            let location = self.roles.get(&key).and_then(|r| r.location.clone());
            if let Some(location) = location {
                self.problem(
                    location,
                    format!("ClusterRole `{}` has an invalid aggregation selector ({why}); it selects nothing", key.1),
                );
            }
        }
    }

    /// Finds each binding's role, noting the bindings whose role is missing or of the wrong kind.
    fn index_subjects(&mut self) {
        for (position, binding) in self.bindings.iter().enumerate() {
            for subject in &binding.subjects {
                let key = (
                    subject.kind,
                    subject.namespace.clone(),
                    subject.name.clone(),
                );
                let positions = self.by_subject.entry(key).or_default();
                // A binding naming the same subject twice is indexed once.
                if positions.last() != Some(&position) {
                    positions.push(position);
                }
            }
        }
    }

    fn resolve_bindings(&mut self) {
        let mut problems = Vec::new();
        for binding in &mut self.bindings {
            let via = &binding.via;
            let key = match (via.kind, via.role.kind.as_str()) {
                (_, "ClusterRole") => (None, via.role.name.clone()),
                (BindingKind::RoleBinding, "Role") => {
                    (via.namespace.clone(), via.role.name.clone())
                }
                (BindingKind::ClusterRoleBinding, "Role") => {
                    problems.push(Problem {
                        location: binding.location.clone(),
                        message: format!(
                            "ClusterRoleBinding `{}` refers to Role `{}`, which a ClusterRoleBinding cannot bind; it grants nothing",
                            via.name, via.role.name
                        ),
                    });
                    continue;
                }
                (_, other) => {
                    problems.push(Problem {
                        location: binding.location.clone(),
                        message: format!(
                            "{} `{}` refers to a role of kind `{other}`; it grants nothing",
                            via.kind, via.name
                        ),
                    });
                    continue;
                }
            };
            if self.roles.contains_key(&key) {
                binding.role = Some(key);
            } else {
                let builtin = if key.0.is_none()
                    && (["admin", "edit", "view"].contains(&key.1.as_str())
                        || key.1.starts_with("system:"))
                {
                    " (a role the API server creates, whose rules this analysis does not know)"
                } else {
                    ""
                };
                problems.push(Problem {
                    location: binding.location.clone(),
                    message: format!(
                        "{} `{}` refers to {}, which is not among the inputs{builtin}; it grants nothing here",
                        via.kind,
                        via.name,
                        describe_key(&via.role.kind, &key)
                    ),
                });
            }
        }
        self.problems.extend(problems);
    }

    /// The rules a resolved binding grants.
    fn rules_of(&self, binding: &Binding) -> &[Rule] {
        binding
            .role
            .as_ref()
            .and_then(|key| self.roles.get(key))
            .map_or(&[], |role| role.rules.as_slice())
    }

    /// Whether `binding` can grant `request` at all, by where it applies.
    fn binding_reaches(binding: &Binding, request: &Request) -> bool {
        match binding.via.kind {
            BindingKind::ClusterRoleBinding => true,
            BindingKind::RoleBinding => {
                if request.is_cluster_wide() {
                    return false;
                }
                match request {
                    Request::Resource(r) => r
                        .namespace
                        .as_ref()
                        .is_none_or(|ns| binding.via.namespace.as_ref() == Some(ns)),
                    Request::NonResource { .. } => false,
                }
            }
        }
    }

    /// Every subject granted `request`, with the bindings that grant it, sorted by kind,
    /// namespace and name. A request without a namespace asks "anywhere": RoleBindings of
    /// every namespace answer, each saying where it grants (`scope`).
    pub fn who_can(&self, request: &Request) -> Vec<Holder> {
        let mut holders: BTreeMap<SubjectRef, BTreeSet<Via>> = BTreeMap::new();
        for binding in &self.bindings {
            if !Rbac::binding_reaches(binding, request) {
                continue;
            }
            let rules = self.rules_of(binding);
            if !rules
                .iter()
                .any(|rule| matching::rule_allows(rule, request))
            {
                continue;
            }
            for subject in &binding.subjects {
                holders
                    .entry(subject.clone())
                    .or_default()
                    .insert(binding.via.clone());
            }
        }
        holders
            .into_iter()
            .map(|(subject, bindings)| Holder {
                kind: subject.kind,
                name: subject.name,
                namespace: subject.namespace,
                bindings: bindings.into_iter().collect(),
            })
            .collect()
    }

    /// The object names that rules limited by `resourceNames` would grant `request` for, in
    /// one pass over the bindings: the names worth asking [`Rbac::who_can`] about one by one
    /// (the request's own `name` is ignored). Sorted, each once.
    pub fn named_in(&self, request: &Request) -> Vec<String> {
        let Request::Resource(r) = request else {
            return Vec::new();
        };
        let combined = match &r.subresource {
            Some(sub) => format!("{}/{sub}", r.resource),
            None => r.resource.clone(),
        };
        let subresource = r.subresource.as_deref().unwrap_or("");
        let mut names = BTreeSet::new();
        for binding in &self.bindings {
            if !Rbac::binding_reaches(binding, request) {
                continue;
            }
            for rule in self.rules_of(binding) {
                if !rule.resource_names.is_empty()
                    && matching::verb_matches(rule, &r.verb)
                    && matching::api_group_matches(rule, &r.group)
                    && matching::resource_matches(rule, &combined, subresource)
                {
                    names.extend(rule.resource_names.iter().cloned());
                }
            }
        }
        names.into_iter().collect()
    }

    /// Every rule `identity` holds, grouped by where it holds it: cluster-wide first, then
    /// namespaces in order.
    pub fn can(&self, identity: &Identity) -> Vec<ScopeRules<'_>> {
        // No set of rules already seen: `bindings_of` yields each binding once and a role's
        // rules are distinct (`distinct`, and aggregation adds only new ones), so every
        // (binding, rule) pair is new. Hashing whole rules here took most of the time when a
        // cluster's every subject was asked.
        let mut scopes: BTreeMap<Option<&str>, Vec<HeldRule<'_>>> = BTreeMap::new();
        for binding in self.bindings_of(identity) {
            let scope = binding.via.scope.as_deref();
            let held = scopes.entry(scope).or_default();
            held.extend(self.rules_of(binding).iter().map(|rule| HeldRule {
                rule,
                binding: &binding.via,
            }));
        }
        scopes
            .into_iter()
            .map(|(namespace, rules)| ScopeRules { namespace, rules })
            .collect()
    }

    /// The bindings naming `identity`'s user or one of its groups, in binding order, through
    /// the subject index rather than a pass over every binding.
    fn bindings_of<'a>(&'a self, identity: &Identity) -> impl Iterator<Item = &'a Binding> + 'a {
        let mut positions: Vec<usize> = Vec::new();
        let mut add = |key: &SubjectKey| {
            if let Some(found) = self.by_subject.get(key) {
                positions.extend(found);
            }
        };
        if let Some(user) = &identity.user {
            // A User subject spelling out a service account's user name names it too, as
            // `appliesToUser` compares names.
            add(&(SubjectKind::User, None, user.clone()));
            if let Some((ns, name)) = user
                .strip_prefix("system:serviceaccount:")
                .and_then(|rest| rest.split_once(':'))
            {
                add(&(
                    SubjectKind::ServiceAccount,
                    Some(ns.to_owned()),
                    name.to_owned(),
                ));
            }
        }
        for group in &identity.groups {
            add(&(SubjectKind::Group, None, group.clone()));
        }
        positions.sort_unstable();
        positions.dedup();
        positions.into_iter().filter_map(|i| self.bindings.get(i))
    }

    /// Every subject some binding names, sorted and each once: the subjects whose effective
    /// permissions [`Rbac::can`] (through [`Identity::of`]) can be asked.
    pub fn subjects(&self) -> Vec<SubjectRef> {
        let all: BTreeSet<&SubjectRef> = self.bindings.iter().flat_map(|b| &b.subjects).collect();
        all.into_iter().cloned().collect()
    }

    /// Whether `identity` is granted `request` (`SubjectAccessReview`'s answer).
    pub fn allows(&self, identity: &Identity, request: &Request) -> bool {
        self.bindings.iter().any(|binding| {
            Rbac::binding_reaches(binding, request)
                && binding.subjects.iter().any(|s| identity.is(s))
                && self
                    .rules_of(binding)
                    .iter()
                    .any(|rule| matching::rule_allows(rule, request))
        })
    }
}

/// The rules in their order, each once: a repeated rule grants nothing more, and answers
/// stay short.
fn distinct(rules: impl Iterator<Item = Rule>) -> Vec<Rule> {
    let mut seen = HashSet::new();
    let mut kept = Vec::new();
    for rule in rules {
        if seen.insert(rule.clone()) {
            kept.push(rule);
        }
    }
    kept
}

/// Where a decoding error is: the offending node when the decoder knows it, else the field.
fn decode_location(object: &Object, field: harrier_core::Pos, e: &DeError) -> Location {
    Location::new(object.path.clone(), e.pos.unwrap_or(field))
}

fn describe_key(kind: &str, key: &RoleKey) -> String {
    match &key.0 {
        Some(ns) => format!("{kind} `{ns}/{}`", key.1),
        None => format!("{kind} `{}`", key.1),
    }
}
