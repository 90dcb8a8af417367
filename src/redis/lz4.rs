//! LZ4 frames as hopeit.engine writes them (`comp=lz4`): decoding a payload read from Redis and
//! encoding one for `replay --to --layout hopeit`.
//!
//! A payload is a few hundred bytes, so it is one frame of one block. `lz4_flex`'s frame decoder
//! clears and zero-fills a 64 KiB output buffer for every frame, which was most of the time of
//! decoding an entry; such a frame is read here block-wise into a buffer filled once per thread.
//! Anything else (several blocks, several frames, a skippable frame) goes to the frame decoder.

use std::io::Read;

use super::hopeit::MAX_PAYLOAD;

const MAGIC: [u8; 4] = [0x04, 0x22, 0x4d, 0x18];
/// An uncompressed block has this bit set in its size.
const UNCOMPRESSED: u32 = 0x8000_0000;

/// The decompressed payload, or why it is not one (`comp`: the field, for the message).
pub fn decompress(comp: &str, payload: &[u8]) -> Result<Vec<u8>, String> {
    match one_block(payload) {
        Some(r) => r.map_err(|e| format!("comp {comp}: {e}")),
        None => frames(comp, payload),
    }
}

/// A frame of a single data block, decompressed (checksums and content size checked as the
/// frame decoder checks them); `None` for any other shape.
fn one_block(payload: &[u8]) -> Option<Result<Vec<u8>, String>> {
    let rest = payload.strip_prefix(&MAGIC)?;
    let (flg, bd) = (*rest.first()?, *rest.get(1)?);
    // A version, reserved bits or a dictionary the frame decoder refuses or reads: its answer.
    if flg >> 6 != 0b01 || flg & 0b11 != 0 || bd & 0b1000_1111 != 0 {
        return None;
    }
    let max_block = match (bd >> 4) & 0b111 {
        4 => 64 << 10,
        5 => 256 << 10,
        6 => 1 << 20,
        7 => 4 << 20,
        _ => return None,
    };
    let mut frame = Frame {
        rest,
        block_checksum: flg & 0x10 != 0,
        content_size: flg & 0x08 != 0,
        content_checksum: flg & 0x04 != 0,
    };
    match frame.read(max_block) {
        Ok(Some(out)) => Some(Ok(out)),
        Ok(None) => None,
        Err(e) => Some(Err(e.into())),
    }
}

/// What is left of a frame after its magic number, and what its flags promise.
struct Frame<'a> {
    rest: &'a [u8],
    block_checksum: bool,
    content_size: bool,
    content_checksum: bool,
}

impl<'a> Frame<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], &'static str> {
        let head = self.rest.get(..n).ok_or("the LZ4 frame is cut short")?;
        self.rest = &self.rest[n..];
        Ok(head)
    }

    fn u32(&mut self) -> Result<u32, &'static str> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// The frame's content, or `None` when it is not one block followed by the end mark.
    fn read(&mut self, max_block: usize) -> Result<Option<Vec<u8>>, &'static str> {
        let descriptor = self.take(2 + if self.content_size { 8 } else { 0 })?;
        let hc = self.take(1)?[0];
        if (twox_hash::XxHash32::oneshot(0, descriptor) >> 8) as u8 != hc {
            return Err("the LZ4 frame header's checksum is wrong");
        }
        let expected_len = descriptor
            .get(2..10)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default()));
        let size = self.u32()?;
        let len = (size & !UNCOMPRESSED) as usize;
        if size == 0 || len > max_block {
            return Ok(None); // an empty frame, or a block the frame decoder refuses
        }
        let block = self.take(len)?;
        if self.block_checksum && self.u32()? != twox_hash::XxHash32::oneshot(0, block) {
            return Err("an LZ4 block's checksum is wrong");
        }
        if self.u32()? != 0 {
            return Ok(None); // a second block
        }
        let checksum = match self.content_checksum {
            true => Some(self.u32()?),
            false => None,
        };
        if !self.rest.is_empty() {
            return Ok(None); // a second frame
        }
        let out = if size & UNCOMPRESSED != 0 {
            block.to_vec()
        } else {
            SCRATCH.with(|cell| {
                let mut scratch = cell.borrow_mut();
                if scratch.len() < max_block {
                    scratch.resize(max_block, 0);
                }
                lz4_flex::block::decompress_into(block, &mut scratch[..max_block])
                    .map(|n| scratch[..n].to_vec())
                    .map_err(|_| "an LZ4 block does not decompress")
            })?
        };
        if expected_len.is_some_and(|n| n != out.len() as u64) {
            return Err("the LZ4 frame's content size is wrong");
        }
        if checksum.is_some_and(|c| c != twox_hash::XxHash32::oneshot(0, &out)) {
            return Err("the LZ4 frame's content checksum is wrong");
        }
        Ok(Some(out))
    }
}

