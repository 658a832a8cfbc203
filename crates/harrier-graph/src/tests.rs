//! One test per technique: the edge appears with its evidence when the condition holds, and
//! not when it is absent.

use std::sync::Arc;

use harrier_k8s::{ObjectIndex, load_text};
use harrier_posture::rbac::{Rbac, RbacOptions};

use crate::{Exposure, Graph, Limits, Source, Target, Technique, build, find_paths};

fn graph(text: &str) -> Graph {
    graph_exposed(text, &[])
}

fn graph_exposed(text: &str, exposed: &[&str]) -> Graph {
    let loaded = load_text(Arc::from("test.yaml"), text);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let (index, _) = ObjectIndex::build(loaded.objects);
    let rbac = Rbac::from_index(&index, &RbacOptions::default());
    let exposure: Vec<Exposure> = index
        .objects()
        .iter()
        .enumerate()
        .filter(|(_, o)| exposed.contains(&o.resource.name.as_deref().unwrap_or("")))
        .map(|(i, o)| Exposure {
            workload: i,
            detail: "Service default/web (LoadBalancer) selects its pods".to_owned(),
            via: "Service default/web".to_owned(),
            location: o.location(),
            field: None,
        })
        .collect();
    build(&index, &rbac, &exposure, &crate::BuildOptions::default())
}

/// `from_id -> to_id` of every edge of `technique`, sorted.
fn edges(g: &Graph, technique: Technique) -> Vec<String> {
    let mut out: Vec<String> = g
        .edges()
        .iter()
        .filter(|e| e.technique == technique)
        .map(|e| format!("{} -> {}", g.id_of(e.from), g.id_of(e.to)))
        .collect();
    out.sort();
    out
}

fn evidence(g: &Graph, technique: Technique) -> Vec<String> {
    g.edges()
        .iter()
        .filter(|e| e.technique == technique)
        .filter_map(|e| g.evidence_of(e))
        .map(|ev| match &ev.location {
            Some(l) => format!("{}: {}", l.line, ev.detail),
            None => ev.detail.clone(),
        })
        .collect()
}

const POD: &str = "apiVersion: v1
kind: Pod
metadata: {name: web, namespace: app}
spec:
  serviceAccountName: web
  containers:
  - name: nginx
    image: nginx
";

fn role(ns: &str, rules: &str, sa: &str) -> String {
    format!(
        "---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: r, namespace: {ns}}}
rules: {rules}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: rb, namespace: {ns}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}}
subjects: [{{kind: ServiceAccount, name: {sa}, namespace: {ns}}}]
"
    )
}

fn cluster_role(rules: &str, subject: &str) -> String {
    format!(
        "---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: cr}}
rules: {rules}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{name: crb}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cr}}
subjects: [{subject}]
"
    )
}

const ATTACKER: &str = "{kind: ServiceAccount, name: attacker, namespace: evil}";

#[test]
fn container_of_pod_and_token_steal() {
    let g = graph(POD);
    assert_eq!(
        edges(&g, Technique::ContainerOfPod),
        ["pod:app/web -> container:app/web/nginx"]
    );
    assert_eq!(
        edges(&g, Technique::TokenSteal),
        ["container:app/web/nginx -> sa:app/web"]
    );
    assert!(evidence(&g, Technique::TokenSteal)[0].contains("token of sa app/web is mounted"));
}

#[test]
fn no_token_steal_when_the_token_is_not_mounted() {
    let pod = POD.replace("spec:\n", "spec:\n  automountServiceAccountToken: false\n");
    assert!(edges(&graph(&pod), Technique::TokenSteal).is_empty());
    let sa = "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: app}\nautomountServiceAccountToken: false\n";
    assert!(edges(&graph(&format!("{POD}{sa}")), Technique::TokenSteal).is_empty());
}

#[test]
fn projected_token_volume_is_stolen_through_the_volume() {
    let pod = "apiVersion: v1
kind: Pod
metadata: {name: web, namespace: app}
spec:
  automountServiceAccountToken: false
  serviceAccountName: web
  containers:
  - name: nginx
    image: nginx
    volumeMounts: [{name: tok, mountPath: /var/run/tok}]
  volumes:
  - name: tok
    projected: {sources: [{serviceAccountToken: {path: token}}]}
";
    let g = graph(pod);
    assert_eq!(
        edges(&g, Technique::TokenSteal),
        ["volume:app/web/tok -> sa:app/web"]
    );
    assert_eq!(
        edges(&g, Technique::VolumeMount),
        ["container:app/web/nginx -> volume:app/web/tok"]
    );
}

