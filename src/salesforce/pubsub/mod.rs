//! The Salesforce Pub/Sub API (gRPC, package `eventbus.v1`): its generated messages and
//! service, Avro payloads and replay ids. Shared by `serve --salesforce`'s emulator and a
//! Pub/Sub source (`source`: `sfpubsub://` topics for `tail` and `record`); knows nothing of
//! journals or terminals.

pub mod avro;
pub mod replay;
pub mod source;

/// The messages, server and client generated from the vendored `proto/pubsub_api.proto`
/// (Salesforce, CC0-1.0) by build.rs.
#[allow(clippy::all, clippy::pedantic, missing_docs, unreachable_pub)]
pub mod proto {
    include!(concat!(env!("OUT_DIR"), "/eventbus.v1.rs"));
}
