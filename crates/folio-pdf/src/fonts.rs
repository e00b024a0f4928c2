//! Fonts: the embedded faces every PDF uses, then system fonts as fallback.
//!
//! Embedded, so that the default output is identical on every machine:
//! - DejaVu Sans (regular, bold, oblique, bold oblique) for text, from the `dejavu` crate;
//! - DejaVu Sans Mono (four styles) for code and New Computer Modern Math for math, from
//!   `typst-assets`.
//!
//! System fonts, when enabled, come after them in the font book. They are scanned only for a
//! document that may need them: one with a character some embedded text face lacks (a Korean or
//! emoji character, say) that some system face has, formulas, SVG images (whose text names its
//! own fonts) or a user theme (which may name system fonts). Whether a system face has one of
//! the document's missing characters is a look-up in each face's character map, without the
//! scan: an emoji on a machine without an emoji font no longer costs one. Scanning reads every
//! installed font's character map: about 7 ms on one core with a few dozen fonts (Noto CJK
//! among them; 34 ms with Typst's own `FontInfo::new`, see [`font_info`](crate::font_info)),
//! and more with hundreds, so it runs on every core (on threads of its own).
//! A document the embedded faces cover lays out the same either way: Typst looks for a
//! fallback font only for characters the chosen font lacks. Their files are mapped into memory
//! lazily, the first time Typst needs one ([`SystemFont`]). System faces of the embedded
//! families are skipped, so that they never replace the embedded ones.
//!
//! A document with Korean text names a Korean face of the system's after the embedded ones
//! ([`KoreanFamilies`]): Typst's own fallback takes the first face that has the character,
//! which with Noto CJK is the Japanese one.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex, OnceLock, PoisonError};

use typst::foundations::Bytes;
use typst::text::{Font, FontBook, FontFlags, FontInfo};
use typst::utils::LazyHash;
use typst_kit::fonts::{FontSource, FontStore};
use unicode_script::{Script, UnicodeScript};

use crate::escape::string_literal;
use crate::font_info::font_info;

/// Family of the body text.
pub const SANS: &str = "DejaVu Sans";
/// Family of code.
pub const MONO: &str = "DejaVu Sans Mono";
/// Family of math.
pub const MATH: &str = "New Computer Modern Math";

/// The fonts of an engine: loaded once, shared by every render.
pub struct Fonts {
    /// The embedded faces: body, code and math.
    faces: Vec<(EmbeddedSource, FontInfo)>,
    /// The embedded faces alone.
    embedded: FontSet,
    /// The embedded faces, then the system's, scanned on first use; `None` when system fonts
    /// are off.
    with_system: Option<OnceLock<FontSet>>,
    /// The system's faces, listed (not scanned) the first time a document has a character the
    /// embedded faces lack.
    system_faces: OnceLock<SystemFaces>,
    /// Characters the embedded faces lack that no system face has either, found so far: a
    /// service renders many pages with the same emoji.
    nowhere: Mutex<BTreeSet<char>>,
}

/// The fonts of one render: all a [`SandboxWorld`](crate::world::SandboxWorld) needs.
pub struct FontSet {
    store: FontStore,
    korean: KoreanFamilies,
    /// The theme's fallback families (`/fallback-fonts.typ`) for a document without and with
    /// Korean text.
    theme_sources: [String; 2],
}

impl FontSet {
    fn new(store: FontStore) -> Self {
        let korean = KoreanFamilies::choose(store.book());
        let theme_sources = [
            KoreanFamilies::default().theme_source(),
            korean.theme_source(),
        ];
        Self {
            store,
            korean,
            theme_sources,
        }
    }

    pub fn book(&self) -> &LazyHash<FontBook> {
        self.store.book()
    }

    /// The font at `index` in the book, loaded on first use.
    pub fn font(&self, index: usize) -> Option<Font> {
        self.store.font(index)
    }

    /// The families that follow the body and code faces in a document with Korean text.
    pub fn korean(&self) -> &KoreanFamilies {
        &self.korean
    }

    /// The theme's fallback families for a document whose markup is `markup`, as Typst source:
    /// `body` and `mono`, the families that follow the body and code faces in the theme's font
    /// lists (the Korean ones if it has Korean text, else none).
    pub fn theme_source(&self, markup: &str) -> &str {
        &self.theme_sources[usize::from(has_hangul(markup))]
    }
}

/// Whether `text` has Korean letters (the Hangul script). A whole document's markup is asked,
/// so ASCII is passed over without a script lookup.
pub fn has_hangul(text: &str) -> bool {
    text.chars()
        .any(|c| !c.is_ascii() && c.script() == Script::Hangul)
}

