//! What the check before the first write already worked out for each event written in
//! hopeit's layout (its id and its encoded payload), kept in an unnamed temporary file beside
//! the journal so that delivery neither reads nor encodes those events a second time, and what
//! delivery needs of each (its row, chunk, ids), in a second file, so that it need not read
//! the journal again. Each half of the check writes files of its own, rows increasing;
//! delivery reads them in turn and finds an event's entry by its row, writing from the event
//! itself when it is not there (a selection delivered out of row order, an event written in
//! another shape).

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::journal::{EventText, Journal, JournalError};
use crate::replay::chunks::{spawn_reader, Batcher, Chunks};
use crate::replay::{Chunk, Delivery};

/// The writing side: one per half of the check.
pub struct SpillWriter {
    out: BufWriter<File>,
    /// What delivery needs of each event besides its entry (its row, ids, chunk), so that
    /// it does not read the journal again ([`Spill::chunks`]).
    deliveries: BufWriter<File>,
    /// Bytes it may still write: a share of the folder's free space, so the journal (which
    /// stores the run's results) is never left without room.
    room: u64,
    /// The row and recording of the first event and of the last.
    first: Option<(i64, i64)>,
    last: Option<(i64, i64)>,
    /// Rows increasing and recordings never going back: the order replay delivers in.
    ordered: bool,
}

impl SpillWriter {
    /// A writer in `dir` that takes at most `share` of the space free there.
    pub fn new(dir: &Path, share: f64) -> io::Result<SpillWriter> {
        let room = (free_space(dir)? as f64 * share) as u64;
        let file = || -> io::Result<BufWriter<File>> {
            Ok(BufWriter::with_capacity(
                1 << 16,
                tempfile::tempfile_in(dir)?,
            ))
        };
        Ok(SpillWriter {
            out: file()?,
            deliveries: file()?,
            room,
            first: None,
            last: None,
            ordered: true,
        })
    }

    /// An event's entry (hopeit's id and the encoded payload) and what delivers it; an error
    /// once its share of the free space is used.
    pub fn push(&mut self, e: &EventText<'_>, id: &str, payload: &[u8]) -> io::Result<()> {
        let text = |s: Option<&str>| 4 + s.map_or(0, str::len);
        // The entry: its row and two lengths; the delivery: four numbers, two optional ones
        // (a flag byte each), 50 bytes, then four texts with their lengths.
        let size = (16 + id.len() + payload.len()) as u64
            + (50 + text(e.event_id) + text(e.event_type) + text(e.stream_id) + text(e.partition))
                as u64;
        self.room = self
            .room
            .checked_sub(size)
            .ok_or_else(|| io::Error::other("the spill's share of the free space is used"))?;
        let at = (e.row_id, e.recording_id);
        if let Some(last) = self.last {
            self.ordered &= last.0 < at.0 && last.1 <= at.1;
        }
        self.first.get_or_insert(at);
        self.last = Some(at);
        self.out.write_all(&e.row_id.to_le_bytes())?;
        write_text(&mut self.out, Some(id))?;
        write_bytes(&mut self.out, payload)?;
        let d = &mut self.deliveries;
        for n in [e.row_id, e.recording_id, e.chunk, e.received_at] {
            d.write_all(&n.to_le_bytes())?;
        }
        for n in [e.timestamp, e.initiator_id] {
            match n {
                Some(n) => {
                    d.write_all(&[1])?;
                    d.write_all(&n.to_le_bytes())?;
                }
                None => d.write_all(&[0])?,
            }
        }
        for t in [e.event_id, e.event_type, e.stream_id, e.partition] {
            write_text(d, t)?;
        }
        Ok(())
    }

    fn into_files(self) -> io::Result<(File, File)> {
        let rewound = |w: BufWriter<File>| -> io::Result<File> {
            let mut file = w.into_inner().map_err(|e| e.into_error())?;
            file.rewind()?;
            Ok(file)
        };
        Ok((rewound(self.out)?, rewound(self.deliveries)?))
    }
}

/// No text is written as this length.
const NONE: u32 = u32::MAX;

fn write_text(out: &mut impl Write, text: Option<&str>) -> io::Result<()> {
    match text {
        Some(t) => write_bytes(out, t.as_bytes()),
        None => out.write_all(&NONE.to_le_bytes()),
    }
}

fn write_bytes(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    out.write_all(&(bytes.len() as u32).to_le_bytes())?;
    out.write_all(bytes)
}

/// Bytes free for this user in the file system of `dir`.
fn free_space(dir: &std::path::Path) -> io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes())?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: a NUL-terminated path and a statvfs the call fills in.
    if unsafe { libc::statvfs(path.as_ptr(), &mut st) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(st.f_bavail as u64 * st.f_frsize as u64)
}

