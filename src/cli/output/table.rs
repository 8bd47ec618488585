//! Tables: laid out to the terminal's width (or whole), plain or with borders, every cell
//! escaped so that it is one line.

use std::borrow::Cow;
use std::io::IsTerminal;

use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Tz;
use comfy_table::{ContentArrangement, Table, presets};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::escape;
use crate::cli::args::OutputFormat;

/// How tables are laid out: fitted to a width or shown whole, with borders or plain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// The width to fit, in terminal columns; `None` shows every column whole.
    pub width: Option<usize>,
    /// Box-drawing borders (stdout is a terminal) rather than plain aligned columns.
    pub borders: bool,
    /// Whether tables print their header line, and lists the notes around their rows
    /// (`--no-headers` turns both off).
    pub headers: bool,
}

impl Layout {
    /// The layout of `format` on this process's stdout. `--output table` fits `COLUMNS` when it
    /// is a positive number, else the terminal's width when stdout is a terminal; a pipe
    /// without `COLUMNS` gets every column, as `--output wide` always does.
    pub fn detect(format: OutputFormat) -> Self {
        let terminal = std::io::stdout().is_terminal();
        let width = match format {
            OutputFormat::Table => env_columns().or_else(|| {
                terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| usize::from(w.0))
            }),
            OutputFormat::Wide | OutputFormat::Json | OutputFormat::Jsonl | OutputFormat::Name => {
                None
            }
        };
        Self {
            width: width.filter(|w| *w > 0),
            borders: terminal,
            headers: true,
        }
    }

    /// The same layout, with or without header lines.
    pub fn headers(self, headers: bool) -> Self {
        Self { headers, ..self }
    }
}

/// `COLUMNS`, when it is a positive whole number.
pub(super) fn env_columns() -> Option<usize> {
    std::env::var("COLUMNS")
        .ok()?
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|w| *w > 0)
}

/// What a column gives up when its table is wider than the layout. Columns are taken by rank,
/// highest first, until one does not fit; the table keeps its column order.
#[derive(Debug, Clone, Copy)]
pub(super) enum Fit {
    /// Always shown, whole: ids and names are never cut or wrapped.
    Always,
    /// Shown whole, or not at all.
    Whole(u8),
    /// Free text: shown whole when it fits, else cut with an ellipsis to the room left when
    /// that is at least this many columns (and the header's width), else not shown.
    Shorten(u8, usize),
}

impl Fit {
    fn rank(self) -> Option<u8> {
        match self {
            Fit::Always => None,
            Fit::Whole(rank) | Fit::Shorten(rank, _) => Some(rank),
        }
    }
}

/// A table before it is laid out: its columns and rows of cells as stored. Cells are escaped
/// ([`escape`]) when rendered, so each is one line.
pub(super) struct Grid {
    /// Each column's header and fit.
    columns: Vec<(&'static str, Fit)>,
    /// Whether the headers are printed.
    header: bool,
    /// The cells, one per column.
    rows: Vec<Vec<String>>,
}

impl Grid {
    pub(super) fn new(columns: Vec<(&'static str, Fit)>) -> Self {
        Self {
            columns,
            header: true,
            rows: Vec::new(),
        }
    }

    pub(super) fn headless(fits: Vec<Fit>) -> Self {
        Self {
            header: false,
            ..Self::new(fits.into_iter().map(|f| ("", f)).collect())
        }
    }

    pub(super) fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.columns.len());
        self.rows.push(cells);
    }

    pub(super) fn render(&self, layout: Layout) -> String {
        let rows: Vec<Vec<Cow<'_, str>>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(|c| escape(c)).collect())
            .collect();
        let header: Vec<usize> = self
            .columns
            .iter()
            .map(|(h, _)| {
                if self.header && layout.headers {
                    h.width()
                } else {
                    0
                }
            })
            .collect();
        let natural: Vec<usize> = (0..self.columns.len())
            .map(|i| {
                rows.iter()
                    .map(|r| r[i].width())
                    .max()
                    .unwrap_or(0)
                    .max(header[i])
            })
            .collect();
        let widths: Vec<Option<usize>> = match layout.width {
            Some(limit) => {
                let fits: Vec<Fit> = self.columns.iter().map(|(_, f)| *f).collect();
                fit_columns(&fits, &natural, &header, limit, layout.borders)
            }
            None => natural.iter().copied().map(Some).collect(),
        };
        let kept: Vec<(usize, usize)> = widths
            .iter()
            .enumerate()
            .filter_map(|(i, w)| w.map(|w| (i, w)))
            .collect();
        let mut table = new_table(layout);
        if self.header && layout.headers {
            table.set_header(kept.iter().map(|(i, _)| self.columns[*i].0));
        }
        for row in &rows {
            table.add_row(kept.iter().map(|(i, w)| shorten(&row[*i], *w)));
        }
        finish(&table)
    }
}

