#!/usr/bin/env python3
"""Generate tests/data/cron_corpus.json, the cron acceptance corpus.

How to run (from the repository root):

    python3 -m venv /tmp/croniter-venv
    /tmp/croniter-venv/bin/pip install 'croniter==7.0.*'
    /tmp/croniter-venv/bin/python scripts/gen_cron_corpus.py

It writes tests/data/cron_corpus.json (or the path given as the first argument). The output
is deterministic (fixed random seed); it depends only on the croniter version and the
system tz database (zoneinfo), which should match chrono-tz's IANA version (2025b when this
was written).

Each case is one of
    {"expr": ..., "tz": ..., "after": RFC 3339, "expected": [5 RFC 3339 strings]}
    {"expr": ..., "tz": ..., "after": ..., "expected": []}      # can never fire
    {"expr": ..., "error": true, "field": "minute" | ... | null}

Expected fire times come from Python croniter (day_or=True), the syntax reference named in
docs/cron-semantics.md. Cases are chosen where croniter and the reference agree:

* only zones and periods where daylight-saving time plays no part (UTC, Asia/Tokyo,
  Asia/Kolkata, Asia/Kathmandu, Australia/Eucla, and DST zones only when the UTC offset is
  constant from the start to the fifth result), because croniter's own DST handling differs
  from the Vixie-cron rules stockura follows (those are unit-tested in the cron module, src/domain/cron/);
* no equal-ended ranges such as `5-5` (croniter widens them to the whole field);
* `W`, `#` and `Ld` only with the other day field `*` (croniter intersects them with a
  restricted other day field instead of applying the OR rule), and `W` never in a list
  (croniter rejects that);
* when both day fields are restricted and one of them covers every day, croniter's
  normalisation would turn that field into `*`; under the OR rule every day then matches, so
  the expected times are computed from the equivalent expression with both day fields `*`.

Error cases follow the reference, not croniter: croniter accepts 6- and 7-field expressions,
reversed ranges such as `5-1` (it wraps them) and single-value steps such as `10/20`;
stockura rejects them.
"""

import json
import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from croniter import CroniterBadDateError, croniter

SEED = 20260308
rng = random.Random(SEED)

MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
FIXED_ZONES = ["UTC", "Asia/Tokyo", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Eucla"]
DST_ZONES = ["America/New_York", "Europe/Berlin", "Australia/Sydney", "America/Santiago"]
START_MIN = datetime(2020, 1, 1, tzinfo=timezone.utc)
START_SPAN = int((datetime(2035, 1, 1, tzinfo=timezone.utc) - START_MIN).total_seconds())
FIELD_NAMES = ["minute", "hour", "day-of-month", "month", "day-of-week"]


def case_name(name):
    return name if rng.random() < 0.7 else rng.choice([name.upper(), name.capitalize()])


# --------------------------------------------------------------------------- valid fields

def two_sorted(lo, hi):
    a, b = sorted(rng.sample(range(lo, hi + 1), 2))
    return a, b


def plain_item(lo, hi, names=None, name_offset=0):
    """A value, a range or a stepped range (never an equal-ended range)."""
    kind = rng.random()
    def fmt(v):
        if names and rng.random() < 0.4 and 0 <= v - name_offset < len(names):
            return case_name(names[v - name_offset])
        return str(v)
    if kind < 0.45:
        return fmt(rng.randint(lo, hi))
    a, b = two_sorted(lo, hi)
    if kind < 0.75:
        return f"{fmt(a)}-{fmt(b)}"
    return f"{fmt(a)}-{fmt(b)}/{rng.randint(1, max(1, (b - a)))}"


def numeric_field(lo, hi, names=None, name_offset=0, star_weight=0.25):
    r = rng.random()
    if r < star_weight:
        return "*"
    if r < star_weight + 0.15:
        return f"*/{rng.choice([1, 2, 3, 4, 5, 6, 7, 10, 12, 15, 20, 30, 45, hi])}"
    if r < star_weight + 0.45:
        return plain_item(lo, hi, names, name_offset)
    n = rng.randint(2, 4)
    items = [plain_item(lo, hi, names, name_offset) for _ in range(n)]
    if rng.random() < 0.15:
        items.append(f"*/{rng.randint(2, 20)}")
    return ",".join(items)


def minute_field():
    return numeric_field(0, 59)


def hour_field():
    return numeric_field(0, 23)


def month_field():
    return numeric_field(1, 12, MONTHS, 1, star_weight=0.5)


def dom_field(allow_special):
    r = rng.random()
    if r < 0.45:
        return "*"
    if allow_special and r < 0.55:
        return rng.choice(["L", "l", f"{rng.randint(1, 31)}W", f"W{rng.randint(1, 31)}",
                           f"{rng.randint(1, 31)}w", "31W", "30W", "29W", "1W"])
    if r < 0.62:
        return rng.choice(["L", f"{rng.randint(1, 28)},L", f"L,{rng.randint(1, 28)}",
                           f"1,15,L"])
    return numeric_field(1, 31, star_weight=0.0)


def dow_field(allow_special):
    r = rng.random()
    if r < 0.4:
        return "*"
    if allow_special and r < 0.55:
        d = rng.randint(0, 7)
        day = case_name(DAYS[d % 7]) if rng.random() < 0.4 else str(d)
        if rng.random() < 0.6:
            return f"{day}#{rng.randint(1, 5)}"
        return f"{rng.choice(['L', 'l'])}{d}"
    if r < 0.65:
        return rng.choice(["mon-fri", "MON-FRI", "sat-sun", "Sat-Sun", "6-0", "5-0",
                           "4-0/2", "1-7", "5-7", "0-6", "sun-sat", "tue-sun", "1-7/2",
                           "0,6", "7", "0", "sun", "SAT,SUN", "mon,wed,fri", "*/2"])
    return numeric_field(0, 7, DAYS, 0, star_weight=0.0)


def random_valid_expr():
    dom_first = rng.random() < 0.5
    if dom_first:
        dom = dom_field(True)
        special_dom = any(c in dom.lower() for c in "w")
        dow = dow_field(dom == "*") if not special_dom else "*"
    else:
        dow = dow_field(True)
        special_dow = "#" in dow or dow.lower().startswith("l")
        dom = dom_field(dow == "*") if not special_dow else "*"
    return f"{minute_field()} {hour_field()} {dom} {month_field()} {dow}"


HANDWRITTEN_VALID = [
    "* * * * *", "*/15 * * * *", "*/7 * * * *", "0 * * * *", "1,15,30 * * * *",
    "1-5 * * * *", "1-30/5 * * * *", "0-59/20 0-23/6 * * *", "0 0 * * mon-fri",
    "0 9 * * MON-FRI", "30 8 * JAN-mar *", "0 0 * * 6-0", "0 0 * * sat-sun", "0 0 * * 7",
    "0 0 * * 0", "0 0 * * 0-7", "0 12 * * 5-7", "0 0 L * *", "0 0 1,L * *", "0 6 15W * *",
    "0 6 W15 * *", "0 6 1W * *", "0 6 31W * *", "0 6 30W * *", "0 0 * * fri#1",
    "0 0 * * 5#5", "0 0 * * L5", "0 0 * * L0", "0 0 * * L7", "0 0 * * 7#2", "0 0 * * SUN#3",
    "0 0 1 * 3", "0 0 1,15 * mon", "0 0 L * 5", "0 0 13 * fri", "@yearly", "@annually",
    "@monthly", "@weekly", "@daily", "@midnight", "@hourly", "@Daily", "@HOURLY",
    "0 0 29 2 *", "0 0 29 2 1", "0 0 L 2 *", "59 23 31 12 *", "0 0 31 * *",
    "15 10 * * 1-5/2", "0 0 */2 * *", "0 0 */10 * *", "0 0 1 */3 *", "0 0 * * */3",
    "5 4 * * sun", "0 22 * * 1-5", "23 0-20/2 * * *", "0 0,12 1 */2 *", "0 4 8-14 * *",
    "0 0 1-7 * 1", "*/5 9-17 * * mon-fri", "0 0 * jul-aug 6-0", "00 01 01 01 *",
    "0 0 */1 * 0", "0 0 1-31 * 1", "0 0 1 * */1", "0 0 * * 4-0/2",
]

NEVER = ["0 0 30 2 *", "0 0 31 4 *", "0 0 31 2,4,6,9,11 *", "0 0 30,31 feb *",
         "0 0 31 apr,jun *"]


# --------------------------------------------------------------------------- error cases

HANDWRITTEN_ERRORS = [
    ("", None), ("   ", None), ("* * * *", None), ("* * *", None), ("* * * * * *", None),
    ("0 0 * * * *", None), ("0 0 0 * * * 2026", None), ("@reboot", None),
    ("@every 0s", None), ("@every", None), ("@fortnightly", None), ("@daily 0", None),
    ("*/0 * * * *", "minute"), ("1,,2 * * * *", "minute"), ("1, * * * *", "minute"),
    ("1-2-3 * * * *", "minute"), ("10/20 * * * *", "minute"), ("5-1 * * * *", "minute"),
    ("60 * * * *", "minute"), ("-5 * * * *", "minute"), ("L * * * *", "minute"),
    ("a * * * *", "minute"), ("*/ * * * *", "minute"), ("1.5 * * * *", "minute"),
    ("0 24 * * *", "hour"), ("0 23-1 * * *", "hour"), ("0 */0 * * *", "hour"),
    ("0 5/2 * * *", "hour"), ("0 1,,3 * * *", "hour"), ("0 22-2 * * *", "hour"),
    ("0 0 0 * *", "day-of-month"), ("0 0 32 * *", "day-of-month"),
    ("0 0 LW * *", "day-of-month"), ("0 0 L-2 * *", "day-of-month"),
    ("0 0 20-10 * *", "day-of-month"), ("0 0 1/5 * *", "day-of-month"),
    ("0 0 mon * *", "day-of-month"), ("0 0 32W * *", "day-of-month"),
    ("0 0 0W * *", "day-of-month"), ("0 0 * 0 *", "month"), ("0 0 * 13 *", "month"),
    ("0 0 * january *", "month"), ("0 0 * dec-jan *", "month"), ("0 0 * 12-1 *", "month"),
    ("0 0 * */0 *", "month"), ("0 0 * 3/2 *", "month"), ("0 0 * apr-jan *", "month"),
    ("0 0 * * 8", "day-of-week"), ("0 0 * * 1#6", "day-of-week"),
    ("0 0 * * 5L", "day-of-week"), ("0 0 * * monday", "day-of-week"),
    ("0 0 * * 5-1", "day-of-week"), ("0 0 * * fri-mon", "day-of-week"),
    ("0 0 * * 1#0", "day-of-week"), ("0 0 * * */0", "day-of-week"),
    ("0 0 * * 2/2", "day-of-week"), ("0 0 * * 6-1", "day-of-week"),
    ("0 0 * * L8", "day-of-week"), ("0 0 * * 8#1", "day-of-week"),
]


def random_error():
    """A valid expression with one field replaced by something the reference rejects."""
    fields = random_valid_expr().split()
    if fields[0].startswith("@"):
        fields = ["0", "0", "*", "*", "*"]
    idx = rng.randrange(5)
    lo, hi = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)][idx]
    kind = rng.randrange(7)
    if kind == 0:
        bad = str(hi + rng.randint(1, 40))
    elif kind == 1:
        a, b = two_sorted(lo, hi)
        bad = f"{b}-{a}"
        if idx == 4 and a == 0:
            # N-0 in day-of-week is the allowed Sunday wrap; use another reversed range.
            bad = rng.choice(["5-1", "6-1", "3-2", "fri-mon", "7-1", "sat-tue"])
    elif kind == 2:
        bad = rng.choice(["*/0", f"{lo}-{hi}/0"])
    elif kind == 3:
        bad = f"{rng.randint(lo, hi)}/{rng.randint(1, 10)}"
    elif kind == 4:
        bad = f"{rng.randint(lo, hi)},,{rng.randint(lo, hi)}"
    elif kind == 5:
        bad = f"{rng.randint(lo, hi)}-{rng.randint(lo, hi)}-{rng.randint(lo, hi)}"
    else:
        bad = {0: "60", 1: "24", 2: "0", 3: "0", 4: "8"}[idx]
    fields[idx] = bad
    return " ".join(fields), FIELD_NAMES[idx]


