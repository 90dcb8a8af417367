//! feedctl: parse the command line, run the command, map the outcome to an exit status.

use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

use feedctl::exit::{exit_for, Exit};
use feedctl::output::{Printer, StdoutClosed};
use feedctl::{cli, commands};

fn main() -> ExitCode {
    let cli = cli::parse();
    init_logging(&cli.global);
    let printer = Printer::new(cli.global.quiet, cli.global.verbose, cli.global.no_color);
    // `replay` is one chain of work (a chunk, its handlers or XADDs, its results) waiting on
    // one peer at a time: on the main thread, the thread that sees a pipe or socket ready is
    // the one that runs the task, where a multi-threaded runtime woke a worker and then the
    // main thread for each wake-up (per-event mode and replay --to 10-20% faster). Its
    // blocking work (SQLite, the check before replay --to) keeps threads of its own. Every
    // other command keeps worker threads: serve answers many feeds, record decodes reads
    // ahead in parallel.
    let mut builder = match cli.command {
        cli::Command::Replay(_) => tokio::runtime::Builder::new_current_thread(),
        _ => tokio::runtime::Builder::new_multi_thread(),
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("feedctl: cannot start the async runtime: {e}");
            return Exit::Failed.into();
        }
    };
    match runtime.block_on(commands::run(cli, &printer)) {
        Ok(exit) => exit.into(),
        // The reader of stdout went away (`| head`): a quiet success, as for other Unix tools.
        Err(err) if err.chain().any(|c| c.is::<StdoutClosed>()) => Exit::Success.into(),
        Err(err) => {
            let code = exit_for(&err);
            eprintln!(
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
        .with_ansi(
            !g.no_color
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::IsTerminal::is_terminal(&std::io::stderr()),
        )
        .with_target(false)
        .without_time()
        .try_init();
}
