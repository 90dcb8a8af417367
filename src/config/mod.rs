//! Bot configuration: the official kits' `config.yaml` (or JSON), resolved with flags and
//! `FEEDCTL_*` variables on top (DESIGN §2). Every resolved value remembers where it came from so
//! `feedctl config show` can explain it.

mod interpolate;
mod resolve;
mod secret;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub(crate) use resolve::check_pem;
pub use resolve::{load, Overrides};
pub use secret::Secret;

/// A configuration problem: which file, which key, and what was expected.
#[derive(Debug)]
pub struct ConfigError {
    pub file: Option<PathBuf>,
    pub key: Option<String>,
    pub message: String,
}

impl ConfigError {
    pub fn new(file: Option<&Path>, key: Option<&str>, message: impl Into<String>) -> Self {
        ConfigError {
            file: file.map(Path::to_path_buf),
            key: key.map(str::to_string),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("configuration error")?;
        if let Some(file) = &self.file {
            write!(f, " in {}", file.display())?;
        }
        if let Some(key) = &self.key {
            write!(f, " at `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Where a resolved value came from, for `config show`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag(String),
    Env(String),
    File(String),
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(name) => write!(f, "flag {name}"),
            Source::Env(name) => write!(f, "env {name}"),
            Source::File(key) => write!(f, "file: {key}"),
            Source::Default => f.write_str("default"),
        }
    }
}

/// One line of `config show`: a setting, its (redacted) value and its source.
#[derive(Debug, Clone)]
pub struct Origin {
    pub key: String,
    pub value: String,
    pub source: Source,
}

/// One server component (pod, agent, key manager, session auth).
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub scheme: String,
    pub host: String,
    pub port: u16,
    pub context: String,
    pub proxy: Option<Proxy>,
}

impl Endpoint {
    /// `scheme://host:port[/context]`, without a trailing slash.
    pub fn base_url(&self) -> String {
        let context = self.context.trim_matches('/');
        if context.is_empty() {
            format!("{}://{}:{}", self.scheme, self.host, self.port)
        } else {
            format!("{}://{}:{}/{}", self.scheme, self.host, self.port, context)
        }
    }
}

#[derive(Debug, Clone)]
pub struct Proxy {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<Secret>,
}

/// How the bot proves who it is.
#[derive(Debug, Clone)]
pub enum Credential {
    /// An RSA private key (PKCS#1 or PKCS#8 PEM); `origin` says where it was read from.
    RsaKey { pem: Secret, origin: String },
    /// A client certificate with its key, for mTLS (one PEM file: certificate and unencrypted key).
    Certificate {
        path: PathBuf,
        password: Option<Secret>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatafeedVersion {
    V1,
    V2,
}

impl fmt::Display for DatafeedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DatafeedVersion::V1 => "v1",
            DatafeedVersion::V2 => "v2",
        })
    }
}

/// The kits' retry settings (notes §6.3); a negative `max_attempts` means "forever".
#[derive(Debug, Clone, PartialEq)]
pub struct Retry {
    pub max_attempts: i64,
    pub initial_interval: Duration,
    pub multiplier: f64,
    pub max_interval: Duration,
}

impl Retry {
    /// Global `retry` defaults of the kits.
    pub fn global_default() -> Self {
        Retry {
            max_attempts: 10,
            initial_interval: Duration::from_millis(500),
            multiplier: 2.0,
            max_interval: Duration::from_millis(300_000),
        }
    }
    /// `datafeed.retry` defaults: infinite attempts, the rest as the global ones.
    pub fn datafeed_default() -> Self {
        Retry {
            max_attempts: -1,
            ..Self::global_default()
        }
    }
}

#[derive(Debug, Clone)]
pub struct Datafeed {
    pub version: DatafeedVersion,
    pub id_file_path: PathBuf,
    pub retry: Retry,
    pub tag: Option<String>,
    pub include_invisible: bool,
}

/// Everything resolved: what the rest of feedctl works from.
#[derive(Debug, Clone)]
pub struct Settings {
    pub file: Option<PathBuf>,
    pub pod: Endpoint,
    pub agent: Endpoint,
    pub key_manager: Endpoint,
    pub session_auth: Endpoint,
    pub username: String,
    pub credential: Credential,
    pub trust_store: Option<PathBuf>,
    pub insecure: bool,
    pub default_headers: Vec<(String, String)>,
    pub retry: Retry,
    pub datafeed: Datafeed,
    pub origins: Vec<Origin>,
}

impl Settings {
    /// Settings for a bot talking to one local server (the demo and tests), with kit defaults.
    pub fn local(
        scheme: &str,
        host: &str,
        port: u16,
        username: &str,
        credential: Credential,
    ) -> Self {
        let ep = Endpoint {
            scheme: scheme.into(),
            host: host.into(),
            port,
            context: String::new(),
            proxy: None,
        };
        Settings {
            file: None,
            pod: ep.clone(),
            agent: ep.clone(),
            key_manager: ep.clone(),
            session_auth: ep,
            username: username.into(),
            credential,
            trust_store: None,
            insecure: false,
            default_headers: Vec::new(),
            retry: Retry::global_default(),
            datafeed: Datafeed {
                version: DatafeedVersion::V2,
                id_file_path: PathBuf::from("./"),
                retry: Retry::datafeed_default(),
                tag: None,
                include_invisible: false,
            },
            origins: Vec::new(),
        }
    }
}
