//! Settings, resolved once per process.
//!
//! Precedence: command-line flag > environment variable > `.env` file in the current directory
//! (never overriding the environment; `--no-dotenv` skips it) > default. Every value remembers
//! where it came from, so diagnostics can say so. URLs are wrapped in [`Redacted`], whose
//! `Display` and `Debug` never show a password.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;

use crate::error::{Classify, ErrorKind};

/// Environment variable names. They are shared with the Python application: never rename.
pub mod vars {
    /// Database URL: `postgres://…` or `sqlite://…`.
    pub const DATABASE_URL: &str = "DATABASE_URL";
    /// Data directory for the embedded SQLite database.
    pub const STOCKURA_HOME: &str = "STOCKURA_HOME";
    /// Timezone of schedules that do not name one.
    pub const CELERY_TIMEZONE: &str = "CELERY_TIMEZONE";
    /// Redis used for change events.
    pub const REDIS_URL: &str = "REDIS_URL";
    /// The Celery broker.
    pub const CELERY_BROKER_URL: &str = "CELERY_BROKER_URL";
    /// The Celery result backend.
    pub const CELERY_RESULT_BACKEND: &str = "CELERY_RESULT_BACKEND";
    /// Whether change events are published on Redis.
    pub const CELERY_BEAT_REDIS_SYNC_ENABLED: &str = "CELERY_BEAT_REDIS_SYNC_ENABLED";
    /// Minimum seconds between two full reloads of the scheduler.
    pub const CELERY_BEAT_MIN_SYNC_INTERVAL: &str = "CELERY_BEAT_MIN_SYNC_INTERVAL";
    /// The pub/sub channel of change events.
    pub const CELERY_BEAT_REDIS_CHANNEL: &str = "CELERY_BEAT_REDIS_CHANNEL";
    /// Refuse schedules of tasks that have no definition.
    pub const STOCKURA_REQUIRE_TASK_DEFINITIONS: &str = "STOCKURA_REQUIRE_TASK_DEFINITIONS";
    /// The Celery queue of tasks whose schedule names none.
    pub const CELERY_DEFAULT_QUEUE: &str = "CELERY_DEFAULT_QUEUE";
    /// The broker's `global_keyprefix` (Celery's `broker_transport_options`).
    pub const STOCKURA_BROKER_KEY_PREFIX: &str = "STOCKURA_BROKER_KEY_PREFIX";
    /// Seconds to wait for Redis when publishing change events.
    pub const STOCKURA_REDIS_TIMEOUT: &str = "STOCKURA_REDIS_TIMEOUT";
    /// The Redis key namespace of the schedulers' leadership and heartbeats.
    pub const STOCKURA_BEAT_NAMESPACE: &str = "STOCKURA_BEAT_NAMESPACE";
    /// `x-max-priority` of the queues declared on an AMQP broker (Celery's
    /// `task_queue_max_priority`).
    pub const CELERY_TASK_QUEUE_MAX_PRIORITY: &str = "CELERY_TASK_QUEUE_MAX_PRIORITY";
    /// `classic` or `quorum`: the type of the queues declared on an AMQP broker (Celery's
    /// `task_default_queue_type`).
    pub const CELERY_TASK_DEFAULT_QUEUE_TYPE: &str = "CELERY_TASK_DEFAULT_QUEUE_TYPE";
    /// Celery's `broker_transport_options` as JSON: `master_name` and
    /// `sentinel_kwargs.password` for `sentinel://` URLs, `global_keyprefix`.
    pub const CELERY_BROKER_TRANSPORT_OPTIONS: &str = "CELERY_BROKER_TRANSPORT_OPTIONS";
}

/// What stockura reads of Celery's `broker_transport_options`
/// ([`vars::CELERY_BROKER_TRANSPORT_OPTIONS`]); it applies to every `sentinel://` URL.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TransportOptions {
    /// `master_name`: the Sentinel name of the Redis master.
    pub master_name: Option<String>,
    /// `sentinel_kwargs.password`: authenticates to the Sentinels (the URL's password
    /// authenticates to the master).
    pub sentinel_password: Option<String>,
    /// `global_keyprefix`.
    pub global_keyprefix: Option<String>,
}

impl TransportOptions {
    /// Parses the JSON object; unknown keys are ignored (they are Celery's).
    pub fn parse(text: &str) -> Result<Self, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON ({e})"))?;
        let object = value.as_object().ok_or("not a JSON object")?;
        let text_of = |v: Option<&serde_json::Value>, what: &str| match v {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("{what} is not a string")),
        };
        let sentinel_password = match object.get("sentinel_kwargs") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::Object(k)) => {
                text_of(k.get("password"), "sentinel_kwargs.password")?
            }
            Some(_) => return Err("sentinel_kwargs is not an object".into()),
        };
        Ok(Self {
            master_name: text_of(object.get("master_name"), "master_name")?,
            sentinel_password,
            global_keyprefix: text_of(object.get("global_keyprefix"), "global_keyprefix")?,
        })
    }
}

impl fmt::Display for TransportOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(m) = &self.master_name {
            parts.push(format!("master_name={m}"));
        }
        if self.sentinel_password.is_some() {
            parts.push("sentinel password set".to_string());
        }
        if let Some(p) = &self.global_keyprefix {
            parts.push(format!("global_keyprefix={p}"));
        }
        if parts.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

impl fmt::Debug for TransportOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TransportOptions({self})")
    }
}

/// The default namespace of the leadership key and heartbeats (`stockura:beat:leader`, …).
pub const DEFAULT_BEAT_NAMESPACE: &str = "stockura:beat";

/// The default change-event channel.
pub const DEFAULT_REDIS_CHANNEL: &str = "celery_beat_schedule_updates";
/// The default minimum interval between full reloads, in seconds.
pub const DEFAULT_MIN_SYNC_INTERVAL: f64 = 5.0;
/// The file name of the embedded database inside the data directory.
pub const EMBEDDED_DB_FILE: &str = "stockura.db";

