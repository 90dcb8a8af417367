//! feedctl as a library: the layers the binary wires together, exposed so integration tests
//! can start the emulator in-process and use the event model.

pub mod cli;
pub mod commands;
pub mod complete;
pub mod config;
pub mod consume;
pub mod exit;
pub mod feed;
pub mod generate;
pub mod journal;
pub mod keys;
pub mod output;
pub mod recorder;
pub mod redis;
pub mod replay;
pub mod salesforce;
pub mod serve;
pub mod sources;
pub mod stderr;
pub mod symphony;
pub mod text;

/// A hash map for keys feedctl makes itself (event ids, rows) on per-event paths, where
/// SipHash's resistance to chosen keys buys nothing and showed in profiles.
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
