//! Whether any value was given twice, among as many values as a journal has events, in bounded
//! memory: values are sorted in runs held in memory; a full run is written to an unnamed
//! temporary file beside the journal, and the runs are merged at the end. `journal verify`
//! asks it whether two first deliveries share a hash (a set of every hash would hold 8 bytes
//! an event: 80 MiB at ten million).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Values read from a run on disk at a time while merging (64 KiB).
const READ_BLOCK: usize = 8192;

pub(super) struct Repeats {
    run: Vec<u64>,
    run_len: usize,
    dir: PathBuf,
    spilled: Option<BufWriter<File>>,
    /// The number of values in each run written, in file order.
    runs: Vec<u64>,
    /// A repeat already seen within one run.
    found: bool,
}

impl Repeats {
    /// An empty set holding at most `run_len` values in memory; runs go to a temporary file
    /// in `dir` when it fills.
    pub(super) fn new(dir: &Path, run_len: usize) -> Self {
        Repeats {
            run: Vec::new(),
            run_len: run_len.max(1),
            dir: dir.to_path_buf(),
            spilled: None,
            runs: Vec::new(),
            found: false,
        }
    }

    pub(super) fn push(&mut self, value: u64) -> std::io::Result<()> {
        if self.run.capacity() == 0 {
            self.run.reserve_exact(self.run_len);
        }
        self.run.push(value);
        if self.run.len() >= self.run_len {
            self.spill()?;
        }
        Ok(())
    }

    fn sort_run(&mut self) {
        self.run.sort_unstable();
        self.found |= self.run.windows(2).any(|w| w[0] == w[1]);
    }

    fn spill(&mut self) -> std::io::Result<()> {
        self.sort_run();
        let out = match self.spilled.as_mut() {
            Some(out) => out,
            None => self
                .spilled
                .insert(BufWriter::new(tempfile::tempfile_in(&self.dir)?)),
        };
        for v in &self.run {
            out.write_all(&v.to_le_bytes())?;
        }
        self.runs.push(self.run.len() as u64);
        self.run.clear();
        Ok(())
    }

    /// Whether some value was pushed twice.
    pub(super) fn any(mut self) -> std::io::Result<bool> {
        if self.spilled.is_none() || self.found {
            self.sort_run();
            return Ok(self.found);
        }
        if !self.run.is_empty() {
            self.spill()?;
        }
        self.run = Vec::new();
        let file = match self.spilled.take() {
            Some(out) => out.into_inner().map_err(|e| e.into_error())?,
            None => return Ok(false),
        };
        let mut readers = Vec::with_capacity(self.runs.len());
        let mut start = 0u64;
        for &len in &self.runs {
            readers.push(RunReader::new(&file, start, len));
            start += len;
        }
        // The smallest head of every run, each popped in turn: a value equal to the one
        // before it was given twice.
        let mut heads = BinaryHeap::with_capacity(readers.len());
        for (i, r) in readers.iter_mut().enumerate() {
            if let Some(v) = r.next()? {
                heads.push(Reverse((v, i)));
            }
        }
        let mut last = None;
        while let Some(Reverse((v, i))) = heads.pop() {
            if last == Some(v) {
                return Ok(true);
            }
            last = Some(v);
            if let Some(next) = readers[i].next()? {
                heads.push(Reverse((next, i)));
            }
        }
        Ok(false)
    }
}

/// One sorted run of the temporary file, read a block at a time.
struct RunReader<'a> {
    file: &'a File,
    /// The next value's index in the file, and the end of the run.
    at: u64,
    end: u64,
    block: Vec<u64>,
    next: usize,
}

impl<'a> RunReader<'a> {
    fn new(file: &'a File, start: u64, len: u64) -> Self {
        RunReader {
            file,
            at: start,
            end: start + len,
            block: Vec::new(),
            next: 0,
        }
    }

    fn next(&mut self) -> std::io::Result<Option<u64>> {
        if self.next == self.block.len() {
            let n = (self.end - self.at).min(READ_BLOCK as u64) as usize;
            if n == 0 {
                return Ok(None);
            }
            let mut bytes = vec![0u8; n * 8];
            self.file.read_exact_at(&mut bytes, self.at * 8)?;
            self.block.clear();
            self.block.extend(
                bytes
                    .chunks_exact(8)
                    .map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default())),
            );
            self.at += n as u64;
            self.next = 0;
        }
        let v = self.block[self.next];
        self.next += 1;
        Ok(Some(v))
    }
}

#[cfg(test)]
mod tests {
    use super::Repeats;

    fn any_repeat(values: &[u64], run_len: usize) -> bool {
        let dir = tempfile::tempdir().unwrap();
        let mut r = Repeats::new(dir.path(), run_len);
        for &v in values {
            r.push(v).unwrap();
        }
        r.any().unwrap()
    }

    #[test]
    fn a_repeat_is_found_within_a_run_across_runs_and_in_the_last_partial_run() {
        let distinct: Vec<u64> = (0..1000u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        for run_len in [1, 3, 64, 1000, 4096] {
            assert!(!any_repeat(&distinct, run_len), "run_len {run_len}");
            // Twice within the first run, far apart (different runs), and at the very end.
            for (i, j) in [(0, 1), (2, 998), (500, 999)] {
                let mut v = distinct.clone();
                v[j] = v[i];
                assert!(any_repeat(&v, run_len), "run_len {run_len}, {i} and {j}");
            }
        }
        assert!(!any_repeat(&[], 4));
        assert!(any_repeat(&[7, 7], 1));
    }

    #[test]
    fn runs_go_to_a_file_and_memory_holds_one_run() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = Repeats::new(dir.path(), 10);
        for v in 0..95u64 {
            r.push(v).unwrap();
        }
        assert_eq!(r.runs, vec![10; 9]);
        assert!(r.run.capacity() <= 10 && r.run.len() == 5);
        // The file is unnamed: nothing is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert!(!r.any().unwrap());
    }
}
