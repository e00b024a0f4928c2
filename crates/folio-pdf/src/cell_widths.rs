//! The widths of plain-text table cells, computed here so that the theme need not lay them out
//! to measure them.
//!
//! The theme sizes a table's columns from each cell's min-content width (its widest word) and
//! max-content width (all of it on one line), which it gets by laying the cell out twice
//! (`folio-measure-cells`). On table-heavy pages that is most of the layout, and most of it runs
//! on one core: a table in the page's flow is measured while Typst walks the document, before
//! the pages are laid out in parallel, and again in Typst's second layout pass. Most cells are
//! a few words of plain text, and their widths are sums of glyph advances: this module shapes
//! them with the fonts, shaper and settings Typst uses (rustybuzz, the body and code faces,
//! Typst's default OpenType features, the document's language), and the lowering hands the theme the
//! widths in em (`text-widths` of `folio-table`). The theme uses them only where the text style
//! at the table is the one assumed here (`folio-plain-text-style`) and measures every other
//! cell itself.
//!
//! A status lozenge, a mention or a date alone in a cell is measured too: its text in a lozenge
//! (`measure_status`, `measure_mention`, `measure_date`).
//!
//! Only text whose runs Typst shapes one by one qualifies: Latin, Greek and Cyrillic letters,
//! common punctuation, symbols, mathematical operators and digits, and Korean syllables, words
//! separated by single spaces, in a left-to-right language, in runs of plain, strong,
//! emphasised or code text or a link's text, next runs in different styles. Everything else
//! (other scripts; Chinese and Japanese, whose punctuation Typst adjusts at line edges and
//! spaces from Latin text) is left to the theme.
//!
//! Korean syllables are not in the embedded faces: Typst takes them from a fallback font, and
//! so does this module, the way Typst does (`shape_range` and `shape_segment` in
//! `typst-layout`): it splits the text into runs of one script, shapes each in the body or code
//! face, and shapes each sequence of glyphs that face lacks again in the next font of the
//! theme's list (in a document with Korean text, the Korean face: see `fonts::KoreanFamilies`)
//! and of Typst's fallback families, else in the font `FontBook::select_fallback` picks. A
//! sequence without Korean letters is left to the theme: whether the document has Korean text,
//! and so which fonts follow, is known only once it is lowered. That needs the system fonts,
//! which are then scanned as the lowering meets the first such cell (the document needs them
//! anyway). On pages of Korean tables the theme's measuring was most of the layout, on one core.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;

use rustybuzz::{BufferFlags, Direction, GlyphBuffer, Language, Script, ShapePlan, UnicodeBuffer};
use typst::layout::{Abs, Dir};
use typst::text::{
    Font, FontInstance, FontStretch, FontStyle, FontVariant, FontVariations, FontWeight, Lang,
    ScriptKind, is_default_ignorable,
};
use unicode_script::{Script as CharScript, UnicodeScript};

use crate::fonts::{self, EmbeddedFace, FontSet, Fonts, ShownText, has_hangul};

/// A plain-text cell's widths in em of the text size, as the theme would measure them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CellWidths {
    /// The min-content width: its widest word, or piece of a long run between break
    /// opportunities.
    pub narrowest: f64,
    /// The min-content width with long runs whole (the theme's `whole`): its widest word.
    pub whole: f64,
    /// The max-content width: all of it on one line.
    pub widest: f64,
}

impl CellWidths {
    /// The widths of content as wide as the wider of `self` and `other` (stacked).
    pub fn max(self, other: CellWidths) -> CellWidths {
        CellWidths {
            narrowest: self.narrowest.max(other.narrowest),
            whole: self.whole.max(other.whole),
            widest: self.widest.max(other.widest),
        }
    }

    /// The widths of this content with `em` more beside it.
    pub fn widened(self, em: f64) -> CellWidths {
        CellWidths {
            narrowest: self.narrowest + em,
            whole: self.whole + em,
            widest: self.widest + em,
        }
    }
}

/// How a cell's text is set: its weight (400; 700 in a header cell or strong text; 900 for
/// strong text in a header cell or in strong text, as Typst adds strong's 300 up to 900),
/// italic (emphasised), as code (`folio-code-span`: the code face at 0.9 em).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct CellStyle {
    pub weight: u16,
    pub italic: bool,
    pub code: bool,
    /// Which wrapper sets the text apart (0 for none): a link, a colour, a highlight,
    /// strike-through or underline changes neither the face nor the advances, but starts a style
    /// of its own, and Typst shapes the text of each apart from the text around it.
    pub apart: u32,
    /// A sub- or superscript (Typst's `sub`, `super`).
    pub shift: Option<ScriptKind>,
}

impl Default for CellStyle {
    fn default() -> Self {
        Self {
            weight: FontWeight::REGULAR.to_number(),
            italic: false,
            code: false,
            apart: 0,
            shift: None,
        }
    }
}

