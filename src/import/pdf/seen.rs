//! What a person sees on a PDF page, as opposed to what its layers hold.
//!
//! The page's drawing is interpreted with its graphics state (hayro-interpret):
//! every glyph and path arrives with its colour, alpha, transparency group,
//! soft mask, clip, render mode, and in paint order, content in optional-
//! content layers that are off never arriving at all. A [`Recorder`] keeps,
//! per glyph, whether a person sees it — drawn (not render mode 3), opaque
//! enough, large enough, inside the crop box and its clip, of a colour that
//! stands out from what lies under it, and not painted over afterwards — and
//! the paths a person sees, reduced to what marks need ([`Shape`]). Under
//! and over are tracked on a grid of 2 pt cells holding the colour of the
//! last opaque fill and when it was painted; the work is bounded per page.
//!
//! The same pass reads the text: each glyph's characters (its font's
//! ToUnicode map, glyph names, or the CID system's UCS-2 map), where it
//! sits and how wide it is by the PDF's own widths ([`TextGlyph`]), so what
//! is read and what is judged visible are the same glyph, never matched up
//! afterwards. One reader of the file, one view of it.
//! Annotations are read from their dictionaries ([`Annot`]): a person sees
//! them on the page, so they mark, strike out or cover like drawing does.

use std::sync::Arc;

use hayro_interpret::font::{Glyph as HayroGlyph, GlyphRun};
use hayro_interpret::hayro_cmap::BfString;
use hayro_interpret::hayro_syntax::Pdf;
use hayro_interpret::hayro_syntax::object::{Array, Dict, Name, Rect as PdfRect};
use hayro_interpret::kurbo::{Affine, BezPath, PathEl, Point, Rect, Shape as _};
use hayro_interpret::{
    BlendMode, ClipPath, Context, Device, DrawMode, DrawProps, Image, ImageDrawProps, InterpreterCache,
    InterpreterSettings, Paint, RenderContent, SoftMask, interpret_page,
};

use super::layout::BBox;
use super::marks::Shape;

/// Grid cell edge, in points (larger on a page so large that 2 pt cells
/// would be more than [`MAX_CELLS`]).
const CELL: f64 = 2.0;
/// Cells of one page's grid, at most (about 16 MB).
const MAX_CELLS: f64 = 1_000_000.0;
/// Cell updates one page may make (opaque fills painted over cells).
const MAX_PAINT: usize = 40_000_000;
/// Glyphs and paths one page may draw: far more than a sheet's page has
/// (the text reader refuses 60,000 glyphs), bounding what is kept.
const MAX_DRAWN: usize = 200_000;
/// Characters one glyph may stand for (a ligature is two or three).
const MAX_CHARS_PER_GLYPH: usize = 8;
/// Below this opacity a glyph or line is not seen.
const MIN_ALPHA: f32 = 0.25;
/// Glyphs smaller than this (points, em height) cannot be read.
const MIN_GLYPH: f64 = 1.5;
/// Colours closer than this (0–1 per channel, the largest difference) do
/// not stand out from each other.
const MIN_CONTRAST: f32 = 0.12;

/// A glyph as drawn, before it is known whether it is painted over.
#[derive(Debug, Clone)]
struct DrawnGlyph {
    text: TextGlyph,
    chars: GlyphText,
    order: u32,
}

/// What a glyph says, by its font's maps.
#[derive(Debug, Clone)]
enum GlyphText {
    One(char),
    /// A ligature or a sequence (a handful of characters at most).
    Many(Box<[char]>),
    /// The font does not say: no text, though the glyph is drawn.
    Unknown,
}

/// One character of the page's text as drawn (a ligature's glyph gives
/// one per character, sharing its width).
#[derive(Debug, Clone, Copy)]
pub struct TextGlyph {
    pub c: char,
    /// Baseline origin, user space.
    pub x: f32,
    pub y: f32,
    /// Em height, user space.
    pub size: f32,
    /// Advance, user space (the PDF's width for the glyph).
    pub width: f32,
    /// Fill colour, 0–1 per channel (black where the paint is no colour).
    pub rgb: [f32; 3],
    /// Whether a person sees it: drawn, opaque, large, inside the crop
    /// box and its clip, standing out from what lies under it, not painted
    /// over afterwards.
    pub visible: bool,
}

