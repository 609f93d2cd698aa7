//! The map, drawn offline as plain SVG in EPSG:3035 metres (an equal-area projection, so 1 km
//! cells are squares): municipality points for orientation, the published home cells shaded by
//! count, and the network's sites.

use std::fmt::Write;
use std::sync::{Arc, Mutex};

use crate::format::format_number;
use crate::i18n::Lang;
use crate::i18n::tr;
use crate::model::{CatchmentCell, MapBackground, MapData, PlanMap};

const W: f64 = 640.0;
const H: f64 = 480.0;
const MARGIN_M: f64 = 8_000.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The drawing area: EPSG:3035 metres to SVG pixels, fitted to an extent plus a margin.
struct Frame {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
    scale: f64,
    ox: f64,
    oy: f64,
}

impl Frame {
    /// The frame around `points` (east, north); `None` without points.
    fn around(points: &[(f64, f64)]) -> Option<Frame> {
        if points.is_empty() {
            return None;
        }
        let fold = |f: fn(&(f64, f64)) -> f64, min: bool| {
            points
                .iter()
                .map(f)
                .fold(if min { f64::INFINITY } else { f64::NEG_INFINITY }, |a, b| if min { a.min(b) } else { a.max(b) })
        };
        let (x0, x1) = (fold(|p| p.0, true) - MARGIN_M, fold(|p| p.0, false) + MARGIN_M);
        let (y0, y1) = (fold(|p| p.1, true) - MARGIN_M, fold(|p| p.1, false) + MARGIN_M);
        let scale = ((W - 20.0) / (x1 - x0)).min((H - 50.0) / (y1 - y0));
        let ox = 10.0 + ((W - 20.0) - (x1 - x0) * scale) / 2.0;
        let oy = 10.0 + ((H - 50.0) - (y1 - y0) * scale) / 2.0;
        Some(Frame { x0, x1, y0, y1, scale, ox, oy })
    }
    fn px(&self, x: f64) -> f64 {
        self.ox + (x - self.x0) * self.scale
    }
    fn py(&self, y: f64) -> f64 {
        self.oy + (self.y1 - y) * self.scale
    }
    fn inside(&self, (x, y): (f64, f64)) -> bool {
        (self.x0..=self.x1).contains(&x) && (self.y0..=self.y1).contains(&y)
    }
}

fn w(s: &mut String, text: std::fmt::Arguments) -> Result<(), String> {
    s.write_fmt(text).map_err(|e| e.to_string())
}

/// The last backgrounds drawn, with the frame they were drawn in: a study's maps share one
/// background, and most of them one frame (every site in view), so a country's roads are
/// simplified and written once instead of once a report. Each entry holds its background, so
/// the pointer compared is never reused by another one while cached.
static DRAWN: Mutex<Vec<Drawn>> = Mutex::new(Vec::new());

/// A background, the frame it was drawn in (its bounds' bits) and the SVG drawn.
type Drawn = (Arc<MapBackground>, [u64; 4], Arc<str>);

/// How many drawn backgrounds [`DRAWN`] keeps.
const DRAWN_KEPT: usize = 4;

/// Appends the SVG header and the background (outlines, roads and municipality points in the
/// frame) to `s`, drawn once per background and frame.
fn background(s: &mut String, f: &Frame, bg: &Arc<MapBackground>) -> Result<(), String> {
    let frame = [f.x0.to_bits(), f.x1.to_bits(), f.y0.to_bits(), f.y1.to_bits()];
    let hit = |drawn: &[Drawn]| {
        drawn.iter().find(|(b, at, _)| Arc::ptr_eq(b, bg) && *at == frame).map(|(_, _, svg)| svg.clone())
    };
    let cached = hit(&DRAWN.lock().unwrap_or_else(|e| e.into_inner()));
    let svg = match cached {
        Some(svg) => svg,
        None => {
            let mut drawn = String::new();
            draw_background(&mut drawn, f, bg)?;
            let svg: Arc<str> = drawn.into();
            let mut cache = DRAWN.lock().unwrap_or_else(|e| e.into_inner());
            if cache.len() >= DRAWN_KEPT {
                cache.remove(0);
            }
            cache.push((bg.clone(), frame, svg.clone()));
            svg
        }
    };
    s.push_str(&svg);
    Ok(())
}