impl CellStyle {
    /// Set in bold: a header cell's text.
    pub const BOLD: CellStyle = CellStyle {
        weight: 700,
        italic: false,
        code: false,
        apart: 0,
        shift: None,
    };

    /// The style with strong's weight added, as Typst adds it (`FontWeight::thicken`: up to
    /// 900).
    pub fn strong(self) -> Self {
        Self {
            weight: (self.weight + 300).min(900),
            ..self
        }
    }

    fn bold(self) -> bool {
        self.weight >= 600
    }

    /// The variant Typst asks its font book for.
    fn variant(self) -> FontVariant {
        let style = if self.italic {
            FontStyle::Italic
        } else {
            FontStyle::Normal
        };
        FontVariant::new(
            style,
            FontWeight::from_number(self.weight),
            FontStretch::NORMAL,
        )
    }
}

/// Text in one style, as the lowering writes it: `breaks` are the byte offsets of its break
/// opportunities (`folio-wbr`, an empty box, which Typst shapes the text on either side of
/// apart). Or, among the text, a status lozenge titled `text` or a line break (`kind`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TextRun {
    pub text: String,
    pub style: CellStyle,
    pub breaks: Vec<usize>,
    pub kind: RunKind,
}

/// What a [`TextRun`] shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RunKind {
    Text,
    /// A lozenge showing the run's text: a box, which Typst lays out apart from the text on
    /// either side of it.
    Lozenge(Lozenge),
    /// A forced line break (`linebreak()`), in the style of the text around it.
    LineBreak,
}

/// Which lozenge a [`TextRun`] shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lozenge {
    /// `folio-status`: the title in small bold capitals, whatever the text around it.
    Status,
    /// `folio-mention`: "@" and the name, in the style of the text around it.
    Mention,
    /// `folio-date`: the date, in the style of the text around it.
    Date,
}

impl TextRun {
    /// `text` in `style`, without break opportunities.
    pub fn new(text: impl Into<String>, style: CellStyle) -> Self {
        Self {
            text: text.into(),
            style,
            breaks: Vec::new(),
            kind: RunKind::Text,
        }
    }

    /// A status lozenge titled `title` in text set in `style`.
    pub fn status(title: impl Into<String>, style: CellStyle) -> Self {
        Self::lozenge(Lozenge::Status, title, style)
    }

    /// A `lozenge` showing `text` in text set in `style`.
    pub fn lozenge(lozenge: Lozenge, text: impl Into<String>, style: CellStyle) -> Self {
        Self {
            kind: RunKind::Lozenge(lozenge),
            ..Self::new(text, style)
        }
    }

    /// A line break in text set in `style`.
    pub fn line_break(style: CellStyle) -> Self {
        Self {
            kind: RunKind::LineBreak,
            ..Self::new("\n", style)
        }
    }

    /// Its text split at its break opportunities.
    fn pieces(&self) -> impl Iterator<Item = &str> {
        let ends = self.breaks.iter().copied().chain([self.text.len()]);
        let mut from = 0;
        ends.map(move |end| {
            let piece = &self.text[from..end];
            from = end;
            piece
        })
    }
}

/// The size of inline code relative to the text around it, as `folio-code-span` sets it.
const CODE_SIZE: f64 = 0.9;
/// The size of a status lozenge's title, in em of the text around it, as `folio-status` sets it.
const STATUS_SIZE: f64 = 0.75;
/// The inset either side of a lozenge (`folio-status`, `folio-mention`, `folio-date`), in em of
/// the text around it.
const LOZENGE_INSET: f64 = 0.3;
/// Names at least this long (in bytes, as Typst's `str.len`) break after their separators in a
/// mention (`folio-mention`).
const MENTION_BREAK_LEN: usize = 20;

/// Typst's fallback families, tried in order after the text's own (`typst::text::families`).
const TYPST_FALLBACK_FAMILIES: [&str; 5] = [
    "libertinus serif",
    "twitter color emoji",
    "noto color emoji",
    "apple color emoji",
    "segoe ui emoji",
];

/// Measures plain-text cells in the body and code faces, and Korean text in fallback fonts.
pub(crate) struct PlainCellMeasure<'a> {
    lang: String,
    region: Option<String>,
    language: Language,
    /// Indexed by [`shaper_index`]; each made when a cell in its style is first measured.
    shapers: [LazyShaper; 8],
    /// The fonts to fall back to: the engine's, whose system fonts are scanned when a cell first
    /// needs one; `None` to measure no text the embedded faces lack.
    fallback: Option<Fallback<'a>>,
}

