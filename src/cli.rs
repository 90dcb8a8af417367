//! The command-line surface, clap definitions only. Completions and man pages are generated
//! from these same definitions.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{
    ArgAction, Args, ColorChoice, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum,
};

#[derive(Debug, Parser)]
#[command(
    name = "feedctl",
    version,
    about = "Follow, record and replay event feeds: Symphony datafeeds, Redis Streams, Salesforce streaming",
    long_about = "feedctl works with three kinds of event feed: the Symphony Datafeed API (v2, and \
                  legacy v1), Redis Streams (hopeit.engine apps included; one server, Sentinel or \
                  Cluster) and the Salesforce Streaming API (PushTopics, platform events, Change \
                  Data Capture). Follow a feed live through every fault, record it into a local \
                  journal that never loses an event, replay it offline through a handler or into a \
                  Redis stream, or serve it back as an emulated server (a Symphony pod, a \
                  Salesforce streaming endpoint) to an unmodified client.\n\n\
                  For Symphony it reads the bot's own config.yaml (the format of the official Java \
                  and Python bot kits).",
    help_template = HELP_TEMPLATE,
    after_long_help = "Exit status: 0 ok, 1 a check failed, 2 usage or configuration error, \
                  3 authentication failed, 4 the feed or server failed for good, 130 interrupted, \
                  143 `consume` stopped by SIGTERM.\n\n\
                  Examples:\n  feedctl demo\n  feedctl init\n  feedctl auth check\n  \
                  feedctl tail --type messagesent --count 10\n  feedctl record --journal today.db\n  \
                  feedctl replay -j today.db --exec './my-handler.sh'\n  \
                  feedctl serve --events demo --accept-any-key\n  feedctl help tail",
    after_help = "Examples:\n  feedctl demo",
    propagate_version = true,
    disable_help_flag = true,
    disable_version_flag = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Parses the command line. `--no-color` also turns off the colours of clap's own help and error
/// messages (clap already follows NO_COLOR and whether the output is a terminal).
pub fn parse() -> Cli {
    let no_color = std::env::args_os().any(|a| a == "--no-color");
    let mut cmd = Cli::command().color(if no_color {
        ColorChoice::Never
    } else {
        ColorChoice::Auto
    });
    let mut matches = cmd.get_matches_mut();
    Cli::from_arg_matches_mut(&mut matches)
        .map_err(|e| e.format(&mut cmd))
        .unwrap_or_else(|e| e.exit())
}

/// `feedctl --help` lists the commands by what they are for. Each line repeats the command's own
/// summary; a test (tests/cli/help.rs) fails when a command is missing here or its summary differs.
const HELP_TEMPLATE: &str = "\
{before-help}{about-with-newline}
{usage-heading} {usage}

Set up:
  init         Write a bot config.yaml step by step, and a new RSA key pair if the bot needs one
  config       Show the resolved configuration and where each value came from
  auth         Check that the bot can authenticate
  completions  Print a shell completion script: bash, zsh, fish, powershell or elvish

Look at a feed:
  datafeed     The raw Datafeed API: create, list, delete, read
  tail         Follow a feed live and print events as they come, surviving server faults

Record and replay:
  record       Follow a feed and write every chunk into a SQLite journal; resumes where it stopped
  journal      Look into, export, import and check journals
  replay       Replay recorded chunks through a bot's handler command, offline
  consume      Run handler workers on a Redis stream shared through a consumer group

Test a bot without a pod:
  serve        Emulate a Symphony pod or a Salesforce endpoint on loopback, serving events to a bot
  inject       Push hand-made events into a running `feedctl serve`
  demo         The main job end to end against a built-in emulator: no pod needed

  help         Print this message or the help of the given subcommand(s)

Options:
{options}{after-help}
";

#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Bot config, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, …]
    #[arg(
        display_order = 901,
        long,
        global = true,
        value_name = "PATH",
        help_heading = SYMPHONY_HEADING,
        long_help = "Bot config file, YAML or JSON [default: $FEEDCTL_CONFIG, ./config.yaml, \
                     ~/.symphony/config.yaml]\n\n\
                     The Symphony bot's own config file, in the format of the official Java and \
                     Python bot kits. Only Symphony reads it: a redis:// or sfdc:// SOURCE does not."
    )]
    pub config: Option<PathBuf>,
    /// More detail on stderr (-v info, -vv debug, -vvv trace)
    #[arg(display_order = 902, short, long, global = true, action = ArgAction::Count, help_heading = GLOBAL_HEADING)]
    pub verbose: u8,
    /// Only errors on stderr
    #[arg(display_order = 903, short, long, global = true, conflicts_with = "verbose", help_heading = GLOBAL_HEADING)]
    pub quiet: bool,
    /// Print as table, json or ndjson [default: table on a terminal, else json]
    #[arg(
        display_order = 904,
        long_help = "Output format for records: table, json or ndjson [default: table on a \
                     terminal, json when piped]",
        long,
        short = 'o',
        global = true,
        value_enum,
        value_name = "FORMAT",
        hide_possible_values = true,
        help_heading = GLOBAL_HEADING
    )]
    pub output: Option<OutputFormat>,
    /// No colours (also when NO_COLOR is set)
    #[arg(display_order = 905, long, global = true, help_heading = GLOBAL_HEADING, hide_short_help = true)]
    pub no_color: bool,
    /// Answer yes to every question (never prompt)
    #[arg(display_order = 906, long, short = 'y', global = true, help_heading = GLOBAL_HEADING)]
    pub yes: bool,
    /// Print help (see more with '--help')
    #[arg(
        display_order = 907,
        short,
        long,
        global = true,
        action = ArgAction::Help,
        long_help = "Print help (see a summary with '-h')",
        help_heading = GLOBAL_HEADING
    )]
    pub help: Option<bool>,
    /// Print version
    #[arg(
        display_order = 908,
        short = 'V',
        long,
        global = true,
        action = ArgAction::Version,
        help_heading = GLOBAL_HEADING,
        hide_short_help = true
    )]
    pub version: Option<bool>,
    /// Pod host for every component [env: FEEDCTL_HOST]
    #[arg(display_order = 909, long, global = true, value_name = "HOST", help_heading = SYMPHONY_HEADING)]
    pub host: Option<String>,
    /// Port for every component [env: FEEDCTL_PORT]
    #[arg(display_order = 910, long, global = true, value_name = "PORT", help_heading = SYMPHONY_HEADING, hide_short_help = true)]
    pub port: Option<u16>,
    /// http or https for every component [env: FEEDCTL_SCHEME]
    #[arg(display_order = 911, long, global = true, value_name = "SCHEME", help_heading = SYMPHONY_HEADING, hide_short_help = true)]
    pub scheme: Option<String>,
    /// Bot username [env: FEEDCTL_BOT_USERNAME]
    #[arg(display_order = 912, long, global = true, value_name = "NAME", help_heading = SYMPHONY_HEADING)]
    pub username: Option<String>,
    /// Bot RSA private key file (PEM) [env: FEEDCTL_PRIVATE_KEY_PATH]
    #[arg(
        display_order = 913,
        long,
        global = true,
        value_name = "PATH",
        help_heading = SYMPHONY_HEADING,
        long_help = "Bot RSA private key file, PKCS#1 or PKCS#8 PEM [env: FEEDCTL_PRIVATE_KEY_PATH]"
    )]
    pub private_key: Option<PathBuf>,
    /// Datafeed version: v2 (default) or v1 [env: FEEDCTL_DATAFEED_VERSION]
    #[arg(display_order = 914, long, global = true, value_name = "VERSION", help_heading = SYMPHONY_HEADING, hide_short_help = true)]
    pub datafeed_version: Option<String>,
    /// Do not verify TLS certificates (test servers only; prints a warning)
    #[arg(display_order = 915, long, global = true, help_heading = SYMPHONY_HEADING, hide_short_help = true)]
    pub insecure: bool,
}

/// `--type`: any text (the commands check it, case-insensitively, with a message naming the 17
/// types), but the 17 types are its possible values, so shell completion offers them.
#[derive(Debug, Clone, Copy)]
pub struct EventTypes;

impl clap::builder::TypedValueParser for EventTypes {
    type Value = String;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        Ok(value.to_string_lossy().into_owned())
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            crate::symphony::event::EVENT_TYPES
                .iter()
                .map(|t| clap::builder::PossibleValue::new(*t)),
        ))
    }
}

/// `inject --sfdc-fault`: one of the emulator's faults, `expire:upto=ID` and `expire:older=D`
/// checked here so a typo is a usage error before anything is sent.
#[derive(Clone)]
pub struct SfdcFault;

/// The faults of `serve --salesforce` that take no argument.
pub const SFDC_FAULTS: &[&str] = &[
    "drop-sessions",
    "revoke-tokens",
    "expire",
    "lock-logins",
    "unlock-logins",
    "deny-app-access",
    "allow-app-access",
    "garbage",
    "reset-streams",
];

