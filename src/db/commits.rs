//! Counts the transactions this process commits, so that a value read from the database can be
//! kept in memory exactly as long as nothing has been committed since it was read.
//!
//! The count is kept by SQLite's WAL hook, which runs on every connection after each commit, once
//! the commit is visible to other connections. So a reader that notes the count, then queries,
//! has read every commit counted up to the noted value; if the count has not moved since, nothing
//! newer exists. A write counts before its caller sees it return, so a caller always reads its
//! own writes. Commits by other processes are not counted: caches built on this count also
//! expire after a short time.
//!
//! The count is process-wide (several databases in one process, as in the tests, only make
//! caches expire more often).

use libsqlite3_sys::{SQLITE_OK, sqlite3, sqlite3_wal_checkpoint, sqlite3_wal_hook};
use sqlx::SqliteConnection;
use std::{
    ffi::{c_char, c_int, c_void},
    sync::atomic::{AtomicU64, Ordering},
};

static COMMITS: AtomicU64 = AtomicU64::new(0);

/// The transactions committed through this process's connections so far.
pub fn count() -> u64 {
    COMMITS.load(Ordering::Acquire)
}

/// SQLite's default: checkpoint once the WAL holds this many pages. A WAL hook replaces the one
/// SQLite uses for automatic checkpoints, so this one does the same.
const AUTOCHECKPOINT_PAGES: c_int = 1000;

unsafe extern "C" fn committed(
    _: *mut c_void,
    db: *mut sqlite3,
    name: *const c_char,
    pages: c_int,
) -> c_int {
    COMMITS.fetch_add(1, Ordering::Release);
    if pages >= AUTOCHECKPOINT_PAGES {
        // SAFETY: SQLite passes its own connection and database name, valid during the call; a
        // WAL hook may checkpoint (SQLite's default hook does exactly this).
        unsafe { sqlite3_wal_checkpoint(db, name) };
    }
    SQLITE_OK
}

/// Installs the counting hook on a new connection.
pub async fn watch(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    // SAFETY: the handle is locked (no other call on this connection meanwhile), the hook is a
    // plain function with no user data, and it lives as long as the program.
    unsafe {
        sqlite3_wal_hook(
            handle.as_raw_handle().as_ptr(),
            Some(committed),
            std::ptr::null_mut(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn a_commit_is_counted_before_the_writer_sees_it_return() {
        let dir = tempfile::tempdir().unwrap();
        let crate::db::Pool::Sqlite(pool) =
            crate::db::connect(&crate::db::Location::in_data_dir(dir.path()))
                .await
                .unwrap()
        else {
            unreachable!("a file is SQLite")
        };
        // Other tests in this process commit too: only "more than before" can be asserted.
        let before = super::count();
        sqlx::query("INSERT INTO settings (key, value) VALUES ('x', 'y')")
            .execute(&pool)
            .await
            .unwrap();
        let after_statement = super::count();
        assert!(
            after_statement > before,
            "an autocommitted statement counts"
        );
        let mut tx = pool.begin().await.unwrap();
        sqlx::query("UPDATE settings SET value = 'z' WHERE key = 'x'")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(super::count() > after_statement, "a transaction counts");
        pool.close().await;
    }
}
