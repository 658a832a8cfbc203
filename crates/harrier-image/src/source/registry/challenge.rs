//! `WWW-Authenticate` challenges (RFC 9110 §11.6.1), as registries send them:
//! `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="…"` or
//! `Basic realm="Registry Realm"`.
//!
//! One header can hold several challenges, and commas separate both challenges and their
//! parameters: a name followed by `=` is a parameter, anything else starts a challenge. The
//! parser is lenient (what it cannot read it skips) and never fails: a registry that sends
//! nothing usable gets the error its status code deserves, not a parse error.

/// One challenge: a scheme and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The scheme, lower-cased (`bearer`, `basic`).
    pub scheme: String,
    /// Parameters in order, names lower-cased, quoted values unescaped.
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// The value of parameter `name` (lower-case).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

const MAX_CHALLENGES: usize = 16;
const MAX_PARAMS: usize = 32;

/// Every challenge in one header value.
pub fn parse_challenges(header: &str) -> Vec<Challenge> {
    let mut cursor = Cursor {
        s: header.as_bytes(),
        i: 0,
    };
    let mut challenges: Vec<Challenge> = Vec::new();
    loop {
        cursor.skip(|b| b == b',' || is_space(b));
        if cursor.at_end() || challenges.len() >= MAX_CHALLENGES {
            break;
        }
        let Some(scheme) = cursor.token() else {
            // Not a token: skip to the next comma and try again.
            cursor.skip(|b| b != b',');
            continue;
        };
        let mut challenge = Challenge {
            scheme: scheme.to_ascii_lowercase(),
            params: Vec::new(),
        };
        cursor.skip(is_space);
        // A token68 (`Basic dXNlcjpwYXNz`) carries no parameters: skip it.
        if cursor.is_token68_ahead() {
            cursor.skip(|b| b != b',');
        }
        loop {
            cursor.skip(|b| b == b',' || is_space(b));
            let mark = cursor.i;
            let Some(name) = cursor.token() else {
                break;
            };
            cursor.skip(is_space);
            if cursor.peek() != Some(b'=') {
                // A bare token: the next challenge's scheme.
                cursor.i = mark;
                break;
            }
            cursor.i += 1;
            cursor.skip(is_space);
            let value = if cursor.peek() == Some(b'"') {
                cursor.quoted()
            } else {
                // RFC 9110 wants a token here, but realms are sent unquoted as URLs too.
                cursor.until(|b| b == b',' || is_space(b))
            };
            if challenge.params.len() < MAX_PARAMS {
                challenge.params.push((name.to_ascii_lowercase(), value));
            }
            cursor.skip(is_space);
            if !matches!(cursor.peek(), Some(b',') | None) {
                // Junk after a value: skip it.
                cursor.skip(|b| b != b',');
            }
        }
        challenges.push(challenge);
    }
    challenges
}

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn at_end(&self) -> bool {
        self.i >= self.s.len()
    }

    fn skip(&mut self, while_: impl Fn(u8) -> bool) {
        while self.peek().is_some_and(&while_) {
            self.i += 1;
        }
    }

    fn token(&mut self) -> Option<String> {
        let start = self.i;
        self.skip(is_tchar);
        let token = self.s.get(start..self.i)?;
        (!token.is_empty()).then(|| String::from_utf8_lossy(token).into_owned())
    }

    /// `token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`, followed by
    /// the end or a comma: distinguished from `name=value` by what follows the `=`s.
    fn is_token68_ahead(&self) -> bool {
        let rest = self.s.get(self.i..).unwrap_or_default();
        let body = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(b))
            .count();
        if body == 0 {
            return false;
        }
        let after = rest.get(body..).unwrap_or_default();
        let pad = after.iter().take_while(|b| **b == b'=').count();
        let tail = after.get(pad..).unwrap_or_default();
        let next = tail.iter().find(|b| !is_space(**b));
        // `name=value` has something other than a comma or the end after its `=`.
        matches!(next, None | Some(b','))
            && (pad > 0
                || !rest
                    .get(..body)
                    .is_some_and(|t| t.iter().all(|b| is_tchar(*b))))
    }

    fn until(&mut self, stop: impl Fn(u8) -> bool) -> String {
        let start = self.i;
        self.skip(|b| !stop(b));
        String::from_utf8_lossy(self.s.get(start..self.i).unwrap_or_default()).into_owned()
    }

    fn quoted(&mut self) -> String {
        self.i += 1;
        let mut out = Vec::new();
        while let Some(b) = self.peek() {
            self.i += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    if let Some(escaped) = self.peek() {
                        out.push(escaped);
                        self.i += 1;
                    }
                }
                _ => out.push(b),
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(scheme: &str, params: &[(&str, &str)]) -> Challenge {
        Challenge {
            scheme: scheme.to_owned(),
            params: params
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn docker_hub() {
        let h = r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull""#;
        assert_eq!(
            parse_challenges(h),
            vec![c(
                "bearer",
                &[
                    ("realm", "https://auth.docker.io/token"),
                    ("service", "registry.docker.io"),
                    ("scope", "repository:library/nginx:pull"),
                ]
            )]
        );
    }

    #[test]
    fn several_challenges_and_odd_spacing() {
        let h = r#"Basic realm="a, b" , Bearer realm=https://t.example/token, service = "x\"y",error="insufficient_scope""#;
        assert_eq!(
            parse_challenges(h),
            vec![
                c("basic", &[("realm", "a, b")]),
                c(
                    "bearer",
                    &[
                        ("realm", "https://t.example/token"),
                        ("service", "x\"y"),
                        ("error", "insufficient_scope"),
                    ]
                ),
            ]
        );
    }

    #[test]
    fn token68_and_bare_schemes() {
        assert_eq!(
            parse_challenges("Negotiate dXNlcjpwYXNz==, Basic realm=\"r\""),
            vec![c("negotiate", &[]), c("basic", &[("realm", "r")])]
        );
        assert_eq!(
            parse_challenges("Negotiate, NTLM"),
            vec![c("negotiate", &[]), c("ntlm", &[])]
        );
        assert_eq!(parse_challenges("BASIC"), vec![c("basic", &[])]);
    }

    #[test]
    fn junk_does_not_panic() {
        for h in [
            "",
            ",,,",
            "\"",
            "Bearer realm=\"unterminated",
            "Bearer =x",
            "Bearer realm=",
            "= = =",
            "Bearer realm=\"a\" junk, scope=\"s\"",
            "Bearer realm=\"\\",
            "ä ö",
        ] {
            let _ = parse_challenges(h);
        }
        assert_eq!(
            parse_challenges("Bearer realm=\"a\" junk, scope=\"s\""),
            vec![c("bearer", &[("realm", "a"), ("scope", "s")])]
        );
    }
}
