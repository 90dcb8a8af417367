//! The outbox: what a bot sent back while it was being served.

use rusqlite::params;
use serde::Serialize;

use super::{Journal, JournalError};

/// A message a bot sent while being served.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxMessage {
    pub id: i64,
    /// Milliseconds since the epoch.
    pub at: i64,
    #[serde(rename = "streamId")]
    pub stream_id: String,
    pub message: Option<String>,
    pub data: Option<String>,
    #[serde(rename = "answersEventRow")]
    pub answers_event_row: Option<i64>,
    #[serde(rename = "answersEvent")]
    pub answers_event: Option<String>,
    #[serde(skip)]
    pub request: Option<String>,
}

impl Journal {
    /// Stores a message a served bot sent; returns its row id.
    pub fn add_outbox(&self, m: &OutboxMessage) -> Result<i64, JournalError> {
        self.conn
            .execute(
                "INSERT INTO outbox (at, stream_id, message, data, answers_event_id, answers_event, request) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![m.at, m.stream_id, m.message, m.data, m.answers_event_row, m.answers_event, m.request],
            )
            .map_err(|e| self.sql(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The latest messages of the outbox, oldest first.
    pub fn outbox(&self, limit: u64) -> Result<Vec<OutboxMessage>, JournalError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, at, stream_id, message, data, answers_event_id, answers_event, request FROM
                 (SELECT * FROM outbox ORDER BY id DESC LIMIT ?1) ORDER BY id",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([limit as i64], |r| {
                Ok(OutboxMessage {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    stream_id: r.get(2)?,
                    message: r.get(3)?,
                    data: r.get(4)?,
                    answers_event_row: r.get(5)?,
                    answers_event: r.get(6)?,
                    request: r.get(7)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }
}