impl clap::builder::TypedValueParser for SfdcFault {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        let v = value.to_string_lossy();
        if SFDC_FAULTS.contains(&v.as_ref()) {
            return Ok(v.into_owned());
        }
        if v.starts_with("expire:") {
            return crate::serve::salesforce::Expiry::parse(&v)
                .map(|_| v.into_owned())
                .map_err(|e| {
                    clap::Error::raw(clap::error::ErrorKind::ValueValidation, format!("{e}\n"))
                        .with_cmd(cmd)
                });
        }
        Err(clap::Error::raw(
            clap::error::ErrorKind::InvalidValue,
            format!(
                "invalid value '{v}' for '--sfdc-fault <FAULT>': expected {}, expire:upto=REPLAY_ID or expire:older=DURATION\n",
                SFDC_FAULTS.join(", ")
            ),
        )
        .with_cmd(cmd))
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            SFDC_FAULTS
                .iter()
                .map(|f| clap::builder::PossibleValue::new(*f)),
        ))
    }
}

/// The heading of Symphony's options: how to reach and log in to a pod (the bot config and the
/// pod flags), and in `tail`/`record` how its datafeed is read.
pub const SYMPHONY_HEADING: &str = "Symphony";
/// The heading of the options of Redis Streams (a `redis://` SOURCE, `replay --to`).
pub const REDIS_HEADING: &str = "Redis";
/// The heading of the options of the Salesforce Streaming API (an `sfdc://` SOURCE, `serve --salesforce`).
pub const SALESFORCE_HEADING: &str = "Salesforce";
/// The heading of the options every command takes.
pub const GLOBAL_HEADING: &str = "Global options";

/// The pod connection flags, `--config` and `--yes`, taken over (hidden) by commands that never
/// call a pod, so that their help does not list them (clap does not propagate a global flag to
/// a command that has its own).
#[derive(Debug, Clone, Args, Default)]
pub struct NoPod {
    #[arg(long, hide = true)]
    host: Option<String>,
    #[arg(long, hide = true)]
    port: Option<u16>,
    #[arg(long, hide = true)]
    scheme: Option<String>,
    #[arg(long, hide = true)]
    username: Option<String>,
    #[arg(long, hide = true)]
    private_key: Option<PathBuf>,
    #[arg(long, hide = true)]
    datafeed_version: Option<String>,
    #[arg(long, hide = true)]
    insecure: bool,
    /// The bot config and `--yes` mean nothing to these commands either (they never read the
    /// config file nor ask a question).
    #[arg(long, hide = true)]
    config: Option<PathBuf>,
    #[arg(long, short = 'y', hide = true)]
    yes: bool,
}

/// `--yes`, taken over (hidden) by commands that read the bot config but never ask a question
/// (still accepted, and ignored).
#[derive(Debug, Clone, Args, Default)]
pub struct NoQuestions {
    #[arg(long, short = 'y', hide = true)]
    yes: bool,
}

/// `feedctl config`: its subcommands, without `--yes` (nothing is asked; still accepted, hidden,
/// here and by each subcommand, as clap gives a global flag to none of them once this has its own).
#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(flatten)]
    pub no_questions: NoQuestions,
    #[command(subcommand)]
    pub command: ConfigCommand,
}

/// `feedctl auth`: its subcommands, without `--yes` (nothing is asked; still accepted, hidden).
#[derive(Debug, Args)]
pub struct AuthArgs {
    #[command(flatten)]
    pub no_questions: NoQuestions,
    #[command(subcommand)]
    pub command: AuthCommand,
}

/// `feedctl journal`: its subcommands, without the pod flags.
#[derive(Debug, Args)]
pub struct JournalArgs {
    #[command(flatten)]
    pub no_pod: NoPod,
    #[command(subcommand)]
    pub command: JournalCommand,
}

/// The output formats live with the printer; the flag only names them.
pub use crate::output::OutputFormat;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a bot config.yaml step by step, and a new RSA key pair if the bot needs one
    ///
    /// Asks for the pod host, the agent host if it is another one, the bot's username, its RSA key (an
    /// existing PEM file, or a new 2048-bit key pair whose public key it prints for the pod administrator)
    /// and the datafeed version. It shows the file, writes it in the official bot kits' format and offers
    /// to run `auth check` with it.
    Init(InitArgs),
    /// Show the resolved configuration and where each value came from
    ///
    /// feedctl reads the bot's own config.yaml (the official Java and Python kits' format, YAML or JSON):
    /// the file named by --config, else $FEEDCTL_CONFIG, else ./config.yaml, else ~/.symphony/config.yaml.
    /// Flags beat FEEDCTL_* variables, which beat the file, which beats the defaults.
    #[command(after_help = "Examples:\n  feedctl config show\n  \
                      FEEDCTL_HOST=localhost feedctl --config bot.yaml config show -o json")]
    Config(ConfigArgs),
    /// Check that the bot can authenticate
    ///
    /// Logs in the way the bot kits do, with an RS512 JWT signed by the bot's RSA key (or with a client
    /// certificate), and asks the pod who the bot is.
    #[command(
        after_help = "Examples:\n  feedctl auth check\n  feedctl --config bot.yaml auth check -o json"
    )]
    Auth(AuthArgs),
    /// The raw Datafeed API: create, list, delete, read
    ///
    /// One API call per command, made as the bot would make it, with the bot's config: datafeed v2 by
    /// default, v1 where datafeed.version says so (v1 has no list and no delete). To follow a feed, use
    /// tail or record instead.
    #[command(
        subcommand,
        after_help = "Examples:\n  feedctl datafeed create\n  feedctl datafeed list -o json\n  \
                      feedctl datafeed read 371f465f_f\n  feedctl datafeed delete --yes 371f465f_f"
    )]
    Datafeed(DatafeedCommand),
    /// Follow a feed live and print events as they come, surviving server faults
    ///
    /// Follows a datafeed and prints each event as it arrives: a readable line per event on a terminal,
    /// NDJSON (one envelope per event, the exact event JSON inside) when piped. By default it reads from a
    /// datafeed of its own, so it never takes events away from the bot you observe.
    ///
    /// Errors are handled as the official bot kits do: 401 → authenticate again; 400 → create a new feed;
    /// 403 → stop (too many feeds); 429, 5xx and network trouble → retry with backoff (datafeed.retry).
    /// Every retry is announced on stderr.
    Tail(TailArgs),
    /// Follow a feed and write every chunk into a SQLite journal; resumes where it stopped
    ///
    /// Follows a feed like `tail` and writes every chunk, its events and the feed's cursor into a journal,
    /// in one transaction, before the cursor goes back to the server. Stop it any way you like (Ctrl-C,
    /// kill, a crash): run the same command again and it resumes from the journal's marker, on the same
    /// feed with the same ackId.
    Record(RecordArgs),
    /// Look into, export, import and check journals
    ///
    /// A journal is a SQLite file written by `record` (and by `journal import`). It can hold several
    /// recordings; every command here takes the file with --journal (default: ./feedctl-journal.db or
    /// $FEEDCTL_JOURNAL). The schema is documented in docs/journal.md, for plain sqlite3 queries.
    #[command(
        after_help = "Examples:\n  feedctl journal ls -j today.db\n  feedctl journal info -j today.db\n  \
                      feedctl journal show -j today.db --type MESSAGESENT --limit 20\n  \
                      feedctl journal export -j today.db > events.ndjson"
    )]
    Journal(JournalArgs),
    /// Replay recorded chunks through a bot's handler command, offline
    ///
    /// Delivers recorded chunks to a handler command, as the bot kits deliver a datafeed: the events of a
    /// chunk run concurrently, and the next chunk starts when the whole chunk is done.
    ///
    /// The handler runs through `sh -c CMD`. Each event reaches it on stdin (one JSON line) and in
    /// FEEDCTL_EVENT_ID, FEEDCTL_EVENT_TYPE, FEEDCTL_EVENT_TIMESTAMP, FEEDCTL_STREAM_ID,
    /// FEEDCTL_INITIATOR_ID, FEEDCTL_CHUNK and FEEDCTL_ATTEMPT; nothing from the event is ever put into the
    /// command. Exit 0: handled. Exit 75: deliver the whole chunk again after --requeue-delay. Anything
    /// else: failed (logged; replay goes on). Exit status of replay: 1 if any event failed.
    Replay(ReplayArgs),
    /// Run handler workers on a Redis stream shared through a consumer group
    ///
    /// Runs a handler command on the entries of a Redis stream as one worker of a consumer group: start
    /// as many as needed, on as many machines, and each entry goes to one of them. The handler contract is
    /// replay's (stdin JSON, FEEDCTL_* variables, --mode stream, --concurrency, --timeout). Exit 0:
    /// acknowledged (XACK). Exit 75: left pending, delivered again after --requeue-delay. Anything else or
    /// a timeout: delivered again until --max-deliveries, then written to the dead-letter stream (KEY:dead)
    /// and acknowledged. Entries of workers that died are taken over after --claim-idle. Ctrl-C or
    /// SIGTERM: no new entries, running handlers get --grace, the rest stays pending; exit 130 or 143.
    /// See docs/consume.md.
    Consume(ConsumeArgs),
    /// Emulate a Symphony pod or a Salesforce endpoint on loopback, serving events to a bot
    ///
    /// A small HTTP server that answers the calls a bot kit makes (login, key manager relay, session info,
    /// agent info, datafeed v2 and v1, message create), so an unmodified bot can run against a pod on your
    /// own machine. It serves events from an NDJSON file or a journal, keeps real ackId, re-queue, expiry
    /// and feed-limit semantics, misbehaves on purpose with --fault, and stores what the bot sends back
    /// (its replies). Plain HTTP unless --tls-cert, on loopback by default. See docs/serve.md and
    /// docs/faults.md.
    ///
    /// With --salesforce it is a Salesforce streaming endpoint instead (OAuth token, Bayeux), serving
    /// a recording's channels and injected events to a CometD client. See docs/salesforce.md.
    Serve(ServeArgs),
    /// Push hand-made events into a running `feedctl serve`
    ///
    /// Builds an event of the given type (a MESSAGESENT with --text, in a stream, from a user) or reads
    /// complete events from an NDJSON file, and hands them to the serve at --server, which delivers them
    /// to the bot's feeds like any other event. Only a serve on loopback accepts them.
    Inject(InjectArgs),
    /// The main job end to end against a built-in emulator: no pod needed
    ///
    /// Starts the emulator in-process with the 40 built-in demo events (fixtures/demo.ndjson), logs in as demo-bot with
    /// the test-only key, creates a datafeed and follows it the way `tail` does, through a read the
    /// emulator fails on purpose, records every chunk into a journal, checks it, replays it through a small
    /// handler and deletes the feed. The narration goes to stderr, the events to stdout.
    Demo(DemoArgs),
    /// Print a shell completion script: bash, zsh, fish, powershell or elvish
    ///
    /// Writes the script to stdout; save it where your shell looks for completions. It completes
    /// commands, subcommands, flags and their fixed values, and file names where a flag takes a path.
    /// Datafeed ids and recording names are not completed.
    Completions(CompletionsArgs),
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print every resolved setting (secrets redacted) with its source
    ///
    /// One row per setting of the pod, agent, key manager and session auth, the bot, retries and the
    /// datafeed: the value feedctl will use and where it came from (a flag, a FEEDCTL_* variable, a key of
    /// the file, or the default). Keys and passwords are never printed.
    #[command(
        after_help = "Examples:\n  feedctl config show\n  feedctl --config bot.yaml config show -o json"
    )]
    Show(NoQuestions),
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Authenticate and print who the bot is, which endpoints answered and how long they took
    ///
    /// Gets a session token from the pod and a key manager token from the key manager (unless the pod
    /// allows Simplified Key Delivery), then calls /pod/v2/sessioninfo. Exit status 3 when a login is
    /// refused, 4 when a server cannot be reached or answers with an error.
    #[command(
        after_help = "Tokens are never printed.\n\nExamples:\n  feedctl auth check\n  feedctl --config bot.yaml auth check -o json"
    )]
    Check(NoQuestions),
}

