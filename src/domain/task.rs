//! Task definitions: a JSON Schema for a Celery task's keyword arguments, checked whenever a
//! schedule of that task is written.

use chrono::{DateTime, Utc};
use jsonschema::{Draft, Validator};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::DomainError;
use super::naming;

/// A stored definition (a row of `task_definitions`).
#[derive(Debug, Clone, PartialEq)]
pub struct TaskDefinition {
    /// Primary key.
    pub id: Uuid,
    /// The Celery task name; unique.
    pub task_name: String,
    /// Default category of the task's schedules.
    pub category: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// A JSON Schema for the kwargs; `None` accepts anything.
    pub parameter_schema: Option<Value>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last modification time.
    pub updated_at: DateTime<Utc>,
}

/// A validated definition ready to write (create or replace).
#[derive(Debug, Clone, PartialEq)]
pub struct NewTaskDefinition {
    /// The Celery task name.
    pub task_name: String,
    /// See [`TaskDefinition::category`].
    pub category: Option<String>,
    /// See [`TaskDefinition::description`].
    pub description: Option<String>,
    /// See [`TaskDefinition::parameter_schema`].
    pub parameter_schema: Option<Value>,
}

/// One way in which kwargs break a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer into the kwargs (`/period_type`; empty for the object itself).
    pub path: String,
    /// What is wrong, in plain words.
    pub message: String,
    /// The schema keyword that failed (`enum`, `required`, `type`, …).
    pub keyword: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = if self.path.is_empty() {
            "/"
        } else {
            self.path.as_str()
        };
        write!(f, "{path}: {} ({})", self.message, self.keyword)
    }
}

/// A compiled parameter schema.
#[derive(Debug)]
pub struct ParameterSchema {
    validator: Validator,
    source: Value,
}

/// The draft a schema declares with `$schema`; 2020-12 when it declares none.
pub fn draft_of(schema: &Value) -> Result<Draft, DomainError> {
    let Some(declared) = schema.get("$schema") else {
        return Ok(Draft::Draft202012);
    };
    let uri = declared.as_str().unwrap_or_default();
    let normalized = uri.trim_end_matches('#').replace("https://", "http://");
    match normalized.as_str() {
        "http://json-schema.org/draft-04/schema" => Ok(Draft::Draft4),
        "http://json-schema.org/draft-06/schema" => Ok(Draft::Draft6),
        "http://json-schema.org/draft-07/schema" => Ok(Draft::Draft7),
        "http://json-schema.org/draft/2019-09/schema" => Ok(Draft::Draft201909),
        "http://json-schema.org/draft/2020-12/schema" => Ok(Draft::Draft202012),
        _ => Err(DomainError::new(
            format!(
                "invalid parameter schema: at /$schema: unsupported JSON Schema version {declared}"
            ),
            "declare https://json-schema.org/draft/2020-12/schema (the default), 2019-09, or draft 7, 6 or 4",
        )),
    }
}

impl ParameterSchema {
    /// Checks the schema against its draft's meta-schema and compiles it. `format` assertions
    /// (`date`, `date-time`, `email`, …) are enforced.
    pub fn compile(schema: &Value) -> Result<Self, DomainError> {
        if !schema.is_object() && !schema.is_boolean() {
            return Err(DomainError::new(
                "invalid parameter schema: it must be a JSON object (or true/false)",
                "write a JSON Schema object such as {\"type\": \"object\", \"properties\": {…}}",
            ));
        }
        let draft = draft_of(schema)?;
        let hint =
            "fix the schema at that path; see https://json-schema.org/understanding-json-schema/";
        jsonschema::meta::validate(schema).map_err(|e| {
            DomainError::new(
                format!(
                    "invalid parameter schema: at {}: {e}",
                    pointer(&e.instance_path().to_string())
                ),
                hint,
            )
        })?;
        let validator = jsonschema::options()
            .with_draft(draft)
            .should_validate_formats(true)
            .build(schema)
            .map_err(|e| {
                DomainError::new(
                    format!(
                        "invalid parameter schema: at {}: {e}",
                        pointer(&e.instance_path().to_string())
                    ),
                    hint,
                )
            })?;
        Ok(Self {
            validator,
            source: schema.clone(),
        })
    }

