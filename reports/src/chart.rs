//! Charts drawn with plotters into inline SVG, text in the shipped DejaVu Sans (no system fonts).

use std::sync::Once;

use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::i18n::{Lang, text};
use crate::model::Package;
use crate::{CompanyReport, format_number};

/// The family name plotters writes into the SVG; browsers fall back to sans-serif.
pub(crate) const FONT: &str = "DejaVu Sans";
static REGISTER: Once = Once::new();

pub(crate) fn register_font() {
    REGISTER.call_once(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, include_bytes!("../assets/DejaVuSans.ttf"))
            .unwrap_or_else(|_| panic!("shipped font is a valid TTF"));
    });
}

const BASELINE: RGBColor = RGBColor(0x9a, 0xa5, 0xb1);
const ACTUAL: RGBColor = RGBColor(0x1b, 0x7f, 0x5a);

/// Monthly CO2e of the replaced office trips vs the center trips, side by side. Suppressed months
/// are left empty and labelled.
pub fn monthly_co2e_svg(r: &CompanyReport) -> Result<String, String> {
    register_font();
    let lang = r.lang;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 300)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let n = r.months.len().max(1);
        let max = r
            .months
            .iter()
            .filter_map(|(_, m)| m.as_ref())
            .map(|m| m.co2e_kg_baseline.max(m.co2e_kg_actual))
            .fold(0.0_f64, f64::max)
            .max(1.0)
            * 1.15;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..n as f64, 0.0..max)
            .map_err(|e| e.to_string())?;
        let months: Vec<String> = r.months.iter().map(|(m, _)| crate::i18n::month(lang, m)).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .y_max_light_lines(0)
            .x_labels(n * 2 + 1)
            .x_label_formatter(&|x| {
                let i = x.floor() as usize;
                if (x - i as f64 - 0.5).abs() < 0.01 {
                    months.get(i).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|y| format_number(*y, 0, lang))
            .label_style((FONT, 13))
            .draw()
            .map_err(|e| e.to_string())?;
        for (i, (_, m)) in r.months.iter().enumerate() {
            let x = i as f64;
            match m {
                Some(m) => {
                    for (j, (v, color)) in
                        [(m.co2e_kg_baseline, BASELINE), (m.co2e_kg_actual, ACTUAL)].into_iter().enumerate()
                    {
                        let x0 = x + 0.15 + j as f64 * 0.35;
                        chart
                            .draw_series(std::iter::once(Rectangle::new([(x0, 0.0), (x0 + 0.33, v)], color.filled())))
                            .map_err(|e| e.to_string())?;
                    }
                }
                None => {
                    chart
                        .draw_series(std::iter::once(Text::new(
                            text(lang, "suppressed").to_owned(),
                            (x + 0.05, max * 0.5),
                            (FONT, 11).into_font().color(&BLACK),
                        )))
                        .map_err(|e| e.to_string())?;
                }
            }
        }
        for (j, (key, color)) in [("baseline", BASELINE), ("actual", ACTUAL)].into_iter().enumerate() {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [
                        (0.05 + j as f64 * n as f64 * 0.45, max * 0.97),
                        (0.05 + j as f64 * n as f64 * 0.45 + n as f64 * 0.03, max * 0.92),
                    ],
                    color.filled(),
                )))
                .map_err(|e| e.to_string())?;
            chart
                .draw_series(std::iter::once(Text::new(
                    text(lang, key).to_owned(),
                    (0.05 + j as f64 * n as f64 * 0.45 + n as f64 * 0.04, max * 0.995),
                    (FONT, 13).into_font(),
                )))
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// Horizontal bars, one per (label, value), value printed at the bar's end. Negative values
/// extend left of zero.
pub fn bars_svg(lang: Lang, rows: &[(String, f64)], value_label: &str) -> Result<String, String> {
    register_font();
    let mut svg = String::new();
    let n = rows.len().max(1);
    let height = (40 + 30 * n) as u32;
    {
        let root = SVGBackend::with_string(&mut svg, (640, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let max = rows.iter().map(|r| r.1).fold(0.0_f64, f64::max).max(1.0) * 1.25;
        let min = rows.iter().map(|r| r.1).fold(0.0_f64, f64::min) * 1.25;
        let labels: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(200)
            .build_cartesian_2d(min..max, 0.0..n as f64)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_max_light_lines(0)
            .y_labels(n * 2 + 1)
            .y_label_formatter(&|y| {
                let i = y.floor() as usize;
                if (y - i as f64 - 0.5).abs() < 0.01 {
                    // Top to bottom in the given order.
                    labels.get(n - 1 - i).map(|l| truncate(l, 30)).unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_label_formatter(&|x| format_number(*x, 0, lang))
            .x_desc(value_label)
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 12))
            .draw()
            .map_err(|e| e.to_string())?;
        for (i, (_, v)) in rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            chart
                .draw_series(std::iter::once(Rectangle::new([(0.0, y + 0.2), (*v, y + 0.8)], ACTUAL.filled())))
                .map_err(|e| e.to_string())?;
            let x = if *v >= 0.0 { *v } else { 0.0 };
            chart
                .draw_series(std::iter::once(Text::new(
                    format_number(*v, 0, lang),
                    (x + (max - min) * 0.01, y + 0.65),
                    (FONT, 11).into_font().color(&BLACK),
                )))
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_owned() } else { format!("{}…", s.chars().take(n - 1).collect::<String>()) }
}

/// Package burn-down: hours left at the start of the quarter and at the end of each published
/// month (suppressed months have no point), then the projection to the quarter's end (dashed).
pub fn burn_down_svg(r: &CompanyReport, p: &Package) -> Result<String, String> {
    register_font();
    let lang = r.lang;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 260)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let n = 3.0;
        let left_end = p.package_hours - p.projected_hours;
        let min = left_end.min(0.0) * 1.1;
        let max = p.package_hours * 1.1;
        let months: Vec<String> = r.months.iter().map(|(m, _)| crate::i18n::month(lang, m)).collect();
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..n, min..max)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .y_max_light_lines(0)
            .x_labels(7)
            .x_label_formatter(&|x: &f64| {
                let i = x.floor() as usize;
                if (x - i as f64 - 0.5).abs() < 0.01 {
                    months.get(i).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|y| format_number(*y, 0, lang))
            .y_desc(format!("{} ({})", text(lang, "package_left"), text(lang, "hours")))
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 12))
            .draw()
            .map_err(|e| e.to_string())?;
        let mut points = vec![(0.0, p.package_hours)];
        for (i, (_, m)) in r.months.iter().enumerate() {
            if let Some(m) = m {
                points.push(((i + 1) as f64, p.package_hours - m.center_hours_cumulated));
            }
        }
        chart.draw_series(LineSeries::new(points.clone(), ACTUAL.stroke_width(3))).map_err(|e| e.to_string())?;
        chart
            .draw_series(points.iter().map(|&(x, y)| Circle::new((x, y), 4, ACTUAL.filled())))
            .map_err(|e| e.to_string())?;
        let last = *points.last().expect("the start point");
        if last.0 < n {
            chart
                .draw_series(DashedLineSeries::new(vec![last, (n, left_end)], 6, 4, BASELINE.stroke_width(2)))
                .map_err(|e| e.to_string())?;
        }
        chart
            .draw_series(std::iter::once(PathElement::new(vec![(0.0, 0.0), (n, 0.0)], BLACK.stroke_width(1))))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

const BAND: RGBColor = RGBColor(0xcf, 0xe6, 0xdb);

/// The opening curve: cumulative value added (y) against sites opened (x, 0 = the existing
/// network alone), one point per site in opening order, with the low–high band when given
/// (`band[i]` = (low, high) after site i + 1). Each point is labelled with its open order.
pub fn curve_svg(lang: Lang, cumulative: &[f64], band: Option<&[(f64, f64)]>, y_label: &str) -> Result<String, String> {
    register_font();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 300)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let n = cumulative.len().max(1);
        let top =
            cumulative.iter().copied().chain(band.into_iter().flatten().map(|b| b.1)).fold(0.0_f64, f64::max).max(1.0)
                * 1.15;
        let bottom = cumulative.iter().copied().chain(band.into_iter().flatten().map(|b| b.0)).fold(0.0_f64, f64::min);
        let bottom = if bottom < 0.0 { bottom * 1.15 } else { 0.0 };
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(72)
            .build_cartesian_2d(-0.3..n as f64 + 0.3, bottom..top)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .y_max_light_lines(0)
            .x_labels(n + 1)
            .x_label_formatter(&|x| {
                let r = x.round();
                if (x - r).abs() < 0.01 && r >= 0.0 { format!("{}", r as i64) } else { String::new() }
            })
            .y_label_formatter(&|y| format_number(*y, 0, lang))
            .x_desc(crate::i18n::tr(lang, "Sites ouverts", "Geopende sites", "Sites opened"))
            .y_desc(y_label)
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 12))
            .draw()
            .map_err(|e| e.to_string())?;
        if let Some(band) = band {
            let mut poly: Vec<(f64, f64)> = vec![(0.0, 0.0)];
            poly.extend(band.iter().enumerate().map(|(i, b)| ((i + 1) as f64, b.1)));
            poly.extend(band.iter().enumerate().rev().map(|(i, b)| ((i + 1) as f64, b.0)));
            chart.draw_series(std::iter::once(Polygon::new(poly, BAND.filled()))).map_err(|e| e.to_string())?;
        }
        let points: Vec<(f64, f64)> = std::iter::once((0.0, 0.0))
            .chain(cumulative.iter().enumerate().map(|(i, v)| ((i + 1) as f64, *v)))
            .collect();
        chart.draw_series(LineSeries::new(points.clone(), ACTUAL.stroke_width(3))).map_err(|e| e.to_string())?;
        chart
            .draw_series(points.iter().map(|&(x, y)| Circle::new((x, y), 4, ACTUAL.filled())))
            .map_err(|e| e.to_string())?;
        for &(x, y) in points.iter().skip(1) {
            chart
                .draw_series(std::iter::once(Text::new(
                    format_number(y, 0, lang),
                    (x - 0.25, y + (top - bottom) * 0.06),
                    (FONT, 11).into_font().color(&BLACK),
                )))
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// The uptake fit against the badge logs: observed center days per employee and year in each
/// bin of hours saved (dots), the fitted curve's prediction (line) and the isotonic fit (dashed).
pub fn uptake_svg(lang: Lang, bins: &[crate::model::PlanUptakeBin]) -> Result<String, String> {
    register_font();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 280)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let xmax = bins.iter().map(|b| b.hours_saved_mean).fold(0.0_f64, f64::max).max(0.1) * 1.1;
        let ymax = bins
            .iter()
            .flat_map(|b| [b.observed_days_per_year, b.predicted_days_per_year, b.isotonic_days_per_year])
            .fold(0.0_f64, f64::max)
            .max(1.0)
            * 1.2;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..xmax, 0.0..ymax)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .y_max_light_lines(0)
            .x_max_light_lines(0)
            .x_label_formatter(&|x| format_number(*x, 1, lang))
            .y_label_formatter(&|y| format_number(*y, 0, lang))
            .x_desc(crate::i18n::tr(
                lang,
                "Heures gagnées par jour en centre (meilleur site existant)",
                "Uren gewonnen per centrumdag (beste bestaande site)",
                "Hours saved per center day (best existing site)",
            ))
            .y_desc(crate::i18n::tr(lang, "Jours par an", "Dagen per jaar", "Days per year"))
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 12))
            .draw()
            .map_err(|e| e.to_string())?;
        let pred: Vec<(f64, f64)> = bins.iter().map(|b| (b.hours_saved_mean, b.predicted_days_per_year)).collect();
        let iso: Vec<(f64, f64)> = bins.iter().map(|b| (b.hours_saved_mean, b.isotonic_days_per_year)).collect();
        chart.draw_series(LineSeries::new(pred, ACTUAL.stroke_width(2))).map_err(|e| e.to_string())?;
        chart.draw_series(DashedLineSeries::new(iso, 5, 4, BASELINE.stroke_width(2))).map_err(|e| e.to_string())?;
        chart
            .draw_series(
                bins.iter().map(|b| Circle::new((b.hours_saved_mean, b.observed_days_per_year), 4, BLACK.filled())),
            )
            .map_err(|e| e.to_string())?;
        let legend = [
            (crate::i18n::tr(lang, "● observé", "● waargenomen", "● observed"), BLACK),
            (crate::i18n::tr(lang, "— courbe ajustée", "— gefitte curve", "— fitted curve"), ACTUAL),
            (crate::i18n::tr(lang, "- - isotone", "- - isotoon", "- - isotonic"), BASELINE),
        ];
        for (i, (label, color)) in legend.into_iter().enumerate() {
            chart
                .draw_series(std::iter::once(Text::new(
                    label,
                    (xmax * (0.03 + 0.3 * i as f64), ymax * 0.97),
                    (FONT, 12).into_font().color(&color),
                )))
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}
