//! The generated files: completion scripts (completions/) and man pages (man/) are what the
//! generator writes today, each script loads in its shell and completes, each man page renders
//! without warnings. A shell or groff that is not installed is skipped with a note, except in CI
//! (CI=true), where .ci/run installs them and a missing one fails.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use clap::CommandFactory;
use feedctl::generate;

use crate::common::*;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn installed(tool: &str) -> bool {
    let found = StdCommand::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is not installed; .ci/run installs it in CI"
        );
        eprintln!("note: {tool} is not installed, skipping its part of this test");
    }
    found
}

#[test]
fn committed_completions_and_man_pages_are_what_the_generator_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let written = generate::run(tmp.path(), false).expect("generate");
    assert!(
        !written.is_empty(),
        "everything is new in an empty directory"
    );
    let mut stale = generate::compare(&repo(), &generate::files().unwrap());
    // The same check by hand on the temporary copy, so a broken `compare` cannot hide anything.
    for sub in ["completions", "man"] {
        for entry in std::fs::read_dir(tmp.path().join(sub)).unwrap().flatten() {
            let rel = Path::new(sub).join(entry.file_name());
            let fresh = std::fs::read(entry.path()).unwrap();
            if std::fs::read(repo().join(&rel)).ok() != Some(fresh) {
                let line = format!("{} differs or is missing", rel.display());
                if !stale
                    .iter()
                    .any(|s| s.starts_with(&rel.display().to_string()))
                {
                    stale.push(line);
                }
            }
        }
    }
    assert!(
        stale.is_empty(),
        "generated files are stale:\n  {}\nrun `{}` and commit the result",
        stale.join("\n  "),
        generate::REGENERATE
    );
}

#[test]
fn completions_command_prints_the_committed_scripts() {
    let sb = Sandbox::new();
    for (shell, file) in [
        ("bash", "feedctl.bash"),
        ("zsh", "_feedctl"),
        ("fish", "feedctl.fish"),
        ("powershell", "_feedctl.ps1"),
        ("elvish", "feedctl.elv"),
    ] {
        let out = sb.cmd().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}: {}", stderr_of(&out));
        let committed = std::fs::read(repo().join("completions").join(file)).unwrap();
        assert!(
            out.stdout == committed,
            "feedctl completions {shell} differs from completions/{file}"
        );
    }
    let out = sb.cmd().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// What bash offers for the words typed so far (the last one being completed).
fn bash_complete(words: &[&str]) -> Vec<String> {
    bash_complete_in(&repo(), &[], words)
}

