//! Redis Streams (DESIGN §4a, §4b): the stream URL, connections and what their errors mean,
//! the reader/consumer-group `Source`, the stored form of an entry, hopeit.engine's layout, and
//! the XADD sink of `replay --to`.
//!
//! Knows Redis and hopeit, not terminals, journals or the command line.

pub mod conn;
mod count;
pub mod entry;
pub mod guard;
pub mod hopeit;
mod info;
mod lz4;
mod plain;
pub mod schema;
mod sentinel;
pub mod source;
pub mod stored;
pub mod url;
pub mod value;
pub mod wire;

pub use entry::Entry;
pub use source::{Mode, Options, Start, StreamSource};
pub use url::{Server, StreamUrl};
