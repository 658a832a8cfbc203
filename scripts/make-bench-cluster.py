#!/usr/bin/env python3
"""Writes a generated cluster, as one multi-document manifest, for the RBAC, exposure and
attack-path benchmarks.

    make-bench-cluster.py OUT.yaml [--pods 10000] [--service-accounts 2000] [--bindings 5000]
                                   [--namespaces 100] [--nodes 50] [--seed 1]

The defaults are the cluster issue 5 measures on: 100 namespaces, 2,000 ServiceAccounts,
10,000 Pods on 50 Nodes, 500 Roles, 100 ClusterRoles (10 aggregated), 5,000 RoleBindings and
ClusterRoleBindings, 1,000 Services (LoadBalancer, NodePort, externalIPs, ClusterIP), 300
Ingresses, 200 NetworkPolicies and the service-account token Secrets of kube-system.

Its shape follows what makes real clusters hard, not what makes them easy: most roles are
narrow, a few grant secrets, pod creation, exec, impersonation or escalation; a handful of
pods are privileged, mount the host or the runtime socket; a few accounts are bound to
cluster-admin; some pods opt out of their token. A fixed seed makes two runs identical, so
figures from different machines or commits compare. Nothing here is committed data: the file
is made on the machine that measures.
"""

import argparse
import random
import sys

RESOURCES = [
    ("", "pods"),
    ("", "configmaps"),
    ("", "services"),
    ("", "endpoints"),
    ("apps", "deployments"),
    ("batch", "jobs"),
    ("", "persistentvolumeclaims"),
    ("", "events"),
]
RISKY_RULES = [
    '{apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"]}',
    '{apiGroups: [""], resources: ["pods"], verbs: ["create"]}',
    '{apiGroups: [""], resources: ["pods/exec"], verbs: ["create", "get"]}',
    '{apiGroups: ["apps"], resources: ["deployments"], verbs: ["create", "patch"]}',
    '{apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"]}',
    '{apiGroups: [""], resources: ["pods/portforward"], verbs: ["create"]}',
]
CLUSTER_RISKY_RULES = [
    '{apiGroups: [""], resources: ["secrets"], verbs: ["list", "watch"]}',
    '{apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles", "roles"], verbs: ["escalate", "bind"]}',
    '{apiGroups: [""], resources: ["users", "groups", "serviceaccounts"], verbs: ["impersonate"]}',
    '{apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get", "create"]}',
    '{apiGroups: ["admissionregistration.k8s.io"], resources: ["mutatingwebhookconfigurations"], verbs: ["create", "update"]}',
]
VERBS = ["get", "list", "watch", "create", "update", "delete"]


def doc(out, text):
    out.write("---\n")
    out.write(text)


def namespaces(out, args):
    for n in range(args.namespaces):
        doc(out, f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: ns-{n}}}\n")
    doc(out, "apiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}\n")


def nodes(out, args):
    for n in range(args.nodes):
        doc(
            out,
            f"apiVersion: v1\nkind: Node\nmetadata:\n  name: node-{n}\n"
            f"  labels: {{kubernetes.io/hostname: node-{n}}}\n",
        )


def service_accounts(out, args, rng):
    per_ns = max(1, args.service_accounts // args.namespaces)
    for n in range(args.namespaces):
        for s in range(per_ns):
            opt_out = "automountServiceAccountToken: false\n" if rng.random() < 0.1 else ""
            doc(
                out,
                f"apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: sa-{s}, namespace: ns-{n}}}\n{opt_out}",
            )
    for s in range(20):
        doc(out, f"apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: controller-{s}, namespace: kube-system}}\n")
        doc(
            out,
            f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: controller-{s}-token\n  namespace: kube-system\n"
            f"  annotations: {{kubernetes.io/service-account.name: controller-{s}}}\n"
            "type: kubernetes.io/service-account-token\n",
        )
    return per_ns


def pod_spec(rng, account, node, pod):
    extra = []
    container_extra = []
    roll = rng.random()
    if roll < 0.02:
        container_extra.append("securityContext: {privileged: true}")
    elif roll < 0.03:
        extra.append("hostPID: true")
    elif roll < 0.04:
        extra.append("volumes: [{name: host, hostPath: {path: /}}]")
        container_extra.append("volumeMounts: [{name: host, mountPath: /host}]")
    elif roll < 0.05:
        extra.append("volumes: [{name: sock, hostPath: {path: /var/run/docker.sock}}]")
        container_extra.append("volumeMounts: [{name: sock, mountPath: /var/run/docker.sock}]")
    elif roll < 0.06:
        extra.append("hostNetwork: true")
    elif roll < 0.16:
        extra.append("automountServiceAccountToken: false")
    lines = [
        f"  serviceAccountName: {account}",
        f"  nodeName: {node}",
        *("  " + e for e in extra),
        "  containers:",
        f"  - name: app\n    image: registry.example/app-{pod % 97}:1.{pod % 13}",
        "    ports: [{containerPort: 8080, name: http}]",
        *("    " + c for c in container_extra),
    ]
    return "\n".join(lines) + "\n"


def pods(out, args, rng, per_ns):
    per_ns_pods = max(1, args.pods // args.namespaces)
    for n in range(args.namespaces):
        for p in range(per_ns_pods):
            pod = n * per_ns_pods + p
            account = f"sa-{rng.randrange(per_ns)}"
            node = f"node-{rng.randrange(args.nodes)}"
            doc(
                out,
                f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: pod-{p}\n  namespace: ns-{n}\n"
                f"  labels: {{app: app-{p % 10}, tier: t-{p % 3}}}\nspec:\n"
                + pod_spec(rng, account, node, pod),
            )


def services(out, args, rng):
    for n in range(args.namespaces):
        for s in range(10):
            roll = rng.random()
            kind = "ClusterIP"
            extra = ""
            if roll < 0.05:
                kind = "LoadBalancer"
            elif roll < 0.10:
                kind = "NodePort"
            elif roll < 0.12:
                extra = "  externalIPs: [203.0.113.%d]\n" % rng.randrange(1, 250)
            doc(
                out,
                f"apiVersion: v1\nkind: Service\nmetadata: {{name: svc-{s}, namespace: ns-{n}}}\nspec:\n"
                f"  type: {kind}\n  selector: {{app: app-{s}}}\n"
                "  ports: [{port: 80, targetPort: http}]\n" + extra,
            )
        for i in range(3):
            doc(
                out,
                f"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: ing-{i}, namespace: ns-{n}}}\n"
                "spec:\n  rules:\n"
                f"  - host: app-{i}.ns-{n}.example.com\n    http:\n      paths:\n"
                f"      - {{path: /, pathType: Prefix, backend: {{service: {{name: svc-{i}, port: {{number: 80}}}}}}}}\n",
            )
        for i in range(2):
            if i == 0 and n % 2 == 0:
                spec = "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n"
            else:
                spec = (
                    f"  podSelector: {{matchLabels: {{app: app-{i}}}}}\n  policyTypes: [Ingress]\n"
                    "  ingress:\n  - from: [{podSelector: {matchLabels: {tier: t-0}}}]\n"
                )
            doc(
                out,
                f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: np-{i}, namespace: ns-{n}}}\n"
                f"spec:\n{spec}",
            )


