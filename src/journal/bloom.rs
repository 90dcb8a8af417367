//! A Bloom filter of the dedupe keys already stored, so the common case (a first delivery) needs
//! no index lookup. A "maybe seen" answer is confirmed against the journal, so a false positive
//! costs one lookup and never a wrong flag.

use std::hash::{Hash, Hasher};

/// The filter's size: bits per key it is sized for, and its bounds. 8 bits a key with 5 hashes
/// answers "maybe" for about 2% of new keys; 2^24 bits (2 MiB) hold a million keys, and it grows
/// (rebuilt from the journal's keys) up to 2^27 bits (16 MiB, 16 million keys), past which
/// false positives (one index lookup each, never a wrong flag) rise again.
const BITS_PER_KEY: u64 = 8;
/// (Unit tests use a small filter, so a few hundred keys make it grow.)
const MIN_BITS: usize = if cfg!(test) { 1 << 10 } else { 1 << 24 };
const MAX_BITS: usize = if cfg!(test) { 1 << 20 } else { 1 << 27 };
const HASHES: u64 = 5;

pub struct Bloom {
    bits: Vec<u64>,
    /// Keys inserted.
    keys: u64,
}

/// The 64-bit hash stored in `events.dedupe_hash` (stable across runs and versions: FNV-1a).
pub fn key_hash(key: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h as i64
}

impl Bloom {
    /// A filter sized for `n` keys (within its bounds).
    pub fn for_keys(n: u64) -> Self {
        let wanted = n.saturating_mul(BITS_PER_KEY).max(MIN_BITS as u64);
        let bits = usize::try_from(wanted.min(MAX_BITS as u64))
            .unwrap_or(MAX_BITS)
            .next_power_of_two();
        Bloom {
            bits: vec![0; bits / 64],
            keys: 0,
        }
    }

    /// Whether it holds more keys than it is sized for and may grow: rebuilt for twice as
    /// many, it answers "maybe" less often.
    pub fn wants_more_room(&self) -> bool {
        let bits = self.bits.len() * 64;
        bits < MAX_BITS && self.keys.saturating_mul(BITS_PER_KEY) > bits as u64
    }

    pub fn keys(&self) -> u64 {
        self.keys
    }

    /// The bits of a key: double hashing from two halves of a remixed 64-bit hash, within a
    /// size that is a power of two.
    fn positions(&self, hash: i64) -> impl Iterator<Item = usize> {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        hash.hash(&mut hasher);
        let h = hasher.finish();
        let (a, b) = (h & 0xffff_ffff, (h >> 32) | 1);
        let mask = self.bits.len() * 64 - 1;
        (0..HASHES).map(move |i| (a.wrapping_add(i.wrapping_mul(b)) as usize) & mask)
    }

    pub fn insert(&mut self, hash: i64) {
        let at: [usize; HASHES as usize] = {
            let mut p = self.positions(hash);
            std::array::from_fn(|_| p.next().unwrap_or(0))
        };
        for p in at {
            self.bits[p / 64] |= 1 << (p % 64);
        }
        self.keys += 1;
    }

    pub fn maybe_contains(&self, hash: i64) -> bool {
        self.positions(hash)
            .all(|p| self.bits[p / 64] & (1 << (p % 64)) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_false_negatives_and_few_false_positives() {
        // Filled to what it is sized for (the unit tests' small bounds).
        let n = (MAX_BITS as u64 / BITS_PER_KEY) as usize;
        let mut b = Bloom::for_keys(n as u64);
        for i in 0..n {
            b.insert(key_hash(&format!("k{i}")));
        }
        assert!(!b.wants_more_room());
        assert!((0..n).all(|i| b.maybe_contains(key_hash(&format!("k{i}")))));
        let false_positives = (0..10_000)
            .filter(|i| b.maybe_contains(key_hash(&format!("other{i}"))))
            .count();
        // About 2% at 8 bits a key and 5 hashes.
        assert!(false_positives < 400, "{false_positives}");
    }

    #[test]
    fn it_asks_for_room_past_the_keys_it_was_sized_for_within_its_bounds() {
        let mut b = Bloom::for_keys(0);
        assert_eq!(b.bits.len() * 64, MIN_BITS);
        b.keys = MIN_BITS as u64 / BITS_PER_KEY;
        assert!(!b.wants_more_room());
        b.keys += 1;
        assert!(b.wants_more_room());
        let mut big = Bloom::for_keys(b.keys * 2);
        assert_eq!(big.bits.len() * 64, MIN_BITS * 4);
        for i in 0..10_000 {
            big.insert(key_hash(&format!("k{i}")));
        }
        assert!((0..10_000).all(|i| big.maybe_contains(key_hash(&format!("k{i}")))));
        let mut most = Bloom::for_keys(u64::MAX);
        assert_eq!(most.bits.len() * 64, MAX_BITS, "bounded");
        most.keys = u64::MAX;
        assert!(!most.wants_more_room(), "no room past the bound");
    }
}