struct Fallback<'a> {
    fonts: &'a Fonts,
    /// The embedded and system fonts, once a cell needed them.
    set: OnceCell<&'a FontSet>,
    /// The families after the body face and after the code face (`[body, code]`) in a document
    /// with Korean text, lowercase as Typst looks them up, once the fonts are known.
    families: OnceCell<[Vec<String>; 2]>,
    /// The fallback fonts shaped with so far, in the variant they were asked for.
    shapers: RefCell<Vec<(Font, FontVariant, Shaper)>>,
    /// The font `FontBook::select_fallback` picked for text starting with a character in a
    /// style: it looks at the first character only, and goes through every face's coverage.
    picked: RefCell<HashMap<(char, CellStyle), Option<usize>>>,
}

/// An embedded face and its shaper, made when a cell in its style is first measured: making it
/// parses the face and instantiates it, which hashes every byte of the font file the first time
/// in a process (about a millisecond for each DejaVu face), and most documents use few of the
/// eight.
struct LazyShaper {
    face: &'static EmbeddedFace,
    shaper: OnceCell<Option<Shaper>>,
}

impl LazyShaper {
    /// `None` if the face does not parse (which its info, read when the process started, rules
    /// out).
    fn get(&self) -> Option<&Shaper> {
        self.shaper
            .get_or_init(|| {
                let font = self.face.font()?;
                Some(Shaper::new(font, self.face.info().variant))
            })
            .as_ref()
    }
}

/// Where the shaper for `style` is in [`PlainCellMeasure::shapers`].
fn shaper_index(style: CellStyle) -> usize {
    usize::from(style.code) * 4 + usize::from(style.bold()) * 2 + usize::from(style.italic)
}

/// One face and the shaping plans made for it so far, one per script (a plan depends on the
/// script, and making one costs more than shaping a few words with it).
struct Shaper {
    face: FontInstance,
    plans: RefCell<Vec<(Script, ShapePlan)>>,
}

/// A shaped glyph: its id (0 where the face has none), the byte offset of its cluster in the
/// text, and its advance in em.
struct Glyph {
    id: u32,
    cluster: usize,
    advance: f64,
}

impl<'a> PlainCellMeasure<'a> {
    /// A measure for text in the embedded body and code faces, in language `lang` (and
    /// `region`); `None` if the language is written right to left (Typst would then reorder
    /// the text).
    pub(crate) fn new(lang: &str, region: Option<&str>) -> Option<Self> {
        if lang.parse::<Lang>().ok()?.dir() != Dir::LTR {
            return None;
        }
        // Typst picks the face of the family closest to the variant asked for: the bold face
        // for strong text in a header cell (weight 900), the slanted one for italic text.
        let shaper = |faces: &[&'static EmbeddedFace], slanted: bool, weight: FontWeight| {
            let face = faces.iter().find(|face| {
                let variant = face.info().variant;
                variant.weight == weight
                    && variant.stretch == FontStretch::NORMAL
                    && (variant.style != FontStyle::Normal) == slanted
            })?;
            Some(LazyShaper {
                face,
                shaper: OnceCell::new(),
            })
        };
        let body: Vec<_> = fonts::body_faces().iter().collect();
        let code: Vec<_> = fonts::code_faces().collect();
        let (body, code) = (&body[..], &code[..]);
        // As Typst builds the shaper's language tag (`typst::text::language`).
        let tag = match region {
            Some(region) => format!("{lang}-{region}"),
            None => lang.to_owned(),
        };
        Some(Self {
            lang: lang.to_owned(),
            region: region.map(str::to_owned),
            language: tag.parse().ok()?,
            shapers: [
                shaper(body, false, FontWeight::REGULAR)?,
                shaper(body, true, FontWeight::REGULAR)?,
                shaper(body, false, FontWeight::BOLD)?,
                shaper(body, true, FontWeight::BOLD)?,
                shaper(code, false, FontWeight::REGULAR)?,
                shaper(code, true, FontWeight::REGULAR)?,
                shaper(code, false, FontWeight::BOLD)?,
                shaper(code, true, FontWeight::BOLD)?,
            ],
            fallback: None,
        })
    }

