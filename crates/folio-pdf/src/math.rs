//! TeX maths (from Confluence's math macros) to Typst math markup.
//!
//! [`tex_to_typst`] translates a practical subset of LaTeX maths — what people type into
//! `mathblock`/`mathinline`/`latex` macros — into the body of a Typst equation. Anything outside
//! the subset is an error, and the caller shows the TeX source instead.
//!
//! The TeX comes from pages, so the output is built to be inert whatever the input: it holds
//! only
//! - identifiers and function names from the fixed tables below (symbols, operators, the
//!   allow-listed functions),
//! - single ASCII letters and digit runs,
//! - every other character of the source escaped (`\(`, `\#`, `\u{3b1}`…), so that no source
//!   character can open code, a string, a call, a named argument or a shorthand,
//! - text (`\text{…}`) in string literals from [`string_literal`].
//!
//! A space separates two tokens wherever writing them together would change their meaning:
//! neighbouring letters would join into an identifier (`xy` is looked up as a variable), `<` `=`
//! into a shorthand (`<=`). Nowhere else, since Typst shows spaces next to fences and text and
//! TeX ignores the source's spaces (see [`join`]).

use std::fmt;

use folio_ir::{Block, CodeBlock, Document, Inline, walk_blocks_mut, walk_inlines_mut};

use crate::escape::string_literal;

/// Longest TeX source translated, in characters.
pub(crate) const MAX_TEX_CHARS: usize = 10_000;

/// Deepest nesting of groups, arguments and environments translated.
pub(crate) const MAX_NESTING: usize = 64;

/// Why a formula was not translated. Messages name TeX constructs (a command or environment
/// name of at most [`MAX_NAME`] ASCII letters) but never quote the formula.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MathError {
    TooLong,
    TooDeep,
    /// Braces, `\left`/`\right` or `\begin`/`\end` that do not pair up.
    Unbalanced(&'static str),
    UnknownCommand(String),
    UnknownEnvironment(String),
    /// A construct where TeX does not allow it (`&` outside an alignment, `^` twice…).
    Misplaced(&'static str),
    /// A command at the end of the formula or group, without its argument.
    MissingArgument(&'static str),
}

/// Names longer than this, or not made of ASCII letters, are not quoted in messages.
const MAX_NAME: usize = 32;

fn quotable(name: &str) -> Option<&str> {
    let bare = name.trim_end_matches('*');
    (!bare.is_empty() && name.len() <= MAX_NAME && bare.chars().all(|c| c.is_ascii_alphabetic()))
        .then_some(name)
}

impl fmt::Display for MathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MathError::TooLong => {
                write!(f, "the formula is longer than {MAX_TEX_CHARS} characters")
            }
            MathError::TooDeep => write!(f, "the formula nests deeper than {MAX_NESTING} levels"),
            MathError::Unbalanced(what) => write!(f, "unbalanced {what}"),
            MathError::UnknownCommand(name) => match quotable(name) {
                Some(name) => write!(f, "unsupported command `\\{name}`"),
                None => write!(f, "unsupported command"),
            },
            MathError::UnknownEnvironment(name) => match quotable(name) {
                Some(name) => write!(f, "unsupported environment `{name}`"),
                None => write!(f, "unsupported environment"),
            },
            MathError::Misplaced(what) => write!(f, "misplaced {what}"),
            MathError::MissingArgument(command) => {
                write!(f, "`\\{command}` is missing an argument")
            }
        }
    }
}

impl std::error::Error for MathError {}

/// The body of a Typst equation (what goes between the `$`s) for TeX maths `tex`.
///
/// Surrounding `$…$`, `$$…$$`, `\(…\)` and `\[…\]`, which people paste along with the formula,
/// are dropped.
pub(crate) fn tex_to_typst(tex: &str) -> Result<String, MathError> {
    if tex.chars().count() > MAX_TEX_CHARS {
        return Err(MathError::TooLong);
    }
    let tokens = tokenize(strip_math_delimiters(tex.trim()))?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let body = parser.sequence(Context::TOP)?;
    Ok(join(body))
}

fn strip_math_delimiters(tex: &str) -> &str {
    for (open, close) in [("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$")] {
        if let Some(inner) = tex
            .strip_prefix(open)
            .and_then(|rest| rest.strip_suffix(close))
        {
            return inner;
        }
    }
    tex
}

/// `document` with its formulas as code (their TeX source), or `None` if it has none.
pub(crate) fn as_source(document: &Document) -> Option<Document> {
    let mut plain = document.clone();
    let mut found = false;
    walk_blocks_mut(&mut plain.blocks, &mut |blocks: &mut Vec<Block>| {
        for block in blocks.iter_mut() {
            if let Block::Math { tex, span } = block {
                found = true;
                *block = Block::Code(CodeBlock {
                    language: None,
                    title: None,
                    line_numbers: false,
                    first_line: 1,
                    code: std::mem::take(tex),
                    plain: true,
                    span: *span,
                });
            }
        }
    });
    walk_inlines_mut(&mut plain.blocks, &mut |inlines: &mut Vec<Inline>| {
        for inline in inlines.iter_mut() {
            if let Inline::Math { tex } = inline {
                found = true;
                *inline = Inline::Code {
                    content: vec![Inline::text(std::mem::take(tex))],
                };
            }
        }
    });
    found.then_some(plain)
}

// ---- Tokens ---------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    /// `\name`, or `\c` for one non-letter `c` (the name is then `c`).
    Command(&'a str),
    Char(char),
    Open,
    Close,
    Sup,
    Sub,
    Amp,
    /// White space (significant only in `\text`).
    Space,
}

fn tokenize(tex: &str) -> Result<Vec<Token<'_>>, MathError> {
    let mut tokens = Vec::new();
    let mut chars = tex.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let token = match c {
            '\\' => {
                let start = i + 1;
                let mut end = start;
                while let Some(&(j, d)) = chars.peek() {
                    if !d.is_ascii_alphabetic() {
                        break;
                    }
                    end = j + d.len_utf8();
                    chars.next();
                }
                if end > start {
                    // TeX skips the spaces after a command word.
                    while chars.peek().is_some_and(|&(_, d)| d.is_whitespace()) {
                        chars.next();
                    }
                    Token::Command(&tex[start..end])
                } else {
                    match chars.next() {
                        // A backslash before a line break or tab is a space, as before a space.
                        Some((_, d)) if d.is_whitespace() => Token::Command(" "),
                        Some((j, d)) => Token::Command(&tex[j..j + d.len_utf8()]),
                        None => return Err(MathError::Misplaced("backslash at the end")),
                    }
                }
            }
            '%' => {
                while chars.next_if(|&(_, d)| d != '\n').is_some() {}
                continue;
            }
            '{' => Token::Open,
            '}' => Token::Close,
            '^' => Token::Sup,
            '_' => Token::Sub,
            '&' => Token::Amp,
            c if c.is_whitespace() || c.is_control() || is_bidi_control(c) => {
                if tokens.last() != Some(&Token::Space) {
                    tokens.push(Token::Space);
                }
                continue;
            }
            c => Token::Char(c),
        };
        tokens.push(token);
    }
    Ok(tokens)
}

/// Invisible, and some sequences of them trip Typst's shaping (see `escape.rs`).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

// ---- Parser ---------------------------------------------------------------------------------

/// Where a sequence may end, and what it may contain.
#[derive(Debug, Clone, Copy, Default)]
struct Context {
    /// Ends at `}`.
    group: bool,
    /// Ends at `]` (the index of `\sqrt[n]{x}`).
    bracket: bool,
    /// Ends at `\right`.
    right: bool,
    /// Ends at `\end`, `&` and `\\` (a cell of a matrix or cases).
    cell: bool,
    /// Ends at `\end` and `\\` (a line of an aligned environment set as a matrix).
    row: bool,
    /// `&` is an alignment point and `\\` a line break (top level, aligned environments).
    lines: bool,
    /// `\\` is a line break (`\substack`).
    breaks: bool,
    /// Ends at `\end` (an aligned environment's body).
    end: bool,
}

impl Context {
    const TOP: Context = Context {
        group: false,
        bracket: false,
        right: false,
        cell: false,
        row: false,
        lines: true,
        breaks: true,
        end: false,
    };
}

/// An argument Typst requires: an empty last argument (`frac(a, )`) is no argument at all.
fn non_empty(argument: String) -> String {
    if argument.is_empty() {
        "zws".to_owned()
    } else {
        argument
    }
}

/// `‖`, escaped (see [`SYMBOLS`]).
const FENCE_DOUBLE: &str = "\\u{2016}";

/// Pieces of Typst math in a row, with a space between two only where writing them together
/// would change how Typst reads them. Spaces matter around fences and text (Typst shows them
/// there), and TeX ignores the source's spaces, so none more are written.
fn join(pieces: Vec<String>) -> String {
    let mut out = String::new();
    let mut previous: Option<String> = None;
    for piece in pieces {
        if let Some(previous) = &previous
            && needs_space(previous, &piece)
        {
            out.push(' ');
        }
        out.push_str(&piece);
        previous = Some(piece);
    }
    out
}

fn needs_space(left: &str, right: &str) -> bool {
    let (Some(a), Some(b)) = (left.chars().last(), right.chars().next()) else {
        return false;
    };
    // Identifiers and numbers run on (`x y` is not `xy`); a line break is a backslash before
    // a space; shorthands are runs of these punctuation characters (`<=`, `->`, `|]`).
    let word = |c: char| c.is_alphanumeric() || c == '.';
    let shorthand = |c: char| "-<>=:!.|~*[]/'".contains(c);
    left == "\\" || (word(a) && word(b)) || (shorthand(a) && shorthand(b))
}

/// What an atom produced: most are one Typst atom, a group is a sequence.
enum Atom {
    One(String),
    Group(Vec<String>),
}

