use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-RBAC-001"),
        slug: "rbac-wildcard-rule",
        title: "Role or ClusterRole rule uses a wildcard",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[
            Cis("5.1.3"),
            Nsa("Authentication and authorization: RBAC"),
            Mitre("T1078"),
            Cwe(269),
        ],
        remediation: "List the verbs, resources and API groups the subject needs instead of `*`.",
        docs: include_str!("rbac_wildcard_rule.md"),
    },
    run: Run::Object {
        kinds: super::ROLE_KINDS,
        check: run,
    },
};

fn run(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    let Some(rules) = super::authored_rules(object) else {
        return;
    };
    for (i, rule) in rules.iter().enumerate() {
        let fields: [(&'static str, &[String]); 3] = [
            ("verbs", rule.verbs.as_slice()),
            ("resources", rule.resources.as_deref().unwrap_or_default()),
            ("apiGroups", rule.api_groups.as_deref().unwrap_or_default()),
        ];
        let mut first = None;
        let mut wildcards = Vec::new();
        for (field, entries) in fields {
            let mut found: Vec<String> = Vec::new();
            for entry in entries.iter().filter(|e| e.contains('*')) {
                let shown = format!("`{entry}`");
                if !found.contains(&shown) {
                    found.push(shown);
                }
            }
            let Some(j) = entries.iter().position(|e| e.contains('*')) else {
                continue;
            };
            first.get_or_insert((field, j));
            wildcards.push(format!("{field} {}", found.join(", ")));
        }
        let Some((field, j)) = first else { continue };
        out.emit(
            FieldPath::root().key("rules").index(i).key(field).index(j),
            format!(
                "{} uses wildcards in `rules[{i}]`: {}",
                super::describe(object),
                wildcards.join("; ")
            ),
        );
    }
}
