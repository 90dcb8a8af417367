//! `feedctl init`: writes a bot `config.yaml` in the official kits' format, asking on a terminal
//! and taking flags in a script, and can generate the bot's RSA key pair. It never replaces an
//! existing file without a yes at the terminal or `--force`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};
use dialoguer::{Confirm, Input, Select};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::RsaPrivateKey;
use serde_yaml_ng::{Mapping, Value};

use crate::cli::{Global, InitArgs};
use crate::exit::{Exit, Fail};
use crate::output::Printer;

/// What `crate::keys::generate_key_pair` writes.
const KEY_BITS: usize = 2048;
const PRIVATE_KEY_FILE: &str = "bot-private.pem";
const PUBLIC_KEY_FILE: &str = "bot-public.pem";

/// A server as typed: `name`, `name:port` or `scheme://name[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ServerAddr {
    scheme: Option<String>,
    host: String,
    port: Option<u16>,
}

#[derive(Debug, Clone)]
enum KeyChoice {
    Existing(PathBuf),
    Generate(PathBuf),
}

/// Everything the config is written from.
#[derive(Debug)]
struct Answers {
    scheme: String,
    host: String,
    port: u16,
    agent: Option<ServerAddr>,
    username: String,
    key: KeyChoice,
    datafeed_version: String,
}

/// Runs the wizard; Ctrl-C at a prompt gives the cursor back (the prompts hide it) and exits 130.
pub async fn run(g: &Global, p: &Printer, args: &InitArgs) -> Result<Exit> {
    // A Ctrl-C that arrives as SIGINT while a prompt waits (its thread is blocked reading the
    // terminal): show the cursor before going, as the prompt cannot.
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        tokio::spawn(async {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = console::Term::stderr().show_cursor();
                crate::stderr_line!("\ninit: interrupted; nothing more written");
                std::process::exit(Exit::Interrupted as i32);
            }
        });
    }
    let result = wizard(g, p, args).await;
    let interrupted = result.as_ref().err().is_some_and(|e| {
        e.chain().any(|c| {
            c.downcast_ref::<std::io::Error>()
                .map(|io| io.kind() == std::io::ErrorKind::Interrupted)
                .or_else(|| {
                    c.downcast_ref::<dialoguer::Error>().map(|d| match d {
                        dialoguer::Error::IO(io) => io.kind() == std::io::ErrorKind::Interrupted,
                    })
                })
                .unwrap_or(false)
        })
    });
    if interrupted || result.is_err() {
        let _ = console::Term::stderr().show_cursor();
    }
    if interrupted {
        crate::stderr_line!();
        p.note("init: interrupted; nothing more written");
        return Ok(Exit::Interrupted);
    }
    result
}