/// A configuration value that is missing or malformed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ConfigError {
    /// What is wrong, naming the setting and where it came from.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl Classify for ConfigError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidInput
    }
    fn hint(&self) -> Option<String> {
        Some(self.hint.clone())
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag.
    Flag,
    /// The process environment.
    Environment,
    /// The `.env` file in the current directory.
    DotEnv,
    /// The built-in default.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Flag => "flag",
            Self::Environment => "environment",
            Self::DotEnv => ".env",
            Self::Default => "default",
        })
    }
}

/// A resolved value and its origin.
#[derive(Debug, Clone)]
pub struct Setting<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub source: Source,
}

/// A URL that may carry a password. `Display` and `Debug` replace the password with `***`;
/// only [`Redacted::expose`] gives the real text, for handing to a driver.
#[derive(Clone, PartialEq, Eq)]
pub struct Redacted(String);

impl Redacted {
    /// Wraps a URL.
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The full URL, password included. Never print it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether it names a Redis server over TCP (`redis://`, `rediss://`, or Sentinels that
    /// name one: `sentinel://`).
    pub fn is_redis(&self) -> bool {
        matches!(self.scheme().as_str(), "redis" | "rediss" | "sentinel")
    }

    /// Its scheme, lower-cased (`redis`, `amqp`, …).
    pub fn scheme(&self) -> String {
        self.0
            .split("://")
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    }
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.0))
    }
}

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redacted({})", redact(&self.0))
    }
}

/// Replaces the password of a URL (`scheme://user:password@host`), any `password=` query
/// parameter, and `password=` words of a key/value connection string with `***`.
///
/// The user-info part is taken to end at the *last* `@`, so passwords holding an unencoded
/// `/`, `?`, `#` or `@` are masked too; when in doubt, more is masked rather than less.
pub fn redact(url: &str) -> String {
    // Celery's list of Sentinels: `sentinel://:pw@h1:26379/0;sentinel://:pw@h2:26379/0`.
    if url.contains(';') && url.split(';').all(|part| part.contains("://")) {
        return url.split(';').map(redact).collect::<Vec<_>>().join(";");
    }
    let Some(scheme_end) = url.find("://") else {
        return redact_pairs(url);
    };
    let (head, rest) = url.split_at(scheme_end + 3);
    let rest = match rest.rfind('@') {
        Some(at) => {
            let (userinfo, host) = rest.split_at(at);
            match userinfo.find(':') {
                Some(colon) => format!("{}:***{host}", &userinfo[..colon]),
                None => rest.to_string(),
            }
        }
        None => rest.to_string(),
    };
    format!("{head}{}", redact_pairs(&rest))
}

/// Decodes `%XX` escapes (a URL's user, password or path); `None` when an escape is malformed
/// or the result is not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(text.get(i + 1..i + 3)?, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Masks the value of every `password=` pair, whether separated by `&` (query strings) or
/// spaces (libpq key/value strings).
fn redact_pairs(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    while let Some(found) = lower[pos..].find("password=") {
        let start = pos + found;
        let boundary =
            start == 0 || matches!(text.as_bytes()[start - 1], b'?' | b'&' | b' ' | b';');
        let value_start = start + "password=".len();
        if !boundary {
            out.push_str(&text[pos..value_start]);
            pos = value_start;
            continue;
        }
        let value_end = text[value_start..]
            .find(['&', ' ', ';'])
            .map_or(text.len(), |e| value_start + e);
        out.push_str(&text[pos..value_start]);
        out.push_str("***");
        pos = value_end;
    }
    out.push_str(&text[pos..]);
    out
}

/// The scheme of a URL-like value, for messages that must not repeat the value itself.
fn describe_value(value: &str) -> String {
    match value.split_once("://") {
        Some((scheme, _)) if !scheme.is_empty() && scheme.len() <= 32 => {
            format!("scheme '{scheme}'")
        }
        _ => "not of the form scheme://…".to_string(),
    }
}

/// Which database engine a URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL: migrated explicitly with `stockura migrate`.
    Postgres,
    /// SQLite: migrated automatically; the embedded default is also created automatically.
    Sqlite,
}

impl Backend {
    /// Whether the database notifies every change itself (Postgres NOTIFY), so that a
    /// listener hears changes without Redis.
    pub fn notifies_changes(self) -> bool {
        self == Self::Postgres
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Postgres => "postgres",
            Self::Sqlite => "sqlite",
        })
    }
}

/// The database to use.
#[derive(Debug, Clone)]
pub struct DatabaseTarget {
    /// The URL handed to the driver.
    pub url: Redacted,
    /// The engine, chosen by the URL scheme.
    pub backend: Backend,
    /// For the embedded default: the directory to create before opening. Set only for the
    /// default, whose database is then created on first use; an explicit SQLite URL must
    /// name an existing file (only `stockura migrate` creates one).
    pub create_dir: Option<PathBuf>,
}

