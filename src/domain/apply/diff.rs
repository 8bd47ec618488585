//! The field-level differences between what is stored and what the document asks for, as a
//! plan shows them.

use serde_json::{Map, Number, Value};

use crate::domain::manifest::MANAGED_BY;
use crate::domain::schedule::{DeliveryOptions, Schedule};
use crate::domain::task::{NewTaskDefinition, TaskDefinition};

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
    let jitter = |s: &Schedule| s.jitter.map(|j| Value::String(j.to_string()));
    field("jitter", jitter(before), jitter(after));
    out
}

pub(super) fn task_changes(before: &TaskDefinition, after: &NewTaskDefinition) -> Vec<FieldChange> {
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

    #[test]
    fn numbers_compare_by_value() {
        assert!(same_value(&json!({"a": [1.0]}), &json!({"a": [1]})));
        let big: Value = serde_json::from_str("1e2").unwrap();
        assert!(same_value(&big, &json!(100)));
        assert!(!same_value(&json!(1), &json!("1")));
    }
}
