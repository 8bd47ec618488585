//! The status pages, rendered on the server as plain HTML (no script): every text that comes
//! from a schedule, a run or a peer is escaped.

use std::fmt::Write as _;

use chrono::{DateTime, SecondsFormat, Utc};
use uuid::Uuid;

use super::{Missing, Notable};

/// A live scheduler instance.
#[derive(Debug, Clone)]
pub struct InstanceView {
    /// Whether it is this process.
    pub this: bool,
    /// Whether it leads.
    pub leader: bool,
    /// Its id.
    pub id: Uuid,
    /// Its host.
    pub host: String,
    /// Its process id.
    pub pid: u32,
    /// Its stockura version.
    pub version: String,
    /// Schedules in its plan.
    pub schedules: u64,
    /// Its last batch's lag.
    pub lag_ms: Option<i64>,
    /// The change version of its plan.
    pub change_version: i64,
    /// Its last heartbeat.
    pub heartbeat_at: DateTime<Utc>,
}

/// A schedule row.
#[derive(Debug, Clone)]
pub struct ScheduleView {
    /// Its id (the link to its history).
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// Its task.
    pub task: String,
    /// Its cron.
    pub cron: String,
    /// Its next slot.
    pub next: Option<DateTime<Utc>>,
    /// When this process last sent it.
    pub last_dispatch: Option<DateTime<Utc>>,
    /// The status of its last slot here.
    pub last_status: Option<&'static str>,
    /// The result backend's state of its last message.
    pub last_result: Option<String>,
}

/// A history row.
#[derive(Debug, Clone)]
pub struct RunView {
    /// The schedule, when it still exists.
    pub schedule_id: Option<Uuid>,
    /// The schedule's name.
    pub schedule: String,
    /// The task.
    pub task: String,
    /// The slot.
    pub slot: DateTime<Utc>,
    /// When it was sent.
    pub dispatched_at: Option<DateTime<Utc>>,
    /// Why it ran.
    pub trigger: &'static str,
    /// What happened.
    pub status: &'static str,
    /// Why.
    pub detail: String,
    /// The Celery task id.
    pub task_id: Option<Uuid>,
    /// The result backend's state.
    pub result: Option<String>,
}