/// A visible annotation that can mark, strike or cover a word.
#[derive(Debug, Clone)]
pub struct Annot {
    pub kind: AnnotKind,
    /// Where it is on the page (its /Rect, or the union of its QuadPoints).
    pub rect: BBox,
    /// Its text (FreeText, Text notes), for the account.
    pub contents: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnnotKind {
    /// Circle, Square, Ink or Highlight: drawn around or over a word.
    Marks,
    /// StrikeOut (or a Squiggly/Underline crossing a word).
    StrikeOut,
    /// A note written on the page (FreeText, Text).
    Note,
    /// A box or oval filled with a colour (an interior colour): it paints
    /// over what lies under it.
    Cover,
}

/// What a person sees on one page.
#[derive(Debug, Default)]
pub struct PageSeen {
    /// The page's text in drawing order, seen or not.
    pub text: Vec<TextGlyph>,
    /// Paths a person sees.
    pub shapes: Vec<Shape>,
    pub annots: Vec<Annot>,
}

/// Why the pages' drawing could not be followed.
#[derive(Debug)]
pub enum SeenError {
    /// The file needs a password to be opened.
    Encrypted,
    /// Reading the pages took past the deadline (at this 1-based page).
    Deadline(usize),
    Other(String),
}

/// Open the file (with the empty user password, as a viewer does before
/// it asks for one).
pub fn open(bytes: &[u8]) -> Result<Pdf, SeenError> {
    use hayro_interpret::hayro_syntax::LoadPdfError;
    Pdf::new(Arc::new(bytes.to_vec())).map_err(|e| match e {
        LoadPdfError::Decryption(_) => SeenError::Encrypted,
        other => SeenError::Other(format!("{other:?}")),
    })
}

/// What a person sees on each of the first `pages` pages, and the text
/// drawn on them; stopped at `deadline`.
pub fn pages(pdf: &Pdf, pages: usize, deadline: std::time::Instant) -> Result<Vec<PageSeen>, SeenError> {
    let settings = InterpreterSettings {
        // Fonts that are not embedded are read with a stand-in: what is
        // needed here is where each glyph goes and how it is painted, which
        // the PDF's own widths and state say, not the glyph's outline.
        font_resolver: Arc::new(|query| match query {
            hayro_interpret::font::FontQuery::Standard(s) => Some(s.get_font_data()),
            hayro_interpret::font::FontQuery::Fallback(f) => Some(f.pick_standard_font().get_font_data()),
        }),
        render_content: RenderContent::PAGE,
        ..InterpreterSettings::default()
    };
    let cache = InterpreterCache::new();
    let mut out = Vec::with_capacity(pages);
    for page in pdf.pages().iter().take(pages) {
        if std::time::Instant::now() > deadline {
            return Err(SeenError::Deadline(out.len() + 1));
        }
        let crop = page.intersected_crop_box().to_kurbo_rect();
        let mut rec = Recorder::new(crop);
        let mut ctx = Context::new(Affine::IDENTITY, crop, &cache, page.xref(), settings.clone());
        interpret_page(page, &mut ctx, &mut rec);
        // Annotations are painted over the content.
        rec.annotations = true;
        let annots = annotations(page.raw(), &mut rec);
        let mut annot_settings = settings.clone();
        annot_settings.render_content = RenderContent::ANNOTATIONS;
        let mut ctx = Context::new(Affine::IDENTITY, crop, &cache, page.xref(), annot_settings);
        interpret_page(page, &mut ctx, &mut rec);
        if rec.over_budget {
            return Err(SeenError::Other(format!("page {} draws more than kaiji reads on a page", out.len() + 1)));
        }
        out.push(rec.finish(annots));
    }
    Ok(out)
}

trait ToKurbo {
    fn to_kurbo_rect(&self) -> Rect;
}

impl ToKurbo for PdfRect {
    fn to_kurbo_rect(&self) -> Rect {
        Rect::new(self.x0, self.y0, self.x1, self.y1)
    }
}

/// The grid of what lies on top where: the colour of the last opaque fill
/// over each cell and when it was painted.
struct Grid {
    origin: (f64, f64),
    /// Cell edge, in points.
    edge: f64,
    w: usize,
    h: usize,
    colour: Vec<[f32; 3]>,
    order: Vec<u32>,
    work: usize,
}

impl Grid {
    fn new(crop: Rect) -> Grid {
        let area = crop.width().abs().max(1.0) * crop.height().abs().max(1.0);
        let edge = CELL.max((area / MAX_CELLS).sqrt());
        let w = (crop.width() / edge).ceil().max(1.0) as usize;
        let h = (crop.height() / edge).ceil().max(1.0) as usize;
        Grid { origin: (crop.x0, crop.y0), edge, w, h, colour: vec![[1.0; 3]; w * h], order: vec![0; w * h], work: 0 }
    }