/// The SVG header and the background: outlines, roads and municipality points in the frame.
fn draw_background(s: &mut String, f: &Frame, bg: &MapBackground) -> Result<(), String> {
    let MapBackground { places, outlines, roads } = bg;
    w(
        s,
        format_args!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" font-family=\"DejaVu Sans\">\n<rect width=\"{W}\" height=\"{H}\" fill=\"#ffffff\"/>\n<rect x=\"10\" y=\"10\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#f6f8f9\" stroke=\"#d5dbe1\"/>\n",
            W - 20.0,
            H - 50.0
        ),
    )?;
    // Outlines: rings that reach into the frame, clipped to it.
    w(
        s,
        format_args!(
            "<clipPath id=\"frame\"><rect x=\"10\" y=\"10\" width=\"{:.1}\" height=\"{:.1}\"/></clipPath>\n<g clip-path=\"url(#frame)\" fill=\"none\" stroke=\"#c3cbd3\" stroke-width=\"0.7\">\n",
            W - 20.0,
            H - 50.0
        ),
    )?;
    // Every ring in one path element, every road in another: a country's roads are thousands of
    // pieces, and one element each made the SVG readers (the PDF's, the browser's) do most of a
    // report's work (issue 13).
    let mut d = String::new();
    for ring in outlines.iter().filter(|r| r.iter().any(|&p| f.inside(p))) {
        subpath(&mut d, f, ring, true)?;
    }
    if !d.is_empty() {
        w(s, format_args!("<path d=\"{}\"/>\n", d.trim_end()))?;
    }
    s.push_str("</g>\n");
    // Roads over the outlines, simplified the same way.
    if !roads.is_empty() {
        let mut d = String::new();
        for line in roads.iter().filter(|l| l.len() >= 2 && l.iter().any(|&p| f.inside(p))) {
            subpath(&mut d, f, line, false)?;
        }
        s.push_str("<g clip-path=\"url(#frame)\" fill=\"none\" stroke=\"#d9a35b\" stroke-width=\"0.9\" stroke-linejoin=\"round\">\n");
        if !d.is_empty() {
            w(s, format_args!("<path class=\"roads\" d=\"{}\"/>\n", d.trim_end()))?;
        }
        s.push_str("</g>\n");
    }
    for &(x, y) in places {
        if f.inside((x, y)) {
            w(s, format_args!("<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"1.6\" fill=\"#b8c0c8\"/>\n", f.px(x), f.py(y)))?;
        }
    }
    Ok(())
}

/// How far (in pixels) a simplified background line may stray from the real one: under a pixel
/// of a 640-pixel map, so the drawing looks the same and stays small.
const SIMPLIFY_PX: f64 = 0.5;

/// Appends `line` (EPSG:3035 metres) to the path data `d` as one subpath in pixels, simplified
/// to [`SIMPLIFY_PX`] (closed with `Z` when `ring`). A line shorter than a pixel is left out.
fn subpath(d: &mut String, f: &Frame, line: &[(f64, f64)], ring: bool) -> Result<(), String> {
    let px: Vec<(f64, f64)> = line.iter().map(|&(x, y)| (f.px(x), f.py(y))).collect();
    // A piece shorter than a pixel would draw a speck; a country's fastest roads have thousands
    // of such stray pieces (short fast edges between slower ones).
    let length_px: f64 = px.windows(2).map(|p| (p[1].0 - p[0].0).hypot(p[1].1 - p[0].1)).sum();
    if length_px < 1.0 {
        return Ok(());
    }
    let kept = simplify(&px, SIMPLIFY_PX);
    // Points are written to a tenth of a pixel; one that rounds to the previous is left out.
    let mut points = String::new();
    let mut last = None;
    let mut n = 0;
    for &i in &kept {
        let tenths = ((px[i].0 * 10.0).round() as i64, (px[i].1 * 10.0).round() as i64);
        if last != Some(tenths) {
            points.push_str(if n == 0 {
                "M"
            } else if n == 1 {
                "L"
            } else {
                " "
            });
            w(&mut points, format_args!("{:.1} {:.1}", px[i].0, px[i].1))?;
            n += 1;
            last = Some(tenths);
        }
    }
    if n >= 2 {
        w(d, format_args!("{points}{} ", if ring { "Z" } else { "" }))?;
    }
    Ok(())
}

