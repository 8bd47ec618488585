//! The document format: a YAML or JSON map with `source:`, `schedules:` and `tasks:`, read with
//! every problem located by line.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};
use serde_json::Value;

use super::Problem;
use crate::domain::manifest::{ManifestSchedule, ManifestTask};
use crate::domain::task::{self, NewTaskDefinition};

/// The syntax of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// YAML (also reads most JSON).
    Yaml,
    /// JSON.
    Json,
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
pub(super) struct Locator<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Locator<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Self {
            lines: text.lines().collect(),
        }
    }

    pub(super) fn line(&self, path: &[&str]) -> Option<usize> {
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
}
