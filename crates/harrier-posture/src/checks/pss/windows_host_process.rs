use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-PSS-011"),
        slug: "windows-host-process",
        title: "Windows HostProcess container",
        severity: Severity::Critical,
        status: SINCE_0_1,
        references: &[
            Pss("windowsHostProcess"),
            Cis("5.2.11"),
            Nsa("Pod security: Pod Security enforcement"),
            Mitre("T1611"),
            Cwe(250),
        ],
        remediation: "Remove `securityContext.windowsOptions.hostProcess: true` from the pod and its containers.",
        docs: include_str!("windows_host_process.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    let pod = ctx
        .workload
        .spec
        .security_context
        .as_ref()
        .and_then(|sc| sc.windows_options.as_ref());
    if pod.and_then(|w| w.host_process) == Some(true) {
        out.emit(
            ctx.workload.spec_path().keys("securityContext.windowsOptions.hostProcess"),
            "pod sets `securityContext.windowsOptions.hostProcess: true` (PSS baseline `windowsHostProcess`)",
        );
    }
    for c in ctx.workload.containers() {
        let options = c
            .container
            .security_context
            .as_ref()
            .and_then(|sc| sc.windows_options.as_ref());
        if options.and_then(|w| w.host_process) == Some(true) {
            out.emit_container(
                &c,
                c.field("securityContext.windowsOptions.hostProcess"),
                format!(
                    "container `{}` sets `securityContext.windowsOptions.hostProcess: true` (PSS baseline \
                     `windowsHostProcess`)",
                    c.name()
                ),
            );
        }
    }
}