    /// Measures text the embedded faces lack too (Korean), in the fonts Typst would fall back
    /// to among `fonts`.
    pub(crate) fn with_fallback<'f>(self, fonts: &'f Fonts) -> PlainCellMeasure<'f> {
        PlainCellMeasure {
            lang: self.lang,
            region: self.region,
            language: self.language,
            shapers: self.shapers,
            fallback: Some(Fallback {
                fonts,
                set: OnceCell::new(),
                families: OnceCell::new(),
                shapers: RefCell::new(Vec::new()),
                picked: RefCell::new(HashMap::new()),
            }),
        }
    }

    /// The body font, language and region the widths assume, for the theme to check against
    /// the text style at each table.
    pub(crate) fn assumptions(&self) -> (&str, &str, Option<&str>) {
        (fonts::SANS, &self.lang, self.region.as_deref())
    }

    /// The widths of a cell showing `text` in `style`, or `None` if it is not plain text this
    /// module can measure exactly.
    pub(crate) fn measure(&self, text: &str, style: CellStyle) -> Option<CellWidths> {
        self.measure_runs(&[TextRun::new(text, style)])
    }

    /// The widths of a cell showing `runs` of text one after another, each in its style (next
    /// runs in different styles, which Typst shapes apart, unless a lozenge stands between
    /// them), or `None` if together they are not plain text this module can measure exactly. A
    /// word may span runs: "(`code`)", a lozenge stands where a word would, and a line break
    /// ends a line. Korean
    /// text breaks after every syllable (the theme breaks CJK text anywhere), long runs at their
    /// break opportunities (unless kept whole).
    pub(crate) fn measure_runs(&self, runs: &[TextRun]) -> Option<CellWidths> {
        // A lozenge stands where a word would. Lines may be empty (a break after a break, or
        // at the end), but a space next to a break is one this module does not model.
        let whole: String = runs
            .iter()
            .map(|run| match run.kind {
                RunKind::Text => run.text.as_str(),
                RunKind::Lozenge(_) => "X",
                RunKind::LineBreak => "\n",
            })
            .collect();
        let plain = whole
            .split('\n')
            .all(|line| line.is_empty() || is_plain_text(line));
        if !plain
            || whole.trim_matches('\n').is_empty()
            || runs.iter().any(|run| run.text.is_empty())
        {
            return None;
        }
        // The theme keeps long runs whole (the `whole` width) only in cells the lowering marks
        // as holding them, and then a mention's long name too, whose breaks are the theme's.
        let marked_runs = runs
            .iter()
            .any(|run| run.kind == RunKind::Text && !run.breaks.is_empty());
        // The widest line, and the width of the line so far.
        let (mut widest, mut line) = (0.0_f64, 0.0);
        // The widest line and the width of the line so far (which may have begun in an
        // earlier run), with long runs broken and kept whole.
        let (mut broken, mut broken_line) = (0.0_f64, 0.0);
        let (mut kept, mut kept_line) = (0.0_f64, 0.0);
        // The script `shape_range` carries into the next text, and the style of the text it was
        // carried through: text in one style on both sides of a line break is one range to
        // Typst, which a lozenge (a box) or another style ends.
        let mut carried = (CharScript::Unknown, None);
        for run in runs {
            if carried.1 != Some(run.style) || matches!(run.kind, RunKind::Lozenge(_)) {
                carried = (CharScript::Unknown, None);
            }
            match run.kind {
                RunKind::Text => {}
                RunKind::Lozenge(lozenge) => {
                    // On the line of the text around it; at its narrowest when the theme
                    // measures the narrowest the cell can be (its text's lines broken too).
                    let widths = match lozenge {
                        Lozenge::Status => self.measure_status(&run.text)?,
                        Lozenge::Mention => self.measure_mention(&run.text, run.style)?,
                        Lozenge::Date => self.measure_date(&run.text, run.style)?,
                    };
                    line += widths.widest;
                    broken_line += widths.narrowest;
                    kept_line += if lozenge == Lozenge::Mention && marked_runs {
                        widths.whole
                    } else {
                        widths.narrowest
                    };
                    continue;
                }
                RunKind::LineBreak => {
                    carried.1 = Some(run.style);
                    widest = widest.max(line);
                    broken = broken.max(broken_line);
                    kept = kept.max(kept_line);
                    (line, broken_line, kept_line) = (0.0, 0.0, 0.0);
                    continue;
                }
            }
            let style = run.style;
            if style.shift.is_some() && !run.breaks.is_empty() {
                return None;
            }
            let size = self.size(&run.text, style)?;
            // A line measures as Typst shapes it: on from the script the text before it in one
            // range left ("β" before a line break keeps the "-" that begins the next line from
            // the "Y" after it, and so from their kerning), but anew after a break opportunity
            // (a box). Words need not: the theme's narrowest measure splits the range at them.
            let mut script = carried.0;
            for (i, piece) in run.pieces().enumerate() {
                if i > 0 {
                    script = CharScript::Unknown;
                }
                let advance;
                (advance, script) = self.advance_after(piece, script, style)?;
                line += advance * size;
            }
            carried = (script, Some(style));
            let mut offset = 0;
            for part in run.text.split_inclusive(|c| c == ' ' || is_hangul(c)) {
                let (word, ends_line) = match part.strip_suffix(' ') {
                    Some(word) => (word, true),
                    None => (part, part.ends_with(is_hangul)),
                };
                if !word.is_empty() {
                    // The word's pieces between the run's breaks inside it, which Typst shapes
                    // apart even where the theme removes the breaks.
                    let inside = run
                        .breaks
                        .iter()
                        .filter(|&&b| b > offset && b < offset + word.len())
                        .map(|b| b - offset);
                    let mut from = 0;
                    for end in inside.chain([word.len()]) {
                        if from > 0 {
                            broken = broken.max(broken_line);
                            broken_line = 0.0;
                        }
                        let advance = self.advance(&word[from..end], style)? * size;
                        broken_line += advance;
                        kept_line += advance;
                        from = end;
                    }
                }
                if ends_line {
                    broken = broken.max(broken_line);
                    kept = kept.max(kept_line);
                    (broken_line, kept_line) = (0.0, 0.0);
                }
                offset += part.len();
            }
        }
        let narrowest = broken.max(broken_line);
        let whole = kept.max(kept_line).max(narrowest);
        Some(CellWidths {
            narrowest,
            whole,
            widest: widest.max(line).max(whole),
        })
    }

    /// The width of `text` set in `style` on one line, in em, shaped as Typst shapes a run of
    /// text; `None` if some character is in no font.
    pub(crate) fn text_width(&self, text: &str, style: CellStyle) -> Option<f64> {
        Some(self.advance(text, style)? * self.size(text, style)?)
    }

    /// The size `text` in `style` is set at, in em of the cell's text: code smaller
    /// (`folio-code-span`), and a sub- or superscript at the size its face's metrics give
    /// scripts, as Typst synthesises one (`determine_shift` in typst-layout); `None` for a
    /// script the face lacks a character of (Typst would shape it in another font, with that
    /// font's metrics) or has glyphs of its own for (Typst would use them).
    fn size(&self, text: &str, style: CellStyle) -> Option<f64> {
        let size = if style.code { CODE_SIZE } else { 1.0 };
        let Some(kind) = style.shift else {
            return Some(size);
        };
        let font = &self.shapers[shaper_index(style)].get()?.face;
        let face = font.rusty();
        let glyphs: Option<Vec<_>> = text.chars().map(|c| face.glyph_index(c)).collect();
        let glyphs = glyphs?;
        let typographic = face.tables().gsub.is_some_and(|gsub| {
            gsub.features.find(kind.feature()).is_some_and(|feature| {
                glyphs.iter().all(|&glyph| {
                    feature
                        .lookup_indices
                        .into_iter()
                        .filter_map(|i| gsub.lookups.get(i))
                        .flat_map(|lookup| {
                            lookup
                                .subtables
                                .into_iter::<rustybuzz::ttf_parser::gsub::SubstitutionSubtable>()
                        })
                        .any(|subtable| subtable.coverage().contains(glyph))
                })
            })
        });
        if typographic {
            return None;
        }
        Some(size * kind.read_metrics(font.metrics()).height.get())
    }

    /// The widths of a cell showing a status lozenge titled `title`: its title in capitals,
    /// bold and small, and an inset either side. (The theme's min-content measurement breaks
    /// its lines at spaces inside the lozenge too.)
    pub(crate) fn measure_status(&self, title: &str) -> Option<CellWidths> {
        // As Typst's `upper` (`str::to_uppercase`).
        let title = title.to_uppercase();
        let text = self.measure(&title, CellStyle::BOLD)?;
        let lozenge = |width: f64| width * STATUS_SIZE + 2.0 * LOZENGE_INSET;
        Some(CellWidths {
            narrowest: lozenge(text.narrowest),
            whole: lozenge(text.whole),
            widest: lozenge(text.widest),
        })
    }

    /// The widths of a cell showing a mention of `name` (`folio-mention`), its text in `style`:
    /// "@" and the name in a lozenge, a long name with break opportunities after its separators.
    pub(crate) fn measure_mention(&self, name: &str, style: CellStyle) -> Option<CellWidths> {
        let mut run = TextRun::new(format!("@{name}"), style);
        if name.len() >= MENTION_BREAK_LEN {
            run.breaks = mention_breaks(name).map(|at| at + 1).collect();
        }
        Some(self.measure_runs(&[run])?.widened(2.0 * LOZENGE_INSET))
    }

    /// The widths of a cell showing a date (`folio-date`), its text in `style`: the date in a
    /// lozenge.
    pub(crate) fn measure_date(&self, date: &str, style: CellStyle) -> Option<CellWidths> {
        Some(self.measure(date, style)?.widened(2.0 * LOZENGE_INSET))
    }
}

