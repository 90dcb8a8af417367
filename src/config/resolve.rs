//! Finding the config file, reading it, and resolving each setting by precedence:
//! flag > `FEEDCTL_*` environment > file (component, then top level) > default.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use super::interpolate::{expand, ExpandError};
use super::*;

/// Values given on the command line; each beats the environment and the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub scheme: Option<String>,
    pub context: Option<String>,
    pub username: Option<String>,
    pub private_key: Option<PathBuf>,
    pub datafeed_version: Option<String>,
    pub insecure: bool,
}

/// The top-level keys the kits know; anything else is reported but tolerated.
const KNOWN_KEYS: &[&str] = &[
    "scheme",
    "host",
    "port",
    "context",
    "defaultHeaders",
    "proxy",
    "pod",
    "agent",
    "keyManager",
    "sessionAuth",
    "bot",
    "ssl",
    "datafeed",
    "datahose",
    "retry",
    "app",
    "commonJwt",
    "manifest",
    "connectionTimeout",
    "readTimeout",
    "connectionPoolMax",
    "connectionPoolPerRoute",
];

/// Loads and resolves the configuration. `env` looks up environment variables (injectable for
/// tests); `home` is where `~/.symphony/config.yaml` is looked for.
pub fn load(
    overrides: &Overrides,
    env: &dyn Fn(&str) -> Option<String>,
    home: Option<&Path>,
) -> Result<Settings, ConfigError> {
    let file = find_file(overrides, env, home)?;
    let doc = match &file {
        Some(path) => Some(read_file(path, env)?),
        None => None,
    };
    let mut r = Resolver {
        file: file.as_deref(),
        doc: doc.as_ref(),
        env,
        origins: Vec::new(),
    };
    let settings = r.resolve(overrides)?;
    Ok(Settings {
        origins: r.origins,
        ..settings
    })
}

fn find_file(
    overrides: &Overrides,
    env: &dyn Fn(&str) -> Option<String>,
    home: Option<&Path>,
) -> Result<Option<PathBuf>, ConfigError> {
    let explicit = overrides
        .config
        .clone()
        .map(|p| (p, "--config"))
        .or_else(|| {
            env("FEEDCTL_CONFIG")
                .filter(|s| !s.is_empty())
                .map(|p| (PathBuf::from(p), "FEEDCTL_CONFIG"))
        });
    if let Some((path, how)) = explicit {
        if !path.is_file() {
            return Err(ConfigError::new(
                Some(&path),
                None,
                format!("the file given by {how} does not exist or is not a file; check the path, or run `feedctl init` to write one"),
            ));
        }
        return Ok(Some(path));
    }
    let local = PathBuf::from("config.yaml");
    if local.is_file() {
        return Ok(Some(local));
    }
    if let Some(home) = home {
        let user = home.join(".symphony").join("config.yaml");
        if user.is_file() {
            return Ok(Some(user));
        }
    }
    Ok(None)
}

fn read_file(path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Value, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new(Some(path), None, format!("cannot read the file: {e}")))?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    // Both parsers' messages already end with "at line L column C" where they know the place.
    let mut value: Value = if is_json {
        serde_json::from_str(&text)
            .map_err(|e| ConfigError::new(Some(path), None, format!("invalid JSON: {e}")))?
    } else {
        serde_yaml_ng::from_str(&text)
            .map_err(|e| ConfigError::new(Some(path), None, format!("invalid YAML: {e}")))?
    };
    if value.is_null() {
        value = Value::Object(Default::default());
    }
    if !value.is_object() {
        return Err(ConfigError::new(
            Some(path),
            None,
            "expected a mapping of settings (like `host: ...`, `bot: ...`) at the top level",
        ));
    }
    expand_tree(&mut value, "", path, env)?;
    Ok(value)
}

/// Expands `${VAR}` in every string of the document, naming the key on failure.
fn expand_tree(
    v: &mut Value,
    key: &str,
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    match v {
        Value::String(s) => {
            *s = expand(s, env).map_err(|e| {
                let message = match e {
                    ExpandError::Unset(name) => format!(
                        "environment variable `{name}` is not set; set it, or give a default with `${{{name}:-value}}`"
                    ),
                    ExpandError::Unclosed => "a `${` is not closed by `}`; write `$${` for a literal `${`".to_string(),
                };
                ConfigError::new(Some(path), Some(key), message)
            })?;
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                expand_tree(item, &format!("{key}[{i}]"), path, env)?;
            }
        }
        Value::Object(map) => {
            for (k, item) in map.iter_mut() {
                let sub = if key.is_empty() {
                    k.clone()
                } else {
                    format!("{key}.{k}")
                };
                expand_tree(item, &sub, path, env)?;
            }
        }
        _ => {}
    }
    Ok(())
}

