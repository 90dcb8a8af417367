//! The generator of the committed completion scripts (`completions/`) and man pages (`man/`),
//! all from the clap definitions in `cli.rs` so they cannot drift from the binary. Run it with
//! `cargo run --example generate`; a test regenerates them and fails when a committed file
//! differs. It is not a subcommand of feedctl because clap_complete would offer even a hidden
//! subcommand to every user's shell.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_complete::{Generator, Shell};
use clap_mangen::roff::{bold, italic, roman, Roff};
use clap_mangen::Man;

use crate::cli::Cli;

/// The shells `completions/` has a script for.
pub const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::PowerShell,
    Shell::Elvish,
];

const COMPLETIONS_DIR: &str = "completions";
const MAN_DIR: &str = "man";

/// The command that brings the committed files up to date.
pub const REGENERATE: &str = "cargo run --example generate";

/// Writes every generated file under `out_dir` (the repository's root), removing left-overs of
/// commands that are gone; with `check`, writes nothing and returns what is stale.
pub fn run(out_dir: &Path, check: bool) -> Result<Vec<String>> {
    let files = files().context("rendering the generated files")?;
    let stale = compare(out_dir, &files);
    if !check {
        write(out_dir, &files)?;
        crate::stderr_line!(
            "{} files in {}: {} changed",
            files.len(),
            out_dir.display(),
            stale.len()
        );
    }
    Ok(stale)
}

/// The completion script for one shell, as `feedctl completions SHELL` prints it.
pub fn completion_script(shell: Shell) -> Vec<u8> {
    render(shell).0.into_bytes()
}

/// clap_complete's script, then [`journal_types`].
fn render(shell: Shell) -> (String, usize) {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "feedctl", &mut buf);
    journal_types(shell, &String::from_utf8_lossy(&buf))
}

/// The one step after clap_complete: in the bash, zsh and fish scripts, the `--type` values
/// (clap_complete writes the 17 Symphony types, `EventTypes`' possible values, as a fixed
/// list) become a call to a small shell function added to the script, which asks
/// `feedctl __complete-types` (src/complete.rs) with the words typed so far, so a journal on
/// the line gives its own types, and falls back to the fixed list when feedctl cannot run.
/// PowerShell and Elvish keep the fixed list. Returns the script and how many lists were
/// replaced: [`files`] fails when that is not one per `--type` option (clap_complete changed
/// how it writes them), so a stale pattern cannot pass unnoticed.
fn journal_types(shell: Shell, script: &str) -> (String, usize) {
    let types = crate::symphony::event::EVENT_TYPES;
    let (list, call, helper) = match shell {
        Shell::Bash => (
            format!(
                "COMPREPLY=($(compgen -W \"{}\" -- \"${{cur}}\"))",
                types.join(" ")
            ),
            "_feedctl_types \"${cur}\"".to_string(),
            BASH_TYPES,
        ),
        Shell::Zsh => (
            format!(":TYPE:({})'", types.join(" ")),
            ":TYPE:_feedctl_types'".to_string(),
            ZSH_TYPES,
        ),
        Shell::Fish => (
            format!("-a \"{}\\t''\"", types.join("\\t''\n")),
            "-a \"(__feedctl_types)\"".to_string(),
            FISH_TYPES,
        ),
        _ => return (script.to_string(), 0),
    };
    let n = script.matches(&list).count();
    let replaced = script.replace(&list, &call);
    let helper = helper.replace("@TYPES@", &types.join(" "));
    let out = match shell {
        // zsh reads `#compdef` from the first line; the functions go before the ending
        // `compdef` call, with clap_complete's own `(( $+functions[…] )) ||` guard.
        Shell::Zsh => match replaced.rfind("\nif [ \"$funcstack[1]\"") {
            Some(at) => format!("{}\n{helper}{}", &replaced[..at], &replaced[at..]),
            None => format!("{replaced}\n{helper}"),
        },
        _ => format!("{helper}\n{replaced}"),
    };
    (out, n)
}

/// How many `--type` options take event types (`EventTypes`), over every command.
fn type_options() -> usize {
    fn walk(cmd: &clap::Command) -> usize {
        let own = cmd
            .get_arguments()
            .filter(|a| {
                a.get_long() == Some("type")
                    && a.get_possible_values().len() == crate::symphony::event::EVENT_TYPES.len()
            })
            .count();
        own + cmd.get_subcommands().map(walk).sum::<usize>()
    }
    walk(&Cli::command())
}

