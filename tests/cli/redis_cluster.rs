//! Redis Cluster: 6 redis-server nodes (3 masters, 3 replicas) started by each test on free
//! loopback ports, each in its own directory (`nodes.conf`) and stopped by PID (Drop), formed
//! with `redis-cli --cluster create`. feedctl is given URLs that name a node which does not
//! own the key: it has to find the owner (MOVED/ASK), follow a failover (`CLUSTER FAILOVER`)
//! and a slot moved to another master, and write dead letters to a key on another master.
//!
//! The test's own commands go straight to the node that owns a slot (as `CLUSTER NODES` says,
//! following MOVED while the cluster changes), not through a cluster client.
//!
//! redis-server and redis-cli come from Debian's redis-server package (.ci/run installs it):
//! without them these tests say so and do nothing on a developer's machine, and fail under
//! CI=true.

use std::collections::{HashMap, HashSet};
use std::process::{Child, Command as StdCommand, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::*;

/// One cluster node: a redis-server killed by PID when dropped.
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

/// Waits for a child, at most `limit` (killed and failed past it); its exit code.
fn wait_exit(child: &mut Child, limit: Duration, what: &str) -> i32 {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(s) = child.try_wait().expect("wait") {
            return s.code().unwrap_or(-1);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not stop within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A free port whose cluster bus port (port + 10000) is free too.
fn free_port() -> u16 {
    loop {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        let port = l.local_addr().expect("port").port();
        if port > 55_000 {
            continue;
        }
        if std::net::TcpListener::bind(("127.0.0.1", port + 10_000)).is_ok() {
            return port;
        }
    }
}

fn connect(port: u16) -> redis::RedisResult<redis::Connection> {
    redis::Client::open(format!("redis://127.0.0.1:{port}/"))?
        .get_connection_with_timeout(Duration::from_secs(2))
}

fn conn(port: u16) -> redis::Connection {
    let c = connect(port).unwrap_or_else(|e| panic!("node {port}: {e}"));
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    c
}

/// A node in cluster mode, answering PING (5 s at most; another port if it does not).
fn start_node() -> Node {
    for _ in 0..5 {
        let port = free_port();
        let dir = tempfile::tempdir().unwrap();
        let child = StdCommand::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--cluster-enabled", "yes"])
            .args(["--cluster-config-file", "nodes.conf"])
            .args(["--cluster-node-timeout", "1000"])
            .args(["--save", "", "--appendonly", "no"])
            // Replicas sync at once, not after the default 5 s wait for more of them.
            .args(["--repl-diskless-sync-delay", "0"])
            .arg("--dir")
            .arg(dir.path())
            .current_dir(dir.path())
            .stdin(Stdio::null())
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
            connect(port)
                .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c))
                .is_ok()
        });
        if answers {
            return node;
        }
    }
    panic!("redis-server did not start");
}

/// A line of `CLUSTER NODES`.
#[derive(Debug, Clone)]
struct NodeInfo {
    id: String,
    port: u16,
    master: bool,
    failed: bool,
    /// The master's id, for a replica.
    of: Option<String>,
    slots: Vec<(u16, u16)>,
}

fn cluster_nodes(port: u16) -> redis::RedisResult<Vec<NodeInfo>> {
    let text: String = redis::cmd("CLUSTER")
        .arg("NODES")
        .query(&mut connect(port)?)?;
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let addr = f[1].split('@').next().unwrap();
            let port = addr.rsplit(':').next().unwrap().parse().unwrap_or(0);
            let slots = f[8..]
                .iter()
                .filter(|s| !s.starts_with('['))
                .map(|s| match s.split_once('-') {
                    Some((a, b)) => (a.parse().unwrap(), b.parse().unwrap()),
                    None => (s.parse().unwrap(), s.parse().unwrap()),
                })
                .collect();
            NodeInfo {
                id: f[0].to_string(),
                port,
                master: f[2].contains("master"),
                failed: f[2].contains("fail"),
                of: (f[3] != "-").then(|| f[3].to_string()),
                slots,
            }
        })
        .collect())
}

/// Six nodes formed into a cluster of 3 masters with a replica each.
struct Cluster {
    nodes: Vec<Node>,
    /// Ports of the nodes killed by [`Cluster::kill_master`].
    killed: Mutex<HashSet<u16>>,
}

impl Cluster {
    fn start() -> Option<Cluster> {
        if !tools_installed(&["redis-server", "redis-cli"]) {
            return None;
        }
        let started = Instant::now();
        let cluster = Cluster {
            nodes: (0..6).map(|_| start_node()).collect(),
            killed: Mutex::new(HashSet::new()),
        };
        let mut create = StdCommand::new("redis-cli");
        create.args(["--cluster", "create"]);
        for n in &cluster.nodes {
            create.arg(format!("127.0.0.1:{}", n.port));
        }
        let mut child = create
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-cli");
        assert_eq!(
            wait_exit(
                &mut child,
                Duration::from_secs(30),
                "redis-cli --cluster create"
            ),
            0,
            "redis-cli --cluster create"
        );
        assert!(
            wait_for(Duration::from_secs(20), || cluster.settled()),
            "the cluster is ok on every node"
        );
        // Every replica synced, and known as one by the node the fixture asks (gossip spreads
        // the replicas' roles after cluster_state:ok; a busy machine showed the lag).
        assert!(
            wait_for(Duration::from_secs(20), || {
                let masters = cluster.masters();
                masters.len() == 3
                    && masters.iter().all(|m| cluster.replica(*m).is_some())
                    && cluster
                        .ports()
                        .iter()
                        .filter(|p| !cluster.is_master(**p))
                        .all(|p| Self::info(*p, "replication").contains("master_link_status:up"))
            }),
            "every replica synced"
        );
        let masters = cluster.masters();
        assert_eq!(masters.len(), 3, "3 masters");
        for m in masters {
            cluster.replica_of(m);
        }
        eprintln!("cluster of 6 formed in {:?}", started.elapsed());
        Some(cluster)
    }

