//! The journal's schema, applied forward on open with `PRAGMA user_version`. Documented for
//! users in `docs/journal.md`; change both together, and only ever by adding a migration.

/// `PRAGMA application_id`: "FDCT", so a feedctl journal is recognisable from the file alone.
pub const APPLICATION_ID: i32 = 0x4644_4354;

/// How a writer opens the journal (also used by `examples/sqlite_ceiling.rs`, so the benchmark's
/// ceiling does the same work). NORMAL is durable against process crashes and kills (the WAL is
/// written before commit returns); only a power cut can lose the last commits. Foreign keys are
/// declared for readers and checked by `journal verify`, not on every insert: the lookups cost
/// more than the inserts (the writer is the only writer).
pub const WRITER_PRAGMAS: &str =
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;
     PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 4000;";

/// Each entry upgrades the schema from version `index` to `index + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 0 -> 1: recordings, chunks, events, markers, gaps; replay runs and results; the outbox.
    r#"
    CREATE TABLE recordings (
        id               INTEGER PRIMARY KEY,
        name             TEXT NOT NULL UNIQUE,
        source           TEXT NOT NULL,             -- 'datafeed-v2', 'datafeed-v1' or 'import'
        pod_url          TEXT,
        username         TEXT,                      -- the bot that recorded
        bot_user_id      INTEGER,                   -- its user id (/pod/v2/sessioninfo), for serve
        created_at       INTEGER NOT NULL           -- ms since the epoch
    );
    CREATE TABLE chunks (
        id               INTEGER PRIMARY KEY,
        recording_id     INTEGER NOT NULL REFERENCES recordings(id),
        seq              INTEGER NOT NULL,          -- 1, 2, ... within the recording
        feed_id          TEXT,
        ack_sent         TEXT,                      -- the cursor sent with the read
        ack_received     TEXT,                      -- the cursor the read returned
        received_at      INTEGER NOT NULL,          -- ms since the epoch
        size             INTEGER NOT NULL,          -- bytes of the response body
        latency_ms       INTEGER NOT NULL,
        event_count      INTEGER NOT NULL,
        duplicates       INTEGER NOT NULL,          -- events of this chunk that repeat an earlier one
        UNIQUE (recording_id, seq)
    );
    CREATE TABLE events (
        id               INTEGER PRIMARY KEY,
        recording_id     INTEGER NOT NULL REFERENCES recordings(id),
        chunk_id         INTEGER NOT NULL REFERENCES chunks(id),
        position         INTEGER NOT NULL,          -- index within the chunk
        event_id         TEXT,
        type             TEXT,
        timestamp        INTEGER,
        stream_id        TEXT,
        initiator_id     INTEGER,
        message_id       TEXT,
        dedupe_key       TEXT NOT NULL,             -- event id|type|timestamp|message id
        duplicate_of     INTEGER REFERENCES events(id), -- first delivery, when this is a repeat
        raw              TEXT NOT NULL              -- the exact JSON received
    );
    -- Also finds a first delivery: a repeat has the same timestamp (it is part of dedupe_key),
    -- and this index grows at its end as events arrive, unlike an index on the key itself.
    CREATE INDEX events_by_time ON events (timestamp);
    -- Counts kept as chunks are written, so `journal info` is instant on any size; cheaper
    -- than indexes on type and stream, which every insert would have to update.
    CREATE TABLE event_counts (
        recording_id     INTEGER NOT NULL REFERENCES recordings(id),
        type             TEXT NOT NULL,             -- '' when the event has none
        stream_id        TEXT NOT NULL,             -- '' when the event has none
        events           INTEGER NOT NULL,
        PRIMARY KEY (recording_id, type, stream_id)
    ) WITHOUT ROWID;
    CREATE TABLE markers (
        recording_id     INTEGER PRIMARY KEY REFERENCES recordings(id),
        feed_id          TEXT NOT NULL,
        ack_id           TEXT NOT NULL,             -- sent with the next read: acknowledges chunk_seq
        chunk_seq        INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL
    );
    CREATE TABLE gaps (
        id               INTEGER PRIMARY KEY,
        recording_id     INTEGER NOT NULL REFERENCES recordings(id),
        after_chunk_seq  INTEGER NOT NULL,
        old_feed_id      TEXT,
        new_feed_id      TEXT,
        reason           TEXT NOT NULL,
        at               INTEGER NOT NULL
    );
    CREATE TABLE replay_runs (
        id               INTEGER PRIMARY KEY,
        started_at       INTEGER NOT NULL,
        finished_at      INTEGER,
        command          TEXT NOT NULL,
        options          TEXT NOT NULL,             -- JSON
        status           TEXT NOT NULL              -- 'running', 'done', 'interrupted'
    );
    CREATE TABLE replay_results (
        id               INTEGER PRIMARY KEY,
        run_id           INTEGER NOT NULL REFERENCES replay_runs(id),
        event_row_id     INTEGER NOT NULL REFERENCES events(id),
        attempt          INTEGER NOT NULL,
        outcome          TEXT NOT NULL,             -- 'handled', 'requeued', 'failed', 'timeout'
        exit_status      INTEGER,
        duration_ms      INTEGER NOT NULL,
        stdout_head      TEXT,
        stderr_head      TEXT
    );
    CREATE INDEX replay_results_by_run ON replay_results (run_id);
    CREATE TABLE outbox (
        id               INTEGER PRIMARY KEY,
        at               INTEGER NOT NULL,
        stream_id        TEXT NOT NULL,
        message          TEXT,
        data             TEXT,
        answers_event_id INTEGER REFERENCES events(id), -- the served event it answers, when served from this journal
        answers_event    TEXT,                      -- that event's id (V4Event id), however it was served
        request          TEXT                       -- what was received besides message and data (JSON), never tokens
    );
    "#,
    // 1 -> 2: sources beyond Symphony (DESIGN §4a). Recordings name their source kind;
    // chunks, events and gaps carry their partition and cursors (JSON); markers are kept per
    // (recording, partition). Symphony's own columns stay and are still filled. Columns are
    // added in place (no table copy): SQLite needs a default for an added NOT NULL column, and
    // '' is one no writer stores, so `journal verify` can tell a row the migration missed.
    r#"
    ALTER TABLE recordings ADD COLUMN source_kind TEXT NOT NULL DEFAULT '';  -- 'symphony', 'import', ...
    ALTER TABLE recordings ADD COLUMN description TEXT;                      -- the SOURCE, without secrets
    UPDATE recordings SET source_kind = CASE WHEN source = 'import' THEN 'import' ELSE 'symphony' END,
                          description = pod_url;

    ALTER TABLE chunks ADD COLUMN partition TEXT NOT NULL DEFAULT '';        -- 'datafeed', 'import', a stream key, a channel
    ALTER TABLE chunks ADD COLUMN cursor_before TEXT;                        -- JSON
    ALTER TABLE chunks ADD COLUMN cursor_after TEXT;                         -- JSON
    UPDATE chunks SET
        partition = CASE WHEN r.source = 'import' THEN 'import' ELSE 'datafeed' END,
        cursor_before = CASE
            WHEN r.source = 'import' THEN '{}'
            WHEN r.source = 'datafeed-v1' THEN json_object('feedId', chunks.feed_id)
            ELSE json_object('feedId', chunks.feed_id, 'ackId', coalesce(chunks.ack_sent, '')) END,
        cursor_after = CASE
            WHEN r.source = 'import' THEN '{}'
            WHEN r.source = 'datafeed-v1' THEN json_object('feedId', chunks.feed_id)
            ELSE json_object('feedId', chunks.feed_id, 'ackId', coalesce(chunks.ack_received, '')) END
    FROM recordings r WHERE r.id = chunks.recording_id;

    ALTER TABLE events ADD COLUMN partition TEXT;                            -- the chunk's
    UPDATE events SET partition = (SELECT c.partition FROM chunks c WHERE c.id = events.chunk_id);

    CREATE TABLE markers_2 (
        recording_id     INTEGER NOT NULL REFERENCES recordings(id),
        partition        TEXT NOT NULL,
        cursor           TEXT NOT NULL,             -- JSON: where the partition resumes
        chunk_seq        INTEGER NOT NULL,          -- the partition's last chunk that cursor acknowledges
        updated_at       INTEGER NOT NULL,
        PRIMARY KEY (recording_id, partition)
    );
    INSERT INTO markers_2 (recording_id, partition, cursor, chunk_seq, updated_at)
        SELECT m.recording_id, 'datafeed',
               CASE WHEN r.source = 'datafeed-v1' THEN json_object('feedId', m.feed_id)
                    ELSE json_object('feedId', m.feed_id, 'ackId', m.ack_id) END,
               m.chunk_seq, m.updated_at
        FROM markers m JOIN recordings r ON r.id = m.recording_id;
    DROP TABLE markers;
    ALTER TABLE markers_2 RENAME TO markers;

    ALTER TABLE gaps ADD COLUMN partition TEXT;
    ALTER TABLE gaps ADD COLUMN cursor_after TEXT;                           -- JSON: where the partition restarted
    UPDATE gaps SET
        partition = 'datafeed',
        cursor_after = CASE
            WHEN (SELECT source FROM recordings r WHERE r.id = gaps.recording_id) = 'datafeed-v1'
            THEN json_object('feedId', new_feed_id)
            ELSE json_object('feedId', new_feed_id, 'ackId', '') END;
    "#,
    // 2 -> 3: how many events a gap lost, where its source could count them (Redis: entries
    // trimmed before a consumer group read them). Gaps stored before stay NULL: unknown, as
    // their sources did not count (the count, if any, is in their reason's text).
    r#"
    ALTER TABLE gaps ADD COLUMN lost INTEGER;                                -- NULL: unknown
    "#,
    // 3 -> 4: what `journal info` shows per partition, kept as chunks are written (in the
    // chunk's transaction) instead of read from every chunk (250 ms at a million 1-event
    // chunks). `chunks.events_through` numbers the partition's events, so the events received
    // before any time are one step down `chunks_by_partition_time` while the partition's chunks
    // were received in order (`in_order`); the sparkline's buckets follow from it. Computed
    // here once for the chunks already stored.
    r#"
    ALTER TABLE chunks ADD COLUMN events_through INTEGER NOT NULL DEFAULT 0; -- the partition's events up to and including this chunk
    UPDATE chunks SET events_through = t.n
    FROM (SELECT id, sum(event_count) OVER (PARTITION BY recording_id, partition ORDER BY id) AS n FROM chunks) t
    WHERE t.id = chunks.id;
    CREATE INDEX chunks_by_partition_time ON chunks (recording_id, partition, received_at, events_through);
    CREATE TABLE partition_counts (
        recording_id      INTEGER NOT NULL REFERENCES recordings(id),
        partition         TEXT NOT NULL,
        chunks            INTEGER NOT NULL,
        events            INTEGER NOT NULL,
        duplicates        INTEGER NOT NULL,
        first_received_at INTEGER NOT NULL,         -- ms, of its earliest chunk
        last_received_at  INTEGER NOT NULL,         -- ms, of its latest chunk
        in_order          INTEGER NOT NULL,         -- 1 while no chunk was received before the one stored before it
        PRIMARY KEY (recording_id, partition)
    ) WITHOUT ROWID;
    INSERT INTO partition_counts
    SELECT recording_id, partition, count(*), sum(event_count), sum(duplicates), min(received_at), max(received_at),
           min(coalesce(received_at >= previous, 1))
    FROM (SELECT recording_id, partition, event_count, duplicates, received_at,
                 lag(received_at) OVER (PARTITION BY recording_id, partition ORDER BY id) AS previous
          FROM chunks)
    GROUP BY recording_id, partition;
    "#,
    // 4 -> 5: a writer finds an event's first delivery by its timestamp and dedupe key; with
    // the index on the timestamp alone that lookup read every event of the same millisecond,
    // so a burst sharing one (or events without a timestamp, all NULL) made recording
    // quadratic. Still led by the timestamp, so time filters and both ends read as before.
    r#"
    DROP INDEX events_by_time;
    CREATE INDEX events_by_time ON events (timestamp, dedupe_key);
    "#,
];