def roles(out, args, rng):
    role_count = 500
    cluster_role_count = 100
    for r in range(role_count):
        rules = []
        for _ in range(rng.randrange(1, 5)):
            group, resource = rng.choice(RESOURCES)
            verbs = sorted(set(rng.sample(VERBS, rng.randrange(1, 4))))
            names = ", resourceNames: [special]" if rng.random() < 0.08 else ""
            rules.append(
                f'- {{apiGroups: ["{group}"], resources: ["{resource}"], verbs: [{", ".join(verbs)}]{names}}}'
            )
        if rng.random() < 0.25:
            rules.append("- " + rng.choice(RISKY_RULES))
        doc(
            out,
            f"apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: role-{r}, namespace: ns-{r % args.namespaces}}}\n"
            "rules:\n" + "\n".join(rules) + "\n",
        )
    for c in range(cluster_role_count):
        labels = f"\n  labels: {{aggregate-to-cr-{c % 10}: \"true\"}}" if c >= 10 else ""
        if c < 10:
            doc(
                out,
                f"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr-{c}\n"
                f"aggregationRule:\n  clusterRoleSelectors: [{{matchLabels: {{aggregate-to-cr-{c}: \"true\"}}}}]\nrules: []\n",
            )
            continue
        group, resource = rng.choice(RESOURCES)
        rules = [f'- {{apiGroups: ["{group}"], resources: ["{resource}"], verbs: [get, list, watch]}}']
        if rng.random() < 0.1:
            rules.append("- " + rng.choice(CLUSTER_RISKY_RULES))
        doc(
            out,
            f"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr-{c}{labels}\n"
            "rules:\n" + "\n".join(rules) + "\n",
        )
    return role_count, cluster_role_count


def bindings(out, args, rng, per_ns, role_count, cluster_role_count):
    for b in range(args.bindings):
        n = rng.randrange(args.namespaces)
        subjects = [
            f"- {{kind: ServiceAccount, name: sa-{rng.randrange(per_ns)}, namespace: ns-{n}}}"
            for _ in range(rng.randrange(1, 4))
        ]
        if rng.random() < 0.05:
            subjects.append(f"- {{kind: User, name: user-{rng.randrange(200)}, apiGroup: rbac.authorization.k8s.io}}")
        if rng.random() < 0.02:
            subjects.append(f"- {{kind: Group, name: system:serviceaccounts:ns-{n}, apiGroup: rbac.authorization.k8s.io}}")
        if b % 50 == 0:
            kind = "ClusterRoleBinding"
            meta = f"{{name: crb-{b}}}"
            role = "cluster-admin" if b % 1000 == 0 else f"cr-{rng.randrange(cluster_role_count)}"
            ref = f"{{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {role}}}"
        elif b % 5 == 0:
            kind = "RoleBinding"
            meta = f"{{name: rb-{b}, namespace: ns-{n}}}"
            ref = f"{{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cr-{rng.randrange(cluster_role_count)}}}"
        else:
            # A Role of this namespace when there is one; Roles are spread round-robin.
            candidates = [r for r in range(n, role_count, args.namespaces)]
            kind = "RoleBinding"
            meta = f"{{name: rb-{b}, namespace: ns-{n}}}"
            ref = f"{{apiGroup: rbac.authorization.k8s.io, kind: Role, name: role-{rng.choice(candidates)}}}"
        doc(
            out,
            f"apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata: {meta}\nroleRef: {ref}\n"
            "subjects:\n" + "\n".join(subjects) + "\n",
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--service-accounts", type=int, default=2_000)
    parser.add_argument("--bindings", type=int, default=5_000)
    parser.add_argument("--namespaces", type=int, default=100)
    parser.add_argument("--nodes", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.namespaces < 1 or args.nodes < 1:
        sys.exit("--namespaces and --nodes must be at least 1")
    rng = random.Random(args.seed)
    with open(args.out, "w", encoding="utf-8") as out:
        namespaces(out, args)
        nodes(out, args)
        per_ns = service_accounts(out, args, rng)
        pods(out, args, rng, per_ns)
        services(out, args, rng)
        role_count, cluster_role_count = roles(out, args, rng)
        bindings(out, args, rng, per_ns, role_count, cluster_role_count)


if __name__ == "__main__":
    main()
