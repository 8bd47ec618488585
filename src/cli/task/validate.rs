//! `stockura task validate`: check parameters against a task's schema, for CI.

use anyhow::Result;
use clap::Args;
use serde_json::{Map, Value};

use super::super::Ctx;
use super::super::output::Output;
use super::read_json_arg;
use crate::domain::params;
use crate::domain::task::ParameterSchema;
use crate::error::CliError;
use crate::store;

/// Arguments of `task validate`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("parameters").required(true).multiple(true).args(["kwargs", "params"]))]
#[command(
    after_help = "Examples:\n  stockura task validate fetch_listed_info --param period_type=daily\n  stockura task validate app.tasks.report --kwargs params.json"
)]
pub struct ValidateArgs {
    /// Task name (full, or its last dotted segment when unique)
    #[arg(value_name = "TASK", add = crate::cli::complete::task_names())]
    pub task: String,

    /// The kwargs: inline JSON object, '-' for standard input, or a JSON file
    #[arg(long, value_name = "JSON|FILE|-")]
    pub kwargs: Option<String>,

    /// One keyword argument (merged into --kwargs), VALUE as JSON when valid JSON
    #[arg(long = "param", short = 'p', value_name = "KEY=VALUE")]
    pub params: Vec<String>,
}

/// Reports every violation; the exit code is 0 when valid and 3 when not.
pub async fn run(ctx: &Ctx, args: ValidateArgs) -> Result<Output> {
    let mut kwargs: Map<String, Value> = match args
        .kwargs
        .as_deref()
        .map(|k| read_json_arg("--kwargs", k))
        .transpose()?
    {
        Some(Value::Object(map)) => map,
        Some(_) => {
            return Err(CliError::invalid(
                "--kwargs must be a JSON object",
                "pass an object such as {\"period_type\": \"daily\"}",
            )
            .into());
        }
        None => Map::new(),
    };
    let pairs = args
        .params
        .iter()
        .map(|p| params::parse_param(p))
        .collect::<Result<Vec<_>, _>>()?;
    params::merge_params(&mut kwargs, &pairs);
    let store = ctx.store().await?;
    let task = store::resolve_task(&store, &args.task).await?;
    let violations = match &task.parameter_schema {
        Some(schema) => ParameterSchema::compile(schema)?.violations(&kwargs),
        None => Vec::new(),
    };
    Ok(Output::Validation {
        task_name: task.task_name,
        has_schema: task.parameter_schema.is_some(),
        violations,
    })
}
