use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-024"),
        slug: "secret-in-env-var",
        title: "Container reads a Secret into environment variables",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Cis("5.4.1"),
            Nsa("Network separation and hardening: secrets"),
            Mitre("T1552"),
            Cwe(526),
        ],
        remediation: "Mount the Secret as a volume and have the application read the file, rather than passing it through `env` or `envFrom`.",
        docs: include_str!("secret_in_env_var.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    for c in ctx.workload.containers() {
        for (i, var) in c.container.env.iter().flatten().enumerate() {
            let Some(secret) = var
                .value_from
                .as_ref()
                .and_then(|v| v.secret_key_ref.as_ref())
            else {
                continue;
            };
            out.emit_container(
                &c,
                c.path().key("env").index(i).keys("valueFrom.secretKeyRef"),
                format!(
                    "container `{}` sets env `{}` from key `{}` of Secret `{}`",
                    c.name(),
                    var.name,
                    secret.key,
                    secret.name
                ),
            );
        }
        for (i, source) in c.container.env_from.iter().flatten().enumerate() {
            let Some(secret) = source.secret_ref.as_ref() else {
                continue;
            };
            out.emit_container(
                &c,
                c.path().key("envFrom").index(i).key("secretRef"),
                format!(
                    "container `{}` loads every key of Secret `{}` into its environment",
                    c.name(),
                    secret.name
                ),
            );
        }
    }
}
