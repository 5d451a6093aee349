//! Generates filled SDS disclosure sheets as PDFs (krilla, with the shipped
//! IPAexGothic subset) for the PDF importer's tests and benchmark. Every
//! question of the form in form order, laid out like the printed form: a
//! number column, the question text wrapping inside its cell, one cell per
//! choice word, a 備考 label and number; section rows shaded; a repeated
//! page header, column header and page footer; metadata at the top and the
//! 備考記載欄 at the end. The answer marks are drawn in one [`Style`]; the
//! answers the generator chose are the tests' expected values.
//!
//! Included with `#[path]` by several test crates and the bench, so not every
//! item is used by each.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use kaiji::form::{Form, Kind};
use kaiji::sheet::Answer;
use krilla::Document;
use krilla::color::luma;
use krilla::geom::{PathBuilder, Point};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};

/// IPAexGothic cut down to the characters the fixtures use (IPA Font
/// License; see tests/fixtures/README.md for how to regenerate it).
pub const FONT: &[u8] = include_bytes!("../fixtures/fonts/ipaexg-subset.ttf");

pub const VENDOR: &str = "株式会社やまびこ医療クラウド";
pub const SERVICE: &str = "やまびこカルテ クラウド版";
pub const VERSION: &str = "3.2";
pub const CREATED: &str = "2026年2月3日";

/// How the chosen word is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A drawn ellipse around the word.
    Ellipse,
    /// A drawn rounded rectangle around the word.
    RoundedRect,
    /// The word's cell filled with a light colour.
    Shading,
    /// Unchosen words printed in grey.
    Grey,
    /// A ● or ✓ glyph before the word.
    Glyph,
    /// Only the chosen word is printed (a drop-down cell).
    OnlyWord,
    /// Interactive form: a checkbox field before each word.
    AcroForm,
    /// A Circle annotation around the chosen word (marked in a PDF viewer).
    Annotation,
    /// No marks at all (a blank form).
    Unmarked,
}

pub const STYLES: [Style; 8] = [
    Style::Ellipse,
    Style::RoundedRect,
    Style::Shading,
    Style::Grey,
    Style::Glyph,
    Style::OnlyWord,
    Style::AcroForm,
    Style::Annotation,
];

/// What a row shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    Blank,
    One(Answer),
    /// Two words marked: must be left unanswered.
    Two(Answer, Answer),
    /// (Ellipse styles) one shape drawn between two words.
    Between(Answer, Answer),
}

#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub mark: Mark,
    pub cites: Vec<u32>,
    /// The choice words printed, where not the question kind's own (a row
    /// copied from another form, a text layer that lies about its glyphs).
    pub words: Option<Vec<Answer>>,
    /// What the row holds that a person does not see.
    pub hidden: Vec<Hidden>,
}

/// Something in the file a person does not see on the page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hidden {
    pub what: HiddenWhat,
    pub how: Hide,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HiddenWhat {
    /// A copy of the row, just above it, with ● before this word.
    RowCopy(Answer),
    /// A mark on this word, in the sheet's mark style.
    Mark(Answer),
}

/// How it is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hide {
    /// Painted white on the white page.
    White,
    /// Painted with opacity 0.
    Transparent,
    /// Drawn inside a clip that leaves nothing of it.
    Clipped,
    /// A white box painted over it.
    UnderWhiteBox,
    /// Text at 0.3 pt.
    Tiny,
    /// Text in render mode 3 (neither filled nor stroked).
    Invisible,
    /// Placed beyond the page's edge (outside the MediaBox and CropBox).
    OffPage,
    /// Placed in the strip the page's CropBox cuts off (its top 40 pt).
    OffCrop,
    /// Text in an optional-content layer that is off.
    LayerOff,
}

pub const HIDES: [Hide; 9] = [
    Hide::White,
    Hide::Transparent,
    Hide::Clipped,
    Hide::UnderWhiteBox,
    Hide::Tiny,
    Hide::Invisible,
    Hide::OffPage,
    Hide::OffCrop,
    Hide::LayerOff,
];

/// The font size that marks text to be put in an optional-content layer
/// that is off (rewritten after krilla writes the content).
const LAYER_OFF_SIZE: f32 = 7.76;
/// The CropBox's top edge when something is hidden above it (PDF space).
const CROP_TOP: f32 = PAGE_H - 40.0;

/// The font size that marks text to be drawn in render mode 3: the
/// content stream is rewritten after krilla writes it.
const INVISIBLE_SIZE: f32 = 7.77;

#[derive(Debug, Clone)]
pub struct Spec {
    pub style: Style,
    pub rows: Vec<Row>,
    pub remarks: Vec<(u32, Vec<String>)>,
    /// Space below each question row (the bench stretches the sheet to 30 pages).
    pub row_gap: f32,
    /// The header block (作成日, サービス事業者 ...) repeated at the top of
    /// every page, as many vendors print it.
    pub header_every_page: bool,
    /// Rows printed again on a correction page after the 備考記載欄.
    pub appendix: Vec<Row>,
    /// Annotations added on top of the page, as a reviewer's PDF tool does.
    pub annots: Vec<AnnotSpec>,
    /// The header block's fields (and the vendor in every page's corner).
    pub meta: Meta,
}

/// The header block: 作成日, サービス事業者, サービス名称, バージョン.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    pub created: String,
    pub vendor: String,
    pub service: String,
    pub version: String,
}

impl Default for Meta {
    fn default() -> Self {
        Meta { created: CREATED.into(), vendor: VENDOR.into(), service: SERVICE.into(), version: VERSION.into() }
    }
}

/// An annotation on a question row's choice word.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnotSpec {
    pub id: String,
    pub on: Answer,
    pub kind: AnnotType,
    /// With the Hidden flag set (/F 2): a viewer does not show it.
    pub hidden: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AnnotType {
    /// An oval drawn around the word.
    Circle,
    /// An ink stroke around the word (a hand-drawn ring).
    Ink,
    /// The word highlighted.
    Highlight,
    /// The word struck out.
    StrikeOut,
    /// A box filled white over the word's cell, covering what is there.
    WhiteBox,
    /// A note written beside the row.
    FreeText(String),
}

/// What the generator put where, for the tests.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub pages: u32,
    /// Page of each question row, by id.
    pub page_of: BTreeMap<String, u32>,
    /// Pages the 備考記載欄 covers.
    pub remark_pages: BTreeSet<u32>,
    /// Page of each row of the appendix, by id.
    pub appendix_page: BTreeMap<String, u32>,
    /// Where each row's choice words are, by id.
    pub words: BTreeMap<String, RowWords>,
}

/// A row's choice words as placed: page, (word, x0, x1), baseline
/// (top-left origin).
pub type RowWords = (u32, Vec<(Answer, f32, f32)>, f32);

