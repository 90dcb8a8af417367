//! The Datafeed API exactly as the agent spec has it: v2 (`/agent/v5/datafeeds`) list, create,
//! delete, read; v1 (`/agent/v4/datafeed`) create and read. Also the pod's sessioninfo.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::client::{session_rejected, unexpected, Client, On401};
use super::event::{skip_ws, value_at};
use super::http::{Component, DEFAULT_TIMEOUT};
use super::{ApiError, Event};

/// `V5Datafeed`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct V5Datafeed {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub feed_type: Option<String>,
}

/// One read: the events as received and the cursor to send next.
#[derive(Debug)]
pub struct ReadResult {
    pub events: Vec<Event>,
    /// v2 only: the ackId that acknowledges this batch on the next read.
    pub ack_id: Option<String>,
    /// The response body exactly as received (empty for a v1 204).
    pub body: Vec<u8>,
}

/// The fanout id pattern both kits filter with: `^[^\s_]+_f(_[^\s_]+)?$`.
pub fn is_fanout_id(id: &str) -> bool {
    let Some(pos) = id.find("_f") else {
        return false;
    };
    let (head, tail) = (&id[..pos], &id[pos + 2..]);
    let clean = |s: &str| !s.is_empty() && !s.contains('_') && !s.chars().any(char::is_whitespace);
    clean(head) && (tail.is_empty() || tail.strip_prefix('_').is_some_and(clean))
}

/// How long a read may take: the ~30 s long poll plus a margin, after which it is abandoned.
pub const READ_TIMEOUT: Duration = Duration::from_secs(45);

/// The events borrowed from the body: each becomes a range of it, not a copy.
#[derive(Deserialize)]
struct EventList<'a> {
    #[serde(default, borrow)]
    events: Option<Vec<&'a RawValue>>,
    #[serde(rename = "ackId")]
    ack_id: Option<String>,
}

/// A read's body as the text its events are ranges of (one copy of the body for all of them).
fn body_text(call: &str, body: &[u8], what: &str) -> Result<Arc<str>, ApiError> {
    std::str::from_utf8(body)
        .map(Arc::from)
        .map_err(|e| ApiError::Malformed {
            call: call.to_string(),
            detail: format!("expected {what}: the body is not UTF-8 ({e})"),
        })
}

