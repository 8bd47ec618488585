//! `stockura diagnose`: independent checks of the configuration, the database, Redis, the
//! change-event channel and the broker, for operators and CI jobs.

use std::time::{Duration, Instant};

use anyhow::Result;
use clap::Args;

use super::Ctx;
use super::output::Output;
use crate::beat::broker::diagnose::check_broker;
use crate::config::{ConfigError, Redacted, Setting, Settings};
use crate::domain::diagnosis::{CHECKS, Check, Report, Status};
use crate::store::{AnyStore, OpenMode, ScheduleStore};
use crate::sync::diagnose;

/// Arguments of `diagnose`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stockura diagnose\n  stockura diagnose --check config --check schedules\n  stockura diagnose --strict --timeout 2 -o json"
)]
pub struct DiagnoseArgs {
    /// Seconds each network step may take
    #[arg(long, default_value_t = 3.0, value_name = "SECONDS")]
    pub timeout: f64,

    /// Fail on warnings too
    #[arg(long)]
    pub strict: bool,

    /// Run only these checks
    #[arg(long = "check", value_name = "NAME", value_parser = CHECKS, num_args = 1..)]
    pub checks: Vec<String>,
}

/// Runs the selected checks; the exit code is 7 when one fails (or warns, with `--strict`).
pub async fn run(ctx: &Ctx, args: DiagnoseArgs, problems: &[ConfigError]) -> Result<Output> {
    let timeout = if args.timeout.is_finite() && args.timeout > 0.0 {
        Duration::from_secs_f64(args.timeout.min(600.0))
    } else {
        Duration::from_secs(3)
    };
    let wanted = |name: &str| args.checks.is_empty() || args.checks.iter().any(|c| c == name);
    let s = &ctx.settings;
    let mut report = Report::default();
    if wanted("config") {
        report.checks.push(check_config(s, problems));
    }
    if wanted("database") {
        report.checks.push(check_database(ctx, timeout).await);
    }
    if wanted("schedules") {
        report.checks.push(check_schedules(ctx, timeout).await);
    }
    if wanted("redis") {
        report
            .checks
            .push(diagnose::check_redis(sync_url(s), timeout).await);
    }
    if wanted("pubsub") {
        report
            .checks
            .push(diagnose::check_pubsub(sync_url(s), &s.redis_channel.value, timeout).await);
    }
    if wanted("broker") {
        let layout = crate::beat::message::BrokerLayout {
            global_keyprefix: s.broker_key_prefix.value.clone(),
            transport: crate::beat::broker::Transport::Redis,
        };
        let queue = &s.default_queue.value;
        let keys: Vec<Vec<u8>> = [None, Some(3), Some(6), Some(9)]
            .into_iter()
            .map(|p| layout.list_key(queue, p))
            .collect();
        let routed = routed_queues(ctx, timeout).await;
        let arguments = crate::cli::wiring::queue_arguments(ctx);
        report.checks.push(
            check_broker(
                s.broker_url.value.as_ref(),
                queue,
                &keys,
                &routed,
                &arguments,
                timeout,
            )
            .await,
        );
    }
    if wanted("scheduler") {
        report.checks.push(check_scheduler(ctx, timeout).await);
    }
    Ok(Output::Diagnosis {
        report,
        strict: args.strict,
    })
}

/// The default queue and every queue an enabled schedule routes to (only the default when the
/// database cannot be read).
async fn routed_queues(ctx: &Ctx, timeout: Duration) -> Vec<String> {
    let default = ctx.settings.default_queue.value.clone();
    let read = async {
        let store = ctx.store().await?;
        let mut queues = std::collections::BTreeSet::new();
        store
            .visit_schedules(
                &crate::store::ScheduleFilter {
                    enabled: Some(true),
                    ..crate::store::ScheduleFilter::default()
                },
                &mut |s| {
                    if let Some(q) = &s.options.queue {
                        queues.insert(q.clone());
                    }
                },
            )
            .await?;
        anyhow::Ok(queues)
    };
    let mut routed = vec![default.clone()];
    if let Ok(Ok(queues)) = tokio::time::timeout(timeout, read).await {
        routed.extend(queues.into_iter().filter(|q| *q != default));
    }
    routed
}

