use harrier_core::yaml::Value;

use crate::checks::prelude::*;
use harrier_core::secrets as credentials;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-SEC-001"),
        slug: "credential-in-configmap",
        title: "ConfigMap holds a credential",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[
            Mitre("T1552.001"),
            Mitre("T1552.007"),
            Cwe(312),
            Cis("5.4.1"),
        ],
        remediation: "Move the credential into a Secret (ideally synced from an external secret store), reference \
                      it from the workload, and rotate it: it has been readable by everyone who can read ConfigMaps.",
        docs: include_str!("credential_in_configmap.md"),
    },
    run: Run::Object {
        kinds: &["ConfigMap"],
        check: run,
    },
};

fn run(object: &Object, _: &ObjectIndex, out: &mut Emitter<'_>) {
    if !object.group().is_empty() {
        return;
    }
    let name = format!(
        "ConfigMap `{}`",
        object.resource.name.as_deref().unwrap_or("<unnamed>")
    );
    for field in ["data", "binaryData"] {
        let Some(entries) = object.node.get(field).and_then(|n| n.as_map()) else {
            continue;
        };
        for entry in entries.entries() {
            let key = entry.key.as_str();
            let text = match &entry.value.value {
                Value::String(s) => s.as_str(),
                _ => "",
            };
            // binaryData is base64: only its key names can be read as they are.
            let by_value = if field == "data" {
                credentials::find_in_value(text)
            } else {
                None
            };
            let message = match by_value {
                Some(credentials::Detection {
                    kind,
                    setting: Some((setting, line)),
                }) => format!(
                    "{name} key `{key}` sets `{setting}` on its line {line}, which looks like {kind} (value redacted)"
                ),
                Some(detection) => format!(
                    "{name} key `{key}` holds {} (value redacted)",
                    detection.kind
                ),
                None => {
                    let Some(kind) = credentials::sensitive_key(key) else {
                        continue;
                    };
                    if field == "data" && credentials::is_placeholder(text) {
                        continue;
                    }
                    format!(
                        "{name} key `{key}` is named like {kind}, so its value is probably one (value redacted)"
                    )
                }
            };
            out.emit_redacted(FieldPath::root().key(field).key(entry.key.clone()), message);
        }
    }
}
