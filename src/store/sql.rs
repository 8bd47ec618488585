//! SQL text shared by both backends: the column list and the dynamic WHERE clauses, written
//! once with the dialect differences (placeholders, JSON containment, ILIKE) in one place.

use uuid::Uuid;

use super::ScheduleFilter;
use crate::domain::reference::ScheduleRef;

/// The columns of `celery_beat_schedules`, in the order the row decoders read them.
pub const COLUMNS: &str = "id, name, task_name, cron_expression, timezone, enabled, args, kwargs, \
    description, category, tags, execution_policy, auto_generated_name, options, last_run_at, \
    total_run_count, created_at, updated_at, jitter_seconds, paused_at, paused_by, pause_reason, \
    paused_until, resumed_at";

/// Inserts a row; binds follow [`COLUMNS`] order.
pub const INSERT: &str = "INSERT INTO celery_beat_schedules (id, name, task_name, cron_expression, \
    timezone, enabled, args, kwargs, description, category, tags, execution_policy, \
    auto_generated_name, options, jitter_seconds, last_run_at, total_run_count, created_at, \
    updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)";

/// Overwrites the user-editable columns of a row if it still has the expected `updated_at`
/// ($17, see [`unchanged_since`]). Run bookkeeping (`last_run_at`, `total_run_count`) is left
/// alone. $1..$15 bind as for INSERT; $16 is the new `updated_at`. A row switched on by it
/// (`update --enabled`, `apply`) loses its pause and is resumed at $16, as `schedule enable`
/// would do; a row switched off by it (`update --disabled`, `apply`) loses whatever pause
/// another program left on it while it was on (a stale until would switch it on again) and
/// records who switched it off and when ($19, $18: the next state's, as `disable` does; NULL
/// when the caller does not say); a row that stays off keeps its pause.
pub fn update(dialect: Dialect) -> String {
    let version = unchanged_since(dialect, "$17");
    format!(
        "UPDATE celery_beat_schedules SET name = $2, task_name = $3, cron_expression = $4, timezone = $5, \
         enabled = $6, args = $7, kwargs = $8, description = $9, category = $10, tags = $11, \
         execution_policy = $12, auto_generated_name = $13, options = $14, jitter_seconds = $15, \
         updated_at = $16, \
         paused_at = CASE WHEN $6 THEN NULL WHEN enabled THEN $18 ELSE paused_at END, \
         paused_by = CASE WHEN $6 THEN NULL WHEN enabled THEN $19 ELSE paused_by END, \
         pause_reason = CASE WHEN $6 OR enabled THEN NULL ELSE pause_reason END, \
         paused_until = CASE WHEN $6 OR enabled THEN NULL ELSE paused_until END, \
         resumed_at = CASE WHEN $6 AND NOT enabled THEN $16 ELSE resumed_at END \
         WHERE id = $1 AND {version} RETURNING {COLUMNS}"
    )
}

/// The assignments of a switch (`enable`, `disable`, `pause`, `resume`), its binds numbered
/// from `$first`: `enabled` and the pause columns, and `resumed_at` when it switches on.
pub fn switch_set(switch: &crate::domain::pause::Switch, first: usize) -> (String, Vec<Bind>) {
    use crate::domain::pause::Switch;
    let (columns, binds): (&[&str], Vec<Bind>) = match switch {
        Switch::On { at } => (
            &[
                "enabled",
                "paused_at",
                "paused_by",
                "pause_reason",
                "paused_until",
                "resumed_at",
            ],
            vec![
                Bind::Bool(true),
                Bind::OptTime(None),
                Bind::OptText(None),
                Bind::OptText(None),
                Bind::OptTime(None),
                Bind::Time(*at),
            ],
        ),
        Switch::Off(p) => (
            &[
                "enabled",
                "paused_at",
                "paused_by",
                "pause_reason",
                "paused_until",
            ],
            vec![
                Bind::Bool(false),
                Bind::OptTime(p.at),
                Bind::OptText(p.by.clone()),
                Bind::OptText(p.reason.clone()),
                Bind::OptTime(p.until),
            ],
        ),
    };
    let set = columns
        .iter()
        .enumerate()
        .map(|(n, c)| format!("{c} = ${}", first + n))
        .collect::<Vec<_>>()
        .join(", ");
    (set, binds)
}

