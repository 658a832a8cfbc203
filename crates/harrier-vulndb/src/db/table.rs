//! A sorted string table: byte-string keys mapped to byte-string values, laid out as three
//! blobs (keys, a fixed-width index, values) so that a lookup in a memory-mapped file is a
//! binary search over the index with no decoding and no allocation.
//!
//! Index entries are four little-endian `u32`s: key offset, key length, value offset, value
//! length. Offsets are relative to their blob. Every read is bounds-checked: a database file
//! is input like any other, and a corrupt one must give an error, not a panic.

use std::cmp::Ordering;

const ENTRY: usize = 16;

/// Builds a table from key/value pairs.
#[derive(Debug, Default)]
pub struct TableBuilder {
    entries: Vec<(Vec<u8>, Vec<u8>)>,
}

/// The three blobs of a built table.
#[derive(Debug, Default)]
pub struct TableBlobs {
    /// Keys, back to back.
    pub keys: Vec<u8>,
    /// Fixed-width entries.
    pub index: Vec<u8>,
    /// Values, back to back.
    pub values: Vec<u8>,
}

/// A table larger than 4 GiB in one of its blobs, which the format cannot address.
#[derive(Debug, thiserror::Error)]
#[error("a database table exceeds 4 GiB")]
pub struct TooLarge;

impl TableBuilder {
    /// Adds a pair. Keys must be unique; the last value for a key wins.
    pub fn insert(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.entries.push((key, value));
    }

    /// Sorts by key and lays the table out.
    pub fn finish(mut self) -> Result<TableBlobs, TooLarge> {
        self.entries.sort_by(|a, b| a.0.cmp(&b.0));
        self.entries.dedup_by(|later, earlier| {
            if later.0 == earlier.0 {
                std::mem::swap(&mut later.1, &mut earlier.1);
                true
            } else {
                false
            }
        });
        let mut blobs = TableBlobs::default();
        for (key, value) in self.entries {
            let key_at = u32::try_from(blobs.keys.len()).map_err(|_| TooLarge)?;
            let value_at = u32::try_from(blobs.values.len()).map_err(|_| TooLarge)?;
            let key_len = u32::try_from(key.len()).map_err(|_| TooLarge)?;
            let value_len = u32::try_from(value.len()).map_err(|_| TooLarge)?;
            for n in [key_at, key_len, value_at, value_len] {
                blobs.index.extend_from_slice(&n.to_le_bytes());
            }
            blobs.keys.extend_from_slice(&key);
            blobs.values.extend_from_slice(&value);
        }
        Ok(blobs)
    }
}

/// A read-only view of a table inside a database file.
#[derive(Debug, Clone, Copy)]
pub struct Table<'a> {
    keys: &'a [u8],
    index: &'a [u8],
    values: &'a [u8],
}

/// A table whose index does not fit its blobs.
#[derive(Debug, thiserror::Error)]
#[error("corrupt table entry {entry}")]
pub struct Corrupt {
    /// The entry that does not fit.
    pub entry: usize,
}

impl<'a> Table<'a> {
    /// A view over the three blobs.
    pub fn new(keys: &'a [u8], index: &'a [u8], values: &'a [u8]) -> Table<'a> {
        Table {
            keys,
            index,
            values,
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.index.len() / ENTRY
    }

    /// The value stored under `key`.
    pub fn get(&self, key: &[u8]) -> Result<Option<&'a [u8]>, Corrupt> {
        let (mut low, mut high) = (0, self.len());
        while low < high {
            let mid = low + (high - low) / 2;
            let (k, v) = self.entry(mid)?;
            match k.cmp(key) {
                Ordering::Less => low = mid + 1,
                Ordering::Greater => high = mid,
                Ordering::Equal => return Ok(Some(v)),
            }
        }
        Ok(None)
    }

    /// Entry `i`: its key and value.
    pub fn entry(&self, i: usize) -> Result<(&'a [u8], &'a [u8]), Corrupt> {
        let corrupt = || Corrupt { entry: i };
        let at = i.checked_mul(ENTRY).ok_or_else(corrupt)?;
        let raw = self.index.get(at..at + ENTRY).ok_or_else(corrupt)?;
        let field = |n: usize| -> Result<usize, Corrupt> {
            let bytes: [u8; 4] = raw
                .get(n * 4..n * 4 + 4)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(corrupt)?;
            usize::try_from(u32::from_le_bytes(bytes)).map_err(|_| corrupt())
        };
        let (key_at, key_len, value_at, value_len) = (field(0)?, field(1)?, field(2)?, field(3)?);
        let key = self
            .keys
            .get(key_at..key_at + key_len)
            .ok_or_else(corrupt)?;
        let value = self
            .values
            .get(value_at..value_at + value_len)
            .ok_or_else(corrupt)?;
        Ok((key, value))
    }

    /// Every entry in key order.
    pub fn iter(&self) -> impl Iterator<Item = Result<(&'a [u8], &'a [u8]), Corrupt>> + '_ {
        (0..self.len()).map(|i| self.entry(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_up_sorted_keys() {
        let mut b = TableBuilder::default();
        for (k, v) in [
            ("npm\0\0lodash", "1"),
            ("PyPI\0\0django", "2"),
            ("Go\0\0x", "3"),
            ("npm\0\0lodash", "4"),
        ] {
            b.insert(k.as_bytes().to_vec(), v.as_bytes().to_vec());
        }
        let blobs = b.finish().unwrap();
        let t = Table::new(&blobs.keys, &blobs.index, &blobs.values);
        assert_eq!(t.len(), 3);
        assert_eq!(t.get(b"npm\0\0lodash").unwrap(), Some(&b"4"[..]));
        assert_eq!(t.get(b"PyPI\0\0django").unwrap(), Some(&b"2"[..]));
        assert_eq!(t.get(b"nope").unwrap(), None);
    }

    #[test]
    fn corrupt_index_is_an_error() {
        let t = Table::new(
            b"abc",
            &[0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            b"",
        );
        assert!(t.get(b"abc").is_err());
    }
}
