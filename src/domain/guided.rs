//! The guided `schedule add`: which parameters to ask for, from a task's JSON Schema, and how a
//! typed answer becomes a JSON value. The prompting itself lives in the cli layer.

use serde_json::{Map, Value};

/// The JSON type a parameter is asked as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `"type": "string"` (and anything untyped that is not JSON-looking).
    String,
    /// `"type": "integer"`.
    Integer,
    /// `"type": "number"`.
    Number,
    /// `"type": "boolean"`.
    Boolean,
    /// Objects, arrays and unions: the answer is JSON.
    Json,
}

/// One parameter to ask for.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// The kwargs key.
    pub name: String,
    /// How the answer is read.
    pub kind: Kind,
    /// The schema's `description` (or `title`).
    pub description: Option<String>,
    /// The schema's `default`.
    pub default: Option<Value>,
    /// The schema's `enum` (asked as a choice when not empty).
    pub choices: Vec<Value>,
    /// Listed in the schema's `required`.
    pub required: bool,
}

/// The questions for a schema's top-level `properties`, in the schema's order.
pub fn questions(schema: &Value) -> Vec<Question> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    props
        .iter()
        .map(|(name, prop)| Question {
            name: name.clone(),
            kind: kind(prop),
            description: prop
                .get("description")
                .or_else(|| prop.get("title"))
                .and_then(Value::as_str)
                .map(str::to_string),
            default: prop.get("default").cloned(),
            choices: prop
                .get("enum")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            required: required.contains(&name.as_str()),
        })
        .collect()
}

fn kind(prop: &Value) -> Kind {
    match prop.get("type").and_then(Value::as_str) {
        Some("string") => Kind::String,
        Some("integer") => Kind::Integer,
        Some("number") => Kind::Number,
        Some("boolean") => Kind::Boolean,
        Some(_) => Kind::Json,
        None if prop.get("type").is_some() => Kind::Json,
        None => Kind::String,
    }
}

/// Reads an answer. Empty: the default, else nothing (`Ok(None)`) — or an error when the
/// parameter is required. Otherwise the text as the parameter's type.
pub fn answer(q: &Question, text: &str) -> Result<Option<Value>, String> {
    let text = text.trim();
    if text.is_empty() {
        return match (&q.default, q.required) {
            (Some(d), _) => Ok(Some(d.clone())),
            (None, true) => Err(format!("{} is required", q.name)),
            (None, false) => Ok(None),
        };
    }
    let value = match q.kind {
        Kind::String => Value::String(text.to_string()),
        Kind::Integer => text
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("{} must be a whole number, e.g. 10", q.name))?,
        Kind::Number => serde_json::from_str::<Value>(text)
            .ok()
            .filter(Value::is_number)
            .ok_or_else(|| format!("{} must be a number, e.g. 2.5", q.name))?,
        Kind::Boolean => match text.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" => Value::Bool(true),
            "false" | "no" | "n" => Value::Bool(false),
            _ => return Err(format!("{} must be true or false", q.name)),
        },
        Kind::Json => serde_json::from_str::<Value>(text)
            .map_err(|e| format!("{} must be JSON: {e}", q.name))?,
    };
    Ok(Some(value))
}

/// Puts the answers into kwargs, in question order.
pub fn kwargs(answers: Vec<(String, Value)>) -> Map<String, Value> {
    answers.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "type": "object",
            "required": ["period"],
            "properties": {
                "period": {"type": "string", "enum": ["daily", "weekly"], "description": "how often"},
                "limit": {"type": "integer", "default": 10},
                "ratio": {"type": "number"},
                "dry": {"type": "boolean"},
                "ids": {"type": "array"}
            }
        })
    }

    #[test]
    fn questions_follow_the_schema() {
        let q = questions(&schema());
        let names: Vec<&str> = q.iter().map(|q| q.name.as_str()).collect();
        assert_eq!(names, ["period", "limit", "ratio", "dry", "ids"]);
        assert!(q[0].required && !q[1].required);
        assert_eq!(q[0].choices, [json!("daily"), json!("weekly")]);
        assert_eq!(q[0].description.as_deref(), Some("how often"));
        assert_eq!(q[1].default, Some(json!(10)));
        assert_eq!(
            q.iter().map(|q| q.kind).collect::<Vec<_>>(),
            [
                Kind::String,
                Kind::Integer,
                Kind::Number,
                Kind::Boolean,
                Kind::Json
            ]
        );
        assert!(questions(&json!({"type": "object"})).is_empty());
    }

    #[test]
    fn answers_are_typed() {
        let q = questions(&schema());
        assert!(answer(&q[0], "").unwrap_err().contains("required"));
        assert_eq!(answer(&q[1], "").unwrap(), Some(json!(10)));
        assert_eq!(answer(&q[1], "25").unwrap(), Some(json!(25)));
        assert!(answer(&q[1], "2.5").is_err());
        assert_eq!(answer(&q[2], "2.5").unwrap(), Some(json!(2.5)));
        assert!(answer(&q[2], "x").is_err());
        assert_eq!(answer(&q[3], "yes").unwrap(), Some(json!(true)));
        assert_eq!(answer(&q[3], "").unwrap(), None);
        assert_eq!(answer(&q[4], "[1, 2]").unwrap(), Some(json!([1, 2])));
        assert!(answer(&q[4], "[1,").is_err());
    }
}
