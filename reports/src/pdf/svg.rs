//! The charts' and maps' SVG drawn as PDF vector operations: only the SVG this crate writes
//! (plotters' `SVGBackend` and `map.rs`: `rect`, `line`, `polyline`, `polygon`, `circle`, `path`
//! with `M`/`L`/`H`/`V`/`Z`, `text`, `g`, one rectangular `clipPath`), not SVG in general. An
//! element it does not know is skipped, so a new chart element shows up as missing in the PDF
//! snapshot checks rather than as a wrong drawing.

use pdf_writer::Content;

use super::Canvas;
use super::font::Weight;

/// A parsed `<svg>`: its size (user units) and its elements.
pub(crate) struct Svg<'a> {
    pub(crate) width: f32,
    pub(crate) height: f32,
    source: &'a str,
}

/// Reads the root element's size.
pub(crate) fn parse(source: &str) -> Result<Svg<'_>, String> {
    for item in (Tags { s: source, pos: 0 }) {
        if let Item::Open { name: "svg", attrs, .. } = item {
            let get = |k: &str| attrs.iter().find(|(n, _)| *n == k).and_then(|(_, v)| number(v));
            let (width, height) = match attrs.iter().find(|(n, _)| *n == "viewBox") {
                Some((_, v)) => {
                    let n: Vec<f32> = numbers(v).collect();
                    (n.get(2).copied(), n.get(3).copied())
                }
                None => (get("width"), get("height")),
            };
            return match (width, height) {
                (Some(width), Some(height)) if width > 0.0 && height > 0.0 => Ok(Svg { width, height, source }),
                _ => Err("chart SVG without a size".into()),
            };
        }
    }
    Err("chart without an <svg> element".into())
}