thread_local! {
    /// Where a block is decompressed: as large as the largest block seen, zero-filled once.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Decodes the LZ4 frame(s) of a payload of another shape (rare: a decoder allocates its
/// block buffers, up to 192 KiB for 64 KiB linked blocks).
fn frames(comp: &str, payload: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    lz4_flex::frame::FrameDecoder::new(payload)
        .take(MAX_PAYLOAD + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("comp {comp}: {e}"))?;
    if out.len() as u64 > MAX_PAYLOAD {
        return Err(format!(
            "comp {comp}: decompressed payload larger than {} MiB",
            MAX_PAYLOAD >> 20
        ));
    }
    Ok(out)
}

/// The largest input written as one block by hand: below it, lz4_flex's small hash table
/// (16-bit positions) covers the whole input, and a fresh encoder would pick 64 KiB blocks.
const BY_HAND_BELOW: usize = u16::MAX as usize;

thread_local! {
    /// The block compressor's hash table, kept from one payload to the next. A frame encoder,
    /// even a reused one, cleared a 16 KiB table for every payload of a few hundred bytes
    /// (memset was 6% of `replay --to`'s delivering thread); this one is 8 KiB.
    static TABLE: std::cell::RefCell<lz4_flex::block::CompressTable> =
        std::cell::RefCell::new(lz4_flex::block::CompressTable::default());
}

/// The frame header `FrameEncoder::new` writes for a single-block payload (magic, flags,
/// 64 KiB blocks, header checksum), taken from the encoder itself once.
fn header() -> &'static [u8] {
    static HEADER: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    HEADER.get_or_init(|| {
        let mut enc = lz4_flex::frame::FrameEncoder::new(Vec::new());
        // Writing into a Vec cannot fail.
        let _ = std::io::Write::write_all(&mut enc, b"x");
        let frame = enc.finish().unwrap_or_default();
        // Magic, FLG, BD and HC: no content size or dictionary id is written.
        frame[..7.min(frame.len())].to_vec()
    })
}

