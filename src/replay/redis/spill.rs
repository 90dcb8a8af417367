//! What the check before the first write already worked out for each event written in
//! hopeit's layout (its id and its encoded payload), kept in an unnamed temporary file beside
//! the journal so that delivery neither reads nor encodes those events a second time. Each
//! half of the check writes a file of its own, rows increasing; delivery reads them in turn
//! and finds an event's entry by its row, writing from the event itself when it is not there
//! (a selection delivered out of row order, an event written in another shape).

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, Write};

/// The writing side: one per half of the check.
pub struct SpillWriter {
    out: BufWriter<File>,
    /// Bytes it may still write: a share of the folder's free space, so the journal (which
    /// stores the run's results) is never left without room.
    room: u64,
}

impl SpillWriter {
    /// A writer in `dir` that takes at most `share` of the space free there.
    pub fn new(dir: &std::path::Path, share: f64) -> io::Result<SpillWriter> {
        let room = (free_space(dir)? as f64 * share) as u64;
        Ok(SpillWriter {
            out: BufWriter::with_capacity(1 << 16, tempfile::tempfile_in(dir)?),
            room,
        })
    }

    /// An event's entry: its row, hopeit's id and the encoded payload; an error once its
    /// share of the free space is used.
    pub fn push(&mut self, row: i64, id: &str, payload: &[u8]) -> io::Result<()> {
        let size = (16 + id.len() + payload.len()) as u64;
        self.room = self
            .room
            .checked_sub(size)
            .ok_or_else(|| io::Error::other("the spill's share of the free space is used"))?;
        self.out.write_all(&row.to_le_bytes())?;
        self.out.write_all(&(id.len() as u32).to_le_bytes())?;
        self.out.write_all(id.as_bytes())?;
        self.out.write_all(&(payload.len() as u32).to_le_bytes())?;
        self.out.write_all(payload)
    }

    fn into_file(self) -> io::Result<File> {
        let mut file = self.out.into_inner().map_err(|e| e.into_error())?;
        file.rewind()?;
        Ok(file)
    }
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
    /// The row of the entry read and not yet asked for, its id and payload in the buffers
    /// below (kept from entry to entry: an allocation per entry showed in profiles).
    held: Option<i64>,
    id: String,
    payload: Vec<u8>,
}

impl Spill {
    pub fn new(halves: Vec<SpillWriter>) -> io::Result<Spill> {
        let files = halves
            .into_iter()
            .map(|w| Ok(BufReader::with_capacity(1 << 16, w.into_file()?)))
            .collect::<io::Result<_>>()?;
        Ok(Spill {
            files,
            held: None,
            id: String::new(),
            payload: Vec::new(),
        })
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

    #[test]
    fn entries_are_found_by_row_across_the_halves_and_missing_ones_are_none() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = SpillWriter::new(dir.path(), 0.5).unwrap();
        let mut b = SpillWriter::new(dir.path(), 0.5).unwrap();
        for row in [1, 2, 4] {
            a.push(row, &format!("id{row}"), &[row as u8; 3]).unwrap();
        }
        for row in [7, 9] {
            b.push(row, &format!("id{row}"), &[row as u8]).unwrap();
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
        assert!(w.push(1, "id", b"payload").is_err(), "no room: refused");
        let mut w = SpillWriter::new(dir.path(), 0.01).unwrap();
        assert!(w.push(1, "id", b"payload").is_ok());
    }
}
