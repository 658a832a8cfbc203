//! Small images built by hand in the OCI image format: tar layers (gzip or not), a config
//! whose `diff_ids` and history match, a manifest, and an OCI layout to push them from.

use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";
pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

pub fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::from("sha256:");
    for b in digest.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// A tar of regular files.
pub fn tar(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(1_700_000_000);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(&mut header, path, *content)
            .expect("tar entry");
    }
    builder.into_inner().expect("tar")
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

/// Undoes [`gzip`] when the bytes are gzip; returns them as they are otherwise.
pub fn gunzip_if(bytes: &[u8]) -> Vec<u8> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        std::io::copy(&mut flate2::read::GzDecoder::new(bytes), &mut out).expect("gunzip");
        out
    } else {
        bytes.to_vec()
    }
}

#[derive(Clone, Debug)]
pub struct Blob {
    pub media_type: String,
    pub digest: String,
    pub bytes: Vec<u8>,
}

impl Blob {
    pub fn new(media_type: &str, bytes: Vec<u8>) -> Blob {
        Blob {
            media_type: media_type.to_owned(),
            digest: sha256(&bytes),
            bytes,
        }
    }

    pub fn descriptor(&self) -> serde_json::Value {
        serde_json::json!({
            "mediaType": self.media_type,
            "digest": self.digest,
            "size": self.bytes.len(),
        })
    }
}

#[derive(Clone, Debug)]
pub struct Image {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
    pub layers: Vec<Blob>,
    /// Each layer's tar, uncompressed.
    pub tars: Vec<Vec<u8>>,
    pub config: Blob,
    pub manifest: Blob,
}

/// A layer's files as (path, content), and whether the layer blob is gzip-compressed.
pub type LayerSpec<'a> = (&'a [(&'a str, &'a [u8])], bool);

/// An image of one layer per entry of `layers`.
pub fn image(platform: &str, layers: &[LayerSpec<'_>]) -> Image {
    let mut parts = platform.split('/');
    let os = parts.next().unwrap_or("linux").to_owned();
    let architecture = parts.next().unwrap_or("amd64").to_owned();
    let variant = parts.next().map(str::to_owned);
    let mut blobs = Vec::new();
    let mut tars = Vec::new();
    let mut history = Vec::new();
    for (i, (files, compressed)) in layers.iter().enumerate() {
        let tar = tar(files);
        blobs.push(if *compressed {
            Blob::new(OCI_LAYER_GZIP, gzip(&tar))
        } else {
            Blob::new(OCI_LAYER, tar.clone())
        });
        tars.push(tar);
        history.push(serde_json::json!({
            "created": "2024-01-01T00:00:00Z",
            "created_by": format!("COPY layer{i} / # buildkit"),
        }));
    }
    let mut config = serde_json::json!({
        "created": "2024-01-01T00:00:00Z",
        "architecture": architecture,
        "os": os,
        "config": {"Env": ["PATH=/usr/bin"]},
        "rootfs": {"type": "layers", "diff_ids": tars.iter().map(|t| sha256(t)).collect::<Vec<_>>()},
        "history": history,
    });
    if let Some(v) = &variant {
        config["variant"] = serde_json::json!(v);
    }
    let config = Blob::new(
        OCI_CONFIG,
        serde_json::to_vec(&config).expect("config json"),
    );
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": config.descriptor(),
        "layers": blobs.iter().map(Blob::descriptor).collect::<Vec<_>>(),
    });
    let manifest = Blob::new(
        OCI_MANIFEST,
        serde_json::to_vec(&manifest).expect("manifest json"),
    );
    Image {
        os,
        architecture,
        variant,
        layers: blobs,
        tars,
        config,
        manifest,
    }
}

impl Image {
    pub fn platform_json(&self) -> serde_json::Value {
        let mut p = serde_json::json!({"os": self.os, "architecture": self.architecture});
        if let Some(v) = &self.variant {
            p["variant"] = serde_json::json!(v);
        }
        p
    }

    pub fn blobs(&self) -> Vec<&Blob> {
        let mut out: Vec<&Blob> = self.layers.iter().collect();
        out.push(&self.config);
        out.push(&self.manifest);
        out
    }
}

/// An OCI index over images, each entry with its platform.
pub fn index(images: &[&Image]) -> Blob {
    let manifests: Vec<serde_json::Value> = images
        .iter()
        .map(|image| {
            let mut d = image.manifest.descriptor();
            d["platform"] = image.platform_json();
            d
        })
        .collect();
    let index = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": manifests,
    });
    Blob::new(OCI_INDEX, serde_json::to_vec(&index).expect("index json"))
}

/// Writes an OCI layout at `dir` holding `blobs`, with `index.json` naming `top` as `tag`.
pub fn write_layout(dir: &Path, tag: &str, top: &Blob, blobs: &[&Blob]) {
    let blob_dir = dir.join("blobs").join("sha256");
    std::fs::create_dir_all(&blob_dir).expect("layout dir");
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#)
        .expect("oci-layout");
    for blob in blobs.iter().chain([&top]) {
        let hex = blob.digest.trim_start_matches("sha256:");
        std::fs::write(blob_dir.join(hex), &blob.bytes).expect("blob");
    }
    let mut entry = top.descriptor();
    entry["annotations"] = serde_json::json!({"org.opencontainers.image.ref.name": tag});
    let index = serde_json::json!({"schemaVersion": 2, "manifests": [entry]});
    std::fs::write(
        dir.join("index.json"),
        serde_json::to_vec(&index).expect("index.json"),
    )
    .expect("index.json");
}
