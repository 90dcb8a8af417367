//! `XINFO STREAM` without its first and last entries: only their ids and the stream's numbers
//! are used (the gap checks, where a plain read starts), and the entries can be as large as
//! the largest entry of the stream, twice over in every reply. A small script on the server
//! runs XINFO there and sends back the fields with each entry cut to its id; where scripts are
//! refused (an ACL without `@scripting`, a managed service that disables them), the reply of
//! XINFO itself is taken, entries and all, within the reply cap.

use std::sync::atomic::{AtomicBool, Ordering};

use ::redis::{Cmd, RedisError};

/// The fields of XINFO STREAM as they are, but `first-entry` and `last-entry` as `[id]`
/// (nil for an empty stream, as XINFO says).
const SCRIPT: &str = r#"local info = redis.call('XINFO', 'STREAM', KEYS[1])
local out = {}
for n = 1, #info, 2 do
  local name, value = info[n], info[n + 1]
  if (name == 'first-entry' or name == 'last-entry') and type(value) == 'table' then
    value = { value[1] }
  end
  out[#out + 1] = name
  out[#out + 1] = value
end
return out"#;

/// The server refused scripts once in this run: XINFO STREAM is sent as it is.
static REFUSED: AtomicBool = AtomicBool::new(false);

/// The command that gets a key's XINFO STREAM, first and last entries cut to their ids when
/// the server runs scripts.
pub fn command(key: &str) -> Cmd {
    if REFUSED.load(Ordering::Relaxed) {
        let mut cmd = ::redis::cmd("XINFO");
        cmd.arg("STREAM").arg(key);
        return cmd;
    }
    let mut cmd = ::redis::cmd("EVAL");
    cmd.arg(SCRIPT).arg(1).arg(key);
    cmd
}

/// The key does not exist (yet): XINFO's own error, also when it comes through the script.
pub fn no_such_key(e: &RedisError) -> bool {
    e.to_string().contains("no such key")
}

/// Whether `e`, the error of a [`command`], says that scripts are refused; if so, the next
/// commands are plain XINFO, and this one is to be sent again.
pub fn scripts_refused(e: &RedisError) -> bool {
    if REFUSED.load(Ordering::Relaxed) || no_such_key(e) {
        return false;
    }
    let code = e.code().unwrap_or_default();
    let text = e.to_string().to_ascii_lowercase();
    let refused = matches!(code, "NOPERM" | "NOSCRIPT")
        || text.contains("unknown command")
        || text.contains("script") && (text.contains("disabled") || text.contains("not allowed"));
    if refused {
        REFUSED.store(true, Ordering::Relaxed);
    }
    refused
}
