//! `feedctl init`: the wizard driven through a pseudo-terminal, the same set-up from flags in a
//! script, and the refusals. Every config it writes must pass `feedctl auth check` against the
//! emulator.

use std::net::TcpListener;
use std::path::Path;
use std::process::Command as StdCommand;
use std::time::Duration;

use rexpect::process::wait::WaitStatus;
use rexpect::session::{spawn_command, PtySession};

use crate::common::*;

/// How long any one step of the wizard may take before the test fails (key generation included).
const STEP_MS: u64 = 60_000;

fn yaml(path: &Path) -> serde_yaml_ng::Value {
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).expect("config written")).expect("YAML")
}

/// `feedctl init ARGS` on a pseudo-terminal, in the sandbox, with a clean environment.
fn wizard(sb: &Sandbox, args: &[&str]) -> PtySession {
    let mut cmd = StdCommand::new(assert_cmd::cargo::cargo_bin("feedctl"));
    cmd.args(args).current_dir(sb.path());
    for (k, _) in std::env::vars() {
        if k.starts_with("FEEDCTL_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("HOME", sb.path())
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env("COLUMNS", "120");
    spawn_command(cmd, Some(STEP_MS)).expect("spawn feedctl init on a pty")
}

/// Sends keys without a newline; rexpect buffers its writes by line, so flush them.
fn press(p: &mut PtySession, keys: &str) {
    p.send(keys).unwrap();
    p.flush().unwrap();
}

fn exit_code(p: &mut PtySession) -> i32 {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        match p.process.status() {
            Some(WaitStatus::Exited(_, code)) => return code,
            Some(WaitStatus::StillAlive) | None if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50))
            }
            other => panic!("feedctl init did not exit normally: {other:?}"),
        }
    }
}

fn auth_check(sb: &Sandbox, config: &str) {
    let out = sb
        .cmd()
        .args(["--config", config, "auth", "check", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "auth check: {}", stderr_of(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["user"]["username"], "demo-bot");
}

#[test]
fn the_wizard_on_a_terminal_writes_a_config_that_auth_check_accepts() {
    let pod = InProcess::start(test_options(""));
    let sb = Sandbox::new();
    let key = fixture(PRIVATE_KEY);
    let mut p = wizard(&sb, &["init"]);
    p.exp_string("Pod host").unwrap();
    p.send_line(&pod.url()).unwrap();
    p.exp_string("agent on the same host").unwrap();
    press(&mut p, "y");
    p.exp_string("Bot username").unwrap();
    p.send_line("demo-bot").unwrap();
    p.exp_string("RSA key").unwrap();
    press(&mut p, "\r"); // the first choice: an existing file
    p.exp_string("Private key file").unwrap();
    p.send_line(key.to_str().unwrap()).unwrap();
    p.exp_string("Datafeed version").unwrap();
    press(&mut p, "\r"); // v2
    p.exp_string("Write config.yaml?").unwrap();
    press(&mut p, "y");
    p.exp_string("auth check").unwrap();
    press(&mut p, "y");
    p.exp_string("authenticated as demo-bot").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 0);

    let config = yaml(&sb.path().join("config.yaml"));
    let (host, port) = host_port(&pod.url());
    assert_eq!(config["scheme"].as_str(), Some("http"));
    assert_eq!(config["host"].as_str(), Some(host.as_str()));
    assert_eq!(config["port"].as_u64(), Some(port as u64));
    assert_eq!(config["bot"]["username"].as_str(), Some("demo-bot"));
    // A key outside the config's directory is written as an absolute path.
    let canonical = std::fs::canonicalize(&key).unwrap();
    assert_eq!(
        config["bot"]["privateKey"]["path"].as_str(),
        canonical.to_str()
    );
    assert_eq!(config["datafeed"]["version"].as_str(), Some("v2"));
    assert!(config.get("agent").is_none());
    auth_check(&sb, "config.yaml");
}

#[test]
fn the_wizard_generates_a_key_pair_and_prints_the_public_key() {
    // The emulator must know the public key, which does not exist before the wizard runs: keep a
    // port for it, answer with that port, and start the emulator once the key is written.
    let reserved = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = reserved.local_addr().unwrap();
    let sb = Sandbox::new();
    let mut p = wizard(&sb, &["--config", "bot/config.yaml", "init"]);
    p.exp_string("Pod host").unwrap();
    p.send_line(&format!("http://{addr}")).unwrap();
    p.exp_string("agent on the same host").unwrap();
    press(&mut p, "n");
    p.exp_string("Agent host").unwrap();
    p.send_line(&format!("{addr}")).unwrap();
    p.exp_string("Bot username").unwrap();
    p.send_line("demo-bot").unwrap();
    p.exp_string("RSA key").unwrap();
    press(&mut p, "\x1b[B"); // down to "Generate a new key pair"
    press(&mut p, "\r");
    p.exp_string("Directory for bot-private.pem").unwrap();
    p.send_line("bot/keys").unwrap();
    p.exp_string("Datafeed version").unwrap();
    press(&mut p, "\r");
    // The preview is the file: the key's path as it will be written.
    p.exp_string("path: ./keys/bot-private.pem").unwrap();
    p.exp_string("Write bot/config.yaml?").unwrap();
    press(&mut p, "y");
    p.exp_string("-----BEGIN PUBLIC KEY-----").unwrap();
    p.exp_string("-----END PUBLIC KEY-----").unwrap();
    p.exp_string("auth check").unwrap();
    press(&mut p, "n");
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 0);

    let private = sb.path().join("bot/keys/bot-private.pem");
    let public = sb.path().join("bot/keys/bot-public.pem");
    assert!(std::fs::read_to_string(&private)
        .unwrap()
        .starts_with("-----BEGIN PRIVATE KEY-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&private).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the private key is readable by its owner only");
    }
    let config = yaml(&sb.path().join("bot/config.yaml"));
    assert_eq!(
        config["bot"]["privateKey"]["path"].as_str(),
        Some("./keys/bot-private.pem"),
        "relative to the config's directory"
    );
    assert_eq!(config["agent"]["host"].as_str(), Some("127.0.0.1"));
    assert_eq!(config["agent"]["port"].as_u64(), Some(addr.port() as u64));

    drop(reserved);
    let mut opts = test_options("");
    opts.listen = addr;
    opts.public_key = Some(std::fs::read_to_string(&public).unwrap());
    let _pod = InProcess::start(opts);
    auth_check(&sb, "bot/config.yaml");
}

