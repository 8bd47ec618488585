//! `stockura apply`: reading a schedule document (YAML or JSON) with every problem located, and
//! planning what makes the database match it. Pure: the text, the stored rows and the task
//! definitions come in, a plan (or every problem) comes out.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::manifest::{MANAGED_BY, ManifestSchedule, ManifestTask};
use super::schedule::{DeliveryOptions, NameChoice, NewSchedule, Schedule, ScheduleInput};
use super::task::{self, NewTaskDefinition, TaskDefinition};
use super::{DomainError, ExecutionPolicy};

/// The syntax of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// YAML (also reads most JSON).
    Yaml,
    /// JSON.
    Json,
}

/// One problem of a document, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where: a dotted path such as `schedules.nightly.cron`, or `document`.
    pub path: String,
    /// The 1-based line, when it could be found.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is more to say than the message.
    pub hint: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path)?;
        if let Some(line) = self.line {
            write!(f, " (line {line})")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// Every problem of a document, as one error: nothing is written when it is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file} has {} {}; nothing was written:{}", problems.len(), if problems.len() == 1 { "problem" } else { "problems" }, list(problems))]
pub struct DocumentError {
    /// The document's label (its path, or `stdin`).
    pub file: String,
    /// Every problem, in document order where it could be located.
    pub problems: Vec<Problem>,
}

fn list(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("\n  {p}")).collect()
}

impl crate::error::Classify for DocumentError {
    fn kind(&self) -> crate::error::ErrorKind {
        crate::error::ErrorKind::InvalidInput
    }
    fn hint(&self) -> Option<String> {
        Some("fix every problem listed, then run `stockura apply -f FILE --dry-run` to check the plan".into())
    }
    fn json_fields(&self) -> Option<Map<String, Value>> {
        let problems: Vec<Value> = self
            .problems
            .iter()
            .map(|p| serde_json::json!({"path": p.path, "line": p.line, "message": p.message, "hint": p.hint}))
            .collect();
        let mut fields = Map::new();
        fields.insert("problems".into(), problems.into());
        Some(fields)
    }
}

/// Every problem of a document, as one error, ordered by line.
pub fn problems_error(file: &str, problems: &[Problem]) -> DocumentError {
    let mut problems = problems.to_vec();
    problems.sort_by_key(|p| p.line.unwrap_or(usize::MAX));
    DocumentError {
        file: file.to_string(),
        problems,
    }
}

/// A map read in document order, keeping duplicate keys (a JSON or YAML map silently keeps
/// only the last of two equal keys; a document must say so instead).
#[derive(Debug, Default)]
struct Entries(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Entries, E> {
                Ok(Entries::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Value>()? {
                    out.push((k, v));
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// The top level with its sections still unread.
#[derive(Debug, Default)]
struct RawDocument {
    source: Option<Value>,
    schedules: Option<Value>,
    tasks: Option<Value>,
}

/// A document read and checked on its own (before it meets the database).
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// `source:`, the owner recorded as the `managed-by:<source>` tag.
    pub source: Option<String>,
    /// Schedules in document order, each with its name.
    pub schedules: Vec<(String, ManifestSchedule)>,
    /// Task definitions in document order, validated.
    pub tasks: Vec<NewTaskDefinition>,
}

/// Finds the line of a path in the text: each key is looked for below the previous one, at a
/// deeper indentation. Works for block YAML and for indented JSON; `None` when not found.
struct Locator<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Locator<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            lines: text.lines().collect(),
        }
    }

    fn line(&self, path: &[&str]) -> Option<usize> {
        let mut from = 0;
        let mut indent: Option<usize> = None;
        let mut found = None;
        for key in path {
            // A key that is not there (a field left out): the line of its parent.
            let Some((at, width)) = (from..self.lines.len())
                .find_map(|i| {
                    let line = self.lines[i];
                    let trimmed = line.trim_start();
                    let width = line.len() - trimmed.len();
                    if indent.is_some_and(|d| width <= d) && !trimmed.is_empty() {
                        // Left the parent's block (YAML); JSON closes with a bracket.
                        if !trimmed.starts_with(['}', ']']) {
                            return Some(None);
                        }
                    }
                    let trimmed = trimmed.trim_start_matches(['{', ',', ' ', '-']);
                    let hit = [
                        format!("{key}:"),
                        format!("\"{key}\":"),
                        format!("'{key}':"),
                        format!("\"{key}\" :"),
                    ]
                    .iter()
                    .any(|p| trimmed.starts_with(p.as_str()));
                    hit.then_some(Some((i, width)))
                })
                .flatten()
            else {
                return found;
            };
            found = Some(at + 1);
            from = at + 1;
            indent = Some(width);
        }
        found
    }
}

