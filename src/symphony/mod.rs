//! The wire: authentication, the pod and agent calls feedctl makes, the event model, and the
//! datafeed as a `feed::Source`. Knows nothing of journals, terminals or commands.

pub mod auth;
pub mod check;
pub mod client;
pub mod datafeed;
mod error;
pub mod event;
pub mod http;
pub mod source;

pub use client::Client;
pub use error::{ApiError, TransportKind};
pub use event::Event;
