//! The rpm header, as the rpm database stores one per installed package.
//!
//! A header blob (rpm's `hdrblob`, what `headerExport` writes and every database backend
//! stores) is, all integers big-endian:
//! - `il` (u32): the number of index entries, and `dl` (u32): the size of the data store;
//! - `il` index entries of 16 bytes: `tag` (i32), `type` (u32), `offset` (i32, into the
//!   data store), `count` (u32);
//! - the data store, `dl` bytes.
//!
//! Types: 0 NULL, 1 CHAR, 2 INT8, 3 INT16, 4 INT32, 5 INT64, 6 STRING (one NUL-terminated
//! string), 7 BIN, 8 STRING_ARRAY and 9 I18NSTRING (`count` NUL-terminated strings). The first
//! entry is usually a region tag (`HEADERIMMUTABLE`, 63) whose trailer sits at the end of the
//! data; entries rpm adds after installing (install time, file states) follow the region. Only
//! the tags a package needs are read here, each bounds-checked: an offset outside the data
//! store, a string without its NUL or a wrong type is an error for that tag. rpm's own
//! limits apply to the whole blob (at most 65535 entries and 256 MiB of data).

/// `RPMTAG_NAME`.
pub(crate) const NAME: i32 = 1000;
/// `RPMTAG_VERSION`.
pub(crate) const VERSION: i32 = 1001;
/// `RPMTAG_RELEASE`.
pub(crate) const RELEASE: i32 = 1002;
/// `RPMTAG_EPOCH`.
pub(crate) const EPOCH: i32 = 1003;
/// `RPMTAG_VENDOR`.
pub(crate) const VENDOR: i32 = 1011;
/// `RPMTAG_LICENSE`.
pub(crate) const LICENSE: i32 = 1014;
/// `RPMTAG_ARCH`.
pub(crate) const ARCH: i32 = 1022;
/// `RPMTAG_SOURCERPM`.
pub(crate) const SOURCERPM: i32 = 1044;
/// `RPMTAG_MODULARITYLABEL`.
pub(crate) const MODULARITYLABEL: i32 = 5096;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// rpm's `HEADER_TAGS_MAX`.
const MAX_ENTRIES: usize = 0xffff;
/// rpm's `HEADER_DATA_MAX`.
const MAX_DATA: usize = 0x0fff_ffff;
const ENTRY_SIZE: usize = 16;

/// A parsed header: its index and data store, borrowed from the blob.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Header<'a> {
    index: &'a [u8],
    data: &'a [u8],
}

/// One index entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    tag: i32,
    kind: u32,
    offset: i32,
    count: u32,
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes(b.try_into().ok()?))
}

impl<'a> Header<'a> {
    /// Reads the index and data store bounds of a blob.
    pub(crate) fn parse(blob: &'a [u8]) -> Result<Header<'a>, String> {
        let (Some(il), Some(dl)) = (be32(blob, 0), be32(blob, 4)) else {
            return Err(format!(
                "header is {} bytes, shorter than its 8-byte preamble",
                blob.len()
            ));
        };
        let (il, dl) = (il as usize, dl as usize);
        if il == 0 || il > MAX_ENTRIES {
            return Err(format!(
                "header has {il} index entries (1 to {MAX_ENTRIES})"
            ));
        }
        if dl > MAX_DATA {
            return Err(format!(
                "header data store is {dl} bytes (at most {MAX_DATA})"
            ));
        }
        let index_end = 8 + il * ENTRY_SIZE;
        let data_end = index_end + dl;
        let (Some(index), Some(data)) = (blob.get(8..index_end), blob.get(index_end..data_end))
        else {
            return Err(format!(
                "header of {il} entries and {dl} data bytes needs {data_end} bytes, has {}",
                blob.len()
            ));
        };
        Ok(Header { index, data })
    }

    fn entries(&self) -> impl Iterator<Item = Entry> + '_ {
        self.index.chunks_exact(ENTRY_SIZE).filter_map(|e| {
            Some(Entry {
                tag: be32(e, 0)? as i32,
                kind: be32(e, 4)?,
                offset: be32(e, 8)? as i32,
                count: be32(e, 12)?,
            })
        })
    }

    /// The entry for `tag`; rpm lets an entry added after the region replace one inside it,
    /// so the last wins.
    fn entry(&self, tag: i32) -> Option<Entry> {
        self.entries().filter(|e| e.tag == tag).last()
    }

