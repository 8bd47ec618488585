//! Celery task messages (protocol 2) as `stockura` LPUSHes them into a Redis broker.
//!
//! Unmodified Python Celery 5.7 workers (kombu 5.7 Redis transport) execute what this module
//! builds. The layout follows `docs/celery-wire-format.md` and was checked against
//! messages captured from Celery's `Task.apply_async` (celery 5.7.0, kombu 5.7.0):
//!
//! * [`TaskMessage::envelope`] gives the JSON text of one list item: the same keys, in the same
//!   order, with the same values as Celery's own, except for the fields that identify the
//!   sender: `origin` (Celery: `gen<pid>@<host>`, here [`TaskMessage::origin`]), `reply_to`
//!   (Celery: the app's `thread_oid`, used only by the `rpc://` result backend; here `""`), and
//!   the `expiration` property, which Celery adds next to `expires` but the Redis transport never
//!   reads (it is a relative TTL computed from the sender's clock).
//! * [`TaskMessage::body`] gives the body text byte for byte as kombu's `json.dumps` writes it
//!   (`", "` and `": "` separators, non-ASCII escaped as `\uXXXX`, floats spelled as Python does).
//! * `argsrepr` / `kwargsrepr` are what Celery puts there, its `saferepr(..., 1024,
//!   maxlevels=3)` (`docs/celery-wire-format.md`, "argsrepr and kwargsrepr"), which differs
//!   from [`python_repr`] (strings always in single quotes, only `'` escaped, cut after 1024
//!   characters, containers deeper than 3 levels shown as `[...]`). [`python_repr`] is the
//!   plain `repr()` for showing values to people. Both, and the body's `json.dumps`, are
//!   written by `pyrepr`.
//! * [`BrokerLayout::list_key`] gives the list key (priority buckets and `global_keyprefix`).

use std::fmt::Write as _;

use base64::Engine as _;
use chrono::{DateTime, Timelike as _, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::domain::json::write_str as write_json_str;

mod pyrepr;

use pyrepr::{celery_argsrepr, celery_kwargsrepr, write_py_json_map, write_py_json_seq};
pub use pyrepr::{python_json_dumps_sorted, python_repr};

/// The two bytes between a queue name and its priority bucket in a list key, kombu's default
/// `sep` (`docs/celery-wire-format.md`, "Where a message goes").
const PRIORITY_SEP: &[u8] = b"\x06\x16";

/// The namespace of [`slot_task_id`]: UUID v5 of the name `urn:stockura:beat:slot-task-id` in
/// the RFC 4122 URL namespace. Fixed forever: changing it changes every slot's task id.
pub const SLOT_TASK_ID_NAMESPACE: Uuid = Uuid::from_u128(0xb8fb28e8_2012_570e_a1a6_9c817d6380c3);

/// Where messages go: the broker's key layout.
///
/// Mirrors the worker side's `broker_transport_options`; only `global_keyprefix` is
/// configurable (the separator and the priority steps are kombu's defaults).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BrokerLayout {
    /// `broker_transport_options['global_keyprefix']`, put in front of every key; `""` (the
    /// default) for none.
    pub global_keyprefix: String,
    /// The kind of broker the messages are encoded for.
    pub transport: crate::beat::broker::Transport,
}

impl BrokerLayout {
    /// The Redis list key for `queue` at `priority` (None or 0-2: the queue name itself; 3-5 /
    /// 6-8 / 9: queue + b"\x06\x16" + b"3"/"6"/"9"), with the prefix in front. Bytes, since the
    /// separator is not printable. Priorities above 9 count as 9, as kombu clamps them.
    pub fn list_key(&self, queue: &str, priority: Option<u8>) -> Vec<u8> {
        let mut key =
            Vec::with_capacity(self.global_keyprefix.len() + queue.len() + PRIORITY_SEP.len() + 1);
        key.extend_from_slice(self.global_keyprefix.as_bytes());
        key.extend_from_slice(queue.as_bytes());
        let bucket = priority_bucket(priority);
        if bucket != 0 {
            key.extend_from_slice(PRIORITY_SEP);
            key.push(b'0' + bucket);
        }
        key
    }
}

/// The priority as sent in `properties.priority`: 0 when unset, at most 9.
fn priority_value(priority: Option<u8>) -> u8 {
    priority.unwrap_or(0).min(9)
}

/// kombu's bucket for a priority: the largest of its default `priority_steps` 0, 3, 6, 9 not
/// above it (`docs/celery-wire-format.md`, "Where a message goes").
fn priority_bucket(priority: Option<u8>) -> u8 {
    match priority_value(priority) {
        0..=2 => 0,
        3..=5 => 3,
        6..=8 => 6,
        _ => 9,
    }
}