/// What Korean text (Hangul) is set in: a face made for Korean, among the system's fonts, for
/// body text and for code.
///
/// Typst's fallback for a character the body font lacks takes the face most like the body font
/// among those that have the character, and of equals the first in the book. With Noto CJK
/// installed, that is Noto Sans CJK JP, whose Hanja and punctuation are Japanese forms (its
/// Hangul is the same), named so in the PDF's fonts; Confluence's readers see Korean in a
/// Korean face. Named in the theme's font lists after the embedded faces, for documents with
/// Korean text only (a Japanese or Chinese page keeps its own forms), the Korean face sets
/// what the embedded faces lack (Hangul, Hanja, CJK punctuation), and Typst need not search
/// every face's coverage for each word of it (a tenth to a fifth of the layout of a Korean
/// page).
///
/// Not restricted to Hangul with Typst's `covers`: Typst 0.15 then drops the font before it
/// from its fonts in use (`shape_segment` pops a font it did not push), and characters no font
/// has vanish from the page instead of printing as boxes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KoreanFamilies {
    /// For body text: a face of neither fixed width nor serifs if there is one.
    pub body: Option<String>,
    /// For code: a face of fixed width (or named so) if there is one, else `body`.
    pub mono: Option<String>,
}

impl KoreanFamilies {
    /// The Korean families among `book`'s faces: those that have Hangul syllables and whose
    /// family is named for Korean ([`is_korean_family`]), the best for each use, first in the
    /// book among equals.
    pub fn choose(book: &FontBook) -> Self {
        let mut candidates: Vec<&FontInfo> = Vec::new();
        let mut index = 0;
        while let Some(info) = book.info(index) {
            index += 1;
            let hangul = ['\u{ac00}', '\u{d55c}', '\u{d7a3}']
                .iter()
                .all(|&c| info.coverage.contains(c as u32));
            if hangul && is_korean_family(&info.family) {
                candidates.push(info);
            }
        }
        let best = |rank: &dyn Fn(&FontInfo) -> u8| {
            // `min_by_key` keeps the first of equals.
            candidates
                .iter()
                .min_by_key(|info| rank(info))
                .map(|info| info.family.clone())
        };
        // Noto Sans Mono CJK is not marked fixed-width (its Latin letters are half the width
        // of its Hangul): its name says it.
        let monospace = |info: &FontInfo| {
            let name = info.family.to_lowercase();
            u8::from(
                info.flags.contains(FontFlags::MONOSPACE)
                    || name.split_whitespace().any(|word| word == "mono")
                    || name.contains("coding"),
            )
        };
        let serif = |info: &FontInfo| u8::from(info.flags.contains(FontFlags::SERIF));
        let body = best(&|info| monospace(info) * 2 + serif(info));
        let mono = best(&|info| (1 - monospace(info)) * 2 + serif(info));
        Self { body, mono }
    }

    /// `/fallback-fonts.typ`: `body` and `mono`, arrays of the families the theme appends to
    /// its body and code fonts.
    fn theme_source(&self) -> String {
        let list = |family: &Option<String>| match family {
            Some(name) => format!("({},)", string_literal(name)),
            None => "()".to_owned(),
        };
        format!(
            "// The fonts for Korean text on this system (folio-pdf's fonts.rs).\n\
             #let body = {}\n#let mono = {}\n",
            list(&self.body),
            list(&self.mono)
        )
    }
}

/// Whether a family is named for Korean: by the region word of the CJK super-families (Noto
/// Sans CJK KR, Source Han Sans K, Noto Sans KR), or as one of the common Korean families.
fn is_korean_family(family: &str) -> bool {
    const KOREAN: [&str; 15] = [
        "nanum",
        "malgun gothic",
        "apple sd gothic neo",
        "applegothic",
        "applemyungjo",
        "gulim",
        "dotum",
        "batang",
        "gungsuh",
        "undotum",
        "unbatang",
        "baekmuk",
        "pretendard",
        "spoqa han sans",
        "d2coding",
    ];
    let family = family.to_lowercase();
    matches!(
        family.split_whitespace().last(),
        Some("kr" | "k" | "korean")
    ) || KOREAN.iter().any(|name| family.starts_with(name))
}

impl Fonts {
    /// The embedded fonts, plus the system's fonts as fallback when `system` is true.
    pub fn load(system: bool) -> Self {
        let faces: Vec<(EmbeddedSource, FontInfo)> = body_faces()
            .iter()
            .chain(code_and_math_faces())
            .map(|face| (EmbeddedSource(face), face.info.clone()))
            .collect();
        let mut embedded = FontStore::new();
        embedded.extend(faces.iter().cloned());
        Self {
            faces,
            embedded: FontSet::new(embedded),
            with_system: system.then(OnceLock::new),
            system_faces: OnceLock::new(),
            nowhere: Mutex::new(BTreeSet::new()),
        }
    }