const REMARKS: [&[&str]; 8] = [
    &["当社の国内データセンター二拠点で運用しています。"],
    &["利用者の情報一覧は、契約時にお渡しする資料に記載しています。", "最新版は管理画面からも確認できます。"],
    &["情報セキュリティ委員会を設置し、責任者を任命しています。"],
    &["利用規約の第十二条に安全管理の条項があります。"],
    &["保守作業の一部を協力会社に委託しており、", "委託先とは秘密保持契約を結んでいます。"],
    &["管理端末には覗き見防止フィルタを貼付しています。"],
    &["一定時間操作がない場合、自動でログアウトします。"],
    &[
        "パスワードは十二文字以上とし、英字と数字を混在させる設定にしています。",
        "有効期限は九十日とし、期限が近づくと利用者に通知します。",
        "過去五回分と同じパスワードには変更できません。",
        "連続して五回失敗した場合はアカウントをロックします。",
        "ロックの解除は管理者が本人確認をしたうえで行います。",
        "多要素認証として、ワンタイムパスワードを併用できます。",
        "認証の記録は五年間保存し、定期的に点検しています。",
        "詳細は別紙の運用手順書に記載しています。",
        "運用手順書は年一回見直し、改訂履歴を残しています。",
        "お問い合わせは専用窓口で受け付けています。",
        "窓口の受付時間は平日の九時から十八時までです。",
        "緊急時は二十四時間対応の連絡先をご案内します。",
        "以上の内容は契約書の別紙にも記載しています。",
        "変更がある場合は事前にお知らせします。",
    ],
];

/// The standard fixture: answers for every question (gates 非該当 with
/// 対象外 descendants), three blanks, remark citations, eight remarks, and
/// two rows with two words marked (plus, for the shape styles, one shape
/// drawn between two words).
pub fn spec(form: &Form, style: Style) -> Spec {
    let qs = form.questions();
    let mut rows: Vec<Row> = Vec::new();
    let mut closed: BTreeSet<usize> = BTreeSet::new();
    let mut gate_no = 0;
    for (i, q) in qs.iter().enumerate() {
        let under_closed = form.ancestors(i).any(|a| closed.contains(&a));
        let answer = if under_closed {
            match q.kind {
                Kind::YesNo => Answer::Na,
                Kind::Applicability => Answer::NotApplicable,
            }
        } else {
            match q.kind {
                Kind::Applicability => {
                    gate_no += 1;
                    if gate_no % 3 == 2 {
                        closed.insert(i);
                        Answer::NotApplicable
                    } else {
                        Answer::Applicable
                    }
                }
                Kind::YesNo => [Answer::Yes, Answer::Yes, Answer::No, Answer::Yes, Answer::Na][i % 5],
            }
        };
        let mark = if [7, 61, 140].contains(&i) { Mark::Blank } else { Mark::One(answer) };
        let cites = if i % 17 == 0 {
            vec![(i as u32 / 17) % 8 + 1, (i as u32 / 17 + 1) % 8 + 1]
        } else if i % 6 == 0 {
            vec![(i as u32 / 6) % 8 + 1]
        } else {
            vec![]
        };
        rows.push(Row { id: q.id.clone(), mark, cites, words: None, hidden: Vec::new() });
    }
    for i in [30, 95] {
        if qs[i].kind == Kind::YesNo {
            rows[i].mark = Mark::Two(Answer::Yes, Answer::No);
        }
    }
    if matches!(style, Style::Ellipse | Style::RoundedRect) && qs[150].kind == Kind::YesNo {
        rows[150].mark = Mark::Between(Answer::No, Answer::Na);
    }
    let remarks =
        REMARKS.iter().enumerate().map(|(i, r)| (i as u32 + 1, r.iter().map(|s| s.to_string()).collect())).collect();
    Spec {
        style,
        rows,
        remarks,
        row_gap: 0.0,
        header_every_page: false,
        appendix: Vec::new(),
        annots: Vec::new(),
        meta: Meta::default(),
    }
}

/// A document of `sheet`: its metadata, each answer marked in `style`
/// (a question it leaves unanswered is a blank row), its remark citations
/// and its remarks (inline notes have no place on the printed form and are
/// left out).
pub fn spec_of(form: &Form, sheet: &kaiji::sheet::Sheet, style: Style) -> Spec {
    let mut spec = spec(form, style);
    for (i, row) in spec.rows.iter_mut().enumerate() {
        let entry = sheet.entry_at(i);
        row.mark = match sheet.answer_at(i) {
            Some(a) => Mark::One(a),
            None => Mark::Blank,
        };
        row.cites = entry.map(|e| e.remarks.iter().map(|n| n.value).collect()).unwrap_or_default();
    }
    spec.remarks = sheet.remarks.values().map(|r| (r.number, r.text.lines().map(str::to_string).collect())).collect();
    let created = sheet.created().map(|d| format!("{}年{}月{}日", d.year(), d.month(), d.day()));
    spec.meta = Meta {
        created: created.unwrap_or_default(),
        vendor: sheet.vendor().to_string(),
        service: sheet.service().to_string(),
        version: sheet.version().to_string(),
    };
    spec
}

/// The answer each question should import as (None: blank or ambiguous).
pub fn expected(spec: &Spec) -> BTreeMap<String, Option<Answer>> {
    spec.rows.iter().map(|r| (r.id.clone(), if let Mark::One(a) = r.mark { Some(a) } else { None })).collect()
}

/// Ids of the rows that must be reported ambiguous.
pub fn ambiguous(spec: &Spec) -> Vec<String> {
    spec.rows.iter().filter(|r| matches!(r.mark, Mark::Two(..) | Mark::Between(..))).map(|r| r.id.clone()).collect()
}

/// Printed number of a question: none for the lettered sub-items (17.1.a).
fn printed_number(id: &str) -> Option<&str> {
    (!id.chars().any(|c| c.is_ascii_lowercase())).then_some(id)
}

// ---- layout -------------------------------------------------------------

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const SIZE: f32 = 8.0;
const LINE: f32 = 11.0;
const BOTTOM: f32 = 790.0;
const TEXT_X: f32 = 76.0;
const TEXT_W: f32 = 300.0;
/// Choice cells: left edges; the last one ends at BIKOU_X.
const CHOICE_CELLS: [f32; 3] = [385.0, 430.0, 475.0];
const BIKOU_X: f32 = 520.0;
const CITE_X: f32 = 548.0;
const RIGHT: f32 = 580.0;