/// Douglas–Peucker: the indices (ascending, first and last always) of the points of `line` to
/// keep so that every dropped point lies within `tolerance` of the kept polyline.
fn simplify(line: &[(f64, f64)], tolerance: f64) -> Vec<usize> {
    if line.len() <= 2 {
        return (0..line.len()).collect();
    }
    let mut keep = vec![false; line.len()];
    keep[0] = true;
    keep[line.len() - 1] = true;
    let mut stack = vec![(0, line.len() - 1)];
    while let Some((a, b)) = stack.pop() {
        let far =
            (a + 1..b).map(|i| (i, segment_distance(line[i], line[a], line[b]))).max_by(|x, y| x.1.total_cmp(&y.1));
        if let Some((i, dist)) = far
            && dist > tolerance
        {
            keep[i] = true;
            stack.push((a, i));
            stack.push((i, b));
        }
    }
    (0..line.len()).filter(|&i| keep[i]).collect()
}

/// Distance from `p` to the segment `a`–`b`.
fn segment_distance(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 { (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    let (qx, qy) = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - qx).powi(2) + (p.1 - qy).powi(2)).sqrt()
}

/// Labels placed greedily where they overlap no earlier label and no dot: right, left, below,
/// above (sites in one town, such as Louvain-la-Neuve's two, sit close). `dots` are all the
/// marked points (pixels); `labels` pairs each label with its dot.
fn labels(s: &mut String, dots: &[(f64, f64)], labels: &[(&str, (f64, f64))]) -> Result<(), String> {
    let mut placed: Vec<[f64; 4]> = Vec::new();
    let overlaps = |a: &[f64; 4], b: &[f64; 4]| a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
    for &(label, (x, y)) in labels {
        // DejaVu Sans at 10 px: about 6 px a character.
        let width = 6.0 * label.chars().count() as f64;
        // Each place is moved inside the drawing area (a label of a site near its edge was cut
        // off); moved, it may cover its own dot, so the dots checked include the label's own.
        let candidates =
            [(x + 7.0, y + 3.5), (x - 7.0 - width, y + 3.5), (x - width / 2.0, y + 16.0), (x - width / 2.0, y - 8.0)]
                .map(|(tx, ty): (f64, f64)| (tx.min(W - 12.0 - width).max(12.0), ty.clamp(21.0, H - 42.0)));
        let boxed = |(tx, ty): (f64, f64)| [tx, ty - 9.0, tx + width, ty + 2.0];
        let free = |b: &[f64; 4]| {
            !placed.iter().any(|p| overlaps(p, b))
                && !dots.iter().any(|&(dx, dy)| overlaps(&[dx - 5.0, dy - 5.0, dx + 5.0, dy + 5.0], b))
        };
        let at = candidates.into_iter().find(|&c| free(&boxed(c))).unwrap_or(candidates[0]);
        placed.push(boxed(at));
        w(
            s,
            format_args!(
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#1d2430\" stroke=\"#ffffff\" stroke-width=\"2.5\" paint-order=\"stroke\">{}</text>\n",
                at.0,
                at.1,
                esc(label)
            ),
        )?;
    }
    Ok(())
}

/// The 10 km scale bar, the legend lines (bottom right, last line lowest) and the closing tag.
fn footer(s: &mut String, f: &Frame, legend: &[String]) -> Result<(), String> {
    let bar = 10_000.0 * f.scale;
    let by = H - 22.0;
    w(
        s,
        format_args!(
            "<line x1=\"14\" y1=\"{by}\" x2=\"{:.1}\" y2=\"{by}\" stroke=\"#1d2430\" stroke-width=\"2\"/>\n<text x=\"14\" y=\"{:.1}\" font-size=\"10\" fill=\"#1d2430\">10 km</text>\n",
            14.0 + bar,
            by + 13.0
        ),
    )?;
    for (i, line) in legend.iter().rev().enumerate() {
        w(
            s,
            format_args!(
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#5a6573\" text-anchor=\"end\">{}</text>\n",
                W - 12.0,
                by + 13.0 - 15.0 * i as f64,
                esc(line)
            ),
        )?;
    }
    s.push_str("</svg>\n");
    Ok(())
}

