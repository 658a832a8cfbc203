//! rpm's Berkeley DB `Packages` file (RHEL/CentOS up to 8, Amazon Linux 2, Fedora up to 32,
//! SLES up to 15 SP2), read without Berkeley DB.
//!
//! `Packages` is a Berkeley DB hash database (db_page.h of libdb 5.3): fixed-size pages, page 0
//! the hash metadata page (magic `0x061561` at byte 12, written in the creating machine's byte
//! order, which the magic reveals; page size at 20; page type 8 at 25; last page number at
//! 32). Hash pages (type 13, or 2 for the unsorted pages of old versions) hold an array of
//! 2-byte item offsets after the 26-byte page header, alternating key and data items; an item's
//! length runs to the previous item's offset (items fill the page from its end). Keys are the
//! 4-byte header instance numbers. A data item is either inline (`H_KEYDATA`, type 1) or, for
//! anything larger than a quarter page (every rpm header), an `H_OFFPAGE` reference (type 3:
//! first overflow page and total length) to a chain of overflow pages (type 7), each holding
//! `hf_offset` bytes after its header and linking to the next.
//!
//! Every page is read from the buffered file by number, every offset and length checked, and an
//! overflow chain may visit each page at most once. Encrypted or checksummed databases, which
//! rpm never creates, are reported as not read. Instance 0 holds rpm's next-instance counter,
//! not a header, and is skipped. This follows Berkeley DB's documented page layout, as
//! syft and Trivy do through `knqyf263/go-rpmdb`; it reads inline items, which that does not.

const HASH_MAGIC: u32 = 0x0006_1561;
const BTREE_MAGIC: u32 = 0x0005_3162;
const PAGE_HEADER: usize = 26;

const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASHMETA: u8 = 8;
const P_HASH: u8 = 13;

const H_KEYDATA: u8 = 1;
const H_DUPLICATE: u8 = 2;
const H_OFFPAGE: u8 = 3;
const H_OFFDUP: u8 = 4;

/// Whether `content` starts like a Berkeley DB hash database.
pub(crate) fn is_bdb(content: &[u8]) -> bool {
    Db::byte_order(content).is_some()
}

struct Db<'a> {
    content: &'a [u8],
    page_size: usize,
    last_page: u32,
    big_endian: bool,
}

impl<'a> Db<'a> {
    fn byte_order(content: &[u8]) -> Option<bool> {
        let magic: [u8; 4] = content.get(12..16)?.try_into().ok()?;
        if u32::from_le_bytes(magic) == HASH_MAGIC {
            Some(false)
        } else if u32::from_be_bytes(magic) == HASH_MAGIC {
            Some(true)
        } else {
            None
        }
    }

    fn u16_at(&self, bytes: &[u8], at: usize) -> Option<u16> {
        let b: [u8; 2] = bytes.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if self.big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    }

    fn u32_at(&self, bytes: &[u8], at: usize) -> Option<u32> {
        let b: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }

    fn page(&self, number: u32) -> Option<&'a [u8]> {
        let start = (number as usize).checked_mul(self.page_size)?;
        self.content.get(start..start.checked_add(self.page_size)?)
    }

    fn open(content: &'a [u8]) -> Result<Db<'a>, String> {
        let Some(big_endian) = Db::byte_order(content) else {
            let magic = content
                .get(12..16)
                .and_then(|m| <[u8; 4]>::try_from(m).ok())
                .map(u32::from_le_bytes);
            return Err(if magic == Some(BTREE_MAGIC) {
                "a Berkeley DB btree database, not the hash database rpm writes".to_owned()
            } else {
                "not a Berkeley DB hash database".to_owned()
            });
        };
        let mut db = Db {
            content,
            page_size: 0,
            last_page: 0,
            big_endian,
        };
        let page_size = db.u32_at(content, 20).unwrap_or(0);
        if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
            return Err(format!(
                "page size {page_size} is not a Berkeley DB page size"
            ));
        }
        db.page_size = page_size as usize;
        match content.get(24..27) {
            Some([0, P_HASHMETA, flags]) if flags & 1 == 0 => {}
            Some([0, P_HASHMETA, _]) => {
                return Err("checksummed Berkeley DB pages are not read".to_owned());
            }
            Some([0, kind, _]) => {
                return Err(format!(
                    "page 0 has type {kind}, not the hash metadata page"
                ));
            }
            _ => return Err("encrypted Berkeley DB databases are not read".to_owned()),
        }
        db.last_page = db.u32_at(content, 32).unwrap_or(0);
        Ok(db)
    }

    /// The length and offset of item `index` of a hash page.
    fn item(&self, page: &'a [u8], index: usize) -> Option<&'a [u8]> {
        let offset = self.u16_at(page, PAGE_HEADER + 2 * index)? as usize;
        let end = match index {
            0 => self.page_size,
            _ => self.u16_at(page, PAGE_HEADER + 2 * (index - 1))? as usize,
        };
        (offset >= PAGE_HEADER && offset < end)
            .then(|| page.get(offset..end))
            .flatten()
    }

    /// The value an `H_OFFPAGE` item points to.
    fn overflow(&self, item: &[u8]) -> Result<Vec<u8>, String> {
        let (Some(mut next), Some(total)) = (self.u32_at(item, 4), self.u32_at(item, 8)) else {
            return Err("short off-page item".to_owned());
        };
        let total = total as usize;
        if total > self.content.len() {
            return Err(format!(
                "off-page item of {total} bytes in a {}-byte file",
                self.content.len()
            ));
        }
        let mut value = Vec::with_capacity(total);
        let mut visited = 0u64;
        while next != 0 {
            visited += 1;
            if visited > u64::from(self.last_page) + 1 {
                return Err("overflow page chain loops".to_owned());
            }
            let Some(page) = self.page(next) else {
                return Err(format!("overflow page {next} is past the end of the file"));
            };
            if page.get(25) != Some(&P_OVERFLOW) {
                return Err(format!("page {next} is not an overflow page"));
            }
            let len = self.u16_at(page, 22).unwrap_or(0) as usize;
            let Some(chunk) = page.get(PAGE_HEADER..PAGE_HEADER + len) else {
                return Err(format!("overflow page {next} claims {len} bytes"));
            };
            if value.len() + chunk.len() > total {
                return Err(format!("overflow chain holds more than its {total} bytes"));
            }
            value.extend_from_slice(chunk);
            next = self.u32_at(page, 16).unwrap_or(0);
        }
        if value.len() != total {
            return Err(format!(
                "overflow chain holds {} of its {total} bytes",
                value.len()
            ));
        }
        Ok(value)
    }
}