/// Reads a document whose schedule names are known to be unique.
fn parse_document(text: &str, syntax: Syntax) -> (Option<Document>, Vec<Problem>) {
    let at = Locator::new(text);
    let problem = |path: &[&str], message: String, hint: Option<String>| Problem {
        path: path.join("."),
        line: at.line(path),
        message,
        hint,
    };
    let top: Result<Entries, String> = match syntax {
        Syntax::Json => serde_json::from_str(text).map_err(|e| e.to_string()),
        Syntax::Yaml => serde_norway::from_str(text).map_err(|e| e.to_string()),
    };
    let top = match top {
        Ok(top) => top,
        Err(e) => {
            let problem = Problem {
                path: "document".into(),
                line: None,
                message: format!("not a valid {} map: {e}", syntax_name(syntax)),
                hint: Some(
                    "the document is a map with `source:`, `schedules:` and optionally `tasks:`; \
                     `stockura schedule export` writes one"
                        .into(),
                ),
            };
            return (None, vec![problem]);
        }
    };
    let mut problems = Vec::new();
    let mut raw = RawDocument::default();
    for (key, value) in top.0 {
        let slot = match key.as_str() {
            "source" => &mut raw.source,
            "schedules" => &mut raw.schedules,
            "tasks" => &mut raw.tasks,
            _ => {
                problems.push(problem(
                    &[&key],
                    format!("unknown key `{key}`"),
                    Some("the top level has only `source`, `schedules` and `tasks`".into()),
                ));
                continue;
            }
        };
        if slot.replace(value).is_some() {
            problems.push(problem(&[&key], format!("`{key}` is given twice"), None));
        }
    }
    let source = match raw.source {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if valid_source(&s) => Some(s),
        Some(other) => {
            problems.push(problem(
                &["source"],
                format!("`source` must be a short name without spaces, not {other}"),
                Some(
                    "e.g. `source: billing-team`; it is recorded in the tag managed-by:<source>"
                        .into(),
                ),
            ));
            None
        }
    };
    let mut out_schedules = Vec::new();
    for (name, value) in entries(raw.schedules, "schedules", &mut problems, &problem) {
        match ManifestSchedule::deserialize(&value) {
            Ok(s) => out_schedules.push((name, s)),
            Err(e) => problems.push(problem(&["schedules", &name], e.to_string(), None)),
        }
    }
    let mut tasks = Vec::new();
    for (name, value) in entries(raw.tasks, "tasks", &mut problems, &problem) {
        match ManifestTask::deserialize(&value) {
            Ok(t) => {
                match task::validate_definition(
                    &name,
                    t.parameter_schema,
                    t.category,
                    t.description,
                ) {
                    Ok((def, _)) => tasks.push(def),
                    Err(e) => problems.push(problem(&["tasks", &name], e.message, Some(e.hint))),
                }
            }
            Err(e) => problems.push(problem(&["tasks", &name], e.to_string(), None)),
        }
    }
    let doc = Document {
        source,
        schedules: out_schedules,
        tasks,
    };
    (Some(doc), problems)
}

fn syntax_name(syntax: Syntax) -> &'static str {
    match syntax {
        Syntax::Yaml => "YAML",
        Syntax::Json => "JSON",
    }
}

fn valid_source(s: &str) -> bool {
    !s.is_empty() && s.chars().count() <= 100 && !s.chars().any(char::is_whitespace)
}

fn entries(
    section: Option<Value>,
    key: &str,
    problems: &mut Vec<Problem>,
    problem: &impl Fn(&[&str], String, Option<String>) -> Problem,
) -> Vec<(String, Value)> {
    match section {
        None | Some(Value::Null) => Vec::new(),
        Some(value @ Value::Object(_)) => {
            // Re-read through the order-keeping map.
            match Entries::deserialize(&value) {
                Ok(e) => e.0,
                Err(e) => {
                    problems.push(problem(&[key], e.to_string(), None));
                    Vec::new()
                }
            }
        }
        Some(_) => {
            problems.push(problem(
                &[key],
                format!("`{key}` must be a map keyed by name"),
                None,
            ));
            Vec::new()
        }
    }
}

