//! Rendering of navette's reports: plain data in, self-contained HTML and PDF out.
//!
//! This crate does no I/O and no arithmetic on figures beyond formatting: the pipeline reads every
//! figure from a warehouse view, applies k-anonymity and hands the result over as a
//! [`CompanyReport`], a [`NetworkReport`] or a [`PlanReport`] (`navette plan`). Each report
//! becomes a [`Doc`] (blocks with every number formatted for the language), rendered to HTML by
//! minijinja and to PDF by this crate's own layout (`pdf/`), so both carry the same content.
//! Keeping the rendering here lets the pipeline's own code build and test apart.

mod chart;
pub mod doc;
mod format;
mod i18n;
mod map;
mod model;
mod pdf;
pub mod privacy;

use serde::Serialize;

pub use doc::{Block, Doc, Kpi};
pub use format::format_number;
pub use i18n::{Lang, reason as reason_in_words};
pub use model::*;

/// A rendering failure (template bug, chart backend error, PDF layout error).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Template error.
    #[error("template error: {0}")]
    Template(#[from] minijinja::Error),
    /// Chart error.
    #[error("chart error: {0}")]
    Chart(String),
    /// PDF error (a chart the PDF cannot draw, a font subset failing).
    #[error("PDF error: {0}")]
    Pdf(String),
}

const REPORT_TEMPLATE: &str = include_str!("../templates/report.html");
const INDEX_TEMPLATE: &str = include_str!("../templates/index.html");

fn environment(lang: Lang) -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_function("t", move |key: &str| i18n::text(lang, key).to_owned());
    env.add_filter("quarter", move |label: &str| i18n::quarter(lang, label));
    env
}

/// The document of a company's quarterly report.
pub fn company_doc(report: &CompanyReport) -> Result<Doc, RenderError> {
    doc::company(report).map_err(RenderError::Chart)
}

/// The document of the network's quarterly report.
pub fn network_doc(report: &NetworkReport) -> Result<Doc, RenderError> {
    doc::network(report).map_err(RenderError::Chart)
}

/// Renders a document as one self-contained HTML page (inline CSS and SVG, no network fetch).
pub fn render_doc_html(doc: &Doc) -> Result<String, RenderError> {
    let mut env = environment(Lang::parse(doc.lang).unwrap_or(Lang::Fr));
    env.add_template("report", REPORT_TEMPLATE)?;
    Ok(env.get_template("report")?.render(minijinja::context! { d => doc, charts => doc.charts })?)
}

/// Renders a company's quarterly report as HTML.
pub fn render_company_html(report: &CompanyReport) -> Result<String, RenderError> {
    render_doc_html(&company_doc(report)?)
}

/// Renders the network report as HTML.
pub fn render_network_html(report: &NetworkReport) -> Result<String, RenderError> {
    render_doc_html(&network_doc(report)?)
}

/// Renders a company's quarterly report as PDF (in-process, embedded fonts).
pub fn render_company_pdf(report: &CompanyReport) -> Result<Vec<u8>, RenderError> {
    pdf::render(&company_doc(report)?)
}

/// Renders the network report as PDF.
pub fn render_network_pdf(report: &NetworkReport) -> Result<Vec<u8>, RenderError> {
    pdf::render(&network_doc(report)?)
}

/// Renders any document as PDF.
pub fn render_doc_pdf(doc: &Doc) -> Result<Vec<u8>, RenderError> {
    pdf::render(doc)
}

/// What an index line points to.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ReportKind {
    /// The funders' network report.
    Network,
    /// A company's report.
    Company,
}

/// One line of the reports index.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IndexEntry {
    /// Network or company report.
    pub kind: ReportKind,
    /// Company display name (empty for the network).
    pub name: String,
    /// Quarter label.
    pub quarter: String,
    /// Relative link to the HTML report (the PDF sits beside it, `.pdf`).
    pub href: String,
    /// Whether the report is withheld for k-anonymity.
    pub withheld: bool,
}

/// Renders the index page listing every report (HTML and PDF links).
pub fn render_index_html(lang: Lang, study_name: &str, entries: &[IndexEntry]) -> Result<String, RenderError> {
    let mut env = environment(lang);
    env.add_template("index", INDEX_TEMPLATE)?;
    let entries: Vec<_> = entries
        .iter()
        .map(|e| {
            let pdf = e.href.strip_suffix(".html").map_or_else(|| e.href.clone(), |s| format!("{s}.pdf"));
            minijinja::context! { e => e, pdf => pdf }
        })
        .collect();
    Ok(env.get_template("index")?.render(minijinja::context! {
        lang => lang.code(), study_name => study_name, entries => entries,
        network_title => i18n::tr(lang, "Rapport du réseau", "Netwerkrapport", "Network report"),
        companies_title => i18n::tr(lang, "Rapports des entreprises", "Bedrijfsrapporten", "Company reports"),
    })?)
}

/// The document of the planner's report (`navette plan`).
pub fn plan_doc(report: &PlanReport) -> Result<Doc, RenderError> {
    doc::plan(report).map_err(RenderError::Chart)
}

/// Renders the planner's report as HTML.
pub fn render_plan_html(report: &PlanReport) -> Result<String, RenderError> {
    render_doc_html(&plan_doc(report)?)
}

/// Renders the planner's report as PDF.
pub fn render_plan_pdf(report: &PlanReport) -> Result<Vec<u8>, RenderError> {
    pdf::render(&plan_doc(report)?)
}

const PLAN_INDEX_TEMPLATE: &str = r#"<!doctype html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ study_name }} · {{ title }}</title>
<style>
  body { font-family: "DejaVu Sans", system-ui, sans-serif; color: #1d2430; max-width: 760px; margin: 2rem auto; padding: 0 1rem; }
  table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }
  th, td { padding: .3rem .5rem; border-bottom: 1px solid #e6eaee; text-align: left; }
</style>
</head>
<body>
<h1>{{ study_name }} — {{ title }}</h1>
<table>
<tbody>
{% for x in entries %}<tr><td><a href="{{ x.href }}">{{ x.name }}</a></td><td><a href="{{ x.pdf }}">PDF</a></td></tr>
{% endfor %}
</tbody>
</table>
<p><a href="chosen_sites.csv">chosen_sites.csv</a></p>
</body>
</html>
"#;

/// Renders the index of the planner's reports: one line per language (`href` to the HTML, the
/// PDF beside it), in `lang`.
pub fn render_plan_index_html(lang: Lang, study_name: &str, reports: &[(Lang, String)]) -> Result<String, RenderError> {
    let mut env = environment(lang);
    env.add_template("plan_index", PLAN_INDEX_TEMPLATE)?;
    let entries: Vec<_> = reports
        .iter()
        .map(|(l, href)| {
            let pdf = href.strip_suffix(".html").map_or_else(|| href.clone(), |s| format!("{s}.pdf"));
            let name = match l {
                Lang::Fr => "Où ouvrir les prochains centres (français)",
                Lang::Nl => "Waar de volgende centra openen (Nederlands)",
                Lang::En => "Where to open the next centers (English)",
            };
            minijinja::context! { href => href, pdf => pdf, name => name }
        })
        .collect();
    Ok(env.get_template("plan_index")?.render(minijinja::context! {
        lang => lang.code(), study_name => study_name, entries => entries,
        title => i18n::tr(lang, "Plan des prochains sites", "Plan van de volgende sites", "Plan of the next sites"),
    })?)
}