async fn wizard(g: &Global, p: &Printer, args: &InitArgs) -> Result<Exit> {
    if g.private_key.is_some() && args.generate_key.is_some() {
        return Err(Fail::usage(
            "--private-key and --generate-key cannot be used together: use an existing key, or generate one",
        )
        .into());
    }
    let target = target_path(g);
    let interactive = !g.yes && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let theme: Box<dyn Theme> = if console::colors_enabled_stderr() {
        Box::new(ColorfulTheme::default())
    } else {
        Box::new(SimpleTheme)
    };

    if target.exists() && !args.force {
        if !interactive {
            return Err(Fail::usage(format!(
                "{} already exists; init does not replace it without --force (or pick another file with --config)",
                target.display()
            ))
            .into());
        }
        let replace = Confirm::with_theme(theme.as_ref())
            .with_prompt(format!("{} already exists. Replace it?", target.display()))
            .default(false)
            .interact()
            .context("reading the answer")?;
        if !replace {
            p.note("nothing written");
            return Ok(Exit::Success);
        }
    }

    let answers = if interactive {
        ask(g, args, theme.as_ref())?
    } else {
        from_flags(g, args)?
    };

    if let KeyChoice::Generate(dir) = &answers.key {
        if !args.force && !may_replace_key_pair(dir, interactive, theme.as_ref())? {
            p.note("nothing written");
            return Ok(Exit::Success);
        }
    }

    // The key's path as the file will have it, decided once: the preview is the file.
    let key_in_file = relative_to_config(&key_path_preview(&answers.key), &target)?;
    let yaml_preview = config_yaml(&answers, &key_in_file)?;
    if interactive {
        crate::stderr_line!("\n{}:\n\n{}", target.display(), indent(&yaml_preview));
        let write = Confirm::with_theme(theme.as_ref())
            .with_prompt(format!("Write {}?", target.display()))
            .default(true)
            .interact()
            .context("reading the answer")?;
        if !write {
            p.note("nothing written");
            return Ok(Exit::Success);
        }
    }

    let public_pem = match &answers.key {
        KeyChoice::Existing(_) => None,
        KeyChoice::Generate(dir) => {
            let (private, public, pem) = generate_key_pair(p, dir)?;
            p.note(&format!(
                "wrote a new {KEY_BITS}-bit RSA key pair: {} (private, mode 600: keep it secret) and {} (public)",
                private.display(),
                public.display()
            ));
            Some(pem)
        }
    };

    write_config(&target, &yaml_preview)?;
    p.note(&format!("wrote {}", target.display()));
    if let Some(pem) = public_pem {
        p.note(
            "Give this public key to your pod administrator, to put on the bot's service account:",
        );
        p.line(pem.trim_end())?;
    }

    let check = args.check
        || (interactive
            && Confirm::with_theme(theme.as_ref())
                .with_prompt("Check now that the bot can log in (feedctl auth check)?")
                .default(true)
                .interact()
                .context("reading the answer")?);
    if !check {
        p.note(&format!(
            "next: feedctl{} auth check",
            if target == Path::new("config.yaml") {
                String::new()
            } else {
                format!(" --config {}", target.display())
            }
        ));
        return Ok(Exit::Success);
    }
    // The check reads the file just written, not the flags init took its values from.
    let check_global = Global {
        config: Some(target.clone()),
        host: None,
        port: None,
        scheme: None,
        username: None,
        private_key: None,
        datafeed_version: None,
        ..g.clone()
    };
    let checked = async {
        let settings = super::load_settings(&check_global)?;
        let report = crate::symphony::check::check(&settings).await?;
        crate::output::auth::auth_report(p, &report, p.format(check_global.output))?;
        anyhow::Ok(Exit::Success)
    };
    checked
        .await
        .with_context(|| format!("{} is written, but auth check failed", target.display()))
}

