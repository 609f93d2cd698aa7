//! A `Doc` laid out on A4 pages: blocks stacked top to bottom, text wrapped at spaces, tables
//! with repeated headers, charts and figure boxes kept whole, headings kept with what follows,
//! and a footer with the page number on every page.
//!
//! Positions are in points from the page's top edge (`top`); PDF's y axis points up, so drawing
//! converts with `PAGE_H - top`.

use pdf_writer::types::StructRole;
use pdf_writer::{Content, Name};

use super::Canvas;
use super::font::{Weight, face};
use super::svg;
use crate::{Block, Doc, Kpi};

pub(crate) const PAGE_W: f32 = 595.276;
pub(crate) const PAGE_H: f32 = 841.89;
const CM: f32 = 72.0 / 2.54;
const MARGIN_X: f32 = 1.7 * CM;
const MARGIN_TOP: f32 = 1.6 * CM;
const MARGIN_BOTTOM: f32 = 1.8 * CM;
const WIDTH: f32 = PAGE_W - 2.0 * MARGIN_X;
const BOTTOM: f32 = PAGE_H - MARGIN_BOTTOM;

const BODY: f32 = 9.0;
const SMALL: f32 = 8.0;
const TABLE: f32 = 7.5;
/// Space between lines, in em of the text (baseline to next cap height).
const LEADING: f32 = 0.55;
/// Space between blocks.
const SPACING: f32 = 1.2 * BODY;

type Rgb = [f32; 3];
const INK: Rgb = [0.114, 0.141, 0.188];
const GREY: Rgb = [0.353, 0.396, 0.451];
const GREEN: Rgb = [0.106, 0.498, 0.353];
const RULE: Rgb = [0.835, 0.859, 0.882];
const SUMMARY_FILL: Rgb = [0.933, 0.965, 0.949];

/// A run of text on one line.
struct Line {
    text: String,
    width: f32,
}

/// The document's logical structure (tagged PDF: what screen readers and text extraction follow).
/// Element 0 is the document.
pub(crate) struct Tags {
    pub(crate) elems: Vec<Elem>,
    /// Per page, the element of each marked-content id.
    pub(crate) marks: Vec<Vec<usize>>,
}

/// A structure element.
pub(crate) struct Elem {
    pub(crate) role: StructRole,
    pub(crate) kids: Vec<Kid>,
    /// A figure's text alternative.
    pub(crate) alt: Option<String>,
}

/// A structure element's child: another element, or marked content on a page.
pub(crate) enum Kid {
    Elem(usize),
    Mark { page: usize, mcid: i32 },
}

/// Text style.
#[derive(Clone, Copy)]
struct Style {
    weight: Weight,
    size: f32,
    colour: Rgb,
}

impl Style {
    const fn new(weight: Weight, size: f32, colour: Rgb) -> Style {
        Style { weight, size, colour }
    }
    fn cap(&self) -> f32 {
        face(self.weight).cap_height * self.size
    }
    /// Baseline to baseline.
    fn pitch(&self) -> f32 {
        self.cap() + LEADING * self.size
    }
    /// Height of `n` lines: the first cap height down to the last baseline.
    fn height(&self, n: usize) -> f32 {
        if n == 0 { 0.0 } else { self.cap() + (n - 1) as f32 * self.pitch() }
    }
    fn width(&self, text: &str) -> f32 {
        face(self.weight).width(text, self.size)
    }
}

/// Breaks `text` into lines no wider than `max` at spaces (no-break spaces hold); a word wider
/// than a line is broken between characters. `\n` breaks a line.
fn wrap(text: &str, style: Style, max: f32) -> Vec<Line> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
            if style.width(&candidate) <= max || line.is_empty() && style.width(word) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                let width = style.width(&line);
                lines.push(Line { text: std::mem::take(&mut line), width });
            }
            if style.width(word) <= max {
                line = word.to_owned();
            } else {
                // A word wider than the line (a long header in a narrow column, an id): cut
                // between letters, the cut marked with a hyphen as typesetters do.
                let chars: Vec<char> = word.chars().collect();
                for (i, &c) in chars.iter().enumerate() {
                    let last = i + 1 == chars.len();
                    let mut longer = line.clone();
                    longer.push(c);
                    let needed = if last { style.width(&longer) } else { style.width(&longer) + style.width("-") };
                    if !line.is_empty() && needed > max {
                        line.push('-');
                        let width = style.width(&line);
                        lines.push(Line { text: std::mem::take(&mut line), width });
                        line.push(c);
                    } else {
                        line = longer;
                    }
                }
            }
        }
        let width = style.width(&line);
        lines.push(Line { text: line, width });
    }
    lines
}