impl Atom {
    /// One Typst atom that attachments bind to as a whole.
    fn into_base(self) -> String {
        match self {
            Atom::One(piece) => piece,
            Atom::Group(mut pieces) if pieces.len() == 1 => pieces.remove(0),
            // An empty base still carries scripts (`{}^{14}C`) without taking room.
            Atom::Group(pieces) if pieces.is_empty() => "zws".to_owned(),
            // A TeX group is an ordinary atom: in Typst, the normal class.
            Atom::Group(pieces) => format!("class(\"normal\", {})", join(pieces)),
        }
    }

    fn into_pieces(self) -> Vec<String> {
        match self {
            Atom::One(piece) => vec![piece],
            Atom::Group(pieces) => pieces,
        }
    }
}

struct Parser<'a> {
    tokens: Vec<Token<'a>>,
    pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn peek(&mut self) -> Option<Token<'a>> {
        while self.tokens.get(self.pos) == Some(&Token::Space) {
            self.pos += 1;
        }
        self.tokens.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<Token<'a>> {
        let token = self.peek();
        if token.is_some() {
            self.pos += 1;
        }
        token
    }

    fn enter(&mut self) -> Result<(), MathError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(MathError::TooDeep);
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Atoms with their scripts until the context's end (which is left unconsumed, except a
    /// group's `}`).
    fn sequence(&mut self, cx: Context) -> Result<Vec<String>, MathError> {
        let mut pieces = Vec::new();
        loop {
            let Some(token) = self.peek() else {
                if cx.group {
                    return Err(MathError::Unbalanced("braces"));
                }
                if cx.bracket {
                    return Err(MathError::Unbalanced("brackets"));
                }
                if cx.right {
                    return Err(MathError::Unbalanced("`\\left` and `\\right`"));
                }
                if cx.cell || cx.row || cx.end {
                    return Err(MathError::Unbalanced("`\\begin` and `\\end`"));
                }
                break;
            };
            match token {
                Token::Close if cx.group => {
                    self.pos += 1;
                    break;
                }
                Token::Close => return Err(MathError::Unbalanced("braces")),
                Token::Char(']') if cx.bracket => {
                    self.pos += 1;
                    break;
                }
                Token::Command("right") if cx.right => break,
                Token::Command("right") => {
                    return Err(MathError::Unbalanced("`\\left` and `\\right`"));
                }
                Token::Command("end") if cx.cell || cx.row || cx.end => break,
                Token::Command("end") => {
                    return Err(MathError::Unbalanced("`\\begin` and `\\end`"));
                }
                Token::Amp | Token::Command("\\" | "cr") if cx.cell => break,
                Token::Command("\\" | "cr") if cx.row => break,
                Token::Amp if cx.lines => {
                    self.pos += 1;
                    pieces.push("&".to_owned());
                }
                Token::Amp => return Err(MathError::Misplaced("`&`")),
                Token::Command("\\" | "cr" | "newline") if cx.lines || cx.breaks => {
                    self.pos += 1;
                    // `\\[2pt]` asks for extra room; the break is what matters.
                    self.skip_optional_argument();
                    pieces.push("\\".to_owned());
                }
                Token::Command("\\" | "cr" | "newline") => {
                    return Err(MathError::Misplaced("line break"));
                }
                Token::Command("middle") if cx.right => {
                    self.pos += 1;
                    let delimiter = self.delimiter("middle")?;
                    if !delimiter.is_empty() {
                        pieces.push(format!("mid({delimiter})"));
                    }
                }
                _ => {
                    let atom = self.scripted_atom()?;
                    pieces.extend(atom);
                }
            }
        }
        // A line break at the end shows nothing, and `\` right before the closing `$` would
        // escape it.
        while pieces.last().is_some_and(|p| p == "\\") {
            pieces.pop();
        }
        Ok(pieces)
    }

    /// An atom, then its primes, `\limits`/`\nolimits` and scripts.
    fn scripted_atom(&mut self) -> Result<Vec<String>, MathError> {
        let atom = self.atom()?;
        let Some(atom) = atom else {
            return Ok(Vec::new());
        };
        let mut limits = None;
        let mut primes = 0;
        let mut sup = None;
        let mut sub = None;
        loop {
            match self.peek() {
                Some(Token::Char('\'')) => {
                    if sup.is_some() {
                        return Err(MathError::Misplaced("prime after a superscript"));
                    }
                    self.pos += 1;
                    primes += 1;
                }
                Some(Token::Command("limits")) => {
                    self.pos += 1;
                    limits = Some("limits");
                }
                Some(Token::Command("nolimits")) => {
                    self.pos += 1;
                    limits = Some("scripts");
                }
                Some(Token::Sup) => {
                    self.pos += 1;
                    if sup.is_some() {
                        return Err(MathError::Misplaced("double superscript"));
                    }
                    sup = Some(self.script_argument("^")?);
                }
                Some(Token::Sub) => {
                    self.pos += 1;
                    if sub.is_some() {
                        return Err(MathError::Misplaced("double subscript"));
                    }
                    sub = Some(self.script_argument("_")?);
                }
                _ => break,
            }
        }
        if limits.is_none() && primes == 0 && sup.is_none() && sub.is_none() {
            return Ok(atom.into_pieces());
        }
        let mut base = atom.into_base();
        if let Some(function) = limits {
            base = format!("{function}({base})");
        }
        base.push_str(&"'".repeat(primes));
        for (marker, script) in [("^", sup), ("_", sub)] {
            // An empty script (`x^{}`) shows nothing.
            if let Some(script) = script.filter(|s| !s.is_empty()) {
                base.push_str(marker);
                base.push('(');
                base.push_str(&join(script));
                base.push(')');
            }
        }
        Ok(vec![base])
    }

    /// The argument of `^` or `_`: a group, or one token (`x^23` is `x^{2}3`, as in TeX).
    fn script_argument(&mut self, marker: &'static str) -> Result<Vec<String>, MathError> {
        match self.peek() {
            None | Some(Token::Close | Token::Amp | Token::Sup | Token::Sub) => {
                Err(MathError::MissingArgument(if marker == "^" {
                    "^"
                } else {
                    "_"
                }))
            }
            Some(Token::Char(c)) if c.is_ascii_digit() => {
                self.pos += 1;
                Ok(vec![c.to_string()])
            }
            _ => Ok(self.atom()?.map(Atom::into_pieces).unwrap_or_default()),
        }
    }

    /// A command's mandatory argument: a group's pieces, or one token's.
    fn argument(&mut self, command: &'static str) -> Result<Vec<String>, MathError> {
        match self.peek() {
            None
            | Some(
                Token::Close
                | Token::Amp
                | Token::Sup
                | Token::Sub
                | Token::Command("right" | "end" | "\\"),
            ) => Err(MathError::MissingArgument(command)),
            Some(Token::Char(c)) if c.is_ascii_digit() => {
                // `\frac12` takes one digit each, as in TeX.
                self.pos += 1;
                Ok(vec![c.to_string()])
            }
            _ => Ok(self.atom()?.map(Atom::into_pieces).unwrap_or_default()),
        }
    }

    /// An argument as one Typst function argument.
    fn argument_text(&mut self, command: &'static str) -> Result<String, MathError> {
        Ok(non_empty(join(self.argument(command)?)))
    }

    /// `[…]` after a command, if present, as pieces.
    fn optional_argument(&mut self) -> Result<Option<Vec<String>>, MathError> {
        if self.peek() != Some(Token::Char('[')) {
            return Ok(None);
        }
        self.pos += 1;
        let cx = Context {
            bracket: true,
            ..Context::default()
        };
        self.sequence(cx).map(Some)
    }

    /// Skips the extra room a line break asks for (`\\[2pt]`). Only a length is skipped:
    /// `\\ [a, b]` starts the next line with an interval.
    fn skip_optional_argument(&mut self) {
        let save = self.pos;
        if self.peek() != Some(Token::Char('[')) {
            self.pos = save;
            return;
        }
        let mut length = String::new();
        for (i, token) in self.tokens[self.pos + 1..].iter().enumerate() {
            match token {
                Token::Char(']') => {
                    if is_length(&length) {
                        self.pos += i + 2;
                    } else {
                        self.pos = save;
                    }
                    return;
                }
                Token::Char(c) => length.push(*c),
                Token::Space => {}
                _ => break,
            }
        }
        self.pos = save;
    }

    /// One atom; `None` for commands that produce nothing (`\displaystyle`, `\!`). Every
    /// recursion of the parser passes through here, so the nesting is counted here.
    fn atom(&mut self) -> Result<Option<Atom>, MathError> {
        let Some(token) = self.next() else {
            return Ok(None);
        };
        // Characters are leaves; groups and commands may nest.
        let nests = matches!(token, Token::Open | Token::Command(_));
        if nests {
            self.enter()?;
        }
        let atom = match token {
            Token::Open => {
                let cx = Context {
                    group: true,
                    ..Context::default()
                };
                Some(Atom::Group(self.sequence(cx)?))
            }
            Token::Close => return Err(MathError::Unbalanced("braces")),
            Token::Sup | Token::Sub => return Err(MathError::Misplaced("script without a base")),
            Token::Amp => return Err(MathError::Misplaced("`&`")),
            Token::Space => None,
            Token::Char(c) if c.is_ascii_digit() => {
                let mut number = c.to_string();
                while let Some(Token::Char(d)) = self.tokens.get(self.pos).copied() {
                    let decimal = d == '.'
                        && matches!(self.tokens.get(self.pos + 1), Some(Token::Char(e)) if e.is_ascii_digit());
                    if !d.is_ascii_digit() && !decimal {
                        break;
                    }
                    number.push(d);
                    self.pos += 1;
                }
                Some(Atom::One(number))
            }
            Token::Char(c) => Some(Atom::One(char_piece(c))),
            Token::Command(name) => self.command(name)?,
        };
        if nests {
            self.leave();
        }
        Ok(atom)
    }

    fn command(&mut self, name: &'a str) -> Result<Option<Atom>, MathError> {
        if let Some(symbol) = symbol(name) {
            return Ok(Some(Atom::One(symbol.to_owned())));
        }
        if let Some(operator) = operator(name) {
            return Ok(Some(Atom::One(operator)));
        }
        if let Some(accent) = accent(name) {
            let body = self.argument_text("accent")?;
            return Ok(Some(Atom::One(format!("{accent}({body})"))));
        }
        if let Some(style) = style(name) {
            let body = self.argument_text("style")?;
            return Ok(Some(Atom::One(style.replace("{}", &body))));
        }
        if let Some(style) = text_style(name) {
            let text = self.text_argument()?;
            let text = string_literal(&text);
            return Ok(Some(Atom::One(style.replace("{}", &text))));
        }
        let one = |piece: &str| Ok(Some(Atom::One(piece.to_owned())));
        match name {
            "frac" | "dfrac" | "tfrac" | "cfrac" | "binom" | "dbinom" | "tbinom" => {
                let command = if name.ends_with("binom") {
                    "binom"
                } else {
                    "frac"
                };
                let numerator = self.argument_text(command)?;
                let denominator = self.argument_text(command)?;
                let call = format!("{command}({numerator}, {denominator})");
                match name.as_bytes()[0] {
                    b'd' => one(&format!("display({call})")),
                    b't' => one(&format!("inline({call})")),
                    _ => one(&call),
                }
            }
            "sqrt" => {
                let index = self.optional_argument()?;
                let radicand = self.argument_text("sqrt")?;
                match index {
                    Some(index) if !index.is_empty() => {
                        one(&format!("root({}, {radicand})", join(index)))
                    }
                    _ => one(&format!("sqrt({radicand})")),
                }
            }
            "overbrace" | "underbrace" | "overbracket" | "underbracket" => {
                let body = self.argument_text("overbrace")?;
                // The label is written as a script after the brace in TeX, and is an argument
                // in Typst.
                let marker = if name.starts_with("over") {
                    Token::Sup
                } else {
                    Token::Sub
                };
                if self.peek() == Some(marker) {
                    self.pos += 1;
                    let marker = if marker == Token::Sup { "^" } else { "_" };
                    let label = non_empty(join(self.script_argument(marker)?));
                    one(&format!("{name}({body}, {label})"))
                } else {
                    one(&format!("{name}({body})"))
                }
            }
            "overset" | "stackrel" | "underset" => {
                let script = self.argument_text("overset")?;
                // A single atom keeps its class (`\overset{!}{=}` is a relation), as in
                // amsmath.
                let base = Atom::Group(self.argument("overset")?).into_base();
                let marker = if name == "underset" { "_" } else { "^" };
                one(&format!("limits({base}){marker}({script})"))
            }
            "substack" => {
                if self.peek() != Some(Token::Open) {
                    return Err(MathError::MissingArgument("substack"));
                }
                self.pos += 1;
                let cx = Context {
                    group: true,
                    breaks: true,
                    ..Context::default()
                };
                Ok(Some(Atom::Group(self.sequence(cx)?)))
            }
            "operatorname" | "operatornamewithlimits" => {
                let limits =
                    self.peek() == Some(Token::Char('*')) || name == "operatornamewithlimits";
                if self.peek() == Some(Token::Char('*')) {
                    self.pos += 1;
                }
                let text = string_literal(self.text_argument()?.trim());
                if limits {
                    one(&format!("limits(op({text}))"))
                } else {
                    one(&format!("op({text})"))
                }
            }
            "left" => {
                let open = self.delimiter("left")?;
                let cx = Context {
                    right: true,
                    ..Context::default()
                };
                let body = self.sequence(cx)?;
                self.pos += 1; // `\right`
                let close = self.delimiter("right")?;
                let inner = [open, join(body), close]
                    .into_iter()
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>();
                if inner.is_empty() {
                    return Ok(Some(Atom::Group(Vec::new())));
                }
                one(&format!("lr({})", join(inner)))
            }
            "bigl" | "bigr" | "bigm" | "big" | "Bigl" | "Bigr" | "Bigm" | "Big" | "biggl"
            | "biggr" | "biggm" | "bigg" | "Biggl" | "Biggr" | "Biggm" | "Bigg" => {
                // Fixed sizes need lengths, which are code; the delimiter shows at its size.
                let delimiter = self.delimiter("big")?;
                Ok((!delimiter.is_empty()).then_some(Atom::One(delimiter)))
            }
            "not" => {
                let negated = match self.next() {
                    Some(Token::Char(c)) => match negation(c.encode_utf8(&mut [0; 4])) {
                        Some(negated) => negated,
                        None => return Err(MathError::Misplaced("`\\not`")),
                    },
                    Some(Token::Command(next)) => match negation(next) {
                        Some(negated) => negated,
                        None => return Err(MathError::UnknownCommand(format!("not{next}"))),
                    },
                    _ => return Err(MathError::MissingArgument("not")),
                };
                one(negated)
            }
            "pmod" => {
                let body = self.argument_text("pmod")?;
                one(&format!("quad \\( mod thin {body} \\)"))
            }
            "bmod" | "mod" => one("mod"),
            "begin" => self.environment().map(Some),
            // Spacing.
            "," | "thinspace" => one("thin"),
            ":" | ">" | "medspace" => one("med"),
            ";" | "thickspace" | " " | "space" | "nobreakspace" => one("thick"),
            "quad" => one("quad"),
            "qquad" => one("wide"),
            // Negative space and style switches change looks only; Typst picks display or text
            // style from the equation.
            "!" | "negthinspace" | "displaystyle" | "textstyle" | "scriptstyle"
            | "scriptscriptstyle" | "hline" | "hdashline" | "nonumber" | "notag" | "limits"
            | "nolimits" | "strut" | "mathstrut" | "allowbreak" => Ok(None),
            _ => Err(MathError::UnknownCommand(name.to_owned())),
        }
    }

    /// The delimiter after `\left`, `\right`, `\middle` or `\big`; empty for `.`.
    fn delimiter(&mut self, command: &'static str) -> Result<String, MathError> {
        let piece = match self.next() {
            Some(Token::Char('.')) => String::new(),
            Some(Token::Char('<')) => "chevron.l".to_owned(),
            Some(Token::Char('>')) => "chevron.r".to_owned(),
            Some(Token::Char(c)) if "()[]|/".contains(c) => char_piece(c),
            Some(Token::Command(name)) => match name {
                "{" | "lbrace" => "brace.l".to_owned(),
                "}" | "rbrace" => "brace.r".to_owned(),
                "|" | "Vert" | "lVert" | "rVert" => FENCE_DOUBLE.to_owned(),
                "vert" | "lvert" | "rvert" => "\\|".to_owned(),
                "langle" => "chevron.l".to_owned(),
                "rangle" => "chevron.r".to_owned(),
                "lceil" => "ceil.l".to_owned(),
                "rceil" => "ceil.r".to_owned(),
                "lfloor" => "floor.l".to_owned(),
                "rfloor" => "floor.r".to_owned(),
                "lbrack" => "\\[".to_owned(),
                "rbrack" => "\\]".to_owned(),
                "backslash" => "backslash".to_owned(),
                "uparrow" => "arrow.t".to_owned(),
                "downarrow" => "arrow.b".to_owned(),
                "updownarrow" => "arrow.t.b".to_owned(),
                _ => return Err(MathError::UnknownCommand(name.to_owned())),
            },
            _ => return Err(MathError::MissingArgument(command)),
        };
        Ok(piece)
    }

    /// The text of a `\text{…}`-like argument: characters as written, TeX's escapes of special
    /// characters resolved, inner braces dropped.
    fn text_argument(&mut self) -> Result<String, MathError> {
        match self.next() {
            Some(Token::Open) => {}
            Some(Token::Char(c)) => return Ok(c.to_string()),
            _ => return Err(MathError::MissingArgument("text")),
        }
        let mut text = String::new();
        let mut level = 0usize;
        loop {
            // Spaces count here, so no `peek`.
            let Some(token) = self.tokens.get(self.pos).copied() else {
                return Err(MathError::Unbalanced("braces"));
            };
            self.pos += 1;
            match token {
                Token::Open => {
                    level += 1;
                    if level > MAX_NESTING {
                        return Err(MathError::TooDeep);
                    }
                }
                Token::Close if level == 0 => return Ok(text),
                Token::Close => level -= 1,
                Token::Space => text.push(' '),
                Token::Char(c) => text.push(c),
                Token::Sup => text.push('^'),
                Token::Sub => text.push('_'),
                Token::Amp => return Err(MathError::Misplaced("`&`")),
                Token::Command(name) => match name {
                    "{" | "}" | "$" | "%" | "&" | "_" | "#" => text.push_str(name),
                    " " | "," | ";" | ":" | "quad" | "qquad" | "space" => text.push(' '),
                    "textbackslash" => text.push('\\'),
                    "textasciitilde" => text.push('~'),
                    "textasciicircum" => text.push('^'),
                    "ldots" | "dots" | "textellipsis" => text.push('…'),
                    _ => return Err(MathError::UnknownCommand(name.to_owned())),
                },
            }
        }
    }

    /// `\begin{name}…\end{name}`, `\begin` already consumed.
    fn environment(&mut self) -> Result<Atom, MathError> {
        let name = self.environment_name()?;
        let bare = name.trim_end_matches('*');
        let atom = match bare {
            "matrix" | "smallmatrix" | "array" | "pmatrix" | "bmatrix" | "Bmatrix" | "vmatrix"
            | "Vmatrix" => {
                if bare == "array" {
                    self.skip_group()?;
                }
                let rows = self.rows()?;
                let delimiter = match bare {
                    "pmatrix" => Some("\"(\""),
                    "bmatrix" => Some("\"[\""),
                    "Bmatrix" => Some("\"{\""),
                    "vmatrix" => Some("\"|\""),
                    "Vmatrix" => Some("\"‖\""),
                    // The theme makes matrices undelimited by default, which saves emitting
                    // `delim: #none` (code).
                    _ => None,
                };
                let mut args = Vec::new();
                if let Some(delimiter) = delimiter {
                    args.push(format!("delim: {delimiter}"));
                }
                let rows = rows
                    .into_iter()
                    // Typst pads short rows.
                    .map(|row| row.join(", "))
                    .collect::<Vec<_>>()
                    .join("; ");
                if !rows.is_empty() {
                    args.push(rows);
                }
                let call = format!("mat({})", args.join(", "));
                Atom::One(if bare == "smallmatrix" {
                    format!("inline({call})")
                } else {
                    call
                })
            }
            "cases" | "dcases" => {
                let rows = self.rows()?;
                let rows = rows
                    .into_iter()
                    .map(|row| row.join(" & "))
                    .collect::<Vec<_>>()
                    .join(", ");
                Atom::One(format!("cases({rows})"))
            }
            "aligned" | "align" | "alignat" | "alignedat" | "flalign" | "split" | "gather"
            | "gathered" | "equation" | "multline" | "eqnarray" | "displaymath" | "math" => {
                if bare == "alignat" || bare == "alignedat" {
                    self.skip_group()?;
                }
                if self.depth == 1 {
                    // The whole formula's lines.
                    let cx = Context {
                        end: true,
                        lines: true,
                        breaks: true,
                        ..Context::default()
                    };
                    Atom::Group(self.sequence(cx)?)
                } else {
                    // Inside something else (`\left\{ \begin{aligned}…`) the lines must stay
                    // together: a one-column matrix, whose cells align at their `&`s.
                    Atom::One(format!("mat({})", self.aligned_rows()?.join("; ")))
                }
            }
            _ => return Err(MathError::UnknownEnvironment(name)),
        };
        // `\end{name}` (the sequence stopped at `\end`).
        if self.next() != Some(Token::Command("end")) {
            return Err(MathError::Unbalanced("`\\begin` and `\\end`"));
        }
        if self.environment_name()? != name {
            return Err(MathError::Unbalanced("`\\begin` and `\\end`"));
        }
        Ok(atom)
    }

    fn environment_name(&mut self) -> Result<String, MathError> {
        if self.next() != Some(Token::Open) {
            return Err(MathError::MissingArgument("begin"));
        }
        let mut name = String::new();
        loop {
            match self.next() {
                Some(Token::Close) => return Ok(name),
                Some(Token::Char(c)) => name.push(c),
                _ => return Err(MathError::Unbalanced("braces")),
            }
        }
    }

    /// Skips a group (an `array`'s column specification).
    fn skip_group(&mut self) -> Result<(), MathError> {
        if self.next() != Some(Token::Open) {
            return Err(MathError::MissingArgument("begin"));
        }
        let mut level = 0usize;
        loop {
            match self.tokens.get(self.pos) {
                None => return Err(MathError::Unbalanced("braces")),
                Some(Token::Open) => level += 1,
                Some(Token::Close) if level == 0 => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(Token::Close) => level -= 1,
                Some(_) => {}
            }
            self.pos += 1;
        }
    }

    /// Lines up to `\end`, their alignment points kept; a last empty line is dropped.
    fn aligned_rows(&mut self) -> Result<Vec<String>, MathError> {
        let cx = Context {
            row: true,
            lines: true,
            ..Context::default()
        };
        let mut rows = Vec::new();
        loop {
            rows.push(join(self.sequence(cx)?));
            match self.peek() {
                Some(Token::Command("\\" | "cr")) => {
                    self.pos += 1;
                    self.skip_optional_argument();
                }
                _ => break,
            }
        }
        if rows.last().is_some_and(String::is_empty) {
            rows.pop();
        }
        Ok(rows)
    }

    /// Rows of cells up to `\end`; a last empty row (after a final `\\`) is dropped.
    fn rows(&mut self) -> Result<Vec<Vec<String>>, MathError> {
        let cx = Context {
            cell: true,
            ..Context::default()
        };
        let mut rows = vec![Vec::new()];
        loop {
            let cell = self.sequence(cx)?;
            rows.last_mut()
                .expect("there is a current row")
                .push(join(cell));
            match self.peek() {
                Some(Token::Amp) => self.pos += 1,
                Some(Token::Command("\\" | "cr")) => {
                    self.pos += 1;
                    self.skip_optional_argument();
                    rows.push(Vec::new());
                }
                _ => break,
            }
        }
        if rows
            .last()
            .is_some_and(|row| row.iter().all(String::is_empty))
        {
            rows.pop();
        }
        Ok(rows)
    }
}