#[test]
fn privileged_container_escapes_to_its_node() {
    let pod = POD.replace(
        "    image: nginx\n",
        "    image: nginx\n    securityContext: {privileged: true}\n",
    );
    let g = graph(&pod);
    assert_eq!(
        edges(&g, Technique::PrivilegedEscape),
        ["container:app/web/nginx -> node:*"]
    );
    assert_eq!(
        evidence(&g, Technique::PrivilegedEscape),
        ["9: container `nginx` sets securityContext.privileged: true"]
    );
    assert!(edges(&graph(POD), Technique::PrivilegedEscape).is_empty());
    let off = POD.replace(
        "    image: nginx\n",
        "    image: nginx\n    securityContext: {privileged: false}\n",
    );
    assert!(edges(&graph(&off), Technique::PrivilegedEscape).is_empty());
}

#[test]
fn a_named_node_and_daemonsets_on_every_node() {
    let pod = POD.replace("spec:\n", "spec:\n  nodeName: n1\n  hostPID: true\n");
    let ds = "---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      containers: [{name: agent, image: agent}]
";
    let g = graph(&format!("{pod}{ds}"));
    assert_eq!(
        edges(&g, Technique::HostPidEscape),
        ["container:app/web/nginx -> node:n1"]
    );
    assert_eq!(
        edges(&g, Technique::NodeRunsPod),
        [
            "node:* -> pod:daemonset:kube-system/agent",
            "node:n1 -> pod:app/web",
            "node:n1 -> pod:daemonset:kube-system/agent",
        ]
    );
    assert_eq!(
        edges(&g, Technique::WorkloadTemplate),
        ["workload:daemonset:kube-system/agent -> pod:daemonset:kube-system/agent"]
    );
}

#[test]
fn host_namespaces() {
    let pod = POD.replace("spec:\n", "spec:\n  hostNetwork: true\n  hostIPC: true\n");
    let g = graph(&pod);
    assert_eq!(
        edges(&g, Technique::HostNetwork),
        ["container:app/web/nginx -> node:*"]
    );
    assert_eq!(
        edges(&g, Technique::HostIpc),
        ["container:app/web/nginx -> node:*"]
    );
    assert!(edges(&g, Technique::HostPidEscape).is_empty());
}

#[test]
fn host_paths_and_runtime_sockets() {
    let pod = "apiVersion: v1
kind: Pod
metadata: {name: web, namespace: app}
spec:
  containers:
  - name: nginx
    image: nginx
    volumeMounts: [{name: root, mountPath: /host}, {name: sock, mountPath: /s}, {name: data, mountPath: /d}]
  - name: idle
    image: busybox
  volumes:
  - {name: root, hostPath: {path: /}}
  - {name: sock, hostPath: {path: /run/containerd/containerd.sock}}
  - {name: data, hostPath: {path: /srv/data}}
";
    let g = graph(pod);
    assert_eq!(
        edges(&g, Technique::VolumeMount),
        [
            "container:app/web/nginx -> volume:app/web/root",
            "container:app/web/nginx -> volume:app/web/sock",
        ]
    );
    assert_eq!(
        edges(&g, Technique::HostPathEscape),
        ["volume:app/web/root -> node:*"]
    );
    assert_eq!(
        edges(&g, Technique::RuntimeSocketEscape),
        ["volume:app/web/sock -> node:*"]
    );
    assert_eq!(
        evidence(&g, Technique::HostPathEscape),
        ["12: volume `root` is host path `/`: the host's whole filesystem"]
    );
}

#[test]
fn escaping_capabilities() {
    let with = |caps: &str, pid: bool| {
        let pod = POD.replace(
            "    image: nginx\n",
            &format!(
                "    image: nginx\n    securityContext: {{capabilities: {{add: [{caps}]}}}}\n"
            ),
        );
        let pod = if pid {
            pod.replace("spec:\n", "spec:\n  hostPID: true\n")
        } else {
            pod
        };
        edges(&graph(&pod), Technique::CapabilityEscape)
    };
    assert_eq!(
        with("CAP_SYS_ADMIN", false),
        ["container:app/web/nginx -> node:*"]
    );
    assert_eq!(
        with("sys_module", false),
        ["container:app/web/nginx -> node:*"]
    );
    assert!(with("SYS_PTRACE", false).is_empty());
    assert_eq!(
        with("SYS_PTRACE", true),
        ["container:app/web/nginx -> node:*"]
    );
    assert!(with("NET_BIND_SERVICE", false).is_empty());
}

