//! Fetching feeds over HTTP: conditional requests, retries, verification.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use harrier_core::testing::http_server::Server;
use harrier_vulndb::db::FeedMeta;
use harrier_vulndb::update::{
    Feed, FeedKind, FetchError, FetchOptions, Fetched, Silent, default_feeds, fetch,
};

fn options() -> FetchOptions {
    FetchOptions {
        attempts: 3,
        backoff: Duration::from_millis(10),
        timeout: Duration::from_secs(10),
        max_bytes: 1 << 20,
    }
}

fn setup() -> (tempfile::TempDir, Server, Feed) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("mirror");
    std::fs::create_dir_all(root.join("kev")).unwrap();
    std::fs::write(
        root.join("kev/known_exploited_vulnerabilities.json"),
        b"{\"vulnerabilities\": []}",
    )
    .unwrap();
    let server = Server::start(root).unwrap();
    let feed = default_feeds(Some(&server.base))
        .into_iter()
        .find(|f| f.kind == FeedKind::Kev)
        .unwrap();
    (dir, server, feed)
}

#[test]
fn mirrors_keep_the_upstream_layout() {
    let feeds = default_feeds(Some("https://mirror.example/harrier/"));
    let pypi = feeds.iter().find(|f| f.name == "osv/PyPI").unwrap();
    assert_eq!(pypi.url, "https://mirror.example/harrier/osv/PyPI/all.zip");
    let redhat = feeds.iter().find(|f| f.name == "osv/Red Hat").unwrap();
    assert_eq!(
        redhat.url,
        "https://mirror.example/harrier/osv/Red%20Hat/all.zip"
    );
    let alpine = feeds
        .iter()
        .find(|f| f.name == "alpine/v3.20/main")
        .unwrap();
    assert_eq!(
        alpine.url,
        "https://mirror.example/harrier/alpine/v3.20/main.json"
    );
    let upstream = default_feeds(None);
    assert!(upstream.iter().all(|f| f.url.starts_with("https://")));
}

#[test]
fn downloads_then_asks_conditionally() {
    let (dir, server, feed) = setup();
    let Fetched::Downloaded { file, meta } =
        fetch(&feed, None, dir.path(), &options(), &Silent).unwrap()
    else {
        panic!("first fetch downloads");
    };
    assert_eq!(
        std::fs::read(file.path()).unwrap(),
        b"{\"vulnerabilities\": []}"
    );
    assert!(meta.etag.is_some());
    let previous = FeedMeta {
        origin: feed.url.clone(),
        ..meta
    };
    let again = fetch(&feed, Some(&previous), dir.path(), &options(), &Silent).unwrap();
    assert!(matches!(again, Fetched::NotModified));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests[1].1.is_some(), "the second request is conditional");
}

#[test]
fn retries_server_errors_and_short_bodies() {
    let (dir, server, feed) = setup();
    let path = "/kev/known_exploited_vulnerabilities.json";
    server.fail(path, 503, 1);
    server.truncate(path, 1);
    let fetched = fetch(&feed, None, dir.path(), &options(), &Silent).unwrap();
    assert!(matches!(fetched, Fetched::Downloaded { .. }));
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn gives_up_after_the_last_attempt_and_on_client_errors() {
    let (dir, server, feed) = setup();
    server.fail("/kev/known_exploited_vulnerabilities.json", 500, 10);
    let err = fetch(&feed, None, dir.path(), &options(), &Silent).unwrap_err();
    assert!(
        matches!(err, FetchError::Status { status: 500, .. }),
        "{err}"
    );
    assert_eq!(server.requests().len(), 3);

    let missing = Feed {
        url: format!("{}/nope.json", server.base),
        ..feed
    };
    let err = fetch(&missing, None, dir.path(), &options(), &Silent).unwrap_err();
    assert!(
        matches!(err, FetchError::Status { status: 404, .. }),
        "{err}"
    );
    assert_eq!(server.requests().len(), 4, "a 404 is not retried");
}