/// A TeX length: a number and a two-letter unit (`2pt`, `-0.5em`, `1.2ex`).
fn is_length(text: &str) -> bool {
    let number = text.trim_start_matches(['-', '+']);
    let split = number
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(number.len());
    let (digits, unit) = number.split_at(split);
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && unit.len() == 2
        && unit.chars().all(|c| c.is_ascii_lowercase())
}

/// A character of the source as Typst math: letters and a few operators as they are, every
/// other character escaped so that it means only itself.
fn char_piece(c: char) -> String {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' | '+' | '=' | '<' | '>' => c.to_string(),
        // The minus sign and the asterisk operator, as TeX prints them.
        '-' => "-".to_owned(),
        '*' => "*".to_owned(),
        // A stray prime (scripts' primes are handled with their base).
        '\'' => "prime".to_owned(),
        // TeX's tie is a space.
        '~' => "thick".to_owned(),
        c if c.is_ascii_punctuation() => format!("\\{c}"),
        c => format!("\\u{{{:x}}}", c as u32),
    }
}

// ---- Tables ---------------------------------------------------------------------------------

/// TeX symbol commands to Typst symbol names (codex's `sym`, which Typst's maths see).
const SYMBOLS: &[(&str, &str)] = &[
    // Greek. TeX's \epsilon and \phi are the lunate and the stroked forms.
    ("alpha", "alpha"),
    ("beta", "beta"),
    ("gamma", "gamma"),
    ("delta", "delta"),
    ("epsilon", "epsilon.alt"),
    ("varepsilon", "epsilon"),
    ("zeta", "zeta"),
    ("eta", "eta"),
    ("theta", "theta"),
    ("vartheta", "theta.alt"),
    ("iota", "iota"),
    ("kappa", "kappa"),
    ("varkappa", "kappa.alt"),
    ("lambda", "lambda"),
    ("mu", "mu"),
    ("nu", "nu"),
    ("xi", "xi"),
    ("omicron", "omicron"),
    ("pi", "pi"),
    ("varpi", "pi.alt"),
    ("rho", "rho"),
    ("varrho", "rho.alt"),
    ("sigma", "sigma"),
    ("varsigma", "sigma.alt"),
    ("tau", "tau"),
    ("upsilon", "upsilon"),
    ("phi", "phi.alt"),
    ("varphi", "phi"),
    ("chi", "chi"),
    ("psi", "psi"),
    ("omega", "omega"),
    ("digamma", "digamma"),
    ("Gamma", "Gamma"),
    ("Delta", "Delta"),
    ("Theta", "Theta"),
    ("Lambda", "Lambda"),
    ("Xi", "Xi"),
    ("Pi", "Pi"),
    ("Sigma", "Sigma"),
    ("Upsilon", "Upsilon"),
    ("Phi", "Phi"),
    ("Psi", "Psi"),
    ("Omega", "Omega"),
    // Binary operators.
    ("pm", "plus.minus"),
    ("mp", "minus.plus"),
    ("times", "times"),
    ("div", "div"),
    ("cdot", "dot.op"),
    ("ast", "ast.op"),
    ("star", "star.op"),
    ("circ", "compose"),
    ("bullet", "bullet.op"),
    ("oplus", "plus.o"),
    ("ominus", "minus.o"),
    ("otimes", "times.o"),
    ("oslash", "slash.o"),
    ("odot", "dot.o"),
    ("cup", "union"),
    ("cap", "inter"),
    ("sqcup", "union.sq"),
    ("sqcap", "inter.sq"),
    ("uplus", "union.plus"),
    ("vee", "or"),
    ("lor", "or"),
    ("wedge", "and"),
    ("land", "and"),
    ("setminus", "without"),
    ("smallsetminus", "without"),
    ("wr", "wreath"),
    ("dagger", "dagger"),
    ("dag", "dagger"),
    ("ddagger", "dagger.double"),
    ("ddag", "dagger.double"),
    ("amalg", "product.co"),
    // Relations.
    ("leq", "lt.eq"),
    ("le", "lt.eq"),
    ("geq", "gt.eq"),
    ("ge", "gt.eq"),
    ("leqslant", "lt.eq.slant"),
    ("geqslant", "gt.eq.slant"),
    ("neq", "eq.not"),
    ("ne", "eq.not"),
    ("equiv", "equiv"),
    ("approx", "approx"),
    ("sim", "tilde.op"),
    ("simeq", "tilde.eq"),
    ("cong", "tilde.equiv"),
    ("propto", "prop"),
    ("varpropto", "prop"),
    ("ll", "lt.double"),
    ("gg", "gt.double"),
    ("lll", "lt.triple"),
    ("ggg", "gt.triple"),
    ("lesssim", "lt.tilde"),
    ("gtrsim", "gt.tilde"),
    ("prec", "prec"),
    ("succ", "succ"),
    ("preceq", "prec.eq"),
    ("succeq", "succ.eq"),
    ("subset", "subset"),
    ("supset", "supset"),
    ("subseteq", "subset.eq"),
    ("supseteq", "supset.eq"),
    ("subsetneq", "subset.neq"),
    ("supsetneq", "supset.neq"),
    ("sqsubseteq", "subset.eq.sq"),
    ("sqsupseteq", "supset.eq.sq"),
    ("in", "in"),
    ("notin", "in.not"),
    ("ni", "in.rev"),
    ("owns", "in.rev"),
    ("perp", "perp"),
    ("parallel", "parallel"),
    ("nparallel", "parallel.not"),
    ("mid", "divides"),
    ("nmid", "divides.not"),
    ("models", "models"),
    ("vdash", "tack.r"),
    ("dashv", "tack.l"),
    ("doteq", "eq.dot"),
    ("asymp", "asymp"),
    ("coloneqq", "colon.eq"),
    ("coloneq", "colon.eq"),
    ("triangleq", "eq.delta"),
    ("bowtie", "bowtie.stroked"),
    ("Join", "bowtie.stroked"),
    // Arrows.
    ("to", "arrow.r"),
    ("rightarrow", "arrow.r"),
    ("leftarrow", "arrow.l"),
    ("gets", "arrow.l"),
    ("Rightarrow", "arrow.r.double"),
    ("Leftarrow", "arrow.l.double"),
    ("leftrightarrow", "arrow.l.r"),
    ("Leftrightarrow", "arrow.l.r.double"),
    ("longrightarrow", "arrow.r.long"),
    ("longleftarrow", "arrow.l.long"),
    ("longleftrightarrow", "arrow.l.r.long"),
    ("Longrightarrow", "arrow.r.double.long"),
    ("implies", "arrow.r.double.long"),
    ("Longleftarrow", "arrow.l.double.long"),
    ("impliedby", "arrow.l.double.long"),
    ("Longleftrightarrow", "arrow.l.r.double.long"),
    ("iff", "arrow.l.r.double.long"),
    ("mapsto", "arrow.r.bar"),
    ("longmapsto", "arrow.r.long.bar"),
    ("hookrightarrow", "arrow.r.hook"),
    ("hookleftarrow", "arrow.l.hook"),
    ("uparrow", "arrow.t"),
    ("downarrow", "arrow.b"),
    ("updownarrow", "arrow.t.b"),
    ("Uparrow", "arrow.t.double"),
    ("Downarrow", "arrow.b.double"),
    ("Updownarrow", "arrow.t.b.double"),
    ("nearrow", "arrow.tr"),
    ("searrow", "arrow.br"),
    ("nwarrow", "arrow.tl"),
    ("swarrow", "arrow.bl"),
    ("leadsto", "arrow.r.squiggly"),
    ("rightsquigarrow", "arrow.r.squiggly"),
    ("rightharpoonup", "harpoon.rt"),
    ("rightharpoondown", "harpoon.rb"),
    ("leftharpoonup", "harpoon.lt"),
    ("leftharpoondown", "harpoon.lb"),
    ("rightleftharpoons", "harpoons.rtlb"),
    ("leftrightharpoons", "harpoons.ltrb"),
    ("twoheadrightarrow", "arrow.r.twohead"),
    ("rightrightarrows", "arrows.rr"),
    // Large operators.
    ("sum", "sum"),
    ("prod", "product"),
    ("coprod", "product.co"),
    ("int", "integral"),
    ("iint", "integral.double"),
    ("iiint", "integral.triple"),
    ("iiiint", "integral.quad"),
    ("oint", "integral.cont"),
    ("bigcup", "union.big"),
    ("bigcap", "inter.big"),
    ("bigsqcup", "union.sq.big"),
    ("biguplus", "union.plus.big"),
    ("bigoplus", "plus.o.big"),
    ("bigotimes", "times.o.big"),
    ("bigodot", "dot.o.big"),
    ("bigvee", "or.big"),
    ("bigwedge", "and.big"),
    // Delimiters as characters.
    ("{", "brace.l"),
    ("lbrace", "brace.l"),
    ("}", "brace.r"),
    ("rbrace", "brace.r"),
    ("langle", "chevron.l"),
    ("rangle", "chevron.r"),
    ("lceil", "ceil.l"),
    ("rceil", "ceil.r"),
    ("lfloor", "floor.l"),
    ("rfloor", "floor.r"),
    // Fences as escapes: Typst spaces a fence from a neighbour written apart, and an escape can
    // be written against its neighbours (`|x|`, not `| x |`).
    ("|", FENCE_DOUBLE),
    ("Vert", FENCE_DOUBLE),
    ("lVert", FENCE_DOUBLE),
    ("rVert", FENCE_DOUBLE),
    ("vert", "\\|"),
    ("lvert", "\\|"),
    ("rvert", "\\|"),
    ("backslash", "backslash"),
    // Miscellaneous.
    ("infty", "infinity"),
    ("partial", "partial"),
    ("nabla", "nabla"),
    ("forall", "forall"),
    ("exists", "exists"),
    ("nexists", "exists.not"),
    ("emptyset", "emptyset"),
    ("varnothing", "nothing"),
    ("neg", "not"),
    ("lnot", "not"),
    ("top", "top"),
    ("bot", "bot"),
    ("angle", "angle"),
    ("measuredangle", "angle.arc"),
    ("ell", "ell"),
    ("hbar", "planck"),
    ("hslash", "planck"),
    ("Re", "Re"),
    ("Im", "Im"),
    ("wp", "pee"),
    ("aleph", "aleph"),
    ("beth", "beth"),
    ("gimel", "gimel"),
    ("prime", "prime"),
    ("degree", "degree"),
    ("triangle", "triangle.stroked.t"),
    ("vartriangle", "triangle.stroked.t"),
    ("square", "square.stroked"),
    ("Box", "square.stroked"),
    ("blacksquare", "square.filled"),
    ("diamond", "diamond.stroked.small"),
    ("Diamond", "diamond.stroked.small"),
    ("lozenge", "lozenge.stroked"),
    ("checkmark", "checkmark"),
    ("ldots", "dots.h"),
    ("dots", "dots.h"),
    ("dotsc", "dots.h"),
    ("dotso", "dots.h"),
    ("hdots", "dots.h"),
    ("cdots", "dots.h.c"),
    ("dotsb", "dots.h.c"),
    ("dotsm", "dots.h.c"),
    ("dotsi", "dots.h.c"),
    ("vdots", "dots.v"),
    ("ddots", "dots.down"),
    ("iddots", "dots.up"),
    ("adots", "dots.up"),
    ("therefore", "therefore"),
    ("because", "because"),
    ("qed", "qed"),
    ("S", "section"),
    ("P", "pilcrow"),
    ("sharp", "sharp"),
    ("flat", "flat"),
    ("natural", "natural"),
    ("clubsuit", "suit.club.stroked"),
    ("diamondsuit", "suit.diamond.stroked"),
    ("heartsuit", "suit.heart.stroked"),
    ("spadesuit", "suit.spade.stroked"),
    ("imath", "dotless.i"),
    ("jmath", "dotless.j"),
    // Escaped specials.
    ("#", "\\#"),
    ("$", "\\$"),
    ("%", "\\%"),
    ("&", "\\&"),
    ("_", "\\_"),
];

