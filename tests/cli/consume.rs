//! `feedctl consume` workers against a real redis-server: sharing, takeover after SIGKILL, dead
//! letters, exit 75, SIGTERM, `status` and `requeue`. Every wait is bounded.

use std::collections::HashMap;
use std::process::Child;
use std::time::{Duration, Instant};

use crate::common::{wait_for, Sandbox};
use crate::redis_server::RedisServer;

/// Waits for a child, at most `limit` (killed and failed past it).
fn wait_exit(child: &mut Child, limit: Duration) -> i32 {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(s) = child.try_wait().expect("wait") {
            return s.code().unwrap_or(-1);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("worker did not stop within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Field pairs of an entry, as bytes.
type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Lines of a file written by handlers, counted.
fn counts(path: &std::path::Path) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for l in std::fs::read_to_string(path).unwrap_or_default().lines() {
        *m.entry(l.trim().to_string()).or_default() += 1;
    }
    m
}

fn acked_in(log: &str) -> u64 {
    let line = log
        .lines()
        .find(|l| l.starts_with("consumed "))
        .unwrap_or_else(|| panic!("no summary in: {log}"));
    let (_, rest) = line.split_once(": ").expect("summary");
    rest.split(' ')
        .next()
        .unwrap()
        .parse()
        .expect("acknowledged count")
}

#[test]
fn consume_three_workers_share_3000_entries_each_handled_and_acked_once() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let sb = Sandbox::new();
    let ids = redis.fill("jobs", 3000);
    let url = redis.url("jobs");
    let mut workers: Vec<Child> = (1..=3)
        .map(|i| {
            let name = format!("w{i}");
            sb.spawn_logged(
                &args(&[
                    "consume",
                    &url,
                    "--group",
                    "g",
                    "--consumer",
                    &name,
                    "--concurrency",
                    "4",
                    "--exec",
                    "echo \"$FEEDCTL_EVENT_ID\" >> handled.txt",
                    "--exit-when-idle",
                    "3s",
                ]),
                &format!("{name}.log"),
            )
        })
        .collect();
    let codes: Vec<i32> = workers
        .iter_mut()
        .map(|w| wait_exit(w, Duration::from_secs(240)))
        .collect();
    assert_eq!(codes, vec![0, 0, 0]);
    let handled = counts(&sb.path().join("handled.txt"));
    assert_eq!(handled.len(), 3000, "every entry handled");
    assert!(
        ids.iter().all(|id| handled.get(id) == Some(&1)),
        "each exactly once"
    );
    let acked: Vec<u64> = (1..=3)
        .map(|i| acked_in(&std::fs::read_to_string(sb.path().join(format!("w{i}.log"))).unwrap()))
        .collect();
    assert_eq!(
        acked.iter().sum::<u64>(),
        3000,
        "each acknowledged once: {acked:?}"
    );
    assert!(
        acked.iter().all(|a| *a > 0),
        "all three workers took a share: {acked:?}"
    );
    assert_eq!(redis.pending("jobs", "g"), 0);
}

#[test]
fn consume_sigkilled_workers_entries_are_taken_over_none_lost() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let sb = Sandbox::new();
    let ids = redis.fill("jobs", 300);
    let url = redis.url("jobs");
    let handler = "sleep 0.05; echo \"$FEEDCTL_EVENT_ID\" >> handled.txt";
    // Five workers killed while their handlers run, one after the other.
    let mut stranded = 0;
    for k in 1..=5 {
        let name = format!("victim{k}");
        let mut victim = sb.spawn_logged(
            &args(&[
                "consume",
                &url,
                "--group",
                "g",
                "--consumer",
                &name,
                "--concurrency",
                "4",
                "--exec",
                handler,
            ]),
            &format!("{name}.log"),
        );
        assert!(
            wait_for(Duration::from_secs(20), || redis
                .pending_of("jobs", "g", &name)
                > 0),
            "{name} took entries"
        );
        victim.kill().expect("SIGKILL");
        victim.wait().expect("reaped");
        // Killed between an XACK and its next read, a victim may hold nothing: rare, allowed.
        if redis.pending_of("jobs", "g", &name) > 0 {
            stranded += 1;
        }
    }
    assert!(
        stranded >= 3,
        "most victims died with entries pending: {stranded} of 5"
    );
    let mut survivor = sb.spawn_logged(
        &args(&[
            "consume",
            &url,
            "--group",
            "g",
            "--consumer",
            "survivor",
            "--concurrency",
            "8",
            "--claim-idle",
            "1s",
            "--exec",
            handler,
            "--exit-when-idle",
            "3s",
        ]),
        "survivor.log",
    );
    assert_eq!(wait_exit(&mut survivor, Duration::from_secs(120)), 0);
    let log = std::fs::read_to_string(sb.path().join("survivor.log")).unwrap();
    assert!(log.contains("took over"), "{log}");
    let handled = counts(&sb.path().join("handled.txt"));
    let lost: Vec<&String> = ids.iter().filter(|id| !handled.contains_key(*id)).collect();
    assert!(lost.is_empty(), "lost: {lost:?}");
    assert_eq!(redis.pending("jobs", "g"), 0, "nothing left pending");
}