    /// The fonts for a document that shows `text`: the embedded ones if `may_need_system` is
    /// false and they cover every character (see [`ShownText`]), else (when system fonts are
    /// on) the embedded ones followed by the system's, scanned the first time.
    ///
    /// Where the embedded faces lack some of the characters but no system face has any of them
    /// either, the embedded ones: Typst would find no fallback in the others, so the document
    /// lays out the same.
    pub fn for_document(&self, text: &ShownText, may_need_system: bool) -> &FontSet {
        let Some(system) = &self.with_system else {
            return &self.embedded;
        };
        let missing = self.missing(text);
        if !may_need_system
            && (missing.is_empty() || system.get().is_none() && !self.system_has_any(&missing))
        {
            return &self.embedded;
        }
        system.get_or_init(|| self.scan())
    }

    /// Whether the system's fonts have been scanned.
    #[cfg(test)]
    pub(crate) fn system_scanned(&self) -> bool {
        self.with_system.as_ref().is_some_and(|s| s.get().is_some())
    }

    /// Scans the system's fonts now, not when the first document needs them: a service does it
    /// before it says it is ready, so no request pays for it. Nothing when system fonts are off.
    pub fn scan_system_now(&self) {
        if let Some(system) = &self.with_system {
            system.get_or_init(|| self.scan());
        }
    }

    /// The characters of `text` that some face it is set in lacks (see [`ShownText`]): none,
    /// and Typst never looks for a fallback. (A check mark the monospaced oblique face lacks, in
    /// a paragraph, cost a fresh process 5 ms of looking through the system's faces.)
    fn missing(&self, text: &ShownText) -> BTreeSet<char> {
        let unusual = |text: &str| -> BTreeSet<char> {
            text.chars()
                // Line breaks and other control characters are never drawn.
                .filter(|c| !(c.is_ascii_graphic() || *c == ' ' || c.is_control()))
                .collect()
        };
        let lacking = |chars: BTreeSet<char>, family: &'static str| {
            chars.into_iter().filter(move |&c| {
                !self
                    .faces
                    .iter()
                    .filter(|(_, face)| face.family == family)
                    .all(|(_, face)| face.coverage.contains(c as u32))
            })
        };
        lacking(unusual(text.all), SANS)
            .chain(lacking(unusual(text.mono), MONO))
            .chain(lacking(unusual(text.math), MATH))
            .collect()
    }

    /// Whether a system face that the scan would add (see [`Fonts::scan`]) maps one of
    /// `chars`. A look-up in each face's character map: a fraction of a scan, which builds
    /// each face's whole coverage.
    fn system_has_any(&self, chars: &BTreeSet<char>) -> bool {
        let mut nowhere = self.nowhere.lock().unwrap_or_else(PoisonError::into_inner);
        let chars: BTreeSet<char> = chars.difference(&nowhere).copied().collect();
        if chars.is_empty() {
            return false;
        }
        let system = self.system_faces.get_or_init(SystemFaces::list);
        let found = system.faces.iter().any(|(id, ..)| {
            system
                .db
                .with_face_data(*id, |data, index| {
                    let face = rustybuzz::ttf_parser::Face::parse(data, index).ok()?;
                    if !chars.iter().any(|&c| face.glyph_index(c).is_some()) {
                        return Some(false);
                    }
                    Some(font_info(data, index).is_some_and(|info| !is_embedded_family(&info)))
                })
                .flatten()
                .unwrap_or(false)
        });
        if !found {
            nowhere.extend(chars);
        }
        found
    }

    /// Whether a system face that the scan would add is of one of `families` (as its name table
    /// gives them; case does not matter, as for Typst). No scan: the font database lists the
    /// families of every face.
    pub fn system_has_family(&self, families: &[String]) -> bool {
        if self.with_system.is_none() || families.is_empty() {
            return false;
        }
        let system = self.system_faces.get_or_init(SystemFaces::list);
        system.faces.iter().any(|(id, ..)| {
            system.db.face(*id).is_some_and(|face| {
                face.families.iter().any(|(name, _)| {
                    !is_embedded_family_name(name)
                        && families.iter().any(|f| f.eq_ignore_ascii_case(name))
                })
            })
        })
    }

    /// The embedded text faces (body and code, every style).
    #[cfg(test)]
    fn text_faces(&self) -> impl Iterator<Item = &FontInfo> {
        self.faces
            .iter()
            .map(|(_, info)| info)
            .filter(|info| info.family == SANS || info.family == MONO)
    }

    /// The embedded faces followed by the system's.
    fn scan(&self) -> FontSet {
        let mut store = FontStore::new();
        store.extend(self.faces.iter().cloned());
        let system = self.system_faces.get_or_init(SystemFaces::list);
        store.extend(
            scan_system_fonts(system)
                .into_iter()
                .filter(|(_, info)| !is_embedded_family(info)),
        );
        FontSet::new(store)
    }
}

