use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-NET-003"),
        slug: "service-external-ips",
        title: "Service claims `externalIPs` (CVE-2020-8554)",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[
            Mitre("T1557"),
            Cwe(923),
            Url("https://github.com/kubernetes/kubernetes/issues/97076"),
            Url("https://kubernetes.io/docs/concepts/services-networking/service/#external-ips"),
        ],
        remediation: "Remove `spec.externalIPs`; expose the Service through a LoadBalancer or Ingress instead, and \
                      block the field cluster-wide with the `DenyServiceExternalIPs` admission plugin or a policy.",
        docs: include_str!("service_external_ips.md"),
    },
    run: Run::Object {
        kinds: &["Service"],
        check: run,
    },
};

fn run(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    let Some(spec) = super::service_spec(object) else {
        return;
    };
    let Some(ips) = spec.external_ips.filter(|ips| !ips.is_empty()) else {
        return;
    };
    let listed = ips
        .iter()
        .map(|ip| format!("`{ip}`"))
        .collect::<Vec<_>>()
        .join(", ");
    out.emit(
        FieldPath::root().keys("spec.externalIPs"),
        format!(
            "{} sets `externalIPs` ({listed}): every node redirects traffic for these addresses to the \
             Service's pods, whoever owns them",
            super::describe(object)
        ),
    );
}
