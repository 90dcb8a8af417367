//! Pub/Sub replay ids. The API treats them as opaque bytes; Salesforce's (and the published
//! clients') are a replay id as 8 bytes, big-endian: the same numbers the Streaming API
//! (CometD) gives as `replayId`, so both APIs of one org agree on a position.

/// The bytes of a replay id.
pub fn encode(id: i64) -> Vec<u8> {
    id.to_be_bytes().to_vec()
}

/// The replay id in `bytes`, if they are one: exactly 8 bytes, not negative.
pub fn decode(bytes: &[u8]) -> Option<i64> {
    let array: [u8; 8] = bytes.try_into().ok()?;
    Some(i64::from_be_bytes(array)).filter(|id| *id >= 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_ids_are_eight_bytes_big_endian() {
        assert_eq!(encode(258), [0, 0, 0, 0, 0, 0, 1, 2]);
        assert_eq!(
            decode(&encode(1_765_000_000_000_001)),
            Some(1_765_000_000_000_001)
        );
        assert_eq!(decode(&[1, 2, 3]), None, "too short");
        assert_eq!(decode(&[0xff; 8]), None, "negative");
        assert_eq!(decode(&[0; 9]), None, "too long");
    }
}
