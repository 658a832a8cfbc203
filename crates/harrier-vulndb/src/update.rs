//! Downloading the public feeds: `harrier db update`.
//!
//! Each feed is fetched with a conditional request (`If-None-Match` / `If-Modified-Since` from
//! what the database recorded last time), so an unchanged feed costs one round trip. Transient
//! failures (connection errors, 429, 5xx) are retried with backoff, honouring `Retry-After`.
//! A download is verified before anything is replaced: its length against `Content-Length`,
//! and its content by parsing it completely. Only then is the feed's old data dropped and the
//! new data added; the database is rebuilt beside the old one and renamed over it, so a failed
//! or interrupted update leaves the previous database intact, and a feed that failed keeps its
//! previous data.
//!
//! `--mirror URL` replaces every upstream host with one internal mirror laid out as
//! [`Feed::mirror_path`] says, for sites that cannot reach the internet.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::db::FeedMeta;

/// A feed Harrier can download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    /// Stable name recorded in the database: `osv/PyPI`, `kev`, `epss`, `debian/tracker`,
    /// `alpine/v3.20/main`.
    pub name: String,
    /// Where to fetch it.
    pub url: String,
    /// Its format.
    pub kind: FeedKind,
}

/// Formats of downloadable feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedKind {
    /// An OSV per-ecosystem `all.zip`.
    OsvZip,
    /// CISA KEV JSON.
    Kev,
    /// FIRST EPSS scores, gzip-compressed CSV.
    Epss,
    /// The Debian security tracker's JSON export.
    DebianTracker,
    /// An Alpine secdb JSON file.
    AlpineSecdb,
}

/// OSV ecosystems fetched by default: those whose versions Harrier can compare.
pub const OSV_ECOSYSTEMS: [&str; 21] = [
    "AlmaLinux",
    "Alpine",
    "Chainguard",
    "crates.io",
    "Debian",
    "Go",
    "Hex",
    "Maven",
    "npm",
    "NuGet",
    "openSUSE",
    "Packagist",
    "Photon OS",
    "Pub",
    "PyPI",
    "Red Hat",
    "Rocky Linux",
    "RubyGems",
    "SUSE",
    "Ubuntu",
    "Wolfi",
];

/// Alpine releases whose secdb is fetched by default.
pub const ALPINE_RELEASES: [&str; 5] = ["v3.18", "v3.19", "v3.20", "v3.21", "v3.22"];

impl Feed {
    /// Where a feed sits on a mirror, relative to its root: `osv/<ecosystem>/all.zip`,
    /// `kev/known_exploited_vulnerabilities.json`, `epss/epss_scores-current.csv.gz`,
    /// `debian/json`, `alpine/<release>/<repository>.json`.
    pub fn mirror_path(&self) -> String {
        match self.kind {
            FeedKind::OsvZip => format!("osv/{}/all.zip", self.name.trim_start_matches("osv/")),
            FeedKind::Kev => "kev/known_exploited_vulnerabilities.json".to_owned(),
            FeedKind::Epss => "epss/epss_scores-current.csv.gz".to_owned(),
            FeedKind::DebianTracker => "debian/json".to_owned(),
            FeedKind::AlpineSecdb => format!("{}.json", self.name),
        }
    }
}

/// The default feeds, from upstream, or from `mirror` with the same layout.
pub fn default_feeds(mirror: Option<&str>) -> Vec<Feed> {
    let mut feeds = Vec::new();
    for eco in OSV_ECOSYSTEMS {
        feeds.push(Feed {
            name: format!("osv/{eco}"),
            url: format!(
                "https://osv-vulnerabilities.storage.googleapis.com/{}/all.zip",
                encode_path(eco)
            ),
            kind: FeedKind::OsvZip,
        });
    }
    feeds.push(Feed {
        name: "kev".to_owned(),
        url: "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
            .to_owned(),
        kind: FeedKind::Kev,
    });
    feeds.push(Feed {
        name: "epss".to_owned(),
        url: "https://epss.cyentia.com/epss_scores-current.csv.gz".to_owned(),
        kind: FeedKind::Epss,
    });
    feeds.push(Feed {
        name: "debian/tracker".to_owned(),
        url: "https://security-tracker.debian.org/tracker/data/json".to_owned(),
        kind: FeedKind::DebianTracker,
    });
    for release in ALPINE_RELEASES {
        for repo in ["main", "community"] {
            feeds.push(Feed {
                name: format!("alpine/{release}/{repo}"),
                url: format!("https://secdb.alpinelinux.org/{release}/{repo}.json"),
                kind: FeedKind::AlpineSecdb,
            });
        }
    }
    if let Some(root) = mirror {
        let root = root.trim_end_matches('/');
        for feed in &mut feeds {
            feed.url = format!("{root}/{}", encode_path(&feed.mirror_path()));
        }
    }
    feeds
}

fn encode_path(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            segment
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                        char::from(b).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Progress of downloads, for a person watching. Libraries do not print: the binary draws bars.
pub trait Progress: Sync {
    /// A download starts; `size` when the server says.
    fn begin(&self, feed: &str, size: Option<u64>);
    /// `bytes` more arrived.
    fn advance(&self, feed: &str, bytes: u64);
    /// The feed is done; `outcome` says how, in a few words.
    fn end(&self, feed: &str, outcome: &str);
}

/// Progress that shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {
    fn begin(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: &str, _: u64) {}
    fn end(&self, _: &str, _: &str) {}
}

