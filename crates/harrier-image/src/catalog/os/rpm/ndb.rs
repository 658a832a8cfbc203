//! rpm's own "ndb" `Packages.db` (SUSE from SLES 15 SP3 and openSUSE), as rpm's
//! `lib/backend/ndb/rpmpkg.c` writes it. All integers little-endian.
//!
//! - A 32-byte header: magic `RpmP`, version 0, generation, number of slot pages, next package
//!   index.
//! - Slot pages of 4096 bytes from the start of the file (the header takes the first two
//!   16-byte slots): each slot is magic `Slot`, package index, block offset and block count;
//!   block offset 0 marks a free slot. Blocks are 16 bytes.
//! - At `block offset × 16`, a blob: a 16-byte head (magic `BlbS`, package index, timestamp,
//!   length), the header blob, zero padding to the block count, and a 12-byte tail (Adler-32
//!   of head, blob and padding; length again; magic `BlbE`).
//!
//! Slots and blobs are checked as rpm checks them when reading (`rpmpkgReadSlots`,
//! `rpmpkgReadBlob`), including the Adler-32 checksum; a bad blob is reported and skipped.

const HEADER_MAGIC: &[u8; 4] = b"RpmP";
const SLOT_MAGIC: &[u8; 4] = b"Slot";
const BLOB_HEAD_MAGIC: &[u8; 4] = b"BlbS";
const BLOB_TAIL_MAGIC: &[u8; 4] = b"BlbE";
const PAGE_SIZE: usize = 4096;
const SLOT_SIZE: usize = 16;
const BLOCK_SIZE: usize = 16;
const HEADER_SIZE: usize = 32;
const BLOB_HEAD: usize = 16;
const BLOB_TAIL: usize = 12;

/// Whether `content` starts like an ndb package database.
pub(crate) fn is_ndb(content: &[u8]) -> bool {
    content.get(..4) == Some(HEADER_MAGIC.as_slice())
}

