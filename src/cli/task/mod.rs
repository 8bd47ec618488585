//! `stockura task …`: task definitions and their parameter schemas.

mod define;
mod delete;
mod list;
mod show;
mod validate;

use std::io::Read;

use anyhow::Result;
use clap::Subcommand;
use serde_json::Value;

use super::Ctx;
use super::output::Output;
use crate::error::CliError;

/// Task subcommands.
#[derive(Debug, Subcommand)]
pub enum TaskCommand {
    /// Create or replace a task definition with a JSON Schema for its kwargs
    Define(define::DefineArgs),
    /// List task definitions with their number of schedules
    #[command(visible_alias = "ls")]
    List(list::ListArgs),
    /// Show a definition, its schema and its schedules
    Show(show::ShowArgs),
    /// Delete a task definition (its schedules stay)
    #[command(visible_alias = "rm")]
    Delete(delete::DeleteArgs),
    /// Check parameters against a task's schema (exit 0 valid, 3 invalid)
    Validate(validate::ValidateArgs),
}

/// Runs a task subcommand.
pub async fn run(ctx: &Ctx, cmd: TaskCommand) -> Result<Output> {
    match cmd {
        TaskCommand::Define(args) => define::run(ctx, args).await,
        TaskCommand::List(args) => list::run(ctx, args).await,
        TaskCommand::Show(args) => show::run(ctx, args).await,
        TaskCommand::Delete(args) => delete::run(ctx, args).await,
        TaskCommand::Validate(args) => validate::run(ctx, args).await,
    }
}

/// Reads a JSON argument given as inline JSON, `-` (standard input) or a file path.
pub fn read_json_arg(flag: &str, text: &str) -> Result<Value, CliError> {
    let (content, origin) = read_arg_text(flag, text)?;
    serde_json::from_str(&content).map_err(|e| {
        CliError::invalid(
            format!("{flag} from {origin} is not valid JSON: {e}"),
            format!("fix the JSON at line {}, column {}", e.line(), e.column()),
        )
    })
}

/// The text a JSON argument gives, and where it came from: `-` reads standard input, text
/// starting with `{` or `[` is the JSON itself, anything else names a file (or, when no such
/// file exists, is taken as the JSON itself, so that its parse error is reported).
pub fn read_arg_text(flag: &str, text: &str) -> Result<(String, String), CliError> {
    let trimmed = text.trim_start();
    if text == "-" {
        let mut buf = String::new();
        std::io::stdin().read_to_string(&mut buf).map_err(|e| {
            CliError::invalid(
                format!("cannot read {flag} from standard input: {e}"),
                "pipe a JSON document into the command",
            )
        })?;
        return Ok((buf, "standard input".to_string()));
    }
    // Inline JSON: an object or array, or any other JSON value when no such file exists (its
    // type error is then reported, not a missing file).
    let exists = std::path::Path::new(text).exists();
    if trimmed.starts_with(['{', '['])
        || (!exists && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok())
    {
        return Ok((text.to_string(), "the argument".to_string()));
    }
    let content = std::fs::read_to_string(text).map_err(|e| {
        CliError::invalid(
            format!("cannot read {flag} file '{text}': {e}"),
            format!(
                "give {flag} a JSON file, '-' for standard input, or inline JSON starting with '{{'"
            ),
        )
    })?;
    Ok((content, format!("file '{text}'")))
}