    /// Every violation of `kwargs`, in document order; empty when valid.
    pub fn violations(&self, kwargs: &Map<String, Value>) -> Vec<Violation> {
        let instance = Value::Object(kwargs.clone());
        self.validator
            .iter_errors(&instance)
            .map(|e| {
                let message = match e.kind() {
                    // List every allowed value: the library abbreviates long lists.
                    jsonschema::error::ValidationErrorKind::Enum { options } => {
                        let allowed: Vec<String> = options
                            .as_array()
                            .map(|a| a.iter().map(Value::to_string).collect())
                            .unwrap_or_default();
                        format!("{} is not one of {}", e.instance(), allowed.join(", "))
                    }
                    _ => e.to_string(),
                };
                Violation {
                    path: e.instance_path().to_string(),
                    message,
                    keyword: e.kind().keyword().to_string(),
                }
            })
            .collect()
    }

    /// The schema as given.
    pub fn source(&self) -> &Value {
        &self.source
    }
}

fn pointer(path: &str) -> String {
    if path.is_empty() {
        "/".into()
    } else {
        path.to_string()
    }
}

/// The error for kwargs that break a task's schema: every violation on its own line.
pub fn violations_error(task_name: &str, violations: &[Violation]) -> DomainError {
    let lines: String = violations.iter().map(|v| format!("\n  {v}")).collect();
    DomainError::new(
        format!(
            "the parameters do not match the schema of task {task_name} ({} problem(s)):{lines}",
            violations.len()
        ),
        format!(
            "fix the parameters (see `stockura task show {task_name}`), then run the command again"
        ),
    )
}

/// The parameter values that identify a run, for generated names: the values of the
/// properties listed in the schema's `x-name-params`, else of its `required` properties whose
/// values are strings, integers or booleans (at most two), each reduced to `[a-z0-9_]`.
pub fn name_params(schema: Option<&Value>, kwargs: &Map<String, Value>) -> Vec<String> {
    let Some(schema) = schema else {
        return Vec::new();
    };
    let scalar = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
            _ => None,
        }
    };
    let names = |key: &str| -> Vec<&str> {
        schema
            .get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    };
    let values: Vec<String> = if schema.get("x-name-params").is_some() {
        names("x-name-params")
            .into_iter()
            .filter_map(|k| kwargs.get(k))
            .filter_map(|v| match v {
                Value::Number(n) => Some(n.to_string()),
                other => scalar(other),
            })
            .collect()
    } else {
        names("required")
            .into_iter()
            .filter_map(|k| kwargs.get(k))
            .filter_map(scalar)
            .take(2)
            .collect()
    };
    values
        .iter()
        .map(|v| naming::sanitize(v))
        .filter(|v| !v.is_empty())
        .collect()
}

/// What a task's definition contributes to a schedule being written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DefinitionCheck {
    /// The param-info part of a generated name.
    pub param_info: Vec<String>,
    /// The definition's category, for schedules that name none.
    pub category: Option<String>,
}

/// Which definition a schedule's task argument names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TaskMatch<'a> {
    /// A definition of exactly that task name.
    Exact(&'a TaskDefinition),
    /// The one definition whose last dotted segment the argument is (`fetch` for
    /// `app.tasks.fetch`): the schedule is written with that definition's full name.
    Short(&'a TaskDefinition),
    /// Several definitions end in that segment: the full name is needed.
    Ambiguous,
    /// No definition applies: the name is written as given and its parameters are not checked.
    None,
}

impl<'a> TaskMatch<'a> {
    /// The definition found, if exactly one applies.
    pub fn definition(self) -> Option<&'a TaskDefinition> {
        match self {
            Self::Exact(d) | Self::Short(d) => Some(d),
            Self::Ambiguous | Self::None => None,
        }
    }
}

/// Finds the definition `task` names among `definitions`: the exact task name first, else the
/// one definition whose last dotted segment `task` is (only for an argument without a dot).
pub fn match_definition<'a>(
    definitions: impl IntoIterator<Item = &'a TaskDefinition>,
    task: &str,
) -> TaskMatch<'a> {
    let mut short: Vec<&'a TaskDefinition> = Vec::new();
    for def in definitions {
        if def.task_name == task {
            return TaskMatch::Exact(def);
        }
        if !task.contains('.')
            && def
                .task_name
                .rsplit_once('.')
                .is_some_and(|(_, last)| last == task)
        {
            short.push(def);
        }
    }
    match short.as_slice() {
        [] => TaskMatch::None,
        [one] => TaskMatch::Short(one),
        _ => TaskMatch::Ambiguous,
    }
}

