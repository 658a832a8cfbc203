//! Bundles: a whole database in one compressed, checksummed file, for air-gapped sites.
//!
//! `harrier db bundle OUT` writes one; `harrier db import BUNDLE` on another machine verifies
//! and installs it. Layout: magic `HRRBNDL1`, the SHA-256 of the uncompressed database (32
//! bytes), its length (`u64`, little-endian), then the database as one zstd frame. The checksum
//! covers what is installed, so a bundle damaged in transit, or one that decompresses to
//! something else, is refused before it replaces anything.

use std::io::{Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::db::{Database, DbError, build::write_atomically};

/// First bytes of every bundle.
pub const MAGIC: [u8; 8] = *b"HRRBNDL1";
const HEADER: usize = 8 + 32 + 8;
/// zstd level: bundles are written once and copied around, so size matters more than time.
const LEVEL: i32 = 19;
/// Refuse bundles claiming more than this uncompressed (a decompression bomb).
const MAX_UNCOMPRESSED: u64 = 16 * 1024 * 1024 * 1024;

/// What a bundle holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleInfo {
    /// SHA-256 of the uncompressed database, hex.
    pub sha256: String,
    /// Uncompressed size.
    pub size: u64,
    /// Compressed size (the bundle file).
    pub compressed: u64,
}

/// Writes the database `db` as a bundle at `out`.
pub fn write(db: &Database, out: &Path) -> Result<BundleInfo, DbError> {
    db.verify()?;
    let bytes = db.as_bytes();
    let digest = Sha256::digest(bytes);
    let mut file = Vec::with_capacity(bytes.len() / 4 + HEADER);
    file.extend_from_slice(&MAGIC);
    file.extend_from_slice(&digest);
    file.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    let mut encoder = zstd::Encoder::new(&mut file, LEVEL).map_err(|e| DbError::io(out, e))?;
    // Long-distance matching finds the repeats between advisories far apart in the file.
    let _ = encoder.long_distance_matching(true);
    encoder.write_all(bytes).map_err(|e| DbError::io(out, e))?;
    encoder.finish().map_err(|e| DbError::io(out, e))?;
    write_atomically(out, &file)?;
    Ok(BundleInfo {
        sha256: hex(&digest),
        size: bytes.len() as u64,
        compressed: file.len() as u64,
    })
}

/// Whether the file at `path` is a bundle.
pub fn is_bundle(path: &Path) -> bool {
    let mut magic = [0u8; 8];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|()| magic == MAGIC)
}

/// Reads and verifies a bundle, returning the database it holds.
pub fn read(path: &Path) -> Result<(Database, BundleInfo), DbError> {
    let corrupt = |reason: &str| DbError::Corrupt {
        path: path.to_owned(),
        reason: reason.to_owned(),
    };
    let file = std::fs::read(path).map_err(|e| DbError::io(path, e))?;
    let (header, body) = file
        .split_at_checked(HEADER)
        .ok_or_else(|| corrupt("bundle header cut short"))?;
    if header.get(..8) != Some(&MAGIC[..]) {
        return Err(corrupt("not a Harrier database bundle"));
    }
    let expected = header
        .get(8..40)
        .ok_or_else(|| corrupt("bundle header cut short"))?;
    let size = header
        .get(40..48)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_le_bytes)
        .ok_or_else(|| corrupt("bundle header cut short"))?;
    if size > MAX_UNCOMPRESSED {
        return Err(corrupt("bundle claims an implausible size"));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    zstd::Decoder::new(body)
        .map_err(|e| DbError::io(path, e))?
        .take(size + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| DbError::io(path, e))?;
    let digest = Sha256::digest(&bytes);
    if bytes.len() as u64 != size || digest.as_slice() != expected {
        return Err(corrupt("checksum mismatch: the bundle is damaged"));
    }
    let info = BundleInfo {
        sha256: hex(&digest),
        size,
        compressed: file.len() as u64,
    };
    let db = Database::from_bytes(bytes)?;
    db.verify()?;
    Ok((db, info))
}

/// Installs a verified bundle's database at `db_path`, atomically.
pub fn install(bundle: &Path, db_path: &Path) -> Result<BundleInfo, DbError> {
    let (db, info) = read(bundle)?;
    write_atomically(db_path, db.as_bytes())?;
    Ok(info)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
