//! `--yes` and the question a command asks before it deletes: one flag, one question, one set
//! of refusals for every command that deletes (`schedule delete`, `task delete`, `apply`).

use anyhow::Result;
use clap::Args;

use super::Ctx;
use crate::error::{CliError, ErrorKind};

/// The `--yes` flag.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct Yes {
    /// Do not ask for confirmation (required without a terminal when something is deleted)
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// Asks `question` on the terminal (stderr, answered on stdin); anything but `y`/`yes` cancels
/// with `cancelled` as the message (exit code of an interruption).
pub fn ask(question: &str, cancelled: &str) -> Result<()> {
    // The question may list names, which may come from another program's rows.
    eprint!("{} [y/N] ", super::output::escape_but_lines(question));
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(CliError {
            message: cancelled.into(),
            kind: ErrorKind::Interrupted,
            hint: None,
        }
        .into())
    }
}

/// The usage error of a deletion without `--yes` and without a terminal to ask on.
pub fn refusal(what: &str, hint: &str) -> anyhow::Error {
    CliError::usage(
        format!("refusing to delete {what}without confirmation: no terminal to ask on"),
        hint,
    )
    .into()
}

/// Lets a deletion go ahead: at once with `--yes`; on a terminal, when the user answers yes;
/// without a terminal, never (a usage error that names `--yes`).
pub fn confirm(ctx: &Ctx, yes: Yes, question: &str) -> Result<()> {
    if yes.yes {
        return Ok(());
    }
    if !ctx.interactive {
        return Err(refusal("", "pass --yes to confirm non-interactively"));
    }
    ask(question, "cancelled; nothing was deleted")
}
