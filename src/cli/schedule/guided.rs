//! The guided `schedule add`: on a terminal, what the flags did not say is asked for (dialoguer,
//! on stderr). The answers then take the same validation path as the flags.

use anyhow::Result;
use chrono::Utc;
use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};
use dialoguer::{Confirm, FuzzySelect, Input, Select};
use serde_json::Value;

use super::super::Ctx;
use super::add::AddArgs;
use crate::domain::cron::{Cron, parse_timezone};
use crate::domain::guided::{self, Question};
use crate::error::{CliError, ErrorKind};
use crate::store::{AnyStore, TaskStore};

const OTHER: &str = "(another task, typed)";

/// Asks for the task, its parameters, cron, timezone and policy that `args` lacks, then for a
/// confirmation. Declining writes nothing.
pub async fn fill(ctx: &Ctx, store: &AnyStore, args: &mut AddArgs) -> Result<()> {
    let plain = std::env::var_os("NO_COLOR").is_some()
        || std::env::var_os("TERM").is_some_and(|t| t == "dumb");
    let colorful = ColorfulTheme::default();
    let theme: &dyn Theme = if plain { &SimpleTheme } else { &colorful };
    let definitions: Vec<_> = store
        .list_tasks(None)
        .await?
        .into_iter()
        .map(|t| t.task)
        .collect();
    if args.task.is_none() {
        let task = if definitions.is_empty() {
            ask_text(theme, "Task (Celery task name)", None)?
        } else {
            // Shown escaped: a definition another program wrote may hold control characters.
            let mut items: Vec<String> = definitions
                .iter()
                .map(|d| crate::cli::output::escape(&d.task_name).into_owned())
                .collect();
            items.push(OTHER.to_string());
            let i = FuzzySelect::with_theme(theme)
                .with_prompt("Task (type to filter)")
                .items(&items)
                .default(0)
                .interact()
                .map_err(prompt_error)?;
            match definitions.get(i) {
                Some(d) => d.task_name.clone(),
                None => ask_text(theme, "Task (Celery task name)", None)?,
            }
        };
        args.task = Some(task);
    }
    let task = args.task.clone().unwrap_or_default();
    let schema = definitions
        .iter()
        .find(|d| d.task_name == task)
        .and_then(|d| d.parameter_schema.clone());
    if let Some(schema) = schema
        && args.fields.kwargs.is_none()
        && args.fields.params.is_empty()
    {
        let mut answers = Vec::new();
        for q in guided::questions(&schema) {
            if let Some(v) = ask_parameter(theme, &q)? {
                answers.push((q.name.clone(), v));
            }
        }
        if !answers.is_empty() {
            args.fields.kwargs = Some(Value::Object(guided::kwargs(answers)).to_string());
        }
    }
    if args.fields.timezone.is_none() {
        let default = ctx.settings.timezone.value.name().to_string();
        let tz: String = Input::with_theme(theme)
            .with_prompt("Timezone (IANA)")
            .default(default)
            .validate_with(|t: &String| parse_timezone(t).map(|_| ()).map_err(|e| e.message))
            .interact_text()
            .map_err(prompt_error)?;
        args.fields.timezone = Some(tz);
    }
    if args.cron.is_none() {
        let tz = args
            .fields
            .timezone
            .as_deref()
            .and_then(|t| parse_timezone(t).ok())
            .unwrap_or(ctx.settings.timezone.value);
        loop {
            let expr: String = Input::with_theme(theme)
                .with_prompt("Cron (5 fields or @daily, …)")
                .interact_text()
                .map_err(prompt_error)?;
            match Cron::parse(&expr) {
                Ok(cron) => {
                    let times: Vec<String> = cron
                        .upcoming(Utc::now(), tz)
                        .take(3)
                        .map(|t| t.format("%a %Y-%m-%d %H:%M %Z").to_string())
                        .collect();
                    if times.is_empty() {
                        eprintln!("  that expression never fires; try another");
                        continue;
                    }
                    eprintln!("  next: {}", times.join(", "));
                    args.cron = Some(expr);
                    break;
                }
                Err(e) => eprintln!("  invalid: {} ({})", e.message, e.hint),
            }
        }
    }
    if args.fields.policy.is_none() {
        let items = [
            "allow (always run)",
            "skip (skip while the previous run runs)",
            "queue (run once it finishes)",
        ];
        let i = Select::with_theme(theme)
            .with_prompt("Overlap policy")
            .items(items)
            .default(0)
            .interact()
            .map_err(prompt_error)?;
        args.fields.policy = Some(["allow", "skip", "queue"][i].to_string());
    }
    eprintln!("Summary:");
    eprintln!("  task:     {task}");
    eprintln!("  cron:     {}", args.cron.as_deref().unwrap_or_default());
    eprintln!(
        "  timezone: {}",
        args.fields.timezone.as_deref().unwrap_or_default()
    );
    eprintln!(
        "  kwargs:   {}",
        args.fields.kwargs.as_deref().unwrap_or("{}")
    );
    eprintln!(
        "  policy:   {}",
        args.fields.policy.as_deref().unwrap_or_default()
    );
    let go = Confirm::with_theme(theme)
        .with_prompt("Create this schedule?")
        .default(true)
        .interact()
        .map_err(prompt_error)?;
    if !go {
        return Err(cancelled());
    }
    Ok(())
}