#[derive(Debug, Subcommand)]
pub enum DatafeedCommand {
    /// Create a datafeed and print its id
    ///
    /// Calls POST /agent/v5/datafeeds (v2; with --tag and --include-invisible) or
    /// /agent/v4/datafeed/create (v1). A bot has at most 20 active v2 feeds: delete the ones nothing reads.
    #[command(
        after_help = "In a script, -q prints only the id (so does -o table): ID=$(feedctl -q datafeed create)\n\n\
                      Examples:\n  feedctl datafeed create\n  feedctl datafeed create --tag my-bot-tests\n  feedctl -q datafeed create\n  feedctl --datafeed-version v1 datafeed create"
    )]
    Create {
        /// Tag to create the feed with (v2, at most 100 characters)
        #[arg(long, value_parser = datafeed_tag)]
        tag: Option<String>,
        /// Also receive events of invisible rooms (v2)
        #[arg(long)]
        include_invisible: bool,
        #[command(flatten)]
        no_questions: NoQuestions,
    },
    /// List the bot's active datafeeds (v2)
    ///
    /// Calls GET /agent/v5/datafeeds and prints each feed's id, kind, type and creation time. v1 has no
    /// such call.
    #[command(
        after_help = "Examples:\n  feedctl datafeed list\n  feedctl datafeed list --tag my-bot-tests -o json"
    )]
    List {
        /// Only feeds created with this tag (at most 100 characters)
        #[arg(long, value_parser = datafeed_tag)]
        tag: Option<String>,
        #[command(flatten)]
        no_questions: NoQuestions,
    },
    /// Delete datafeeds (v2); asks first, and needs --yes where it cannot ask
    ///
    /// Calls DELETE /agent/v5/datafeeds/ID for each id. An id that does not exist (any more) is reported
    /// as not found and is not an error. A bot still reading a deleted feed has to create a new one.
    /// Without a terminal to ask at (a script, a pipe), it deletes nothing and exits 2 unless --yes.
    #[command(
        after_help = "Examples:\n  feedctl datafeed delete 371f465fb97b5d1027d20a5e7085863a_f\n  feedctl datafeed delete --yes ID1 ID2"
    )]
    Delete {
        /// Datafeed ids
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Make one read call and print the events and the new ackId
    ///
    /// Calls POST /agent/v5/datafeeds/ID/read with the ackId (v2) or GET /agent/v4/datafeed/ID/read (v1),
    /// waits for the long poll to answer and prints what came back: the events, and the ackId to pass to
    /// the next read.
    #[command(
        after_help = "A v2 read with an ackId acknowledges the events of the read that returned it.\n\n\
                            Examples:\n  feedctl datafeed read 371f465f_f\n  feedctl datafeed read 371f465f_f --ack-id ack-123 -o ndjson"
    )]
    Read {
        /// Datafeed id
        id: String,
        /// ackId from the previous read (v2); empty for the first read
        #[arg(long, default_value = "")]
        ack_id: String,
        /// Give up on the read after this long
        #[arg(long, default_value = "45s", value_parser = humantime::parse_duration)]
        timeout: std::time::Duration,
        #[command(flatten)]
        no_questions: NoQuestions,
    },
}

#[derive(Debug, Args)]
#[command(
    after_help = "The first line on stdout is the base URL to point a bot at. Requests are logged on stderr.\n\n\
                        Examples:\n  feedctl serve --events demo --accept-any-key\n  \
                        feedctl serve --events demo --public-key fixtures/keys/TEST-ONLY-bot-public.pem\n  \
                        feedctl serve --events events.ndjson --accept-any-key --listen 127.0.0.1:0 --fault read:500x3"
)]
pub struct ServeArgs {
    #[command(flatten)]
    pub no_pod: NoPod,
    /// Address to listen on (port 0 picks a free one)
    #[arg(long, default_value = "127.0.0.1:9443", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// Keep feeds, replay ids and tokens in DIR across restarts
    ///
    /// Symphony: the datafeeds, where each stands and its unacknowledged batches (by ackId),
    /// and injected events, so a bot restarted against a restarted emulator resumes as against
    /// a real pod. Salesforce: replay ids, retained events and tokens, so a consumer with a
    /// stored marker resumes; default when serving a journal: JOURNAL.sfstate beside it.
    /// Without it a restart forgets: feeds are unknown (400), and a Salesforce restart is a new
    /// org whose replay ids start far above any an earlier run gave.
    #[arg(long = "state", value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// Events to serve: an NDJSON file (one V4Event per line), or demo
    ///
    /// `demo`: the 40 built-in demo events.
    #[arg(long, value_name = "FILE|demo", help_heading = SYMPHONY_HEADING)]
    pub events: Option<PathBuf>,
    /// Journal to serve from, and to store what the bot sends back
    ///
    /// Recorded chunks are served from it unless --events is given.
    #[arg(long, short = 'j', value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Serve only this recording of the journal
    #[arg(long, value_name = "NAME", requires = "journal")]
    pub recording: Option<String>,
    /// Pace of recorded chunks: original, 2x, or instant
    ///
    /// original: as recorded; a factor like 2x; instant: no waiting.
    #[arg(long, default_value = "instant", value_name = "PACE")]
    pub pace: String,
    /// Serve the recording again from the start when it is done
    #[arg(long = "loop", help_heading = SYMPHONY_HEADING)]
    pub loop_: bool,
    /// Print a bot config.yaml for this emulator and exit
    ///
    /// With --key-dir, also write a test key pair.
    #[arg(long, help_heading = SYMPHONY_HEADING)]
    pub print_config: bool,
    /// With --print-config: write a fresh TEST key pair here
    ///
    /// For the printed config and for serve --public-key.
    #[arg(long, value_name = "DIR", requires = "print_config", help_heading = SYMPHONY_HEADING, hide_short_help = true)]
    pub key_dir: Option<PathBuf>,
    /// The bot's RSA public key (PEM): login JWTs must verify against it
    #[arg(long, value_name = "FILE", required_unless_present_any = ["accept_any_key", "print_config", "salesforce"], help_heading = SYMPHONY_HEADING)]
    pub public_key: Option<PathBuf>,
    /// Accept a login JWT signed by any key
    ///
    /// It still checks the JWT's shape and expiry.
    #[arg(long, conflicts_with = "public_key", help_heading = SYMPHONY_HEADING)]
    pub accept_any_key: bool,
    /// User id reported by /pod/v2/sessioninfo
    ///
    /// [default: the recording's bot with --journal, else 349026222344902]
    #[arg(long, value_name = "ID", help_heading = SYMPHONY_HEADING, hide_short_help = true)]
    pub bot_user_id: Option<i64>,
    /// Display name reported by sessioninfo
    ///
    /// [default: the recording's bot with --journal, else the JWT's subject]
    #[arg(long, value_name = "NAME", help_heading = SYMPHONY_HEADING, hide_short_help = true)]
    pub bot_name: Option<String>,
    /// Issue session tokens that allow Simplified Key Delivery (no key manager call)
    #[arg(long, help_heading = SYMPHONY_HEADING, hide_short_help = true)]
    pub skd: bool,
    /// Serve HTTPS with this certificate (PEM); needs --tls-key
    #[arg(long, value_name = "FILE", requires = "tls_key", help_heading = SYMPHONY_HEADING, hide_short_help = true)]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM)
    #[arg(long, value_name = "FILE", requires = "tls_cert", help_heading = SYMPHONY_HEADING, hide_short_help = true)]
    pub tls_key: Option<PathBuf>,
    /// With TLS: verify client certificates against this CA
    ///
    /// A client with a verified certificate may log in by certificate.
    #[arg(long, value_name = "FILE", requires = "tls_cert", help_heading = SYMPHONY_HEADING, hide_short_help = true)]
    pub client_ca: Option<PathBuf>,
    /// How long an idle read waits before answering with no events
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration, value_name = "DURATION", hide_short_help = true)]
    pub poll_timeout: std::time::Duration,
    /// How long delivered events wait for their ack before they are delivered again
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration, value_name = "DURATION", help_heading = SYMPHONY_HEADING, hide_short_help = true)]
    pub visibility_timeout: std::time::Duration,
    /// A feed not read for this long expires
    #[arg(long, default_value = "30m", value_parser = humantime::parse_duration, value_name = "DURATION", help_heading = SYMPHONY_HEADING, hide_short_help = true)]
    pub feed_ttl: std::time::Duration,
    /// Active v2 feeds per user; creating one more answers 403
    #[arg(long, default_value_t = 20, value_name = "N", help_heading = SYMPHONY_HEADING, hide_short_help = true)]
    pub max_feeds: usize,
    /// Most events in one read
    #[arg(long, default_value_t = 100, value_name = "N", hide_short_help = true)]
    pub batch_size: usize,
    /// Inject a fault: TARGET:KIND[+SKIP][xCOUNT][@PROB], e.g. read:500x3
    ///
    /// See docs/faults.md.
    #[arg(long = "fault", value_name = "RULE", help_heading = SYMPHONY_HEADING)]
    pub faults: Vec<String>,
    /// Seed for probabilistic faults and reordering
    #[arg(long, default_value_t = 0, value_name = "N", help_heading = SYMPHONY_HEADING, hide_short_help = true)]
    pub seed: u64,
    /// Also write every request as NDJSON to this file
    #[arg(long, value_name = "FILE", help_heading = SYMPHONY_HEADING, hide_short_help = true)]
    pub request_log: Option<PathBuf>,
    /// Emulate a Salesforce streaming endpoint instead of a pod
    ///
    /// An OAuth token endpoint, and Bayeux at /cometd/VERSION.
    #[arg(long, conflicts_with_all = ["events", "public_key", "accept_any_key", "print_config", "tls_cert", "faults", "loop_", "skd", "bot_user_id", "bot_name"], help_heading = SALESFORCE_HEADING)]
    pub salesforce: bool,
    #[command(flatten)]
    pub sfdc: SalesforceServeArgs,
}