/// The condition that a row's `updated_at` is still the instant bound at `param`: the version
/// check of every write that was planned from an earlier read.
///
/// SQLite stores timestamps as text: stockura writes exactly 27 characters
/// (`2026-01-01T00:00:00.000000Z`), and a row written by another program in another form
/// (`2026-01-01 00:00:00`) is compared by its instant instead.
pub fn unchanged_since(dialect: Dialect, param: &str) -> String {
    match dialect {
        Dialect::Postgres => format!("updated_at = {param}"),
        // Another program's form of the same instant matches too; a value that is no time at
        // all (read as unreadable) matches whatever version the write expects: nothing could
        // tell a change by it, and the write replaces it.
        Dialect::Sqlite => format!(
            "(updated_at = {param} OR (length(updated_at) <> 27 AND (julianday(updated_at) = julianday({param}) OR julianday(updated_at) IS NULL)))"
        ),
    }
}

/// The columns of `task_definitions`, with the number of schedules of each task.
pub const TASK_COLUMNS: &str = "t.id, t.task_name, t.category, t.description, t.parameter_schema, \
    t.created_at, t.updated_at, \
    (SELECT count(*) FROM celery_beat_schedules s WHERE s.task_name = t.task_name) AS schedule_count";

/// Creates or replaces a definition; binds id, task_name, category, description,
/// parameter_schema, now. The id of the returned row tells whether it was created.
pub const UPSERT_TASK: &str = "INSERT INTO task_definitions (id, task_name, category, description, \
    parameter_schema, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
    ON CONFLICT (task_name) DO UPDATE SET category = excluded.category, \
    description = excluded.description, parameter_schema = excluded.parameter_schema, \
    updated_at = excluded.updated_at RETURNING CAST(id AS TEXT)";

/// The clauses that find the definitions a TASK argument could mean: the exact name, or a
/// name ending with `.TASK` (case-sensitive on both backends).
pub fn task_reference(dialect: Dialect, reference: &str) -> (String, Vec<Bind>) {
    (
        format!(
            " WHERE t.task_name = $1 OR {} = $2",
            suffix_of(dialect, "t.task_name", "$2")
        ),
        vec![
            Bind::Text(reference.to_string()),
            Bind::Text(format!(".{reference}")),
        ],
    )
}

/// The last `length(param)` characters of `column`.
fn suffix_of(dialect: Dialect, column: &str, param: &str) -> String {
    match dialect {
        Dialect::Postgres => format!("right({column}, char_length({param}))"),
        Dialect::Sqlite => format!("substr({column}, -length({param}))"),
    }
}

/// The history retention's statement, both backends: at most `$2` runs whose slot is before
/// `$1`, the oldest first.
pub const DELETE_RUNS_BEFORE: &str = "DELETE FROM schedule_runs WHERE id IN (SELECT id FROM schedule_runs \
     WHERE scheduled_for < $1 ORDER BY scheduled_for LIMIT $2)";

/// The columns of `schedule_runs`, in the order the row decoders read them.
pub const RUN_COLUMNS: &str = "id, schedule_id, schedule_name, task_name, celery_task_id, scheduled_for, \
    dispatched_at, trigger, status, detail, args, kwargs, created_at, push_marker";

