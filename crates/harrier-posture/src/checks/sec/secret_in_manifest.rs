use harrier_core::yaml::Value;

use crate::checks::prelude::*;
use harrier_core::secrets as credentials;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-SEC-002"),
        slug: "secret-in-manifest",
        title: "Secret content is stored with the manifests",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[Cis("5.4.2"), Mitre("T1552.001"), Cwe(798), Cwe(312)],
        remediation: "Remove the Secret's data from the manifests and create it from an external secret store \
                      (External Secrets, Sealed Secrets, SOPS, a CSI secret driver); rotate the values.",
        docs: include_str!("secret_in_manifest.md"),
    },
    run: Run::Object {
        kinds: &["Secret"],
        check: run,
    },
};

/// Secrets that tools write for themselves rather than ones a person commits: Helm's release
/// records carry the chart's values, not a manifest's.
const TOOL_TYPES: &[&str] = &["helm.sh/release.v1"];

fn run(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    if !object.group().is_empty() {
        return;
    }
    let kind = object
        .node
        .get("type")
        .and_then(|n| n.as_str())
        .unwrap_or("Opaque");
    if TOOL_TYPES.contains(&kind) {
        return;
    }
    let name = format!(
        "Secret `{}`",
        object.resource.name.as_deref().unwrap_or("<unnamed>")
    );
    for field in ["data", "stringData"] {
        let Some(entries) = object.node.get(field).and_then(|n| n.as_map()) else {
            continue;
        };
        let keys: Vec<String> = entries
            .entries()
            .iter()
            .filter(|e| match &e.value.value {
                Value::String(s) => !credentials::is_placeholder(s),
                Value::Null => false,
                _ => true,
            })
            .map(|e| format!("`{}`", e.key))
            .collect();
        if keys.is_empty() {
            continue;
        }
        let mut shown = keys.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
        if keys.len() > 5 {
            shown.push_str(&format!(" and {} more", keys.len() - 5));
        }
        out.emit_redacted(
            FieldPath::root().key(field),
            format!("{name} (type `{kind}`) carries {} value(s) in `{field}` ({shown}), committed with the manifests", keys.len()),
        );
    }
}
