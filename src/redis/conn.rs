//! Connections and what a Redis error means to feedctl (DESIGN §4a).

use std::time::Duration;

use ::redis::aio::MultiplexedConnection;
use ::redis::{AsyncConnectionConfig, ConnectionAddr, IntoConnectionInfo, RedisConnectionInfo};

use crate::feed::{ErrorClass, SourceError};

use super::url::Server;

/// How long connecting may take before it counts as a transient failure.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens a connection whose replies may take up to `response_timeout` (above a BLOCK time, or
/// the client's 500 ms default fails every blocking read).
pub async fn connect(
    server: &Server,
    response_timeout: Duration,
) -> Result<MultiplexedConnection, Failure> {
    let addr = if server.tls {
        ConnectionAddr::TcpTls {
            host: server.host.clone(),
            port: server.port,
            insecure: false,
            tls_params: None,
        }
    } else {
        ConnectionAddr::Tcp(server.host.clone(), server.port)
    };
    let mut redis = RedisConnectionInfo::default().set_db(server.db);
    if let Some(u) = &server.username {
        redis = redis.set_username(u);
    }
    if let Some(p) = &server.password {
        redis = redis.set_password(p.expose());
    }
    let info = addr
        .into_connection_info()
        .map_err(|e| Failure::from_redis(e, server))?
        .set_redis_settings(redis);
    let client = ::redis::Client::open(info).map_err(|e| Failure::from_redis(e, server))?;
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(CONNECT_TIMEOUT))
        .set_response_timeout(Some(response_timeout));
    client
        .get_multiplexed_async_connection_with_config(&config)
        .await
        .map_err(|e| Failure::from_redis(e, server))
}

/// A Redis failure, sorted: retry it, stop with a class, or handle it (NOGROUP, WRONGTYPE).
#[derive(Debug)]
pub enum Failure {
    /// Connection refused or dropped, timeouts, LOADING, BUSY...: reconnect and retry.
    Transient(String),
    /// The group (or its key) does not exist.
    NoGroup(String),
    /// The key holds something else than a stream.
    WrongType,
    /// This key holds this type.
    WrongTypeOf(String, String),
    /// The credentials were refused.
    Auth(String),
    /// The server refused for good.
    Refused(String),
}

impl Failure {
    /// Sorts an error of the client. Its text may name the server, never the password (the
    /// client does not print it, and the URL is ours).
    pub fn from_redis(e: ::redis::RedisError, server: &Server) -> Failure {
        let code = e.code().unwrap_or("").to_string();
        let text = e.to_string();
        if e.kind() == ::redis::ErrorKind::AuthenticationFailed {
            return Failure::auth_failed(server);
        }
        // Something else than Redis on that port (the crate's text spans lines of bytes).
        if e.kind() == ::redis::ErrorKind::Parse {
            let first = text.lines().next().unwrap_or_default();
            return Failure::Refused(format!(
                "{server}: the reply is not Redis's protocol ({first}); is this a Redis server's port?"
            ));
        }
        match code.as_str() {
            "WRONGPASS" | "NOAUTH" | "NOPERM" => Failure::Auth(format!(
                "{server}: authentication failed ({code}); check the user and password in the URL or REDISCLI_AUTH"
            )),
            "NOGROUP" => Failure::NoGroup(text),
            "WRONGTYPE" => Failure::WrongType,
            "LOADING" | "BUSY" | "MASTERDOWN" | "TRYAGAIN" | "CLUSTERDOWN" | "READONLY" => {
                Failure::Transient(format!("{server}: {text}"))
            }
            _ if e.is_io_error()
                || e.is_timeout()
                || e.is_connection_dropped()
                || e.is_connection_refusal() =>
            {
                Failure::Transient(format!("{server}: {text}"))
            }
            _ if text.contains("WRONGPASS") || text.contains("NOAUTH") => {
                Failure::auth_failed(server)
            }
            _ => Failure::Refused(format!("{server}: {text}")),
        }
    }

    /// The credentials were refused (the password is never named).
    pub fn auth_failed(server: &Server) -> Failure {
        Failure::Auth(format!(
            "{server}: authentication failed; check the user and password in the URL or REDISCLI_AUTH"
        ))
    }

    /// The failure as a source error that ends the run.
    pub fn into_source_error(self, what: &str) -> SourceError {
        match self {
            Failure::Transient(t) => {
                SourceError::new(ErrorClass::Transient, format!("{what}: {t}"))
            }
            Failure::NoGroup(t) => SourceError::new(ErrorClass::Gone, format!("{what}: {t}")),
            Failure::WrongType => SourceError::new(
                ErrorClass::Local,
                format!("{what}: the key is not a stream"),
            ),
            Failure::WrongTypeOf(key, kind) => SourceError::new(
                ErrorClass::Local,
                format!("key `{key}` holds a {kind}, not a stream (WRONGTYPE); name a stream key"),
            ),
            Failure::Auth(t) => SourceError::new(ErrorClass::Auth, t),
            Failure::Refused(t) => SourceError::new(ErrorClass::Refused, format!("{what}: {t}")),
        }
    }
}
