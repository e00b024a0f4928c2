//! Compiles the highlighting rules of a document's code languages on a second thread while
//! folio lowers the document and Typst lays it out.
//!
//! Typst highlights code with syntect, whose syntax definitions compile each of their regexes
//! the first time a line needs it. In a fresh process (`folio compile`) that compilation was
//! about a quarter of the time of a page with a few code blocks, spent on the one thread that
//! also evaluates and lays out the document. Parsing the start of each language's code here
//! compiles the same regexes beforehand: they live in syntect's process-wide syntax set
//! (`typst::text::RAW_SYNTAXES`), and a regex the layout needs while this thread compiles it
//! waits for that one compilation rather than repeating it. Highlighting itself stays Typst's.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, PoisonError};
use std::thread::JoinHandle;

use syntect::parsing::ParseState;
use typst::text::RAW_SYNTAXES;

/// Lines of code per language parsed ahead: enough to meet most of a language's rules, few
/// enough that a long listing is not highlighted twice.
const SAMPLE_LINES: usize = 400;

/// Languages warmed in this process: their regexes stay compiled, so a service warms each once.
static WARMED: Mutex<BTreeSet<&str>> = Mutex::new(BTreeSet::new());

/// Appends `code` to a language's `sample`, up to [`SAMPLE_LINES`] lines in all.
pub fn extend_sample(sample: &mut String, code: &str) {
    let room = SAMPLE_LINES.saturating_sub(sample.lines().count());
    for line in code.lines().take(room) {
        sample.push_str(line);
        sample.push('\n');
    }
}

/// Starts parsing the samples of the languages not yet warmed in this process; `None` when
/// there are none (or no thread could be started, which only costs time). Join the handle once
/// the layout is done.
pub fn start(samples: &BTreeMap<&'static str, String>) -> Option<JoinHandle<()>> {
    let fresh: Vec<(&'static str, String)> = {
        let mut warmed = WARMED.lock().unwrap_or_else(PoisonError::into_inner);
        samples
            .iter()
            .filter(|(lang, _)| warmed.insert(lang))
            .map(|(lang, code)| (*lang, code.clone()))
            .collect()
    };
    if fresh.is_empty() {
        return None;
    }
    std::thread::Builder::new()
        .name("folio-highlight-warmup".into())
        .spawn(move || {
            for (lang, code) in fresh {
                parse(lang, &code);
            }
        })
        .ok()
}

/// Parses `code` as Typst's `raw` does for language `lang` (the syntax set without newlines,
/// line by line), which compiles the regexes those lines reach. Returns the lines parsed: none
/// for a language Typst does not highlight.
fn parse(lang: &str, code: &str) -> usize {
    let syntaxes = &*RAW_SYNTAXES;
    let Some(syntax) = syntaxes.find_syntax_by_token(lang) else {
        return 0;
    };
    let mut state = ParseState::new(syntax);
    let mut parsed = 0;
    for line in code.lines() {
        // A syntax definition the parser rejects is Typst's to report when it highlights.
        if state.parse_line(line, syntaxes).is_err() {
            break;
        }
        parsed += 1;
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_stop_at_the_line_limit() {
        let mut sample = String::new();
        extend_sample(&mut sample, &"let x = 1;\n".repeat(300));
        extend_sample(&mut sample, &"let y = 2;\n".repeat(300));
        assert_eq!(sample.lines().count(), SAMPLE_LINES);
        assert!(sample.ends_with("let y = 2;\n"));
    }

    #[test]
    fn a_language_is_warmed_once_per_process() {
        let samples = BTreeMap::from([("rust", "fn main() {}\n".to_owned())]);
        if let Some(thread) = start(&samples) {
            thread.join().unwrap();
        }
        assert!(start(&samples).is_none());
        assert!(WARMED.lock().unwrap().contains("rust"));
    }

    #[test]
    fn known_languages_are_parsed_and_unknown_ones_skipped() {
        assert_eq!(parse("sql", "SELECT 1;\nSELECT 'a' FROM t;\n"), 2);
        assert_eq!(parse("no-such-language", "anything\nat all\n"), 0);
    }
}
