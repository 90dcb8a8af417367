//! A string that never prints itself: tokens and key material live in this type so a stray
//! `{:?}` or log line cannot leak them (DESIGN §8).

use std::fmt;

#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The real value, for the one place that must send it over the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"<redacted>\"")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn never_formats_its_value() {
        let s = Secret::new("eyJhbGciOi.top.secret");
        assert!(!format!("{s:?} {s}").contains("secret"));
        assert_eq!(s.expose(), "eyJhbGciOi.top.secret");
    }
}