struct Resolver<'a> {
    file: Option<&'a Path>,
    doc: Option<&'a Value>,
    env: &'a dyn Fn(&str) -> Option<String>,
    origins: Vec<Origin>,
}

/// A raw value found for a setting, before its type is checked.
struct Found {
    value: Value,
    source: Source,
    /// The key to name in an error about this value.
    key: String,
}

impl<'a> Resolver<'a> {
    fn err(&self, key: &str, message: impl Into<String>) -> ConfigError {
        ConfigError::new(self.file, Some(key), message)
    }

    fn get(&self, dotted: &str) -> Option<&'a Value> {
        let mut node = self.doc?;
        for part in dotted.split('.') {
            node = node.get(part)?;
        }
        (!node.is_null()).then_some(node)
    }

    /// Finds a value by precedence: flag, env, then the first file key present.
    fn find(
        &self,
        flag: Option<(&str, Value)>,
        env_name: Option<&str>,
        file_keys: &[&str],
    ) -> Option<Found> {
        if let Some((name, value)) = flag {
            return Some(Found {
                value,
                source: Source::Flag(name.to_string()),
                key: name.to_string(),
            });
        }
        if let Some(name) = env_name {
            if let Some(v) = (self.env)(name).filter(|v| !v.is_empty()) {
                return Some(Found {
                    value: Value::String(v),
                    source: Source::Env(name.to_string()),
                    key: name.to_string(),
                });
            }
        }
        file_keys.iter().find_map(|k| {
            self.get(k).map(|v| Found {
                value: v.clone(),
                source: Source::File(k.to_string()),
                key: k.to_string(),
            })
        })
    }

    fn record(&mut self, key: &str, value: impl Into<String>, source: Source) {
        self.origins.push(Origin {
            key: key.to_string(),
            value: value.into(),
            source,
        });
    }

    fn string(
        &mut self,
        key: &str,
        found: Option<Found>,
        default: Option<&str>,
    ) -> Result<Option<String>, ConfigError> {
        let Some(found) = found else {
            if let Some(d) = default {
                self.record(key, d, Source::Default);
            }
            return Ok(default.map(str::to_string));
        };
        let s = match &found.value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return Err(self.err(&found.key, "expected a text value")),
        };
        self.record(key, &s, found.source);
        Ok(Some(s))
    }

    fn secret(&mut self, key: &str, found: Option<Found>) -> Result<Option<Secret>, ConfigError> {
        let Some(found) = found else { return Ok(None) };
        let Value::String(s) = &found.value else {
            return Err(self.err(&found.key, "expected a text value"));
        };
        self.record(key, "<redacted>", found.source);
        Ok(Some(Secret::new(s.clone())))
    }

    fn integer(
        &mut self,
        key: &str,
        found: Option<Found>,
        default: i64,
        what: &str,
    ) -> Result<i64, ConfigError> {
        let Some(found) = found else {
            self.record(key, default.to_string(), Source::Default);
            return Ok(default);
        };
        let n = match &found.value {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
        .ok_or_else(|| {
            self.err(
                &found.key,
                format!("expected {what}, got {}", short(&found.value)),
            )
        })?;
        self.record(key, n.to_string(), found.source);
        Ok(n)
    }

    fn float(&mut self, key: &str, found: Option<Found>, default: f64) -> Result<f64, ConfigError> {
        let Some(found) = found else {
            self.record(key, default.to_string(), Source::Default);
            return Ok(default);
        };
        let n = match &found.value {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
        .ok_or_else(|| {
            self.err(
                &found.key,
                format!("expected a number, got {}", short(&found.value)),
            )
        })?;
        self.record(key, n.to_string(), found.source);
        Ok(n)
    }

    fn boolean(
        &mut self,
        key: &str,
        found: Option<Found>,
        default: bool,
    ) -> Result<bool, ConfigError> {
        let Some(found) = found else {
            self.record(key, default.to_string(), Source::Default);
            return Ok(default);
        };
        let b = match &found.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s == "true" => Some(true),
            Value::String(s) if s == "false" => Some(false),
            _ => None,
        }
        .ok_or_else(|| {
            self.err(
                &found.key,
                format!("expected true or false, got {}", short(&found.value)),
            )
        })?;
        self.record(key, b.to_string(), found.source);
        Ok(b)
    }

    fn port(&mut self, key: &str, found: Option<Found>, default: u16) -> Result<u16, ConfigError> {
        let fkey = found.as_ref().map(|f| f.key.clone());
        let n = self.integer(key, found, default as i64, "a port number (1-65535)")?;
        u16::try_from(n).ok().filter(|p| *p > 0).ok_or_else(|| {
            self.err(
                fkey.as_deref().unwrap_or(key),
                format!("expected a port number (1-65535), got {n}"),
            )
        })
    }

    fn endpoint(&mut self, component: &str, o: &Overrides) -> Result<Endpoint, ConfigError> {
        let k = |field: &str| format!("{component}.{field}");
        let keys = |field: &str| [format!("{component}.{field}"), field.to_string()];
        let ks = keys("scheme");
        let found = self.find(
            o.scheme.clone().map(|v| ("--scheme", v.into())),
            Some("FEEDCTL_SCHEME"),
            &[&ks[0], &ks[1]],
        );
        let scheme_key = found.as_ref().map(|f| f.key.clone());
        let scheme = self
            .string(&k("scheme"), found, Some("https"))?
            .unwrap_or_default();
        if scheme != "http" && scheme != "https" {
            return Err(self.err(
                scheme_key.as_deref().unwrap_or("scheme"),
                format!("expected `http` or `https`, got `{scheme}`"),
            ));
        }
        let kh = keys("host");
        let found = self.find(
            o.host.clone().map(|v| ("--host", v.into())),
            Some("FEEDCTL_HOST"),
            &[&kh[0], &kh[1]],
        );
        let host = self.string(&k("host"), found, None)?.filter(|h| !h.trim().is_empty()).ok_or_else(|| {
            self.err("host", "missing; expected the pod's host name, e.g. `host: acme.symphony.com` (or --host / FEEDCTL_HOST)")
        })?;
        let kp = keys("port");
        let found = self.find(
            o.port.map(|v| ("--port", v.into())),
            Some("FEEDCTL_PORT"),
            &[&kp[0], &kp[1]],
        );
        let port = self.port(&k("port"), found, 443)?;
        let kc = keys("context");
        let found = self.find(
            o.context.clone().map(|v| ("--context", v.into())),
            Some("FEEDCTL_CONTEXT"),
            &[&kc[0], &kc[1]],
        );
        let context = self.string(&k("context"), found, None)?.unwrap_or_default();
        let proxy = self.proxy(component)?;
        Ok(Endpoint {
            scheme,
            host,
            port,
            context,
            proxy,
        })
    }

    fn proxy(&mut self, component: &str) -> Result<Option<Proxy>, ConfigError> {
        let local = format!("{component}.proxy");
        let base = if self.get(&local).is_some() {
            local
        } else {
            "proxy".to_string()
        };
        let Some(node) = self.get(&base) else {
            return Ok(None);
        };
        if !node.is_object() {
            return Err(self.err(&base, "expected a mapping with `host` and `port`"));
        }
        let hk = format!("{base}.host");
        let found = self.find(None, None, &[&hk]);
        let host = self
            .string(&format!("{component}.proxy.host"), found, None)?
            .ok_or_else(|| self.err(&hk, "missing; expected the proxy's host name"))?;
        let pk = format!("{base}.port");
        let found = self.find(None, None, &[&pk]);
        let port = self.port(&format!("{component}.proxy.port"), found, 3128)?;
        let uk = format!("{base}.username");
        let found = self.find(None, None, &[&uk]);
        let username = self.string(&format!("{component}.proxy.username"), found, None)?;
        let wk = format!("{base}.password");
        let found = self.find(None, None, &[&wk]);
        let password = self.secret(&format!("{component}.proxy.password"), found)?;
        Ok(Some(Proxy {
            host,
            port,
            username,
            password,
        }))
    }

    fn retry(&mut self, base: &str, defaults: Retry) -> Result<Retry, ConfigError> {
        if let Some(node) = self.get(base) {
            if !node.is_object() {
                return Err(self.err(base, "expected a mapping with maxAttempts, initialIntervalMillis, multiplier, maxIntervalMillis"));
            }
        }
        let key = |f: &str| format!("{base}.{f}");
        let found = self.find(None, None, &[&key("maxAttempts")]);
        let max_attempts = self.integer(
            &key("maxAttempts"),
            found,
            defaults.max_attempts,
            "a whole number (negative: forever)",
        )?;
        let found = self.find(None, None, &[&key("initialIntervalMillis")]);
        let initial = self.integer(
            &key("initialIntervalMillis"),
            found,
            defaults.initial_interval.as_millis() as i64,
            "milliseconds",
        )?;
        if initial < 10 {
            return Err(self.err(
                &key("initialIntervalMillis"),
                format!("expected at least 10 milliseconds, got {initial}"),
            ));
        }
        let found = self.find(None, None, &[&key("multiplier")]);
        let mut multiplier = self.float(&key("multiplier"), found, defaults.multiplier)?;
        if multiplier < 1.0 {
            // The kits silently replace a shrinking multiplier with 2; we do the same.
            multiplier = 2.0;
        }
        let found = self.find(None, None, &[&key("maxIntervalMillis")]);
        let max = self.integer(
            &key("maxIntervalMillis"),
            found,
            defaults.max_interval.as_millis() as i64,
            "milliseconds",
        )?;
        if max < initial {
            return Err(self.err(
                &key("maxIntervalMillis"),
                format!("expected at least initialIntervalMillis ({initial}), got {max}"),
            ));
        }
        Ok(Retry {
            max_attempts,
            initial_interval: Duration::from_millis(initial as u64),
            multiplier,
            max_interval: Duration::from_millis(max as u64),
        })
    }

    fn credential(&mut self, o: &Overrides) -> Result<Credential, ConfigError> {
        // The flag and FEEDCTL_PRIVATE_KEY_PATH name a key file and beat everything in the file.
        let found = self.find(
            o.private_key
                .as_ref()
                .map(|p| ("--private-key", p.display().to_string().into())),
            Some("FEEDCTL_PRIVATE_KEY_PATH"),
            &[],
        );
        if let Some(found) = found {
            let path = PathBuf::from(found.value.as_str().unwrap_or_default());
            let key = found.key.clone();
            self.record(
                "bot.privateKey.path",
                path.display().to_string(),
                found.source,
            );
            return self.read_key(&key, &path);
        }
        let has_key =
            self.get("bot.privateKey").is_some() || self.get("bot.privateKeyPath").is_some();
        let has_cert =
            self.get("bot.certificate").is_some() || self.get("bot.certificatePath").is_some();
        if has_key && has_cert {
            return Err(self.err(
                "bot",
                "both `privateKey` and `certificate` are set; keep only the one the bot uses",
            ));
        }
        if has_cert {
            let (pk, wk) = if self.get("bot.certificatePath").is_some() {
                ("bot.certificatePath", "bot.certificatePassword")
            } else {
                ("bot.certificate.path", "bot.certificate.password")
            };
            let found = self.find(None, None, &[pk]);
            let path = self
                .string("bot.certificate.path", found, None)?
                .ok_or_else(|| {
                    self.err(
                        pk,
                        "missing; expected the path of the bot's certificate (one PEM file with the certificate and its key)",
                    )
                })?;
            let path = self.relative(Path::new(&path));
            if let Err(e) = std::fs::metadata(&path) {
                return Err(self.err(pk, format!("cannot read {}: {e}", path.display())));
            }
            let found = self.find(None, None, &[wk]);
            let password = self.secret("bot.certificate.password", found)?;
            return Ok(Credential::Certificate { path, password });
        }
        if let Some(node) = self.get("bot.privateKey") {
            if !node.is_object() {
                return Err(self.err(
                    "bot.privateKey",
                    "expected a mapping with either `path` or `content`",
                ));
            }
        }
        let path_key = if self.get("bot.privateKeyPath").is_some() {
            "bot.privateKeyPath"
        } else {
            "bot.privateKey.path"
        };
        let path = self.get(path_key).cloned();
        let content = self.get("bot.privateKey.content").cloned();
        match (path, content) {
            (Some(_), Some(_)) => Err(self.err("bot.privateKey", "both `path` and `content` are set; keep only one")),
            (Some(path), None) => {
                let Value::String(path) = path else {
                    return Err(self.err(path_key, "expected the path of a PEM file"));
                };
                self.record("bot.privateKey.path", &path, Source::File(path_key.to_string()));
                let path = self.relative(Path::new(&path));
                self.read_key(path_key, &path)
            }
            (None, Some(content)) => {
                let Value::String(pem) = content else {
                    return Err(self.err("bot.privateKey.content", "expected the PEM text of the key"));
                };
                self.record("bot.privateKey.content", "<redacted>", Source::File("bot.privateKey.content".into()));
                check_pem(&pem).map_err(|m| self.err("bot.privateKey.content", m))?;
                Ok(Credential::RsaKey { pem: Secret::new(pem), origin: "bot.privateKey.content".into() })
            }
            (None, None) => Err(self.err(
                "bot.privateKey",
                "missing; expected `bot.privateKey.path` (a PEM file), `bot.privateKey.content` or `bot.certificate.path`",
            )),
        }
    }

    /// Paths in a config file are relative to the directory of that file.
    fn relative(&self, p: &Path) -> PathBuf {
        match self.file.and_then(Path::parent) {
            Some(dir) if p.is_relative() && !dir.as_os_str().is_empty() => dir.join(p),
            _ => p.to_path_buf(),
        }
    }

    fn read_key(&self, key: &str, path: &Path) -> Result<Credential, ConfigError> {
        let pem = std::fs::read_to_string(path).map_err(|e| {
            self.err(
                key,
                format!("cannot read the private key file {}: {e}", path.display()),
            )
        })?;
        check_pem(&pem).map_err(|m| self.err(key, format!("{}: {m}", path.display())))?;
        Ok(Credential::RsaKey {
            pem: Secret::new(pem),
            origin: path.display().to_string(),
        })
    }

    fn resolve(&mut self, o: &Overrides) -> Result<Settings, ConfigError> {
        if let Some(Value::Object(map)) = self.doc {
            for k in map.keys().filter(|k| !KNOWN_KEYS.contains(&k.as_str())) {
                tracing::warn!(
                    "ignoring unknown setting `{k}` in {}",
                    self.file
                        .map(|f| f.display().to_string())
                        .unwrap_or_default()
                );
            }
            for section in [
                "bot",
                "ssl",
                "datafeed",
                "pod",
                "agent",
                "keyManager",
                "sessionAuth",
                "defaultHeaders",
            ] {
                if map
                    .get(section)
                    .is_some_and(|v| !v.is_object() && !v.is_null())
                {
                    return Err(self.err(section, "expected a mapping of settings"));
                }
            }
        }
        if self.doc.is_none() && o.host.is_none() && (self.env)("FEEDCTL_HOST").is_none() {
            return Err(ConfigError::new(
                None,
                None,
                "no configuration found: looked for --config, $FEEDCTL_CONFIG, ./config.yaml and ~/.symphony/config.yaml; \
                 run `feedctl init`, or pass --config PATH",
            ));
        }
        let pod = self.endpoint("pod", o)?;
        let agent = self.endpoint("agent", o)?;
        let key_manager = self.endpoint("keyManager", o)?;
        let session_auth = self.endpoint("sessionAuth", o)?;

        let found = self.find(
            o.username.clone().map(|v| ("--username", v.into())),
            Some("FEEDCTL_BOT_USERNAME"),
            &["bot.username"],
        );
        let username = self.string("bot.username", found, None)?.filter(|u| !u.trim().is_empty()).ok_or_else(|| {
            self.err("bot.username", "missing; expected the bot's service account username (or --username / FEEDCTL_BOT_USERNAME)")
        })?;
        let credential = self.credential(o)?;

        if let Some(node) = self.get("ssl.trustStore") {
            // Without this, `trustStore: ca.pem` would be silently ignored and TLS would fail later.
            if !node.is_object() {
                return Err(self.err(
                    "ssl.trustStore",
                    "expected a mapping with the CA bundle's `path`, e.g. `trustStore: { path: ca.pem }`",
                ));
            }
        }
        let found = self.find(None, None, &["ssl.trustStore.path"]);
        let trust_store = self
            .string("ssl.trustStore.path", found, None)?
            .map(|p| self.relative(Path::new(&p)));
        if let Some(ts) = &trust_store {
            if let Err(e) = std::fs::read(ts) {
                return Err(self.err(
                    "ssl.trustStore.path",
                    format!("cannot read the CA bundle {}: {e}", ts.display()),
                ));
            }
        }
        let insecure = o.insecure;

        let mut default_headers = Vec::new();
        if let Some(Value::Object(map)) = self.get("defaultHeaders") {
            for (name, value) in map {
                let key = format!("defaultHeaders.{name}");
                let value = match value {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => return Err(self.err(&key, "expected a text value")),
                };
                if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err()
                    || reqwest::header::HeaderValue::from_str(&value).is_err()
                {
                    return Err(self.err(&key, "not a valid HTTP header name or value"));
                }
                let shown = if sensitive_header(name) {
                    "<redacted>"
                } else {
                    value.as_str()
                };
                self.record(&key, shown, Source::File(key.clone()));
                default_headers.push((name.clone(), value));
            }
        }

        let retry = self.retry("retry", Retry::global_default())?;
        let found = self.find(
            o.datafeed_version
                .clone()
                .map(|v| ("--datafeed-version", v.into())),
            Some("FEEDCTL_DATAFEED_VERSION"),
            &["datafeed.version"],
        );
        let version_key = found.as_ref().map(|f| f.key.clone());
        let version = match self
            .string("datafeed.version", found, Some("v2"))?
            .as_deref()
        {
            Some("v2") | Some("V2") => DatafeedVersion::V2,
            Some("v1") | Some("V1") => DatafeedVersion::V1,
            other => {
                return Err(self.err(
                    version_key.as_deref().unwrap_or("datafeed.version"),
                    format!(
                        "unknown datafeed version `{}`; expected `v2` (default) or `v1`",
                        other.unwrap_or_default()
                    ),
                ))
            }
        };
        let found = self.find(None, None, &["datafeed.idFilePath"]);
        let id_file_path = self
            .string("datafeed.idFilePath", found, Some("./"))?
            .unwrap_or_default();
        let id_file_path = self.relative(Path::new(&id_file_path));
        let datafeed_retry = self.retry("datafeed.retry", Retry::datafeed_default())?;
        let found = self.find(None, None, &["datafeed.tag"]);
        let tag = self.string("datafeed.tag", found, None)?;
        if let Some(t) = &tag {
            let n = t.chars().count();
            if n > 100 {
                return Err(self.err(
                    "datafeed.tag",
                    format!("expected at most 100 characters, got {n}"),
                ));
            }
        }
        let found = self.find(None, None, &["datafeed.includeInvisible"]);
        let include_invisible = self.boolean("datafeed.includeInvisible", found, false)?;

        Ok(Settings {
            file: self.file.map(Path::to_path_buf),
            pod,
            agent,
            key_manager,
            session_auth,
            username,
            credential,
            trust_store,
            insecure,
            default_headers,
            retry,
            datafeed: Datafeed {
                version,
                id_file_path,
                retry: datafeed_retry,
                tag,
                include_invisible,
            },
            origins: Vec::new(),
        })
    }
}

