//! Parsing of `--args`, `--kwargs` and `--param KEY=VALUE`.

use std::borrow::Cow;

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

/// Whether a character may not be stored in a text field that is printed on terminals (names,
/// tags, categories, descriptions, task and queue names): a control character (Unicode `Cc`:
/// C0 including NUL, tab and newline, DEL, C1), a line or paragraph separator, or a
/// bidirectional embedding, override or isolate (U+202A-U+202E, U+2066-U+2069). Each can move
/// the cursor, recolour or rewrite the screen, or reorder what a reader sees.
pub fn is_unprintable(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with each character [`is_unprintable`] names written as a visible escape (`\n`,
/// `\r`, `\t`, `\0`, `\x1b`, `\u{202e}`), line ends kept when `keep_newlines`; everything else
/// as is. Backslashes are not doubled, so an escape and the same characters typed look alike:
/// what matters is that nothing reaches a terminal that acts on it.
pub fn escape_unprintable(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let escaped = |c: char| is_unprintable(c) && !(keep_newlines && c == '\n');
    if !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if !escaped(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if u32::from(c) < 0x80 => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
        }
    }
    Cow::Owned(out)
}

/// A character refused by [`check_text`], named for a message: `U+001B (escape)`.
pub fn describe_char(c: char) -> String {
    let name = match c {
        '\0' => " (NUL)",
        '\t' => " (tab)",
        '\n' => " (newline)",
        '\r' => " (carriage return)",
        '\u{1b}' => " (escape)",
        '\u{7f}' => " (delete)",
        '\u{2028}' => " (line separator)",
        '\u{2029}' => " (paragraph separator)",
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => " (bidirectional control)",
        _ => "",
    };
    format!("U+{:04X}{name}", u32::from(c))
}

/// Checks that a text field has no character [`is_unprintable`] refuses: no NUL (Postgres
/// refuses them), nothing that would act on the terminal of whoever lists it.
pub fn check_text(what: &str, text: &str) -> Result<(), DomainError> {
    let Some((at, c)) = text.chars().enumerate().find(|(_, c)| is_unprintable(*c)) else {
        return Ok(());
    };
    Err(DomainError::new(
        format!(
            "the {what} contains the control character {} at character {}",
            describe_char(c),
            at + 1
        ),
        format!(
            "write the {what} on one line, without control characters (tabs, escape sequences, \
             NUL) or bidirectional overrides: it is printed on terminals"
        ),
    ))
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
    fn text_printed_on_terminals_has_no_control_characters() {
        for ok in [
            "plain",
            "日本語 name",
            "émoji 🚀",
            "a\\x1b[31m",
            "rtl \u{200F}mark",
        ] {
            assert!(check_text("name", ok).is_ok(), "{ok:?}");
        }
        for (bad, named) in [
            ("a\u{1b}[31mred", "U+001B (escape) at character 2"),
            ("two\nlines", "U+000A (newline)"),
            ("tab\there", "U+0009 (tab)"),
            ("\rover", "U+000D (carriage return) at character 1"),
            ("del\u{7f}", "U+007F (delete)"),
            ("c1\u{9b}31m", "U+009B at character 3"),
            ("nul\0", "U+0000 (NUL)"),
            ("evil\u{202E}txt.exe", "U+202E (bidirectional control)"),
            ("iso\u{2066}x", "U+2066 (bidirectional control)"),
            ("ls\u{2028}x", "U+2028 (line separator)"),
        ] {
            let e = check_text("description", bad).unwrap_err();
            assert!(e.message.starts_with("the description contains"), "{e:?}");
            assert!(e.message.contains(named), "{bad:?}: {}", e.message);
            assert!(!e.message.chars().any(is_unprintable), "{e:?}");
            assert!(e.hint.contains("the description on one line"), "{e:?}");
        }
    }

    #[test]
    fn later_params_win() {
        let mut kw = parse_kwargs("{\"a\": 1, \"b\": 2}").unwrap();
        merge_params(&mut kw, &[("a".into(), json!(3)), ("a".into(), json!(4))]);
        assert_eq!(Value::Object(kw), json!({"a": 4, "b": 2}));
    }
}
