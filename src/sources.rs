//! Where sources are opened: the one place that names every kind of source. A command says what
//! to follow (today the Symphony bot of the config; Redis streams and Salesforce channels plug in
//! here as more arms) and gets something the follow loop (`feed::follow`) can run.

use std::time::Duration;

use crate::config::{DatafeedVersion, Settings};
use crate::exit::Fail;
use crate::symphony::source::{FeedChoice, FeedOwner, FollowOptions};

/// What the SOURCE arguments of `tail` and `record` name. Each kind of source adds a variant
/// here and an arm in [`parse`]; the commands match on it to open the source.
#[derive(Debug, Clone, PartialEq)]
pub enum Spec {
    /// No SOURCE: the Symphony bot of the config.
    SymphonyBot,
    /// `sfdc://` or `sfdc+http://` SOURCEs: channels of one Salesforce org, on one client.
    Salesforce(SalesforceSpec),
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
}

/// Opens Salesforce channels: credentials from the `SFDC_*` environment, the replay options
/// checked, markers read back. Errors name the flag or the variable.
pub fn salesforce_source(
    spec: &SalesforceSpec,
    req: &SalesforceRequest,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<crate::salesforce::SalesforceSource, Fail> {
    use crate::salesforce::{Credentials, Fallback, ReplayStart, SourceOptions};
    spec.check_plain_http(req.allow_plain_http)?;
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
    let connection_timeout = match req.connection_timeout.map(str::trim) {
        None => req.default_timeout,
        Some("none") | Some("forever") => None,
        Some(d) => Some(humantime::parse_duration(d).map_err(|e| {
            Fail::usage(format!(
                "--connection-timeout `{}`: {e}; expected a duration like 30s or none",
                crate::text::clip(d, 30)
            ))
        })?),
    };
    let credentials = Credentials::from_env(env).map_err(Fail::usage)?;
    if let Credentials::Token { instance_url, .. } = &credentials {
        let plain = instance_url.starts_with("http://");
        if plain && !spec.plain_http {
            return Err(Fail::usage(
                "SFDC_INSTANCE_URL is plain http:// while the SOURCE is sfdc:// (HTTPS): the token would go in clear",
            ));
        }
    }
    let mut markers = std::collections::BTreeMap::new();
    for (partition, cursor) in &req.markers {
        if spec.channels.contains(partition) {
            if let Ok(c) = crate::feed::Cursor::from_json(cursor) {
                markers.insert(partition.clone(), c);
            }
        }
    }
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(15))
        .build()
        .map_err(|e| Fail::usage(format!("cannot set up the HTTP client: {e}")))?;
    Ok(crate::salesforce::SalesforceSource::new(
        http,
        SourceOptions {
            login_url: spec.login_url.clone(),
            channels: spec.channels.clone(),
            credentials,
            replay,
            fallback,
            connection_timeout,
            max_pending: req.max_pending.max(1),
            api_version: crate::salesforce::API_VERSION.to_string(),
            retry: crate::config::Retry {
                max_attempts: -1,
                initial_interval: Duration::from_millis(250),
                multiplier: 2.0,
                max_interval: Duration::from_secs(30),
            },
            markers,
        },
    ))
}