/// The Redis of change events, when sync is on.
fn sync_url(s: &Settings) -> Option<&Redacted> {
    s.redis_url.value.as_ref().filter(|_| s.sync_enabled.value)
}

fn line<T: std::fmt::Display>(name: &str, setting: &Setting<T>) -> String {
    format!("{name} = {} ({})", setting.value, setting.source)
}

fn optional(name: &str, setting: &Setting<Option<Redacted>>) -> String {
    match &setting.value {
        Some(url) => format!("{name} = {url} ({})", setting.source),
        None => format!("{name} is not set"),
    }
}

fn check_config(s: &Settings, problems: &[ConfigError]) -> Check {
    let start = Instant::now();
    // Values the commands refuse (they exit 3) fail the check; advice only warns.
    let mut errors: Vec<String> = problems.iter().map(|p| p.message.clone()).collect();
    let mut warnings: Vec<String> = Vec::new();
    let mut details = Vec::new();
    match &s.database {
        Ok(db) => details.push(format!("DATABASE_URL = {} ({})", db.value.url, db.source)),
        Err(e) => errors.push(e.message.clone()),
    }
    if let Some(home) = &s.home.value {
        details.push(format!(
            "STOCKURA_HOME = {} ({})",
            home.display(),
            s.home.source
        ));
    }
    details.push(format!(
        "CELERY_TIMEZONE = {} ({})",
        s.timezone.value.name(),
        s.timezone.source
    ));
    details.push(optional("REDIS_URL", &s.redis_url));
    details.push(optional("CELERY_BROKER_URL", &s.broker_url));
    details.push(optional("CELERY_RESULT_BACKEND", &s.result_backend));
    details.push(line("CELERY_BEAT_REDIS_SYNC_ENABLED", &s.sync_enabled));
    details.push(line("CELERY_BEAT_MIN_SYNC_INTERVAL", &s.min_sync_interval));
    details.push(line("CELERY_BEAT_REDIS_CHANNEL", &s.redis_channel));
    details.push(line("CELERY_DEFAULT_QUEUE", &s.default_queue));
    details.push(line("STOCKURA_BEAT_NAMESPACE", &s.beat_namespace));
    details.push(line(
        "CELERY_BROKER_TRANSPORT_OPTIONS",
        &s.transport_options,
    ));
    if let Some(max) = s.queue_max_priority.value {
        details.push(format!(
            "CELERY_TASK_QUEUE_MAX_PRIORITY = {max} ({})",
            s.queue_max_priority.source
        ));
    }
    details.push(line("CELERY_TASK_DEFAULT_QUEUE_TYPE", &s.queue_type));
    if !s.broker_key_prefix.value.is_empty() {
        details.push(line("STOCKURA_BROKER_KEY_PREFIX", &s.broker_key_prefix));
    }
    details.push(line(
        "STOCKURA_REQUIRE_TASK_DEFINITIONS",
        &s.require_task_definitions,
    ));
    details.push(format!(
        "STOCKURA_REDIS_TIMEOUT = {} s ({})",
        s.redis_timeout.value.as_secs_f64(),
        s.redis_timeout.source
    ));
    // A refused value is shown as refused, never as the default nothing uses.
    for detail in &mut details {
        let name = detail
            .split([' ', '='])
            .next()
            .unwrap_or_default()
            .to_string();
        if let Some(problem) = errors.iter().find(|e| names_variable(e, &name)) {
            *detail = format!("{name}: REFUSED: {problem}");
        }
    }
    if s.sync_enabled.value && s.redis_url.value.is_none() {
        warnings.push(
            "CELERY_BEAT_REDIS_SYNC_ENABLED is true but REDIS_URL is not set: no change event is published, \
             schedulers see changes only at their next poll"
                .into(),
        );
    }
    if let (Some(sync), Some(broker)) = (&s.redis_url.value, &s.broker_url.value)
        && let (Some(a), Some(b)) = (
            redis_location(sync.expose()),
            redis_location(broker.expose()),
        )
        && a != b
    {
        warnings.push(format!(
            "the change-event Redis ({sync}) and the broker ({broker}) are different servers or databases; \
             make sure the scheduler uses the same REDIS_URL"
        ));
    }
    let count = |n: usize, what: &str| {
        if n == 1 {
            format!("1 {what}")
        } else {
            format!("{n} {what}s")
        }
    };
    let mut check = match (errors.len(), warnings.len()) {
        (0, 0) => Check::new(
            "config",
            Status::Ok,
            format!("{} settings resolved", details.len()),
        ),
        (0, w) => Check::new("config", Status::Warn, count(w, "warning"))
            .hint("fix the variables named above (in the environment or .env)"),
        (e, 0) => Check::new("config", Status::Fail, count(e, "refused value")).hint(
            "every command refuses these values (exit 3): fix them in the environment or .env",
        ),
        (e, w) => Check::new(
            "config",
            Status::Fail,
            format!("{}, {}", count(e, "refused value"), count(w, "warning")),
        )
        .hint("every command refuses these values (exit 3): fix them in the environment or .env"),
    };
    // Refused values are named on their setting's line; each warning is listed once.
    for e in &errors {
        if !details.iter().any(|d| d.ends_with(e.as_str())) {
            check.details.push(format!("error: {e}"));
        }
    }
    for w in &warnings {
        check.details.push(format!("warning: {w}"));
    }
    check.details.extend(details);
    check.took(start.elapsed())
}

