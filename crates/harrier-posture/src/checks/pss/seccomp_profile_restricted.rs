use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-PSS-016"),
        slug: "seccomp-profile-restricted",
        title: "Container runs without a RuntimeDefault or Localhost seccomp profile",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[
            Pss("seccompProfile_restricted"),
            Cis("5.7.2"),
            Nsa("Pod security: Pod Security enforcement"),
            Mitre("T1611"),
        ],
        remediation: "Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (or `Localhost` with a \
                      reviewed profile); containers inherit it.",
        docs: include_str!("seccomp_profile_restricted.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let spec = &ctx.workload.spec;
    // Policy v1.25: Windows has no seccomp.
    if super::is_windows(spec) {
        return;
    }
    let pod = spec
        .security_context
        .as_ref()
        .and_then(|sc| sc.seccomp_profile.as_ref());
    if let Some(profile) = pod.filter(|p| !super::is_confining_seccomp(&p.type_)) {
        out.emit(
            ctx.workload
                .spec_path()
                .keys("securityContext.seccompProfile.type"),
            format!(
                "pod {} (PSS restricted `seccompProfile_restricted`)",
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
        match profile {
            Some(p) if super::is_confining_seccomp(&p.type_) => {}
            Some(p) => out.emit_container(
                &c,
                c.field("securityContext.seccompProfile.type"),
                format!(
                    "container `{}` {} (PSS restricted \
                     `seccompProfile_restricted`)",
                c.name(),
                super::profile_setting("securityContext.seccompProfile", &p.type_)
                ),
            ),
            // Inherits the pod's profile: fine when confining, and already reported when not.
            None if pod.is_some() => {}
            None => out.emit_container(
                &c,
                c.field("securityContext.seccompProfile"),
                format!(
                    "neither the pod nor container `{}` sets `securityContext.seccompProfile.type` to \
                     `RuntimeDefault` or `Localhost` (PSS restricted `seccompProfile_restricted`)",
                    c.name()
                ),
            ),
        }
    }
}
