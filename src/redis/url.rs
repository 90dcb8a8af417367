//! `redis://[user:password@]host[:port][/db]/KEY` (and `rediss://`), and for a local socket
//! `redis+unix:///path/to/redis.sock?key=KEY[&db=N][&user=U][&pass=P]` (`unix://` too, the
//! redis crate's form with `key` added), and behind Sentinel
//! `redis+sentinel://[user:password@]HOST[:PORT][,HOST[:PORT]…]/MASTER[/DB]/KEY`: parsed by hand because the KEY part is ours, and so
//! that an error names the part that is wrong without ever echoing the password.

use std::fmt;

use crate::config::Secret;

/// One stream of one server, as a SOURCE or `--to` names it.
#[derive(Clone, PartialEq)]
pub struct StreamUrl {
    pub tls: bool,
    /// A Unix socket's path (`redis+unix://`): then `host` and `port` are not used.
    pub socket: Option<String>,
    pub host: String,
    pub port: u16,
    pub db: i64,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub key: String,
    /// The sentinels to ask for the master's address (`redis+sentinel://`): then `host` and
    /// `port` are not used.
    pub sentinel: Option<Sentinel>,
}

/// Where the master of a `redis+sentinel://` URL is found: the sentinels, asked in turn, and
/// the master's name in their configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentinel {
    pub nodes: Vec<(String, u16)>,
    pub master: String,
}

/// A sentinel's port when the URL gives none (Sentinel's default).
pub const SENTINEL_PORT: u16 = 26379;

/// The server part of a [`StreamUrl`], which several keys of one recording share.
#[derive(Debug, Clone, PartialEq)]
pub struct Server {
    pub tls: bool,
    /// A Unix socket's path (`redis+unix://`): then `host` and `port` are not used.
    pub socket: Option<String>,
    pub host: String,
    pub port: u16,
    pub db: i64,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// The sentinels that name the master (`redis+sentinel://`).
    pub sentinel: Option<Sentinel>,
}

impl fmt::Debug for StreamUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StreamUrl({self})")
    }
}

/// The URL without its password: what is shown and stored as a recording's description.
impl fmt::Display for StreamUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.socket {
            Some(_) => {
                write!(
                    f,
                    "{}{}{}",
                    self.server(),
                    self.key_sep(),
                    encode(&self.key)
                )
            }
            None => write!(f, "{}/{}", self.server(), self.key),
        }
    }
}

impl fmt::Display for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.socket {
            write!(f, "redis+unix://{path}")?;
            if let Some(u) = &self.username {
                write!(f, "?user={}", encode(u))?;
            }
            if self.db != 0 {
                let sep = if self.username.is_some() { '&' } else { '?' };
                write!(f, "{sep}db={}", self.db)?;
            }
            return Ok(());
        }
        let scheme = match (&self.sentinel, self.tls) {
            (Some(_), _) => "redis+sentinel",
            (None, true) => "rediss",
            (None, false) => "redis",
        };
        write!(f, "{scheme}://")?;
        if let Some(u) = &self.username {
            write!(f, "{u}@")?;
        }
        if let Some(s) = &self.sentinel {
            let nodes: Vec<String> = s.nodes.iter().map(|(h, p)| host_port(h, *p)).collect();
            write!(f, "{}/{}", nodes.join(","), encode(&s.master))?;
            if self.db != 0 {
                write!(f, "/{}", self.db)?;
            }
            return Ok(());
        }
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        write!(f, "{host}:{}", self.port)?;
        if self.db != 0 {
            write!(f, "/{}", self.db)?;
        }
        Ok(())
    }
}

