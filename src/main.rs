//! feedctl: parse the command line, run the command, map the outcome to an exit status.

use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

use feedctl::exit::{exit_for, Exit};
use feedctl::output::{Printer, StdoutClosed};
use feedctl::{cli, commands};

fn main() -> ExitCode {
    // The handler watchdog is this binary too, started with an argument of its own.
    feedctl::replay::watchdog::run_if_asked();
    // So is the source of the `--type` values the completion scripts offer.
    feedctl::complete::run_if_asked();
    let cli = cli::parse();
    init_logging(&cli.global);
    let printer = Printer::new(cli.global.quiet, cli.global.verbose, cli.global.no_color);
    // `replay`, and `tail` or `record` of a Symphony datafeed, are one chain of work (a read or
    // a chunk, then its printing, commit or deliveries, then the next) waiting on one peer at a
    // time: on the main thread, the thread that sees a socket or pipe ready is the one that
    // runs the task, where a multi-threaded runtime woke a worker and then the main thread for
    // each wake-up (per-event replay and replay --to 10-20% faster, tail --raw 23%, record from
    // serve 10%). replay's blocking work (SQLite, the check before replay --to) keeps threads
    // of its own; record's commit is a step of the chain (the next read waits for it anyway).
    // Every other command keeps worker threads: serve answers many feeds, and a Redis source
    // reads ahead in its own task while the previous read is committed.
    let one_chain = match &cli.command {
        cli::Command::Replay(_) => true,
        cli::Command::Tail(args) => args.sources.is_empty(),
        cli::Command::Record(args) => args.sources.is_empty(),
        _ => false,
    };
    let mut builder = if one_chain {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            feedctl::stderr_line!("feedctl: cannot start the async runtime: {e}");
            return Exit::Failed.into();
        }
    };
    match runtime.block_on(commands::run(cli, &printer)) {
        Ok(exit) => exit.into(),
        // The reader of stdout went away (`| head`): a quiet success, as for other Unix tools.
        Err(err) if err.chain().any(|c| c.is::<StdoutClosed>()) => Exit::Success.into(),
        Err(err) => {
            let code = exit_for(&err);
            feedctl::stderr_line!(
                "{} {err:#}",
                console::style("error:").red().bold().for_stderr()
            );
            code.into()
        }
    }
}

/// Logs go to stderr; only feedctl's own crate gets louder with -v, so libraries never print
/// request headers (tokens) even at -vvv.
fn init_logging(g: &cli::Global) {
    let level = match (g.quiet, g.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "feedctl=info,warn",
        (false, 2) => "feedctl=debug,warn",
        (false, _) => "feedctl=trace,warn",
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(level))
        .with_writer(std::io::stderr)
        // Its own report of a failed write is an `eprintln!`, which panics on a closed stderr.
        .log_internal_errors(false)
        .with_ansi(
            !g.no_color
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::IsTerminal::is_terminal(&std::io::stderr()),
        )
        .with_target(false)
        .without_time()
        .try_init();
}