/// Everything the commands need to know about their environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The database.
    /// Checked only when a command needs it, so that a broken `DATABASE_URL` does not stop
    /// commands that need no database (`schedule next --cron`).
    pub database: Result<Setting<DatabaseTarget>, ConfigError>,
    /// `STOCKURA_HOME`, when set.
    pub home: Setting<Option<PathBuf>>,
    /// `CELERY_TIMEZONE`: the zone of schedules that do not name one.
    pub timezone: Setting<Tz>,
    /// `REDIS_URL`.
    pub redis_url: Setting<Option<Redacted>>,
    /// `CELERY_BROKER_URL`.
    pub broker_url: Setting<Option<Redacted>>,
    /// `CELERY_RESULT_BACKEND`.
    pub result_backend: Setting<Option<Redacted>>,
    /// `CELERY_BEAT_REDIS_SYNC_ENABLED` (default true).
    pub sync_enabled: Setting<bool>,
    /// `CELERY_BEAT_MIN_SYNC_INTERVAL`, seconds (default 5).
    pub min_sync_interval: Setting<f64>,
    /// `CELERY_BEAT_REDIS_CHANNEL` (default `celery_beat_schedule_updates`).
    pub redis_channel: Setting<String>,
    /// `STOCKURA_REQUIRE_TASK_DEFINITIONS` (default false).
    pub require_task_definitions: Setting<bool>,
    /// `STOCKURA_BROKER_KEY_PREFIX` (default none).
    pub broker_key_prefix: Setting<String>,
    /// `CELERY_DEFAULT_QUEUE` (default `celery`).
    pub default_queue: Setting<String>,
    /// `STOCKURA_REDIS_TIMEOUT`: the wait for Redis when publishing (default 2 s).
    pub redis_timeout: Setting<std::time::Duration>,
    /// `STOCKURA_BEAT_NAMESPACE` (default `stockura:beat`).
    pub beat_namespace: Setting<String>,
    /// `CELERY_TASK_QUEUE_MAX_PRIORITY` (default none): 1-255.
    pub queue_max_priority: Setting<Option<u8>>,
    /// `CELERY_TASK_DEFAULT_QUEUE_TYPE` (default `classic`): `classic` or `quorum`.
    pub queue_type: Setting<String>,
    /// `CELERY_BROKER_TRANSPORT_OPTIONS` (default none).
    pub transport_options: Setting<TransportOptions>,
}

/// The raw material settings are resolved from. Tests build it by hand. Its `Debug` shows
/// variable names only: values may be secrets.
#[derive(Clone, Default)]
pub struct Inputs {
    /// `--database-url`.
    pub database_url_flag: Option<String>,
    /// The process environment.
    pub env: HashMap<String, String>,
    /// The `.env` file's variables (empty with `--no-dotenv` or when there is no file).
    pub dotenv: HashMap<String, String>,
}

impl fmt::Debug for Inputs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut env: Vec<&String> = self.env.keys().collect();
        env.sort();
        let mut dotenv: Vec<&String> = self.dotenv.keys().collect();
        dotenv.sort();
        f.debug_struct("Inputs")
            .field(
                "database_url_flag",
                &self.database_url_flag.as_deref().map(redact),
            )
            .field("env", &env)
            .field("dotenv", &dotenv)
            .finish()
    }
}

impl Inputs {
    /// Reads the process environment and, unless `skip_dotenv`, the `.env` file in `dir`.
    pub fn gather(
        database_url_flag: Option<String>,
        skip_dotenv: bool,
        dir: &Path,
    ) -> Result<Self, ConfigError> {
        let env = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        let dotenv = if skip_dotenv {
            HashMap::new()
        } else {
            read_dotenv(&dir.join(".env"))?
        };
        Ok(Self {
            database_url_flag,
            env,
            dotenv,
        })
    }

    /// A variable from the environment, else from `.env`. Empty values count as unset.
    fn lookup(&self, name: &str) -> Option<(String, Source)> {
        // A variable set in the environment wins, even when empty (then it means "unset").
        let (value, source) = match self.env.get(name) {
            Some(v) => (v, Source::Environment),
            None => (self.dotenv.get(name)?, Source::DotEnv),
        };
        let value = value.trim();
        (!value.is_empty()).then(|| (value.to_string(), source))
    }
}

fn read_dotenv(path: &Path) -> Result<HashMap<String, String>, ConfigError> {
    let content = match std::fs::read_to_string(path) {
        Ok(content) => content,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(e) => {
            return Err(ConfigError {
                message: format!("cannot read {}: {e}", path.display()),
                hint: "make the file readable, or pass --no-dotenv to ignore it".into(),
            });
        }
    };
    dotenvy::from_read_iter(content.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|_| dotenv_error(path, &content))
}

/// The error of a malformed `.env`: the file, the line its bad entry starts on, its variable
/// name and what is wrong. Never any part of a value, which may be a password: the parser's
/// own error quotes the line, so it is not shown.
fn dotenv_error(path: &Path, content: &str) -> ConfigError {
    let what = find_bad_entry(content).map_or_else(
        || "the file is malformed".to_string(),
        |bad| bad.to_string(),
    );
    ConfigError {
        message: format!("cannot parse {}: {what}", path.display()),
        hint: "write one KEY=value per line, quoting a value that holds spaces or '#' \
               (KEY=\"a b\"), or pass --no-dotenv to ignore the file"
            .into(),
    }
}

/// What is wrong with an entry of a `.env` file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EntryProblem {
    /// The line does not start with a name (`[A-Za-z_][A-Za-z0-9_.]*`).
    NoName,
    /// A name, then something other than `=`.
    NoEquals,
    /// A quote opened in the value is still open at the end of the file.
    UnclosedQuote,
    /// The file ends right after a space or a backslash of the value.
    Unfinished,
    /// Anything else in the value: text after a space or a closing quote, a bad escape.
    BadValue,
}

/// The first malformed entry of a `.env` file. Its `Display` names the line and the variable,
/// never the value.
#[derive(Debug, Clone, PartialEq, Eq)]
struct BadEntry {
    /// The line (from 1) the entry starts on.
    line: usize,
    /// Its variable name, when the entry starts with one.
    key: Option<String>,
    problem: EntryProblem,
}

impl fmt::Display for BadEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = self.line;
        let key = match (&self.key, self.problem) {
            (Some(key), problem) if problem != EntryProblem::NoName => key,
            _ => return write!(f, "line {line} does not start with a variable name"),
        };
        write!(f, "line {line} ({key}): ")?;
        f.write_str(match self.problem {
            EntryProblem::NoName | EntryProblem::NoEquals => "no '=' after the name",
            EntryProblem::UnclosedQuote => "a quote in the value is never closed",
            EntryProblem::Unfinished => "the file ends after a space or a backslash of the value",
            EntryProblem::BadValue => {
                "the value is malformed (text after a space or a closing quote, or an unknown \
                 escape)"
            }
        })
    }
}