impl StreamUrl {
    /// What comes between [`Server`]'s form and the KEY: `/`, or for a socket `?key=` (`&key=`
    /// after a query of the server's).
    pub fn key_sep(&self) -> &'static str {
        match (&self.socket, self.db != 0 || self.username.is_some()) {
            (None, _) => "/",
            (Some(_), false) => "?key=",
            (Some(_), true) => "&key=",
        }
    }

    pub fn server(&self) -> Server {
        Server {
            tls: self.tls,
            socket: self.socket.clone(),
            host: self.host.clone(),
            port: self.port,
            db: self.db,
            username: self.username.clone(),
            password: self.password.clone(),
            sentinel: self.sentinel.clone(),
        }
    }

    /// True when `s` looks like a Redis URL (its scheme), whatever else is wrong with it.
    pub fn is_redis(s: &str) -> bool {
        let lower = s.get(..17).unwrap_or(s).to_ascii_lowercase();
        lower.starts_with("redis://")
            || lower.starts_with("redis+sentinel://")
            || lower.starts_with("rediss://")
            || lower.starts_with("redis+unix://")
            || lower.starts_with("unix://")
    }

    /// Parses a stream URL; `env_password` (`REDISCLI_AUTH`) is used when the URL has none.
    /// The error names the part that is wrong and never contains the password.
    pub fn parse(s: &str, env_password: Option<&str>) -> Result<StreamUrl, String> {
        let (scheme, rest) = s
            .split_once("://")
            .ok_or("a Redis URL starts with redis:// or rediss://")?;
        let tls = match scheme.to_ascii_lowercase().as_str() {
            "redis" => false,
            "rediss" => true,
            "redis+unix" | "unix" => return parse_unix(rest, env_password),
            "redis+sentinel" => return parse_sentinel(rest, env_password),
            _ => return Err(
                "a Redis URL starts with redis://, rediss://, redis+unix:// or redis+sentinel://"
                    .into(),
            ),
        };
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (username, password, hostport) = credentials(authority, env_password)?;
        let (host, port) = split_host_port(hostport, 6379)?;
        let (db, key) = db_and_key(
            path,
            &format!("no stream KEY after the host: expected {scheme}://HOST[:PORT][/DB]/KEY"),
        )?;
        Ok(StreamUrl {
            tls,
            socket: None,
            host,
            port,
            db,
            username,
            password,
            key,
            sentinel: None,
        })
    }
}

/// `[user[:password]@]` before the host part: the user, the password (else `env_password`)
/// and what follows the `@`.
#[allow(clippy::type_complexity)]
fn credentials<'a>(
    authority: &'a str,
    env_password: Option<&str>,
) -> Result<(Option<String>, Option<Secret>, &'a str), String> {
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let (mut username, mut password) = (None, None);
    if let Some(u) = userinfo {
        let (user, pass) = match u.split_once(':') {
            Some((a, b)) => (a, Some(b)),
            None => (u, None),
        };
        if !user.is_empty() {
            username = Some(decode(user).map_err(|e| format!("the user name {e}"))?);
        }
        if let Some(p) = pass.filter(|p| !p.is_empty()) {
            // Not the password itself: only that it is malformed.
            password = Some(Secret::new(
                decode(p).map_err(|e| format!("the password {e}"))?,
            ));
        }
    }
    if password.is_none() {
        password = env_password
            .filter(|p| !p.is_empty())
            .map(|p| Secret::new(p.to_string()));
    }
    Ok((username, password, hostport))
}

/// `[DB/]KEY`: a database number when the first part is all digits and a key follows.
fn db_and_key(path: &str, no_key: &str) -> Result<(i64, String), String> {
    let (db, key) = match path.split_once('/') {
        Some((db, key)) if !db.is_empty() && db.bytes().all(|b| b.is_ascii_digit()) => {
            let db = db
                .parse::<i64>()
                .map_err(|_| format!("database `{db}` is not a number"))?;
            (db, key)
        }
        _ => (0, path),
    };
    if key.is_empty() {
        return Err(no_key.to_string());
    }
    let key = decode(key).map_err(|e| format!("the stream key {e}"))?;
    Ok((db, key))
}

/// `[user:password@]HOST[:PORT][,HOST[:PORT]…]/MASTER[/DB]/KEY` (after `redis+sentinel://`):
/// the user and password are the data nodes' (the master's).
fn parse_sentinel(rest: &str, env_password: Option<&str>) -> Result<StreamUrl, String> {
    const FORM: &str = "redis+sentinel://HOST[:PORT][,HOST[:PORT]…]/MASTER[/DB]/KEY";
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (username, password, hosts) = credentials(authority, env_password)?;
    let nodes = hosts
        .split(',')
        .map(|hp| split_host_port(hp, SENTINEL_PORT))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("a sentinel: {e}"))?;
    let (master, path) = path.split_once('/').unwrap_or((path, ""));
    if master.is_empty() {
        return Err(format!(
            "no MASTER name after the sentinels: expected {FORM}"
        ));
    }
    let master = decode(master).map_err(|e| format!("the master name {e}"))?;
    let (db, key) = db_and_key(
        path,
        &format!("no stream KEY after the master: expected {FORM}"),
    )?;
    let (host, port) = nodes[0].clone();
    Ok(StreamUrl {
        tls: false,
        socket: None,
        host,
        port,
        db,
        username,
        password,
        key,
        sentinel: Some(Sentinel { nodes, master }),
    })
}

