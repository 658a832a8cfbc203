use crate::checks::prelude::*;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-046"),
        slug: "sudo-in-entrypoint",
        title: "Container command runs `sudo`",
        severity: Severity::Medium,
        status: SINCE_0_1,
        references: &[
            Mitre("T1548.003"),
            Cwe(250),
            Nsa("Kubernetes Pod security: non-root containers"),
        ],
        remediation: "Drop `sudo` from the command: run the process as the user it needs, do root-only set-up at image build time or in an init container, and remove sudo from the image.",
        docs: include_str!("sudo_in_entrypoint.md"),
    },
    run: Run::Pod(run),
};

fn run(ctx: &PodContext<'_>, out: &mut Emitter<'_>) {
    for c in ctx.workload.containers() {
        let lists = [
            ("command", &c.container.command),
            ("args", &c.container.args),
        ];
        let first = lists.into_iter().find_map(|(field, list)| {
            list.iter()
                .flatten()
                .position(|element| invokes_sudo(element))
                .map(|i| (field, i))
        });
        let Some((field, i)) = first else {
            continue;
        };
        out.emit_container(
            &c,
            c.path().key(field).index(i),
            format!(
                "container `{}` runs `sudo` from its `{field}`: it expects to gain root at run time through \
                 a setuid binary, which works as well for anyone who gets into the container",
                c.name()
            ),
        );
    }
}

/// Whether a `command` or `args` element runs sudo: a word that is `sudo` or a path ending in
/// `/sudo`, also inside a shell script (`sh -c "apt-get update && sudo …"`). Whole words only,
/// so `pseudo` and `sudoers.d` are not sudo.
fn invokes_sudo(element: &str) -> bool {
    element
        .split(|ch: char| ch.is_whitespace() || ";&|()`'\"$<>{}".contains(ch))
        .any(|word| word == "sudo" || word.ends_with("/sudo"))
}

#[cfg(test)]
mod tests {
    use super::invokes_sudo;

    #[test]
    fn finds_sudo_as_a_word() {
        assert!(invokes_sudo("sudo"));
        assert!(invokes_sudo("sudo printenv"));
        assert!(invokes_sudo("/usr/bin/sudo"));
        assert!(invokes_sudo("apt-get update && sudo -u app ./run"));
        assert!(invokes_sudo("echo $(sudo cat /etc/shadow)"));
        assert!(invokes_sudo("x;sudo;y"));
        assert!(!invokes_sudo("pseudo-random"));
        assert!(!invokes_sudo("cat /etc/sudoers.d/app"));
        assert!(!invokes_sudo("sudoku"));
        assert!(!invokes_sudo(""));
    }
}
