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
    let out = StdCommand::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .unwrap();
    assert!(out.status.success(), "bash: {}", stderr_of(&out));
    stdout_of(&out).lines().map(str::to_string).collect()
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
