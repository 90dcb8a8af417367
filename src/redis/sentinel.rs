//! `redis+sentinel://`: the master's address is asked of the sentinels, in turn, on every
//! connection ([`super::wire::stream`] calls [`master_stream`]), so the normal reconnect after a
//! failure (a dropped connection, READONLY from a demoted master) finds the new master.

use ::redis::Value;

use super::conn::{connect_timeout, Failure};
use super::url::{Sentinel, Server};
use super::wire::{command, value, Io, Wire};

/// A connection to the master the sentinels name, checked to be one (`ROLE`): a demoted
/// master the sentinels have not caught up with yet is a transient failure, retried.
pub async fn master_stream(server: &Server, sentinel: &Sentinel) -> Result<Box<dyn Io>, Failure> {
    let (host, port) = master_addr(server, sentinel).await?;
    let master = Server {
        host: host.clone(),
        port,
        sentinel: None,
        ..server.clone()
    };
    let mut wire = Wire::open(&master, connect_timeout()).await?;
    let mut out = Vec::new();
    command(&mut out, &[b"ROLE"]);
    wire.send(&out).await?;
    let role = match value(&wire.reply().await?, &master)? {
        Value::Array(items) => match items.first() {
            Some(Value::BulkString(b)) => String::from_utf8_lossy(b).into_owned(),
            _ => String::new(),
        },
        _ => String::new(),
    };
    if role != "master" {
        return Err(Failure::Transient(format!(
            "{server}: {master}, which the sentinels name as master `{}`, is a {} (a failover under way?)",
            sentinel.master,
            crate::text::clip(&role, 20)
        )));
    }
    wire.into_io(&master)
}

/// The master's address as the first sentinel that knows it says; each sentinel is given
/// [`connect_timeout`] to connect and again to answer.
async fn master_addr(server: &Server, sentinel: &Sentinel) -> Result<(String, u16), Failure> {
    let mut why = Vec::new();
    for (host, port) in &sentinel.nodes {
        let node = Server {
            tls: false,
            socket: None,
            host: host.clone(),
            port: *port,
            db: 0,
            username: None,
            password: None,
            sentinel: None,
        };
        match ask(&node, server, &sentinel.master).await {
            Ok(Some(addr)) => return Ok(addr),
            Ok(None) => why.push(format!("{node} does not know master `{}`", sentinel.master)),
            Err(Failure::Transient(t) | Failure::Overload(t)) => why.push(t),
            Err(f) => return Err(f),
        }
    }
    Err(Failure::Transient(format!(
        "{server}: no sentinel named the master: {}",
        why.join("; ")
    )))
}

/// `SENTINEL get-master-addr-by-name` on one sentinel: without credentials, or with the URL's
/// when the sentinel requires them (NOAUTH).
async fn ask(
    node: &Server,
    server: &Server,
    master: &str,
) -> Result<Option<(String, u16)>, Failure> {
    let mut wire = match Wire::open(node, connect_timeout()).await {
        Err(Failure::Auth(_)) if server.password.is_some() => {
            let with = Server {
                username: server.username.clone(),
                password: server.password.clone(),
                ..node.clone()
            };
            Wire::open(&with, connect_timeout()).await?
        }
        other => other?,
    };
    let mut out = Vec::new();
    command(
        &mut out,
        &[b"SENTINEL", b"get-master-addr-by-name", master.as_bytes()],
    );
    wire.send(&out).await?;
    let reply = value(&wire.reply().await?, node)?;
    let Value::Array(items) = reply else {
        return Ok(None);
    };
    let text = |v: Option<&Value>| match v {
        Some(Value::BulkString(b)) => Some(String::from_utf8_lossy(b).into_owned()),
        _ => None,
    };
    let (Some(host), Some(port)) = (text(items.first()), text(items.get(1))) else {
        return Ok(None);
    };
    let port = port.parse::<u16>().map_err(|_| {
        Failure::Refused(format!(
            "{node}: the master's port `{}` is not a port",
            crate::text::clip(&port, 12)
        ))
    })?;
    Ok(Some((host, port)))
}
