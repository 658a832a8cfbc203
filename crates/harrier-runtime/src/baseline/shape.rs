//! Normalising what a workload does into shapes that repeat across pods and restarts: numbers,
//! hex ids, UUIDs and addresses in arguments become placeholders, files under the temporary
//! directories become patterns, numeric path components (`/proc/1234`) become `{num}`.
//!
//! The same function shapes learned and observed activity, so an entry learned from
//! `worker --id=17` matches `worker --id=42`. People editing a baseline may also write `*`
//! globs (fnmatch) in any shape.

/// Directories whose file names are generated: everything below them is one pattern.
const TEMP_DIRS: &[&str] = &["/tmp/", "/var/tmp/", "/dev/shm/", "/run/user/"];

/// The shape of one argument or path component.
fn token(t: &str) -> String {
    if t.is_empty() {
        return String::new();
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return "{num}".into();
    }
    if is_uuid(t) {
        return "{uuid}".into();
    }
    if t.len() >= 8
        && t.bytes().all(|b| b.is_ascii_hexdigit())
        && t.bytes().any(|b| b.is_ascii_digit())
    {
        return "{hex}".into();
    }
    if t.parse::<std::net::IpAddr>().is_ok() {
        return "{ip}".into();
    }
    if let Some((host, port)) = t.rsplit_once(':')
        && !port.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit())
        && host.parse::<std::net::IpAddr>().is_ok()
    {
        return "{ip}:{num}".into();
    }
    if t.starts_with('/') {
        return path(t);
    }
    t.to_string()
}

fn is_uuid(t: &str) -> bool {
    let parts: Vec<&str> = t.split('-').collect();
    parts.len() == 5
        && parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The shape of a path: files under a temporary directory are `<dir>*`, numeric and hex
/// components are placeholders.
pub fn path(p: &str) -> String {
    for dir in TEMP_DIRS {
        if p.starts_with(dir) && p.len() > dir.len() {
            return format!("{dir}*");
        }
    }
    p.split('/')
        .map(|c| {
            if c.starts_with('{') {
                c.to_string()
            } else if c.bytes().all(|b| b.is_ascii_digit()) && !c.is_empty()
                || is_uuid(c)
                || (c.len() >= 12 && c.bytes().all(|b| b.is_ascii_hexdigit()))
            {
                token(c)
            } else {
                c.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The shape of one command-line argument: `--key=value` keeps the key and shapes the value.
pub fn arg(a: &str) -> String {
    if let Some((k, v)) = a.split_once('=')
        && k.starts_with('-')
    {
        return format!("{k}={}", token(v));
    }
    token(a)
}

/// The shape of a whole argument list, space-separated.
pub fn args(list: &[String]) -> String {
    list.iter().map(|a| arg(a)).collect::<Vec<_>>().join(" ")
}

/// The directory pattern a written file belongs to: its shaped path's directory with `/*`, or
/// the temporary-directory pattern itself.
pub fn written_dir(p: &str) -> String {
    let shaped = path(p);
    if shaped.ends_with("/*") {
        return shaped;
    }
    match shaped.rfind('/') {
        Some(0) | None => "/*".into(),
        Some(i) => format!("{}/*", shaped.get(..i).unwrap_or("")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(arg("17"), "{num}");
        assert_eq!(arg("--id=42"), "--id={num}");
        assert_eq!(arg("3ad7b2c1f0e9"), "{hex}");
        assert_eq!(arg("deadbeef"), "deadbeef");
        assert_eq!(arg("123e4567-e89b-12d3-a456-426614174000"), "{uuid}");
        assert_eq!(arg("10.0.0.1:8080"), "{ip}:{num}");
        assert_eq!(arg("/tmp/tmp.Xk2l9"), "/tmp/*");
        assert_eq!(arg("/proc/1234/status"), "/proc/{num}/status");
        assert_eq!(arg("--config=/etc/app.yaml"), "--config=/etc/app.yaml");
        assert_eq!(arg("python3.11"), "python3.11");
        assert_eq!(
            written_dir("/var/cache/nginx/proxy_temp/3/01/0000000013"),
            "/var/cache/nginx/proxy_temp/{num}/{num}/*"
        );
        assert_eq!(written_dir("/tmp/x/y"), "/tmp/*");
        assert_eq!(written_dir("/app.log"), "/*");
    }
}