#[derive(Debug, Clone)]
enum Item {
    /// Baseline at (x, y), top-left origin.
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
        luma: u8,
    },
    Line {
        x0: f32,
        y0: f32,
        x1: f32,
        y1: f32,
    },
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        luma: u8,
    },
    Ellipse {
        cx: f32,
        cy: f32,
        rx: f32,
        ry: f32,
    },
    RoundRect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
    Checkbox {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        name: String,
        on: bool,
        /// Checked, but a person does not see it: `Invisible` sets the
        /// widget's Hidden flag, `Transparent` gives its on state an
        /// appearance that draws nothing.
        trick: Option<Hide>,
    },
    /// An item a person does not see, and how it is hidden.
    Hidden(Hide, Box<Item>),
}

impl Item {
    /// The item's box (top-left origin), for covering it.
    fn area(&self) -> (f32, f32, f32, f32) {
        match self {
            Item::Text { x, y, size, text, .. } => (*x, y - size, width(text, *size), size * 1.3),
            Item::Line { x0, y0, x1, y1 } => (x0.min(*x1), y0.min(*y1), (x1 - x0).abs() + 1.0, (y1 - y0).abs() + 1.0),
            Item::Fill { x, y, w, h, .. } | Item::RoundRect { x, y, w, h } | Item::Checkbox { x, y, w, h, .. } => {
                (*x, *y, *w, *h)
            }
            Item::Ellipse { cx, cy, rx, ry } => (cx - rx - 1.0, cy - ry - 1.0, 2.0 * rx + 2.0, 2.0 * ry + 2.0),
            Item::Hidden(_, item) => item.area(),
        }
    }

    /// The same item hidden `how` (a white box goes over it when drawn).
    fn hidden(self, how: Hide) -> Item {
        let item = match (how, self) {
            (Hide::OffPage, Item::Text { x, y, size, text, luma }) => {
                Item::Text { x: x + PAGE_W + 40.0, y, size, text, luma }
            }
            (Hide::OffPage, Item::Ellipse { cx, cy, rx, ry }) => Item::Ellipse { cx: cx + PAGE_W + 40.0, cy, rx, ry },
            (Hide::OffPage, Item::RoundRect { x, y, w, h }) => Item::RoundRect { x: x + PAGE_W + 40.0, y, w, h },
            (Hide::OffPage, Item::Fill { x, y, w, h, luma }) => Item::Fill { x: x + PAGE_W + 40.0, y, w, h, luma },
            (Hide::Tiny, Item::Text { x, y, text, luma, .. }) => Item::Text { x, y, size: 0.3, text, luma },
            (Hide::Invisible, Item::Text { x, y, text, luma, .. }) => {
                Item::Text { x, y, size: INVISIBLE_SIZE, text, luma }
            }
            (Hide::LayerOff, Item::Text { x, y, text, luma, .. }) => {
                Item::Text { x, y, size: LAYER_OFF_SIZE, text, luma }
            }
            // into the strip above the CropBox
            (Hide::OffCrop, Item::Text { x, size, text, luma, .. }) => Item::Text { x, y: 20.0, size, text, luma },
            (Hide::OffCrop, Item::Ellipse { cx, rx, ry, .. }) => Item::Ellipse { cx, cy: 20.0, rx, ry },
            (Hide::OffCrop, Item::RoundRect { x, w, h, .. }) => Item::RoundRect { x, y: 14.0, w, h },
            (Hide::OffCrop, Item::Fill { x, w, luma, .. }) => Item::Fill { x, y: 8.0, w, h: 20.0, luma },
            (_, item) => item,
        };
        Item::Hidden(how, Box::new(item))
    }
}

fn width(text: &str, size: f32) -> f32 {
    text.chars().map(|c| if c.is_ascii() { 0.5 } else { 1.0 }).sum::<f32>() * size
}

fn wrap(text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = vec![String::new()];
    for c in text.chars() {
        let cur = lines.last_mut().unwrap();
        if width(cur, size) + width(&c.to_string(), size) > max {
            lines.push(String::new());
        }
        lines.last_mut().unwrap().push(c);
    }
    lines
}

struct Pager {
    pages: Vec<Vec<Item>>,
    y: f32,
    header_every_page: bool,
    meta: Meta,
}

impl Pager {
    fn items(&mut self) -> &mut Vec<Item> {
        self.pages.last_mut().unwrap()
    }
    fn page(&self) -> u32 {
        self.pages.len() as u32
    }
    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        let vendor = self.meta.vendor.clone();
        let items = self.items();
        items.push(Item::Text { x: 36.0, y: 28.0, size: 7.0, text: vendor, luma: 0 });
        items.push(Item::Text { x: 520.0, y: 28.0, size: 7.0, text: "社外秘".into(), luma: 0 });
        self.y = 44.0;
        if self.pages.len() > 1 {
            if self.header_every_page {
                self.header_block();
            }
            self.column_header();
        }
    }
    fn title(&mut self) {
        let y = self.y + 26.0;
        self.items().push(Item::Text {
            x: 60.0,
            y,
            size: 13.0,
            text: "サービス事業者による医療情報セキュリティ開示書".into(),
            luma: 0,
        });
        self.y += 52.0;
    }
    fn header_block(&mut self) {
        let m = self.meta.clone();
        for (label, value) in [
            ("作成日", m.created),
            ("サービス事業者", m.vendor),
            ("サービス名称", m.service),
            ("バージョン", m.version),
        ] {
            let y = self.y;
            self.items().push(Item::Text { x: 40.0, y, size: 9.0, text: label.into(), luma: 0 });
            self.items().push(Item::Text { x: 140.0, y, size: 9.0, text: value, luma: 0 });
            self.y += 14.0;
        }
        self.y += 10.0;
    }
    fn column_header(&mut self) {
        let y = self.y;
        let items = self.items();
        items.push(Item::Fill { x: 34.0, y, w: RIGHT - 34.0, h: 14.0, luma: 220 });
        for (x, t) in
            [(38.0, "No."), (TEXT_X + 4.0, "質問項目"), (CHOICE_CELLS[1] + 6.0, "回答"), (BIKOU_X + 2.0, "備考")]
        {
            items.push(Item::Text { x, y: y + 10.0, size: SIZE, text: t.into(), luma: 0 });
        }
        self.y += 14.0;
    }
    fn ensure(&mut self, h: f32) {
        if self.y + h > BOTTOM {
            self.new_page();
        }
    }
}

