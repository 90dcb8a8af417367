//! Where sources are opened: the one place that names every kind of source. A command reads
//! its SOURCE arguments into a [`Spec`], fills a [`Request`] from its flags, and [`open`]s one
//! [`Opened`] value, whatever the kind; it then hands that value what it does with any source
//! ([`Follow`]: `tail` prints, `record` keeps), so `tail` and `record` have one path each. A new
//! kind of source is its folder, a variant of `Spec` and of `Opened`, and their arms here
//! (docs/architecture.md).

use std::future::Future;
use std::time::Duration;

use crate::config::{DatafeedVersion, Settings};
use crate::exit::Fail;
use crate::feed::{Cursor, Shown, Source};
use crate::journal::Marker;
use crate::redis::{Mode, Options as RedisOptions, Start, StreamSource, StreamUrl};
use crate::salesforce::SalesforceSource;
use crate::symphony::source::{DatafeedSource, FeedChoice, FeedOwner, FollowOptions, PARTITION};
use crate::symphony::Client;

/// A source opened from a [`Spec`]: one value, whatever its kind.
// One value per run, moved once into its follow loop: the sizes of the variants do not matter.
#[allow(clippy::large_enum_variant)]
pub enum Opened<'c> {
    Symphony(DatafeedSource<'c>),
    Redis(StreamSource),
    Salesforce(SalesforceSource),
    SalesforcePubSub(crate::salesforce::pubsub::source::PubSubSource),
}

/// What a command does with an opened source, whatever its kind (`tail` prints its events,
/// `record` keeps them).
pub trait Follow {
    type Out;
    fn follow<S: Source>(self, source: S) -> impl Future<Output = Self::Out>
    where
        S::Event: Shown;
}

impl Opened<'_> {
    /// Runs `f` on the source.
    pub async fn follow<F: Follow>(self, f: F) -> F::Out {
        match self {
            Opened::Symphony(s) => f.follow(s).await,
            Opened::Redis(s) => f.follow(s).await,
            Opened::Salesforce(s) => f.follow(s).await,
            Opened::SalesforcePubSub(s) => f.follow(s).await,
        }
    }
}

/// What the command line asked of each kind of source; [`open`] reads the part of its kind.
pub struct Request<'a> {
    pub datafeed: DatafeedRequest<'a>,
    pub redis: RedisRequest<'a>,
    pub redis_tls: &'a crate::cli::RedisTlsArgs,
    pub salesforce: SalesforceRequest<'a>,
}

/// Opens what `spec` names: `client` is the Symphony bot's (for [`Spec::SymphonyBot`] only),
/// `markers` a recording's (empty for `tail`), each source resuming from its own.
pub fn open<'c>(
    spec: &Spec,
    req: &Request,
    client: Option<&'c Client>,
    settings: Option<&Settings>,
    markers: &[Marker],
) -> Result<Opened<'c>, Fail> {
    Ok(match spec {
        Spec::SymphonyBot => {
            let (Some(client), Some(settings)) = (client, settings) else {
                return Err(Fail::usage("the Symphony bot's config was not read"));
            };
            let mut opts = datafeed_options(settings, &req.datafeed);
            if req.datafeed.feed.is_none() {
                let resume = markers
                    .iter()
                    .find(|m| m.partition == PARTITION)
                    .and_then(|m| FeedChoice::from_cursor(&Cursor::from_json(&m.cursor).ok()?));
                if let Some(choice) = resume {
                    opts.choice = choice;
                }
            }
            Opened::Symphony(DatafeedSource::new(client, opts))
        }
        Spec::Redis(urls) => {
            redis_connecting(
                req.redis_tls,
                req.salesforce.connection_timeout,
                req.salesforce.default_timeout,
            )?;
            Opened::Redis(StreamSource::new(redis_options(urls, &req.redis, markers)?))
        }
        Spec::Salesforce(sf) => {
            let mut sreq = req.salesforce.clone();
            sreq.markers = markers
                .iter()
                .map(|m| (m.partition.clone(), m.cursor.clone()))
                .collect();
            Opened::Salesforce(salesforce_source(sf, &sreq, &|k| std::env::var(k).ok())?)
        }
        Spec::SalesforcePubSub(ps) => {
            let mut sreq = req.salesforce.clone();
            sreq.markers = markers
                .iter()
                .map(|m| (m.partition.clone(), m.cursor.clone()))
                .collect();
            Opened::SalesforcePubSub(pubsub_source(ps, &sreq, &|k| std::env::var(k).ok())?)
        }
    })
}