/// Where the config goes: `--config`, else `$FEEDCTL_CONFIG`, else `./config.yaml`, the first
/// place the other commands look.
fn target_path(g: &Global) -> PathBuf {
    g.config
        .clone()
        .or_else(|| {
            std::env::var_os("FEEDCTL_CONFIG")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(|| PathBuf::from("config.yaml"))
}

fn from_flags(g: &Global, args: &InitArgs) -> Result<Answers> {
    let mut missing = Vec::new();
    if g.host.is_none() {
        missing.push("--host");
    }
    if g.username.is_none() {
        missing.push("--username");
    }
    if g.private_key.is_none() && args.generate_key.is_none() {
        missing.push("--private-key or --generate-key");
    }
    if !missing.is_empty() {
        return Err(Fail::usage(format!(
            "init cannot ask without a terminal, so it needs {}",
            missing.join(", ")
        ))
        .into());
    }
    let pod = parse_server(g.host.as_deref().unwrap_or_default())
        .map_err(|e| Fail::usage(format!("--host: {e}")))?;
    let agent = args
        .agent_host
        .as_deref()
        .map(parse_server)
        .transpose()
        .map_err(|e| Fail::usage(format!("--agent-host: {e}")))?;
    let username = g.username.clone().unwrap_or_default();
    check_username(&username).map_err(|e| Fail::usage(format!("--username: {e}")))?;
    let key = match (&g.private_key, &args.generate_key) {
        (Some(path), _) => {
            let path = expand_home(path);
            check_private_key(&path).map_err(|e| Fail::usage(format!("--private-key: {e}")))?;
            KeyChoice::Existing(path)
        }
        (None, Some(dir)) => KeyChoice::Generate(expand_home(dir)),
        (None, None) => unreachable!("checked above"),
    };
    let datafeed_version = match &g.datafeed_version {
        Some(v) => check_datafeed_version(v)
            .map_err(|e| Fail::usage(format!("--datafeed-version: {e}")))?,
        None => "v2".to_string(),
    };
    answers(g, pod, agent, username, key, datafeed_version)
}

fn ask(g: &Global, args: &InitArgs, theme: &dyn Theme) -> Result<Answers> {
    let read = |e: dialoguer::Error| anyhow::Error::new(e).context("reading the answer");
    let pod = match &g.host {
        Some(h) => parse_server(h).map_err(|e| Fail::usage(format!("--host: {e}")))?,
        None => {
            let text: String = Input::with_theme(theme)
                .with_prompt("Pod host (name, name:port or https://name:port)")
                .validate_with(|s: &String| parse_server(s).map(|_| ()))
                .interact_text()
                .map_err(read)?;
            parse_server(&text).map_err(Fail::usage)?
        }
    };
    let agent = match &args.agent_host {
        Some(h) => Some(parse_server(h).map_err(|e| Fail::usage(format!("--agent-host: {e}")))?),
        None if g.host.is_some() => None,
        None => {
            let same = Confirm::with_theme(theme)
                .with_prompt("Is the agent on the same host?")
                .default(true)
                .interact()
                .map_err(read)?;
            if same {
                None
            } else {
                let text: String = Input::with_theme(theme)
                    .with_prompt("Agent host (name, name:port or https://name:port)")
                    .validate_with(|s: &String| parse_server(s).map(|_| ()))
                    .interact_text()
                    .map_err(read)?;
                Some(parse_server(&text).map_err(Fail::usage)?)
            }
        }
    };
    let username = match &g.username {
        Some(u) => {
            check_username(u).map_err(|e| Fail::usage(format!("--username: {e}")))?;
            u.clone()
        }
        None => Input::with_theme(theme)
            .with_prompt("Bot username (the service account's username)")
            .validate_with(|s: &String| check_username(s))
            .interact_text()
            .map_err(read)?,
    };
    let key = match (&g.private_key, &args.generate_key) {
        (Some(path), _) => {
            let path = expand_home(path);
            check_private_key(&path).map_err(|e| Fail::usage(format!("--private-key: {e}")))?;
            KeyChoice::Existing(path)
        }
        (None, Some(dir)) => KeyChoice::Generate(expand_home(dir)),
        (None, None) => {
            let choice = Select::with_theme(theme)
                .with_prompt("The bot's RSA key")
                .items(&[
                    "Use an existing private key file (PEM)",
                    "Generate a new key pair (the public key goes to your pod administrator)",
                ])
                .default(0)
                .interact()
                .map_err(read)?;
            if choice == 0 {
                let text: String = Input::with_theme(theme)
                    .with_prompt("Private key file")
                    .validate_with(|s: &String| check_private_key(&expand_home(Path::new(s))))
                    .interact_text()
                    .map_err(read)?;
                KeyChoice::Existing(expand_home(Path::new(&text)))
            } else {
                let text: String = Input::with_theme(theme)
                    .with_prompt("Directory for bot-private.pem and bot-public.pem")
                    .default(".".to_string())
                    .interact_text()
                    .map_err(read)?;
                KeyChoice::Generate(expand_home(Path::new(&text)))
            }
        }
    };
    let datafeed_version = match &g.datafeed_version {
        Some(v) => check_datafeed_version(v)
            .map_err(|e| Fail::usage(format!("--datafeed-version: {e}")))?,
        None => {
            let choice = Select::with_theme(theme)
                .with_prompt("Datafeed version")
                .items(&["v2 (every current pod)", "v1 (legacy)"])
                .default(0)
                .interact()
                .map_err(read)?;
            if choice == 0 { "v2" } else { "v1" }.to_string()
        }
    };
    answers(g, pod, agent, username, key, datafeed_version)
}

/// Flags beat what the host was typed with; https and 443 are the kits' defaults.
fn answers(
    g: &Global,
    pod: ServerAddr,
    agent: Option<ServerAddr>,
    username: String,
    key: KeyChoice,
    datafeed_version: String,
) -> Result<Answers> {
    let scheme = match g.scheme.as_deref().or(pod.scheme.as_deref()) {
        Some(s) => check_scheme(s).map_err(|e| Fail::usage(format!("--scheme: {e}")))?,
        None => "https".to_string(),
    };
    Ok(Answers {
        scheme,
        host: pod.host,
        port: g.port.or(pod.port).unwrap_or(443),
        agent,
        username,
        key,
        datafeed_version,
    })
}

fn parse_server(input: &str) -> std::result::Result<ServerAddr, String> {
    let text = input.trim();
    if text.is_empty() {
        return Err("a host name is needed".into());
    }
    let (scheme, rest) = match text.split_once("://") {
        Some((s, rest)) => (Some(check_scheme(s)?), rest),
        None => (None, text),
    };
    let rest = rest.trim_end_matches('/');
    if rest.contains('/') {
        return Err(format!(
            "{text:?} has a path; give the host only (a context path goes into the file as `context`)"
        ));
    }
    let (host, port) = if let Some(end) = rest.strip_prefix('[').and_then(|r| r.find(']')) {
        // [IPv6]:port
        let host = &rest[..end + 2];
        match rest[end + 2..].strip_prefix(':') {
            Some(p) => (host, Some(p)),
            None if rest.len() == end + 2 => (host, None),
            None => return Err(format!("{text:?} is not a host")),
        }
    } else {
        match rest.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        }
    };
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c == '@') {
        return Err(format!("{text:?} is not a host name"));
    }
    let port = port
        .map(|p| {
            p.parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("{p:?} is not a port (1 to 65535)"))
        })
        .transpose()?;
    Ok(ServerAddr {
        scheme,
        host: host.to_string(),
        port,
    })
}