/// Inherited presentation attributes.
#[derive(Clone)]
struct Style {
    fill: Option<[f32; 3]>,
    stroke: Option<[f32; 3]>,
    stroke_width: f32,
    font_size: f32,
    bold: bool,
    anchor: Anchor,
    round_join: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Anchor {
    Start,
    Middle,
    End,
}

impl Default for Style {
    fn default() -> Style {
        Style {
            fill: Some([0.0; 3]),
            stroke: None,
            stroke_width: 1.0,
            font_size: 16.0,
            bold: false,
            anchor: Anchor::Start,
            round_join: false,
        }
    }
}

/// Draws `svg` into `content`, in the SVG's own units with y downwards (the caller places and
/// flips it).
pub(crate) fn draw(svg: &Svg<'_>, canvas: &mut Canvas, content: &mut Content) -> Result<(), String> {
    let mut tags = Tags { s: svg.source, pos: 0 };
    let mut stack: Vec<(Style, bool)> = vec![(Style::default(), false)];
    let mut clips: Vec<(&str, [f32; 4])> = Vec::new();
    while let Some(item) = tags.next() {
        let (name, attrs, closed) = match item {
            Item::Open { name, attrs, closed } => (name, attrs, closed),
            Item::Close { name } => {
                if matches!(name, "g" | "svg") && stack.len() > 1 {
                    let (_, saved) = stack.pop().unwrap_or_default();
                    if saved {
                        content.restore_state();
                    }
                }
                continue;
            }
        };
        let parent = stack.last().map(|(s, _)| s.clone()).unwrap_or_default();
        let style = inherit(&parent, &attrs);
        let attr = |k: &str| attrs.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
        let num = |k: &str| attr(k).and_then(number).unwrap_or(0.0);
        match name {
            "svg" | "g" => {
                let mut saved = false;
                if let Some(id) =
                    attr("clip-path").and_then(|v| v.strip_prefix("url(#")).and_then(|v| v.strip_suffix(')'))
                    && let Some((_, [x, y, w, h])) = clips.iter().find(|(n, _)| *n == id)
                {
                    content.save_state();
                    content.rect(*x, *y, *w, *h).clip_nonzero().end_path();
                    saved = true;
                }
                if closed {
                    if saved {
                        content.restore_state();
                    }
                } else {
                    stack.push((style, saved));
                }
            }
            "clipPath" => {
                let id = attr("id").unwrap_or("");
                // The clip path's rectangle, then its end tag.
                let mut rect = None;
                for inner in tags.by_ref() {
                    match inner {
                        Item::Open { name: "rect", attrs, .. } => {
                            let g = |k: &str| {
                                attrs.iter().find(|(n, _)| *n == k).and_then(|(_, v)| number(v)).unwrap_or(0.0)
                            };
                            rect = Some([g("x"), g("y"), g("width"), g("height")]);
                        }
                        Item::Close { name: "clipPath" } => break,
                        _ => {}
                    }
                }
                if let Some(r) = rect {
                    clips.push((id, r));
                }
            }
            "title" | "desc" => {
                if !closed {
                    tags.skip_to_close(name);
                }
            }
            "rect" => {
                let opacity = opacities(&attrs);
                paint(canvas, content, &style, opacity, |c| {
                    c.rect(num("x"), num("y"), num("width"), num("height"));
                });
                if !closed {
                    tags.skip_to_close(name);
                }
            }
            "line" => {
                let opacity = opacities(&attrs);
                let style = Style { fill: None, ..style };
                paint(canvas, content, &style, opacity, |c| {
                    c.move_to(num("x1"), num("y1")).line_to(num("x2"), num("y2"));
                });
            }
            "polyline" | "polygon" => {
                let opacity = opacities(&attrs);
                let points: Vec<f32> = attr("points").map(|p| numbers(p).collect()).unwrap_or_default();
                if points.len() >= 4 {
                    paint(canvas, content, &style, opacity, |c| {
                        c.move_to(points[0], points[1]);
                        for p in points[2..].chunks_exact(2) {
                            c.line_to(p[0], p[1]);
                        }
                        if name == "polygon" {
                            c.close_path();
                        }
                    });
                }
            }
            "circle" => {
                let opacity = opacities(&attrs);
                let (cx, cy, r) = (num("cx"), num("cy"), num("r"));
                paint(canvas, content, &style, opacity, |c| circle(c, cx, cy, r));
            }
            "path" => {
                let opacity = opacities(&attrs);
                if let Some(d) = attr("d") {
                    if d.len() > super::SHARED_PATH_BYTES && opacity == (1.0, 1.0) {
                        // A map's background: the same in every report of the run, drawn once.
                        canvas.shared_path(content, d, style.fill, style.stroke, style.stroke_width, style.round_join);
                    } else {
                        paint(canvas, content, &style, opacity, |c| path(c, d));
                    }
                }
            }
            "text" => {
                let text = if closed { String::new() } else { tags.text_until_close("text") };
                let text = collapse(&text);
                if text.is_empty() {
                    continue;
                }
                draw_text(canvas, content, &style, &attrs, &text);
            }
            _ => {
                if !closed {
                    tags.skip_to_close(name);
                }
            }
        }
    }
    Ok(())
}

fn draw_text(canvas: &mut Canvas, content: &mut Content, style: &Style, attrs: &[(&str, &str)], text: &str) {
    let attr = |k: &str| attrs.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
    let size = style.font_size;
    let weight = if style.bold { Weight::Bold } else { Weight::Regular };
    let width = super::font::face(weight).width(text, size);
    let mut x = attr("x").and_then(number).unwrap_or(0.0);
    let mut y = attr("y").and_then(number).unwrap_or(0.0);
    x -= match style.anchor {
        Anchor::Start => 0.0,
        Anchor::Middle => width / 2.0,
        Anchor::End => width,
    };
    if let Some(dy) = attr("dy") {
        y += length(dy, size);
    }
    let (fill_alpha, stroke_alpha) = opacities(attrs);
    content.save_state();
    if let Some(rotate) = attr("transform").and_then(|t| t.strip_prefix("rotate(")).and_then(|t| t.strip_suffix(')')) {
        let n: Vec<f32> = numbers(rotate).collect();
        if let Some(&deg) = n.first() {
            let (cx, cy) = (n.get(1).copied().unwrap_or(0.0), n.get(2).copied().unwrap_or(0.0));
            let (s, c) = deg.to_radians().sin_cos();
            // Rotation about (cx, cy): translate, rotate, translate back.
            content.transform([c, s, -s, c, cx - c * cx + s * cy, cy - s * cx - c * cy]);
        }
    }
    // `paint-order="stroke"`: the halo under the letters.
    if let Some(stroke) = style.stroke
        && style.stroke_width > 0.0
    {
        canvas.alpha(content, fill_alpha, stroke_alpha);
        content.set_stroke_rgb(stroke[0], stroke[1], stroke[2]);
        content.set_line_width(style.stroke_width);
        content.set_line_join(pdf_writer::types::LineJoinStyle::RoundJoin);
        canvas.text(
            content,
            weight,
            size,
            [1.0, 0.0, 0.0, -1.0, x, y],
            text,
            Some(pdf_writer::types::TextRenderingMode::Stroke),
        );
    }
    if let Some(fill) = style.fill {
        canvas.alpha(content, fill_alpha, stroke_alpha);
        content.set_fill_rgb(fill[0], fill[1], fill[2]);
        let mode = style.stroke.is_some().then_some(pdf_writer::types::TextRenderingMode::Fill);
        canvas.text(content, weight, size, [1.0, 0.0, 0.0, -1.0, x, y], text, mode);
    }
    content.restore_state();
}

/// Fills and strokes the shape `shape` draws, as `style` says.
fn paint(
    canvas: &mut Canvas,
    content: &mut Content,
    style: &Style,
    opacity: (f32, f32),
    shape: impl FnOnce(&mut Content),
) {
    if style.fill.is_none() && (style.stroke.is_none() || style.stroke_width <= 0.0) {
        return;
    }
    content.save_state();
    canvas.alpha(content, opacity.0, opacity.1);
    set_paint(content, style.fill, style.stroke, style.stroke_width, style.round_join);
    shape(content);
    finish_paint(content, style.fill.is_some(), style.stroke.is_some() && style.stroke_width > 0.0);
    content.restore_state();
}

/// Sets the colours and line of a shape.
pub(crate) fn set_paint(
    content: &mut Content,
    fill: Option<[f32; 3]>,
    stroke: Option<[f32; 3]>,
    width: f32,
    round: bool,
) {
    if let Some(f) = fill {
        content.set_fill_rgb(f[0], f[1], f[2]);
    }
    if let Some(s) = stroke {
        content.set_stroke_rgb(s[0], s[1], s[2]);
        content.set_line_width(width);
        if round {
            content.set_line_join(pdf_writer::types::LineJoinStyle::RoundJoin);
        }
    }
}

/// Paints the current path.
pub(crate) fn finish_paint(content: &mut Content, fill: bool, stroke: bool) {
    match (fill, stroke) {
        (true, true) => content.fill_nonzero_and_stroke(),
        (true, false) => content.fill_nonzero(),
        (false, true) => content.stroke(),
        (false, false) => content.end_path(),
    };
}

/// A circle as four Bézier arcs.
fn circle(c: &mut Content, cx: f32, cy: f32, r: f32) {
    let k = 0.552_284_8 * r;
    c.move_to(cx + r, cy);
    c.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
    c.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
    c.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
    c.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
    c.close_path();
}

/// Path data with absolute and relative `M`, `L`, `H`, `V` and `Z` (what `map.rs` writes).
pub(crate) fn path(c: &mut Content, d: &str) {
    let mut cmd = b'M';
    let (mut x, mut y) = (0.0_f32, 0.0_f32);
    let (mut start_x, mut start_y) = (0.0_f32, 0.0_f32);
    let bytes = d.as_bytes();
    let mut i = 0;
    let mut first_of_m = false;
    let next_number = |i: &mut usize| -> Option<f32> {
        while *i < bytes.len() && (bytes[*i] == b' ' || bytes[*i] == b',' || bytes[*i] == b'\n') {
            *i += 1;
        }
        let start = *i;
        while *i < bytes.len() && matches!(bytes[*i], b'0'..=b'9' | b'.' | b'-' | b'+' | b'e' | b'E') {
            // A sign only starts a number, or follows an exponent.
            if *i > start && matches!(bytes[*i], b'-' | b'+') && !matches!(bytes[*i - 1], b'e' | b'E') {
                break;
            }
            *i += 1;
        }
        d.get(start..*i).and_then(|s| s.parse().ok())
    };
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphabetic() {
            cmd = b;
            i += 1;
            first_of_m = matches!(cmd, b'M' | b'm');
            if matches!(cmd, b'Z' | b'z') {
                c.close_path();
                (x, y) = (start_x, start_y);
            }
            continue;
        }
        if b == b' ' || b == b',' || b == b'\n' {
            i += 1;
            continue;
        }
        let relative = cmd.is_ascii_lowercase();
        let (ox, oy) = if relative { (x, y) } else { (0.0, 0.0) };
        match cmd.to_ascii_uppercase() {
            b'M' | b'L' => {
                let (Some(a), Some(bv)) = (next_number(&mut i), next_number(&mut i)) else { break };
                (x, y) = (ox + a, oy + bv);
                if first_of_m {
                    c.move_to(x, y);
                    (start_x, start_y) = (x, y);
                    first_of_m = false;
                } else {
                    c.line_to(x, y);
                }
            }
            b'H' => {
                let Some(a) = next_number(&mut i) else { break };
                x = ox + a;
                c.line_to(x, y);
            }
            b'V' => {
                let Some(a) = next_number(&mut i) else { break };
                y = oy + a;
                c.line_to(x, y);
            }
            _ => break,
        }
    }
}

