//! The declarative schedule document of `stockura schedule export` (and, later, `apply`):
//! schedules keyed by their name, without ids, run counters or timestamps, so that a person can
//! edit it and keep it in git.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::DomainError;
use super::schedule::Schedule;
use super::task::TaskDefinition;

/// The whole document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Who owns the schedules of this file (used by `apply --prune`); absent in an export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The schedules, keyed (and sorted) by name.
    #[serde(default)]
    pub schedules: BTreeMap<String, ManifestSchedule>,
    /// Task definitions, keyed by task name (`--with-tasks`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tasks: BTreeMap<String, ManifestTask>,
}

/// One schedule; optional fields are left out when empty or at their default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestSchedule {
    /// The Celery task name.
    pub task: String,
    /// 5-field cron or a macro.
    pub cron: String,
    /// IANA zone; absent means `CELERY_TIMEZONE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Whether the scheduler fires it.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub enabled: bool,
    /// Positional arguments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<Value>,
    /// Keyword arguments.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub kwargs: Map<String, Value>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Grouping label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Labels (the `managed-by:` tag is not part of the document).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// `allow`, `skip` or `queue`.
    #[serde(default = "allow", skip_serializing_if = "is_allow")]
    pub policy: String,
    /// Delivery options (queue, priority, expires, anything else).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub options: Map<String, Value>,
    /// How far after its slots each message may be sent, such as `60s` (a bare number is
    /// seconds); absent means none.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "duration_text"
    )]
    pub jitter: Option<String>,
}

/// One task definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestTask {
    /// Default category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// JSON Schema of the kwargs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_schema: Option<Value>,
}

/// The tag prefix recording which `source:` a schedule was applied from.
pub const MANAGED_BY: &str = "managed-by:";

/// A duration written as text (`60s`, `1m30s`) or as a whole number of seconds (`60`).
fn duration_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(Value::Number(n)) if n.is_u64() => Ok(Some(format!("{n}s"))),
        Some(other) => Err(serde::de::Error::custom(format!(
            "expected a duration such as 60s or a whole number of seconds, found {other}"
        ))),
    }
}

fn yes() -> bool {
    true
}
fn is_true(b: &bool) -> bool {
    *b
}
fn allow() -> String {
    "allow".to_string()
}
fn is_allow(s: &String) -> bool {
    s == "allow"
}

impl ManifestSchedule {
    /// The document form of a stored schedule.
    pub fn from_schedule(s: &Schedule) -> Self {
        let options = match s.options.to_json() {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        Self {
            task: s.task_name.clone(),
            cron: s.cron_expression.clone(),
            timezone: s.timezone.clone(),
            enabled: s.enabled,
            args: s.args.clone(),
            kwargs: s.kwargs.clone(),
            description: s.description.clone(),
            category: s.category.clone(),
            tags: s
                .tags
                .iter()
                .filter(|t| !t.starts_with(MANAGED_BY))
                .cloned()
                .collect(),
            policy: s.execution_policy.as_str().to_string(),
            options,
            jitter: s.jitter.map(|j| j.to_string()),
        }
    }
}

impl Manifest {
    /// The document of `schedules` (and `tasks`). Names must be unique: a document is keyed by
    /// name, so duplicates are reported, all of them, rather than one silently dropped.
    pub fn from_store(
        schedules: &[Schedule],
        tasks: &[TaskDefinition],
    ) -> Result<Self, DomainError> {
        let mut by_name: BTreeMap<String, ManifestSchedule> = BTreeMap::new();
        let mut duplicates: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for s in schedules {
            if by_name
                .insert(s.name.clone(), ManifestSchedule::from_schedule(s))
                .is_some()
            {
                duplicates.entry(&s.name).or_default();
            }
        }
        if !duplicates.is_empty() {
            for s in schedules {
                if let Some(ids) = duplicates.get_mut(s.name.as_str()) {
                    ids.push(s.id.to_string());
                }
            }
            let list: Vec<String> = duplicates
                .iter()
                .map(|(name, ids)| format!("{name:?} ({})", ids.join(", ")))
                .collect();
            return Err(DomainError::new(
                format!(
                    "cannot export: schedule names must be unique in a document, and these are shared: {}",
                    list.join("; ")
                ),
                "rename all but one of each (stockura schedule update REF --name NEW), or narrow the selection with --task, --category or --tag",
            ));
        }
        let tasks = tasks
            .iter()
            .map(|t| {
                (
                    t.task_name.clone(),
                    ManifestTask {
                        category: t.category.clone(),
                        description: t.description.clone(),
                        parameter_schema: t.parameter_schema.clone(),
                    },
                )
            })
            .collect();
        Ok(Self {
            source: None,
            schedules: by_name,
            tasks,
        })
    }
}