/// Finds the first entry the `.env` parser rejects. The file is cut into entries as the
/// parser cuts it (a quoted value may span lines) and each entry is parsed on its own.
fn find_bad_entry(content: &str) -> Option<BadEntry> {
    let mut start_line = 1;
    let mut line = 1;
    let mut entry = String::new();
    let mut state = QuoteState::Complete;
    for physical in content.split_inclusive('\n') {
        line += 1;
        if entry.is_empty() && physical.trim_start().starts_with('#') {
            start_line = line;
            continue;
        }
        entry.push_str(physical);
        state = scan(state, physical);
        if state == QuoteState::Complete {
            if dotenvy::from_read_iter(entry.as_bytes()).any(|r| r.is_err()) {
                return Some(describe_entry(&entry, start_line, None));
            }
            entry.clear();
            start_line = line;
        }
    }
    (!entry.is_empty()).then(|| describe_entry(&entry, start_line, Some(state)))
}

/// Why the parser rejects an entry; `unfinished` is the state it was left in when the file
/// ended inside it.
fn describe_entry(entry: &str, line: usize, unfinished: Option<QuoteState>) -> BadEntry {
    let (key, rest) = entry_key(entry);
    let problem = match (&key, rest.trim_start().starts_with('='), unfinished) {
        (None, _, _) => EntryProblem::NoName,
        (Some(_), false, _) => EntryProblem::NoEquals,
        (Some(_), true, None) => EntryProblem::BadValue,
        (Some(_), true, Some(QuoteState::WhiteSpace | QuoteState::Escape)) => {
            EntryProblem::Unfinished
        }
        (Some(_), true, Some(_)) => EntryProblem::UnclosedQuote,
    };
    BadEntry { line, key, problem }
}

/// The variable name an entry starts with (after an optional `export`), and what follows it.
fn entry_key(entry: &str) -> (Option<String>, &str) {
    fn name(text: &str) -> (Option<&str>, &str) {
        let text = text.trim_start();
        if !text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            return (None, text);
        }
        let end = text
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(text.len());
        (Some(&text[..end]), &text[end..])
    }
    match name(entry) {
        (Some("export"), rest) if !rest.trim_start().starts_with('=') => {
            let (key, rest) = name(rest);
            (key.map(str::to_string), rest)
        }
        (key, rest) => (key.map(str::to_string), rest),
    }
}

/// Where the `.env` parser is inside an entry, to know whether a line ends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    Complete,
    WhiteSpace,
    Escape,
    Strong,
    StrongEscape,
    Weak,
    WeakEscape,
}

/// The state after one more line of an entry (the parser's own rules: quotes and a trailing
/// backslash or space carry an entry over to the next line; a `#` after a space ends it).
fn scan(mut state: QuoteState, text: &str) -> QuoteState {
    use QuoteState::{Complete, Escape, Strong, StrongEscape, Weak, WeakEscape, WhiteSpace};
    for c in text.chars() {
        state = match state {
            WhiteSpace => match c {
                '#' => return Complete,
                '\\' => Escape,
                '"' => Weak,
                '\'' => Strong,
                _ => Complete,
            },
            Escape => Complete,
            Complete => match c {
                c if c.is_whitespace() && c != '\n' && c != '\r' => WhiteSpace,
                '\\' => Escape,
                '"' => Weak,
                '\'' => Strong,
                _ => Complete,
            },
            Weak => match c {
                '\\' => WeakEscape,
                '"' => Complete,
                _ => Weak,
            },
            WeakEscape => Weak,
            Strong => match c {
                '\\' => StrongEscape,
                '\'' => Complete,
                _ => Strong,
            },
            StrongEscape => Strong,
        };
    }
    state
}

impl Settings {
    /// Resolves every setting, failing on the first invalid value (the database URL is only
    /// checked when a command needs it).
    pub fn resolve(inputs: &Inputs) -> Result<Self, ConfigError> {
        let (settings, mut problems) = Self::resolve_lenient(inputs);
        if problems.is_empty() {
            Ok(settings)
        } else {
            Err(problems.remove(0))
        }
    }