#[test]
fn consume_poison_entry_goes_to_dead_letters_after_max_deliveries_then_requeue() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let sb = Sandbox::new();
    redis.fill("jobs", 3);
    let poison: String = redis::cmd("XADD")
        .arg("jobs")
        .arg("*")
        .arg("n")
        .arg("poison")
        .arg("bin")
        .arg(&[0xffu8, 0][..])
        .query(&mut redis.conn())
        .unwrap();
    let url = redis.url("jobs");
    let out = sb
        .cmd()
        .args(["consume", &url, "--group", "g", "--consumer", "w", "--max-deliveries", "3",
            "--retry-delay", "50ms", "--exit-when-idle", "2s", "--exec",
            "read l; echo \"$FEEDCTL_EVENT_ID $FEEDCTL_ATTEMPT\" >> runs.txt; case \"$l\" in *poison*) echo 'cannot parse' >&2; exit 3;; esac"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("dead letter"), "{err}");
    let runs = std::fs::read_to_string(sb.path().join("runs.txt")).unwrap();
    let attempts: Vec<&str> = runs
        .lines()
        .filter(|l| l.starts_with(&poison))
        .map(|l| l.rsplit(' ').next().unwrap())
        .collect();
    assert_eq!(
        attempts,
        vec!["1", "2", "3"],
        "delivered up to --max-deliveries"
    );
    let dead: Vec<(String, Pairs)> = {
        let v: Vec<(String, Vec<Vec<u8>>)> = redis::cmd("XRANGE")
            .arg("jobs:dead")
            .arg("-")
            .arg("+")
            .query(&mut redis.conn())
            .unwrap();
        v.into_iter()
            .map(|(id, flat)| {
                (
                    id,
                    flat.chunks(2)
                        .map(|kv| (kv[0].clone(), kv[1].clone()))
                        .collect(),
                )
            })
            .collect()
    };
    assert_eq!(dead.len(), 1);
    let f = |name: &str| {
        dead[0]
            .1
            .iter()
            .find(|(k, _)| k == name.as_bytes())
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    };
    assert_eq!(f("dead.id").as_deref(), Some(poison.as_str()));
    assert_eq!(f("dead.exit_status").as_deref(), Some("3"));
    assert_eq!(f("dead.attempts").as_deref(), Some("3"));
    assert_eq!(f("dead.worker").as_deref(), Some("w"));
    assert!(f("dead.stderr").unwrap().contains("cannot parse"));
    assert!(
        dead[0].1.ends_with(&[
            (b"n".to_vec(), b"poison".to_vec()),
            (b"bin".to_vec(), vec![0xff, 0]),
        ]),
        "original fields, byte for byte"
    );
    assert_eq!(
        redis.pending("jobs", "g"),
        0,
        "dead-lettered, then acknowledged"
    );

    // status counts it; requeue puts it back as a new entry with the same fields.
    let st = sb
        .cmd()
        .args(["consume", "status", &url, "--group", "g", "-o", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&st.stdout).unwrap();
    assert_eq!(v["deadLetters"], 1);
    let rq = sb
        .cmd()
        .args([
            "consume",
            "requeue",
            &redis.url("jobs:dead"),
            "--to",
            "jobs",
        ])
        .output()
        .unwrap();
    assert_eq!(
        rq.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&rq.stderr)
    );
    let back: Vec<(String, Vec<Vec<u8>>)> = redis::cmd("XREVRANGE")
        .arg("jobs")
        .arg("+")
        .arg("-")
        .arg("COUNT")
        .arg(1)
        .query(&mut redis.conn())
        .unwrap();
    assert_ne!(back[0].0, poison);
    assert_eq!(
        back[0].1,
        vec![
            b"n".to_vec(),
            b"poison".to_vec(),
            b"bin".to_vec(),
            vec![0xff, 0]
        ]
    );
    let left: i64 = redis::cmd("XLEN")
        .arg("jobs:dead")
        .query(&mut redis.conn())
        .unwrap();
    assert_eq!(left, 0);
}

