//! The map, drawn offline as plain SVG in EPSG:3035 metres (an equal-area projection, so 1 km
//! cells are squares): municipality points for orientation, the published home cells shaded by
//! count, and the network's sites.

use std::fmt::Write;

use crate::format::format_number;
use crate::i18n::Lang;
use crate::i18n::tr;
use crate::model::MapData;

const W: f64 = 640.0;
const H: f64 = 480.0;
const MARGIN_M: f64 = 8_000.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The map as a self-contained SVG string.
pub fn map_svg(lang: Lang, m: &MapData) -> Result<String, String> {
    // Extent: the sites and the published cells, plus a margin.
    let mut xs: Vec<f64> = m.sites.iter().map(|s| s.east_m).collect();
    let mut ys: Vec<f64> = m.sites.iter().map(|s| s.north_m).collect();
    for c in &m.cells {
        xs.extend([c.east_m, c.east_m + c.size_m]);
        ys.extend([c.north_m, c.north_m + c.size_m]);
    }
    if xs.is_empty() {
        return Err("a map needs at least one site".into());
    }
    let (x0, x1) =
        (xs.iter().copied().fold(f64::INFINITY, f64::min), xs.iter().copied().fold(f64::NEG_INFINITY, f64::max));
    let (y0, y1) =
        (ys.iter().copied().fold(f64::INFINITY, f64::min), ys.iter().copied().fold(f64::NEG_INFINITY, f64::max));
    let (x0, x1, y0, y1) = (x0 - MARGIN_M, x1 + MARGIN_M, y0 - MARGIN_M, y1 + MARGIN_M);
    let scale = ((W - 20.0) / (x1 - x0)).min((H - 50.0) / (y1 - y0));
    let ox = 10.0 + ((W - 20.0) - (x1 - x0) * scale) / 2.0;
    let oy = 10.0 + ((H - 50.0) - (y1 - y0) * scale) / 2.0;
    let px = |x: f64| ox + (x - x0) * scale;
    let py = |y: f64| oy + (y1 - y) * scale;
    let mut s = String::new();
    let w = |s: &mut String, text: std::fmt::Arguments| s.write_fmt(text).map_err(|e| e.to_string());
    w(
        &mut s,
        format_args!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" font-family=\"DejaVu Sans\">\n<rect width=\"{W}\" height=\"{H}\" fill=\"#ffffff\"/>\n<rect x=\"10\" y=\"10\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#f6f8f9\" stroke=\"#d5dbe1\"/>\n",
            W - 20.0,
            H - 50.0
        ),
    )?;
    // Outlines: rings that reach into the frame, clipped to it, thinned to a point per pixel.
    w(
        &mut s,
        format_args!(
            "<clipPath id=\"frame\"><rect x=\"10\" y=\"10\" width=\"{:.1}\" height=\"{:.1}\"/></clipPath>\n<g clip-path=\"url(#frame)\" fill=\"none\" stroke=\"#c3cbd3\" stroke-width=\"0.7\">\n",
            W - 20.0,
            H - 50.0
        ),
    )?;
    let inside = |&(x, y): &(f64, f64)| (x0..=x1).contains(&x) && (y0..=y1).contains(&y);
    // A line's SVG points, thinned to one per pixel (the last point always kept).
    let thinned = |line: &[(f64, f64)]| -> Result<String, String> {
        let mut points = String::new();
        let mut last: Option<(f64, f64)> = None;
        for (i, &(x, y)) in line.iter().enumerate() {
            let p = (px(x), py(y));
            let far = last.is_none_or(|l: (f64, f64)| (p.0 - l.0).abs() + (p.1 - l.1).abs() >= 1.0);
            if far || i + 1 == line.len() {
                w(&mut points, format_args!("{:.1},{:.1} ", p.0, p.1))?;
                last = Some(p);
            }
        }
        Ok(points.trim_end().to_owned())
    };
    for ring in m.outlines.iter().filter(|r| r.iter().any(inside)) {
        w(&mut s, format_args!("<polygon points=\"{}\"/>\n", thinned(ring)?))?;
    }
    s.push_str("</g>\n");
    // Roads over the outlines, thinned the same way.
    if !m.roads.is_empty() {
        s.push_str("<g clip-path=\"url(#frame)\" fill=\"none\" stroke=\"#d9a35b\" stroke-width=\"0.9\" stroke-linejoin=\"round\">\n");
        for line in m.roads.iter().filter(|l| l.len() >= 2 && l.iter().any(inside)) {
            w(&mut s, format_args!("<polyline points=\"{}\"/>\n", thinned(line)?))?;
        }
        s.push_str("</g>\n");
    }
    for &(x, y) in &m.places {
        if (x0..=x1).contains(&x) && (y0..=y1).contains(&y) {
            w(&mut s, format_args!("<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"1.6\" fill=\"#b8c0c8\"/>\n", px(x), py(y)))?;
        }
    }
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
    // Dots first, then labels placed greedily where they overlap no earlier label and no dot:
    // right, left, below, above (sites in one town, such as Louvain-la-Neuve's two, sit close).
    let dots: Vec<(f64, f64)> = m.sites.iter().map(|site| (px(site.east_m), py(site.north_m))).collect();
    for &(x, y) in &dots {
        w(
            &mut s,
            format_args!(
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"#1b7f5a\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>\n"
            ),
        )?;
    }
    let mut placed: Vec<[f64; 4]> = Vec::new();
    let overlaps = |a: &[f64; 4], b: &[f64; 4]| a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
    for (site, &(x, y)) in m.sites.iter().zip(&dots) {
        // DejaVu Sans at 10 px: about 6 px a character.
        let width = 6.0 * site.label.chars().count() as f64;
        let candidates =
            [(x + 7.0, y + 3.5), (x - 7.0 - width, y + 3.5), (x - width / 2.0, y + 16.0), (x - width / 2.0, y - 8.0)];
        let boxed = |(tx, ty): (f64, f64)| [tx, ty - 9.0, tx + width, ty + 2.0];
        let free = |b: &[f64; 4]| {
            !placed.iter().any(|p| overlaps(p, b))
                && !dots
                    .iter()
                    .any(|&(dx, dy)| (dx, dy) != (x, y) && overlaps(&[dx - 5.0, dy - 5.0, dx + 5.0, dy + 5.0], b))
        };
        let at = candidates.into_iter().find(|&c| free(&boxed(c))).unwrap_or(candidates[0]);
        placed.push(boxed(at));
        w(
            &mut s,
            format_args!(
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#1d2430\" stroke=\"#ffffff\" stroke-width=\"2.5\" paint-order=\"stroke\">{}</text>\n",
                at.0,
                at.1,
                esc(&site.label)
            ),
        )?;
    }
    // Scale bar: 10 km.
    let bar = 10_000.0 * scale;
    let by = H - 22.0;
    w(
        &mut s,
        format_args!(
            "<line x1=\"14\" y1=\"{by}\" x2=\"{:.1}\" y2=\"{by}\" stroke=\"#1d2430\" stroke-width=\"2\"/>\n<text x=\"14\" y=\"{:.1}\" font-size=\"10\" fill=\"#1d2430\">10 km</text>\n",
            14.0 + bar,
            by + 13.0
        ),
    )?;
    let mut legend = tr(
        lang,
        "● site   ■ cellule de 1 à 40 km (utilisateurs)   · commune   ─ canton   ETRS89-LAEA",
        "● site   ■ cel van 1 tot 40 km (gebruikers)   · gemeente   ─ kanton   ETRS89-LAEA",
        "● site   ■ 1 to 40 km cell (users)   · municipality   ─ canton   ETRS89-LAEA",
    );
    if !m.roads.is_empty() {
        legend = format!(
            "{}   {legend}",
            tr(lang, "routes © OpenStreetMap", "wegen © OpenStreetMap", "roads © OpenStreetMap")
        );
    }
    w(
        &mut s,
        format_args!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#5a6573\" text-anchor=\"end\">{}</text>\n",
            W - 12.0,
            by + 13.0,
            esc(&legend)
        ),
    )?;
    if m.cells_hidden > 0 {
        let text = match lang {
            Lang::Fr => format!("{} cellule(s) masquée(s)", format_number(m.cells_hidden as f64, 0, lang)),
            Lang::Nl => format!("{} cel(len) verborgen", format_number(m.cells_hidden as f64, 0, lang)),
            Lang::En => format!("{} cell(s) hidden", format_number(m.cells_hidden as f64, 0, lang)),
        };
        w(
            &mut s,
            format_args!(
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#5a6573\" text-anchor=\"end\">{}</text>\n",
                W - 12.0,
                by - 2.0,
                esc(&text)
            ),
        )?;
    }
    s.push_str("</svg>\n");
    Ok(s)
}
