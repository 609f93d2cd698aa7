//! PDF rendering: the `Doc` laid out on A4 pages and written with `pdf-writer`, in-process, with
//! the shipped DejaVu Sans subset into each file (no browser, no system fonts, no network).
//!
//! A report is a column of simple blocks (headings, paragraphs, figure boxes, tables, charts), so
//! the layout is done here rather than by a typesetting engine: a typst document cost about
//! 130 ms of CPU, most of it generic table layout and shaping, which made the 2,000 reports of a
//! country study take minutes (issue 13). Text is set on one baseline grid with the face's
//! advances and pair kerning (Latin text needs no other shaping); charts and maps are the same SVG
//! as in the HTML, drawn as vector operations (`svg`). A map background shared by many reports
//! is converted and compressed once per run.
//!
//! The creation date is pinned to the document's date (the last day of its data) and the file
//! identifier derived from its title, so the same warehouse gives byte-identical PDFs.

mod font;
mod layout;
mod svg;

use std::sync::{Arc, LazyLock, Mutex};

use pdf_writer::types::TextRenderingMode;
use pdf_writer::{Content, Date, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::{Doc, RenderError};
use font::{Used, Weight};

/// Path data longer than this (a map's background) becomes a form shared across the run.
const SHARED_PATH_BYTES: usize = 4096;

/// Renders a document as PDF bytes.
pub fn render(doc: &Doc) -> Result<Vec<u8>, RenderError> {
    let mut canvas = Canvas::default();
    let (pages, tags) = layout::pages(doc, &mut canvas).map_err(RenderError::Pdf)?;
    write(doc, canvas, pages, &tags).map_err(RenderError::Pdf)
}

/// What a document's pages and forms draw with: glyphs used, transparency states, forms.
#[derive(Default)]
pub(crate) struct Canvas {
    used: [Used; 2],
    /// Fill and stroke alpha (thousandths) of each `/G<i>` graphics state.
    alphas: Vec<(u16, u16)>,
    /// Each `/X<i>` form: its deflated content and box.
    forms: Vec<Form>,
}

struct Form {
    content: Arc<Vec<u8>>,
    bbox: Rect,
    matrix: Option<[f32; 6]>,
}

impl Canvas {
    /// Shows `text` with the face of `weight` at `size` points; `matrix` places its baseline start.
    pub(crate) fn text(
        &mut self,
        content: &mut Content,
        weight: Weight,
        size: f32,
        matrix: [f32; 6],
        text: &str,
        mode: Option<TextRenderingMode>,
    ) {
        let face = font::face(weight);
        let used = &mut self.used[weight as usize];
        content.begin_text();
        content.set_font(Name(FONT_NAMES[weight as usize]), size);
        if let Some(mode) = mode {
            content.set_text_rendering_mode(mode);
        }
        content.set_text_matrix(matrix);
        let mut shown = content.show_positioned();
        let mut items = shown.items();
        let mut run: Vec<u8> = Vec::with_capacity(text.len() * 2);
        let mut prev = None;
        for c in text.chars() {
            let g = face.glyph(c);
            if let Some(p) = prev {
                let k = face.kerning(p, g);
                if k != 0.0 {
                    items.show(Str(&run));
                    run.clear();
                    // TJ adjustments are in thousandths of an em, positive moves left.
                    items.adjust(-k * 1000.0);
                }
            }
            run.extend_from_slice(&used.id(g, c).to_be_bytes());
            prev = Some(g);
        }
        items.show(Str(&run));
        drop(items);
        drop(shown);
        content.end_text();
    }

    /// Sets the transparency of what follows (until the enclosing state is restored).
    pub(crate) fn alpha(&mut self, content: &mut Content, fill: f32, stroke: f32) {
        if fill >= 1.0 && stroke >= 1.0 {
            return;
        }
        let key = ((fill * 1000.0).round() as u16, (stroke * 1000.0).round() as u16);
        let i = match self.alphas.iter().position(|a| *a == key) {
            Some(i) => i,
            None => {
                self.alphas.push(key);
                self.alphas.len() - 1
            }
        };
        content.set_parameters(Name(format!("G{i}").as_bytes()));
    }

    /// Adds a form (deflated content) and returns its resource name.
    pub(crate) fn form(&mut self, content: Arc<Vec<u8>>, bbox: Rect, matrix: Option<[f32; 6]>) -> String {
        self.forms.push(Form { content, bbox, matrix });
        format!("X{}", self.forms.len() - 1)
    }

    /// Draws a long path (a map's background) through a form converted and compressed once per
    /// run for every report that draws the same path.
    pub(crate) fn shared_path(
        &mut self,
        content: &mut Content,
        d: &str,
        fill: Option<[f32; 3]>,
        stroke: Option<[f32; 3]>,
        width: f32,
        round: bool,
    ) {
        let key = format!("{fill:?}{stroke:?}{width}{round}");
        let cached = {
            let cache = SHARED.lock().unwrap_or_else(|e| e.into_inner());
            cache.iter().find(|(k, p, _)| *k == key && p.as_str() == d).map(|(_, _, c)| c.clone())
        };
        let compressed = cached.unwrap_or_else(|| {
            let mut c = Content::new();
            svg::set_paint(&mut c, fill, stroke, width, round);
            svg::path(&mut c, d);
            svg::finish_paint(&mut c, fill.is_some(), stroke.is_some() && width > 0.0);
            let compressed = Arc::new(deflate(&c.finish()));
            let mut cache = SHARED.lock().unwrap_or_else(|e| e.into_inner());
            if cache.len() >= SHARED_KEPT {
                cache.remove(0);
            }
            cache.push((key, d.to_owned(), compressed.clone()));
            compressed
        });
        let name = self.form(compressed, Rect::new(-1.0e4, -1.0e4, 1.0e4, 1.0e4), None);
        content.x_object(Name(name.as_bytes()));
    }
}

/// Shared forms kept: a run draws one background per map frame (a handful).
const SHARED_KEPT: usize = 8;
type SharedCache = Mutex<Vec<(String, String, Arc<Vec<u8>>)>>;
static SHARED: LazyLock<SharedCache> = LazyLock::new(|| Mutex::new(Vec::new()));

const FONT_NAMES: [&[u8]; 2] = [b"F0", b"F1"];

/// zlib-deflates a stream at level 4 (zlib-rs' "medium" strategy, like level 6 most PDF
/// writers use, with shorter match searches). On the 16 × 16 country study's 2,004 reports
/// (830 MB of page contents, forms and font programs) deflating at level 6 was 9 s of the render
/// threads' 23 s; level 4 takes about 2 s less for 1.7 % more PDF bytes (533 → 542 MB), and
/// level 1 ("quick") 5 s less but for 24 % more (660 MB).
pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::ZlibEncoder::new(Vec::with_capacity(data.len() / 2), flate2::Compression::new(4));
    // Writing to a Vec cannot fail.
    e.write_all(data).and_then(|()| e.finish()).unwrap_or_default()
}