/// The environment of a shell that completes: feedctl (this build) first on PATH, no FEEDCTL_*
/// variables but `env`, HOME and the working directory in `dir`.
fn shell_env(cmd: &mut StdCommand, dir: &Path, env: &[(&str, &str)]) {
    let bin = assert_cmd::cargo::cargo_bin("feedctl");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (k, _) in std::env::vars() {
        if k.starts_with("FEEDCTL_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("PATH", path).env("HOME", dir).current_dir(dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
}

/// [`bash_complete`] in the directory `dir`, with the variables `env`.
fn bash_complete_in(dir: &Path, env: &[(&str, &str)], words: &[&str]) -> Vec<String> {
    let script = repo().join("completions/feedctl.bash");
    let array = words
        .iter()
        .map(|w| format!("'{w}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let cword = words.len() - 1;
    let prev = if cword > 0 { words[cword - 1] } else { "" };
    let program = format!(
        "source '{}' || exit 3\n\
         COMP_WORDS=({array}); COMP_CWORD={cword}; COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}\n\
         _feedctl feedctl '{cur}' '{prev}' || exit 4\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display(),
        line = words.join(" "),
        cur = words[cword],
    );
    let mut cmd = StdCommand::new("bash");
    cmd.args(["--norc", "--noprofile", "-c", &program]);
    shell_env(&mut cmd, dir, env);
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "bash: {}", stderr_of(&out));
    assert!(
        stderr_of(&out).is_empty(),
        "completion printed to stderr: {}",
        stderr_of(&out)
    );
    stdout_of(&out)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// A journal (`j.db` in the sandbox) of hopeit- and Salesforce-like types, imported from NDJSON;
/// one type is not plain text (a shell command substitution), one event has none.
fn journal_of_other_types(sb: &Sandbox) {
    let lines = [
        r#"{"id":"1","type":"shop.events.OrderPlaced","timestamp":1764000000000,"payload":{"sku":"a"}}"#,
        r#"{"id":"2","type":"shop.events.OrderShipped","timestamp":1764000001000}"#,
        r#"{"id":"3","type":"shop.events.OrderPlaced","timestamp":1764000002000}"#,
        r#"{"id":"4","type":"CREATE","timestamp":1764000003000}"#,
        r#"{"id":"5","type":"x$(touch pwned)","timestamp":1764000004000}"#,
        r#"{"id":"6","timestamp":1764000005000}"#,
    ];
    let file = sb.write("events.ndjson", &(lines.join("\n") + "\n"));
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "j.db", "--name", "shop"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "import: {}", stderr_of(&out));
}

/// What the journal of [`journal_of_other_types`] holds, as completion offers it.
const JOURNAL_TYPES: [&str; 3] = [
    "CREATE",
    "shop.events.OrderPlaced",
    "shop.events.OrderShipped",
];

fn symphony_types() -> Vec<String> {
    feedctl::symphony::event::EVENT_TYPES
        .iter()
        .map(|t| t.to_string())
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn bash_completes_type_from_the_journal_on_the_line() {
    if !installed("bash") {
        return;
    }
    let sb = Sandbox::new();
    journal_of_other_types(&sb);
    let dir = sb.path();
    let complete = |env: &[(&str, &str)], words: &[&str]| sorted(bash_complete_in(dir, env, words));
    assert_eq!(
        complete(
            &[],
            &["feedctl", "journal", "show", "-j", "j.db", "--type", ""]
        ),
        JOURNAL_TYPES
    );
    assert_eq!(
        complete(
            &[],
            &[
                "feedctl",
                "journal",
                "show",
                "-j",
                "j.db",
                "--type",
                "shop.events.OrderP"
            ]
        ),
        ["shop.events.OrderPlaced"]
    );
    // Every command that reads a journal and has --type; --journal= and the variable count too.
    assert_eq!(
        complete(
            &[],
            &[
                "feedctl",
                "journal",
                "export",
                "--journal=j.db",
                "--type",
                ""
            ]
        ),
        JOURNAL_TYPES
    );
    assert_eq!(
        complete(
            &[("FEEDCTL_JOURNAL", "j.db")],
            &["feedctl", "replay", "--type", ""]
        ),
        JOURNAL_TYPES
    );
    // --recording narrows to the types of that recording (none of another name).
    assert_eq!(
        complete(
            &[],
            &[
                "feedctl",
                "journal",
                "show",
                "-j",
                "j.db",
                "--recording",
                "shop",
                "--type",
                ""
            ]
        ),
        JOURNAL_TYPES
    );
    assert!(complete(
        &[],
        &[
            "feedctl",
            "journal",
            "show",
            "-j",
            "j.db",
            "--recording",
            "other",
            "--type",
            ""
        ]
    )
    .is_empty());
    // The type that is a command substitution is neither offered nor run.
    assert!(
        !dir.join("pwned").exists(),
        "a journal's type ran as a command"
    );
    // No journal on the line, or a command without one: the 17 Symphony types.
    assert_eq!(
        complete(&[], &["feedctl", "tail", "--type", ""]),
        sorted(symphony_types())
    );
    assert_eq!(
        complete(&[], &["feedctl", "journal", "show", "--type", ""]),
        sorted(symphony_types()),
        "no ./feedctl-journal.db here"
    );
    assert_eq!(
        complete(
            &[("FEEDCTL_JOURNAL", "j.db")],
            &["feedctl", "inject", "--server", "x", "--type", "ROOMC"]
        ),
        ["ROOMCREATED"]
    );
}

#[test]
fn type_completion_of_a_missing_damaged_or_locked_journal_is_quiet_and_prompt() {
    if !installed("bash") {
        return;
    }
    let sb = Sandbox::new();
    journal_of_other_types(&sb);
    std::fs::write(
        sb.path().join("garbage.db"),
        "not a journal at all\n".repeat(300),
    )
    .unwrap();
    // A writer holding the journal in exclusive locking mode: no reader gets in.
    let locker = rusqlite::Connection::open(sb.path().join("j.db")).unwrap();
    locker
        .execute_batch(
            "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; \
             UPDATE recordings SET name = name; COMMIT; BEGIN EXCLUSIVE;",
        )
        .unwrap();
    for journal in ["missing.db", "garbage.db", "j.db", "."] {
        let started = std::time::Instant::now();
        // bash_complete_in fails on any stderr output.
        let offered = bash_complete_in(
            sb.path(),
            &[],
            &[
                "feedctl", "journal", "show", "-j", journal, "--type", "MESSAGES",
            ],
        );
        let took = started.elapsed();
        assert_eq!(offered, ["MESSAGESENT", "MESSAGESUPPRESSED"], "{journal}");
        assert!(
            took < std::time::Duration::from_secs(2),
            "{journal}: completion took {took:?}"
        );
    }
    drop(locker);
    // The helper itself: exit 0, nothing on stderr, within its deadline plus start-up.
    let started = std::time::Instant::now();
    let out = sb
        .cmd()
        .args([
            "__complete-types",
            "feedctl",
            "journal",
            "show",
            "-j",
            "missing.db",
            "--type",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out).lines().count(), 17);
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}

#[test]
fn type_completion_reads_a_large_journal_in_well_under_100ms() {
    let sb = Sandbox::new();
    // 200,000 events of 50 types: the answer comes from the per-type counts, not the events.
    let mut text = String::with_capacity(200_000 * 80);
    for i in 0..200_000u64 {
        text.push_str(&format!(
            "{{\"id\":\"{i}\",\"type\":\"app.Type{}\",\"timestamp\":{}}}\n",
            i % 50,
            1_764_000_000_000u64 + i
        ));
    }
    let file = sb.write("big.ndjson", &text);
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "big.db"])
        .arg(&file)
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .unwrap();
    assert!(out.status.success(), "import: {}", stderr_of(&out));
    let mut best = std::time::Duration::MAX;
    for _ in 0..3 {
        let started = std::time::Instant::now();
        let out = sb
            .cmd()
            .args([
                "__complete-types",
                "feedctl",
                "journal",
                "show",
                "-j",
                "big.db",
                "--type",
            ])
            .output()
            .unwrap();
        best = best.min(started.elapsed());
        assert!(out.status.success());
        assert_eq!(stdout_of(&out).lines().count(), 50);
    }
    assert!(
        best < std::time::Duration::from_millis(100),
        "the --type values of a 200,000-event journal took {best:?}"
    );
}

#[test]
fn bash_completes_commands_subcommands_and_values() {
    if !installed("bash") {
        return;
    }
    assert_eq!(bash_complete(&["feedctl", "ta"]), ["tail"]);
    assert_eq!(bash_complete(&["feedctl", "datafeed", "cr"]), ["create"]);
    assert!(bash_complete(&["feedctl", "journal", ""]).contains(&"verify".to_string()));
    let shells = bash_complete(&["feedctl", "completions", ""]);
    for s in ["bash", "zsh", "fish", "powershell", "elvish"] {
        assert!(shells.contains(&s.to_string()), "{shells:?}");
    }
    assert!(bash_complete(&["feedctl", "tail", "--co"]).contains(&"--count".to_string()));
    // `--type` offers the event types, not file names.
    assert_eq!(
        bash_complete(&["feedctl", "tail", "--type", "ROOMC"]),
        ["ROOMCREATED"]
    );
    assert!(bash_complete(&["feedctl", "replay", "--type", "MESSAGES"])
        .contains(&"MESSAGESENT".to_string()));
}

#[test]
fn zsh_loads_the_script_and_registers_the_completion() {
    if !installed("zsh") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let program = format!(
        "autoload -Uz compinit && compinit -u -D && source '{}' && print -r -- ${{_comps[feedctl]}}",
        repo().join("completions/_feedctl").display()
    );
    let out = StdCommand::new("zsh")
        .args(["-f", "-c", &program])
        .env("HOME", home.path())
        .env("ZDOTDIR", home.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "zsh: {}", stderr_of(&out));
    assert_eq!(stdout_of(&out).trim(), "_feedctl", "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).trim().is_empty(),
        "zsh: {}",
        stderr_of(&out)
    );
}

#[test]
fn fish_loads_the_script_and_completes_feedctl_ta() {
    if !installed("fish") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let program = format!(
        "source '{}'; and complete -C 'feedctl ta'; and complete -C 'feedctl datafeed '",
        repo().join("completions/feedctl.fish").display()
    );
    let out = StdCommand::new("fish")
        .args(["--no-config", "-c", &program])
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .output()
        .unwrap();
    assert!(out.status.success(), "fish: {}", stderr_of(&out));
    let names: Vec<String> = stdout_of(&out)
        .lines()
        .map(|l| l.split('\t').next().unwrap_or("").to_string())
        .collect();
    assert!(names.contains(&"tail".to_string()), "{names:?}");
    assert!(names.contains(&"create".to_string()), "{names:?}");
    assert!(
        stderr_of(&out).trim().is_empty(),
        "fish: {}",
        stderr_of(&out)
    );
}

#[test]
fn powershell_and_elvish_scripts_load_where_installed() {
    // Neither shell is in Debian's archive, so CI does not install them: run where present.
    for (shell, args, file) in [
        (
            "pwsh",
            vec!["-NoProfile", "-NonInteractive", "-Command"],
            "_feedctl.ps1",
        ),
        ("elvish", vec!["-norc", "-c"], "feedctl.elv"),
    ] {
        let present = StdCommand::new("sh")
            .args(["-c", &format!("command -v {shell}")])
            .output()
            .is_ok_and(|o| o.status.success());
        if !present {
            eprintln!("note: {shell} is not installed, skipping it");
            continue;
        }
        let path = repo().join("completions").join(file);
        let program = if shell == "pwsh" {
            format!(". '{}'", path.display())
        } else {
            format!("eval (slurp < '{}')", path.display())
        };
        let mut all = args.clone();
        all.push(&program);
        let out = StdCommand::new(shell).args(&all).output().unwrap();
        assert!(out.status.success(), "{shell}: {}", stderr_of(&out));
    }
}

/// Drives an interactive zsh through a pseudo-terminal (zsh's own zpty module): loads the
/// script, waits for the line editor's prompt (`P42> `, which the echo of the typed `P$((6*7))`
/// is not: keys typed before it would meet the terminal's own line editing), types `$1` and
/// Tab, then a marker command whose output ends the wait. `compadd` is wrapped to write the
/// matches it is given (after zsh's own prefix filtering) to `$3`.
const ZSH_DRIVER: &str = r#"
zmodload zsh/zpty || exit 3
zpty -b z zsh -f -i
zpty -w z "PS1=\"P\$((6*7))> \"; autoload -Uz compinit; compinit -u -D; source ${(q)2}; compadd() { local -a m; builtin compadd -O m \"\$@\"; print -rl -- \$m >> ${(q)3}; builtin compadd \"\$@\"; }"
zpty -r z x '*P42> *'
zpty -n -w z "$1"$'\t\x15echo MARK$((40+2))\n'
zpty -r z all '*MARK42*'
zpty -d z
"#;

#[test]
fn zsh_offers_the_types_of_the_journal_on_the_line() {
    if !installed("zsh") {
        return;
    }
    let sb = Sandbox::new();
    journal_of_other_types(&sb);
    let complete = |line: &str| -> Vec<String> {
        let out_file = sb.path().join("matches.txt");
        let _ = std::fs::remove_file(&out_file);
        let mut cmd = assert_cmd::Command::new("zsh");
        cmd.arg("-f")
            .arg("-c")
            .arg(ZSH_DRIVER)
            .arg("zsh")
            .arg(line)
            .arg(repo().join("completions/_feedctl"))
            .arg(&out_file);
        for (k, _) in std::env::vars() {
            if k.starts_with("FEEDCTL_") {
                cmd.env_remove(k);
            }
        }
        let bin = assert_cmd::cargo::cargo_bin("feedctl");
        cmd.env(
            "PATH",
            format!(
                "{}:{}",
                bin.parent().unwrap().display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("HOME", sb.path())
        .env("ZDOTDIR", sb.path())
        .current_dir(sb.path())
        .timeout(std::time::Duration::from_secs(30));
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "zsh: {}", stderr_of(&out));
        let text = std::fs::read_to_string(&out_file).unwrap_or_default();
        let mut offered: Vec<String> = text.lines().map(str::to_string).collect();
        offered.sort();
        offered.dedup();
        offered
    };
    assert_eq!(
        complete("feedctl journal show -j j.db --type "),
        JOURNAL_TYPES
    );
    assert_eq!(
        complete("cd . && feedctl journal export --journal 'j.db' --type shop.events.OrderS"),
        ["shop.events.OrderShipped"]
    );
    assert_eq!(complete("feedctl tail --type "), sorted(symphony_types()));
    assert_eq!(
        complete("feedctl journal show -j missing.db --type ROOMC"),
        ["ROOMCREATED"]
    );
    assert!(!sb.path().join("pwned").exists());
}

#[test]
fn fish_offers_the_types_of_the_journal_on_the_line() {
    if !installed("fish") {
        return;
    }
    let sb = Sandbox::new();
    journal_of_other_types(&sb);
    let complete = |line: &str| -> Vec<String> {
        let program = format!(
            "source '{}'; and complete -C '{line}'",
            repo().join("completions/feedctl.fish").display()
        );
        let mut cmd = StdCommand::new("fish");
        cmd.args(["--no-config", "-c", &program]);
        shell_env(&mut cmd, sb.path(), &[]);
        cmd.env("XDG_CONFIG_HOME", sb.path().join("config"))
            .env("XDG_DATA_HOME", sb.path().join("data"));
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "fish: {}", stderr_of(&out));
        assert!(
            stderr_of(&out).trim().is_empty(),
            "fish: {}",
            stderr_of(&out)
        );
        sorted(
            stdout_of(&out)
                .lines()
                .map(|l| l.split('\t').next().unwrap_or("").to_string())
                .collect(),
        )
    };
    assert_eq!(
        complete("feedctl journal show -j j.db --type "),
        JOURNAL_TYPES
    );
    assert_eq!(
        complete("feedctl replay -j j.db --type shop.events.OrderS"),
        ["shop.events.OrderShipped"]
    );
    assert_eq!(complete("feedctl tail --type "), sorted(symphony_types()));
    assert_eq!(
        complete("feedctl journal show -j missing.db --type "),
        sorted(symphony_types())
    );
}

/// `feedctl-datafeed-create.1` for every command a user can call.
fn expected_pages() -> Vec<String> {
    fn walk(cmd: &clap::Command, name: String, out: &mut Vec<String>) {
        out.push(format!("{name}.1"));
        for sub in cmd
            .get_subcommands()
            .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        {
            walk(sub, format!("{name}-{}", sub.get_name()), out);
        }
    }
    let mut out = Vec::new();
    walk(&feedctl::cli::Cli::command(), "feedctl".into(), &mut out);
    out
}

#[test]
fn every_command_has_a_man_page_with_the_usual_sections() {
    let pages = expected_pages();
    assert!(pages.contains(&"feedctl-datafeed-create.1".to_string()));
    assert!(pages.contains(&"feedctl-journal-show.1".to_string()));
    for page in &pages {
        let text = std::fs::read_to_string(repo().join("man").join(page))
            .unwrap_or_else(|e| panic!("man/{page}: {e}; run `{}`", generate::REGENERATE));
        for section in [
            "NAME",
            "SYNOPSIS",
            "DESCRIPTION",
            "\"EXIT STATUS\"",
            "ENVIRONMENT",
            "FILES",
            "EXAMPLES",
        ] {
            assert!(
                text.contains(&format!("\n.SH {section}\n")),
                "man/{page} has no {section} section"
            );
        }
        let examples = text.split("\n.SH EXAMPLES\n").nth(1).unwrap();
        assert!(
            examples.contains("feedctl"),
            "man/{page}: EXAMPLES is empty"
        );
        for var in ["FEEDCTL_CONFIG", "FEEDCTL_PRIVATE_KEY_PATH", "NO_COLOR"] {
            assert!(text.contains(var), "man/{page} does not mention {var}");
        }
        assert!(text.contains("130"), "man/{page} lists the exit codes");
    }
}

#[test]
fn every_man_page_renders_without_warnings() {
    if !installed("groff") {
        return;
    }
    for page in expected_pages() {
        let path = repo().join("man").join(&page);
        let out = StdCommand::new("groff")
            .args(["-man", "-ww", "-z"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "groff -man -ww -z man/{page}:\n{}",
            stderr_of(&out)
        );
        let out = StdCommand::new("groff")
            .args(["-man", "-ww", "-Tutf8", "-P-cbou"])
            .arg(&path)
            .env("LC_ALL", "C.UTF-8")
            .output()
            .unwrap();
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "groff -Tutf8 man/{page}: {}",
            stderr_of(&out)
        );
        let text = stdout_of(&out);
        assert!(
            text.contains("EXIT STATUS") && text.contains("EXAMPLES"),
            "man/{page}:\n{text}"
        );
    }
}