/// `serve --salesforce`: channels, retention and session expiry (docs/salesforce.md).
#[derive(Debug, Args)]
#[command(next_help_heading = SALESFORCE_HEADING)]
pub struct SalesforceServeArgs {
    /// A channel that exists from the start (repeat)
    ///
    /// Channels of the journal and injected ones exist too.
    #[arg(long = "channel", value_name = "CHANNEL", requires = "salesforce")]
    pub channels: Vec<String>,
    /// How long events stay retained for replay
    ///
    /// Salesforce keeps them 24h, 72h for high-volume events.
    #[arg(long, default_value = "24h", value_parser = humantime::parse_duration, value_name = "DURATION", requires = "salesforce", hide_short_help = true)]
    pub retention: std::time::Duration,
    /// A session whose client does not poll again within this long is dropped
    ///
    /// The client is then answered 403::Unknown client.
    #[arg(long, default_value = "40s", value_parser = humantime::parse_duration, value_name = "DURATION", requires = "salesforce", hide_short_help = true)]
    pub session_timeout: std::time::Duration,
    /// Accept JWT bearer logins signed by this key (PEM)
    ///
    /// The connected app's certificate or its RSA public key.
    #[arg(long, value_name = "FILE", requires = "salesforce")]
    pub jwt_public_key: Option<PathBuf>,
    /// The first replay id of a new channel [default: the start time in ms x 1,000]
    #[arg(long, value_name = "N", requires = "salesforce", hide_short_help = true, value_parser = clap::value_parser!(i64).range(1..))]
    pub first_replay_id: Option<i64>,
    /// Also serve the Salesforce Pub/Sub API (gRPC) on this address
    ///
    /// Port 0 picks a free one. Same org: channels, events, replay ids and tokens. TLS with a test-only certificate for localhost
    /// (fixtures/tls/). See docs/salesforce.md.
    #[arg(long, value_name = "ADDR", requires = "salesforce")]
    pub pubsub_listen: Option<SocketAddr>,
    /// Pub/Sub keepalive: an empty response with the latest replay id after this long idle
    ///
    /// Salesforce sends one within 270 s.
    #[arg(long, default_value = "270s", value_parser = humantime::parse_duration, value_name = "DURATION", requires = "pubsub_listen", hide_short_help = true)]
    pub pubsub_keepalive: std::time::Duration,
    /// Serve the Pub/Sub API in plain text (h2c) instead of TLS
    ///
    /// For clients that are not given the test-only certificate: feedctl's sfpubsub+http://,
    /// grpcurl -plaintext. Loopback only, like the TLS endpoint.
    #[arg(long, requires = "pubsub_listen", hide_short_help = true)]
    pub pubsub_plain: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "On a terminal every value that no flag gives is asked for. Without one (a script, CI) the \
                  values come from flags only: --host, --username and --private-key or --generate-key are \
                  needed. --scheme, --port, --datafeed-version and --config (where to write; default \
                  $FEEDCTL_CONFIG, else ./config.yaml) are the global flags of the same names. An existing \
                  config is never replaced without a yes at the terminal, or --force.\n\n\
                  Examples:\n  feedctl init\n  \
                  feedctl init --host acme.symphony.com --username my-bot --generate-key ~/.symphony\n  \
                  feedctl init --host acme.symphony.com --username my-bot --private-key bot.pem --check\n  \
                  feedctl init --host acme.com --agent-host agent.acme.com:8443 \
                  --username my-bot --generate-key .\n  \
                  feedctl init --host http://127.0.0.1:9443 --username demo-bot --private-key bot.pem"
)]
pub struct InitArgs {
    /// Agent host, when it is not the pod host
    ///
    /// NAME, NAME:PORT or https://NAME:PORT.
    #[arg(long, value_name = "HOST")]
    pub agent_host: Option<String>,
    /// Generate a new 2048-bit RSA key pair in this directory
    ///
    /// bot-private.pem (mode 600) and bot-public.pem.
    #[arg(long, value_name = "DIR")]
    pub generate_key: Option<PathBuf>,
    /// Replace an existing config file (and key files, with --generate-key)
    #[arg(long)]
    pub force: bool,
    /// Run `feedctl auth check` with the new config once it is written
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "The same scripts are committed in the repository's completions/ folder.\n\n\
                  Examples:\n  feedctl completions bash > ~/.local/share/bash-completion/completions/feedctl\n  \
                  feedctl completions zsh > ~/.zfunc/_feedctl\n  \
                  feedctl completions fish > ~/.config/fish/completions/feedctl.fish\n  \
                  feedctl completions powershell >> $PROFILE"
)]
pub struct CompletionsArgs {
    #[command(flatten)]
    pub no_pod: NoPod,
    /// The shell to write the script for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  feedctl demo")]
pub struct DemoArgs {
    #[command(flatten)]
    pub no_pod: NoPod,
    /// Keep the demo's journal in this file
    ///
    /// [default: a temporary file, removed at the end]
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

/// Where events are read from; shared by `tail` and `record`. `--feed`, `--tag` and
/// `--read-timeout` are Symphony's; `--exit-at-end` holds for every source.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Read this datafeed instead of one of feedctl's own
    ///
    /// Its other readers share its events.
    #[arg(long, value_name = "ID", help_heading = SYMPHONY_HEADING)]
    pub feed: Option<String>,
    /// Tag of feedctl's own datafeed, so later runs find and reuse it
    ///
    /// At most 100 characters [default: feedctl for tail, feedctl-record-NAME for record].
    #[arg(
        long,
        value_name = "TAG",
        value_parser = datafeed_tag,
        help_heading = SYMPHONY_HEADING,
        hide_short_help = true
    )]
    pub tag: Option<String>,
    /// Abandon a read with no complete answer after this long and read again
    ///
    /// The server's long poll, plus a margin.
    #[arg(
        long,
        default_value = "45s",
        value_parser = humantime::parse_duration,
        value_name = "DURATION",
        help_heading = SYMPHONY_HEADING,
        hide_short_help = true
    )]
    pub read_timeout: std::time::Duration,
    /// Stop, with exit 0, at the first read that comes back empty
    ///
    /// The backlog is read, then feedctl stops (like kcat -e); sfpubsub://: once nothing came
    /// for 3 s.
    #[arg(long)]
    pub exit_at_end: bool,
}