/// Where `folio-mention` breaks a long name: after each run of separators (`-_/.:@|`) that a
/// character other than a separator follows (the ends of the theme's `folio-name-piece`s).
fn mention_breaks(name: &str) -> impl Iterator<Item = usize> + '_ {
    let separator = |c: char| "-_/.:@|".contains(c);
    name.char_indices()
        .zip(name.chars().skip(1))
        .filter(move |&((_, c), next)| separator(c) && !separator(next))
        .map(|((i, c), _)| i + c.len_utf8())
}

impl PlainCellMeasure<'_> {
    /// The advance of `text`, set in `style`, in em of its size: as Typst shapes a run of text
    /// in one style (`shape_range`), in runs of one script each.
    fn advance(&self, text: &str, style: CellStyle) -> Option<f64> {
        let mut total = 0.0;
        for run in script_runs(text) {
            let shaper = self.shapers[shaper_index(style)].get()?;
            let glyphs = shaper.shape(run, &self.language);
            total += self.sum_with_fallback(
                run,
                &glyphs,
                style,
                None,
                &mut vec![shaper.face.font().clone()],
            )?;
        }
        Some(total)
    }

    /// The advance of `text`, set in `style`, in em of its size, when the text before it in
    /// the same range left `script` (see [`script_cuts`]); and the script it leaves.
    fn advance_after(
        &self,
        text: &str,
        script: CharScript,
        style: CellStyle,
    ) -> Option<(f64, CharScript)> {
        let (cuts, script) = script_cuts(text, script);
        let mut from = 0;
        let mut total = 0.0;
        for end in cuts.into_iter().chain([text.len()]) {
            total += self.advance(&text[from..end], style)?;
            from = end;
        }
        Some((total, script))
    }

    /// The advance of `glyphs`, `text` shaped in the last of the fonts `used`, each sequence of
    /// glyphs that font lacks shaped again in the next of the `families` (all that follow the
    /// style's face if `None`) or a fallback font, as Typst's `shape_segment` does; `None` if a
    /// character is in no font or the sequence is left to the theme.
    fn sum_with_fallback(
        &self,
        text: &str,
        glyphs: &[Glyph],
        style: CellStyle,
        families: Option<&[String]>,
        used: &mut Vec<Font>,
    ) -> Option<f64> {
        // Advances by cluster: a sequence without glyphs drops the glyphs of its first cluster
        // that came before it.
        let mut advances: Vec<(usize, f64)> = Vec::with_capacity(glyphs.len());
        let mut i = 0;
        while i < glyphs.len() {
            if glyphs[i].id != 0 {
                advances.push((glyphs[i].cluster, glyphs[i].advance));
                i += 1;
                continue;
            }
            let first = i;
            while glyphs.get(i + 1).is_some_and(|glyph| glyph.id == 0) {
                i += 1;
            }
            let start = glyphs[first].cluster;
            let end = glyphs.get(i + 1).map_or(text.len(), |glyph| glyph.cluster);
            while advances
                .last()
                .is_some_and(|&(cluster, _)| cluster >= start)
            {
                advances.pop();
            }
            let advance = self.fallback_advance(&text[start..end], style, families, used)?;
            advances.push((start, advance));
            i += 1;
        }
        Some(advances.iter().map(|(_, advance)| advance).sum())
    }

    /// The advance of `text`, which the fonts `used` lack, in the next font Typst would take
    /// from `families` (all that follow the style's face if `None`) or its fallback.
    fn fallback_advance(
        &self,
        text: &str,
        style: CellStyle,
        families: Option<&[String]>,
        used: &mut Vec<Font>,
    ) -> Option<f64> {
        // Korean letters here mean Korean text in the document, and so the Korean families
        // after the style's face (`FontSet::theme_source`).
        if families.is_none() && !has_hangul(text) {
            return None;
        }
        let fallback = self.fallback.as_ref()?;
        let set = *fallback.set.get_or_init(|| {
            fallback
                .fonts
                .for_document(&ShownText::body_or_mono(text), false)
        });
        let book = set.book();
        let variant = style.variant();
        let families = families.unwrap_or_else(|| &fallback.families(set)[usize::from(style.code)]);
        let usable = |id: usize| set.font(id).filter(|font| !used.contains(font));
        let mut rest = families;
        let mut font = None;
        while let [family, tail @ ..] = rest {
            rest = tail;
            font = book.select(family, variant).and_then(usable);
            if font.is_some() {
                break;
            }
        }
        if font.is_none() {
            // `like` is the first font used, the style's own face.
            let like = used.first().map(|font| font.info());
            let first = text
                .chars()
                .find(|&c| !c.is_whitespace() && !is_default_ignorable(c))?;
            let picked = *fallback
                .picked
                .borrow_mut()
                .entry((first, style))
                .or_insert_with(|| book.select_fallback(like, variant, text));
            font = picked.and_then(usable);
        }
        let font = font?;
        let glyphs = {
            let mut shapers = fallback.shapers.borrow_mut();
            let index = match shapers
                .iter()
                .position(|(f, v, _)| *f == font && *v == variant)
            {
                Some(index) => index,
                None => {
                    shapers.push((font.clone(), variant, Shaper::new(&font, variant)));
                    shapers.len() - 1
                }
            };
            shapers[index].2.shape(text, &self.language)
        };
        used.push(font);
        let advance = self.sum_with_fallback(text, &glyphs, style, Some(rest), used);
        used.pop();
        advance
    }
}