#[test]
fn consume_exit_75_leaves_pending_and_redelivers_after_requeue_delay() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let sb = Sandbox::new();
    let ids = redis.fill("jobs", 4);
    let url = redis.url("jobs");
    let started = Instant::now();
    let out = sb
        .cmd()
        .args(["consume", &url, "--group", "g", "--consumer", "w", "--requeue-delay", "700ms",
            "--max-deliveries", "1", "--exit-when-idle", "2s", "-j", "runs.db", "--exec",
            "echo \"$FEEDCTL_EVENT_ID $FEEDCTL_ATTEMPT\" >> runs.txt; if [ ! -e \"seen-$FEEDCTL_EVENT_ID\" ]; then touch \"seen-$FEEDCTL_EVENT_ID\"; exit 75; fi"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "exit 75 is not a failure, even with --max-deliveries 1: {err}"
    );
    assert!(started.elapsed() >= Duration::from_millis(700));
    let runs = std::fs::read_to_string(sb.path().join("runs.txt")).unwrap();
    for id in &ids {
        let att: Vec<&str> = runs
            .lines()
            .filter(|l| l.starts_with(id.as_str()))
            .map(|l| l.rsplit(' ').next().unwrap())
            .collect();
        assert_eq!(att, vec!["1", "2"], "{id}: {runs}");
    }
    assert_eq!(acked_in(&err), 4);
    assert_eq!(redis.pending("jobs", "g"), 0);
    let dead: i64 = redis::cmd("XLEN")
        .arg("jobs:dead")
        .query(&mut redis.conn())
        .unwrap();
    assert_eq!(dead, 0);
    // -j: the run and every result, each pointing at the entry it ran on.
    let db = rusqlite::Connection::open(sb.path().join("runs.db")).unwrap();
    let mut stmt = db
        .prepare(
            "SELECT e.event_id, r.attempt, r.outcome FROM replay_results r JOIN events e ON e.id = r.event_row_id ORDER BY r.id",
        )
        .unwrap();
    let rows: Vec<(String, i64, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 8, "{rows:?}");
    for id in &ids {
        let of: Vec<(i64, &str)> = rows
            .iter()
            .filter(|r| &r.0 == id)
            .map(|r| (r.1, r.2.as_str()))
            .collect();
        assert_eq!(of, vec![(1, "requeued"), (2, "handled")], "{id}");
    }
    let status: String = db
        .query_row("SELECT status FROM replay_runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(status, "done");
}

#[test]
fn consume_sigterm_leaves_unfinished_entries_pending_and_exits_143() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let sb = Sandbox::new();
    redis.fill("jobs", 6);
    let url = redis.url("jobs");
    // Entry n=0 is quick; the others hang until killed after the grace.
    let mut w = sb.spawn_logged(&args(&["consume", &url, "--group", "g", "--consumer", "w", "--concurrency", "3",
            "--grace", "300ms", "--exec",
            "read l; case \"$l\" in *'\"n\":\"0\"'*) exit 0;; esac; touch \"started-$FEEDCTL_EVENT_ID\"; sleep 30"]),
        "w.log",
    );
    let dir = sb.path().to_path_buf();
    let started = || {
        std::fs::read_dir(&dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with("started-")
            })
            .count()
    };
    assert!(
        wait_for(Duration::from_secs(20), || started() >= 2),
        "handlers running"
    );
    unsafe { libc::kill(w.id() as i32, libc::SIGTERM) };
    assert_eq!(wait_exit(&mut w, Duration::from_secs(20)), 143);
    let log = std::fs::read_to_string(sb.path().join("w.log")).unwrap();
    assert!(log.contains("stopping"), "{log}");
    let pending = redis.pending("jobs", "g");
    assert!(
        pending >= 2,
        "unfinished entries stay pending: {pending}\n{log}"
    );
    let acked = acked_in(&log);
    assert!(
        acked <= 1,
        "only the entry that exited 0 may be acknowledged: {log}"
    );
    // The summary counts what Redis holds pending for the worker: the interrupted entries and
    // those never started.
    let summary = log
        .lines()
        .find(|l| l.starts_with("consumed "))
        .expect("summary");
    let left: usize = summary
        .split(", ")
        .find_map(|part| part.strip_suffix(" left pending"))
        .unwrap_or_else(|| panic!("no pending count in: {summary}"))
        .parse()
        .unwrap();
    assert_eq!(left, redis.pending_of("jobs", "g", "w"), "{summary}");
    assert_eq!(left as i64, pending, "{summary}");
}

