//! Following a cluster's changes after a full read: one watch per resource listed, continuing
//! from the list's `resourceVersion`, so no change between the list and the watch is missed.
//!
//! Changes arrive through a bounded channel (a slow consumer slows the watches down instead of
//! growing a queue) and are handed over in batches: everything that arrives until the stream
//! has been quiet for the debounce interval, or until a batch is full. A watch that ends (the
//! server closes watches every few minutes) resumes from the last version seen; one whose
//! version is too old (`410 Gone`) lists its resource again, hands every object over as applied
//! and every object that vanished meanwhile as deleted.

use std::collections::HashSet;
use std::ops::ControlFlow;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use kube::api::{Api, DynamicObject, ListParams, WatchEvent, WatchParams};
use tokio::sync::mpsc;

use super::{ClusterError, ClusterOptions, ClusterSnapshot, Connection, Watchable, add_object};
use crate::Object;
use crate::load::Loaded;

/// A change to one object of the cluster.
#[derive(Debug)]
pub enum Change {
    /// The object was created or changed; this is its new state.
    Applied(Object),
    /// The object was deleted.
    Deleted(ObjectKey),
}

/// Which object a change is about: kind, namespace, name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey {
    /// The kind.
    pub kind: String,
    /// The namespace, `None` for cluster-scoped objects.
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
}

impl ObjectKey {
    /// The key of an object read from the cluster.
    pub fn of(object: &Object) -> ObjectKey {
        ObjectKey {
            kind: object.kind().to_owned(),
            namespace: object.resource.namespace.clone(),
            name: object.resource.name.clone().unwrap_or_default(),
        }
    }
}

/// How changes are followed.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// What to read and how.
    pub cluster: ClusterOptions,
    /// A batch is handed over once no change arrived for this long…
    pub debounce: Duration,
    /// …or once its first change has waited this long, so a cluster that never stops changing
    /// is still evaluated regularly.
    pub max_delay: Duration,
    /// Most changes in one batch, and the capacity of the channel between the watches and the
    /// consumer.
    pub max_batch: usize,
    /// Stop after this long (benchmarks and tests); `None` follows until told to stop.
    pub stop_after: Option<Duration>,
}

impl Default for WatchOptions {
    fn default() -> WatchOptions {
        WatchOptions {
            cluster: ClusterOptions::default(),
            debounce: Duration::from_millis(500),
            max_delay: Duration::from_secs(2),
            max_batch: 4096,
            stop_after: None,
        }
    }
}

/// What follows a cluster: told its state once, then each batch of changes.
pub trait Follower {
    /// The cluster as read at the start.
    fn snapshot(&mut self, snapshot: ClusterSnapshot);
    /// A batch of changes, in the order they arrived; `Break` stops the watch.
    fn changes(&mut self, batch: Vec<Change>) -> ControlFlow<()>;
}

/// Reads the cluster, hands the snapshot to `follower`, then follows the cluster's changes
/// and hands over each batch until the follower says `Break` or `stop_after` passes. Blocks
/// the calling thread.
pub fn watch_cluster(
    options: &WatchOptions,
    follower: &mut impl Follower,
) -> Result<(), ClusterError> {
    super::io_runtime()?.block_on(async {
        let connection = Connection::open(&options.cluster).await?;
        let snapshot = super::read_with(&connection, &options.cluster).await?;
        let watchable = snapshot.watchable.clone();
        let context = snapshot.context.clone();
        // What each watch starts from, so that a relist can tell which objects went meanwhile.
        let known: Vec<HashSet<ObjectKey>> = watchable
            .iter()
            .map(|w| {
                snapshot
                    .loaded
                    .objects
                    .iter()
                    .filter(|o| o.group() == w.resource.group && o.kind() == w.resource.kind)
                    .map(ObjectKey::of)
                    .collect()
            })
            .collect();
        follower.snapshot(snapshot);
        let capacity = options.max_batch.max(1);
        let (sender, mut receiver) = mpsc::channel::<Change>(capacity);
        for (resource, known) in watchable.into_iter().zip(known) {
            let client = connection.client.clone();
            let sender = sender.clone();
            let context = context.clone();
            let selector = options.cluster.label_selector.clone();
            tokio::spawn(follow(client, resource, known, context, selector, sender));
        }
        drop(sender);
        let deadline = options.stop_after.map(|d| tokio::time::Instant::now() + d);
        loop {
            let first = match deadline {
                Some(at) => match tokio::time::timeout_at(at, receiver.recv()).await {
                    Ok(change) => change,
                    Err(_) => return Ok(()),
                },
                None => receiver.recv().await,
            };
            let Some(first) = first else {
                return Ok(());
            };
            let mut batch = vec![first];
            let mut close = tokio::time::Instant::now() + options.max_delay;
            if let Some(at) = deadline {
                close = close.min(at);
            }
            while batch.len() < capacity {
                let quiet = (tokio::time::Instant::now() + options.debounce).min(close);
                match tokio::time::timeout_at(quiet, receiver.recv()).await {
                    Ok(Some(change)) => batch.push(change),
                    Ok(None) | Err(_) => break,
                }
            }
            if follower.changes(batch).is_break() {
                return Ok(());
            }
        }
    })
}