    fn cell(&self, x: f64, y: f64) -> Option<usize> {
        let cx = ((x - self.origin.0) / self.edge).floor();
        let cy = ((y - self.origin.1) / self.edge).floor();
        (cx >= 0.0 && cy >= 0.0 && (cx as usize) < self.w && (cy as usize) < self.h)
            .then(|| cy as usize * self.w + cx as usize)
    }

    /// Paint the cells whose centres `path` (user space) covers; false when
    /// the page's budget is spent.
    fn paint(&mut self, path: &BezPath, bbox: Rect, colour: [f32; 3], order: u32) -> bool {
        let rect = is_rect(path);
        let c0 = (((bbox.x0 - self.origin.0) / self.edge).floor().max(0.0) as usize).min(self.w);
        let c1 = (((bbox.x1 - self.origin.0) / self.edge).ceil().max(0.0) as usize).min(self.w);
        let r0 = (((bbox.y0 - self.origin.1) / self.edge).floor().max(0.0) as usize).min(self.h);
        let r1 = (((bbox.y1 - self.origin.1) / self.edge).ceil().max(0.0) as usize).min(self.h);
        self.work += (c1 - c0) * (r1 - r0) * if rect { 1 } else { 8 };
        if self.work > MAX_PAINT {
            return false;
        }
        for r in r0..r1 {
            for c in c0..c1 {
                let p = Point::new(
                    self.origin.0 + (c as f64 + 0.5) * self.edge,
                    self.origin.1 + (r as f64 + 0.5) * self.edge,
                );
                if rect || path.winding(p) != 0 {
                    self.colour[r * self.w + c] = colour;
                    self.order[r * self.w + c] = order;
                }
            }
        }
        true
    }
}

/// A path of straight lines only whose bounding box it fills: a rectangle.
fn is_rect(path: &BezPath) -> bool {
    let els = path.elements();
    els.iter().all(|e| matches!(e, PathEl::MoveTo(_) | PathEl::LineTo(_) | PathEl::ClosePath))
        && (path.area().abs() - path.bounding_box().area()).abs() <= 0.02 * path.bounding_box().area().max(1e-9)
}

fn luma_far(a: [f32; 3], b: [f32; 3]) -> bool {
    a.iter().zip(&b).any(|(x, y)| (x - y).abs() >= MIN_CONTRAST)
}

/// A path as drawn, before it is known whether it is painted over.
struct DrawnPath {
    shape: Shape,
    order: u32,
    /// Points on the path whose cells must still show it (for a ring, where
    /// its stroke runs).
    probes: Vec<Point>,
}

/// The device hayro-interpret draws into: records, paints nothing.
struct Recorder {
    crop: Rect,
    grid: Grid,
    order: u32,
    /// Clip bounding boxes (user space), innermost last.
    clips: Vec<Rect>,
    /// Opacity of each transparency group, and whether it has a soft mask.
    groups: Vec<(f32, bool)>,
    glyphs: Vec<DrawnGlyph>,
    /// The last glyph run recorded: its glyphs' address and number, where
    /// its glyphs start in `glyphs`, and where its first glyph was drawn.
    last_run: Option<(usize, usize, usize, Affine)>,
    paths: Vec<DrawnPath>,
    annotations: bool,
    over_budget: bool,
}

impl Recorder {
    fn new(crop: Rect) -> Recorder {
        Recorder {
            crop,
            grid: Grid::new(crop),
            order: 0,
            clips: Vec::new(),
            groups: Vec::new(),
            glyphs: Vec::new(),
            last_run: None,
            paths: Vec::new(),
            annotations: false,
            over_budget: false,
        }
    }

    fn next(&mut self) -> u32 {
        self.order = self.order.saturating_add(1);
        if self.order as usize > MAX_DRAWN {
            self.over_budget = true;
        }
        self.order
    }

    /// The area the clips leave, within the crop box.
    fn visible_area(&self) -> Rect {
        self.clips.iter().fold(self.crop, |a, c| a.intersect(*c))
    }

