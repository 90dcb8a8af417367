//! `feedctl serve`: run the emulated pod until stopped.

use anyhow::{Context, Result};

use crate::cli::{Global, ServeArgs};
use crate::exit::{Exit, Fail};
use crate::serve::{self, FaultRule, HubSettings, ServeOptions};

pub async fn run(_g: &Global, args: &ServeArgs) -> Result<Exit> {
    let events = match &args.events {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Fail::usage(format!(
                    "cannot read the events file {}: {e}",
                    path.display()
                ))
            })?;
            serve::read_ndjson(&text)
                .map_err(|e| Fail::usage(format!("{}: {e}", path.display())))?
        }
        None => Vec::new(),
    };
    let public_key = match &args.public_key {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
            Fail::usage(format!(
                "cannot read the public key {}: {e}",
                path.display()
            ))
        })?),
        None => None,
    };
    let faults = args
        .faults
        .iter()
        .flat_map(|f| f.split(','))
        .filter(|f| !f.trim().is_empty())
        .map(|f| f.trim().parse::<FaultRule>().map_err(Fail::usage))
        .collect::<Result<Vec<_>, _>>()?;
    if !args.listen.ip().is_loopback() {
        tracing::warn!("serve listens on {}, which is reachable from other machines; it has no TLS and test credentials", args.listen);
    }
    let count = events.len();
    let server = serve::start(ServeOptions {
        listen: args.listen,
        events,
        public_key,
        bot_user_id: args.bot_user_id,
        bot_name: args.bot_name.clone(),
        skd: args.skd,
        hub: HubSettings {
            poll_timeout: args.poll_timeout,
            visibility_timeout: args.visibility_timeout,
            feed_ttl: args.feed_ttl,
            max_feeds: args.max_feeds,
            batch_size: args.batch_size.max(1),
        },
        faults,
        seed: args.seed,
        request_log: args.request_log.clone(),
        echo: true,
        ..ServeOptions::default()
    })
    .await
    .map_err(|e| Fail::usage(e.to_string()))?;
    // The base URL is the first line of stdout, so scripts and tests can read it.
    crate::output::line(&server.base_url);
    crate::output::note(&format!(
        "serve: emulated pod at {} with {count} event(s); stop with Ctrl-C",
        server.base_url
    ));
    let interrupted = wait_for_stop().await.context("waiting for a stop signal")?;
    server.stop().await;
    Ok(if interrupted {
        Exit::Interrupted
    } else {
        Exit::Success
    })
}

/// Waits for Ctrl-C (true) or SIGTERM (false).
async fn wait_for_stop() -> std::io::Result<bool> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.map(|_| true),
            _ = term.recv() => Ok(false),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.map(|_| true)
    }
}