/// Whether a configuration problem is about the variable `name` (messages start with it).
fn names_variable(problem: &str, name: &str) -> bool {
    !name.is_empty()
        && problem
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with(['=', ' ', ':']))
}

/// Every enabled schedule that cannot run as stored (the check run-beat and `schedule trigger`
/// make), named with its problems.
async fn check_schedules(ctx: &Ctx, timeout: Duration) -> Check {
    use crate::domain::schedule::NextRuns;
    use crate::store::ScheduleFilter;
    let start = Instant::now();
    let fail = |summary: String, hint: &str| {
        Check::new("schedules", Status::Fail, summary)
            .hint(hint)
            .took(start.elapsed())
    };
    let default_tz = ctx.settings.timezone.value;
    let read = async {
        let store = ctx.store().await?;
        let mut total = 0usize;
        let mut bad: Vec<String> = Vec::new();
        let mut unread: Vec<String> = Vec::new();
        let mut parsed = NextRuns::default();
        store
            .visit_schedules(&ScheduleFilter::default(), &mut |s| {
                // A schedule that is off is only looked at for unreadable columns (an
                // unreadable `paused_until` never resumes it by itself).
                if !s.enabled {
                    if !s.unread_columns().is_empty() {
                        unread.push(format!(
                            "{} ({}, {}): {}",
                            s.name,
                            s.id,
                            s.state().as_str(),
                            s.unread_columns().join("; ")
                        ));
                    }
                    return;
                }
                total += 1;
                // Parsed once per distinct cron and zone; the full check only for the rest.
                let fine = s.unsendable_columns().is_empty()
                    && parsed.zone(&s, default_tz).is_some()
                    && parsed.is_valid(&s);
                if !fine {
                    bad.push(format!(
                        "{} ({}): {}",
                        s.name,
                        s.id,
                        s.run_problems().join("; ")
                    ));
                } else if !s.unread_columns().is_empty() {
                    unread.push(format!(
                        "{} ({}): {}",
                        s.name,
                        s.id,
                        s.unread_columns().join("; ")
                    ));
                }
            })
            .await?;
        anyhow::Ok((total, bad, unread, store.next_resume().await?))
    };
    let (total, bad, unread, next_resume) =
        match tokio::time::timeout(timeout.max(Duration::from_secs(30)), read).await {
            Ok(Ok(found)) => found,
            Ok(Err(e)) => {
                return fail(
                    format!("cannot read the schedules: {e:#}"),
                    "fix the database check first",
                );
            }
            Err(_) => {
                return fail(
                    "the database did not return the schedules in time".into(),
                    "fix the database check first",
                );
            }
        };
    // A pause whose until passed a while ago: no leading run-beat resumed it.
    let overdue = next_resume
        .filter(|until| chrono::Utc::now() - *until > chrono::Duration::minutes(1))
        .map(|until| {
            format!(
                "a paused schedule was to resume at {} and is still paused: no leading run-beat \
                 resumed it",
                until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            )
        });
    if bad.is_empty() {
        let mut check = match (overdue, unread.is_empty()) {
            (Some(late), _) => Check::new("schedules", Status::Warn, late).hint(
                "start `stockura run-beat` (its leader resumes paused schedules at their until), \
                 or `stockura schedule resume REF`",
            ),
            (None, false) => Check::new(
                "schedules",
                Status::Warn,
                format!(
                    "{total} enabled schedule(s) can run, but another program wrote columns of \
                     {} schedule(s) that stockura cannot read (an unreadable last run or resume \
                     time: it runs from now, catching nothing up; an unreadable paused_until: it \
                     never resumes by itself)",
                    unread.len()
                ),
            )
            .hint(
                "fix those columns with SQL (a run writes a readable last_run_at by itself; \
                 `stockura schedule resume REF` ends a pause)",
            ),
            (None, true) => Check::new(
                "schedules",
                Status::Ok,
                format!("{total} enabled schedule(s), all can run"),
            ),
        };
        check.details = unread;
        return check.took(start.elapsed());
    }
    let cannot_run = bad.len();
    let mut bad = bad;
    bad.extend(overdue);
    bad.extend(unread);
    let mut check = Check::new(
        "schedules",
        Status::Fail,
        format!("{cannot_run} of {total} enabled schedule(s) cannot run as stored"),
    )
    .hint(
        "fix each with `stockura schedule update REF` (--cron, --tz, --kwargs …), or with SQL when \
         another program wrote it; `stockura schedule disable REF` stops the warning",
    );
    check.details = bad;
    check.took(start.elapsed())
}