/// Watches one resource for as long as the consumer listens, resuming and relisting as the
/// server requires.
async fn follow(
    client: kube::Client,
    mut watched: Watchable,
    mut known: HashSet<ObjectKey>,
    context: String,
    selector: Option<String>,
    sender: mpsc::Sender<Change>,
) {
    let api: Api<DynamicObject> = match &watched.namespace {
        Some(ns) => Api::namespaced_with(client, ns, &watched.resource),
        None => Api::all_with(client, &watched.resource),
    };
    let mut params = WatchParams::default().timeout(290);
    if let Some(selector) = &selector {
        params = params.labels(selector);
    }
    loop {
        let stream = match api.watch(&params, &watched.resource_version).await {
            Ok(stream) => stream,
            Err(e) => {
                tracing::warn!("watch of {} failed: {e}; retrying", watched.resource.plural);
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let mut stream = Box::pin(stream.into_stream());
        let mut gone = false;
        while let Some(event) = stream.next().await {
            let sent = match event {
                Ok(WatchEvent::Added(object) | WatchEvent::Modified(object)) => {
                    remember(&mut watched, &object);
                    known.insert(key_of(&object, &watched));
                    applied(object, &watched, &context, &sender).await
                }
                Ok(WatchEvent::Deleted(object)) => {
                    remember(&mut watched, &object);
                    let key = key_of(&object, &watched);
                    known.remove(&key);
                    sender.send(Change::Deleted(key)).await.is_ok()
                }
                Ok(WatchEvent::Bookmark(bookmark)) => {
                    watched.resource_version = bookmark.metadata.resource_version;
                    true
                }
                Ok(WatchEvent::Error(status)) if status.code == 410 => {
                    gone = true;
                    break;
                }
                Ok(WatchEvent::Error(status)) => {
                    tracing::warn!("watch of {}: {}", watched.resource.plural, status.message);
                    true
                }
                Err(e) => {
                    tracing::warn!("watch of {}: {e}", watched.resource.plural);
                    break;
                }
            };
            if !sent {
                return;
            }
        }
        if gone && !relist(&api, &mut watched, &mut known, &context, &selector, &sender).await {
            return;
        }
    }
}

fn key_of(object: &DynamicObject, watched: &Watchable) -> ObjectKey {
    ObjectKey {
        kind: watched.resource.kind.clone(),
        namespace: object.metadata.namespace.clone(),
        name: object.metadata.name.clone().unwrap_or_default(),
    }
}

fn remember(watched: &mut Watchable, object: &DynamicObject) {
    if let Some(version) = &object.metadata.resource_version {
        version.clone_into(&mut watched.resource_version);
    }
}

/// Sends the object as applied; `false` once the consumer has gone.
async fn applied(
    mut object: DynamicObject,
    watched: &Watchable,
    context: &str,
    sender: &mpsc::Sender<Change>,
) -> bool {
    let mut loaded = Loaded::default();
    add_object(&mut object, &watched.resource, context, &mut loaded);
    for error in &loaded.errors {
        tracing::warn!("{error}");
    }
    for object in loaded.objects {
        if sender.send(Change::Applied(object)).await.is_err() {
            return false;
        }
    }
    true
}

/// Lists the resource again after its watch version expired: every object is sent as
/// applied, and every object known before but absent now (deleted while the watch was gone) as
/// deleted.
async fn relist(
    api: &Api<DynamicObject>,
    watched: &mut Watchable,
    known: &mut HashSet<ObjectKey>,
    context: &str,
    selector: &Option<String>,
    sender: &mpsc::Sender<Change>,
) -> bool {
    let mut params = ListParams::default().limit(500);
    if let Some(selector) = selector {
        params = params.labels(selector);
    }
    let mut present = HashSet::new();
    loop {
        let page = match api.list(&params).await {
            Ok(page) => page,
            Err(e) => {
                tracing::warn!("relist of {}: {e}", watched.resource.plural);
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        for object in page.items {
            present.insert(key_of(&object, watched));
            if !applied(object, watched, context, sender).await {
                return false;
            }
        }
        match page.metadata.continue_.filter(|t| !t.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => {
                watched.resource_version = page.metadata.resource_version.unwrap_or_default();
                let gone: Vec<ObjectKey> = known.difference(&present).cloned().collect();
                for key in gone {
                    if sender.send(Change::Deleted(key)).await.is_err() {
                        return false;
                    }
                }
                *known = present;
                return true;
            }
        }
    }
}
