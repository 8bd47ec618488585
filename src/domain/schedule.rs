//! The schedule: a Celery task, a cron expression in a timezone, its parameters and options.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Number, Value};
use uuid::Uuid;

use super::cron::{self, Cron};
use super::jitter::Jitter;
use super::pause::Pause;
use super::task::DefinitionCheck;
use super::{DomainError, naming, params};

/// Column limits of `celery_beat_schedules`.
pub mod limits {
    /// `name VARCHAR(255)`.
    pub const NAME: usize = 255;
    /// `task_name VARCHAR(255)`.
    pub const TASK_NAME: usize = 255;
    /// `cron_expression VARCHAR(100)`.
    pub const CRON: usize = 100;
    /// `timezone VARCHAR(64)`.
    pub const TIMEZONE: usize = 64;
    /// `category VARCHAR(50)`.
    pub const CATEGORY: usize = 50;
    /// One tag.
    pub const TAG: usize = 100;
    /// `execution_policy VARCHAR(20)`.
    pub const POLICY: usize = 20;
}

/// What the scheduler does when a slot is due while the previous run still runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExecutionPolicy {
    /// Always dispatch.
    #[default]
    Allow,
    /// Skip the slot.
    Skip,
    /// Hold one pending run until the previous one finishes.
    Queue,
}

impl ExecutionPolicy {
    /// The database and JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::Skip => "skip",
            Self::Queue => "queue",
        }
    }
}

impl fmt::Display for ExecutionPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ExecutionPolicy {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "allow" => Ok(Self::Allow),
            "skip" => Ok(Self::Skip),
            "queue" => Ok(Self::Queue),
            _ => Err(DomainError::new(
                format!("unknown execution policy '{s}'"),
                "use one of: allow (always run), skip (skip while the previous run runs), queue (run once it finishes)",
            )),
        }
    }
}

/// Delivery options stored in the `options` column. Keys this version does not know (written by
/// the Python application, say) are kept untouched in `extra`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DeliveryOptions {
    /// The Celery queue (routing key); the default queue when absent.
    pub queue: Option<String>,
    /// Message priority 0-9 (0 is the most urgent on Redis).
    pub priority: Option<u8>,
    /// Seconds after the scheduled instant after which the run is pointless.
    pub expires: Option<Number>,
    /// Any other key, kept as is.
    pub extra: Map<String, Value>,
}

impl DeliveryOptions {
    /// Reads the column; malformed known keys are kept in `extra` rather than lost.
    pub fn from_json(value: Value) -> Self {
        let Value::Object(map) = value else {
            return Self::default();
        };
        let mut out = Self::default();
        for (k, v) in map {
            match (k.as_str(), &v) {
                ("queue", Value::String(q)) if !q.is_empty() => out.queue = Some(q.clone()),
                ("priority", Value::Number(n)) if n.as_u64().is_some_and(|p| p <= 9) => {
                    out.priority = n.as_u64().and_then(|p| u8::try_from(p).ok());
                }
                ("expires", Value::Number(n)) if n.as_f64().is_some_and(|e| e >= 0.0) => {
                    out.expires = Some(n.clone())
                }
                _ => {
                    out.extra.insert(k, v);
                }
            }
        }
        out
    }

    /// The column value.
    pub fn to_json(&self) -> Value {
        let mut map = self.extra.clone();
        if let Some(q) = &self.queue {
            map.insert("queue".into(), Value::String(q.clone()));
        }
        if let Some(p) = self.priority {
            map.insert("priority".into(), Value::from(p));
        }
        if let Some(e) = &self.expires {
            map.insert("expires".into(), Value::Number(e.clone()));
        }
        Value::Object(map)
    }
}

/// A stored schedule (a row of `celery_beat_schedules`).
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// Primary key.
    pub id: Uuid,
    /// Display name; not unique.
    pub name: String,
    /// The Celery task name, e.g. `app.tasks.fetch_listed_info_task_asyncpg`.
    pub task_name: String,
    /// 5-field cron or a macro.
    pub cron_expression: String,
    /// IANA zone; `None` means `CELERY_TIMEZONE`.
    pub timezone: Option<String>,
    /// Whether the scheduler fires it.
    pub enabled: bool,
    /// Positional task arguments.
    pub args: Vec<Value>,
    /// Keyword arguments: the task parameters.
    pub kwargs: Map<String, Value>,
    /// Free text.
    pub description: Option<String>,
    /// A grouping label.
    pub category: Option<String>,
    /// Labels.
    pub tags: Vec<String>,
    /// Overlap policy.
    pub execution_policy: ExecutionPolicy,
    /// Whether `name` was generated (it stays unless `schedule update --regenerate-name`).
    pub auto_generated_name: bool,
    /// Delivery options.
    pub options: DeliveryOptions,
    /// How far after its slots each message may be sent (`jitter_seconds`); none when `None`.
    pub jitter: Option<Jitter>,
    /// The last dispatched run.
    pub last_run_at: Option<DateTime<Utc>>,
    /// How many runs were dispatched.
    pub total_run_count: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last modification time; also the optimistic-concurrency token.
    pub updated_at: DateTime<Utc>,
    /// Who switched it off, when, why and until when (see [`Self::pause`]).
    pub pause: Pause,
    /// When it was last switched on again (`enable`, `resume`, a scheduler at its `--until`):
    /// the slots before it were not missed. `None` when it never was, or when another program
    /// switched it on.
    pub resumed_at: Option<DateTime<Utc>>,
    /// Columns the store could not read (written by another program); empty normally.
    pub unreadable: Vec<Unreadable>,
}

#[cfg(test)]
impl Schedule {
    /// A schedule for unit tests: task `app.tasks.t`, enabled, made and last changed at
    /// `at`, never run; override fields with struct update syntax.
    pub(crate) fn example(name: &str, cron: &str, at: DateTime<Utc>) -> Self {
        Self {
            id: Uuid::new_v4(),
            name: name.into(),
            task_name: "app.tasks.t".into(),
            cron_expression: cron.into(),
            timezone: None,
            enabled: true,
            args: vec![],
            kwargs: Map::new(),
            description: None,
            category: None,
            tags: vec![],
            execution_policy: ExecutionPolicy::default(),
            auto_generated_name: false,
            options: DeliveryOptions::default(),
            jitter: None,
            last_run_at: None,
            total_run_count: 0,
            created_at: at,
            updated_at: at,
            pause: Pause::default(),
            resumed_at: None,
            unreadable: vec![],
        }
    }
}

/// A column of a row that another program wrote and stockura cannot read. The row is still
/// listed, shown, enabled, disabled and deleted; an update must replace that column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// The column.
    pub column: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

/// A coming slot and when its message is sent (later than the slot with a jitter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Upcoming {
    /// The slot: the cron (or interval) instant, the run's identity.
    pub slot: DateTime<Tz>,
    /// When its message goes out.
    pub send_at: DateTime<Tz>,
}