fn lay_out(form: &Form, spec: &Spec) -> (Vec<Vec<Item>>, Layout) {
    let mut p = Pager { pages: Vec::new(), y: 0.0, header_every_page: spec.header_every_page, meta: spec.meta.clone() };
    let mut layout = Layout::default();
    p.new_page();
    p.title();
    p.header_block();
    p.column_header();
    let mut section = String::new();
    for (i, (q, row)) in form.questions().iter().zip(&spec.rows).enumerate() {
        if q.section != section {
            section = q.section.clone();
            p.ensure(16.0 + 30.0);
            let y = p.y;
            p.items().push(Item::Fill { x: 34.0, y, w: RIGHT - 34.0, h: 16.0, luma: 230 });
            p.items().push(Item::Text { x: 40.0, y: y + 11.0, size: SIZE, text: section.clone(), luma: 0 });
            p.y += 16.0;
        }
        let page = question_row(&mut p, spec, i, q, row, &mut layout);
        layout.page_of.insert(q.id.clone(), page);
    }
    // 備考記載欄, placed so that it runs over a page break
    let remark_lines: usize =
        spec.remarks.iter().map(|(_, ls)| ls.iter().map(|l| wrap(l, SIZE, 480.0).len()).sum::<usize>()).sum();
    let need = 30.0 + remark_lines as f32 * LINE;
    p.y += 12.0;
    p.ensure(40.0);
    if p.y + need <= BOTTOM {
        p.y = (BOTTOM - need / 2.0).max(p.y);
    }
    let y = p.y;
    p.items().push(Item::Text { x: 40.0, y: y + 10.0, size: 10.0, text: "備考記載欄".into(), luma: 0 });
    layout.remark_pages.insert(p.page());
    p.y += 18.0;
    for (n, lines) in &spec.remarks {
        let wrapped: Vec<String> = lines.iter().flat_map(|l| wrap(l, SIZE, 480.0)).collect();
        for (k, l) in wrapped.iter().enumerate() {
            p.ensure(LINE);
            layout.remark_pages.insert(p.page());
            let y = p.y + 9.0;
            if k == 0 {
                p.items().push(Item::Text { x: 40.0, y, size: SIZE, text: n.to_string(), luma: 0 });
            }
            p.items().push(Item::Text { x: 60.0, y, size: SIZE, text: l.clone(), luma: 0 });
            p.y += LINE;
        }
    }
    // a correction page: rows printed again after the remarks
    if !spec.appendix.is_empty() {
        p.new_page();
        let y = p.y + 12.0;
        p.items().push(Item::Text {
            x: 40.0,
            y,
            size: 11.0,
            text: "サービス事業者による医療情報セキュリティ開示書（訂正）".into(),
            luma: 0,
        });
        p.y += 20.0;
        for row in &spec.appendix {
            let i = form.index_of(&row.id).expect("an appendix row of the form");
            let page = question_row(&mut p, spec, i, &form.questions()[i], row, &mut layout);
            layout.appendix_page.insert(row.id.clone(), page);
        }
    }
    let total = p.pages.len();
    for (k, items) in p.pages.iter_mut().enumerate() {
        items.push(Item::Text { x: 280.0, y: 820.0, size: 7.0, text: format!("- {} / {} -", k + 1, total), luma: 0 });
    }
    layout.pages = total as u32;
    (p.pages, layout)
}

