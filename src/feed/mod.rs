//! Following a feed: the read loop with the kits' error handling (DESIGN §4, notes §6), feed
//! choice, and the cursor. Knows the wire, not terminals or journals: callers get chunks and
//! notices and decide what to print or store.

mod backoff;
mod follower;

pub use backoff::Backoff;
pub use follower::{Chunk, FeedChoice, FeedError, FollowOptions, Follower, Notice, DEFAULT_TAG};
