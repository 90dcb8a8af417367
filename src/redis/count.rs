//! How many entries a read of `tail` and `record` asks for (docs/redis.md, "Bounds").

use super::conn::Failure;

/// The COUNT of reads. A reply that stalls (no byte for the progress timeout) or runs over the
/// cap makes the next reads ask for a quarter as many entries, down to one: on a link that
/// cannot carry a whole batch in one go the batch shrinks until it can. After
/// [`Count::REGROW`] reads in a row that came whole it doubles again, up to `--batch`.
#[derive(Debug)]
pub struct Count {
    batch: usize,
    /// What the next reads ask for.
    pub now: usize,
    good: u32,
}

impl Count {
    const REGROW: u32 = 10;

    /// Starts at `--batch`.
    pub fn new(batch: usize) -> Count {
        let batch = batch.max(1);
        Count {
            batch,
            now: batch,
            good: 0,
        }
    }

    /// A read's reply over the cap: fewer entries may fit, unless the read asked for one or
    /// one value alone is over it.
    pub fn over_cap(&self, f: Failure) -> Failure {
        match f {
            Failure::Oversize {
                text,
                one_value: false,
            } if self.now > 1 => Failure::Overload(text),
            f => f,
        }
    }

    /// After a read stalled or ran over the cap: the COUNT of the next reads.
    pub fn fewer(&mut self) -> usize {
        self.now = (self.now / 4).max(1);
        self.good = 0;
        self.now
    }

    /// A read came whole (or a blocking one found nothing).
    pub fn went_well(&mut self) {
        if self.now < self.batch {
            self.good += 1;
            if self.good >= Self::REGROW {
                self.now = (self.now * 2).min(self.batch);
                self.good = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stall_quarters_the_count_and_good_reads_double_it_back() {
        let mut c = Count::new(1000);
        assert_eq!((c.fewer(), c.fewer(), c.fewer()), (250, 62, 15));
        assert_eq!((c.fewer(), c.fewer(), c.fewer()), (3, 1, 1));
        for _ in 0..Count::REGROW {
            c.went_well();
        }
        assert_eq!(c.now, 2);
        for _ in 0..20 * Count::REGROW {
            c.went_well();
        }
        assert_eq!(c.now, 1000);
        let grown = |one_value| Failure::Oversize {
            text: String::new(),
            one_value,
        };
        assert!(matches!(c.over_cap(grown(false)), Failure::Overload(_)));
        assert!(matches!(c.over_cap(grown(true)), Failure::Oversize { .. }));
        assert!(matches!(
            Count::new(1).over_cap(grown(false)),
            Failure::Oversize { .. }
        ));
    }
}