fn le32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        bytes.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// Adler-32 (RFC 1950), continuing from `adler`.
pub(crate) fn adler32(adler: u32, bytes: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (adler & 0xffff, adler >> 16);
    // 5552 is the most bytes that cannot overflow `b` before reducing.
    for chunk in bytes.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// Calls `each` with every header blob of a `Packages.db` file, or an error for a package that
/// could not be read, each with its package index. `Err` when the file is not a readable ndb
/// database at all.
pub(crate) fn read(content: &[u8], each: &mut super::EachRecord<'_>) -> Result<(), String> {
    if !is_ndb(content) {
        return Err("not an rpm ndb database".to_owned());
    }
    let version = le32(content, 4).unwrap_or(u32::MAX);
    if version != 0 {
        return Err(format!("ndb version {version}, only version 0 exists"));
    }
    let slot_pages = le32(content, 12).unwrap_or(0) as usize;
    if slot_pages == 0 || slot_pages.saturating_mul(PAGE_SIZE) > content.len() {
        return Err(format!(
            "{slot_pages} slot pages in a {}-byte file",
            content.len()
        ));
    }
    if content.len() % BLOCK_SIZE != 0 {
        return Err(format!(
            "file size {} is not a multiple of the block size",
            content.len()
        ));
    }
    let file_blocks = content.len() / BLOCK_SIZE;
    let min_block = slot_pages * (PAGE_SIZE / BLOCK_SIZE);
    let slots = content
        .get(HEADER_SIZE..slot_pages * PAGE_SIZE)
        .unwrap_or_default();
    for slot in slots.chunks_exact(SLOT_SIZE) {
        if slot.get(..4) != Some(SLOT_MAGIC.as_slice()) {
            return Err("bad slot magic: the slot pages are damaged".to_owned());
        }
        let (index, offset, count) = (
            le32(slot, 4).unwrap_or(0),
            le32(slot, 8).unwrap_or(0) as usize,
            le32(slot, 12).unwrap_or(0) as usize,
        );
        if offset == 0 {
            continue;
        }
        if index == 0
            || count == 0
            || offset < min_block
            || offset.saturating_add(count) > file_blocks
        {
            each(
                index,
                Err(format!(
                    "slot of package {index} points at blocks {offset}+{count} outside the data"
                )),
            );
            continue;
        }
        each(index, blob(content, index, offset, count));
    }
    Ok(())
}

/// The header blob of package `index` at block `offset`, `count` blocks long.
fn blob(content: &[u8], index: u32, offset: usize, count: usize) -> Result<&[u8], String> {
    let start = offset * BLOCK_SIZE;
    let block = content
        .get(start..start + count * BLOCK_SIZE)
        .ok_or_else(|| format!("blob of package {index} runs past the end of the file"))?;
    if block.get(..4) != Some(BLOB_HEAD_MAGIC.as_slice()) || le32(block, 4) != Some(index) {
        return Err(format!("no blob of package {index} at block {offset}"));
    }
    let len = le32(block, 12).unwrap_or(0) as usize;
    if count != (BLOB_HEAD + len + BLOB_TAIL).div_ceil(BLOCK_SIZE) {
        return Err(format!(
            "blob of package {index} is {len} bytes, which does not fill its {count} blocks"
        ));
    }
    let tail_at = block.len() - BLOB_TAIL;
    let (Some(body), Some(tail)) = (block.get(..tail_at), block.get(tail_at..)) else {
        return Err(format!("blob of package {index} is cut short"));
    };
    if tail.get(8..12) != Some(BLOB_TAIL_MAGIC.as_slice()) || le32(tail, 4) != Some(len as u32) {
        return Err(format!("blob of package {index} has a bad tail"));
    }
    if le32(tail, 0) != Some(adler32(1, body)) {
        return Err(format!(
            "blob of package {index} fails its Adler-32 checksum"
        ));
    }
    block
        .get(BLOB_HEAD..BLOB_HEAD + len)
        .ok_or_else(|| format!("blob of package {index} is cut short"))
}

/// Writes an ndb database of the given blobs the way `rpmpkgPutInternal` lays out a fresh one
/// (one slot page, blobs appended in order), for tests.
#[cfg(test)]
pub(crate) fn build(blobs: &[&[u8]]) -> Vec<u8> {
    let mut db = vec![0u8; PAGE_SIZE];
    db[..4].copy_from_slice(HEADER_MAGIC);
    db[12..16].copy_from_slice(&1u32.to_le_bytes());
    db[16..20].copy_from_slice(&(blobs.len() as u32 + 1).to_le_bytes());
    for slot in (HEADER_SIZE..PAGE_SIZE).step_by(SLOT_SIZE) {
        db[slot..slot + 4].copy_from_slice(SLOT_MAGIC);
    }
    for (i, blob) in blobs.iter().enumerate() {
        let index = i as u32 + 1;
        let count = (BLOB_HEAD + blob.len() + BLOB_TAIL).div_ceil(BLOCK_SIZE);
        let offset = db.len() / BLOCK_SIZE;
        let mut block = Vec::with_capacity(count * BLOCK_SIZE);
        block.extend_from_slice(BLOB_HEAD_MAGIC);
        block.extend_from_slice(&index.to_le_bytes());
        block.extend_from_slice(&1_700_000_000u32.to_le_bytes());
        block.extend_from_slice(&(blob.len() as u32).to_le_bytes());
        block.extend_from_slice(blob);
        block.resize(count * BLOCK_SIZE - BLOB_TAIL, 0);
        let sum = adler32(1, &block);
        block.extend_from_slice(&sum.to_le_bytes());
        block.extend_from_slice(&(blob.len() as u32).to_le_bytes());
        block.extend_from_slice(BLOB_TAIL_MAGIC);
        db.extend_from_slice(&block);
        let slot = HEADER_SIZE + i * SLOT_SIZE;
        db[slot + 4..slot + 8].copy_from_slice(&index.to_le_bytes());
        db[slot + 8..slot + 12].copy_from_slice(&(offset as u32).to_le_bytes());
        db[slot + 12..slot + 16].copy_from_slice(&(count as u32).to_le_bytes());
    }
    db
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adler32_known_values() {
        // RFC 1950's example and zlib's value for "Wikipedia".
        assert_eq!(adler32(1, b""), 1);
        assert_eq!(adler32(1, b"Wikipedia"), 0x11E6_0398);
        let long = vec![0xffu8; 100_000];
        let (a, b) = long.split_at(33_333);
        assert_eq!(adler32(adler32(1, a), b), adler32(1, &long));
    }

    #[test]
    fn reads_blobs() {
        let db = build(&[b"first blob", b"second"]);
        let mut got = Vec::new();
        read(&db, &mut |i, b| got.push((i, b.map(<[u8]>::to_vec)))).expect("readable");
        assert_eq!(
            got,
            [(1, Ok(b"first blob".to_vec())), (2, Ok(b"second".to_vec()))]
        );
    }

    #[test]
    fn reports_damage() {
        assert!(read(b"RpmP", &mut |_, _| {}).is_err());
        let mut db = build(&[b"first blob", b"second"]);
        // Flip a byte of the first blob: its checksum fails, the second still reads.
        db[PAGE_SIZE + BLOB_HEAD] ^= 1;
        let mut got = Vec::new();
        read(&db, &mut |i, b| got.push((i, b.is_ok()))).expect("readable");
        assert_eq!(got, [(1, false), (2, true)]);
        // A slot pointing past the end.
        let mut db = build(&[b"x"]);
        db[HEADER_SIZE + 8..HEADER_SIZE + 12].copy_from_slice(&10_000u32.to_le_bytes());
        let mut got = Vec::new();
        read(&db, &mut |i, b| got.push((i, b.is_ok()))).expect("readable");
        assert_eq!(got, [(1, false)]);
    }
}