impl Fallback<'_> {
    /// The families Typst tries after the body face and after the code face (`[body, code]`)
    /// with the fonts of `set` in a document with Korean text: the theme's Korean family, then
    /// Typst's own.
    fn families(&self, set: &FontSet) -> &[Vec<String>; 2] {
        self.families.get_or_init(|| {
            let korean = set.korean();
            [&korean.body, &korean.mono].map(|family| {
                let theme = family.iter().map(|name| name.to_lowercase());
                let typst = TYPST_FALLBACK_FAMILIES
                    .iter()
                    .map(|name| (*name).to_owned());
                theme.chain(typst).collect()
            })
        })
    }
}

/// `text` split where Typst splits a run of text in one style (`shape_range`): between
/// characters of different scripts, characters of no particular script going with those
/// before them.
fn script_runs(text: &str) -> impl Iterator<Item = &str> {
    let (cuts, _) = script_cuts(text, CharScript::Unknown);
    let ends = cuts.into_iter().chain([text.len()]);
    let mut start = 0;
    ends.map(move |end| {
        let run = &text[start..end];
        start = end;
        run
    })
    .filter(|run| !run.is_empty())
}

/// Where `shape_range` starts a new run of one script in `text`, when the text before it in
/// the same range left `script` (`Unknown` at the range's start), and the script it leaves.
fn script_cuts(text: &str, mut script: CharScript) -> (Vec<usize>, CharScript) {
    let generic = |script| {
        matches!(
            script,
            CharScript::Unknown | CharScript::Common | CharScript::Inherited
        )
    };
    let mut cuts = Vec::new();
    for (i, c) in text.char_indices() {
        let current = c.script();
        if !(generic(current) || generic(script) || current == script) {
            if i > 0 {
                cuts.push(i);
            }
            script = current;
        } else if generic(script) {
            script = current;
        }
    }
    (cuts, script)
}

