//! The webhook client of `watch`, `audit` and `replay`: https, or http only to loopback (a
//! local relay such as Falcosidekick), so alerts never cross a network in clear text.

use std::time::Duration;

/// A client for `url`, refused unless https or loopback http.
pub fn client(url: &str) -> anyhow::Result<(ureq::Agent, String)> {
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|prefix| {
            url.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
        });
    if !url.starts_with("https://") && !loopback {
        anyhow::bail!("--webhook must be an https:// URL (http:// only to loopback): {url}");
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    Ok((agent, url.to_owned()))
}

/// POSTs a JSON body. A webhook that is down loses nothing (alerts are in the output
/// already), so failures are logged, not returned.
pub fn post(agent: &ureq::Agent, url: &str, body: String) {
    if let Err(e) = agent
        .post(url)
        .header("Content-Type", "application/json")
        .send(body)
    {
        tracing::warn!("webhook {url}: {e}");
    }
}