fn symbol(name: &str) -> Option<&'static str> {
    lookup(SYMBOLS, name)
}

fn lookup(table: &[(&str, &'static str)], name: &str) -> Option<&'static str> {
    table
        .iter()
        .find(|(tex, _)| *tex == name)
        .map(|(_, typst)| *typst)
}

/// `\not` followed by a command.
const NEGATIONS: &[(&str, &str)] = &[
    ("=", "eq.not"),
    ("<", "lt.not"),
    (">", "gt.not"),
    ("in", "in.not"),
    ("ni", "in.rev.not"),
    ("equiv", "equiv.not"),
    ("subset", "subset.not"),
    ("supset", "supset.not"),
    ("subseteq", "subset.eq.not"),
    ("supseteq", "supset.eq.not"),
    ("sim", "tilde.not"),
    ("simeq", "tilde.eq.not"),
    ("cong", "tilde.equiv.not"),
    ("approx", "approx.not"),
    ("le", "lt.eq.not"),
    ("leq", "lt.eq.not"),
    ("ge", "gt.eq.not"),
    ("geq", "gt.eq.not"),
    ("mid", "divides.not"),
    ("parallel", "parallel.not"),
    ("exists", "exists.not"),
    ("prec", "prec.not"),
    ("succ", "succ.not"),
];

fn negation(name: &str) -> Option<&'static str> {
    lookup(NEGATIONS, name)
}

/// Operators Typst defines itself, with TeX's choice of limits.
const OPERATORS: &[&str] = &[
    "arccos", "arcsin", "arctan", "arg", "cos", "cosh", "cot", "coth", "csc", "deg", "det", "dim",
    "exp", "gcd", "hom", "inf", "ker", "lg", "lim", "liminf", "limsup", "ln", "log", "max", "min",
    "Pr", "sec", "sin", "sinh", "sup", "tan", "tanh",
];

/// Operators pages define for themselves (`\DeclareMathOperator`), written with `op`.
const OTHER_OPERATORS: &[&str] = &[
    "csch", "sech", "arccot", "arcsec", "arccsc", "sgn", "tr", "lcm",
];

fn operator(name: &str) -> Option<String> {
    if OPERATORS.contains(&name) {
        return Some(name.to_owned());
    }
    OTHER_OPERATORS
        .contains(&name)
        .then(|| format!("op({})", string_literal(name)))
}

/// Accents over one argument.
const ACCENTS: &[(&str, &str)] = &[
    ("hat", "hat"),
    ("widehat", "hat"),
    ("tilde", "tilde"),
    ("widetilde", "tilde"),
    ("bar", "macron"),
    ("overline", "overline"),
    ("underline", "underline"),
    ("vec", "arrow"),
    ("overrightarrow", "arrow"),
    ("overleftarrow", "arrow.l"),
    ("overleftrightarrow", "arrow.l.r"),
    ("dot", "dot"),
    ("ddot", "dot.double"),
    ("dddot", "dot.triple"),
    ("acute", "acute"),
    ("grave", "grave"),
    ("breve", "breve"),
    ("check", "caron"),
    ("mathring", "circle"),
    ("cancel", "cancel"),
    ("bcancel", "cancel"),
    ("xcancel", "cancel"),
];

fn accent(name: &str) -> Option<&'static str> {
    lookup(ACCENTS, name)
}

/// Math alphabets over one argument (`{}` is the argument).
const STYLES: &[(&str, &str)] = &[
    ("mathbb", "bb({})"),
    ("Bbb", "bb({})"),
    ("mathbf", "upright(bold({}))"),
    ("boldsymbol", "bold({})"),
    ("bm", "bold({})"),
    ("pmb", "bold({})"),
    ("mathcal", "cal({})"),
    ("mathscr", "scr({})"),
    ("mathfrak", "frak({})"),
    ("mathrm", "upright({})"),
    ("rm", "upright({})"),
    ("mathit", "italic({})"),
    ("mathsf", "sans({})"),
    ("mathtt", "mono({})"),
    ("mathnormal", "{}"),
];

fn style(name: &str) -> Option<&'static str> {
    lookup(STYLES, name)
}

