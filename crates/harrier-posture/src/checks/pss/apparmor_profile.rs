use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-PSS-010"),
        slug: "apparmor-profile",
        title: "AppArmor profile set to unconfined or an unknown type",
        severity: Severity::High,
        status: SINCE_0_1,
        references: &[
            Pss("appArmorProfile"),
            Nsa("Pod security: Pod Security enforcement"),
            Mitre("T1611"),
        ],
        remediation: "Set `securityContext.appArmorProfile.type` to `RuntimeDefault` (or `Localhost` with a \
                      reviewed profile) or remove it; remove `unconfined` AppArmor annotations, or set them to \
                      `runtime/default` or `localhost/<profile>`.",
        docs: include_str!("apparmor_profile.md"),
    },
    run: Run::Pod(run),
};

/// The deprecated per-container annotation, still honoured (the API server copies it into the
/// field) and still checked by upstream for every key with this prefix, whether or not a
/// container of that name exists.
const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

fn is_allowed_type(type_: &str) -> bool {
    matches!(type_, "RuntimeDefault" | "Localhost")
}

fn is_allowed_annotation(value: &str) -> bool {
    value.is_empty() || value == "runtime/default" || value.starts_with("localhost/")
}

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let pod = ctx
        .workload
        .spec
        .security_context
        .as_ref()
        .and_then(|sc| sc.app_armor_profile.as_ref());
    if let Some(profile) = pod.filter(|p| !is_allowed_type(&p.type_)) {
        out.emit(
            ctx.workload
                .spec_path()
                .keys("securityContext.appArmorProfile.type"),
            format!(
                "pod {} (PSS baseline `appArmorProfile`)",
                super::profile_setting("securityContext.appArmorProfile", &profile.type_)
            ),
        );
    }
    for c in ctx.workload.containers() {
        let profile = c
            .container
            .security_context
            .as_ref()
            .and_then(|sc| sc.app_armor_profile.as_ref());
        let Some(profile) = profile.filter(|p| !is_allowed_type(&p.type_)) else {
            continue;
        };
        out.emit_container(
            &c,
            c.field("securityContext.appArmorProfile.type"),
            format!(
                "container `{}` {} (PSS baseline `appArmorProfile`)",
                c.name(),
                super::profile_setting("securityContext.appArmorProfile", &profile.type_)
            ),
        );
    }
    let annotations = ctx.workload.metadata.annotations.iter().flatten();
    for (key, value) in annotations {
        let Some(name) = key.strip_prefix(ANNOTATION_PREFIX) else {
            continue;
        };
        if is_allowed_annotation(value) {
            continue;
        }
        let path = ctx
            .workload
            .metadata_path()
            .key("annotations")
            .key(key.clone());
        let message = format!(
            "annotation `{key}` sets AppArmor profile `{}` (PSS baseline `appArmorProfile`)",
            super::shown(value)
        );
        match ctx.workload.containers().find(|c| c.name() == name) {
            Some(c) => out.emit_container(&c, path, message),
            None => out.emit(path, message),
        }
    }
}