/// One task to send.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskMessage {
    /// The registered task name (`headers.task`).
    pub task_name: String,
    /// The task id (`headers.id`, `headers.root_id`, `properties.correlation_id`, and the
    /// result backend's `celery-task-meta-<id>`).
    pub task_id: Uuid,
    /// Positional arguments.
    pub args: Vec<Value>,
    /// Keyword arguments, in the order the task should see them.
    pub kwargs: Map<String, Value>,
    /// The queue (routing key) the worker consumes, without any key prefix.
    pub queue: String,
    /// Priority 0-9 (0 is consumed first on Redis); `None` is sent as 0. Values above 9 are sent
    /// as 9.
    pub priority: Option<u8>,
    /// Do not run before this instant (`headers.eta`); the worker holds the message until then.
    pub eta: Option<DateTime<Utc>>,
    /// Do not run after this instant (`headers.expires`); a worker receiving it later stores
    /// `REVOKED` instead of running it.
    pub expires: Option<DateTime<Utc>>,
    /// `headers.origin`, e.g. `"stockura@myhost"`; the header is exactly this string.
    pub origin: String,
    /// Adds the header `"celery_beat_task": true`, as `celery beat` does for what it sends.
    pub beat: bool,
}

impl TaskMessage {
    /// The envelope JSON text to LPUSH (compact serde_json), with a fresh delivery tag.
    ///
    /// `delivery_tag` must be unique per pushed message (dispatch draws them from
    /// `DeliveryTags`, random version-4 ids): kombu uses it to track unacknowledged messages,
    /// and of two messages sharing one, one is lost on requeue. Push the text to [`BrokerLayout::list_key`]`(&self.queue, self.priority)`.
    pub fn envelope(&self, delivery_tag: Uuid) -> String {
        // Written straight into one string, in the key order (and with the escaping) of
        // serde_json's compact writer; `envelope_via_tree` in the tests is the reference.
        let mut ids = Uuid::encode_buffer();
        let id: &str = self.task_id.hyphenated().encode_lower(&mut ids);
        let body = self.body();
        let argsrepr = celery_argsrepr(&self.args);
        let kwargsrepr = celery_kwargsrepr(&self.kwargs);
        let mut out = String::with_capacity(
            body.len() * 4 / 3 + argsrepr.len() + kwargsrepr.len() + self.task_name.len() + 900,
        );
        out.push_str(r#"{"body":""#);
        base64::engine::general_purpose::STANDARD.encode_string(body, &mut out);
        out.push_str(r#"","content-encoding":"utf-8","content-type":"application/json","headers":{"lang":"py","task":"#);
        write_json_str(&mut out, &self.task_name);
        let _ = write!(out, r#","id":"{id}","shadow":null,"eta":"#);
        write_json_stamp(&mut out, self.eta);
        out.push_str(r#","expires":"#);
        write_json_stamp(&mut out, self.expires);
        let _ = write!(
            out,
            r#","group":null,"group_index":null,"retries":0,"timelimit":[null,null],"root_id":"{id}","parent_id":null,"argsrepr":"#
        );
        write_json_str(&mut out, &argsrepr);
        out.push_str(r#","kwargsrepr":"#);
        write_json_str(&mut out, &kwargsrepr);
        out.push_str(r#","origin":"#);
        write_json_str(&mut out, &self.origin);
        out.push_str(
            r#","ignore_result":false,"replaced_task_nesting":0,"stamped_headers":null,"stamps":{}"#,
        );
        if self.beat {
            out.push_str(r#","celery_beat_task":true"#);
        }
        let _ = write!(
            out,
            r#"}},"properties":{{"correlation_id":"{id}","reply_to":"","delivery_mode":2,"delivery_info":{{"exchange":"","routing_key":"#
        );
        write_json_str(&mut out, &self.queue);
        let _ = write!(
            out,
            r#"}},"priority":{},"body_encoding":"base64","delivery_tag":"{}"}}}}"#,
            priority_value(self.priority),
            delivery_tag.hyphenated()
        );
        out
    }

    /// The protocol-2 headers in the order Celery writes them: the set the Redis envelope
    /// carries, typed for transports that encode each value (AMQP field tables).
    pub fn headers(&self) -> Vec<(&'static str, Header)> {
        let id = self.task_id.hyphenated().to_string();
        let stamp =
            |t: Option<DateTime<Utc>>| t.map_or(Header::Null, |t| Header::Str(python_isoformat(t)));
        let mut h = vec![
            ("lang", Header::Str("py".into())),
            ("task", Header::Str(self.task_name.clone())),
            ("id", Header::Str(id.clone())),
            ("shadow", Header::Null),
            ("eta", stamp(self.eta)),
            ("expires", stamp(self.expires)),
            ("group", Header::Null),
            ("group_index", Header::Null),
            ("retries", Header::Int(0)),
            ("timelimit", Header::NullPair),
            ("root_id", Header::Str(id)),
            ("parent_id", Header::Null),
            ("argsrepr", Header::Str(celery_argsrepr(&self.args))),
            ("kwargsrepr", Header::Str(celery_kwargsrepr(&self.kwargs))),
            ("origin", Header::Str(self.origin.clone())),
            ("ignore_result", Header::Bool(false)),
            ("replaced_task_nesting", Header::Int(0)),
            ("stamped_headers", Header::Null),
            ("stamps", Header::EmptyMap),
        ];
        if self.beat {
            h.push(("celery_beat_task", Header::Bool(true)));
        }
        h
    }

    /// The decoded body: [args, kwargs, {"callbacks": null, "errbacks": null, "chain": null,
    /// "chord": null}] as JSON text (before base64).
    ///
    /// Written byte for byte as kombu's `json.dumps` writes it (Python's default separators,
    /// `ensure_ascii`, floats in Python's spelling such as `1e+20`; integers keep every digit).
    pub fn body(&self) -> String {
        let mut out = String::with_capacity(128);
        out.push('[');
        write_py_json_seq(&mut out, &self.args);
        out.push_str(", ");
        write_py_json_map(&mut out, &self.kwargs);
        out.push_str(r#", {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]"#);
        out
    }
}

/// The value of one message header ([`TaskMessage::headers`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Header {
    /// A string.
    Str(String),
    /// Python's `None`.
    Null,
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// `[None, None]` (`timelimit`).
    NullPair,
    /// `{}` (`stamps`).
    EmptyMap,
}

/// The task id of a scheduled slot: UUID v5 over `schedule_id` and the slot instant (RFC 3339,
/// UTC, microseconds) in a fixed stockura namespace UUID ([`SLOT_TASK_ID_NAMESPACE`]). A retried
/// dispatch of the same slot gets the same id.
///
/// The name hashed is `"<schedule_id, hyphenated lowercase>/<slot as 2026-01-01T00:00:00.000000Z>"`
/// (sub-microsecond digits of `slot` are ignored).
pub fn slot_task_id(schedule_id: Uuid, slot: DateTime<Utc>) -> Uuid {
    let name = format!(
        "{}/{}",
        schedule_id.hyphenated(),
        slot.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    );
    Uuid::new_v5(&SLOT_TASK_ID_NAMESPACE, name.as_bytes())
}

/// `eta` / `expires` as Celery writes them: Python's `datetime.isoformat()` of an aware UTC
/// datetime, `2026-01-01T00:00:00+00:00`, with `.ffffff` only when the microseconds are not
/// zero. Nanoseconds below the microsecond are dropped (Python datetimes have none); a leap
/// second is written as `:59.999999` (Python cannot parse second 60).
fn python_isoformat(t: DateTime<Utc>) -> String {
    let t = if t.nanosecond() >= 1_000_000_000 {
        t.with_nanosecond(999_999_999).unwrap_or(t)
    } else {
        t
    };
    let mut out = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let micros = t.nanosecond() / 1_000;
    if micros != 0 {
        let _ = write!(out, ".{micros:06}");
    }
    out.push_str("+00:00");
    out
}

/// `eta` / `expires` in the envelope: a Python isoformat string, or `null`.
fn write_json_stamp(out: &mut String, t: Option<DateTime<Utc>>) {
    match t {
        Some(t) => write_json_str(out, &python_isoformat(t)),
        None => out.push_str("null"),
    }
}

#[cfg(test)]
mod tests {

    /// The envelope as a serde_json tree: the reference the direct writer must match.
    fn envelope_via_tree(m: &TaskMessage, delivery_tag: Uuid) -> String {
        let id = Value::String(m.task_id.to_string());
        let body = base64::engine::general_purpose::STANDARD.encode(m.body());

        let mut delivery_info = Map::new();
        delivery_info.insert("exchange".into(), Value::String(String::new()));
        delivery_info.insert("routing_key".into(), Value::String(m.queue.clone()));

        let mut properties = Map::new();
        properties.insert("correlation_id".into(), id.clone());
        properties.insert("reply_to".into(), Value::String(String::new()));
        properties.insert("delivery_mode".into(), Value::from(2u8));
        properties.insert("delivery_info".into(), Value::Object(delivery_info));
        properties.insert("priority".into(), Value::from(priority_value(m.priority)));
        properties.insert("body_encoding".into(), Value::String("base64".into()));
        properties.insert(
            "delivery_tag".into(),
            Value::String(delivery_tag.to_string()),
        );

        let mut envelope = Map::new();
        envelope.insert("body".into(), Value::String(body));
        envelope.insert("content-encoding".into(), Value::String("utf-8".into()));
        envelope.insert(
            "content-type".into(),
            Value::String("application/json".into()),
        );
        envelope.insert("headers".into(), Value::Object(headers_via_tree(m, id)));
        envelope.insert("properties".into(), Value::Object(properties));
        Value::Object(envelope).to_string()
    }

    /// The message headers, in Celery's order (`docs/celery-wire-format.md`, "The envelope").
    fn headers_via_tree(m: &TaskMessage, id: Value) -> Map<String, Value> {
        let stamp = |t: Option<DateTime<Utc>>| {
            t.map_or(Value::Null, |t| Value::String(python_isoformat(t)))
        };
        let mut h = Map::new();
        h.insert("lang".into(), Value::String("py".into()));
        h.insert("task".into(), Value::String(m.task_name.clone()));
        h.insert("id".into(), id.clone());
        h.insert("shadow".into(), Value::Null);
        h.insert("eta".into(), stamp(m.eta));
        h.insert("expires".into(), stamp(m.expires));
        h.insert("group".into(), Value::Null);
        h.insert("group_index".into(), Value::Null);
        h.insert("retries".into(), Value::from(0u8));
        h.insert(
            "timelimit".into(),
            Value::Array(vec![Value::Null, Value::Null]),
        );
        h.insert("root_id".into(), id);
        h.insert("parent_id".into(), Value::Null);
        h.insert("argsrepr".into(), Value::String(celery_argsrepr(&m.args)));
        h.insert(
            "kwargsrepr".into(),
            Value::String(celery_kwargsrepr(&m.kwargs)),
        );
        h.insert("origin".into(), Value::String(m.origin.clone()));
        h.insert("ignore_result".into(), Value::Bool(false));
        h.insert("replaced_task_nesting".into(), Value::from(0u8));
        h.insert("stamped_headers".into(), Value::Null);
        h.insert("stamps".into(), Value::Object(Map::new()));
        if m.beat {
            h.insert("celery_beat_task".into(), Value::Bool(true));
        }
        h
    }

    use super::*;
    use chrono::TimeZone as _;

    /// What celery 5.7.0 `record.apply_async(args, kwargs, queue='stkcap_q', priority=5,
    /// eta=2030-01-01T00:00:00Z, expires=2030-01-01T00:05:00.123456Z,
    /// headers={'celery_beat_task': True}, task_id=...)` LPUSHed (read back from Redis; the key
    /// was `stkcap_` + `stkcap_q\x06\x163` with `global_keyprefix='stkcap_'`).
    const CAPTURED_BEAT: &str = r#"
{"body": "W1sxLCAiaXQncyBcInFcIiIsICJsaW5lXG5icmVha1xcIiwgIlx1NjVlNVx1NjcyYyIsICJcdWQ4M2RcdWRlMDAiLCAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAsIDIuNSwgMWUrMjAsIC0wLjAsIHRydWUsIG51bGwsIHsibmVzdGVkIjogWzEsIHsiYSI6IFsyLCBbMywgWzRdXV19XX1dLCB7ImsiOiAidiIsICJlbXB0eSI6IHt9LCAibGlzdCI6IFtdLCAiZiI6IDAuMX0sIHsiY2FsbGJhY2tzIjogbnVsbCwgImVycmJhY2tzIjogbnVsbCwgImNoYWluIjogbnVsbCwgImNob3JkIjogbnVsbH1d", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"lang": "py", "task": "capmod.record", "id": "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", "shadow": null, "eta": "2030-01-01T00:00:00+00:00", "expires": "2030-01-01T00:05:00.123456+00:00", "group": null, "group_index": null, "retries": 0, "timelimit": [null, null], "root_id": "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", "parent_id": null, "argsrepr": "[1, 'it\\'s \"q\"', 'line\nbreak\\', '\u65e5\u672c', '\ud83d\ude00', 123456789012345678901234567890, 2.5, 1e+20, -0.0, True, None, {'nested': [1, {...}]}]", "kwargsrepr": "{'k': 'v', 'empty': {}, 'list': [], 'f': 0.1}", "origin": "gen19144@vm", "ignore_result": false, "replaced_task_nesting": 0, "stamped_headers": null, "stamps": {}, "celery_beat_task": true}, "properties": {"correlation_id": "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", "reply_to": "e45c2f19-4f78-3d22-b264-d1584af55c71", "delivery_mode": 2, "expiration": "98106259707", "delivery_info": {"exchange": "", "routing_key": "stkcap_q"}, "priority": 5, "body_encoding": "base64", "delivery_tag": "70e191fb-b1a4-481f-8651-151ec4dd78c5"}}"#;
    /// `record.apply_async([], {}, queue='celery', task_id=...)`.
    const CAPTURED_PLAIN: &str = r#"
{"body": "W1tdLCB7fSwgeyJjYWxsYmFja3MiOiBudWxsLCAiZXJyYmFja3MiOiBudWxsLCAiY2hhaW4iOiBudWxsLCAiY2hvcmQiOiBudWxsfV0=", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"lang": "py", "task": "capmod.record", "id": "0a0b0c0d-0000-4000-8000-000000000001", "shadow": null, "eta": null, "expires": null, "group": null, "group_index": null, "retries": 0, "timelimit": [null, null], "root_id": "0a0b0c0d-0000-4000-8000-000000000001", "parent_id": null, "argsrepr": "()", "kwargsrepr": "{}", "origin": "gen20070@vm", "ignore_result": false, "replaced_task_nesting": 0, "stamped_headers": null, "stamps": {}}, "properties": {"correlation_id": "0a0b0c0d-0000-4000-8000-000000000001", "reply_to": "855a9dd7-56a6-3c1f-a613-ffa8b24c2526", "delivery_mode": 2, "delivery_info": {"exchange": "", "routing_key": "celery"}, "priority": 0, "body_encoding": "base64", "delivery_tag": "05f1311c-6612-4541-a364-8c86909c3520"}}"#;
    /// `record.apply_async(["x"], {"n": 1}, queue='celery', priority=9, task_id=...)`.
    const CAPTURED_PRIORITY_9: &str = r#"
{"body": "W1sieCJdLCB7Im4iOiAxfSwgeyJjYWxsYmFja3MiOiBudWxsLCAiZXJyYmFja3MiOiBudWxsLCAiY2hhaW4iOiBudWxsLCAiY2hvcmQiOiBudWxsfV0=", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"lang": "py", "task": "capmod.record", "id": "0a0b0c0d-0000-4000-8000-000000000002", "shadow": null, "eta": null, "expires": null, "group": null, "group_index": null, "retries": 0, "timelimit": [null, null], "root_id": "0a0b0c0d-0000-4000-8000-000000000002", "parent_id": null, "argsrepr": "['x']", "kwargsrepr": "{'n': 1}", "origin": "gen20070@vm", "ignore_result": false, "replaced_task_nesting": 0, "stamped_headers": null, "stamps": {}}, "properties": {"correlation_id": "0a0b0c0d-0000-4000-8000-000000000002", "reply_to": "855a9dd7-56a6-3c1f-a613-ffa8b24c2526", "delivery_mode": 2, "delivery_info": {"exchange": "", "routing_key": "celery"}, "priority": 9, "body_encoding": "base64", "delivery_tag": "bfe9a1e6-1679-4c4b-a156-770b22cc4c2f"}}"#;

    /// The captured args of [`CAPTURED_BEAT`], as JSON text.
    const BEAT_ARGS: &str = r#"[1, "it's \"q\"", "line\nbreak\\", "日本", "😀", 123456789012345678901234567890, 2.5, 1e20, -0.0, true, null, {"nested": [1, {"a": [2, [3, [4]]]}]}]"#;
    const BEAT_KWARGS: &str = r#"{"k": "v", "empty": {}, "list": [], "f": 0.1}"#;

    /// A captured envelope with the sender-specific fields replaced by what stockura sends:
    /// `origin`, `reply_to` `""`, and no `expiration` property; then written compactly.
    fn expected_from_capture(captured: &str) -> String {
        let mut v: Value = serde_json::from_str(captured.trim()).unwrap();
        let headers = v["headers"].as_object_mut().unwrap();
        headers.insert("origin".into(), Value::String("stockura@testhost".into()));
        let properties = v["properties"].as_object_mut().unwrap();
        properties.insert("reply_to".into(), Value::String(String::new()));
        properties.shift_remove("expiration");
        v.to_string()
    }

    fn captured_id(captured: &str, field: &str) -> Uuid {
        let v: Value = serde_json::from_str(captured.trim()).unwrap();
        let text = if field == "delivery_tag" {
            v["properties"]["delivery_tag"].as_str().unwrap().to_owned()
        } else {
            v["headers"]["id"].as_str().unwrap().to_owned()
        };
        Uuid::parse_str(&text).unwrap()
    }

    fn message(args: &str, kwargs: &str) -> TaskMessage {
        TaskMessage {
            task_name: "capmod.record".into(),
            task_id: Uuid::nil(),
            args: serde_json::from_str::<Vec<Value>>(args).unwrap(),
            kwargs: serde_json::from_str::<Map<String, Value>>(kwargs).unwrap(),
            queue: "celery".into(),
            priority: None,
            eta: None,
            expires: None,
            origin: "stockura@testhost".into(),
            beat: false,
        }
    }

    #[test]
    fn the_direct_writer_matches_the_serde_json_tree() {
        let at = |t: &str| DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&Utc);
        let awkward = "q\"uo\\te\u{1}\u{8}\t\n\u{c}\r\u{1f}\u{7f} é ✓ 𝄞 \u{2028}";
        let mut cases = vec![
            message("[]", "{}"),
            message(
                r#"[1, "two", null, [3.5e10]]"#,
                r#"{"a": {"b": [true, false]}, "c": "x'y"}"#,
            ),
        ];
        let mut odd = message(r#"["\u0000 tab\t"]"#, r#"{"é": "\n"}"#);
        odd.task_name = awkward.into();
        odd.queue = awkward.into();
        odd.origin = format!("stockura@{awkward}");
        odd.priority = Some(7);
        odd.beat = true;
        odd.eta = Some(at("2026-01-01T00:00:00.000001Z"));
        odd.expires = Some(at("2026-01-01T00:01:00Z"));
        cases.push(odd);
        let mut long = message("[]", "{}");
        long.args = vec![Value::String("x".repeat(5000))];
        long.priority = Some(12);
        long.task_id = Uuid::new_v4();
        cases.push(long);
        for m in &cases {
            let tag = Uuid::new_v4();
            assert_eq!(m.envelope(tag), envelope_via_tree(m, tag), "{m:?}");
        }
    }

    #[test]
    fn the_typed_headers_are_the_envelope_headers() {
        let at = |t: &str| DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&Utc);
        let plain = message(r#"[1, "two"]"#, r#"{"a": [true]}"#);
        let mut full = message("[]", r#"{"é": "\n"}"#);
        full.beat = true;
        full.eta = Some(at("2026-01-01T00:00:00.000001Z"));
        full.expires = Some(at("2026-01-01T00:01:00Z"));
        for m in [plain, full] {
            let envelope: Value = serde_json::from_str(&m.envelope(Uuid::nil())).unwrap();
            let typed: Map<String, Value> = m
                .headers()
                .into_iter()
                .map(|(name, value)| {
                    let value = match value {
                        Header::Str(s) => Value::String(s),
                        Header::Null => Value::Null,
                        Header::Int(i) => Value::from(i),
                        Header::Bool(b) => Value::Bool(b),
                        Header::NullPair => Value::Array(vec![Value::Null, Value::Null]),
                        Header::EmptyMap => Value::Object(Map::new()),
                    };
                    (name.to_string(), value)
                })
                .collect();
            // The same names in the same order, with the same values.
            assert_eq!(
                Value::Object(typed).to_string(),
                envelope["headers"].to_string()
            );
        }
    }

    #[test]
    fn delivery_tags_are_distinct_v4_uuids() {
        let mut tags = crate::beat::dispatch::DeliveryTags::new();
        let drawn: Vec<Uuid> = (0..10_000).map(|_| tags.draw()).collect();
        let distinct: std::collections::HashSet<Uuid> = drawn.iter().copied().collect();
        assert_eq!(distinct.len(), drawn.len());
        assert!(
            drawn
                .iter()
                .all(|u| u.get_version_num() == 4 && u.get_variant() == uuid::Variant::RFC4122)
        );
    }

    fn decoded_body(envelope: &str) -> String {
        let v: Value = serde_json::from_str(envelope).unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(v["body"].as_str().unwrap())
            .unwrap();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn envelope_matches_captured_beat_message() {
        let msg = TaskMessage {
            task_id: captured_id(CAPTURED_BEAT, "id"),
            queue: "stkcap_q".into(),
            priority: Some(5),
            eta: Some(Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap()),
            expires: Some(
                Utc.with_ymd_and_hms(2030, 1, 1, 0, 5, 0).unwrap()
                    + chrono::Duration::microseconds(123_456),
            ),
            beat: true,
            ..message(BEAT_ARGS, BEAT_KWARGS)
        };
        let ours = msg.envelope(captured_id(CAPTURED_BEAT, "delivery_tag"));
        assert_eq!(ours, expected_from_capture(CAPTURED_BEAT));
        let layout = BrokerLayout {
            global_keyprefix: "stkcap_".into(),
            ..Default::default()
        };
        assert_eq!(
            layout.list_key(&msg.queue, msg.priority),
            b"stkcap_stkcap_q\x06\x163".to_vec()
        );
    }

    #[test]
    fn envelope_matches_captured_plain_messages() {
        let plain = TaskMessage {
            task_id: captured_id(CAPTURED_PLAIN, "id"),
            ..message("[]", "{}")
        };
        assert_eq!(
            plain.envelope(captured_id(CAPTURED_PLAIN, "delivery_tag")),
            expected_from_capture(CAPTURED_PLAIN)
        );
        let p9 = TaskMessage {
            task_id: captured_id(CAPTURED_PRIORITY_9, "id"),
            priority: Some(9),
            ..message(r#"["x"]"#, r#"{"n": 1}"#)
        };
        assert_eq!(
            p9.envelope(captured_id(CAPTURED_PRIORITY_9, "delivery_tag")),
            expected_from_capture(CAPTURED_PRIORITY_9)
        );
    }

    #[test]
    fn envelope_field_order_and_values() {
        let msg = TaskMessage {
            task_id: Uuid::from_u128(1),
            ..message("[]", "{}")
        };
        let tag = Uuid::from_u128(2);
        let env = msg.envelope(tag);
        let v: Value = serde_json::from_str(&env).unwrap();
        let top: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            top,
            [
                "body",
                "content-encoding",
                "content-type",
                "headers",
                "properties"
            ]
        );
        let headers: Vec<&str> = v["headers"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            headers,
            [
                "lang",
                "task",
                "id",
                "shadow",
                "eta",
                "expires",
                "group",
                "group_index",
                "retries",
                "timelimit",
                "root_id",
                "parent_id",
                "argsrepr",
                "kwargsrepr",
                "origin",
                "ignore_result",
                "replaced_task_nesting",
                "stamped_headers",
                "stamps"
            ]
        );
        assert_eq!(v["headers"]["origin"], "stockura@testhost");
        assert_eq!(v["headers"]["argsrepr"], "()");
        assert_eq!(v["headers"]["kwargsrepr"], "{}");
        assert!(v["headers"].get("celery_beat_task").is_none());
        assert_eq!(v["properties"]["delivery_tag"], tag.to_string());
        assert_eq!(v["properties"]["correlation_id"], msg.task_id.to_string());
        assert_eq!(v["properties"]["priority"], 0);
        assert_eq!(v["properties"]["delivery_info"]["routing_key"], "celery");
        assert!(!env.contains(' '), "compact: {env}");
    }

    #[test]
    fn priority_property_agrees_with_list_key() {
        let layout = BrokerLayout::default();
        for p in [
            None,
            Some(0),
            Some(1),
            Some(2),
            Some(3),
            Some(5),
            Some(6),
            Some(8),
            Some(9),
            Some(10),
            Some(255),
        ] {
            let msg = TaskMessage {
                priority: p,
                ..message("[]", "{}")
            };
            let v: Value = serde_json::from_str(&msg.envelope(Uuid::nil())).unwrap();
            let sent = u8::try_from(v["properties"]["priority"].as_u64().unwrap()).unwrap();
            assert!(sent <= 9);
            // kombu refiles a restored message by its property: it must land in the same list.
            assert_eq!(
                layout.list_key("q", Some(sent)),
                layout.list_key("q", p),
                "{p:?}"
            );
        }
    }

    #[test]
    fn list_keys() {
        let plain = BrokerLayout::default();
        let prefixed = BrokerLayout {
            global_keyprefix: "pfx:".into(),
            ..Default::default()
        };
        let cases: [(Option<u8>, &[u8]); 11] = [
            (None, b""),
            (Some(0), b""),
            (Some(1), b""),
            (Some(2), b""),
            (Some(3), b"\x06\x163"),
            (Some(4), b"\x06\x163"),
            (Some(5), b"\x06\x163"),
            (Some(6), b"\x06\x166"),
            (Some(8), b"\x06\x166"),
            (Some(9), b"\x06\x169"),
            (Some(200), b"\x06\x169"),
        ];
        for (priority, suffix) in cases {
            let mut want = b"celery".to_vec();
            want.extend_from_slice(suffix);
            assert_eq!(plain.list_key("celery", priority), want, "{priority:?}");
            let mut want = b"pfx:celery".to_vec();
            want.extend_from_slice(suffix);
            assert_eq!(prefixed.list_key("celery", priority), want, "{priority:?}");
        }
        assert_eq!(
            plain.list_key("日本", Some(9)),
            "日本\u{6}\u{16}9".as_bytes()
        );
    }

    #[test]
    fn body_decodes_to_three_elements() {
        let msg = TaskMessage {
            beat: true,
            ..message(BEAT_ARGS, BEAT_KWARGS)
        };
        let body = decoded_body(&msg.envelope(Uuid::new_v4()));
        assert_eq!(body, msg.body());
        let parts: Vec<Value> = serde_json::from_str(&body).unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].as_array().unwrap().len(), msg.args.len());
        assert_eq!(
            parts[0][5].as_number().unwrap().as_str(),
            "123456789012345678901234567890"
        );
        assert_eq!(parts[0][3], "日本");
        assert_eq!(parts[0][4], "😀");
        assert_eq!(parts[0][11], msg.args[11]);
        assert_eq!(parts[1], Value::Object(msg.kwargs.clone()));
        assert_eq!(
            parts[2].to_string(),
            r#"{"callbacks":null,"errbacks":null,"chain":null,"chord":null}"#
        );
        // Empty args and kwargs still make three elements.
        let empty: Vec<Value> = serde_json::from_str(&message("[]", "{}").body()).unwrap();
        assert_eq!(empty.len(), 3);
        assert_eq!(empty[0], Value::Array(vec![]));
        assert_eq!(empty[1], Value::Object(Map::new()));
    }

    #[test]
    fn body_matches_python_json_dumps() {
        for (args, kwargs, want) in BODY_VECTORS {
            assert_eq!(message(args, kwargs).body(), *want, "{args} {kwargs}");
        }
    }

    #[test]
    fn eta_and_expires_use_python_isoformat() {
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(python_isoformat(t), "2026-01-01T00:00:00+00:00");
        let us = |n: i64| t + chrono::Duration::microseconds(n);
        assert_eq!(
            python_isoformat(us(500_000)),
            "2026-01-01T00:00:00.500000+00:00"
        );
        assert_eq!(python_isoformat(us(1)), "2026-01-01T00:00:00.000001+00:00");
        assert_eq!(
            python_isoformat(us(123_456)),
            "2026-01-01T00:00:00.123456+00:00"
        );
        // Below a microsecond is dropped, as Python has no such precision.
        let ns = t + chrono::Duration::nanoseconds(999);
        assert_eq!(python_isoformat(ns), "2026-01-01T00:00:00+00:00");
        let ns = t + chrono::Duration::nanoseconds(1_999);
        assert_eq!(python_isoformat(ns), "2026-01-01T00:00:00.000001+00:00");
        // A leap second cannot be written as second 60.
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
            .unwrap()
            .and_utc();
        assert_eq!(python_isoformat(leap), "2016-12-31T23:59:59.999999+00:00");

        let msg = TaskMessage {
            eta: Some(t),
            expires: Some(us(250_000)),
            ..message("[]", "{}")
        };
        let v: Value = serde_json::from_str(&msg.envelope(Uuid::nil())).unwrap();
        assert_eq!(v["headers"]["eta"], "2026-01-01T00:00:00+00:00");
        assert_eq!(v["headers"]["expires"], "2026-01-01T00:00:00.250000+00:00");
    }

    #[test]
    fn slot_task_id_is_deterministic_per_slot() {
        // The namespace is derived as documented.
        assert_eq!(
            SLOT_TASK_ID_NAMESPACE,
            Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:stockura:beat:slot-task-id")
        );
        let schedule = Uuid::parse_str("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b").unwrap();
        let slot = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let id = slot_task_id(schedule, slot);
        // Python: uuid.uuid5(ns, "0190a1b2-...-0c1d2e3f4a5b/2026-01-01T00:00:00.000000Z")
        assert_eq!(id.to_string(), "794ecb41-a707-5955-a416-54f3f3365e44");
        assert_eq!(id.get_version_num(), 5);
        assert_eq!(slot_task_id(schedule, slot), id);
        let next = slot + chrono::Duration::minutes(1);
        assert_ne!(slot_task_id(schedule, next), id);
        let micro = slot + chrono::Duration::microseconds(1);
        assert_ne!(slot_task_id(schedule, micro), id);
        assert_eq!(
            slot_task_id(schedule, slot + chrono::Duration::nanoseconds(999)),
            id
        );
        let other = Uuid::from_u128(schedule.as_u128() ^ 1);
        assert_ne!(slot_task_id(other, slot), id);
    }

    // Expected values computed with celery 5.7.0 on Python 3.11.7: kombu's `json.dumps`.
    // body vectors: (args json, kwargs json, kombu json.dumps([args, kwargs, embed]))
    const BODY_VECTORS: &[(&str, &str, &str)] = &[
        (
            "[1, \"it's \\\"q\\\"\", \"line\\nbreak\\\\\", \"\u{65e5}\u{672c}\", \"\u{1f600}\", 123456789012345678901234567890, 2.5, 1e20, -0.0, 1E-7, -0, true, null, \"\\u007f\\u0001\\b\\f\"]",
            "{\"k\": \"v\", \"empty\": {}, \"list\": [], \"f\": 0.1, \"\u{65e5}\": {\"x\": [1, 2]}}",
            "[[1, \"it's \\\"q\\\"\", \"line\\nbreak\\\\\", \"\\u65e5\\u672c\", \"\\ud83d\\ude00\", 123456789012345678901234567890, 2.5, 1e+20, -0.0, 1e-07, 0, true, null, \"\\u007f\\u0001\\b\\f\"], {\"k\": \"v\", \"empty\": {}, \"list\": [], \"f\": 0.1, \"\\u65e5\": {\"x\": [1, 2]}}, {\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]",
        ),
        (
            "[]",
            "{}",
            "[[], {}, {\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]",
        ),
    ];
}
