//! Hardening (issue 14): hostile servers, damaged files and misbehaving handlers meet bounded
//! waits, bounded memory, and files that are never written when they are refused.

use crate::common::*;

fn sidecars(sb: &Sandbox, name: &str) -> Vec<String> {
    ["-wal", "-shm", "-journal"]
        .iter()
        .map(|s| format!("{name}{s}"))
        .filter(|f| sb.path().join(f).exists())
        .collect()
}

fn import_demo(sb: &Sandbox, name: &str) {
    let file = sb.write("s.ndjson", &demo_events());
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", name, file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
}

#[test]
fn writers_refuse_damaged_empty_and_tableless_journals_before_writing() {
    let sb = Sandbox::new();
    import_demo(&sb, "cut.db");
    let full = std::fs::read(sb.path().join("cut.db")).unwrap();
    std::fs::write(sb.path().join("cut.db"), &full[..full.len() / 2]).unwrap();
    std::fs::write(sb.path().join("empty.db"), b"").unwrap();
    {
        let c = rusqlite::Connection::open(sb.path().join("bare.db")).unwrap();
        c.execute_batch("PRAGMA application_id = 1178878804; PRAGMA user_version = 2;")
            .unwrap();
    }
    sb.write(
        "cfg.yaml",
        "host: 127.0.0.1\nport: 9\nscheme: http\nbot:\n  username: b\n",
    );
    for (name, why) in [
        ("cut.db", "damaged"),
        ("empty.db", "an empty file"),
        ("bare.db", "no table"),
    ] {
        let before = std::fs::read(sb.path().join(name)).unwrap();
        for args in [
            vec!["journal", "import", "-j", name, "s.ndjson"],
            vec!["replay", "-j", name, "--exec", "true"],
            vec!["journal", "show", "-j", name],
        ] {
            let out = sb.cmd().args(&args).output().unwrap();
            let err = stderr_of(&out);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains(name) && err.contains(why), "{args:?}: {err}");
            assert!(err.contains("left untouched"), "{err}");
        }
        assert_eq!(
            std::fs::read(sb.path().join(name)).unwrap(),
            before,
            "{name} untouched"
        );
        assert!(sidecars(&sb, name).is_empty(), "{:?}", sidecars(&sb, name));
    }
}

#[test]
fn readers_leave_no_files_and_read_a_read_only_journal() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::new();
    import_demo(&sb, "s.db");
    assert!(sidecars(&sb, "s.db").is_empty());
    let before = std::fs::read(sb.path().join("s.db")).unwrap();
    for args in [
        vec!["journal", "ls", "-j", "s.db"],
        vec!["journal", "info", "-j", "s.db"],
        vec!["journal", "show", "-j", "s.db"],
        vec!["journal", "export", "-j", "s.db"],
        vec!["journal", "verify", "-j", "s.db"],
        vec!["journal", "outbox", "-j", "s.db"],
    ] {
        let out = sb.cmd().args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
        assert!(
            sidecars(&sb, "s.db").is_empty(),
            "{args:?} left {:?}",
            sidecars(&sb, "s.db")
        );
    }
    assert_eq!(std::fs::read(sb.path().join("s.db")).unwrap(), before);

    // A read-only file in a read-only directory.
    let dir = sb.path().join("ro");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(sb.path().join("s.db"), dir.join("s.db")).unwrap();
    std::fs::set_permissions(dir.join("s.db"), std::fs::Permissions::from_mode(0o400)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o500)).unwrap();
    let out = sb
        .cmd()
        .args(["journal", "export", "-j", "ro/s.db"])
        .output()
        .unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        stdout_of(&out).lines().count(),
        demo_events().lines().count()
    );
}

#[test]
fn a_journal_is_read_while_its_writer_runs() {
    let sb = Sandbox::new();
    import_demo(&sb, "s.db");
    let path = sb.path().join("s.db");
    let serve = ServeProcess::spawn(&["--accept-any-key", "--journal", path.to_str().unwrap()]);
    // The writer holds the journal in WAL mode: readers share its log.
    let out = sb
        .cmd()
        .args(["journal", "export", "-j", "s.db"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        stdout_of(&out).lines().count(),
        demo_events().lines().count()
    );
    drop(serve);
}