/// Which columns fit in `limit` terminal columns and how wide each is (`None`: left out).
/// `natural` is each column's widest cell or header, `header` its header's width.
pub(super) fn fit_columns(
    fits: &[Fit],
    natural: &[usize],
    header: &[usize],
    limit: usize,
    borders: bool,
) -> Vec<Option<usize>> {
    // Plain: one space either side of each cell, the last line end trimmed. Borders: `│ a ┆ b │`.
    let frame = |n: usize| {
        if borders {
            3 * n + 1
        } else {
            (2 * n).saturating_sub(1)
        }
    };
    let mut widths: Vec<Option<usize>> = fits
        .iter()
        .zip(natural)
        .map(|(f, w)| matches!(f, Fit::Always).then_some(*w))
        .collect();
    let mut order: Vec<usize> = (0..fits.len())
        .filter(|i| fits[*i].rank().is_some())
        .collect();
    // Stable: equal ranks keep the column order.
    order.sort_by_key(|i| std::cmp::Reverse(fits[*i].rank()));
    for i in order {
        let used =
            frame(widths.iter().flatten().count() + 1) + widths.iter().flatten().sum::<usize>();
        let room = limit.saturating_sub(used);
        widths[i] = match fits[i] {
            _ if natural[i] <= room => Some(natural[i]),
            Fit::Shorten(_, min) if room >= min.max(header[i]) => Some(room),
            // The first column that does not fit ends the table: a less useful one never
            // shows where a more useful one did not fit, and a wider terminal never hides a
            // column a narrower one shows.
            _ => break,
        };
    }
    widths
}