impl Upcoming {
    /// A slot sent at its instant (no jitter).
    pub fn at(slot: DateTime<Tz>) -> Self {
        Self {
            slot,
            send_at: slot,
        }
    }
}

/// What the scheduler keeps of a schedule between its instants: what it sends and records,
/// nothing it never reads (the cron text and zone, once parsed, the description, category,
/// tags, counters and timestamps, unknown delivery options). The scheduler holds one per
/// enabled schedule, 100,000 at once: 144 bytes before its strings, against 480 for a
/// [`Schedule`], and its task arguments as one text (BENCHMARKS.md, finding 6).
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// The schedule's id.
    pub id: Uuid,
    /// Its name (recorded with each run).
    pub name: String,
    /// The Celery task.
    pub task_name: String,
    /// Positional and keyword arguments.
    pub arguments: Arguments,
    /// Overlap policy.
    pub execution_policy: ExecutionPolicy,
    /// The Celery queue; the default queue when absent.
    pub queue: Option<String>,
    /// Message priority.
    pub priority: Option<u8>,
    /// Seconds after the slot after which the run is pointless.
    pub expires: Option<Number>,
    /// How far after its slots it is sent.
    pub jitter: Option<Jitter>,
}

impl From<Schedule> for Job {
    fn from(s: Schedule) -> Self {
        let mut name = s.name;
        let mut task_name = s.task_name;
        name.shrink_to_fit();
        task_name.shrink_to_fit();
        Self {
            id: s.id,
            arguments: Arguments::new(&s.args, &s.kwargs),
            name,
            task_name,
            execution_policy: s.execution_policy,
            queue: s.options.queue,
            priority: s.options.priority,
            expires: s.options.expires,
            jitter: s.jitter,
        }
    }
}

/// A job's task arguments held as one compact JSON text, the `args` array followed by the
/// `kwargs` object, and parsed again when a run is built. Parsed, the kwargs of one key cost
/// about 360 bytes of heap in four allocations (serde_json's ordered map: its entries, its
/// index table, the key, the number's digits); the text is one allocation of its length.
/// Key order and number spelling survive the round trip (they decide the message body).
#[derive(Clone, PartialEq, Eq)]
pub struct Arguments {
    text: Box<str>,
    split: usize,
}

impl Arguments {
    /// The arguments of `args` and `kwargs`.
    pub fn new(args: &[Value], kwargs: &Map<String, Value>) -> Self {
        // Serialising JSON values into a string cannot fail.
        let mut text = serde_json::to_string(args).unwrap_or_else(|_| "[]".into());
        let split = text.len();
        text.push_str(&serde_json::to_string(kwargs).unwrap_or_else(|_| "{}".into()));
        Self {
            text: text.into_boxed_str(),
            split,
        }
    }

    /// The positional arguments as compact JSON text.
    pub fn args_text(&self) -> &str {
        &self.text[..self.split]
    }

    /// The keyword arguments as compact JSON text.
    pub fn kwargs_text(&self) -> &str {
        &self.text[self.split..]
    }

    /// The positional arguments.
    pub fn args(&self) -> Vec<Value> {
        // The text was written from a `Vec<Value>`, so it parses back to one.
        serde_json::from_str(self.args_text()).unwrap_or_default()
    }

    /// The keyword arguments.
    pub fn kwargs(&self) -> Map<String, Value> {
        serde_json::from_str(self.kwargs_text()).unwrap_or_default()
    }
}

impl fmt::Debug for Arguments {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Arguments")
            .field("args", &self.args_text())
            .field("kwargs", &self.kwargs_text())
            .finish()
    }
}

impl Schedule {
    /// The zone the cron expression is evaluated in: the schedule's own, else `default`.
    /// `None` when the stored zone is not a known IANA name: such a schedule cannot run.
    pub fn effective_timezone(&self, default: Tz) -> Option<Tz> {
        match self.timezone.as_deref() {
            Some(name) => cron::parse_timezone(name).ok(),
            None => Some(default),
        }
    }

    /// The parsed cron expression. Rows written by other programs may hold an invalid one.
    pub fn cron(&self) -> Result<Cron, cron::CronError> {
        Cron::parse(&self.cron_expression)
    }

    /// The next fire instant strictly after `after`, in the schedule's zone; `None` when
    /// disabled, when the expression or zone is invalid, or when it never fires again. A
    /// schedule paused until an instant fires next at its first slot after that instant.
    pub fn next_run_after(&self, after: DateTime<Utc>, default_tz: Tz) -> Option<DateTime<Tz>> {
        NextRuns::default().next_run(self, after, default_tz)
    }

    /// When the message of `slot` is sent: the slot itself, or with a jitter, the slot plus
    /// its offset, before `following` (the next slot).
    pub fn send_time(
        &self,
        slot: DateTime<Utc>,
        following: Option<DateTime<Utc>>,
    ) -> DateTime<Utc> {
        self.jitter
            .map_or(slot, |j| j.send_at(self.id, slot, following))
    }

    /// The first `n` slots of `cron` in `tz` sent after `after`, each with its send time: the
    /// slots after `after`, and with a jitter, a slot just before it whose send time is still
    /// ahead (as the scheduler plans them).
    pub fn upcoming(&self, cron: &Cron, tz: Tz, after: DateTime<Utc>, n: usize) -> Vec<Upcoming> {
        // Never a slot from before the schedule was switched on again (or, paused with an
        // until, before that until): it was off then.
        let on_since = if self.enabled {
            self.resumed_at
        } else {
            self.pause().and_then(|p| p.until)
        };
        let from = match self.jitter {
            None => after,
            Some(j) => after
                .checked_sub_signed(chrono::Duration::seconds(i64::from(j.secs())))
                .unwrap_or(after)
                .max(on_since.unwrap_or(DateTime::<Utc>::MIN_UTC).min(after)),
        };
        let mut slots = cron.upcoming(from, tz).peekable();
        let mut out = Vec::with_capacity(n.min(1_000));
        while out.len() < n {
            let Some(slot) = slots.next() else { break };
            let following = slots.peek().map(|t| t.with_timezone(&Utc));
            let send_at = self.send_time(slot.with_timezone(&Utc), following);
            if send_at > after {
                out.push(Upcoming {
                    slot,
                    send_at: send_at.with_timezone(&tz),
                });
            }
        }
        out
    }

    /// Whether `needle` occurs in the name, task, description or category, ignoring case
    /// (Unicode case folding: `É` finds `é`), as `schedule list --search` matches.
    pub fn matches_search(&self, needle: &str) -> bool {
        let needle = needle.to_lowercase();
        [
            Some(self.name.as_str()),
            Some(self.task_name.as_str()),
            self.description.as_deref(),
            self.category.as_deref(),
        ]
        .into_iter()
        .flatten()
        .any(|text| text.to_lowercase().contains(&needle))
    }