/// The long help of the SOURCE argument of `tail` and `record`.
fn source_long_help(what: &str) -> String {
    format!(
        "{what}: a Redis stream, redis://[user:password@]host[:port][/db]/KEY (host: a server, or \
         any node of a Redis Cluster; rediss:// for TLS, redis+unix:///SOCKET?key=KEY, \
         redis+sentinel://HOST[:PORT][,…]/MASTER/KEY), a Salesforce channel, \
         sfdc://LOGIN_HOST/CHANNEL, or a Salesforce Pub/Sub API topic, \
         sfpubsub://HOST[:PORT]/TOPIC (several: several SOURCEs of one kind); none: the Symphony \
         bot of the config"
    )
}

/// The long help of a `--type` flag: `intro`, then Symphony's 17 types, which shell completion
/// offers but the short help does not list.
fn types_long_help(intro: &str) -> String {
    format!(
        "{intro}\n\nSymphony's types: {}.",
        crate::symphony::event::EVENT_TYPES.join(", ")
    )
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  feedctl tail --type messagesent --count 10\n  \
                  feedctl tail redis://localhost/orders --from beginning",
    after_long_help = "Examples:\n  feedctl tail\n  feedctl tail --type messagesent --stream IEj12WoWsfTkiqOBkATdUn___pFXhN9OdA\n  \
                  feedctl tail --count 10 --format '{time} {initiator}: {text}'\n  feedctl tail --duration 5m | jq .event.type\n  \
                  feedctl tail redis://localhost/orders --from beginning\n  \
                  feedctl tail sfdc://login.salesforce.com/data/AccountChangeEvent"
)]
pub struct TailArgs {
    #[command(flatten)]
    pub no_questions: NoQuestions,
    /// What to follow: redis://HOST/KEY, sfdc://HOST/CHANNEL; none: the Symphony bot
    #[arg(value_name = "SOURCE", long_help = source_long_help("What to follow"))]
    pub sources: Vec<String>,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Keep feedctl's own datafeed at the end instead of deleting it
    #[arg(long, help_heading = SYMPHONY_HEADING, hide_short_help = true)]
    pub keep_feed: bool,
    /// Only events of these types (repeat, or separate with commas)
    #[arg(
        long = "type",
        value_name = "TYPE",
        value_delimiter = ',',
        value_parser = EventTypes,
        hide_possible_values = true,
        long_help = types_long_help(
            "Only events of these types, for every source: the envelope's `type` (Symphony's \
             event type, one of the 17 below; hopeit's type or the entry's `type` field for \
             Redis; the event or change type for Salesforce), compared without regard to case; \
             repeat or separate with commas"
        )
    )]
    pub types: Vec<String>,
    /// Only events in these streams: conversation ids, stream keys or channels
    #[arg(long, value_name = "STREAM", value_delimiter = ',')]
    pub stream: Vec<String>,
    /// Only events started by these users (user id or username)
    #[arg(long, value_name = "USER", value_delimiter = ',', help_heading = SYMPHONY_HEADING)]
    pub initiator: Vec<String>,
    /// Stop after printing this many events
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Stop after this long (e.g. 30s, 5m)
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub duration: Option<std::time::Duration>,
    /// Print each event with a template of {fields}, e.g. '{time} {type} {id}'
    ///
    /// Every source: time timestamp type id source partition stream_id chunk received, and
    /// {dotted.paths} into the event ({fields.sku} for Redis, {payload.Name} for Salesforce).
    /// Symphony also: message_id stream initiator initiator_id text feed. Salesforce also:
    /// record_id channel (docs/output.md).
    #[arg(long, value_name = "TEMPLATE", conflicts_with = "raw")]
    pub format: Option<String>,
    /// Print the bodies of the read responses exactly as received
    #[arg(long, hide_short_help = true)]
    pub raw: bool,
    #[command(flatten)]
    pub redis: RedisArgs,
    #[command(flatten)]
    pub salesforce: SalesforceArgs,
}

/// How Redis stream SOURCEs are read (tail, record).
#[derive(Debug, Args)]
#[command(next_help_heading = REDIS_HEADING)]
pub struct RedisArgs {
    /// Where to start reading: beginning, end, an entry id, or @TIME (RFC 3339)
    ///
    /// [default: end for tail, beginning for a new recording; a recording resumes from its marker]
    #[arg(long, value_name = "WHERE")]
    pub from: Option<String>,
    /// Read as a consumer of this group, acking each entry after it was kept
    ///
    /// The group is created from the start of the stream when missing.
    #[arg(long, value_name = "GROUP")]
    pub group: Option<String>,
    /// Consumer name within the group [default: feedctl-HOST]
    ///
    /// For a recording: feedctl-HOST-NAME.
    #[arg(long, value_name = "NAME", hide_short_help = true)]
    pub consumer: Option<String>,
    /// Read a --group that other consumers read too [default: refused, exit 2]
    ///
    /// Each entry goes to one of them, and those feedctl takes it acknowledges, so the others
    /// never get them.
    #[arg(long, hide_short_help = true)]
    pub share_group: bool,
    /// Also take over entries pending with other consumers for longer than this (XAUTOCLAIM)
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION", hide_short_help = true)]
    pub claim_idle: Option<std::time::Duration>,
    /// Most entries per read
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100_000), hide_short_help = true)]
    pub batch: u64,
    #[command(flatten)]
    pub tls: RedisTlsArgs,
}

/// TLS files of `rediss://` connections (redis-cli's --cacert, --cert, --key); only in the long
/// help, as few servers need them.
#[derive(Debug, Args, Clone, Default)]
pub struct RedisTlsArgs {
    /// rediss://: PEM file of the CA certificates that signed the server's certificate
    ///
    /// [default: SSL_CERT_FILE, else the Mozilla roots]
    #[arg(
        long,
        value_name = "FILE",
        env = "FEEDCTL_REDIS_TLS_CA",
        hide_env_values = true,
        help_heading = REDIS_HEADING,
        hide_short_help = true
    )]
    pub tls_ca: Option<PathBuf>,
    /// rediss://: client certificate (PEM) for a server that requires one (tls-auth-clients)
    #[arg(
        long,
        value_name = "FILE",
        env = "FEEDCTL_REDIS_TLS_CERT",
        hide_env_values = true,
        help_heading = REDIS_HEADING,
        hide_short_help = true
    )]
    pub tls_cert: Option<PathBuf>,
    /// rediss://: the private key (PEM) of --tls-cert [default: in the --tls-cert file]
    #[arg(
        long,
        value_name = "FILE",
        env = "FEEDCTL_REDIS_TLS_KEY",
        hide_env_values = true,
        help_heading = REDIS_HEADING,
        hide_short_help = true
    )]
    pub tls_key: Option<PathBuf>,
}

/// How `sfdc://` and `sfpubsub://` SOURCEs are followed (docs/salesforce.md); shared by `tail` and `record`.
#[derive(Debug, Args)]
#[command(next_help_heading = SALESFORCE_HEADING)]
pub struct SalesforceArgs {
    /// Where a new channel starts: new, all or a replayId [default: new]
    ///
    /// A channel without a marker (a new one) starts with new events, all (every event still
    /// retained) or the events after a replayId.
    #[arg(long, value_name = "new|all|ID", allow_negative_numbers = true)]
    pub replay: Option<String>,
    /// When a replayId is out of retention: subscribe again with all or new
    ///
    /// A gap is recorded, instead of stopping.
    #[arg(long, value_name = "all|new", value_parser = ["all", "new"], hide_possible_values = true, hide_short_help = true)]
    pub replay_fallback: Option<String>,
    /// How long to stay disconnected before giving up (exit 4), or `none`
    ///
    /// Disconnected from Salesforce or Redis; `none` retries forever [default: none for record,
    /// 10s for tail].
    #[arg(
        long,
        value_name = "DURATION|none",
        help_heading = None::<&str>,
        hide_short_help = true
    )]
    pub connection_timeout: Option<String>,
    /// Most events taken into one chunk
    ///
    /// No new long poll is sent while any are pending; sfpubsub://: the most events requested
    /// (num_requested) and not yet kept, per topic.
    #[arg(long, default_value_t = 100, value_name = "N", hide_short_help = true)]
    pub max_pending: usize,
    /// Allow sfdc+http:// (sfpubsub+http://, an http:// --sf-login-url) to a host that is not loopback
    ///
    /// The token crosses the network in clear.
    #[arg(long, hide_short_help = true)]
    pub allow_plain_http: bool,
    /// Log in as the Salesforce CLI's org ALIAS (sf org display)
    ///
    /// Runs `sf org display --target-org ALIAS --json`, again when the token is refused; the
    /// SFDC_* variables are then not read.
    #[arg(long, value_name = "ALIAS")]
    pub sf_org: Option<String>,
    /// sfpubsub://: where the SFDC_* logins log in [default: https://login.salesforce.com]
    ///
    /// The login host of the org (https://test.salesforce.com for sandboxes, or your My Domain
    /// host, which the client credentials flow needs); http:// on loopback only.
    #[arg(
        long,
        value_name = "URL",
        env = "SFDC_LOGIN_URL",
        hide_env_values = true,
        hide_short_help = true
    )]
    pub sf_login_url: Option<String>,
    /// sfpubsub://: trust only the CA certificates in this PEM file
    ///
    /// E.g. an emulator's test-only CA [default: the system's roots and Mozilla's].
    #[arg(
        long,
        value_name = "FILE",
        env = "FEEDCTL_PUBSUB_CA",
        hide_env_values = true,
        hide_short_help = true
    )]
    pub pubsub_ca: Option<PathBuf>,
}