/// One LZ4 frame of `input`, as `FrameEncoder::new` writes it, appended to `out`: a writer of
/// many payloads keeps one buffer. A payload below 64 KiB is one block, written here (header,
/// block size, the block compressed or stored as it is when that is no smaller, end mark)
/// with a hash table kept per thread; a larger one goes through a frame encoder.
pub fn frame_into(input: &[u8], out: &mut Vec<u8>) {
    if input.len() >= BY_HAND_BELOW {
        let mut enc = lz4_flex::frame::FrameEncoder::new(std::mem::take(out));
        // Writing into a Vec cannot fail.
        let _ = std::io::Write::write_all(&mut enc, input);
        *out = enc.finish().unwrap_or_default();
        return;
    }
    out.extend_from_slice(header());
    if input.is_empty() {
        out.extend_from_slice(&0u32.to_le_bytes());
        return;
    }
    let size_at = out.len();
    let data_at = size_at + 4;
    out.resize(
        data_at + lz4_flex::block::get_maximum_output_size(input.len()),
        0,
    );
    let compressed = TABLE.with(|t| {
        lz4_flex::block::compress_into_with_table(input, &mut out[data_at..], &mut t.borrow_mut())
    });
    let size = match compressed {
        Ok(n) if n < input.len() => n as u32,
        // Stored as it is, as the frame encoder does when compressing does not pay.
        _ => {
            out.truncate(data_at);
            out.extend_from_slice(input);
            input.len() as u32 | UNCOMPRESSED
        }
    };
    out.truncate(data_at + (size & !UNCOMPRESSED) as usize);
    out[size_at..data_at].copy_from_slice(&size.to_le_bytes());
    // The end mark.
    out.extend_from_slice(&0u32.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use lz4_flex::frame::{BlockMode, BlockSize, FrameEncoder, FrameInfo};

    /// `input` framed with these options by lz4_flex's own encoder.
    fn framed(input: &[u8], info: FrameInfo) -> Vec<u8> {
        let mut enc = FrameEncoder::with_frame_info(info, Vec::new());
        std::io::Write::write_all(&mut enc, input).unwrap();
        enc.finish().unwrap()
    }

    /// What the frame decoder makes of it.
    fn by_decoder(payload: &[u8]) -> Result<Vec<u8>, ()> {
        let mut out = Vec::new();
        lz4_flex::frame::FrameDecoder::new(payload)
            .read_to_end(&mut out)
            .map(|_| out)
            .map_err(|_| ())
    }

    #[test]
    fn a_frame_written_by_hand_is_what_a_fresh_encoder_writes() {
        let fresh = |b: &[u8]| {
            let mut enc = lz4_flex::frame::FrameEncoder::new(Vec::new());
            std::io::Write::write_all(&mut enc, b).unwrap();
            enc.finish().unwrap()
        };
        let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let incompressible: Vec<u8> = (0..300u32).map(|i| (i * 7919 % 251) as u8).collect();
        let inputs: [&[u8]; 10] = [
            b"e30=",
            b"abcabcabcabcabcabc",
            &big[..65_536],
            &big,
            b"x",
            &big[..70_000],
            b"",
            &incompressible,
            &big[..65_534],
            &big[..65_535],
        ];
        // Appended to what the buffer holds, one after the other.
        let mut out = b"before".to_vec();
        let mut expected = out.clone();
        for input in inputs {
            frame_into(input, &mut out);
            expected.extend(fresh(input));
            assert_eq!(out, expected, "{} bytes", input.len());
        }
    }

    #[test]
    fn a_single_block_frame_reads_as_the_frame_decoder_reads_it() {
        let text = br#"{"text":"bench message 000000001 lorem ipsum dolor sit amet","n":1}"#;
        let incompressible: Vec<u8> = (0..300u32).map(|i| (i * 7919 % 251) as u8).collect();
        let large: Vec<u8> = text.iter().copied().cycle().take(200_000).collect();
        let infos = || {
            [
                FrameInfo::new(),
                FrameInfo::new().content_checksum(true),
                FrameInfo::new().block_checksums(true),
                FrameInfo::new().content_size(Some(text.len() as u64)),
                FrameInfo::new()
                    .block_mode(BlockMode::Linked)
                    .block_size(BlockSize::Max256KB),
            ]
        };
        for input in [&text[..], &incompressible, &large, b""] {
            for info in infos() {
                let mut info = info;
                if input.len() != text.len() {
                    info = info.content_size(None);
                }
                let payload = framed(input, info.clone());
                assert_eq!(decompress("lz4", &payload).unwrap(), input, "{info:?}");
                if input.len() <= 64 * 1024 && !input.is_empty() {
                    assert!(one_block(&payload).is_some(), "read block-wise: {info:?}");
                }
            }
        }
        // Two frames one after the other: the first, as before this fast path (a bounded read
        // of the frame decoder stops at the end of a frame).
        let two = [
            framed(text, FrameInfo::new()),
            framed(b"more", FrameInfo::new()),
        ]
        .concat();
        assert_eq!(decompress("lz4", &two).unwrap(), text);
    }

    #[test]
    fn a_damaged_single_block_frame_is_refused_as_the_frame_decoder_refuses_it() {
        let text = br#"{"text":"hello hello hello hello hello","n":2}"#;
        let payload = framed(
            text,
            FrameInfo::new()
                .content_checksum(true)
                .block_checksums(true),
        );
        for at in 4..payload.len() {
            let mut bad = payload.clone();
            bad[at] ^= 0x21;
            let ours = decompress("lz4", &bad).ok();
            assert_eq!(ours, by_decoder(&bad).ok(), "byte {at} changed");
        }
        // Cut anywhere past the magic number (the frame decoder takes a frame cut after its
        // header for an empty one).
        for cut in 5..payload.len() {
            assert!(decompress("lz4", &payload[..cut]).is_err(), "cut at {cut}");
        }
    }
}
