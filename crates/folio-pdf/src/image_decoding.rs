//! Decoding a document's raster images in the background while it is lowered and typeset.
//!
//! Decoding a large screenshot takes tens of milliseconds, and Typst decodes an image only when
//! its layout first needs it, on the thread that lays it out. Typst memoizes the decoding, so an
//! image decoded here beforehand (by the same call) is found decoded by the layout. The images
//! are decoded one per core while the document is lowered, evaluated and realized on the
//! calling thread, which for a long export is a few hundred milliseconds on one core.
//!
//! What Typst reads in place of an attachment's bytes is decided here too: a BMP or ICO file
//! becomes a PNG (`bitmap.rs`), an image with more pixels than the resolution cap needs is
//! scaled down (`downsample.rs`), and a raster image becomes a one-page PDF of its compressed
//! pixels (`image_as_pdf.rs`), which Typst does not decode. Where that cannot be (a PDF/A or
//! PDF/UA document, an image its EXIF data turns), an RGBA screenshot that is opaque everywhere
//! is decoded without its alpha channel (`opaque_png.rs`).
//!
//! The layout must not decode an image a second time because it got there first: the world
//! calls [`ImageDecoding::ensure`] before it hands out an image's bytes, which waits for a
//! decoding under way or, if none has started, decodes the image on the spot. Only a thread
//! that is decoding marks an image as under way, so a waiter never waits on work that is merely
//! queued (rayon's threads may be the waiters).

use std::collections::{BTreeMap, BTreeSet};
use std::panic::catch_unwind;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};

use folio_ir::Attachments;
use rayon::prelude::*;
use typst::foundations::Bytes;

use crate::bitmap::bitmap_as_png;
use crate::downsample::downsample;
use crate::image_as_pdf::image_as_pdf;
use crate::opaque_png::without_opaque_alpha;
use crate::{is_loadable, is_loadable_image};

const NOT_STARTED: u8 = 0;
const UNDER_WAY: u8 = 1;
const DONE: u8 = 2;

/// The decoding of some attachments, by name.
pub(crate) struct ImageDecoding<'a> {
    attachments: &'a Attachments,
    index: BTreeMap<String, usize>,
    names: Vec<String>,
    states: Vec<AtomicU8>,
    /// Whether images may reach Typst as PDFs (`image_as_pdf.rs`).
    as_pdf: bool,
    /// The widest an image may be, in pixels, by name (the resolution cap; `downsample.rs`).
    caps: BTreeMap<String, u32>,
    /// The bytes Typst gets in place of an attachment's: the image as a PDF, or without its
    /// opaque alpha.
    replacements: Vec<OnceLock<Bytes>>,
    failed: Mutex<BTreeSet<String>>,
    /// Signalled whenever an image is done.
    finished: (Mutex<()>, Condvar),
}

