//! A Bloom filter of the dedupe keys already stored, so the common case (a first delivery) needs
//! no index lookup. A "maybe seen" answer is confirmed against the journal, so a false positive
//! costs one lookup and never a wrong flag.

use std::hash::{Hash, Hasher};

/// 2^24 bits (2 MiB): about 0.1 % false positives at a million keys.
const BITS: usize = 1 << 24;
const HASHES: u64 = 5;

pub struct Bloom {
    bits: Vec<u64>,
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
    pub fn new() -> Self {
        Bloom {
            bits: vec![0; BITS / 64],
        }
    }

    fn positions(hash: i64) -> impl Iterator<Item = usize> {
        // Double hashing from two halves of a remixed 64-bit hash.
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        hash.hash(&mut hasher);
        let h = hasher.finish();
        let (a, b) = (h & 0xffff_ffff, (h >> 32) | 1);
        (0..HASHES).map(move |i| (a.wrapping_add(i.wrapping_mul(b)) as usize) % BITS)
    }

    pub fn insert(&mut self, hash: i64) {
        for p in Self::positions(hash) {
            self.bits[p / 64] |= 1 << (p % 64);
        }
    }

    pub fn maybe_contains(&self, hash: i64) -> bool {
        Self::positions(hash).all(|p| self.bits[p / 64] & (1 << (p % 64)) != 0)
    }
}

impl Default for Bloom {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_false_negatives_and_few_false_positives() {
        let mut b = Bloom::new();
        for i in 0..100_000 {
            b.insert(key_hash(&format!("k{i}")));
        }
        assert!((0..100_000).all(|i| b.maybe_contains(key_hash(&format!("k{i}")))));
        let false_positives = (0..100_000)
            .filter(|i| b.maybe_contains(key_hash(&format!("other{i}"))))
            .count();
        assert!(false_positives < 100, "{false_positives}");
    }
}