fn check_scheme(s: &str) -> std::result::Result<String, String> {
    match s.to_ascii_lowercase().as_str() {
        "https" => Ok("https".into()),
        "http" => Ok("http".into()),
        _ => Err(format!("{s:?} is not a scheme: http or https")),
    }
}

fn check_username(s: &str) -> std::result::Result<(), String> {
    if s.trim().is_empty() {
        Err("the bot's username is needed".into())
    } else if s.trim() != s {
        Err("the username has leading or trailing spaces".into())
    } else {
        Ok(())
    }
}

fn check_datafeed_version(s: &str) -> std::result::Result<String, String> {
    match s.to_ascii_lowercase().as_str() {
        "v2" => Ok("v2".into()),
        "v1" => Ok("v1".into()),
        _ => Err(format!("{s:?} is not a datafeed version: v2 or v1")),
    }
}

/// The file must hold an RSA private key the login can sign with (PKCS#8 or PKCS#1 PEM).
fn check_private_key(path: &Path) -> std::result::Result<(), String> {
    let pem = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let pem = pem.trim();
    if RsaPrivateKey::from_pkcs8_pem(pem).is_ok() || RsaPrivateKey::from_pkcs1_pem(pem).is_ok() {
        Ok(())
    } else {
        Err(format!(
            "{} is not an RSA private key in PEM (\"BEGIN PRIVATE KEY\" or \"BEGIN RSA PRIVATE KEY\"; encrypted keys are not supported)",
            path.display()
        ))
    }
}

/// `~/x` as a shell would expand it, for paths typed at a prompt.
fn expand_home(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => path.to_path_buf(),
    }
}

fn key_path_preview(key: &KeyChoice) -> PathBuf {
    match key {
        KeyChoice::Existing(p) => p.clone(),
        KeyChoice::Generate(dir) => dir.join(PRIVATE_KEY_FILE),
    }
}

/// Whether a key pair may be written in `dir`: yes when there is none yet; else a question at
/// the terminal, and a refusal (exit 2) without one.
fn may_replace_key_pair(dir: &Path, interactive: bool, theme: &dyn Theme) -> Result<bool> {
    let existing: Vec<String> = [PRIVATE_KEY_FILE, PUBLIC_KEY_FILE]
        .into_iter()
        .map(|f| dir.join(f))
        .filter(|p| p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if existing.is_empty() {
        return Ok(true);
    }
    let names = existing.join(" and ");
    if !interactive {
        return Err(Fail::usage(format!(
            "{names} already exist(s); init does not replace a key without --force (or choose another --generate-key directory)"
        ))
        .into());
    }
    Confirm::with_theme(theme)
        .with_prompt(format!(
            "{names} already exist(s). Replace the key pair? The pod's copy of the old public key would stop matching"
        ))
        .default(false)
        .interact()
        .context("reading the answer")
}

/// Writes a new key pair in `dir` with `crate::keys` (the one serve's --key-dir uses), replacing
/// an old pair the user agreed to replace; returns the two paths and the public PEM.
fn generate_key_pair(p: &Printer, dir: &Path) -> Result<(PathBuf, PathBuf, String)> {
    for f in [PRIVATE_KEY_FILE, PUBLIC_KEY_FILE] {
        let path = dir.join(f);
        if path.exists() {
            std::fs::remove_file(&path).with_context(|| format!("replacing {}", path.display()))?;
        }
    }
    p.note(&format!("generating a {KEY_BITS}-bit RSA key pair…"));
    let (private, public) = crate::keys::generate_key_pair(dir)
        .with_context(|| format!("writing a key pair in {}", dir.display()))?;
    let pem = std::fs::read_to_string(&public)
        .with_context(|| format!("reading {}", public.display()))?;
    Ok((private, public, pem))
}

fn write_config(target: &Path, yaml: &str) -> Result<()> {
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(target, yaml).with_context(|| format!("writing {}", target.display()))
}

/// A path made absolute with its symbolic links resolved as far as it exists: a key or a
/// directory that is still to be written resolves as it will once it is.
fn resolved(path: &Path) -> Result<PathBuf> {
    if let Ok(p) = std::fs::canonicalize(path) {
        return Ok(p);
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => {
            Ok(resolved(parent)?.join(name))
        }
        _ => std::path::absolute(path).with_context(|| format!("finding {}", path.display())),
    }
}

/// Paths in the file are read relative to the file's directory: a key beside or under the
/// config is written relative (the pair can move together), any other key absolute.
fn relative_to_config(key: &Path, config: &Path) -> Result<PathBuf> {
    let key_abs = resolved(key)?;
    let config_dir = match config.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(p) => p.to_path_buf(),
        None => PathBuf::from("."),
    };
    let dir_abs = resolved(&config_dir)?;
    Ok(match key_abs.strip_prefix(&dir_abs) {
        Ok(rel) => Path::new(".").join(rel),
        Err(_) => key_abs,
    })
}