/// A document's text as the fonts check it, each part against the faces it is set in.
#[derive(Debug, Clone, Copy, Default)]
pub struct ShownText<'a> {
    /// All of it (the markup: its own syntax is ASCII), set in the body faces where not below.
    pub all: &'a str,
    /// What the theme sets in the monospaced faces (code), also in `all`.
    pub mono: &'a str,
    /// The formulas' markup, set in the math face, also in `all`.
    pub math: &'a str,
}

impl<'a> ShownText<'a> {
    /// `text` set in the body faces.
    #[cfg(test)]
    pub fn body(text: &'a str) -> Self {
        ShownText {
            all: text,
            ..ShownText::default()
        }
    }

    /// `text` that may be set in any style of the body or monospaced faces.
    pub fn body_or_mono(text: &'a str) -> Self {
        ShownText {
            all: text,
            mono: text,
            math: "",
        }
    }
}

/// Whether a face is of an embedded family: the system's copies are left out, so that they
/// never replace the embedded ones.
fn is_embedded_family(info: &FontInfo) -> bool {
    is_embedded_family_name(&info.family)
}

/// Whether `family` names an embedded family (in any case, as Typst looks families up).
pub fn is_embedded_family_name(family: &str) -> bool {
    [SANS, MONO, MATH]
        .iter()
        .any(|embedded| family.eq_ignore_ascii_case(embedded))
}

/// The system's font faces: each face's file and index in the font database's order, and the
/// database that maps them, without what Typst needs to choose among them.
struct SystemFaces {
    db: fontdb::Database,
    faces: Vec<(fontdb::ID, PathBuf, u32)>,
}

impl SystemFaces {
    fn list() -> Self {
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        let faces = db
            .faces()
            .filter_map(|face| match &face.source {
                fontdb::Source::File(path) | fontdb::Source::SharedFile(path, _) => {
                    Some((face.id, path.clone(), face.index))
                }
                // Only files are loaded above.
                fontdb::Source::Binary(_) => None,
            })
            .collect();
        Self { db, faces }
    }
}

/// An embedded face: what Typst needs to choose it, read when the process starts (with the
/// faster [`font_info`]), and the face itself, parsed by Typst the first time a document uses
/// it. `Font::new` collects and sorts every code point of a face, about a millisecond for the
/// nine in all, where a page uses two or three of them.
#[derive(Debug)]
pub struct EmbeddedFace {
    data: &'static [u8],
    index: u32,
    info: FontInfo,
    font: OnceLock<Option<Font>>,
}

impl EmbeddedFace {
    /// The faces of the font file `data` that Typst can read, in their order in it.
    fn all_in(data: &'static [u8]) -> impl Iterator<Item = EmbeddedFace> {
        (0..).map_while(move |index| {
            Some(EmbeddedFace {
                data,
                index,
                info: font_info(data, index)?,
                font: OnceLock::new(),
            })
        })
    }

    pub fn info(&self) -> &FontInfo {
        &self.info
    }

    /// The face as Typst uses it, parsed the first time (`None` if Typst cannot read it,
    /// which [`font_info`] rules out).
    pub fn font(&self) -> Option<&Font> {
        self.font
            .get_or_init(|| {
                // One `Bytes` a face: Typst hashes a font's bytes once per `Bytes`, and no
                // embedded file holds more than one face.
                Font::new(Bytes::new(self.data), self.index)
            })
            .as_ref()
    }

    /// The font file the face is in, and its index there.
    #[cfg(test)]
    pub fn file(&self) -> (&'static [u8], u32) {
        (self.data, self.index)
    }
}

/// An embedded face as the font store loads it: the face parsed once per process, shared by
/// every store (so that a layout cached with one is found with another).
#[derive(Debug, Clone, Copy)]
struct EmbeddedSource(&'static EmbeddedFace);

impl FontSource for EmbeddedSource {
    fn load(&self) -> Option<Font> {
        self.0.font().cloned()
    }
}

/// The embedded body faces: DejaVu Sans, regular, bold, oblique and bold oblique. Listed once
/// per process (the engine's fonts and the measuring of table cells share them).
pub fn body_faces() -> &'static [EmbeddedFace] {
    static FACES: LazyLock<Vec<EmbeddedFace>> = LazyLock::new(|| {
        [
            dejavu::sans::regular(),
            dejavu::sans::bold(),
            dejavu::sans::oblique(),
            dejavu::sans::bold_oblique(),
        ]
        .into_iter()
        .flat_map(EmbeddedFace::all_in)
        .collect()
    });
    &FACES
}