/// What a recording of `spec` is called in the journal: its kind, its source label, a
/// description without secrets, the server's URL and who logs in, where there are such.
pub struct Described {
    pub kind: &'static str,
    pub label: &'static str,
    pub description: String,
    pub server_url: Option<String>,
    pub username: Option<String>,
}

impl Spec {
    /// The recording's names (`settings`: the Symphony bot's config).
    pub fn described(&self, settings: Option<&Settings>, sf_org: Option<&str>) -> Described {
        match self {
            Spec::SymphonyBot => {
                let (kind, label, description) = settings.map(datafeed_description).unwrap_or((
                    "symphony",
                    "datafeed-v2",
                    String::new(),
                ));
                Described {
                    kind,
                    label,
                    description,
                    server_url: settings.map(|s| s.pod.base_url()),
                    username: settings.map(|s| s.username.clone()),
                }
            }
            Spec::Redis(urls) => {
                let (kind, label, description) = redis_description(urls);
                Described {
                    kind,
                    label,
                    description,
                    server_url: None,
                    username: None,
                }
            }
            Spec::Salesforce(sf) => {
                let env = |k: &str| std::env::var(k).ok();
                let who = crate::salesforce::Credentials::resolve(&env, sf_org, sf.plain_http)
                    .ok()
                    .map(|c| c.who());
                Described {
                    kind: "salesforce",
                    label: "salesforce",
                    description: sf.description(),
                    server_url: Some(sf.login_url.clone()),
                    username: who,
                }
            }
            Spec::SalesforcePubSub(ps) => {
                let env = |k: &str| std::env::var(k).ok();
                let who = crate::salesforce::Credentials::resolve(&env, sf_org, true)
                    .ok()
                    .map(|c| c.who());
                Described {
                    kind: "salesforce",
                    label: "salesforce-pubsub",
                    description: ps.description(),
                    server_url: Some(ps.endpoint_url()),
                    username: who,
                }
            }
        }
    }

    /// Where a recording resumes, for the marker of one of this spec's partitions: `datafeed
    /// ID`, ``stream `KEY` at CURSOR``, `CHANNEL from CURSOR`; `None` for another partition.
    pub fn resumes_at(&self, m: &Marker) -> Option<String> {
        match self {
            Spec::SymphonyBot if m.partition == PARTITION => {
                let cursor = Cursor::from_json(&m.cursor).ok()?;
                match FeedChoice::from_cursor(&cursor)? {
                    FeedChoice::Resume { id, .. } => Some(format!("datafeed {id}")),
                    _ => None,
                }
            }
            Spec::Redis(urls) if urls.iter().any(|u| u.key == m.partition) => {
                Some(format!("stream `{}` at {}", m.partition, m.cursor))
            }
            Spec::Salesforce(sf) if sf.channels.contains(&m.partition) => {
                Some(format!("{} from {}", m.partition, m.cursor))
            }
            Spec::SalesforcePubSub(ps) if ps.topics.contains(&m.partition) => {
                Some(format!("{} from {}", m.partition, m.cursor))
            }
            _ => None,
        }
    }
}

/// What the SOURCE arguments of `tail` and `record` name. Each kind of source adds a variant
/// here and an arm in [`parse`]; the commands match on it to open the source.
#[derive(Debug, Clone, PartialEq)]
pub enum Spec {
    /// No SOURCE: the Symphony bot of the config.
    SymphonyBot,
    /// `redis://…/KEY`: one or more stream keys of one Redis server.
    Redis(Vec<StreamUrl>),
    /// `sfdc://` or `sfdc+http://` SOURCEs: channels of one Salesforce org, on one client.
    Salesforce(SalesforceSpec),
    /// `sfpubsub://` or `sfpubsub+http://` SOURCEs: Pub/Sub API topics on one connection.
    SalesforcePubSub(PubSubSpec),
}

/// Pub/Sub API topics to follow, from `sfpubsub://HOST[:PORT]/TOPIC` SOURCEs.
#[derive(Debug, Clone, PartialEq)]
pub struct PubSubSpec {
    /// The host name (for TLS) and port (default 7443).
    pub host: String,
    pub port: u16,
    /// `sfpubsub+http://`: plain-text HTTP/2, loopback only unless forced.
    pub plain: bool,
    pub topics: Vec<String>,
}

