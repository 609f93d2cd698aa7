//! PDF rendering in-process with typst (no browser, no network, no system fonts): the `Doc` goes
//! to `templates/report.typ` as JSON in `sys.inputs`, the charts as SVG bytes. The creation date
//! is pinned to the document's date (the last day of its data) and the PDF identifier is derived
//! from its title, so the same warehouse gives byte-identical PDFs.

use typst::foundations::{Array, Bytes, Datetime, Dict, Smart, Value};
use typst_as_lib::{TypstEngine, TypstTemplateMainFile};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use crate::{Doc, RenderError};

const TEMPLATE: &str = include_str!("../templates/report.typ");
static FONTS: [&[u8]; 2] =
    [include_bytes!("../assets/DejaVuSans.ttf"), include_bytes!("../assets/DejaVuSans-Bold.ttf")];

thread_local! {
    // Building the engine parses the fonts: once per thread, reused for every report.
    static ENGINE: TypstEngine<TypstTemplateMainFile> = TypstEngine::builder().main_file(TEMPLATE).fonts(FONTS).build();
}

fn pinned(date: &str) -> Option<Timestamp> {
    let mut parts = date.split('-').map(|p| p.parse::<i32>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    let dt = Datetime::from_ymd_hms(y, u8::try_from(m).ok()?, u8::try_from(d).ok()?, 12, 0, 0)?;
    Some(Timestamp::new_utc(dt))
}

/// Renders a document as PDF bytes.
pub fn render(doc: &Doc) -> Result<Vec<u8>, RenderError> {
    let json = serde_json::to_string(doc).map_err(|e| RenderError::Pdf(e.to_string()))?;
    let mut inputs = Dict::new();
    inputs.insert("doc".into(), Value::Str(json.into()));
    let charts: Array = doc.charts.iter().map(|svg| Value::Bytes(Bytes::new(svg.clone().into_bytes()))).collect();
    inputs.insert("charts".into(), Value::Array(charts));
    let compiled = ENGINE.with(|engine| engine.compile_with_input::<_, PagedDocument>(inputs));
    let document = compiled.output.map_err(|e| RenderError::Pdf(format!("{e:?}")))?;
    let options = PdfOptions {
        ident: Smart::Custom(format!("navette {} {}", doc.title, doc.subtitle)),
        creator: Smart::Custom(Some("navette".into())),
        timestamp: pinned(&doc.date),
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|e| RenderError::Pdf(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_pin_to_noon_utc() {
        assert!(super::pinned("2026-06-30").is_some());
        assert!(super::pinned("2026-13-01").is_none());
        assert!(super::pinned("nope").is_none());
    }
}