/// The map as a self-contained SVG string.
pub fn map_svg(lang: Lang, m: &MapData) -> Result<String, String> {
    // Extent: the sites and the published cells, plus a margin.
    let mut extent: Vec<(f64, f64)> = m.sites.iter().map(|s| (s.east_m, s.north_m)).collect();
    for c in &m.cells {
        extent.extend([(c.east_m, c.north_m), (c.east_m + c.size_m, c.north_m + c.size_m)]);
    }
    let f = Frame::around(&extent).ok_or("a map needs at least one site")?;
    let (px, py) = (|x: f64| f.px(x), |y: f64| f.py(y));
    let scale = f.scale;
    let mut s = String::new();
    background(&mut s, &f, &m.background)?;
    // Shade by density (people per km², log scale): a 20 km cell of 6 is paler than a 1 km cell
    // of 6. Larger cells first, so finer ones sit on top.
    let density = |c: &crate::model::MapCell| c.employees as f64 / (c.size_m / 1000.0).powi(2);
    let (lo, hi) = m.cells.iter().map(density).fold((f64::INFINITY, 0.0f64), |(lo, hi), d| (lo.min(d), hi.max(d)));
    let mut cells: Vec<&crate::model::MapCell> = m.cells.iter().collect();
    cells.sort_by(|a, b| b.size_m.total_cmp(&a.size_m));
    for c in cells {
        let t = if hi > lo { (density(c).ln() - lo.ln()) / (hi.ln() - lo.ln()) } else { 1.0 };
        let a = 0.25 + 0.7 * t;
        let side = (c.size_m * scale).max(3.0);
        let (x, y) = (px(c.east_m), py(c.north_m + c.size_m));
        w(
            &mut s,
            format_args!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{side:.1}\" height=\"{side:.1}\" fill=\"#c2571a\" fill-opacity=\"{a:.2}\" stroke=\"#c2571a\" stroke-width=\"0.6\"><title>{} km: {}</title></rect>\n",
                c.size_m / 1000.0,
                c.employees
            ),
        )?;
        if side >= 18.0 {
            w(
                &mut s,
                format_args!(
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" fill=\"#1d2430\" text-anchor=\"middle\">{}</text>\n",
                    x + side / 2.0,
                    y + side / 2.0 + 3.0,
                    format_number(c.employees as f64, 0, lang)
                ),
            )?;
        }
    }
    let dots: Vec<(f64, f64)> = m.sites.iter().map(|site| (px(site.east_m), py(site.north_m))).collect();
    for &(x, y) in &dots {
        w(
            &mut s,
            format_args!(
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"#1b7f5a\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>\n"
            ),
        )?;
    }
    let named: Vec<(&str, (f64, f64))> = m.sites.iter().map(|s| s.label.as_str()).zip(dots.iter().copied()).collect();
    labels(&mut s, &dots, &named)?;
    let mut legend = tr(
        lang,
        "● site   ■ cellule de 1 à 40 km (utilisateurs)   · commune   ─ canton   ETRS89-LAEA",
        "● site   ■ cel van 1 tot 40 km (gebruikers)   · gemeente   ─ kanton   ETRS89-LAEA",
        "● site   ■ 1 to 40 km cell (users)   · municipality   ─ canton   ETRS89-LAEA",
    );
    if !m.background.roads.is_empty() {
        legend = format!(
            "{}   {legend}",
            tr(lang, "routes © OpenStreetMap", "wegen © OpenStreetMap", "roads © OpenStreetMap")
        );
    }
    let mut lines = Vec::new();
    if m.cells_hidden > 0 {
        lines.push(hidden_cells(lang, m.cells_hidden));
    }
    lines.push(legend);
    footer(&mut s, &f, &lines)?;
    Ok(s)
}

fn hidden_cells(lang: Lang, n: u64) -> String {
    let n_text = format_number(n as f64, 0, lang);
    match lang {
        Lang::Fr => format!("{n_text} cellule(s) masquée(s)"),
        Lang::Nl => format!("{n_text} cel(len) verborgen"),
        Lang::En => format!("{n_text} cell(s) hidden"),
    }
}

/// Colours of the chosen sites, by opening order (cycled beyond ten); existing sites are green.
const NEW_SITE_COLOURS: [&str; 10] =
    ["#2b6cb0", "#c2571a", "#8e44ad", "#b7791f", "#00838f", "#c53030", "#4c51bf", "#6b8e23", "#d53f8c", "#4a5568"];
const EXISTING_COLOUR: &str = "#1b7f5a";

/// The colour of the new site opened `open_order`-th (1-based).
pub fn new_site_colour(open_order: u32) -> &'static str {
    NEW_SITE_COLOURS[(open_order.max(1) as usize - 1) % NEW_SITE_COLOURS.len()]
}