/// The pages being filled.
struct Pages<'a> {
    canvas: &'a mut Canvas,
    tags: Tags,
    done: Vec<Content>,
    page: Content,
    /// The next block's top.
    top: f32,
    /// Whether the page holds nothing yet (no spacing at its top).
    fresh: bool,
}

impl Pages<'_> {
    fn new_page(&mut self) {
        let page = std::mem::replace(&mut self.page, Content::new());
        self.done.push(page);
        self.tags.marks.push(Vec::new());
        self.top = MARGIN_TOP;
        self.fresh = true;
    }

    /// A new structure element under `parent`.
    fn elem(&mut self, role: StructRole, parent: usize) -> usize {
        self.tags.elems.push(Elem { role, kids: Vec::new(), alt: None });
        let id = self.tags.elems.len() - 1;
        self.tags.elems[parent].kids.push(Kid::Elem(id));
        id
    }

    /// Starts content belonging to `elem` (`None`: an artifact, such as a rule or a repeated
    /// table header).
    fn begin(&mut self, elem: Option<usize>) {
        match elem {
            Some(e) => {
                let page = self.done.len();
                let mcid = self.tags.marks[page].len() as i32;
                self.tags.marks[page].push(e);
                self.tags.elems[e].kids.push(Kid::Mark { page, mcid });
                self.page
                    .begin_marked_content_with_properties(self.tags.elems[e].role.to_name())
                    .properties()
                    .identify(mcid);
            }
            None => {
                self.page.begin_marked_content(Name(b"Artifact"));
            }
        }
    }

    fn end(&mut self) {
        self.page.end_marked_content();
    }

    /// Moves down by `gap` before a block of height `h`, or to a new page when it does not fit.
    fn place(&mut self, gap: f32, h: f32) -> f32 {
        if !self.fresh {
            if self.top + gap + h > BOTTOM {
                self.new_page();
            } else {
                self.top += gap;
            }
        }
        self.fresh = false;
        let top = self.top;
        self.top += h;
        top
    }

    fn text(&mut self, elem: Option<usize>, style: Style, x: f32, baseline: f32, text: &str) {
        if text.is_empty() {
            return;
        }
        self.begin(elem);
        self.page.save_state();
        self.page.set_fill_rgb(style.colour[0], style.colour[1], style.colour[2]);
        self.canvas.text(
            &mut self.page,
            style.weight,
            style.size,
            [1.0, 0.0, 0.0, 1.0, x, PAGE_H - baseline],
            text,
            None,
        );
        self.page.restore_state();
        self.end();
    }

    /// Lines of text from `top`, left-aligned at `x` (or right-aligned to `x + width`).
    fn lines(&mut self, elem: Option<usize>, style: Style, x: f32, top: f32, lines: &[Line], right: Option<f32>) {
        for (i, l) in lines.iter().enumerate() {
            let baseline = top + style.cap() + i as f32 * style.pitch();
            let x = right.map_or(x, |w| x + w - l.width);
            self.text(elem, style, x, baseline, &l.text);
        }
    }

    fn rule(&mut self, x0: f32, x1: f32, y: f32, width: f32, colour: Rgb) {
        self.begin(None);
        let p = &mut self.page;
        p.save_state();
        p.set_stroke_rgb(colour[0], colour[1], colour[2]);
        p.set_line_width(width);
        p.move_to(x0, PAGE_H - y).line_to(x1, PAGE_H - y).stroke();
        p.restore_state();
        self.end();
    }

    fn fill(&mut self, x: f32, top: f32, w: f32, h: f32, colour: Rgb) {
        self.begin(None);
        let p = &mut self.page;
        p.save_state();
        p.set_fill_rgb(colour[0], colour[1], colour[2]);
        p.rect(x, PAGE_H - top - h, w, h).fill_nonzero();
        p.restore_state();
        self.end();
    }

    /// A KPI box's outline: rounded corners, a thin rule.
    fn rounded(&mut self, x: f32, top: f32, w: f32, h: f32) {
        let (r, colour, width) = (3.0, RULE, 0.5);
        self.begin(None);
        let p = &mut self.page;
        let (x0, y0, x1, y1) = (x, PAGE_H - top - h, x + w, PAGE_H - top);
        let k = 0.552_284_8 * r;
        p.save_state();
        p.set_stroke_rgb(colour[0], colour[1], colour[2]);
        p.set_line_width(width);
        p.move_to(x0 + r, y0);
        p.line_to(x1 - r, y0);
        p.cubic_to(x1 - r + k, y0, x1, y0 + r - k, x1, y0 + r);
        p.line_to(x1, y1 - r);
        p.cubic_to(x1, y1 - r + k, x1 - r + k, y1, x1 - r, y1);
        p.line_to(x0 + r, y1);
        p.cubic_to(x0 + r - k, y1, x0, y1 - r + k, x0, y1 - r);
        p.line_to(x0, y0 + r);
        p.cubic_to(x0, y0 + r - k, x0 + r - k, y0, x0 + r, y0);
        p.close_path().stroke();
        p.restore_state();
        self.end();
    }
}