/// The journal file a command works on.
#[derive(Debug, Args)]
pub struct JournalArg {
    /// SQLite journal
    #[arg(
        long,
        short = 'j',
        env = "FEEDCTL_JOURNAL",
        hide_env_values = true,
        default_value = "feedctl-journal.db",
        value_name = "FILE"
    )]
    pub journal: PathBuf,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  feedctl record --journal today.db\n  feedctl record --journal today.db --name incident-42 --duration 10m\n  \
                  feedctl journal info --journal today.db"
)]
pub struct RecordArgs {
    #[command(flatten)]
    pub no_questions: NoQuestions,
    #[command(flatten)]
    pub journal: JournalArg,
    /// Name of the recording inside the journal
    ///
    /// A journal can hold several.
    #[arg(long, default_value = "default", value_name = "NAME")]
    pub name: String,
    /// What to record: redis://HOST/KEY, sfdc://HOST/CHANNEL; none: the Symphony bot
    #[arg(value_name = "SOURCE", long_help = source_long_help("What to record"))]
    pub sources: Vec<String>,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Stop once at least this many events are stored
    ///
    /// The chunk that crosses it is stored whole.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Stop after this long (e.g. 30s, 5m)
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub duration: Option<std::time::Duration>,
    #[command(flatten)]
    pub redis: RedisArgs,
    #[command(flatten)]
    pub salesforce: SalesforceArgs,
}

/// Which stored events a command looks at.
#[derive(Debug, Args)]
pub struct EventSelection {
    /// Only this recording
    #[arg(long, value_name = "NAME")]
    pub recording: Option<String>,
    /// Only events of these types (repeat, or separate with commas)
    #[arg(
        long = "type",
        value_name = "TYPE",
        value_delimiter = ',',
        value_parser = EventTypes,
        hide_possible_values = true,
        long_help = types_long_help(
            "Only events of these types (Symphony's 17, case-insensitive; others exactly as \
             recorded: hopeit's module.Class, a Redis type field, a Salesforce event; repeat or \
             separate with commas)"
        )
    )]
    pub types: Vec<String>,
    /// Only events in these streams (stream ids)
    #[arg(long, value_name = "STREAM_ID", value_delimiter = ',', help_heading = SYMPHONY_HEADING)]
    pub stream: Vec<String>,
    /// Only events at or after this time (e.g. 1h ago, 2026-12-01)
    ///
    /// The forms: 1h / 30m / 2d ago, 2026-12-01 (UTC), 2026-11-22T14:30:00Z, or ms since the epoch.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only events before this time (same forms as --since)
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Only the last N of the selected events
    ///
    /// They are still printed or replayed oldest first.
    #[arg(long, value_name = "N")]
    pub last: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// List the recordings of a journal
    ///
    /// One row per recording: its name, where its events came from, how many chunks, events, duplicates
    /// and gaps it holds, and when it was created.
    #[command(after_help = "Examples:\n  feedctl journal ls --journal today.db")]
    Ls {
        #[command(flatten)]
        journal: JournalArg,
    },
    /// Counts by recording, partition, type and stream; time range, duplicates, gaps and size
    ///
    /// A summary of the whole journal: events by recording, by partition (a Symphony datafeed, a Redis
    /// stream key, a Salesforce channel, an import), by type and by stream, the time they span, repeated
    /// deliveries (duplicates), every gap with its reason, and the file's size. On a terminal, each
    /// partition's events over time as a sparkline (-o json has the numbers).
    #[command(
        after_help = "Examples:\n  feedctl journal info --journal today.db\n  feedctl journal info -j today.db -o json"
    )]
    Info {
        #[command(flatten)]
        journal: JournalArg,
    },
    /// List stored events
    ///
    /// Prints the stored events that match the filters, oldest first, as a table on a terminal or as JSON;
    /// --limit caps how many.
    #[command(
        after_help = "Examples:\n  feedctl journal show -j today.db --type MESSAGESENT --limit 20\n  \
                            feedctl journal show -j today.db --since 2026-11-22T14:00:00Z -o json"
    )]
    Show {
        #[command(flatten)]
        journal: JournalArg,
        #[command(flatten)]
        select: EventSelection,
        /// At most this many events
        #[arg(long, default_value_t = 100)]
        limit: u64,
    },
    /// Write stored events as NDJSON (one envelope per event, the exact JSON received inside)
    ///
    /// Each line is an envelope with the recording, the chunk and its feed, and the event exactly as the
    /// server sent it. `journal import` reads the same lines back, chunks included.
    #[command(
        after_help = "Examples:\n  feedctl journal export -j today.db > events.ndjson\n  feedctl journal export -j today.db --recording incident-42 --type MESSAGESENT"
    )]
    Export {
        #[command(flatten)]
        journal: JournalArg,
        #[command(flatten)]
        select: EventSelection,
    },
    /// Turn NDJSON into a recording: export output, tail output, or hand-written events
    ///
    /// Reads the file (or standard input with -) completely first: a bad line leaves the journal as it
    /// was, and the error names the line. The recording can then be replayed or served like a recorded
    /// one.
    #[command(
        after_help = "Plain events (one V4Event per line) are grouped into chunks of --chunk-size; \
                            envelopes from `export` or `tail` keep their chunks.\n\n\
                            Examples:\n  feedctl journal import -j scenario.db --name smoke events.ndjson\n  \
                            feedctl journal export -j a.db | feedctl journal import -j b.db -\n  \
                            feedctl journal import -j dev.db --hopeit-type my_app.data_model.MyMessage messages.ndjson"
    )]
    Import {
        #[command(flatten)]
        journal: JournalArg,
        /// NDJSON file, or - for standard input
        file: PathBuf,
        /// Recording to import into
        ///
        /// [default: the envelopes' recording, else the file name]
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Events per chunk for plain events
        #[arg(long, default_value_t = 100, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        chunk_size: u64,
        /// Lines are hopeit.engine payloads of this dataobject (module.QualName)
        ///
        /// Each line is a payload (a JSON object), stored as a hopeit entry, ready for
        /// `replay --to redis://… --layout hopeit`.
        #[arg(long, value_name = "TYPE", help_heading = REDIS_HEADING)]
        hopeit_type: Option<String>,
        /// With --hopeit-type: check every payload against this JSON Schema first
        ///
        /// A JSON Schema file, or an OpenAPI document (its components/schemas/<Class>);
        /// FILE#/pointer picks another schema in the file.
        #[arg(long, value_name = "FILE", requires = "hopeit_type", help_heading = REDIS_HEADING)]
        schema: Option<String>,
    },
    /// Check the file (SQLite integrity) and the journal's invariants; exit 1 on a problem
    ///
    /// Runs SQLite's integrity and foreign key checks, then the journal's invariants: each chunk holds the
    /// events it says, chunks and events are numbered without holes, duplicates point at a first delivery,
    /// the counts agree and each recording's marker points at a stored chunk. Prints each problem found.
    #[command(after_help = "Examples:\n  feedctl journal verify -j today.db")]
    Verify {
        #[command(flatten)]
        journal: JournalArg,
    },
    /// List the stored replay runs, or show one run's handler results
    ///
    /// Every `replay` (and `consume --journal`) stores its run: the handler, the options and, per event,
    /// the outcome, exit status, duration and the first KiB of the handler's stdout and stderr. Without
    /// RUN: one row per run with its counts by outcome. With RUN: that run's handler runs, oldest first.
    #[command(
        after_help = "Examples:\n  feedctl journal runs -j today.db\n  feedctl journal runs -j today.db 3\n  \
                      feedctl journal runs -j today.db 3 -o json | jq -r '.results[].stdout'"
    )]
    Runs {
        #[command(flatten)]
        journal: JournalArg,
        /// The run to show (its number, as `journal runs` lists it)
        #[arg(value_name = "RUN")]
        run: Option<i64>,
        /// At most this many handler runs of RUN (the first ones)
        #[arg(long, default_value_t = 100)]
        limit: u64,
    },
    /// List what a bot sent back while `feedctl serve` served it
    ///
    /// serve stores every message the bot creates (its replies) in the journal given to it with --journal;
    /// this prints the latest ones: when, in which stream, and the message.
    #[command(
        after_help = "Examples:\n  feedctl journal outbox -j today.db\n  feedctl journal outbox -j today.db -o json"
    )]
    Outbox {
        #[command(flatten)]
        journal: JournalArg,
        /// At most this many messages (the latest)
        #[arg(long, default_value_t = 100)]
        limit: u64,
    },
}