/// Reads a document; every problem found is returned, located. Schedule names given twice are
/// found first, on the text itself (a generic JSON value keeps only the last of two equal keys).
pub fn parse(text: &str, syntax: Syntax) -> Result<Document, Vec<Problem>> {
    match parse_lenient(text, syntax) {
        (Some(doc), problems) if problems.is_empty() => Ok(doc),
        (_, problems) => Err(problems),
    }
}

/// Reads a document as far as it can: every problem, and the document made of what could be
/// read (`None` when the text is not a map at all), so that planning it finds the remaining
/// problems in the same run. Nothing may be written while any problem exists.
pub fn parse_lenient(text: &str, syntax: Syntax) -> (Option<Document>, Vec<Problem>) {
    let at = Locator::new(text);
    let dups = duplicate_names(text, syntax);
    let mut problems: Vec<Problem> = dups
        .iter()
        .map(|(name, n)| Problem {
            line: at.line(&["schedules", name]),
            path: format!("schedules.{name}"),
            message: format!("the schedule name `{name}` is used {n} times"),
            hint: Some("names in a document must be unique: rename all but one".into()),
        })
        .collect();
    let (doc, more) = parse_document(text, syntax);
    problems.extend(more);
    let doc = doc.map(|mut d| {
        d.schedules
            .retain(|(name, _)| !dups.iter().any(|(n, _)| n == name));
        d
    });
    (doc, problems)
}

/// Names given more than once under `schedules`, read with the duplicate-keeping map.
fn duplicate_names(text: &str, syntax: Syntax) -> Vec<(String, usize)> {
    #[derive(Deserialize)]
    struct Top {
        #[serde(default)]
        schedules: Option<Entries>,
    }
    let top: Option<Top> = match syntax {
        Syntax::Json => serde_json::from_str(text).ok(),
        Syntax::Yaml => serde_norway::from_str(text).ok(),
    };
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (name, _) in top.and_then(|t| t.schedules).unwrap_or_default().0 {
        *counts.entry(name).or_default() += 1;
    }
    counts.into_iter().filter(|(_, n)| *n > 1).collect()
}

/// One field that changes, for the plan's diff.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    /// The document's field name (`cron`, `kwargs.limit`, `managed-by`, …).
    pub field: String,
    /// The stored value (`None`: absent).
    pub before: Option<Value>,
    /// The document's value (`None`: removed).
    pub after: Option<Value>,
}

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
    /// Names of the document's schedules that already match.
    pub unchanged: Vec<String>,
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
    next.enabled = new.enabled;
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
    let choice = if current.auto_generated_name {
        NameChoice::KeepAuto(current.name.clone())
    } else {
        NameChoice::Explicit(current.name.clone())
    };
    (next, choice)
}

/// The field-level differences between a stored schedule and what it will be.
pub fn schedule_changes(before: &Schedule, after: &Schedule) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let mut field = |name: &str, b, a| push_change(&mut out, name, b, a);
    let text = |s: &Option<String>| s.clone().map(Value::String);
    field(
        "task",
        Some(before.task_name.clone().into()),
        Some(after.task_name.clone().into()),
    );
    field(
        "cron",
        Some(before.cron_expression.clone().into()),
        Some(after.cron_expression.clone().into()),
    );
    field("timezone", text(&before.timezone), text(&after.timezone));
    field(
        "enabled",
        Some(before.enabled.into()),
        Some(after.enabled.into()),
    );
    field(
        "args",
        Some(Value::Array(before.args.clone())),
        Some(Value::Array(after.args.clone())),
    );
    map_changes("kwargs", &before.kwargs, &after.kwargs, &mut field);
    field(
        "description",
        text(&before.description),
        text(&after.description),
    );
    field("category", text(&before.category), text(&after.category));
    let plain = |tags: &[String]| -> Value {
        tags.iter()
            .filter(|t| !t.starts_with(MANAGED_BY))
            .cloned()
            .map(Value::String)
            .collect()
    };
    field("tags", Some(plain(&before.tags)), Some(plain(&after.tags)));
    let managed = |tags: &[String]| -> Option<Value> {
        let list: Vec<Value> = tags
            .iter()
            .filter_map(|t| t.strip_prefix(MANAGED_BY))
            .map(|t| Value::String(t.to_string()))
            .collect();
        match list.len() {
            0 => None,
            1 => list.into_iter().next(),
            _ => Some(Value::Array(list)),
        }
    };
    field("managed-by", managed(&before.tags), managed(&after.tags));
    field(
        "policy",
        Some(before.execution_policy.as_str().into()),
        Some(after.execution_policy.as_str().into()),
    );
    let options = |o: &DeliveryOptions| match o.to_json() {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    map_changes(
        "options",
        &options(&before.options),
        &options(&after.options),
        &mut field,
    );
    out
}