    /// The colour and the opacity a paint shows with, after the groups; None
    /// for what a person may not see (a pattern, a soft mask).
    fn shown(&self, props: &DrawProps<'_>) -> Option<([f32; 3], f32)> {
        if props.soft_mask.is_some() || self.groups.iter().any(|g| g.1) {
            return None;
        }
        let Paint::Color(c) = &props.paint else { return None };
        let [r, g, b, a] = c.to_rgba().components();
        let a = self.groups.iter().fold(a, |a, g| a * g.0);
        Some(([r, g, b], a))
    }

    fn finish(self, annots: Vec<Annot>) -> PageSeen {
        let mut seen = PageSeen { annots, ..PageSeen::default() };
        let covered = |grid: &Grid, x: f64, y: f64, order: u32| grid.cell(x, y).is_some_and(|c| grid.order[c] > order);
        seen.text.reserve(self.glyphs.len());
        for g in self.glyphs {
            let t = g.text;
            let at = ink_probe(Point::new(f64::from(t.x), f64::from(t.y)), f64::from(t.size));
            let visible = t.visible && !covered(&self.grid, at.x, at.y, g.order);
            let chars: &[char] = match &g.chars {
                GlyphText::One(c) => std::slice::from_ref(c),
                GlyphText::Many(cs) => cs,
                GlyphText::Unknown => &[],
            };
            // a ligature's characters share its advance
            let each = t.width / chars.len().max(1) as f32;
            for (k, &c) in chars.iter().enumerate() {
                if c == '\0' || (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
                    continue;
                }
                seen.text.push(TextGlyph { c, x: t.x + each * k as f32, width: each, visible, ..t });
            }
        }
        for p in self.paths {
            // a ring shows while most of its probes are not painted over
            let shown = p.probes.iter().filter(|q| !covered(&self.grid, q.x, q.y, p.order)).count();
            if shown * 2 > p.probes.len() {
                seen.shapes.push(p.shape);
            }
        }
        seen
    }
}

/// Where a glyph with baseline origin `origin` and em size `size` has ink:
/// inside its body, a third of an em across and up.
fn ink_probe(origin: Point, size: f64) -> Point {
    Point::new(origin.x + size * 0.3, origin.y + size * 0.35)
}

fn bbox_of(r: Rect) -> BBox {
    BBox { x0: r.x0 as f32, y0: r.y0 as f32, x1: r.x1 as f32, y1: r.y1 as f32 }
}

impl<'a> Device<'a> for Recorder {
    fn draw_path(&mut self, path: &BezPath, props: DrawProps<'a>, draw_mode: &DrawMode) {
        let order = self.next();
        if self.over_budget {
            return;
        }
        let user = props.transform * path.clone();
        let bbox = user.bounding_box();
        let area = self.visible_area();
        let Some((rgb, alpha)) = self.shown(&props) else { return };
        let inside = area.intersect(bbox);
        if inside.width() <= 0.0 && inside.height() <= 0.0 || alpha < MIN_ALPHA {
            return;
        }
        let (fill, stroke) = match draw_mode {
            DrawMode::Fill(_) => (true, None),
            DrawMode::Stroke(s) => (false, Some(s.line_width)),
            DrawMode::FillAndStroke(_, s) => (true, Some(s.line_width)),
            DrawMode::Invisible => return,
        };
        let under = |x: f64, y: f64| self.grid.cell(x, y).map_or([1.0; 3], |c| self.grid.colour[c]);
        let centre = bbox.center();
        let fill_shows = fill && luma_far(rgb, under(centre.x, centre.y));
        // a stroke shows where it runs: the middle of the box's left and right edges
        let probes = vec![Point::new(bbox.x0, centre.y), Point::new(bbox.x1, centre.y)];
        let stroke_shows = stroke.is_some_and(|w| w * props.transform.determinant().abs().sqrt() as f32 >= 0.1)
            && probes.iter().any(|p| luma_far(rgb, under(p.x, p.y)));
        if fill && alpha >= 0.99 && area.contains_rect_approx(bbox) && !self.grid.paint(&user, bbox, rgb, order) {
            self.over_budget = true;
        }
        if self.annotations || !(fill_shows || stroke_shows) {
            // annotations mark through their dictionaries; their fills
            // above still cover what lies under them
            return;
        }
        let curved = user.elements().iter().any(|e| matches!(e, PathEl::CurveTo(..) | PathEl::QuadTo(..)));
        let straight = user.elements().iter().any(|e| matches!(e, PathEl::LineTo(..)));
        let shape =
            Shape { bbox: bbox_of(bbox), curved, straight, stroked: stroke_shows, fill: fill_shows.then_some(rgb) };
        let probes = if fill_shows { vec![centre] } else { probes };
        self.paths.push(DrawnPath { shape, order, probes });
    }