/// Everything the status page shows.
#[derive(Debug, Clone)]
pub struct PageView {
    /// When it was rendered.
    pub now: DateTime<Utc>,
    /// This build.
    pub version: &'static str,
    /// This process's role.
    pub role: &'static str,
    /// This process's instance id.
    pub instance_id: Option<Uuid>,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// Why the loop is not healthy, if it is not.
    pub health: Option<String>,
    /// What readiness waits for.
    pub missing: Vec<Missing>,
    /// Live instances.
    pub instances: Vec<InstanceView>,
    /// Why they could not be read.
    pub instances_error: Option<String>,
    /// Schedules planned.
    pub total: usize,
    /// Schedules matching the search.
    pub matching: usize,
    /// The search.
    pub search: String,
    /// The page number (from 1).
    pub page: usize,
    /// Rows per page.
    pub page_rows: usize,
    /// The page's schedules.
    pub schedules: Vec<ScheduleView>,
    /// Recent failed and missed runs from the history.
    pub recent: Vec<RunView>,
    /// Why the history could not be read.
    pub recent_error: Option<String>,
    /// Slots this process did not send as planned.
    pub notable: Vec<Notable>,
}

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query value.
pub fn encode_query(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn time(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(
        || "—".to_string(),
        |t| t.to_rfc3339_opts(SecondsFormat::Secs, true),
    )
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}\
table{border-collapse:collapse;margin:.5rem 0 1.5rem}\
th,td{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:left;font-size:.9rem}\
th{background:#f4f4f4}code{font-size:.85rem}\
.bad{color:#b00020;font-weight:600}.ok{color:#186a3b;font-weight:600}\
.banner{padding:.5rem .8rem;border-radius:4px;margin:.5rem 0}\
.banner.bad{background:#fde8e8}.banner.ok{background:#e8f6ec}";

fn head(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body>",
        escape(title)
    );
}

fn status_class(status: &str) -> &'static str {
    match status {
        "dispatched" | "SUCCESS" => "ok",
        "failed" | "missed" | "owed" | "FAILURE" | "REVOKED" => "bad",
        _ => "",
    }
}

/// The status page `/`.
pub fn status(v: &PageView) -> String {
    let mut out = String::with_capacity(16 * 1024);
    head(&mut out, "stockura run-beat");
    let _ = write!(
        out,
        "<h1>stockura run-beat</h1><p>This process: <strong id=\"role\">{}</strong> · stockura {} · started {} · instance <code>{}</code> · page rendered {}</p>",
        escape(v.role),
        escape(v.version),
        time(Some(v.started_at)),
        v.instance_id.map_or_else(|| "—".into(), |i| i.to_string()),
        time(Some(v.now)),
    );
    match (&v.health, v.missing.is_empty()) {
        (None, true) => out.push_str("<p class=\"banner ok\" id=\"state\">Healthy and ready.</p>"),
        _ => {
            out.push_str("<div class=\"banner bad\" id=\"state\"><ul>");
            if let Some(h) = &v.health {
                let _ = write!(out, "<li>Not healthy: {}</li>", escape(h));
            }
            for m in &v.missing {
                let _ = write!(
                    out,
                    "<li>Not ready ({}): {}</li>",
                    escape(m.what),
                    escape(&m.message)
                );
            }
            out.push_str("</ul></div>");
        }
    }

    out.push_str("<h2>Instances</h2>");
    if let Some(e) = &v.instances_error {
        let _ = write!(
            out,
            "<p class=\"bad\">Heartbeats cannot be read: {}</p>",
            escape(e)
        );
    }
    out.push_str("<table id=\"instances\"><thead><tr><th>Instance</th><th>Role</th><th>Host</th><th>PID</th><th>Version</th><th>Schedules</th><th>Lag</th><th>Change version</th><th>Heartbeat</th></tr></thead><tbody>");
    for i in &v.instances {
        let _ = write!(
            out,
            "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            i.id,
            if i.this { " (this process)" } else { "" },
            if i.leader { "leader" } else { "standby" },
            escape(&i.host),
            i.pid,
            escape(&i.version),
            i.schedules,
            i.lag_ms.map_or_else(|| "—".into(), |l| format!("{l} ms")),
            i.change_version,
            time(Some(i.heartbeat_at)),
        );
    }
    if v.instances.is_empty() && v.instances_error.is_none() {
        out.push_str("<tr><td colspan=\"9\">No heartbeats (a run with --once or --dry-run writes none).</td></tr>");
    }
    out.push_str("</tbody></table>");

    let _ = write!(
        out,
        "<h2>Schedules</h2><form method=\"get\" action=\"/\"><label>Search name or task <input type=\"search\" name=\"q\" value=\"{}\"></label> <button type=\"submit\">Search</button></form>",
        escape(&v.search)
    );
    let first = (v.page - 1) * v.page_rows;
    let _ = write!(
        out,
        "<p id=\"counts\">{} planned · {} matching · showing {}–{}</p>",
        v.total,
        v.matching,
        if v.schedules.is_empty() { 0 } else { first + 1 },
        first + v.schedules.len()
    );
    out.push_str("<table id=\"schedules\"><thead><tr><th>Schedule</th><th>Task</th><th>Cron</th><th>Next run</th><th>Last sent (this process)</th><th>Last status</th><th>Last result</th></tr></thead><tbody>");
    for s in &v.schedules {
        let status = s.last_status.unwrap_or("—");
        let result = s.last_result.as_deref().unwrap_or("—");
        let _ = write!(
            out,
            "<tr><td><a href=\"/schedules/{}\">{}</a></td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td class=\"{}\">{}</td></tr>",
            s.id,
            escape(&s.name),
            escape(&s.task),
            escape(&s.cron),
            time(s.next),
            time(s.last_dispatch),
            status_class(status),
            escape(status),
            status_class(result),
            escape(result),
        );
    }
    out.push_str("</tbody></table>");
    let q = if v.search.is_empty() {
        String::new()
    } else {
        format!("q={}&amp;", encode_query(&v.search))
    };
    if v.page > 1 {
        let _ = write!(
            out,
            "<a rel=\"prev\" href=\"/?{q}page={}\">← previous</a> ",
            v.page - 1
        );
    }
    if first + v.schedules.len() < v.matching {
        let _ = write!(
            out,
            "<a rel=\"next\" href=\"/?{q}page={}\">next →</a>",
            v.page + 1
        );
    }

    out.push_str("<h2>Recent failures and missed slots</h2>");
    if let Some(e) = &v.recent_error {
        let _ = write!(
            out,
            "<p class=\"bad\">The history cannot be read: {}</p>",
            escape(e)
        );
    }
    runs_table(&mut out, "recent", &v.recent, false);

    out.push_str("<h2>Not sent as planned by this process</h2><table id=\"notable\"><thead><tr><th>Schedule</th><th>Slot</th><th>Trigger</th><th>Status</th><th>Recorded</th></tr></thead><tbody>");
    for n in &v.notable {
        let _ = write!(
            out,
            "<tr><td><a href=\"/schedules/{}\">{}</a></td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>",
            n.job.id,
            escape(&n.job.name),
            time(Some(n.slot)),
            n.trigger.as_str(),
            status_class(n.status.as_str()),
            n.status.as_str(),
            time(Some(n.at)),
        );
    }
    if v.notable.is_empty() {
        out.push_str("<tr><td colspan=\"5\">Nothing since this process started.</td></tr>");
    }
    out.push_str("</tbody></table><p><a href=\"/metrics\">metrics</a> · <a href=\"/healthz\">healthz</a> · <a href=\"/readyz\">readyz</a></p></body></html>");
    out
}

fn runs_table(out: &mut String, id: &str, runs: &[RunView], with_result: bool) {
    let _ = write!(
        out,
        "<table id=\"{id}\"><thead><tr><th>Schedule</th><th>Task</th><th>Slot</th><th>Trigger</th><th>Status</th><th>Sent</th><th>Task id</th>{}<th>Detail</th></tr></thead><tbody>",
        if with_result { "<th>Result</th>" } else { "" }
    );
    for r in runs {
        let name = match r.schedule_id {
            Some(sid) => format!("<a href=\"/schedules/{sid}\">{}</a>", escape(&r.schedule)),
            None => escape(&r.schedule),
        };
        let result = if with_result {
            let text = r.result.as_deref().unwrap_or("—");
            format!("<td class=\"{}\">{}</td>", status_class(text), escape(text))
        } else {
            String::new()
        };
        let _ = write!(
            out,
            "<tr><td>{name}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td><code>{}</code></td>{result}<td>{}</td></tr>",
            escape(&r.task),
            time(Some(r.slot)),
            r.trigger,
            status_class(r.status),
            r.status,
            time(r.dispatched_at),
            r.task_id.map_or_else(|| "—".into(), |t| t.to_string()),
            escape(&r.detail),
        );
    }
    if runs.is_empty() {
        let cols = if with_result { 9 } else { 8 };
        let _ = write!(out, "<tr><td colspan=\"{cols}\">None recorded.</td></tr>");
    }
    out.push_str("</tbody></table>");
}

/// A schedule's history page `/schedules/<id>`.
pub fn schedule(
    name: &str,
    id: Uuid,
    planned: Option<(&str, &str)>,
    runs: &[RunView],
    error: Option<&str>,
    now: DateTime<Utc>,
) -> String {
    let mut out = String::with_capacity(8 * 1024);
    head(&mut out, &format!("{name} · stockura"));
    let _ = write!(
        out,
        "<p><a href=\"/\">← status</a></p><h1>{}</h1><p><code>{id}</code>",
        escape(name)
    );
    match planned {
        Some((task, cron)) => {
            let _ = write!(
                out,
                " · task {} · cron <code>{}</code></p>",
                escape(task),
                escape(cron)
            );
        }
        None => out.push_str(" · not planned (disabled, deleted or invalid)</p>"),
    }
    if let Some(e) = error {
        let _ = write!(
            out,
            "<p class=\"bad\">The history cannot be read: {}</p>",
            escape(e)
        );
    }
    let _ = write!(
        out,
        "<h2>Last {} runs</h2><p>Rendered {}.</p>",
        runs.len(),
        time(Some(now))
    );
    runs_table(&mut out, "runs", runs, true);
    out.push_str("</body></html>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<script>alert("x") & 'y'</script>"#),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"
        );
        assert_eq!(encode_query("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
    }

    #[test]
    fn a_hostile_schedule_name_stays_text() {
        let html = schedule(
            "<img src=x onerror=alert(1)>",
            Uuid::nil(),
            Some(("t\"><b>", "* * * * *")),
            &[],
            None,
            Utc::now(),
        );
        assert!(!html.contains("<img"));
        assert!(!html.contains("<b>"));
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    }
}
