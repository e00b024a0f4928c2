//! The sandboxed Typst [`World`]: everything Typst may read, all in memory.
//!
//! It serves `/main.typ` (the lowered document), `/theme.typ` (the bundled theme),
//! `/user-theme.typ` (the caller's theme, empty without one), `/fallback-fonts.typ` (the
//! families the theme names for text its fonts lack, from the render's fonts), the fonts, the
//! attachment images the lowering referenced, as `/attachments/<n>`, and the bundled emoji
//! pictures, as `/emoji/<code points>.svg` (see `crate::emoji`). Any other
//! path, every package (`@preview/…`) and the environment are out of reach: there is no file
//! system, no network and no `sys.inputs`; `today()` is fixed by the render options.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, World};

use crate::fonts::FontSet;
use crate::image_decoding::ImageDecoding;

/// Path of the lowered document.
pub const MAIN_PATH: &str = "/main.typ";
/// Path of the bundled theme, imported by the lowered document.
pub const THEME_PATH: &str = "/theme.typ";
/// Path of the user theme, imported by the bundled theme and by the lowered document.
pub const USER_THEME_PATH: &str = "/user-theme.typ";
/// Path of the families the theme appends to its fonts ([`FontSet::theme_source`]).
pub const FALLBACK_FONTS_PATH: &str = "/fallback-fonts.typ";
/// Directory of attachment images; the `n`-th referenced image is `/attachments/<n>`.
pub const ATTACHMENTS_DIR: &str = "/attachments/";

/// The bundled theme's source.
pub const THEME: &str = include_str!("theme.typ");

/// Interns a project path. File ids live for the whole process (Typst never frees them and
/// allows at most 2^16), so only a bounded set of paths is ever interned: the sources above and
/// `/attachments/0…n` for the most images one document has.
pub fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("folio's virtual paths are valid");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

static MAIN_ID: LazyLock<FileId> = LazyLock::new(|| file_id(MAIN_PATH));
static THEME_ID: LazyLock<FileId> = LazyLock::new(|| file_id(THEME_PATH));
static USER_THEME_ID: LazyLock<FileId> = LazyLock::new(|| file_id(USER_THEME_PATH));
static FALLBACK_FONTS_ID: LazyLock<FileId> = LazyLock::new(|| file_id(FALLBACK_FONTS_PATH));

/// The theme as a source, shared by all renders so that Typst's caches see the same file.
pub fn theme_source() -> Source {
    Source::new(*THEME_ID, THEME.to_owned())
}

/// A user theme as a source (`text` empty for none).
pub fn user_theme_source(text: &str) -> Source {
    Source::new(*USER_THEME_ID, text.to_owned())
}

/// Whether `id` is the user theme's file.
pub fn is_user_theme(id: FileId) -> bool {
    id == *USER_THEME_ID
}

/// One render's world.
pub struct SandboxWorld<'a> {
    library: &'a LazyHash<Library>,
    fonts: &'a FontSet,
    theme: &'a Source,
    user_theme: &'a Source,
    fallback_fonts: Source,
    main: Source,
    /// Image bytes by index; `/attachments/<index>`.
    images: Vec<Bytes>,
    /// The images' attachment names by index, and their decoding in the background, which an
    /// image waits for before it is handed out.
    decoding: Option<(&'a [String], &'a ImageDecoding<'a>)>,
    today: Datetime,
}

impl<'a> SandboxWorld<'a> {
    pub fn new(
        library: &'a LazyHash<Library>,
        fonts: &'a FontSet,
        theme: &'a Source,
        user_theme: &'a Source,
        main: String,
        images: Vec<Bytes>,
        today: Datetime,
    ) -> Self {
        Self {
            library,
            fonts,
            theme,
            user_theme,
            fallback_fonts: Source::new(*FALLBACK_FONTS_ID, fonts.theme_source(&main).to_owned()),
            main: Source::new(*MAIN_ID, main),
            images,
            decoding: None,
            today,
        }
    }

    /// The world whose images (named `names`, by index) are being decoded by `decoding`.
    pub fn with_decoding(mut self, names: &'a [String], decoding: &'a ImageDecoding<'a>) -> Self {
        self.decoding = Some((names, decoding));
        self
    }

    /// The index of the image at `/attachments/<n>`, if `id` names one.
    fn image(&self, id: FileId) -> Option<usize> {
        if !matches!(id.root(), VirtualRoot::Project) {
            return None;
        }
        let path = id.vpath().get_with_slash();
        let index: usize = path.strip_prefix(ATTACHMENTS_DIR)?.parse().ok()?;
        (index < self.images.len()).then_some(index)
    }
}

/// The bundled emoji picture `id` names, if it names one.
fn emoji_picture(id: FileId) -> Option<&'static str> {
    if !matches!(id.root(), VirtualRoot::Project) {
        return None;
    }
    crate::emoji::picture(id.vpath().get_with_slash())
}

fn not_available(id: FileId) -> FileError {
    match id.root() {
        VirtualRoot::Package(_) => FileError::Package(PackageError::Other(Some(
            "packages are not available when folio renders a document".into(),
        ))),
        VirtualRoot::Project => FileError::NotFound(id.vpath().get_with_slash().into()),
    }
}

impl World for SandboxWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        *MAIN_ID
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == *MAIN_ID {
            Ok(self.main.clone())
        } else if id == *THEME_ID {
            Ok(self.theme.clone())
        } else if id == *USER_THEME_ID {
            Ok(self.user_theme.clone())
        } else if id == *FALLBACK_FONTS_ID {
            Ok(self.fallback_fonts.clone())
        } else if self.image(id).is_some() || emoji_picture(id).is_some() {
            Err(FileError::NotSource)
        } else {
            Err(not_available(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == *MAIN_ID {
            Ok(Bytes::from_string(self.main.clone()))
        } else if id == *THEME_ID {
            Ok(Bytes::from_string(self.theme.clone()))
        } else if id == *USER_THEME_ID {
            Ok(Bytes::from_string(self.user_theme.clone()))
        } else if id == *FALLBACK_FONTS_ID {
            Ok(Bytes::from_string(self.fallback_fonts.clone()))
        } else if let Some(index) = self.image(id) {
            // Typst asks for an image's bytes just before it decodes it: where it lays the image
            // out, as the theme makes images inside `layout`.
            if let Some((names, decoding)) = self.decoding
                && let Some(name) = names.get(index)
            {
                decoding.ensure(name);
                if let Some(bytes) = decoding.replacement(name) {
                    return Ok(bytes);
                }
            }
            Ok(self.images[index].clone())
        } else if let Some(svg) = emoji_picture(id) {
            Ok(Bytes::new(svg.as_bytes()))
        } else {
            Err(not_available(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}