/// The reading side: the halves' files in row order.
pub struct Spill {
    files: std::collections::VecDeque<BufReader<File>>,
    /// The halves' deliveries, until [`Spill::chunks`] takes them; none when the check did
    /// not read the events in the order replay delivers them.
    deliveries: Vec<File>,
    /// The row of the entry read and not yet asked for, its id and payload in the buffers
    /// below (kept from entry to entry: an allocation per entry showed in profiles).
    held: Option<i64>,
    id: String,
    payload: Vec<u8>,
}

impl Spill {
    pub fn new(halves: Vec<SpillWriter>) -> io::Result<Spill> {
        // In delivery order when each half is, and each starts after the one before ends.
        let mut ordered = true;
        let mut end: Option<(i64, i64)> = None;
        for h in halves.iter().filter(|h| h.first.is_some()) {
            if let (Some(end), Some(first)) = (end, h.first) {
                ordered &= end.0 < first.0 && end.1 <= first.1;
            }
            ordered &= h.ordered;
            end = h.last;
        }
        let mut files = std::collections::VecDeque::new();
        let mut deliveries = Vec::new();
        for h in halves {
            let (entries, delivered) = h.into_files()?;
            files.push_back(BufReader::with_capacity(1 << 16, entries));
            deliveries.push(delivered);
        }
        if !ordered {
            deliveries.clear();
        }
        Ok(Spill {
            files,
            deliveries,
            held: None,
            id: String::new(),
            payload: Vec::new(),
        })
    }

    /// The selected events' chunks, as the journal would give them but without each event's
    /// text (delivery writes the kept entries, not the events): read from what the check
    /// kept instead of a second pass over the journal, which was a core's fifth of
    /// `replay --to`. `None` when the check did not read the events in delivery order (the
    /// journal is read then), or when they were taken already.
    pub fn chunks(&mut self, journal: &Path) -> Option<Chunks> {
        if self.deliveries.is_empty() {
            return None;
        }
        let files = std::mem::take(&mut self.deliveries);
        let journal = journal.to_path_buf();
        Some(spawn_reader(move |tx| read_deliveries(files, journal, tx)))
    }

    /// The entry of `row` (its id and payload), if the check kept one: entries of smaller
    /// rows are passed over (not selected again, or delivered already), one of a larger row
    /// is kept for later.
    pub fn take(&mut self, row: i64) -> Option<(&str, &[u8])> {
        loop {
            if self.held.is_none() {
                self.held = self.read_next();
            }
            let at = self.held?;
            match at.cmp(&row) {
                std::cmp::Ordering::Less => self.held = None,
                std::cmp::Ordering::Equal => {
                    self.held = None;
                    return Some((&self.id, &self.payload));
                }
                std::cmp::Ordering::Greater => return None,
            }
        }
    }

    /// Reads the next entry of the files into the buffers: its row, or `None` at their end
    /// or on a read error (delivery then writes from the events themselves).
    fn read_next(&mut self) -> Option<i64> {
        loop {
            let file = self.files.front_mut()?;
            if file.fill_buf().ok()?.is_empty() {
                self.files.pop_front();
                continue;
            }
            let mut n8 = [0u8; 8];
            let mut n4 = [0u8; 4];
            file.read_exact(&mut n8).ok()?;
            let row = i64::from_le_bytes(n8);
            file.read_exact(&mut n4).ok()?;
            let mut id = std::mem::take(&mut self.id).into_bytes();
            read_into(file, u32::from_le_bytes(n4), &mut id)?;
            self.id = String::from_utf8(id).ok()?;
            file.read_exact(&mut n4).ok()?;
            read_into(file, u32::from_le_bytes(n4), &mut self.payload)?;
            return Some(row);
        }
    }
}