impl Where {
    /// The clauses of `stockura history`.
    pub fn runs(dialect: Dialect, f: &crate::domain::run::RunFilter) -> Self {
        let mut w = Self::new(dialect);
        if let Some(id) = f.schedule_id {
            let p = w.bind(Bind::Id(id));
            w.clauses.push(format!("schedule_id = {p}"));
        }
        if let Some(name) = &f.schedule_name {
            let p = w.bind(Bind::Text(name.clone()));
            w.clauses.push(format!("schedule_name = {p}"));
        }
        if let Some(status) = f.status {
            let p = w.bind(Bind::Text(status.as_str().to_string()));
            w.clauses.push(format!("status = {p}"));
        }
        if let Some(task) = &f.task {
            let exact = w.bind(Bind::Text(task.clone()));
            let suffix = w.bind(Bind::Text(format!(".{task}")));
            w.clauses.push(format!(
                "(task_name = {exact} OR {} = {suffix})",
                suffix_of(dialect, "task_name", &suffix)
            ));
        }
        if let Some(since) = f.since {
            let p = w.bind(Bind::Time(since));
            w.clauses.push(format!("scheduled_for >= {p}"));
        }
        if let Some(after) = f.after_id {
            let p = w.bind(Bind::Int(after));
            w.clauses.push(format!("id > {p}"));
        }
        w
    }
}

/// `SELECT` of the runs a filter selects, in its order (see [`RunFilter::after_id`]).
pub fn list_runs(dialect: Dialect, f: &crate::domain::run::RunFilter) -> (String, Vec<Bind>) {
    let w = Where::runs(dialect, f);
    let order = if f.after_id.is_some() {
        "id"
    } else {
        "scheduled_for DESC, id DESC"
    };
    (
        format!(
            "SELECT {RUN_COLUMNS} FROM schedule_runs{} ORDER BY {order} LIMIT {}",
            w.sql(),
            f.limit.max(0)
        ),
        w.binds,
    )
}

/// The order of every listing.
pub const ORDER: &str = " ORDER BY name, created_at, id";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Sqlite,
}

/// A value to bind, in placeholder order. Each backend binds it in its own types: an id is a
/// `uuid` on Postgres and its hyphenated text on SQLite, a time a `timestamptz` or RFC 3339
/// text, JSON a `jsonb` or its text.
#[derive(Debug, Clone)]
pub enum Bind {
    Text(String),
    OptText(Option<String>),
    Bool(bool),
    Int(i64),
    OptInt(Option<i64>),
    Id(Uuid),
    Time(chrono::DateTime<chrono::Utc>),
    OptTime(Option<chrono::DateTime<chrono::Utc>>),
    Json(serde_json::Value),
    OptJson(Option<serde_json::Value>),
}

/// The binds $1..$15 of [`INSERT`] and [`update`]: the columns a user edits.
pub fn editable(s: &crate::domain::Schedule) -> Vec<Bind> {
    use serde_json::Value;
    vec![
        Bind::Id(s.id),
        Bind::Text(s.name.clone()),
        Bind::Text(s.task_name.clone()),
        Bind::Text(s.cron_expression.clone()),
        Bind::OptText(s.timezone.clone()),
        Bind::Bool(s.enabled),
        Bind::Json(Value::Array(s.args.clone())),
        Bind::Json(Value::Object(s.kwargs.clone())),
        Bind::OptText(s.description.clone()),
        Bind::OptText(s.category.clone()),
        Bind::Json(Value::from(s.tags.clone())),
        Bind::Text(s.execution_policy.as_str().to_string()),
        Bind::Bool(s.auto_generated_name),
        Bind::Json(s.options.to_json()),
        Bind::OptInt(s.jitter.map(|j| i64::from(j.secs()))),
    ]
}

/// A WHERE clause under construction.
pub struct Where {
    dialect: Dialect,
    clauses: Vec<String>,
    pub binds: Vec<Bind>,
}

impl Where {
    pub fn new(dialect: Dialect) -> Self {
        Self {
            dialect,
            clauses: Vec::new(),
            binds: Vec::new(),
        }
    }

    /// Adds a bind value and returns its placeholder.
    fn bind(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    fn like(&self) -> &'static str {
        match self.dialect {
            Dialect::Postgres => "ILIKE",
            Dialect::Sqlite => "LIKE",
        }
    }