/// The planner's map: catchment cells coloured by the site most of their expected center days go
/// to (a new site's colour, or green for the existing sites) and shaded by those days per km²;
/// existing sites (green dots, named), chosen sites (numbered in opening order, named) and the
/// other candidates (small grey rings).
pub fn plan_map_svg(lang: Lang, m: &PlanMap) -> Result<String, String> {
    let mut extent: Vec<(f64, f64)> =
        m.existing.iter().chain(&m.chosen).map(|s| (s.east_m, s.north_m)).chain(m.others.iter().copied()).collect();
    for c in &m.cells {
        extent.extend([(c.east_m, c.north_m), (c.east_m + c.size_m, c.north_m + c.size_m)]);
    }
    let f = Frame::around(&extent).ok_or("a map needs at least one site")?;
    let mut s = String::new();
    background(&mut s, &f, &m.background)?;
    // Shade by expected center days per km² (log scale); larger cells first, finer ones on top.
    let density = |c: &CatchmentCell| c.center_days_per_year.max(1e-9) / (c.size_m / 1000.0).powi(2);
    let (lo, hi) = m.cells.iter().map(density).fold((f64::INFINITY, 0.0f64), |(lo, hi), d| (lo.min(d), hi.max(d)));
    let mut cells: Vec<&CatchmentCell> = m.cells.iter().collect();
    cells.sort_by(|a, b| b.size_m.total_cmp(&a.size_m));
    for c in cells {
        let t = if hi > lo { (density(c).ln() - lo.ln()) / (hi.ln() - lo.ln()) } else { 1.0 };
        let a = 0.2 + 0.6 * t;
        let side = (c.size_m * f.scale).max(3.0);
        let (x, y) = (f.px(c.east_m), f.py(c.north_m + c.size_m));
        let colour = c.main_new_site.map_or(EXISTING_COLOUR, new_site_colour);
        let site = c.main_new_site.map_or_else(
            || tr(lang, "sites existants", "bestaande sites", "existing sites"),
            |o| format!("{} {o}", tr(lang, "nouveau site", "nieuwe site", "new site")),
        );
        w(
            &mut s,
            format_args!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{side:.1}\" height=\"{side:.1}\" fill=\"{colour}\" fill-opacity=\"{a:.2}\" stroke=\"{colour}\" stroke-width=\"0.5\"><title>{} km: {} ({}), {}</title></rect>\n",
                c.size_m / 1000.0,
                c.employees,
                format_number(c.center_days_per_year, 0, lang),
                esc(&site)
            ),
        )?;
    }
    for &(x, y) in &m.others {
        if f.inside((x, y)) {
            w(
                &mut s,
                format_args!(
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.6\" fill=\"#ffffff\" stroke=\"#7b8794\" stroke-width=\"1\"/>\n",
                    f.px(x),
                    f.py(y)
                ),
            )?;
        }
    }
    let existing: Vec<(f64, f64)> = m.existing.iter().map(|p| (f.px(p.east_m), f.py(p.north_m))).collect();
    let chosen: Vec<(f64, f64)> = m.chosen.iter().map(|p| (f.px(p.east_m), f.py(p.north_m))).collect();
    for &(x, y) in &existing {
        w(
            &mut s,
            format_args!(
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"{EXISTING_COLOUR}\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>\n"
            ),
        )?;
    }
    for (i, &(x, y)) in chosen.iter().enumerate() {
        let colour = new_site_colour(i as u32 + 1);
        w(
            &mut s,
            format_args!(
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"8\" fill=\"{colour}\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>\n<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"10\" font-weight=\"bold\" fill=\"#ffffff\" text-anchor=\"middle\">{}</text>\n",
                y + 3.5,
                i + 1
            ),
        )?;
    }
    let dots: Vec<(f64, f64)> = existing.iter().chain(&chosen).copied().collect();
    // Chosen sites' names first: they get the best places.
    let named: Vec<(&str, (f64, f64))> = m
        .chosen
        .iter()
        .zip(&chosen)
        .chain(m.existing.iter().zip(&existing))
        .map(|(p, &at)| (p.label.as_str(), at))
        .collect();
    labels(&mut s, &dots, &named)?;
    // Two legend lines; the hidden cells are counted in the note under the map.
    let mut lines = Vec::new();
    lines.push(tr(
        lang,
        "● site existant   (1) nouveau site, ordre d'ouverture   ○ autre candidat",
        "● bestaande site   (1) nieuwe site, openingsvolgorde   ○ andere kandidaat",
        "● existing site   (1) new site, opening order   ○ other candidate",
    ));
    let mut last = tr(
        lang,
        "■ cellule de 1 à 40 km, couleur du site utilisé   ETRS89-LAEA",
        "■ cel van 1 tot 40 km, kleur van de gebruikte site   ETRS89-LAEA",
        "■ 1 to 40 km cell, colour of the site used   ETRS89-LAEA",
    );
    if !m.background.roads.is_empty() {
        last = format!(
            "{}   {last}",
            tr(lang, "routes © OpenStreetMap", "wegen © OpenStreetMap", "roads © OpenStreetMap")
        );
    }
    lines.push(last);
    footer(&mut s, &f, &lines)?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::{segment_distance, simplify};

    #[test]
    fn simplified_lines_stay_within_the_tolerance() {
        // Random walks (a small LCG, so the cases are the same every run).
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for case in 0..200 {
            let n = 2 + (next() * 300.0) as usize;
            let step = [0.1, 1.0, 5.0][case % 3];
            let mut p = (next() * 600.0, next() * 400.0);
            let line: Vec<(f64, f64)> = (0..n)
                .map(|_| {
                    p = (p.0 + (next() - 0.5) * step, p.1 + (next() - 0.3) * step);
                    p
                })
                .collect();
            let kept = simplify(&line, 0.5);
            assert_eq!(kept.first(), Some(&0));
            assert_eq!(kept.last(), Some(&(n - 1)));
            assert!(kept.windows(2).all(|w| w[0] < w[1]), "ascending");
            // Every dropped point is near the kept segment that spans it.
            for w in kept.windows(2) {
                for i in w[0] + 1..w[1] {
                    let d = segment_distance(line[i], line[w[0]], line[w[1]]);
                    assert!(d <= 0.5, "case {case}: point {i} is {d} px away");
                }
            }
        }
    }

    #[test]
    fn labels_stay_inside_the_map() {
        use crate::model::{MapData, MapPoint};
        // Two sites 100 km apart: the margin (8 km) is about 45 px, narrower than the labels.
        let site = |label: &str, east_m: f64| MapPoint { label: label.into(), east_m, north_m: 3_070_000.0 };
        let m = MapData {
            sites: vec![
                site("Centre Sint-Job-in-de-Goor West", 3_900_000.0),
                site("Centre Louvain-la-Neuve Parc", 4_000_000.0),
            ],
            background: Default::default(),
            cells: Vec::new(),
            cells_hidden: 0,
            employees_hidden: 0,
        };
        let svg = super::map_svg(crate::Lang::En, &m).unwrap();
        for label in ["Centre Sint-Job-in-de-Goor West", "Centre Louvain-la-Neuve Parc"] {
            let text = svg.split("<text x=\"").find(|t| t.contains(&format!(">{label}</text>"))).unwrap();
            let x: f64 = text[..text.find('"').unwrap()].parse().unwrap();
            let width = 6.0 * label.chars().count() as f64;
            assert!(x >= 10.0 && x + width <= super::W - 10.0, "{label} at x = {x}: {svg}");
        }
    }

    #[test]
    fn straight_lines_shrink_and_corners_stay() {
        let straight: Vec<(f64, f64)> = (0..100).map(|i| (f64::from(i), 2.0 * f64::from(i))).collect();
        assert_eq!(simplify(&straight, 0.5), vec![0, 99]);
        let corner = [(0.0, 0.0), (5.0, 0.0), (10.0, 0.0), (10.0, 5.0), (10.0, 10.0)];
        assert_eq!(simplify(&corner, 0.5), vec![0, 2, 4]);
        // A point 0.6 px off the chord stays, one 0.4 px off goes.
        assert_eq!(simplify(&[(0.0, 0.0), (5.0, 0.6), (10.0, 0.0)], 0.5), vec![0, 1, 2]);
        assert_eq!(simplify(&[(0.0, 0.0), (5.0, 0.4), (10.0, 0.0)], 0.5), vec![0, 2]);
        assert_eq!(segment_distance((3.0, 4.0), (0.0, 0.0), (0.0, 0.0)), 5.0);
    }
}