/// `host:port` and db number of a Redis URL.
fn redis_location(url: &str) -> Option<(String, i64)> {
    let (scheme, rest) = url.split_once("://")?;
    if !matches!(scheme.to_ascii_lowercase().as_str(), "redis" | "rediss") {
        return None;
    }
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let hostport = if hostport.contains(':') {
        hostport.to_string()
    } else {
        format!("{hostport}:6379")
    };
    let db = path
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .parse::<i64>()
        .unwrap_or(0);
    Some((hostport.to_ascii_lowercase(), db))
}

async fn check_database(ctx: &Ctx, timeout: Duration) -> Check {
    let start = Instant::now();
    let target = match &ctx.settings.database {
        Ok(t) => t,
        Err(e) => {
            return Check::new("database", Status::Fail, e.message.clone())
                .hint(e.hint.clone())
                .took(start.elapsed());
        }
    };
    let url = &target.value.url;
    let opened = tokio::time::timeout(
        timeout,
        AnyStore::open(&target.value, OpenMode::ConnectOnly),
    )
    .await;
    let store = match opened {
        Ok(Ok(store)) => store,
        Ok(Err(e)) => {
            let cause = std::error::Error::source(&e)
                .map(|c| format!(": {c}"))
                .unwrap_or_default();
            let hint = crate::error::Classify::hint(&e).unwrap_or_default();
            return Check::new("database", Status::Fail, format!("{e}{cause}"))
                .hint(hint)
                .took(start.elapsed());
        }
        Err(_) => {
            return Check::new(
                "database",
                Status::Fail,
                format!(
                    "the database at {url} did not answer within {} ms",
                    timeout.as_millis()
                ),
            )
            .hint("check that the server is running and that DATABASE_URL is right")
            .took(start.elapsed());
        }
    };
    let status = match tokio::time::timeout(timeout, store.status()).await {
        Ok(Ok(status)) => status,
        Ok(Err(e)) => {
            return Check::new("database", Status::Fail, e.to_string()).took(start.elapsed());
        }
        Err(_) => {
            return Check::new(
                "database",
                Status::Fail,
                "the database did not answer in time",
            )
            .took(start.elapsed());
        }
    };
    let mut details = vec![
        format!("url: {url}"),
        format!("server: {}", status.server_version),
        format!(
            "schedules: {} enabled, {} disabled",
            status.enabled, status.disabled
        ),
    ];
    match status.version {
        Some(v) => details.push(format!(
            "change version: {} (changed {})",
            v.version,
            v.changed_at.to_rfc3339()
        )),
        None => details.push("change version: not yet (migration 0003 pending)".into()),
    }
    let mut check = if status.pending.is_empty() {
        Check::new(
            "database",
            Status::Ok,
            format!(
                "{} at {url}: {} enabled and {} disabled schedules",
                status.server_version, status.enabled, status.disabled
            ),
        )
    } else {
        details.push(format!("pending migrations: {}", status.pending.join(", ")));
        match status.backend {
            crate::config::Backend::Postgres => Check::new(
                "database",
                Status::Fail,
                format!(
                    "the database at {url} is not migrated: {} migration(s) pending",
                    status.pending.len()
                ),
            )
            .hint("run `stockura migrate` with the same DATABASE_URL"),
            crate::config::Backend::Sqlite => Check::new(
                "database",
                Status::Ok,
                format!(
                    "{} at {url}: {} migration(s) will be applied on first use",
                    status.server_version,
                    status.pending.len()
                ),
            ),
        }
    };
    if store.is_read_only() {
        details.push(
            "access: read-only (the file or its directory is not writable by this user)".into(),
        );
        let (status_now, what) = if status.pending.is_empty() {
            (
                Status::Warn,
                "reads work; writing commands and run-beat fail",
            )
        } else {
            (Status::Fail, "its pending migrations cannot be applied")
        };
        check = Check::new(
            "database",
            status_now,
            format!("{} at {url} is read-only: {what}", status.server_version),
        )
        .hint("make the database file and its directory writable by the user running stockura");
    }
    check.details = details;
    check.took(start.elapsed())
}

