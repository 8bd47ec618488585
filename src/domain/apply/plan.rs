//! Planning: the document checked against the stored schedules and task definitions (cron,
//! zone, options, parameters, ownership), and the steps that make the database match it.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::Problem;
use super::diff::{FieldChange, schedule_changes, task_changes};
use super::document::{Document, Locator};
use crate::domain::manifest::{MANAGED_BY, ManifestSchedule};
use crate::domain::schedule::{NameChoice, NewSchedule, Schedule, ScheduleInput};
use crate::domain::task::{self, NewTaskDefinition, TaskDefinition};
use crate::domain::{DomainError, ExecutionPolicy};

/// One step of a plan.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// A new schedule.
    Create(NewSchedule),
    /// A stored schedule that changes.
    Update {
        /// As stored (its `updated_at` guards the write).
        current: Box<Schedule>,
        /// As it will be.
        next: Box<Schedule>,
        /// Its name.
        name: NameChoice,
        /// What changes.
        changes: Vec<FieldChange>,
    },
    /// A stored schedule that `--prune` removes.
    Delete(Schedule),
    /// A task definition created or replaced.
    DefineTask {
        /// The definition as it will be.
        next: NewTaskDefinition,
        /// Whether one exists already.
        exists: bool,
        /// What changes (empty for a new one).
        changes: Vec<FieldChange>,
    },
}

/// What `apply` will do.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// The document's `source`.
    pub source: Option<String>,
    /// The steps, task definitions first, then schedules in document order, then deletions.
    pub steps: Vec<Step>,
    /// The document's schedules that it wants on and that are paused (`schedule pause`): left
    /// paused, with their reasons. A pause is an operator's decision that outlives documents;
    /// `schedule resume` ends it.
    pub kept_paused: Vec<KeptPause>,
    /// Names of the document's schedules that already match.
    pub unchanged: Vec<String>,
}

/// A paused schedule that a plan leaves paused.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptPause {
    /// Its name.
    pub name: String,
    /// Why it is paused.
    pub reason: String,
    /// When the leading scheduler resumes it, if it does.
    pub until: Option<chrono::DateTime<chrono::Utc>>,
}

impl Plan {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// How many steps of each kind: (create, update, delete, task definitions).
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let mut c = (0, 0, 0, 0);
        for step in &self.steps {
            match step {
                Step::Create(_) => c.0 += 1,
                Step::Update { .. } => c.1 += 1,
                Step::Delete(_) => c.2 += 1,
                Step::DefineTask { .. } => c.3 += 1,
            }
        }
        c
    }
}

/// What planning needs besides the document.
#[derive(Debug)]
pub struct PlanContext<'a> {
    /// Every stored schedule.
    pub current: &'a [Schedule],
    /// Every stored task definition.
    pub definitions: &'a [TaskDefinition],
    /// `STOCKURA_REQUIRE_TASK_DEFINITIONS`.
    pub require_definitions: bool,
    /// `--prune`.
    pub prune: bool,
}

