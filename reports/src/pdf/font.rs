//! The two shipped faces (DejaVu Sans, regular and bold): metrics for layout, and per document a
//! subset embedded as a CID TrueType font (Identity-H, so a glyph's code is its id in the subset).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Filter, Name, Pdf, Rect, Ref, Str};
use ttf_parser::{Face, GlyphId};

/// Regular or bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// One face's metrics, read once per process.
pub(crate) struct FontFace {
    data: &'static [u8],
    face: Face<'static>,
    name: &'static str,
    units_per_em: f32,
    /// Advance of every glyph, in font units.
    advances: Vec<u16>,
    /// The glyph of every character below [`TABLE_CHARS`] (Latin, Greek, Cyrillic, punctuation,
    /// currency, arrows, mathematical operators), looked up once: the cmap is a binary search.
    table: Vec<u16>,
    /// Pair kerning (left glyph << 16 | right glyph → em), from the `kern` table, and whether a
    /// glyph starts any pair (most do not: the lookup is skipped).
    kerns: HashMap<u32, f32>,
    kern_left: Vec<bool>,
    pub(crate) ascender: f32,
    pub(crate) descender: f32,
    pub(crate) cap_height: f32,
}

const TABLE_CHARS: u32 = 0x2400;

static REGULAR: LazyLock<FontFace> =
    LazyLock::new(|| FontFace::new(include_bytes!("../../assets/DejaVuSans.ttf"), "DejaVuSans"));
static BOLD: LazyLock<FontFace> =
    LazyLock::new(|| FontFace::new(include_bytes!("../../assets/DejaVuSans-Bold.ttf"), "DejaVuSans-Bold"));

/// The face of a weight.
pub(crate) fn face(weight: Weight) -> &'static FontFace {
    match weight {
        Weight::Regular => &REGULAR,
        Weight::Bold => &BOLD,
    }
}

impl FontFace {
    fn new(data: &'static [u8], name: &'static str) -> FontFace {
        let face = Face::parse(data, 0).unwrap_or_else(|_| panic!("shipped font {name} parses"));
        let units_per_em = f32::from(face.units_per_em());
        let advances = (0..face.number_of_glyphs()).map(|g| face.glyph_hor_advance(GlyphId(g)).unwrap_or(0)).collect();
        let ascender = f32::from(face.ascender()) / units_per_em;
        let descender = f32::from(face.descender()) / units_per_em;
        let cap_height = face.capital_height().map_or(0.73, |h| f32::from(h) / units_per_em);
        let fallback = face.glyph_index('?').map_or(0, |g| g.0);
        let table = (0..TABLE_CHARS)
            .map(|c| char::from_u32(c).and_then(|c| face.glyph_index(c)).map_or(fallback, |g| g.0))
            .collect();
        // Read once into a map: looking pairs up in the table (a binary search over parsed
        // records) was a third of the layout's time. The first subtable holding a pair wins, as
        // in a lookup subtable by subtable.
        let mut kerns = HashMap::new();
        let mut kern_left = vec![false; usize::from(face.number_of_glyphs())];
        if let Some(kern) = face.tables().kern {
            for sub in kern.subtables.into_iter().filter(|s| s.horizontal && !s.variable) {
                if let ttf_parser::kern::Format::Format0(f0) = sub.format {
                    for pair in f0.pairs {
                        kerns.entry(pair.pair).or_insert(f32::from(pair.value) / units_per_em);
                        if let Some(l) = kern_left.get_mut((pair.pair >> 16) as usize) {
                            *l = true;
                        }
                    }
                }
            }
        }
        FontFace { data, face, name, units_per_em, advances, table, kerns, kern_left, ascender, descender, cap_height }
    }

    /// The glyph of `c`; characters the face lacks fall back to `?` (DejaVu Sans covers Latin,
    /// Greek, Cyrillic and the usual symbols).
    pub(crate) fn glyph(&self, c: char) -> u16 {
        match self.table.get(c as usize) {
            Some(&g) => g,
            None => self.face.glyph_index(c).or_else(|| self.face.glyph_index('?')).map_or(0, |g| g.0),
        }
    }

    /// Advance of a glyph, in em.
    pub(crate) fn advance(&self, glyph: u16) -> f32 {
        f32::from(self.advances.get(usize::from(glyph)).copied().unwrap_or(0)) / self.units_per_em
    }

    /// Pair kerning between two glyphs, in em (negative: closer), from the face's `kern` table.
    pub(crate) fn kerning(&self, left: u16, right: u16) -> f32 {
        if !self.kern_left.get(usize::from(left)).copied().unwrap_or(false) {
            return 0.0;
        }
        self.kerns.get(&(u32::from(left) << 16 | u32::from(right))).copied().unwrap_or(0.0)
    }

    /// Width of `text` at `size` (points), kerning included.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let mut w = 0.0;
        let mut prev = None;
        for c in text.chars() {
            let g = self.glyph(c);
            if let Some(p) = prev {
                w += self.kerning(p, g);
            }
            w += self.advance(g);
            prev = Some(g);
        }
        w * size
    }
}

/// The glyphs a document uses of one face, numbered in the order they were first drawn (the
/// subset's glyph ids; 0 stays `.notdef`), with the text each one stands for.
#[derive(Default)]
pub(crate) struct Used {
    remap: HashMap<u16, u16>,
    /// (original glyph, character), by new id − 1.
    glyphs: Vec<(u16, char)>,
}

impl Used {
    /// The subset id of `glyph` (drawn for `c`).
    pub(crate) fn id(&mut self, glyph: u16, c: char) -> u16 {
        if glyph == 0 {
            return 0;
        }
        let next = self.glyphs.len() as u16 + 1;
        *self.remap.entry(glyph).or_insert_with(|| {
            self.glyphs.push((glyph, c));
            next
        })
    }

