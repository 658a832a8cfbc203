use std::collections::HashMap;

use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-030"),
        slug: "duplicate-env-var",
        title: "Container sets the same environment variable twice",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Cwe(1109),
            Url(
                "https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/",
            ),
        ],
        remediation: "Keep one entry per variable name in `env`.",
        docs: include_str!("duplicate_env_var.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    for c in ctx.workload.containers() {
        let mut first: HashMap<&str, usize> = HashMap::new();
        for (i, var) in c.container.env.iter().flatten().enumerate() {
            match first.get(var.name.as_str()) {
                Some(&earlier) => out.emit_container(
                    &c,
                    c.path().key("env").index(i).key("name"),
                    format!(
                        "container `{}` sets env `{}` again (first at `env[{earlier}]`); only the last value takes effect",
                        c.name(),
                        var.name
                    ),
                ),
                None => {
                    first.insert(var.name.as_str(), i);
                }
            }
        }
    }
}
