//! Container images: where packages and secrets are, and which layer put them there.
//!
//! An image is read from a [`source`] (docker-archive, OCI layout or archive, a registry, or an
//! unpacked root filesystem) as its config and an ordered list of layers. Each layer is
//! streamed once through its decompressor and tar reader ([`walk`]); nothing is extracted to
//! disk, and only the files a [`catalog::Cataloger`] asks for are buffered, each up to a size
//! cap. Layers are walked in parallel; [`resolve`] then merges what each layer showed into the
//! final filesystem view, applying whiteouts and opaque directories, and attributes every
//! package to the layer that introduced it (and the one that removed it, if any).
#![warn(missing_docs)]

pub mod catalog;
pub mod package;
pub mod source;

pub use catalog::{Cataloger, Want};
pub use package::{Distro, Package, PackageKind, PackageLocation, SourcePackage};