    /// Whether no glyph of the face was drawn.
    pub(crate) fn is_empty(&self) -> bool {
        self.glyphs.is_empty()
    }
}

/// A font program, deflated, with its length before (the stream's `Length1`).
struct Program {
    deflated: Vec<u8>,
    length: usize,
}

/// Subsets are cached by the glyphs they hold: a run's documents mostly draw the same ones.
type SubsetCache = Mutex<Vec<(Weight, Vec<u16>, Arc<Program>)>>;
static SUBSETS: LazyLock<SubsetCache> = LazyLock::new(|| Mutex::new(Vec::new()));
const SUBSETS_KEPT: usize = 16;

/// The face's subset holding `glyphs` (in their new order).
fn subset(weight: Weight, glyphs: &[u16]) -> Result<Arc<Program>, String> {
    {
        let cache = SUBSETS.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, _, program)) = cache.iter().find(|(w, g, _)| *w == weight && g == glyphs) {
            return Ok(program.clone());
        }
    }
    let mut remapper = subsetter::GlyphRemapper::new();
    for &g in glyphs {
        remapper.remap(g);
    }
    let raw = subsetter::subset(face(weight).data, 0, &remapper).map_err(|e| format!("font subset: {e}"))?;
    let program = Arc::new(Program { deflated: super::deflate(&raw), length: raw.len() });
    let mut cache = SUBSETS.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() >= SUBSETS_KEPT {
        cache.remove(0);
    }
    cache.push((weight, glyphs.to_vec(), program.clone()));
    Ok(program)
}

/// Writes the font objects of the glyphs `used` of a face; `font` is the Type0 font's reference
/// (the one pages name), the other objects take references from `next`.
pub(crate) fn write(
    pdf: &mut Pdf,
    weight: Weight,
    used: &Used,
    font: Ref,
    next: &mut impl FnMut() -> Ref,
) -> Result<(), String> {
    let f = face(weight);
    let (cid_ref, descriptor_ref, cmap_ref, file_ref) = (next(), next(), next(), next());
    // A subset's name carries a six-letter tag unique to its glyphs (PDF 32000 9.6.4).
    let originals: Vec<u16> = used.glyphs.iter().map(|&(g, _)| g).collect();
    let mut tag_hash = 0xcbf2_9ce4_8422_2325_u64;
    for g in &originals {
        for b in g.to_be_bytes() {
            tag_hash = (tag_hash ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    let tag: String = (0..6).map(|i| char::from(b'A' + ((tag_hash >> (i * 5)) % 26) as u8)).collect();
    let base = format!("{tag}+{}", f.name);

    pdf.type0_font(font)
        .base_font(Name(base.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_ref)
        .to_unicode(cmap_ref);

    let per_em = 1000.0;
    let mut cid = pdf.cid_font(cid_ref);
    cid.subtype(CidFontType::Type2)
        .base_font(Name(base.as_bytes()))
        .system_info(SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 })
        .font_descriptor(descriptor_ref)
        .default_width(f.advance(0) * per_em)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    cid.widths().consecutive(1, originals.iter().map(|&g| (f.advance(g) * per_em).round()));
    drop(cid);

    let bbox = f.face.global_bounding_box();
    let scale = per_em / f.units_per_em;
    pdf.font_descriptor(descriptor_ref)
        .name(Name(base.as_bytes()))
        .flags(FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(
            f32::from(bbox.x_min) * scale,
            f32::from(bbox.y_min) * scale,
            f32::from(bbox.x_max) * scale,
            f32::from(bbox.y_max) * scale,
        ))
        .italic_angle(0.0)
        .ascent(f.ascender * per_em)
        .descent(f.descender * per_em)
        .cap_height(f.cap_height * per_em)
        .stem_v(if weight == Weight::Bold { 120.0 } else { 80.0 })
        .font_file2(file_ref);

    // Copying or searching the text gives back its characters.
    let mut cmap =
        UnicodeCmap::new(Name(b"Custom"), SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"UCS"), supplement: 0 });
    for (i, &(_, c)) in used.glyphs.iter().enumerate() {
        cmap.pair(i as u16 + 1, c);
    }
    let cmap = super::deflate(cmap.finish().as_slice());
    pdf.cmap(cmap_ref, &cmap).filter(Filter::FlateDecode);

    let program = subset(weight, &originals)?;
    pdf.stream(file_ref, &program.deflated).filter(Filter::FlateDecode).pair(Name(b"Length1"), program.length as i32);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kerning map gives what the face's own lookup gives, for every pair of the characters
    /// reports use.
    #[test]
    fn kerning_matches_the_table() {
        for weight in [Weight::Regular, Weight::Bold] {
            let f = face(weight);
            let kern = f.face.tables().kern.expect("DejaVu Sans has a kern table");
            let chars: Vec<char> = ('!'..='~').chain("àéèêëîïôûüçÀÉ€–—’«»…×".chars()).collect();
            let mut kerned = 0;
            for &a in &chars {
                for &b in &chars {
                    let (l, r) = (f.glyph(a), f.glyph(b));
                    let reference = kern
                        .subtables
                        .into_iter()
                        .filter(|s| s.horizontal && !s.variable)
                        .find_map(|s| s.glyphs_kerning(GlyphId(l), GlyphId(r)))
                        .map_or(0.0, |k| f32::from(k) / f.units_per_em);
                    assert_eq!(f.kerning(l, r), reference, "{a}{b}");
                    kerned += usize::from(reference != 0.0);
                }
            }
            assert!(kerned > 100, "pairs are kerned ({kerned})");
        }
    }
}