    /// The ports of the nodes still running.
    fn ports(&self) -> Vec<u16> {
        let killed = self.killed.lock().unwrap();
        self.nodes
            .iter()
            .map(|n| n.port)
            .filter(|p| !killed.contains(p))
            .collect()
    }

    fn info(port: u16, section: &str) -> String {
        connect(port)
            .and_then(|mut c| redis::cmd("INFO").arg(section).query::<String>(&mut c))
            .unwrap_or_default()
    }

    /// Every node says cluster_state:ok and names the same 3 masters covering every slot.
    fn settled(&self) -> bool {
        let mut views = Vec::new();
        for p in self.ports() {
            let ok = connect(p)
                .and_then(|mut c| redis::cmd("CLUSTER").arg("INFO").query::<String>(&mut c))
                .map(|i| i.contains("cluster_state:ok"))
                .unwrap_or(false);
            if !ok {
                return false;
            }
            let Ok(nodes) = cluster_nodes(p) else {
                return false;
            };
            let mut owners: Vec<(u16, u16, u16)> = nodes
                .iter()
                .filter(|n| n.master && !n.failed)
                .flat_map(|n| n.slots.iter().map(move |s| (s.0, s.1, n.port)))
                .collect();
            owners.sort();
            let covered: u32 = owners.iter().map(|s| (s.1 - s.0) as u32 + 1).sum();
            if covered != 16384 || nodes.len() != self.nodes.len() {
                return false;
            }
            views.push(owners);
        }
        views.windows(2).all(|w| w[0] == w[1])
    }

    fn topology(&self) -> Vec<NodeInfo> {
        for p in self.ports() {
            if let Ok(t) = cluster_nodes(p) {
                return t;
            }
        }
        panic!("no node answers CLUSTER NODES");
    }

    fn is_master(&self, port: u16) -> bool {
        self.topology().iter().any(|n| n.port == port && n.master)
    }

    fn masters(&self) -> Vec<u16> {
        let mut m: Vec<u16> = self
            .topology()
            .iter()
            .filter(|n| n.master && !n.failed && !n.slots.is_empty())
            .map(|n| n.port)
            .collect();
        m.sort();
        m
    }

    fn slot(&self, key: &str) -> u16 {
        redis::cmd("CLUSTER")
            .arg("KEYSLOT")
            .arg(key)
            .query(&mut conn(self.ports()[0]))
            .unwrap()
    }

    /// The port of the master that owns `key`'s slot.
    fn master_of(&self, key: &str) -> u16 {
        let slot = self.slot(key);
        self.topology()
            .iter()
            .find(|n| n.master && !n.failed && n.slots.iter().any(|s| s.0 <= slot && slot <= s.1))
            .unwrap_or_else(|| panic!("no master owns slot {slot}"))
            .port
    }

    /// The port of `master`'s replica.
    fn replica_of(&self, master: u16) -> u16 {
        self.replica(master)
            .unwrap_or_else(|| panic!("{master} has no replica"))
    }

    /// The port of `master`'s replica, if it has one still running.
    fn replica(&self, master: u16) -> Option<u16> {
        let t = self.topology();
        let id = &t.iter().find(|n| n.port == master)?.id;
        t.iter()
            .find(|n| n.of.as_ref() == Some(id) && !n.failed)
            .map(|n| n.port)
    }

    fn id_of(&self, port: u16) -> String {
        self.topology()
            .into_iter()
            .find(|n| n.port == port)
            .unwrap()
            .id
    }

    /// A node that neither owns `key` nor replicates its owner: a URL naming it works only
    /// when feedctl finds the owner itself.
    fn other_node(&self, key: &str) -> u16 {
        let owner = self.master_of(key);
        let replica = self.replica(owner).unwrap_or(owner);
        let killed = self.killed.lock().unwrap().clone();
        let t: Vec<NodeInfo> = self
            .topology()
            .into_iter()
            .filter(|n| !n.failed && !killed.contains(&n.port))
            .collect();
        // A replica of another master: it answers MOVED for every key, as masters do.
        t.iter()
            .find(|n| !n.master && n.port != replica)
            .or_else(|| t.iter().find(|n| n.port != owner && n.port != replica))
            .unwrap()
            .port
    }

    /// `redis://` naming a node that is not `key`'s owner (nor its replica).
    fn url(&self, key: &str) -> String {
        format!("redis://127.0.0.1:{}/{key}", self.other_node(key))
    }

