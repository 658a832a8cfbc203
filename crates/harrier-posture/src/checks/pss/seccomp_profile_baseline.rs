use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-PSS-007"),
        slug: "seccomp-profile-baseline",
        title: "Seccomp profile set to Unconfined or an unknown type",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[
            Pss("seccompProfile_baseline"),
            Cis("5.7.2"),
            Nsa("Pod security: Pod Security enforcement"),
            Mitre("T1611"),
        ],
        remediation: "Set `securityContext.seccompProfile.type` to `RuntimeDefault` (or `Localhost` with a \
                      reviewed profile), or remove the `seccompProfile`.",
        docs: include_str!("seccomp_profile_baseline.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let pod_profile = ctx
        .workload
        .spec
        .security_context
        .as_ref()
        .and_then(|sc| sc.seccomp_profile.as_ref());
    if let Some(profile) = pod_profile.filter(|p| !super::is_confining_seccomp(&p.type_)) {
        out.emit(
            ctx.workload
                .spec_path()
                .keys("securityContext.seccompProfile.type"),
            format!(
                "pod {} (PSS baseline `seccompProfile_baseline`)",
                super::profile_setting("securityContext.seccompProfile", &profile.type_)
            ),
        );
    }
    for c in ctx.workload.containers() {
        let profile = c
            .container
            .security_context
            .as_ref()
            .and_then(|sc| sc.seccomp_profile.as_ref());
        let Some(profile) = profile.filter(|p| !super::is_confining_seccomp(&p.type_)) else {
            continue;
        };
        out.emit_container(
            &c,
            c.field("securityContext.seccompProfile.type"),
            format!(
                "container `{}` {} (PSS baseline `seccompProfile_baseline`)",
                c.name(),
                super::profile_setting("securityContext.seccompProfile", &profile.type_)
            ),
        );
    }
}