fn task_changes(before: &TaskDefinition, after: &NewTaskDefinition) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let mut field = |name: &str, b, a| push_change(&mut out, name, b, a);
    let text = |s: &Option<String>| s.clone().map(Value::String);
    field("category", text(&before.category), text(&after.category));
    field(
        "description",
        text(&before.description),
        text(&after.description),
    );
    field(
        "parameter_schema",
        before.parameter_schema.clone(),
        after.parameter_schema.clone(),
    );
    out
}

/// Records `name` as changed unless `before` and `after` are the same value.
fn push_change(
    out: &mut Vec<FieldChange>,
    name: &str,
    before: Option<Value>,
    after: Option<Value>,
) {
    let same = match (&before, &after) {
        (Some(b), Some(a)) => same_value(b, a),
        (None, None) => true,
        _ => false,
    };
    if !same {
        out.push(FieldChange {
            field: name.to_string(),
            before,
            after,
        });
    }
}

/// Per-key differences of two maps, as `prefix.key`; the whole map when the keys are many.
fn map_changes(
    prefix: &str,
    before: &Map<String, Value>,
    after: &Map<String, Value>,
    field: &mut impl FnMut(&str, Option<Value>, Option<Value>),
) {
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        field(
            &format!("{prefix}.{key}"),
            before.get(key).cloned(),
            after.get(key).cloned(),
        );
    }
}

/// JSON equality where numbers compare by value (`1.0` = `1`, `1e2` = `100`): a database may
/// store a number in another spelling than the document's.
pub fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => same_number(x, y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_value(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_value(v, w)))
        }
        _ => a == b,
    }
}

fn same_number(x: &Number, y: &Number) -> bool {
    let (a, b) = (x.to_string(), y.to_string());
    if a == b {
        return true;
    }
    match (a.parse::<i128>(), b.parse::<i128>()) {
        (Ok(i), Ok(j)) => i == j,
        _ => match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(f), Ok(g)) => f == g,
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DOC: &str = "source: team-a\nschedules:\n  nightly:\n    task: app.tasks.report\n    cron: 0 2 * * *\n    kwargs:\n      limit: 10\n  hourly:\n    task: app.tasks.sync\n    cron: '@hourly'\n";

    #[test]
    fn reads_a_document_in_order() {
        let doc = parse(DOC, Syntax::Yaml).unwrap();
        assert_eq!(doc.source.as_deref(), Some("team-a"));
        let names: Vec<&str> = doc.schedules.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["nightly", "hourly"]);
        assert_eq!(doc.schedules[0].1.kwargs["limit"], json!(10));
    }

    #[test]
    fn duplicate_names_are_found_with_their_line() {
        let text = "schedules:\n  a:\n    task: t\n    cron: '@daily'\n  a:\n    task: t\n    cron: '@hourly'\n";
        let problems = parse(text, Syntax::Yaml).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("used 2 times"), "{problems:?}");
        let json = r#"{"schedules": {"a": {"task": "t", "cron": "@daily"}, "a": {"task": "t", "cron": "@daily"}}}"#;
        let problems = parse(json, Syntax::Json).unwrap_err();
        assert!(problems[0].message.contains("used 2 times"), "{problems:?}");
    }

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
    fn numbers_compare_by_value() {
        assert!(same_value(&json!({"a": [1.0]}), &json!({"a": [1]})));
        let big: Value = serde_json::from_str("1e2").unwrap();
        assert!(same_value(&big, &json!(100)));
        assert!(!same_value(&json!(1), &json!("1")));
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