#[test]
fn pod_exec_attach_port_forward_and_ephemeral_containers_stay_in_their_namespace() {
    let other = POD.replace("namespace: app", "namespace: other");
    let rules = r#"[{apiGroups: [""], resources: [pods/exec, pods/attach, pods/portforward, pods/ephemeralcontainers], verbs: [create, patch]}]"#;
    let g = graph(&format!("{POD}---\n{other}{}", role("app", rules, "ops")));
    for t in [
        Technique::PodExec,
        Technique::PodAttach,
        Technique::PodPortForward,
        Technique::EphemeralContainer,
    ] {
        assert_eq!(edges(&g, t), ["sa:app/ops -> pod:app/web"], "{t}");
    }
    let ev = &g
        .edges()
        .iter()
        .find(|e| e.technique == Technique::PodExec)
        .and_then(|e| g.evidence_of(e))
        .cloned();
    let ev = ev.as_ref().map(|e| {
        (
            e.detail.clone(),
            e.bindings.len(),
            e.location.as_ref().map(|l| l.line),
        )
    });
    assert_eq!(
        ev,
        Some((
            "may create pods/exec in namespace app through RoleBinding app/rb → Role r".to_owned(),
            1,
            Some(24)
        ))
    );
}

#[test]
fn cluster_wide_exec_reaches_every_namespace() {
    let other = POD.replace("namespace: app", "namespace: other");
    let rules = r#"[{apiGroups: [""], resources: [pods/exec], verbs: [create]}]"#;
    let g = graph(&format!(
        "{POD}---\n{other}{}",
        cluster_role(rules, ATTACKER)
    ));
    assert_eq!(
        edges(&g, Technique::PodExec),
        [
            "sa:evil/attacker -> pod:app/web",
            "sa:evil/attacker -> pod:other/web"
        ]
    );
}

#[test]
fn creating_pods_or_controllers_runs_as_any_account_of_the_namespace() {
    let rules = r#"[{apiGroups: [apps], resources: [deployments], verbs: [create]}]"#;
    let sa =
        "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: builder, namespace: app}\n";
    let g = graph(&format!("{POD}{sa}{}", role("app", rules, "ops")));
    assert_eq!(
        edges(&g, Technique::PodCreate),
        ["sa:app/ops -> sa:app/builder", "sa:app/ops -> sa:app/web"]
    );
    assert_eq!(
        edges(&g, Technique::PrivilegedPodCreate),
        ["sa:app/ops -> node:*"]
    );
    // Pod Security admission enforcing baseline forbids the privileged pod.
    let ns = "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: app, labels: {pod-security.kubernetes.io/enforce: baseline}}\n";
    let g = graph(&format!("{POD}{ns}{}", role("app", rules, "ops")));
    assert!(edges(&g, Technique::PrivilegedPodCreate).is_empty());
    assert!(!edges(&g, Technique::PodCreate).is_empty());
    // Reading pods is no creation.
    let g = graph(&format!(
        "{POD}{}",
        role(
            "app",
            r#"[{apiGroups: [""], resources: [pods], verbs: [get, list]}]"#,
            "ops"
        )
    ));
    assert!(edges(&g, Technique::PodCreate).is_empty());
}

#[test]
fn patching_a_controller_reaches_its_pods() {
    let dep = "apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: app}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec: {containers: [{name: api, image: api}]}
";
    let rules = r#"[{apiGroups: [apps], resources: [deployments], verbs: [patch]}]"#;
    let g = graph(&format!("{dep}{}", role("app", rules, "ops")));
    assert_eq!(
        edges(&g, Technique::WorkloadPatch),
        ["sa:app/ops -> workload:deployment:app/api"]
    );
    let rules = r#"[{apiGroups: [apps], resources: [statefulsets], verbs: [patch]}]"#;
    assert!(
        edges(
            &graph(&format!("{dep}{}", role("app", rules, "ops"))),
            Technique::WorkloadPatch
        )
        .is_empty()
    );
}