/// A V5EventList's events and ackId, each event read once where it lies ([`Event::list_at`]).
/// `None` when the body is not plainly one (a key twice, a value of another type, bytes after
/// it...): [`EventList`]'s parse then gives the answer, its errors included.
fn one_pass_v5(body: &Arc<str>) -> Option<(Vec<Event>, Option<String>)> {
    let text: &str = body;
    let byte = |i: usize| text.as_bytes().get(i).copied();
    let mut pos = skip_ws(text, 0);
    if byte(pos) != Some(b'{') {
        return None;
    }
    let (mut events, mut ack_id) = (None, None);
    pos = skip_ws(text, pos + 1);
    if byte(pos) == Some(b'}') {
        pos += 1;
    } else {
        loop {
            let (key, end) = value_at::<std::borrow::Cow<str>>(text, pos)?;
            pos = skip_ws(text, end);
            if byte(pos) != Some(b':') {
                return None;
            }
            pos = skip_ws(text, pos + 1);
            let end = match &*key {
                "events" if events.is_none() => match text[pos..].starts_with("null") {
                    true => {
                        events = Some(Vec::new());
                        pos + 4
                    }
                    false => {
                        let (list, end) = Event::list_at(body, pos)?;
                        events = Some(list);
                        end
                    }
                },
                "ackId" if ack_id.is_none() => {
                    let (id, end) = value_at::<Option<String>>(text, pos)?;
                    ack_id = Some(id);
                    end
                }
                "events" | "ackId" => return None,
                _ => value_at::<serde::de::IgnoredAny>(text, pos)?.1,
            };
            pos = skip_ws(text, end);
            match byte(pos) {
                Some(b',') => pos = skip_ws(text, pos + 1),
                Some(b'}') => {
                    pos += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (skip_ws(text, pos) == text.len()).then(|| (events.unwrap_or_default(), ack_id.flatten()))
}

/// A V4EventList (v1) read in one pass, as [`one_pass_v5`].
fn one_pass_v4(body: &Arc<str>) -> Option<Vec<Event>> {
    let (events, end) = Event::list_at(body, skip_ws(body, 0))?;
    (skip_ws(body, end) == body.len()).then_some(events)
}

fn parse_events(call: &str, body: &Arc<str>, raws: Vec<&RawValue>) -> Result<Vec<Event>, ApiError> {
    raws.into_iter()
        .map(|raw| {
            Event::in_body(body, raw.get()).map_err(|e| ApiError::Malformed {
                call: call.to_string(),
                detail: format!("an event is not a V4Event object: {e}"),
            })
        })
        .collect()
}

fn json<'a, T: Deserialize<'a>>(call: &str, body: &'a [u8], what: &str) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::Malformed {
        call: call.to_string(),
        detail: format!("expected {what}: {e}"),
    })
}

impl Client {
    /// `GET /agent/v5/datafeeds[?tag=]`.
    pub async fn list_datafeeds(&self, tag: Option<&str>) -> Result<Vec<V5Datafeed>, ApiError> {
        let call = "/agent/v5/datafeeds";
        let resp = self
            .call(
                Component::Agent,
                Method::GET,
                call,
                DEFAULT_TIMEOUT,
                |r| match tag {
                    Some(t) => r.query(&[("tag", t)]),
                    None => r,
                },
            )
            .await?;
        if resp.status.as_u16() != 200 {
            return Err(unexpected(call, &resp));
        }
        json(call, &resp.body, "a list of V5Datafeed")
    }

    /// `POST /agent/v5/datafeeds` with `{tag?, includeInvisible?}`; the spec answers 201.
    pub async fn create_datafeed(
        &self,
        tag: Option<&str>,
        include_invisible: bool,
    ) -> Result<V5Datafeed, ApiError> {
        let call = "/agent/v5/datafeeds";
        let mut body = serde_json::Map::new();
        if let Some(t) = tag {
            body.insert("tag".into(), t.into());
        }
        if include_invisible {
            body.insert("includeInvisible".into(), true.into());
        }
        let resp = self
            .call(Component::Agent, Method::POST, call, DEFAULT_TIMEOUT, |r| {
                r.json(&body)
            })
            .await?;
        if !resp.status.is_success() {
            return Err(unexpected(call, &resp));
        }
        json(call, &resp.body, "a V5Datafeed")
    }

    /// `DELETE /agent/v5/datafeeds/{id}`; 204 on success.
    pub async fn delete_datafeed(&self, id: &str) -> Result<(), ApiError> {
        let path = format!("/agent/v5/datafeeds/{}", encode(id));
        let resp = self
            .call(
                Component::Agent,
                Method::DELETE,
                &path,
                DEFAULT_TIMEOUT,
                |r| r,
            )
            .await?;
        if !resp.status.is_success() {
            return Err(unexpected("/agent/v5/datafeeds/{id}", &resp));
        }
        Ok(())
    }

    /// `POST /agent/v5/datafeeds/{id}/read` with `{"ackId": ...}` (empty for the first read).
    pub async fn read_datafeed(
        &self,
        id: &str,
        ack_id: &str,
        timeout: Duration,
    ) -> Result<ReadResult, ApiError> {
        self.read_datafeed_with(On401::Repeat, id, ack_id, timeout)
            .await
    }

    /// A v2 read; with [`On401::Refresh`] a rejected session is renewed and the 401 returned
    /// (an `ApiError::Status`), for a loop that repeats the read after its retry wait.
    pub async fn read_datafeed_with(
        &self,
        on_401: On401,
        id: &str,
        ack_id: &str,
        timeout: Duration,
    ) -> Result<ReadResult, ApiError> {
        let call = "/agent/v5/datafeeds/{id}/read";
        let path = format!("/agent/v5/datafeeds/{}/read", encode(id));
        let body = serde_json::json!({ "ackId": ack_id, "updatePresence": true });
        let resp = self
            .call_with(
                on_401,
                Component::Agent,
                Method::POST,
                &path,
                timeout,
                |r| r.json(&body),
            )
            .await?;
        if resp.status.as_u16() == 401 && on_401 == On401::Refresh {
            return Err(session_rejected(call, &resp));
        }
        if resp.status.as_u16() != 200 {
            return Err(unexpected(call, &resp));
        }
        let text = body_text(call, &resp.body, "a V5EventList")?;
        let (events, ack_id) = match one_pass_v5(&text) {
            Some(read) => read,
            None => {
                let list: EventList = json(call, text.as_bytes(), "a V5EventList")?;
                let raws = list.events.unwrap_or_default();
                (parse_events(call, &text, raws)?, list.ack_id)
            }
        };
        let ack_id = ack_id.ok_or_else(|| ApiError::Malformed {
            call: call.into(),
            detail: "the V5EventList has no ackId".into(),
        })?;
        Ok(ReadResult {
            events,
            ack_id: Some(ack_id),
            body: resp.body,
        })
    }

    /// `POST /agent/v4/datafeed/create`, no body; answers 200 `{"id": ...}`.
    pub async fn create_datafeed_v1(&self) -> Result<String, ApiError> {
        let call = "/agent/v4/datafeed/create";
        let resp = self
            .call(Component::Agent, Method::POST, call, DEFAULT_TIMEOUT, |r| r)
            .await?;
        if !resp.status.is_success() {
            return Err(unexpected(call, &resp));
        }
        #[derive(Deserialize)]
        struct Id {
            id: String,
        }
        Ok(json::<Id>(call, &resp.body, "a Datafeed object with an id")?.id)
    }

    /// `GET /agent/v4/datafeed/{id}/read`: a list of events, or 204 when the poll timed out.
    pub async fn read_datafeed_v1(
        &self,
        id: &str,
        timeout: Duration,
    ) -> Result<ReadResult, ApiError> {
        self.read_datafeed_v1_with(On401::Repeat, id, timeout).await
    }

    /// A v1 read; `on_401` as for [`Client::read_datafeed_with`].
    pub async fn read_datafeed_v1_with(
        &self,
        on_401: On401,
        id: &str,
        timeout: Duration,
    ) -> Result<ReadResult, ApiError> {
        let call = "/agent/v4/datafeed/{id}/read";
        let path = format!("/agent/v4/datafeed/{}/read", encode(id));
        let resp = self
            .call_with(on_401, Component::Agent, Method::GET, &path, timeout, |r| r)
            .await?;
        match resp.status.as_u16() {
            401 if on_401 == On401::Refresh => Err(session_rejected(call, &resp)),
            204 => Ok(ReadResult {
                events: Vec::new(),
                ack_id: None,
                body: Vec::new(),
            }),
            200 => {
                let text = body_text(call, &resp.body, "a V4EventList")?;
                let events = match one_pass_v4(&text) {
                    Some(events) => events,
                    None => {
                        let raws: Vec<&RawValue> = json(call, text.as_bytes(), "a V4EventList")?;
                        parse_events(call, &text, raws)?
                    }
                };
                Ok(ReadResult {
                    events,
                    ack_id: None,
                    body: resp.body,
                })
            }
            _ => Err(unexpected(call, &resp)),
        }
    }

    /// `GET /pod/v2/sessioninfo`: who the bot is (`UserV2`), kept as received.
    pub async fn session_info(&self) -> Result<serde_json::Value, ApiError> {
        let call = "/pod/v2/sessioninfo";
        let resp = self
            .call(Component::Pod, Method::GET, call, DEFAULT_TIMEOUT, |r| r)
            .await?;
        if resp.status.as_u16() != 200 {
            return Err(unexpected(call, &resp));
        }
        json(call, &resp.body, "a UserV2 object")
    }

    /// `GET /agent/v1/info`.
    pub async fn agent_info(&self) -> Result<serde_json::Value, ApiError> {
        let call = "/agent/v1/info";
        let resp = self
            .call(Component::Agent, Method::GET, call, DEFAULT_TIMEOUT, |r| r)
            .await?;
        if resp.status.as_u16() != 200 {
            return Err(unexpected(call, &resp));
        }
        json(call, &resp.body, "an AgentInfo object")
    }
}

/// Percent-encodes a path segment (ids are base64-like and may contain `/` or `+`).
fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a read made of a body: per event its text and indexed fields, and the ackId; or
    /// that it was refused.
    type Read = Result<(Vec<String>, Option<String>), ()>;

    fn seen(events: Vec<Event>, ack: Option<String>) -> (Vec<String>, Option<String>) {
        let events = events
            .iter()
            .map(|e| {
                format!(
                    "{} | {:?} {} {:?} {:?} {:?} {:?} {:?}",
                    e.raw(),
                    e.id(),
                    e.event_type(),
                    e.timestamp(),
                    e.stream_id(),
                    e.initiator_id(),
                    e.initiator_username(),
                    e.message_id()
                )
            })
            .collect();
        (events, ack)
    }

    /// The parse as it was before the one-pass reader: the list, then each event.
    fn two_pass(body: &Arc<str>, v2: bool) -> Read {
        let (raws, ack) = match v2 {
            true => {
                let list: EventList = json("c", body.as_bytes(), "x").map_err(|_| ())?;
                (list.events.unwrap_or_default(), list.ack_id)
            }
            false => (json("c", body.as_bytes(), "x").map_err(|_| ())?, None),
        };
        let events = parse_events("c", body, raws).map_err(|_| ())?;
        Ok(seen(events, ack))
    }

    #[test]
    fn the_one_pass_read_gives_what_the_two_pass_read_gives_or_leaves_the_body_to_it() {
        let ev = |id: &str| {
            format!(
                r#"{{"id":"{id}","messageId":"m{id}","timestamp":17,"type":"MESSAGESENT","initiator":{{"user":{{"userId":7,"username":"bot"}}}},"payload":{{"messageSent":{{"message":{{"messageId":"m","stream":{{"streamId":"s{id}"}}}}}}}},"extra":[1,{{"a":null}}]}}"#
            )
        };
        let (a, b) = (ev("a"), ev(r"b\u00e9\n"));
        let v2_bodies = [
            format!(r#"{{"events":[{a},{b}],"ackId":"k1"}}"#),
            format!(" {{ \"ackId\" : \"k1\" ,\n\"events\" :\t[ {a} ,\r\n {b} ] }} "),
            r#"{"events":[],"ackId":"k"}"#.to_string(),
            format!(r#"{{"events":[{a}],"ackId":"k","other":{{"x":[1,2,"]"]}},"n":-1.5e3}}"#),
            r#"{"events":null,"ackId":"k"}"#.to_string(),
            r#"{"ackId":"k"}"#.to_string(),
            format!(r#"{{"events":[{a}]}}"#),
            format!(r#"{{"events":[{a}],"ackId":null}}"#),
            format!(r#"{{"ev\u0065nts":[{a}],"ackId":"k"}}"#),
            format!(r#"{{"events":[{a}],"events":[{b}],"ackId":"k"}}"#),
            format!(r#"{{"events":[{a}],"ackId":"k","ackId":"j"}}"#),
            format!(r#"{{"events":[{a}],"ackId":7}}"#),
            format!(r#"{{"events":[{a},[1]],"ackId":"k"}}"#),
            format!(r#"{{"events":[{a},"x"],"ackId":"k"}}"#),
            format!(r#"{{"events":[{a},],"ackId":"k"}}"#),
            format!(r#"{{"events":[{a}],"ackId":"k"}} x"#),
            format!(r#"{{"events":[{a}],"ackId":"k"}}{{}}"#),
            format!(r#"{{"events":[{a}],"ackId":"k""#),
            r#"{"events":{"a":1},"ackId":"k"}"#.to_string(),
            r#"{"events":nul,"ackId":"k"}"#.to_string(),
            r#"{"events":[{"id":"x","timestamp":"soon","initiator":{"user":7},"payload":{"messageSent":[1]}}],"ackId":"k"}"#.to_string(),
            r#"{"events":[{"id":"\ud800"}],"ackId":"k"}"#.to_string(),
            r#"{"events":[{"id":1,"type":null}],"ackId":"k"}"#.to_string(),
            r#"{"events":[{"id":"a"} {"id":"b"}],"ackId":"k"}"#.to_string(),
            "{}".to_string(),
            "[]".to_string(),
            String::new(),
        ];
        for body in &v2_bodies {
            let body: Arc<str> = body.as_str().into();
            if let Some((events, ack)) = one_pass_v5(&body) {
                assert_eq!(Ok(seen(events, ack)), two_pass(&body, true), "{body}");
            }
        }
        // The shapes a pod sends are read in one pass.
        for body in &v2_bodies[..4] {
            assert!(one_pass_v5(&body.as_str().into()).is_some(), "{body}");
        }
        let v1_bodies = [
            format!("[{a},{b}]"),
            format!(" [ {a} ] \n"),
            "[]".to_string(),
            format!("[{a}] x"),
            format!("[{a},1]"),
            format!("{{\"events\":[{a}]}}"),
        ];
        for body in &v1_bodies {
            let body: Arc<str> = body.as_str().into();
            if let Some(events) = one_pass_v4(&body) {
                assert_eq!(Ok(seen(events, None)), two_pass(&body, false), "{body}");
            }
        }
        for body in &v1_bodies[..3] {
            assert!(one_pass_v4(&body.as_str().into()).is_some(), "{body}");
        }
    }

    #[test]
    fn fanout_regex() {
        assert!(is_fanout_id("371f465fb97b5d1027d20a5e7085863a_f"));
        assert!(is_fanout_id("e766c498_f_f8001"));
        assert!(!is_fanout_id("abc_p_123"));
        assert!(!is_fanout_id("a b_f"));
        assert!(!is_fanout_id("_f"));
    }
}