# --------------------------------------------------------------------------- expectations

def normalize_for_croniter(expr):
    """Rewrite expressions where croniter's '*' normalisation departs from the OR rule."""
    parts = expr.split()
    if len(parts) != 5:
        return expr
    dom, dow = parts[2], parts[4]
    if dom in ("*", "?") or dow in ("*", "?"):
        return expr
    dom_values = croniter.expand(f"0 0 {dom} * 1")[0][2]
    dow_values = croniter.expand(f"0 0 1 * {dow}")[0][4]
    dom_all = dom_values == ["*"] or set(range(1, 32)) <= set(dom_values)
    dow_all = dow_values == ["*"] or set(range(0, 7)) <= set(dow_values)
    if dom_all or dow_all:
        parts[2] = parts[4] = "*"
        return " ".join(parts)
    return expr


def constant_offset(zone, start, results):
    """Whether the zone keeps one UTC offset from `start` through the last result."""
    offset = start.utcoffset()
    t = start
    end = results[-1] if results else start
    while t < end:
        if t.astimezone(zone).utcoffset() != offset:
            return False
        t += timedelta(hours=12)
    return all(r.utcoffset() == offset for r in results)


def fire_times(expr, start, n=5):
    it = croniter(normalize_for_croniter(expr), start, day_or=True)
    return [it.get_next(datetime) for _ in range(n)]