impl PubSubSpec {
    /// `https://HOST:PORT` (`http://` for the plain-text form).
    pub fn endpoint_url(&self) -> String {
        let host = if self.host.contains(':') && !self.host.starts_with('[') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!(
            "{}://{host}:{}",
            if self.plain { "http" } else { "https" },
            self.port
        )
    }

    /// The recording's description: endpoint and topics (no credentials in it).
    pub fn description(&self) -> String {
        format!("{} {}", self.endpoint_url(), self.topics.join(" "))
    }
}

/// The Pub/Sub API's endpoint when a SOURCE names no port.
pub const PUBSUB_PORT: u16 = 7443;

/// Reads one `sfpubsub://` SOURCE into (plain text, host, port, topic).
fn parse_sfpubsub(s: &str) -> Result<(bool, String, u16, String), Fail> {
    let (plain, rest) = if let Some(r) = s.strip_prefix("sfpubsub+http://") {
        (true, r)
    } else if let Some(r) = s.strip_prefix("sfpubsub://") {
        (false, r)
    } else {
        return Err(Fail::usage(format!(
            "SOURCE `{}`: one recording follows one kind of source; with sfpubsub:// SOURCEs every SOURCE must be sfpubsub://",
            crate::text::clip(s, 40)
        )));
    };
    let example = "expected sfpubsub://HOST[:PORT]/TOPIC, e.g. sfpubsub://api.pubsub.salesforce.com:7443/event/Order__e";
    let Some((authority, path)) = rest.split_once('/') else {
        return Err(Fail::usage(format!(
            "SOURCE `{}`: no topic; {example}",
            crate::text::clip(s, 80)
        )));
    };
    if authority.contains('@') {
        return Err(Fail::usage(
            "SOURCE sfpubsub://…: credentials do not go into the URL (they would show in process lists); set the SFDC_* variables (docs/salesforce.md)",
        ));
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') || h.starts_with('[') => (
            h,
            p.parse::<u16>().map_err(|_| {
                Fail::usage(format!(
                    "SOURCE `{}`: port `{}` is not a number from 0 to 65535",
                    crate::text::clip(s, 80),
                    crate::text::clip(p, 10)
                ))
            })?,
        ),
        _ => (authority, PUBSUB_PORT),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() || host.contains(['?', '#', ' ', '/']) {
        return Err(Fail::usage(format!(
            "SOURCE `{}`: the host is missing or not a host name; {example}",
            crate::text::clip(s, 80)
        )));
    }
    let topic = format!("/{path}");
    if !(topic.starts_with("/event/") || topic.starts_with("/data/"))
        || topic.len() < 8
        || topic.contains(char::is_whitespace)
    {
        return Err(Fail::usage(format!(
            "SOURCE `{}`: topic `{}` is not a Pub/Sub topic; expected /event/NAME__e, /data/ChangeEvents, /data/NAMEChangeEvent or a custom channel under /event/ or /data/",
            crate::text::clip(s, 80),
            crate::text::clip(&topic, 60)
        )));
    }
    Ok((plain, host.to_string(), port, topic))
}

/// Salesforce channels to follow, from `sfdc://LOGIN_HOST[:port]/CHANNEL` SOURCEs.
#[derive(Debug, Clone, PartialEq)]
pub struct SalesforceSpec {
    /// `https://host[:port]` or `http://host[:port]`.
    pub login_url: String,
    pub host: String,
    /// `sfdc+http://`: plain HTTP.
    pub plain_http: bool,
    pub channels: Vec<String>,
}

impl SalesforceSpec {
    /// Plain HTTP only to a loopback emulator, unless forced: tokens would cross the network
    /// in clear.
    pub fn check_plain_http(&self, forced: bool) -> Result<(), Fail> {
        if !self.plain_http || forced || is_loopback_host(&self.host) {
            return Ok(());
        }
        Err(Fail::usage(format!(
            "SOURCE sfdc+http://{}: plain HTTP sends the password and token in clear, so it is for loopback emulators only; use sfdc://{} (HTTPS), or --allow-plain-http if you really mean it",
            self.host, self.host
        )))
    }

    /// The recording's description: login host and channels (no credentials in it).
    pub fn description(&self) -> String {
        format!("{} {}", self.login_url, self.channels.join(" "))
    }
}

fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Reads one `sfdc://` SOURCE into (scheme is http, host[:port], channel).
fn parse_sfdc(s: &str) -> Result<(bool, String, String), Fail> {
    let (plain, rest) = if let Some(r) = s.strip_prefix("sfdc+http://") {
        (true, r)
    } else if let Some(r) = s.strip_prefix("sfdc://") {
        (false, r)
    } else {
        let scheme = s.split_once("://").map(|(a, _)| a).unwrap_or("");
        return Err(Fail::usage(format!(
            "SOURCE `{}://…`: one recording follows one kind of source; with sfdc:// SOURCEs every SOURCE must be sfdc:// or sfdc+http://",
            crate::text::clip(scheme, 20)
        )));
    };
    let Some((authority, path)) = rest.split_once('/') else {
        return Err(Fail::usage(format!(
            "SOURCE `{}`: no channel; expected sfdc://LOGIN_HOST[:port]/CHANNEL, e.g. sfdc://login.salesforce.com/topic/AccountUpdates",
            crate::text::clip(s, 80)
        )));
    };
    if authority.contains('@') {
        return Err(Fail::usage(
            "SOURCE sfdc://…: credentials do not go into the URL (they would show in process lists); set SFDC_USERNAME, SFDC_PASSWORD, SFDC_CLIENT_ID and SFDC_CLIENT_SECRET",
        ));
    }
    let host = authority
        .rsplit_once(':')
        .map(|(h, _)| h)
        .unwrap_or(authority);
    if host.is_empty() || host.contains(['?', '#', ' ']) {
        return Err(Fail::usage(format!(
            "SOURCE `{}`: the login host is missing or not a host name",
            crate::text::clip(s, 80)
        )));
    }
    if let Some((_, port)) = authority.rsplit_once(':') {
        if port.parse::<u16>().is_err() {
            return Err(Fail::usage(format!(
                "SOURCE `{}`: port `{}` is not a number from 0 to 65535",
                crate::text::clip(s, 80),
                crate::text::clip(port, 10)
            )));
        }
    }
    let channel = format!("/{path}");
    if !crate::salesforce::valid_channel(&channel) {
        return Err(Fail::usage(format!(
            "SOURCE `{}`: channel `{}` is not a streaming channel; expected /topic/NAME, /event/NAME__e, /data/NAME or /u/NAME",
            crate::text::clip(s, 80),
            crate::text::clip(&channel, 60)
        )));
    }
    Ok((plain, authority.to_string(), channel))
}

/// Reads the SOURCE arguments; several SOURCEs must be of one kind (one recording, one
/// partition each).
pub fn parse(sources: &[String]) -> Result<Spec, Fail> {
    match sources.first() {
        None => Ok(Spec::SymphonyBot),
        Some(s) if StreamUrl::is_redis(s) => parse_redis(sources).map(Spec::Redis),
        Some(s) if s.starts_with("sfdc://") || s.starts_with("sfdc+http://") => {
            let (plain_http, host, first) = parse_sfdc(s)?;
            let mut channels = vec![first];
            for other in &sources[1..] {
                let (p, h, ch) = parse_sfdc(other)?;
                if p != plain_http || h != host {
                    return Err(Fail::usage(format!(
                        "SOURCE `{}`: all sfdc:// SOURCEs of one run name the same login host (one client, several channels); this one names another",
                        crate::text::clip(other, 80)
                    )));
                }
                if !channels.contains(&ch) {
                    channels.push(ch);
                }
            }
            let login_url = format!("{}://{host}", if plain_http { "http" } else { "https" });
            Ok(Spec::Salesforce(SalesforceSpec {
                login_url,
                host: host.rsplit_once(':').map(|(h, _)| h.to_string()).unwrap_or(host),
                plain_http,
                channels,
            }))
        }
        Some(s) if s.starts_with("sfpubsub://") || s.starts_with("sfpubsub+http://") => {
            let (plain, host, port, first) = parse_sfpubsub(s)?;
            let mut topics = vec![first];
            for other in &sources[1..] {
                let (p, h, po, topic) = parse_sfpubsub(other)?;
                if p != plain || h != host || po != port {
                    return Err(Fail::usage(format!(
                        "SOURCE `{}`: all sfpubsub:// SOURCEs of one run name the same endpoint (one connection, several topics); this one names another",
                        crate::text::clip(other, 80)
                    )));
                }
                if !topics.contains(&topic) {
                    topics.push(topic);
                }
            }
            Ok(Spec::SalesforcePubSub(PubSubSpec {
                host,
                port,
                plain,
                topics,
            }))
        }
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
    /// `--exit-at-end`: stop at the first empty read.
    pub exit_at_end: bool,
}

/// Follow options for the bot of the config.
pub fn datafeed_options(settings: &Settings, req: &DatafeedRequest) -> FollowOptions {
    let choice = match req.feed {
        Some(id) => FeedChoice::Given(id.to_string()),
        None => FeedChoice::Own {
            keep: req.keep || matches!(req.owner, FeedOwner::Recording(_)),
        },
    };
    let tag = req.owner.tag(req.tag);
    FollowOptions {
        version: settings.datafeed.version,
        id_file: (settings.datafeed.version == DatafeedVersion::V1)
            .then(|| v1_id_file(&settings.datafeed.id_file_path, &tag)),
        choice,
        read_timeout: req.read_timeout,
        retry: settings.datafeed.retry.clone(),
        include_invisible: settings.datafeed.include_invisible,
        tag,
        exit_at_end: req.exit_at_end,
    }
}

/// Where feedctl keeps the id of its own v1 feed: in the `datafeed.idFilePath` directory (a file
/// there names its directory), as `TAG.datafeed.id`, beside the bot's own `datafeed.id` but never
/// that file, so feedctl does not read (and take the events of) the bot's v1 feed.
fn v1_id_file(id_file_path: &std::path::Path, tag: &str) -> std::path::PathBuf {
    let dir = if id_file_path.is_file() {
        id_file_path.parent().unwrap_or(std::path::Path::new("."))
    } else {
        id_file_path
    };
    let name: String = tag
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("{name}.datafeed.id"))
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
    /// `--exit-at-end`: stop at the first read that finds no new entries.
    pub exit_at_end: bool,
    /// `--share-group`: read a group that other consumers read too.
    pub share_group: bool,
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
    let mut marked = Vec::new();
    for u in urls {
        let marker = markers
            .iter()
            .find(|m| m.partition == u.key)
            .and_then(|m| Cursor::from_json(&m.cursor).ok());
        if let Some(c) = &marker {
            marked.push((u.key.clone(), c.clone()));
        }
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
    if req.share_group && group.is_none() {
        return Err(Fail::usage(
            "--share-group lets a group's reading be shared with other consumers: give --group too",
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
    // A marker's `through` speaks for its own group and consumer only: what that consumer
    // had pending up to it is in the journal.
    let recorded = match &mode {
        Mode::Group {
            group, consumer, ..
        } => marked
            .iter()
            .filter(|(key, c)| {
                resumed.contains(key)
                    && c.text("group") == Some(group.as_str())
                    && c.text("consumer") == Some(consumer.as_str())
            })
            .filter_map(|(key, c)| Some((key.clone(), c.text("through")?.to_string())))
            .collect(),
        Mode::Plain => Vec::new(),
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
        exit_at_end: req.exit_at_end,
        share_group: req.share_group,
        recorded,
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
    let sep = urls.first().map(StreamUrl::key_sep).unwrap_or("/");
    ("redis", "redis", format!("{server}{sep}{}", keys.join(",")))
}

/// `--connection-timeout` as given: `None` when not given, `Some(None)` for `none`.
pub fn connection_timeout(given: Option<&str>) -> Result<Option<Option<Duration>>, Fail> {
    Ok(match given.map(str::trim) {
        None => None,
        Some("none") | Some("forever") => Some(None),
        Some(d) => Some(Some(humantime::parse_duration(d).map_err(|e| {
            Fail::usage(format!(
                "--connection-timeout `{}`: {e}; expected a duration like 30s or none",
                crate::text::clip(d, 30)
            ))
        })?)),
    })
}

/// Sets how every Redis connection of this run is made (one place for both clients):
/// the TLS files and `--connection-timeout` (`default` when not given).
pub fn redis_connecting(
    tls: &crate::cli::RedisTlsArgs,
    timeout: Option<&str>,
    default: Option<Duration>,
) -> Result<(), Fail> {
    use crate::redis::conn::{configure, Settings, TlsFiles};
    let connection_timeout = connection_timeout(timeout)?.unwrap_or(default);
    configure(Settings {
        tls: TlsFiles {
            ca: tls.tls_ca.clone(),
            cert: tls.tls_cert.clone(),
            key: tls.tls_key.clone(),
        },
        connection_timeout,
    })
    .map_err(Fail::usage)
}

/// What the user asked of Salesforce channels on the command line.
#[derive(Debug, Clone, Default)]
pub struct SalesforceRequest<'a> {
    pub replay: Option<&'a str>,
    pub fallback: Option<&'a str>,
    /// `--connection-timeout` as given (`none` or a duration).
    pub connection_timeout: Option<&'a str>,
    /// When not given: `None` retries forever (record), tail gives 10 s.
    pub default_timeout: Option<Duration>,
    pub max_pending: usize,
    pub allow_plain_http: bool,
    /// A recording's markers, per channel (cursor JSON).
    pub markers: Vec<(String, String)>,
    /// `--exit-at-end`: stop at the first connect that brings nothing.
    pub exit_at_end: bool,
    /// `--sf-org ALIAS`: log in through the Salesforce CLI.
    pub sf_org: Option<&'a str>,
    /// `--sf-login-url`: where `sfpubsub://` SOURCEs log in.
    pub login_url: Option<&'a str>,
    /// `--pubsub-ca`: the certificates an `sfpubsub://` endpoint's must chain to.
    pub pubsub_ca: Option<&'a std::path::Path>,
}

/// Opens Salesforce channels: credentials from the `SFDC_*` environment, the replay options
/// checked, markers read back. Errors name the flag or the variable.
pub fn salesforce_source(
    spec: &SalesforceSpec,
    req: &SalesforceRequest,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<crate::salesforce::SalesforceSource, Fail> {
    use crate::salesforce::{Credentials, SourceOptions};
    spec.check_plain_http(req.allow_plain_http)?;
    let (replay, fallback) = replay_options(req)?;
    let connection_timeout =
        connection_timeout(req.connection_timeout)?.unwrap_or(req.default_timeout);
    let credentials =
        Credentials::resolve(env, req.sf_org, spec.plain_http).map_err(Fail::usage)?;
    check_sf_org(req)?;
    let generic = ["login.salesforce.com", "test.salesforce.com"];
    if generic.contains(&spec.host.to_ascii_lowercase().as_str())
        && matches!(
            credentials.grants.first(),
            Some(crate::salesforce::Grant::ClientCredentials { .. })
        )
        && credentials.given.is_none()
    {
        return Err(Fail::usage(format!(
            "the client credentials flow (SFDC_CLIENT_ID + SFDC_CLIENT_SECRET, no SFDC_USERNAME) works only on your org's My Domain host: sfdc://MYDOMAIN.my.salesforce.com/CHANNEL, not {}",
            spec.host
        )));
    }
    if let Some(given) = &credentials.given {
        let plain = given.instance_url.starts_with("http://");
        if plain && !spec.plain_http {
            return Err(Fail::usage(
                "SFDC_INSTANCE_URL is plain http:// while the SOURCE is sfdc:// (HTTPS): the token would go in clear",
            ));
        }
    }
    let markers = markers_of(&spec.channels, &req.markers);
    Ok(crate::salesforce::SalesforceSource::new(
        sf_http()?,
        SourceOptions {
            login_url: spec.login_url.clone(),
            channels: spec.channels.clone(),
            credentials,
            replay,
            fallback,
            connection_timeout,
            max_pending: req.max_pending.max(1),
            api_version: crate::salesforce::API_VERSION.to_string(),
            retry: sf_retry(),
            markers,
            exit_at_end: req.exit_at_end,
        },
    ))
}

/// `--sf-org` needs the Salesforce CLI.
fn check_sf_org(req: &SalesforceRequest) -> Result<(), Fail> {
    if req.sf_org.is_some() && !crate::salesforce::auth::on_path("sf") {
        return Err(Fail::usage(
            "--sf-org needs the Salesforce CLI, `sf`, on PATH (npm install --global @salesforce/cli, then `sf org login web --alias ALIAS`), or use another login (docs/salesforce.md)",
        ));
    }
    Ok(())
}

/// A recording's markers of these partitions.
fn markers_of(
    partitions: &[String],
    markers: &[(String, String)],
) -> std::collections::BTreeMap<String, Cursor> {
    let mut out = std::collections::BTreeMap::new();
    for (partition, cursor) in markers {
        if partitions.contains(partition) {
            if let Ok(c) = Cursor::from_json(cursor) {
                out.insert(partition.clone(), c);
            }
        }
    }
    out
}

/// The HTTP client of Salesforce logins and the Bayeux client.
fn sf_http() -> Result<reqwest::Client, Fail> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(15))
        .build()
        .map_err(|e| Fail::usage(format!("cannot set up the HTTP client: {e}")))
}

/// How Salesforce sources retry: forever (bounded by --connection-timeout), 250 ms to 30 s.
fn sf_retry() -> crate::config::Retry {
    crate::config::Retry {
        max_attempts: -1,
        initial_interval: Duration::from_millis(250),
        multiplier: 2.0,
        max_interval: Duration::from_secs(30),
    }
}

/// The default login host of `sfpubsub://` SOURCEs (`--sf-login-url` / `SFDC_LOGIN_URL`).
pub const DEFAULT_LOGIN_URL: &str = "https://login.salesforce.com";

/// Opens Pub/Sub API topics: the Salesforce source's logins (`--sf-login-url` says where the
/// grants log in), `--pubsub-ca`, the replay options, markers read back.
pub fn pubsub_source(
    spec: &PubSubSpec,
    req: &SalesforceRequest,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<crate::salesforce::pubsub::source::PubSubSource, Fail> {
    use crate::salesforce::pubsub::source::{PubSubOptions, PubSubSource};
    use crate::salesforce::Credentials;
    if spec.plain && !req.allow_plain_http && !is_loopback_host(&spec.host) {
        return Err(Fail::usage(format!(
            "SOURCE sfpubsub+http://{}: plain text sends the access token in clear, so it is for loopback emulators only; use sfpubsub://{} (TLS), or --allow-plain-http if you really mean it",
            spec.host, spec.host
        )));
    }
    let login_url = req
        .login_url
        .unwrap_or(DEFAULT_LOGIN_URL)
        .trim_end_matches('/')
        .to_string();
    let login_plain = match login_url.split_once("://") {
        Some(("https", _)) => false,
        Some(("http", rest)) => {
            let host = rest.split('/').next().unwrap_or("");
            let host = host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host);
            if !req.allow_plain_http && !is_loopback_host(host) {
                return Err(Fail::usage(format!(
                    "--sf-login-url {}: plain HTTP sends the password and token in clear, so it is for loopback emulators only; use https://, or --allow-plain-http if you really mean it",
                    crate::text::clip(&login_url, 80)
                )));
            }
            true
        }
        _ => {
            return Err(Fail::usage(format!(
                "--sf-login-url `{}`: expected https://LOGIN_HOST[:PORT], e.g. https://login.salesforce.com or https://MYDOMAIN.my.salesforce.com",
                crate::text::clip(&login_url, 80)
            )))
        }
    };
    let (replay, fallback) = replay_options(req)?;
    let connection_timeout =
        connection_timeout(req.connection_timeout)?.unwrap_or(req.default_timeout);
    let credentials = Credentials::resolve(env, req.sf_org, login_plain).map_err(Fail::usage)?;
    check_sf_org(req)?;
    let login_host = login_url
        .split("://")
        .nth(1)
        .unwrap_or("")
        .split([':', '/'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if ["login.salesforce.com", "test.salesforce.com"].contains(&login_host.as_str())
        && matches!(
            credentials.grants.first(),
            Some(crate::salesforce::Grant::ClientCredentials { .. })
        )
        && credentials.given.is_none()
    {
        return Err(Fail::usage(format!(
            "the client credentials flow (SFDC_CLIENT_ID + SFDC_CLIENT_SECRET, no SFDC_USERNAME) works only on your org's My Domain host: --sf-login-url https://MYDOMAIN.my.salesforce.com, not {login_host}"
        )));
    }
    if let Some(given) = &credentials.given {
        if given.org_id.is_none() {
            return Err(Fail::usage(
                "SFDC_ACCESS_TOKEN does not start with an org id and SFDC_ORG_ID is not set: the Pub/Sub API needs the org id (tenantid); set SFDC_ORG_ID (Setup → Company Information, or `sf org display`)",
            ));
        }
    }
    let ca_pem = match req.pubsub_ca {
        Some(path) => {
            let pem = std::fs::read(path).map_err(|e| {
                Fail::usage(format!(
                    "--pubsub-ca {}: cannot read it: {e}",
                    path.display()
                ))
            })?;
            if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
                return Err(Fail::usage(format!(
                    "--pubsub-ca {}: no PEM certificate in it (-----BEGIN CERTIFICATE-----)",
                    path.display()
                )));
            }
            Some(pem)
        }
        None => None,
    };
    Ok(PubSubSource::new(
        sf_http()?,
        PubSubOptions {
            endpoint: spec.endpoint_url(),
            host: spec.host.clone(),
            ca_pem,
            login_url,
            topics: spec.topics.clone(),
            credentials,
            replay,
            fallback,
            connection_timeout,
            max_pending: req.max_pending.max(1),
            retry: sf_retry(),
            markers: markers_of(&spec.topics, &req.markers),
            exit_at_end: req.exit_at_end,
        },
    ))
}

/// `--replay` and `--replay-fallback`, for either Salesforce API.
fn replay_options(
    req: &SalesforceRequest,
) -> Result<
    (
        crate::salesforce::ReplayStart,
        Option<crate::salesforce::Fallback>,
    ),
    Fail,
> {
    use crate::salesforce::{Fallback, ReplayStart};
    let replay = match req.replay.map(str::trim) {
        None | Some("new") => ReplayStart::New,
        Some("all") => ReplayStart::All,
        Some(other) => match other.parse::<i64>() {
            Ok(-1) => ReplayStart::New,
            Ok(-2) => ReplayStart::All,
            Ok(id) if id > 0 => ReplayStart::After(id),
            _ => {
                return Err(Fail::usage(format!(
                    "--replay `{}`: expected new, all or a replayId (a positive number, from a received event's data.event.replayId)",
                    crate::text::clip(other, 30)
                )))
            }
        },
    };
    let fallback = match req.fallback {
        None => None,
        Some("all") => Some(Fallback::All),
        Some("new") => Some(Fallback::New),
        Some(other) => {
            return Err(Fail::usage(format!(
                "--replay-fallback `{}`: expected all or new",
                crate::text::clip(other, 30)
            )))
        }
    };
    Ok((replay, fallback))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn sfpubsub_sources_name_one_endpoint_and_its_topics() {
        let spec = parse(&args(&[
            "sfpubsub://api.pubsub.salesforce.com/event/Order__e",
            "sfpubsub://api.pubsub.salesforce.com:7443/data/AccountChangeEvent",
        ]))
        .unwrap();
        let Spec::SalesforcePubSub(ps) = spec else {
            panic!("{spec:?}")
        };
        assert_eq!(ps.endpoint_url(), "https://api.pubsub.salesforce.com:7443");
        assert_eq!(ps.topics, ["/event/Order__e", "/data/AccountChangeEvent"]);
        let Spec::SalesforcePubSub(local) =
            parse(&args(&["sfpubsub+http://127.0.0.1:9000/event/X__e"])).unwrap()
        else {
            panic!()
        };
        assert_eq!(local.endpoint_url(), "http://127.0.0.1:9000");
        for bad in [
            "sfpubsub://host/topic/PushTopic",
            "sfpubsub://host",
            "sfpubsub://user:pw@host/event/X__e",
            "sfpubsub://host:99999/event/X__e",
        ] {
            assert!(parse(&args(&[bad])).is_err(), "{bad}");
        }
        assert!(parse(&args(&[
            "sfpubsub://a/event/X__e",
            "sfpubsub://b/event/Y__e"
        ]))
        .is_err());
        assert!(parse(&args(&["sfpubsub://a/event/X__e", "sfdc://a/event/X__e"])).is_err());
        // Plain text only on loopback (unless forced).
        let remote = PubSubSpec {
            host: "example.com".into(),
            port: 80,
            plain: true,
            topics: vec!["/event/X__e".into()],
        };
        let env = |_: &str| None;
        let err = pubsub_source(&remote, &SalesforceRequest::default(), &env)
            .err()
            .unwrap();
        assert!(err.to_string().contains("loopback"), "{err}");
        // The client credentials flow needs a My Domain login host, not the default.
        let tls = PubSubSpec {
            plain: false,
            ..remote
        };
        let creds = |k: &str| match k {
            "SFDC_CLIENT_ID" => Some("id".to_string()),
            "SFDC_CLIENT_SECRET" => Some("secret".to_string()),
            _ => None,
        };
        let err = pubsub_source(&tls, &SalesforceRequest::default(), &creds)
            .err()
            .unwrap();
        assert!(
            err.to_string().contains("--sf-login-url https://MYDOMAIN"),
            "{err}"
        );
        let mydomain = SalesforceRequest {
            login_url: Some("https://acme.my.salesforce.com"),
            ..SalesforceRequest::default()
        };
        assert!(pubsub_source(&tls, &mydomain, &creds).is_ok());
    }
}