/// A stable 64-bit FNV-1a hash (file identifiers and subset tags must not change between runs
/// or Rust versions, as `DefaultHasher` may).
pub(crate) fn fnv(bytes: &[u8], seed: u64) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325 ^ seed, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

fn pinned(date: &str) -> Option<Date> {
    let mut parts = date.split('-').map(|p| p.parse::<u16>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    let (m, d) = (u8::try_from(m).ok()?, u8::try_from(d).ok()?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(Date::new(y).month(m).day(d).hour(12).minute(0).second(0).utc_offset_hour(0).utc_offset_minute(0))
}

/// Writes the laid-out pages: catalog, page tree, contents, resources, fonts, forms, structure
/// tree, metadata.
fn write(doc: &Doc, canvas: Canvas, pages: Vec<Content>, tags: &layout::Tags) -> Result<Vec<u8>, String> {
    let mut pdf = Pdf::new();
    let mut id = 0;
    let mut next = || {
        id += 1;
        Ref::new(id)
    };
    let (catalog, tree, resources, info) = (next(), next(), next(), next());
    let font_refs = [next(), next()];
    let page_refs: Vec<(Ref, Ref)> = pages.iter().map(|_| (next(), next())).collect();
    let form_refs: Vec<Ref> = canvas.forms.iter().map(|_| next()).collect();
    let state_refs: Vec<Ref> = canvas.alphas.iter().map(|_| next()).collect();
    let struct_root = next();
    let elem_refs: Vec<Ref> = tags.elems.iter().map(|_| next()).collect();
    let parent_arrays: Vec<Ref> = tags.marks.iter().map(|_| next()).collect();

    let mut cat = pdf.catalog(catalog);
    cat.pages(tree);
    cat.lang(TextStr(doc.lang));
    cat.viewer_preferences().display_doc_title(true);
    cat.mark_info().marked(true);
    cat.pair(Name(b"StructTreeRoot"), struct_root);
    cat.finish();
    pdf.pages(tree).kids(page_refs.iter().map(|&(p, _)| p)).count(page_refs.len() as i32);

    // One resource dictionary for every page and form.
    let mut res = pdf.indirect(resources).start::<pdf_writer::writers::Resources>();
    let mut fonts = res.fonts();
    for (w, name) in FONT_NAMES.iter().enumerate() {
        if !canvas.used[w].is_empty() {
            fonts.pair(Name(name), font_refs[w]);
        }
    }
    fonts.finish();
    if !state_refs.is_empty() {
        let mut states = res.ext_g_states();
        for (i, r) in state_refs.iter().enumerate() {
            states.pair(Name(format!("G{i}").as_bytes()), *r);
        }
        states.finish();
    }
    if !form_refs.is_empty() {
        let mut forms = res.x_objects();
        for (i, r) in form_refs.iter().enumerate() {
            forms.pair(Name(format!("X{i}").as_bytes()), *r);
        }
        forms.finish();
    }
    res.finish();

    for (i, ((page, contents), content)) in page_refs.iter().zip(pages).enumerate() {
        pdf.page(*page)
            .parent(tree)
            .media_box(Rect::new(0.0, 0.0, layout::PAGE_W, layout::PAGE_H))
            .contents(*contents)
            .struct_parents(i as i32)
            .pair(Name(b"Resources"), resources)
            .pair(Name(b"Tabs"), Name(b"S"));
        pdf.stream(*contents, &deflate(&content.finish())).filter(Filter::FlateDecode);
    }
    for (form, r) in canvas.forms.iter().zip(&form_refs) {
        let mut x = pdf.form_xobject(*r, &form.content);
        x.bbox(form.bbox);
        x.filter(Filter::FlateDecode).pair(Name(b"Resources"), resources);
        if let Some(m) = form.matrix {
            x.matrix(m);
        }
    }
    for ((fill, stroke), r) in canvas.alphas.iter().zip(&state_refs) {
        pdf.ext_graphics(*r).non_stroking_alpha(f32::from(*fill) / 1000.0).stroking_alpha(f32::from(*stroke) / 1000.0);
    }
    for (w, weight) in [Weight::Regular, Weight::Bold].into_iter().enumerate() {
        if !canvas.used[w].is_empty() {
            font::write(&mut pdf, weight, &canvas.used[w], font_refs[w], &mut next)?;
        }
    }

    write_structure(&mut pdf, tags, struct_root, &elem_refs, &parent_arrays, &page_refs);

    let mut meta = pdf.document_info(info);
    meta.title(TextStr(&doc.title)).author(TextStr("navette")).creator(TextStr("navette")).producer(TextStr("navette"));
    if let Some(date) = pinned(&doc.date) {
        meta.creation_date(date).modified_date(date);
    }
    meta.finish();
    let ident = format!("navette {} {}", doc.title, doc.subtitle);
    let mut file_id = fnv(ident.as_bytes(), 0).to_be_bytes().to_vec();
    file_id.extend(fnv(ident.as_bytes(), 1).to_be_bytes());
    pdf.set_file_id((file_id.clone(), file_id));
    Ok(pdf.finish())
}

/// The structure tree: each element with its parent, children and page; each page's parent tree
/// entry lists the element of every marked-content id on it.
fn write_structure(
    pdf: &mut Pdf,
    tags: &layout::Tags,
    root: Ref,
    elems: &[Ref],
    parent_arrays: &[Ref],
    pages: &[(Ref, Ref)],
) {
    let mut parents = vec![root; elems.len()];
    for (i, e) in tags.elems.iter().enumerate() {
        for k in &e.kids {
            if let layout::Kid::Elem(c) = k {
                parents[*c] = elems[i];
            }
        }
    }
    let mut r = pdf.indirect(root).start::<pdf_writer::writers::StructTreeRoot>();
    r.child(elems[0]);
    let mut tree = r.parent_tree();
    let mut nums = tree.nums();
    for (i, a) in parent_arrays.iter().enumerate() {
        nums.insert(i as i32, *a);
    }
    nums.finish();
    tree.finish();
    r.parent_tree_next_key(parent_arrays.len() as i32);
    r.finish();
    for (marks, a) in tags.marks.iter().zip(parent_arrays) {
        pdf.indirect(*a).array().items(marks.iter().map(|&e| elems[e]));
    }
    for (i, e) in tags.elems.iter().enumerate() {
        let mut s = pdf.struct_element(elems[i]);
        s.kind(e.role);
        s.parent(parents[i]);
        if let Some(alt) = &e.alt {
            s.alt(TextStr(alt));
        }
        let mut kids = s.children();
        for k in &e.kids {
            match *k {
                layout::Kid::Elem(c) => {
                    kids.struct_element(elems[c]);
                }
                layout::Kid::Mark { page, mcid } => {
                    kids.marked_content_ref().marked_content_id(mcid).page(pages[page].0);
                }
            }
        }
    }
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
