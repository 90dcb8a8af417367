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
}

/// Reads the SOURCE arguments; several SOURCEs must be of one kind (one recording, one
/// partition each).
pub fn parse(sources: &[String]) -> Result<Spec, Fail> {
    match sources.first() {
        None => Ok(Spec::SymphonyBot),
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
