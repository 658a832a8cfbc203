use harrier_k8s::k8s_openapi::api::core::v1::SELinuxOptions;

use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-PSS-008"),
        slug: "selinux-options",
        title: "SELinux options set a forbidden type, user or role",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[
            Pss("seLinuxOptions"),
            Cis("5.7.3"),
            Nsa("Pod security: Pod Security enforcement"),
            Mitre("T1611"),
        ],
        remediation: "Remove `seLinuxOptions.user` and `seLinuxOptions.role`, and leave `seLinuxOptions.type` \
                      unset or set it to `container_t`, `container_init_t`, `container_kvm_t` or \
                      `container_engine_t`.",
        docs: include_str!("selinux_options.md"),
    },
    run: Run::Pod(run),
};

/// SELinux types baseline allows (policy v1.31+); the empty string means the runtime's default.
const ALLOWED_TYPES: [&str; 5] = [
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

/// The offending fields of one `seLinuxOptions`, as key and value. `level` is not checked:
/// upstream leaves it free, since it only selects MCS categories.
fn violations(options: &SELinuxOptions) -> Vec<(&'static str, &str)> {
    let type_ = options
        .type_
        .as_deref()
        .filter(|t| !ALLOWED_TYPES.contains(t));
    let user = options.user.as_deref().filter(|u| !u.is_empty());
    let role = options.role.as_deref().filter(|r| !r.is_empty());
    [("type", type_), ("user", user), ("role", role)]
        .into_iter()
        .filter_map(|(key, value)| Some((key, value?)))
        .collect()
}

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let pod = ctx
        .workload
        .spec
        .security_context
        .as_ref()
        .and_then(|sc| sc.se_linux_options.as_ref());
    if let Some(options) = pod {
        let path = ctx
            .workload
            .spec_path()
            .keys("securityContext.seLinuxOptions");
        for (key, value) in violations(options) {
            out.emit(
                path.key(key),
                format!("pod sets `securityContext.seLinuxOptions.{key}: {value}` (PSS baseline `seLinuxOptions`)"),
            );
        }
    }
    for c in ctx.workload.containers() {
        let Some(options) = c
            .container
            .security_context
            .as_ref()
            .and_then(|sc| sc.se_linux_options.as_ref())
        else {
            continue;
        };
        let path = c.field("securityContext.seLinuxOptions");
        for (key, value) in violations(options) {
            out.emit_container(
                &c,
                path.key(key),
                format!(
                    "container `{}` sets `securityContext.seLinuxOptions.{key}: {value}` (PSS baseline `seLinuxOptions`)",
                    c.name()
                ),
            );
        }
    }
}