/// The note printed when a schedule is written for a task no definition applies to.
pub fn no_definition_note(task: &str) -> String {
    format!(
        "no task definition applies to '{task}': it is stored as given and its parameters are not checked \
         (define it with `stockura task define`, or give the full name of a defined task)"
    )
}

/// Checks the kwargs a schedule of `task_name` would be written with against the task's
/// definition. Without a definition this passes, unless `require` (then it fails naming the
/// fix); with one, every schema violation is reported.
pub fn check_schedule(
    definition: Option<&TaskDefinition>,
    require: bool,
    task_name: &str,
    kwargs: &Map<String, Value>,
) -> Result<DefinitionCheck, DomainError> {
    let Some(def) = definition else {
        if require {
            return Err(DomainError::new(
                format!("task {task_name} has no definition, and task definitions are required"),
                format!(
                    "define it first (`stockura task define {task_name} --schema FILE`), or unset \
                     --require-definition / STOCKURA_REQUIRE_TASK_DEFINITIONS"
                ),
            ));
        }
        return Ok(DefinitionCheck::default());
    };
    if let Some(schema) = &def.parameter_schema {
        let compiled = ParameterSchema::compile(schema).map_err(|e| {
            DomainError::new(
                format!(
                    "the stored definition of task {task_name} has an unusable schema: {}",
                    e.message
                ),
                format!("fix it with `stockura task define {task_name} --schema FILE`"),
            )
        })?;
        let violations = compiled.violations(kwargs);
        if !violations.is_empty() {
            return Err(violations_error(task_name, &violations));
        }
    }
    Ok(DefinitionCheck {
        param_info: name_params(def.parameter_schema.as_ref(), kwargs),
        category: def.category.clone(),
    })
}

