//! Python's spelling of JSON values, emulated for the Celery message
//! (`docs/celery-wire-format.md`): the body as Python's `json.dumps` writes it ("The body"),
//! `argsrepr` / `kwargsrepr` as Celery's `saferepr` writes them ("argsrepr and kwargsrepr").
//! Also the plain `repr()` ([`python_repr`]) and the sorted `json.dumps` that the worker-side
//! task locks hash ([`python_json_dumps_sorted`]).

use std::fmt::Write as _;

use serde_json::{Map, Number, Value};

/// The budget of `argsrepr` and `kwargsrepr`, in characters (`docs/celery-wire-format.md`,
/// "argsrepr and kwargsrepr").
const REPR_MAXSIZE: usize = 1024;

/// How many levels of containers `argsrepr` and `kwargsrepr` show; deeper ones show as `[...]`
/// or `{...}` (`docs/celery-wire-format.md`, "argsrepr and kwargsrepr").
const REPR_MAXLEVELS: usize = 3;

/// Python's repr() of a JSON value as Celery would show args/kwargs (argsrepr/kwargsrepr): str
/// -> Python string literal quoting rules (single quotes unless the string contains ' and no ",
/// escapes like Python's repr, non-ASCII printable characters kept as is), true/false/null ->
/// True/False/None, lists [a, b], dicts {'k': v}, integers as is, floats in Python's repr
/// spelling (1e+20 as 1e+20, 0.1, 2.5, -0.0 ...).
///
/// The value is taken as Python's `json.loads` would decode it: a number with a fraction or an
/// exponent is a float (`1E20` shows as `1e+20`, `1e400` as `inf`), any other number an
/// integer with all its digits (`-0` shows as `0`). Printability of non-ASCII characters
/// follows Python 3.11 (Unicode 14.0.0).
///
/// Celery itself fills `argsrepr`/`kwargsrepr` with its `saferepr` (`docs/celery-wire-format.md`,
/// "argsrepr and kwargsrepr"), which writes strings differently (always single quotes, only `'`
/// escaped, nothing else) and cuts long or deep values;
/// [`TaskMessage::envelope`](super::TaskMessage::envelope) reproduces that, not this function.
pub fn python_repr(value: &Value) -> String {
    let mut out = String::new();
    write_python_repr(&mut out, value);
    out
}

fn write_python_repr(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Number(n) => out.push_str(&python_number(n)),
        Value::String(s) => write_python_str_repr(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_python_repr(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_python_str_repr(out, k);
                out.push_str(": ");
                write_python_repr(out, v);
            }
            out.push('}');
        }
    }
}

/// Python's `repr(str)`: `unicode_repr` in CPython's `Objects/unicodeobject.c`.
fn write_python_str_repr(out: &mut String, s: &str) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        let code = u32::from(c);
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            _ if code < 0x20 || code == 0x7f => {
                let _ = write!(out, "\\x{code:02x}");
            }
            c if c.is_ascii() || is_python_printable(code) => out.push(c),
            _ if code < 0x100 => {
                let _ = write!(out, "\\x{code:02x}");
            }
            _ if code < 0x1_0000 => {
                let _ = write!(out, "\\u{code:04x}");
            }
            _ => {
                let _ = write!(out, "\\U{code:08x}");
            }
        }
    }
    out.push(quote);
}

/// Whether Python's `str.isprintable()` holds for a non-ASCII code point.
fn is_python_printable(code: u32) -> bool {
    NON_PRINTABLE
        .binary_search_by(|&(lo, hi)| {
            if hi < code {
                std::cmp::Ordering::Less
            } else if lo > code {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_err()
}

/// Whether Python's `json.loads` decodes this number literal as a float.
fn is_float_literal(literal: &str) -> bool {
    literal.contains(['.', 'e', 'E'])
}

/// `str()` (= `repr()`) of the Python number `json.loads` makes of this JSON number.
fn python_number(n: &Number) -> String {
    let literal = n.as_str();
    if is_float_literal(literal) {
        match literal.parse::<f64>() {
            Ok(x) => python_float_repr(x),
            Err(_) => literal.to_owned(),
        }
    } else if literal.trim_start_matches('-').bytes().all(|b| b == b'0') {
        // `-0` is the integer 0.
        "0".to_owned()
    } else {
        literal.to_owned()
    }
}

/// Python's `repr(float)`: the shortest digits that round-trip, in fixed notation when the
/// decimal exponent is in -4..16, else `d.ddde+XX` (at least two exponent digits); a `.0` is
/// added to integral fixed values.
fn python_float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    // Rust's `{:e}` gives the shortest round-tripping digits (`-1.5e-7`, `0e0`, `-0e0`), but
    // where two such strings are equally near the double it does not pick the even one, as
    // CPython's dtoa does: take the correctly rounded (ties to even) string of that length
    // when it round-trips too.
    let shortest = format!("{x:e}");
    let ndigits = shortest
        .split_once('e')
        .map_or(1, |(m, _)| m.bytes().filter(u8::is_ascii_digit).count());
    let rounded = format!("{x:.prec$e}", prec = ndigits.saturating_sub(1));
    let sci = if rounded.parse::<f64>() == Ok(x) {
        rounded
    } else {
        shortest
    };
    let (negative, sci) = match sci.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, sci.as_str()),
    };
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((sci, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    // Position of the decimal point relative to the first digit, as CPython's dtoa reports it.
    let decpt = exponent + 1;
    let mut out = String::with_capacity(digits.len() + 8);
    if negative {
        out.push('-');
    }
    let ndigits = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    if !(-4 < decpt && decpt <= 16) {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let e = decpt - 1;
        let _ = write!(
            out,
            "e{}{:02}",
            if e < 0 { '-' } else { '+' },
            e.unsigned_abs()
        );
    } else if decpt <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', decpt.unsigned_abs() as usize));
        out.push_str(&digits);
    } else if decpt >= ndigits {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (decpt - ndigits) as usize));
        out.push_str(".0");
    } else {
        let (int_part, frac_part) = digits.split_at(decpt as usize);
        out.push_str(int_part);
        out.push('.');
        out.push_str(frac_part);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Body JSON, as Python's `json.dumps` (kombu's serializer) writes it
// (`docs/celery-wire-format.md`, "The body").

fn write_py_json(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_py_json_number(out, n),
        Value::String(s) => write_py_json_str(out, s),
        Value::Array(items) => write_py_json_seq(out, items),
        Value::Object(map) => write_py_json_map(out, map),
    }
}

pub(super) fn write_py_json_seq(out: &mut String, items: &[Value]) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_py_json(out, item);
    }
    out.push(']');
}

pub(super) fn write_py_json_map(out: &mut String, map: &Map<String, Value>) {
    out.push('{');
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_py_json_str(out, k);
        out.push_str(": ");
        write_py_json(out, v);
    }
    out.push('}');
}

/// Python's `json.dumps(value, sort_keys=True)` with the default separators (`", "`, `": "`)
/// and `ensure_ascii`: the text the worker-side task locks hash (see `beat::policy`).
pub fn python_json_dumps_sorted(value: &Value) -> String {
    let mut out = String::with_capacity(64);
    write_py_json_sorted(&mut out, value);
    out
}

