//! `--yes` and the question a command asks before it deletes or changes a selection: one flag,
//! one question, one set of refusals for every such command (`schedule delete`, `enable` and
//! `disable` of a selection, `task delete`, `apply`).

use anyhow::Result;
use clap::Args;

use super::Ctx;
use crate::error::{CliError, ErrorKind};

/// The `--yes` flag.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct Yes {
    /// Do not ask for confirmation (required without a terminal to delete, or to change a
    /// selection)
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

/// The usage error of `action` (`delete`, `disable 3 schedules`) without `--yes` and without a
/// terminal to ask on.
pub fn refusal(action: &str, hint: &str) -> anyhow::Error {
    CliError::usage(
        format!("refusing to {action} without confirmation: no terminal to ask on"),
        hint,
    )
    .into()
}

/// Lets a deletion go ahead: at once with `--yes`; on a terminal, when the user answers yes;
/// without a terminal, never (a usage error that names `--yes`).
pub fn confirm(ctx: &Ctx, yes: Yes, question: &str) -> Result<()> {
    confirm_to(
        ctx,
        yes,
        "delete",
        question,
        "cancelled; nothing was deleted",
    )
}

/// Lets `action` go ahead as [`confirm`] does; `cancelled` is the message of a "no".
pub fn confirm_to(
    ctx: &Ctx,
    yes: Yes,
    action: &str,
    question: &str,
    cancelled: &str,
) -> Result<()> {
    if yes.yes {
        return Ok(());
    }
    if !ctx.interactive {
        return Err(refusal(action, "pass --yes to confirm non-interactively"));
    }
    ask(question, cancelled)
}