/// `host:port`, with an IPv6 address in brackets.
fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// `redis+unix:///path/to/redis.sock?key=KEY[&db=N][&user=U][&pass=P]` (after the scheme).
fn parse_unix(rest: &str, env_password: Option<&str>) -> Result<StreamUrl, String> {
    const FORM: &str = "redis+unix:///path/to/redis.sock?key=KEY[&db=N]";
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if !path.starts_with('/') {
        return Err(format!(
            "the socket path must be absolute (three slashes): expected {FORM}"
        ));
    }
    let path = decode(path).map_err(|e| format!("the socket path {e}"))?;
    let (mut key, mut db, mut username, mut password) = (None, 0, None, None);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        match name {
            "key" => key = Some(decode(value).map_err(|e| format!("the stream key {e}"))?),
            "db" => {
                db = value
                    .parse::<i64>()
                    .ok()
                    .filter(|d| *d >= 0)
                    .ok_or_else(|| {
                        format!(
                            "database `{}` is not a number",
                            crate::text::clip(value, 12)
                        )
                    })?
            }
            "user" => username = Some(decode(value).map_err(|e| format!("the user name {e}"))?),
            "pass" | "password" => {
                password = Some(Secret::new(
                    decode(value).map_err(|e| format!("the password {e}"))?,
                ))
            }
            other => {
                return Err(format!(
                    "unknown parameter `{}`: expected key, db, user or pass",
                    crate::text::clip(other, 20)
                ))
            }
        }
    }
    let key = key
        .filter(|k| !k.is_empty())
        .ok_or_else(|| format!("no stream KEY: expected {FORM}"))?;
    if password.is_none() {
        password = env_password
            .filter(|p| !p.is_empty())
            .map(|p| Secret::new(p.to_string()));
    }
    Ok(StreamUrl {
        tls: false,
        socket: Some(path),
        host: "localhost".into(),
        port: 0,
        db,
        username,
        password,
        key,
        sentinel: None,
    })
}

/// Percent-encoding of a query value (all but unreserved characters and `/`, `:`).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn split_host_port(hp: &str, default_port: u16) -> Result<(String, u16), String> {
    let (host, port) = if let Some(rest) = hp.strip_prefix('[') {
        let (h, after) = rest
            .split_once(']')
            .ok_or("the host: an IPv6 address needs a closing `]`")?;
        (h, after.strip_prefix(':'))
    } else {
        match hp.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hp, None),
        }
    };
    if host.is_empty() {
        return Err("the host is missing: expected redis://HOST[:PORT][/DB]/KEY".into());
    }
    if host.contains(|c: char| c.is_whitespace() || c == '/' || c == '@') {
        return Err(format!(
            "the host `{}` is not a host name",
            crate::text::clip(host, 40)
        ));
    }
    let port = match port {
        None | Some("") => default_port,
        Some(p) => p.parse::<u16>().ok().filter(|p| *p != 0).ok_or_else(|| {
            format!(
                "the port `{}` is not a port number (1-65535)",
                crate::text::clip(p, 12)
            )
        })?,
    };
    Ok((host.to_string(), port))
}