#[test]
fn consume_status_shows_a_stuck_entry_and_exits_1() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let sb = Sandbox::new();
    redis.fill("orders", 5);
    let mut c = redis.conn();
    // A consumer that reads two entries and never acknowledges them (as hopeit's do on failure).
    let _: redis::Value = redis::cmd("XGROUP")
        .arg("CREATE")
        .arg("orders")
        .arg("g")
        .arg("0")
        .query(&mut c)
        .unwrap();
    let _: redis::Value = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg("g")
        .arg("hopeit-1")
        .arg("COUNT")
        .arg(2)
        .arg("STREAMS")
        .arg("orders")
        .arg(">")
        .query(&mut c)
        .unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    let url = redis.url("orders");
    let out = sb
        .cmd()
        .args([
            "consume",
            "status",
            &url,
            "--group",
            "g",
            "--stuck-after",
            "1s",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["pending"], 2);
    assert_eq!(v["lag"], 3);
    assert_eq!(v["stuck"].as_array().unwrap().len(), 2);
    assert_eq!(v["consumers"][0]["name"], "hopeit-1");
    assert_eq!(v["consumers"][0]["pending"], 2);
    assert_eq!(v["oldest"]["deliveries"], 1);
    assert!(v["oldest"]["idleMs"].as_i64().unwrap() >= 1000);
    let ok = sb
        .cmd()
        .args([
            "consume",
            "status",
            &url,
            "--group",
            "g",
            "--stuck-after",
            "1h",
            "-o",
            "table",
        ])
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0));
    let table = String::from_utf8_lossy(&ok.stdout);
    assert!(
        table.contains("hopeit-1") && table.contains("pending 2"),
        "{table}"
    );
    let none = sb
        .cmd()
        .args(["consume", "status", &url, "--group", "nope"])
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("its groups: g"));
}

#[test]
fn consume_sigint_exits_130_and_acks_nothing_unfinished() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let sb = Sandbox::new();
    redis.fill("jobs", 3);
    let url = redis.url("jobs");
    let mut w = sb.spawn_logged(
        &args(&[
            "consume",
            &url,
            "--group",
            "g",
            "--consumer",
            "w",
            "--concurrency",
            "3",
            "--grace",
            "200ms",
            "--exec",
            "touch \"started-$FEEDCTL_EVENT_ID\"; sleep 30",
        ]),
        "w.log",
    );
    assert!(
        wait_for(Duration::from_secs(20), || redis
            .pending_of("jobs", "g", "w")
            == 3),
        "entries taken"
    );
    std::thread::sleep(Duration::from_millis(200));
    unsafe { libc::kill(w.id() as i32, libc::SIGINT) };
    assert_eq!(wait_exit(&mut w, Duration::from_secs(20)), 130);
    assert_eq!(redis.pending("jobs", "g"), 3, "all three stay pending");
}