    /// The data of an entry from its offset to the end of the store.
    fn data_at(&self, entry: Entry) -> Result<&'a [u8], String> {
        usize::try_from(entry.offset)
            .ok()
            .and_then(|offset| self.data.get(offset..))
            .ok_or_else(|| {
                format!(
                    "tag {} points at offset {} outside its {}-byte data store",
                    entry.tag,
                    entry.offset,
                    self.data.len()
                )
            })
    }

    /// A string tag (STRING, the first of a STRING_ARRAY or I18NSTRING); `Ok(None)` when
    /// absent. Invalid UTF-8 is replaced, as rpm's strings are meant to be UTF-8.
    pub(crate) fn string(&self, tag: i32) -> Result<Option<String>, String> {
        let Some(entry) = self.entry(tag) else {
            return Ok(None);
        };
        if !matches!(
            entry.kind,
            TYPE_STRING | TYPE_STRING_ARRAY | TYPE_I18NSTRING
        ) || entry.count == 0
        {
            return Err(format!(
                "tag {tag} has type {} and count {}, not a string",
                entry.kind, entry.count
            ));
        }
        let bytes = self.data_at(entry)?;
        let Some(end) = bytes.iter().position(|&b| b == 0) else {
            return Err(format!("string of tag {tag} is not terminated"));
        };
        let bytes = bytes.get(..end).unwrap_or_default();
        Ok(Some(String::from_utf8_lossy(bytes).into_owned()))
    }

    /// The first value of an INT32 tag; `Ok(None)` when absent.
    pub(crate) fn int32(&self, tag: i32) -> Result<Option<u32>, String> {
        let Some(entry) = self.entry(tag) else {
            return Ok(None);
        };
        if entry.kind != TYPE_INT32 || entry.count == 0 {
            return Err(format!(
                "tag {tag} has type {} and count {}, not INT32",
                entry.kind, entry.count
            ));
        }
        be32(self.data_at(entry)?, 0)
            .map(Some)
            .ok_or_else(|| format!("value of tag {tag} runs past the data store"))
    }
}

/// Builds header blobs, for tests here and in the storage formats' tests.
#[cfg(test)]
pub(crate) fn build(strings: &[(i32, &str)], ints: &[(i32, u32)]) -> Vec<u8> {
    let mut index = Vec::new();
    let mut data: Vec<u8> = Vec::new();
    for (tag, value) in ints {
        while data.len() % 4 != 0 {
            data.push(0);
        }
        index.push((*tag, TYPE_INT32, data.len(), 1u32));
        data.extend_from_slice(&value.to_be_bytes());
    }
    for (tag, value) in strings {
        index.push((*tag, TYPE_STRING, data.len(), 1));
        data.extend_from_slice(value.as_bytes());
        data.push(0);
    }
    let mut blob = Vec::new();
    blob.extend_from_slice(&(index.len() as u32).to_be_bytes());
    blob.extend_from_slice(&(data.len() as u32).to_be_bytes());
    for (tag, kind, offset, count) in index {
        blob.extend_from_slice(&tag.to_be_bytes());
        blob.extend_from_slice(&kind.to_be_bytes());
        blob.extend_from_slice(&(offset as u32).to_be_bytes());
        blob.extend_from_slice(&count.to_be_bytes());
    }
    blob.extend_from_slice(&data);
    blob
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tags() {
        let blob = build(
            &[(NAME, "bash"), (VERSION, "5.1.8"), (RELEASE, "6.el9")],
            &[(EPOCH, 2)],
        );
        let h = Header::parse(&blob).expect("header");
        assert_eq!(h.string(NAME), Ok(Some("bash".to_owned())));
        assert_eq!(h.string(RELEASE), Ok(Some("6.el9".to_owned())));
        assert_eq!(h.int32(EPOCH), Ok(Some(2)));
        assert_eq!(h.string(LICENSE), Ok(None));
        assert!(h.string(EPOCH).is_err());
        assert!(h.int32(NAME).is_err());
    }

    #[test]
    fn rejects_bad_blobs() {
        assert!(Header::parse(b"").is_err());
        assert!(Header::parse(&[0, 0, 0, 0, 0, 0, 0, 0]).is_err());
        assert!(Header::parse(&[0, 0, 0, 1, 0, 0, 0, 4, 0, 0]).is_err());
        let mut blob = build(&[(NAME, "x")], &[]);
        // Offset past the data store.
        blob[8 + 8..8 + 12].copy_from_slice(&100u32.to_be_bytes());
        let h = Header::parse(&blob).expect("header");
        assert!(h.string(NAME).is_err());
        // Unterminated string.
        let mut blob = build(&[(NAME, "x")], &[]);
        let last = blob.len() - 1;
        blob[last] = b'y';
        let h = Header::parse(&blob).expect("header");
        assert!(h.string(NAME).is_err());
        // Negative offset.
        let mut blob = build(&[(NAME, "x")], &[]);
        blob[8 + 8..8 + 12].copy_from_slice(&(-16i32).to_be_bytes());
        let h = Header::parse(&blob).expect("header");
        assert!(h.string(NAME).is_err());
    }
}
