//! The `schedule next` contract as the acceptance corpus calls it: through the binary, with
//! `--output json`. Every 8th case of `tests/data/cron_corpus.json` (the library test runs all of
//! them), plus the DST cases of the reference, which the corpus cannot hold.

use serde_json::Value;

use crate::support::bare_cmd;

fn next(
    dir: &std::path::Path,
    expr: &str,
    tz: &str,
    after: &str,
    n: usize,
) -> (i32, Value, String) {
    let out = bare_cmd(dir)
        .args([
            "schedule",
            "next",
            "--cron",
            expr,
            "--tz",
            tz,
            "--after",
            after,
            "-n",
            &n.to_string(),
            "--output",
            "json",
        ])
        .output()
        .unwrap();
    let stdout: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        stdout,
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn the_corpus_through_the_binary() {
    let dir = tempfile::TempDir::new().unwrap();
    let corpus: Vec<Value> =
        serde_json::from_str(include_str!("../data/cron_corpus.json")).unwrap();
    let mut failures = Vec::new();
    for case in corpus.iter().step_by(8) {
        let expr = case["expr"].as_str().unwrap();
        if case["error"] == true {
            let (code, _, err) = next(dir.path(), expr, "UTC", "2026-01-01T00:00:00Z", 5);
            let hinted = serde_json::from_str::<Value>(err.trim())
                .is_ok_and(|e| e["error"]["hint"].is_string());
            if code != 3 || !hinted {
                failures.push(format!(
                    "{expr:?}: expected exit 3 with a hint, got {code}: {err}"
                ));
            }
            if let Some(field) = case["field"].as_str() {
                let field = field.replace('_', "-");
                if !err.to_lowercase().contains(&field) {
                    failures.push(format!(
                        "{expr:?}: the error does not name the {field} field: {err}"
                    ));
                }
            }
            continue;
        }
        let (code, times, err) = next(
            dir.path(),
            expr,
            case["tz"].as_str().unwrap(),
            case["after"].as_str().unwrap(),
            5,
        );
        if code != 0 || times != case["expected"] {
            failures.push(format!(
                "{expr:?} in {}: got {code} {times} {err}, want {}",
                case["tz"], case["expected"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn daylight_saving_rules_through_the_binary() {
    let dir = tempfile::TempDir::new().unwrap();
    let ny = "America/New_York";
    let cases: [(&str, &str, &str, &[&str]); 5] = [
        // Spring forward: a fixed-time job in the gap runs once, at the end of the gap.
        (
            "30 2 * * *",
            ny,
            "2026-03-07T12:00:00Z",
            &["2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"],
        ),
        // Several gap times of one job collapse into that one run.
        (
            "0,15,30,45 2 * * *",
            ny,
            "2026-03-08T06:00:00Z",
            &["2026-03-08T03:00:00-04:00", "2026-03-09T02:00:00-04:00"],
        ),
        // Wildcard jobs skip the missing hour.
        (
            "*/30 * * * *",
            ny,
            "2026-03-08T06:15:00Z",
            &["2026-03-08T01:30:00-05:00", "2026-03-08T03:00:00-04:00"],
        ),
        // Fall back: a fixed-time job runs on the first pass only...
        (
            "30 1 * * *",
            ny,
            "2026-11-01T04:00:00Z",
            &["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"],
        ),
        // ...a wildcard job on both passes.
        (
            "0 * * * *",
            ny,
            "2026-11-01T04:30:00Z",
            &[
                "2026-11-01T01:00:00-04:00",
                "2026-11-01T01:00:00-05:00",
                "2026-11-01T02:00:00-05:00",
            ],
        ),
    ];
    for (expr, tz, after, want) in cases {
        let (code, times, err) = next(dir.path(), expr, tz, after, want.len());
        assert_eq!(code, 0, "{expr}: {err}");
        assert_eq!(times, serde_json::json!(want), "{expr} after {after}");
    }
}
