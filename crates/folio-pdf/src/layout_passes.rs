//! Typst's compilation (`typst::compile`), with measured content kept apart from the page.
//!
//! Typst lays a document out until what it introspects stops changing. One of the things it
//! introspects is made by `measure`: every paragraph, table, list, link or strong text laid out
//! to be measured is given the location of "the closest matching element in the real document"
//! (typst-library's `MeasureIntrospection`), so that a counter inside measured content counts
//! as it will where the content is placed. The first layout has no document to match against,
//! so every one of those answers changes in the second, and the second layout measures
//! everything again: the theme measures every table cell, panel and column, each answer the
//! same size as before. On table-heavy pages that was up to a tenth of a warm render.
//!
//! Here a measured element's location is always the location of the `measure` call (where
//! Typst puts it when it finds no match). Nothing folio measures counts anything: its numbered
//! things (page numbers, the contents, the running header's part titles) are never inside a
//! measurement. A document that only needs one layout then takes one, and in the second layout
//! of one with page numbers every measurement comes from Typst's cache.
//!
//! The loop is `typst::compile`'s for paged documents (typst 0.15.1), with its introspector
//! behind [`MeasuredApart`]; Typst has no option for it.

use std::num::NonZeroUsize;

use typst::World;
use typst::comemo::{Constraint, Track, Tracked};
use typst::diag::{SourceDiagnostic, SourceResult, StrResult, Warned};
use typst::ecow::EcoVec;
use typst::engine::{Engine, Route, Sink, Traced};
use typst::foundations::{Content, Label, Output, Selector, StyleChain, Target, TargetElem};
use typst::introspection::{
    DocumentPosition, EmptyIntrospector, Introspector, Location, MAX_ITERS,
};
use typst::model::Numbering;
use typst::syntax::VirtualPath;
use typst::utils::Protected;
use typst_layout::PagedDocument;

/// Compiles `world`'s main file to a paged document, as `typst::compile` does, except that
/// measured content is never matched to elements of the laid-out document (see the module's
/// documentation).
pub(crate) fn compile(world: &dyn World) -> Warned<SourceResult<PagedDocument>> {
    let mut sink = Sink::new();
    let output = compile_with(world.track(), &mut sink)
        .map(|(document, _)| document)
        .map_err(deduplicate);
    Warned {
        output,
        warnings: sink.warnings(),
    }
}

/// How many times Typst laid `world`'s main file out; 0 if it failed.
#[cfg(test)]
pub(crate) fn layouts(world: &dyn World) -> usize {
    compile_with(world.track(), &mut Sink::new()).map_or(0, |(_, layouts)| layouts)
}

/// The document and how many times it was laid out.
fn compile_with(
    world: Tracked<dyn World + '_>,
    sink: &mut Sink,
) -> SourceResult<(PagedDocument, usize)> {
    let library = world.library();
    let base = StyleChain::new(&library.styles);
    let target = TargetElem::target.set(Target::Paged).wrap();
    let styles = base.chain(&target);
    let traced = Traced::default();

    let main = world.source(world.main()).map_err(|error| {
        EcoVec::from([SourceDiagnostic::error(
            typst::syntax::Span::detached(),
            error.to_string(),
        )])
    })?;
    let content = typst_eval::eval(
        world,
        library,
        traced.track(),
        sink.track_mut(),
        Route::default().track(),
        &main,
    )?
    .content();

    let empty = EmptyIntrospector;
    let mut history: Vec<PagedDocument> = Vec::with_capacity(MAX_ITERS);
    let document = loop {
        let previous = history.last().map(Output::introspector);
        let introspector = MeasuredApart(previous.unwrap_or(&empty));
        let constraint = Constraint::new();
        let mut subsink = Sink::new();
        let mut engine = Engine {
            library,
            world,
            introspector: Protected::new(
                (&introspector as &dyn Introspector).track_with(&constraint),
            ),
            traced: traced.track(),
            sink: subsink.track_mut(),
            route: Route::default(),
        };
        let document = PagedDocument::create(&mut engine, &content, styles)?;

        let settled = MeasuredApart(Output::introspector(&document));
        if constraint.validate(&settled as &dyn Introspector) {
            sink.extend_from_sink(subsink);
            break document;
        }
        if history.len() + 1 == MAX_ITERS {
            // Typst's own warnings for what did not settle.
            let mut apart = [MeasuredApart(&empty); MAX_ITERS + 1];
            for (slot, earlier) in apart[1..].iter_mut().zip(&history) {
                *slot = MeasuredApart(Output::introspector(earlier));
            }
            apart[MAX_ITERS] = settled;
            let introspectors = apart.each_ref().map(|apart| apart as &dyn Introspector);
            let warnings =
                typst::introspection::analyze(world, introspectors, subsink.introspections());
            sink.extend_from_sink(subsink);
            for warning in warnings {
                sink.warn(warning);
            }
            break document;
        }
        history.push(document);
    };

    let delayed = sink.delayed();
    if !delayed.is_empty() {
        return Err(delayed);
    }
    Ok((document, history.len() + 1))
}

/// Typst reports an error once per layout that met it.
fn deduplicate(mut diagnostics: EcoVec<SourceDiagnostic>) -> EcoVec<SourceDiagnostic> {
    let mut seen = std::collections::HashSet::new();
    diagnostics.retain(|diagnostic| {
        seen.insert(typst::utils::hash128(&(
            &diagnostic.span,
            &diagnostic.message,
        )))
    });
    diagnostics
}

/// A document's introspector that matches no measured element to the document's own: the
/// answer of the first layout, which had no document.
#[derive(Clone, Copy)]
struct MeasuredApart<'a>(&'a dyn Introspector);

impl Introspector for MeasuredApart<'_> {
    fn locator(&self, _key: u128, _base: Location) -> Option<Location> {
        None
    }

    fn query(&self, selector: &Selector) -> EcoVec<Content> {
        self.0.query(selector)
    }

    fn query_first(&self, selector: &Selector) -> Option<Content> {
        self.0.query_first(selector)
    }

    fn query_unique(&self, selector: &Selector) -> StrResult<Content> {
        self.0.query_unique(selector)
    }

    fn query_label(&self, label: Label) -> StrResult<&Content> {
        self.0.query_label(label)
    }

    fn query_labelled(&self) -> EcoVec<Content> {
        self.0.query_labelled()
    }

    fn query_count_before(&self, selector: &Selector, end: Location) -> usize {
        self.0.query_count_before(selector, end)
    }

    fn label_count(&self, label: Label) -> usize {
        self.0.label_count(label)
    }

    fn pages(&self, location: Location) -> Option<NonZeroUsize> {
        self.0.pages(location)
    }

    fn page(&self, location: Location) -> Option<NonZeroUsize> {
        self.0.page(location)
    }

    fn position(&self, location: Location) -> Option<DocumentPosition> {
        self.0.position(location)
    }

    fn page_numbering(&self, location: Location) -> Option<&Numbering> {
        self.0.page_numbering(location)
    }

    fn page_supplement(&self, location: Location) -> Option<&Content> {
        self.0.page_supplement(location)
    }

    fn anchor(&self, location: Location) -> Option<&typst::ecow::EcoString> {
        self.0.anchor(location)
    }

    fn document(&self, location: Location) -> Option<Location> {
        self.0.document(location)
    }

    fn path(&self, location: Location) -> Option<&VirtualPath> {
        self.0.path(location)
    }
}