/// The embedded code and math faces (DejaVu Sans Mono in its four styles, New Computer Modern
/// Math) from Typst's own assets, in their order there. Listed once per process.
///
/// Not `typst_kit::fonts::embedded()`, which parses every face Typst bundles: `Font::new`
/// collects and sorts each face's every code point, and ten of the seventeen (Libertinus
/// Serif, New Computer Modern) are never used here.
fn code_and_math_faces() -> &'static [EmbeddedFace] {
    static FACES: LazyLock<Vec<EmbeddedFace>> = LazyLock::new(|| {
        typst_assets::fonts()
            .flat_map(EmbeddedFace::all_in)
            .filter(|face| face.info.family == MONO || face.info.family == MATH)
            .collect()
    });
    &FACES
}

/// The embedded code faces: DejaVu Sans Mono in its four styles.
pub fn code_faces() -> impl Iterator<Item = &'static EmbeddedFace> {
    code_and_math_faces()
        .iter()
        .filter(|face| face.info.family == MONO)
}

/// The system's faces with what Typst needs to choose among them, in the font database's order.
///
/// What `typst_kit::fonts::system()` does, faster: most of a scan is building each face's
/// character coverage (tens of thousands of code points for a CJK face), which [`font_info`]
/// does in a fifth of Typst's time, and this spreads the faces over every core rather than
/// taking them one at a time. The order, which decides fallback among equal candidates, stays
/// the database's. The scan has threads of its own rather than rayon's: the document's images
/// are being decoded on rayon's threads meanwhile, and the layout waits for the scan, not for
/// them.
fn scan_system_fonts(system: &SystemFaces) -> Vec<(SystemFont, FontInfo)> {
    let SystemFaces { db, faces } = system;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Interleaved, so that each thread gets some of the large CJK faces.
    let share = |k: usize| {
        let db = &db;
        let faces = &faces;
        move || {
            faces
                .iter()
                .enumerate()
                .filter(|(i, _)| i % threads == k)
                .filter_map(|(i, (id, path, index))| {
                    let info = db.with_face_data(*id, font_info)??;
                    Some((i, (path, *index), info))
                })
                .collect::<Vec<_>>()
        }
    };
    let mut scanned: Vec<(usize, (&PathBuf, u32), FontInfo)> = std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads).map(|k| scope.spawn(share(k))).collect();
        let mut all = share(0)();
        for other in others {
            all.extend(
                other
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        all
    });
    scanned.sort_unstable_by_key(|(i, ..)| *i);
    // The faces of a collection share their file, loaded once for all of them.
    let mut files: HashMap<&PathBuf, Arc<SystemFontFile>> = HashMap::new();
    scanned
        .into_iter()
        .map(|(_, (path, index), info)| {
            let file = files.entry(path).or_insert_with(|| {
                Arc::new(SystemFontFile {
                    path: path.clone(),
                    bytes: OnceLock::new(),
                })
            });
            let face = SystemFont {
                file: Arc::clone(file),
                index,
            };
            (face, info)
        })
        .collect()
}

/// A face in a font file of the system, loaded the first time Typst needs it.
#[derive(Debug)]
struct SystemFont {
    file: Arc<SystemFontFile>,
    /// The face's index in a collection; 0 in a single-face file.
    index: u32,
}

impl FontSource for SystemFont {
    fn load(&self) -> Option<Font> {
        Font::new(self.file.bytes()?, self.index)
    }
}

/// A font file of the system, shared by its faces: a Korean page may use more than one face of
/// a Noto CJK collection (the Korean body face, its code face, a face Typst falls back to), and
/// Typst hashes the bytes it is given, so each face with bytes of its own hashed the whole file
/// again (about 8 ms for 20 MB).
#[derive(Debug)]
struct SystemFontFile {
    path: PathBuf,
    /// The file's bytes, hashed; `None` if it cannot be read.
    bytes: OnceLock<Option<Bytes>>,
}

impl SystemFontFile {
    fn bytes(&self) -> Option<Bytes> {
        self.bytes.get_or_init(|| self.load()).clone()
    }

    /// The file mapped into memory, not read whole as `typst_kit`'s `FontPath` does: a CJK
    /// collection is about 20 MB, and reading it into fresh memory (the kernel zeroing and
    /// copying every page) took about 7 ms a file, a tenth of a Korean page's `folio
    /// compile`; mapped, its pages come straight from the page cache.
    ///
    /// Typst hashes every byte of a font the first time it memoises a call with it, which
    /// would leave every page of the file in the process's memory. So the hash is taken here,
    /// once (Typst keeps it), and the pages are then handed back: the layout and the PDF writer
    /// bring back the few they read (the character map, the outlines of the glyphs used). That
    /// keeps about 40 MB, the two Noto CJK files of a Korean page, out of the peak memory.
    #[allow(unsafe_code)]
    fn load(&self) -> Option<Bytes> {
        let file = std::fs::File::open(&self.path).ok()?;
        // SAFETY: the mapping is shared and read-only, and folio only reads it. What mapping
        // cannot rule out is another process changing the file in place while it is mapped:
        // Typst would then see other bytes, or the process would stop on a read past a
        // truncated end. Package managers replace font files rather than write into them,
        // and fontdb maps the same files while they are scanned (above), so this adds no risk
        // of a kind the scan does not already take.
        let Ok(map) = (unsafe { memmap2::Mmap::map(&file) }) else {
            // A file system that cannot map files: read it whole.
            return Some(Bytes::new(std::fs::read(&self.path).ok()?));
        };
        let map = Arc::new(map);
        let bytes = Bytes::new(MappedFile(Arc::clone(&map)));
        typst::utils::hash128(&bytes);
        // SAFETY: dropping the pages of a shared file mapping only unmaps them from this
        // process; the next read maps the file's bytes in again from the page cache. Nothing
        // else holds the bytes yet, so no read is under way.
        unsafe { map.unchecked_advise(memmap2::UncheckedAdvice::DontNeed) }.ok();
        Some(bytes)
    }
}