    /// Why this row cannot be sent as stored, empty when it can: a column its message or
    /// overlap policy is built from (args, kwargs, options, execution_policy) is unreadable,
    /// its zone is unknown, or its cron expression is invalid. Every send path (run-beat,
    /// `schedule trigger`) refuses such a row rather than send it with empty values.
    pub fn run_problems(&self) -> Vec<String> {
        let mut out = self.unsendable_columns();
        if let Some(name) = &self.timezone
            && cron::parse_timezone(name).is_err()
        {
            out.push(format!("timezone: '{name}' is not a known IANA zone"));
        }
        if let Err(e) = self.cron() {
            out.push(format!("cron_expression: {}", e.message));
        }
        out
    }

    /// The part of [`Self::run_problems`] that needs no parsing (the scheduler parses cron and
    /// zone once per distinct value itself): unreadable columns its message is built from.
    pub fn unsendable_columns(&self) -> Vec<String> {
        self.unreadable
            .iter()
            .filter(|u| SENT.contains(&u.column))
            .map(|u| format!("{}: {}", u.column, u.problem))
            .collect()
    }

    /// Unreadable columns the row runs without (its tags; its last run, creation and pause
    /// times): the scheduler plans it from now, catching nothing up, and its next run writes a
    /// last run that can be read.
    pub fn unread_columns(&self) -> Vec<String> {
        self.unreadable
            .iter()
            .filter(|u| !SENT.contains(&u.column))
            .map(|u| format!("{}: {}", u.column, u.problem))
            .collect()
    }

    /// Everything that keeps this row from running as stored: unreadable columns its message
    /// is built from, an unknown zone, an invalid cron expression. Empty for every row
    /// stockura itself wrote.
    pub fn problems(&self) -> Vec<String> {
        let mut out = self.unsendable_columns();
        if let Some(name) = &self.timezone
            && cron::parse_timezone(name).is_err()
        {
            out.push(format!(
                "timezone: '{name}' is not a known IANA zone, so the schedule cannot run"
            ));
        }
        if let Err(e) = self.cron() {
            out.push(format!("cron_expression: {}", e.message));
        }
        out
    }
}

/// Next fire times for many schedules, parsing each distinct cron expression and zone once
/// (parsing costs about 10 µs, evaluating well under 1 µs).
#[derive(Debug, Default)]
pub struct NextRuns {
    crons: std::collections::HashMap<String, Option<Cron>>,
    zones: std::collections::HashMap<String, Option<Tz>>,
}

impl NextRuns {
    /// The next fire instant of `schedule` strictly after `after`; see [`Schedule::next_run_after`].
    pub fn next_run(
        &mut self,
        schedule: &Schedule,
        after: DateTime<Utc>,
        default_tz: Tz,
    ) -> Option<DateTime<Tz>> {
        let after = if schedule.enabled {
            after
        } else {
            after.max(schedule.pause().and_then(|p| p.until)?)
        };
        let tz = self.zone(schedule, default_tz)?;
        let cron = self
            .crons
            .entry(schedule.cron_expression.clone())
            .or_insert_with(|| Cron::parse(&schedule.cron_expression).ok())
            .as_ref()?;
        cron.next_after(after, tz)
    }

    /// Whether the schedule's cron expression parses.
    pub fn is_valid(&mut self, schedule: &Schedule) -> bool {
        self.crons
            .entry(schedule.cron_expression.clone())
            .or_insert_with(|| Cron::parse(&schedule.cron_expression).ok())
            .is_some()
    }

    /// The schedule's effective zone; see [`Schedule::effective_timezone`].
    pub fn zone(&mut self, schedule: &Schedule, default_tz: Tz) -> Option<Tz> {
        let Some(name) = &schedule.timezone else {
            return Some(default_tz);
        };
        *self
            .zones
            .entry(name.clone())
            .or_insert_with(|| cron::parse_timezone(name).ok())
    }
}

/// How a schedule's name is decided when it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameChoice {
    /// Given by the user: written as is (names are not unique).
    Explicit(String),
    /// Generated: the store appends `_2`, `_3`, … when the base is taken by another schedule.
    Auto(String),
    /// A generated name that stays as it is (nothing it derives from changed).
    KeepAuto(String),
}

impl NameChoice {
    /// Whether the name was generated.
    pub fn is_auto(&self) -> bool {
        matches!(self, Self::Auto(_) | Self::KeepAuto(_))
    }

    /// The name, or the base of a name still to be made unique.
    pub fn text(&self) -> &str {
        match self {
            Self::Explicit(n) | Self::Auto(n) | Self::KeepAuto(n) => n,
        }
    }
}

/// What `schedule add` was given, before validation.
#[derive(Debug, Clone, Default)]
pub struct ScheduleInput {
    /// `--task`.
    pub task_name: String,
    /// `--cron`.
    pub cron_expression: String,
    /// `--name`.
    pub name: Option<String>,
    /// `--tz`.
    pub timezone: Option<String>,
    /// `--args`, parsed.
    pub args: Option<Vec<Value>>,
    /// `--kwargs`, parsed.
    pub kwargs: Option<Map<String, Value>>,
    /// `--param`, parsed, in order.
    pub params: Vec<(String, Value)>,
    /// `--category`.
    pub category: Option<String>,
    /// `--tag`.
    pub tags: Vec<String>,
    /// `--policy`.
    pub policy: Option<ExecutionPolicy>,
    /// `--queue`.
    pub queue: Option<String>,
    /// `--priority`.
    pub priority: Option<String>,
    /// `--expires`.
    pub expires: Option<Number>,
    /// `--description`.
    pub description: Option<String>,
    /// `--jitter` (a duration; `0` is none).
    pub jitter: Option<String>,
    /// `!--disabled`.
    pub enabled: bool,
}

/// A validated schedule ready to insert; the store assigns id and timestamps.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSchedule {
    /// How to name it.
    pub name: NameChoice,
    /// See [`Schedule::task_name`].
    pub task_name: String,
    /// See [`Schedule::cron_expression`].
    pub cron_expression: String,
    /// See [`Schedule::timezone`].
    pub timezone: Option<String>,
    /// See [`Schedule::enabled`].
    pub enabled: bool,
    /// See [`Schedule::args`].
    pub args: Vec<Value>,
    /// See [`Schedule::kwargs`].
    pub kwargs: Map<String, Value>,
    /// See [`Schedule::description`].
    pub description: Option<String>,
    /// See [`Schedule::category`].
    pub category: Option<String>,
    /// See [`Schedule::tags`].
    pub tags: Vec<String>,
    /// See [`Schedule::execution_policy`].
    pub execution_policy: ExecutionPolicy,
    /// See [`Schedule::options`].
    pub options: DeliveryOptions,
    /// See [`Schedule::jitter`].
    pub jitter: Option<Jitter>,
    /// Bookkeeping brought from elsewhere (`schedule add --last-run-at`, see
    /// [`check_last_run_at`]); none for a schedule that never ran.
    pub last_run_at: Option<DateTime<Utc>>,
}

