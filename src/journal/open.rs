//! Opening a journal safely: identity check before any write, 0600, a single writer, and the
//! schema migrated forward in one transaction per step.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::Connection;

use super::bloom::Bloom;
use super::schema::{APPLICATION_ID, MIGRATIONS};
use super::JournalError;

pub struct Journal {
    pub(super) conn: Connection,
    pub(super) path: PathBuf,
    /// Held by a writer for as long as the journal is open.
    _lock: Option<File>,
    /// Per recording: the dedupe keys stored so far, loaded on the first write.
    pub(super) seen: std::collections::HashMap<i64, Bloom>,
}

pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Journal {
    pub(super) fn sql(&self, source: rusqlite::Error) -> JournalError {
        sql_error(&self.path, source)
    }

    /// Opens (creating it 0600 if missing) for writing; fails at once if another process writes it.
    pub fn open_for_write(path: &Path) -> Result<Self, JournalError> {
        if !path.exists() {
            create_private(path)?;
        }
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| io(path, e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(JournalError::Locked {
                    path: path.to_path_buf(),
                })
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(path, e)),
        }
        let conn = Connection::open(path).map_err(|e| sql_error(path, e))?;
        let mut j = Journal {
            conn,
            path: path.to_path_buf(),
            _lock: Some(lock),
            seen: Default::default(),
        };
        j.check_identity()?;
        j.conn
            // NORMAL is durable against process crashes and kills (the WAL is written before
            // commit returns); only a power cut can lose the last commits. Foreign keys are
            // declared for readers and checked by `journal verify`, not on every insert: the
            // lookups cost more than the inserts (the writer is the only writer).
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;
                 PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 4000;",
            )
            .map_err(|e| j.sql(e))?;
        j.migrate()?;
        Ok(j)
    }

    /// Opens an existing journal for reading.
    pub fn open_read(path: &Path) -> Result<Self, JournalError> {
        if !path.is_file() {
            return Err(JournalError::Missing(path.to_path_buf()));
        }
        // Read-write but query-only: the last connection to close then checkpoints and removes
        // the -wal and -shm files, which a read-only one would leave behind (empty). A file we
        // may not write is still read, read-only.
        let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)
            .and_then(|c| c.pragma_update(None, "query_only", true).map(|()| c))
            .or_else(|_| {
                Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            })
            .map_err(|e| sql_error(path, e))?;
        let j = Journal {
            conn,
            path: path.to_path_buf(),
            _lock: None,
            seen: Default::default(),
        };
        let version = j.check_identity()?;
        if version == 0 {
            return Err(JournalError::NotAJournal {
                path: path.to_path_buf(),
                why: "an empty file".into(),
            });
        }
        if (version as usize) < MIGRATIONS.len() {
            // An older journal: upgrade it through a writer, then read.
            drop(j);
            drop(Journal::open_for_write(path)?);
            return Journal::open_read(path);
        }
        Ok(j)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads application id and schema version before anything is written, so a file that is
    /// not ours is never modified. Returns the schema version.
    fn check_identity(&self) -> Result<i64, JournalError> {
        let not_ours = |why: &str| JournalError::NotAJournal {
            path: self.path.clone(),
            why: why.to_string(),
        };
        let app: i32 = self
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if matches!(
                        f.code,
                        rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
                    ) =>
                {
                    not_ours("not an SQLite database, or a damaged one")
                }
                e => self.sql(e),
            })?;
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        if app == 0 && version == 0 {
            let tables: i64 = self
                .conn
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
                .map_err(|_| not_ours("not an SQLite database, or a damaged one"))?;
            if tables > 0 {
                return Err(not_ours("an SQLite database of another program"));
            }
            return Ok(0);
        }
        if app != APPLICATION_ID {
            return Err(not_ours("an SQLite database of another program"));
        }
        if version > MIGRATIONS.len() as i64 {
            return Err(JournalError::TooNew {
                path: self.path.clone(),
                found: version,
                known: MIGRATIONS.len() as i64,
            });
        }
        Ok(version)
    }

    fn migrate(&mut self) -> Result<(), JournalError> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self
                .conn
                .transaction()
                .map_err(|e| sql_error(&self.path, e))?;
            tx.execute_batch(sql)
                .map_err(|e| sql_error(&self.path, e))?;
            tx.execute_batch(&format!(
                "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {};",
                i + 1
            ))
            .map_err(|e| sql_error(&self.path, e))?;
            tx.commit().map_err(|e| sql_error(&self.path, e))?;
        }
        Ok(())
    }
    pub(super) fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// Creates the journal file with owner-only permissions before SQLite touches it.
fn create_private(path: &Path) -> Result<(), JournalError> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io(path, e)),
    }
}

fn io(path: &Path, source: std::io::Error) -> JournalError {
    JournalError::Io {
        path: path.to_path_buf(),
        error: source,
    }
}

pub(super) fn sql_error(path: &Path, source: rusqlite::Error) -> JournalError {
    match &source {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
            ) =>
        {
            JournalError::NotAJournal {
                path: path.to_path_buf(),
                why: format!("damaged: {source}; `feedctl journal verify` tells more"),
            }
        }
        _ => JournalError::Sqlite {
            path: path.to_path_buf(),
            error: source,
        },
    }
}