/// A leader is alive, its heartbeat is fresh, and it has seen the database's latest change.
async fn check_scheduler(ctx: &Ctx, timeout: Duration) -> Check {
    let start = Instant::now();
    let fail = |summary: String, hint: &str| {
        Check::new("scheduler", Status::Fail, summary)
            .hint(hint)
            .took(start.elapsed())
    };
    let store = match tokio::time::timeout(timeout, ctx.store()).await {
        Ok(Ok(store)) => store,
        Ok(Err(e)) => {
            return fail(
                format!("cannot read the schedulers' state: {e:#}"),
                "fix the database check first",
            );
        }
        Err(_) => {
            return fail(
                format!(
                    "the database did not answer within {} ms",
                    timeout.as_millis()
                ),
                "fix the database check first",
            );
        }
    };
    let view = match super::beat::read_status(ctx, &store, timeout).await {
        Ok(view) => view,
        Err(e) => {
            let cause = std::error::Error::source(&e)
                .map(|c| format!(": {c}"))
                .unwrap_or_default();
            return fail(
                format!("cannot read the schedulers' heartbeats: {e}{cause}"),
                "check that Redis (REDIS_URL) or the database is reachable",
            );
        }
    };
    let mut details: Vec<String> = view
        .group
        .instances
        .iter()
        .map(|i| {
            format!(
                "{} {} on {} pid {}: heartbeat {:.1} s ago, {} schedules, change version {}",
                i.instance_id,
                if Some(i.instance_id) == view.group.leader {
                    "leader"
                } else {
                    "standby"
                },
                i.host,
                i.pid,
                (view.now - i.heartbeat_at).num_milliseconds().max(0) as f64 / 1000.0,
                i.schedules,
                i.change_version
            )
        })
        .collect();
    details.push(format!(
        "heartbeats read from {} (namespace {})",
        view.source, ctx.settings.beat_namespace.value
    ));
    let hint_start = "start `stockura run-beat` with the same DATABASE_URL, REDIS_URL and STOCKURA_BEAT_NAMESPACE";
    let Some(leader) = view
        .group
        .leader
        .and_then(|id| view.group.instances.iter().find(|i| i.instance_id == id))
    else {
        let summary = if view.group.instances.is_empty() {
            "no scheduler is running: nothing dispatches the schedules".to_string()
        } else {
            format!(
                "{} scheduler(s) alive, but none is the leader: nothing dispatches the schedules",
                view.group.instances.len()
            )
        };
        let mut c = fail(summary, hint_start);
        c.details = details;
        return c;
    };
    let age = view.now - leader.heartbeat_at;
    // Heartbeats come every third of their lifetime: two missed ones mean trouble.
    let every = (leader.expires_at - leader.heartbeat_at) / 3;
    let mut check = if age > every * 2 {
        Check::new(
            "scheduler",
            Status::Warn,
            format!(
                "the leader's heartbeat is {:.1} s old (expected every {:.1} s)",
                age.num_milliseconds() as f64 / 1000.0,
                every.num_milliseconds() as f64 / 1000.0
            ),
        )
        .hint("the leader may be overloaded or paused; look at its logs")
    } else {
        Check::new(
            "scheduler",
            Status::Ok,
            format!(
                "leader {} on {} pid {}, heartbeat {:.1} s ago, {} standby(s)",
                leader.instance_id,
                leader.host,
                leader.pid,
                age.num_milliseconds() as f64 / 1000.0,
                view.group.instances.len() - 1
            ),
        )
    };
    if let (Some(db), Some(changed_at)) = (view.database_version, view.database_changed_at)
        && db > leader.change_version
    {
        let since = view.now - changed_at;
        let grace = crate::domain::instance::version_lag_grace(
            chrono::Duration::seconds(5),
            chrono::Duration::milliseconds((ctx.settings.min_sync_interval.value * 1000.0) as i64),
        );
        let text = format!(
            "the scheduler has not seen the latest changes: it runs version {}, the database has {db} (changed {:.1} s ago)",
            leader.change_version,
            since.num_milliseconds().max(0) as f64 / 1000.0
        );
        check = if since > grace {
            Check::new("scheduler", Status::Fail, text).hint(
                "check that the scheduler reaches the same database and hears change events (see the pubsub check); SIGHUP reloads it",
            )
        } else {
            Check::new(
                "scheduler",
                Status::Warn,
                format!("{text}; it should catch up within seconds"),
            )
            .hint("run diagnose again in a few seconds")
        };
    }
    check.details = details;
    check.took(start.elapsed())
}

#[cfg(test)]
mod tests {
    use super::redis_location;

    #[test]
    fn redis_locations_compare_server_and_db() {
        assert_eq!(
            redis_location("redis://h:6379/0"),
            Some(("h:6379".into(), 0))
        );
        assert_eq!(
            redis_location("redis://:pw@H/2"),
            Some(("h:6379".into(), 2))
        );
        assert_eq!(
            redis_location("rediss://u:p@h:6380"),
            Some(("h:6380".into(), 0))
        );
        assert_eq!(redis_location("amqp://h//"), None);
    }
}