/// Draw one question row (the `i`th question of the form) at the pager's
/// place; the page it went on.
fn question_row(
    p: &mut Pager,
    spec: &Spec,
    i: usize,
    q: &kaiji::form::Question,
    row: &Row,
    layout: &mut Layout,
) -> u32 {
    let glyph_marks = ["●", "✓"];
    let text = if printed_number(&q.id).is_some() { q.text.clone() } else { format!("・{}", q.text) };
    let lines = wrap(&text, SIZE, TEXT_W);
    let h = lines.len() as f32 * LINE + 7.0;
    let copies: Vec<(Answer, Hide)> = row
        .hidden
        .iter()
        .filter_map(|hd| match hd.what {
            HiddenWhat::RowCopy(a) => Some((a, hd.how)),
            HiddenWhat::Mark(_) => None,
        })
        .collect();
    p.ensure((h + spec.row_gap) * (1 + copies.len()) as f32);
    // hidden copies of the row first, each on a band of its own above it
    for (answer, how) in copies {
        let top = p.y;
        let base = top + h / 2.0 + 3.0;
        let mut items: Vec<Item> = Vec::new();
        if let Some(n) = printed_number(&q.id) {
            items.push(Item::Text { x: 38.0, y: top + 12.0, size: SIZE, text: n.into(), luma: 0 });
        }
        for (k, l) in lines.iter().enumerate() {
            items.push(Item::Text {
                x: TEXT_X + 3.0,
                y: top + 12.0 + k as f32 * LINE,
                size: SIZE,
                text: l.clone(),
                luma: 0,
            });
        }
        for (k, a) in q.kind.choices().iter().enumerate() {
            let w = width(a.as_str(), SIZE);
            let x0 = CHOICE_CELLS[k] + (45.0 - w) / 2.0;
            if *a == answer {
                items.push(Item::Text { x: x0 - SIZE - 1.5, y: base, size: SIZE, text: "●".into(), luma: 0 });
            }
            if spec.style != Style::OnlyWord || *a == answer {
                items.push(Item::Text { x: x0, y: base, size: SIZE, text: a.as_str().into(), luma: 0 });
            }
        }
        items.push(Item::Text { x: BIKOU_X + 2.0, y: base, size: SIZE, text: "備考".into(), luma: 0 });
        items.push(Item::Text { x: CITE_X + 3.0, y: base, size: SIZE, text: "-".into(), luma: 0 });
        let page_items = p.items();
        if how == Hide::OffCrop {
            // the whole copy, lines and all, in the strip above the CropBox
            let dy = 4.0 - top;
            let shifted = items.into_iter().map(|i| match i {
                Item::Text { x, y, size, text, luma } => Item::Text { x, y: y + dy, size, text, luma },
                other => other,
            });
            page_items.extend(shifted.map(|i| Item::Hidden(how, Box::new(i))));
        } else {
            page_items.extend(items.into_iter().map(|i| i.hidden(how)));
        }
        p.y += h + spec.row_gap;
    }
    let page = p.page();
    let top = p.y;
    let style = spec.style;
    let items = p.items();
    for (k, l) in lines.iter().enumerate() {
        items.push(Item::Text {
            x: TEXT_X + 3.0,
            y: top + 12.0 + k as f32 * LINE,
            size: SIZE,
            text: l.clone(),
            luma: 0,
        });
    }
    if let Some(n) = printed_number(&q.id) {
        items.push(Item::Text { x: 38.0, y: top + 12.0, size: SIZE, text: n.into(), luma: 0 });
    }
    let base = top + h / 2.0 + 3.0;
    let choices: &[Answer] = row.words.as_deref().unwrap_or(q.kind.choices());
    let marked: Vec<Answer> = match &row.mark {
        Mark::Blank => vec![],
        Mark::One(a) => vec![*a],
        Mark::Two(a, b) => vec![*a, *b],
        Mark::Between(..) => vec![],
    };
    // word boxes (x0, x1) for the marks
    let boxes: Vec<(f32, f32)> = choices
        .iter()
        .enumerate()
        .map(|(k, a)| {
            let cell = CHOICE_CELLS[k.min(2)];
            let w = width(a.as_str(), SIZE);
            let x0 = cell + (45.0 - w) / 2.0;
            (x0, x0 + w)
        })
        .collect();
    let placed = choices.iter().zip(&boxes).map(|(a, (x0, x1))| (*a, *x0, *x1)).collect();
    layout.words.entry(q.id.clone()).or_insert((page, placed, base));
    // With printed words overridden, the mark goes on the first word equal
    // to the marked one (a lying row marks the word it prints).
    let mut marked_left = marked.clone();
    for (k, a) in choices.iter().enumerate() {
        let chosen = match marked_left.iter().position(|m| m == a) {
            Some(at) => {
                marked_left.remove(at);
                true
            }
            None => false,
        };
        let (x0, x1) = boxes[k];
        let cell = CHOICE_CELLS[k.min(2)];
        match style {
            Style::Shading if chosen => {
                // behind the word: drawn first
                items.insert(0, Item::Fill { x: cell + 1.0, y: top + 1.0, w: 43.0, h: h - 2.0, luma: 200 })
            }
            Style::Ellipse if chosen => items.push(Item::Ellipse {
                cx: (x0 + x1) / 2.0,
                cy: base - SIZE * 0.35,
                rx: (x1 - x0) / 2.0 + 5.0,
                ry: SIZE * 0.5 + 3.0,
            }),
            Style::RoundedRect if chosen => {
                items.push(Item::RoundRect { x: x0 - 4.0, y: base - SIZE - 2.0, w: x1 - x0 + 8.0, h: SIZE + 5.0 })
            }
            Style::Glyph if chosen => items.push(Item::Text {
                x: x0 - SIZE - 1.5,
                y: base,
                size: SIZE,
                text: glyph_marks[i % 2].into(),
                luma: 0,
            }),
            Style::AcroForm => {
                let trick = row.hidden.iter().find(|hd| {
                    hd.what == HiddenWhat::Mark(*a) && matches!(hd.how, Hide::Invisible | Hide::Transparent)
                });
                items.push(Item::Checkbox {
                    x: x0 - 9.0,
                    y: base - 7.0,
                    w: 7.0,
                    h: 7.0,
                    name: format!("q{}_{}_p{page}", q.id.replace('.', "_"), k),
                    on: chosen || trick.is_some(),
                    trick: trick.map(|t| t.how),
                })
            }
            _ => {}
        }
        for hd in &row.hidden {
            let widget_trick = style == Style::AcroForm && matches!(hd.how, Hide::Invisible | Hide::Transparent);
            if hd.what == HiddenWhat::Mark(*a) && !widget_trick {
                let mark = match style {
                    Style::Ellipse | Style::OnlyWord | Style::Grey | Style::AcroForm | Style::Annotation => {
                        Item::Ellipse {
                            cx: (x0 + x1) / 2.0,
                            cy: base - SIZE * 0.35,
                            rx: (x1 - x0) / 2.0 + 5.0,
                            ry: SIZE * 0.5 + 3.0,
                        }
                    }
                    Style::RoundedRect => {
                        Item::RoundRect { x: x0 - 4.0, y: base - SIZE - 2.0, w: x1 - x0 + 8.0, h: SIZE + 5.0 }
                    }
                    Style::Shading => Item::Fill { x: cell + 1.0, y: top + 1.0, w: 43.0, h: h - 2.0, luma: 200 },
                    Style::Glyph | Style::Unmarked => {
                        Item::Text { x: x0 - SIZE - 1.5, y: base, size: SIZE, text: "●".into(), luma: 0 }
                    }
                };
                items.push(mark.hidden(hd.how));
            }
        }
        let show = style != Style::OnlyWord || chosen;
        if show {
            let luma = if style == Style::Grey && !chosen { 150 } else { 0 };
            let x = if style == Style::OnlyWord {
                // one drop-down cell across the choice columns
                CHOICE_CELLS[0]
                    + (BIKOU_X - CHOICE_CELLS[0] - width(a.as_str(), SIZE)) / 2.0
                    + if marked.len() > 1 { (k as f32 - 0.5) * 30.0 } else { 0.0 }
            } else {
                x0
            };
            items.push(Item::Text { x, y: base, size: SIZE, text: a.as_str().into(), luma });
        }
    }
    if let Mark::Between(a, b) = &row.mark {
        let ka = choices.iter().position(|c| c == a).unwrap();
        let kb = choices.iter().position(|c| c == b).unwrap();
        let cx = (boxes[ka].1 + boxes[kb].0) / 2.0;
        items.push(Item::Ellipse { cx, cy: base - SIZE * 0.35, rx: 20.0, ry: SIZE * 0.5 + 3.0 });
    }
    items.push(Item::Text { x: BIKOU_X + 2.0, y: base, size: SIZE, text: "備考".into(), luma: 0 });
    let cite = if row.cites.is_empty() {
        "-".to_string()
    } else {
        row.cites.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
    };
    items.push(Item::Text { x: CITE_X + 3.0, y: base, size: SIZE, text: cite, luma: 0 });
    // cell rules: straight lines, as a spreadsheet prints them
    items.push(Item::Line { x0: 34.0, y0: top, x1: RIGHT, y1: top });
    items.push(Item::Line { x0: 34.0, y0: top + h, x1: RIGHT, y1: top + h });
    for x in [34.0, TEXT_X, CHOICE_CELLS[0], CHOICE_CELLS[1], CHOICE_CELLS[2], BIKOU_X, CITE_X, RIGHT] {
        items.push(Item::Line { x0: x, y0: top, x1: x, y1: top + h });
    }
    p.y += h + spec.row_gap;
    page
}

/// Remark texts as the importer should read them: the printed lines.
pub fn remark_texts(spec: &Spec) -> BTreeMap<u32, String> {
    spec.remarks
        .iter()
        .map(|(n, lines)| (*n, lines.iter().flat_map(|l| wrap(l, SIZE, 480.0)).collect::<Vec<_>>().join("\n")))
        .collect()
}

// ---- rendering ----------------------------------------------------------

fn font() -> Font {
    Font::new(FONT.to_vec().into(), 0).expect("the shipped font subset loads")
}

fn fill(l: u8) -> Fill {
    Fill { paint: luma::Color::new(l).into(), opacity: NormalizedF32::ONE, rule: Default::default() }
}

fn stroke(width: f32) -> Stroke {
    Stroke { width, ..Stroke::default() }
}