#[test]
fn reading_secrets_and_token_secrets() {
    let secret = "---
apiVersion: v1
kind: Secret
metadata:
  name: ci-token
  namespace: app
  annotations: {kubernetes.io/service-account.name: ci}
type: kubernetes.io/service-account-token
---
apiVersion: v1
kind: Secret
metadata: {name: plain, namespace: app}
type: Opaque
";
    let rules = r#"[{apiGroups: [""], resources: [secrets], verbs: [get]}]"#;
    let g = graph(&format!("{POD}{secret}{}", role("app", rules, "ops")));
    assert_eq!(
        edges(&g, Technique::SecretRead),
        ["sa:app/ops -> secrets:app/*"]
    );
    assert_eq!(
        edges(&g, Technique::SecretToken),
        ["secrets:app/* -> sa:app/ci"]
    );
    // A secret named in resourceNames is not every secret.
    let rules =
        r#"[{apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: [plain]}]"#;
    assert!(
        edges(
            &graph(&format!("{POD}{}", role("app", rules, "ops"))),
            Technique::SecretRead
        )
        .is_empty()
    );
}

#[test]
fn token_requests_and_impersonation() {
    let rules = r#"[{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}, {apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate]}]"#;
    let g = graph(&format!("{POD}{}", role("app", rules, "ops")));
    assert_eq!(
        edges(&g, Technique::TokenCreate),
        ["sa:app/ops -> sa:app/web"]
    );
    assert_eq!(
        edges(&g, Technique::IdentityImpersonate),
        ["sa:app/ops -> sa:app/web"]
    );
    let users = r#"[{apiGroups: [""], resources: [users, groups], verbs: [impersonate]}]"#;
    let other = "---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: alice}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cr}
subjects: [{kind: User, name: alice}]
";
    let g = graph(&format!("{}{other}", cluster_role(users, ATTACKER)));
    assert!(
        edges(&g, Technique::IdentityImpersonate)
            .contains(&"sa:evil/attacker -> user:alice".to_owned())
    );
    // alice is bound to the same role.
    assert_eq!(
        edges(&g, Technique::ImpersonateMasters),
        [
            "sa:evil/attacker -> cluster-admin",
            "user:alice -> cluster-admin"
        ]
    );
    // A RoleBinding cannot grant impersonation of users.
    let g = graph(&role("app", users, "ops"));
    assert!(edges(&g, Technique::ImpersonateMasters).is_empty());
}

#[test]
fn impersonation_limited_to_a_name() {
    let rules =
        r#"[{apiGroups: [""], resources: [users], verbs: [impersonate], resourceNames: [alice]}]"#;
    let alice = "---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: alice}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: User, name: alice}, {kind: User, name: bob}]
";
    let g = graph(&format!("{}{alice}", cluster_role(rules, ATTACKER)));
    let from_attacker: Vec<String> = edges(&g, Technique::IdentityImpersonate)
        .into_iter()
        .filter(|e| e.starts_with("sa:evil/attacker"))
        .collect();
    assert_eq!(from_attacker, ["sa:evil/attacker -> user:alice"]);
}

#[test]
fn bind_and_escalate_lead_to_admin_of_their_scope() {
    let bind = r#"[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}, {apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings, rolebindings], verbs: [create]}]"#;
    let g = graph(&cluster_role(bind, ATTACKER));
    assert!(
        edges(&g, Technique::RoleBind).contains(&"sa:evil/attacker -> cluster-admin".to_owned())
    );
    let in_ns = r#"[{apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [bind]}, {apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}]"#;
    let g = graph(&format!("{POD}{}", role("app", in_ns, "ops")));
    assert_eq!(
        edges(&g, Technique::RoleBind),
        ["sa:app/ops -> namespace-admin:app/*"]
    );
    assert!(
        edges(&g, Technique::NamespaceAdmin)
            .contains(&"namespace-admin:app/* -> secrets:app/*".to_owned())
    );
    // bind without creating bindings is nothing.
    let only_bind =
        r#"[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}]"#;
    assert!(
        edges(
            &graph(&cluster_role(only_bind, ATTACKER)),
            Technique::RoleBind
        )
        .is_empty()
    );
    let escalate = r#"[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate, update]}]"#;
    assert_eq!(
        edges(
            &graph(&cluster_role(escalate, ATTACKER)),
            Technique::RoleEscalate
        ),
        ["sa:evil/attacker -> cluster-admin"]
    );
}