const TITLE: Style = Style::new(Weight::Bold, 16.0, INK);
const HEADING: Style = Style::new(Weight::Bold, 11.5, INK);
const TEXT: Style = Style::new(Weight::Regular, BODY, INK);
const MUTED: Style = Style::new(Weight::Regular, SMALL, GREY);
const SUBTITLE: Style = Style::new(Weight::Regular, BODY, GREY);
const KPI_VALUE: Style = Style::new(Weight::Bold, 12.0, INK);
const KPI_LABEL: Style = Style::new(Weight::Regular, 7.5, GREY);
const CELL: Style = Style::new(Weight::Regular, TABLE, INK);
const HEAD_CELL: Style = Style::new(Weight::Bold, TABLE, INK);
const FOOTER: Style = Style::new(Weight::Regular, 7.5, GREY);

/// Lays out `doc`, returning each page's content (footer included) and the structure.
pub(crate) fn pages(doc: &Doc, canvas: &mut Canvas) -> Result<(Vec<Content>, Tags), String> {
    let tags =
        Tags { elems: vec![Elem { role: StructRole::Document, kids: Vec::new(), alt: None }], marks: vec![Vec::new()] };
    let mut p = Pages { canvas, tags, done: Vec::new(), page: Content::new(), top: MARGIN_TOP, fresh: true };
    let title = wrap(&doc.title, TITLE, WIDTH);
    let top = p.place(0.0, TITLE.height(title.len()));
    let e = p.elem(StructRole::H1, 0);
    p.lines(Some(e), TITLE, MARGIN_X, top, &title, None);
    let subtitle = wrap(&doc.subtitle, SUBTITLE, WIDTH);
    let top = p.place(0.6 * TITLE.size, SUBTITLE.height(subtitle.len()));
    let e = p.elem(StructRole::P, 0);
    p.lines(Some(e), SUBTITLE, MARGIN_X, top, &subtitle, None);

    for (i, block) in doc.blocks.iter().enumerate() {
        match block {
            Block::Heading { text } => {
                let lines = wrap(text, HEADING, WIDTH);
                let h = HEADING.height(lines.len()) + 4.0;
                // A heading stays with the start of what follows it.
                // (A point to spare: a float rounding must not leave the heading alone.)
                let after = doc.blocks.get(i + 1).map_or(0.0, |b| first_height(doc, b) + 1.0);
                let gap = 1.8 * BODY;
                if !p.fresh && p.top + gap + h + 0.6 * BODY + after > BOTTOM {
                    p.new_page();
                }
                let top = p.place(gap, h);
                let e = p.elem(StructRole::H2, 0);
                p.lines(Some(e), HEADING, MARGIN_X, top, &lines, None);
                p.rule(MARGIN_X, MARGIN_X + WIDTH, top + h, 0.5, RULE);
                p.top += 0.6 * BODY - SPACING;
            }
            Block::Summary { text } => {
                let inset = 8.0;
                let lines = wrap(text, TEXT, WIDTH - 2.0 * inset - 1.5);
                let h = TEXT.height(lines.len()) + 2.0 * inset + 0.25 * BODY;
                let top = p.place(SPACING, h);
                p.fill(MARGIN_X, top, WIDTH, h, SUMMARY_FILL);
                p.fill(MARGIN_X, top, 3.0, h, GREEN);
                let e = p.elem(StructRole::P, 0);
                p.lines(Some(e), TEXT, MARGIN_X + inset + 1.5, top + inset, &lines, None);
            }
            Block::Paragraph { text, muted } => {
                let style = if *muted { MUTED } else { TEXT };
                let e = p.elem(StructRole::P, 0);
                paragraph(&mut p, e, style, MARGIN_X, WIDTH, text, None);
            }
            Block::List { items } => {
                let indent = TEXT.width("•") + 0.5 * BODY;
                let list = p.elem(StructRole::L, 0);
                for (j, item) in items.iter().enumerate() {
                    let gap = if j == 0 { SPACING } else { LEADING * BODY };
                    let li = p.elem(StructRole::LI, list);
                    let label = p.elem(StructRole::Lbl, li);
                    let body = p.elem(StructRole::LBody, li);
                    paragraph(&mut p, body, TEXT, MARGIN_X + indent, WIDTH - indent, item, Some((gap, label)));
                }
            }
            Block::Kpis { items } => kpis(&mut p, items),
            Block::Table { header, rows } => table(&mut p, header, rows),
            Block::Chart { id, alt } => {
                let source = doc.charts.get(*id).ok_or_else(|| format!("chart {id} is missing"))?;
                let e = p.elem(StructRole::Figure, 0);
                p.tags.elems[e].alt = Some(alt.clone());
                chart(&mut p, e, source)?;
            }
        }
    }
    p.new_page();
    p.tags.marks.pop();
    let mut pages = p.done;
    let n = pages.len();
    let canvas = p.canvas;
    for (i, page) in pages.iter_mut().enumerate() {
        let baseline = PAGE_H - 0.45 * MARGIN_BOTTOM;
        let number = format!("{} / {n}", i + 1);
        for (x, text) in [(MARGIN_X, doc.footer.as_str()), (MARGIN_X + WIDTH - FOOTER.width(&number), number.as_str())]
        {
            page.begin_marked_content(Name(b"Artifact"));
            page.save_state();
            page.set_fill_rgb(FOOTER.colour[0], FOOTER.colour[1], FOOTER.colour[2]);
            canvas.text(page, FOOTER.weight, FOOTER.size, [1.0, 0.0, 0.0, 1.0, x, PAGE_H - baseline], text, None);
            page.restore_state();
            page.end_marked_content();
        }
    }
    Ok((pages, p.tags))
}