/// Fill and stroke alpha of an element.
fn opacities(attrs: &[(&str, &str)]) -> (f32, f32) {
    let get = |k: &str| attrs.iter().find(|(n, _)| *n == k).and_then(|(_, v)| number(v));
    let all = get("opacity").unwrap_or(1.0);
    let fill = get("fill-opacity").unwrap_or(1.0) * all;
    let stroke = get("stroke-opacity").unwrap_or(1.0) * all;
    (fill.clamp(0.0, 1.0), stroke.clamp(0.0, 1.0))
}

fn inherit(parent: &Style, attrs: &[(&str, &str)]) -> Style {
    let mut s = parent.clone();
    for &(k, v) in attrs {
        match k {
            "fill" => s.fill = colour(v),
            "stroke" => s.stroke = colour(v),
            "stroke-width" => s.stroke_width = number(v).unwrap_or(1.0),
            "font-size" => s.font_size = number(v).unwrap_or(s.font_size),
            "font-weight" => s.bold = v == "bold" || number(v).is_some_and(|w| w >= 600.0),
            "text-anchor" => {
                s.anchor = match v {
                    "middle" => Anchor::Middle,
                    "end" => Anchor::End,
                    _ => Anchor::Start,
                }
            }
            "stroke-linejoin" => s.round_join = v == "round",
            _ => {}
        }
    }
    s
}