fn render(pages: &[Vec<Item>]) -> Vec<u8> {
    let font = font();
    let mut doc = Document::new();
    for items in pages {
        let mut page = doc.start_page_with(PageSettings::from_wh(PAGE_W, PAGE_H).unwrap());
        let mut s = page.surface();
        for item in items {
            draw(&mut s, &font, item);
        }
        s.finish();
        page.finish();
    }
    let pdf = doc.finish().expect("krilla writes the PDF");
    let crop = pages.iter().flatten().any(|i| matches!(i, Item::Hidden(Hide::OffCrop, _)));
    invisible_text(pdf, crop)
}

/// Draw one item.
fn draw(s: &mut krilla::surface::Surface<'_>, font: &Font, item: &Item) {
    {
        {
            match item {
                Item::Text { x, y, size, text, luma } => {
                    s.set_fill(Some(fill(*luma)));
                    s.set_stroke(None);
                    s.draw_text(Point::from_xy(*x, *y), font.clone(), *size, text, false, TextDirection::Auto);
                }
                Item::Line { x0, y0, x1, y1 } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(*x0, *y0);
                    pb.line_to(*x1, *y1);
                    s.set_fill(None);
                    s.set_stroke(Some(stroke(0.4)));
                    s.draw_path(&pb.finish().unwrap());
                }
                Item::Fill { x, y, w, h, luma } => {
                    let mut pb = PathBuilder::new();
                    pb.push_rect(krilla::geom::Rect::from_xywh(*x, *y, *w, *h).unwrap());
                    s.set_fill(Some(fill(*luma)));
                    s.set_stroke(None);
                    s.draw_path(&pb.finish().unwrap());
                }
                Item::Ellipse { .. } | Item::RoundRect { .. } => outline(s, item, stroke(0.8)),
                Item::Hidden(how, item) => draw_hidden(s, font, *how, item),
                Item::Checkbox { x, y, w, h, .. } => {
                    // the box as printed; the field itself is added afterwards
                    let mut pb = PathBuilder::new();
                    pb.push_rect(krilla::geom::Rect::from_xywh(*x, *y, *w, *h).unwrap());
                    s.set_fill(None);
                    s.set_stroke(Some(stroke(0.5)));
                    s.draw_path(&pb.finish().unwrap());
                }
            }
        }
    }
}

/// Draw an item a person will not see.
fn draw_hidden(s: &mut krilla::surface::Surface<'_>, font: &Font, how: Hide, item: &Item) {
    match how {
        Hide::White | Hide::Transparent => {
            let (l, opacity) = if how == Hide::White { (255, 1.0) } else { (0, 0.0) };
            let opacity = NormalizedF32::new(opacity).unwrap();
            let paint: krilla::paint::Paint = luma::Color::new(l).into();
            match item {
                Item::Text { x, y, size, text, .. } => {
                    s.set_fill(Some(Fill { paint, opacity, rule: Default::default() }));
                    s.set_stroke(None);
                    s.draw_text(Point::from_xy(*x, *y), font.clone(), *size, text, false, TextDirection::Auto);
                }
                Item::Fill { .. } => {
                    let (x, y, w, h) = item.area();
                    let mut pb = PathBuilder::new();
                    pb.push_rect(krilla::geom::Rect::from_xywh(x, y, w, h).unwrap());
                    s.set_fill(Some(Fill { paint, opacity, rule: Default::default() }));
                    s.set_stroke(None);
                    s.draw_path(&pb.finish().unwrap());
                }
                other => {
                    // outlines: drawn with the stroke in that paint
                    s.push_opacity(opacity);
                    if how == Hide::White {
                        let white = Stroke { paint, width: 0.8, ..Stroke::default() };
                        outline(s, other, white);
                    } else {
                        draw(s, font, other);
                    }
                    s.pop();
                }
            }
        }
        Hide::Clipped => {
            let mut pb = PathBuilder::new();
            pb.push_rect(krilla::geom::Rect::from_xywh(1.0, 1.0, 2.0, 2.0).unwrap());
            s.push_clip_path(&pb.finish().unwrap(), &Default::default());
            draw(s, font, item);
            s.pop();
        }
        Hide::UnderWhiteBox => {
            draw(s, font, item);
            let (x, y, w, h) = item.area();
            draw(s, font, &Item::Fill { x: x - 1.0, y: y - 1.0, w: w + 2.0, h: h + 2.0, luma: 255 });
        }
        Hide::Tiny | Hide::Invisible | Hide::OffPage | Hide::OffCrop | Hide::LayerOff => draw(s, font, item),
    }
}

/// An ellipse (four Bézier quarters, as office suites draw an oval) or a
/// rounded box, outlined with `stroke`.
fn outline(s: &mut krilla::surface::Surface<'_>, item: &Item, stroke: Stroke) {
    let path = match item {
        Item::Ellipse { cx, cy, rx, ry } => {
            let (kx, ky) = (rx * 0.5523, ry * 0.5523);
            let mut pb = PathBuilder::new();
            pb.move_to(cx + rx, *cy);
            pb.cubic_to(cx + rx, cy + ky, cx + kx, cy + ry, *cx, cy + ry);
            pb.cubic_to(cx - kx, cy + ry, cx - rx, cy + ky, cx - rx, *cy);
            pb.cubic_to(cx - rx, cy - ky, cx - kx, cy - ry, *cx, cy - ry);
            pb.cubic_to(cx + kx, cy - ry, cx + rx, cy - ky, cx + rx, *cy);
            pb.close();
            pb.finish().unwrap()
        }
        Item::RoundRect { x, y, w, h } => {
            let mut pb = PathBuilder::new();
            let (r, k) = (3.0, 3.0 * 0.5523);
            pb.move_to(x + r, *y);
            pb.line_to(x + w - r, *y);
            pb.cubic_to(x + w - r + k, *y, x + w, y + r - k, x + w, y + r);
            pb.line_to(x + w, y + h - r);
            pb.cubic_to(x + w, y + h - r + k, x + w - r + k, y + h, x + w - r, y + h);
            pb.line_to(x + r, y + h);
            pb.cubic_to(x + r - k, y + h, *x, y + h - r + k, *x, y + h - r);
            pb.line_to(*x, y + r);
            pb.cubic_to(*x, y + r - k, x + r - k, *y, x + r, *y);
            pb.close();
            pb.finish().unwrap()
        }
        _ => return,
    };
    s.set_fill(None);
    s.set_stroke(Some(stroke));
    s.draw_path(&path);
}