#[test]
fn without_a_terminal_init_takes_flags_and_checks_the_config() {
    let pod = InProcess::start(test_options(""));
    let sb = Sandbox::new();
    let key = fixture(PRIVATE_KEY);
    let out = sb
        .cmd()
        .args([
            "--host",
            &pod.url(),
            "--username",
            "demo-bot",
            "--private-key",
        ])
        .arg(&key)
        .args(["--datafeed-version", "v1", "init", "--check", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let check: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("auth check's JSON on stdout");
    assert_eq!(check["user"]["username"], "demo-bot");
    assert!(
        stderr_of(&out).contains("wrote config.yaml"),
        "{}",
        stderr_of(&out)
    );

    let config = yaml(&sb.path().join("config.yaml"));
    assert_eq!(config["datafeed"]["version"].as_str(), Some("v1"));
    assert_eq!(config["scheme"].as_str(), Some("http"));
    // The file loads as any other config.
    let out = sb
        .cmd()
        .args(["config", "show", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let shown = stdout_of(&out);
    assert!(shown.contains("\"file: bot.username\""), "{shown}");
    auth_check(&sb, "config.yaml");
}

#[test]
fn without_a_terminal_init_generates_a_key_and_replaces_files_only_with_force() {
    let sb = Sandbox::new();
    let first = sb
        .cmd()
        .args([
            "--host",
            "pod.example.com",
            "--username",
            "demo-bot",
            "init",
            "--generate-key",
            "keys",
        ])
        .output()
        .unwrap();
    assert!(first.status.success(), "{}", stderr_of(&first));
    let public = std::fs::read_to_string(sb.path().join("keys/bot-public.pem")).unwrap();
    assert_eq!(
        stdout_of(&first).trim(),
        public.trim(),
        "the public key is printed on stdout"
    );
    let config = yaml(&sb.path().join("config.yaml"));
    assert_eq!(config["scheme"].as_str(), Some("https"), "https by default");
    assert_eq!(config["port"].as_u64(), Some(443));
    assert_eq!(
        config["bot"]["privateKey"]["path"].as_str(),
        Some("./keys/bot-private.pem")
    );

    // Neither the config nor the key is replaced without --force.
    let before = std::fs::read(sb.path().join("config.yaml")).unwrap();
    let again = sb
        .cmd()
        .args([
            "--host",
            "other.example.com",
            "--username",
            "x",
            "init",
            "--generate-key",
            "keys",
        ])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr_of(&again).contains("--force"),
        "{}",
        stderr_of(&again)
    );
    assert_eq!(
        std::fs::read(sb.path().join("config.yaml")).unwrap(),
        before
    );
    std::fs::remove_file(sb.path().join("config.yaml")).unwrap();
    let key_exists = sb
        .cmd()
        .args([
            "--host",
            "other.example.com",
            "--username",
            "x",
            "init",
            "--generate-key",
            "keys",
        ])
        .output()
        .unwrap();
    assert_eq!(
        key_exists.status.code(),
        Some(2),
        "{}",
        stderr_of(&key_exists)
    );
    assert!(
        !sb.path().join("config.yaml").exists(),
        "nothing written when the key is refused"
    );

    // With --force, against an emulator that knows the generated key: the config passes auth check.
    let mut opts = test_options("");
    opts.public_key = Some(public);
    let pod = InProcess::start(opts);
    std::fs::write(sb.path().join("config.yaml"), "old").unwrap();
    let forced = sb
        .cmd()
        .args([
            "--host",
            &pod.url(),
            "--username",
            "demo-bot",
            "--private-key",
            "keys/bot-private.pem",
        ])
        .args(["init", "--force", "--check", "-o", "json"])
        .output()
        .unwrap();
    assert!(forced.status.success(), "{}", stderr_of(&forced));
    auth_check(&sb, "config.yaml");
}

#[test]
fn without_a_terminal_init_says_which_flags_are_missing_or_wrong() {
    let sb = Sandbox::new();
    let out = sb.cmd().args(["init"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("--host") && err.contains("--username") && err.contains("--generate-key"),
        "{err}"
    );
    assert!(!sb.path().join("config.yaml").exists());

    let key = fixture(PRIVATE_KEY);
    let key = key.to_str().unwrap();
    for (args, says) in [
        (
            vec![
                "--host",
                "x",
                "--username",
                "b",
                "--private-key",
                "nope.pem",
            ],
            "nope.pem",
        ),
        (
            vec![
                "--host",
                "x",
                "--username",
                "b",
                "--private-key",
                key,
                "--datafeed-version",
                "v3",
            ],
            "--datafeed-version",
        ),
        (
            vec!["--host", "x:99999", "--username", "b", "--private-key", key],
            "--host",
        ),
        (
            vec!["--host", "ftp://x", "--username", "b", "--private-key", key],
            "--host",
        ),
        (
            vec![
                "--host",
                "x",
                "--username",
                "b",
                "--private-key",
                key,
                "init",
                "--generate-key",
                "k",
            ],
            "together",
        ),
    ] {
        let mut all = args.clone();
        if !all.contains(&"init") {
            all.push("init");
        }
        let out = sb.cmd().args(&all).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{all:?}: {}", stderr_of(&out));
        assert!(
            stderr_of(&out).contains(says),
            "{all:?}: {}",
            stderr_of(&out)
        );
        assert!(!sb.path().join("config.yaml").exists(), "{all:?}");
    }

    // A public key is not a private key.
    let out = sb
        .cmd()
        .args(["--host", "x", "--username", "b", "--private-key"])
        .arg(fixture(PUBLIC_KEY))
        .arg("init")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("not an RSA private key"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn init_writes_split_hosts_and_a_custom_path() {
    let sb = Sandbox::new();
    let key = fixture(PRIVATE_KEY);
    let out = sb
        .cmd()
        .args([
            "--config",
            "conf/bot.yaml",
            "--host",
            "acme.symphony.com",
            "--username",
            "my-bot",
            "--private-key",
        ])
        .arg(&key)
        .args(["init", "--agent-host", "https://agent.acme.internal:8443"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let config = yaml(&sb.path().join("conf/bot.yaml"));
    assert_eq!(config["host"].as_str(), Some("acme.symphony.com"));
    assert_eq!(
        config["agent"]["host"].as_str(),
        Some("agent.acme.internal")
    );
    assert_eq!(config["agent"]["port"].as_u64(), Some(8443));
    assert!(
        config["agent"].get("scheme").is_none(),
        "same scheme as the pod"
    );
    // config show resolves the agent on its own host.
    let out = sb
        .cmd()
        .args(["--config", "conf/bot.yaml", "config", "show", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let agent_host = v["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "agent.host")
        .unwrap();
    assert_eq!(agent_host["value"], "agent.acme.internal");
}

#[test]
fn ctrl_c_at_a_prompt_gives_the_cursor_back_and_exits_130() {
    let sb = Sandbox::new();
    let mut p = wizard(&sb, &["init"]);
    p.exp_string("Pod host").unwrap();
    p.send_line("http://127.0.0.1:9").unwrap();
    // A yes/no prompt hides the cursor.
    p.exp_string("agent on the same host").unwrap();
    press(&mut p, "\x03");
    p.exp_string("\x1b[?25h").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 130);
    assert!(!sb.path().join("config.yaml").exists());
}