    /// Resolves every setting, using the default for each invalid value and returning every
    /// problem: `stockura diagnose` reports them all instead of stopping at the first.
    pub fn resolve_lenient(inputs: &Inputs) -> (Self, Vec<ConfigError>) {
        let mut problems = Vec::new();
        let home = match inputs.lookup(vars::STOCKURA_HOME) {
            Some((v, source)) => Setting {
                value: Some(PathBuf::from(v)),
                source,
            },
            None => Setting {
                value: None,
                source: Source::Default,
            },
        };
        let database = resolve_database(inputs, home.value.as_deref());
        let timezone = keep_tz(inputs, &mut problems);
        let redis_url = keep_url(
            inputs,
            vars::REDIS_URL,
            &["redis", "rediss", "unix", "redis+unix", "sentinel"],
            &mut problems,
        );
        let broker_url = keep_url(inputs, vars::CELERY_BROKER_URL, &[], &mut problems);
        let result_backend = keep_url(inputs, vars::CELERY_RESULT_BACKEND, &[], &mut problems);
        let sync_enabled = keep_bool(
            inputs,
            vars::CELERY_BEAT_REDIS_SYNC_ENABLED,
            true,
            &mut problems,
        );
        let require_task_definitions = keep_bool(
            inputs,
            vars::STOCKURA_REQUIRE_TASK_DEFINITIONS,
            false,
            &mut problems,
        );
        let redis_timeout = seconds(inputs, vars::STOCKURA_REDIS_TIMEOUT, 2.0, &mut problems);
        let min_sync_interval = seconds(
            inputs,
            vars::CELERY_BEAT_MIN_SYNC_INTERVAL,
            DEFAULT_MIN_SYNC_INTERVAL,
            &mut problems,
        );
        let min_sync_interval = Setting {
            value: min_sync_interval.value.as_secs_f64(),
            source: min_sync_interval.source,
        };
        let redis_channel = match inputs.lookup(vars::CELERY_BEAT_REDIS_CHANNEL) {
            Some((v, source)) => Setting { value: v, source },
            None => Setting {
                value: DEFAULT_REDIS_CHANNEL.to_string(),
                source: Source::Default,
            },
        };
        let default_queue = match inputs.lookup(vars::CELERY_DEFAULT_QUEUE) {
            Some((v, source)) => Setting { value: v, source },
            None => Setting {
                value: "celery".to_string(),
                source: Source::Default,
            },
        };
        let broker_key_prefix = match inputs.lookup(vars::STOCKURA_BROKER_KEY_PREFIX) {
            Some((v, source)) => Setting { value: v, source },
            None => Setting {
                value: String::new(),
                source: Source::Default,
            },
        };
        let beat_namespace = match inputs.lookup(vars::STOCKURA_BEAT_NAMESPACE) {
            Some((v, source)) => Setting { value: v, source },
            None => Setting {
                value: DEFAULT_BEAT_NAMESPACE.to_string(),
                source: Source::Default,
            },
        };
        let queue_max_priority = match inputs.lookup(vars::CELERY_TASK_QUEUE_MAX_PRIORITY) {
            None => Setting {
                value: None,
                source: Source::Default,
            },
            Some((raw, source)) => match raw.trim().parse::<u8>() {
                Ok(n) if n > 0 => Setting {
                    value: Some(n),
                    source,
                },
                _ => {
                    problems.push(ConfigError {
                        message: format!(
                            "{}='{raw}' (from {source}) is not a priority from 1 to 255",
                            vars::CELERY_TASK_QUEUE_MAX_PRIORITY
                        ),
                        hint: "set it to the workers' task_queue_max_priority (such as 10), or unset it when they set none".into(),
                    });
                    Setting {
                        value: None,
                        source: Source::Default,
                    }
                }
            },
        };
        let queue_type = match inputs.lookup(vars::CELERY_TASK_DEFAULT_QUEUE_TYPE) {
            None => Setting {
                value: "classic".to_string(),
                source: Source::Default,
            },
            Some((raw, source)) => match raw.trim().to_ascii_lowercase().as_str() {
                kind @ ("classic" | "quorum") => Setting {
                    value: kind.to_string(),
                    source,
                },
                _ => {
                    problems.push(ConfigError {
                        message: format!(
                            "{}='{raw}' (from {source}) is not classic or quorum",
                            vars::CELERY_TASK_DEFAULT_QUEUE_TYPE
                        ),
                        hint: "set it to the workers' task_default_queue_type: classic (the default) or quorum".into(),
                    });
                    Setting {
                        value: "classic".to_string(),
                        source: Source::Default,
                    }
                }
            },
        };
        let transport_options = match inputs.lookup(vars::CELERY_BROKER_TRANSPORT_OPTIONS) {
            None => Setting {
                value: TransportOptions::default(),
                source: Source::Default,
            },
            Some((raw, source)) => match TransportOptions::parse(&raw) {
                Ok(value) => Setting { value, source },
                Err(why) => {
                    problems.push(ConfigError {
                        message: format!(
                            "{} (from {source}) is {why}",
                            vars::CELERY_BROKER_TRANSPORT_OPTIONS
                        ),
                        hint: r#"set it to Celery's broker_transport_options as JSON, e.g. {"master_name": "mymaster", "sentinel_kwargs": {"password": "…"}}"#.into(),
                    });
                    Setting {
                        value: TransportOptions::default(),
                        source: Source::Default,
                    }
                }
            },
        };
        // The key prefix of the transport options, unless STOCKURA_BROKER_KEY_PREFIX says.
        let broker_key_prefix = match (&transport_options.value.global_keyprefix, broker_key_prefix)
        {
            (
                Some(prefix),
                Setting {
                    source: Source::Default,
                    ..
                },
            ) => Setting {
                value: prefix.clone(),
                source: transport_options.source,
            },
            (_, prefix) => prefix,
        };
        let settings = Self {
            transport_options,
            queue_max_priority,
            queue_type,
            beat_namespace,
            database,
            home,
            timezone,
            redis_url,
            broker_url,
            result_backend,
            sync_enabled,
            min_sync_interval,
            redis_channel,
            require_task_definitions,
            redis_timeout,
            default_queue,
            broker_key_prefix,
        };
        (settings, problems)
    }
}

fn keep_url(
    inputs: &Inputs,
    name: &str,
    schemes: &[&str],
    problems: &mut Vec<ConfigError>,
) -> Setting<Option<Redacted>> {
    optional_url(inputs, name, schemes).unwrap_or_else(|e| {
        problems.push(e);
        Setting {
            value: None,
            source: Source::Default,
        }
    })
}

fn keep_tz(inputs: &Inputs, problems: &mut Vec<ConfigError>) -> Setting<Tz> {
    let default = Setting {
        value: Tz::UTC,
        source: Source::Default,
    };
    let Some((name, source)) = inputs.lookup(vars::CELERY_TIMEZONE) else {
        return default;
    };
    match crate::domain::cron::parse_timezone(&name) {
        Ok(tz) => Setting { value: tz, source },
        Err(e) => {
            problems.push(ConfigError {
                message: format!("{} (from {source}): {}", vars::CELERY_TIMEZONE, e.message),
                hint: e.hint,
            });
            default
        }
    }
}

fn keep_bool(
    inputs: &Inputs,
    name: &str,
    default: bool,
    problems: &mut Vec<ConfigError>,
) -> Setting<bool> {
    bool_setting(inputs, name, default).unwrap_or_else(|e| {
        problems.push(e);
        Setting {
            value: default,
            source: Source::Default,
        }
    })
}