#[test]
fn wildcards_are_admin_equivalents() {
    let all = r#"[{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]"#;
    assert_eq!(
        edges(
            &graph(&cluster_role(all, ATTACKER)),
            Technique::AdminEquivalent
        ),
        ["sa:evil/attacker -> cluster-admin"]
    );
    assert_eq!(
        edges(&graph(&role("app", all, "ops")), Technique::AdminEquivalent),
        ["sa:app/ops -> namespace-admin:app/*"]
    );
    let most = r#"[{apiGroups: ["*"], resources: ["*"], verbs: [get, list]}]"#;
    assert!(
        edges(
            &graph(&cluster_role(most, ATTACKER)),
            Technique::AdminEquivalent
        )
        .is_empty()
    );
}

#[test]
fn kubelet_proxy_webhooks_and_certificates() {
    let pod = POD.replace("spec:\n", "spec:\n  nodeName: n1\n");
    let rules = r#"[{apiGroups: [""], resources: [nodes/proxy], verbs: [get]}, {apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations, validatingwebhookconfigurations], verbs: [create]}, {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests, certificatesigningrequests/approval, signers], verbs: [create, update, approve]}]"#;
    let g = graph(&format!("{pod}{}", cluster_role(rules, ATTACKER)));
    assert_eq!(
        edges(&g, Technique::KubeletProxy),
        ["sa:evil/attacker -> node:*", "sa:evil/attacker -> node:n1"]
    );
    assert!(
        edges(&g, Technique::MutatingWebhook)
            .contains(&"sa:evil/attacker -> sa:app/web".to_owned())
    );
    assert!(
        edges(&g, Technique::ValidatingWebhook)
            .contains(&"sa:evil/attacker -> secrets:kube-system/*".to_owned())
    );
    assert!(
        edges(&g, Technique::CsrSign)
            .contains(&"sa:evil/attacker -> group:system:authenticated".to_owned())
    );
    // Creating CSRs without approving them is nothing.
    let create_only = r#"[{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [create]}]"#;
    assert!(
        edges(
            &graph(&cluster_role(create_only, ATTACKER)),
            Technique::CsrSign
        )
        .is_empty()
    );
}

#[test]
fn group_membership_and_anonymous_access() {
    let rules = r#"[{apiGroups: [""], resources: [secrets], verbs: [list]}]"#;
    let g = graph(&format!(
        "{POD}{}",
        cluster_role(rules, "{kind: Group, name: system:serviceaccounts:app}")
    ));
    let member = edges(&g, Technique::MemberOf);
    assert!(
        member.contains(&"sa:app/web -> group:system:serviceaccounts:app".to_owned()),
        "{member:?}"
    );
    assert!(member.contains(&"sa:app/web -> group:system:authenticated".to_owned()));
    let found = crate::find_paths(
        &g,
        &[Source::Pod {
            namespace: "app".into(),
            name: "web".into(),
        }],
        &[Target::KubeSystemSecrets],
        &Limits::default(),
    )
    .map(|r| r.paths.iter().map(|p| p.length).collect::<Vec<_>>());
    assert_eq!(found, Ok(vec![4]));
    let g = graph(&cluster_role(
        rules,
        "{kind: Group, name: system:unauthenticated}",
    ));
    assert_eq!(
        edges(&g, Technique::AnonymousAccess),
        ["internet -> group:system:unauthenticated"]
    );
}

#[test]
fn node_credentials_when_a_binding_names_nodes() {
    let pod = POD.replace("spec:\n", "spec:\n  nodeName: n1\n");
    let rules = r#"[{apiGroups: [""], resources: [secrets], verbs: [get]}]"#;
    let g = graph(&format!(
        "{pod}{}",
        cluster_role(rules, "{kind: Group, name: system:nodes}")
    ));
    assert_eq!(
        edges(&g, Technique::NodeCredentials),
        ["node:n1 -> user:system:node:n1"]
    );
    assert!(edges(&graph(&pod), Technique::NodeCredentials).is_empty());
}

#[test]
fn exposed_pods_are_reached_from_the_internet() {
    let g = graph_exposed(POD, &["web"]);
    assert_eq!(
        edges(&g, Technique::ExposedService),
        ["internet -> pod:app/web"]
    );
    assert!(edges(&graph(POD), Technique::ExposedService).is_empty());
}