/// Percent-decoding of one URL part.
fn decode(s: &str) -> Result<String, &'static str> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .ok_or("has a `%` that is not followed by two hex digits")?;
            let v = std::str::from_utf8(hex)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or("has a `%` that is not followed by two hex digits")?;
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "is not UTF-8 once decoded")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_part() {
        let u =
            StreamUrl::parse("rediss://app:s%40cret@cache.example:6380/3/orders", None).unwrap();
        assert!(u.tls);
        assert_eq!((u.host.as_str(), u.port, u.db), ("cache.example", 6380, 3));
        assert_eq!(u.username.as_deref(), Some("app"));
        assert_eq!(u.password.as_ref().map(|p| p.expose()), Some("s@cret"));
        assert_eq!(u.key, "orders");
        assert_eq!(u.to_string(), "rediss://app@cache.example:6380/3/orders");
    }

    #[test]
    fn defaults_and_env_password() {
        let u = StreamUrl::parse("redis://localhost/my-stream", Some("pw")).unwrap();
        assert_eq!((u.port, u.db, u.key.as_str()), (6379, 0, "my-stream"));
        assert_eq!(
            u.password.map(|p| p.expose().to_string()).as_deref(),
            Some("pw")
        );
        // A key that is all digits after a db stays the key.
        let u = StreamUrl::parse("redis://h:1/42", None).unwrap();
        assert_eq!((u.db, u.key.as_str()), (0, "42"));
    }

    #[test]
    fn unix_sockets() {
        let u =
            StreamUrl::parse("redis+unix:///run/redis.sock?db=2&key=a%20b", Some("pw")).unwrap();
        assert_eq!(u.socket.as_deref(), Some("/run/redis.sock"));
        assert_eq!((u.db, u.key.as_str(), u.tls), (2, "a b", false));
        assert_eq!(u.password.as_ref().map(|p| p.expose()), Some("pw"));
        assert_eq!(u.to_string(), "redis+unix:///run/redis.sock?db=2&key=a%20b");
        assert_eq!(StreamUrl::parse(&u.to_string(), None).unwrap().key, "a b");
        let u = StreamUrl::parse("unix:///tmp/r.sock?key=k&pass=hunter2", None).unwrap();
        assert_eq!(u.to_string(), "redis+unix:///tmp/r.sock?key=k");
        let u = StreamUrl::parse("unix:///tmp/r.sock?key=k&user=me", None).unwrap();
        assert_eq!(u.to_string(), "redis+unix:///tmp/r.sock?user=me&key=k");
        for (url, part) in [
            ("redis+unix:///tmp/r.sock", "KEY"),
            ("redis+unix://tmp/r.sock?key=k", "absolute"),
            ("redis+unix:///tmp/r.sock?key=k&db=x", "database"),
            (
                "redis+unix:///tmp/r.sock?key=k&pass=hunter2&bogus=1",
                "bogus",
            ),
        ] {
            let e = StreamUrl::parse(url, None).unwrap_err();
            assert!(e.contains(part), "{url}: {e}");
            assert!(!e.contains("hunter2"), "{url}: {e}");
        }
        assert!(StreamUrl::is_redis("redis+unix:///x?key=k"));
    }

    #[test]
    fn sentinels() {
        let u = StreamUrl::parse(
            "redis+sentinel://app:hunter2@s1:26380,[::1],s3/mymaster/2/orders",
            None,
        )
        .unwrap();
        let s = u.sentinel.clone().unwrap();
        assert_eq!(
            s.nodes,
            vec![
                ("s1".to_string(), 26380),
                ("::1".to_string(), SENTINEL_PORT),
                ("s3".to_string(), SENTINEL_PORT)
            ]
        );
        assert_eq!(
            (s.master.as_str(), u.db, u.key.as_str()),
            ("mymaster", 2, "orders")
        );
        assert_eq!(u.password.as_ref().map(|p| p.expose()), Some("hunter2"));
        assert_eq!(
            u.to_string(),
            "redis+sentinel://app@s1:26380,[::1]:26379,s3:26379/mymaster/2/orders"
        );
        assert_eq!(StreamUrl::parse(&u.to_string(), None).unwrap().server(), {
            let mut s = u.server();
            s.password = None;
            s
        });
        assert!(StreamUrl::is_redis("redis+sentinel://h/m/k"));
        for (url, part) in [
            ("redis+sentinel://:hunter2@h:1", "MASTER"),
            ("redis+sentinel://:hunter2@h:1/m", "KEY"),
            ("redis+sentinel://:hunter2@h:1,/m/k", "host"),
            ("redis+sentinel://:hunter2@h:0/m/k", "port"),
        ] {
            let e = StreamUrl::parse(url, None).unwrap_err();
            assert!(e.contains(part), "{url}: {e}");
            assert!(!e.contains("hunter2"), "{url}: {e}");
        }
    }

    #[test]
    fn errors_name_the_part_and_never_the_password() {
        for (url, part) in [
            ("redis://:hunter2@h:99999/k", "port"),
            ("redis://:hunter2@/k", "host"),
            ("redis://:hunter2@h:1", "KEY"),
            ("redis://:hunter2@h:1/x/%zz", "stream key"),
        ] {
            let e = StreamUrl::parse(url, None).unwrap_err();
            assert!(e.contains(part), "{url}: {e}");
            assert!(!e.contains("hunter2"), "{url}: {e}");
        }
    }
}
