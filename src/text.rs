//! Plain text helpers every layer may use: clipping and the readable text of a message.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_presentation_ml() {
        let m = r#"<div data-format="PresentationML" data-version="2.0"><p>hello <b>bot</b> &amp; &lt;you&gt;</p></div>"#;
        assert_eq!(plain_text(m), "hello bot & <you>");
    }
}
