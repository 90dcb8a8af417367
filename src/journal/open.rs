//! Opening a journal safely: identity check before any write, 0600, a single writer, and the
//! schema migrated forward in one transaction per step.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::Connection;

use super::bloom::Bloom;
use super::schema::{APPLICATION_ID, MIGRATIONS, WRITER_PRAGMAS};
use super::JournalError;

pub struct Journal {
    pub(super) conn: Connection,
    pub(super) path: PathBuf,
    /// Held by a writer for as long as the journal is open.
    _lock: Option<File>,
    /// Per recording: the dedupe keys stored so far, loaded on the first write.
    pub(super) seen: std::collections::HashMap<i64, Bloom>,
    /// The chunks this writer committed, for an error that stops it.
    pub(super) stored: Stored,
}

/// What a writer committed since it opened the journal.
#[derive(Debug, Default)]
pub(super) struct Stored {
    pub chunks: u64,
    pub events: u64,
    pub first_seq: Option<i64>,
    pub last_seq: i64,
}

impl Stored {
    /// "this run stored …" for an error message.
    pub fn describe(&self) -> String {
        match self.first_seq {
            None => "the chunk in progress was not stored, and this run stored nothing before it".into(),
            Some(first) => format!(
                "the chunk in progress was not stored; before it, this run stored {} with {} (chunks {first}..{} of the recording), which stay in the file",
                crate::text::counted(self.chunks, "chunk"),
                crate::text::counted(self.events, "event"),
                self.last_seq
            ),
        }
    }
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
    /// An existing file is checked (identity, tables, not cut short) before anything in it
    /// changes, so a file it refuses is left exactly as it was, without `-wal`/`-shm` beside it.
    pub fn open_for_write(path: &Path) -> Result<Self, JournalError> {
        Self::open_for_write_checking(path, FULL_CHECK_MAX_BYTES)
    }