#[test]
fn exposure_analysis_routes_become_entry_points() {
    let svc = "---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: app}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80}]
";
    let pod = POD.replace(
        "metadata: {name: web, namespace: app}",
        "metadata: {name: web, namespace: app, labels: {app: web}}",
    );
    let loaded = load_text(Arc::from("test.yaml"), &format!("{pod}{svc}"));
    let (index, _) = ObjectIndex::build(loaded.objects);
    let rbac = Rbac::from_index(&index, &RbacOptions::default());
    let exposure = crate::exposures(&harrier_posture::exposure::analyse(&index));
    let g = build(&index, &rbac, &exposure, &crate::BuildOptions::default());
    assert_eq!(
        edges(&g, Technique::ExposedService),
        ["internet -> pod:app/web"]
    );
    let ev = evidence(&g, Technique::ExposedService);
    assert_eq!(
        ev,
        [
            "14: load-balancer: LoadBalancer Service `web`, from any address, 80/TCP → port 80 → Pod `web`"
        ]
    );
    // A ClusterIP Service is no entry point.
    let internal = svc.replace("  type: LoadBalancer\n", "");
    let loaded = load_text(Arc::from("test.yaml"), &format!("{pod}{internal}"));
    let (index, _) = ObjectIndex::build(loaded.objects);
    assert!(crate::exposures(&harrier_posture::exposure::analyse(&index)).is_empty());
}

#[test]
fn a_chain_from_the_internet_to_cluster_admin() {
    let rules = r#"[{apiGroups: [""], resources: [pods], verbs: [create]}]"#;
    let admin = "---
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: app}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: deployer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: deployer, namespace: app}]
";
    let text = format!("{POD}{admin}{}", role("app", rules, "web"));
    let g = graph_exposed(&text, &["web"]);
    let result = find_paths(
        &g,
        &[Source::Internet],
        &[Target::ClusterAdmin],
        &Limits::default(),
    );
    let Ok(result) = result else {
        panic!("{result:?}");
    };
    let chain: Vec<String> = result.paths[0]
        .hops
        .iter()
        .map(|h| format!("{} {}", h.technique, h.to_id))
        .collect();
    assert_eq!(
        chain,
        [
            "ENDPOINT_EXPLOIT pod:app/web",
            "CONTAINER_ATTACH container:app/web/nginx",
            "TOKEN_STEAL sa:app/web",
            "POD_CREATE sa:app/deployer",
            "ADMIN_EQUIVALENT cluster-admin",
        ]
    );
    assert!(!result.truncated.any());
    // The depth cap cuts it, and says so.
    let short = Limits {
        max_depth: 3,
        ..Limits::default()
    };
    let capped = find_paths(&g, &[Source::Internet], &[Target::ClusterAdmin], &short)
        .map(|r| (r.paths.len(), r.truncated.depth));
    assert_eq!(capped, Ok((0, true)));
}

#[test]
fn sources_and_targets_parse() {
    assert_eq!("internet".parse(), Ok(Source::Internet));
    assert_eq!(
        "pod:ns/web".parse(),
        Ok(Source::Pod {
            namespace: "ns".into(),
            name: "web".into()
        })
    );
    assert!("pod:web".parse::<Source>().is_err());
    assert!("sa:/x".parse::<Source>().is_err());
    assert_eq!("kube-system-secrets".parse(), Ok(Target::KubeSystemSecrets));
    assert!("everything".parse::<Target>().is_err());
}

#[test]
fn an_unknown_source_is_an_error() {
    let g = graph(POD);
    let r = find_paths(
        &g,
        &[Source::Pod {
            namespace: "app".into(),
            name: "nope".into(),
        }],
        &[Target::Nodes],
        &Limits::default(),
    );
    assert!(r.is_err());
}

#[test]
fn the_deadline_stops_the_search_and_says_so() {
    // Enough pods for the walk to look at the clock (every 1,024 vertices).
    let mut text = String::new();
    for i in 0..700 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: app}}\nspec: {{containers: [{{name: c, image: i, securityContext: {{privileged: true}}}}]}}\n"
        ));
    }
    let g = graph(&text);
    let limits = Limits {
        timeout: std::time::Duration::ZERO,
        ..Limits::default()
    };
    let r = find_paths(&g, &[Source::AllPods], &[Target::Nodes], &limits);
    assert!(
        r.as_ref().is_ok_and(|r| r.truncated.time),
        "{:?}",
        r.map(|r| r.truncated)
    );
    let r = find_paths(&g, &[Source::AllPods], &[Target::Nodes], &Limits::default());
    assert_eq!(
        r.map(|r| (r.paths.len(), r.truncated.any())),
        Ok((100, true))
    );
}
