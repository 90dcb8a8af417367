//! `redis+sentinel://`: a master, its replica and one sentinel (Debian's redis-server run with
//! `--sentinel`), each on a free loopback port and stopped by PID (Drop). The master is found,
//! and a failover (`SENTINEL FAILOVER`) under `record --group` is followed with nothing lost.

use std::collections::HashSet;
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// One redis-server process (data node or sentinel), killed by PID when dropped.
struct Node {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Node {
    fn conn(&self) -> redis::Connection {
        self.conn_with(None)
    }

    fn conn_with(&self, password: Option<&str>) -> redis::Connection {
        let auth = password.map(|p| format!(":{p}@")).unwrap_or_default();
        let client =
            redis::Client::open(format!("redis://{auth}127.0.0.1:{}/", self.port)).unwrap();
        client
            .get_connection_with_timeout(Duration::from_secs(5))
            .unwrap()
    }
}

/// Starts redis-server with `args` (a sentinel: its config file and `--sentinel`), after
/// `config` is written into its directory as `node.conf`; waits (5 s at most) until it answers.
fn start(config: impl Fn(u16, &std::path::Path) -> String, sentinel: bool) -> Node {
    start_with(config, sentinel, None)
}

/// [`start`] for a node that requires `password`.
fn start_with(
    config: impl Fn(u16, &std::path::Path) -> String,
    sentinel: bool,
    password: Option<&str>,
) -> Node {
    let auth = password.map(|p| format!(":{p}@")).unwrap_or_default();
    for _ in 0..5 {
        let port = free_port();
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("node.conf");
        std::fs::write(&conf, config(port, dir.path())).unwrap();
        let mut cmd = StdCommand::new("redis-server");
        cmd.arg(&conf);
        if sentinel {
            cmd.arg("--sentinel");
        }
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server");
        let node = Node {
            child,
            port,
            _dir: dir,
        };
        let answers = wait_for(Duration::from_secs(5), || {
            redis::Client::open(format!("redis://{auth}127.0.0.1:{port}/"))
                .and_then(|c| c.get_connection_with_timeout(Duration::from_millis(300)))
                .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c))
                .is_ok()
        });
        if answers {
            return node;
        }
    }
    panic!("redis-server did not start");
}

fn data_node(replica_of: Option<u16>) -> Node {
    start_with(
        |port, dir| {
            let mut c = format!(
                "port {port}\nbind 127.0.0.1\nsave \"\"\nappendonly no\ndir {}\n",
                dir.display()
            );
            if let Some(m) = replica_of {
                c.push_str(&format!("replicaof 127.0.0.1 {m}\n"));
            }
            c
        },
        false,
        None,
    )
}

/// A master, its replica (in sync) and one sentinel that knows both (quorum 1).
struct Setup {
    nodes: Vec<Node>,
    sentinel: Node,
}

impl Setup {
    fn start() -> Option<Setup> {
        if !tools_installed(&["redis-server"]) {
            return None;
        }
        let master = data_node(None);
        let replica = data_node(Some(master.port));
        let mut rc = replica.conn();
        assert!(
            wait_for(Duration::from_secs(10), || {
                redis::cmd("INFO")
                    .arg("replication")
                    .query::<String>(&mut rc)
                    .map(|i| i.contains("master_link_status:up"))
                    .unwrap_or(false)
            }),
            "the replica synced"
        );
        let mport = master.port;
        let sentinel = start(
            |port, dir| {
                format!(
                    "port {port}\nbind 127.0.0.1\ndir {}\n\
                     sentinel monitor mymaster 127.0.0.1 {mport} 1\n\
                     sentinel down-after-milliseconds mymaster 1000\n\
                     sentinel failover-timeout mymaster 4000\n",
                    dir.display()
                )
            },
            true,
        );
        let setup = Setup {
            nodes: vec![master, replica],
            sentinel,
        };
        let mut sc = setup.sentinel.conn();
        assert!(
            wait_for(Duration::from_secs(15), || {
                redis::cmd("SENTINEL")
                    .arg("replicas")
                    .arg("mymaster")
                    .query::<Vec<redis::Value>>(&mut sc)
                    .map(|r| !r.is_empty())
                    .unwrap_or(false)
            }),
            "the sentinel found the replica"
        );
        Some(setup)
    }

    fn url(&self, key: &str) -> String {
        format!(
            "redis+sentinel://127.0.0.1:{}/mymaster/{key}",
            self.sentinel.port
        )
    }

    /// The master's port, as the sentinel names it.
    fn master_port(&self) -> u16 {
        let (_, port): (String, u16) = redis::cmd("SENTINEL")
            .arg("get-master-addr-by-name")
            .arg("mymaster")
            .query(&mut self.sentinel.conn())
            .unwrap();
        port
    }

