//! Parsing of `--args`, `--kwargs` and `--param KEY=VALUE`.

use serde_json::{Map, Value};

use super::DomainError;

/// Parses `--args`: a JSON array.
pub fn parse_args(text: &str) -> Result<Vec<Value>, DomainError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => Ok(items),
        Ok(other) => Err(DomainError::new(
            format!(
                "--args must be a JSON array, got {}: {}",
                json_kind(&other),
                shorten(text)
            ),
            "wrap positional arguments in brackets, e.g. --args '[1, \"two\"]'",
        )),
        Err(e) => Err(DomainError::new(
            format!("--args is not valid JSON ({e}): {}", shorten(text)),
            "pass a JSON array, e.g. --args '[1, \"two\"]' (quote it for the shell)",
        )),
    }
}

/// Parses `--kwargs`: a JSON object.
pub fn parse_kwargs(text: &str) -> Result<Map<String, Value>, DomainError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(DomainError::new(
            format!(
                "--kwargs must be a JSON object, got {}: {}",
                json_kind(&other),
                shorten(text)
            ),
            "pass keyword arguments as an object, e.g. --kwargs '{\"period_type\": \"daily\"}', or use --param KEY=VALUE",
        )),
        Err(e) => Err(DomainError::new(
            format!("--kwargs is not valid JSON ({e}): {}", shorten(text)),
            "pass a JSON object, e.g. --kwargs '{\"period_type\": \"daily\"}' (quote it for the shell)",
        )),
    }
}

/// Parses one `--param KEY=VALUE`. The value is taken as JSON when it is valid JSON
/// (`5`, `true`, `["a"]`, `"quoted"`), else as a plain string.
pub fn parse_param(text: &str) -> Result<(String, Value), DomainError> {
    let Some((key, raw)) = text.split_once('=') else {
        return Err(DomainError::new(
            format!("--param '{}' has no '='", shorten(text)),
            "write --param KEY=VALUE, e.g. --param period_type=daily",
        ));
    };
    let key = key.trim();
    if key.is_empty() {
        return Err(DomainError::new(
            format!("--param '{}' has an empty key", shorten(text)),
            "write --param KEY=VALUE, e.g. --param period_type=daily",
        ));
    }
    let value =
        serde_json::from_str::<Value>(raw).unwrap_or_else(|_| Value::String(raw.to_string()));
    Ok((key.to_string(), value))
}

/// Merges `--param` pairs into keyword arguments; later pairs win.
pub fn merge_params(kwargs: &mut Map<String, Value>, params: &[(String, Value)]) {
    for (k, v) in params {
        kwargs.insert(k.clone(), v.clone());
    }
}

/// The most digits an integer parameter may have (Postgres `numeric` keeps them exactly).
pub const MAX_INTEGER_DIGITS: usize = 1000;