const BASH_TYPES: &str = r#"# Added by feedctl's generator (src/generate.rs): the --type values. `feedctl __complete-types
# WORDS…` prints the event types stored in the journal the words name (-j/--journal,
# $FEEDCTL_JOURNAL, ./feedctl-journal.db), else the 17 Symphony types; when feedctl cannot run,
# the 17 Symphony types. Matched here by prefix: compgen -W would expand what a journal holds.
_feedctl_types() {
    local cur="$1" out t
    if ! out=$("${COMP_WORDS[0]}" __complete-types "${COMP_WORDS[@]:0:COMP_CWORD}" 2>/dev/null </dev/null); then
        out="@TYPES@"
        out="${out// /$'\n'}"
    fi
    COMPREPLY=()
    while IFS= read -r t; do
        if [[ -n "$t" && "$t" == "$cur"* ]]; then
            COMPREPLY+=("$t")
        fi
    done <<< "$out"
}
"#;

const ZSH_TYPES: &str = r#"# Added by feedctl's generator (src/generate.rs): the --type values. `feedctl __complete-types
# WORDS…` prints the event types stored in the journal the words before the cursor name
# (-j/--journal, $FEEDCTL_JOURNAL, ./feedctl-journal.db), else the 17 Symphony types; when
# feedctl cannot run, the 17 Symphony types. The list is left in $reply.
(( $+functions[_feedctl_type_list] )) ||
_feedctl_type_list() {
    local -a w
    local out i
    w=("${(@Q)${(z)LBUFFER}}")
    # The word being completed is not passed; nor what comes before the last `;`, `|`, `&&`…
    [[ "$LBUFFER" == *[[:space:]] ]] || w[-1]=()
    for (( i = ${#w}; i > 0; i-- )); do
        if [[ "${w[i]}" == (';'|'|'|'||'|'&&'|'&'|'('|'|&') ]]; then
            w=("${(@)w[i+1,-1]}")
            break
        fi
    done
    if (( ${#w} )) && out=$("${w[1]}" __complete-types "${w[@]}" 2>/dev/null </dev/null); then
        reply=("${(@f)out}")
    else
        reply=(@TYPES@)
    fi
}
(( $+functions[_feedctl_types] )) ||
_feedctl_types() {
    local -a reply
    _feedctl_type_list
    compadd -a reply
}
"#;

const FISH_TYPES: &str = r#"# Added by feedctl's generator (src/generate.rs): the --type values. `feedctl __complete-types
# WORDS…` prints the event types stored in the journal the words before the cursor name
# (-j/--journal, $FEEDCTL_JOURNAL, ./feedctl-journal.db), else the 17 Symphony types; when
# feedctl cannot run, the 17 Symphony types.
function __feedctl_types
    set -l words (commandline -opc)
    set -l out ($words[1] __complete-types $words 2>/dev/null </dev/null)
    or set out @TYPES@
    printf '%s
' $out
end
"#;

/// Every generated file, keyed by its path relative to the output directory.
pub fn files() -> std::io::Result<BTreeMap<PathBuf, Vec<u8>>> {
    let mut files = BTreeMap::new();
    let expected = type_options();
    for shell in SHELLS {
        let (script, replaced) = render(shell);
        if matches!(shell, Shell::Bash | Shell::Zsh | Shell::Fish) && replaced != expected {
            return Err(std::io::Error::other(format!(
                "{shell}: {replaced} of the {expected} --type value lists were found in \
                 clap_complete's script; its output changed: update generate::journal_types"
            )));
        }
        files.insert(
            Path::new(COMPLETIONS_DIR).join(shell.file_name("feedctl")),
            script.into_bytes(),
        );
    }
    // The `help` subcommand would only repeat `--help`; it gets no page.
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let mut pages = Vec::new();
    collect_pages(&root, &mut Vec::new(), &mut pages)?;
    for (name, text) in pages {
        files.insert(Path::new(MAN_DIR).join(name), text);
    }
    Ok(files)
}

/// Which files under `dir` are missing, differ, or are left over from a command that is gone.
pub fn compare(dir: &Path, files: &BTreeMap<PathBuf, Vec<u8>>) -> Vec<String> {
    let mut stale = Vec::new();
    for (rel, text) in files {
        match std::fs::read(dir.join(rel)) {
            Ok(old) if &old == text => {}
            Ok(_) => stale.push(format!("{} differs", rel.display())),
            Err(_) => stale.push(format!("{} is missing", rel.display())),
        }
    }
    for rel in leftovers(dir, files) {
        stale.push(format!("{} is not generated any more", rel.display()));
    }
    stale
}

/// Files in `completions/` and `man/` that look generated but are not produced now.
fn leftovers(dir: &Path, files: &BTreeMap<PathBuf, Vec<u8>>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in [COMPLETIONS_DIR, MAN_DIR] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let ours = if sub == MAN_DIR {
                name.starts_with("feedctl") && name.ends_with(".1")
            } else {
                name.starts_with("feedctl") || name.starts_with("_feedctl")
            };
            let rel = Path::new(sub).join(&name);
            if ours && !files.contains_key(&rel) {
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}

fn write(dir: &Path, files: &BTreeMap<PathBuf, Vec<u8>>) -> Result<()> {
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        // Unchanged files keep their modification time.
        if std::fs::read(&path).is_ok_and(|old| &old == text) {
            continue;
        }
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    for rel in leftovers(dir, files) {
        let path = dir.join(&rel);
        std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        crate::stderr_line!("removed {}", rel.display());
    }
    Ok(())
}

fn collect_pages(
    cmd: &clap::Command,
    parents: &mut Vec<String>,
    pages: &mut Vec<(String, Vec<u8>)>,
) -> std::io::Result<()> {
    pages.push(man_page(cmd, parents)?);
    parents.push(page_name(cmd).to_string());
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect_pages(sub, parents, pages)?;
    }
    parents.pop();
    Ok(())
}

/// `feedctl-datafeed-create` for `feedctl datafeed create` (clap sets it when building).
fn page_name(cmd: &clap::Command) -> &str {
    cmd.get_display_name().unwrap_or_else(|| cmd.get_name())
}

/// One page: clap_mangen's name, synopsis, description, options and subcommands, then the
/// sections clap knows nothing about. `parents` are the page names of the enclosing commands.
fn man_page(cmd: &clap::Command, parents: &[String]) -> std::io::Result<(String, Vec<u8>)> {
    let man = Man::new(cmd.clone())
        .manual("feedctl manual")
        .source(format!("feedctl {}", env!("CARGO_PKG_VERSION")));
    let filename = man.get_filename();
    let (notes, examples) = split_after_help(cmd);

    let mut out = Vec::new();
    man.render_title(&mut out)?;
    let mut section = |f: &dyn Fn(&mut Vec<u8>) -> std::io::Result<()>| -> std::io::Result<()> {
        let mut buf = Vec::new();
        f(&mut buf)?;
        out.extend_from_slice(strip_preamble(&buf));
        Ok(())
    };
    section(&|w| man.render_name_section(w))?;
    section(&|w| man.render_synopsis_section(w))?;
    section(&|w| man.render_description_section(w))?;
    section(&|w| write_roff(w, &notes_roff(&notes)))?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        section(&|w| man.render_options_section(w))?;
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        section(&|w| man.render_subcommands_section(w))?;
    }
    section(&|w| write_roff(w, &exit_status()))?;
    section(&|w| write_roff(w, &environment()))?;
    section(&|w| write_roff(w, &files_section()))?;
    section(&|w| write_roff(w, &examples_roff(&examples)))?;
    section(&|w| write_roff(w, &see_also(parents)))?;
    if cmd.get_version().is_some() {
        section(&|w| man.render_version_section(w))?;
    }
    Ok((filename, ascii_only(&out)))
}

/// groff reads its input as Latin-1 unless told otherwise: a character outside ASCII (the → of
/// a description) is written as its named Unicode escape, `\[u2192]`, which every man reads.
fn ascii_only(page: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(page);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("\\[u{:04X}]", c as u32));
        }
    }
    out.into_bytes()
}

/// Every rendered roff document starts with the same apostrophe set-up; a page needs it once.
fn strip_preamble(buf: &[u8]) -> &[u8] {
    let preamble = Roff::new().render();
    buf.strip_prefix(preamble.as_bytes()).unwrap_or(buf)
}

fn write_roff(w: &mut Vec<u8>, roff: &Roff) -> std::io::Result<()> {
    roff.to_writer(w)
}

/// A command's after_help split at its "Examples:" line: the prose before it, and the example
/// command lines after it.
fn split_after_help(cmd: &clap::Command) -> (Vec<String>, Vec<String>) {
    let text = cmd
        .get_after_long_help()
        .or_else(|| cmd.get_after_help())
        .map(|s| s.to_string())
        .unwrap_or_default();
    let mut notes = Vec::new();
    let mut examples = Vec::new();
    let mut in_examples = false;
    for line in text.lines() {
        if line.trim() == "Examples:" {
            in_examples = true;
        } else if in_examples {
            if !line.trim().is_empty() {
                examples.push(line.trim().to_string());
            }
        } else {
            notes.push(line.to_string());
        }
    }
    while notes.last().is_some_and(|l| l.trim().is_empty()) {
        notes.pop();
    }
    (notes, examples)
}

/// The after_help prose continues the DESCRIPTION section.
fn notes_roff(notes: &[String]) -> Roff {
    let mut roff = Roff::new();
    if notes.is_empty() {
        return roff;
    }
    roff.control("PP", []);
    for line in notes {
        if line.trim().is_empty() {
            roff.control("PP", []);
        } else {
            roff.text([roman(line.trim())]);
        }
    }
    roff
}

fn tagged(roff: &mut Roff, tag: &str, text: &str) {
    roff.control("TP", []);
    roff.text([bold(tag)]);
    roff.text([roman(text)]);
}

fn exit_status() -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in [
        ("0", "Success."),
        ("1", "A check or a handler failed (for example, an event that a replay handler did not handle, or a journal that fails verification)."),
        ("2", "Usage or configuration error: an unknown flag, a missing value, a config file that cannot be read or is invalid, a file that already exists."),
        ("3", "Authentication failed: the pod or the key manager refused the bot's key or certificate."),
        ("4", "The feed or the server failed for good: retries exhausted, HTTP 403, or an answer feedctl cannot use."),
        ("130", "Interrupted by Ctrl-C (SIGINT)."),
        ("143", "replay stopped by SIGTERM (handled like Ctrl-C)."),
    ] {
        tagged(&mut roff, code, meaning);
    }
    roff
}

fn environment() -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["ENVIRONMENT"]);
    roff.text([roman(
        "A flag beats its variable, which beats the config file, which beats the default. Empty variables count as unset.",
    )]);
    for (name, meaning) in [
        (
            "FEEDCTL_CONFIG",
            "The bot config file, when --config is not given.",
        ),
        (
            "FEEDCTL_HOST",
            "Host of every component (pod, agent, key manager, session auth), like --host.",
        ),
        ("FEEDCTL_PORT", "Port of every component, like --port."),
        (
            "FEEDCTL_SCHEME",
            "http or https for every component, like --scheme.",
        ),
        ("FEEDCTL_CONTEXT", "Context path of every component."),
        (
            "FEEDCTL_BOT_USERNAME",
            "The bot's username, like --username.",
        ),
        (
            "FEEDCTL_PRIVATE_KEY_PATH",
            "The bot's RSA private key file, like --private-key.",
        ),
        (
            "FEEDCTL_DATAFEED_VERSION",
            "Datafeed version, v2 or v1, like --datafeed-version.",
        ),
        (
            "FEEDCTL_JOURNAL",
            "The journal file of the commands that take --journal.",
        ),
        (
            "NO_COLOR",
            "Any non-empty value turns colours off, like --no-color.",
        ),
    ] {
        tagged(&mut roff, name, meaning);
    }
    roff
}

