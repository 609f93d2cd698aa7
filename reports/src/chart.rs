//! Charts drawn with plotters into inline SVG, text in the shipped DejaVu Sans (no system fonts).

use std::sync::Once;

use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::i18n::text;
use crate::{CompanyReport, format_number};

/// The family name plotters writes into the SVG; browsers fall back to sans-serif.
const FONT: &str = "DejaVu Sans";
static REGISTER: Once = Once::new();

fn register_font() {
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