/// Whether `text` is words of [`is_plain`] characters and Korean syllables separated by single
/// spaces.
fn is_plain_text(text: &str) -> bool {
    !text.is_empty()
        && text
            .split(' ')
            .all(|word| !word.is_empty() && word.chars().all(|c| is_plain(c) || is_hangul(c)))
}

/// A Korean syllable (which the theme breaks after when it measures a table of CJK text).
fn is_hangul(c: char) -> bool {
    matches!(c, '\u{ac00}'..='\u{d7a3}')
}

impl Shaper {
    /// A shaper for `font` instantiated as Typst instantiates it for `variant`.
    fn new(font: &Font, variant: FontVariant) -> Self {
        // The size only matters for variable fonts' optical size axis.
        let face = font
            .clone()
            .instantiate(variant, Abs::pt(10.0), &FontVariations::default());
        Shaper {
            face,
            plans: RefCell::new(Vec::new()),
        }
    }

    /// `text` shaped as one run, as Typst's `shape_segment` shapes it.
    fn shape(&self, text: &str, language: &Language) -> Vec<Glyph> {
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_language(language.clone());
        buffer.set_direction(Direction::LeftToRight);
        buffer.guess_segment_properties();
        buffer.set_flags(BufferFlags::REMOVE_DEFAULT_IGNORABLES);
        let script = buffer.script();
        let mut plans = self.plans.borrow_mut();
        let index = match plans.iter().position(|(s, _)| *s == script) {
            Some(index) => index,
            None => {
                // Typst's default features are HarfBuzz's: it adds features only for settings
                // away from the defaults, which `folio-plain-text-style` rules out.
                let plan = ShapePlan::new(
                    self.face.rusty(),
                    Direction::LeftToRight,
                    Some(script),
                    Some(language),
                    &[],
                );
                plans.push((script, plan));
                plans.len() - 1
            }
        };
        let shaped: GlyphBuffer =
            rustybuzz::shape_with_plan(self.face.rusty(), &plans[index].1, buffer);
        shaped
            .glyph_infos()
            .iter()
            .zip(shaped.glyph_positions())
            .map(|(info, position)| Glyph {
                id: info.glyph_id,
                cluster: info.cluster as usize,
                advance: self.face.to_em(position.x_advance).get(),
            })
            .collect()
    }
}

