use crate::checks::prelude::*;
use harrier_core::secrets as credentials;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-025"),
        slug: "credential-in-env-value",
        title: "Container has a credential written into an environment variable",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[
            Cis("5.4.1"),
            Nsa("Network separation and hardening: secrets"),
            Mitre("T1552.001"),
            Cwe(798),
        ],
        remediation: "Move the credential into a Secret (or an external secret store), rotate it, and mount it as a file; never write it into the manifest.",
        docs: include_str!("credential_in_env_value.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    for c in ctx.workload.containers() {
        for (i, var) in c.container.env.iter().flatten().enumerate() {
            let Some(value) = var.value.as_deref() else {
                continue;
            };
            let reason = if let Some(found) = credentials::find_in_value(value) {
                format!("a literal value holding {}", found.kind)
            } else if let Some(kind) = credentials::sensitive_key(&var.name)
                .filter(|_| !credentials::is_placeholder(value))
            {
                format!("a literal value, and its name says it holds {kind}")
            } else {
                continue;
            };
            // The finding points at the variable's name, not its value, so that the evidence
            // copied into reports (and uploaded to code-scanning services) is not the credential.
            out.emit_container(
                &c,
                c.path().key("env").index(i).key("name"),
                format!(
                    "container `{}` sets env `{}` to {reason}",
                    c.name(),
                    var.name
                ),
            );
        }
    }
}