/// The long help of a `--mode` flag: `intro`, then each mode (the short help names them only).
fn mode_long_help(intro: &str) -> String {
    let modes: Vec<String> = HandlerMode::value_variants()
        .iter()
        .filter_map(|m| m.to_possible_value())
        .map(|v| {
            format!(
                "{}: {}",
                v.get_name(),
                v.get_help().map(|h| h.to_string()).unwrap_or_default()
            )
        })
        .collect();
    format!("{intro}\n\n{}.", modes.join("; "))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HandlerMode {
    /// `sh -c CMD` once per event, the event on stdin
    PerEvent,
    /// one long-lived `sh -c CMD` speaking NDJSON (docs/handler.md)
    Stream,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  feedctl replay -j today.db --exec './bot-handler.sh'\n  \
                  feedctl replay -j today.db --exec 'python3 handler.py' --type MESSAGESENT --speed original\n  \
                  feedctl replay -j today.db --exec 'python3 stream_handler.py' --mode stream\n  \
                  feedctl replay -j today.db --rerun-failed 3 --exec './bot-handler.sh'"
)]
pub struct ReplayArgs {
    #[command(flatten)]
    pub no_pod: NoPod,
    #[command(flatten)]
    pub journal: JournalArg,
    /// Handler command, run through `sh -c`
    #[arg(long, value_name = "CMD", required_unless_present_any = ["dry_run", "to"], conflicts_with = "to")]
    pub exec: Option<String>,
    /// per-event or stream (one handler, NDJSON)
    #[arg(
        long,
        value_enum,
        default_value = "per-event",
        hide_possible_values = true,
        long_help = mode_long_help("Run the handler per event, or once for the whole replay (NDJSON in and out)")
    )]
    pub mode: HandlerMode,
    /// Most handlers at once within a chunk [default: the number of CPUs]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub concurrency: Option<u64>,
    /// One event at a time, like the Java kit
    #[arg(long, hide_short_help = true)]
    pub sequential: bool,
    /// Wait before delivering a re-queued chunk again
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration, value_name = "DURATION", hide_short_help = true)]
    pub requeue_delay: std::time::Duration,
    /// How many times a chunk may be delivered again before exit 75 counts as a failure
    #[arg(long, default_value_t = 3, value_name = "N", hide_short_help = true)]
    pub max_redeliveries: u32,
    /// Warn about a handler running longer than this
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration, value_name = "DURATION", hide_short_help = true)]
    pub slow: std::time::Duration,
    /// Kill a handler running longer than this (0: no limit)
    ///
    /// The handler's whole process group is killed, and the event counted failed. In stream mode,
    /// the limit for a chunk's results.
    #[arg(long, default_value = "5m", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub timeout: std::time::Duration,
    /// After Ctrl-C, how long running handlers may finish before they are killed
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration, value_name = "DURATION", hide_short_help = true)]
    pub grace: std::time::Duration,
    #[command(flatten)]
    pub select: EventSelection,
    /// Only chunks A to B (inclusive), e.g. 3..7
    #[arg(long, value_name = "A..B", hide_short_help = true)]
    pub chunks: Option<String>,
    /// Leave out repeated deliveries (events flagged as duplicates)
    #[arg(long)]
    pub skip_duplicates: bool,
    /// Time between chunks: original, a factor like 2x, or max [default: max]
    ///
    /// original: as recorded; max: no waiting.
    #[arg(
        long,
        default_value = "max",
        value_name = "SPEED",
        hide_default_value = true
    )]
    pub speed: String,
    /// List what would be delivered, run nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Also write the run's report as JSON to this file
    #[arg(long, value_name = "FILE", hide_short_help = true)]
    pub report: Option<PathBuf>,
    /// Deliver again only what did not end handled in this earlier run
    #[arg(long, value_name = "RUN")]
    pub rerun_failed: Option<i64>,
    #[command(flatten)]
    pub to: RedisSinkArgs,
}

/// `replay --to redis://…`: where and how events are written into a Redis stream.
#[derive(Debug, Args)]
#[command(next_help_heading = REDIS_HEADING)]
pub struct RedisSinkArgs {
    /// Write the events into this Redis stream instead of running a handler
    ///
    /// With XADD. The stream: redis://[user:password@]host[:port][/db]/KEY (host: a server, or any node of a
    /// Redis Cluster; rediss://, redis+unix:///SOCKET?key=KEY,
    /// redis+sentinel://HOST[:PORT][,…]/MASTER/KEY).
    #[arg(long = "to", value_name = "URL")]
    pub to: Option<String>,
    /// Entry layout: original or hopeit [default: original]
    ///
    /// original: Redis entries keep their fields; hopeit: hopeit.engine's fields, the event as
    /// payload.
    #[arg(
        long,
        value_enum,
        default_value = "original",
        requires = "to",
        hide_default_value = true,
        hide_possible_values = true
    )]
    pub layout: Layout,
    /// hopeit payload class, module.QualName (with --layout hopeit)
    #[arg(long, value_name = "TYPE", requires = "to")]
    pub hopeit_type: Option<String>,
    /// hopeit payload serialisation: json, or json+base64 (hopeit's default)
    #[arg(long, value_name = "SER", default_value = "json+base64", value_parser = ["json", "json+base64"], requires = "to", hide_short_help = true)]
    pub hopeit_ser: String,
    /// hopeit payload compression: none, lz4 (hopeit's default), zip (zlib), gzip, bz2 or lzma (xz)
    #[arg(long, value_name = "COMP", default_value = "lz4", value_parser = ["none", "lz4", "zip", "gzip", "bz2", "lzma"], requires = "to", hide_short_help = true)]
    pub hopeit_comp: String,
    /// Check every hopeit payload against this JSON Schema before the first XADD
    ///
    /// A JSON Schema file, or an OpenAPI document (its components/schemas/<Class of
    /// --hopeit-type>); FILE#/pointer picks another schema in the file.
    #[arg(long, value_name = "FILE", requires = "to", hide_short_help = true)]
    pub schema: Option<String>,
    /// Trim the stream to about this many entries (XADD MAXLEN ~ N)
    #[arg(long, value_name = "N", requires = "to")]
    pub maxlen: Option<u64>,
    /// How long connecting to Redis may take before giving up (exit 4)
    ///
    /// [default: 5s for each of TCP, TLS and the handshake]
    #[arg(long, value_name = "DURATION", requires = "to", hide_short_help = true)]
    pub connection_timeout: Option<String>,
    #[command(flatten)]
    pub tls: RedisTlsArgs,
}

/// How `replay --to` lays out an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Layout {
    Original,
    Hopeit,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  feedctl inject --server http://127.0.0.1:9443 --type MESSAGESENT --stream IEj12WoWsfTkiqOBkATdUn___pFXhN9OdA --text '/price AAPL'\n  \
                        feedctl inject --server http://127.0.0.1:9443 --file more-events.ndjson"
)]
pub struct InjectArgs {
    #[command(flatten)]
    pub no_pod: NoPod,
    /// Base URL of the running serve (its first line of output)
    ///
    /// Without a scheme, http:// is assumed.
    #[arg(long, value_name = "URL")]
    pub server: String,
    /// Event type [default: MESSAGESENT; with --channel: per channel kind, see --help]
    #[arg(
        long = "type",
        value_name = "TYPE",
        conflicts_with = "file",
        value_parser = EventTypes,
        hide_possible_values = true,
        long_help = types_long_help(
            "Event type. Symphony: any of the 17 (case-insensitive) [default: MESSAGESENT]. \
             With --channel, Salesforce's values for the channel's kind: a PushTopic \
             (/topic/X) created, updated, deleted or undeleted [default: created]; Change Data \
             Capture (/data/XChangeEvent, /data/ChangeEvents) the changeType CREATE, UPDATE, \
             DELETE, UNDELETE, GAP_CREATE, GAP_UPDATE, GAP_DELETE, GAP_UNDELETE or GAP_OVERFLOW \
             [default: CREATE]; platform events (/event/X__e) and generic channels (/u/X) have \
             none"
        )
    )]
    pub event_type: Option<String>,
    /// Stream (conversation) id
    #[arg(long, value_name = "STREAM_ID", conflicts_with = "file", help_heading = SYMPHONY_HEADING)]
    pub stream: Option<String>,
    /// Message text (MESSAGESENT); wrapped in PresentationML
    #[arg(long, value_name = "TEXT", conflicts_with = "file", help_heading = SYMPHONY_HEADING)]
    pub text: Option<String>,
    /// Who sends it: a user id, or a username
    #[arg(long, value_name = "USER", conflicts_with = "file", help_heading = SYMPHONY_HEADING)]
    pub from: Option<String>,
    /// NDJSON file of complete events to push instead
    #[arg(long, value_name = "FILE", help_heading = SYMPHONY_HEADING)]
    pub file: Option<PathBuf>,
    /// Publish to this channel of a running `serve --salesforce`
    ///
    /// /topic/X, /event/X__e, /data/X or /u/X; --type is the event type (default created).
    #[arg(long, value_name = "CHANNEL", conflicts_with_all = ["file", "stream", "text", "from"], help_heading = SALESFORCE_HEADING)]
    pub channel: Option<String>,
    /// With --channel: the record fields or event payload (a JSON object)
    #[arg(long, value_name = "JSON", requires = "channel", help_heading = SALESFORCE_HEADING)]
    pub payload: Option<String>,
    /// Trigger a fault in a running `serve --salesforce`, e.g. drop-sessions
    ///
    /// The faults: drop-sessions, revoke-tokens, expire (everything retained),
    /// expire:upto=REPLAY_ID and expire:older=DURATION (part of it: newer events stay),
    /// lock-logins, unlock-logins, deny-app-access, allow-app-access, garbage.
    #[arg(long, value_name = "FAULT", conflicts_with_all = ["file", "channel", "stream", "text"], value_parser = SfdcFault, hide_possible_values = true, help_heading = SALESFORCE_HEADING)]
    pub sfdc_fault: Option<String>,
}

