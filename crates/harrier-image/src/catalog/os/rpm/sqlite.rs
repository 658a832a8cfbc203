//! rpm's SQLite database, `rpmdb.sqlite` (rpm 4.16 and later: RHEL/Rocky/Alma 9, Fedora 33+,
//! Amazon Linux 2023, Azure Linux, Photon 5): table `Packages(hnum INTEGER PRIMARY KEY,
//! blob BLOB)`, one header blob per installed package.
//!
//! The file is opened in memory with rusqlite's bundled SQLite (`serialize` feature:
//! `Connection::deserialize_read_exact` copies the buffered bytes into SQLite's in-memory
//! database, read-only); nothing is written to disk and no system library is needed. rpm
//! keeps the database in WAL mode, which an in-memory database cannot open, so the copy's
//! header says rollback mode instead (bytes 18 and 19, the file format versions, set to 1: the
//! pages are the same). Transactions still in a `rpmdb.sqlite-wal` file are not seen; rpm
//! checkpoints them when it closes the database, as every finished image build does.
//! `SQLITE_DBCONFIG_DEFENSIVE` is on, as SQLite advises for untrusted database files.

use std::io::Read;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, MAIN_DB};

/// SQLite's 16-byte file header magic.
const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Whether `content` starts like an SQLite database.
pub(crate) fn is_sqlite(content: &[u8]) -> bool {
    content.get(..16) == Some(MAGIC.as_slice())
}

/// Calls `each` with every header blob of an `rpmdb.sqlite` file, with its `hnum`. `Err` when
/// the file is not a readable rpm SQLite database.
pub(crate) fn read(content: &[u8], each: &mut super::EachRecord<'_>) -> Result<(), String> {
    if !is_sqlite(content) || content.len() < 100 {
        return Err("not an SQLite database".to_owned());
    }
    let fail = |e: rusqlite::Error| format!("SQLite: {e}");
    let mut conn = Connection::open_in_memory().map_err(fail)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)
        .map_err(fail)?;
    let Some((head, rest)) = content.split_at_checked(18) else {
        return Err("not an SQLite database".to_owned());
    };
    let rest = rest.get(2..).unwrap_or_default();
    let reader = head.chain(&[1u8, 1][..]).chain(rest);
    conn.deserialize_read_exact(MAIN_DB, reader, content.len(), true)
        .map_err(fail)?;
    let mut statement = conn
        .prepare("SELECT hnum, blob FROM Packages")
        .map_err(fail)?;
    let mut rows = statement.query([]).map_err(fail)?;
    loop {
        let row = match rows.next() {
            Ok(Some(row)) => row,
            Ok(None) => return Ok(()),
            // A damaged page ends the scan; what was read is kept.
            Err(e) => {
                each(0, Err(fail(e)));
                return Ok(());
            }
        };
        let hnum = row
            .get::<_, i64>(0)
            .ok()
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0);
        match row
            .get_ref(1)
            .map_err(fail)
            .and_then(|v| v.as_blob().map_err(|e| format!("{e}")))
        {
            Ok(blob) => each(hnum, Ok(blob)),
            Err(message) => each(hnum, Err(format!("column `blob`: {message}"))),
        }
    }
}