/// Calls `each` with every header blob of a `Packages` file, or an error for a record that
/// could not be read, each with its instance number (0 when the key was unreadable). `Err`
/// when the file is not a readable hash database at all.
pub(crate) fn read(content: &[u8], each: &mut super::EachRecord<'_>) -> Result<(), String> {
    let db = Db::open(content)?;
    let pages = content.len() / db.page_size;
    let last = (db.last_page as usize).min(pages.saturating_sub(1));
    if (db.last_page as usize) >= pages {
        each(
            0,
            Err(format!(
                "the file is truncated: {pages} pages of the {} its metadata names",
                u64::from(db.last_page) + 1
            )),
        );
    }
    for number in 1..=last {
        let Some(page) = db.page(number as u32) else {
            break;
        };
        let kind = page.get(25).copied().unwrap_or(0);
        if kind != P_HASH && kind != P_HASH_UNSORTED {
            continue;
        }
        let entries = db.u16_at(page, 20).unwrap_or(0) as usize;
        for pair in 0..entries / 2 {
            let (key, data) = (db.item(page, 2 * pair), db.item(page, 2 * pair + 1));
            let instance = key
                .filter(|k| k.first() == Some(&H_KEYDATA))
                .and_then(|k| db.u32_at(k, 1))
                .unwrap_or(0);
            let Some(data) = data else {
                each(
                    instance,
                    Err(format!(
                        "page {number}: item {} is out of bounds",
                        2 * pair + 1
                    )),
                );
                continue;
            };
            if key.is_some_and(|k| k.get(1..) == Some(&[0, 0, 0, 0])) {
                continue;
            }
            match data.first().copied() {
                Some(H_KEYDATA) => each(instance, Ok(data.get(1..).unwrap_or_default())),
                Some(H_OFFPAGE) => match db.overflow(data) {
                    Ok(value) => each(instance, Ok(&value)),
                    Err(message) => each(instance, Err(format!("page {number}: {message}"))),
                },
                Some(H_DUPLICATE | H_OFFDUP) => each(
                    instance,
                    Err(format!(
                        "page {number}: duplicate data items, which rpm never writes"
                    )),
                ),
                other => each(
                    instance,
                    Err(format!("page {number}: unknown item type {other:?}")),
                ),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny hash database in little- or big-endian order: the metadata page, one hash page
    /// with an inline and an off-page value, and two overflow pages.
    fn database(big_endian: bool) -> Vec<u8> {
        let ps = 512usize;
        let u16b = |v: u16| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let u32b = |v: u32| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let mut db = vec![0u8; ps * 4];
        db[12..16].copy_from_slice(&u32b(HASH_MAGIC));
        db[20..24].copy_from_slice(&u32b(ps as u32));
        db[25] = P_HASHMETA;
        db[32..36].copy_from_slice(&u32b(3));
        // Page 1: four items, filled from the end.
        let page = &mut db[ps..2 * ps];
        page[25] = P_HASH;
        page[20..22].copy_from_slice(&u16b(4));
        let mut end = ps;
        let mut items: Vec<Vec<u8>> = Vec::new();
        let key = |n: u32| {
            let mut k = vec![H_KEYDATA];
            k.extend_from_slice(&u32b(n));
            k
        };
        items.push(key(1));
        items.push(vec![H_KEYDATA, b'a', b'b', b'c']);
        items.push(key(2));
        let mut off = vec![H_OFFPAGE, 0, 0, 0];
        off.extend_from_slice(&u32b(2));
        off.extend_from_slice(&u32b(600));
        items.push(off);
        for (i, item) in items.iter().enumerate() {
            let start = end - item.len();
            page[start..end].copy_from_slice(item);
            page[PAGE_HEADER + 2 * i..PAGE_HEADER + 2 * i + 2].copy_from_slice(&u16b(start as u16));
            end = start;
        }
        // Pages 2 and 3: 486 + 114 bytes.
        for (number, len, next) in [(2usize, 486u16, 3u32), (3, 114, 0)] {
            let page = &mut db[number * ps..(number + 1) * ps];
            page[25] = P_OVERFLOW;
            page[22..24].copy_from_slice(&u16b(len));
            page[16..20].copy_from_slice(&u32b(next));
            for b in &mut page[PAGE_HEADER..PAGE_HEADER + len as usize] {
                *b = number as u8;
            }
        }
        db
    }

    type Records = Vec<(u32, Result<Vec<u8>, String>)>;

    fn collect(content: &[u8]) -> Result<Records, String> {
        let mut out = Vec::new();
        read(content, &mut |n, v| out.push((n, v.map(<[u8]>::to_vec))))?;
        Ok(out)
    }

    #[test]
    fn reads_both_byte_orders() {
        for big_endian in [false, true] {
            let got = collect(&database(big_endian)).expect("readable");
            assert_eq!(got.len(), 2);
            assert_eq!(got[0], (1, Ok(b"abc".to_vec())));
            let (n, value) = &got[1];
            let value = value.as_ref().expect("value");
            assert_eq!((*n, value.len()), (2, 600));
            assert!(value[..486].iter().all(|&b| b == 2));
            assert!(value[486..].iter().all(|&b| b == 3));
        }
    }

    #[test]
    fn reports_damage() {
        assert!(read(b"", &mut |_, _| {}).is_err());
        // A loop: page 3 links back to page 2.
        let mut db = database(false);
        db[3 * 512 + 16..3 * 512 + 20].copy_from_slice(&2u32.to_le_bytes());
        let got = collect(&db).expect("readable");
        assert!(got[1].1.is_err());
        // Truncated.
        let db = database(false);
        let got = collect(&db[..3 * 512]).expect("readable");
        assert!(got[0].1.is_err());
        assert!(got.last().is_some_and(|(_, v)| v.is_err()));
        // Bad page size.
        let mut db = database(false);
        db[20..24].copy_from_slice(&1000u32.to_le_bytes());
        assert!(read(&db, &mut |_, _| {}).is_err());
    }
}