/// Text commands (`{}` is the string literal).
const TEXT_STYLES: &[(&str, &str)] = &[
    ("text", "{}"),
    ("textrm", "{}"),
    ("textnormal", "{}"),
    ("textup", "{}"),
    ("mbox", "{}"),
    ("hbox", "{}"),
    ("textbf", "bold({})"),
    ("textit", "italic({})"),
    ("textsl", "italic({})"),
    ("emph", "italic({})"),
    ("texttt", "mono({})"),
    ("textsf", "sans({})"),
];

fn text_style(name: &str) -> Option<&'static str> {
    lookup(TEXT_STYLES, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(tex: &str) -> String {
        tex_to_typst(tex).unwrap_or_else(|e| panic!("{tex:?} failed: {e}"))
    }

    /// Typical formulas and their translations; every one is also typeset in `tests.rs`-style
    /// rendering below.
    pub(crate) const FORMULAS: &[(&str, &str)] = &[
        ("E=mc^2", "E=m c^(2)"),
        (
            r"x = \frac{-b \pm \sqrt{b^2 - 4ac}}{2a}",
            "x=frac(-b plus.minus sqrt(b^(2)-4 a c), 2 a)",
        ),
        (
            r"\sum_{i=1}^{n} i = \frac{n(n+1)}{2}",
            r"sum^(n)_(i=1)i=frac(n\(n+1\), 2)",
        ),
        (
            r"\int_0^\infty e^{-x^2}\,dx = \frac{\sqrt\pi}{2}",
            "integral^(infinity)_(0)e^(-x^(2))thin d x=frac(sqrt(pi), 2)",
        ),
        (r"\prod_{k=1}^n k = n!", r"product^(n)_(k=1)k=n\!"),
        (
            r"\lim_{x \to 0} \frac{\sin x}{x} = 1",
            "lim_(x arrow.r 0)frac(sin x, x)=1",
        ),
        (r"\alpha + \beta = \Gamma", "alpha+beta=Gamma"),
        (
            r"\epsilon \varepsilon \phi \varphi",
            "epsilon.alt epsilon phi.alt phi",
        ),
        (r"\left( \frac{a}{b} \right)", r"lr(\(frac(a, b)\))"),
        (
            r"\left\{ x \middle| x > 0 \right\}",
            r"lr(brace.l x mid(\|)x>0 brace.r)",
        ),
        (
            r"\left. \frac{df}{dx} \right|_{x=0}",
            r"lr(frac(d f, d x)\|)_(x=0)",
        ),
        (
            r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}",
            r#"mat(delim: "(", a, b; c, d)"#,
        ),
        (
            r"\begin{bmatrix} 1 & 0 \\ 0 & 1 \\ \end{bmatrix}",
            r#"mat(delim: "[", 1, 0; 0, 1)"#,
        ),
        (r"\begin{matrix} a & b \\ c \end{matrix}", "mat(a, b; c)"),
        (
            r"\det \begin{vmatrix} a & b \\ c & d \end{vmatrix} = ad - bc",
            r#"det mat(delim: "|", a, b; c, d)=a d-b c"#,
        ),
        (
            r"f(x) = \begin{cases} x & \text{if } x \ge 0 \\ -x & \text{otherwise} \end{cases}",
            r#"f\(x\)=cases(x & "if "x gt.eq 0, -x & "otherwise")"#,
        ),
        (
            r"\mathbb{R}^n \subseteq \mathbb{C}",
            "bb(R)^(n)subset.eq bb(C)",
        ),
        (
            r"\mathbf{v} \cdot \mathbf{w}",
            "upright(bold(v))dot.op upright(bold(w))",
        ),
        (r"\mathcal{O}(n \log n)", r"cal(O)\(n log n\)"),
        (
            r"\hat{x} + \bar{y} + \vec{v} + \tilde{z} + \dot{a}",
            "hat(x)+macron(y)+arrow(v)+tilde(z)+dot(a)",
        ),
        (r"\overline{AB}", "overline(A B)"),
        (r"\sqrt[3]{x+1}", "root(3, x+1)"),
        ("a_{ij} = a_i^2", "a_(i j)=a^(2)_(i)"),
        ("f'(x) + f''(x)", r"f'\(x\)+f''\(x\)"),
        (
            r"x \in A \cup B, \; y \notin C",
            r"x in A union B\,thick y in.not C",
        ),
        (
            r"a \leq b \neq c \geq d \approx e",
            "a lt.eq b eq.not c gt.eq d approx e",
        ),
        (
            r"A \Rightarrow B \iff C",
            "A arrow.r.double B arrow.l.r.double.long C",
        ),
        (
            r"\forall \epsilon > 0 \, \exists \delta",
            "forall epsilon.alt>0 thin exists delta",
        ),
        (
            r"\binom{n}{k} = \frac{n!}{k!(n-k)!}",
            r"binom(n, k)=frac(n\!, k\!\(n-k\)\!)",
        ),
        (
            r"\begin{aligned} a &= b + c \\ &= d \end{aligned}",
            r"a&=b+c\ &=d",
        ),
        (r"\operatorname{rank}(A)", r#"op("rank")\(A\)"#),
        (
            r"\nabla \times \mathbf{E} = -\frac{\partial \mathbf{B}}{\partial t}",
            "nabla times upright(bold(E))= -frac(partial upright(bold(B)), partial t)",
        ),
        (r"{}^{14}_{6}\mathrm{C}", "zws^(14)_(6)upright(C)"),
        (r"\langle u, v \rangle", r"chevron.l u\,v chevron.r"),
        (r"\|x\|_2", r"\u{2016}x\u{2016}_(2)"),
        (r"\frac12 + \tfrac{1}{3}", "frac(1, 2)+inline(frac(1, 3))"),
        (r"e^{i\pi} + 1 = 0", "e^(i pi)+1=0"),
        (r"3.14159 \approx \pi", "3.14159 approx pi"),
        (r"\underbrace{a + b}_{n}", "underbrace(a+b, n)"),
        (r"\sum\limits_{k} x_k", "limits(sum)_(k)x_(k)"),
        ("$$ a+b $$", "a+b"),
        (r"x \quad y \qquad z", "x quad y wide z"),
        (r"\not= \not\in", "eq.not in.not"),
    ];

    #[test]
    fn issue_typical_formulas_translate() {
        for (tex, typst) in FORMULAS {
            assert_eq!(&t(tex), typst, "for {tex:?}");
        }
    }

    #[test]
    fn issue_source_characters_are_escaped() {
        assert_eq!(
            t("#x $ \" ( ) [ ] , ; . / @"),
            r#"\#x\$\"\(\)\[\]\,\;\.\/\@"#
        );
        assert_eq!(t("α≤√"), r"\u{3b1}\u{2264}\u{221a}");
        assert_eq!(t(r#"\text{a "quoted" \ text}"#), r#""a \"quoted\"  text""#);
        assert_eq!(t(r"\text{#sys.exit()}"), "\"#sys.exit()\"");
        assert_eq!(t(r"\text{\} \{ back\textbackslash}"), "\"} { back\\\\\"");
    }

    #[test]
    fn issue_letters_never_form_identifiers() {
        assert_eq!(t("xy2"), "x y 2");
        assert_eq!(t("sin"), "s i n");
        assert_eq!(t("x_1y_2"), "x_(1)y_(2)");
        assert_eq!(t(r"\alpha\beta x"), "alpha beta x");
        assert_eq!(t("<=>"), "< = >");
    }

    #[test]
    fn issue_scripts_take_one_token_as_in_tex() {
        assert_eq!(t("x^23"), "x^(2)3");
        assert_eq!(t(r"x^\alpha_\beta"), "x^(alpha)_(beta)");
        assert_eq!(t("a\\\nb\\ c"), "a thick b thick c");
        assert_eq!(t("x^{}"), "x");
    }

    #[test]
    fn issue_line_break_room_is_skipped_but_not_brackets() {
        assert_eq!(t(r"a \\[2pt] b"), "a\\ b");
        assert_eq!(t(r"a \\[-1.5 em] b"), "a\\ b");
        assert_eq!(t(r"a \\ [b, c]"), r"a\ \[b\,c\]");
        assert_eq!(
            t(r"\begin{matrix} a \\[1ex] [b] \end{matrix}"),
            r"mat(a; \[b\])"
        );
    }

    #[test]
    fn issue_line_breaks_never_escape_the_closing_dollar() {
        assert_eq!(t(r"a \\ b \\"), "a\\ b");
        assert_eq!(t(r"a \\"), "a");
    }

    #[test]
    fn issue_failures_are_reported() {
        let err = |tex: &str| tex_to_typst(tex).unwrap_err();
        assert_eq!(err(r"\foo x"), MathError::UnknownCommand("foo".into()));
        assert_eq!(err(r"\frac{a}{b"), MathError::Unbalanced("braces"));
        assert_eq!(err(r"a}"), MathError::Unbalanced("braces"));
        assert_eq!(
            err(r"\left( a"),
            MathError::Unbalanced("`\\left` and `\\right`")
        );
        assert_eq!(
            err(r"a \right)"),
            MathError::Unbalanced("`\\left` and `\\right`")
        );
        assert_eq!(
            err(r"\begin{pmatrix} a"),
            MathError::Unbalanced("`\\begin` and `\\end`")
        );
        assert_eq!(
            err(r"\begin{pmatrix} a \end{bmatrix}"),
            MathError::Unbalanced("`\\begin` and `\\end`")
        );
        assert_eq!(
            err(r"\begin{tikzcd} a \end{tikzcd}"),
            MathError::UnknownEnvironment("tikzcd".into())
        );
        assert_eq!(err("x^2^3"), MathError::Misplaced("double superscript"));
        assert_eq!(err(r"\frac{a}"), MathError::MissingArgument("frac"));
        assert_eq!(err("{a & b}"), MathError::Misplaced("`&`"));
        assert_eq!(t("a & b"), "a&b");
        assert_eq!(err(&"{".repeat(65)), MathError::TooDeep);
        assert!(tex_to_typst(&format!("{}x{}", "{".repeat(64), "}".repeat(64))).is_ok());
        assert_eq!(err(&"x".repeat(MAX_TEX_CHARS + 1)), MathError::TooLong);
        assert_eq!(err("x \\"), MathError::Misplaced("backslash at the end"));
    }

    #[test]
    fn issue_messages_quote_no_formula_text() {
        let long = MathError::UnknownCommand("a".repeat(40));
        assert_eq!(long.to_string(), "unsupported command");
        assert_eq!(
            MathError::UnknownCommand("foo".into()).to_string(),
            "unsupported command `\\foo`"
        );
        assert_eq!(
            MathError::UnknownEnvironment("x y".into()).to_string(),
            "unsupported environment"
        );
    }

    // ---- Everything emitted is inert -----------------------------------------------------

    /// Functions the translation calls.
    const FUNCTIONS: &[&str] = &[
        "frac",
        "binom",
        "display",
        "inline",
        "sqrt",
        "root",
        "lr",
        "mid",
        "mat",
        "cases",
        "class",
        "op",
        "limits",
        "scripts",
        "overbrace",
        "underbrace",
        "overbracket",
        "underbracket",
        "upright",
        "bold",
        "italic",
        "bb",
        "cal",
        "scr",
        "frak",
        "sans",
        "mono",
    ];

    /// Identifiers the translation writes besides the tables' symbols.
    const IDENTIFIERS: &[&str] = &[
        "thin", "med", "thick", "quad", "wide", "zws", "prime", "mod",
    ];

    fn allowed_identifier(name: &str) -> bool {
        SYMBOLS
            .iter()
            .chain(NEGATIONS)
            .any(|(_, typst)| *typst == name)
            || OPERATORS.contains(&name)
            || IDENTIFIERS.contains(&name)
    }

    fn allowed_function(name: &str) -> bool {
        FUNCTIONS.contains(&name) || ACCENTS.iter().any(|(_, typst)| *typst == name)
    }

    /// Fails unless `body` parses as Typst maths with no errors, no code, and only the
    /// translation's own identifiers, calls and named arguments.
    fn assert_inert(body: &str) -> Result<(), String> {
        use typst::syntax::{SyntaxKind, SyntaxNode};
        fn walk(node: &SyntaxNode) -> Result<(), String> {
            let text = node.full_text().to_string();
            match node.kind() {
                SyntaxKind::Error => return Err(format!("syntax error at {text:?}")),
                SyntaxKind::Hash
                | SyntaxKind::Dollar
                | SyntaxKind::Code
                | SyntaxKind::CodeBlock
                | SyntaxKind::ContentBlock
                | SyntaxKind::Markup => {
                    return Err(format!("{:?} at {text:?}", node.kind()));
                }
                SyntaxKind::MathIdent | SyntaxKind::MathFieldAccess => {
                    if !allowed_identifier(&text) {
                        return Err(format!("identifier {text:?}"));
                    }
                    return Ok(());
                }
                SyntaxKind::MathCall | SyntaxKind::FuncCall => {
                    let mut children = node.children();
                    let callee = children.next().map(|c| c.full_text().to_string());
                    match callee {
                        Some(callee) if allowed_function(&callee) => {}
                        other => return Err(format!("call of {other:?}")),
                    }
                    return children.try_for_each(walk);
                }
                SyntaxKind::Named if !text.starts_with("delim:") => {
                    return Err(format!("named argument {text:?}"));
                }
                _ => {}
            }
            node.children().try_for_each(walk)
        }
        let root = typst::syntax::parse_math(body);
        let (errors, warnings) = root.errors_and_warnings();
        if !errors.is_empty() || !warnings.is_empty() {
            return Err(format!("{errors:?} {warnings:?}"));
        }
        walk(&root)
    }

    #[test]
    fn issue_translations_are_inert() {
        for (tex, _) in FORMULAS {
            assert_inert(&t(tex)).unwrap_or_else(|e| panic!("{tex:?}: {e}"));
        }
        for (tex, _) in SYMBOLS.iter().chain(NEGATIONS) {
            if let Ok(body) = tex_to_typst(&format!("\\{tex}")) {
                assert_inert(&body).unwrap_or_else(|e| panic!("{tex:?}: {e}"));
            }
        }
    }

    /// Fragments of TeX, likely and unlikely, to build formulas from.
    #[rustfmt::skip]
    const FRAGMENTS: &[&str] = &[
        "{}", "{x}", "{a}{b}", "{a}{}", "x", "2", "3.5", " ", "{", "}", "^", "_", "&", "\\\\", "'",
        "(", ")", "[", "]", "|", ",", ";", ".", "/", "$", "#", "\"", "-", "*", "<", "=", ">", "~",
        "!", ":", "%", "\n", "\\frac", "\\sqrt", "\\sqrt[", "\\left(", "\\right)", "\\left.",
        "\\right\\}", "\\middle|", "\\alpha", "\\sum", "\\int", "\\limits", "\\nolimits", "\\text{",
        "\\text{a \\} b}", "\\mathbb", "\\hat", "\\overbrace", "\\underbrace", "\\overset", "\\not",
        "\\operatorname*{", "\\substack{", "\\begin{pmatrix}", "\\end{pmatrix}", "\\begin{matrix}",
        "\\end{matrix}", "\\begin{cases}", "\\end{cases}", "\\begin{aligned}", "\\end{aligned}",
        "\\begin{array}{cc}", "\\end{array}", "\\\\[2pt]", "\\,", "\\!", "\\quad", "\\big(", "\\{",
        "\\|", "\\sin", "\\lim", "\\pmod", "\\tfrac", "\\binom", "\\mathbf", "\\displaystyle",
        "\\unknown", "\u{3b1}", "\u{221a}", "\u{27e8}", "\u{202e}", "\u{0}", "\u{301}",
    ];

    /// Atoms of well-formed formulas.
    #[rustfmt::skip]
    const LEAVES: &[&str] = &[
        "x", "y", "2", "3.5", "+", "-", "=", "<", ">", "(", ")", "|", ",", ";", "!", "'", "/", ".",
        "\\alpha", "\\infty", "\\cdot", "\\leq", "\\{", "\\}", "\\|", "\\,", "\\quad",
        "\\text{a b}", "\\sin", "\\lim", "\\operatorname{f}", "\\ldots", "\\to", "{}",
        "\u{3b1}", "\\langle", "\\rangle", "\\mathbb{R}", "\\not=", "\\#", "\\%",
    ];

    /// Well-formed formulas of the supported subset, nested a few levels.
    fn formula() -> impl Strategy<Value = String> {
        use proptest::sample::select;
        let leaf = select(LEAVES).prop_map(str::to_owned);
        leaf.prop_recursive(4, 40, 4, |inner| {
            let two = (inner.clone(), inner.clone());
            prop_oneof![
                // A prime right after a superscript is TeX's "double superscript" error: a part
                // that starts with one gets an empty base of its own.
                proptest::collection::vec(inner.clone(), 1..4).prop_map(|parts| {
                    parts
                        .iter()
                        .map(|part| {
                            if part.starts_with('\'') {
                                format!("{{}}{part}")
                            } else {
                                part.clone()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                }),
                two.clone()
                    .prop_map(|(a, b)| format!("\\frac{{{a}}}{{{b}}}")),
                two.clone()
                    .prop_map(|(a, b)| format!("\\binom{{{a}}}{{{b}}}")),
                two.clone().prop_map(|(a, b)| format!("{{{a}}}^{{{b}}}")),
                two.clone().prop_map(|(a, b)| format!("x_{{{a}}}^{{{b}}}")),
                two.clone()
                    .prop_map(|(a, b)| format!("\\sum_{{{a}}}^{{{b}}}")),
                two.clone()
                    .prop_map(|(a, b)| format!("\\int\\limits_{{{a}}}^{{{b}}}")),
                inner.clone().prop_map(|a| format!("\\sqrt{{{a}}}")),
                inner.clone().prop_map(|a| format!("\\sqrt[3]{{{a}}}")),
                inner.clone().prop_map(|a| format!("\\left( {a} \\right)")),
                inner
                    .clone()
                    .prop_map(|a| format!("\\left. {a} \\middle| {a} \\right\\}}")),
                inner
                    .clone()
                    .prop_map(|a| format!("\\hat{{{a}}}\\overline{{{a}}}\\vec{{{a}}}")),
                inner
                    .clone()
                    .prop_map(|a| format!("\\mathbf{{{a}}}\\mathcal{{{a}}}")),
                two.clone()
                    .prop_map(|(a, b)| format!("\\overbrace{{{a}}}^{{{b}}}")),
                two.clone()
                    .prop_map(|(a, b)| format!("\\overset{{{a}}}{{{b}}}")),
                two.clone().prop_map(|(a, b)| format!(
                    "\\begin{{pmatrix}} {a} & {b} \\\\ {b} & {a} \\end{{pmatrix}}"
                )),
                two.clone().prop_map(|(a, b)| format!(
                    "\\begin{{cases}} {a} & {b} \\\\ {b} \\end{{cases}}"
                )),
                two.clone().prop_map(|(a, b)| format!(
                    "\\begin{{aligned}} {a} &= {b} \\\\ &= {a} \\end{{aligned}}"
                )),
            ]
        })
    }

    /// Formulas made of [`FRAGMENTS`].
    pub(crate) fn texish() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..24)
            .prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn issue_any_translation_is_inert(
            tex in prop_oneof![texish(), formula(), "\\PC{0,40}", ".{0,40}"]
        ) {
            if let Ok(body) = tex_to_typst(&tex) {
                prop_assert!(assert_inert(&body).is_ok(), "{tex:?} -> {body:?}: {:?}", assert_inert(&body));
            }
        }
    }

    // ---- Typeset through the real engine --------------------------------------------------

    use folio_ir::{Attachments, Attr, Block, Document, Inline, Span};
    use proptest::prelude::*;
    use std::sync::LazyLock;

    use crate::{Engine, EngineOptions, RenderOptions};

    static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
        Engine::new(&EngineOptions {
            system_fonts: false,
        })
    });

    /// A document with `tex` as display maths and in a line of text.
    fn document(formulas: &[&str]) -> Document {
        let mut blocks = Vec::new();
        for tex in formulas {
            blocks.push(Block::Math {
                tex: (*tex).to_owned(),
                span: Span::new(1, 2),
            });
            blocks.push(Block::Paragraph {
                attr: Attr::default(),
                content: vec![
                    Inline::text("Inline "),
                    Inline::Math {
                        tex: (*tex).to_owned(),
                    },
                    Inline::text(" maths."),
                ],
                span: Span::DETACHED,
            });
        }
        Document {
            title: None,
            blocks,
        }
    }

    /// Renders; the codes of the diagnostics.
    fn render(formulas: &[&str]) -> Result<Vec<String>, String> {
        let rendered = ENGINE
            .render_pdf(
                &document(formulas),
                &Attachments::new(),
                &RenderOptions::default(),
            )
            .map_err(|e| e.to_string())?;
        Ok(rendered
            .diagnostics
            .iter()
            .map(|d| format!("{}: {}", d.code, d.message))
            .collect())
    }

    #[test]
    fn issue_typical_formulas_typeset() {
        let formulas: Vec<&str> = FORMULAS.iter().map(|(tex, _)| *tex).collect();
        if let Ok(diagnostics) = render(&formulas)
            && diagnostics.is_empty()
        {
            return;
        }
        // Find the culprit.
        for tex in formulas {
            assert_eq!(render(&[tex]), Ok(vec![]), "for {tex:?}");
        }
    }

    #[test]
    fn issue_every_table_entry_typesets() {
        let mut formulas = Vec::new();
        for (tex, _) in SYMBOLS {
            formulas.push(format!("\\{tex}"));
        }
        for (tex, _) in NEGATIONS {
            match tex.starts_with(|c: char| c.is_ascii_alphabetic()) {
                true => formulas.push(format!("\\not\\{tex}")),
                false => formulas.push(format!("\\not{tex}")),
            }
        }
        for tex in OPERATORS.iter().chain(OTHER_OPERATORS) {
            formulas.push(format!("\\{tex}_x^y"));
        }
        for (tex, _) in ACCENTS.iter().chain(STYLES) {
            formulas.push(format!("\\{tex}{{xy}}^2"));
        }
        for (tex, _) in TEXT_STYLES {
            formulas.push(format!("\\{tex}{{a b}} x"));
        }
        for environment in [
            "matrix",
            "smallmatrix",
            "pmatrix",
            "bmatrix",
            "Bmatrix",
            "vmatrix",
            "Vmatrix",
            "cases",
            "dcases",
            "aligned",
            "align*",
            "gather",
            "split",
            "equation*",
            "multline",
        ] {
            formulas.push(format!(
                "\\begin{{{environment}}} a & b \\\\ c & d \\end{{{environment}}}"
            ));
        }
        formulas.extend(
            [
                r"\left\{\begin{aligned} a &= 1 \\ b &= 2 \end{aligned}\right.",
                r"\begin{array}{c|c} a & b \\ \hline c & d \end{array}",
                r"\begin{pmatrix} \end{pmatrix}",
                r"\begin{cases} \end{cases}",
                r"\begin{pmatrix} a & & b \\ \\ c \end{pmatrix}",
                r"\sum_{\substack{i < n \\ j < m}} a_{ij}",
                r"\overset{!}{=} \underset{x}{\max} \stackrel{def}{=}",
                r"\operatorname*{argmax}_x f(x) \operatorname{span}",
                r"\bigl( x \bigr) \Big| \bigg\langle",
                r"a \pmod{n} \bmod b",
                r"x \\ y \\[1em] z",
                r"{}",
                "",
                "   ",
                "''",
                r"x^{}_{}",
                r"\text{}",
                r"\frac{}{} \frac{a}{} \frac{}{b} \binom{}{} \dfrac{}{} \sqrt{} \sqrt[]{} \sqrt[]{x}",
                r"\hat{} \mathbb{} \mathbf{} \overbrace{}^{} \underbrace{}_{} \underset{}{}",
                r"\overset{a}{} \operatorname{} \textbf{} \left.\right. \left(\right) \cancel{}",
                r"\begin{matrix}&\\&\end{matrix} \begin{cases}&\\&\end{cases} \substack{}",
                r"x^{}_{} {}^{} {}'' {{}}^2 \sum\limits \limits x \not\in",
            ]
            .map(str::to_owned),
        );
        let formulas: Vec<&str> = formulas.iter().map(String::as_str).collect();
        for tex in &formulas {
            assert!(
                tex_to_typst(tex).is_ok(),
                "{tex:?}: {:?}",
                tex_to_typst(tex)
            );
        }
        if let Ok(diagnostics) = render(&formulas)
            && diagnostics.is_empty()
        {
            return;
        }
        for tex in formulas {
            assert_eq!(render(&[tex]), Ok(vec![]), "for {tex:?}");
        }
    }

    #[test]
    fn issue_deepest_nesting_typesets() {
        let depth = MAX_NESTING;
        let formulas = [
            format!("{}x{}", "x^{".repeat(depth), "}".repeat(depth)),
            format!("{}x{}", "\\sqrt{".repeat(depth / 2), "}".repeat(depth / 2)),
            format!("{}x{}", "\\left(".repeat(depth), "\\right)".repeat(depth)),
            format!(
                "{}x{}",
                "\\frac{1}{".repeat(depth / 2),
                "}".repeat(depth / 2)
            ),
        ];
        for tex in &formulas {
            assert!(tex_to_typst(tex).is_ok(), "{tex:?} is within the limit");
            assert_eq!(render(&[tex]), Ok(vec![]), "for {tex:?}");
        }
    }

    #[test]
    fn issue_maths_typesets_in_containers() {
        use folio_ir::{Cell, ColumnSpec, List, ListItem, Row, Table};
        let math = || {
            Block::Math {
            tex: r"\sum_{i=1}^n \frac{a_i}{\sqrt{b_i}} = \begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}"
                .to_owned(),
            span: Span::DETACHED,
        }
        };
        let inline = || Inline::Math {
            tex: r"e^{i\pi}".to_owned(),
        };
        let cell = |blocks| Cell {
            blocks,
            ..Cell::empty()
        };
        let document = Document {
            title: None,
            blocks: vec![
                Block::Heading {
                    level: 2,
                    attr: Attr::default(),
                    content: vec![Inline::text("Euler "), inline()],
                    span: Span::DETACHED,
                },
                Block::Table(Table {
                    columns: vec![ColumnSpec::default(); 2],
                    rows: vec![Row {
                        cells: vec![cell(vec![math()]), cell(vec![math(), math()])],
                        in_head: false,
                    }],
                    header_rows: 0,
                    width: None,
                    numbered: false,
                    span: Span::DETACHED,
                }),
                Block::List(List {
                    ordered: false,
                    start: 1,
                    items: vec![ListItem {
                        blocks: vec![math()],
                    }],
                    span: Span::DETACHED,
                }),
                Block::Quote {
                    blocks: vec![math()],
                    span: Span::DETACHED,
                },
            ],
        };
        let rendered = ENGINE
            .render_pdf(&document, &Attachments::new(), &RenderOptions::default())
            .expect("renders");
        assert!(
            rendered.diagnostics.is_empty(),
            "{:?}",
            rendered.diagnostics
        );
    }

    #[test]
    fn issue_formulas_as_source_keep_the_tex() {
        let document = document(&[r"\frac{a}{b}"]);
        let plain = as_source(&document).expect("has maths");
        assert!(matches!(&plain.blocks[0], Block::Code(code) if code.code == r"\frac{a}{b}"));
        let Block::Paragraph { content, .. } = &plain.blocks[1] else {
            panic!("not a paragraph");
        };
        assert_eq!(folio_ir::plain_text(content), r"Inline \frac{a}{b} maths.");
        assert!(as_source(&Document::default()).is_none());
    }

    #[test]
    fn issue_untranslatable_formulas_fall_back_with_a_warning() {
        let diagnostics = render(&[r"\foo{x}"]).expect("renders");
        assert_eq!(
            diagnostics,
            vec![
                "math-not-typeset: a formula is shown as TeX source instead of typeset: unsupported command `\\foo`".to_owned();
                2
            ]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// Well-formed formulas translate, and typeset with no error or warning.
        #[test]
        fn issue_well_formed_formulas_typeset(tex in formula()) {
            let body = tex_to_typst(&tex);
            prop_assert!(body.is_ok(), "{tex:?}: {body:?}");
            prop_assert_eq!(render(&[&tex]), Ok(vec![]), "for {:?} -> {:?}", tex, body);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// Whatever the source, the document renders: translated, or shown as source.
        #[test]
        fn issue_any_formula_renders(
            formulas in proptest::collection::vec(prop_oneof![texish(), "\\PC{0,30}"], 1..6)
        ) {
            let formulas: Vec<&str> = formulas.iter().map(String::as_str).collect();
            let result = render(&formulas);
            prop_assert!(result.is_ok(), "{formulas:?}: {result:?}");
        }
    }
}