/// Text drawn at [`INVISIBLE_SIZE`] is put in render mode 3: krilla has no
/// such mode, so `7.77 Tf` in each page's content gets `3 Tr` after it.
fn invisible_text(pdf: Vec<u8>, crop: bool) -> Vec<u8> {
    use lopdf::{Object, dictionary};
    let needle = format!(" {INVISIBLE_SIZE} Tf").into_bytes();
    let layer = format!(" {LAYER_OFF_SIZE} Tf").into_bytes();
    let mut doc = lopdf::Document::load_mem(&pdf).expect("krilla output loads");
    let ocg = doc.add_object(dictionary! { "Type" => "OCG", "Name" => Object::string_literal("hidden") });
    let mut changed = crop;
    for (_, page) in doc.get_pages() {
        let content = doc.get_page_content(page);
        let mut fixed = Vec::with_capacity(content.len() + 64);
        let mut bt = 0;
        let mut close_layer = false;
        let mut i = 0;
        while i < content.len() {
            if content[i..].starts_with(b"BT") && (i == 0 || content[i - 1].is_ascii_whitespace()) {
                bt = fixed.len();
            }
            if content[i..].starts_with(&needle) {
                fixed.extend_from_slice(&needle);
                fixed.extend_from_slice(b" 3 Tr");
                i += needle.len();
                changed = true;
            } else if content[i..].starts_with(&layer) {
                // the text object goes in the layer that is off
                fixed.splice(bt..bt, b"/OC /HiddenLayer BDC ".iter().copied());
                fixed.extend_from_slice(&layer);
                i += layer.len();
                close_layer = true;
                changed = true;
            } else if content[i..].starts_with(b"\nET") || content[i..].starts_with(b" ET") {
                // back to filled text after each text object
                fixed.extend_from_slice(b" 0 Tr");
                fixed.extend_from_slice(&content[i..i + 3]);
                i += 3;
                if close_layer {
                    fixed.extend_from_slice(b" EMC");
                    close_layer = false;
                }
            } else {
                fixed.push(content[i]);
                i += 1;
            }
        }
        doc.change_page_content(page, fixed).expect("content replaced");
        let dict = doc.get_object_mut(page).and_then(Object::as_dict_mut).expect("a page");
        if crop {
            dict.set("CropBox", vec![0.into(), 0.into(), PAGE_W.into(), CROP_TOP.into()]);
        }
        let resources = dict.get(b"Resources").cloned().expect("page resources");
        let res = match resources {
            Object::Reference(r) => doc.get_object_mut(r).and_then(Object::as_dict_mut).expect("resources"),
            _ => doc
                .get_object_mut(page)
                .and_then(Object::as_dict_mut)
                .unwrap()
                .get_mut(b"Resources")
                .unwrap()
                .as_dict_mut()
                .unwrap(),
        };
        res.set("Properties", dictionary! { "HiddenLayer" => ocg });
    }
    if !changed {
        return pdf;
    }
    let root = doc.trailer.get(b"Root").and_then(Object::as_reference).expect("a catalog");
    let props = dictionary! {
        "OCGs" => vec![ocg.into()],
        "D" => dictionary! { "OFF" => vec![ocg.into()], "Order" => vec![ocg.into()] },
    };
    doc.get_object_mut(root).and_then(Object::as_dict_mut).expect("catalog").set("OCProperties", props);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("lopdf writes the PDF");
    out
}

/// Add the checkbox widgets as AcroForm fields (krilla writes no form
/// fields): one /Btn field per checkbox, /V and /AS /Yes or /Off.
fn add_fields(pdf: Vec<u8>, pages: &[Vec<Item>]) -> Vec<u8> {
    use lopdf::{Dictionary, Object, dictionary};
    let mut doc = lopdf::Document::load_mem(&pdf).expect("krilla output loads");
    let page_ids: Vec<_> = doc.get_pages().values().copied().collect();
    let mut fields = Vec::new();
    for (items, page_id) in pages.iter().zip(page_ids) {
        let mut annots = Vec::new();
        for item in items {
            if let Item::Checkbox { x, y, w, h, name, on, trick } = item {
                let state = if *on { "Yes" } else { "Off" };
                // PDF space: origin bottom-left
                let rect = vec![(*x).into(), (PAGE_H - y - h).into(), (x + w).into(), (PAGE_H - y).into()];
                let mut widget: Dictionary = dictionary! {
                    "Type" => "Annot",
                    "Subtype" => "Widget",
                    "FT" => "Btn",
                    "T" => Object::string_literal(name.as_str()),
                    "V" => Object::Name(state.into()),
                    "AS" => Object::Name(state.into()),
                    "Rect" => rect,
                    "P" => page_id,
                };
                match trick {
                    Some(Hide::Invisible) => widget.set("F", 2),
                    Some(_) => {
                        let nothing = doc.add_object(lopdf::Stream::new(
                            dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), (*w).into(), (*h).into()] },
                            Vec::new(),
                        ));
                        widget.set("AP", dictionary! { "N" => dictionary! { "Yes" => nothing, "Off" => nothing } });
                    }
                    None => {}
                }
                let id = doc.add_object(widget);
                annots.push(Object::Reference(id));
                fields.push(Object::Reference(id));
            }
        }
        if let Ok(page) = doc.get_object_mut(page_id).and_then(Object::as_dict_mut) {
            page.set("Annots", annots);
        }
    }
    let form = doc.add_object(dictionary! { "Fields" => fields });
    let root = doc.trailer.get(b"Root").and_then(Object::as_reference).expect("a catalog");
    doc.get_object_mut(root).and_then(Object::as_dict_mut).expect("catalog dict").set("AcroForm", form);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("lopdf writes the PDF");
    out
}

/// The sheet as PDF bytes, and where things went.
pub fn sheet_pdf(form: &Form, spec: &Spec) -> (Vec<u8>, Layout) {
    let (pages, layout) = lay_out(form, spec);
    let pdf = render(&pages);
    let pdf = if spec.style == Style::AcroForm { add_fields(pdf, &pages) } else { pdf };
    // the Annotation style marks each chosen word with a Circle annotation
    let mut annots = spec.annots.clone();
    if spec.style == Style::Annotation {
        for row in &spec.rows {
            let words = match &row.mark {
                Mark::One(a) => vec![*a],
                Mark::Two(a, b) => vec![*a, *b],
                Mark::Blank | Mark::Between(..) => vec![],
            };
            annots.extend(words.into_iter().map(|on| AnnotSpec {
                id: row.id.clone(),
                on,
                kind: AnnotType::Circle,
                hidden: false,
            }));
        }
    }
    let pdf = if annots.is_empty() { pdf } else { add_annots(pdf, &annots, &layout) };
    (pdf, layout)
}