/// Plans the writes that make the database match `doc`. Validates everything first (cron,
/// zone, options, parameters against the schemas of the document or the database, ownership)
/// and returns every problem, located with `text`.
pub fn plan(doc: &Document, text: &str, ctx: &PlanContext<'_>) -> Result<Plan, Vec<Problem>> {
    let at = Locator::new(text);
    let mut problems = Vec::new();
    let mut push = |path: Vec<&str>, message: String, hint: Option<String>| {
        problems.push(Problem {
            line: at.line(&path),
            path: path.join("."),
            message,
            hint,
        });
    };
    let managed_tag = doc.source.as_ref().map(|s| format!("{MANAGED_BY}{s}"));
    if ctx.prune && managed_tag.is_none() {
        push(
            vec!["source"],
            "--prune needs a `source:` in the document: only schedules applied from the same source are pruned".into(),
            Some("add e.g. `source: billing-team` at the top of the file".into()),
        );
    }
    // Definitions as they will be: the document's replace the stored ones.
    let mut definitions: HashMap<&str, TaskDefinition> = ctx
        .definitions
        .iter()
        .map(|d| (d.task_name.as_str(), d.clone()))
        .collect();
    let mut steps = Vec::new();
    for def in &doc.tasks {
        let stored = definitions.get(def.task_name.as_str());
        let changes = stored.map(|s| task_changes(s, def)).unwrap_or_default();
        if stored.is_none() || !changes.is_empty() {
            steps.push(Step::DefineTask {
                next: def.clone(),
                exists: stored.is_some(),
                changes,
            });
        }
        let mut as_stored = stored.cloned().unwrap_or(TaskDefinition {
            id: uuid::Uuid::nil(),
            task_name: def.task_name.clone(),
            category: None,
            description: None,
            parameter_schema: None,
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        });
        as_stored.category.clone_from(&def.category);
        as_stored.description.clone_from(&def.description);
        as_stored.parameter_schema.clone_from(&def.parameter_schema);
        definitions.insert(&def.task_name, as_stored);
    }
    let mut by_name: HashMap<&str, Vec<&Schedule>> = HashMap::new();
    for s in ctx.current {
        by_name.entry(s.name.as_str()).or_default().push(s);
    }
    let mut unchanged = Vec::new();
    let mut kept_paused = Vec::new();
    let mut touched: Vec<uuid::Uuid> = Vec::new();
    for (name, entry) in &doc.schedules {
        let path = |field: &'static str| -> Vec<&str> {
            if field.is_empty() {
                vec!["schedules", name]
            } else {
                vec!["schedules", name, field]
            }
        };
        let mut new = match to_input(name, entry, managed_tag.as_deref()) {
            Ok(input) => match input.validate_each(&[]) {
                Ok(new) => new,
                Err(list) => {
                    for (field, e) in list {
                        push(path(doc_field(field)), e.message, Some(e.hint));
                    }
                    continue;
                }
            },
            Err(list) => {
                for (field, e) in list {
                    push(path(field), e.message, Some(e.hint));
                }
                continue;
            }
        };
        // A short task name that names one definition (its last dotted segment) is written in full.
        let definition = match task::match_definition(definitions.values(), &new.task_name) {
            task::TaskMatch::Exact(d) => Some(d),
            task::TaskMatch::Short(d) => {
                new.task_name.clone_from(&d.task_name);
                Some(d)
            }
            task::TaskMatch::Ambiguous => {
                let mut names: Vec<&str> = definitions
                    .values()
                    .filter(|d| d.task_name.ends_with(&format!(".{}", new.task_name)))
                    .map(|d| d.task_name.as_str())
                    .collect();
                names.sort_unstable();
                push(
                    path("task"),
                    format!(
                        "task '{}' matches several task definitions: {}",
                        new.task_name,
                        names.join(", ")
                    ),
                    Some("give the full task name".into()),
                );
                continue;
            }
            task::TaskMatch::None => None,
        };
        let check = match task::check_schedule(
            definition,
            ctx.require_definitions,
            &new.task_name,
            &new.kwargs,
        ) {
            Ok(check) => check,
            Err(e) => {
                push(path("kwargs"), e.message, Some(e.hint));
                continue;
            }
        };
        if let Err(e) = new.adopt_definition(&check) {
            push(path(""), e.message, Some(e.hint));
            continue;
        }
        new.options.extra = extra_options(&entry.options);
        let stored = by_name.get(name.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        match stored {
            [] => steps.push(Step::Create(new)),
            [current] => {
                let owner = owner(current);
                if let (Some(owner), Some(source)) = (owner, &doc.source)
                    && owner != source
                {
                    push(
                        path(""),
                        format!("schedule `{name}` is managed by source `{owner}`, not `{source}`"),
                        Some(format!(
                            "rename it in this file, or hand it over: stockura schedule update {} --remove-tag {MANAGED_BY}{owner}",
                            current.id
                        )),
                    );
                    continue;
                }
                touched.push(current.id);
                let (next, choice) = desired(current, &new, managed_tag.is_some());
                if new.enabled
                    && let Some(pause) = current.pause()
                    && let Some(reason) = &pause.reason
                {
                    kept_paused.push(KeptPause {
                        name: current.name.clone(),
                        reason: reason.clone(),
                        until: pause.until,
                    });
                }
                let changes = schedule_changes(current, &next);
                if changes.is_empty() {
                    unchanged.push(name.clone());
                } else {
                    steps.push(Step::Update {
                        current: Box::new((*current).clone()),
                        next: Box::new(next),
                        name: choice,
                        changes,
                    });
                }
            }
            many => {
                let ids: Vec<String> = many.iter().map(|s| s.id.to_string()).collect();
                push(
                    path(""),
                    format!(
                        "the name `{name}` matches {} stored schedules ({})",
                        many.len(),
                        ids.join(", ")
                    ),
                    Some("rename all but one (stockura schedule update ID --name NEW) so the document can address it".into()),
                );
            }
        }
    }
    if ctx.prune
        && let Some(tag) = &managed_tag
    {
        for s in ctx.current {
            if s.tags.contains(tag) && !touched.contains(&s.id) {
                steps.push(Step::Delete(s.clone()));
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Plan {
        source: doc.source.clone(),
        steps,
        kept_paused,
        unchanged,
    })
}

/// The source that applied `s`, from its `managed-by:` tag.
pub fn owner(s: &Schedule) -> Option<&str> {
    s.tags.iter().find_map(|t| t.strip_prefix(MANAGED_BY))
}

/// The document field a validation field is reported under.
fn doc_field(field: &'static str) -> &'static str {
    match field {
        "queue" | "priority" | "expires" => "options",
        other => other,
    }
}

fn to_input(
    name: &str,
    s: &ManifestSchedule,
    managed_tag: Option<&str>,
) -> Result<ScheduleInput, Vec<(&'static str, DomainError)>> {
    let mut problems = Vec::new();
    let policy = match s.policy.parse::<ExecutionPolicy>() {
        Ok(p) => Some(p),
        Err(e) => {
            problems.push(("policy", e));
            None
        }
    };
    let priority = option_field(
        &s.options,
        "priority",
        "a number 0-9",
        "priority: 5",
        &mut problems,
        |v| match v {
            Value::Number(n) => Some(n.to_string()),
            Value::String(t) => Some(t.clone()),
            _ => None,
        },
    );
    let expires = option_field(
        &s.options,
        "expires",
        "a number of seconds",
        "expires: 300",
        &mut problems,
        |v| match v {
            Value::Number(n) => Some(n.clone()),
            _ => None,
        },
    );
    let queue = option_field(
        &s.options,
        "queue",
        "a queue name",
        "queue: reports",
        &mut problems,
        |v| v.as_str().map(str::to_string),
    );
    let mut tags: Vec<String> = Vec::new();
    for t in &s.tags {
        if t.starts_with(MANAGED_BY) {
            problems.push((
                "tags",
                DomainError::new(
                    format!("the tag `{t}` is reserved for apply"),
                    "set `source:` at the top of the document instead",
                ),
            ));
        } else {
            tags.push(t.clone());
        }
    }
    if let Some(tag) = managed_tag {
        tags.push(tag.to_string());
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ScheduleInput {
        task_name: s.task.clone(),
        cron_expression: s.cron.clone(),
        name: Some(name.to_string()),
        timezone: s.timezone.clone(),
        args: Some(s.args.clone()),
        kwargs: Some(s.kwargs.clone()),
        params: Vec::new(),
        category: s.category.clone(),
        tags,
        policy,
        queue,
        priority,
        expires,
        description: s.description.clone(),
        jitter: s.jitter.clone(),
        enabled: s.enabled,
    })
}

/// One delivery option of a document: absent or null is `None`; a value `read` refuses is a
/// problem on `options` naming what was expected, with an example.
fn option_field<T>(
    options: &Map<String, Value>,
    key: &str,
    expected: &str,
    example: &str,
    problems: &mut Vec<(&'static str, DomainError)>,
    read: impl Fn(&Value) -> Option<T>,
) -> Option<T> {
    let value = options.get(key).filter(|v| !v.is_null())?;
    let read = read(value);
    if read.is_none() {
        problems.push((
            "options",
            DomainError::new(
                format!("options.{key} must be {expected}, not {value}"),
                format!("e.g. {example}"),
            ),
        ));
    }
    read
}

fn extra_options(options: &Map<String, Value>) -> Map<String, Value> {
    options
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "queue" | "priority" | "expires"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The stored schedule with the document's fields. A generated name that the document repeats
/// stays generated; without a `source`, the schedule's `managed-by:` tags are kept.
fn desired(current: &Schedule, new: &NewSchedule, has_source: bool) -> (Schedule, NameChoice) {
    let mut next = current.clone();
    next.unreadable.clear();
    next.task_name.clone_from(&new.task_name);
    next.cron_expression.clone_from(&new.cron_expression);
    next.timezone.clone_from(&new.timezone);
    // A paused schedule stays paused (see `Plan::kept_paused`); one switched off without a
    // reason follows the document.
    next.enabled = new.enabled && current.state() != crate::domain::pause::State::Paused;
    if current.enabled && !next.enabled {
        // Switched off by the document: nobody to name (whatever another program left in the
        // pause columns while it was on is dropped).
        next.pause = crate::domain::pause::Pause::default();
    }
    next.args.clone_from(&new.args);
    next.kwargs.clone_from(&new.kwargs);
    next.description.clone_from(&new.description);
    next.category.clone_from(&new.category);
    next.tags.clone_from(&new.tags);
    if !has_source {
        next.tags.extend(
            current
                .tags
                .iter()
                .filter(|t| t.starts_with(MANAGED_BY))
                .cloned(),
        );
    }
    next.execution_policy = new.execution_policy;
    next.options = new.options.clone();
    next.jitter = new.jitter;
    let choice = if current.auto_generated_name {
        NameChoice::KeepAuto(current.name.clone())
    } else {
        NameChoice::Explicit(current.name.clone())
    };
    (next, choice)
}

#[cfg(test)]
mod tests {
    use super::super::{Syntax, parse};
    use super::*;

    #[test]
    fn every_problem_is_reported_with_its_location() {
        let text = "schedules:\n  one:\n    task: app.t\n    cron: 61 * * * *\n    timezone: Mars/Olympus\n  two:\n    task: app.t\n    crn: '@daily'\n  three:\n    task: app.t\n    cron: '@daily'\n    policy: sometimes\n";
        let doc = parse(text, Syntax::Yaml);
        let problems = match doc {
            Err(p) => p,
            Ok(doc) => plan(
                &doc,
                text,
                &PlanContext {
                    current: &[],
                    definitions: &[],
                    require_definitions: false,
                    prune: false,
                },
            )
            .unwrap_err(),
        };
        let where_: Vec<(String, Option<usize>)> =
            problems.iter().map(|p| (p.path.clone(), p.line)).collect();
        assert!(
            where_.contains(&("schedules.two".into(), Some(6))),
            "{where_:?}"
        );
        // The structural problem stops planning; the others show up once it is fixed.
        let fixed = text.replace("crn:", "cron:");
        let doc = parse(&fixed, Syntax::Yaml).unwrap();
        let problems = plan(
            &doc,
            &fixed,
            &PlanContext {
                current: &[],
                definitions: &[],
                require_definitions: false,
                prune: false,
            },
        )
        .unwrap_err();
        let where_: Vec<(String, Option<usize>)> =
            problems.iter().map(|p| (p.path.clone(), p.line)).collect();
        assert!(
            where_.contains(&("schedules.one.cron".into(), Some(4))),
            "{where_:?}"
        );
        assert!(
            where_.contains(&("schedules.one.timezone".into(), Some(5))),
            "{where_:?}"
        );
        assert!(
            where_.contains(&("schedules.three.policy".into(), Some(12))),
            "{where_:?}"
        );
    }

    #[test]
    fn prune_needs_a_source() {
        let text = "schedules: {}\n";
        let doc = parse(text, Syntax::Yaml).unwrap();
        let problems = plan(
            &doc,
            text,
            &PlanContext {
                current: &[],
                definitions: &[],
                require_definitions: false,
                prune: true,
            },
        )
        .unwrap_err();
        assert_eq!(problems[0].path, "source");
    }
}