fn write_py_json_sorted(out: &mut String, value: &Value) {
    match value {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_py_json_sorted(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            // Python sorts str keys by code point, which is UTF-8 byte order.
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_py_json_str(out, k);
                out.push_str(": ");
                write_py_json_sorted(out, v);
            }
            out.push('}');
        }
        other => write_py_json(out, other),
    }
}

/// Integers keep their digits; floats are respelled as Python writes them (the same double, so
/// the worker decodes the same value). Literals that overflow a double keep their text: Python
/// would write `Infinity`, which is not JSON; both decode to `inf`.
fn write_py_json_number(out: &mut String, n: &Number) {
    let literal = n.as_str();
    if is_float_literal(literal) {
        match literal.parse::<f64>() {
            Ok(x) if x.is_finite() => out.push_str(&python_float_repr(x)),
            _ => out.push_str(literal),
        }
    } else {
        out.push_str(&python_number(n));
    }
}

/// A JSON string with `ensure_ascii`: everything outside `' '..='~'` is escaped.
fn write_py_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

// ---------------------------------------------------------------------------------------------
// argsrepr / kwargsrepr as Celery's `saferepr(value, 1024, maxlevels=3)` writes them
// (`docs/celery-wire-format.md`, "argsrepr and kwargsrepr").

/// Celery's `argsrepr`: empty args show as the empty tuple, `()`.
pub(super) fn celery_argsrepr(args: &[Value]) -> String {
    if args.is_empty() {
        return "()".to_owned();
    }
    let mut tokens = Vec::new();
    flatten_seq(&mut tokens, args, 0, REPR_MAXLEVELS);
    render_saferepr(&tokens, Some(REPR_MAXSIZE))
}

/// Celery's `kwargsrepr`.
pub(super) fn celery_kwargsrepr(kwargs: &Map<String, Value>) -> String {
    let mut tokens = Vec::new();
    flatten_map(&mut tokens, kwargs, 0, REPR_MAXLEVELS);
    render_saferepr(&tokens, Some(REPR_MAXSIZE))
}

/// The tokens of saferepr's `reprstream`.
#[derive(Debug)]
enum Token<'a> {
    /// Literal text: brackets (`truncate` false, `direction` ±1), separators (`truncate` true)
    /// and elided containers (`[...]`, `truncate` false, `direction` 0).
    Literal {
        text: &'static str,
        truncate: bool,
        direction: i8,
    },
    /// A dict key (`saferepr(key, maxlen)`).
    Key(&'a str),
    /// A string value.
    Quoted(&'a str),
    /// `str()` of a number, a bool or `None`.
    Text(String),
}

const LIST_START: Token<'static> = Token::Literal {
    text: "[",
    truncate: false,
    direction: 1,
};
const LIST_END: Token<'static> = Token::Literal {
    text: "]",
    truncate: false,
    direction: -1,
};
const DICT_START: Token<'static> = Token::Literal {
    text: "{",
    truncate: false,
    direction: 1,
};
const DICT_END: Token<'static> = Token::Literal {
    text: "}",
    truncate: false,
    direction: -1,
};
const ITEM_SEP: Token<'static> = Token::Literal {
    text: ", ",
    truncate: true,
    direction: 0,
};
const KV_SEP: Token<'static> = Token::Literal {
    text: ": ",
    truncate: true,
    direction: 0,
};
const LIST_ELIDED: Token<'static> = Token::Literal {
    text: "[...]",
    truncate: false,
    direction: 0,
};
const DICT_ELIDED: Token<'static> = Token::Literal {
    text: "{...}",
    truncate: false,
    direction: 0,
};

/// Appends the tokens of `value`, met when `level` containers are open. saferepr expands
/// containers lazily; expanding them all up front gives the same output, since a container that
/// is never reached adds balanced brackets only, which the closing pass skips.
fn flatten<'a>(tokens: &mut Vec<Token<'a>>, value: &'a Value, level: usize, maxlevels: usize) {
    match value {
        Value::Null => tokens.push(Token::Text("None".to_owned())),
        Value::Bool(true) => tokens.push(Token::Text("True".to_owned())),
        Value::Bool(false) => tokens.push(Token::Text("False".to_owned())),
        Value::Number(n) => tokens.push(Token::Text(python_number(n))),
        Value::String(s) => tokens.push(Token::Quoted(s)),
        Value::Array(items) => flatten_seq(tokens, items, level, maxlevels),
        Value::Object(map) => flatten_map(tokens, map, level, maxlevels),
    }
}

fn flatten_seq<'a>(
    tokens: &mut Vec<Token<'a>>,
    items: &'a [Value],
    level: usize,
    maxlevels: usize,
) {
    if maxlevels > 0 && level >= maxlevels {
        tokens.push(LIST_ELIDED);
        return;
    }
    tokens.push(LIST_START);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            tokens.push(ITEM_SEP);
        }
        flatten(tokens, item, level + 1, maxlevels);
    }
    tokens.push(LIST_END);
}

fn flatten_map<'a>(
    tokens: &mut Vec<Token<'a>>,
    map: &'a Map<String, Value>,
    level: usize,
    maxlevels: usize,
) {
    if maxlevels > 0 && level >= maxlevels {
        tokens.push(DICT_ELIDED);
        return;
    }
    tokens.push(DICT_START);
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            tokens.push(ITEM_SEP);
        }
        tokens.push(Token::Key(k));
        tokens.push(KV_SEP);
        flatten(tokens, v, level + 1, maxlevels);
    }
    tokens.push(DICT_END);
}

