//! Integration tests: the real `feedctl` binary against the real emulator on 127.0.0.1:0.
//! One test binary (modules below) keeps link time down on small CI machines.

#![allow(clippy::disallowed_macros)] // tests print their own diagnostics

mod common;

mod aiosfstream;
mod auth;
mod bots;
mod completions;
mod config;
mod consume;
mod cursors;
mod datafeed;
mod demo;
mod edges;
mod envelope;
mod events;
mod faye;
mod harden;
mod help;
mod hopeit;
mod import;
mod init;
mod journal_figures;
mod journal_migrate;
mod pubsub;
mod pubsub_source;
mod readme;
mod record;
mod redis_bounds;
mod redis_cluster;
mod redis_sentinel;
mod redis_server;
mod redis_streams;
mod redis_tls;
mod replay;
mod runs;
mod salesforce;
mod salesforce_logins;
mod serve;
mod serve_lazy;
mod serve_stored;
mod small;
mod tail;
mod ticker;