/// `#rrggbb`, `#rgb`, `none` and a few names.
fn colour(v: &str) -> Option<[f32; 3]> {
    let v = v.trim();
    let hex = |s: &str| u8::from_str_radix(s, 16).ok().map(|b| f32::from(b) / 255.0);
    if let Some(h) = v.strip_prefix('#') {
        return match h.len() {
            6 => Some([hex(&h[0..2])?, hex(&h[2..4])?, hex(&h[4..6])?]),
            3 => {
                let d = |i: usize| hex(&h[i..=i].repeat(2));
                Some([d(0)?, d(1)?, d(2)?])
            }
            _ => None,
        };
    }
    if let Some(rgb) = v.strip_prefix("rgb(").and_then(|r| r.strip_suffix(')')) {
        let n: Vec<f32> = numbers(rgb).collect();
        return (n.len() == 3).then(|| [n[0] / 255.0, n[1] / 255.0, n[2] / 255.0]);
    }
    match v {
        "black" => Some([0.0; 3]),
        "white" => Some([1.0; 3]),
        _ => None,
    }
}

/// A length in user units; `em` and `ex` relative to the font size.
fn length(v: &str, font_size: f32) -> f32 {
    if let Some(n) = v.strip_suffix("em") {
        number(n).unwrap_or(0.0) * font_size
    } else if let Some(n) = v.strip_suffix("ex") {
        // DejaVu Sans' x-height is 0.55 em.
        number(n).unwrap_or(0.0) * font_size * 0.55
    } else {
        number(v).unwrap_or(0.0)
    }
}

fn number(v: &str) -> Option<f32> {
    let v = v.trim();
    let v = v.strip_suffix("px").unwrap_or(v);
    v.parse().ok()
}

fn numbers(v: &str) -> impl Iterator<Item = f32> + '_ {
    v.split([' ', ',', '\n', '\t']).filter(|s| !s.is_empty()).filter_map(|s| s.parse().ok())
}