/// A mapped font file, shared by the font and the loader that gives its pages back.
struct MappedFile(Arc<memmap2::Mmap>);

impl AsRef<[u8]> for MappedFile {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use typst::text::FontBook;
    use typst::utils::LazyHash;

    use super::*;

    #[test]
    fn the_code_and_math_faces_are_typsts_own_in_its_order() {
        let typsts: Vec<(Font, FontInfo)> = typst_kit::fonts::embedded()
            .filter(|(_, info)| info.family == MONO || info.family == MATH)
            .collect();
        assert_eq!(typsts.len(), 7, "four code faces and three math faces");
        let ours = code_and_math_faces();
        assert_eq!(ours.len(), typsts.len());
        for (face, (font, info)) in ours.iter().zip(&typsts) {
            assert!(face.info() == info, "{info:?}");
            assert!(face.font() == Some(font), "{info:?}");
        }
    }

    fn book(fonts: &FontSet) -> &LazyHash<FontBook> {
        fonts.book()
    }

    #[test]
    fn embedded_families_are_in_the_book() {
        let fonts = Fonts::load(false);
        let set = fonts.for_document(&ShownText::body(""), true);
        let families: Vec<&str> = book(set).families().map(|(name, _)| name).collect();
        assert!(families.contains(&SANS), "{families:?}");
        assert!(families.contains(&MONO), "{families:?}");
        assert!(families.contains(&MATH), "{families:?}");
        assert_eq!(book(set).select_family(&SANS.to_lowercase()).count(), 4);
        assert!(set.font(0).is_some());
    }

    #[test]
    fn a_scan_ahead_is_the_one_documents_then_use() {
        let fonts = Fonts::load(true);
        fonts.scan_system_now();
        let scanned: *const FontSet = fonts.with_system.as_ref().unwrap().get().unwrap();
        assert!(std::ptr::eq(
            fonts.for_document(&ShownText::body("한국어"), false),
            scanned
        ));
        // Without system fonts there is nothing to scan, and documents get the embedded ones.
        let embedded_only = Fonts::load(false);
        embedded_only.scan_system_now();
        assert!(std::ptr::eq(
            embedded_only.for_document(&ShownText::body("한국어"), true),
            &embedded_only.embedded
        ));
    }

    #[test]
    fn the_parallel_scan_finds_what_typst_finds_in_the_same_order() {
        let ours: Vec<(PathBuf, u32, FontInfo)> = scan_system_fonts(&SystemFaces::list())
            .into_iter()
            .map(|(face, info)| (face.file.path.clone(), face.index, info))
            .collect();
        let typst: Vec<(PathBuf, u32, FontInfo)> = typst_kit::fonts::system()
            .map(|(path, info)| (path.path, path.index, info))
            .collect();
        assert_eq!(ours, typst);
    }

    #[test]
    fn the_faces_of_a_collection_share_its_bytes() {
        // Typst hashes a font's bytes: shared, a collection is hashed once for all its faces.
        let scanned = scan_system_fonts(&SystemFaces::list());
        let Some((first, second)) = scanned.iter().find_map(|(face, _)| {
            let other = scanned.iter().find(|(other, _)| {
                other.file.path == face.file.path && other.index != face.index
            })?;
            Some((face, &other.0))
        }) else {
            // No font collection on this system (`.ci/run` installs Noto CJK's).
            return;
        };
        let (first, second) = (first.load().unwrap(), second.load().unwrap());
        assert_ne!(first, second);
        assert_eq!(
            first.data().as_slice().as_ptr(),
            second.data().as_slice().as_ptr()
        );
    }

