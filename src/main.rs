//! The `stockura` binary: parse, build the runtime, run, map the error to an exit code.

use std::process::ExitCode;

use clap::Parser;
use stockura::cli::output::report_error;
use stockura::error::exit;

fn main() -> ExitCode {
    let cli = match stockura::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            });
        }
    };
    let format = cli.global.output;
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
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