/// Characters this module measures besides Korean syllables: Latin, Greek and Cyrillic
/// letters, digits, punctuation, currency, letterlike symbols, arrows and mathematical
/// operators. All are written left to right or take the direction of the text around them;
/// none is a space, a break or a control character, and none combines.
pub(crate) fn is_plain(c: char) -> bool {
    matches!(c,
        '!'..='~'
        // Latin-1 without the soft hyphen, Latin Extended-A and -B. The no-break space is part
        // of the word around it: the theme breaks lines only at spaces, and Typst trims
        // whitespace only at the ends of lines it wraps, which measuring never does.
        | '\u{a0}'..='\u{ac}'
        | '\u{ae}'..='\u{24f}'
        // Greek and Coptic; Cyrillic without its combining marks.
        | '\u{370}'..='\u{3ff}'
        | '\u{400}'..='\u{482}'
        | '\u{48a}'..='\u{4ff}'
        // Dashes, quotes, bullets, ellipsis; per mille, primes, … (not the line and paragraph
        // separators, bidi controls and spaces between them).
        | '\u{2010}'..='\u{2027}'
        | '\u{2030}'..='\u{205e}'
        | '\u{20a0}'..='\u{20c0}'
        | '\u{2100}'..='\u{214f}'
        | '\u{2190}'..='\u{21ff}'
        // Mathematical operators (the minus sign among them).
        | '\u{2200}'..='\u{22ff}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const REGULAR: CellStyle = CellStyle {
        weight: 400,
        italic: false,
        code: false,
        apart: 0,
        shift: None,
    };

    fn measure() -> PlainCellMeasure<'static> {
        PlainCellMeasure::new("en", None).unwrap()
    }

    #[test]
    fn the_narrowest_width_is_the_widest_word_and_the_widest_all_words_on_a_line() {
        let m = measure();
        let whole = m.measure("Surrogate key", REGULAR).unwrap();
        let surrogate = m.measure("Surrogate", REGULAR).unwrap();
        let key = m.measure("key", REGULAR).unwrap();
        assert_eq!(whole.narrowest, surrogate.widest);
        assert!(surrogate.widest > key.widest);
        let space = whole.widest - surrogate.widest - key.widest;
        assert!(space > 0.2 && space < 0.4, "space of {space} em");
        assert_eq!(surrogate.narrowest, surrogate.widest);
    }

    #[test]
    fn each_style_is_measured_in_its_face_and_size() {
        let m = measure();
        let width = |bold, italic, code| {
            let weight = if bold { 700 } else { 400 };
            let style = CellStyle {
                weight,
                italic,
                code,
                apart: 0,
                shift: None,
            };
            m.measure("Owner", style).unwrap().widest
        };
        assert!(width(true, false, false) > width(false, false, false));
        // DejaVu's oblique faces are its upright ones slanted, with the same advances.
        assert_eq!(width(false, true, false), width(false, false, false));
        // Every character of the code face is 0.602 em wide, set at 0.9 em.
        let code = width(false, false, true);
        assert!((code - 5.0 * 0.602 * 0.9).abs() < 0.001, "{code}");
    }

    #[test]
    fn a_status_lozenge_is_its_title_in_small_bold_capitals_and_an_inset() {
        let m = measure();
        let status = m.measure_status("on track").unwrap();
        let title = m.measure("ON TRACK", CellStyle::BOLD).unwrap();
        assert!((status.widest - (title.widest * 0.75 + 0.6)).abs() < 1e-9);
        assert!((status.narrowest - (title.narrowest * 0.75 + 0.6)).abs() < 1e-9);
    }

    #[test]
    fn kerning_is_applied_as_typst_applies_it() {
        // DejaVu Sans kerns "AV": the pair is narrower than its letters apart.
        let m = measure();
        let pair = m.measure("AV", REGULAR).unwrap().widest;
        let apart =
            m.measure("A", REGULAR).unwrap().widest + m.measure("V", REGULAR).unwrap().widest;
        assert!(pair < apart, "{pair} vs {apart}");
    }

    #[test]
    fn text_that_is_not_plain_is_left_to_the_theme() {
        let m = measure();
        for text in [
            "",
            " leading",
            "trailing ",
            "two  spaces",
            "tab\there",
            "soft\u{ad}hyphen",
            "עברית",
            "e\u{301}",
            "zero\u{200b}width",
            "e\u{483}",
        ] {
            assert_eq!(m.measure(text, REGULAR), None, "{text:?}");
        }
        assert!(m.measure("Café – 12 € ≠ …", REGULAR).is_some());
        assert!(m.measure("50\u{a0}min", REGULAR).is_some());
        assert!(m.measure("Ελληνικά и кириллица", REGULAR).is_some());
        // Without fallback fonts, characters the embedded faces lack are left to the theme.
        assert!(m.measure("한국어", REGULAR).is_none());
        assert!(m.measure_status("東京").is_none());
    }

    #[test]
    fn right_to_left_languages_are_left_to_the_theme() {
        assert!(PlainCellMeasure::new("ar", None).is_none());
        assert!(PlainCellMeasure::new("he", Some("IL")).is_none());
        assert!(PlainCellMeasure::new("de", Some("CH")).is_some());
    }
}