/// SVG text collapsed as a browser shows it: entities decoded, runs of white space one space.
fn collapse(text: &str) -> String {
    let decoded = unescape(text);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn unescape(v: &str) -> String {
    if !v.contains('&') {
        return v.to_owned();
    }
    let mut out = String::with_capacity(v.len());
    let mut rest = v;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';') else { break };
        let entity = &rest[1..end];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|n| n.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

enum Item<'a> {
    Open { name: &'a str, attrs: Vec<(&'a str, &'a str)>, closed: bool },
    Close { name: &'a str },
}

/// A tokenizer for the well-formed, attribute-quoted XML this crate writes.
struct Tags<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Tags<'a> {
    /// The text up to `</name>`, consumed.
    fn text_until_close(&mut self, name: &str) -> String {
        let close = format!("</{name}>");
        let rest = &self.s[self.pos..];
        match rest.find(&close) {
            Some(i) => {
                self.pos += i + close.len();
                rest[..i].to_owned()
            }
            None => {
                self.pos = self.s.len();
                rest.to_owned()
            }
        }
    }

    fn skip_to_close(&mut self, name: &str) {
        let _ = self.text_until_close(name);
    }
}

impl<'a> Iterator for Tags<'a> {
    type Item = Item<'a>;

    fn next(&mut self) -> Option<Item<'a>> {
        loop {
            let s = self.s;
            let start = self.pos + s[self.pos..].find('<')?;
            let rest = &s[start..];
            if rest.starts_with("<!--") {
                self.pos = start + rest.find("-->").map_or(rest.len(), |i| i + 3);
                continue;
            }
            if rest.starts_with("<?") || rest.starts_with("<!") {
                self.pos = start + rest.find('>').map_or(rest.len(), |i| i + 1);
                continue;
            }
            let end = start + find_tag_end(rest)?;
            self.pos = end + 1;
            let inner = &s[start + 1..end];
            if let Some(name) = inner.strip_prefix('/') {
                return Some(Item::Close { name: name.trim() });
            }
            let closed = inner.ends_with('/');
            let inner = inner.strip_suffix('/').unwrap_or(inner);
            let name_end = inner.find(|c: char| c.is_whitespace()).unwrap_or(inner.len());
            let name = &inner[..name_end];
            let mut attrs = Vec::new();
            let mut a = &inner[name_end..];
            while let Some(eq) = a.find('=') {
                let key = a[..eq].trim();
                let after = a[eq + 1..].trim_start();
                let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else { break };
                let Some(close) = after[1..].find(quote) else { break };
                attrs.push((key, &after[1..=close]));
                a = &after[close + 2..];
            }
            return Some(Item::Open { name, attrs, closed });
        }
    }
}

/// The position of the `>` ending the tag at the start of `s`, quotes respected.
fn find_tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_lengths() {
        assert_eq!(colour("#ff0000"), Some([1.0, 0.0, 0.0]));
        assert_eq!(colour("#fff"), Some([1.0, 1.0, 1.0]));
        assert_eq!(colour("none"), None);
        assert_eq!(length("0.5em", 10.0), 5.0);
        assert_eq!(length("3", 10.0), 3.0);
        assert_eq!(collapse("\n  Forfait &amp; reste \n"), "Forfait & reste");
    }

    #[test]
    fn tags_read_attributes_and_text() {
        let svg = r##"<svg width="640" height="300" viewBox="0 0 640 300"><text x="1" y="2" fill="#000">a &lt; b</text><rect x="1" y="2" width="3" height="4"/></svg>"##;
        let parsed = parse(svg).unwrap();
        assert_eq!((parsed.width, parsed.height), (640.0, 300.0));
        let mut t = Tags { s: svg, pos: 0 };
        let mut names = Vec::new();
        while let Some(item) = t.next() {
            match item {
                Item::Open { name, attrs, .. } => {
                    names.push(name.to_owned());
                    if name == "text" {
                        assert_eq!(attrs.len(), 3);
                        assert_eq!(collapse(&t.text_until_close("text")), "a < b");
                    }
                }
                Item::Close { name } => names.push(format!("/{name}")),
            }
        }
        assert_eq!(names, ["svg", "text", "rect", "/svg"]);
    }

    #[test]
    fn path_data_becomes_operators() {
        let mut c = Content::new();
        path(&mut c, "M1 2L3 4 5 6Z M7 8L9 10");
        let ops = String::from_utf8(c.finish().into_vec()).unwrap();
        assert_eq!(ops.split_whitespace().collect::<Vec<_>>().join(" "), "1 2 m 3 4 l 5 6 l h 7 8 m 9 10 l");
    }
}
