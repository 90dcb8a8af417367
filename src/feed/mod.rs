//! The seam every source plugs into (DESIGN §1, §4a): a [`Source`] hands out [`Chunk`]s, one
//! delivery each, with the cursor before and after, per partition; [`follow`] is the one loop
//! that `tail`, `record` and `demo` run over any source.
//!
//! Why a trait with associated types and not an enum of sources: each source keeps its own event
//! type (a Symphony `V4Event`, a Redis entry, a Bayeux message) and its own acknowledgement (a DF v2
//! ackId, Redis entry ids to `XACK`, nothing for Salesforce), and the loop is generic over them,
//! so it never names a concrete source. The one place that does is `crate::sources`, where a
//! SOURCE description from the command line is opened.
//!
//! Commit before ack is carried by the types: a source accepts an acknowledgement only as a
//! [`Committed`], and only the follow loop can make one, after the [`Keeper`] (the journal, or the
//! printer) said it kept the chunk.
//!
//! Knows the rules of following, not terminals, journals or any wire.

mod backoff;
mod envelope;
mod follow;
mod shown;
mod source;

pub use backoff::Backoff;
pub use envelope::Envelope;
pub use follow::{follow, Ended, Keeper, Next, Stop};
pub use shown::{Delivery, Shown};
pub use source::{
    Ack, AckColumns, Chunk, Columns, Committed, Cursor, ErrorClass, FeedEvent, Notice, Source,
    SourceError,
};