/// `text` cut to `width` terminal columns, an ellipsis marking the cut.
pub(super) fn shorten(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// `text` wrapped to `width` terminal columns at spaces, its indentation repeated on each line;
/// a word wider than the width is split only when `split_words`.
pub(super) fn wrap(text: &str, width: Option<usize>, split_words: bool) -> Vec<String> {
    let Some(width) = width.filter(|w| text.width() > *w) else {
        return vec![text.to_string()];
    };
    let body = text.trim_start_matches(' ');
    let indent = &text[..text.len() - body.len()];
    let (indent, width) = match width.checked_sub(indent.len()) {
        Some(w) if w >= 10 => (indent, w),
        _ => ("", width.max(1)),
    };
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in body.split(' ').filter(|w| !w.is_empty()) {
        let mut word = word.to_string();
        loop {
            let gap = usize::from(!line.is_empty());
            if line.width() + gap + word.width() <= width {
                if gap == 1 {
                    line.push(' ');
                }
                line.push_str(&word);
                break;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            if !split_words {
                lines.push(word);
                break;
            }
            // As many characters as fit (at least one) on a line of their own.
            let mut used = 0;
            let mut split = word.len();
            for (at, c) in word.char_indices() {
                let w = c.width().unwrap_or(0);
                if used + w > width && at > 0 {
                    split = at;
                    break;
                }
                used += w;
            }
            let tail = word.split_off(split);
            lines.push(std::mem::replace(&mut word, tail));
            if word.is_empty() {
                break;
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines.into_iter().map(|l| format!("{indent}{l}")).collect()
}

/// A value in a detail table (label, value).
pub(super) enum Field {
    /// Shown whole: ids, names, times.
    Whole(String),
    /// Names separated by spaces: wrapped between them, a name never split.
    Names(String),
    /// Free text: wrapped to the width, long words split.
    Text(String),
    /// Several lines of free text (pretty-printed JSON, a list of problems).
    Lines(Vec<String>),
}

/// A detail table: a label and a value per row. Fitted, free text wraps to the width left by
/// the labels (or by the widest value that cannot wrap); ids and names never wrap.
pub(super) fn fields_table(fields: Vec<(&'static str, Field)>, layout: Layout) -> String {
    let label = fields.iter().map(|(k, _)| k.width()).max().unwrap_or(0);
    let unbreakable = fields
        .iter()
        .map(|(_, f)| match f {
            Field::Whole(s) => escape(s).width(),
            Field::Names(s) => escape(s).split(' ').map(str::width).max().unwrap_or(0),
            Field::Text(_) | Field::Lines(_) => 0,
        })
        .max()
        .unwrap_or(0);
    let frame = if layout.borders { 7 } else { 3 };
    let wrap_at = layout
        .width
        .map(|w| w.saturating_sub(label + frame).max(unbreakable).max(20));
    let mut table = new_table(layout);
    for (k, field) in fields {
        let lines: Vec<String> = match field {
            Field::Whole(s) => vec![escape(&s).into_owned()],
            Field::Names(s) => wrap(&escape(&s), wrap_at, false),
            Field::Text(s) => wrap(&escape(&s), wrap_at, true),
            Field::Lines(v) => v
                .iter()
                .flat_map(|l| wrap(&escape(l), wrap_at, true))
                .collect(),
        };
        table.add_row(vec![k.to_string(), lines.join("\n")]);
    }
    finish(&table)
}

pub(super) fn new_table(layout: Layout) -> Table {
    let mut table = Table::new();
    table.load_preset(if layout.borders {
        presets::UTF8_FULL_CONDENSED
    } else {
        presets::NOTHING
    });
    // Laid out here: comfy-table never wraps a cell.
    table.set_content_arrangement(ContentArrangement::Disabled);
    table
}

/// The table's text, each line without trailing spaces.
pub(super) fn finish(table: &Table) -> String {
    let mut text = String::new();
    for line in table.to_string().lines() {
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// A UTC instant in a schedule's zone (UTC when the zone is unknown).
pub(super) fn local_in(t: DateTime<Utc>, tz: Option<Tz>) -> String {
    local(&t.with_timezone(&tz.unwrap_or(Tz::UTC)))
}

/// To the minute, as cron slots are; with seconds when the instant has them (an interval's
/// slots, a run's times).
pub(super) fn local(t: &DateTime<Tz>) -> String {
    if t.second() == 0 {
        t.format("%Y-%m-%d %H:%M %Z").to_string()
    } else {
        t.format("%Y-%m-%d %H:%M:%S %Z").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::output::escape_but_lines;

    #[test]
    fn escapes_are_visible_and_leave_other_text_alone() {
        assert!(matches!(escape("plain 日本 é 🚀"), Cow::Borrowed(_)));
        assert_eq!(escape("a\u{1b}[31mred"), "a\\x1b[31mred");
        assert_eq!(escape("x\ny\r\tz\0"), "x\\ny\\r\\tz\\0");
        assert_eq!(escape("\u{7f}\u{9b}2J"), "\\x7f\\u{9b}2J");
        assert_eq!(
            escape("a\u{202e}b\u{2066}c\u{2028}"),
            "a\\u{202e}b\\u{2066}c\\u{2028}"
        );
        assert_eq!(escape_but_lines("one\ntwo\u{1b}"), "one\ntwo\\x1b");
    }

    fn plain(width: usize) -> Layout {
        Layout {
            width: Some(width),
            borders: false,
            headers: true,
        }
    }

    fn sample() -> Grid {
        let mut grid = Grid::new(vec![
            ("ID", Fit::Always),
            ("NAME", Fit::Always),
            ("NOTE", Fit::Shorten(2, 8)),
            ("WHEN", Fit::Whole(3)),
            ("LOW", Fit::Whole(1)),
        ]);
        grid.row(vec![
            "0c7138bb".into(),
            "a name that is long".into(),
            "free text that can be cut anywhere".into(),
            "2026-12-07 00:00 UTC".into(),
            "x".into(),
        ]);
        grid.row(vec![
            "dc0d52ef".into(),
            "b".into(),
            "".into(),
            "-".into(),
            "y".into(),
        ]);
        grid
    }

    #[test]
    fn columns_are_taken_by_rank_until_one_does_not_fit() {
        let widths = |limit, borders| {
            fit_columns(
                &[
                    Fit::Always,
                    Fit::Whole(3),
                    Fit::Shorten(2, 6),
                    Fit::Whole(1),
                ],
                &[8, 20, 30, 3],
                &[2, 4, 4, 3],
                limit,
                borders,
            )
        };
        // Plain: a space either side of each cell, the last one trimmed.
        assert_eq!(widths(70, false), [Some(8), Some(20), Some(30), Some(3)]);
        assert_eq!(widths(66, false), [Some(8), Some(20), Some(30), None]);
        assert_eq!(widths(40, false), [Some(8), Some(20), Some(7), None]);
        // The third column does not fit (5 columns left, 6 wanted): the fourth would (3), but
        // is never shown in its place.
        assert_eq!(widths(38, false), [Some(8), Some(20), None, None]);
        assert_eq!(widths(20, false), [Some(8), None, None, None]);
        // An id never goes, even wider than the limit.
        assert_eq!(widths(4, false), [Some(8), None, None, None]);
        // Borders: `│ a ┆ b │`.
        assert_eq!(widths(35, true), [Some(8), Some(20), None, None]);
        assert_eq!(widths(34, true), [Some(8), None, None, None]);
    }

    #[test]
    fn grids_fit_without_trailing_spaces_and_keep_ids_and_names() {
        for borders in [false, true] {
            for width in [20, 40, 50, 60, 80, 200] {
                let text = sample().render(Layout {
                    width: Some(width),
                    borders,
                    headers: true,
                });
                for line in text.lines() {
                    assert_eq!(line, line.trim_end(), "{text}");
                    // Only the ids and names, which never go, may overflow a very narrow width.
                    assert!(
                        line.width() <= width.max(if borders { 36 } else { 30 }),
                        "{width}:\n{text}"
                    );
                }
                assert!(
                    text.contains("0c7138bb") && text.contains("a name that is long"),
                    "{text}"
                );
            }
        }
        // WHEN ranks above NOTE: at 60 the note goes, at 70 it is cut to the room left, and
        // LOW, ranked last, never shows before the note is whole.
        assert_eq!(
            sample().render(plain(60)).lines().collect::<Vec<_>>(),
            [
                " ID        NAME                 WHEN",
                " 0c7138bb  a name that is long  2026-12-07 00:00 UTC",
                " dc0d52ef  b                    -",
            ]
        );
        assert_eq!(
            sample().render(plain(70)).lines().collect::<Vec<_>>(),
            [
                " ID        NAME                 NOTE              WHEN",
                " 0c7138bb  a name that is long  free text that …  2026-12-07 00:00 UTC",
                " dc0d52ef  b                                      -",
            ]
        );
        let wide = sample().render(Layout {
            width: None,
            borders: false,
            headers: true,
        });
        assert!(wide.contains("free text that can be cut anywhere  2026-12-07 00:00 UTC  x"));
        assert!(wide.lines().next().unwrap().ends_with("LOW"));
    }

    #[test]
    fn cells_are_escaped_so_each_is_one_line() {
        let mut grid = Grid::new(vec![("NAME", Fit::Always), ("NOTE", Fit::Whole(1))]);
        grid.row(vec!["a\nb\u{1b}[31m".into(), "c\td".into()]);
        assert_eq!(
            grid.render(plain(80)),
            " NAME          NOTE\n a\\nb\\x1b[31m  c\\td\n"
        );
    }

    #[test]
    fn shortening_and_wrapping_count_terminal_columns() {
        assert_eq!(shorten("abcdef", 6), "abcdef");
        assert_eq!(shorten("abcdefg", 6), "abcde…");
        assert_eq!(shorten("日本語のテキスト", 7), "日本語…");
        assert_eq!(wrap("short", Some(10), true), ["short"]);
        assert_eq!(wrap("a b c", None, true), ["a b c"]);
        assert_eq!(
            wrap("one two three four five", Some(9), true),
            ["one two", "three", "four five"]
        );
        assert_eq!(
            wrap("x averyveryverylongword y", Some(6), true),
            ["x", "averyv", "eryver", "ylongw", "ord y"]
        );
        assert_eq!(
            wrap("tag-one, a-much-longer-tag-name", Some(12), false),
            ["tag-one,", "a-much-longer-tag-name"]
        );
        // Pretty-printed JSON keeps its indentation on every line it becomes.
        assert_eq!(
            wrap(
                r#"    "key": "a value that goes on and on""#,
                Some(24),
                true
            ),
            [r#"    "key": "a value that"#, r#"    goes on and on""#]
        );
    }

    #[test]
    fn detail_tables_wrap_free_text_and_never_names() {
        let name = "a_name_that_is_longer_than_the_terminal_is_wide_and_must_stay_whole";
        let text = fields_table(
            vec![
                ("name", Field::Whole(name.into())),
                ("description", Field::Text("word ".repeat(40))),
                ("tags", Field::Names("nightly, market-data, reports".into())),
            ],
            plain(50),
        );
        assert!(text.lines().any(|l| l.ends_with(name)), "{text}");
        // Free text wraps to the column the name made, not narrower.
        let widest = text.lines().map(UnicodeWidthStr::width).max().unwrap();
        assert_eq!(widest, " description  ".len() + name.len(), "{text}");
        assert!(
            text.lines().filter(|l| l.contains("word")).count() > 2,
            "{text}"
        );
        assert!(text.lines().all(|l| l == l.trim_end()), "{text}");
    }
}