#[test]
fn consume_wrong_password_exits_3_and_never_prints_it() {
    let Some(redis) = RedisServer::start_with(Some("s3cret-pw")) else {
        return;
    };
    let sb = Sandbox::new();
    let url = format!("redis://:hunter2-wrong@127.0.0.1:{}/jobs", redis.port);
    for extra in [&[][..], &["-vvv"][..]] {
        let out = sb
            .cmd()
            .args([
                "consume",
                &url,
                "--group",
                "g",
                "--exec",
                "true",
                "--exit-when-idle",
                "1s",
            ])
            .args(extra)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{err}");
        assert!(err.contains("authentication failed"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }
    // The right one, from REDISCLI_AUTH, works and is not printed either.
    redis.fill("jobs", 2);
    let out = sb
        .cmd()
        .env("REDISCLI_AUTH", "s3cret-pw")
        .args([
            "consume",
            &redis.url("jobs"),
            "--group",
            "g",
            "--exec",
            "true",
            "--exit-when-idle",
            "1s",
            "-v",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("2 acknowledged"), "{err}");
    assert!(!err.contains("s3cret-pw"), "{err}");
}

/// True while `pid` is a live process (a zombie waiting for its reaper counts as gone).
fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name's closing parenthesis.
        Ok(stat) => !matches!(
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.trim_start().chars().next()),
            Some('Z') | Some('X') | None
        ),
        Err(_) => false,
    }
}

/// The pids the handlers wrote into files of the sandbox whose names start with `prefix`.
fn pids_in(dir: &std::path::Path, prefix: &str) -> Vec<i32> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let e = e.ok()?;
            e.file_name()
                .to_string_lossy()
                .starts_with(prefix)
                .then(|| std::fs::read_to_string(e.path()).ok()?.trim().parse().ok())?
        })
        .collect()
}

