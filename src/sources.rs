//! Where sources are opened: the one place that names every kind of source. A command says what
//! to follow (today the Symphony bot of the config; Redis streams and Salesforce channels plug in
//! here as more arms) and gets something the follow loop (`feed::follow`) can run.

use std::time::Duration;

use crate::config::{DatafeedVersion, Settings};
use crate::exit::Fail;
use crate::feed::Cursor;
use crate::journal::Marker;
use crate::redis::{Mode, Options as RedisOptions, Start, StreamUrl};
use crate::symphony::source::{FeedChoice, FeedOwner, FollowOptions};

/// What the SOURCE arguments of `tail` and `record` name. Each kind of source adds a variant
/// here and an arm in [`parse`]; the commands match on it to open the source.
#[derive(Debug, Clone, PartialEq)]
pub enum Spec {
    /// No SOURCE: the Symphony bot of the config.
    SymphonyBot,
    /// `redis://…/KEY`: one or more stream keys of one Redis server.
    Redis(Vec<StreamUrl>),
}

/// Reads the SOURCE arguments; several SOURCEs must be of one kind (one recording, one
/// partition each).
pub fn parse(sources: &[String]) -> Result<Spec, Fail> {
    match sources.first() {
        None => Ok(Spec::SymphonyBot),
        Some(s) if StreamUrl::is_redis(s) => parse_redis(sources).map(Spec::Redis),
        // Only the scheme is echoed: the rest of a URL may carry a password.
        Some(s) => Err(Fail::usage(format!(
            "SOURCE `{}`: not a kind of source feedctl can read; give none to follow the Symphony bot of the config",
            match s.split_once("://") {
                Some((scheme, _)) => format!("{}://…", crate::text::clip(scheme, 20)),
                None => crate::text::clip(s, 40),
            }
        ))),
    }
}

/// What the user asked of a Symphony datafeed on the command line.
#[derive(Debug, Clone)]
pub struct DatafeedRequest<'a> {
    /// `--feed ID`: read this feed, shared knowingly with its other readers.
    pub feed: Option<&'a str>,
    /// `--tag`, for feedctl's own feed.
    pub tag: Option<&'a str>,
    pub read_timeout: Duration,
    pub owner: FeedOwner<'a>,
    /// Keep feedctl's own feed at the end (always for a recording: it resumes from it).
    pub keep: bool,
}

/// Follow options for the bot of the config.
pub fn datafeed_options(settings: &Settings, req: &DatafeedRequest) -> FollowOptions {
    let choice = match req.feed {
        Some(id) => FeedChoice::Given(id.to_string()),
        None => FeedChoice::Own {
            keep: req.keep || matches!(req.owner, FeedOwner::Recording(_)),
        },
    };
    FollowOptions {
        version: settings.datafeed.version,
        choice,
        read_timeout: req.read_timeout,
        retry: settings.datafeed.retry.clone(),
        include_invisible: settings.datafeed.include_invisible,
        tag: req.owner.tag(req.tag),
    }
}

/// The journal's names for a Symphony recording: its kind, its legacy source label, and a
/// description without secrets (the pod's URL carries none: credentials live in the config).
pub fn datafeed_description(settings: &Settings) -> (&'static str, &'static str, String) {
    let label = match settings.datafeed.version {
        DatafeedVersion::V2 => "datafeed-v2",
        DatafeedVersion::V1 => "datafeed-v1",
    };
    (
        "symphony",
        label,
        format!("{} as {}", settings.pod.base_url(), settings.username),
    )
}

/// The Redis URLs of the SOURCE arguments: one server, distinct keys. `REDISCLI_AUTH` gives
/// the password when a URL has none.
pub fn parse_redis(sources: &[String]) -> Result<Vec<StreamUrl>, Fail> {
    let env = std::env::var("REDISCLI_AUTH").ok();
    let mut urls: Vec<StreamUrl> = Vec::new();
    for (i, s) in sources.iter().enumerate() {
        if !StreamUrl::is_redis(s) {
            return Err(Fail::usage(format!(
                "SOURCE {}: all SOURCEs of one command must be of one kind (the first is a Redis stream)",
                i + 1
            )));
        }
        let u = StreamUrl::parse(s, env.as_deref())
            .map_err(|e| Fail::usage(format!("SOURCE {}: bad Redis URL: {e}", i + 1)))?;
        if let Some(first) = urls.first() {
            if first.server() != u.server() {
                return Err(Fail::usage(format!(
                    "SOURCE {}: `{u}` is on another server than `{first}`; the streams of one command share one server",
                    i + 1
                )));
            }
        }
        if urls.iter().any(|o| o.key == u.key) {
            return Err(Fail::usage(format!(
                "SOURCE {}: stream `{}` is named twice",
                i + 1,
                u.key
            )));
        }
        urls.push(u);
    }
    Ok(urls)
}

