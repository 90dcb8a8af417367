//! The journal: one SQLite file of recordings, chunks, events, markers, replay runs and the
//! outbox (DESIGN §5). Knows nothing of HTTP: it stores what it is given.

mod bloom;
mod in_place;
mod ingest;
mod open;
mod outbox;
mod queries;
mod repeats;
mod runs;
mod schema;
mod verify;

pub use bloom::key_hash;
pub use ingest::{ChunkRecord, Marker, NewEvent, NewGap, NewRecording};
pub use open::{now_millis, stored_types, Journal};
pub use outbox::OutboxMessage;
pub use queries::{
    EventRow, EventText, EventView, GapSummary, PartitionSummary, Rate, Recording, Selection,
    StoredChunk, Summary, RATE_BUCKETS,
};
pub use queries::{ServedRecording, ServedRowPlace};
pub use runs::{ResultRow, RunInfo, RunResultRow};
pub use schema::{APPLICATION_ID, MIGRATIONS, WRITER_PRAGMAS};
pub use verify::Problem;

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("no journal at {0}; record one with `feedctl record --journal {0}` or `feedctl journal import`")]
    Missing(PathBuf),
    #[error("{path} is not a feedctl journal ({why}); it was left untouched")]
    NotAJournal { path: PathBuf, why: String },
    /// Damage a writer found before its first write: nothing was written.
    #[error("{path} is damaged ({why}); nothing was written to it, and it was left untouched. Run `feedctl journal verify -j {path}` to see the damage; write into a new journal (or a copy from before the damage) instead; `feedctl journal export -j {path}` copies out the events up to the damage, for `feedctl journal import` into a new one")]
    Refused { path: PathBuf, why: String },
    /// Damage SQLite ran into while reading or writing: what was committed before stays, but
    /// the file may have changed since it was opened, so this never says "left untouched".
    #[error("{path} is damaged ({why}); `feedctl journal verify -j {path}` tells more")]
    Damaged { path: PathBuf, why: String },
    #[error("{path} is being written by another feedctl process (a `record`, `import`, `replay` or `serve --journal` is running on it); wait for it to finish, or use another journal file")]
    Locked { path: PathBuf },
    #[error("{path} was written by a newer feedctl (schema version {found}, this one knows {known}); upgrade feedctl")]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    // `error`, not `source`: the message already says it, and a source would be printed twice.
    #[error("journal {path}: {error}")]
    Sqlite {
        path: PathBuf,
        error: rusqlite::Error,
    },
    #[error("journal {path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{0}")]
    Invalid(String),
}

#[cfg(test)]
mod tests;
