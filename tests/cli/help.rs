//! Help text, for every command found by walking the clap tree (so a new command is covered
//! without touching this file): a summary, a longer description and examples that parse;
//! `feedctl --help` lists every command under a group; and a snapshot of each `--help` at 100
//! columns (tests/cli/snapshots/cli__help__*.snap).

use std::collections::BTreeSet;
use std::path::Path;

use clap::CommandFactory;
use feedctl::cli::Cli;

use crate::common::*;

const WIDTH: usize = 100;

/// The built command tree, wrapped at a fixed width so the text does not depend on the terminal.
fn root() -> clap::Command {
    let mut cmd = Cli::command().term_width(WIDTH).max_term_width(WIDTH);
    cmd.build();
    cmd
}

/// Every command a user can call, with its path (`["datafeed", "create"]`; `[]` for feedctl).
fn commands(cmd: &clap::Command) -> Vec<(Vec<String>, clap::Command)> {
    fn walk(
        cmd: &clap::Command,
        path: &mut Vec<String>,
        out: &mut Vec<(Vec<String>, clap::Command)>,
    ) {
        out.push((path.clone(), cmd.clone()));
        for sub in cmd.get_subcommands() {
            if sub.is_hide_set() || sub.get_name() == "help" {
                continue;
            }
            path.push(sub.get_name().to_string());
            walk(sub, path, out);
            path.pop();
        }
    }
    let mut out = Vec::new();
    walk(cmd, &mut Vec::new(), &mut out);
    out
}

fn snapshot_name(path: &[String]) -> String {
    std::iter::once("feedctl".to_string())
        .chain(path.iter().cloned())
        .collect::<Vec<_>>()
        .join("-")
}

/// Issue 31 item 4: a flag's variable is named, never shown with an empty value (clap writes
/// `[env: NAME=]` for one unset) nor with the value it has (it may be a path to a key).
#[test]
fn help_names_variables_without_their_values() {
    let root = root();
    for (path, mut cmd) in commands(&root) {
        let text = cmd.render_long_help().to_string();
        for line in text.lines().filter(|l| l.contains("[env: ")) {
            let env = &line[line.find("[env: ").unwrap()..];
            assert!(!env.contains('='), "{}: {line}", snapshot_name(&path));
        }
    }
}

/// Issue 31 item 4: a command's help lists only flags it reads: `--config` and the pod flags
/// where the bot config is read, `--yes` where a question may be asked.
#[test]
fn help_lists_config_and_yes_only_where_they_mean_something() {
    let root = root();
    let reads_config = ["init", "auth", "config", "datafeed", "tail", "record"];
    // The commands that may ask a question (and `datafeed`, the group of `datafeed delete`).
    let asks = [
        "feedctl-init",
        "feedctl-datafeed",
        "feedctl-datafeed-delete",
    ];
    for (path, mut cmd) in commands(&root) {
        let Some(top) = path.first() else { continue };
        let text = cmd.render_long_help().to_string();
        let name = snapshot_name(&path);
        let has = |flag: &str| text.lines().any(|l| l.trim_start().starts_with(flag));
        if !reads_config.contains(&top.as_str()) {
            assert!(!has("--config"), "{name} lists --config");
            assert!(!has("--host"), "{name} lists the pod flags");
        }
        if reads_config.contains(&top.as_str()) {
            assert!(
                has("--config"),
                "{name} reads the bot config but does not list --config"
            );
        }
        assert_eq!(
            has("-y, --yes"),
            asks.contains(&name.as_str()),
            "{name}: --yes listed where nothing is asked, or missing where something is"
        );
    }
}

#[test]
fn help_of_every_command_matches_its_snapshot() {
    let root = root();
    for (path, mut cmd) in commands(&root) {
        let text = cmd.render_long_help().to_string();
        insta::assert_snapshot!(snapshot_name(&path), text);
    }
}