    /// The first `{prefix}-{suffix}` names, one owned by each master (in the order of
    /// [`Cluster::masters`]).
    fn key_per_master(&self, prefix: &str) -> Vec<String> {
        let masters = self.masters();
        let mut keys: Vec<Option<String>> = vec![None; masters.len()];
        for c in "abcdefghijklmnopqrstuvwxyz".chars().chain('0'..='9') {
            let key = format!("{prefix}-{c}");
            let at = masters.iter().position(|m| *m == self.master_of(&key));
            if let Some(i) = at {
                if keys[i].is_none() {
                    keys[i] = Some(key);
                }
            }
            if keys.iter().all(Option::is_some) {
                return keys.into_iter().map(Option::unwrap).collect();
            }
        }
        panic!("no key per master for {prefix}");
    }

    /// A `{prefix}-N` whose `KEY:dead` lives on another master than KEY.
    fn key_with_dead_letters_elsewhere(&self, prefix: &str) -> String {
        (0..100)
            .map(|i| format!("{prefix}-{i}"))
            .find(|k| self.master_of(k) != self.master_of(&format!("{k}:dead")))
            .expect("a key whose :dead is on another master")
    }

    /// Runs `f` on the owner of `key`, following MOVED (a failover or a moved slot) for 15 s.
    fn on_owner<T>(
        &self,
        key: &str,
        mut f: impl FnMut(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> T {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut port = self.master_of(key);
        loop {
            let err = match connect(port).and_then(|mut c| f(&mut c)) {
                Ok(v) => return v,
                Err(e) => e,
            };
            assert!(Instant::now() < deadline, "{key} on {port}: {err}");
            match err.redirect_node() {
                Some((addr, _)) => port = addr.rsplit(':').next().unwrap().parse().unwrap(),
                None => {
                    std::thread::sleep(Duration::from_millis(100));
                    port = self.master_of(key);
                }
            }
        }
    }

    /// `n` entries added to `key` on its owner (fields `n` and `key`); their ids.
    fn xadd(&self, key: &str, n: usize) -> Vec<String> {
        (0..n).map(|i| self.xadd_one(key, i, &[])).collect()
    }

    /// One entry (`n`=`i`, `key`, then `extra`), on the owner whoever it is by now.
    fn xadd_one(&self, key: &str, i: usize, extra: &[(&str, &str)]) -> String {
        self.on_owner(key, |c| {
            let mut cmd = redis::cmd("XADD");
            cmd.arg(key).arg("*").arg("n").arg(i).arg("key").arg(key);
            for (k, v) in extra {
                cmd.arg(*k).arg(*v);
            }
            cmd.query(c)
        })
    }

    /// Every entry of `key` (id, field pairs), read on its owner.
    fn entries(&self, key: &str) -> Vec<(String, Vec<(String, String)>)> {
        let v: Vec<(String, Vec<String>)> = self.on_owner(key, |c| {
            redis::cmd("XRANGE").arg(key).arg("-").arg("+").query(c)
        });
        v.into_iter()
            .map(|(id, flat)| {
                let pairs = flat
                    .chunks(2)
                    .map(|kv| (kv[0].clone(), kv[1].clone()))
                    .collect();
                (id, pairs)
            })
            .collect()
    }

    fn xlen(&self, key: &str) -> usize {
        self.on_owner(key, |c| redis::cmd("XLEN").arg(key).query(c))
    }

    /// The group's pending entries (XPENDING's count), on the key's owner.
    fn pending(&self, key: &str, group: &str) -> i64 {
        let v: redis::Value =
            self.on_owner(key, |c| redis::cmd("XPENDING").arg(key).arg(group).query(c));
        match v {
            redis::Value::Array(a) => match a.first() {
                Some(redis::Value::Int(n)) => *n,
                other => panic!("XPENDING: {other:?}"),
            },
            other => panic!("XPENDING: {other:?}"),
        }
    }

    /// `CLUSTER FAILOVER` on `master`'s replica; waits until it is the master and every node
    /// agrees (cluster_state:ok everywhere). The new master's port.
    fn failover(&self, master: u16) -> u16 {
        let replica = self.replica_of(master);
        let asked = Instant::now();
        let _: String = redis::cmd("CLUSTER")
            .arg("FAILOVER")
            .query(&mut conn(replica))
            .expect("CLUSTER FAILOVER");
        assert!(
            wait_for(Duration::from_secs(15), || {
                connect(replica)
                    .and_then(|mut c| redis::cmd("ROLE").query::<Vec<redis::Value>>(&mut c))
                    .map(|r| r.first() == Some(&redis::Value::BulkString(b"master".to_vec())))
                    .unwrap_or(false)
            }),
            "the replica {replica} of {master} became a master"
        );
        assert!(
            wait_for(Duration::from_secs(15), || self.settled()
                && self.masters().contains(&replica)
                && !self.masters().contains(&master)),
            "every node sees {replica} as the master"
        );
        eprintln!("failover {master} -> {replica} in {:?}", asked.elapsed());
        replica
    }

    /// Kills `master` (SIGKILL by PID); waits until its replica is promoted (after
    /// cluster-node-timeout) and every node left agrees. The new master's port.
    fn kill_master(&self, master: u16) -> u16 {
        let replica = self.replica_of(master);
        let node = self.nodes.iter().find(|n| n.port == master).unwrap();
        unsafe { libc::kill(node.child.id() as i32, libc::SIGKILL) };
        self.killed.lock().unwrap().insert(master);
        let killed = Instant::now();
        assert!(
            wait_for(Duration::from_secs(20), || self.settled()
                && self.masters().contains(&replica)),
            "the replica {replica} of the killed {master} was promoted"
        );
        eprintln!(
            "killed master {master}: {replica} promoted in {:?}",
            killed.elapsed()
        );
        replica
    }

    /// Moves `key`'s slot to the master `to` (SETSLOT IMPORTING/MIGRATING, MIGRATE, SETSLOT
    /// NODE everywhere). Between the MIGRATE and the SETSLOT NODE, for `ask_window`, the key is
    /// on `to` while its old owner still owns the slot (it answers ASK), and `during` runs.
    fn move_slot(&self, key: &str, to: u16, ask_window: Duration, during: impl FnOnce()) {
        let slot = self.slot(key);
        let from = self.master_of(key);
        assert_ne!(from, to);
        let (from_id, to_id) = (self.id_of(from), self.id_of(to));
        let setslot = |port: u16, how: &str, id: &str| {
            let _: () = redis::cmd("CLUSTER")
                .arg("SETSLOT")
                .arg(slot)
                .arg(how)
                .arg(id)
                .query(&mut conn(port))
                .unwrap_or_else(|e| panic!("SETSLOT {slot} {how} on {port}: {e}"));
        };
        setslot(to, "IMPORTING", &from_id);
        setslot(from, "MIGRATING", &to_id);
        let mut src = conn(from);
        loop {
            let keys: Vec<String> = redis::cmd("CLUSTER")
                .arg("GETKEYSINSLOT")
                .arg(slot)
                .arg(100)
                .query(&mut src)
                .unwrap();
            if keys.is_empty() {
                break;
            }
            let _: () = redis::cmd("MIGRATE")
                .arg("127.0.0.1")
                .arg(to)
                .arg("")
                .arg(0)
                .arg(5000)
                .arg("KEYS")
                .arg(&keys)
                .query(&mut src)
                .expect("MIGRATE");
        }
        let window = Instant::now();
        during();
        if let Some(left) = ask_window.checked_sub(window.elapsed()) {
            std::thread::sleep(left);
        }
        setslot(to, "NODE", &to_id);
        setslot(from, "NODE", &to_id);
        for m in self.masters() {
            if m != to && m != from {
                setslot(m, "NODE", &to_id);
            }
        }
        assert!(
            wait_for(Duration::from_secs(15), || self.settled()
                && self.master_of(key) == to),
            "every node sees slot {slot} on {to}"
        );
    }

    /// One entry added to `key` on `port` during a migration (ASKING first: the slot is
    /// importing there).
    fn xadd_asking(&self, port: u16, key: &str, i: usize) -> String {
        let mut c = conn(port);
        let (_, id): ((), String) = redis::pipe()
            .cmd("ASKING")
            .cmd("XADD")
            .arg(key)
            .arg("*")
            .arg("n")
            .arg(i)
            .arg("key")
            .arg(key)
            .query(&mut c)
            .expect("ASKING XADD");
        id
    }
}

/// (stream, id) of every event `journal export` gives, in its order.
fn exported(sb: &Sandbox, journal: &str) -> Vec<(String, String)> {
    sb.exported_events(journal)
        .iter()
        .filter_map(|e| Some((e["stream"].as_str()?.into(), e["id"].as_str()?.into())))
        .collect()
}

fn ids_of(got: &[(String, String)], key: &str) -> Vec<String> {
    got.iter()
        .filter(|(k, _)| k == key)
        .map(|(_, id)| id.clone())
        .collect()
}

fn set(ids: &[String]) -> HashSet<String> {
    ids.iter().cloned().collect()
}

/// A producer in the background, adding one entry to `key` every `every` until stopped; the
/// ids it added.
struct Producer {
    stop: Arc<AtomicBool>,
    ids: Arc<Mutex<Vec<String>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Producer {
    fn start(
        cluster: &Arc<Cluster>,
        key: &str,
        first: usize,
        every: Duration,
        extra: fn(usize) -> Vec<(&'static str, &'static str)>,
    ) -> Producer {
        let stop = Arc::new(AtomicBool::new(false));
        let ids = Arc::new(Mutex::new(Vec::new()));
        let (c, k, s, out) = (cluster.clone(), key.to_string(), stop.clone(), ids.clone());
        let thread = std::thread::spawn(move || {
            let mut i = first;
            while !s.load(Ordering::SeqCst) {
                let id = c.xadd_one(&k, i, &extra(i));
                out.lock().unwrap().push(id);
                i += 1;
                std::thread::sleep(every);
            }
        });
        Producer {
            stop,
            ids,
            thread: Some(thread),
        }
    }

    fn finish(mut self) -> Vec<String> {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.take().unwrap().join().expect("producer");
        self.ids.lock().unwrap().clone()
    }
}

/// Whether `child` has ended (a wait on it then gives up early).
fn ended(child: &mut Child) -> bool {
    matches!(child.try_wait(), Ok(Some(_)))
}

/// Sends `sig` to `child` unless it has ended (and been reaped: its PID is no longer ours).
fn signal(child: &mut Child, sig: i32) {
    if !ended(child) {
        unsafe { libc::kill(child.id() as i32, sig) };
    }
}

fn log_of(sb: &Sandbox, log: &str) -> String {
    std::fs::read_to_string(sb.path().join(log)).unwrap_or_default()
}

fn no_extra(_: usize) -> Vec<(&'static str, &'static str)> {
    Vec::new()
}

/// One `record` given three URLs naming one replica (which owns no slot), the keys on the
/// three masters: it reads every entry of every key, and the journal has each once.
#[test]
fn redis_cluster_record_reads_keys_on_every_master_from_a_url_naming_any_node() {
    let Some(c) = Cluster::start() else {
        return;
    };
    let keys = c.key_per_master("orders");
    let owners: HashSet<u16> = keys.iter().map(|k| c.master_of(k)).collect();
    assert_eq!(owners.len(), 3, "one key per master: {keys:?}");
    let want: HashMap<String, Vec<String>> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.clone(), c.xadd(k, 200 + 100 * i)))
        .collect();
    let sb = Sandbox::new();
    // Every URL names the same replica, which owns no slot: each key is elsewhere.
    let replica = c.replica_of(c.masters()[0]);
    let urls: Vec<String> = keys
        .iter()
        .map(|k| format!("redis://127.0.0.1:{replica}/{k}"))
        .collect();
    let out = sb
        .cmd()
        .args(["record", "-j", "j.db"])
        .args(&urls)
        .args(["--exit-at-end", "--connection-timeout", "10s"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let got = exported(&sb, "j.db");
    assert_eq!(
        got.len(),
        want.values().map(Vec::len).sum::<usize>(),
        "each entry once"
    );
    for k in &keys {
        assert_eq!(&ids_of(&got, k), &want[k], "every entry of {k}, in order");
    }
}

/// `tail` on a URL naming another node prints the key's entries; `replay --to` a key owned by
/// another master writes every entry there, fields and order kept.
#[test]
fn redis_cluster_tail_and_replay_to_a_key_on_another_node() {
    let Some(c) = Cluster::start() else {
        return;
    };
    let keys = c.key_per_master("feed");
    let (src, dst) = (&keys[0], &keys[1]);
    assert_ne!(c.master_of(src), c.master_of(dst));
    let ids = c.xadd(src, 300);
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args(["tail", &c.url(src), "--from", "beginning", "--exit-at-end"])
        .args(["-o", "ndjson", "--connection-timeout", "10s"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let printed: Vec<String> = stdout_of(&out)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            assert_eq!(v["partition"], src.as_str());
            assert_eq!(v["event"]["stream"], src.as_str());
            assert_eq!(v["eventId"], v["event"]["id"]);
            v["eventId"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(printed, ids, "tail printed every entry, in order");

    let out = sb
        .cmd()
        .args(["record", "-j", "j.db", &c.url(src), "--exit-at-end"])
        .args(["--connection-timeout", "10s"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(ids_of(&exported(&sb, "j.db"), src), ids);
    let out = sb
        .cmd()
        .args(["-q", "replay", "-j", "j.db", "--to", &c.url(dst)])
        .args(["--connection-timeout", "10s"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(c.xlen(dst), 300, "replay --to wrote on {dst}'s owner");
    let original: Vec<_> = c.entries(src).into_iter().map(|e| e.1).collect();
    let copy: Vec<_> = c.entries(dst).into_iter().map(|e| e.1).collect();
    assert_eq!(copy, original, "the fields of every entry, in order");
}

/// `record --group` while the key's master fails over (`CLUSTER FAILOVER` on its replica),
/// with entries added before, during and after: after Ctrl-C every entry is in the journal
/// once and the group has nothing pending on the new master.
#[test]
fn redis_cluster_record_group_survives_a_failover_with_nothing_lost() {
    let Some(c) = Cluster::start() else {
        return;
    };
    let c = Arc::new(c);
    let key = c.key_per_master("jobs")[0].clone();
    let old = c.master_of(&key);
    let mut ids = c.xadd(&key, 200);
    let sb = Sandbox::new();
    let url = c.url(&key);
    let mut rec = sb.spawn_logged(
        &[
            "record",
            "-j",
            "j.db",
            "--group",
            "g",
            "--consumer",
            "rec",
            &url,
            "--duration",
            "60s",
        ],
        "record.log",
    );
    let has_all = |want: &[String]| set(&ids_of(&exported(&sb, "j.db"), &key)) == set(want);
    assert!(
        wait_for(Duration::from_secs(15), || has_all(&ids) || ended(&mut rec)) && has_all(&ids),
        "the entries before the failover recorded: {}",
        log_of(&sb, "record.log")
    );
    let producer = Producer::start(&c, &key, 200, Duration::from_millis(5), no_extra);
    std::thread::sleep(Duration::from_millis(300));
    let new = c.failover(old);
    std::thread::sleep(Duration::from_millis(300));
    ids.extend(producer.finish());
    ids.extend(
        (0..200)
            .map(|i| c.xadd_one(&key, 10_000 + i, &[]))
            .collect::<Vec<_>>(),
    );
    assert_eq!(c.master_of(&key), new);
    let done =
        wait_for(Duration::from_secs(30), || has_all(&ids) || ended(&mut rec)) && has_all(&ids);
    signal(&mut rec, libc::SIGINT);
    let code = wait_exit(&mut rec, Duration::from_secs(15), "record");
    let got = ids_of(&exported(&sb, "j.db"), &key);
    let log = log_of(&sb, "record.log");
    assert!(
        done,
        "every entry recorded after the failover: {} of {}: {log}",
        set(&got).len(),
        ids.len()
    );
    assert_eq!(code, 130, "record stopped by Ctrl-C: {log}");
    assert_eq!(got.len(), ids.len(), "each entry recorded once");
    assert_eq!(c.pending(&key, "g"), 0, "nothing pending on the new master");
}

/// The key's master killed (SIGKILL) while `record --group` runs: the cluster promotes its
/// replica (cluster-node-timeout 1 s) and every entry the replica had acknowledged (WAIT)
/// before the kill, and every one added on the new master, is recorded once.
#[test]
fn redis_cluster_killed_master_is_followed_by_record_group_with_nothing_lost() {
    let Some(c) = Cluster::start() else {
        return;
    };
    let key = c.key_per_master("kill")[0].clone();
    let old = c.master_of(&key);
    let mut ids = c.xadd(&key, 100);
    let sb = Sandbox::new();
    let url = c.url(&key);
    let mut rec = sb.spawn_logged(
        &[
            "record",
            "-j",
            "j.db",
            "--group",
            "g",
            "--consumer",
            "rec",
            &url,
            "--duration",
            "60s",
        ],
        "record.log",
    );
    let has_all = |want: &[String]| set(&ids_of(&exported(&sb, "j.db"), &key)) == set(want);
    assert!(
        wait_for(Duration::from_secs(15), || has_all(&ids) || ended(&mut rec)) && has_all(&ids),
        "the entries before the kill recorded: {}",
        log_of(&sb, "record.log")
    );
    // More entries just before the kill: only those the replica acknowledged are owed.
    let (late, synced): (Vec<String>, i64) = c.on_owner(&key, |conn| {
        let late = (0..50)
            .map(|i| {
                redis::cmd("XADD")
                    .arg(&key)
                    .arg("*")
                    .arg("n")
                    .arg(100 + i)
                    .query(conn)
            })
            .collect::<redis::RedisResult<Vec<String>>>()?;
        let synced = redis::cmd("WAIT").arg(1).arg(1000).query(conn)?;
        Ok((late, synced))
    });
    let mut unowed = Vec::new();
    if synced == 1 {
        ids.extend(late);
    } else {
        unowed = late;
    }
    let killed = Instant::now();
    let new = c.kill_master(old);
    ids.extend((0..100).map(|i| c.xadd_one(&key, 1000 + i, &[])));
    assert_eq!(c.master_of(&key), new);
    // Every owed entry recorded (those the replica may not have had may be there too).
    let has_owed = || set(&ids_of(&exported(&sb, "j.db"), &key)).is_superset(&set(&ids));
    let drained = || has_owed() && c.pending(&key, "g") == 0;
    let done = wait_for(Duration::from_secs(30), || drained() || ended(&mut rec)) && drained();
    let recorded = killed.elapsed();
    signal(&mut rec, libc::SIGINT);
    let code = wait_exit(&mut rec, Duration::from_secs(15), "record");
    let got = ids_of(&exported(&sb, "j.db"), &key);
    let log = log_of(&sb, "record.log");
    eprintln!("killed master: all recorded {recorded:?} after the kill");
    assert!(
        done,
        "every entry recorded after the kill: {} of {}: {log}",
        set(&got).len(),
        ids.len()
    );
    assert_eq!(code, 130, "record stopped by Ctrl-C: {log}");
    assert_eq!(got.len(), set(&got).len(), "each entry recorded once");
    let known: HashSet<String> = set(&ids).union(&set(&unowed)).cloned().collect();
    assert!(set(&got).is_subset(&known), "no entry invented");
}

/// Two `consume` workers on a key whose `KEY:dead` is on another master, through a failover
/// of the key's master: every entry is handled, or dead-lettered (read on the dead-letter
/// key's own master), nothing is left pending; `consume status` and `consume requeue` work
/// on the cluster URL.
#[test]
fn redis_cluster_consume_survives_a_failover_and_dead_letters_on_another_slot() {
    let Some(c) = Cluster::start() else {
        return;
    };
    let c = Arc::new(c);
    let key = c.key_with_dead_letters_elsewhere("work");
    let dead = format!("{key}:dead");
    assert_ne!(c.master_of(&key), c.master_of(&dead));
    // Every 20th entry is one the handler refuses.
    fn poison(i: usize) -> Vec<(&'static str, &'static str)> {
        if i.is_multiple_of(20) {
            vec![("kind", "poison")]
        } else {
            Vec::new()
        }
    }
    let mut ids: Vec<String> = (0..150).map(|i| c.xadd_one(&key, i, &poison(i))).collect();
    let bad: Vec<String> = ids.iter().step_by(20).cloned().collect();
    let sb = Sandbox::new();
    let url = c.url(&key);
    let handler = "read l; case \"$l\" in *poison*) echo refused >&2; exit 3;; esac; \
                   echo \"$FEEDCTL_EVENT_ID\" >> handled.txt";
    let worker = |name: &str| {
        sb.spawn_logged(
            &[
                "consume",
                &url,
                "--group",
                "g",
                "--consumer",
                name,
                "--exec",
                handler,
                "--max-deliveries",
                "2",
                "--retry-delay",
                "50ms",
                "--concurrency",
                "4",
                "--duration",
                "60s",
            ],
            &format!("{name}.log"),
        )
    };
    let mut workers = [worker("w1"), worker("w2")];
    let logs = || log_of(&sb, "w1.log") + "\n---\n" + &log_of(&sb, "w2.log");
    let handled = || -> Vec<String> {
        std::fs::read_to_string(sb.path().join("handled.txt"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    };
    let good = |ids: &[String], bad: &[String]| -> HashSet<String> {
        set(ids).difference(&set(bad)).cloned().collect()
    };
    assert!(
        wait_for(Duration::from_secs(20), || set(&handled())
            == good(&ids, &bad)
            || workers.iter_mut().all(ended))
            && set(&handled()) == good(&ids, &bad),
        "the entries before the failover handled: {}",
        logs()
    );
    let producer = Producer::start(&c, &key, 150, Duration::from_millis(10), poison);
    std::thread::sleep(Duration::from_millis(300));
    c.failover(c.master_of(&key));
    std::thread::sleep(Duration::from_millis(300));
    let during = producer.finish();
    let after: Vec<String> = (1000..1100)
        .map(|i| c.xadd_one(&key, i, &poison(i)))
        .collect();
    ids.extend(during);
    ids.extend(after);
    // The refused ones, wherever the producer was at the failover.
    let bad: Vec<String> = c
        .entries(&key)
        .into_iter()
        .filter(|(_, f)| f.iter().any(|(k, v)| k == "kind" && v == "poison"))
        .map(|(id, _)| id)
        .collect();
    let lettered = || -> Vec<String> {
        c.entries(&dead)
            .into_iter()
            .filter_map(|(_, f)| f.into_iter().find(|(k, _)| k == "dead.id").map(|(_, v)| v))
            .collect()
    };
    let settled = || {
        set(&handled()) == good(&ids, &bad)
            && set(&lettered()) == set(&bad)
            && c.pending(&key, "g") == 0
    };
    let done = wait_for(Duration::from_secs(30), || {
        settled() || workers.iter_mut().all(ended)
    }) && settled();
    for w in &mut workers {
        signal(w, libc::SIGTERM);
    }
    let codes: Vec<i32> = workers
        .iter_mut()
        .map(|w| wait_exit(w, Duration::from_secs(15), "consume"))
        .collect();
    let (handled, lettered) = (set(&handled()), lettered());
    let lost: Vec<&String> = ids
        .iter()
        .filter(|id| !handled.contains(*id) && !lettered.contains(id))
        .collect();
    assert!(lost.is_empty(), "lost: {lost:?}\n{}", logs());
    assert_eq!(
        handled,
        good(&ids, &bad),
        "every good entry handled: {}",
        logs()
    );
    assert_eq!(
        set(&lettered),
        set(&bad),
        "every refused entry dead-lettered: {}",
        logs()
    );
    assert_eq!(c.pending(&key, "g"), 0, "nothing left pending");
    assert!(done);
    assert_eq!(codes, [143, 143], "stopped by SIGTERM: {}", logs());
    assert!(logs().contains("dead letter"), "{}", logs());

    let out = sb
        .cmd()
        .args(["consume", "status", &url, "--group", "g", "-o", "json"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["pending"], 0, "{v}");
    assert_eq!(v["deadLetters"], lettered.len(), "{v}");
    let out = sb
        .cmd()
        .args(["consume", "status", &url, "--group", "g", "-o", "table"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let table = stdout_of(&out);
    assert!(
        table.contains("group g") && table.contains("pending 0"),
        "{table}"
    );

    let before = c.xlen(&key);
    let out = sb
        .cmd()
        .args(["consume", "requeue", &c.url(&dead), "--to", &key])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(c.xlen(&dead), 0, "every letter moved out of {dead}");
    assert_eq!(
        c.xlen(&key),
        before + lettered.len(),
        "and written back to {key}"
    );
}

/// Plain `record` following a key while its slot moves to another master (ASK while the key
/// is migrated, then MOVED): every entry, before, during and after, is recorded.
#[test]
fn redis_cluster_moved_slot_is_followed() {
    let Some(c) = Cluster::start() else {
        return;
    };
    let key = c.key_per_master("moving")[0].clone();
    let from = c.master_of(&key);
    let to = *c.masters().iter().find(|m| **m != from).unwrap();
    let mut ids = c.xadd(&key, 100);
    let sb = Sandbox::new();
    let url = c.url(&key);
    let mut rec = sb.spawn_logged(
        &[
            "record",
            "-j",
            "j.db",
            &url,
            "--from",
            "beginning",
            "--count",
            "300",
            "--duration",
            "60s",
        ],
        "record.log",
    );
    assert!(
        wait_for(Duration::from_secs(15), || ids_of(
            &exported(&sb, "j.db"),
            &key
        )
        .len()
            == 100
            || ended(&mut rec))
            && ids_of(&exported(&sb, "j.db"), &key).len() == 100,
        "the entries before the move recorded: {}",
        log_of(&sb, "record.log")
    );
    let mut asked = Vec::new();
    c.move_slot(&key, to, Duration::from_millis(1500), || {
        asked = (100..150).map(|i| c.xadd_asking(to, &key, i)).collect();
    });
    ids.extend(asked);
    assert_eq!(c.master_of(&key), to);
    ids.extend((150..300).map(|i| c.xadd_one(&key, i, &[])));
    let code = wait_exit(&mut rec, Duration::from_secs(40), "record --count 300");
    let got = ids_of(&exported(&sb, "j.db"), &key);
    assert_eq!(
        code,
        0,
        "record ended with --count: {}",
        log_of(&sb, "record.log")
    );
    assert_eq!(got, ids, "every entry, once, in order");
}

/// `redis-cli` against TLS node `port` with the TEST-ONLY CA and client certificate, following
/// MOVED (`-c`); its stdout.
fn tls_cli(port: u16, args: &[&str]) -> String {
    use crate::redis_server::{test_ca, test_client_cert};
    let out = StdCommand::new("redis-cli")
        .args(["--tls", "--cacert"])
        .arg(test_ca())
        .arg("--cert")
        .arg(test_client_cert())
        .arg("--key")
        .arg(test_client_cert())
        .args(["-c", "-p", &port.to_string()])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("redis-cli");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A cluster of 3 masters that speaks only TLS (`tls-cluster yes`, client certificates
/// required): `record` of keys on every master, from a `rediss://` URL naming one node, and
/// `replay --to` a key on another, each node's connection made with `--tls-ca` and
/// `--tls-cert` as a single server's is.
#[test]
fn redis_cluster_over_tls_with_client_certificates() {
    use crate::redis_server::{test_ca, test_client_cert};
    if !tools_installed(&["redis-server", "redis-cli"]) {
        return;
    }
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tls");
    let file = |name: &str| fixtures.join(name).display().to_string();
    let (cert, key, ca) = (
        file("TEST-ONLY-server-cert.pem"),
        file("TEST-ONLY-server-key.pem"),
        file("TEST-ONLY-ca.pem"),
    );
    // The bus between nodes asks for a client certificate whatever tls-auth-clients says: the
    // nodes present the TEST-ONLY client one (the server one is not for clients).
    let client = file("TEST-ONLY-bot-cert-and-key.pem");
    let nodes: Vec<Node> = (0..3)
        .map(|_| {
            let port = free_port();
            let dir = tempfile::tempdir().unwrap();
            let child = StdCommand::new("redis-server")
                .args(["--port", "0", "--tls-port", &port.to_string()])
                .args(["--bind", "127.0.0.1"])
                .args(["--tls-cert-file", &cert, "--tls-key-file", &key])
                .args(["--tls-client-cert-file", &client])
                .args(["--tls-client-key-file", &client])
                .args(["--tls-ca-cert-file", &ca, "--tls-auth-clients", "yes"])
                .args(["--tls-cluster", "yes", "--cluster-enabled", "yes"])
                .args(["--cluster-config-file", "nodes.conf"])
                .args(["--cluster-node-timeout", "1000"])
                .args(["--save", "", "--appendonly", "no"])
                .arg("--dir")
                .arg(dir.path())
                .current_dir(dir.path())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("redis-server");
            Node {
                child,
                port,
                _dir: dir,
            }
        })
        .collect();
    for n in &nodes {
        assert!(
            wait_for(Duration::from_secs(5), || tls_cli(n.port, &["PING"])
                .contains("PONG")),
            "TLS node {} answers",
            n.port
        );
    }
    let mut create = StdCommand::new("redis-cli");
    create
        .args([
            "--tls", "--cacert", &ca, "--cert", &client, "--key", &client,
        ])
        .args(["--cluster", "create"]);
    for n in &nodes {
        create.arg(format!("127.0.0.1:{}", n.port));
    }
    let mut child = create
        .arg("--cluster-yes")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-cli");
    assert_eq!(
        wait_exit(&mut child, Duration::from_secs(30), "cluster create"),
        0
    );
    assert!(
        wait_for(Duration::from_secs(20), || nodes.iter().all(|n| tls_cli(
            n.port,
            &["CLUSTER", "INFO"]
        )
        .contains("cluster_state:ok"))),
        "the TLS cluster is ok on every node"
    );
    // One key per master (slots 3300, 7365 and 15495 with 3 masters of a third each).
    let keys = ["b", "c", "a"];
    let mut want = Vec::new();
    for key in keys {
        for i in 0..5 {
            let id = tls_cli(nodes[0].port, &["XADD", key, "*", "n", &i.to_string()]);
            want.push((key.to_string(), id.trim().to_string()));
        }
    }
    let sb = Sandbox::new();
    let (ca_path, cert_path) = (test_ca(), test_client_cert());
    let tls_args = [
        "--tls-ca",
        ca_path.to_str().unwrap(),
        "--tls-cert",
        cert_path.to_str().unwrap(),
    ];
    let url = |key: &str| format!("rediss://127.0.0.1:{}/{key}", nodes[1].port);
    let out = sb
        .cmd()
        .args(["record", "-j", "j.db", &url("a"), &url("b"), &url("c")])
        .args(tls_args)
        .arg("--exit-at-end")
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let mut got = exported(&sb, "j.db");
    got.sort();
    want.sort();
    assert_eq!(got, want, "every entry of every master, once");
    let out = sb
        .cmd()
        .args(["replay", "-j", "j.db", "--to", &url("copy")])
        .args(tls_args)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(tls_cli(nodes[2].port, &["XLEN", "copy"]).trim(), "15");
}
