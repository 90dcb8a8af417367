//! Plain text helpers every layer may use: clipping, the readable text of a message, and text
//! made safe for a terminal.

/// The readable text of a PresentationML message: tags dropped, entities decoded, whitespace
/// collapsed.
pub fn plain_text(presentation_ml: &str) -> String {
    let mut out = String::with_capacity(presentation_ml.len());
    let mut in_tag = false;
    for c in presentation_ml.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    // Every HTML entity, named or numeric (PresentationML is HTML); a no-break space is a space.
    let decoded = html_escape::decode_html_entities(&out).replace('\u{a0}', " ");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Bytes that are almost always UTF-8 (a body, a stored event) as text: the fast check decides,
/// and only bytes that are not UTF-8 are walked again with replacement characters
/// (`String::from_utf8_lossy` alone walks every byte the slow way).
pub fn utf8_or_lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// A count and its noun, in the singular for one and in the plural (the noun with an `s`)
/// otherwise: "1 event", "40 events", "0 events".
pub fn counted(n: u64, one: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        _ => format!("{n} {one}s"),
    }
}

/// [`counted`] for a noun whose plural is not the noun with an `s`: "1 retry", "3 retries".
pub fn counted_as(n: u64, one: &str, many: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        _ => format!("{n} {many}"),
    }
}

/// Cuts a text to `max` characters with an ellipsis.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// A character a terminal may act on: control characters (C0, DEL, C1 such as ESC and CSI)
/// and bidirectional overrides.
pub fn terminal_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text from outside (an event, a bot's message) made safe to show on a terminal: control
/// characters (C0, DEL, C1 such as ESC and CSI) and bidirectional overrides are written as
/// visible escapes (`\x1b`, `\u{9b}`, `\u{202e}`), so event text cannot move the cursor,
/// set the window title or recolour the screen. Everything else is kept.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = terminal_unsafe;
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x80 && unsafe_char(c) => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(terminal_safe("plain é ✓"), "plain é ✓");
        assert_eq!(
            terminal_safe("\u{1b}]0;pwned\u{7}\u{1b}[2Kx\n\u{9b}31m\u{202e}"),
            "\\x1b]0;pwned\\x07\\x1b[2Kx\\n\\u{9b}31m\\u{202e}"
        );
    }

    #[test]
    fn a_count_agrees_with_its_noun() {
        assert_eq!(counted(1, "event"), "1 event");
        assert_eq!(counted(0, "event"), "0 events");
        assert_eq!(counted(40, "handler run"), "40 handler runs");
        assert_eq!(counted_as(1, "retry", "retries"), "1 retry");
        assert_eq!(counted_as(2, "retry", "retries"), "2 retries");
    }

    #[test]
    fn strips_presentation_ml() {
        let m = r#"<div data-format="PresentationML" data-version="2.0"><p>hello <b>bot</b> &amp; &lt;you&gt;</p></div>"#;
        assert_eq!(plain_text(m), "hello bot & <you>");
    }
}