    fn master(&self) -> redis::Connection {
        let port = self.master_port();
        self.nodes.iter().find(|n| n.port == port).unwrap().conn()
    }
}

fn xadd(c: &mut redis::Connection, key: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            redis::cmd("XADD")
                .arg(key)
                .arg("*")
                .arg("n")
                .arg(i)
                .query(c)
                .unwrap()
        })
        .collect()
}

fn exported_ids(sb: &Sandbox, journal: &str) -> Vec<String> {
    sb.exported_events(journal)
        .iter()
        .filter_map(|e| e["id"].as_str().map(str::to_string))
        .collect()
}

/// `tail`, `record`, `replay --to` and `consume` reach the master through the sentinel; the
/// URL is shown without its password.
#[test]
fn redis_sentinel_url_reaches_the_master_for_every_command() {
    let Some(s) = Setup::start() else {
        return;
    };
    let ids = xadd(&mut s.master(), "s", 20);
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args(["tail", &s.url("s"), "--from", "beginning", "--exit-at-end"])
        .args(["-o", "ndjson"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out).lines().count(), 20);

    let out = sb
        .cmd()
        .args(["record", "-j", "j.db", &s.url("s"), "--exit-at-end"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(exported_ids(&sb, "j.db"), ids);

    let out = sb
        .cmd()
        .args(["-q", "replay", "-j", "j.db", "--to", &s.url("copy")])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let copied: usize = redis::cmd("XLEN")
        .arg("copy")
        .query(&mut s.master())
        .unwrap();
    assert_eq!(copied, 20, "replay --to wrote on the master");

    let out = sb
        .cmd()
        .args(["consume", &s.url("s"), "--group", "g", "--exec", "true"])
        .args(["--exit-when-idle", "1s"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let pending: redis::Value = redis::cmd("XPENDING")
        .arg("s")
        .arg("g")
        .query(&mut s.master())
        .unwrap();
    match pending {
        redis::Value::Array(v) => assert_eq!(v[0], redis::Value::Int(0), "all handled"),
        other => panic!("XPENDING: {other:?}"),
    }
    let groups: Vec<redis::Value> = redis::cmd("XINFO")
        .arg("GROUPS")
        .arg("s")
        .query(&mut s.master())
        .unwrap();
    assert_eq!(groups.len(), 1, "consume made its group on the master");

    // The password applies to the master (none is set here: AUTH fails there, exit 3) and is
    // never shown.
    let url = format!(
        "redis+sentinel://app:sekrit-pw-7@127.0.0.1:{}/mymaster/s",
        s.sentinel.port
    );
    let out = sb
        .cmd()
        .args(["-vvv", "tail", &url, "--exit-at-end"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let all = format!("{}{}", stdout_of(&out), stderr_of(&out));
    assert!(!all.contains("sekrit-pw-7"), "{all}");
    assert_eq!(out.status.code(), Some(3), "{all}");

    // A master name the sentinel does not know: retried until --connection-timeout, exit 4.
    let url = format!("redis+sentinel://127.0.0.1:{}/nosuch/s", s.sentinel.port);
    let out = sb
        .cmd()
        .args(["tail", &url, "--connection-timeout", "2s"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("does not know master `nosuch`"),
        "{}",
        stderr_of(&out)
    );

    // A name whose address is a replica (what a demoted master is until the sentinels catch
    // up): ROLE says so, and it is never read from or written to as a master.
    let replica = s.nodes.iter().find(|n| n.port != s.master_port()).unwrap();
    let _: () = redis::cmd("SENTINEL")
        .arg("MONITOR")
        .arg("stale")
        .arg("127.0.0.1")
        .arg(replica.port)
        .arg(1)
        .query(&mut s.sentinel.conn())
        .unwrap();
    let url = format!("redis+sentinel://127.0.0.1:{}/stale/s", s.sentinel.port);
    let out = sb
        .cmd()
        .args([
            "tail",
            &url,
            "--from",
            "beginning",
            "--connection-timeout",
            "2s",
        ])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr_of(&out));
    assert!(stdout_of(&out).is_empty(), "nothing read from a replica");
    assert!(
        stderr_of(&out).contains("is a slave"),
        "{}",
        stderr_of(&out)
    );
}

/// A sentinel with its own `requirepass`: asked again with the URL's credentials (the
/// master's, here the same password), and the master found.
#[test]
fn redis_sentinel_that_requires_a_password_is_given_the_urls() {
    if !tools_installed(&["redis-server"]) {
        return;
    }
    let pw = "shared-pw-9";
    let master = start_with(
        |port, dir| {
            format!(
                "port {port}\nbind 127.0.0.1\nsave \"\"\nappendonly no\ndir {}\nrequirepass {pw}\n",
                dir.display()
            )
        },
        false,
        Some(pw),
    );
    let mport = master.port;
    let sentinel = start_with(
        |port, dir| {
            format!(
                "port {port}\nbind 127.0.0.1\ndir {}\nrequirepass {pw}\n\
                 sentinel monitor mymaster 127.0.0.1 {mport} 1\n\
                 sentinel auth-pass mymaster {pw}\n",
                dir.display()
            )
        },
        true,
        Some(pw),
    );
    let ids = xadd(&mut master.conn_with(Some(pw)), "s", 5);
    let sb = Sandbox::new();
    let url = format!(
        "redis+sentinel://:{pw}@127.0.0.1:{}/mymaster/s",
        sentinel.port
    );
    let out = sb
        .cmd()
        .args(["-vvv", "tail", &url, "--from", "beginning", "--exit-at-end"])
        .args(["-o", "ndjson", "--connection-timeout", "5s"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(stdout_of(&out).lines().count(), ids.len());
    assert!(!err.contains(pw), "{err}");
}

/// A failover while `record --group` runs: the entries added before it (acknowledged by the
/// replica too, WAIT 1) and after it on the new master are all recorded, once each.
#[test]
fn redis_sentinel_failover_is_followed_by_record_group_with_nothing_lost() {
    let Some(s) = Setup::start() else {
        return;
    };
    let old = s.master_port();
    let mut m = s.master();
    let mut ids = xadd(&mut m, "jobs", 50);
    let synced: i64 = redis::cmd("WAIT").arg(1).arg(5000).query(&mut m).unwrap();
    assert_eq!(synced, 1, "the replica has the first entries");
    let sb = Sandbox::new();
    let mut rec = sb.spawn(&[
        "record",
        "-j",
        "j.db",
        "--group",
        "g",
        "--consumer",
        "rec",
        &s.url("jobs"),
        "--duration",
        "50s",
    ]);
    let has_all = |sb: &Sandbox, want: &[String]| {
        let got = exported_ids(sb, "j.db");
        got.iter().collect::<HashSet<_>>() == want.iter().collect::<HashSet<_>>()
    };
    assert!(
        wait_for(Duration::from_secs(15), || has_all(&sb, &ids)),
        "the entries before the failover recorded"
    );
    // A failover asked of the sentinel: it waits for the replica, then promotes it.
    let mut sc = s.sentinel.conn();
    assert!(
        wait_for(Duration::from_secs(15), || redis::cmd("SENTINEL")
            .arg("FAILOVER")
            .arg("mymaster")
            .query::<String>(&mut sc)
            .is_ok()),
        "SENTINEL FAILOVER accepted"
    );
    assert!(
        wait_for(Duration::from_secs(15), || s.master_port() != old),
        "the sentinel names a new master"
    );
    let mut nm = s.master();
    assert!(
        wait_for(Duration::from_secs(10), || redis::cmd("ROLE")
            .query::<Vec<redis::Value>>(&mut nm)
            .map(|r| r.first() == Some(&redis::Value::BulkString(b"master".to_vec())))
            .unwrap_or(false)),
        "the new master is one"
    );
    ids.extend(xadd(&mut nm, "jobs", 50));
    let done = wait_for(Duration::from_secs(30), || has_all(&sb, &ids));
    let _ = rec.kill();
    let _ = rec.wait();
    let got = exported_ids(&sb, "j.db");
    assert!(
        done,
        "every entry recorded after the failover: {} of {}",
        got.iter().collect::<HashSet<_>>().len(),
        ids.len()
    );
    assert_eq!(got.len(), ids.len(), "each entry recorded once");
}

/// A failover while `consume` runs: every entry, before and after it, is handled (at least
/// once: an XACK that went to the old master only is delivered again).
#[test]
fn redis_sentinel_failover_is_followed_by_consume() {
    let Some(s) = Setup::start() else {
        return;
    };
    let old = s.master_port();
    let mut m = s.master();
    let mut ids = xadd(&mut m, "jobs", 30);
    let synced: i64 = redis::cmd("WAIT").arg(1).arg(5000).query(&mut m).unwrap();
    assert_eq!(synced, 1, "the replica has the first entries");
    let sb = Sandbox::new();
    let url = s.url("jobs");
    let mut worker = sb.spawn(&[
        "consume",
        &url,
        "--group",
        "g",
        "--consumer",
        "w",
        "--exec",
        "echo \"$FEEDCTL_EVENT_ID\" >> handled.txt",
        "--exit-when-idle",
        "50s",
    ]);
    let handled = |sb: &Sandbox| -> HashSet<String> {
        std::fs::read_to_string(sb.path().join("handled.txt"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    };
    let want = |ids: &[String]| ids.iter().cloned().collect::<HashSet<String>>();
    assert!(
        wait_for(Duration::from_secs(15), || handled(&sb) == want(&ids)),
        "the entries before the failover handled"
    );
    let mut sc = s.sentinel.conn();
    assert!(
        wait_for(Duration::from_secs(15), || redis::cmd("SENTINEL")
            .arg("FAILOVER")
            .arg("mymaster")
            .query::<String>(&mut sc)
            .is_ok()),
        "SENTINEL FAILOVER accepted"
    );
    assert!(
        wait_for(Duration::from_secs(15), || s.master_port() != old),
        "the sentinel names a new master"
    );
    let mut nm = s.master();
    assert!(
        wait_for(Duration::from_secs(10), || redis::cmd("ROLE")
            .query::<Vec<redis::Value>>(&mut nm)
            .map(|r| r.first() == Some(&redis::Value::BulkString(b"master".to_vec())))
            .unwrap_or(false)),
        "the new master is one"
    );
    ids.extend(xadd(&mut nm, "jobs", 30));
    let done = wait_for(Duration::from_secs(30), || handled(&sb) == want(&ids));
    let _ = worker.kill();
    let _ = worker.wait();
    assert!(
        done,
        "every entry handled after the failover: {} of {}",
        handled(&sb).len(),
        ids.len()
    );
}

/// The master killed (SIGKILL) while `record --group` runs: the sentinel promotes the replica,
/// feedctl leaves the dead address for the one the sentinel names, and the entries the replica
/// acknowledged before the kill (WAIT) and those added on the new master are all recorded,
/// once each.
#[test]
fn redis_sentinel_killed_master_is_followed_by_record_group_with_nothing_lost() {
    let Some(mut s) = Setup::start() else {
        return;
    };
    let old = s.master_port();
    let mut m = s.master();
    let mut ids = xadd(&mut m, "jobs", 30);
    let synced: i64 = redis::cmd("WAIT").arg(1).arg(1000).query(&mut m).unwrap();
    assert_eq!(synced, 1, "the replica has the first entries");
    let sb = Sandbox::new();
    let mut rec = sb.spawn(&[
        "record",
        "-j",
        "j.db",
        "--group",
        "g",
        "--consumer",
        "rec",
        &s.url("jobs"),
        "--duration",
        "45s",
        "--connection-timeout",
        "30s",
    ]);
    let has_all = |sb: &Sandbox, want: &[String]| {
        let got = exported_ids(sb, "j.db");
        got.iter().collect::<HashSet<_>>() == want.iter().collect::<HashSet<_>>()
    };
    assert!(
        wait_for(Duration::from_secs(10), || has_all(&sb, &ids)),
        "the entries before the kill recorded"
    );
    // More entries while record runs, just before the kill: only those the replica
    // acknowledged (WAIT) are owed.
    let late = xadd(&mut m, "jobs", 20);
    let synced: i64 = redis::cmd("WAIT").arg(1).arg(1000).query(&mut m).unwrap();
    if synced == 1 {
        ids.extend(late);
    }
    let at = s.nodes.iter().position(|n| n.port == old).unwrap();
    let dead = s.nodes.remove(at);
    let killed = Instant::now();
    drop(dead); // SIGKILL by PID, then reaped
    assert!(
        wait_for(Duration::from_secs(15), || s.master_port() != old),
        "the sentinel names a new master"
    );
    let mut nm = s.master();
    assert!(
        wait_for(Duration::from_secs(10), || redis::cmd("ROLE")
            .query::<Vec<redis::Value>>(&mut nm)
            .map(|r| r.first() == Some(&redis::Value::BulkString(b"master".to_vec())))
            .unwrap_or(false)),
        "the new master is one"
    );
    let promoted = killed.elapsed();
    ids.extend(xadd(&mut nm, "jobs", 30));
    let done = wait_for(Duration::from_secs(20), || has_all(&sb, &ids));
    let recorded = killed.elapsed();
    let _ = rec.kill();
    let _ = rec.wait();
    let got = exported_ids(&sb, "j.db");
    eprintln!("killed master: promoted after {promoted:?}, all recorded after {recorded:?}");
    assert!(
        done,
        "every entry recorded after the kill: {} of {}",
        got.iter().collect::<HashSet<_>>().len(),
        ids.len()
    );
    assert_eq!(got.len(), ids.len(), "each entry recorded once");
}