/// The kits' format: scheme/host/port at the top, agent overrides, bot, datafeed.
fn config_yaml(a: &Answers, key_path: &Path) -> Result<String> {
    let key_path = key_path
        .to_str()
        .ok_or_else(|| Fail::usage(format!("{} is not valid UTF-8", key_path.display())))?;
    let s = |v: &str| Value::String(v.to_string());
    let mut doc = Mapping::new();
    doc.insert(s("scheme"), s(&a.scheme));
    doc.insert(s("host"), s(&a.host));
    doc.insert(s("port"), Value::Number(a.port.into()));
    if let Some(agent) = &a.agent {
        let mut m = Mapping::new();
        if let Some(scheme) = agent.scheme.as_deref().filter(|sch| *sch != a.scheme) {
            m.insert(s("scheme"), s(scheme));
        }
        m.insert(s("host"), s(&agent.host));
        if let Some(port) = agent.port {
            m.insert(s("port"), Value::Number(port.into()));
        }
        doc.insert(s("agent"), Value::Mapping(m));
    }
    let mut key = Mapping::new();
    key.insert(s("path"), s(key_path));
    let mut bot = Mapping::new();
    bot.insert(s("username"), s(&a.username));
    bot.insert(s("privateKey"), Value::Mapping(key));
    doc.insert(s("bot"), Value::Mapping(bot));
    let mut datafeed = Mapping::new();
    datafeed.insert(s("version"), s(&a.datafeed_version));
    doc.insert(s("datafeed"), Value::Mapping(datafeed));
    let body = serde_yaml_ng::to_string(&doc).context("writing the config as YAML")?;
    Ok(format!(
        "# Bot config written by `feedctl init`, in the format of the official Symphony bot kits.\n\
         # Relative paths are read from this file's directory.\n{body}"
    ))
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect::<String>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hosts_as_people_type_them() {
        let p = |s| parse_server(s).unwrap();
        assert_eq!(
            p("acme.symphony.com"),
            ServerAddr {
                scheme: None,
                host: "acme.symphony.com".into(),
                port: None
            }
        );
        assert_eq!(p("acme.symphony.com:8443").port, Some(8443));
        let url = p("http://127.0.0.1:9443/");
        assert_eq!(
            (url.scheme.as_deref(), url.host.as_str(), url.port),
            (Some("http"), "127.0.0.1", Some(9443))
        );
        assert_eq!(p("[::1]:9443").host, "[::1]");
        assert!(parse_server("").is_err());
        assert!(parse_server("ftp://x").is_err());
        assert!(parse_server("x:99999").is_err());
        assert!(parse_server("https://x/agent").is_err());
    }

    #[test]
    fn writes_the_kits_format() {
        let a = Answers {
            scheme: "https".into(),
            host: "acme.symphony.com".into(),
            port: 443,
            agent: Some(ServerAddr {
                scheme: None,
                host: "agent.acme.com".into(),
                port: Some(8443),
            }),
            username: "my-bot".into(),
            key: KeyChoice::Existing("k.pem".into()),
            datafeed_version: "v2".into(),
        };
        let yaml = config_yaml(&a, Path::new("./k.pem")).unwrap();
        let v: serde_yaml_ng::Value = serde_yaml_ng::from_str(&yaml).unwrap();
        assert_eq!(v["host"].as_str(), Some("acme.symphony.com"));
        assert_eq!(v["agent"]["port"].as_u64(), Some(8443));
        assert_eq!(v["bot"]["privateKey"]["path"].as_str(), Some("./k.pem"));
        assert_eq!(v["datafeed"]["version"].as_str(), Some("v2"));
    }
}