    #[test]
    fn a_mapped_system_face_is_the_face_typst_would_read() {
        // The first face of each of a few files, and a face further into a collection.
        let scanned = scan_system_fonts(&SystemFaces::list());
        let mut chosen: Vec<&SystemFont> = Vec::new();
        for (font, _) in &scanned {
            let new_file = chosen.iter().all(|seen| seen.file.path != font.file.path);
            if (new_file && chosen.len() < 3)
                || (font.index > 0 && chosen.iter().all(|seen| seen.index == 0))
            {
                chosen.push(font);
            }
        }
        for font in chosen {
            let read = typst_kit::fonts::FontPath {
                path: font.file.path.clone(),
                index: font.index,
            };
            let mapped = font.load().expect("a scanned face loads");
            let read = read.load().expect("typst_kit reads it");
            // `Font`'s equality compares hashes, taken before the pages were handed back: the
            // bytes themselves must read back the same afterwards.
            assert_eq!(mapped, read, "{font:?}");
            assert!(
                mapped.data().as_slice() == read.data().as_slice(),
                "{font:?}"
            );
            assert_eq!(
                mapped.info(),
                &FontInfo::new(mapped.data(), font.index).unwrap()
            );
        }
    }

    #[test]
    fn coverage_is_that_of_every_embedded_text_face() {
        let fonts = Fonts::load(false);
        assert_eq!(fonts.text_faces().count(), 8);
        assert!(
            fonts
                .missing(&ShownText {
                    all: "Ünïcödé — “quotes”, €5, naïve Ωμέγα, Кириллица\n\t",
                    mono: "Ünïcödé €5",
                    math: "∑ α ≤ β",
                })
                .is_empty()
        );
        // Nor in the math face: Korean text in a formula is looked for elsewhere.
        assert_eq!(
            fonts.missing(&ShownText {
                math: "x_한",
                ..ShownText::default()
            }),
            BTreeSet::from(['한'])
        );
        // Korean and emoji are not in DejaVu.
        assert_eq!(
            fonts.missing(&ShownText::body("a 한국어 b")),
            BTreeSet::from(['한', '국', '어'])
        );
        assert_eq!(
            fonts.missing(&ShownText::body("🙂")),
            BTreeSet::from(['🙂'])
        );
        assert_eq!(
            fonts.missing(&ShownText::body_or_mono("🙂")),
            BTreeSet::from(['🙂'])
        );
        // U+2713 (the theme's check mark) and U+2714 are in every body face; not in the
        // monospaced oblique ones, so they count only in code.
        for mark in ['\u{2713}', '\u{2714}'] {
            let text = format!("done {mark}");
            assert_eq!(fonts.missing(&ShownText::body(&text)), BTreeSet::new());
            assert_eq!(
                fonts.missing(&ShownText::body_or_mono(&text)),
                BTreeSet::from([mark])
            );
        }
    }

    #[test]
    fn characters_no_system_face_has_need_no_scan() {
        let fonts = Fonts::load(true);
        // A private-use character of plane 16, which no font gives a meaning to.
        let text = "Plain text and \u{10FFFD}";
        assert!(!fonts.missing(&ShownText::body(text)).is_empty());
        assert!(std::ptr::eq(
            fonts.for_document(&ShownText::body(text), false),
            &fonts.embedded
        ));
        assert!(fonts.with_system.as_ref().unwrap().get().is_none());
        assert!(fonts.nowhere.lock().unwrap().contains(&'\u{10FFFD}'));
        // Once the system is scanned (another document needed it), documents with missing
        // characters take the scanned fonts.
        fonts.scan_system_now();
        let scanned: *const FontSet = fonts.with_system.as_ref().unwrap().get().unwrap();
        assert!(std::ptr::eq(
            fonts.for_document(&ShownText::body(text), false),
            scanned
        ));
    }

    #[test]
    fn the_theme_draws_only_characters_of_the_embedded_body_face() {
        // The coverage check looks at the document's text, not at the theme's own glyphs (list
        // markers, check marks): those must never need a fallback font.
        let fonts = Fonts::load(false);
        let sans: Vec<&FontInfo> = fonts
            .text_faces()
            .filter(|face| face.family == SANS)
            .collect();
        assert_eq!(sans.len(), 4);
        for c in crate::world::THEME.chars().filter(|c| !c.is_ascii()) {
            assert!(
                sans.iter().all(|face| face.coverage.contains(c as u32)),
                "{c:?} (U+{:04X})",
                c as u32
            );
        }
    }

    /// A face of `family` with Hangul syllables if `hangul`, and Latin letters.
    fn face(family: &str, flags: FontFlags, hangul: bool) -> FontInfo {
        let mut codepoints: Vec<u32> = ('a'..='z').map(u32::from).collect();
        if hangul {
            codepoints.extend(0xac00..=0xd7a3);
        }
        FontInfo {
            family: family.to_owned(),
            variant: Default::default(),
            flags,
            axes: Vec::new(),
            coverage: typst::text::Coverage::from_vec(codepoints),
        }
    }