/// `--from`: beginning, end, an entry id, or @ an RFC 3339 time.
pub fn parse_from(s: &str) -> Result<Start, Fail> {
    let t = s.trim();
    match t {
        "beginning" | "0" | "-" => return Ok(Start::Beginning),
        "end" | "$" => return Ok(Start::End),
        _ => {}
    }
    if let Some(time) = t.strip_prefix('@') {
        let at = humantime::parse_rfc3339_weak(time.trim()).map_err(|e| {
            Fail::usage(format!(
                "--from `{s}`: not an RFC 3339 time ({e}); e.g. @2026-11-22T14:30:00Z"
            ))
        })?;
        let ms = at
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        return Ok(Start::Time(ms));
    }
    if crate::redis::source::parse_id(t).is_some() {
        let id = if t.contains('-') {
            t.to_string()
        } else {
            format!("{t}-0")
        };
        return Ok(Start::After(id));
    }
    Err(Fail::usage(format!(
        "--from `{}`: expected beginning, end, an entry id like 1700000000000-0, or @TIME",
        crate::text::clip(s, 40)
    )))
}

/// What the user asked of Redis streams on the command line.
#[derive(Debug, Clone)]
pub struct RedisRequest<'a> {
    pub from: Option<&'a str>,
    pub group: Option<&'a str>,
    pub consumer: Option<&'a str>,
    pub claim_idle: Option<Duration>,
    pub batch: usize,
    /// Where a key without a marker starts when `--from` is not given.
    pub default_from: Start,
    /// The consumer name when none is given or resumed.
    pub default_consumer: String,
}

/// A stable consumer name for this machine: `feedctl-HOST[-SUFFIX]`, so a restarted tail or
/// record finds its own pending entries again.
pub fn default_consumer(suffix: Option<&str>) -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most buf.len() bytes into a buffer we own.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    let host = if rc == 0 {
        let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
        String::from_utf8_lossy(&buf[..end]).into_owned()
    } else {
        "localhost".to_string()
    };
    match suffix {
        Some(s) => format!("feedctl-{host}-{s}"),
        None => format!("feedctl-{host}"),
    }
}

/// Options of a stream source, resuming each key from its marker when there is one (a marker's
/// group and consumer are reused when the flags name none).
pub fn redis_options(
    urls: &[StreamUrl],
    req: &RedisRequest,
    markers: &[Marker],
) -> Result<RedisOptions, Fail> {
    let from = req.from.map(parse_from).transpose()?;
    let mut keys = Vec::new();
    let mut resumed = Vec::new();
    let (mut group, mut consumer) = (
        req.group.map(str::to_string),
        req.consumer.map(str::to_string),
    );
    for u in urls {
        let marker = markers
            .iter()
            .find(|m| m.partition == u.key)
            .and_then(|m| Cursor::from_json(&m.cursor).ok());
        let start = match &marker {
            Some(c) if from.is_none() => match c.text("id") {
                Some(id) => {
                    resumed.push(u.key.clone());
                    if group.is_none() {
                        group = c.text("group").map(str::to_string);
                        if consumer.is_none() {
                            consumer = c.text("consumer").map(str::to_string);
                        }
                    }
                    Start::After(id.to_string())
                }
                None => req.default_from.clone(),
            },
            _ => from.clone().unwrap_or_else(|| req.default_from.clone()),
        };
        keys.push((u.key.clone(), start));
    }
    if req.consumer.is_some() && group.is_none() {
        return Err(Fail::usage(
            "--consumer names a consumer of a group: give --group too",
        ));
    }
    if req.claim_idle.is_some() && group.is_none() {
        return Err(Fail::usage(
            "--claim-idle takes over entries within a group: give --group too",
        ));
    }
    let group_start = match &from {
        None | Some(Start::Beginning) => "0".to_string(),
        Some(Start::End) => "$".to_string(),
        Some(Start::After(id)) => id.clone(),
        Some(Start::Time(ms)) => format!("{}-0", ms.max(&0)),
    };
    let mode = match group {
        Some(g) => Mode::Group {
            group: g,
            consumer: consumer.unwrap_or_else(|| req.default_consumer.clone()),
            claim_idle: req.claim_idle,
        },
        None => Mode::Plain,
    };
    let server = urls
        .first()
        .map(StreamUrl::server)
        .ok_or_else(|| Fail::usage("no Redis stream given"))?;
    Ok(RedisOptions {
        server,
        keys,
        resumed,
        mode,
        group_start,
        block: Duration::from_secs(2),
        batch: req.batch.max(1),
        retry: crate::config::Retry::datafeed_default(),
    })
}

/// The journal's names for a Redis recording: kind, source label, description without the
/// password (`redis://host:port/k1,k2`).
pub fn redis_description(urls: &[StreamUrl]) -> (&'static str, &'static str, String) {
    let server = urls
        .first()
        .map(|u| u.server().to_string())
        .unwrap_or_default();
    let keys: Vec<&str> = urls.iter().map(|u| u.key.as_str()).collect();
    ("redis", "redis", format!("{server}/{}", keys.join(",")))
}
