//! Command-line flags as kube-bench reads them: `--flag=value`, `--flag value`, repeated flags
//! (the last one wins, as for Go's `flag` and `pflag`) and booleans given without a value.
//!
//! A flag with no value is read as `true`: pflag's booleans accept `--profiling` for
//! `--profiling=true`, so a bare flag is the true form whatever kube-bench's text match makes of it.

/// The flags of one command line, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    entries: Vec<(String, Option<String>)>,
}

impl Flags {
    /// Parses an argv (the program name first is skipped if it does not start with `-`).
    pub fn parse<S: AsRef<str>>(argv: &[S]) -> Flags {
        let mut entries = Vec::new();
        let mut i = 0;
        while i < argv.len() {
            let arg = argv[i].as_ref();
            i += 1;
            let Some(body) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) else {
                continue;
            };
            if body.is_empty() {
                continue;
            }
            if let Some((name, value)) = body.split_once('=') {
                entries.push((name.to_owned(), Some(value.to_owned())));
                continue;
            }
            // `--flag value`: the next word is the value unless it is itself a flag.
            let value = match argv.get(i).map(AsRef::as_ref) {
                Some(next) if !next.starts_with('-') => {
                    i += 1;
                    Some(next.to_owned())
                }
                _ => None,
            };
            entries.push((body.to_owned(), value));
        }
        Flags { entries }
    }

    /// Flags from `(name, value)` pairs, in order (a distribution's defaults, a config file).
    pub fn from_pairs<N: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (N, V)>,
    ) -> Flags {
        Flags {
            entries: pairs
                .into_iter()
                .map(|(n, v)| (n.into(), Some(v.into())))
                .collect(),
        }
    }

    /// Adds a flag after the others (it wins over earlier ones of the same name).
    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.entries.push((name.into(), Some(value.into())));
    }

    /// Every value of a repeated flag, in order (`--kube-apiserver-arg a=1 --kube-apiserver-arg b=2`).
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.entries
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_deref().unwrap_or("true"))
    }

    /// Whether the flag (without dashes) is given at all.
    pub fn is_set(&self, name: &str) -> bool {
        self.entries.iter().any(|(n, _)| n == name)
    }

    /// The value of the flag's last occurrence; `true` for a bare flag.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_deref().unwrap_or("true"))
    }
}

#[cfg(test)]
mod tests {
    use super::Flags;

    #[test]
    fn forms() {
        let flags = Flags::parse(&[
            "kube-apiserver",
            "--a=1",
            "--b",
            "2",
            "--c",
            "--d=x",
            "--d=y",
            "-e=3",
            "--f=",
        ]);
        assert_eq!(flags.get("a"), Some("1"));
        assert_eq!(flags.get("b"), Some("2"));
        assert_eq!(flags.get("c"), Some("true"));
        assert_eq!(flags.get("d"), Some("y"));
        assert_eq!(flags.get("e"), Some("3"));
        assert_eq!(flags.get("f"), Some(""));
        assert!(!flags.is_set("kube-apiserver"));
        assert_eq!(flags.get("g"), None);
    }
}