    #[test]
    fn korean_text_is_set_in_the_korean_faces_of_a_cjk_family() {
        // As Noto CJK's collections list them: the Japanese face first, which Typst's own
        // fallback would take for Hangul.
        let book = FontBook::from_infos([
            face("DejaVu Serif", FontFlags::SERIF, false),
            face("Noto Serif CJK JP", FontFlags::SERIF, true),
            face("Noto Serif CJK KR", FontFlags::SERIF, true),
            face("Noto Sans Mono CJK JP", FontFlags::empty(), true),
            face("Noto Sans Mono CJK KR", FontFlags::empty(), true),
            face("Noto Sans CJK JP", FontFlags::empty(), true),
            face("Noto Sans CJK KR", FontFlags::empty(), true),
            face("Noto Sans CJK SC", FontFlags::empty(), true),
        ]);
        let korean = KoreanFamilies::choose(&book);
        assert_eq!(korean.body.as_deref(), Some("Noto Sans CJK KR"));
        assert_eq!(korean.mono.as_deref(), Some("Noto Sans Mono CJK KR"));
        let source = korean.theme_source();
        assert!(
            source.contains(
                "#let body = (\"Noto Sans CJK KR\",)\n#let mono = (\"Noto Sans Mono CJK KR\",)\n"
            ),
            "{source}"
        );

        // Only serif Korean faces: those, for code too; a family named for Korean without
        // Hangul is not one.
        let book = FontBook::from_infos([
            face("Noto Sans KR", FontFlags::empty(), false),
            face("UnBatang", FontFlags::SERIF, true),
        ]);
        let korean = KoreanFamilies::choose(&book);
        assert_eq!(korean.body.as_deref(), Some("UnBatang"));
        assert_eq!(korean.mono.as_deref(), Some("UnBatang"));

        // A coding face, marked fixed-width or not, for code.
        for flags in [FontFlags::MONOSPACE, FontFlags::empty()] {
            let book = FontBook::from_infos([
                face("NanumGothic", FontFlags::empty(), true),
                face("D2Coding", flags, true),
            ]);
            let korean = KoreanFamilies::choose(&book);
            assert_eq!(korean.body.as_deref(), Some("NanumGothic"));
            assert_eq!(korean.mono.as_deref(), Some("D2Coding"));
        }
    }

    #[test]
    fn without_a_korean_face_typsts_fallback_chooses() {
        for book in [
            FontBook::from_infos([face("Noto Sans CJK JP", FontFlags::empty(), true)]),
            FontBook::from_infos([face("DejaVu Sans", FontFlags::empty(), false)]),
            FontBook::clone(Fonts::load(false).embedded.book()),
        ] {
            let korean = KoreanFamilies::choose(&book);
            assert_eq!(korean, KoreanFamilies::default());
            assert!(
                korean
                    .theme_source()
                    .contains("#let body = ()\n#let mono = ()\n")
            );
        }
    }

    #[test]
    fn a_document_has_korean_text_when_it_has_hangul() {
        for text in ["설치 가이드", "ㄱㄴ", "Korean: 한", "\u{1100}"] {
            assert!(has_hangul(text), "{text}");
        }
        for text in [
            "plain ASCII #folio-table",
            "漢字 かな カナ",
            "Ünïcödé — “quotes”",
            "",
        ] {
            assert!(!has_hangul(text), "{text}");
        }
    }

    #[test]
    fn korean_families_are_known_by_their_names() {
        for family in [
            "Noto Sans CJK KR",
            "Noto Serif CJK KR",
            "Source Han Sans K",
            "Source Han Serif KR",
            "Noto Sans KR",
            "NanumGothic",
            "NanumGothicCoding",
            "Malgun Gothic",
            "Apple SD Gothic Neo",
            "UnDotum",
            "D2Coding",
        ] {
            assert!(is_korean_family(family), "{family}");
        }
        for family in [
            "Noto Sans CJK JP",
            "Noto Sans CJK SC",
            "Source Han Sans",
            "DejaVu Sans",
            "Kreon",
            "Krub",
        ] {
            assert!(!is_korean_family(family), "{family}");
        }
    }

    #[test]
    fn the_system_is_scanned_only_for_documents_that_need_it() {
        let fonts = Fonts::load(true);
        let embedded: *const FontSet = &fonts.embedded;
        assert!(std::ptr::eq(
            fonts.for_document(&ShownText::body("Plain text, “quoted”."), false),
            embedded
        ));
        assert!(fonts.with_system.as_ref().unwrap().get().is_none());
        for (text, may_need_system) in [("한국어", false), ("plain", true)] {
            let set = fonts.for_document(&ShownText::body(text), may_need_system);
            assert!(!std::ptr::eq(set, embedded));
            // The embedded faces come first, with the same indices.
            assert_eq!(book(set).info(0), book(&fonts.embedded).info(0));
        }
    }
}