impl ScheduleInput {
    /// Validates everything and decides the name. `param_info` is the parameter part of a
    /// generated name (empty until task definitions say which parameters matter).
    pub fn validate(self, param_info: &[String]) -> Result<NewSchedule, DomainError> {
        self.validate_each(param_info)
            .map_err(|mut problems| problems.swap_remove(0).1)
    }

    /// Like [`Self::validate`], but checks every field and returns every problem, each with
    /// the field it is about (`task`, `cron`, `timezone`, `args`, `kwargs`, `queue`, `priority`,
    /// `expires`, `name`, `description`, `category`, `tags`). Never an empty list.
    pub fn validate_each(
        self,
        param_info: &[String],
    ) -> Result<NewSchedule, Vec<(&'static str, DomainError)>> {
        let mut problems: Vec<(&'static str, DomainError)> = Vec::new();
        let mut check = |field: &'static str, r: Result<(), DomainError>| {
            if let Err(e) = r {
                problems.push((field, e));
            }
        };
        let task_name = check_task_name(&self.task_name);
        let cron = parse_cron(&self.cron_expression);
        let timezone = self.timezone.as_deref().map(check_timezone).transpose();
        let mut kwargs = self.kwargs.unwrap_or_default();
        params::merge_params(&mut kwargs, &self.params);
        let args = self.args.unwrap_or_default();
        check(
            "args",
            params::check_storable("args", &Value::Array(args.clone())),
        );
        check(
            "kwargs",
            params::check_storable("kwargs", &Value::Object(kwargs.clone())),
        );
        let queue = self.queue.map(|q| check_queue(&q)).transpose();
        let priority = self.priority.as_deref().map(check_priority).transpose();
        let expires = self.expires.map(check_expires).transpose();
        let explicit = self.name.map(|n| check_name(&n)).transpose();
        let description = normalize_text("description", self.description);
        let category = self.category.map(|c| check_category(&c)).transpose();
        let tags = check_tags(self.tags);
        let jitter = self.jitter.as_deref().map(Jitter::parse).transpose();
        let mut take = |field: &'static str, e: DomainError| problems.push((field, e));
        macro_rules! field {
            ($name:literal, $value:expr) => {
                match $value {
                    Ok(v) => Some(v),
                    Err(e) => {
                        take($name, e);
                        None
                    }
                }
            };
        }
        let task_name = field!("task", task_name);
        let cron = field!("cron", cron);
        let timezone = field!("timezone", timezone);
        let queue = field!("queue", queue);
        let priority = field!("priority", priority);
        let expires = field!("expires", expires);
        let explicit = field!("name", explicit);
        let description = field!("description", description);
        let category = field!("category", category);
        let tags = field!("tags", tags);
        let jitter = field!("jitter", jitter);
        let (
            Some(task_name),
            Some(cron),
            Some(timezone),
            Some(queue),
            Some(priority),
            Some(expires),
            Some(explicit),
            Some(description),
            Some(category),
            Some(tags),
            Some(jitter),
        ) = (
            task_name,
            cron,
            timezone,
            queue,
            priority,
            expires,
            explicit,
            description,
            category,
            tags,
            jitter,
        )
        else {
            return Err(problems);
        };
        let jitter = jitter.flatten();
        if let Some(j) = jitter
            && let Err(e) = check_jitter(j, &cron, timezone.as_deref(), expires.as_ref())
        {
            problems.push(("jitter", e));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let name = match explicit {
            Some(name) => NameChoice::Explicit(name),
            None => NameChoice::Auto(naming::generate(&task_name, param_info, &cron)),
        };
        Ok(NewSchedule {
            name,
            task_name,
            cron_expression: cron.source().to_string(),
            timezone,
            enabled: self.enabled,
            args,
            kwargs,
            description,
            category: category.flatten(),
            tags,
            execution_policy: self.policy.unwrap_or_default(),
            options: DeliveryOptions {
                queue,
                priority,
                expires,
                extra: Map::new(),
            },
            jitter,
            last_run_at: None,
        })
    }
}

/// Refuses a jitter that is not shorter than the gap between two slots of `cron` (looked at in
/// the schedule's zone, UTC when it names none).
fn check_jitter(
    jitter: Jitter,
    cron: &Cron,
    timezone: Option<&str>,
    expires: Option<&Number>,
) -> Result<(), DomainError> {
    // `expires` counts from the slot: a message sent as late as the jitter allows must still
    // be alive when it arrives.
    if let Some(expires) = expires.and_then(Number::as_f64)
        && f64::from(jitter.secs()) >= expires
    {
        return Err(DomainError::new(
            format!(
                "--jitter {jitter} is not shorter than --expires {expires}: a message sent that late after its slot would arrive expired"
            ),
            "give a jitter shorter than the expiry, or a longer --expires",
        ));
    }
    let tz = timezone
        .and_then(|name| cron::parse_timezone(name).ok())
        .unwrap_or(Tz::UTC);
    jitter.check_fits(cron, tz)
}

/// Warnings about a valid cron expression that may not do what its author expects: when both
/// day fields are restricted, a day matches when either does (as in cron), where Celery's own
/// `crontab` (the Python beat) needs both.
pub fn cron_warnings(expr: &str) -> Vec<String> {
    let Ok(cron) = Cron::parse(expr) else {
        return Vec::new();
    };
    let Some([_, _, dom, _, dow]) = cron.fields() else {
        return Vec::new();
    };
    let restricted = |f: &str| f != "*" && f != "?";
    if restricted(dom) && restricted(dow) {
        vec![format!(
            "'{}' restricts both day-of-month ({dom}) and day-of-week ({dow}): it fires on a day \
             matching EITHER, as cron does; Celery's crontab (the Python beat) needed BOTH",
            cron.source()
        )]
    } else {
        Vec::new()
    }
}

/// The stored expression of `--every TEXT`: `@every` and the interval in its canonical form
/// (`--every 90s` is `@every 1m30s`), as `docs/cron-semantics.md` describes.
pub fn every_expression(text: &str) -> Result<String, DomainError> {
    cron::Every::parse(text)
        .map(|every| format!("@every {every}"))
        .map_err(|(message, hint)| {
            DomainError::new(format!("--every '{}': {message}", text.trim()), hint)
        })
}

/// Reads the `last_run_at` given for a new schedule (`--last-run-at`: its last run under
/// another scheduler), an RFC 3339 instant or a duration ago (`90s`, `2h`); it cannot be
/// later than `now`. A scheduler starting, or running when the schedule arrives, runs the
/// latest slot after it within the catch-up window, as after downtime.
pub fn check_last_run_at(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, DomainError> {
    let at = super::run::parse_instant_or_ago("--last-run-at", text, now)?;
    if at > now {
        return Err(DomainError::new(
            format!(
                "--last-run-at {} is in the future (now is {})",
                at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
            "give the time of its last run under the previous scheduler, e.g. --last-run-at 2026-01-05T09:00:00Z or --last-run-at 90s (ago)",
        ));
    }
    Ok(at)
}

impl NewSchedule {
    /// Whether `existing` already does this job: same task, arguments, cron (as parsed:
    /// `@daily` is `0 0 * * *`), timezone, delivery options and enabled state (a disabled copy
    /// sends nothing twice, and `--if-not-exists` must not answer with a schedule that never
    /// runs). Name, description, category, tags and policy do not count: two such enabled rows
    /// send the same task twice.
    pub fn same_job_as(&self, existing: &Schedule) -> bool {
        // Cheap comparisons first: a task with thousands of schedules differing in kwargs
        // parses no cron expression at all.
        let same_cron = || match (Cron::parse(&self.cron_expression), existing.cron()) {
            (Ok(a), Ok(b)) => a.fires_like(&b),
            _ => self.cron_expression.trim() == existing.cron_expression.trim(),
        };
        self.task_name == existing.task_name
            && self.enabled == existing.enabled
            // A row whose message cannot be read is not the same job; unreadable times or
            // tags do not change what a row sends.
            && existing.unsendable_columns().is_empty()
            && self.args == existing.args
            && self.kwargs == existing.kwargs
            && self.timezone == existing.timezone
            && self.options == existing.options
            && same_cron()
    }

    /// Takes what the task's definition contributes: its category when the schedule names
    /// none, and the parameter part of a generated name.
    pub fn adopt_definition(&mut self, check: &DefinitionCheck) -> Result<(), DomainError> {
        if self.category.is_none() {
            self.category.clone_from(&check.category);
        }
        if self.name.is_auto() {
            let cron = parse_cron(&self.cron_expression)?;
            self.name =
                NameChoice::Auto(naming::generate(&self.task_name, &check.param_info, &cron));
        }
        Ok(())
    }
}

/// `schedule update`: only what is `Some` (or non-empty) changes.
#[derive(Debug, Clone, Default)]
pub struct SchedulePatch {
    /// `--task`.
    pub task_name: Option<String>,
    /// `--cron`.
    pub cron_expression: Option<String>,
    /// `--name` (makes the name explicit).
    pub name: Option<String>,
    /// `--tz` (`Some(None)`: `--clear-timezone`).
    pub timezone: Option<Option<String>>,
    /// `--args` (replaces).
    pub args: Option<Vec<Value>>,
    /// `--kwargs` (replaces).
    pub kwargs: Option<Map<String, Value>>,
    /// `--param` (merged into the resulting kwargs).
    pub params: Vec<(String, Value)>,
    /// `--description` (`Some(None)`: `--clear-description`).
    pub description: Option<Option<String>>,
    /// `--category` (`Some(None)`: `--clear-category`).
    pub category: Option<Option<String>>,
    /// `--tag` (replaces the whole list).
    pub tags: Option<Vec<String>>,
    /// `--add-tag`.
    pub add_tags: Vec<String>,
    /// `--remove-tag`.
    pub remove_tags: Vec<String>,
    /// `--policy`.
    pub policy: Option<ExecutionPolicy>,
    /// `--queue`.
    pub queue: Option<String>,
    /// `--priority`.
    pub priority: Option<String>,
    /// `--expires`.
    pub expires: Option<Number>,
    /// `--enabled` / `--disabled`.
    pub enabled: Option<bool>,
    /// `--jitter` (`0` removes it).
    pub jitter: Option<String>,
    /// `--clear-options`: drop every delivery option before applying the given ones.
    pub clear_options: bool,
    /// `--regenerate-name`: generate the name again from task, parameters and cron.
    pub regenerate_name: bool,
}

impl SchedulePatch {
    /// Whether the patch changes nothing at all.
    pub fn is_empty(&self) -> bool {
        self.task_name.is_none()
            && self.cron_expression.is_none()
            && self.name.is_none()
            && self.timezone.is_none()
            && self.args.is_none()
            && self.kwargs.is_none()
            && self.params.is_empty()
            && self.description.is_none()
            && self.category.is_none()
            && self.tags.is_none()
            && self.add_tags.is_empty()
            && self.remove_tags.is_empty()
            && self.policy.is_none()
            && self.queue.is_none()
            && self.priority.is_none()
            && self.expires.is_none()
            && self.enabled.is_none()
            && self.jitter.is_none()
            && !self.clear_options
            && !self.regenerate_name
    }

    /// Whether the patch writes a whole new value for `column` (one left unreadable).
    fn replaces(&self, column: &str) -> bool {
        match column {
            "args" => self.args.is_some(),
            "kwargs" => self.kwargs.is_some(),
            "tags" => self.tags.is_some(),
            "options" => self.clear_options,
            "execution_policy" => self.policy.is_some(),
            _ => false,
        }
    }

    /// Applies the patch to `current`, validating the result. Returns the new state and how
    /// its name is decided: a name, given or generated, stays as it is unless `--name` gives a
    /// new one or `--regenerate-name` asks for a generated one (a name-keyed document or script
    /// must not find it renamed because its cron changed).
    pub fn apply(
        &self,
        current: &Schedule,
        param_info: &[String],
    ) -> Result<(Schedule, NameChoice), DomainError> {
        // A column another program left unreadable must be replaced, never written back empty.
        let kept: Vec<String> = current
            .unreadable
            .iter()
            .filter(|u| written_back(u.column) && !self.replaces(u.column))
            .map(|u| format!("\n  {}: {}", u.column, u.problem))
            .collect();
        if !kept.is_empty() {
            return Err(DomainError::new(
                format!(
                    "schedule '{}' has columns stockura cannot read (written by another program); nothing was written:{}",
                    params::escape_unprintable(&current.name, false),
                    kept.concat()
                ),
                "replace them in the same update (--args '[…]', --kwargs '{…}', --tag …, --policy …, --clear-options), \
                 or fix the row with SQL",
            ));
        }
        let mut next = current.clone();
        next.unreadable.clear();
        if self.clear_options {
            next.options = DeliveryOptions::default();
        }
        if let Some(task) = &self.task_name {
            next.task_name = check_task_name(task)?;
        }
        if let Some(expr) = &self.cron_expression {
            next.cron_expression = parse_cron(expr)?.source().to_string();
        }
        if let Some(tz) = &self.timezone {
            next.timezone = tz.as_deref().map(check_timezone).transpose()?;
        }
        if let Some(args) = &self.args {
            next.args = args.clone();
        }
        if let Some(kwargs) = &self.kwargs {
            next.kwargs = kwargs.clone();
        }
        params::merge_params(&mut next.kwargs, &self.params);
        check_parameters(&next.args, &next.kwargs)?;
        if let Some(description) = &self.description {
            next.description = normalize_text("description", description.clone())?;
        }
        if let Some(category) = &self.category {
            next.category = category
                .as_deref()
                .map(check_category)
                .transpose()?
                .flatten();
        }
        if let Some(tags) = &self.tags {
            next.tags = tags.clone();
        }
        next.tags.extend(self.add_tags.iter().cloned());
        let mut tags = check_tags(next.tags)?;
        let removed = check_tags(self.remove_tags.clone())?;
        tags.retain(|t| !removed.contains(t));
        next.tags = tags;
        if let Some(policy) = self.policy {
            next.execution_policy = policy;
        }
        if let Some(queue) = &self.queue {
            next.options.queue = Some(check_queue(queue)?);
        }
        if let Some(priority) = &self.priority {
            next.options.priority = Some(check_priority(priority)?);
        }
        if let Some(expires) = &self.expires {
            next.options.expires = Some(check_expires(expires.clone())?);
        }
        if let Some(enabled) = self.enabled {
            next.enabled = enabled;
        }
        if let Some(jitter) = &self.jitter {
            next.jitter = Jitter::parse(jitter)?;
        }
        // A new cron, zone or expiry must leave room for the jitter kept, as a new jitter must
        // fit.
        if let Some(jitter) = next.jitter
            && (self.jitter.is_some()
                || self.cron_expression.is_some()
                || self.timezone.is_some()
                || self.expires.is_some())
        {
            check_jitter(
                jitter,
                &parse_cron(&next.cron_expression)?,
                next.timezone.as_deref(),
                next.options.expires.as_ref(),
            )?;
        }
        let name = if let Some(name) = &self.name {
            NameChoice::Explicit(check_name(name)?)
        } else if self.regenerate_name {
            let base = naming::generate(
                &next.task_name,
                param_info,
                &parse_cron(&next.cron_expression)?,
            );
            if current.auto_generated_name && base == current.name {
                NameChoice::KeepAuto(base)
            } else {
                NameChoice::Auto(base)
            }
        } else if current.auto_generated_name {
            NameChoice::KeepAuto(current.name.clone())
        } else {
            NameChoice::Explicit(current.name.clone())
        };
        next.auto_generated_name = name.is_auto();
        next.name = name.text().to_string();
        Ok((next, name))
    }
}

fn parse_cron(expr: &str) -> Result<Cron, DomainError> {
    if expr.trim().chars().count() > limits::CRON {
        return Err(DomainError::new(
            format!(
                "the cron expression is longer than {} characters",
                limits::CRON
            ),
            "shorten it; lists such as 0,5,10,… can often be written as */5",
        ));
    }
    let cron = Cron::parse(expr).map_err(|e| DomainError::new(e.message, e.hint))?;
    if cron.never_fires() {
        return Err(DomainError::new(
            format!(
                "the cron expression '{}' never fires: no selected month has that day",
                cron.source()
            ),
            "check the day-of-month and month fields; use L for the last day of a month",
        ));
    }
    Ok(cron)
}

fn check_timezone(name: &str) -> Result<String, DomainError> {
    let tz = cron::parse_timezone(name).map_err(|e| DomainError::new(e.message, e.hint))?;
    Ok(tz.name().to_string())
}

fn check_task_name(task: &str) -> Result<String, DomainError> {
    let task = task.trim();
    params::check_text("task name", task)?;
    if task.is_empty() || task.chars().any(char::is_whitespace) {
        return Err(DomainError::new(
            format!("invalid task name '{task}': it must be non-empty and contain no spaces"),
            "use the Celery task name, e.g. app.tasks.fetch_listed_info_task_asyncpg",
        ));
    }
    check_len("task name", task, limits::TASK_NAME)?;
    Ok(task.to_string())
}

fn check_name(name: &str) -> Result<String, DomainError> {
    let name = name.trim();
    params::check_text("name", name)?;
    if name.is_empty() {
        return Err(DomainError::new(
            "the schedule name is empty",
            "give a name, or omit --name to generate one",
        ));
    }
    check_len("name", name, limits::NAME)?;
    Ok(name.to_string())
}

fn check_category(category: &str) -> Result<Option<String>, DomainError> {
    let category = category.trim();
    params::check_text("category", category)?;
    if category.is_empty() {
        return Ok(None);
    }
    check_len("category", category, limits::CATEGORY)?;
    Ok(Some(category.to_string()))
}

fn check_queue(queue: &str) -> Result<String, DomainError> {
    let queue = queue.trim();
    params::check_text("queue", queue)?;
    if queue.is_empty() || queue.chars().any(char::is_whitespace) {
        return Err(DomainError::new(
            format!("invalid queue name '{queue}'"),
            "use a Celery queue name without spaces, e.g. --queue celery",
        ));
    }
    Ok(queue.to_string())
}

fn check_priority(priority: &str) -> Result<u8, DomainError> {
    let priority = priority.trim();
    priority
        .parse::<u8>()
        .ok()
        .filter(|p| *p <= 9)
        .ok_or_else(|| {
            DomainError::new(
                format!(
                    "priority {priority} is out of range: it must be a whole number from 0 to 9"
                ),
                "use a priority from 0 (most urgent on Redis) to 9",
            )
        })
}

/// The longest `expires` a schedule can carry, in seconds (365 days): a message's expiry is
/// its slot plus this, and Celery's own expiry of a year-old slot is already meaningless.
pub const MAX_EXPIRES_SECONDS: f64 = 31_536_000.0;

fn check_expires(expires: Number) -> Result<Number, DomainError> {
    let hint = "give the number of seconds after the scheduled time after which a run is pointless, e.g. --expires 300";
    match expires.as_f64() {
        Some(e) if e.is_finite() && e > MAX_EXPIRES_SECONDS => Err(DomainError::new(
            format!("expires {expires} is more than {MAX_EXPIRES_SECONDS} seconds (365 days)"),
            "give at most 31536000 seconds, e.g. --expires 300",
        )),
        Some(e) if e.is_finite() && e > 0.0 => {
            // Store whole seconds as an integer whatever the spelling (1e3, 300.0).
            if e.fract() == 0.0 && e <= 1e15 {
                Ok(Number::from(e as u64))
            } else {
                Ok(Number::from_f64(e).unwrap_or(expires))
            }
        }
        Some(e) if e.is_finite() && e < 0.0 => Err(DomainError::new(
            format!("expires {expires} is negative"),
            hint,
        )),
        Some(0.0) => Err(DomainError::new(
            "expires 0 would make every run expire before it starts".to_string(),
            hint,
        )),
        _ => Err(DomainError::new(
            format!("expires {expires} is not a finite number of seconds"),
            hint,
        )),
    }
}

fn check_tags(tags: Vec<String>) -> Result<Vec<String>, DomainError> {
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for tag in tags {
        let tag = tag.trim();
        params::check_text("tag", tag)?;
        if tag.is_empty() || tag.chars().any(|c| c.is_whitespace() || c == ',') {
            return Err(DomainError::new(
                format!("invalid tag '{tag}': tags are non-empty and contain no spaces or commas"),
                "repeat --tag for several tags, e.g. --tag nightly --tag market-data",
            ));
        }
        check_len("tag", tag, limits::TAG)?;
        if !out.iter().any(|t| t == tag) {
            out.push(tag.to_string());
        }
    }
    Ok(out)
}

fn check_len(what: &str, value: &str, max: usize) -> Result<(), DomainError> {
    let len = value.chars().count();
    if len > max {
        return Err(DomainError::new(
            format!("the {what} is {len} characters long; at most {max} are allowed"),
            format!("shorten the {what}"),
        ));
    }
    Ok(())
}

fn normalize_text(what: &str, text: Option<String>) -> Result<Option<String>, DomainError> {
    let text = text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    if let Some(t) = &text {
        params::check_text(what, t)?;
    }
    Ok(text)
}

/// Checks the parameters as they will be written.
fn check_parameters(args: &[Value], kwargs: &Map<String, Value>) -> Result<(), DomainError> {
    params::check_storable("args", &Value::Array(args.to_vec()))?;
    params::check_storable("kwargs", &Value::Object(kwargs.clone()))
}

/// The columns a message and its overlap policy are built from.
const SENT: [&str; 4] = ["args", "kwargs", "options", "execution_policy"];

/// Whether an update writes `column` back from the row as it was read: not the bookkeeping,
/// version and pause times, which it leaves as stored, replaces or clears, so one another
/// program left unreadable does not stand in the way of an update.
fn written_back(column: &str) -> bool {
    // `updated_at`: every write sets a new one (and an unreadable one matches any version a
    // write expects, see `store::sql::unchanged_since`).
    !matches!(
        column,
        "last_run_at" | "created_at" | "updated_at" | "paused_at" | "paused_until" | "resumed_at"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input() -> ScheduleInput {
        ScheduleInput {
            task_name: "app.tasks.fetch_listed_info_task_asyncpg".into(),
            cron_expression: "0 0 * * *".into(),
            enabled: true,
            ..Default::default()
        }
    }

    fn stored(new: NewSchedule) -> Schedule {
        let now = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let (name, auto) = match new.name {
            NameChoice::Explicit(n) => (n, false),
            NameChoice::Auto(n) | NameChoice::KeepAuto(n) => (n, true),
        };
        Schedule {
            id: Uuid::nil(),
            name,
            task_name: new.task_name,
            cron_expression: new.cron_expression,
            timezone: new.timezone,
            enabled: new.enabled,
            args: new.args,
            kwargs: new.kwargs,
            description: new.description,
            category: new.category,
            tags: new.tags,
            execution_policy: new.execution_policy,
            auto_generated_name: auto,
            options: new.options,
            jitter: new.jitter,
            last_run_at: None,
            total_run_count: 0,
            created_at: now,
            updated_at: now,
            pause: Pause::default(),
            resumed_at: None,
            unreadable: Vec::new(),
        }
    }

    #[test]
    fn a_job_keeps_what_the_scheduler_sends_and_records() {
        let mut s = stored(input().validate(&[]).unwrap());
        s.args = vec![json!(1), json!("x")];
        s.kwargs = params::parse_kwargs(r#"{"b": 2, "a": 1.50}"#).unwrap();
        s.execution_policy = ExecutionPolicy::Queue;
        s.options = DeliveryOptions::from_json(
            json!({"queue": "reports", "priority": 3, "expires": 90.5, "x-other": true}),
        );
        s.description = Some("kept out of the plan".into());
        let job = Job::from(s.clone());
        assert_eq!(job.id, s.id);
        assert_eq!(job.name, s.name);
        assert_eq!(job.task_name, s.task_name);
        assert_eq!(job.arguments.args(), s.args);
        assert_eq!(job.arguments.kwargs(), s.kwargs);
        // Key order and number spelling survive: they decide the message body.
        assert_eq!(job.arguments.args_text(), r#"[1,"x"]"#);
        assert_eq!(job.arguments.kwargs_text(), r#"{"b":2,"a":1.50}"#);
        assert_eq!(
            serde_json::to_string(&job.arguments.kwargs()).unwrap(),
            r#"{"b":2,"a":1.50}"#
        );
        let empty = Arguments::new(&[], &Map::new());
        assert_eq!((empty.args(), empty.kwargs()), (Vec::new(), Map::new()));
        assert_eq!(
            format!("{empty:?}"),
            r#"Arguments { args: "[]", kwargs: "{}" }"#
        );
        assert_eq!(job.execution_policy, ExecutionPolicy::Queue);
        assert_eq!(job.queue.as_deref(), Some("reports"));
        assert_eq!(job.priority, Some(3));
        assert_eq!(job.expires.as_ref().and_then(Number::as_f64), Some(90.5));
        assert!(std::mem::size_of::<Job>() * 2 <= std::mem::size_of::<Schedule>());
    }

    #[test]
    fn add_generates_a_name_and_merges_params() {
        let mut i = input();
        i.kwargs =
            Some(params::parse_kwargs(r#"{"period_type": "daily", "market": "prime"}"#).unwrap());
        i.params = vec![params::parse_param("period_type=weekly").unwrap()];
        let new = i.validate(&[]).unwrap();
        assert_eq!(new.name, NameChoice::Auto("fetch_listed_info_daily".into()));
        assert_eq!(
            Value::Object(new.kwargs),
            json!({"period_type": "weekly", "market": "prime"})
        );
    }

    #[test]
    fn add_rejects_bad_values() {
        type Mutation = Box<dyn Fn(&mut ScheduleInput)>;
        let cases: Vec<(Mutation, &str)> = vec![
            (
                Box::new(|i| i.cron_expression = "61 * * * *".into()),
                "minute",
            ),
            (
                Box::new(|i| i.cron_expression = "0 0 30 2 *".into()),
                "never fires",
            ),
            (
                Box::new(|i| i.timezone = Some("Mars/Base".into())),
                "Mars/Base",
            ),
            (Box::new(|i| i.priority = Some("10".into())), "priority 10"),
            (Box::new(|i| i.priority = Some("-1".into())), "priority -1"),
            (Box::new(|i| i.expires = Some(Number::from(-5))), "negative"),
            (Box::new(|i| i.task_name = "has space".into()), "task name"),
            (Box::new(|i| i.name = Some("  ".into())), "empty"),
            (Box::new(|i| i.tags = vec!["a b".into()]), "tag"),
            (Box::new(|i| i.category = Some("c".repeat(51))), "category"),
            (
                Box::new(|i| i.name = Some("red\u{1b}[31m".into())),
                "the name contains the control character U+001B",
            ),
            (
                Box::new(|i| i.tags = vec!["ok".into(), "x\u{9b}2J".into()]),
                "the tag contains the control character U+009B",
            ),
            (
                Box::new(|i| i.category = Some("a\u{7}".into())),
                "the category contains the control character U+0007",
            ),
            (
                Box::new(|i| i.description = Some("one\ntwo".into())),
                "the description contains the control character U+000A (newline)",
            ),
            (
                Box::new(|i| i.description = Some("a \u{202E}b".into())),
                "the description contains the control character U+202E",
            ),
        ];
        for (mutate, needle) in cases {
            let mut i = input();
            mutate(&mut i);
            let err = i.validate(&[]).unwrap_err();
            assert!(err.message.contains(needle), "{needle}: {}", err.message);
            assert!(!err.hint.is_empty());
        }
    }

    #[test]
    fn policy_parses_and_rejects() {
        assert_eq!(
            "Queue".parse::<ExecutionPolicy>().unwrap(),
            ExecutionPolicy::Queue
        );
        assert!(
            "sometimes"
                .parse::<ExecutionPolicy>()
                .unwrap_err()
                .hint
                .contains("allow")
        );
    }

    #[test]
    fn the_same_job_however_spelled_and_named() {
        let existing = stored(input().validate(&[]).unwrap());
        let same = |f: &dyn Fn(&mut ScheduleInput)| {
            let mut i = input();
            f(&mut i);
            i.validate(&[]).unwrap().same_job_as(&existing)
        };
        assert!(same(&|_| {}));
        assert!(same(&|i| i.cron_expression = "@daily".into()));
        assert!(same(&|i| {
            i.name = Some("other".into());
            i.description = Some("d".into());
            i.tags = vec!["t".into()];
        }));
        assert!(!same(&|i| i.enabled = false));
        assert!(!same(&|i| i.cron_expression = "0 1 * * *".into()));
        assert!(!same(&|i| i.timezone = Some("Asia/Tokyo".into())));
        assert!(!same(&|i| i.params = vec![("k".into(), Value::from(1))]));
        assert!(!same(&|i| i.args = Some(vec![Value::from(1)])));
        assert!(!same(&|i| i.queue = Some("other".into())));
        assert!(!same(&|i| i.task_name = "app.tasks.other".into()));
    }

    #[test]
    fn names_stay_unless_given_or_regenerated() {
        let current = stored(input().validate(&[]).unwrap());
        let patch = SchedulePatch {
            cron_expression: Some("0 * * * *".into()),
            ..Default::default()
        };
        let (next, name) = patch.apply(&current, &[]).unwrap();
        assert_eq!(
            name,
            NameChoice::KeepAuto(current.name.clone()),
            "a new cron does not rename the schedule"
        );
        assert!(next.auto_generated_name);
        let patch = SchedulePatch {
            cron_expression: Some("0 * * * *".into()),
            regenerate_name: true,
            ..Default::default()
        };
        let (next, name) = patch.apply(&current, &[]).unwrap();
        assert_eq!(name, NameChoice::Auto("fetch_listed_info_hourly".into()));
        assert!(next.auto_generated_name);
        let patch = SchedulePatch {
            regenerate_name: true,
            ..Default::default()
        };
        assert!(!patch.is_empty());
        assert_eq!(
            patch.apply(&current, &[]).unwrap().1,
            NameChoice::KeepAuto(current.name.clone()),
            "regenerating the name it already has keeps it"
        );
        let patch = SchedulePatch {
            description: Some(Some("x".into())),
            ..Default::default()
        };
        assert_eq!(
            patch.apply(&current, &[]).unwrap().1,
            NameChoice::KeepAuto(current.name.clone()),
            "a generated name stays as it is when nothing it derives from changes"
        );
        let patch = SchedulePatch {
            name: Some("mine".into()),
            cron_expression: Some("@hourly".into()),
            ..Default::default()
        };
        let (next, name) = patch.apply(&current, &[]).unwrap();
        assert_eq!(name, NameChoice::Explicit("mine".into()));
        assert!(!next.auto_generated_name);
        let patch = SchedulePatch {
            cron_expression: Some("@daily".into()),
            ..Default::default()
        };
        assert_eq!(
            patch.apply(&next, &[]).unwrap().1,
            NameChoice::Explicit("mine".into())
        );
    }

    #[test]
    fn update_tags_and_clears() {
        let mut i = input();
        i.tags = vec!["a".into(), "b".into()];
        i.category = Some("reports".into());
        i.description = Some("d".into());
        let current = stored(i.validate(&[]).unwrap());
        let patch = SchedulePatch {
            add_tags: vec!["c".into(), "a".into()],
            remove_tags: vec!["b".into()],
            category: Some(None),
            description: Some(None),
            ..Default::default()
        };
        let (next, _) = patch.apply(&current, &[]).unwrap();
        assert_eq!(next.tags, vec!["a", "c"]);
        assert_eq!((next.category, next.description), (None, None));
        assert!(SchedulePatch::default().is_empty());
    }

    #[test]
    fn update_refuses_control_characters_and_keeps_a_stored_name() {
        let current = stored(input().validate(&[]).unwrap());
        for patch in [
            SchedulePatch {
                name: Some("a\u{1b}[2Jb".into()),
                ..Default::default()
            },
            SchedulePatch {
                description: Some(Some("x\ry".into())),
                ..Default::default()
            },
            SchedulePatch {
                category: Some(Some("a\u{85}c".into())),
                ..Default::default()
            },
            SchedulePatch {
                add_tags: vec!["t\u{0}".into()],
                ..Default::default()
            },
        ] {
            let e = patch.apply(&current, &[]).unwrap_err();
            assert!(e.message.contains("control character"), "{e:?}");
        }
        // A name another program wrote is kept as it is when the update does not rename.
        let mut foreign = current.clone();
        foreign.name = "from\u{1b}[31mpython".into();
        foreign.auto_generated_name = false;
        let patch = SchedulePatch {
            enabled: Some(false),
            ..Default::default()
        };
        let (next, _) = patch.apply(&foreign, &[]).unwrap();
        assert_eq!(next.name, foreign.name);
    }

    #[test]
    fn options_keep_unknown_keys() {
        let raw =
            json!({"queue": "q", "priority": 3, "expires": 30, "exchange": "x", "priority_bad": 1});
        let opts = DeliveryOptions::from_json(raw.clone());
        assert_eq!((opts.queue.as_deref(), opts.priority), (Some("q"), Some(3)));
        assert_eq!(opts.to_json(), raw);
        let odd = DeliveryOptions::from_json(json!({"priority": 42}));
        assert_eq!(odd.priority, None);
        assert_eq!(odd.to_json(), json!({"priority": 42}));
    }
}