/// Checks that a JSON value can be stored and sent as is by every backend and by Celery: no
/// NUL character in any string or key (Postgres refuses them), integers of at most
/// [`MAX_INTEGER_DIGITS`] digits, and other numbers within the range of a double.
pub fn check_storable(what: &str, value: &Value) -> Result<(), DomainError> {
    fn walk(path: &mut String, value: &Value) -> Result<(), (String, &'static str)> {
        match value {
            Value::String(s) if s.contains('\0') => Err((path.clone(), "contains a NUL character")),
            Value::Number(n) => {
                let text = n.to_string();
                let integer = text
                    .trim_start_matches('-')
                    .bytes()
                    .all(|b| b.is_ascii_digit());
                let ok = if integer {
                    text.trim_start_matches('-').len() <= MAX_INTEGER_DIGITS
                } else {
                    n.as_f64().is_some_and(f64::is_finite)
                };
                if ok {
                    Ok(())
                } else {
                    Err((path.clone(), "is a number too large to store"))
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("/{i}"));
                    walk(path, item)?;
                    path.truncate(len);
                }
                Ok(())
            }
            Value::Object(map) => {
                for (k, v) in map {
                    if k.contains('\0') {
                        return Err((path.clone(), "has a key with a NUL character"));
                    }
                    let len = path.len();
                    path.push('/');
                    path.push_str(&k.replace('~', "~0").replace('/', "~1"));
                    walk(path, v)?;
                    path.truncate(len);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
    walk(&mut String::new(), value).map_err(|(path, problem)| {
        let at = if path.is_empty() {
            String::new()
        } else {
            format!(" at {path}")
        };
        DomainError::new(
            format!("{what}{at} {problem}"),
            "remove the NUL character, or pass very large numbers as strings",
        )
    })
}

/// Checks that a text field has no NUL character (Postgres refuses them).
pub fn check_text(what: &str, text: &str) -> Result<(), DomainError> {
    if text.contains('\0') {
        return Err(DomainError::new(
            format!("the {what} contains a NUL character"),
            format!("remove it from the {what}"),
        ));
    }
    Ok(())
}

/// "a string", "an object", …: a JSON value's kind, for messages.
pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn shorten(text: &str) -> String {
    const MAX: usize = 80;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn params_take_json_else_string() {
        assert_eq!(parse_param("n=5").unwrap(), ("n".into(), json!(5)));
        assert_eq!(parse_param("b=true").unwrap(), ("b".into(), json!(true)));
        assert_eq!(parse_param("s=\"5\"").unwrap(), ("s".into(), json!("5")));
        assert_eq!(
            parse_param("codes=[\"7203\",\"6758\"]").unwrap(),
            ("codes".into(), json!(["7203", "6758"]))
        );
        assert_eq!(
            parse_param("period_type=daily").unwrap(),
            ("period_type".into(), json!("daily"))
        );
        assert_eq!(
            parse_param("url=a=b").unwrap(),
            ("url".into(), json!("a=b"))
        );
        assert_eq!(parse_param("empty=").unwrap(), ("empty".into(), json!("")));
        assert_eq!(
            parse_param("big=123456789012345678901234567890")
                .unwrap()
                .1
                .to_string(),
            "123456789012345678901234567890"
        );
    }

    #[test]
    fn malformed_params_are_rejected() {
        assert!(
            parse_param("novalue")
                .unwrap_err()
                .message
                .contains("no '='")
        );
        assert!(parse_param("=x").unwrap_err().message.contains("empty key"));
    }

    #[test]
    fn args_and_kwargs_shapes() {
        assert_eq!(
            parse_args("[1, \"a\"]").unwrap(),
            vec![json!(1), json!("a")]
        );
        assert!(
            parse_args("{}")
                .unwrap_err()
                .message
                .contains("must be a JSON array, got an object")
        );
        assert!(
            parse_args("[1,")
                .unwrap_err()
                .message
                .contains("not valid JSON")
        );
        assert_eq!(parse_kwargs("{\"a\": 1}").unwrap()["a"], json!(1));
        assert!(
            parse_kwargs("[1]")
                .unwrap_err()
                .message
                .contains("must be a JSON object, got an array")
        );
        assert!(
            parse_kwargs("{a: 1}")
                .unwrap_err()
                .message
                .contains("not valid JSON")
        );
    }

    #[test]
    fn storable_values() {
        assert!(check_storable("kwargs", &json!({"a": [1, "x", {"b": null}]})).is_ok());
        let nul: Value = serde_json::from_str(r#"{"a": {"b": "x\u0000y"}}"#).unwrap();
        assert_eq!(
            check_storable("kwargs", &nul).unwrap_err().message,
            "kwargs at /a/b contains a NUL character"
        );
        let huge: Value = serde_json::from_str(r#"[1e999999999]"#).unwrap();
        assert!(
            check_storable("args", &huge)
                .unwrap_err()
                .message
                .contains("args at /0 is a number too large")
        );
        let big: Value = serde_json::from_str(&format!("[{}]", "9".repeat(500))).unwrap();
        assert!(check_storable("args", &big).is_ok());
        let too_big: Value = serde_json::from_str(&format!("[{}]", "9".repeat(1001))).unwrap();
        assert!(check_storable("args", &too_big).is_err());
        assert!(check_text("name", "a\0b").is_err());
    }

    #[test]
    fn later_params_win() {
        let mut kw = parse_kwargs("{\"a\": 1, \"b\": 2}").unwrap();
        merge_params(&mut kw, &[("a".into(), json!(3)), ("a".into(), json!(4))]);
        assert_eq!(Value::Object(kw), json!({"a": 4, "b": 2}));
    }
}
