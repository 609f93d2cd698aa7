//! Rendering of navette's reports: plain data in, self-contained HTML out.
//!
//! This crate does no I/O and no arithmetic on figures beyond formatting: the pipeline reads every
//! figure from a warehouse view and hands it over in a [`CompanyReport`]. Keeping the rendering
//! here (and its heavier dependencies, PDF later) lets the pipeline build alone.

mod chart;
mod format;
mod i18n;
pub mod privacy;

use serde::Serialize;

pub use format::format_number;
pub use i18n::{Lang, reason as reason_in_words};

/// Headline figures of one company and quarter (from view `company_quarter_impact`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Headline {
    /// Distinct employees with at least one center day.
    pub employees_active: u64,
    /// Center days.
    pub center_days: u64,
    /// Center days that replaced an office day.
    pub office_days_replaced: u64,
    /// Hours spent in centers (sum of visit durations).
    pub center_hours: f64,
    /// Prepaid hours for the quarter, if known.
    pub package_hours: Option<f64>,
    /// Share of the package consumed, if known.
    pub package_used_pct: Option<f64>,
    /// Commuting km avoided (baseline − actual).
    pub km_avoided: f64,
    /// Travel hours avoided.
    pub hours_avoided: f64,
    /// kg CO2e of the replaced office trips.
    pub co2e_kg_baseline: f64,
    /// kg CO2e of the trips to the centers.
    pub co2e_kg_actual: f64,
    /// kg CO2e avoided (baseline − actual).
    pub co2e_kg_avoided: f64,
}

/// One site row of a company report (from view `company_site_quarter_impact`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SiteRow {
    /// Site display name.
    pub site_name: String,
    /// Distinct employees.
    pub employees_active: u64,
    /// Center days.
    pub center_days: u64,
    /// Hours in the center.
    pub center_hours: f64,
    /// km avoided.
    pub km_avoided: f64,
    /// kg CO2e avoided.
    pub co2e_kg_avoided: f64,
}

/// One month of a company report (from view `company_month_impact`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MonthRow {
    /// `YYYY-MM`.
    pub month: String,
    /// Distinct employees that month.
    pub employees_active: u64,
    /// kg CO2e of the replaced office trips.
    pub co2e_kg_baseline: f64,
    /// kg CO2e of the center trips.
    pub co2e_kg_actual: f64,
}

/// Method facts stated in every report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MethodFacts {
    /// `ttw` or `wtw`.
    pub boundary: String,
    /// Factor set and version.
    pub factor_set: String,
    /// Office-day threshold in hours.
    pub min_hours_office_day: f64,
    /// Share of legs estimated (not routed), in percent.
    pub legs_estimated_pct: f64,
    /// k-anonymity threshold.
    pub k_anonymity: u32,
}

/// Data-quality facts stated in every report (whole study).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct QualityFacts {
    /// Input rows read, all files.
    pub rows_read: u64,
    /// Input rows rejected.
    pub rows_rejected: u64,
    /// The most frequent reject reasons with counts.
    pub top_reasons: Vec<(String, u64)>,
    /// Visits of this company and quarter without check-out.
    pub visits_missing_out: u64,
    /// Visits of this company and quarter, all rules.
    pub visits: u64,
    /// Employees of the company whose home was placed from a postcode.
    pub homes_from_postcode_pct: f64,
}

/// Everything a company's quarterly report shows.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CompanyReport {
    /// Report language.
    pub lang: Lang,
    /// Study name.
    pub study_name: String,
    /// Company display name.
    pub company_name: String,
    /// Quarter label, `2026-Q1`.
    pub quarter: String,
    /// `None` when fewer than k employees were active (the whole report is withheld).
    pub headline: Option<Headline>,
    /// Per-site rows; `None` entries are suppressed (fewer than k employees, or needed to protect
    /// another suppressed row).
    pub sites: Vec<Option<SiteRow>>,
    /// Per-month rows; `None` entries are suppressed.
    pub months: Vec<(String, Option<MonthRow>)>,
    /// Method facts.
    pub method: MethodFacts,
    /// Data-quality facts.
    pub quality: QualityFacts,
}

/// A rendering failure (template bug or chart backend error).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Template error.
    #[error("template error: {0}")]
    Template(#[from] minijinja::Error),
    /// Chart error.
    #[error("chart error: {0}")]
    Chart(String),
}

const COMPANY_TEMPLATE: &str = include_str!("../templates/company.html");
const INDEX_TEMPLATE: &str = include_str!("../templates/index.html");

fn environment(lang: Lang) -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_filter("num", move |v: f64, decimals: Option<u32>| format_number(v, decimals.unwrap_or(0) as usize, lang));
    env.add_filter("int", move |v: u64| format_number(v as f64, 0, lang));
    env.add_function("t", move |key: &str| i18n::text(lang, key).to_owned());
    env.add_filter("quarter", move |label: &str| i18n::quarter(lang, label));
    env
}

/// Renders a company's quarterly report as one self-contained HTML page (inline CSS and SVG, no
/// network fetch).
pub fn render_company_html(report: &CompanyReport) -> Result<String, RenderError> {
    let mut env = environment(report.lang);
    env.add_template("company", COMPANY_TEMPLATE)?;
    let chart = match &report.headline {
        Some(_) => Some(chart::monthly_co2e_svg(report).map_err(RenderError::Chart)?),
        None => None,
    };
    let summary =
        report.headline.as_ref().map(|h| i18n::summary(report.lang, &report.company_name, &report.quarter, h));
    let suppressed_sites = report.sites.iter().filter(|s| s.is_none()).count();
    let html = env.get_template("company")?.render(minijinja::context! {
        r => report,
        lang => report.lang.code(),
        chart => chart,
        summary => summary,
        suppressed_sites => suppressed_sites,
        reasons => report.quality.top_reasons.iter().map(|(r, n)| (i18n::reason(report.lang, r), *n)).collect::<Vec<_>>(),
    })?;
    Ok(html)
}

/// One line of the reports index.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IndexEntry {
    /// Company display name.
    pub company_name: String,
    /// Quarter label.
    pub quarter: String,
    /// Relative link to the report.
    pub href: String,
    /// Whether the report is withheld for k-anonymity.
    pub withheld: bool,
}

/// Renders the index page listing every report.
pub fn render_index_html(lang: Lang, study_name: &str, entries: &[IndexEntry]) -> Result<String, RenderError> {
    let mut env = environment(lang);
    env.add_template("index", INDEX_TEMPLATE)?;
    Ok(env.get_template("index")?.render(minijinja::context! {
        lang => lang.code(), study_name => study_name, entries => entries,
    })?)
}
