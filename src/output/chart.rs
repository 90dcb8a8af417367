//! Small text charts for a terminal: a sparkline (one character per bucket) and a horizontal
//! bar, both of Unicode block characters. Drawn only where a human reads (a terminal); the
//! numbers behind them are in `-o json`.

/// The eight heights of a sparkline, lowest first.
const TICKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// Eighths of a bar's last cell, from one eighth to a full cell.
const EIGHTHS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];

/// One character per count, its height relative to the largest: an empty bucket is a space, any
/// other at least the lowest tick, the largest the full block.
pub fn sparkline(counts: &[u64]) -> String {
    let most = counts.iter().copied().max().unwrap_or(0);
    counts
        .iter()
        .map(|&n| match n {
            0 => ' ',
            // 1..=8 of 8, rounded up so a small count stays visible.
            _ => TICKS[((n as u128 * 8).div_ceil(most.max(1) as u128) as usize).clamp(1, 8) - 1],
        })
        .collect()
}

/// A horizontal bar of `n` against `most` in at most `width` cells, in eighths of a cell; a
/// count above zero is never drawn empty.
pub fn bar(n: u64, most: u64, width: usize) -> String {
    if n == 0 || most == 0 || width == 0 {
        return String::new();
    }
    let eighths = ((n.min(most) as u128 * width as u128 * 8) / most as u128).max(1) as usize;
    let mut s: String = std::iter::repeat_n('█', eighths / 8).collect();
    if let Some(part) = (eighths % 8).checked_sub(1) {
        s.push(EIGHTHS[part]);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sparkline_has_one_character_per_bucket_scaled_to_the_largest() {
        assert_eq!(sparkline(&[]), "");
        assert_eq!(sparkline(&[0, 0]), "  ");
        assert_eq!(sparkline(&[1, 2, 4, 8, 0, 8]), "▁▂▄█ █");
        // A single event among thousands is still seen.
        assert_eq!(sparkline(&[1, 8000]), "▁█");
        assert_eq!(sparkline(&[5, 5, 5]), "███");
        assert_eq!(sparkline(&[3, 6]).chars().count(), 2);
    }

    #[test]
    fn a_bar_fills_eighths_of_cells() {
        assert_eq!(bar(0, 10, 10), "");
        assert_eq!(bar(10, 10, 4), "████");
        assert_eq!(bar(5, 10, 4), "██");
        assert_eq!(bar(1, 16, 1), "▏");
        assert_eq!(bar(1, 1_000_000, 10), "▏");
        assert_eq!(bar(3, 4, 1), "▊");
    }
}
