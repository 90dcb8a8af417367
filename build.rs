//! Generates the Salesforce Pub/Sub API's messages and gRPC service from the vendored
//! `proto/pubsub_api.proto`. The proto is parsed in Rust by `protox`, so building feedctl
//! needs no `protoc` (docs/architecture.md, "Generated gRPC code").

// Cargo reads a build script's instructions from its stdout.
#![allow(clippy::disallowed_macros)]

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proto = "proto/pubsub_api.proto";
    println!("cargo:rerun-if-changed={proto}");
    let descriptors = protox::compile([proto], ["proto"])?;
    tonic_prost_build::configure()
        .build_server(true)
        // The client of the `sfpubsub://` source; no transport: it brings its own channel.
        .build_client(true)
        .build_transport(false)
        // The proto's comments are not Markdown; as doc comments their indented lines would
        // become doctests. The proto file is their documentation.
        .disable_comments(["."])
        .emit_rerun_if_changed(false)
        .compile_fds(descriptors)?;
    Ok(())
}