/// Add the annotations (no appearance streams: a viewer draws them from
/// their dictionaries, as it does those most tools write).
fn add_annots(pdf: Vec<u8>, annots: &[AnnotSpec], layout: &Layout) -> Vec<u8> {
    use lopdf::{Object, dictionary};
    let mut doc = lopdf::Document::load_mem(&pdf).expect("fixture loads");
    let page_ids: Vec<_> = doc.get_pages().values().copied().collect();
    let mut by_page: BTreeMap<u32, Vec<Object>> = BTreeMap::new();
    for a in annots {
        let (page, words, base) = &layout.words[&a.id];
        let &(_, x0, x1) = words.iter().find(|w| w.0 == a.on).expect("the word is on the row");
        // PDF space: origin bottom-left; the word's box from its baseline
        let (y0, y1) = (PAGE_H - base - 2.0, PAGE_H - base + SIZE);
        let ring = [x0 - 5.0, y0 - 3.0, x1 + 5.0, y1 + 3.0];
        let quad = vec![x0, y1, x1, y1, x0, y0, x1, y0].into_iter().map(Object::Real).collect::<Vec<_>>();
        let reals = |v: [f32; 4]| v.into_iter().map(Object::Real).collect::<Vec<_>>();
        let red = vec![Object::Real(1.0), Object::Real(0.0), Object::Real(0.0)];
        let flags = if a.hidden { 2 } else { 4 };
        let dict = match &a.kind {
            AnnotType::Circle => dictionary! {
                "Type" => "Annot", "Subtype" => "Circle", "Rect" => reals(ring), "C" => red, "F" => flags,
            },
            AnnotType::Ink => {
                let (cx, cy, rx, ry) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0, (x1 - x0) / 2.0 + 5.0, SIZE * 0.5 + 3.0);
                let points: Vec<Object> = (0..=24)
                    .flat_map(|k| {
                        let t = k as f32 / 24.0 * std::f32::consts::TAU;
                        [Object::Real(cx + rx * t.cos()), Object::Real(cy + ry * t.sin())]
                    })
                    .collect();
                dictionary! {
                    "Type" => "Annot", "Subtype" => "Ink", "Rect" => reals(ring), "C" => red, "F" => flags,
                    "InkList" => vec![Object::Array(points)],
                }
            }
            AnnotType::Highlight => dictionary! {
                "Type" => "Annot", "Subtype" => "Highlight", "Rect" => reals([x0, y0, x1, y1]), "F" => flags,
                "QuadPoints" => quad, "C" => vec![Object::Real(1.0), Object::Real(1.0), Object::Real(0.0)],
            },
            AnnotType::StrikeOut => dictionary! {
                "Type" => "Annot", "Subtype" => "StrikeOut", "Rect" => reals([x0, y0, x1, y1]), "F" => flags,
                "QuadPoints" => quad, "C" => red,
            },
            AnnotType::WhiteBox => dictionary! {
                "Type" => "Annot", "Subtype" => "Square", "Rect" => reals([x0 - 6.0, y0 - 4.0, x1 + 6.0, y1 + 4.0]),
                "F" => flags, "C" => vec![Object::Real(1.0)], "IC" => vec![Object::Real(1.0)],
            },
            AnnotType::FreeText(text) => dictionary! {
                "Type" => "Annot", "Subtype" => "FreeText", "Rect" => reals([RIGHT - 60.0, y0 - 2.0, RIGHT + 10.0, y1 + 2.0]),
                "F" => flags, "DA" => Object::string_literal("/Helv 8 Tf 0 g"),
                "Contents" => Object::String(utf16_text(text), lopdf::StringFormat::Hexadecimal),
            },
        };
        let id = doc.add_object(dict);
        by_page.entry(*page).or_default().push(Object::Reference(id));
    }
    for (page, refs) in by_page {
        let page_id = page_ids[page as usize - 1];
        let dict = doc.get_object_mut(page_id).and_then(Object::as_dict_mut).expect("a page");
        let mut all = match dict.get(b"Annots") {
            Ok(Object::Array(a)) => a.clone(),
            _ => Vec::new(),
        };
        all.extend(refs);
        dict.set("Annots", all);
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("lopdf writes the PDF");
    out
}

/// A PDF text string in UTF-16BE with its byte order mark.
fn utf16_text(s: &str) -> Vec<u8> {
    let mut out = vec![0xFE, 0xFF];
    out.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
    out
}

/// A PDF that is not a disclosure sheet: a short letter.
pub fn letter_pdf() -> Vec<u8> {
    let lines =
        ["お知らせ", "平素より格別のご高配を賜り、厚く御礼申し上げます。", "本書は点検の日程をご案内するものです。"];
    let items: Vec<Item> = lines
        .iter()
        .enumerate()
        .map(|(k, t)| Item::Text { x: 60.0, y: 80.0 + k as f32 * 20.0, size: 11.0, text: t.to_string(), luma: 0 })
        .collect();
    render(&[items])
}

/// A page of drawing and no text at all, as a scanned sheet is to a
/// text reader (its picture carries the words).
pub fn textless_pdf() -> Vec<u8> {
    let mut items = vec![Item::Fill { x: 40.0, y: 40.0, w: 500.0, h: 700.0, luma: 230 }];
    for k in 0..30 {
        let y = 60.0 + k as f32 * 22.0;
        items.push(Item::Line { x0: 40.0, y0: y, x1: 540.0, y1: y });
    }
    render(&[items])
}

/// `pdf` with every page's /Rotate set to `degrees`: a sheet scanned or
/// saved in landscape. The content (and so every position) is unchanged.
pub fn rotated(pdf: &[u8], degrees: i64) -> Vec<u8> {
    let mut doc = lopdf::Document::load_mem(pdf).expect("fixture loads");
    let pages: Vec<lopdf::ObjectId> = doc.get_pages().into_values().collect();
    for id in pages {
        let page = doc.get_object_mut(id).and_then(lopdf::Object::as_dict_mut).expect("a page dictionary");
        page.set("Rotate", lopdf::Object::Integer(degrees));
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("saves");
    out
}

/// The fixture encrypted with an owner and a user password (RC4, 128 bit).
pub fn encrypted(pdf: &[u8]) -> Vec<u8> {
    encrypted_with(pdf, "user")
}

/// The fixture encrypted with this user password (`""`: anyone may open
/// it, its streams ciphertext in the file) and an owner password.
pub fn encrypted_with(pdf: &[u8], user_password: &str) -> Vec<u8> {
    let mut doc = lopdf::Document::load_mem(pdf).expect("fixture loads");
    let state = lopdf::EncryptionState::try_from(lopdf::EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner",
        user_password,
        key_length: 128,
        permissions: lopdf::Permissions::all(),
    })
    .expect("encryption state");
    doc.encrypt(&state).expect("encrypts");
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("saves");
    out
}

/// A PDF of `objects` (numbered from 1, the first the catalog), with a
/// correct cross-reference table and a file ID (which encryption needs).
pub fn objects_pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    let trailer = format!(
        "trailer\n<< /Size {} /Root 1 0 R /ID [<0123456789abcdef> <0123456789abcdef>] >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend_from_slice(trailer.as_bytes());
    out
}
