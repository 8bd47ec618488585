//! The `stockura` binary: parse, build the runtime, run, map the error to an exit code.

use std::process::ExitCode;

use clap::Parser;
use stockura::cli::output::{report_error, report_usage_error};
use stockura::error::exit;

fn main() -> ExitCode {
    // `COMPLETE=bash stockura` prints the shell's dynamic completion script; the shell then
    // calls back with `COMPLETE` set to complete a word (schedule and task names included).
    clap_complete::CompleteEnv::with_factory(<stockura::Cli as clap::CommandFactory>::command)
        .complete();
    let cli = match stockura::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::from(exit::OK);
        }
        Err(e) if wants_json(std::env::args()) => {
            report_usage_error(&e.kind().to_string(), &e.to_string());
            return ExitCode::from(exit::USAGE);
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(exit::USAGE);
        }
    };
    let format = cli.global.output;
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        // One blocking thread: it encodes a batch's messages (one chunk at a time) while the
        // loop claims and pushes. Each extra thread that allocates keeps its own malloc arena,
        // and the arenas' retained pages were measured: peak RSS at 100,000 schedules on
        // SQLite 150 MB with one thread against 156-160 MB with the default pool.
        .max_blocking_threads(1)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::INTERNAL);
        }
    };
    match runtime.block_on(stockura::run(cli)) {
        Ok(code) => code,
        Err(err) => report_error(&err, format).exit_code(),
    }
}

/// Whether the command line asked for JSON (or JSON Lines) output, read without clap (which
/// just failed).
fn wants_json(args: impl Iterator<Item = String>) -> bool {
    let args: Vec<String> = args.collect();
    let json = |v: &str| matches!(v, "json" | "jsonl");
    args.iter().enumerate().any(|(i, a)| match a.as_str() {
        "-o" | "--output" => args.get(i + 1).is_some_and(|v| json(v)),
        other => ["--output=", "-o=", "-o"]
            .iter()
            .any(|p| other.strip_prefix(p).is_some_and(json)),
    })
}