def random_start(zone):
    secs = rng.randrange(START_SPAN)
    t = START_MIN + timedelta(seconds=secs)
    r = rng.random()
    if r < 0.5:
        t = t.replace(second=0)
    return t.astimezone(zone)


def make_case(expr, zone_name, aligned=False):
    zone = ZoneInfo(zone_name)
    for _ in range(50):
        start = random_start(zone)
        if aligned:
            # Start exactly on a fire time: it must not be returned again.
            start = fire_times(expr, start, 1)[0]
        results = fire_times(expr, start)
        if zone_name in FIXED_ZONES or constant_offset(zone, start, results):
            after = start.isoformat() if rng.random() < 0.6 else \
                start.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
            return {"expr": expr, "tz": zone_name, "after": after,
                    "expected": [r.isoformat() for r in results]}
    return None


def pick_zone():
    return rng.choice(FIXED_ZONES) if rng.random() < 0.7 else rng.choice(DST_ZONES)


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else \
        Path(__file__).resolve().parent.parent / "tests" / "data" / "cron_corpus.json"
    cases = []
    seen = set()

    def add_valid(expr, zone_name, aligned=False):
        case = make_case(expr, zone_name, aligned)
        if case is None:
            case = make_case(expr, "UTC", aligned)
        key = (case["expr"], case["tz"], case["after"])
        if key not in seen:
            seen.add(key)
            cases.append(case)

    for expr in HANDWRITTEN_VALID:
        add_valid(expr, "UTC")
        add_valid(expr, pick_zone())
        add_valid(expr, pick_zone(), aligned=True)

    while len(cases) < 880:
        expr = random_valid_expr()
        add_valid(expr, pick_zone(), aligned=rng.random() < 0.15)

    for expr in NEVER:
        try:
            fire_times(expr, START_MIN)
            raise SystemExit(f"croniter found a fire time for {expr!r}")
        except CroniterBadDateError:
            pass
        cases.append({"expr": expr, "tz": "UTC", "after": "2026-01-01T00:00:00Z",
                      "expected": []})

    errors = list(HANDWRITTEN_ERRORS)
    while len(errors) < 140:
        errors.append(random_error())
    for expr, field in errors:
        cases.append({"expr": expr, "error": True, "field": field})

    text = "[\n" + ",\n".join(json.dumps(c, ensure_ascii=False) for c in cases) + "\n]\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(f"wrote {len(cases)} cases to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