#[test]
fn consume_acks_each_entry_as_soon_as_its_handler_exits_0_even_while_a_batch_mate_hangs() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let sb = Sandbox::new();
    let ids = redis.fill("jobs", 4);
    let url = redis.url("jobs");
    // One batch of four: n=0 hangs, the other three finish at once.
    let mut w = sb.spawn_logged(&args(&["consume", &url, "--group", "g", "--consumer", "w1", "--concurrency", "4",
            "-j", "runs.db", "--exec",
            "read l; case \"$l\" in *'\"n\":\"0\"'*) touch hanging; sleep 60;; esac; echo \"$FEEDCTL_EVENT_ID\" >> handled.txt"]),
        "w1.log",
    );
    let handled = sb.path().join("handled.txt");
    let ready = wait_for(Duration::from_secs(20), || {
        counts(&handled).len() == 3 && sb.path().join("hanging").exists()
    });
    // Each acknowledged once its own handler exited 0, while the fourth still runs.
    let early = ready && wait_for(Duration::from_secs(5), || redis.pending("jobs", "g") == 1);
    // Killed before any assertion, so a failing one does not leave the worker behind.
    w.kill().expect("SIGKILL");
    w.wait().expect("reaped");
    assert!(ready, "three handled, one hanging");
    assert!(
        early,
        "the three finished entries acknowledged while their batch-mate hangs: {} pending",
        redis.pending("jobs", "g")
    );
    let mut c = redis.conn();
    let pending: Vec<(String, String, i64, i64)> = redis::cmd("XPENDING")
        .arg("jobs")
        .arg("g")
        .arg("-")
        .arg("+")
        .arg(10)
        .query(&mut c)
        .unwrap();
    assert_eq!(
        pending.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(),
        vec![ids[0].as_str()],
        "only the hanging entry is left pending"
    );
    // Their results were stored before they were acknowledged.
    let db = rusqlite::Connection::open(sb.path().join("runs.db")).unwrap();
    let stored: i64 = db
        .query_row(
            "SELECT count(*) FROM replay_results WHERE outcome = 'handled'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, 3);
    // A second worker takes over the hanging one only: nothing finished runs again.
    let out = sb
        .cmd()
        .args([
            "consume",
            &url,
            "--group",
            "g",
            "--consumer",
            "w2",
            "--claim-idle",
            "500ms",
            "--exit-when-idle",
            "2s",
            "--exec",
            "echo \"$FEEDCTL_EVENT_ID\" >> again.txt",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let again = std::fs::read_to_string(sb.path().join("again.txt")).unwrap_or_default();
    assert_eq!(
        again.lines().collect::<Vec<_>>(),
        vec![ids[0].as_str()],
        "{err}"
    );
    assert_eq!(counts(&handled).len(), 3);
    assert_eq!(redis.pending("jobs", "g"), 0);
}

#[test]
fn consume_sigkilled_worker_takes_its_handlers_and_their_children_down() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let sb = Sandbox::new();
    redis.fill("jobs", 2);
    let url = redis.url("jobs");
    // Each handler's shell writes its pid and forks a grandchild (in its process group) that
    // writes its own; n=1's shell then execs sleep in its own place.
    let mut w = sb.spawn_logged(&args(&["consume", &url, "--group", "g", "--consumer", "w", "--concurrency", "2",
            "--exec",
            "read l; echo $$ > \"sh-$FEEDCTL_EVENT_ID\"; sh -c 'echo $$ > \"gc-$FEEDCTL_EVENT_ID\"; exec sleep 100' & case \"$l\" in *'\"n\":\"1\"'*) exec sleep 100;; esac; wait"]),
        "w.log",
    );
    let dir = sb.path().to_path_buf();
    let running = wait_for(Duration::from_secs(20), || {
        pids_in(&dir, "sh-").len() == 2 && pids_in(&dir, "gc-").len() == 2
    });
    let pids: Vec<i32> = [pids_in(&dir, "sh-"), pids_in(&dir, "gc-")].concat();
    let all_alive = pids.iter().all(|p| alive(*p));
    w.kill().expect("SIGKILL");
    w.wait().expect("reaped");
    assert!(running && all_alive, "handlers running: {pids:?}");
    let gone = wait_for(Duration::from_secs(5), || !pids.iter().any(|p| alive(*p)));
    let left: Vec<i32> = pids.iter().copied().filter(|p| alive(*p)).collect();
    for p in &left {
        unsafe { libc::kill(*p, libc::SIGKILL) };
    }
    assert!(gone, "handler processes outlived their worker: {left:?}");
}

#[test]
fn consume_hopeit_payload_with_an_escape_keeps_its_numbers_as_sent() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let sb = Sandbox::new();
    let payload = br#"{"a":"\u00e9", "n":1e5,"x":0.10}"#;
    let mut c = redis.conn();
    redis.xadd(
        &mut c,
        "jobs",
        &[
            ("id", b"p1"),
            ("type", b"app.data_model.Thing"),
            ("submit_ts", b"2026-12-01T00:00:00+00:00"),
            ("event_ts", b""),
            ("auth_info", b"e30="),
            ("ser", b"json"),
            ("comp", b"none"),
            ("payload", payload),
        ],
    );
    let out = sb
        .cmd()
        .args([
            "consume",
            &redis.url("jobs"),
            "--group",
            "g",
            "--consumer",
            "w",
            "--exit-when-idle",
            "1s",
            "--exec",
            "cat > got.json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = std::fs::read_to_string(sb.path().join("got.json")).unwrap();
    // Compacted (one line), but the digits and the escape as sent.
    assert!(
        got.contains(r#","payload":{"a":"\u00e9","n":1e5,"x":0.10}}"#),
        "{got}"
    );
    let v: serde_json::Value = serde_json::from_str(&got).unwrap();
    assert_eq!(v["hopeit"]["payload"]["a"], "é");
}

#[test]
fn consume_stream_mode_acks_each_answered_entry_at_once() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let sb = Sandbox::new();
    let ids = redis.fill("jobs", 4);
    // One stream handler: it answers every entry but n=0, which it never answers.
    let handler = sb.write(
        "h.sh",
        "#!/bin/sh\nwhile IFS= read -r line; do\n  id=${line#*\\\"id\\\":\\\"}; id=${id%%\\\"*}\n  case \"$line\" in *'\"n\":\"0\"'*) ;; *) printf '{\"id\":\"%s\",\"status\":0}\\n' \"$id\" ;; esac\ndone\n",
    );
    let mut w = sb.spawn_logged(
        &args(&[
            "consume",
            &redis.url("jobs"),
            "--group",
            "g",
            "--consumer",
            "w",
            "--concurrency",
            "4",
            "--mode",
            "stream",
            "--exec",
            &format!("sh {}", handler.display()),
        ]),
        "w.log",
    );
    let answered = wait_for(Duration::from_secs(20), || {
        // (pending_of first: it says 0 while the group does not exist yet)
        redis.pending_of("jobs", "g", "w") == 1 && redis.pending("jobs", "g") == 1
    });
    w.kill().expect("SIGKILL");
    w.wait().expect("reaped");
    let log = std::fs::read_to_string(sb.path().join("w.log")).unwrap();
    assert!(
        answered,
        "three answered entries acknowledged at once: {log}"
    );
    let pending: Vec<(String, String, i64, i64)> = redis::cmd("XPENDING")
        .arg("jobs")
        .arg("g")
        .arg("-")
        .arg("+")
        .arg(10)
        .query(&mut redis.conn())
        .unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].0, ids[0]);
}