/// Checks that a text is an RSA private key in PEM form, PKCS#1 or PKCS#8.
pub(crate) fn check_pem(pem: &str) -> Result<(), String> {
    let has = |label: &str| pem.contains(&format!("-----BEGIN {label}-----"));
    if has("ENCRYPTED PRIVATE KEY") {
        return Err(
            "the private key is encrypted; feedctl needs an unencrypted PKCS#1 or PKCS#8 PEM key"
                .into(),
        );
    }
    let private = has("RSA PRIVATE KEY") || has("PRIVATE KEY");
    if !private && (has("PUBLIC KEY") || has("RSA PUBLIC KEY") || has("CERTIFICATE")) {
        return Err("this is a public key or a certificate, not a private key; give the bot's private key (PKCS#1 or PKCS#8 PEM)".into());
    }
    if !private {
        return Err("not a PEM private key; expected `-----BEGIN RSA PRIVATE KEY-----` (PKCS#1) or `-----BEGIN PRIVATE KEY-----` (PKCS#8)".into());
    }
    jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes())
        .map(|_| ())
        .map_err(|e| format!("not a usable RSA private key ({e})"))
}

/// Headers whose values are credentials: `config show` prints them redacted.
fn sensitive_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "authorization",
        "cookie",
        "token",
        "secret",
        "password",
        "api-key",
        "apikey",
    ]
    .iter()
    .any(|w| n.contains(w))
}

fn short(v: &Value) -> String {
    crate::text::clip(&v.to_string(), 41)
}