/// The height a block needs on the page of a heading before it: its first line or row, a whole
/// chart or figure row.
fn first_height(doc: &Doc, block: &Block) -> f32 {
    match block {
        Block::Paragraph { .. } | Block::List { .. } => TEXT.height(2),
        Block::Summary { .. } => TEXT.height(2) + 16.0,
        Block::Kpis { .. } => KPI_VALUE.height(1) + KPI_LABEL.height(2) + 20.0,
        // The header and the first row, as `table` sets them.
        Block::Table { header, rows } => {
            let (widths, _) = columns(header, rows);
            let first = rows.first().map_or(0.0, |r| row(r, &widths, CELL).1);
            row(header, &widths, HEAD_CELL).1 + first
        }
        Block::Chart { id, .. } => {
            doc.charts.get(*id).and_then(|s| svg::parse(s).ok()).map_or(0.0, |s| s.height * WIDTH / s.width)
        }
        Block::Heading { .. } => HEADING.height(1),
    }
}

/// A paragraph (or a list item's body, with the spacing before it and the element of its
/// bullet), split across pages between lines.
fn paragraph(p: &mut Pages, elem: usize, style: Style, x: f32, width: f32, text: &str, item: Option<(f32, usize)>) {
    let lines = wrap(text, style, width);
    let gap = item.map_or(SPACING, |(g, _)| g);
    let mut first = true;
    let mut rest: &[Line] = &lines;
    while !rest.is_empty() {
        // As many lines as fit (at least one on a fresh page).
        let room = BOTTOM - p.top - if p.fresh { 0.0 } else { gap };
        let mut n = ((room - style.cap()) / style.pitch()).floor() as isize + 1;
        if n < 1 || n < rest.len().min(2) as isize && !p.fresh && first {
            p.new_page();
            n = ((BOTTOM - p.top - style.cap()) / style.pitch()).floor() as isize + 1;
        }
        let n = (n.max(1) as usize).min(rest.len());
        let top = p.place(if first { gap } else { 0.0 }, style.height(n));
        if first && let Some((_, label)) = item {
            p.text(Some(label), style, x - style.width("•") - 0.5 * style.size, top + style.cap(), "•");
        }
        p.lines(Some(elem), style, x, top, &rest[..n], None);
        rest = &rest[n..];
        first = false;
        if !rest.is_empty() {
            p.new_page();
        }
    }
}

