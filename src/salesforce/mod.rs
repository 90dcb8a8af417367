//! Salesforce Streaming API (CometD/Bayeux long polling): OAuth login, a Bayeux client that sends
//! the replay extension, the message model and its `feed::Source`. One partition per channel;
//! the cursor is `{"replayId":N,"createdDate":"…"}`. Knows nothing of journals or terminals.

pub mod auth;
pub mod bayeux;
pub mod message;
pub mod pubsub;
pub mod source;

pub use auth::{Credentials, Grant, LoginError, Session};
pub use message::Message;
pub use source::{Fallback, ReplayStart, SalesforceSource, SourceOptions};

/// The API version in the Bayeux endpoint path (aiosfstream's; below 37.0 is refused).
pub const API_VERSION: &str = "45.0";

/// The replay option value sent in `ext.replay`: -1 new events, -2 all retained.
pub const REPLAY_NEW: i64 = -1;
pub const REPLAY_ALL: i64 = -2;

/// The prefix of Salesforce's invalid replayId error (matched by prefix, not by id).
pub const INVALID_REPLAY_PREFIX: &str = "400::The replayId ";

/// The error string a subscribe gets for a replay id out of retention, exactly as Salesforce
/// sends it (two spaces after the first sentence).
pub fn invalid_replay_error(id: impl std::fmt::Display) -> String {
    format!("400::The replayId {{{id}}} you provided was invalid.  Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.")
}

/// The error string for a subscribe to a channel that does not exist.
pub fn unknown_channel_error(channel: &str) -> String {
    format!("400::The channel you requested to subscribe to does not exist {{{channel}}}")
}

/// True for a channel name Salesforce streams (`/topic/`, `/event/`, `/data/`, `/u/`).
pub fn valid_channel(c: &str) -> bool {
    ["/topic/", "/event/", "/data/", "/u/"].iter().any(|p| {
        c.strip_prefix(p)
            .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace))
    })
}

/// Milliseconds since the epoch of a Salesforce date (`2016-03-29T16:40:08.208Z`, also with
/// `+0000`).
pub fn parse_date(s: &str) -> Option<i64> {
    let fixed = match s.strip_suffix("+0000") {
        Some(head) => format!("{head}Z"),
        None => s.to_string(),
    };
    let t = humantime::parse_rfc3339_weak(&fixed).ok()?;
    t.duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_millis() as i64)
}

/// A change event's `ChangeEventHeader.changeType` (Salesforce's Change Data Capture guide,
/// "ChangeEventHeader Fields").
pub const CHANGE_TYPES: &[&str] = &[
    "CREATE",
    "UPDATE",
    "DELETE",
    "UNDELETE",
    "GAP_CREATE",
    "GAP_UPDATE",
    "GAP_DELETE",
    "GAP_UNDELETE",
    "GAP_OVERFLOW",
];

/// A date as Salesforce writes it, from milliseconds since the epoch.
pub fn format_date(ms: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64);
    humantime::format_rfc3339_millis(t).to_string()
}

/// After a failed connection to `what`: waits the backoff's next wait, never past
/// `--connection-timeout` (`limit`, counted from `since`, when the last working connection
/// ended), or gives up naming how long there was none. Shared by the Streaming and Pub/Sub
/// API sources.
pub(crate) async fn wait_to_retry(
    what: &str,
    backoff: &mut crate::feed::Backoff,
    since: std::time::Instant,
    limit: Option<std::time::Duration>,
    reason: &str,
    notify: &mut dyn FnMut(crate::feed::Notice),
) -> Result<(), crate::feed::SourceError> {
    use crate::feed::{ErrorClass, Notice, SourceError};
    let give_up = || {
        SourceError::new(
            ErrorClass::Transient,
            format!(
                "no working connection to {what} for {} (--connection-timeout {}): {reason}",
                bayeux::seconds(since.elapsed()),
                humantime::format_duration(limit.unwrap_or_default())
            ),
        )
    };
    if limit.is_some_and(|l| since.elapsed() >= l) {
        return Err(give_up());
    }
    let attempt = backoff.failures();
    let Some(wait) = backoff.next_wait(None) else {
        return Err(SourceError::new(
            ErrorClass::Transient,
            format!("giving up after {} attempts: {reason}", attempt + 1),
        ));
    };
    // Never sleep past --connection-timeout: give up on time.
    let wait = match limit {
        Some(limit) => wait.min(limit.saturating_sub(since.elapsed())),
        None => wait,
    };
    notify(Notice::Retry {
        reason: reason.to_string(),
        wait,
        attempt,
    });
    tokio::time::sleep(wait).await;
    if limit.is_some_and(|l| since.elapsed() >= l) {
        return Err(give_up());
    }
    Ok(())
}

/// What is left of `--connection-timeout` (`limit`) to a source without a working connection
/// since `down_since` (all of it while connected); `None`: no limit. Both Salesforce sources
/// bound each call and each wait by it.
pub(crate) fn time_left(
    limit: Option<std::time::Duration>,
    down_since: Option<std::time::Instant>,
) -> Option<std::time::Duration> {
    let limit = limit?;
    Some(match down_since {
        Some(since) => limit.saturating_sub(since.elapsed()),
        None => limit,
    })
}

/// A source's access token was refused by `service`: `Ok` when logging in again may help (the
/// caller does, once), else the error that stops it (exit 3). Shared by the Streaming and
/// Pub/Sub API sources.
pub(crate) fn token_refused(
    service: &str,
    fresh_login: bool,
    can_login: bool,
    reason: &str,
) -> Result<(), crate::feed::SourceError> {
    if !fresh_login && can_login {
        return Ok(());
    }
    let what = if fresh_login {
        "even after a fresh login"
    } else {
        "(a given SFDC_ACCESS_TOKEN, and nothing to log in again with: give a fresh token, or a login that can renew it: SFDC_JWT_KEY, client credentials, SFDC_REFRESH_TOKEN or a password; docs/salesforce.md)"
    };
    Err(crate::feed::SourceError::new(
        crate::feed::ErrorClass::Auth,
        format!("{service} refused the access token {what}: {reason}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_both_ways() {
        let ms = parse_date("2016-03-29T16:40:08.208Z").unwrap();
        assert_eq!(parse_date("2016-03-29T16:40:08.208+0000"), Some(ms));
        assert_eq!(format_date(ms), "2016-03-29T16:40:08.208Z");
    }

    #[test]
    fn channels() {
        assert!(valid_channel("/topic/X"));
        assert!(valid_channel("/data/ChangeEvents"));
        assert!(!valid_channel("/topic/"));
        assert!(!valid_channel("topic/X"));
    }
}