    fn push_clip_path(&mut self, clip_path: &ClipPath) {
        self.clips.push(clip_path.path.bounding_box());
    }

    fn push_transparency_group(&mut self, opacity: f32, mask: Option<SoftMask<'a>>, _: BlendMode) {
        self.groups.push((opacity, mask.is_some()));
    }

    fn draw_glyph_run(&mut self, glyph_run: &GlyphRun<'_, 'a>, props: DrawProps<'a>, draw_mode: &DrawMode) {
        if self.annotations {
            return;
        }
        let shown = self.shown(&props);
        let rgb = match &props.paint {
            Paint::Color(c) => {
                let [r, g, b, _] = c.to_rgba().components();
                [r, g, b]
            }
            _ => [0.0; 3],
        };
        let area = self.visible_area();
        let under = |x: f64, y: f64| self.grid.cell(x, y).map_or([1.0; 3], |c| self.grid.colour[c]);
        let stroke_ok = match draw_mode {
            DrawMode::Stroke(s) | DrawMode::FillAndStroke(_, s) => s.line_width > 0.0,
            _ => true,
        };
        let drawn = !matches!(draw_mode, DrawMode::Invisible) && stroke_ok;
        let run = glyph_run.glyphs();
        let room = MAX_DRAWN.saturating_sub(self.order as usize);
        if run.len() > room {
            self.over_budget = true;
            return;
        }
        // Fill-and-stroke text arrives twice, the same run each time: the
        // second is the same glyphs, seen if either paint shows.
        let first = run.first().map(|g| props.transform * g.transform());
        let same_run = self.last_run.is_some_and(|(ptr, len, start, at)| {
            ptr == run.as_ptr() as usize && len == run.len() && start + len == self.glyphs.len() && Some(at) == first
        });
        let start = self.glyphs.len();
        let mut records = Vec::with_capacity(run.len());
        for g in run {
            let t = props.transform * g.transform();
            let origin = t * Point::ZERO;
            // one em up the glyph's vertical axis (glyph space is 1000 units an em)
            let up = t * Point::new(0.0, 1000.0);
            let size = (up - origin).hypot();
            let probe = ink_probe(origin, size);
            let visible = drawn
                && size >= MIN_GLYPH
                && area.contains(probe)
                && shown.is_some_and(|(rgb, a)| a >= MIN_ALPHA && luma_far(rgb, under(probe.x, probe.y)));
            records.push((origin, size, visible));
        }
        for (k, (g, (origin, size, visible))) in run.iter().zip(records).enumerate() {
            if same_run {
                let recorded = &mut self.glyphs[start - run.len() + k];
                recorded.text.visible |= visible;
                continue;
            }
            // The PDF's own width for the glyph (1000 units an em), not
            // the outline's: a stand-in font's glyphs are stretched to it.
            let advance = match &**g {
                HayroGlyph::Outline(o) => o.advance_width(),
                HayroGlyph::Type3(t) => t.advance_width(),
            };
            let width = advance.filter(|a| a.is_finite()).map_or(size * 0.5, |a| f64::from(a) / 1000.0 * size);
            let chars = match g.as_unicode() {
                Some(BfString::Char(c)) => GlyphText::One(c),
                Some(BfString::String(s)) => GlyphText::Many(s.chars().take(MAX_CHARS_PER_GLYPH).collect()),
                None => GlyphText::Unknown,
            };
            let order = self.next();
            if self.over_budget {
                return;
            }
            let text = TextGlyph {
                // each of `chars` in turn, when the page is finished
                c: '\u{FFFD}',
                x: origin.x as f32,
                y: origin.y as f32,
                size: size as f32,
                width: width as f32,
                rgb,
                visible,
            };
            self.glyphs.push(DrawnGlyph { text, chars, order });
        }
        if !same_run && let Some(at) = first {
            self.last_run = Some((run.as_ptr() as usize, run.len(), start, at));
        }
    }

    fn draw_image(&mut self, _: Image<'a, '_>, _: ImageDrawProps<'a>) {
        // An image may cover text; what it shows cannot be told without
        // decoding it. Images in a disclosure sheet are logos.
        self.next();
    }

    fn pop_clip(&mut self) {
        self.clips.pop();
    }

