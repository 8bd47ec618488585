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

fn json_kind(v: &Value) -> &'static str {
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
    fn later_params_win() {
        let mut kw = parse_kwargs("{\"a\": 1, \"b\": 2}").unwrap();
        merge_params(&mut kw, &[("a".into(), json!(3)), ("a".into(), json!(4))]);
        assert_eq!(Value::Object(kw), json!({"a": 4, "b": 2}));
    }
}