/// A positive number of seconds (at most an hour).
fn seconds(
    inputs: &Inputs,
    name: &str,
    default: f64,
    problems: &mut Vec<ConfigError>,
) -> Setting<std::time::Duration> {
    let fallback = Setting {
        value: std::time::Duration::from_secs_f64(default),
        source: Source::Default,
    };
    let Some((raw, source)) = inputs.lookup(name) else {
        return fallback;
    };
    match raw.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 3600.0 => Setting {
            value: std::time::Duration::from_secs_f64(v),
            source,
        },
        _ => {
            problems.push(ConfigError {
                message: format!(
                    "{name}='{raw}' (from {source}) is not a positive number of seconds"
                ),
                hint: format!(
                    "set it to a number of seconds greater than 0 (at most 3600), such as {default}"
                ),
            });
            fallback
        }
    }
}

fn resolve_database(
    inputs: &Inputs,
    home: Option<&Path>,
) -> Result<Setting<DatabaseTarget>, ConfigError> {
    let given = match inputs
        .database_url_flag
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        Some(flag) => Some((flag.to_string(), Source::Flag)),
        None => inputs.lookup(vars::DATABASE_URL),
    };
    if let Some((url, source)) = given {
        let (normalized, backend) = normalize_database_url(&url).map_err(|why| ConfigError {
            message: format!("{} (from {source}) is not a usable database URL: {why}", vars::DATABASE_URL),
            hint: "use postgres://user:password@host:5432/dbname (the Python spelling postgresql+asyncpg:// works \
                   too) or sqlite:///path/to/stockura.db, or unset it for the embedded default"
                .into(),
        })?;
        let target = DatabaseTarget {
            url: Redacted::new(normalized),
            backend,
            create_dir: None,
        };
        return Ok(Setting {
            value: target,
            source,
        });
    }
    let dir = match home {
        Some(home) => home.to_path_buf(),
        None => default_data_dir(&inputs.env).ok_or_else(|| ConfigError {
            message: "cannot find a data directory for the embedded database: neither \
                      STOCKURA_HOME, XDG_DATA_HOME nor HOME is set"
                .into(),
            hint: "set STOCKURA_HOME to a writable directory, or DATABASE_URL".into(),
        })?,
    };
    let path = dir.join(EMBEDDED_DB_FILE);
    let target = DatabaseTarget {
        url: Redacted::new(format!("sqlite://{}", path.display())),
        backend: Backend::Sqlite,
        create_dir: Some(dir),
    };
    Ok(Setting {
        value: target,
        source: Source::Default,
    })
}

/// `$XDG_DATA_HOME/stockura`, else `$HOME/.local/share/stockura`.
fn default_data_dir(env: &HashMap<String, String>) -> Option<PathBuf> {
    let set = |k: &str| env.get(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    set("XDG_DATA_HOME")
        .or_else(|| set("HOME").map(|h| h.join(".local").join("share")))
        .map(|d| d.join("stockura"))
}

/// The driver URL and engine of a database URL. Accepts the spellings the Python application
/// uses (`postgresql+asyncpg://`, `sqlite+aiosqlite:///`) by dropping the driver part.
fn normalize_database_url(url: &str) -> Result<(String, Backend), String> {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
        None => match url.split_once(':') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("sqlite") => {
                ("sqlite".to_string(), rest)
            }
            _ => return Err(describe_value(url)),
        },
    };
    match scheme.split('+').next().unwrap_or_default() {
        "postgres" | "postgresql" => Ok((format!("postgres://{rest}"), Backend::Postgres)),
        "sqlite" => {
            if rest.is_empty() || rest.starts_with(":memory:") || rest.contains("mode=memory") {
                return Err(
                    "an in-memory SQLite database keeps nothing from one command to the next"
                        .into(),
                );
            }
            Ok((format!("sqlite://{rest}"), Backend::Sqlite))
        }
        _ => Err(format!("unsupported {}", describe_value(url))),
    }
}

