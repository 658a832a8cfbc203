//! The image config: architecture, OS, the uncompressed layer digests and the history that
//! says which instruction made each layer.
//!
//! Read with a lenient serde model rather than a strict schema type, because Docker's configs
//! carry fields the OCI spec does not and omit ones it has; only what Harrier reports is read.

use serde::{Deserialize, Serialize};

/// The parts of an image config Harrier uses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageConfig {
    /// CPU architecture (`amd64`, `arm64`).
    #[serde(default)]
    pub architecture: String,
    /// Operating system (`linux`).
    #[serde(default)]
    pub os: String,
    /// Architecture variant (`v8`).
    #[serde(default)]
    pub variant: Option<String>,
    /// Creation time.
    #[serde(default)]
    pub created: Option<String>,
    /// The uncompressed layers.
    #[serde(default)]
    pub rootfs: RootFs,
    /// How the image was built, one entry per instruction (some make no layer).
    #[serde(default)]
    pub history: Vec<History>,
}

/// `rootfs` of an image config.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootFs {
    /// `layers`.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// Digests of the uncompressed layer tars, base first.
    #[serde(default)]
    pub diff_ids: Vec<String>,
}

/// One build step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// When.
    #[serde(default)]
    pub created: Option<String>,
    /// The instruction (`/bin/sh -c #(nop) COPY file:… in /app`, `RUN apt-get install …`).
    #[serde(default)]
    pub created_by: Option<String>,
    /// Set when the step made no layer (`ENV`, `LABEL`, `CMD`…).
    #[serde(default)]
    pub empty_layer: bool,
    /// A comment.
    #[serde(default)]
    pub comment: Option<String>,
}

impl ImageConfig {
    /// Parses a config blob.
    pub fn parse(bytes: &[u8]) -> Result<ImageConfig, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// The instruction of each layer, base first: the history entries that made a layer, in
    /// order. Shorter than the layer list when the history is incomplete.
    pub fn layer_history(&self) -> Vec<Option<String>> {
        self.history
            .iter()
            .filter(|h| !h.empty_layer)
            .map(|h| h.created_by.clone())
            .collect()
    }
}