    /// `" WHERE a AND b"`, or nothing.
    pub fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    /// The clauses of `schedule list`.
    pub fn filter(dialect: Dialect, f: &ScheduleFilter) -> Self {
        let mut w = Self::new(dialect);
        if let Some(task) = &f.task {
            // Case-sensitive on both backends (SQLite's LIKE ignores ASCII case).
            let exact = w.bind(Bind::Text(task.clone()));
            let suffix = w.bind(Bind::Text(format!(".{task}")));
            w.clauses.push(format!(
                "(task_name = {exact} OR {} = {suffix})",
                suffix_of(dialect, "task_name", &suffix)
            ));
        }
        if let Some(task_name) = &f.task_name {
            let p = w.bind(Bind::Text(task_name.clone()));
            w.clauses.push(format!("task_name = {p}"));
        }
        if let Some(category) = &f.category {
            let p = w.bind(Bind::Text(category.clone()));
            w.clauses.push(format!("category = {p}"));
        }
        if !f.tags.is_empty() {
            match dialect {
                Dialect::Postgres => {
                    let p = w.bind(Bind::Text(
                        serde_json::Value::from(f.tags.clone()).to_string(),
                    ));
                    w.clauses.push(format!("tags @> {p}::jsonb"));
                }
                Dialect::Sqlite => {
                    for tag in &f.tags {
                        let p = w.bind(Bind::Text(tag.clone()));
                        w.clauses.push(format!(
                            "EXISTS (SELECT 1 FROM json_each(celery_beat_schedules.tags) AS t WHERE t.value = {p})"
                        ));
                    }
                }
            }
        }
        if let Some(enabled) = f.enabled {
            let p = w.bind(Bind::Bool(enabled));
            w.clauses.push(format!("enabled = {p}"));
        }
        if f.paused {
            let p = w.bind(Bind::Bool(false));
            w.clauses
                .push(format!("enabled = {p} AND pause_reason IS NOT NULL"));
        }
        if let Some(search) = &f.search {
            let p = w.bind(Bind::Text(format!("%{}%", escape_like(search))));
            let like = w.like();
            w.clauses.push(format!(
                "(name {like} {p} ESCAPE '\\' OR task_name {like} {p} ESCAPE '\\' \
                 OR COALESCE(description, '') {like} {p} ESCAPE '\\' OR COALESCE(category, '') {like} {p} ESCAPE '\\')"
            ));
        }
        w
    }

    /// The clauses that find what a REF could mean.
    pub fn reference(dialect: Dialect, r: &ScheduleRef) -> Self {
        let mut w = Self::new(dialect);
        let id_text = match dialect {
            Dialect::Postgres => "replace(id::text, '-', '')",
            Dialect::Sqlite => "replace(lower(id), '-', '')",
        };
        match r {
            ScheduleRef::Id(id) => {
                let p = w.bind(Bind::Id(*id));
                w.clauses.push(format!("id = {p}"));
            }
            ScheduleRef::PrefixOrName { prefix, name } => {
                let p = w.bind(Bind::Text(format!("{}%", prefix.replace('-', ""))));
                let n = w.bind(Bind::Text(name.clone()));
                w.clauses
                    .push(format!("({id_text} LIKE {p} OR name = {n})"));
            }
            ScheduleRef::Name(name) => {
                let n = w.bind(Bind::Text(name.clone()));
                w.clauses.push(format!("name = {n}"));
            }
        }
        w
    }

    /// `id IN (…)` for a set of ids.
    pub fn ids(dialect: Dialect, ids: &[Uuid]) -> Self {
        let mut w = Self::new(dialect);
        let list: Vec<String> = ids.iter().map(|id| w.bind(Bind::Id(*id))).collect();
        w.clauses.push(format!("id IN ({})", list.join(", ")));
        w
    }

    /// Adds `extra` with one more bind, e.g. `("enabled <> {}", Bind::Bool(true))`.
    pub fn and(mut self, template: &str, value: Bind) -> Self {
        let p = self.bind(value);
        self.clauses.push(template.replace("{}", &p));
        self
    }

    /// Adds a condition without a bind.
    pub fn and_raw(mut self, clause: &str) -> Self {
        self.clauses.push(clause.to_string());
        self
    }