    /// [`Journal::open_for_write`] with the size up to which every page is checked.
    pub(super) fn open_for_write_checking(
        path: &Path,
        full_check_max: u64,
    ) -> Result<Self, JournalError> {
        if !path.exists() {
            create_whole(path)?;
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
        if lock.metadata().map_err(|e| io(path, e))?.len() == 0 {
            return Err(empty_file(path));
        }
        {
            // Validate through a connection that cannot write, so a refused file is never
            // switched to WAL or given a journal file of its own.
            let reader = Journal {
                conn: open_read_only(path, true)?,
                path: path.to_path_buf(),
                _lock: None,
                seen: Default::default(),
                stored: Default::default(),
            };
            if reader.check_identity()? == 0 {
                return Err(JournalError::NotAJournal {
                    path: path.to_path_buf(),
                    why: "an empty SQLite database, not made by feedctl".into(),
                });
            }
            check_not_truncated(path, &lock)?;
            reader.check_pages(&lock, full_check_max)?;
        }
        let conn = Connection::open(path).map_err(|e| sql_error(path, e))?;
        let mut j = Journal {
            conn,
            path: path.to_path_buf(),
            _lock: Some(lock),
            seen: Default::default(),
            stored: Default::default(),
        };
        j.check_identity()?;
        j.conn.execute_batch(WRITER_PRAGMAS).map_err(|e| j.sql(e))?;
        j.migrate()?;
        j.close_abandoned_runs()?;
        Ok(j)
    }

    /// A run still `running` while this writer holds the lock was left by a replay that was
    /// killed (SIGKILL, a crash): it is closed as `interrupted`, so `--rerun-failed` takes it.
    fn close_abandoned_runs(&self) -> Result<(), JournalError> {
        self.conn
            .execute(
                "UPDATE replay_runs SET status = 'interrupted',
                     finished_at = coalesce(finished_at, (SELECT max(started_at) FROM replay_runs), ?1)
                 WHERE status = 'running'",
                [now_millis()],
            )
            .map(|_| ())
            .map_err(|e| self.sql(e))
    }

    /// Opens an existing journal for reading. Writes nothing: no `-wal`/`-shm` files are left
    /// behind, and a read-only file (or directory) can be read.
    pub fn open_read(path: &Path) -> Result<Self, JournalError> {
        if !path.is_file() {
            return Err(JournalError::Missing(path.to_path_buf()));
        }
        let j = Journal {
            conn: open_read_only(path, false)?,
            path: path.to_path_buf(),
            _lock: None,
            seen: Default::default(),
            stored: Default::default(),
        };
        let version = j.check_identity()?;
        if version == 0 {
            return Err(empty_file(path));
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
        let mut missing = Vec::new();
        for table in TABLES {
            let found: i64 = self
                .conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                    [table],
                    |r| r.get(0),
                )
                .map_err(|e| self.sql(e))?;
            if found == 0 {
                missing.push(*table);
            }
        }
        if !missing.is_empty() {
            return Err(not_ours(&format!(
                "damaged: feedctl's id but no table {}",
                missing.join(", ")
            )));
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

/// Up to this size (the file and its `-wal`), a writer runs `PRAGMA quick_check` on the whole
/// journal before it writes anything: about 0.2 s per 100 MiB read from the page cache, so at
/// most about a quarter of a second (some 90,000 Symphony events).
pub const FULL_CHECK_MAX_BYTES: u64 = 128 * 1024 * 1024;

/// Above [`FULL_CHECK_MAX_BYTES`], the tables checked before a write: every one but `events`
/// and `replay_results`, which grow with every event and handler run (a few MiB at a million
/// events, checked in milliseconds).
const SMALL_TABLES: &[&str] = &[
    "recordings",
    "chunks",
    "event_counts",
    "markers",
    "gaps",
    "replay_runs",
    "outbox",
];

impl Journal {
    /// A writer never writes into a damaged journal: before its first write, SQLite checks
    /// every page of a journal up to [`FULL_CHECK_MAX_BYTES`] (page structure, cell bounds,
    /// free list, NOT NULL columns), and of a larger one the tables of [`SMALL_TABLES`]; damage
    /// in the events of a larger journal is found when a page is read, and the writer then
    /// stops with what this run stored. A refused file is left exactly as it was.
    fn check_pages(&self, file: &File, full_check_max: u64) -> Result<(), JournalError> {
        let mut wal = self.path.as_os_str().to_owned();
        wal.push("-wal");
        let size = file.metadata().map_err(|e| io(&self.path, e))?.len()
            + std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        let checks: Vec<String> = if size <= full_check_max {
            vec!["PRAGMA quick_check(20)".into()]
        } else {
            SMALL_TABLES
                .iter()
                .map(|t| format!("PRAGMA quick_check({t})"))
                .collect()
        };
        let mut problems = Vec::new();
        for sql in &checks {
            let found: Result<Vec<String>, rusqlite::Error> = self
                .conn
                .prepare(sql)
                .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect());
            match found {
                Ok(rows) => problems.extend(rows.into_iter().filter(|r| r != "ok")),
                Err(e) => problems.push(e.to_string()),
            }
        }
        if problems.is_empty() {
            return Ok(());
        }
        problems.truncate(3);
        Err(JournalError::Refused {
            path: self.path.clone(),
            why: problems.join("; "),
        })
    }
}

/// The tables every schema version has; a file with feedctl's id and one of them missing is damaged.
const TABLES: &[&str] = &[
    "recordings",
    "chunks",
    "events",
    "event_counts",
    "markers",
    "gaps",
    "replay_runs",
    "replay_results",
    "outbox",
];

fn empty_file(path: &Path) -> JournalError {
    JournalError::NotAJournal {
        path: path.to_path_buf(),
        why: "an empty file; delete it, or name a path that does not exist to start a new journal"
            .into(),
    }
}

/// The query of [`stored_types`]: the per-type counts, never a scan of `events`.
pub(super) const STORED_TYPES: &str = "SELECT DISTINCT event_counts.type FROM event_counts \
     JOIN recordings ON recordings.id = event_counts.recording_id \
     WHERE event_counts.type <> '' AND (?1 IS NULL OR recordings.name = ?1) \
     ORDER BY event_counts.type LIMIT ?2";

/// The distinct event types stored in the journal at `path` (of one recording, when named), at
/// most `limit`, for shell completion of `--type`: from `event_counts`, the aggregates `journal
/// info` reads (no index on `events.type` is needed, so this is instant on any size). Unlike
/// [`Journal::open_read`] it never upgrades an older journal (completion writes nothing): a file
/// that is missing, not a journal, or locked longer than `busy` is an error, and the caller
/// falls back.
pub fn stored_types(
    path: &Path,
    recording: Option<&str>,
    limit: usize,
    busy: std::time::Duration,
) -> Result<Vec<String>, JournalError> {
    if !path.is_file() {
        return Err(JournalError::Missing(path.to_path_buf()));
    }
    let conn = open_read_only(path, false)?;
    conn.busy_timeout(busy).map_err(|e| sql_error(path, e))?;
    let not_ours = |why: &str| JournalError::NotAJournal {
        path: path.to_path_buf(),
        why: why.to_string(),
    };
    let (app, version): (i32, i64) = conn
        .query_row(
            "SELECT (SELECT application_id FROM pragma_application_id), \
                    (SELECT user_version FROM pragma_user_version)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|e| sql_error(path, e))?;
    // `event_counts` is in every schema version since the first.
    if app != APPLICATION_ID || version < 1 {
        return Err(not_ours("no feedctl journal"));
    }
    let mut stmt = conn.prepare(STORED_TYPES).map_err(|e| sql_error(path, e))?;
    let rows = stmt
        .query_map(rusqlite::params![recording, limit as i64], |r| r.get(0))
        .map_err(|e| sql_error(path, e))?;
    rows.collect::<Result<_, _>>()
        .map_err(|e| sql_error(path, e))
}

/// A connection that cannot change the file or create any beside it. With no writer at work and
/// no write-ahead log left over, the file is opened `immutable` (SQLite then needs no `-shm`,
/// so read-only files and directories work too); otherwise read-only, sharing the writer's log.
/// `ours`: the caller holds the writer's lock, so no one else can change the file meanwhile.
pub(super) fn open_read_only(path: &Path, ours: bool) -> Result<Connection, JournalError> {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let wal_in_use = std::fs::metadata(&wal)
        .map(|m| m.len() > 0)
        .unwrap_or(false);
    let writer_at_work = !ours
        && match File::open(path) {
            Ok(f) => match f.try_lock_shared() {
                Ok(()) => false,
                Err(std::fs::TryLockError::WouldBlock) => true,
                Err(std::fs::TryLockError::Error(_)) => true,
            },
            Err(e) => return Err(io(path, e)),
        };
    let mode = if wal_in_use || writer_at_work {
        "mode=ro"
    } else {
        "immutable=1"
    };
    let uri = format!("file:{}?{mode}", uri_path(path));
    Connection::open_with_flags(
        uri,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
            | rusqlite::OpenFlags::SQLITE_OPEN_URI
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| sql_error(path, e))
}

/// The path as the path part of an SQLite `file:` URI (RFC 3986 escapes for what is not plain).
fn uri_path(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::new();
    for b in absolute.as_os_str().as_encoded_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                out.push(*b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Makes a new journal whole (owner-only, its schema in place) under a temporary name beside
/// `path`, then links it there: a kill at any moment leaves either no journal at `path` or a
/// complete one, never an empty file or a database without its schema that later runs refuse
/// (at worst a `.feedctl-new-*` file is left beside it). When another process made `path`
/// first, theirs is kept.
fn create_whole(path: &Path) -> Result<(), JournalError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // tempfile creates it 0600.
    let new = tempfile::Builder::new()
        .prefix(".feedctl-new-")
        .suffix(".db")
        .tempfile_in(dir)
        .map_err(|e| io(path, e))?;
    {
        let conn = Connection::open(new.path()).map_err(|e| sql_error(path, e))?;
        let mut j = Journal {
            conn,
            path: path.to_path_buf(),
            _lock: None,
            seen: Default::default(),
            stored: Default::default(),
        };
        j.conn.execute_batch(WRITER_PRAGMAS).map_err(|e| j.sql(e))?;
        j.migrate()?;
        // Closing the only connection checkpoints the WAL into the file and removes it.
        j.conn.close().map_err(|(_, e)| sql_error(path, e))?;
    }
    match new.persist_noclobber(path) {
        Ok(_) => Ok(()),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io(path, e.error)),
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
            JournalError::Damaged {
                path: path.to_path_buf(),
                why: source.to_string(),
            }
        }
        _ => JournalError::Sqlite {
            path: path.to_path_buf(),
            error: source,
        },
    }
}

/// A writer refuses a file cut short (a copy interrupted, a full disk) before it changes
/// anything: SQLite's header says how many pages the file has, and when no `-wal` file holds
/// newer pages the file must be at least that long. This is O(1), where `PRAGMA quick_check`
/// read the whole file at every start (over a second at a million events, more than the rest
/// of a small replay); the page-by-page check is `journal verify`'s, and damage inside a page
/// that is read later is still an error then, not silent.
fn check_not_truncated(path: &Path, file: &File) -> Result<(), JournalError> {
    use std::os::unix::fs::FileExt;
    let wal = path.with_file_name(format!(
        "{}-wal",
        path.file_name().unwrap_or_default().to_string_lossy()
    ));
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        // Pages may live in the WAL only; SQLite recovers from it.
        return Ok(());
    }
    let mut header = [0u8; 100];
    let len = file.metadata().map_err(|e| io(path, e))?.len();
    let damaged = |why: String| JournalError::NotAJournal {
        path: path.to_path_buf(),
        why: format!("damaged: {why}; `feedctl journal verify` tells more"),
    };
    file.read_exact_at(&mut header, 0)
        .map_err(|_| damaged(format!("only {len} bytes, shorter than SQLite's header")))?;
    let be32 = |at: usize| {
        u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        n => u64::from(n),
    };
    // The header's page count is only valid when written by the same change as the counter.
    let pages = u64::from(be32(28));
    if pages == 0 || be32(24) != be32(92) {
        return Ok(());
    }
    let want = pages * page_size;
    if len < want {
        return Err(damaged(format!(
            "the file is cut short: {len} bytes where SQLite's header says {pages} pages of {page_size} bytes ({want} bytes)"
        )));
    }
    Ok(())
}