/// Headline figures in rows of four boxes.
fn kpis(p: &mut Pages, items: &[Kpi]) {
    let (cols, gutter, inset) = (4, 5.0, 6.0);
    let w = (WIDTH - gutter * (cols - 1) as f32) / cols as f32;
    for (r, row) in items.chunks(cols).enumerate() {
        let cells: Vec<(Vec<Line>, Vec<Line>)> = row
            .iter()
            .map(|k| (wrap(&k.value, KPI_VALUE, w - 2.0 * inset), wrap(&k.label, KPI_LABEL, w - 2.0 * inset)))
            .collect();
        let inner = cells
            .iter()
            .map(|(v, l)| KPI_VALUE.height(v.len()) + 0.3 * KPI_VALUE.size + LEADING * BODY + KPI_LABEL.height(l.len()))
            .fold(0.0_f32, f32::max);
        let h = inner + 2.0 * inset + 0.25 * KPI_VALUE.size;
        let top = p.place(if r == 0 { SPACING } else { gutter }, h);
        for (j, (value, label)) in cells.iter().enumerate() {
            let x = MARGIN_X + j as f32 * (w + gutter);
            p.rounded(x, top, w, h);
            let e = p.elem(StructRole::P, 0);
            p.lines(Some(e), KPI_VALUE, x + inset, top + inset, value, None);
            let label_top = top + inset + KPI_VALUE.height(value.len()) + 0.3 * KPI_VALUE.size + LEADING * BODY;
            p.lines(Some(e), KPI_LABEL, x + inset, label_top, label, None);
        }
    }
}

/// Column widths as the HTML and the earlier typst template share them: text columns (a cell
/// longer than 24 characters) take the spare width, figures keep their natural width; wide
/// tables (seven columns or more) share the width in fractions, text columns double.
fn columns(header: &[String], rows: &[Vec<String>]) -> (Vec<f32>, Vec<bool>) {
    let n = header.len();
    let long: Vec<bool> = (0..n)
        .map(|i| rows.iter().map(|r| r.get(i).map_or(0, |c| c.chars().count())).max().unwrap_or(0) > 24)
        .collect();
    let any_long = long.contains(&true);
    let left: Vec<bool> = (0..n).map(|i| i == 0 || long[i]).collect();
    if n >= 7 {
        let fr: Vec<f32> = (0..n).map(|i| if long[i] || i == 0 { 2.0 } else { 1.0 }).collect();
        let total: f32 = fr.iter().sum();
        return (fr.iter().map(|f| WIDTH * f / total).collect(), left);
    }
    let natural: Vec<f32> = (0..n)
        .map(|i| {
            let cells = rows.iter().filter_map(|r| r.get(i)).map(|c| CELL.width(c)).fold(0.0_f32, f32::max);
            cells.max(HEAD_CELL.width(&header[i])) + 2.0 * CELL_X
        })
        .collect();
    let flexible: Vec<bool> = (0..n).map(|i| long[i] || (i == 0 && !any_long)).collect();
    let n_flex = flexible.iter().filter(|f| **f).count();
    let fixed: f32 = (0..n).filter(|&i| !flexible[i]).map(|i| natural[i]).sum();
    // The figures' columns give way (their cells wrap) when they would leave the text columns
    // less than a fifth of the width each.
    let min_flex = WIDTH * 0.2 * n_flex as f32;
    let shrink = if fixed > 0.0 && fixed > WIDTH - min_flex { ((WIDTH - min_flex) / fixed).max(0.1) } else { 1.0 };
    let spare = (WIDTH - fixed * shrink).max(0.0);
    let widths =
        (0..n).map(|i| if flexible[i] { spare / n_flex as f32 } else { natural[i] * shrink }).collect::<Vec<_>>();
    // No text column: the table is as wide as its figures need, like an `auto` table.
    (widths, left)
}

const CELL_X: f32 = 4.0;
const CELL_Y: f32 = 3.0;

/// A table row's cells wrapped to their columns, and its height.
fn row(cells: &[String], widths: &[f32], style: Style) -> (Vec<Vec<Line>>, f32) {
    let lines: Vec<Vec<Line>> = widths
        .iter()
        .enumerate()
        .map(|(i, w)| wrap(cells.get(i).map_or("", String::as_str), style, w - 2.0 * CELL_X))
        .collect();
    let n = lines.iter().map(Vec::len).max().unwrap_or(1);
    (lines, style.height(n) + 2.0 * CELL_Y + 0.25 * style.size)
}