fn ask_text(theme: &dyn Theme, prompt: &str, default: Option<String>) -> Result<String> {
    let mut input = Input::<String>::with_theme(theme).with_prompt(prompt);
    if let Some(d) = default {
        input = input.default(d);
    }
    input
        .validate_with(|t: &String| {
            if t.trim().is_empty() {
                Err("required")
            } else {
                Ok(())
            }
        })
        .interact_text()
        .map(|t| t.trim().to_string())
        .map_err(prompt_error)
}

fn ask_parameter(theme: &dyn Theme, q: &Question) -> Result<Option<Value>> {
    let mut prompt = q.name.clone();
    if let Some(d) = &q.description {
        prompt.push_str(&format!(" ({d})"));
    }
    if !q.required {
        prompt.push_str(" [optional]");
    }
    if !q.choices.is_empty() {
        let mut items: Vec<String> = q.choices.iter().map(show).collect();
        if !q.required {
            items.push("(leave out)".into());
        }
        let default = q
            .default
            .as_ref()
            .and_then(|d| q.choices.iter().position(|c| c == d))
            .unwrap_or(0);
        let i = Select::with_theme(theme)
            .with_prompt(prompt)
            .items(&items)
            .default(default)
            .interact()
            .map_err(prompt_error)?;
        return Ok(q.choices.get(i).cloned());
    }
    let mut input = Input::<String>::with_theme(theme)
        .with_prompt(prompt)
        .allow_empty(true);
    if let Some(d) = &q.default {
        input = input.default(show(d)).show_default(true);
    }
    let text = input
        .validate_with(|t: &String| guided::answer(q, t).map(|_| ()))
        .interact_text()
        .map_err(prompt_error)?;
    Ok(guided::answer(q, &text).unwrap_or(None))
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn cancelled() -> anyhow::Error {
    CliError {
        message: "cancelled; nothing was written".into(),
        kind: ErrorKind::Interrupted,
        hint: None,
    }
    .into()
}

/// Ctrl-C or a closed terminal during a prompt: nothing is written.
fn prompt_error(e: dialoguer::Error) -> anyhow::Error {
    let _ = console_show_cursor();
    let dialoguer::Error::IO(io) = &e;
    if io.kind() == std::io::ErrorKind::Interrupted {
        return cancelled();
    }
    CliError {
        message: format!("the prompt failed: {e}; nothing was written"),
        kind: ErrorKind::Interrupted,
        hint: Some("give --task and --cron as flags instead".into()),
    }
    .into()
}

fn console_show_cursor() -> std::io::Result<()> {
    use std::io::Write;
    let mut err = std::io::stderr();
    err.write_all(b"\x1b[?25h")?;
    err.flush()
}