/// Why a feed could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The server could not be reached, or the transfer broke, after every retry.
    #[error("{url}: {message}")]
    Transport {
        /// The URL.
        url: String,
        /// What happened.
        message: String,
    },
    /// The server answered with an error status.
    #[error("{url}: HTTP {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// The download is shorter or longer than announced.
    #[error("{url}: received {received} bytes, the server announced {announced}")]
    Length {
        /// The URL.
        url: String,
        /// Bytes received.
        received: u64,
        /// `Content-Length`.
        announced: u64,
    },
    /// Writing the download failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The temporary file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// What fetching one feed gave.
#[derive(Debug)]
pub enum Fetched {
    /// The server says the copy in the database is current.
    NotModified,
    /// A new copy, in a temporary file, with the metadata to record.
    Downloaded {
        /// The file (deleted when dropped).
        file: tempfile::NamedTempFile,
        /// What to record in the database.
        meta: FeedMeta,
    },
}

/// Limits of one download.
#[derive(Debug, Clone, Copy)]
pub struct FetchOptions {
    /// Attempts per feed (one plus retries).
    pub attempts: u32,
    /// Backoff before the first retry; doubled each time.
    pub backoff: Duration,
    /// Time allowed for one attempt, transfer included.
    pub timeout: Duration,
    /// Largest download accepted.
    pub max_bytes: u64,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            attempts: 4,
            backoff: Duration::from_secs(2),
            timeout: Duration::from_secs(900),
            max_bytes: 4 * 1024 * 1024 * 1024,
        }
    }
}

/// Fetches `feed` into a temporary file in `dir`, conditionally on `previous`.
pub fn fetch(
    feed: &Feed,
    previous: Option<&FeedMeta>,
    dir: &Path,
    options: &FetchOptions,
    progress: &dyn Progress,
) -> Result<Fetched, FetchError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(options.timeout))
        .user_agent(format!("harrier/{}", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut delay = options.backoff;
    let mut last_error = None;
    for attempt in 1..=options.attempts.max(1) {
        match fetch_once(&agent, feed, previous, dir, options, progress) {
            Ok(fetched) => return Ok(fetched),
            Err(Attempt::Final(e)) => return Err(e),
            Err(Attempt::Retry(e, retry_after)) => {
                tracing::info!("Fetching {} failed (attempt {attempt}): {e}.", feed.url);
                last_error = Some(e);
                if attempt < options.attempts {
                    std::thread::sleep(retry_after.unwrap_or(delay).min(Duration::from_secs(60)));
                    delay = delay.saturating_mul(2);
                }
            }
        }
    }
    Err(last_error.unwrap_or_else(|| FetchError::Transport {
        url: feed.url.clone(),
        message: "no attempt was made".to_owned(),
    }))
}

enum Attempt {
    Retry(FetchError, Option<Duration>),
    Final(FetchError),
}

fn fetch_once(
    agent: &ureq::Agent,
    feed: &Feed,
    previous: Option<&FeedMeta>,
    dir: &Path,
    options: &FetchOptions,
    progress: &dyn Progress,
) -> Result<Fetched, Attempt> {
    let transport = |e: &dyn std::fmt::Display| {
        Attempt::Retry(
            FetchError::Transport {
                url: feed.url.clone(),
                message: e.to_string(),
            },
            None,
        )
    };
    let mut request = agent.get(&feed.url);
    if let Some(prev) = previous.filter(|p| p.origin == feed.url) {
        if let Some(etag) = &prev.etag {
            request = request.header("If-None-Match", etag);
        }
        if let Some(modified) = &prev.last_modified {
            request = request.header("If-Modified-Since", modified);
        }
    }
    let mut response = request.call().map_err(|e| transport(&e))?;
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    match status {
        304 => return Ok(Fetched::NotModified),
        200 => {}
        429 | 500..=599 => {
            let retry_after = header("retry-after")
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            return Err(Attempt::Retry(
                FetchError::Status {
                    url: feed.url.clone(),
                    status,
                },
                retry_after,
            ));
        }
        _ => {
            return Err(Attempt::Final(FetchError::Status {
                url: feed.url.clone(),
                status,
            }));
        }
    }
    let announced = header("content-length").and_then(|v| v.parse::<u64>().ok());
    let etag = header("etag");
    let last_modified = header("last-modified");
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|e| {
        Attempt::Final(FetchError::Io {
            path: dir.to_owned(),
            source: e,
        })
    })?;
    progress.begin(&feed.name, announced);
    let mut reader = response
        .body_mut()
        .with_config()
        .limit(options.max_bytes)
        .reader();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut received: u64 = 0;
    loop {
        let n = reader.read(&mut buffer).map_err(|e| transport(&e))?;
        if n == 0 {
            break;
        }
        let chunk = buffer.get(..n).unwrap_or_default();
        file.write_all(chunk).map_err(|e| {
            Attempt::Final(FetchError::Io {
                path: file.path().to_owned(),
                source: e,
            })
        })?;
        received += n as u64;
        progress.advance(&feed.name, n as u64);
    }
    if let Some(announced) = announced.filter(|a| *a != received) {
        return Err(Attempt::Retry(
            FetchError::Length {
                url: feed.url.clone(),
                received,
                announced,
            },
            None,
        ));
    }
    file.as_file_mut().sync_all().map_err(|e| {
        Attempt::Final(FetchError::Io {
            path: file.path().to_owned(),
            source: e,
        })
    })?;
    Ok(Fetched::Downloaded {
        file,
        meta: FeedMeta {
            name: feed.name.clone(),
            origin: feed.url.clone(),
            fetched: String::new(),
            etag,
            last_modified,
            records: 0,
        },
    })
}