fn optional_url(
    inputs: &Inputs,
    name: &str,
    schemes: &[&str],
) -> Result<Setting<Option<Redacted>>, ConfigError> {
    let Some((url, source)) = inputs.lookup(name) else {
        return Ok(Setting {
            value: None,
            source: Source::Default,
        });
    };
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    let ok = match &scheme {
        Some(s) if !s.is_empty() => schemes.is_empty() || schemes.contains(&s.as_str()),
        _ => false,
    };
    if !ok {
        let expected = if schemes.is_empty() {
            "a URL of the form scheme://host[:port][/path]".to_string()
        } else {
            format!(
                "a URL starting with {}",
                schemes
                    .iter()
                    .map(|s| format!("{s}://"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        return Err(ConfigError {
            message: format!(
                "{name} (from {source}) is not a valid URL ({})",
                describe_value(&url)
            ),
            hint: format!("set {name} to {expected}, e.g. redis://127.0.0.1:6379/0"),
        });
    }
    Ok(Setting {
        value: Some(Redacted::new(url)),
        source,
    })
}

fn bool_setting(inputs: &Inputs, name: &str, default: bool) -> Result<Setting<bool>, ConfigError> {
    match inputs.lookup(name) {
        Some((raw, source)) => Ok(Setting {
            value: parse_bool(&raw).ok_or_else(|| ConfigError {
                message: format!("{name}='{raw}' (from {source}) is not a boolean"),
                hint: "use true or false (also accepted: 1/0, yes/no, on/off)".into(),
            })?,
            source,
        }),
        None => Ok(Setting {
            value: default,
            source: Source::Default,
        }),
    }
}

fn parse_bool(raw: &str) -> Option<bool> {
    match raw.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" | "y" | "t" => Some(true),
        "0" | "false" | "no" | "off" | "n" | "f" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(env: &[(&str, &str)], dotenv: &[(&str, &str)]) -> Inputs {
        let map = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        Inputs {
            database_url_flag: None,
            env: map(env),
            dotenv: map(dotenv),
        }
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://u:secret@db:5432/x"),
            "postgres://u:***@db:5432/x"
        );
        assert_eq!(redact("redis://:secret@h/0"), "redis://:***@h/0");
        assert_eq!(redact("redis://h:6379/0"), "redis://h:6379/0");
        assert_eq!(
            redact("postgres://u@h/x?sslmode=require&password=pw"),
            "postgres://u@h/x?sslmode=require&password=***"
        );
        assert_eq!(redact("postgres://u:p@ss@h/x"), "postgres://u:***@h/x");
        assert_eq!(
            format!("{:?}", Redacted::new("amqp://g:pw@h//")),
            "Redacted(amqp://g:***@h//)"
        );
        assert_eq!(redact("not a url"), "not a url");
    }

    fn db(s: &Settings) -> &Setting<DatabaseTarget> {
        s.database.as_ref().expect("database setting")
    }

    #[test]
    fn precedence_flag_env_dotenv_default() {
        let mut i = inputs(
            &[("DATABASE_URL", "postgres://env/x")],
            &[("DATABASE_URL", "sqlite://dot.db")],
        );
        i.database_url_flag = Some("postgres://flag/x".into());
        let s = Settings::resolve(&i).unwrap();
        assert_eq!(db(&s).source, Source::Flag);
        assert_eq!(db(&s).value.url.expose(), "postgres://flag/x");
        i.database_url_flag = None;
        let s = Settings::resolve(&i).unwrap();
        assert_eq!(
            (db(&s).source, db(&s).value.backend),
            (Source::Environment, Backend::Postgres)
        );
        i.env.clear();
        let s = Settings::resolve(&i).unwrap();
        assert_eq!(
            (db(&s).source, db(&s).value.backend),
            (Source::DotEnv, Backend::Sqlite)
        );
    }

    #[test]
    fn python_spellings_of_database_urls() {
        for (given, want, backend) in [
            (
                "postgresql+asyncpg://app:pw@db/app",
                "postgres://app:pw@db/app",
                Backend::Postgres,
            ),
            (
                "POSTGRESQL://db/app",
                "postgres://db/app",
                Backend::Postgres,
            ),
            (
                "sqlite+aiosqlite:///data/x.db",
                "sqlite:///data/x.db",
                Backend::Sqlite,
            ),
            (
                "SQLITE:///data/x.db",
                "sqlite:///data/x.db",
                Backend::Sqlite,
            ),
            ("sqlite:rel.db", "sqlite://rel.db", Backend::Sqlite),
        ] {
            assert_eq!(
                normalize_database_url(given).unwrap(),
                (want.to_string(), backend),
                "{given}"
            );
        }
        assert!(
            normalize_database_url("sqlite::memory:")
                .unwrap_err()
                .contains("in-memory")
        );
        assert!(
            normalize_database_url("mysql://u:pw@h/x")
                .unwrap_err()
                .contains("scheme 'mysql'")
        );
        assert!(
            !normalize_database_url("host=db password=pw")
                .unwrap_err()
                .contains("pw")
        );
    }

    #[test]
    fn embedded_default_lives_in_home_then_xdg() {
        let s = Settings::resolve(&inputs(
            &[("STOCKURA_HOME", "/data/st"), ("HOME", "/home/u")],
            &[],
        ))
        .unwrap();
        assert_eq!(db(&s).value.url.expose(), "sqlite:///data/st/stockura.db");
        assert_eq!(db(&s).source, Source::Default);
        let s = Settings::resolve(&inputs(&[("HOME", "/home/u")], &[])).unwrap();
        assert_eq!(
            db(&s).value.url.expose(),
            "sqlite:///home/u/.local/share/stockura/stockura.db"
        );
        let s = Settings::resolve(&inputs(
            &[("XDG_DATA_HOME", "/x"), ("HOME", "/home/u")],
            &[],
        ))
        .unwrap();
        assert_eq!(
            db(&s).value.url.expose(),
            "sqlite:///x/stockura/stockura.db"
        );
    }

    #[test]
    fn defaults() {
        let s = Settings::resolve(&inputs(&[("HOME", "/h")], &[])).unwrap();
        assert_eq!(s.timezone.value, Tz::UTC);
        assert!(s.sync_enabled.value);
        assert_eq!(s.redis_channel.value, "celery_beat_schedule_updates");
        assert_eq!(s.min_sync_interval.value, 5.0);
        assert!(s.redis_url.value.is_none());
    }

    #[test]
    fn rejects_bad_values_naming_the_variable_and_source() {
        let bad = [
            ("CELERY_TIMEZONE", "Mars/Olympus"),
            ("REDIS_URL", "http://u:topsecret@h"),
            ("CELERY_BEAT_REDIS_SYNC_ENABLED", "maybe"),
            ("CELERY_BEAT_MIN_SYNC_INTERVAL", "-3"),
            ("CELERY_BEAT_MIN_SYNC_INTERVAL", "abc"),
            ("CELERY_BROKER_URL", "nonsense"),
            ("CELERY_BROKER_URL", "amqp:guest:topsecret@h"),
        ];
        for (k, v) in bad {
            let err = Settings::resolve(&inputs(&[("HOME", "/h")], &[(k, v)])).unwrap_err();
            assert!(err.message.contains(k), "{}", err.message);
            assert!(err.message.contains("(from .env)"), "{}", err.message);
            assert!(!err.message.contains("topsecret"), "{}", err.message);
        }
        // A bad database URL fails only the commands that need the database.
        for v in [
            "mysql://u:topsecret@h/x",
            "host=db user=app password=topsecret dbname=app",
        ] {
            let s = Settings::resolve(&inputs(&[("HOME", "/h")], &[("DATABASE_URL", v)])).unwrap();
            let err = s.database.unwrap_err();
            assert!(
                err.message.contains("DATABASE_URL (from .env)"),
                "{}",
                err.message
            );
            assert!(!err.message.contains("topsecret"), "{}", err.message);
        }
    }

    #[test]
    fn the_environment_wins_even_when_empty() {
        let s = Settings::resolve(&inputs(
            &[("HOME", "/h"), ("REDIS_URL", "")],
            &[("REDIS_URL", "redis://h/1")],
        ))
        .unwrap();
        assert!(s.redis_url.value.is_none());
        let s = Settings::resolve(&inputs(&[("HOME", "/h")], &[("REDIS_URL", "")])).unwrap();
        assert!(s.redis_url.value.is_none());
        let s =
            Settings::resolve(&inputs(&[("HOME", "/h")], &[("REDIS_URL", "redis://h/1")])).unwrap();
        assert_eq!(s.redis_url.source, Source::DotEnv);
    }

    #[test]
    fn redaction_survives_odd_passwords() {
        for (url, secret) in [
            ("postgres://app:pa/ss@127.0.0.1:1/db", "pa/ss"),
            ("postgres://app:p#ss@h/db", "p#ss"),
            ("postgres://app:p?ss@h/db", "p?ss"),
            ("postgres://app:p@ss@h/db", "p@ss"),
            ("redis://:s3cr3t@h:6379/0", "s3cr3t"),
            ("host=db user=app password=S3cretPw dbname=app", "S3cretPw"),
            (
                "postgres://h/db?sslmode=require&password=S3cretPw",
                "S3cretPw",
            ),
        ] {
            let shown = redact(url);
            assert!(!shown.contains(secret), "{url} -> {shown}");
            assert!(shown.contains("***"), "{url} -> {shown}");
        }
        assert_eq!(
            redact("postgres://app@h/db?sslmode=require"),
            "postgres://app@h/db?sslmode=require"
        );
        assert_eq!(redact("mypassword=x"), "mypassword=x");
    }

    #[test]
    fn dotenv_errors_never_show_values() {
        let dir = std::env::temp_dir().join(format!("stockura-dotenv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(".env");
        std::fs::write(
            &file,
            "A=1\nDATABASE_URL=\"postgres://app:Hunter2Secret@db/app\n",
        )
        .unwrap();
        let err = read_dotenv(&file).unwrap_err();
        assert!(!err.message.contains("Hunter2Secret"), "{}", err.message);
        assert!(
            err.message.contains("line 2 (DATABASE_URL)") && err.message.contains("never closed"),
            "{}",
            err.message
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_bad_dotenv_entry_is_named_by_line_and_key() {
        use EntryProblem::{BadValue, NoEquals, NoName, UnclosedQuote, Unfinished};
        let cases: &[(&str, usize, Option<&str>, EntryProblem)] = &[
            (
                "DATABASE_URL postgres://u:S3cretPW@h/db\n",
                1,
                Some("DATABASE_URL"),
                NoEquals,
            ),
            (
                "A=1\n\n# c\nKEY=\"S3cretPW\" extra\n",
                4,
                Some("KEY"),
                BadValue,
            ),
            ("KEY=S3cret PW\n", 1, Some("KEY"), BadValue),
            ("export TOKEN S3cretPW\n", 1, Some("TOKEN"), NoEquals),
            (
                "A=1\n  DATABASE_URL : S3cretPW\n",
                2,
                Some("DATABASE_URL"),
                NoEquals,
            ),
            ("A=1\n=S3cretPW\n", 2, None, NoName),
            ("A=1\n1KEY=S3cretPW\n", 2, None, NoName),
            (
                "A='x\ny'\nB=\"S3cretPW\n\nC=3\n",
                3,
                Some("B"),
                UnclosedQuote,
            ),
            ("A=1\nB=S3cretPW\\q\n", 2, Some("B"), BadValue),
            ("A=1\nB=S3cretPW ", 2, Some("B"), Unfinished),
        ];
        for (content, line, key, problem) in cases {
            assert!(
                dotenvy::from_read_iter(content.as_bytes()).any(|r| r.is_err()),
                "the parser accepts {content:?}"
            );
            let bad = find_bad_entry(content).unwrap_or_else(|| panic!("{content:?}"));
            assert_eq!(
                bad,
                BadEntry {
                    line: *line,
                    key: key.map(str::to_string),
                    problem: *problem
                },
                "{content:?}"
            );
            let shown = dotenv_error(Path::new("/x/.env"), content).message;
            assert!(!shown.contains("S3cret"), "{shown}");
            assert!(
                shown.starts_with(&format!("cannot parse /x/.env: line {line}")),
                "{shown}"
            );
        }
        // Entries the parser accepts are not reported, multi-line quoted values included.
        assert_eq!(
            find_bad_entry("# c\nA=\"x\ny\"\nexport B=2\nC='a # b' # note\nD=\n"),
            None
        );
    }
    #[test]
    fn transport_options_and_sentinel_lists() {
        let o = TransportOptions::parse(
            r#"{"master_name": "m", "sentinel_kwargs": {"password": "s3cret"}, "visibility_timeout": 3600}"#,
        )
        .unwrap();
        assert_eq!(o.master_name.as_deref(), Some("m"));
        assert_eq!(o.sentinel_password.as_deref(), Some("s3cret"));
        assert!(!format!("{o} {o:?}").contains("s3cret"));
        assert!(TransportOptions::parse("[]").is_err());
        assert!(TransportOptions::parse(r#"{"master_name": 1}"#).is_err());
        assert!(TransportOptions::parse("{").is_err());
        let shown =
            Redacted::new("sentinel://:pw1@h1:26379/0;sentinel://:pw2@h2:26379/0").to_string();
        assert_eq!(
            shown,
            "sentinel://:***@h1:26379/0;sentinel://:***@h2:26379/0"
        );
        let s = Settings::resolve(&inputs(
            &[
                ("HOME", "/h"),
                (
                    "CELERY_BROKER_TRANSPORT_OPTIONS",
                    r#"{"global_keyprefix": "app:"}"#,
                ),
            ],
            &[],
        ))
        .unwrap();
        assert_eq!(s.broker_key_prefix.value, "app:");
        let bad = Settings::resolve(&inputs(
            &[("HOME", "/h"), ("CELERY_TASK_QUEUE_MAX_PRIORITY", "300")],
            &[],
        ));
        assert!(bad.is_err());
    }
}