#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "Exit status: 0 done (--count, --duration, --exit-when-idle), 1 an entry went to the dead letters, \
                  2 usage, 3 authentication failed, 4 Redis failed for good, 130 Ctrl-C, 143 SIGTERM.\n\n\
                  Examples:\n  feedctl consume redis://localhost/orders --group billing --exec './handle-order.sh'\n  \
                  feedctl consume status redis://localhost/orders --group billing",
    after_long_help = "Exit status: 0 done (--count, --duration, --exit-when-idle), 1 an entry went to the dead letters, \
                  2 usage, 3 authentication failed, 4 Redis failed for good, 130 Ctrl-C, 143 SIGTERM.\n\n\
                  Examples:\n  feedctl consume redis://localhost/orders --group billing --exec './handle-order.sh'\n  \
                  feedctl consume redis://cache:6379/orders --group billing --consumer billing-1 --exec 'python3 h.py' --mode stream\n  \
                  feedctl consume redis://localhost/orders --group billing --exec ./h.sh --exit-when-idle 5s -j runs.db\n  \
                  feedctl consume status redis://localhost/orders --group billing --stuck-after 10m\n  \
                  feedctl consume requeue redis://localhost/orders:dead --to orders"
)]
pub struct ConsumeArgs {
    #[command(subcommand)]
    pub command: Option<ConsumeCommand>,
    #[command(flatten)]
    pub worker: ConsumeWorkerArgs,
    #[command(flatten)]
    pub no_pod: NoPod,
}

#[derive(Debug, Subcommand)]
pub enum ConsumeCommand {
    /// Show a consumer group: lag, pending entries per consumer, the oldest one, dead letters
    ///
    /// Works on any group, hopeit.engine's included (whose consumers never claim what they left
    /// pending). Exit 1 when an entry has been pending longer than --stuck-after.
    #[command(
        after_help = "Examples:\n  feedctl consume status redis://localhost/orders --group billing\n  \
                      feedctl consume status redis://localhost/my-stream --group process-message-group --stuck-after 5m -o json"
    )]
    Status(ConsumeStatusArgs),
    /// Put dead letters back into their stream (as new entries) after a fix
    ///
    /// Each dead letter's original fields are written to the stream (XADD) before the letter is
    /// deleted from the dead-letter stream (XDEL).
    #[command(
        after_help = "Examples:\n  feedctl consume requeue redis://localhost/orders:dead --to orders\n  \
                      feedctl consume requeue redis://localhost/orders:dead --count 1"
    )]
    Requeue(ConsumeRequeueArgs),
}

/// The stream and group a consume command works on.
#[derive(Debug, Args)]
pub struct ConsumeGroupArgs {
    /// The stream: redis://[user:password@]host[:port][/db]/KEY, rediss://…
    ///
    /// host: a server, or any node of a Redis Cluster; also rediss://…,
    /// redis+unix:///SOCKET?key=KEY, redis+sentinel://HOST[:PORT][,…]/MASTER/KEY (password also from
    /// REDISCLI_AUTH).
    #[arg(value_name = "SOURCE", required = true)]
    pub source: Option<String>,
    /// Consumer group
    ///
    /// Created from the start of the stream when missing.
    #[arg(long, value_name = "GROUP", required = true, help_heading = REDIS_HEADING)]
    pub group: Option<String>,
    /// Dead-letter stream [default: KEY:dead]
    #[arg(long, value_name = "KEY", help_heading = REDIS_HEADING, hide_short_help = true)]
    pub dead_letter: Option<String>,
    #[command(flatten)]
    pub conn: RedisConnArgs,
}

/// How consume's commands connect to Redis; only in the long help, as the defaults suit most.
/// (Headings are set per flag: a struct's `next_help_heading` would carry over to the flags
/// that follow it in `ConsumeWorkerArgs`.)
#[derive(Debug, Args, Clone, Default)]
pub struct RedisConnArgs {
    /// How long to stay without a working Redis connection before giving up (exit 4), or `none`
    ///
    /// [default: none for a worker (its reconnects are counted), 10s for status and requeue]
    #[arg(long, value_name = "DURATION|none", help_heading = REDIS_HEADING, hide_short_help = true)]
    pub connection_timeout: Option<String>,
    #[command(flatten)]
    pub tls: RedisTlsArgs,
}

#[derive(Debug, Args)]
pub struct ConsumeWorkerArgs {
    #[command(flatten)]
    pub target: ConsumeGroupArgs,
    /// Handler command, run through `sh -c`
    #[arg(long, value_name = "CMD", required = true)]
    pub exec: Option<String>,
    /// This worker's name in the group [default: feedctl-HOST-consume]
    ///
    /// A restarted worker with the same name finds its own pending entries.
    #[arg(long, value_name = "NAME", help_heading = REDIS_HEADING)]
    pub consumer: Option<String>,
    /// per-event or stream (one handler, NDJSON)
    #[arg(
        long,
        value_enum,
        default_value = "per-event",
        hide_possible_values = true,
        long_help = mode_long_help("Run the handler per entry, or once for the whole run (NDJSON in and out)")
    )]
    pub mode: HandlerMode,
    /// Most handlers running at once [default: the number of CPUs]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub concurrency: Option<u64>,
    /// One entry at a time
    #[arg(long, hide_short_help = true)]
    pub sequential: bool,
    /// Most entries taken per read, handed to the handlers as one chunk [default: --concurrency]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=10_000), help_heading = REDIS_HEADING, hide_short_help = true)]
    pub batch: Option<u64>,
    /// Wait before delivering an entry whose handler exited 75 again
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration, value_name = "DURATION", hide_short_help = true)]
    pub requeue_delay: std::time::Duration,
    /// Wait before delivering an entry whose handler failed again
    #[arg(long, default_value = "1s", value_parser = humantime::parse_duration, value_name = "DURATION", hide_short_help = true)]
    pub retry_delay: std::time::Duration,
    /// Most deliveries before a failed entry is dead-lettered
    ///
    /// The entry's delivery count in the group, when a failure sends it to the dead letters.
    #[arg(long, default_value_t = 5, value_name = "N", value_parser = clap::value_parser!(u32).range(1..), help_heading = REDIS_HEADING)]
    pub max_deliveries: u32,
    /// Take over entries left pending longer than this
    ///
    /// Entries pending with any consumer, taken with XAUTOCLAIM, at start and this often.
    #[arg(long, default_value = "60s", value_parser = humantime::parse_duration, value_name = "DURATION", help_heading = REDIS_HEADING)]
    pub claim_idle: std::time::Duration,
    /// Warn about a handler running longer than this
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration, value_name = "DURATION", hide_short_help = true)]
    pub slow: std::time::Duration,
    /// Kill a handler running longer than this, and count it failed
    ///
    /// The handler's whole process group is killed.
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub timeout: Option<std::time::Duration>,
    /// After Ctrl-C or SIGTERM, how long running handlers may finish before they are killed
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration, value_name = "DURATION", hide_short_help = true)]
    pub grace: std::time::Duration,
    /// Stop once this many entries were settled
    ///
    /// Settled: acknowledged or dead-lettered.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Stop after this long
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION", hide_short_help = true)]
    pub duration: Option<std::time::Duration>,
    /// Stop once nothing was read, claimed or waiting for this long
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub exit_when_idle: Option<std::time::Duration>,
    /// Also store the run and every handler result in this journal
    ///
    /// As replay does.
    #[arg(long, short = 'j', value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ConsumeStatusArgs {
    #[command(flatten)]
    pub target: ConsumeGroupArgs,
    /// Exit 1 when an entry has been pending longer than this
    ///
    /// The entry's idle time in the pending list counts; such entries are listed.
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub stuck_after: Option<std::time::Duration>,
}

#[derive(Debug, Args)]
pub struct ConsumeRequeueArgs {
    /// The dead-letter stream: redis://[user:password@]host[:port][/db]/KEY:dead
    #[arg(value_name = "SOURCE")]
    pub source: String,
    /// Stream to write the letters into [default: the stream each letter came from]
    #[arg(long, value_name = "KEY")]
    pub to: Option<String>,
    /// Move at most this many letters (the oldest first)
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    #[command(flatten)]
    pub conn: RedisConnArgs,
}

/// The agent API's `maxLength` for a datafeed tag (`POST /agent/v5/datafeeds`, `GET ?tag=`).
pub const TAG_MAX_CHARS: usize = 100;

/// `--tag`: at most [`TAG_MAX_CHARS`] characters, checked before anything is sent (the agent
/// answers a longer one with an unhelpful HTTP 400).
fn datafeed_tag(s: &str) -> Result<String, String> {
    let n = s.chars().count();
    if n > TAG_MAX_CHARS {
        return Err(format!(
            "a datafeed tag is at most {TAG_MAX_CHARS} characters (the agent API's maxLength); this one has {n}"
        ));
    }
    Ok(s.to_string())
}