/// saferepr's `_saferepr` loop: emit tokens while the length budget lasts (counted in code
/// points, as Python's `len`), then `, ...` and the closing brackets of what is still open.
fn render_saferepr(tokens: &[Token<'_>], maxlen: Option<usize>) -> String {
    let mut budget = maxlen.map(|m| i64::try_from(m).unwrap_or(i64::MAX));
    let mut out = String::new();
    for (i, token) in tokens.iter().enumerate() {
        if let Some(left) = budget
            && left <= 0
        {
            if let Token::Literal {
                text, direction, ..
            } = token
                && *direction < 0
            {
                out.push_str(text);
                continue;
            }
            out.push_str(", ...");
            let mut depth: i64 = 0;
            for rest in &tokens[i..] {
                if let Token::Literal {
                    text,
                    truncate: false,
                    direction,
                } = rest
                {
                    depth += i64::from(*direction);
                    if depth < 0 {
                        depth = 0;
                        out.push_str(text);
                    }
                }
            }
            return out;
        }
        let piece = match token {
            Token::Literal { text, .. } => (*text).to_owned(),
            Token::Key(s) | Token::Quoted(s) => saferepr_chars(s, budget),
            Token::Text(s) => truncate_text(s, budget),
        };
        if let Some(left) = budget.as_mut() {
            *left -= i64::try_from(piece.chars().count()).unwrap_or(i64::MAX);
        }
        out.push_str(&piece);
    }
    out
}

/// saferepr's `_format_chars`: `'` + truncated text with `'` escaped + `'`.
fn saferepr_chars(s: &str, maxlen: Option<i64>) -> String {
    format!("'{}'", truncate_text(s, maxlen).replace('\'', "\\'"))
}

/// Celery's `truncate(s, maxlen)`: when `len(s) >= maxlen`, keep the first `maxlen` characters
/// up to their last space (if any) and add `...`.
fn truncate_text(s: &str, maxlen: Option<i64>) -> String {
    let Some(maxlen) = maxlen.filter(|m| *m != 0) else {
        return s.to_owned();
    };
    let len = i64::try_from(s.chars().count()).unwrap_or(i64::MAX);
    if len < maxlen {
        return s.to_owned();
    }
    // Python's `s[:maxlen]`: a negative bound counts from the end.
    let keep = if maxlen > 0 {
        maxlen
    } else {
        (len + maxlen).max(0)
    };
    let end = s
        .char_indices()
        .nth(usize::try_from(keep).unwrap_or(usize::MAX))
        .map_or(s.len(), |(at, _)| at);
    let head = &s[..end];
    let head = head.rsplit_once(' ').map_or(head, |(before, _)| before);
    format!("{head}...")
}

/// Inclusive ranges of non-ASCII code points that Python 3.11 (Unicode 14.0.0) does not
/// consider printable (`str.isprintable()` is false: categories Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs).
/// `repr()` escapes these; every other non-ASCII character is written as is.
#[rustfmt::skip]
const NON_PRINTABLE: [(u32, u32); 700] = [
    (0x80, 0xA0), (0xAD, 0xAD), (0x378, 0x379), (0x380, 0x383), (0x38B, 0x38B), (0x38D, 0x38D),
    (0x3A2, 0x3A2), (0x530, 0x530), (0x557, 0x558), (0x58B, 0x58C), (0x590, 0x590),
    (0x5C8, 0x5CF), (0x5EB, 0x5EE), (0x5F5, 0x605), (0x61C, 0x61C), (0x6DD, 0x6DD),
    (0x70E, 0x70F), (0x74B, 0x74C), (0x7B2, 0x7BF), (0x7FB, 0x7FC), (0x82E, 0x82F),
    (0x83F, 0x83F), (0x85C, 0x85D), (0x85F, 0x85F), (0x86B, 0x86F), (0x88F, 0x897),
    (0x8E2, 0x8E2), (0x984, 0x984), (0x98D, 0x98E), (0x991, 0x992), (0x9A9, 0x9A9),
    (0x9B1, 0x9B1), (0x9B3, 0x9B5), (0x9BA, 0x9BB), (0x9C5, 0x9C6), (0x9C9, 0x9CA),
    (0x9CF, 0x9D6), (0x9D8, 0x9DB), (0x9DE, 0x9DE), (0x9E4, 0x9E5), (0x9FF, 0xA00),
    (0xA04, 0xA04), (0xA0B, 0xA0E), (0xA11, 0xA12), (0xA29, 0xA29), (0xA31, 0xA31),
    (0xA34, 0xA34), (0xA37, 0xA37), (0xA3A, 0xA3B), (0xA3D, 0xA3D), (0xA43, 0xA46),
    (0xA49, 0xA4A), (0xA4E, 0xA50), (0xA52, 0xA58), (0xA5D, 0xA5D), (0xA5F, 0xA65),
    (0xA77, 0xA80), (0xA84, 0xA84), (0xA8E, 0xA8E), (0xA92, 0xA92), (0xAA9, 0xAA9),
    (0xAB1, 0xAB1), (0xAB4, 0xAB4), (0xABA, 0xABB), (0xAC6, 0xAC6), (0xACA, 0xACA),
    (0xACE, 0xACF), (0xAD1, 0xADF), (0xAE4, 0xAE5), (0xAF2, 0xAF8), (0xB00, 0xB00),
    (0xB04, 0xB04), (0xB0D, 0xB0E), (0xB11, 0xB12), (0xB29, 0xB29), (0xB31, 0xB31),
    (0xB34, 0xB34), (0xB3A, 0xB3B), (0xB45, 0xB46), (0xB49, 0xB4A), (0xB4E, 0xB54),
    (0xB58, 0xB5B), (0xB5E, 0xB5E), (0xB64, 0xB65), (0xB78, 0xB81), (0xB84, 0xB84),
    (0xB8B, 0xB8D), (0xB91, 0xB91), (0xB96, 0xB98), (0xB9B, 0xB9B), (0xB9D, 0xB9D),
    (0xBA0, 0xBA2), (0xBA5, 0xBA7), (0xBAB, 0xBAD), (0xBBA, 0xBBD), (0xBC3, 0xBC5),
    (0xBC9, 0xBC9), (0xBCE, 0xBCF), (0xBD1, 0xBD6), (0xBD8, 0xBE5), (0xBFB, 0xBFF),
    (0xC0D, 0xC0D), (0xC11, 0xC11), (0xC29, 0xC29), (0xC3A, 0xC3B), (0xC45, 0xC45),
    (0xC49, 0xC49), (0xC4E, 0xC54), (0xC57, 0xC57), (0xC5B, 0xC5C), (0xC5E, 0xC5F),
    (0xC64, 0xC65), (0xC70, 0xC76), (0xC8D, 0xC8D), (0xC91, 0xC91), (0xCA9, 0xCA9),
    (0xCB4, 0xCB4), (0xCBA, 0xCBB), (0xCC5, 0xCC5), (0xCC9, 0xCC9), (0xCCE, 0xCD4),
    (0xCD7, 0xCDC), (0xCDF, 0xCDF), (0xCE4, 0xCE5), (0xCF0, 0xCF0), (0xCF3, 0xCFF),
    (0xD0D, 0xD0D), (0xD11, 0xD11), (0xD45, 0xD45), (0xD49, 0xD49), (0xD50, 0xD53),
    (0xD64, 0xD65), (0xD80, 0xD80), (0xD84, 0xD84), (0xD97, 0xD99), (0xDB2, 0xDB2),
    (0xDBC, 0xDBC), (0xDBE, 0xDBF), (0xDC7, 0xDC9), (0xDCB, 0xDCE), (0xDD5, 0xDD5),
    (0xDD7, 0xDD7), (0xDE0, 0xDE5), (0xDF0, 0xDF1), (0xDF5, 0xE00), (0xE3B, 0xE3E),
    (0xE5C, 0xE80), (0xE83, 0xE83), (0xE85, 0xE85), (0xE8B, 0xE8B), (0xEA4, 0xEA4),
    (0xEA6, 0xEA6), (0xEBE, 0xEBF), (0xEC5, 0xEC5), (0xEC7, 0xEC7), (0xECE, 0xECF),
    (0xEDA, 0xEDB), (0xEE0, 0xEFF), (0xF48, 0xF48), (0xF6D, 0xF70), (0xF98, 0xF98),
    (0xFBD, 0xFBD), (0xFCD, 0xFCD), (0xFDB, 0xFFF), (0x10C6, 0x10C6), (0x10C8, 0x10CC),
    (0x10CE, 0x10CF), (0x1249, 0x1249), (0x124E, 0x124F), (0x1257, 0x1257), (0x1259, 0x1259),
    (0x125E, 0x125F), (0x1289, 0x1289), (0x128E, 0x128F), (0x12B1, 0x12B1), (0x12B6, 0x12B7),
    (0x12BF, 0x12BF), (0x12C1, 0x12C1), (0x12C6, 0x12C7), (0x12D7, 0x12D7), (0x1311, 0x1311),
    (0x1316, 0x1317), (0x135B, 0x135C), (0x137D, 0x137F), (0x139A, 0x139F), (0x13F6, 0x13F7),
    (0x13FE, 0x13FF), (0x1680, 0x1680), (0x169D, 0x169F), (0x16F9, 0x16FF), (0x1716, 0x171E),
    (0x1737, 0x173F), (0x1754, 0x175F), (0x176D, 0x176D), (0x1771, 0x1771), (0x1774, 0x177F),
    (0x17DE, 0x17DF), (0x17EA, 0x17EF), (0x17FA, 0x17FF), (0x180E, 0x180E), (0x181A, 0x181F),
    (0x1879, 0x187F), (0x18AB, 0x18AF), (0x18F6, 0x18FF), (0x191F, 0x191F), (0x192C, 0x192F),
    (0x193C, 0x193F), (0x1941, 0x1943), (0x196E, 0x196F), (0x1975, 0x197F), (0x19AC, 0x19AF),
    (0x19CA, 0x19CF), (0x19DB, 0x19DD), (0x1A1C, 0x1A1D), (0x1A5F, 0x1A5F), (0x1A7D, 0x1A7E),
    (0x1A8A, 0x1A8F), (0x1A9A, 0x1A9F), (0x1AAE, 0x1AAF), (0x1ACF, 0x1AFF), (0x1B4D, 0x1B4F),
    (0x1B7F, 0x1B7F), (0x1BF4, 0x1BFB), (0x1C38, 0x1C3A), (0x1C4A, 0x1C4C), (0x1C89, 0x1C8F),
    (0x1CBB, 0x1CBC), (0x1CC8, 0x1CCF), (0x1CFB, 0x1CFF), (0x1F16, 0x1F17), (0x1F1E, 0x1F1F),
    (0x1F46, 0x1F47), (0x1F4E, 0x1F4F), (0x1F58, 0x1F58), (0x1F5A, 0x1F5A), (0x1F5C, 0x1F5C),
    (0x1F5E, 0x1F5E), (0x1F7E, 0x1F7F), (0x1FB5, 0x1FB5), (0x1FC5, 0x1FC5), (0x1FD4, 0x1FD5),
    (0x1FDC, 0x1FDC), (0x1FF0, 0x1FF1), (0x1FF5, 0x1FF5), (0x1FFF, 0x200F), (0x2028, 0x202F),
    (0x205F, 0x206F), (0x2072, 0x2073), (0x208F, 0x208F), (0x209D, 0x209F), (0x20C1, 0x20CF),
    (0x20F1, 0x20FF), (0x218C, 0x218F), (0x2427, 0x243F), (0x244B, 0x245F), (0x2B74, 0x2B75),
    (0x2B96, 0x2B96), (0x2CF4, 0x2CF8), (0x2D26, 0x2D26), (0x2D28, 0x2D2C), (0x2D2E, 0x2D2F),
    (0x2D68, 0x2D6E), (0x2D71, 0x2D7E), (0x2D97, 0x2D9F), (0x2DA7, 0x2DA7), (0x2DAF, 0x2DAF),
    (0x2DB7, 0x2DB7), (0x2DBF, 0x2DBF), (0x2DC7, 0x2DC7), (0x2DCF, 0x2DCF), (0x2DD7, 0x2DD7),
    (0x2DDF, 0x2DDF), (0x2E5E, 0x2E7F), (0x2E9A, 0x2E9A), (0x2EF4, 0x2EFF), (0x2FD6, 0x2FEF),
    (0x2FFC, 0x3000), (0x3040, 0x3040), (0x3097, 0x3098), (0x3100, 0x3104), (0x3130, 0x3130),
    (0x318F, 0x318F), (0x31E4, 0x31EF), (0x321F, 0x321F), (0xA48D, 0xA48F), (0xA4C7, 0xA4CF),
    (0xA62C, 0xA63F), (0xA6F8, 0xA6FF), (0xA7CB, 0xA7CF), (0xA7D2, 0xA7D2), (0xA7D4, 0xA7D4),
    (0xA7DA, 0xA7F1), (0xA82D, 0xA82F), (0xA83A, 0xA83F), (0xA878, 0xA87F), (0xA8C6, 0xA8CD),
    (0xA8DA, 0xA8DF), (0xA954, 0xA95E), (0xA97D, 0xA97F), (0xA9CE, 0xA9CE), (0xA9DA, 0xA9DD),
    (0xA9FF, 0xA9FF), (0xAA37, 0xAA3F), (0xAA4E, 0xAA4F), (0xAA5A, 0xAA5B), (0xAAC3, 0xAADA),
    (0xAAF7, 0xAB00), (0xAB07, 0xAB08), (0xAB0F, 0xAB10), (0xAB17, 0xAB1F), (0xAB27, 0xAB27),
    (0xAB2F, 0xAB2F), (0xAB6C, 0xAB6F), (0xABEE, 0xABEF), (0xABFA, 0xABFF), (0xD7A4, 0xD7AF),
    (0xD7C7, 0xD7CA), (0xD7FC, 0xF8FF), (0xFA6E, 0xFA6F), (0xFADA, 0xFAFF), (0xFB07, 0xFB12),
    (0xFB18, 0xFB1C), (0xFB37, 0xFB37), (0xFB3D, 0xFB3D), (0xFB3F, 0xFB3F), (0xFB42, 0xFB42),
    (0xFB45, 0xFB45), (0xFBC3, 0xFBD2), (0xFD90, 0xFD91), (0xFDC8, 0xFDCE), (0xFDD0, 0xFDEF),
    (0xFE1A, 0xFE1F), (0xFE53, 0xFE53), (0xFE67, 0xFE67), (0xFE6C, 0xFE6F), (0xFE75, 0xFE75),
    (0xFEFD, 0xFF00), (0xFFBF, 0xFFC1), (0xFFC8, 0xFFC9), (0xFFD0, 0xFFD1), (0xFFD8, 0xFFD9),
    (0xFFDD, 0xFFDF), (0xFFE7, 0xFFE7), (0xFFEF, 0xFFFB), (0xFFFE, 0xFFFF), (0x1000C, 0x1000C),
    (0x10027, 0x10027), (0x1003B, 0x1003B), (0x1003E, 0x1003E), (0x1004E, 0x1004F),
    (0x1005E, 0x1007F), (0x100FB, 0x100FF), (0x10103, 0x10106), (0x10134, 0x10136),
    (0x1018F, 0x1018F), (0x1019D, 0x1019F), (0x101A1, 0x101CF), (0x101FE, 0x1027F),
    (0x1029D, 0x1029F), (0x102D1, 0x102DF), (0x102FC, 0x102FF), (0x10324, 0x1032C),
    (0x1034B, 0x1034F), (0x1037B, 0x1037F), (0x1039E, 0x1039E), (0x103C4, 0x103C7),
    (0x103D6, 0x103FF), (0x1049E, 0x1049F), (0x104AA, 0x104AF), (0x104D4, 0x104D7),
    (0x104FC, 0x104FF), (0x10528, 0x1052F), (0x10564, 0x1056E), (0x1057B, 0x1057B),
    (0x1058B, 0x1058B), (0x10593, 0x10593), (0x10596, 0x10596), (0x105A2, 0x105A2),
    (0x105B2, 0x105B2), (0x105BA, 0x105BA), (0x105BD, 0x105FF), (0x10737, 0x1073F),
    (0x10756, 0x1075F), (0x10768, 0x1077F), (0x10786, 0x10786), (0x107B1, 0x107B1),
    (0x107BB, 0x107FF), (0x10806, 0x10807), (0x10809, 0x10809), (0x10836, 0x10836),
    (0x10839, 0x1083B), (0x1083D, 0x1083E), (0x10856, 0x10856), (0x1089F, 0x108A6),
    (0x108B0, 0x108DF), (0x108F3, 0x108F3), (0x108F6, 0x108FA), (0x1091C, 0x1091E),
    (0x1093A, 0x1093E), (0x10940, 0x1097F), (0x109B8, 0x109BB), (0x109D0, 0x109D1),
    (0x10A04, 0x10A04), (0x10A07, 0x10A0B), (0x10A14, 0x10A14), (0x10A18, 0x10A18),
    (0x10A36, 0x10A37), (0x10A3B, 0x10A3E), (0x10A49, 0x10A4F), (0x10A59, 0x10A5F),
    (0x10AA0, 0x10ABF), (0x10AE7, 0x10AEA), (0x10AF7, 0x10AFF), (0x10B36, 0x10B38),
    (0x10B56, 0x10B57), (0x10B73, 0x10B77), (0x10B92, 0x10B98), (0x10B9D, 0x10BA8),
    (0x10BB0, 0x10BFF), (0x10C49, 0x10C7F), (0x10CB3, 0x10CBF), (0x10CF3, 0x10CF9),
    (0x10D28, 0x10D2F), (0x10D3A, 0x10E5F), (0x10E7F, 0x10E7F), (0x10EAA, 0x10EAA),
    (0x10EAE, 0x10EAF), (0x10EB2, 0x10EFF), (0x10F28, 0x10F2F), (0x10F5A, 0x10F6F),
    (0x10F8A, 0x10FAF), (0x10FCC, 0x10FDF), (0x10FF7, 0x10FFF), (0x1104E, 0x11051),
    (0x11076, 0x1107E), (0x110BD, 0x110BD), (0x110C3, 0x110CF), (0x110E9, 0x110EF),
    (0x110FA, 0x110FF), (0x11135, 0x11135), (0x11148, 0x1114F), (0x11177, 0x1117F),
    (0x111E0, 0x111E0), (0x111F5, 0x111FF), (0x11212, 0x11212), (0x1123F, 0x1127F),
    (0x11287, 0x11287), (0x11289, 0x11289), (0x1128E, 0x1128E), (0x1129E, 0x1129E),
    (0x112AA, 0x112AF), (0x112EB, 0x112EF), (0x112FA, 0x112FF), (0x11304, 0x11304),
    (0x1130D, 0x1130E), (0x11311, 0x11312), (0x11329, 0x11329), (0x11331, 0x11331),
    (0x11334, 0x11334), (0x1133A, 0x1133A), (0x11345, 0x11346), (0x11349, 0x1134A),
    (0x1134E, 0x1134F), (0x11351, 0x11356), (0x11358, 0x1135C), (0x11364, 0x11365),
    (0x1136D, 0x1136F), (0x11375, 0x113FF), (0x1145C, 0x1145C), (0x11462, 0x1147F),
    (0x114C8, 0x114CF), (0x114DA, 0x1157F), (0x115B6, 0x115B7), (0x115DE, 0x115FF),
    (0x11645, 0x1164F), (0x1165A, 0x1165F), (0x1166D, 0x1167F), (0x116BA, 0x116BF),
    (0x116CA, 0x116FF), (0x1171B, 0x1171C), (0x1172C, 0x1172F), (0x11747, 0x117FF),
    (0x1183C, 0x1189F), (0x118F3, 0x118FE), (0x11907, 0x11908), (0x1190A, 0x1190B),
    (0x11914, 0x11914), (0x11917, 0x11917), (0x11936, 0x11936), (0x11939, 0x1193A),
    (0x11947, 0x1194F), (0x1195A, 0x1199F), (0x119A8, 0x119A9), (0x119D8, 0x119D9),
    (0x119E5, 0x119FF), (0x11A48, 0x11A4F), (0x11AA3, 0x11AAF), (0x11AF9, 0x11BFF),
    (0x11C09, 0x11C09), (0x11C37, 0x11C37), (0x11C46, 0x11C4F), (0x11C6D, 0x11C6F),
    (0x11C90, 0x11C91), (0x11CA8, 0x11CA8), (0x11CB7, 0x11CFF), (0x11D07, 0x11D07),
    (0x11D0A, 0x11D0A), (0x11D37, 0x11D39), (0x11D3B, 0x11D3B), (0x11D3E, 0x11D3E),
    (0x11D48, 0x11D4F), (0x11D5A, 0x11D5F), (0x11D66, 0x11D66), (0x11D69, 0x11D69),
    (0x11D8F, 0x11D8F), (0x11D92, 0x11D92), (0x11D99, 0x11D9F), (0x11DAA, 0x11EDF),
    (0x11EF9, 0x11FAF), (0x11FB1, 0x11FBF), (0x11FF2, 0x11FFE), (0x1239A, 0x123FF),
    (0x1246F, 0x1246F), (0x12475, 0x1247F), (0x12544, 0x12F8F), (0x12FF3, 0x12FFF),
    (0x1342F, 0x143FF), (0x14647, 0x167FF), (0x16A39, 0x16A3F), (0x16A5F, 0x16A5F),
    (0x16A6A, 0x16A6D), (0x16ABF, 0x16ABF), (0x16ACA, 0x16ACF), (0x16AEE, 0x16AEF),
    (0x16AF6, 0x16AFF), (0x16B46, 0x16B4F), (0x16B5A, 0x16B5A), (0x16B62, 0x16B62),
    (0x16B78, 0x16B7C), (0x16B90, 0x16E3F), (0x16E9B, 0x16EFF), (0x16F4B, 0x16F4E),
    (0x16F88, 0x16F8E), (0x16FA0, 0x16FDF), (0x16FE5, 0x16FEF), (0x16FF2, 0x16FFF),
    (0x187F8, 0x187FF), (0x18CD6, 0x18CFF), (0x18D09, 0x1AFEF), (0x1AFF4, 0x1AFF4),
    (0x1AFFC, 0x1AFFC), (0x1AFFF, 0x1AFFF), (0x1B123, 0x1B14F), (0x1B153, 0x1B163),
    (0x1B168, 0x1B16F), (0x1B2FC, 0x1BBFF), (0x1BC6B, 0x1BC6F), (0x1BC7D, 0x1BC7F),
    (0x1BC89, 0x1BC8F), (0x1BC9A, 0x1BC9B), (0x1BCA0, 0x1CEFF), (0x1CF2E, 0x1CF2F),
    (0x1CF47, 0x1CF4F), (0x1CFC4, 0x1CFFF), (0x1D0F6, 0x1D0FF), (0x1D127, 0x1D128),
    (0x1D173, 0x1D17A), (0x1D1EB, 0x1D1FF), (0x1D246, 0x1D2DF), (0x1D2F4, 0x1D2FF),
    (0x1D357, 0x1D35F), (0x1D379, 0x1D3FF), (0x1D455, 0x1D455), (0x1D49D, 0x1D49D),
    (0x1D4A0, 0x1D4A1), (0x1D4A3, 0x1D4A4), (0x1D4A7, 0x1D4A8), (0x1D4AD, 0x1D4AD),
    (0x1D4BA, 0x1D4BA), (0x1D4BC, 0x1D4BC), (0x1D4C4, 0x1D4C4), (0x1D506, 0x1D506),
    (0x1D50B, 0x1D50C), (0x1D515, 0x1D515), (0x1D51D, 0x1D51D), (0x1D53A, 0x1D53A),
    (0x1D53F, 0x1D53F), (0x1D545, 0x1D545), (0x1D547, 0x1D549), (0x1D551, 0x1D551),
    (0x1D6A6, 0x1D6A7), (0x1D7CC, 0x1D7CD), (0x1DA8C, 0x1DA9A), (0x1DAA0, 0x1DAA0),
    (0x1DAB0, 0x1DEFF), (0x1DF1F, 0x1DFFF), (0x1E007, 0x1E007), (0x1E019, 0x1E01A),
    (0x1E022, 0x1E022), (0x1E025, 0x1E025), (0x1E02B, 0x1E0FF), (0x1E12D, 0x1E12F),
    (0x1E13E, 0x1E13F), (0x1E14A, 0x1E14D), (0x1E150, 0x1E28F), (0x1E2AF, 0x1E2BF),
    (0x1E2FA, 0x1E2FE), (0x1E300, 0x1E7DF), (0x1E7E7, 0x1E7E7), (0x1E7EC, 0x1E7EC),
    (0x1E7EF, 0x1E7EF), (0x1E7FF, 0x1E7FF), (0x1E8C5, 0x1E8C6), (0x1E8D7, 0x1E8FF),
    (0x1E94C, 0x1E94F), (0x1E95A, 0x1E95D), (0x1E960, 0x1EC70), (0x1ECB5, 0x1ED00),
    (0x1ED3E, 0x1EDFF), (0x1EE04, 0x1EE04), (0x1EE20, 0x1EE20), (0x1EE23, 0x1EE23),
    (0x1EE25, 0x1EE26), (0x1EE28, 0x1EE28), (0x1EE33, 0x1EE33), (0x1EE38, 0x1EE38),
    (0x1EE3A, 0x1EE3A), (0x1EE3C, 0x1EE41), (0x1EE43, 0x1EE46), (0x1EE48, 0x1EE48),
    (0x1EE4A, 0x1EE4A), (0x1EE4C, 0x1EE4C), (0x1EE50, 0x1EE50), (0x1EE53, 0x1EE53),
    (0x1EE55, 0x1EE56), (0x1EE58, 0x1EE58), (0x1EE5A, 0x1EE5A), (0x1EE5C, 0x1EE5C),
    (0x1EE5E, 0x1EE5E), (0x1EE60, 0x1EE60), (0x1EE63, 0x1EE63), (0x1EE65, 0x1EE66),
    (0x1EE6B, 0x1EE6B), (0x1EE73, 0x1EE73), (0x1EE78, 0x1EE78), (0x1EE7D, 0x1EE7D),
    (0x1EE7F, 0x1EE7F), (0x1EE8A, 0x1EE8A), (0x1EE9C, 0x1EEA0), (0x1EEA4, 0x1EEA4),
    (0x1EEAA, 0x1EEAA), (0x1EEBC, 0x1EEEF), (0x1EEF2, 0x1EFFF), (0x1F02C, 0x1F02F),
    (0x1F094, 0x1F09F), (0x1F0AF, 0x1F0B0), (0x1F0C0, 0x1F0C0), (0x1F0D0, 0x1F0D0),
    (0x1F0F6, 0x1F0FF), (0x1F1AE, 0x1F1E5), (0x1F203, 0x1F20F), (0x1F23C, 0x1F23F),
    (0x1F249, 0x1F24F), (0x1F252, 0x1F25F), (0x1F266, 0x1F2FF), (0x1F6D8, 0x1F6DC),
    (0x1F6ED, 0x1F6EF), (0x1F6FD, 0x1F6FF), (0x1F774, 0x1F77F), (0x1F7D9, 0x1F7DF),
    (0x1F7EC, 0x1F7EF), (0x1F7F1, 0x1F7FF), (0x1F80C, 0x1F80F), (0x1F848, 0x1F84F),
    (0x1F85A, 0x1F85F), (0x1F888, 0x1F88F), (0x1F8AE, 0x1F8AF), (0x1F8B2, 0x1F8FF),
    (0x1FA54, 0x1FA5F), (0x1FA6E, 0x1FA6F), (0x1FA75, 0x1FA77), (0x1FA7D, 0x1FA7F),
    (0x1FA87, 0x1FA8F), (0x1FAAD, 0x1FAAF), (0x1FABB, 0x1FABF), (0x1FAC6, 0x1FACF),
    (0x1FADA, 0x1FADF), (0x1FAE8, 0x1FAEF), (0x1FAF7, 0x1FAFF), (0x1FB93, 0x1FB93),
    (0x1FBCB, 0x1FBEF), (0x1FBFA, 0x1FFFF), (0x2A6E0, 0x2A6FF), (0x2B739, 0x2B73F),
    (0x2B81E, 0x2B81F), (0x2CEA2, 0x2CEAF), (0x2EBE1, 0x2F7FF), (0x2FA1E, 0x2FFFF),
    (0x3134B, 0xE00FF), (0xE01F0, 0x10FFFF),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_repr_matches_python() {
        for (json, want) in REPR_VECTORS {
            let value: Value = serde_json::from_str(json).unwrap();
            assert_eq!(python_repr(&value), *want, "repr of {json}");
        }
    }

    #[test]
    fn python_repr_of_built_values() {
        let v = Value::from(1e20);
        assert_eq!(python_repr(&v), "1e+20");
        assert_eq!(python_repr(&Value::from(0.1)), "0.1");
        assert_eq!(python_repr(&Value::from(-0.0)), "-0.0");
        assert_eq!(python_repr(&Value::from(1e-7)), "1e-07");
        assert_eq!(python_repr(&Value::from(u64::MAX)), "18446744073709551615");
        assert_eq!(python_repr(&Value::from(i64::MIN)), "-9223372036854775808");
        assert_eq!(python_repr(&Value::from("a\u{0}b")), "'a\\x00b'");
        // Ties between two shortest spellings go to the even digit, as in CPython.
        let tie: Value = serde_json::from_str("-75923748224468.125").unwrap();
        assert_eq!(python_repr(&tie), "-75923748224468.12");
        let tie: Value = serde_json::from_str("1605800000000000.25").unwrap();
        assert_eq!(python_repr(&tie), "1605800000000000.2");
        let v: Value = serde_json::from_str("9.5e-5").unwrap();
        assert_eq!(python_repr(&v), "9.5e-05");
        let v: Value = serde_json::from_str("123456789012345680.0").unwrap();
        assert_eq!(python_repr(&v), "1.2345678901234568e+17");
    }

    #[test]
    fn argsrepr_matches_celery_saferepr() {
        for (json, want) in SAFEREPR_VECTORS {
            let value: Value = serde_json::from_str(json).unwrap();
            let mut tokens = Vec::new();
            flatten(&mut tokens, &value, 0, REPR_MAXLEVELS);
            assert_eq!(
                render_saferepr(&tokens, Some(REPR_MAXSIZE)),
                *want,
                "saferepr of {json}"
            );
        }
        for (name, want) in LONG_SAFEREPR_VECTORS {
            let value = long_case(name);
            let mut tokens = Vec::new();
            flatten(&mut tokens, &value, 0, REPR_MAXLEVELS);
            assert_eq!(
                render_saferepr(&tokens, Some(REPR_MAXSIZE)),
                *want,
                "saferepr of {name}"
            );
        }
        // The header helpers: empty args are Celery's empty tuple.
        assert_eq!(celery_argsrepr(&[]), "()");
        assert_eq!(celery_argsrepr(&[Value::from(1)]), "[1]");
        assert_eq!(celery_kwargsrepr(&Map::new()), "{}");
    }

    /// The inputs of `LONG_SAFEREPR_VECTORS`, built here rather than spelled out as JSON.
    fn long_case(name: &str) -> Value {
        let strs = |s: String| Value::String(s);
        let ints = |n: u32| Value::Array((0..n).map(Value::from).collect());
        match name {
            "ints_0_400" => ints(400),
            "dict_150" => Value::Object(
                (0..150)
                    .map(|i| (format!("k{i}"), strs(format!("value {i}"))))
                    .collect(),
            ),
            "words_300" => Value::Array(vec![strs("word ".repeat(300))]),
            "x_1022" => Value::Array(vec![strs("x".repeat(1022))]),
            "x_1023" => Value::Array(vec![strs("x".repeat(1023))]),
            "x_1100" => Value::Array(vec![strs("x".repeat(1100))]),
            "ab_250_tail" => Value::Array(vec![strs("a b ".repeat(250)), strs("tail".into())]),
            "deep_3x100" => {
                let inner = Value::Array(vec![strs("deep".into()); 100]);
                Value::Array(vec![Value::Array(vec![inner; 3]), strs("after".into())])
            }
            "dict_a_500" => {
                let mut m = Map::new();
                m.insert("a".into(), ints(500));
                Value::Array(vec![
                    Value::Object(m),
                    serde_json::from_str("[1, 2]").unwrap(),
                ])
            }
            "big_int_2001_digits" => {
                serde_json::from_str(&format!("[1{}]", "0".repeat(2000))).unwrap()
            }
            "x_1019_nested" => {
                let nested = serde_json::from_str("[1, [2, [3]]]").unwrap();
                Value::Array(vec![strs("x".repeat(1019)), nested, strs("y".into())])
            }
            "x_1018_dict" => {
                let dict = serde_json::from_str(r#"{"k": [1, 2]}"#).unwrap();
                Value::Array(vec![strs("x".repeat(1018)), dict, strs("y".into())])
            }
            "x_1015_zz" => Value::Array(vec![strs("x".repeat(1015)), strs("zz".into())]),
            "x_1016_zz_list" => Value::Array(vec![
                strs("x".repeat(1016)),
                strs("zz".into()),
                serde_json::from_str("[1]").unwrap(),
            ]),
            other => panic!("unknown case {other}"),
        }
    }

    #[test]
    fn printable_table_is_sorted_and_disjoint() {
        for pair in NON_PRINTABLE.windows(2) {
            assert!(pair[0].0 <= pair[0].1 && pair[0].1 < pair[1].0, "{pair:?}");
        }
        assert!(!is_python_printable(0xA0));
        assert!(is_python_printable(0xE9));
        assert!(is_python_printable(0x1F600));
        assert!(!is_python_printable(0x10FFFF));
    }

    // Expected values computed with celery 5.7.0 on Python 3.11.7: `repr(json.loads(j))` and
    // `celery.utils.saferepr.saferepr(json.loads(j), 1024, maxlevels=3)` (the LONG inputs are
    // `long_case`'s values).
    // repr vectors: (json, python repr)
    const REPR_VECTORS: &[(&str, &str)] = &[
        ("\"plain\"", "'plain'"),
        ("\"\"", "''"),
        ("\"it's\"", "\"it's\""),
        ("\"say \\\"hi\\\"\"", "'say \"hi\"'"),
        ("\"both ' and \\\"\"", "'both \\' and \"'"),
        ("\"a\\\\b\"", "'a\\\\b'"),
        ("\"\\\\\"", "'\\\\'"),
        ("\"line\\nbreak\\ttab\\rcr\"", "'line\\nbreak\\ttab\\rcr'"),
        ("\"\\u0000\\u001f\\u007f\"", "'\\x00\\x1f\\x7f'"),
        ("\"\\u0080\\u009f\"", "'\\x80\\x9f'"),
        ("\"\u{65e5}\u{672c}\"", "'\u{65e5}\u{672c}'"),
        ("\"\u{1f600}\"", "'\u{1f600}'"),
        ("\"\u{e9} and e\\u0301\"", "'\u{e9} and e\u{301}'"),
        ("\"\\u00a0nbsp\"", "'\\xa0nbsp'"),
        ("\"\\u00ad\"", "'\\xad'"),
        (
            "\"\\u200b\\u200d\\u2028\\u2029\\ufeff\"",
            "'\\u200b\\u200d\\u2028\\u2029\\ufeff'",
        ),
        ("\"\\u0378\"", "'\\u0378'"),
        ("\"\\ue000\"", "'\\ue000'"),
        ("\"\\udb80\\udc00\"", "'\\U000f0000'"),
        ("\"\\u3000\\u1680\"", "'\\u3000\\u1680'"),
        (
            "\"\u{3a9}\u{2248}\u{e7}\u{221a}\"",
            "'\u{3a9}\u{2248}\u{e7}\u{221a}'",
        ),
        ("\"'\\\"'\"", "'\\'\"\\''"),
        ("0", "0"),
        ("-0", "0"),
        ("42", "42"),
        ("-17", "-17"),
        (
            "123456789012345678901234567890",
            "123456789012345678901234567890",
        ),
        ("-98765432109876543210", "-98765432109876543210"),
        ("1e20", "1e+20"),
        ("1E20", "1e+20"),
        ("0.1", "0.1"),
        ("-0.0", "-0.0"),
        ("2.5", "2.5"),
        ("1e-7", "1e-07"),
        ("1.0", "1.0"),
        ("1e16", "1e+16"),
        ("1e15", "1000000000000000.0"),
        ("0.0001", "0.0001"),
        ("0.00001", "1e-05"),
        ("1.5e300", "1.5e+300"),
        ("5e-324", "5e-324"),
        ("123.456", "123.456"),
        ("100.0e0", "100.0"),
        ("1e400", "inf"),
        ("-1e400", "-inf"),
        ("3.141592653589793", "3.141592653589793"),
        ("0.30000000000000004", "0.30000000000000004"),
        ("1.7976931348623157e308", "1.7976931348623157e+308"),
        ("2.2250738585072014e-308", "2.2250738585072014e-308"),
        ("12345678901234567.0", "1.2345678901234568e+16"),
        ("-1.25e-10", "-1.25e-10"),
        ("true", "True"),
        ("false", "False"),
        ("null", "None"),
        ("[]", "[]"),
        ("{}", "{}"),
        ("[1, \"a\", null, true, 2.5]", "[1, 'a', None, True, 2.5]"),
        (
            "{\"a\": [1, {\"b\": null}], \"c\": \"x\", \"d'q\": {\"e\": []}}",
            "{'a': [1, {'b': None}], 'c': 'x', \"d'q\": {'e': []}}",
        ),
        ("[[[[1]]]]", "[[[[1]]]]"),
        ("[[[[[]]]]]", "[[[[[]]]]]"),
        (
            "{\"nested\": [1, {\"a\": [2, [3, [4]]]}], \"u\": \"\u{65e5}\u{672c}\u{1f600}\"}",
            "{'nested': [1, {'a': [2, [3, [4]]]}], 'u': '\u{65e5}\u{672c}\u{1f600}'}",
        ),
    ];
    // saferepr vectors: (json, celery.utils.saferepr(value, 1024, maxlevels=3))
    const SAFEREPR_VECTORS: &[(&str, &str)] = &[
        ("\"plain\"", "'plain'"),
        ("\"\"", "''"),
        ("\"it's\"", "'it\\'s'"),
        ("\"say \\\"hi\\\"\"", "'say \"hi\"'"),
        ("\"both ' and \\\"\"", "'both \\' and \"'"),
        ("\"a\\\\b\"", "'a\\b'"),
        ("\"\\\\\"", "'\\'"),
        ("\"line\\nbreak\\ttab\\rcr\"", "'line\nbreak\ttab\rcr'"),
        ("\"\\u0000\\u001f\\u007f\"", "'\u{0}\u{1f}\u{7f}'"),
        ("\"\\u0080\\u009f\"", "'\u{80}\u{9f}'"),
        ("\"\u{65e5}\u{672c}\"", "'\u{65e5}\u{672c}'"),
        ("\"\u{1f600}\"", "'\u{1f600}'"),
        ("\"\u{e9} and e\\u0301\"", "'\u{e9} and e\u{301}'"),
        ("\"\\u00a0nbsp\"", "'\u{a0}nbsp'"),
        ("\"\\u00ad\"", "'\u{ad}'"),
        (
            "\"\\u200b\\u200d\\u2028\\u2029\\ufeff\"",
            "'\u{200b}\u{200d}\u{2028}\u{2029}\u{feff}'",
        ),
        ("\"\\u0378\"", "'\u{378}'"),
        ("\"\\ue000\"", "'\u{e000}'"),
        ("\"\\udb80\\udc00\"", "'\u{f0000}'"),
        ("\"\\u3000\\u1680\"", "'\u{3000}\u{1680}'"),
        (
            "\"\u{3a9}\u{2248}\u{e7}\u{221a}\"",
            "'\u{3a9}\u{2248}\u{e7}\u{221a}'",
        ),
        ("\"'\\\"'\"", "'\\'\"\\''"),
        ("0", "0"),
        ("-0", "0"),
        ("42", "42"),
        ("-17", "-17"),
        (
            "123456789012345678901234567890",
            "123456789012345678901234567890",
        ),
        ("-98765432109876543210", "-98765432109876543210"),
        ("1e20", "1e+20"),
        ("1E20", "1e+20"),
        ("0.1", "0.1"),
        ("-0.0", "-0.0"),
        ("2.5", "2.5"),
        ("1e-7", "1e-07"),
        ("1.0", "1.0"),
        ("1e16", "1e+16"),
        ("1e15", "1000000000000000.0"),
        ("0.0001", "0.0001"),
        ("0.00001", "1e-05"),
        ("1.5e300", "1.5e+300"),
        ("5e-324", "5e-324"),
        ("123.456", "123.456"),
        ("100.0e0", "100.0"),
        ("1e400", "inf"),
        ("-1e400", "-inf"),
        ("3.141592653589793", "3.141592653589793"),
        ("0.30000000000000004", "0.30000000000000004"),
        ("1.7976931348623157e308", "1.7976931348623157e+308"),
        ("2.2250738585072014e-308", "2.2250738585072014e-308"),
        ("12345678901234567.0", "1.2345678901234568e+16"),
        ("-1.25e-10", "-1.25e-10"),
        ("true", "True"),
        ("false", "False"),
        ("null", "None"),
        ("[]", "[]"),
        ("{}", "{}"),
        ("[1, \"a\", null, true, 2.5]", "[1, 'a', None, True, 2.5]"),
        (
            "{\"a\": [1, {\"b\": null}], \"c\": \"x\", \"d'q\": {\"e\": []}}",
            "{'a': [1, {'b': None}], 'c': 'x', 'd\\'q': {'e': []}}",
        ),
        ("[[[[1]]]]", "[[[[...]]]]"),
        ("[[[[[]]]]]", "[[[[...]]]]"),
        (
            "{\"nested\": [1, {\"a\": [2, [3, [4]]]}], \"u\": \"\u{65e5}\u{672c}\u{1f600}\"}",
            "{'nested': [1, {'a': [...]}], 'u': '\u{65e5}\u{672c}\u{1f600}'}",
        ),
    ];
    // long saferepr vectors: (case name, expected saferepr); inputs are built by long_case()
    const LONG_SAFEREPR_VECTORS: &[(&str, &str)] = &[
        (
            "ints_0_400",
            "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 141, 142, 143, 144, 145, 146, 147, 148, 149, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159, 160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170, 171, 172, 173, 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191, 192, 193, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223, 224, 225, 226..., ...]",
        ),
        (
            "dict_150",
            "{'k0': 'value 0', 'k1': 'value 1', 'k2': 'value 2', 'k3': 'value 3', 'k4': 'value 4', 'k5': 'value 5', 'k6': 'value 6', 'k7': 'value 7', 'k8': 'value 8', 'k9': 'value 9', 'k10': 'value 10', 'k11': 'value 11', 'k12': 'value 12', 'k13': 'value 13', 'k14': 'value 14', 'k15': 'value 15', 'k16': 'value 16', 'k17': 'value 17', 'k18': 'value 18', 'k19': 'value 19', 'k20': 'value 20', 'k21': 'value 21', 'k22': 'value 22', 'k23': 'value 23', 'k24': 'value 24', 'k25': 'value 25', 'k26': 'value 26', 'k27': 'value 27', 'k28': 'value 28', 'k29': 'value 29', 'k30': 'value 30', 'k31': 'value 31', 'k32': 'value 32', 'k33': 'value 33', 'k34': 'value 34', 'k35': 'value 35', 'k36': 'value 36', 'k37': 'value 37', 'k38': 'value 38', 'k39': 'value 39', 'k40': 'value 40', 'k41': 'value 41', 'k42': 'value 42', 'k43': 'value 43', 'k44': 'value 44', 'k45': 'value 45', 'k46': 'value 46', 'k47': 'value 47', 'k48': 'value 48', 'k49': 'value 49', 'k50': 'value 50', 'k51': 'value 51', 'k52': 'value 52', 'k53': 'value 53', 'k54': 'value 54', ...}",
        ),
        (
            "words_300",
            "['word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word...']",
        ),
        (
            "x_1022",
            "['xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx']",
        ),
        (
            "x_1023",
            "['xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...']",
        ),
        (
            "x_1100",
            "['xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...']",
        ),
        (
            "ab_250_tail",
            "['a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b ', 'tail']",
        ),
        (
            "deep_3x100",
            "[[['deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep'], ['deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'deep', 'dee...', ...]]]",
        ),
        (
            "dict_a_500",
            "[{'a': [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 141, 142, 143, 144, 145, 146, 147, 148, 149, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159, 160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170, 171, 172, 173, 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191, 192, 193, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223, 224, 2..., ...]}]",
        ),
        (
            "big_int_2001_digits",
            "[100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000...]",
        ),
        (
            "x_1019_nested",
            "['xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', , ...]",
        ),
        (
            "x_1018_dict",
            "['xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', {, ...}]",
        ),
        (
            "x_1015_zz",
            "['xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'zz']",
        ),
        (
            "x_1016_zz_list",
            "['xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'zz', ...]",
        ),
    ];
}