/// Validates what `task define` was given.
pub fn validate_definition(
    task_name: &str,
    schema: Option<Value>,
    category: Option<String>,
    description: Option<String>,
) -> Result<(NewTaskDefinition, Option<ParameterSchema>), DomainError> {
    let task_name = task_name.trim();
    super::params::check_text("task name", task_name)?;
    if task_name.is_empty()
        || task_name.chars().any(char::is_whitespace)
        || task_name.chars().count() > 255
    {
        return Err(DomainError::new(
            format!("invalid task name '{task_name}': it must be 1-255 characters without spaces"),
            "use the Celery task name, e.g. app.tasks.fetch_listed_info_task_asyncpg",
        ));
    }
    let category = category
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    if let Some(c) = &category {
        super::params::check_text("category", c)?;
    }
    let description = description
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty());
    if let Some(d) = &description {
        super::params::check_text("description", d)?;
    }
    if category.as_ref().is_some_and(|c| c.chars().count() > 50) {
        return Err(DomainError::new(
            "the category is longer than 50 characters",
            "shorten the category",
        ));
    }
    let compiled = schema.as_ref().map(ParameterSchema::compile).transpose()?;
    let new = NewTaskDefinition {
        task_name: task_name.to_string(),
        category,
        description,
        parameter_schema: schema,
    };
    Ok((new, compiled))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_match_one_definition_by_their_last_segment() {
        let def = |name: &str| TaskDefinition {
            id: Uuid::nil(),
            task_name: name.into(),
            category: None,
            description: None,
            parameter_schema: None,
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
        };
        let defs = [
            def("app.tasks.fetch"),
            def("app.tasks.report"),
            def("fetch"),
        ];
        assert_eq!(match_definition(&defs, "fetch"), TaskMatch::Exact(&defs[2]));
        assert_eq!(
            match_definition(&defs, "report"),
            TaskMatch::Short(&defs[1])
        );
        assert_eq!(match_definition(&defs, "tasks.report"), TaskMatch::None);
        assert_eq!(match_definition(&defs, "other"), TaskMatch::None);
        let two = [def("a.fetch"), def("b.fetch")];
        assert_eq!(match_definition(&two, "fetch"), TaskMatch::Ambiguous);
        assert_eq!(match_definition(&two, "a.fetch"), TaskMatch::Exact(&two[0]));
    }
    use serde_json::json;

    fn kwargs(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    fn example() -> Value {
        serde_json::from_str(include_str!("../../examples/fetch_listed_info.schema.json")).unwrap()
    }

    #[test]
    fn the_shipped_example_is_valid_and_enforced() {
        let schema = ParameterSchema::compile(&example()).unwrap();
        assert!(
            schema
                .violations(&kwargs(json!({"period_type": "daily"})))
                .is_empty()
        );
        assert!(schema.violations(&kwargs(json!({"period_type": "custom", "from_date": "2026-01-01", "to_date": "2026-01-31", "codes": ["7203", "6758"], "market": "prime"}))).is_empty());
        let v = schema.violations(&kwargs(json!({"period_type": "custom", "from_date": "2026-13-01", "codes": ["72"], "extra": 1})));
        let keywords: Vec<&str> = v.iter().map(|v| v.keyword.as_str()).collect();
        for k in ["required", "format", "minLength", "additionalProperties"] {
            assert!(keywords.contains(&k), "{k} missing in {v:#?}");
        }
        let date = v.iter().find(|v| v.keyword == "format").unwrap();
        assert_eq!(date.path, "/from_date");
    }

    #[test]
    fn every_violation_is_reported_with_path_message_and_keyword() {
        let schema = ParameterSchema::compile(&json!({
            "type": "object",
            "properties": {"period_type": {"enum": ["daily", "weekly"]}, "n": {"type": "integer"}},
            "required": ["period_type", "market"],
            "additionalProperties": false
        }))
        .unwrap();
        let v = schema.violations(&kwargs(
            json!({"period_type": "hourly", "n": "5", "zzz": true}),
        ));
        let mut seen: Vec<(String, String)> = v
            .iter()
            .map(|v| (v.path.clone(), v.keyword.clone()))
            .collect();
        seen.sort();
        assert_eq!(
            seen,
            [
                ("", "additionalProperties"),
                ("", "required"),
                ("/n", "type"),
                ("/period_type", "enum")
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
        let text = violations_error("t", &v).message;
        assert!(
            text.contains("/period_type: \"hourly\" is not one of") && text.contains("(enum)"),
            "{text}"
        );
        assert!(text.contains("4 problem(s)"), "{text}");
    }

    #[test]
    fn invalid_schemas_name_the_path() {
        let err = ParameterSchema::compile(
            &json!({"type": "object", "properties": {"a": {"type": "strin"}}}),
        )
        .unwrap_err();
        assert!(
            err.message.contains("/properties/a/type"),
            "{}",
            err.message
        );
        let err =
            ParameterSchema::compile(&json!({"type": "object", "required": "a"})).unwrap_err();
        assert!(err.message.contains("/required"), "{}", err.message);
        let err = ParameterSchema::compile(
            &json!({"$schema": "http://example.com/mine", "type": "object"}),
        )
        .unwrap_err();
        assert!(
            err.message.contains("unsupported JSON Schema version"),
            "{}",
            err.message
        );
        assert!(ParameterSchema::compile(&json!([1])).is_err());
        let err =
            ParameterSchema::compile(&json!({"properties": {"a": {"pattern": "("}}})).unwrap_err();
        assert!(
            err.message.contains("/properties/a/pattern"),
            "{}",
            err.message
        );
    }

    #[test]
    fn older_drafts_are_honoured() {
        // Draft 4: exclusiveMaximum is a boolean.
        let d4 = json!({"$schema": "http://json-schema.org/draft-04/schema#", "properties": {"n": {"maximum": 5, "exclusiveMaximum": true}}});
        let s = ParameterSchema::compile(&d4).unwrap();
        assert_eq!(s.violations(&kwargs(json!({"n": 5}))).len(), 1);
        // The same keyword as a boolean is invalid in 2020-12.
        assert!(
            ParameterSchema::compile(&json!({"properties": {"n": {"exclusiveMaximum": true}}}))
                .is_err()
        );
        assert_eq!(
            draft_of(&json!({"$schema": "https://json-schema.org/draft/2019-09/schema"})).unwrap(),
            Draft::Draft201909
        );
        assert_eq!(
            draft_of(&json!({"$schema": "http://json-schema.org/draft-07/schema#"})).unwrap(),
            Draft::Draft7
        );
    }

    #[test]
    fn name_params_from_annotation_then_required() {
        let annotated =
            json!({"x-name-params": ["period_type"], "required": ["market", "period_type"]});
        let kw = kwargs(json!({"period_type": "Weekly", "market": "prime"}));
        assert_eq!(name_params(Some(&annotated), &kw), ["weekly"]);
        let required = json!({"required": ["market", "codes", "period_type", "n"]});
        let kw =
            kwargs(json!({"period_type": "Month-End", "market": "prime", "codes": ["1"], "n": 3}));
        assert_eq!(name_params(Some(&required), &kw), ["prime", "month_end"]);
        assert!(name_params(None, &kw).is_empty());
        assert!(name_params(Some(&json!({})), &kw).is_empty());
    }

    fn def(schema: Value, category: Option<&str>) -> TaskDefinition {
        let now = Utc::now();
        TaskDefinition {
            id: Uuid::nil(),
            task_name: "app.tasks.t".into(),
            category: category.map(Into::into),
            description: None,
            parameter_schema: Some(schema),
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn schedules_are_checked_against_their_definition() {
        let kw = kwargs(json!({"period_type": "weekly"}));
        assert_eq!(
            check_schedule(None, false, "t", &kw).unwrap(),
            DefinitionCheck::default()
        );
        let err = check_schedule(None, true, "app.tasks.t", &kw).unwrap_err();
        assert!(
            err.message.contains("has no definition")
                && err.hint.contains("stockura task define app.tasks.t")
        );
        let d = def(example(), Some("market-data"));
        let ok = check_schedule(Some(&d), true, "t", &kw).unwrap();
        assert_eq!(
            ok,
            DefinitionCheck {
                param_info: vec!["weekly".into()],
                category: Some("market-data".into())
            }
        );
        let bad = check_schedule(
            Some(&d),
            false,
            "t",
            &kwargs(json!({"period_type": "yearly"})),
        )
        .unwrap_err();
        assert!(
            bad.message.contains("/period_type") && bad.message.contains("(enum)"),
            "{}",
            bad.message
        );
        let broken = def(json!({"type": "nope"}), None);
        assert!(
            check_schedule(Some(&broken), false, "t", &kw)
                .unwrap_err()
                .message
                .contains("unusable schema")
        );
    }

    #[test]
    fn definitions_are_validated() {
        assert!(validate_definition("has space", None, None, None).is_err());
        let (new, compiled) = validate_definition(
            " app.tasks.t ",
            Some(example()),
            Some(" c ".into()),
            Some("".into()),
        )
        .unwrap();
        assert_eq!(
            (
                new.task_name.as_str(),
                new.category.as_deref(),
                new.description
            ),
            ("app.tasks.t", Some("c"), None)
        );
        assert!(compiled.is_some());
        assert!(validate_definition("t", Some(json!({"type": 5})), None, None).is_err());
        for (category, description, field) in [
            (Some("a\u{1b}[2J"), None, "the category contains"),
            (None, Some("line\nbreak"), "the description contains"),
            (None, Some("\u{202E}gnp.exe"), "the description contains"),
        ] {
            let e = validate_definition(
                "t",
                None,
                category.map(Into::into),
                description.map(Into::into),
            )
            .unwrap_err();
            assert!(e.message.starts_with(field), "{e:?}");
        }
        let e = validate_definition("app\u{1b}]0;x\u{7}", None, None, None).unwrap_err();
        assert!(e.message.starts_with("the task name contains"), "{e:?}");
    }

    #[test]
    fn big_integers_validate() {
        let s = ParameterSchema::compile(
            &json!({"properties": {"n": {"type": "integer", "minimum": 0}}}),
        )
        .unwrap();
        let kw: Map<String, Value> =
            serde_json::from_str(r#"{"n": 123456789012345678901234567890}"#).unwrap();
        assert!(s.violations(&kw).is_empty());
        let kw: Map<String, Value> =
            serde_json::from_str(r#"{"n": -123456789012345678901234567890}"#).unwrap();
        assert_eq!(s.violations(&kw)[0].keyword, "minimum");
    }
}