#[test]
fn no_snapshot_is_left_from_a_command_that_is_gone() {
    let expected: BTreeSet<String> = commands(&root())
        .iter()
        .map(|(path, _)| format!("cli__help__{}.snap", snapshot_name(path)))
        .collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/snapshots");
    let found: BTreeSet<String> = std::fs::read_dir(&dir)
        .expect("snapshots dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("cli__help__") && n.ends_with(".snap"))
        .collect();
    let extra: Vec<_> = found.difference(&expected).collect();
    assert!(
        extra.is_empty(),
        "snapshots of commands that no longer exist, delete them: {extra:?}"
    );
}

#[test]
fn the_binary_prints_the_same_help() {
    let root = root();
    let sb = Sandbox::new();
    for path in [
        vec![],
        vec!["tail"],
        vec!["datafeed", "create"],
        vec!["init"],
    ] {
        let mut args: Vec<&str> = path.clone();
        args.push("--help");
        let out = sb
            .cmd()
            .env("COLUMNS", WIDTH.to_string())
            .args(&args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
        let mut cmd = root.clone();
        for name in &path {
            cmd = cmd.find_subcommand(name).expect("subcommand").clone();
        }
        assert_eq!(
            stdout_of(&out),
            cmd.render_long_help().to_string(),
            "{args:?}"
        );
    }
}

#[test]
fn every_command_has_a_summary_a_description_and_examples_that_parse() {
    let root = root();
    let mut problems = Vec::new();
    for (path, cmd) in commands(&root) {
        let name = snapshot_name(&path).replace('-', " ");
        let about = cmd.get_about().map(|s| s.to_string()).unwrap_or_default();
        if about.trim().is_empty() || about.contains('\n') {
            problems.push(format!("{name}: no one-line summary"));
        }
        let long = cmd
            .get_long_about()
            .map(|s| s.to_string())
            .unwrap_or_default();
        if long.trim().is_empty() || long.trim() == about.trim() {
            problems.push(format!(
                "{name}: no longer description (a doc comment paragraph or long_about)"
            ));
        }
        // The short help may show fewer examples than --help; both must parse.
        let mut examples = examples_of(cmd.get_after_long_help());
        examples.extend(examples_of(cmd.get_after_help()));
        if examples.is_empty() {
            problems.push(format!(
                "{name}: no \"Examples:\" in after_help or after_long_help"
            ));
        }
        let mut one_runs_this_command = path.is_empty();
        for example in &examples {
            for invocation in invocations(example) {
                match root.clone().try_get_matches_from(&invocation) {
                    Ok(m) => one_runs_this_command |= subcommand_path(&m).starts_with(&path),
                    Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelp => {}
                    Err(e) => {
                        problems.push(format!("{name}: example `{example}` does not parse: {e}"))
                    }
                }
            }
        }
        if !examples.is_empty() && !one_runs_this_command {
            problems.push(format!("{name}: no example runs this command"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn feedctl_help_lists_every_command_in_a_group_with_its_own_summary() {
    let mut root = root();
    let help = root.render_long_help().to_string();
    let listing: Vec<&str> = help
        .split("\nOptions:\n")
        .next()
        .unwrap()
        .lines()
        .skip_while(|l| !l.starts_with("Usage:"))
        .skip(1)
        .collect();
    let mut listed = Vec::new();
    for line in &listing {
        if let Some(rest) = line.strip_prefix("  ") {
            let (name, summary) = rest.split_once(' ').unwrap_or((rest, ""));
            listed.push((name.to_string(), summary.trim().to_string()));
        } else if !line.is_empty() {
            assert!(
                line.ends_with(':'),
                "a group heading ends with a colon: {line:?}"
            );
        }
    }
    let headings = listing.iter().filter(|l| l.ends_with(':')).count();
    assert!(headings >= 3, "commands are grouped:\n{help}");
    for sub in root.get_subcommands().filter(|s| !s.is_hide_set()) {
        let about = sub.get_about().map(|s| s.to_string()).unwrap_or_default();
        let found: Vec<_> = listed.iter().filter(|(n, _)| n == sub.get_name()).collect();
        assert_eq!(
            found.len(),
            1,
            "`{}` is listed once in feedctl --help (HELP_TEMPLATE in src/cli.rs):\n{help}",
            sub.get_name()
        );
        assert_eq!(
            found[0].1,
            about,
            "the summary of `{}` in HELP_TEMPLATE matches its doc comment",
            sub.get_name()
        );
    }
    for (name, _) in &listed {
        assert!(
            root.find_subcommand(name).is_some(),
            "feedctl --help lists `{name}`, which is not a command"
        );
    }
}

/// The example lines after "Examples:" in a command's after_help or after_long_help.
fn examples_of(after: Option<&clap::builder::StyledStr>) -> Vec<String> {
    let text = after.map(|s| s.to_string()).unwrap_or_default();
    text.lines()
        .skip_while(|l| l.trim() != "Examples:")
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The feedctl command lines of an example, as argv: pipes and redirections cut it up, and
/// leading `VAR=value` assignments are dropped.
fn invocations(example: &str) -> Vec<Vec<String>> {
    let words = shell_words(example);
    let mut out = Vec::new();
    for part in words.split(|w| matches!(w.as_str(), "|" | ">" | ">>" | "<" | ";" | "&&")) {
        let argv: Vec<String> = part
            .iter()
            .skip_while(|w| w.contains('=') && !w.starts_with('-'))
            .cloned()
            .collect();
        if argv.first().map(String::as_str) == Some("feedctl") {
            out.push(argv);
        }
    }
    assert!(!out.is_empty(), "example `{example}` should run feedctl");
    out
}

/// Splits like a POSIX shell would for these simple lines: quotes group, spaces separate.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                word.extend(chars.by_ref().take_while(|&c| c != '\''));
            }
            '"' => {
                in_word = true;
                word.extend(chars.by_ref().take_while(|&c| c != '"'));
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

fn subcommand_path(m: &clap::ArgMatches) -> Vec<String> {
    let mut path = Vec::new();
    let mut cur = m;
    while let Some((name, sub)) = cur.subcommand() {
        path.push(name.to_string());
        cur = sub;
    }
    path
}

/// Output of `feedctl ARGS` on a pseudo-terminal, with NO_COLOR set or not.
fn on_a_terminal(args: &[&str], no_color_env: bool) -> String {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("feedctl"));
    cmd.args(args)
        .env("TERM", "xterm")
        .env_remove("CLICOLOR_FORCE");
    if no_color_env {
        cmd.env("NO_COLOR", "1");
    } else {
        cmd.env_remove("NO_COLOR");
    }
    let mut p = rexpect::session::spawn_command(cmd, Some(30_000)).expect("pty");
    p.exp_eof().expect("feedctl ends")
}

#[test]
fn colours_follow_the_terminal_no_color_and_the_flag() {
    const ESC: &str = "\u{1b}[";
    assert!(
        on_a_terminal(&["--help"], false).contains(ESC),
        "help is coloured on a terminal"
    );
    assert!(
        !on_a_terminal(&["--no-color", "--help"], false).contains(ESC),
        "--no-color"
    );
    assert!(!on_a_terminal(&["--help"], true).contains(ESC), "NO_COLOR");
    let err = on_a_terminal(&["--no-color", "tail", "--bogus"], false);
    assert!(err.contains("--bogus") && !err.contains(ESC), "{err:?}");
    // Not a terminal: no colour either.
    let out = Sandbox::new()
        .cmd()
        .env_remove("NO_COLOR")
        .arg("--help")
        .output()
        .unwrap();
    assert!(!stdout_of(&out).contains(ESC));
}

#[test]
fn pod_flags_are_under_the_symphony_heading_and_only_where_a_pod_is_called() {
    let sb = Sandbox::new();
    let help = |args: &[&str]| stdout_of(&sb.cmd().args(args).output().unwrap());
    for cmd in [
        &["tail", "--help"][..],
        &["auth", "check", "--help"],
        &["datafeed", "create", "--help"],
    ] {
        let text = help(cmd);
        let heading = text
            .find("\nSymphony:\n")
            .unwrap_or_else(|| panic!("{cmd:?}:\n{text}"));
        assert!(
            text.find("--host").unwrap() > heading,
            "{cmd:?}: --host under the heading"
        );
    }
    for cmd in [
        &["journal", "ls", "--help"][..],
        &["replay", "--help"],
        &["serve", "--help"],
        &["completions", "--help"],
    ] {
        let text = help(cmd);
        assert!(
            !text.contains("--host") && !text.contains("--config"),
            "{cmd:?} calls no pod:\n{text}"
        );
    }
}

/// The options of each heading of a help text: "Options" for those before the first heading.
/// An option line starts with `-`; a line indented further, under it, continues its help.
fn sections(help: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in help.lines() {
        if !line.starts_with(' ') && line.ends_with(':') {
            out.push((line.trim_end_matches(':').to_string(), Vec::new()));
        } else if let (Some(last), true) = (out.last_mut(), line.trim_start().starts_with('-')) {
            last.1.push(line.trim().to_string());
        }
    }
    out
}

/// The heading a flag is listed under in a help text.
fn heading_of<'a>(sections: &'a [(String, Vec<String>)], flag: &str) -> Option<&'a str> {
    sections
        .iter()
        .find(|(_, lines)| {
            lines.iter().any(|l| {
                l.split([' ', ','])
                    .any(|w| w.trim_end_matches("...") == flag)
            })
        })
        .map(|(h, _)| h.as_str())
}

/// Issue 31 item 4: `-h` of every command (the binary, at 100 columns) fits a screen, one line
/// per option, and `--help` is longer and still documents every option and argument.
#[test]
fn short_help_fits_a_screen_and_long_help_has_every_option() {
    const MAX_LINES: usize = 40;
    let root = root();
    let sb = Sandbox::new();
    let mut problems = Vec::new();
    for (path, cmd) in commands(&root) {
        let name = snapshot_name(&path).replace('-', " ");
        let run = |flag: &str| {
            let out = sb
                .cmd()
                .env("COLUMNS", WIDTH.to_string())
                .args(&path)
                .arg(flag)
                .output()
                .unwrap();
            assert!(out.status.success(), "{name} {flag}: {}", stderr_of(&out));
            stdout_of(&out)
        };
        let (short, long) = (run("-h"), run("--help"));
        let lines: Vec<&str> = short.lines().collect();
        if lines.len() > MAX_LINES {
            problems.push(format!("{name} -h: {} lines", lines.len()));
        }
        if long.lines().count() <= lines.len() {
            problems.push(format!("{name} --help is not longer than -h"));
        }
        // One line per option and per argument: none continues on the next line.
        for pair in lines.windows(2) {
            let entry = pair[0].starts_with("  ") && {
                let t = pair[0].trim_start();
                t.starts_with('-') || t.starts_with('<') || t.starts_with('[')
            };
            let continued = pair[1].starts_with("      ")
                && !pair[1].trim_start().starts_with('-')
                && !pair[1].trim().is_empty();
            if entry && continued {
                problems.push(format!("{name} -h: `{}` takes two lines", pair[0].trim()));
            }
        }
        for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
            let shown = match (arg.get_long(), arg.get_value_names()) {
                (Some(l), _) => format!("--{l}"),
                (None, Some(v)) if arg.is_positional() => v[0].to_string(),
                _ => continue,
            };
            if !long.contains(&shown) {
                problems.push(format!("{name} --help does not document {shown}"));
            }
            if !arg.is_hide_short_help_set() && !short.contains(&shown) {
                problems.push(format!(
                    "{name} -h leaves out {shown}, which is not marked long-only"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Issue 31 item 4: `tail` and `record` show each source's options under a heading of its own,
/// and the options every command takes apart, in `-h` and in `--help`.
#[test]
fn tail_and_record_group_options_by_source() {
    let sb = Sandbox::new();
    for command in ["tail", "record"] {
        for flag in ["-h", "--help"] {
            let out = sb
                .cmd()
                .env("COLUMNS", WIDTH.to_string())
                .args([command, flag])
                .output()
                .unwrap();
            let text = stdout_of(&out);
            let sections = sections(&text);
            for (option, heading) in [
                ("--count", "Options"),
                ("--exit-at-end", "Options"),
                ("--feed", "Symphony"),
                ("--config", "Symphony"),
                ("--host", "Symphony"),
                ("--from", "Redis"),
                ("--group", "Redis"),
                ("--replay", "Salesforce"),
                ("--sf-org", "Salesforce"),
                ("--verbose", "Global options"),
                ("--output", "Global options"),
                ("--help", "Global options"),
            ] {
                assert_eq!(
                    heading_of(&sections, option),
                    Some(heading),
                    "{command} {flag}: {option}\n{text}"
                );
            }
            if flag == "--help" {
                for (option, heading) in [
                    ("--read-timeout", "Symphony"),
                    ("--tls-ca", "Redis"),
                    ("--batch", "Redis"),
                    ("--max-pending", "Salesforce"),
                    ("--no-color", "Global options"),
                    ("--version", "Global options"),
                ] {
                    assert_eq!(
                        heading_of(&sections, option),
                        Some(heading),
                        "{command} {flag}: {option}\n{text}"
                    );
                }
            }
        }
    }
}