#[test]
fn consume_first_connection_refused_is_retried_until_connection_timeout_then_exit_4() {
    let sb = Sandbox::new();
    // A port the kernel just handed out and took back: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let url = format!("redis://127.0.0.1:{port}/jobs");
    let began = Instant::now();
    let mut w = sb.spawn_logged(
        &args(&[
            "consume",
            &url,
            "--group",
            "g",
            "--exec",
            "true",
            "--connection-timeout",
            "3s",
        ]),
        "w.log",
    );
    let code = wait_exit(&mut w, Duration::from_secs(30));
    let elapsed = began.elapsed();
    let log = std::fs::read_to_string(sb.path().join("w.log")).unwrap();
    assert_eq!(code, 4, "{log}");
    assert!(
        elapsed >= Duration::from_secs(2),
        "retried, not ended at once ({elapsed:?}): {log}"
    );
    assert!(elapsed < Duration::from_secs(15), "{elapsed:?}: {log}");
    assert!(log.contains("retry: "), "each retry announced: {log}");
    assert!(
        log.contains(&format!(
            "no working connection to redis://127.0.0.1:{port}"
        )) && log.contains("--connection-timeout 3s"),
        "{log}"
    );
}

#[test]
fn consume_started_before_its_redis_server_connects_once_it_is_up() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let sb = Sandbox::new();
    // Nothing listens on the port while the worker starts.
    redis.stop();
    let mut w = sb.spawn_logged(
        &args(&[
            "consume",
            &redis.url("jobs"),
            "--group",
            "g",
            "--consumer",
            "w",
            "--connection-timeout",
            "30s",
            "--count",
            "1",
            "--exec",
            "cat >> handled.txt",
        ]),
        "w.log",
    );
    std::thread::sleep(Duration::from_millis(1500));
    let early = w.try_wait().expect("wait");
    if early.is_none() {
        redis.start_again();
        redis.fill("jobs", 1);
    }
    let handled = early.is_none()
        && wait_for(Duration::from_secs(30), || {
            std::fs::read_to_string(sb.path().join("handled.txt"))
                .is_ok_and(|t| t.contains("\"n\":\"0\""))
        });
    let code = match w.try_wait().expect("wait") {
        Some(s) => s.code(),
        None if handled => Some(wait_exit(&mut w, Duration::from_secs(20))),
        None => {
            unsafe { libc::kill(w.id() as i32, libc::SIGKILL) };
            w.wait().expect("reaped");
            None
        }
    };
    let log = std::fs::read_to_string(sb.path().join("w.log")).unwrap();
    assert!(
        early.is_none(),
        "still retrying before the server is up: {log}"
    );
    assert!(
        log.contains("retry: "),
        "the refused tries announced: {log}"
    );
    assert!(handled, "the entry handled once the server is up: {log}");
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("1 acknowledged"), "{log}");
}

#[test]
fn consume_first_connection_tls_to_a_plain_port_ends_at_once_with_exit_4() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let sb = Sandbox::new();
    let url = format!("rediss://127.0.0.1:{}/jobs", redis.port);
    let began = Instant::now();
    let mut w = sb.spawn_logged(
        &args(&["consume", &url, "--group", "g", "--exec", "true"]),
        "w.log",
    );
    let code = wait_exit(&mut w, Duration::from_secs(20));
    let log = std::fs::read_to_string(sb.path().join("w.log")).unwrap();
    assert_eq!(code, 4, "{log}");
    assert!(log.contains("did not speak TLS"), "{log}");
    assert!(
        !log.contains("retry: "),
        "a permanent failure is not retried: {log}"
    );
    assert!(began.elapsed() < Duration::from_secs(5), "{log}");
}