/// A table, its header repeated on each page it runs over; rows are not split.
fn table(p: &mut Pages, header: &[String], rows: &[Vec<String>]) {
    let (widths, left) = columns(header, rows);
    let head = row(header, &widths, HEAD_CELL);
    let body: Vec<(Vec<Vec<Line>>, f32)> = rows.iter().map(|r| row(r, &widths, CELL)).collect();
    let table = p.elem(StructRole::Table, 0);
    // `role`: the cells' structure role, `None` for a repeated header (an artifact).
    let draw = |p: &mut Pages, (lines, h): &(Vec<Vec<Line>>, f32), style: Style, top: f32, role: Option<StructRole>| {
        let row = role.map(|_| p.elem(StructRole::TR, table));
        let mut x = MARGIN_X;
        for (i, cell) in lines.iter().enumerate() {
            let w = widths[i];
            let right = (!left[i]).then_some(w - 2.0 * CELL_X);
            let e = role.zip(row).map(|(r, row)| p.elem(r, row));
            p.lines(e, style, x + CELL_X, top + CELL_Y, cell, right);
            x += w;
        }
        let total: f32 = widths.iter().sum();
        p.rule(MARGIN_X, MARGIN_X + total, top + h, 0.4, RULE);
    };
    // The header with at least the first row.
    let first = body.first().map_or(0.0, |r| r.1);
    let top = p.place(SPACING, head.1 + first);
    p.top = top + head.1;
    draw(p, &head, HEAD_CELL, top, Some(StructRole::TH));
    for row in &body {
        if p.top + row.1 > BOTTOM {
            p.new_page();
            p.fresh = false;
            let top = p.top;
            draw(p, &head, HEAD_CELL, top, None);
            p.top += head.1;
        }
        let top = p.top;
        draw(p, row, CELL, top, Some(StructRole::TD));
        p.top += row.1;
    }
}

/// A chart as wide as the text, kept on one page.
fn chart(p: &mut Pages, elem: usize, source: &str) -> Result<(), String> {
    let parsed = svg::parse(source)?;
    let scale = WIDTH / parsed.width;
    let h = parsed.height * scale;
    let top = p.place(SPACING, h);
    let mut form = Content::new();
    svg::draw(&parsed, p.canvas, &mut form)?;
    let content = std::sync::Arc::new(super::deflate(&form.finish()));
    // The form draws in the SVG's units, y down: flipped into PDF's.
    let name = p.canvas.form(
        content,
        pdf_writer::Rect::new(0.0, 0.0, parsed.width, parsed.height),
        Some([1.0, 0.0, 0.0, -1.0, 0.0, parsed.height]),
    );
    p.begin(Some(elem));
    let page = &mut p.page;
    page.save_state();
    page.transform([scale, 0.0, 0.0, scale, MARGIN_X, PAGE_H - top - h]);
    page.x_object(Name(name.as_bytes()));
    page.restore_state();
    p.end();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_word_and_the_width() {
        let text = "Au 1er trimestre 2026, 10 collaborateurs de Euro Green IT ont travaillé 144 jours dans un centre du réseau";
        let lines = wrap(text, TEXT, 150.0);
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| l.width <= 150.0 + 0.01), "every line fits");
        let joined: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(joined.join(" "), text);
        // A word longer than the line is cut, marked with hyphens, nothing lost.
        let long = wrap("abcdefghijklmnopqrstuvwxyz", TEXT, 30.0);
        assert!(long.len() > 1);
        assert!(long.iter().all(|l| l.width <= 30.0 + 0.01));
        assert!(long[..long.len() - 1].iter().all(|l| l.text.ends_with('-')));
        assert_eq!(long.iter().map(|l| l.text.trim_end_matches('-')).collect::<String>(), "abcdefghijklmnopqrstuvwxyz");
        // No-break spaces hold a figure to its unit.
        let figure = "1\u{a0}011\u{a0}kg";
        let lines = wrap(&format!("x {figure}"), TEXT, TEXT.width(figure) + 1.0);
        assert_eq!(lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(), ["x", figure]);
    }

    #[test]
    fn text_columns_take_the_spare_width() {
        let header = vec!["Mode".to_owned(), "Valeur".to_owned(), "Source".to_owned()];
        let rows =
            vec![vec!["Vélo".to_owned(), "0,000".to_owned(), "a long source text that needs room to wrap".to_owned()]];
        let (w, left) = columns(&header, &rows);
        assert!((w.iter().sum::<f32>() - WIDTH).abs() < 0.01);
        assert!(w[2] > w[0] && w[2] > w[1]);
        assert_eq!(left, [true, false, true]);
    }
}