fn files_section() -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["FILES"]);
    for (name, meaning) in [
        ("./config.yaml", "The bot config (the official Java and Python bot kits' format, YAML or JSON), looked for in the current directory when neither --config nor FEEDCTL_CONFIG names one. feedctl init writes it."),
        ("~/.symphony/config.yaml", "The bot config looked for next, under $HOME."),
        ("./feedctl-journal.db", "The default journal (SQLite) of record, replay and journal; --journal or FEEDCTL_JOURNAL names another. serve stores what a bot sends back in the journal given with --journal."),
    ] {
        tagged(&mut roff, name, meaning);
    }
    roff
}

fn examples_roff(examples: &[String]) -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["EXAMPLES"]);
    roff.control("RS", ["4"]);
    roff.control("nf", []);
    for line in examples {
        roff.text([roman(line.as_str())]);
    }
    roff.control("fi", []);
    roff.control("RE", []);
    roff
}

fn see_also(parents: &[String]) -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["SEE ALSO"]);
    let mut refs: Vec<&str> = parents.iter().map(String::as_str).collect();
    if refs.is_empty() {
        roff.text([roman(
            "The page of each command is listed under SUBCOMMANDS. The documentation in the docs/ folder of feedctl's repository covers the configuration, the journal, the replay handler contract, serve, faults, output shapes and exit codes.",
        )]);
        return roff;
    }
    refs.dedup();
    let last = refs.len() - 1;
    for (i, r) in refs.iter().enumerate() {
        let sep = if i == last { "" } else { "," };
        roff.text([bold(*r), roman(format!("(1){sep}"))]);
    }
    roff.text([
        roman("and "),
        italic("docs/"),
        roman(" in feedctl's repository."),
    ]);
    roff
}
