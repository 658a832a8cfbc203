use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-NET-004"),
        slug: "ingress-without-tls",
        title: "Ingress serves hosts without TLS",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[
            Nsa("Network separation and hardening: encrypt traffic"),
            Mitre("T1557"),
            Cwe(319),
            Url("https://kubernetes.io/docs/concepts/services-networking/ingress/#tls"),
        ],
        remediation: "Add a `spec.tls` entry whose `hosts` cover every host of the Ingress's rules, with the \
                      certificate in `secretName` (or issued by cert-manager).",
        docs: include_str!("ingress_without_tls.md"),
    },
    run: Run::Object {
        kinds: &["Ingress"],
        check: run,
    },
};

fn run(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    let Some(spec) = super::ingress_spec(object) else {
        return;
    };
    let name = super::describe(object);
    let rules = spec.rules.unwrap_or_default();
    let tls = spec.tls.unwrap_or_default();
    if tls.is_empty() {
        // `spec.backend` is the `extensions/v1beta1` spelling of `defaultBackend`.
        let serves = !rules.is_empty()
            || spec.default_backend.is_some()
            || object.node.get_path("spec.backend").is_some();
        if !serves {
            return;
        }
        let hosts: Vec<String> = rules
            .iter()
            .filter_map(|r| r.host.as_deref())
            .map(|h| format!("`{h}`"))
            .collect();
        let what = if hosts.is_empty() {
            "all hosts".to_owned()
        } else {
            hosts.join(", ")
        };
        out.emit(
            FieldPath::root().keys("spec.tls"),
            format!("{name} has no `spec.tls`, so it serves {what} over plain HTTP"),
        );
        return;
    }
    // A TLS entry without `hosts` applies to the controller's wildcard host, covering every rule.
    if tls
        .iter()
        .any(|t| t.hosts.as_ref().is_none_or(Vec::is_empty))
    {
        return;
    }
    let covered: Vec<&str> = tls
        .iter()
        .flat_map(|t| t.hosts.iter().flatten())
        .map(String::as_str)
        .collect();
    for (i, rule) in rules.iter().enumerate() {
        let Some(host) = rule.host.as_deref() else {
            continue;
        };
        if !covered.iter().any(|pattern| host_matches(pattern, host)) {
            out.emit(
                FieldPath::root().keys("spec.rules").index(i).key("host"),
                format!(
                    "{name} serves host `{host}`, which no `spec.tls` entry covers, over plain HTTP"
                ),
            );
        }
    }
}

/// Whether a TLS host (exact, or `*.example.com` for one more label) covers a rule's host.
fn host_matches(pattern: &str, host: &str) -> bool {
    if pattern.eq_ignore_ascii_case(host) {
        return true;
    }
    let Some(suffix) = pattern.strip_prefix("*.") else {
        return false;
    };
    host.split_once('.').is_some_and(|(label, rest)| {
        !label.is_empty() && label != "*" && rest.eq_ignore_ascii_case(suffix)
    })
}

#[cfg(test)]
mod tests {
    use super::host_matches;

    #[test]
    fn wildcard_tls_hosts_cover_one_label() {
        assert!(host_matches("shop.example.com", "Shop.Example.com"));
        assert!(host_matches("*.example.com", "shop.example.com"));
        assert!(host_matches("*.example.com", "*.example.com"));
        assert!(!host_matches("*.example.com", "a.shop.example.com"));
        assert!(!host_matches("*.example.com", "example.com"));
        assert!(!host_matches("example.com", "shop.example.com"));
    }
}