impl<'a> ImageDecoding<'a> {
    /// Nothing decoded yet; `names` in the order they are best decoded in. `as_pdf`: whether
    /// images may reach Typst as PDFs, which a PDF/A or PDF/UA document cannot embed. `caps`:
    /// the widest each image may be, in pixels (none without a resolution cap).
    pub fn new(
        names: Vec<String>,
        attachments: &'a Attachments,
        as_pdf: bool,
        caps: BTreeMap<String, u32>,
    ) -> Self {
        let index = names
            .iter()
            .enumerate()
            .map(|(i, name)| (name.clone(), i))
            .collect();
        let states = names.iter().map(|_| AtomicU8::new(NOT_STARTED)).collect();
        let replacements = names.iter().map(|_| OnceLock::new()).collect();
        Self {
            attachments,
            index,
            names,
            states,
            as_pdf,
            caps,
            replacements,
            failed: Mutex::new(BTreeSet::new()),
            finished: (Mutex::new(()), Condvar::new()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Decodes every image no one else has started, one per core; returns when all are done.
    pub fn decode_all(&self) {
        (0..self.names.len())
            .into_par_iter()
            .for_each(|i| self.decode_unless_started(i));
        for i in 0..self.names.len() {
            self.wait(i);
        }
    }

    /// Returns once `name` (if it is one of these images) is decoded: decodes it here if no
    /// thread has started it, else waits for the thread that has.
    pub fn ensure(&self, name: &str) {
        if let Some(&i) = self.index.get(name) {
            self.decode_unless_started(i);
            self.wait(i);
        }
    }

    /// What Typst is to read in place of `name`'s attachment bytes, if anything. Call after
    /// [`ImageDecoding::ensure`].
    pub fn replacement(&self, name: &str) -> Option<Bytes> {
        let &i = self.index.get(name)?;
        self.replacements[i].get().cloned()
    }

    /// The images that did not decode (a decoder that panicked counts as failing; Typst's own
    /// use of it is caught as a panic too). Call after [`ImageDecoding::decode_all`].
    pub fn failed(&self) -> BTreeSet<String> {
        self.failed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn decode_unless_started(&self, i: usize) {
        if self.states[i]
            .compare_exchange(NOT_STARTED, UNDER_WAY, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return;
        }
        let name = &self.names[i];
        // `Some(replacement)` when it decodes.
        let as_pdf = self.as_pdf;
        let cap = self.caps.get(name).copied();
        let decoded = catch_unwind(|| {
            let attachment = self.attachments.get(name)?;
            let transcoded = bitmap_as_png(attachment).map(Bytes::new);
            let original: &[u8] = transcoded.as_deref().unwrap_or(attachment);
            let scaled = cap
                .and_then(|max_width| downsample(original, max_width))
                .map(Bytes::new);
            let bytes: &[u8] = scaled.as_deref().unwrap_or(original);
            // Decoded to make it: the image is loadable.
            if as_pdf && let Some(pdf) = image_as_pdf(bytes) {
                return Some(Some(Bytes::new(pdf)));
            }
            if let Some(opaque) = without_opaque_alpha(bytes).map(Bytes::new)
                && is_loadable(opaque.clone())
            {
                return Some(Some(opaque));
            }
            match scaled.or(transcoded) {
                Some(replacement) => is_loadable(replacement.clone()).then_some(Some(replacement)),
                None => is_loadable_image(attachment).then_some(None),
            }
        });
        match decoded {
            // Set once: only the thread that marked the image under way gets here.
            Ok(Some(replacement)) => {
                if let Some(replacement) = replacement {
                    let _ = self.replacements[i].set(replacement);
                }
            }
            Ok(None) | Err(_) => {
                self.failed
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .insert(name.clone());
            }
        }
        let (lock, finished) = &self.finished;
        let _guard = lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        self.states[i].store(DONE, Ordering::Release);
        finished.notify_all();
    }

    fn wait(&self, i: usize) {
        let (lock, finished) = &self.finished;
        let mut guard = lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        while self.states[i].load(Ordering::Acquire) != DONE {
            guard = finished
                .wait(guard)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_image_ends_decoded_and_the_failures_are_named() {
        let mut attachments = Attachments::new();
        attachments.insert("garbage.png", b"\x89PNG\r\n\x1a\nnot really".to_vec());
        attachments.insert("text.txt", b"hello".to_vec());
        let names = vec!["garbage.png".to_owned(), "text.txt".to_owned()];
        let decoding = ImageDecoding::new(names, &attachments, true, BTreeMap::new());
        std::thread::scope(|scope| {
            scope.spawn(|| decoding.decode_all());
            // Waiting for, or doing, the work of the background thread.
            decoding.ensure("garbage.png");
            decoding.ensure("text.txt");
            decoding.ensure("not-an-image-of-this-document.png");
        });
        assert_eq!(
            decoding.failed(),
            BTreeSet::from(["garbage.png".to_owned(), "text.txt".to_owned()])
        );
        assert!(
            decoding
                .states
                .iter()
                .all(|state| state.load(Ordering::Acquire) == DONE)
        );
    }
}
