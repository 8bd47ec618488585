//! Compact JSON text written straight into a `String`, in serde_json's spelling: shared by the
//! Celery envelope and the SQLite claim, which write many small documents and would otherwise
//! build a `serde_json::Value` tree for each.

use std::fmt::Write as _;

/// A JSON string as serde_json's writer spells it: `"` and `\\` escaped, the control
/// characters as `\b \t \n \f \r` or `\u00xx`, everything else (non-ASCII included) as is.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let mut plain = 0;
    for (i, c) in s.char_indices() {
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\u{8}' => "\\b",
            '\t' => "\\t",
            '\n' => "\\n",
            '\u{c}' => "\\f",
            '\r' => "\\r",
            c if (c as u32) < 0x20 => "",
            _ => continue,
        };
        out.push_str(&s[plain..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push_str(escape);
        }
        plain = i + c.len_utf8();
    }
    out.push_str(&s[plain..]);
    out.push('"');
}

/// [`write_str`] for a present value, `null` for an absent one.
pub fn write_opt_str(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => write_str(out, s),
        None => out.push_str("null"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_spelled_as_serde_json_spells_them() {
        for s in [
            "",
            "plain",
            "quote \" and backslash \\",
            "controls \u{0}\u{1}\u{8}\t\n\u{b}\u{c}\r\u{1f}",
            "non-ASCII é ✓ 🦀 and \u{7f}",
        ] {
            let mut out = String::new();
            write_str(&mut out, s);
            assert_eq!(out, serde_json::to_string(s).unwrap(), "{s:?}");
        }
        let mut out = String::new();
        write_opt_str(&mut out, None);
        write_opt_str(&mut out, Some("x"));
        assert_eq!(out, "null\"x\"");
    }
}