    /// Adds the version check [`unchanged_since`] with `updated_at` as the bound instant.
    pub fn unchanged_since(mut self, updated_at: chrono::DateTime<chrono::Utc>) -> Self {
        let p = self.bind(Bind::Time(updated_at));
        self.clauses.push(unchanged_since(self.dialect, &p));
        self
    }

    /// Names that a generated `base` name could collide with: `base` and `base_…`.
    pub fn name_family(dialect: Dialect, base: &str, except: Option<Uuid>) -> Self {
        let mut w = Self::new(dialect);
        let exact = w.bind(Bind::Text(base.to_string()));
        let family = w.bind(Bind::Text(format!("{}\\_%", escape_like(base))));
        w.clauses.push(format!(
            "(name = {exact} OR name LIKE {family} ESCAPE '\\')"
        ));
        match except {
            Some(id) => w.and("id <> {}", Bind::Id(id)),
            None => w,
        }
    }
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_sql_per_dialect() {
        let f = ScheduleFilter {
            task: Some("fetch".into()),
            tags: vec!["a".into(), "b".into()],
            enabled: Some(true),
            search: Some("50%".into()),
            ..Default::default()
        };
        let pg = Where::filter(Dialect::Postgres, &f);
        assert!(pg.sql().contains("tags @> $3::jsonb"), "{}", pg.sql());
        assert!(pg.sql().contains("name ILIKE $5"), "{}", pg.sql());
        assert_eq!(pg.binds.len(), 5);
        let lite = Where::filter(Dialect::Sqlite, &f);
        assert!(lite.sql().contains("t.value = $4"), "{}", lite.sql());
        assert_eq!(lite.binds.len(), 6);
        assert!(matches!(&lite.binds[5], Bind::Text(t) if t == "%50\\%%"));
        assert_eq!(Where::new(Dialect::Sqlite).sql(), "");
    }

    #[test]
    fn like_escaping() {
        assert_eq!(escape_like("a_b%c\\"), "a\\_b\\%c\\\\");
    }
}

/// Column decoding shared by both backends: JSON shapes and enums that another writer (the
/// Python application, psql) could have left malformed. A malformed column does not fail the
/// row: it is recorded in `bad` and read as empty, so the row can still be listed, shown and
/// deleted, and an update must replace that column (see `domain::schedule::Unreadable`).
pub mod decode {
    use serde_json::{Map, Value};

    use crate::domain::ExecutionPolicy;
    use crate::domain::schedule::Unreadable;

    use crate::domain::params::json_kind as kind;

    fn note(bad: &mut Vec<Unreadable>, column: &'static str, problem: String) {
        bad.push(Unreadable { column, problem });
    }

    pub fn args(v: Value, bad: &mut Vec<Unreadable>) -> Vec<Value> {
        match v {
            Value::Null => Vec::new(),
            Value::Array(items) => items,
            other => {
                note(
                    bad,
                    "args",
                    format!("expected a JSON array, found {}", kind(&other)),
                );
                Vec::new()
            }
        }
    }

    pub fn kwargs(v: Value, bad: &mut Vec<Unreadable>) -> Map<String, Value> {
        match v {
            Value::Null => Map::new(),
            Value::Object(map) => map,
            other => {
                note(
                    bad,
                    "kwargs",
                    format!("expected a JSON object, found {}", kind(&other)),
                );
                Map::new()
            }
        }
    }

    pub fn tags(v: Value, bad: &mut Vec<Unreadable>) -> Vec<String> {
        match v {
            Value::Null => Vec::new(),
            Value::Array(items) => items
                .into_iter()
                .map(|t| match t {
                    Value::String(s) => s,
                    other => other.to_string(),
                })
                .collect(),
            other => {
                note(
                    bad,
                    "tags",
                    format!("expected a JSON array of strings, found {}", kind(&other)),
                );
                Vec::new()
            }
        }
    }

    pub fn options(v: Value, bad: &mut Vec<Unreadable>) -> Value {
        match v {
            Value::Null | Value::Object(_) => v,
            other => {
                note(
                    bad,
                    "options",
                    format!("expected a JSON object, found {}", kind(&other)),
                );
                Value::Null
            }
        }
    }

