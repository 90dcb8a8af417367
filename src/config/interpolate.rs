//! `${VAR}`, `${VAR:-default}` and the `$${...}` escape, expanded in string values the way the
//! Java bot kit does, so a kit's config.yaml works unchanged.

/// Why a string could not be expanded.
#[derive(Debug, PartialEq, Eq)]
pub enum ExpandError {
    Unset(String),
    Unclosed,
}

/// Expands one string with variables looked up through `lookup`.
pub fn expand(input: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, ExpandError> {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos..];
        if let Some(escaped) = after.strip_prefix("$${") {
            // `$${x}` stands for a literal `${x}`.
            out.push_str("${");
            rest = escaped;
        } else if let Some(body) = after.strip_prefix("${") {
            let end = body.find('}').ok_or(ExpandError::Unclosed)?;
            let expr = &body[..end];
            let (name, default) = match expr.split_once(":-") {
                Some((n, d)) => (n, Some(d)),
                None => (expr, None),
            };
            match lookup(name.trim()).filter(|v| !(default.is_some() && v.is_empty())) {
                Some(v) => out.push_str(&v),
                None => match default {
                    Some(d) => out.push_str(d),
                    None => return Err(ExpandError::Unset(name.trim().to_string())),
                },
            }
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = &after[1..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOST" => Some("pod.example.com".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn expands_plain_default_and_escape() {
        assert_eq!(
            expand("https://${HOST}/x", &env).unwrap(),
            "https://pod.example.com/x"
        );
        assert_eq!(expand("${NOPE:-443}", &env).unwrap(), "443");
        assert_eq!(expand("${EMPTY:-dflt}", &env).unwrap(), "dflt");
        assert_eq!(
            expand("$${HOST} costs $5", &env).unwrap(),
            "${HOST} costs $5"
        );
    }

    #[test]
    fn unset_and_unclosed_are_errors() {
        assert_eq!(
            expand("${NOPE}", &env),
            Err(ExpandError::Unset("NOPE".into()))
        );
        assert_eq!(expand("${HOST", &env), Err(ExpandError::Unclosed));
    }
}