/// The chunks of the deliveries the check kept, handed over as [`super::super::chunks`]
/// hands over those it reads from the journal.
fn read_deliveries(
    files: Vec<File>,
    journal: PathBuf,
    tx: &mut Batcher,
) -> Result<(), JournalError> {
    let lost = |e: io::Error| {
        JournalError::Invalid(format!(
            "the events the check kept beside the journal could not be read back: {e}"
        ))
    };
    // Each recording's name and kind of source, by its id.
    let recordings: std::collections::HashMap<i64, (String, Arc<str>)> =
        Journal::open_read(&journal)?
            .recordings()?
            .into_iter()
            .map(|r| (r.id, (r.name, r.kind.into())))
            .collect();
    let mut chunk: Option<(i64, Chunk)> = None;
    let (mut source, mut partition): (Arc<str>, Arc<str>) = Default::default();
    for file in files {
        let mut file = BufReader::with_capacity(1 << 16, file);
        while !file.fill_buf().map_err(lost)?.is_empty() {
            let mut n = [0i64; 4];
            for n in &mut n {
                *n = read_i64(&mut file).map_err(lost)?;
            }
            let [row, recording, seq, received_at] = n;
            let timestamp = read_opt_i64(&mut file).map_err(lost)?;
            let initiator_id = read_opt_i64(&mut file).map_err(lost)?;
            let mut texts: [Option<String>; 4] = Default::default();
            for t in &mut texts {
                *t = read_text(&mut file).map_err(lost)?;
            }
            let [event_id, event_type, stream_id, part] = texts;
            let same = chunk
                .as_ref()
                .is_some_and(|(r, c)| *r == recording && c.seq == seq);
            if !same {
                let (name, kind) = recordings.get(&recording).cloned().unwrap_or_default();
                source = kind;
                let next = Chunk {
                    recording: name,
                    seq,
                    received_at,
                    events: Vec::new(),
                };
                if let Some((_, done)) = chunk.replace((recording, next)) {
                    if !tx.add(Ok(done)) {
                        return Ok(());
                    }
                }
            }
            // No partition is an empty one, as the journal's reader gives it.
            let part = part.unwrap_or_default();
            if *partition != *part {
                partition = part.into();
            }
            if let Some((_, c)) = chunk.as_mut() {
                c.events.push(Delivery {
                    row,
                    raw: String::new(),
                    event_id,
                    event_type,
                    timestamp,
                    stream_id,
                    initiator_id,
                    source: source.clone(),
                    partition: partition.clone(),
                });
            }
        }
    }
    if let Some((_, last)) = chunk {
        tx.add(Ok(last));
    }
    Ok(())
}

fn read_i64(file: &mut impl Read) -> io::Result<i64> {
    let mut n = [0u8; 8];
    file.read_exact(&mut n)?;
    Ok(i64::from_le_bytes(n))
}

fn read_opt_i64(file: &mut impl Read) -> io::Result<Option<i64>> {
    let mut flag = [0u8; 1];
    file.read_exact(&mut flag)?;
    match flag[0] {
        0 => Ok(None),
        _ => read_i64(file).map(Some),
    }
}

fn read_text(file: &mut impl Read) -> io::Result<Option<String>> {
    let mut n = [0u8; 4];
    file.read_exact(&mut n)?;
    let n = u32::from_le_bytes(n);
    if n == NONE {
        return Ok(None);
    }
    let mut text = Vec::with_capacity(n as usize);
    read_into(file, n, &mut text).ok_or(io::ErrorKind::UnexpectedEof)?;
    String::from_utf8(text).map(Some).map_err(io::Error::other)
}

/// Exactly `n` bytes of `file` in `buf`, replacing what it held (`None` when the file is
/// cut short).
fn read_into(file: &mut impl Read, n: u32, buf: &mut Vec<u8>) -> Option<()> {
    buf.clear();
    let read = file.by_ref().take(n as u64).read_to_end(buf).ok()?;
    (read == n as usize).then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An event at `row` of recording 1.
    fn at(row: i64) -> EventText<'static> {
        EventText {
            row_id: row,
            event_id: None,
            event_type: None,
            raw: b"{}",
            recording_id: 1,
            chunk: 1,
            received_at: 0,
            timestamp: None,
            stream_id: None,
            initiator_id: None,
            partition: None,
        }
    }

    #[test]
    fn entries_are_found_by_row_across_the_halves_and_missing_ones_are_none() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = SpillWriter::new(dir.path(), 0.5).unwrap();
        let mut b = SpillWriter::new(dir.path(), 0.5).unwrap();
        for row in [1, 2, 4] {
            a.push(&at(row), &format!("id{row}"), &[row as u8; 3])
                .unwrap();
        }
        for row in [7, 9] {
            b.push(&at(row), &format!("id{row}"), &[row as u8]).unwrap();
        }
        let mut s = Spill::new(vec![a, b]).unwrap();
        assert_eq!(s.take(1), Some(("id1", &[1, 1, 1][..])));
        assert_eq!(s.take(3), None, "not kept");
        assert_eq!(s.take(4), Some(("id4", &[4, 4, 4][..])), "2 passed over");
        assert_eq!(s.take(9), Some(("id9", &[9][..])), "across the halves");
        assert_eq!(s.take(2), None, "behind: written from the event");
        assert_eq!(s.take(10), None);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "unnamed files"
        );
    }

    #[test]
    fn a_writer_stops_at_its_share_of_the_free_space() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = SpillWriter::new(dir.path(), 0.0).unwrap();
        assert!(
            w.push(&at(1), "id", b"payload").is_err(),
            "no room: refused"
        );
        let mut w = SpillWriter::new(dir.path(), 0.01).unwrap();
        assert!(w.push(&at(1), "id", b"payload").is_ok());
    }
}