    pub fn policy(s: &str, bad: &mut Vec<Unreadable>) -> ExecutionPolicy {
        s.parse().unwrap_or_else(|_| {
            note(bad, "execution_policy", format!("unknown policy '{s}'"));
            ExecutionPolicy::default()
        })
    }

    pub fn json_text(
        column: &'static str,
        text: Option<String>,
        bad: &mut Vec<Unreadable>,
    ) -> Value {
        match text.map(|t| serde_json::from_str(&t)) {
            None => Value::Null,
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                note(bad, column, format!("not valid JSON: {e}"));
                Value::Null
            }
        }
    }
}

/// Claims a held run: `deferred` becomes `dispatched` only once ($1 id, $2 sent at, $3 detail).
pub const PROMOTE_DEFERRED: &str = "UPDATE schedule_runs SET status = 'owed', push_marker = $2 \
    WHERE id = $1 AND status = 'deferred'";

/// Writes a scheduler's heartbeat ($1..$13 in column order).
pub const PUT_INSTANCE: &str = "INSERT INTO stockura_beat_instances (instance_id, host, pid, version, \
    started_at, role, leadership, schedules, last_tick_at, lag_ms, change_version, heartbeat_at, expires_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
    ON CONFLICT (instance_id) DO UPDATE SET role = excluded.role, leadership = excluded.leadership, \
    schedules = excluded.schedules, last_tick_at = excluded.last_tick_at, lag_ms = excluded.lag_ms, \
    change_version = excluded.change_version, heartbeat_at = excluded.heartbeat_at, \
    expires_at = excluded.expires_at";

/// Every heartbeat row.
pub const LIST_INSTANCES: &str = "SELECT instance_id, host, pid, version, started_at, role, leadership, \
    schedules, last_tick_at, lag_ms, change_version, heartbeat_at, expires_at FROM stockura_beat_instances";

/// The runs held by the `queue` policy, oldest slot first.
pub fn deferred_runs() -> String {
    runs_in("deferred")
}

/// The runs of schedule `$1` that claim a slot in `[$2, $3)` (see
/// [`Trigger::claims_slot`](crate::domain::run::Trigger::claims_slot): at most one a slot),
/// and the re-sends left `owed` there, oldest slot first. Served by the claim index, whose
/// first keys these are.
pub fn slot_claims() -> String {
    format!(
        "SELECT {RUN_COLUMNS} FROM schedule_runs WHERE schedule_id = $1 \
         AND scheduled_for >= $2 AND scheduled_for < $3 \
         AND (trigger IN ('schedule', 'catchup', 'backfill') AND status <> 'dry_run' \
         OR trigger = 'resend' AND status = 'owed') \
         ORDER BY scheduled_for, id"
    )
}

/// Makes run `$1`, a claim that was not sent and never will be (`missed`, `failed`, or
/// `skipped` by a policy), the claim of a backfill: trigger `$2`, `owed` with the task id `$3`
/// and the push `$4` that is to carry it, the arguments `$5` and `$6` it is sent with, the
/// detail `$7`. Only while it is still in such a state: two backfills cannot both take it.
pub const RETAKE_RUN: &str = "UPDATE schedule_runs SET trigger = $2, status = 'owed', \
    celery_task_id = $3, push_marker = $4, args = $5, kwargs = $6, detail = $7, dispatched_at = NULL \
    WHERE id = $1 AND status IN ('missed', 'failed', 'skipped') \
    AND trigger IN ('schedule', 'catchup', 'backfill')";

/// Every `owed` run whose schedule still exists, oldest slot first.
pub fn owed_runs() -> String {
    runs_in("owed")
}

fn runs_in(status: &str) -> String {
    format!(
        "SELECT {RUN_COLUMNS} FROM schedule_runs WHERE status = '{status}' AND schedule_id IS NOT NULL \
         ORDER BY scheduled_for, id"
    )
}