    fn pop_transparency_group(&mut self) {
        self.groups.pop();
    }
}

trait ContainsApprox {
    fn contains_rect_approx(&self, r: Rect) -> bool;
}

impl ContainsApprox for Rect {
    fn contains_rect_approx(&self, r: Rect) -> bool {
        r.x0 >= self.x0 - 0.5 && r.y0 >= self.y0 - 0.5 && r.x1 <= self.x1 + 0.5 && r.y1 <= self.y1 + 0.5
    }
}

/// Annotation flags: Invisible (unknown type), Hidden, NoView.
const HIDDEN_FLAGS: u32 = 1 | 2 | 32;

/// The page's visible annotations that can mark, strike or cover a word;
/// an annotation with an interior colour and no appearance of its own
/// (drawn by the viewer) paints the grid as it covers.
fn annotations(page: &Dict<'_>, rec: &mut Recorder) -> Vec<Annot> {
    let mut out = Vec::new();
    let Some(list) = page.get::<Array<'_>>(b"Annots".as_slice()) else { return out };
    for a in list.iter::<Dict<'_>>().take(10_000) {
        let flags = a.get::<u32>(b"F".as_slice()).unwrap_or(0);
        if flags & HIDDEN_FLAGS != 0 {
            continue;
        }
        let Some(subtype) = a.get::<Name<'_>>(b"Subtype".as_slice()) else { continue };
        let filled = a.get::<Array<'_>>(b"IC".as_slice()).is_some_and(|ic| ic.iter::<f32>().next().is_some());
        let kind = match subtype.as_ref() {
            b"Circle" | b"Square" | b"Polygon" if filled => AnnotKind::Cover,
            b"Circle" | b"Square" | b"Ink" | b"Highlight" | b"Polygon" => AnnotKind::Marks,
            b"StrikeOut" | b"Squiggly" => AnnotKind::StrikeOut,
            b"FreeText" | b"Text" | b"Caret" | b"Stamp" => AnnotKind::Note,
            _ => continue,
        };
        let rect = quad_points(&a).or_else(|| a.get::<PdfRect>(b"Rect".as_slice()).map(|r| r.to_kurbo_rect()));
        let Some(rect) = rect.map(|r| Rect::new(r.x0.min(r.x1), r.y0.min(r.y1), r.x0.max(r.x1), r.y0.max(r.y1))) else {
            continue;
        };
        // a box filled with an interior colour and no appearance of its own
        // (the viewer draws it) covers what is under it
        if kind == AnnotKind::Cover
            && subtype.as_ref() == b"Square"
            && a.get::<Dict<'_>>(b"AP".as_slice()).is_none()
            && let Some(ic) = a.get::<Array<'_>>(b"IC".as_slice())
        {
            let c: Vec<f32> = ic.iter::<f32>().collect();
            let rgb = match c[..] {
                [g] => [g, g, g],
                [r, g, b] => [r, g, b],
                _ => [1.0; 3],
            };
            let order = rec.next();
            if !rec.grid.paint(&rect.to_path(0.1), rect, rgb, order) {
                rec.over_budget = true;
            }
        }
        let contents = a
            .get::<hayro_interpret::hayro_syntax::object::String<'_>>(b"Contents".as_slice())
            .map(|s| decode_text_string(s.as_bytes()));
        out.push(Annot { kind, rect: bbox_of(rect), contents });
    }
    out
}

/// The union of a markup annotation's QuadPoints.
fn quad_points(a: &Dict<'_>) -> Option<Rect> {
    let q: Vec<f64> = a.get::<Array<'_>>(b"QuadPoints".as_slice())?.iter::<f64>().take(8 * 64).collect();
    if q.len() < 8 {
        return None;
    }
    let xs = q.iter().step_by(2);
    let ys = q.iter().skip(1).step_by(2);
    let (x0, x1) = xs.fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(*x), b.max(*x)));
    let (y0, y1) = ys.fold((f64::MAX, f64::MIN), |(a, b), y| (a.min(*y), b.max(*y)));
    Some(Rect::new(x0, y0, x1, y1))
}

/// A PDF text string: UTF-16BE with its BOM, else PDFDocEncoding (read as
/// Latin-1, which it equals for the printable ASCII a note needs).
pub(super) fn decode_text_string(b: &[u8]) -> String {
    if let Some(rest) = b.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = b.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest).into_owned();
    }
    b.iter().map(|&c| c as char).collect()
}
